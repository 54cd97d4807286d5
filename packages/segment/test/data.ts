// Loaders of the shared datasets used by the tests (not part of the package API).
import { join } from "node:path";
import { sharedData } from "@tessera/testkit";
import { readHdf5Dataset, readTiffPages } from "@tessera/volume";

export const gala = sharedData("em/gala");
export const snemi = sharedData("em/gala-snemi-mini");
export const neuroproof = sharedData("em/neuroproof-sample2");
export const cremiExample = sharedData("em/cremi-example.h5");

/** Read an HDF5 dataset of the shared data: data and `[z, y, x]` shape. */
export async function h5(path: string, name?: string) {
  const { data, shape } = await readHdf5Dataset(path, name);
  return { data, shape: shape as [number, number, number] };
}

/** Read a gala volume (`train-gt`, `train-p1`, `train-ws`, `train-image`). */
export function galaVolume(name: string) {
  return h5(join(gala.path, `${name}.h5`), "stack");
}

/** Read a multi-page TIFF of gala-snemi-mini as one flat array. */
export async function snemiStack(name: string) {
  const pages: (Uint8Array | Uint16Array)[] = [];
  let height = 0;
  let width = 0;
  await readTiffPages(join(snemi.path, `${name}.tif`), (page) => {
    pages.push(page.data);
    height = page.height;
    width = page.width;
  });
  const Ctor = pages[0] instanceof Uint16Array ? Uint16Array : Uint8Array;
  const data = new Ctor(pages.length * height * width);
  pages.forEach((p, z) => {
    data.set(p, z * height * width);
  });
  return { data, shape: [pages.length, height, width] as [number, number, number] };
}

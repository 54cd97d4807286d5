import { Box, openHdf5Dataset, openVolume, readHdf5Dataset } from "@tessera/volume";
import type { LabelArray } from "./arrays.js";

/** Label volume read whole: data, shape `[z, y, x]` and voxel size when the file records one. */
export interface LabelInput {
  data: LabelArray;
  shape: number[];
  resolution?: number[];
}

/** Whether `path` names an HDF5 file (by extension). */
export function isHdf5Path(path: string): boolean {
  return /\.(h5|hdf5|hdf)$/i.test(path);
}

/** A label volume from a zarr array or an HDF5 dataset (`dataset`: its name; default the only one). */
export async function readLabels(path: string, dataset?: string): Promise<LabelInput> {
  if (isHdf5Path(path)) {
    const { data, shape, attrs } = await readHdf5Dataset(path, dataset);
    return { data: data as LabelArray, shape, resolution: attrs.resolution as number[] | undefined };
  }
  const volume = await openVolume(path);
  return {
    data: (await volume.read()).data as LabelArray,
    shape: [...volume.shape],
    resolution: volume.resolution,
  };
}

/** The shape of a label volume, read from its metadata only (to refuse a mismatch before any work). */
export async function labelShape(path: string, dataset?: string): Promise<number[]> {
  if (isHdf5Path(path)) {
    const h5 = await openHdf5Dataset(path, dataset);
    try {
      return [...h5.shape];
    } finally {
      h5.close();
    }
  }
  return [...(await openVolume(path)).shape];
}

/** `data` (C order, `shape`) cropped to `box`. */
export function cropLabels(data: LabelArray, shape: readonly number[], box: Box): LabelArray {
  const Ctor = data.constructor as new (n: number) => LabelArray;
  const out = new Ctor(box.size);
  let k = 0;
  for (let z = box.begin[0]; z < box.end[0]; z++)
    for (let y = box.begin[1]; y < box.end[1]; y++) {
      const row = (z * shape[1] + y) * shape[2];
      for (let x = box.begin[2]; x < box.end[2]; x++) out[k++] = data[row + x] as never;
    }
  return out;
}

/** `Box` of `--box z0:z1,y0:y1,x0:x1`. */
export function boxOf(ranges: readonly (readonly [number, number])[]): Box {
  return new Box(
    ranges.map((r) => r[0]),
    ranges.map((r) => r[1]),
  );
}

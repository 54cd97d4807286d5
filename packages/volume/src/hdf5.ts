import { existsSync } from "node:fs";
import type { File as H5File, Group as H5Group } from "h5wasm/node";
import type { DataType, TypedArray } from "./dtype.js";
import { InvalidInputError, UnsupportedDtypeError } from "./errors.js";

/** An HDF5 dataset opened for reading. */
export interface Hdf5Dataset {
  /** Path of the HDF5 file. */
  file: string;
  /** Dataset name inside the file (e.g. `stack`, `volumes/raw`). */
  name: string;
  shape: number[];
  dtype: DataType;
  /** Dataset attributes (numbers, strings and arrays of them). */
  attrs: Record<string, unknown>;
  /** Read the slab `[begin, end)` along axis 0 (default: the whole dataset), C order. */
  read(begin?: number, end?: number): TypedArray;
  /** Close the file. */
  close(): void;
}

function dtypeOf(meta: { type: number; signed: boolean; size: number }, where: string): DataType {
  // h5wasm type classes: 0 integer, 1 float
  if (meta.type === 0) {
    const bits = meta.size * 8;
    const name = `${meta.signed ? "int" : "uint"}${bits}`;
    if ([8, 16, 32, 64].includes(bits)) return name as DataType;
  } else if (meta.type === 1 && (meta.size === 4 || meta.size === 8)) {
    return meta.size === 4 ? "float32" : "float64";
  }
  throw new UnsupportedDtypeError("unsupported HDF5 dataset type", {
    path: where,
    field: "dtype",
    expected: "an integer or float type of 8–64 bits",
    found: `class ${meta.type}, ${meta.size} bytes`,
  });
}

/** Names of every dataset in an HDF5 file (depth-first). */
type H5wasm = typeof import("h5wasm/node").default;

/** h5wasm, loaded (and its wasm compiled) on first use. */
async function loadH5wasm(): Promise<H5wasm> {
  const h5wasm = (await import("h5wasm/node")).default;
  await h5wasm.ready;
  return h5wasm;
}

function listDatasets(h5wasm: H5wasm, group: H5Group, prefix = ""): string[] {
  const names: string[] = [];
  for (const key of group.keys()) {
    const item = group.get(key);
    const name = prefix ? `${prefix}/${key}` : key;
    if (item instanceof h5wasm.Dataset) names.push(name);
    else if (item instanceof h5wasm.Group) names.push(...listDatasets(h5wasm, item, name));
  }
  return names;
}

/**
 * Open dataset `name` of the HDF5 file `file` (gzip and uncompressed; h5wasm cannot decode LZF). With
 * no name, the file's only dataset is used. Throws {@link InvalidInputError} naming the datasets there.
 */
export async function openHdf5Dataset(file: string, name?: string): Promise<Hdf5Dataset> {
  if (!existsSync(file)) {
    throw new InvalidInputError("HDF5 file not found", { path: file, expected: "an existing .h5 file" });
  }
  const h5wasm = await loadH5wasm();
  let h5: H5File;
  try {
    h5 = new h5wasm.File(file, "r");
  } catch (error) {
    throw new InvalidInputError("not an HDF5 file", { path: file, expected: "an HDF5 file", cause: error });
  }
  const names = listDatasets(h5wasm, h5);
  const chosen = name ?? (names.length === 1 ? names[0] : undefined);
  const item = chosen === undefined ? undefined : h5.get(chosen);
  if (!(item instanceof h5wasm.Dataset)) {
    h5.close();
    throw new InvalidInputError("HDF5 dataset not found", {
      path: file,
      field: "dataset",
      expected: `one of ${names.join(", ") || "(no datasets)"}`,
      found: chosen === undefined ? "no dataset name (the file has several)" : JSON.stringify(chosen),
    });
  }
  const shape = (item.shape ?? []).map(Number);
  const dtype = dtypeOf(
    item.metadata as { type: number; signed: boolean; size: number },
    `${file}:${chosen}`,
  );
  const attrs: Record<string, unknown> = {};
  for (const [key, attr] of Object.entries(item.attrs)) {
    const value = attr.value;
    attrs[key] = ArrayBuffer.isView(value) ? Array.from(value as ArrayLike<number>) : value;
  }
  return {
    file,
    name: chosen as string,
    shape,
    dtype,
    attrs,
    read(begin = 0, end = shape[0]) {
      const ranges = shape.map((_, i) => (i === 0 ? [begin, end] : []));
      // biome-ignore lint/suspicious/noExplicitAny: h5wasm types each range as a 3-tuple; [] and [a, b] are valid.
      const data = item.slice(ranges as any) as unknown as TypedArray;
      return data;
    },
    close: () => h5.close(),
  };
}

/** Read a whole HDF5 dataset: its values (C order), shape, dtype and attributes. */
export async function readHdf5Dataset(
  file: string,
  name?: string,
): Promise<{ data: TypedArray; shape: number[]; dtype: DataType; attrs: Record<string, unknown> }> {
  const dataset = await openHdf5Dataset(file, name);
  try {
    return { data: dataset.read(), shape: dataset.shape, dtype: dataset.dtype, attrs: dataset.attrs };
  } finally {
    dataset.close();
  }
}

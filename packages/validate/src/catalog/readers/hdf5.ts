/** HDF5 catalogs: 1-D datasets (one per column) under a group, read as hyperslabs via `@tessera/volume`. */
import { type Hdf5Dataset, listHdf5Datasets, openHdf5Dataset } from "@tessera/volume";
import type { ColumnRequest, ColumnSource, NativeArray } from "./source.js";

/**
 * Open an HDF5 file as a {@link ColumnSource}: the 1-D datasets directly under `group` (default the
 * root) are its columns. Each chunk reads the slab `[r0, r1)` of each requested dataset (h5wasm
 * hyperslab selection, or Tessera's chunk reader for LZF), so memory is one chunk plus the HDF5
 * chunks the slab touches.
 */
export async function openHdf5Source(path: string, options: { group?: string } = {}): Promise<ColumnSource> {
  const prefix = (options.group ?? "").replace(/^\/+|\/+$/g, "");
  const all = await listHdf5Datasets(path);
  const names = all
    .filter((n) => (prefix ? n.startsWith(`${prefix}/`) : true))
    .map((n) => (prefix ? n.slice(prefix.length + 1) : n))
    .filter((n) => !n.includes("/"));
  return {
    path,
    columnNames: () => names,
    async *chunks(columns: readonly ColumnRequest[], chunkRows: number) {
      const sets: Hdf5Dataset[] = [];
      try {
        for (const c of columns)
          sets.push(await openHdf5Dataset(path, prefix ? `${prefix}/${c.name}` : c.name));
        const rows = sets[0]?.shape[0] ?? 0;
        sets.forEach((s) => {
          if (s.shape.length !== 1 || s.shape[0] !== rows) {
            throw new RangeError(
              `HDF5 dataset ${s.name} has shape [${s.shape.join(", ")}], expected [${rows}] like ${columns[0].name}`,
            );
          }
        });
        for (let r0 = 0; r0 < rows; r0 += chunkRows) {
          const r1 = Math.min(rows, r0 + chunkRows);
          const out: Record<string, NativeArray> = {};
          for (let k = 0; k < columns.length; k++) out[columns[k].name] = sets[k].read(r0, r1) as NativeArray;
          yield out;
        }
      } finally {
        for (const s of sets) s.close();
      }
    },
    close: async () => {},
  };
}

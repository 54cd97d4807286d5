/** Zarr catalogs: a zarr v2 group of 1-D column arrays, read a row range at a time via `@tessera/volume`. */
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { Box, openGroup, openVolume, type Volume } from "@tessera/volume";
import type { ColumnRequest, ColumnSource, NativeArray } from "./source.js";

/**
 * Open a zarr group of 1-D arrays as a {@link ColumnSource}. A chunk reads only the zarr chunks that
 * overlap its rows, so memory is one output chunk plus the zarr chunks it touches.
 */
export async function openZarrSource(path: string): Promise<ColumnSource> {
  const group = await openGroup(path);
  const listed = Array.isArray(group.attrs.columns) ? (group.attrs.columns as string[]) : undefined;
  const names =
    listed ??
    (await readdir(path, { withFileTypes: true }))
      .filter((e) => e.isDirectory() && !e.name.startsWith("."))
      .map((e) => e.name);
  return {
    path,
    columnNames: () => names,
    async *chunks(columns: readonly ColumnRequest[], chunkRows: number) {
      const volumes: Volume[] = [];
      for (const c of columns) volumes.push(await openVolume(join(path, c.name)));
      const rows = volumes[0]?.shape[0] ?? 0;
      volumes.forEach((v, k) => {
        if (v.ndim !== 1 || v.shape[0] !== rows) {
          throw new RangeError(
            `zarr column ${columns[k].name} has shape [${v.shape.join(", ")}], expected [${rows}] like ${columns[0].name}`,
          );
        }
      });
      for (let r0 = 0; r0 < rows; r0 += chunkRows) {
        const r1 = Math.min(rows, r0 + chunkRows);
        const out: Record<string, NativeArray> = {};
        for (let k = 0; k < columns.length; k++) {
          out[columns[k].name] = (await volumes[k].read(new Box([r0], [r1]))).data as NativeArray;
        }
        yield out;
      }
    },
    close: async () => {},
  };
}

/** GenericIO catalogs (HACC): rank by rank, only the requested variables, through `@tessera/halo`. */
import { type GenericIOFile, openGenericIO } from "@tessera/halo";
import type { ColumnRequest, ColumnSource, NativeArray } from "./source.js";

const ARRAY_OF: Record<string, new (n: number) => NativeArray> = {
  i8: Int8Array,
  i16: Int16Array,
  i32: Int32Array,
  i64: BigInt64Array,
  u8: Uint8Array,
  u16: Uint16Array,
  u32: Uint32Array,
  u64: BigUint64Array,
  f32: Float32Array,
  f64: Float64Array,
};

/**
 * Open a GenericIO file (or a rank map) as a {@link ColumnSource}. Each requested variable of a rank
 * is read into one reusable buffer sized to the largest rank, then handed out in copies of
 * `chunkRows` rows: memory is one rank of the requested variables plus one chunk.
 */
export async function openGenericIOSource(
  path: string,
  options: { verifyCrc?: boolean } = {},
): Promise<ColumnSource> {
  const file: GenericIOFile = await openGenericIO(path, { verifyCrc: options.verifyCrc ?? true });
  return {
    path,
    columnNames: () => file.variables.filter((v) => v.elementCount === 1).map((v) => v.name),
    async *chunks(columns: readonly ColumnRequest[], chunkRows: number) {
      const maxRows = file.ranks.reduce((m, r) => Math.max(m, r.rows), 0);
      const buffers = new Map<string, NativeArray>();
      for (const c of columns) {
        const Ctor = ARRAY_OF[file.variable(c.name).type];
        buffers.set(c.name, new Ctor(maxRows));
      }
      for (const rank of file.ranks) {
        if (rank.rows === 0) continue;
        const views: Record<string, NativeArray> = {};
        for (const c of columns) {
          views[c.name] = (await file.readColumn(c.name, {
            rank: rank.rank,
            into: buffers.get(c.name),
          })) as NativeArray;
        }
        for (let r0 = 0; r0 < rank.rows; r0 += chunkRows) {
          const r1 = Math.min(rank.rows, r0 + chunkRows);
          const out: Record<string, NativeArray> = {};
          for (const c of columns) out[c.name] = views[c.name].slice(r0, r1) as NativeArray;
          yield out;
        }
      }
    },
    close: () => file.close(),
  };
}

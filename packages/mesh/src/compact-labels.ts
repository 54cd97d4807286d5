import { InvalidLabelsError, LabelNotFoundError } from "./errors.js";
import type { LabelArray } from "./label-array.js";
import { assertLabelsPresent } from "./label-volume.js";

type Vec3 = readonly [number, number, number];

/** Labels of a volume renumbered 1..n in order of first appearance, copied into a padded grid. */
export interface CompactLabels {
  /** Compact id per padded lattice point, C order; 0 is background (or a label not asked for). */
  cid: Uint16Array | Uint32Array;
  /** Original label of each compact id; `ids[0]` is 0. */
  ids: number[];
  /** Label changes along x touching each compact id: a cheap proxy for its surface area. */
  runs: Float64Array;
}

/** Options of {@link compactLabels}. */
export interface CompactOptions {
  /** Allocate the grid in a SharedArrayBuffer (for worker threads). */
  shared?: boolean;
  /**
   * Provide the grid: `length` ids of `bytes` bytes each, any content (for example in a
   * WebAssembly kernel's memory), or `undefined` to let the grid be allocated here. Every point of
   * it is written (the padding with 0). Not used with `shared`.
   */
  allocate?: (length: number, bytes: 2 | 4) => Uint16Array | Uint32Array | undefined;
  /** Called with the grid (P, Q, R padded) as soon as it is allocated, again if it is re-allocated. */
  onGrid?: (cid: Uint16Array | Uint32Array) => void;
  /** Called after each input layer with the number of padded layers (from the first) now final. */
  onLayer?: (done: number) => void;
}

// Labels below this get a dense lookup table (grown on demand); larger ones go through a Map.
const TABLE_LIMIT = 1 << 24;

/**
 * Copy `data` (shape z,y,x) into a zero-padded grid of compact ids, `pad` voxels in front on each
 * axis, `padded` in all. One pass: ids are looked up only where the label changes along x.
 *
 * @param wanted keep only these labels (others become 0); each must occur, or
 *   {@link LabelNotFoundError} is raised.
 */
export function compactLabels(
  data: LabelArray,
  shape: readonly number[],
  pad: Vec3,
  padded: Vec3,
  wanted: Iterable<number> | undefined,
  options: CompactOptions = {},
  ids16 = true,
): CompactLabels {
  const want = wantedSet(wanted);
  const [nz, ny, nx] = shape;
  const [P, Q, R] = padded;
  // 16-bit ids while they fit (half the memory traffic); restart with 32-bit ones otherwise.
  const n = P * Q * R;
  const bytes = ids16 ? 2 : 4;
  const provided = options.shared ? undefined : options.allocate?.(n, bytes);
  const cid = provided ?? newGrid(n, ids16, options.shared);
  if (provided !== undefined) zeroPadding(cid, shape, pad, padded);
  options.onGrid?.(cid);
  const ids: number[] = [0];
  let runs = new Float64Array(1024);
  let table = new Int32Array(1 << 16).fill(-1);
  table[0] = 0;
  const large = new Map<number, number>();
  const values = data instanceof BigUint64Array || data instanceof BigInt64Array ? toNumbers(data) : data;
  for (let z = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      let src = (z * ny + y) * nx;
      let dst = ((z + pad[0]) * Q + y + pad[1]) * R + pad[2];
      let last = 0;
      let id = 0;
      for (let x = 0; x < nx; x++, src++, dst++) {
        const value = values[src];
        if (value !== last) {
          last = value;
          const prev = id;
          id = value >= 0 && value < table.length ? table[value] : -1;
          if (id < 0) {
            id = large.get(value) ?? -1;
            if (id < 0) {
              id = value === 0 || (want !== undefined && !want.has(value)) ? 0 : ids.length;
              if (id > 0) ids.push(value);
              if (ids16 && id > 0xffff)
                return compactLabels(data, shape, pad, padded, wanted, options, false);
              if (value >= 0 && value < TABLE_LIMIT) {
                if (value >= table.length) table = growTable(table, value);
                table[value] = id;
              } else large.set(value, id);
              if (id >= runs.length) runs = growRuns(runs);
            }
          }
          if (id !== prev) {
            runs[prev]++;
            runs[id]++;
          }
        }
        cid[dst] = id;
      }
    }
    options.onLayer?.(z + 1 + pad[0]);
  }
  options.onLayer?.(P);
  if (want !== undefined) checkWanted(want, ids);
  return { cid, ids, runs };
}

/** Zero the points of a padded grid outside the volume (the inside is written by the copy). */
function zeroPadding(
  cid: Uint16Array | Uint32Array,
  shape: readonly number[],
  pad: Vec3,
  padded: Vec3,
): void {
  const [nz, ny, nx] = shape;
  const [P, Q, R] = padded;
  const S = Q * R;
  cid.fill(0, 0, pad[0] * S);
  cid.fill(0, (pad[0] + nz) * S, P * S);
  for (let z = pad[0]; z < pad[0] + nz; z++) {
    cid.fill(0, z * S, (z * Q + pad[1]) * R);
    cid.fill(0, (z * Q + pad[1] + ny) * R, (z + 1) * S);
    // at most one voxel on each side of a row: stores, not fill calls
    for (let y = pad[1]; y < pad[1] + ny; y++) {
      const row = (z * Q + y) * R;
      for (let x = 0; x < pad[2]; x++) cid[row + x] = 0;
      for (let x = pad[2] + nx; x < R; x++) cid[row + x] = 0;
    }
  }
}

function newGrid(n: number, ids16: boolean, shared = false): Uint16Array | Uint32Array {
  const bytes = ids16 ? 2 : 4;
  const buffer = shared ? new SharedArrayBuffer(n * bytes) : new ArrayBuffer(n * bytes);
  return ids16 ? new Uint16Array(buffer) : new Uint32Array(buffer);
}

/** 64-bit labels as numbers (exact below 2^53, which label ids stay under in practice). */
function toNumbers(data: BigUint64Array | BigInt64Array): Float64Array {
  const out = new Float64Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = Number(data[i]);
  return out;
}

function growTable(table: Int32Array<ArrayBuffer>, value: number): Int32Array<ArrayBuffer> {
  let n = table.length * 2;
  while (n <= value) n *= 2;
  const t = new Int32Array(n).fill(-1);
  t.set(table);
  return t;
}

function growRuns(runs: Float64Array<ArrayBuffer>): Float64Array<ArrayBuffer> {
  const r = new Float64Array(runs.length * 2);
  r.set(runs);
  return r;
}

/** The wanted labels as a set, checked: positive integers ({@link InvalidLabelsError} otherwise). */
export function wantedSet(wanted: Iterable<number> | undefined): Set<number> | undefined {
  if (wanted === undefined) return undefined;
  const want = new Set(wanted);
  for (const w of want) {
    if (!Number.isInteger(w) || w <= 0) {
      throw new InvalidLabelsError("label ids must be positive integers", {
        field: "labels",
        expected: "integers > 0",
        found: String(w),
      });
    }
  }
  return want;
}

/** Raise {@link LabelNotFoundError} naming the wanted labels that are not among `ids`. */
export function checkWanted(want: Set<number>, ids: number[]): void {
  const found = new Set(ids);
  assertLabelsPresent(want, (id) => found.has(id));
}

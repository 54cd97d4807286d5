import { describe, expect, it } from "vitest";
import { compactLabels } from "./compact-labels.js";
import { LabelNotFoundError } from "./errors.js";
import type { LabelArray } from "./label-array.js";

/** Straightforward reference: a Map from label to id in order of first appearance, then padding. */
function reference(data: ArrayLike<number | bigint>, shape: number[], wanted?: number[]) {
  const [nz, ny, nx] = shape;
  const [P, Q, R] = [nz + 2, ny + 2, nx + 2];
  const ids = [0];
  const idOf = new Map<number, number>([[0, 0]]);
  const cid = new Array<number>(P * Q * R).fill(0);
  for (let z = 0; z < nz; z++)
    for (let y = 0; y < ny; y++)
      for (let x = 0; x < nx; x++) {
        const v = Number(data[(z * ny + y) * nx + x]);
        if (!idOf.has(v)) {
          const keep = wanted === undefined || wanted.includes(v);
          idOf.set(v, keep ? ids.length : 0);
          if (keep) ids.push(v);
        }
        cid[((z + 1) * Q + y + 1) * R + x + 1] = idOf.get(v) as number;
      }
  return { cid, ids };
}

function check(data: LabelArray, shape: number[], wanted?: number[]) {
  const padded: [number, number, number] = [shape[0] + 2, shape[1] + 2, shape[2] + 2];
  const got = compactLabels(data, shape, [1, 1, 1], padded, wanted);
  const ref = reference(data, shape, wanted);
  expect(got.ids).toEqual(ref.ids);
  expect(Array.from(got.cid)).toEqual(ref.cid);
  return got;
}

function randomLabels(n: number, values: number[], seed: number): number[] {
  let s = seed;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    // runs of equal labels along x, as in segmentations
    out.push(i % 3 === 0 ? values[s % values.length] : out[i - 1]);
  }
  return out;
}

describe("compactLabels", () => {
  const shape = [4, 5, 6];
  const n = 4 * 5 * 6;

  it("numbers labels by first appearance and pads with background, for every integer dtype", () => {
    check(Uint8Array.from(randomLabels(n, [0, 1, 7, 255], 1)), shape);
    check(Uint16Array.from(randomLabels(n, [0, 3, 65535, 40000], 2)), shape);
    check(Int16Array.from(randomLabels(n, [0, -1, -32768, 5], 3)), shape);
    check(Int32Array.from(randomLabels(n, [0, -7, 2 ** 31 - 1, 12], 4)), shape);
    // below the dense table's limit, beyond it (a Map), and a table that has to grow
    check(Uint32Array.from(randomLabels(n, [0, 5, 2 ** 24 - 1, 2 ** 24, 2 ** 32 - 1, 70000], 5)), shape);
    const big = randomLabels(n, [0, 1, 2 ** 40, 2 ** 52 + 1], 6).map((v) => BigInt(v));
    check(BigUint64Array.from(big), shape);
    check(BigInt64Array.from(big.map((v) => -v)), shape);
  });

  it("keeps only the wanted labels and names the absent ones", () => {
    const data = Uint32Array.from(randomLabels(n, [0, 4, 9, 2 ** 30], 7));
    data.set([4, 2 ** 30, 2 ** 30, 9], 10);
    const got = check(data, shape, [9, 2 ** 30]);
    expect(new Set(got.ids)).toEqual(new Set([0, 9, 2 ** 30]));
    expect(() => compactLabels(data, shape, [1, 1, 1], [6, 7, 8], [9, 11])).toThrow(LabelNotFoundError);
    expect(() => compactLabels(data, shape, [1, 1, 1], [6, 7, 8], [9, 11])).toThrow(/found: 11/);
  });

  it("uses 16-bit ids while they fit and switches to 32-bit ones past 65535 labels", () => {
    const few = compactLabels(
      Uint32Array.from({ length: 65535 }, (_, i) => i + 1),
      [1, 1, 65535],
      [0, 0, 0],
      [1, 1, 65535],
      undefined,
    );
    expect(few.cid).toBeInstanceOf(Uint16Array);
    expect(few.ids.length).toBe(65536);
    const many = check(
      Uint32Array.from({ length: 2 * 3 * 11000 }, (_, i) => 3 * i + 1),
      [2, 3, 11000],
    );
    expect(many.cid).toBeInstanceOf(Uint32Array);
    expect(many.ids.length).toBe(66001);
  });

  it("counts the label changes along x touching each label", () => {
    // one row: 0 0 5 5 5 9 0 -> changes 0|5, 5|9, 9|0
    const got = compactLabels(
      Uint8Array.from([0, 0, 5, 5, 5, 9, 0]),
      [1, 1, 7],
      [0, 0, 0],
      [1, 1, 7],
      undefined,
    );
    expect(got.ids).toEqual([0, 5, 9]);
    expect(Array.from(got.runs.subarray(0, 3))).toEqual([2, 2, 2]);
  });
});

import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { pythonHas, runPython, tempDir } from "@tessera/testkit";
import { afterAll, describe, expect, it } from "vitest";
import { connectedComponents } from "./connected-components.js";
import { SegmentDtypeError, SegmentOptionsError, SegmentShapeError } from "./errors.js";
import { relabelConsecutive } from "./relabel.js";

const tmp = tempDir();
afterAll(tmp.cleanup);

function lcg(seed: number) {
  let state = seed >>> 0;
  return (k: number) => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return (state >>> 8) % k;
  };
}

/** Independent reference: breadth-first search over the full neighbourhood, components in C order of first voxel. */
function bfsComponents(labels: Uint8Array, [Z, Y, X]: number[], connectivity: number) {
  const offsets: number[][] = [];
  for (let dz = -1; dz <= 1; dz++)
    for (let dy = -1; dy <= 1; dy++)
      for (let dx = -1; dx <= 1; dx++) {
        const m = Math.abs(dz) + Math.abs(dy) + Math.abs(dx);
        if (m === 0) continue;
        if (connectivity === 6 && m > 1) continue;
        if (connectivity === 18 && m > 2) continue;
        offsets.push([dz, dy, dx]);
      }
  const out = new Uint32Array(labels.length);
  let count = 0;
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] === 0 || out[i] !== 0) continue;
    out[i] = ++count;
    const queue = [i];
    while (queue.length > 0) {
      const v = queue.pop() as number;
      const z = Math.floor(v / (Y * X));
      const y = Math.floor(v / X) % Y;
      const x = v % X;
      for (const [dz, dy, dx] of offsets) {
        const [a, b, c] = [z + dz, y + dy, x + dx];
        if (a < 0 || b < 0 || c < 0 || a >= Z || b >= Y || c >= X) continue;
        const u = (a * Y + b) * X + c;
        if (out[u] === 0 && labels[u] === labels[v]) {
          out[u] = count;
          queue.push(u);
        }
      }
    }
  }
  return { labels: out, count };
}

describe("connectedComponents", () => {
  for (const connectivity of [6, 18, 26] as const) {
    it(`matches a brute-force BFS at ${connectivity}-connectivity on random multi-label volumes`, () => {
      const rand = lcg(connectivity);
      for (let trial = 0; trial < 6; trial++) {
        const shape = [3 + rand(5), 3 + rand(7), 3 + rand(9)];
        const labels = new Uint8Array(shape[0] * shape[1] * shape[2]);
        for (let i = 0; i < labels.length; i++) labels[i] = rand(4);
        const ref = bfsComponents(labels, shape, connectivity);
        for (const kernel of ["wasm", "js"] as const) {
          const ours = connectedComponents(labels, shape, { connectivity, kernel });
          expect(ours.count, kernel).toBe(ref.count);
          expect(ours.labels, kernel).toEqual(ref.labels);
        }
      }
    });
  }

  it("gives the same components for every integer dtype, in both kernels (negative and 64-bit ids too)", () => {
    const rand = lcg(99);
    const shape = [4, 6, 9];
    const codes = Array.from({ length: 4 * 6 * 9 }, () => rand(4));
    const ref = bfsComponents(Uint8Array.from(codes), shape, 26);
    // code 0 stays background; the others become ids that only a wrong conversion would confuse
    const ids = [0, -1, 2 ** 31 - 1, -(2 ** 31)];
    const arrays = [
      Int8Array.from(codes, (c) => [0, -1, 127, -128][c]),
      Int16Array.from(codes, (c) => [0, -1, 32767, -32768][c]),
      Int32Array.from(codes, (c) => ids[c]),
      Uint16Array.from(codes, (c) => [0, 65535, 1, 256][c]),
      Uint32Array.from(codes, (c) => [0, 2 ** 32 - 1, 2 ** 31, 1][c]),
      BigUint64Array.from(codes, (c) => [0n, 2n ** 53n - 1n, 2n ** 32n, 1n][c]),
    ];
    for (const labels of arrays) {
      for (const kernel of ["auto", "js"] as const) {
        const ours = connectedComponents(labels, shape, { kernel });
        expect(ours.count, `${labels.constructor.name} ${kernel}`).toBe(ref.count);
        expect(ours.labels, `${labels.constructor.name} ${kernel}`).toEqual(ref.labels);
      }
    }
    expect(() => connectedComponents(arrays[5], shape, { kernel: "wasm" })).toThrow(SegmentOptionsError);
  });

  it("splits a label into its pieces and keeps touching labels apart", () => {
    const labels = new Uint32Array([5, 5, 0, 5, 7, 7, 5, 0]);
    const { labels: out, count } = connectedComponents(labels, [1, 1, 8]);
    expect(count).toBe(4);
    expect([...out]).toEqual([1, 1, 0, 2, 3, 3, 4, 0]);
  });

  it("rejects float labels, bad shapes and bad connectivity", () => {
    expect(() => connectedComponents(new Float32Array(8) as never, [2, 2, 2])).toThrow(SegmentDtypeError);
    expect(() => connectedComponents(new Uint8Array(7), [2, 2, 2])).toThrow(SegmentShapeError);
    expect(() => connectedComponents(new Uint8Array(8), [2, 2, 2], { connectivity: 4 as never })).toThrow(
      SegmentOptionsError,
    );
  });
});

describe.skipIf(!pythonHas("scipy.ndimage", "numpy"))("connectedComponents vs scipy.ndimage.label", () => {
  it("gives scipy's components on a random binary volume (6 and 26)", () => {
    const rand = lcg(99);
    const shape = [12, 20, 24];
    const mask = new Uint8Array(shape[0] * shape[1] * shape[2]);
    for (let i = 0; i < mask.length; i++) mask[i] = rand(100) < 45 ? 1 : 0;
    const file = join(tmp.path, "mask.bin");
    writeFileSync(file, mask);
    for (const connectivity of [6, 26] as const) {
      const out = runPython(
        `import sys, numpy as np
from scipy import ndimage
m = np.fromfile(sys.argv[1], dtype="u1").reshape(${JSON.stringify(shape)})
s = ndimage.generate_binary_structure(3, ${connectivity === 6 ? 1 : 3})
lab, n = ndimage.label(m, structure=s)
sys.stdout.write(str(n) + "\\n" + ",".join(map(str, lab.ravel().tolist())))`,
        [file],
      );
      const [n, list] = out.split("\n");
      const ours = connectedComponents(mask, shape, { connectivity });
      expect(ours.count).toBe(Number(n));
      expect(Array.from(ours.labels)).toEqual(list.split(",").map(Number));
    }
  });
});

describe("relabelConsecutive", () => {
  it("maps ids to 1..n in increasing order and keeps 0", () => {
    const r = relabelConsecutive(new Int32Array([40, 0, 7, 40, 1000, 7]));
    expect([...r.labels]).toEqual([2, 0, 1, 2, 3, 1]);
    expect(r.count).toBe(3);
    expect([...r.oldIds]).toEqual([7, 40, 1000]);
  });
  it("handles sparse ids beyond the dense lookup and 64-bit labels", () => {
    const r = relabelConsecutive(new BigUint64Array([2n ** 40n, 0n, 3n, 2n ** 40n]));
    expect([...r.labels]).toEqual([2, 0, 1, 2]);
    expect([...r.oldIds]).toEqual([3, 2 ** 40]);
  });
});

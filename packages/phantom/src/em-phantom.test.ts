import { describe, expect, it } from "vitest";
import { emPhantom, emPhantom2d } from "./em-phantom.js";

const SHAPE: [number, number, number] = [24, 128, 128];
const base = emPhantom({ shape: SHAPE, seed: 11 });

function same(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Number of 6-connected components of each label in a [Z, Y, X] volume (index = label). */
function components3d(labels: Uint32Array, [Z, Y, X]: number[], cellCount: number): Int32Array {
  const seen = new Uint8Array(labels.length);
  const count = new Int32Array(cellCount + 1);
  const stack = new Int32Array(labels.length);
  for (let s = 0; s < labels.length; s++) {
    if (seen[s]) continue;
    const l = labels[s];
    count[l]++;
    let top = 0;
    stack[top++] = s;
    seen[s] = 1;
    while (top > 0) {
      const i = stack[--top];
      const x = i % X;
      const y = Math.floor(i / X) % Y;
      const z = Math.floor(i / (X * Y));
      const nb = [
        x > 0 ? i - 1 : -1,
        x < X - 1 ? i + 1 : -1,
        y > 0 ? i - X : -1,
        y < Y - 1 ? i + X : -1,
        z > 0 ? i - X * Y : -1,
        z < Z - 1 ? i + X * Y : -1,
      ];
      for (const j of nb) {
        if (j >= 0 && !seen[j] && labels[j] === l) {
          seen[j] = 1;
          stack[top++] = j;
        }
      }
    }
  }
  return count;
}

describe("emPhantom labels", () => {
  it("labels every voxel with ids 1..cellCount, all present", () => {
    const { labels, cellCount, shape } = base;
    expect(shape).toEqual(SHAPE);
    expect(labels.length).toBe(SHAPE[0] * SHAPE[1] * SHAPE[2]);
    const present = new Uint8Array(cellCount + 1);
    let outOfRange = 0;
    for (const l of labels) {
      if (l < 1 || l > cellCount) outOfRange++;
      else present[l] = 1;
    }
    expect(outOfRange).toBe(0);
    expect(present.slice(1).every((v) => v === 1)).toBe(true);
    // Cells of ~40 px across: a 128² section holds on the order of 10 of them.
    const perSection = new Set(labels.subarray(0, 128 * 128)).size;
    expect(perSection).toBeGreaterThan(6);
    expect(perSection).toBeLessThan(40);
  });

  it("makes each cell one 6-connected object in 3D", () => {
    const counts = components3d(base.labels, SHAPE, base.cellCount);
    for (let l = 1; l <= base.cellCount; l++) expect(counts[l]).toBe(1);
  });

  it("makes cells single components within a section when neurites do not branch", () => {
    const p = emPhantom({ shape: SHAPE, seed: 5, branchRatePerUm: 0 });
    const [Z, Y, X] = SHAPE;
    let pieces = 0;
    let pairs = 0;
    for (let z = 0; z < Z; z++) {
      const sec = p.labels.slice(z * Y * X, (z + 1) * Y * X);
      const counts = components3d(sec, [1, Y, X], p.cellCount);
      for (const c of counts) {
        if (c > 0) {
          pairs++;
          pieces += c;
        }
      }
    }
    // Allow the rare U-shaped cell that dips out of a section and back.
    expect(pieces / pairs).toBeLessThan(1.03);
  });

  it("is elongated along z: most voxels keep their label in the next section", () => {
    const [Z, Y, X] = SHAPE;
    const n = Y * X;
    let same = 0;
    for (let i = 0; i < (Z - 1) * n; i++) if (base.labels[i] === base.labels[i + n]) same++;
    expect(same / ((Z - 1) * n)).toBeGreaterThan(0.8);
    // Most cells span many sections.
    const first = new Int32Array(base.cellCount + 1).fill(Z);
    const last = new Int32Array(base.cellCount + 1).fill(-1);
    for (let z = 0; z < Z; z++)
      for (let i = 0; i < n; i++) {
        const l = base.labels[z * n + i];
        first[l] = Math.min(first[l], z);
        last[l] = Math.max(last[l], z);
      }
    let long = 0;
    for (let l = 1; l <= base.cellCount; l++) if (last[l] - first[l] + 1 >= 10) long++;
    expect(long / base.cellCount).toBeGreaterThan(0.5);
  });

  it("scales the number of cells with cellDiameterNm", () => {
    const small = emPhantom({ shape: [1, 128, 128], seed: 2, cellDiameterNm: 160 });
    const large = emPhantom({ shape: [1, 128, 128], seed: 2, cellDiameterNm: 480 });
    expect(small.cellCount).toBeGreaterThan(4 * large.cellCount);
  });
});

describe("emPhantom boundaries", () => {
  const [Z, Y, X] = SHAPE;
  const { labels, boundaries } = base;

  it("marks every voxel that has an in-plane neighbour of another label", () => {
    let missing = 0;
    for (let z = 0; z < Z; z++)
      for (let y = 0; y < Y; y++)
        for (let x = 0; x < X; x++) {
          const i = (z * Y + y) * X + x;
          const l = labels[i];
          const edge =
            (x > 0 && labels[i - 1] !== l) ||
            (x < X - 1 && labels[i + 1] !== l) ||
            (y > 0 && labels[i - X] !== l) ||
            (y < Y - 1 && labels[i + X] !== l);
          if (edge && !boundaries[i]) missing++;
        }
    expect(missing).toBe(0);
  });

  it("marks only voxels near an interface (another label within 2 px) away from the section edges", () => {
    // At the y/x edges a membrane of a cell just outside the field of view may show without a
    // label change in view, so the 2-px frame is left out.
    let far = 0;
    let total = 0;
    for (let z = 0; z < Z; z++)
      for (let y = 2; y < Y - 2; y++)
        for (let x = 2; x < X - 2; x++) {
          const i = (z * Y + y) * X + x;
          if (!boundaries[i]) continue;
          total++;
          let near = false;
          for (let dy = -2; dy <= 2 && !near; dy++)
            for (let dx = -2; dx <= 2 && !near; dx++) {
              const yy = y + dy;
              const xx = x + dx;
              if (yy < 0 || yy >= Y || xx < 0 || xx >= X) continue;
              if (labels[(z * Y + yy) * X + xx] !== labels[i]) near = true;
            }
          if (!near) far++;
        }
    expect(total).toBeGreaterThan(0);
    expect(far).toBe(0);
  });

  it("draws membranes 2–3 px thick across straight interfaces", () => {
    const runs: number[] = [];
    // Horizontal label changes where the interface is locally vertical (same change 2 rows up and down).
    for (let z = 0; z < Z; z += 3)
      for (let y = 2; y < Y - 2; y++)
        for (let x = 4; x < X - 5; x++) {
          const i = (z * Y + y) * X + x;
          const a = labels[i];
          const b = labels[i + 1];
          if (a === b) continue;
          let straight = true;
          for (const dy of [-2, -1, 1, 2]) {
            const j = i + dy * X;
            if (labels[j] !== a || labels[j + 1] !== b) straight = false;
          }
          if (!straight) continue;
          let lo = x;
          let hi = x + 1;
          while (lo > 0 && boundaries[(z * Y + y) * X + lo - 1]) lo--;
          while (hi < X - 1 && boundaries[(z * Y + y) * X + hi + 1]) hi++;
          runs.push(hi - lo + 1);
        }
    expect(runs.length).toBeGreaterThan(100);
    const inRange = runs.filter((r) => r >= 2 && r <= 3).length;
    expect(inRange / runs.length).toBeGreaterThan(0.9);
  });

  it("thickens membranes with membraneThicknessPx", () => {
    const thick = emPhantom({ shape: [4, 96, 96], seed: 3, membraneThicknessPx: 5 });
    const thin = emPhantom({ shape: [4, 96, 96], seed: 3, membraneThicknessPx: 2 });
    const frac = (b: Uint8Array) => b.reduce((s, v) => s + v, 0) / b.length;
    expect(same(thin.labels, thick.labels)).toBe(true);
    expect(frac(thick.boundaries)).toBeGreaterThan(1.8 * frac(thin.boundaries));
  });
});

describe("emPhantom image", () => {
  it("is darker on membranes than in cytoplasm by a clear margin", () => {
    let sm = 0;
    let nm = 0;
    let sc = 0;
    let nc = 0;
    for (let i = 0; i < base.image.length; i++) {
      if (base.boundaries[i]) {
        sm += base.image[i];
        nm++;
      } else {
        sc += base.image[i];
        nc++;
      }
    }
    const membrane = sm / nm;
    const cytoplasm = sc / nc;
    expect(cytoplasm - membrane).toBeGreaterThan(50);
    expect(cytoplasm).toBeGreaterThan(130);
  });

  it("has texture and noise (not flat inside cells)", () => {
    const flat = emPhantom({
      shape: [2, 64, 64],
      seed: 4,
      noiseSigma: 0,
      textureAmplitude: 0,
      cellContrast: 0,
      organelleRatePerUm: 0,
    });
    const noisy = emPhantom({ shape: [2, 64, 64], seed: 4 });
    const sd = (p: typeof flat) => {
      const v: number[] = [];
      const [, Y, X] = p.shape;
      for (let y = 3; y < Y - 3; y++)
        for (let x = 3; x < X - 3; x++) {
          // Pixels at least 3 px from any membrane, so the blur does not reach them.
          let clear = true;
          for (let dy = -3; dy <= 3 && clear; dy++)
            for (let dx = -3; dx <= 3 && clear; dx++) if (p.boundaries[(y + dy) * X + x + dx]) clear = false;
          if (clear) v.push(p.image[y * X + x]);
        }
      const m = v.reduce((s, a) => s + a, 0) / v.length;
      return Math.sqrt(v.reduce((s, a) => s + (a - m) ** 2, 0) / v.length);
    };
    expect(sd(noisy)).toBeGreaterThan(5 * sd(flat) + 3);
  });
});

describe("emPhantom determinism and options", () => {
  it("is deterministic under the seed and differs between seeds", () => {
    const again = emPhantom({ shape: SHAPE, seed: 11 });
    expect(same(again.labels, base.labels)).toBe(true);
    expect(same(again.image, base.image)).toBe(true);
    expect(same(again.boundaries, base.boundaries)).toBe(true);
    const other = emPhantom({ shape: SHAPE, seed: 12 });
    let diff = 0;
    for (let i = 0; i < other.labels.length; i++) if (other.image[i] !== base.image[i]) diff++;
    expect(diff / other.labels.length).toBeGreaterThan(0.5);
  });

  it("keeps labels independent of the image options", () => {
    const p = emPhantom({ shape: [6, 64, 64], seed: 9, noiseSigma: 30, blurSigmaPx: 2 });
    const q = emPhantom({ shape: [6, 64, 64], seed: 9 });
    expect(same(p.labels, q.labels)).toBe(true);
    expect(same(p.image, q.image)).toBe(false);
  });

  it("rejects bad options with a RangeError naming the option", () => {
    expect(() => emPhantom({ shape: [0, 10, 10] })).toThrow(RangeError);
    expect(() => emPhantom({ shape: [2, 10] as unknown as [number, number, number] })).toThrow(/"shape"/);
    expect(() => emPhantom({ shape: [2, 10, 10], membraneThicknessPx: 1 })).toThrow(
      /"membraneThicknessPx".*found 1/,
    );
    expect(() => emPhantom({ shape: [2, 10, 10], resolutionNm: [40, -1, 4] })).toThrow(/resolutionNm\[1\]/);
    expect(() => emPhantom({ shape: [2, 10, 10], seed: 1.5 })).toThrow(/"seed"/);
  });

  it("offers a 2D section", () => {
    const s = emPhantom2d({ shape: [64, 80], seed: 1 });
    expect(s.shape).toEqual([64, 80]);
    expect(s.labels.length).toBe(64 * 80);
    expect(s.image.length).toBe(64 * 80);
    expect(s.cellCount).toBeGreaterThan(1);
  });
});

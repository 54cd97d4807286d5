// A hand-made volume with ground truth where mean-boundary agglomeration cannot be right at any
// single threshold but other contact statistics tell true from false boundaries (for the tests of
// the learned agglomeration; not part of the package API).
import { mix32, SeededRandom } from "../src/seeded-random.js";

/** Phantom volumes: ground truth, an over-segmentation of it, and a boundary map. */
export interface AgglomerationPhantom {
  shape: [number, number, number];
  gt: Uint32Array;
  fragments: Uint32Array;
  boundaries: Float32Array;
}

/**
 * Ground truth: 3-D Voronoi cells of `cells` random seeds. Fragments: each cell split again into
 * the Voronoi cells of 3 seeds inside it (so fragments never cross the ground truth). Boundaries
 * (1 = membrane) on voxels that touch another fragment:
 * - between ground-truth cells a membrane at 0.85–1 with gaps at 0–0.1 over a fraction of its
 *   2×4×4-voxel patches drawn per cell pair in [0, 0.7] (mean boundary from about 0.3 to 0.93);
 * - between fragments of one cell a flat ridge at a level drawn per fragment pair in [0.3, 0.65]
 *   (± 0.05);
 * so mean boundaries of true and false boundaries overlap in [0.3, 0.65], while their maxima and
 * upper quantiles do not. Interior voxels are 0–0.1.
 */
export function agglomerationPhantom(
  seed: number,
  shape: [number, number, number] = [10, 40, 40],
  cells = 24,
) {
  const [Z, Y, X] = shape;
  const r = new SeededRandom(seed);
  const seeds = Array.from({ length: cells }, () => [r.next() * Z, r.next() * Y, r.next() * X]);
  const n = Z * Y * X;
  const gt = new Uint32Array(n);
  const nearest = (points: number[][], z: number, y: number, x: number, only?: (k: number) => boolean) => {
    let best = -1;
    let bestD = Number.POSITIVE_INFINITY;
    points.forEach((p, k) => {
      if (only && !only(k)) return;
      const d = (p[0] - z) ** 2 + (p[1] - y) ** 2 + (p[2] - x) ** 2;
      if (d < bestD) {
        bestD = d;
        best = k;
      }
    });
    return best;
  };
  for (let z = 0, i = 0; z < Z; z++)
    for (let y = 0; y < Y; y++) for (let x = 0; x < X; x++, i++) gt[i] = 1 + nearest(seeds, z, y, x);
  // three sub-seeds per cell, drawn among the cell's voxels
  const voxelsOf: number[][] = Array.from({ length: cells + 1 }, () => []);
  for (let i = 0; i < n; i++) voxelsOf[gt[i]].push(i);
  const sub: number[][] = [];
  const cellOfSub: number[] = [];
  for (let c = 1; c <= cells; c++) {
    for (let k = 0; k < 3 && voxelsOf[c].length > 0; k++) {
      const i = voxelsOf[c][r.int(voxelsOf[c].length)];
      sub.push([Math.floor(i / (Y * X)), Math.floor(i / X) % Y, i % X]);
      cellOfSub.push(c);
    }
  }
  const fragments = new Uint32Array(n);
  for (let z = 0, i = 0; z < Z; z++)
    for (let y = 0; y < Y; y++)
      for (let x = 0; x < X; x++, i++)
        fragments[i] = 1 + nearest(sub, z, y, x, (k) => cellOfSub[k] === gt[i]);
  const unit = (...v: number[]) => mix32(v.reduce((h, x) => mix32((h ^ x) >>> 0), seed >>> 0)) / 2 ** 32;
  const boundaries = new Float32Array(n);
  for (let z = 0, i = 0; z < Z; z++)
    for (let y = 0; y < Y; y++)
      for (let x = 0; x < X; x++, i++) {
        let value = 0.1 * r.next();
        const neighbours = [
          x > 0 ? i - 1 : -1,
          x < X - 1 ? i + 1 : -1,
          y > 0 ? i - X : -1,
          y < Y - 1 ? i + X : -1,
          z > 0 ? i - X * Y : -1,
          z < Z - 1 ? i + X * Y : -1,
        ];
        for (const j of neighbours) {
          if (j < 0 || fragments[j] === fragments[i]) continue;
          if (gt[j] !== gt[i]) {
            const lo = Math.min(gt[i], gt[j]);
            const hi = Math.max(gt[i], gt[j]);
            const gap = 0.7 * unit(1, lo, hi);
            const patch = unit(2, lo, hi, z >> 1, y >> 2, x >> 2);
            value = Math.max(value, patch < gap ? 0.1 * r.next() : 0.85 + 0.15 * r.next());
          } else {
            const lo = Math.min(fragments[i], fragments[j]);
            const hi = Math.max(fragments[i], fragments[j]);
            const level = 0.3 + 0.35 * unit(3, lo, hi);
            value = Math.max(value, level - 0.05 + 0.1 * r.next());
          }
        }
        boundaries[i] = value;
      }
  return { shape, gt, fragments, boundaries } satisfies AgglomerationPhantom;
}

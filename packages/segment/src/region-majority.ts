import { SegmentShapeError } from "./errors.js";

interface Counts {
  counts: Map<number, number>;
  best: number;
  bestCount: number;
}

/**
 * The majority ground-truth label of every region while regions merge (ground-truth 0 ignored):
 * per region a table of ground-truth voxel counts; merging adds the smaller table into the larger,
 * so the majority only needs the added entries. Ties go to the smaller ground-truth id.
 */
export class RegionMajority {
  readonly #of: Counts[];

  /**
   * @param fragments fragment volume (flat), `regionIds[r]` the fragment id of region r
   * @param gt ground-truth labels of the same voxels
   */
  constructor(fragments: ArrayLike<number>, gt: ArrayLike<number>, regionIds: ArrayLike<number>) {
    if (fragments.length !== gt.length) {
      throw new SegmentShapeError("ground truth does not match the fragments", {
        field: "gt",
        expected: `${fragments.length} values`,
        found: `${gt.length} values`,
      });
    }
    const regionOf = new Map<number, number>();
    for (let r = 0; r < regionIds.length; r++) regionOf.set(regionIds[r], r);
    this.#of = Array.from({ length: regionIds.length }, () => ({ counts: new Map(), best: 0, bestCount: 0 }));
    let last = Number.NaN;
    let lastRegion = -1;
    for (let i = 0; i < fragments.length; i++) {
      const g = gt[i];
      const f = fragments[i];
      if (g === 0 || f === 0) continue;
      if (f !== last) {
        last = f;
        lastRegion = regionOf.get(f) ?? -1;
      }
      if (lastRegion >= 0) RegionMajority.#add(this.#of[lastRegion], g, 1);
    }
  }

  static #add(c: Counts, g: number, n: number): void {
    const count = (c.counts.get(g) ?? 0) + n;
    c.counts.set(g, count);
    if (count > c.bestCount || (count === c.bestCount && g < c.best)) {
      c.best = g;
      c.bestCount = count;
    }
  }

  /** Majority ground-truth label of region `r` (0 when it has no ground-truth voxel). */
  majority(r: number): number {
    return this.#of[r].best;
  }

  /** Merge the counts of regions `a` and `b`; afterwards both indices name the union. */
  merge(a: number, b: number): void {
    let big = this.#of[a];
    let small = this.#of[b];
    if (big === small) return;
    if (small.counts.size > big.counts.size) [big, small] = [small, big];
    for (const [g, n] of small.counts) RegionMajority.#add(big, g, n);
    this.#of[a] = big;
    this.#of[b] = big;
  }
}

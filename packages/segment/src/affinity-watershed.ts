import { type Affinities, checkAffinities } from "./affinities.js";
import { checkFinite, checkShape } from "./arrays.js";
import { SegmentOptionsError } from "./errors.js";
import { watershedKernel, watershedKernelFits } from "./kernels/watershed-wasm.js";
import { PairCounter } from "./pair-counter.js";
import { relabelConsecutive } from "./relabel.js";

/** Options of {@link affinityWatershed} (zwatershed's T_aff and size merging). */
export interface AffinityWatershedOptions {
  /**
   * Edges of affinity ≤ low are cut; voxels whose edges are all ≤ low are background 0 (default
   * 0.0001). Compared in float32, as waterz compares them.
   */
  low?: number;
  /** Edges of affinity ≥ high are always followed (default 0.9999; compared in float32). */
  high?: number;
  /** Size-dependent merging: along region-graph edges of max affinity ≥ `mergeAffinity` (descending), merge when either region is smaller than `sizeThreshold` voxels. Default 0 (off). */
  sizeThreshold?: number;
  /** Affinity above which size merging applies (default 0.3). */
  mergeAffinity?: number;
  /** Regions smaller than this after merging become background 0 (default 0). */
  dustSize?: number;
  /**
   * `wasm`: the WebAssembly kernel (`wasm/watershed.c`); `js`: the TypeScript steps; `auto` (default):
   * the kernel when WebAssembly is there and the volume fits its 4 GiB memory (21 bytes per voxel),
   * else TypeScript. Both give the same fragments.
   */
  kernel?: "auto" | "wasm" | "js";
}

// Direction bits in zwatershed/waterz order: 1 −z, 2 −y, 4 −x, 8 +z, 16 +y, 32 +x. The order
// decides how plateaus are divided (breadth-first in this order, the last exit wins), so it is
// waterz's, and the fragments are voxel for voxel those of waterz's watershed.
const BIT_MINUS_Z = 1;
const BIT_MINUS_Y = 2;
const BIT_MINUS_X = 4;
const BIT_PLUS_Z = 8;
const BIT_PLUS_Y = 16;
const BIT_PLUS_X = 32;

/**
 * Affinity-graph watershed in the style of zwatershed / waterz: every voxel points along its
 * steepest-ascent edges (max affinity, plus every edge ≥ high), plateaus are divided by breadth-first
 * search from their exits, basins are found by following the pointers, voxels with no edge above
 * `low` are background; then optional size-dependent merging and dust removal. Returns fragments
 * 1..count, numbered in C order of each basin's first voxel. Without size merging and dust removal
 * the fragments are exactly those of waterz's `initialize()` (same plateau division, same ids).
 */
export function affinityWatershed(
  affinities: Affinities,
  shape: readonly number[],
  options: AffinityWatershedOptions = {},
): { fragments: Uint32Array; count: number } {
  const [Z, Y, X] = checkShape(shape);
  checkAffinities(affinities, shape, "affinities", false);
  const low = options.low ?? 0.0001;
  const high = options.high ?? 0.9999;
  if (!Number.isFinite(high)) {
    throw new SegmentOptionsError("high must be a finite number", {
      field: "high",
      expected: "a finite number",
      found: String(high),
    });
  }
  if (!Number.isFinite(low) || !(low <= high)) {
    throw new SegmentOptionsError("low must be finite and not exceed high", {
      field: "low",
      expected: `a finite number ≤ high (${high})`,
      found: String(low),
    });
  }
  const kernel = options.kernel ?? "auto";
  if (kernel !== "auto" && kernel !== "wasm" && kernel !== "js") {
    throw new SegmentOptionsError("unknown watershed kernel", {
      field: "kernel",
      expected: "'auto', 'wasm' or 'js'",
      found: String(kernel),
    });
  }
  const n = Z * Y * X;
  let labels: Uint32Array | undefined;
  let count = 0;
  if (kernel === "wasm" || (kernel === "auto" && watershedKernelFits(n))) {
    const result = watershedKernel(affinities, Z, Y, X, Math.fround(low), Math.fround(high));
    if (result === undefined && kernel === "wasm") {
      throw new SegmentOptionsError("the WebAssembly watershed kernel cannot take this volume", {
        field: "kernel",
        expected: `WebAssembly, and ${n} voxels × 21 bytes below 4 GiB`,
        found: "no WebAssembly or not enough kernel memory (use kernel 'js' or 'auto')",
      });
    }
    if (result !== undefined && "nonFinite" in result) checkFinite(affinities, "affinities"); // throws
    if (result !== undefined && "fragments" in result) ({ fragments: labels, count } = result);
  }
  if (labels === undefined) {
    checkFinite(affinities, "affinities");
    const dirs = steepestAscent(affinities, Z, Y, X, Math.fround(low), Math.fround(high));
    dividePlateaus(dirs, X, X * Y, new Int32Array(n));
    labels = new Uint32Array(n);
    count = findBasins(dirs, X, X * Y, labels);
  }
  if ((options.sizeThreshold ?? 0) > 0 || (options.dustSize ?? 0) > 0) {
    mergeBySize(labels, Z, Y, X, count + 1, affinities, options);
    const { labels: out, count: merged } = relabelConsecutive(labels);
    return { fragments: out, count: merged };
  }
  return { fragments: labels, count };
}

/**
 * Direction bits of every voxel: the edges of maximal affinity and every edge ≥ high, when the
 * maximum exceeds `low` (else 0: background). Edges leaving the volume are never followed.
 */
function steepestAscent(
  affinities: Float32Array,
  Z: number,
  Y: number,
  X: number,
  low: number,
  high: number,
): Uint8Array {
  const XY = X * Y;
  const n = XY * Z;
  const dirs = new Uint8Array(n);
  const NONE = Number.NEGATIVE_INFINITY;
  const aY = n;
  const aX = 2 * n;
  for (let z = 0; z < Z; z++) {
    const hasMinusZ = z > 0;
    const hasPlusZ = z < Z - 1;
    for (let y = 0; y < Y; y++) {
      const hasMinusY = y > 0;
      const hasPlusY = y < Y - 1;
      const row = z * XY + y * X;
      let mx = NONE; // the −x edge is the previous voxel's +x edge
      for (let x = 0; x < X; x++) {
        const i = row + x;
        const mz = hasMinusZ ? affinities[i] : NONE;
        const my = hasMinusY ? affinities[aY + i] : NONE;
        const pz = hasPlusZ ? affinities[i + XY] : NONE;
        const py = hasPlusY ? affinities[aY + i + X] : NONE;
        const px = x < X - 1 ? affinities[aX + i + 1] : NONE;
        let m = mz;
        if (my > m) m = my;
        if (mx > m) m = mx;
        if (pz > m) m = pz;
        if (py > m) m = py;
        if (px > m) m = px;
        if (m > low) {
          // an edge is followed when it is maximal or ≥ high, i.e. ≥ min(m, high) (no edge exceeds m)
          const t = Math.min(m, high);
          dirs[i] =
            Number(mz >= t) |
            (Number(my >= t) << 1) |
            (Number(mx >= t) << 2) |
            (Number(pz >= t) << 3) |
            (Number(py >= t) << 4) |
            (Number(px >= t) << 5);
        }
        mx = px;
      }
    }
  }
  return dirs;
}

/** Bit marking a voxel queued by {@link dividePlateaus} (above the six direction bits). */
const QUEUED = 64;

/**
 * Divide plateaus: breadth-first from the voxels that point to a neighbour that does not point back
 * (seeds in C order, neighbours in bit order), each reached voxel keeps one direction, the last exit
 * in bit order. Voxels of plateaus without an exit keep all their bits. `queue` is scratch space.
 */
function dividePlateaus(dirs: Uint8Array, X: number, XY: number, queue: Int32Array): void {
  const n = dirs.length;
  let tail = 0;
  for (let i = 0; i < n; i++) {
    const d = dirs[i];
    if (d === 0) continue;
    if (
      ((d & BIT_MINUS_Z) !== 0 && (dirs[i - XY] & BIT_PLUS_Z) === 0) ||
      ((d & BIT_MINUS_Y) !== 0 && (dirs[i - X] & BIT_PLUS_Y) === 0) ||
      ((d & BIT_MINUS_X) !== 0 && (dirs[i - 1] & BIT_PLUS_X) === 0) ||
      ((d & BIT_PLUS_Z) !== 0 && (dirs[i + XY] & BIT_MINUS_Z) === 0) ||
      ((d & BIT_PLUS_Y) !== 0 && (dirs[i + X] & BIT_MINUS_Y) === 0) ||
      ((d & BIT_PLUS_X) !== 0 && (dirs[i + 1] & BIT_MINUS_X) === 0)
    ) {
      dirs[i] = d | QUEUED;
      queue[tail++] = i;
    }
  }
  // unrolled over the six directions in bit order (the order decides the result)
  for (let head = 0; head < tail; head++) {
    const i = queue[head];
    const d = dirs[i];
    let toSet = 0;
    let j: number;
    let dj: number;
    if ((d & BIT_MINUS_Z) !== 0) {
      j = i - XY;
      dj = dirs[j];
      if ((dj & BIT_PLUS_Z) === 0) toSet = BIT_MINUS_Z;
      else if ((dj & QUEUED) === 0) {
        dirs[j] = dj | QUEUED;
        queue[tail++] = j;
      }
    }
    if ((d & BIT_MINUS_Y) !== 0) {
      j = i - X;
      dj = dirs[j];
      if ((dj & BIT_PLUS_Y) === 0) toSet = BIT_MINUS_Y;
      else if ((dj & QUEUED) === 0) {
        dirs[j] = dj | QUEUED;
        queue[tail++] = j;
      }
    }
    if ((d & BIT_MINUS_X) !== 0) {
      j = i - 1;
      dj = dirs[j];
      if ((dj & BIT_PLUS_X) === 0) toSet = BIT_MINUS_X;
      else if ((dj & QUEUED) === 0) {
        dirs[j] = dj | QUEUED;
        queue[tail++] = j;
      }
    }
    if ((d & BIT_PLUS_Z) !== 0) {
      j = i + XY;
      dj = dirs[j];
      if ((dj & BIT_MINUS_Z) === 0) toSet = BIT_PLUS_Z;
      else if ((dj & QUEUED) === 0) {
        dirs[j] = dj | QUEUED;
        queue[tail++] = j;
      }
    }
    if ((d & BIT_PLUS_Y) !== 0) {
      j = i + X;
      dj = dirs[j];
      if ((dj & BIT_MINUS_Y) === 0) toSet = BIT_PLUS_Y;
      else if ((dj & QUEUED) === 0) {
        dirs[j] = dj | QUEUED;
        queue[tail++] = j;
      }
    }
    if ((d & BIT_PLUS_X) !== 0) {
      j = i + 1;
      dj = dirs[j];
      if ((dj & BIT_MINUS_X) === 0) toSet = BIT_PLUS_X;
      else if ((dj & QUEUED) === 0) {
        dirs[j] = dj | QUEUED;
        queue[tail++] = j;
      }
    }
    dirs[i] = toSet;
  }
}

/**
 * Basins: the components of the pointer graph (a voxel joins a neighbour it points to, or that points
 * to it). Each voxel's pointers lead into one closed plateau, so these are the basins waterz finds by
 * following the pointers from every voxel. One C-order pass unions each voxel with its −z/−y/−x
 * neighbours (provisional labels, union-find keeping the smaller label), then basins are numbered in
 * C order of their first voxel, as waterz numbers them. Writes `labels` (0 = background), returns
 * the number of basins.
 */
function findBasins(dirs: Uint8Array, X: number, XY: number, labels: Uint32Array): number {
  const n = dirs.length;
  // provisional label p: parent[p]; at most one new label per voxel
  let parent = new Uint32Array(1024);
  let next = 1;
  for (let i = 0; i < n; i++) {
    const d = dirs[i];
    if (d === 0) continue;
    let l = 0;
    // a −x pointer at x = 0 or a +x pointer at x = X − 1 cannot exist, so i − 1 needs no row test
    if ((d & BIT_MINUS_X) !== 0 || (i > 0 && (dirs[i - 1] & BIT_PLUS_X) !== 0)) l = labels[i - 1];
    if ((d & BIT_MINUS_Y) !== 0 || (i >= X && (dirs[i - X] & BIT_PLUS_Y) !== 0)) {
      const m = labels[i - X];
      if (l === 0) l = m;
      else if (m !== l) unionLabels(parent, l, m);
    }
    if ((d & BIT_MINUS_Z) !== 0 || (i >= XY && (dirs[i - XY] & BIT_PLUS_Z) !== 0)) {
      const m = labels[i - XY];
      if (l === 0) l = m;
      else if (m !== l) unionLabels(parent, l, m);
    }
    if (l === 0) {
      if (next === parent.length) {
        const grown = new Uint32Array(parent.length * 2);
        grown.set(parent);
        parent = grown;
      }
      l = next++;
      parent[l] = l;
    }
    labels[i] = l;
  }
  // provisional labels were made in C order and roots are the smallest label of their set, so a root
  // is met before the rest of its set: numbering roots in label order is numbering by first voxel
  const final = new Uint32Array(next);
  let count = 0;
  for (let p = 1; p < next; p++) {
    const root = findLabel(parent, p);
    final[p] = root === p ? ++count : final[root];
  }
  for (let i = 0; i < n; i++) labels[i] = final[labels[i]];
  return count;
}

function findLabel(parent: Uint32Array, p: number): number {
  while (parent[p] !== p) {
    const grandparent = parent[parent[p]];
    parent[p] = grandparent;
    p = grandparent;
  }
  return p;
}

/** Join the sets of labels a and b, keeping the smaller root. */
function unionLabels(parent: Uint32Array, a: number, b: number): void {
  const ra = findLabel(parent, a);
  const rb = findLabel(parent, b);
  if (ra < rb) parent[rb] = ra;
  else if (rb < ra) parent[ra] = rb;
}

function mergeBySize(
  fragments: Uint32Array,
  Z: number,
  Y: number,
  X: number,
  regionCount: number,
  affinities: Float32Array,
  options: AffinityWatershedOptions,
): void {
  const n = Z * Y * X;
  const XY = X * Y;
  const sizeThreshold = options.sizeThreshold ?? 0;
  const mergeAffinity = options.mergeAffinity ?? 0.3;
  const dust = options.dustSize ?? 0;
  const counts = new Float64Array(regionCount);
  for (let i = 0; i < n; i++) counts[fragments[i]]++;
  // region graph with the maximum affinity per pair
  const edges = new PairCounter(1024);
  const maxAff: number[] = [];
  for (let c = 0; c < 3; c++) {
    const step = c === 0 ? XY : c === 1 ? X : 1;
    for (let i = 0; i < n; i++) {
      const a = fragments[i];
      if (a === 0) continue;
      const x = i % X;
      if (c === 2 ? x === 0 : c === 1 ? ((i - x) / X) % Y === 0 : i < XY) continue;
      const b = fragments[i - step];
      if (b === 0 || b === a) continue;
      const e = edges.index(Math.min(a, b), Math.max(a, b));
      const v = affinities[c * n + i];
      if (e >= maxAff.length) maxAff.push(v);
      else if (v > maxAff[e]) maxAff[e] = v;
    }
  }
  const order = Array.from({ length: edges.size }, (_, e) => e);
  order.sort((p, q) => maxAff[q] - maxAff[p] || edges.a[p] - edges.a[q] || edges.b[p] - edges.b[q]);
  const parent = new Int32Array(regionCount);
  for (let i = 0; i < regionCount; i++) parent[i] = i;
  const find = (i: number) => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i]];
      i = parent[i];
    }
    return i;
  };
  if (sizeThreshold > 0) {
    for (const e of order) {
      if (maxAff[e] < mergeAffinity) break;
      const s1 = find(edges.a[e]);
      const s2 = find(edges.b[e]);
      if (s1 === s2 || (counts[s1] >= sizeThreshold && counts[s2] >= sizeThreshold)) continue;
      const [root, child] = s1 < s2 ? [s1, s2] : [s2, s1];
      parent[child] = root;
      counts[root] += counts[child];
      counts[child] = 0;
    }
  }
  const lut = new Uint32Array(regionCount);
  for (let r = 1; r < regionCount; r++) {
    const root = find(r);
    lut[r] = counts[root] < dust ? 0 : root;
  }
  for (let i = 0; i < n; i++) fragments[i] = lut[fragments[i]];
}

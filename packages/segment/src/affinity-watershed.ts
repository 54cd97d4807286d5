import { type Affinities, checkAffinities } from "./affinities.js";
import { checkShape } from "./arrays.js";
import { SegmentOptionsError } from "./errors.js";
import { PairCounter } from "./pair-counter.js";
import { relabelConsecutive } from "./relabel.js";

/** Options of {@link affinityWatershed} (zwatershed's T_aff and size merging). */
export interface AffinityWatershedOptions {
  /** Edges of affinity ≤ low are cut; voxels whose edges are all ≤ low are background 0 (default 0.0001). */
  low?: number;
  /** Edges of affinity ≥ high are always followed (default 0.9999). */
  high?: number;
  /** Size-dependent merging: along region-graph edges of max affinity ≥ `mergeAffinity` (descending), merge when either region is smaller than `sizeThreshold` voxels. Default 0 (off). */
  sizeThreshold?: number;
  /** Affinity above which size merging applies (default 0.3). */
  mergeAffinity?: number;
  /** Regions smaller than this after merging become background 0 (default 0). */
  dustSize?: number;
}

// direction bits: 0 −x, 1 −y, 2 −z, 3 +x, 4 +y, 5 +z
const INVERSE = [8, 16, 32, 1, 2, 4];
/** Affinity of an edge that leaves the volume: never followed. */
const NONE = Number.NEGATIVE_INFINITY;

/**
 * Affinity-graph watershed in the style of zwatershed / waterz: every voxel points along its
 * steepest-ascent edges (max affinity, plus every edge ≥ high), plateaus are divided by breadth-first
 * search from their exits, basins are found by following the pointers, voxels with no edge above
 * `low` are background; then optional size-dependent merging and dust removal. Returns fragments
 * 1..count (ids in increasing order of their first voxel's basin discovery, made consecutive).
 */
export function affinityWatershed(
  affinities: Affinities,
  shape: readonly number[],
  options: AffinityWatershedOptions = {},
): { fragments: Uint32Array; count: number } {
  const [Z, Y, X] = checkShape(shape);
  checkAffinities(affinities, shape);
  const low = options.low ?? 0.0001;
  const high = options.high ?? 0.9999;
  if (!(low <= high)) {
    throw new SegmentOptionsError("low must not exceed high", {
      field: "low",
      expected: `≤ high (${high})`,
      found: String(low),
    });
  }
  const n = Z * Y * X;
  const XY = X * Y;
  const step = [-1, -X, -XY, 1, X, XY];
  const dirs = new Uint8Array(n);
  const aZ = 0;
  const aY = n;
  const aX = 2 * n;
  for (let z = 0; z < Z; z++) {
    for (let y = 0; y < Y; y++) {
      const row = z * XY + y * X;
      for (let x = 0; x < X; x++) {
        const i = row + x;
        const nx = x > 0 ? affinities[aX + i] : NONE;
        const ny = y > 0 ? affinities[aY + i] : NONE;
        const nz = z > 0 ? affinities[aZ + i] : NONE;
        const px = x < X - 1 ? affinities[aX + i + 1] : NONE;
        const py = y < Y - 1 ? affinities[aY + i + X] : NONE;
        const pz = z < Z - 1 ? affinities[aZ + i + XY] : NONE;
        const m = Math.max(nx, ny, nz, px, py, pz);
        if (!(m > low)) continue;
        let d = 0;
        if (nx === m || nx >= high) d |= 1;
        if (ny === m || ny >= high) d |= 2;
        if (nz === m || nz >= high) d |= 4;
        if (px === m || px >= high) d |= 8;
        if (py === m || py >= high) d |= 16;
        if (pz === m || pz >= high) d |= 32;
        dirs[i] = d;
      }
    }
  }
  // divide plateaus: breadth-first from plateau voxels that have an exit
  const queue = new Int32Array(n);
  const seen = new Uint8Array(n);
  let tail = 0;
  for (let i = 0; i < n; i++) {
    const d = dirs[i];
    if (d === 0) continue;
    for (let k = 0; k < 6; k++) {
      if ((d & (1 << k)) !== 0 && (dirs[i + step[k]] & INVERSE[k]) === 0) {
        seen[i] = 1;
        queue[tail++] = i;
        break;
      }
    }
  }
  for (let head = 0; head < tail; head++) {
    const i = queue[head];
    const d = dirs[i];
    let toSet = 0;
    for (let k = 0; k < 6; k++) {
      if ((d & (1 << k)) === 0) continue;
      const j = i + step[k];
      if ((dirs[j] & INVERSE[k]) !== 0) {
        if (seen[j] === 0) {
          seen[j] = 1;
          queue[tail++] = j;
        }
      } else {
        toSet = 1 << k;
      }
    }
    dirs[i] = toSet;
  }
  // basins: follow pointers; an unassigned closed set becomes a new basin
  const labels = new Int32Array(n).fill(-1);
  seen.fill(0);
  let nextId = 1;
  for (let start = 0; start < n; start++) {
    if (labels[start] !== -1) continue;
    if (dirs[start] === 0) {
      labels[start] = 0;
      continue;
    }
    let size = 0;
    queue[size++] = start;
    seen[start] = 1;
    let found = -1;
    for (let head = 0; head < size && found < 0; head++) {
      const i = queue[head];
      const d = dirs[i];
      for (let k = 0; k < 6; k++) {
        if ((d & (1 << k)) === 0) continue;
        const j = i + step[k];
        if (labels[j] !== -1) {
          found = labels[j];
          break;
        }
        if (seen[j] === 0) {
          seen[j] = 1;
          queue[size++] = j;
        }
      }
    }
    const id = found >= 0 ? found : nextId++;
    for (let q = 0; q < size; q++) {
      labels[queue[q]] = id;
      seen[queue[q]] = 0;
    }
  }
  const fragments = new Uint32Array(labels.buffer);
  if ((options.sizeThreshold ?? 0) > 0 || (options.dustSize ?? 0) > 0) {
    mergeBySize(fragments, Z, Y, X, nextId, affinities, options);
  }
  const { labels: out, count } = relabelConsecutive(fragments);
  return { fragments: out, count };
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

import { NonFinitePositionError, ParticleOutsideBoxError } from "./errors.js";
import { type CoordinateView, coordinateViews, type ParticlePositions } from "./positions.js";
import { findRoot, resolveRoots, unionRoots } from "./union-find.js";
import type { FofWorkspace } from "./workspace.js";

/**
 * The part of the periodic box a linking pass covers. On a periodic axis the region is the whole
 * axis (`size` = box size, wrap-around links are found); on the other axes it is
 * `[origin, origin + size]` taken periodically (origin may be negative or the interval may cross
 * L), and every particle must lie in it.
 */
export interface LinkRegion {
  /** Lower corner (box units); 0 on periodic axes. */
  origin: readonly [number, number, number];
  /** Extent per axis; the box size on periodic axes. Must be < box size − linking length on the others. */
  size: readonly [number, number, number];
  /** Whether each axis wraps around within this region. */
  periodic: readonly [boolean, boolean, boolean];
}

/** Result of {@link linkParticles}: particles in cell order and the root of each one's group. */
export interface LinkedParticles {
  /** Particle count. */
  n: number;
  /** `order[k]`: input index of the particle in slot k (slots are sorted by row, then z). */
  order: Int32Array;
  /** `root[k]`: slot of the root of slot k's group (equal for all members of a group). */
  root: Int32Array;
  /** Number of groups (roots). */
  groupCount: number;
  /** Rows of the cell grid used, `[gx, gy]` (diagnostics). */
  grid: [number, number];
  /** n int32s of free memory (the slot records' buffer, or the workspace's), for the caller's own use. */
  scratch: Int32Array;
}

/** Cell side of the row grid in units of ℓ (bigger cells: fewer particles near a face, more per window). */
const CELL_FACTOR = 2;

/** Relative slack on cell sides and search windows, far above float64 rounding of coordinates. */
const SLACK = 1e-9;

/** Coordinate of `x` relative to `origin` in a periodic box of side `L`, in [0, L). */
export function regionCoordinate(x: number, origin: number, L: number): number {
  let u = x - origin;
  if (u < 0) u += L;
  else if (u >= L) u -= L;
  if (u < 0 || u >= L) u -= Math.floor(u / L) * L;
  return u;
}

/** Tolerance of the region membership test (box units). */
export function regionTolerance(L: number): number {
  return L * 1e-12;
}

/**
 * Friends-of-friends linking: unions every pair of particles whose minimum-image distance in the
 * periodic box of side `boxSize` is ≤ `linkingLength` (squared distances, float64 arithmetic on the
 * input coordinates, so the same pair gives the same answer in any region).
 *
 * Method: a 2-D grid of rows (x, y cells of side ≥ 2ℓ) filled by a counting sort, each row sorted by
 * z; each row is swept against itself and, for the particles within ℓ of the faces toward them,
 * its 4 forward neighbour rows (half shell) with a sliding z window of ±ℓ; union-find with path
 * halving and union by size. Memory: about 24 bytes per particle for float32 input (40 for
 * float64) plus 4 bytes per row; no allocation per particle.
 *
 * @throws NonFinitePositionError for a NaN/infinite coordinate; ParticleOutsideBoxError for a
 *   coordinate outside [0, L] or outside the region (a coordinate equal to L is the point at 0).
 */
export function linkParticles(
  positions: ParticlePositions,
  boxSize: number,
  linkingLength: number,
  region: LinkRegion,
  context: { block?: number; workspace?: FofWorkspace } = {},
): LinkedParticles {
  const { n, views } = coordinateViews(positions);
  const L = boxSize;
  const ell = linkingLength;
  // window half-width: ℓ plus the rounding of w when it is stored as float32
  const ellW = ell * (1 + SLACK) + L * 1e-6;

  // ---- grid of rows over (x, y)
  const cellsAlong = (axis: number) => {
    const W = region.size[axis];
    return Math.max(1, Math.floor(W / (CELL_FACTOR * ell * (1 + 2 * SLACK))));
  };
  let gx = cellsAlong(0);
  let gy = cellsAlong(1);
  const cap = Math.max(4 * n, 4096);
  if (gx * gy > cap) {
    const f = Math.sqrt((gx * gy) / cap);
    gx = Math.max(1, Math.floor(gx / f));
    gy = Math.max(1, Math.floor(gy / f));
  }
  const rows = gx * gy;
  const sx = gx / region.size[0];
  const sy = gy / region.size[1];

  // ---- pass 1: validate, row of each particle; count per row (then prefix sums)
  const rowOf = new Int32Array(n);
  const ws = context.workspace;
  const rowStart = ws ? ws.rowTable(rows + 1) : new Int32Array(rows + 1);
  const grid = { gx, gy, sx, sy };
  countRows(views, n, L, region, grid, rowOf, rowStart, context);

  // ---- counting sort into slots (one pass in input order: sequential reads, scattered writes).
  // Slot records are [x, y, z, w] with w the local z (the window key), in the input's precision:
  // differences of float32 values computed in float64 are the same whether the values are stored
  // as float32 or float64, so the distance test does not depend on this choice.
  const [vx, vy, vz] = views;
  const single =
    vx.array instanceof Float32Array && vy.array instanceof Float32Array && vz.array instanceof Float32Array;
  const order = new Int32Array(n);
  const rec = ws ? ws.records(4 * n, single) : single ? new Float32Array(4 * n) : new Float64Array(4 * n);
  scatterRecords(views, n, L, region, rowOf, rowStart, order, rec);
  for (let r = 0; r < rows; r++) {
    const lo = rowStart[r];
    const hi = rowStart[r + 1];
    if (hi - lo > 1) sortRecords(rec, order, lo, hi - 1);
  }

  // ---- linking, then every slot pointed at its root
  const parent = rowOf; // reuse: row indices are no longer needed
  linkRows(rec, rowStart, parent, grid, region, L, ell, ellW);
  const groupCount = resolveRoots(parent);
  // the records are no longer needed: their memory is handed out as scratch (≥ n int32s)
  const scratch = new Int32Array(rec.buffer, rec.byteOffset, n);
  return { n, order, root: parent, groupCount, grid: [gx, gy], scratch };
}

/** Validate every particle (finite, in the box, in the region), store its row, count rows; prefix sums. */
function countRows(
  views: readonly [CoordinateView, CoordinateView, CoordinateView],
  n: number,
  L: number,
  region: LinkRegion,
  grid: { gx: number; gy: number; sx: number; sy: number },
  rowOf: Int32Array,
  rowStart: Int32Array,
  context: { block?: number },
): void {
  const { gx, gy, sx, sy } = grid;
  const [ox, oy, oz] = region.origin;
  const [px, py, pz] = region.periodic;
  const [Wx, Wy, Wz] = region.size;
  const tol = regionTolerance(L);
  const [vx, vy, vz] = views;
  const ax = vx.array;
  const ay = vy.array;
  const az = vz.array;
  const ofx = vx.offset;
  const ofy = vy.offset;
  const ofz = vz.offset;
  const st = vx.stride;
  for (let i = 0; i < n; i++) {
    const x = ax[ofx + st * i];
    const y = ay[ofy + st * i];
    const z = az[ofz + st * i];
    // `!(x >= 0 && x <= L)` is also true for NaN; a coordinate equal to L is the point at 0
    // (simulation codes write wrapped positions that round up to L in float32)
    if (!(x >= 0 && x <= L)) throw positionError(i, 0, x, "box", L, region, context);
    if (!(y >= 0 && y <= L)) throw positionError(i, 1, y, "box", L, region, context);
    if (!(z >= 0 && z <= L)) throw positionError(i, 2, z, "box", L, region, context);
    let u = x === L ? 0 : x;
    let v = y === L ? 0 : y;
    if (!px) {
      u = regionCoordinate(x, ox, L);
      if (u > Wx + tol) throw positionError(i, 0, x, "region", L, region, context);
    }
    if (!py) {
      v = regionCoordinate(y, oy, L);
      if (v > Wy + tol) throw positionError(i, 1, y, "region", L, region, context);
    }
    if (!pz && regionCoordinate(z, oz, L) > Wz + tol)
      throw positionError(i, 2, z, "region", L, region, context);
    let cx = Math.floor(u * sx);
    if (cx >= gx) cx = gx - 1;
    let cy = Math.floor(v * sy);
    if (cy >= gy) cy = gy - 1;
    const r = cx * gy + cy;
    rowOf[i] = r;
    rowStart[r + 1]++;
  }
  const rows = gx * gy;
  for (let r = 0; r < rows; r++) rowStart[r + 1] += rowStart[r];
}

/** The typed error for a bad coordinate `v` of particle `i` on `axis`. */
function positionError(
  i: number,
  axis: number,
  v: number,
  what: "box" | "region",
  L: number,
  region: LinkRegion,
  context: { block?: number },
): Error {
  const names = ["x", "y", "z"] as const;
  const field = `positions[${i}].${names[axis]}`;
  const ctx = context.block === undefined ? {} : { block: context.block };
  if (!Number.isFinite(v)) {
    return new NonFinitePositionError(`particle ${i} has a non-finite ${names[axis]} coordinate`, {
      ...ctx,
      field,
      expected: "a finite number",
      found: String(v),
      particle: i,
    });
  }
  if (what === "box") {
    return new ParticleOutsideBoxError(`particle ${i} lies outside the periodic box`, {
      ...ctx,
      field,
      expected: `0 ≤ ${names[axis]} ≤ ${L} (the box size; ${L} is the point at 0)`,
      found: String(v),
      particle: i,
    });
  }
  const o = region.origin[axis];
  return new ParticleOutsideBoxError(`particle ${i} lies outside the block's region`, {
    ...ctx,
    field,
    expected: `${names[axis]} in [${o}, ${o + region.size[axis]}] (periodically)`,
    found: String(v),
    particle: i,
  });
}

/** Counting-sort scatter: slot of each particle from its row, its record [x, y, z, w] and order. */
function scatterRecords(
  views: readonly [CoordinateView, CoordinateView, CoordinateView],
  n: number,
  L: number,
  region: LinkRegion,
  rowOf: Int32Array,
  rowStart: Int32Array,
  order: Int32Array,
  rec: Float32Array | Float64Array,
): void {
  const [vx, vy, vz] = views;
  const ax = vx.array;
  const ay = vy.array;
  const az = vz.array;
  const ofx = vx.offset;
  const ofy = vy.offset;
  const ofz = vz.offset;
  const st = vx.stride;
  const pz = region.periodic[2];
  const oz = region.origin[2];
  const fill = rowStart.slice(0, rowStart.length - 1);
  for (let i = 0; i < n; i++) {
    const k = fill[rowOf[i]]++;
    order[k] = i;
    const x = ax[ofx + st * i];
    const y = ay[ofy + st * i];
    const z0 = az[ofz + st * i];
    const z = z0 === L ? 0 : z0; // L is the point at 0 (see countRows)
    const q = 4 * k;
    rec[q] = x === L ? 0 : x;
    rec[q + 1] = y === L ? 0 : y;
    rec[q + 2] = z;
    rec[q + 3] = pz ? z : regionCoordinate(z, oz, L);
  }
}

/**
 * Union every pair of slots within ℓ: each row against itself (forward in z, plus the z
 * wrap-around) and against its 4 forward neighbour rows (full ±ℓ window in z). Cells are
 * {@link CELL_FACTOR}·ℓ wide, and a particle visits a neighbour row only when it lies within ℓ of
 * the faces toward that row (so most particles visit none).
 */
function linkRows(
  rec: Float32Array | Float64Array,
  rowStart: Int32Array,
  parent: Int32Array,
  grid: { gx: number; gy: number; sx: number; sy: number },
  region: LinkRegion,
  L: number,
  ell: number,
  ellW: number,
): void {
  parent.fill(-1); // every slot a root of size 1 (see union-find.ts)
  const { gx, gy, sx, sy } = grid;
  const [px, py, pz] = region.periodic;
  const [ox, oy] = region.origin;
  const hL = L / 2;
  const l2 = ell * ell;
  for (let cx = 0; cx < gx; cx++) {
    const nx = cx + 1 < gx ? cx + 1 : px ? 0 : -1;
    const faceX = (cx + 1) / sx - ellW; // particles at local x ≥ faceX may have friends in row cx + 1
    for (let cy = 0; cy < gy; cy++) {
      const r = cx * gy + cy;
      const s = rowStart[r];
      const e = rowStart[r + 1];
      if (s === e) continue;
      const up = cy + 1 < gy ? cy + 1 : py ? 0 : -1;
      const down = cy > 0 ? cy - 1 : py ? gy - 1 : -1;
      const faceUp = (cy + 1) / sy - ellW;
      const faceDown = cy / sy + ellW;
      // neighbour rows (0,+1), (+1,−1), (+1,0), (+1,+1): [start, end) and a sliding pointer each
      const s0 = up >= 0 ? rowStart[cx * gy + up] : 0;
      const e0 = up >= 0 ? rowStart[cx * gy + up + 1] : 0;
      const s1 = nx >= 0 && down >= 0 ? rowStart[nx * gy + down] : 0;
      const e1 = nx >= 0 && down >= 0 ? rowStart[nx * gy + down + 1] : 0;
      const s2 = nx >= 0 ? rowStart[nx * gy + cy] : 0;
      const e2 = nx >= 0 ? rowStart[nx * gy + cy + 1] : 0;
      const s3 = nx >= 0 && up >= 0 ? rowStart[nx * gy + up] : 0;
      const e3 = nx >= 0 && up >= 0 ? rowStart[nx * gy + up + 1] : 0;
      let lo0 = s0;
      let lo1 = s1;
      let lo2 = s2;
      let lo3 = s3;
      for (let k = s; k < e; k++) {
        const q = 4 * k;
        const wk = rec[q + 3];
        // within the row: forward in z, plus the wrap-around when z is periodic
        const lim = wk + ellW;
        for (let j = k + 1; j < e && rec[4 * j + 3] <= lim; j++) tryLink(rec, parent, k, j, L, hL, l2);
        if (pz && wk < ellW) {
          const from = wk - ellW + L;
          for (let j = e - 1; j > k && rec[4 * j + 3] >= from; j--) tryLink(rec, parent, k, j, L, hL, l2);
        }
        // local (x, y) of the particle, for the face tests
        let u = rec[q];
        let v = rec[q + 1];
        if (!px) {
          u -= ox;
          if (u < 0) u += L;
          else if (u >= L) u -= L;
        }
        if (!py) {
          v -= oy;
          if (v < 0) v += L;
          else if (v >= L) v -= L;
        }
        const nearUp = v >= faceUp;
        const nearDown = v <= faceDown;
        if (nearUp && s0 < e0) lo0 = windowLinks(rec, parent, k, wk, s0, e0, lo0, pz, L, hL, l2, ellW);
        if (u >= faceX) {
          if (nearDown && s1 < e1) lo1 = windowLinks(rec, parent, k, wk, s1, e1, lo1, pz, L, hL, l2, ellW);
          if (s2 < e2) lo2 = windowLinks(rec, parent, k, wk, s2, e2, lo2, pz, L, hL, l2, ellW);
          if (nearUp && s3 < e3) lo3 = windowLinks(rec, parent, k, wk, s3, e3, lo3, pz, L, hL, l2, ellW);
        }
      }
    }
  }
}

/**
 * Link slot k (window key wk) with the slots of a neighbour row [s2, e2) whose key is within
 * ±ellW (with wrap-around when z is periodic). `lo` is the row's sliding start (keys of the
 * calling row's particles only increase); returns its new value.
 */
function windowLinks(
  rec: Float32Array | Float64Array,
  parent: Int32Array,
  k: number,
  wk: number,
  s2: number,
  e2: number,
  lo: number,
  pz: boolean,
  L: number,
  hL: number,
  l2: number,
  ellW: number,
): number {
  const a = wk - ellW;
  const b = wk + ellW;
  let p = lo;
  while (p < e2 && rec[4 * p + 3] < a) p++;
  for (let j = p; j < e2 && rec[4 * j + 3] <= b; j++) tryLink(rec, parent, k, j, L, hL, l2);
  if (pz) {
    if (b >= L) {
      const top = b - L;
      for (let j = s2; j < e2 && rec[4 * j + 3] <= top; j++) tryLink(rec, parent, k, j, L, hL, l2);
    }
    if (a < 0) {
      const bottom = a + L;
      for (let j = e2 - 1; j >= s2 && rec[4 * j + 3] >= bottom; j--) tryLink(rec, parent, k, j, L, hL, l2);
    }
  }
  return p;
}

/** Union slots k and j when their minimum-image distance is ≤ ℓ (`l2` = ℓ²). */
function tryLink(
  rec: Float32Array | Float64Array,
  parent: Int32Array,
  k: number,
  j: number,
  L: number,
  hL: number,
  l2: number,
): void {
  const a = 4 * k;
  const b = 4 * j;
  let dx = rec[a] - rec[b];
  if (dx > hL) dx -= L;
  else if (dx < -hL) dx += L;
  let d2 = dx * dx;
  if (d2 > l2) return;
  let dy = rec[a + 1] - rec[b + 1];
  if (dy > hL) dy -= L;
  else if (dy < -hL) dy += L;
  d2 += dy * dy;
  if (d2 > l2) return;
  let dz = rec[a + 2] - rec[b + 2];
  if (dz > hL) dz -= L;
  else if (dz < -hL) dz += L;
  d2 += dz * dz;
  if (d2 > l2) return;
  const ra = findRoot(parent, k);
  const rb = findRoot(parent, j);
  if (ra !== rb) unionRoots(parent, ra, rb);
}

/**
 * Sort the records `rec[4·lo .. 4·hi + 3]` (inclusive) by their 4th number, moving `items` along:
 * insertion sort below 24 records, else quicksort.
 */
function sortRecords(rec: Float32Array | Float64Array, items: Int32Array, lo: number, hi: number): void {
  while (hi - lo >= 24) {
    const mid = (lo + hi) >>> 1;
    if (rec[4 * mid + 3] < rec[4 * lo + 3]) swap(rec, items, mid, lo);
    if (rec[4 * hi + 3] < rec[4 * lo + 3]) swap(rec, items, hi, lo);
    if (rec[4 * hi + 3] < rec[4 * mid + 3]) swap(rec, items, hi, mid);
    const pivot = rec[4 * mid + 3];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (rec[4 * i + 3] < pivot) i++;
      while (rec[4 * j + 3] > pivot) j--;
      if (i <= j) {
        swap(rec, items, i, j);
        i++;
        j--;
      }
    }
    // recurse into the smaller part, loop on the larger
    if (j - lo < hi - i) {
      if (lo < j) sortRecords(rec, items, lo, j);
      lo = i;
    } else {
      if (i < hi) sortRecords(rec, items, i, hi);
      hi = j;
    }
  }
  for (let i = lo + 1; i <= hi; i++) {
    const key = rec[4 * i + 3];
    if (rec[4 * i - 1] <= key) continue;
    const it = items[i];
    const x = rec[4 * i];
    const y = rec[4 * i + 1];
    const z = rec[4 * i + 2];
    let j = i - 1;
    while (j >= lo && rec[4 * j + 3] > key) {
      const q = 4 * j;
      rec[q + 4] = rec[q];
      rec[q + 5] = rec[q + 1];
      rec[q + 6] = rec[q + 2];
      rec[q + 7] = rec[q + 3];
      items[j + 1] = items[j];
      j--;
    }
    const q = 4 * j + 4;
    rec[q] = x;
    rec[q + 1] = y;
    rec[q + 2] = z;
    rec[q + 3] = key;
    items[j + 1] = it;
  }
}

function swap(rec: Float32Array | Float64Array, items: Int32Array, a: number, b: number): void {
  const u = items[a];
  items[a] = items[b];
  items[b] = u;
  for (let d = 0; d < 4; d++) {
    const v = rec[4 * a + d];
    rec[4 * a + d] = rec[4 * b + d];
    rec[4 * b + d] = v;
  }
}

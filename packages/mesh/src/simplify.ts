import { cross } from "./cross.js";
import { InvalidLabelsError } from "./errors.js";
import type { Mesh } from "./mesh.js";
import { addPlane, optimalPoint } from "./quadric.js";

/** Options of {@link simplifyMesh}. */
export interface SimplifyOptions {
  /**
   * Largest allowed quadric error, as a distance in nm: a collapse is refused when the summed
   * squared distances of the new vertex to the planes of the original triangles merged into it
   * exceed `maxErrorNm²`. Default 40 when no target is given.
   */
  maxErrorNm?: number;
  /** Stop once the mesh has at most `triangles / targetReduction` triangles (e.g. 10, 100). */
  targetReduction?: number;
  /**
   * Keep vertices on open boundary edges (edges of a single triangle) where they are, e.g. the
   * cut faces of a mesh split into chunks, so that neighbouring pieces still meet exactly.
   */
  lockBoundary?: boolean;
}

const ITERATIONS = 80;
const RAMP = 12; // iterations over which the threshold doubles up to its ceiling

/**
 * Quadric edge-collapse simplification (Garland–Heckbert). Cheapest edges go first: passes over
 * the triangles collapse every edge whose quadric error is under a threshold that doubles each
 * pass up to `maxErrorNm²`. A collapse is refused when it would flip or squash a triangle or
 * change the topology (link condition), so a closed 2-manifold stays one.
 *
 * @returns a new mesh; the input is not modified.
 */
export function simplifyMesh(mesh: Mesh, options: SimplifyOptions = {}): Mesh {
  const { maxErrorNm, targetReduction } = options;
  if (maxErrorNm !== undefined && !(maxErrorNm >= 0)) {
    throw new InvalidLabelsError("maxErrorNm must be a non-negative number", {
      field: "maxErrorNm",
      expected: ">= 0",
      found: String(maxErrorNm),
    });
  }
  if (targetReduction !== undefined && !(targetReduction >= 1)) {
    throw new InvalidLabelsError("targetReduction must be at least 1", {
      field: "targetReduction",
      expected: ">= 1",
      found: String(targetReduction),
    });
  }
  const nv = mesh.positions.length / 3;
  const nt = mesh.indices.length / 3;
  if (nt === 0) return { positions: mesh.positions.slice(), indices: mesh.indices.slice() };
  const V = Float64Array.from(mesh.positions);
  const T = Int32Array.from(mesh.indices);
  const target = targetReduction === undefined ? 0 : Math.floor(nt / targetReduction);
  let ceiling: number;
  if (maxErrorNm !== undefined) ceiling = maxErrorNm * maxErrorNm;
  else if (targetReduction !== undefined) ceiling = Number.POSITIVE_INFINITY;
  else ceiling = 40 * 40;

  const Q = new Float64Array(nv * 10);
  const N = new Float32Array(nt * 3);
  const dead = new Uint8Array(nt);
  const dirty = new Uint8Array(nt);
  const err = new Float64Array(nt * 4);
  const p = new Float64Array(3);
  const n = new Float64Array(3);
  let diag2 = 0;
  for (let t = 0; t < nt; t++) {
    triangleNormal(V, T, t, N, n);
    const a = T[t * 3];
    const d = -(N[t * 3] * V[a * 3] + N[t * 3 + 1] * V[a * 3 + 1] + N[t * 3 + 2] * V[a * 3 + 2]);
    for (let k = 0; k < 3; k++) addPlane(Q, T[t * 3 + k] * 10, N[t * 3], N[t * 3 + 1], N[t * 3 + 2], d, 1);
  }
  for (let t = 0; t < nt; t++) edgeErrors(t);
  for (let i = 0; i < nv; i++) {
    const e = V[i * 3] ** 2 + V[i * 3 + 1] ** 2 + V[i * 3 + 2] ** 2;
    if (e > diag2) diag2 = e;
  }
  if (!Number.isFinite(ceiling)) ceiling = 4 * diag2 + 1;

  // vertex -> (triangle, corner) references, rebuilt every few passes, appended on collapse
  const vstart = new Int32Array(nv);
  const vcount = new Int32Array(nv);
  let refT = new Int32Array(nt * 6);
  let refC = new Uint8Array(nt * 6);
  let nref = 0;
  const locked = options.lockBoundary ? boundaryVertices(T, nv) : new Uint8Array(nv);
  const mark = new Int32Array(nv);
  const memoStamp = new Int32Array(nv);
  const memoVal = new Float64Array(nv);
  let memoRound = 0;
  const mark2 = new Int32Array(nv);
  let stamp = 0;
  let alive = nt;

  function edgeErrors(t: number): void {
    let min = Number.POSITIVE_INFINITY;
    for (let j = 0; j < 3; j++) {
      const a = T[t * 3 + j];
      const b = T[t * 3 + ((j + 1) % 3)];
      const e = optimalPoint(Q, a * 10, b * 10, V, a, b, p);
      err[t * 4 + j] = e;
      if (e < min) min = e;
    }
    err[t * 4 + 3] = min;
  }

  /** Recompute the two edges of triangle t that meet at corner c (the third edge is unchanged). */
  function edgeErrorsAround(t: number, c: number): void {
    const o = t * 4;
    const jPrev = (c + 2) % 3;
    const a = T[t * 3 + jPrev];
    const b = T[t * 3 + c];
    const d = T[t * 3 + ((c + 1) % 3)];
    err[o + jPrev] = ringError(b, a);
    err[o + c] = ringError(b, d);
    const e0 = err[o];
    const e1 = err[o + 1];
    const e2 = err[o + 2];
    let min = e0;
    if (e1 < min) min = e1;
    if (e2 < min) min = e2;
    err[o + 3] = min;
  }

  /** Error of edge (centre, x) for the ring being updated, computed once per neighbour x. */
  function ringError(centre: number, x: number): number {
    if (memoStamp[x] === memoRound) return memoVal[x];
    const e = optimalPoint(Q, centre * 10, x * 10, V, centre, x, p);
    memoStamp[x] = memoRound;
    memoVal[x] = e;
    return e;
  }

  function rebuildRefs(): void {
    vcount.fill(0);
    for (let t = 0; t < nt; t++) {
      if (dead[t]) continue;
      vcount[T[t * 3]]++;
      vcount[T[t * 3 + 1]]++;
      vcount[T[t * 3 + 2]]++;
    }
    let s = 0;
    for (let i = 0; i < nv; i++) {
      vstart[i] = s;
      s += vcount[i];
    }
    nref = s;
    vcount.fill(0);
    for (let t = 0; t < nt; t++) {
      if (dead[t]) continue;
      for (let k = 0; k < 3; k++) {
        const v = T[t * 3 + k];
        const r = vstart[v] + vcount[v]++;
        refT[r] = t;
        refC[r] = k;
      }
    }
  }

  function pushRef(t: number, c: number): void {
    if (nref >= refT.length) {
      const nT = new Int32Array(refT.length * 2);
      nT.set(refT);
      refT = nT;
      const nC = new Uint8Array(refC.length * 2);
      nC.set(refC);
      refC = nC;
    }
    refT[nref] = t;
    refC[nref] = c;
    nref++;
  }

  /** Would moving vertex `a` (collapsing onto edge a-b) to p flip or squash one of its triangles? */
  function flips(a: number, b: number): boolean {
    for (let r = vstart[a], e = vstart[a] + vcount[a]; r < e; r++) {
      const t = refT[r];
      if (dead[t]) continue;
      const c = refC[r];
      const u = T[t * 3 + ((c + 1) % 3)];
      const w = T[t * 3 + ((c + 2) % 3)];
      if (u === b || w === b) continue;
      const d1x = V[u * 3] - p[0];
      const d1y = V[u * 3 + 1] - p[1];
      const d1z = V[u * 3 + 2] - p[2];
      const d2x = V[w * 3] - p[0];
      const d2y = V[w * 3 + 1] - p[1];
      const d2z = V[w * 3 + 2] - p[2];
      cross(n, 0, d1x, d1y, d1z, d2x, d2y, d2z);
      const nx = n[0];
      const ny = n[1];
      const nz = n[2];
      const n2 = nx * nx + ny * ny + nz * nz;
      const l2 = (d1x * d1x + d1y * d1y + d1z * d1z) * (d2x * d2x + d2y * d2y + d2z * d2z);
      // sin² of the corner angle below 0.002 (|cos| > 0.999): a sliver
      if (n2 <= 0.002 * l2) return true;
      // the triangle's normal would turn by more than ~78°
      if (nx * N[t * 3] + ny * N[t * 3 + 1] + nz * N[t * 3 + 2] < 0.2 * Math.sqrt(n2)) return true;
    }
    return false;
  }

  /** Link condition: the edge's endpoints share exactly the two opposite vertices. */
  function linkOk(a: number, b: number): boolean {
    stamp++;
    for (let r = vstart[a], e = vstart[a] + vcount[a]; r < e; r++) {
      const t = refT[r];
      if (dead[t]) continue;
      mark[T[t * 3]] = stamp;
      mark[T[t * 3 + 1]] = stamp;
      mark[T[t * 3 + 2]] = stamp;
    }
    let shared = 0;
    for (let r = vstart[b], e = vstart[b] + vcount[b]; r < e; r++) {
      const t = refT[r];
      if (dead[t]) continue;
      for (let k = 0; k < 3; k++) {
        const v = T[t * 3 + k];
        if (v !== a && v !== b && mark[v] === stamp && mark2[v] !== stamp) {
          mark2[v] = stamp;
          shared++;
        }
      }
    }
    return shared === 2;
  }

  function moveRefs(from: number, a: number, b: number): void {
    for (let r = vstart[from], e = vstart[from] + vcount[from]; r < e; r++) {
      const t = refT[r];
      if (dead[t]) continue;
      const c = refC[r];
      const o = t * 3;
      if (from === a && (T[o] === b || T[o + 1] === b || T[o + 2] === b)) {
        dead[t] = 1;
        err[t * 4 + 3] = Number.POSITIVE_INFINITY;
        alive--;
        continue;
      }
      T[o + c] = a;
      dirty[t] = 1;
      triangleNormal(V, T, t, N, n);
      pushRef(t, c);
    }
  }

  for (let iter = 0; iter < ITERATIONS && alive > target; iter++) {
    if (iter % 4 === 0) rebuildRefs();
    dirty.fill(0);
    const threshold = iter < RAMP ? ceiling * 2 ** (iter - RAMP) : ceiling;
    let collapsed = 0;
    for (let t = 0; t < nt && alive > target; t++) {
      if (err[t * 4 + 3] > threshold || dead[t] || dirty[t]) continue;
      for (let j = 0; j < 3; j++) {
        if (err[t * 4 + j] > threshold) continue;
        const a = T[t * 3 + j];
        const b = T[t * 3 + ((j + 1) % 3)];
        if (locked[a] || locked[b] || !linkOk(a, b)) continue;
        const e = optimalPoint(Q, a * 10, b * 10, V, a, b, p);
        if (e > threshold || flips(a, b) || flips(b, a)) continue;
        V[a * 3] = p[0];
        V[a * 3 + 1] = p[1];
        V[a * 3 + 2] = p[2];
        for (let k = 0; k < 10; k++) Q[a * 10 + k] += Q[b * 10 + k];
        const start = nref;
        moveRefs(a, a, b);
        moveRefs(b, a, b);
        vstart[a] = start;
        vcount[a] = nref - start;
        vcount[b] = 0;
        memoRound++;
        for (let r = start; r < nref; r++) edgeErrorsAround(refT[r], refC[r]);
        collapsed++;
        break;
      }
    }
    if (collapsed === 0 && iter >= RAMP) break;
  }
  return compact(V, T, dead, nv, nt);
}

/** Flags of vertices that lie on an edge used by exactly one triangle. */
function boundaryVertices(T: Int32Array, nv: number): Uint8Array {
  const count = new Map<number, number>();
  for (let i = 0; i < T.length; i += 3) {
    for (let k = 0; k < 3; k++) {
      const u = T[i + k];
      const v = T[i + ((k + 1) % 3)];
      const key = u < v ? u * nv + v : v * nv + u;
      count.set(key, (count.get(key) ?? 0) + 1);
    }
  }
  const out = new Uint8Array(nv);
  for (const [key, n] of count) {
    if (n !== 1) continue;
    out[Math.floor(key / nv)] = 1;
    out[key % nv] = 1;
  }
  return out;
}

/** Unit normal of triangle t into `N[t * 3..]` (`n`: scratch for the cross product). */
function triangleNormal(V: Float64Array, T: Int32Array, t: number, N: Float32Array, n: Float64Array): void {
  const a = T[t * 3] * 3;
  const b = T[t * 3 + 1] * 3;
  const c = T[t * 3 + 2] * 3;
  const ux = V[b] - V[a];
  const uy = V[b + 1] - V[a + 1];
  const uz = V[b + 2] - V[a + 2];
  const vx = V[c] - V[a];
  const vy = V[c + 1] - V[a + 1];
  const vz = V[c + 2] - V[a + 2];
  cross(n, 0, ux, uy, uz, vx, vy, vz);
  const nx = n[0];
  const ny = n[1];
  const nz = n[2];
  const l = Math.sqrt(nx * nx + ny * ny + nz * nz) || 1;
  N[t * 3] = nx / l;
  N[t * 3 + 1] = ny / l;
  N[t * 3 + 2] = nz / l;
}

function compact(V: Float64Array, T: Int32Array, dead: Uint8Array, nv: number, nt: number): Mesh {
  const remap = new Int32Array(nv).fill(-1);
  let nvOut = 0;
  let ntOut = 0;
  for (let t = 0; t < nt; t++) {
    if (dead[t]) continue;
    ntOut++;
    for (let k = 0; k < 3; k++) {
      const v = T[t * 3 + k];
      if (remap[v] < 0) remap[v] = nvOut++;
    }
  }
  const positions = new Float32Array(nvOut * 3);
  for (let v = 0; v < nv; v++) {
    const r = remap[v];
    if (r < 0) continue;
    positions[r * 3] = V[v * 3];
    positions[r * 3 + 1] = V[v * 3 + 1];
    positions[r * 3 + 2] = V[v * 3 + 2];
  }
  const indices = new Uint32Array(ntOut * 3);
  let o = 0;
  for (let t = 0; t < nt; t++) {
    if (dead[t]) continue;
    indices[o++] = remap[T[t * 3]];
    indices[o++] = remap[T[t * 3 + 1]];
    indices[o++] = remap[T[t * 3 + 2]];
  }
  return { positions, indices };
}

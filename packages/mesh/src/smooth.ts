import { InvalidLabelsError } from "./errors.js";
import type { Mesh } from "./mesh.js";

/** Options of {@link smoothMesh}. */
export interface SmoothOptions {
  /** Smoothing passes (default 10); each pass is one shrink step and one inflate step. */
  iterations?: number;
  /** Shrink factor λ of Taubin smoothing (default 0.5). */
  lambda?: number;
  /** Inflate factor μ, negative with |μ| > λ (default -0.53). */
  mu?: number;
}

/**
 * Taubin λ|μ smoothing: alternate Laplacian steps with a positive and a negative factor, which
 * removes the voxel staircase of marching-cubes surfaces without the shrinkage of plain Laplacian
 * smoothing. Connectivity is unchanged; returns a new mesh.
 */
export function smoothMesh(mesh: Mesh, options: SmoothOptions = {}): Mesh {
  const iterations = options.iterations ?? 10;
  const lambda = options.lambda ?? 0.5;
  const mu = options.mu ?? -0.53;
  if (!(lambda > 0 && mu < 0 && -mu >= lambda) || !Number.isInteger(iterations) || iterations < 0) {
    throw new InvalidLabelsError("smoothing needs iterations ≥ 0, λ > 0 and μ ≤ -λ", {
      field: "lambda/mu",
      expected: "λ > 0, μ < -λ",
      found: `iterations ${iterations}, λ ${lambda}, μ ${mu}`,
    });
  }
  const nv = mesh.positions.length / 3;
  const t = mesh.indices;
  // vertex adjacency in CSR form (each triangle edge counted in both directions; duplicates weigh more)
  const deg = new Int32Array(nv + 1);
  for (let i = 0; i < t.length; i += 3) {
    deg[t[i] + 1] += 2;
    deg[t[i + 1] + 1] += 2;
    deg[t[i + 2] + 1] += 2;
  }
  for (let v = 0; v < nv; v++) deg[v + 1] += deg[v];
  const adj = new Int32Array(deg[nv]);
  const fill = deg.slice(0, nv);
  for (let i = 0; i < t.length; i += 3) {
    for (let k = 0; k < 3; k++) {
      const a = t[i + k];
      adj[fill[a]++] = t[i + ((k + 1) % 3)];
      adj[fill[a]++] = t[i + ((k + 2) % 3)];
    }
  }
  let cur = Float64Array.from(mesh.positions);
  let next = new Float64Array(cur.length);
  const step = (f: number) => {
    for (let v = 0; v < nv; v++) {
      const s = deg[v];
      const e = deg[v + 1];
      if (e === s) {
        next[v * 3] = cur[v * 3];
        next[v * 3 + 1] = cur[v * 3 + 1];
        next[v * 3 + 2] = cur[v * 3 + 2];
        continue;
      }
      let x = 0;
      let y = 0;
      let z = 0;
      for (let r = s; r < e; r++) {
        const u = adj[r] * 3;
        x += cur[u];
        y += cur[u + 1];
        z += cur[u + 2];
      }
      const n = e - s;
      next[v * 3] = cur[v * 3] + f * (x / n - cur[v * 3]);
      next[v * 3 + 1] = cur[v * 3 + 1] + f * (y / n - cur[v * 3 + 1]);
      next[v * 3 + 2] = cur[v * 3 + 2] + f * (z / n - cur[v * 3 + 2]);
    }
    [cur, next] = [next, cur];
  };
  for (let i = 0; i < iterations; i++) {
    step(lambda);
    step(mu);
  }
  return { positions: Float32Array.from(cur), indices: mesh.indices.slice() };
}

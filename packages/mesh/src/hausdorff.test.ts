import { describe, expect, it } from "vitest";
import { coverRadius, directedHausdorffBounds, hausdorffBounds } from "./hausdorff.js";
import { TriangleGrid } from "./hausdorff-grid.js";
import { pointTriangleDistance2 } from "./hausdorff-point.js";
import type { Mesh } from "./mesh.js";

// ---- independent references (a different algorithm from the code under test) ----

type V3 = [number, number, number];
const sub = (a: V3, b: V3): V3 => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
const dot = (a: V3, b: V3) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
const crs = (a: V3, b: V3): V3 => [
  a[1] * b[2] - a[2] * b[1],
  a[2] * b[0] - a[0] * b[2],
  a[0] * b[1] - a[1] * b[0],
];

function segment2(p: V3, a: V3, b: V3): number {
  const u = sub(b, a);
  const l2 = dot(u, u);
  const s = l2 === 0 ? 0 : Math.min(1, Math.max(0, dot(sub(p, a), u) / l2));
  const q: V3 = [a[0] + s * u[0], a[1] + s * u[1], a[2] + s * u[2]];
  return dot(sub(p, q), sub(p, q));
}

/** Point-triangle distance²: projection onto the plane if it falls inside, else the nearest edge. */
function refDistance2(p: V3, a: V3, b: V3, c: V3): number {
  const n = crs(sub(b, a), sub(c, a));
  const nn = dot(n, n);
  const edges = Math.min(segment2(p, a, b), segment2(p, b, c), segment2(p, c, a));
  if (nn < 1e-24) return edges;
  const h = dot(sub(p, a), n) / nn;
  const q: V3 = [p[0] - h * n[0], p[1] - h * n[1], p[2] - h * n[2]];
  const inside =
    dot(crs(sub(b, a), sub(q, a)), n) >= 0 &&
    dot(crs(sub(c, b), sub(q, b)), n) >= 0 &&
    dot(crs(sub(a, c), sub(q, c)), n) >= 0;
  return inside ? h * h * nn : edges;
}

function corner(m: Mesh, tri: number, k: number): V3 {
  const v = m.indices[tri * 3 + k] * 3;
  return [m.positions[v], m.positions[v + 1], m.positions[v + 2]];
}

/** Brute-force distance from p to the surface of `to`. */
function surfaceDistance(p: V3, to: Mesh): number {
  let best = Number.POSITIVE_INFINITY;
  for (let t = 0; t < to.indices.length / 3; t++)
    best = Math.min(best, refDistance2(p, corner(to, t, 0), corner(to, t, 1), corner(to, t, 2)));
  return Math.sqrt(best);
}

/**
 * Directed distance sampled on a barycentric grid of k steps per edge in every triangle (a true
 * lower bound), and the largest distance from a point of a triangle to its nearest sample (so the
 * true value is at most lower + spacing).
 */
function denseDirected(from: Mesh, to: Mesh, k: number): { lower: number; spacing: number } {
  let lower = 0;
  let spacing = 0;
  for (let t = 0; t < from.indices.length / 3; t++) {
    const [a, b, c] = [corner(from, t, 0), corner(from, t, 1), corner(from, t, 2)];
    const longest = Math.sqrt(
      Math.max(dot(sub(a, b), sub(a, b)), dot(sub(b, c), sub(b, c)), dot(sub(c, a), sub(c, a))),
    );
    spacing = Math.max(spacing, longest / k);
    for (let i = 0; i <= k; i++)
      for (let j = 0; i + j <= k; j++) {
        const u = i / k;
        const v = j / k;
        const w = 1 - u - v;
        const p: V3 = [
          w * a[0] + u * b[0] + v * c[0],
          w * a[1] + u * b[1] + v * c[1],
          w * a[2] + u * b[2] + v * c[2],
        ];
        lower = Math.max(lower, surfaceDistance(p, to));
      }
  }
  return { lower, spacing };
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function mesh(positions: number[], indices: number[]): Mesh {
  return { positions: Float32Array.from(positions), indices: Uint32Array.from(indices) };
}

/** An n×n grid of squares over [x0, x0+1]×[0,1] at height z, two triangles per square. */
function square(n: number, x0: number, z: number, flip = false): Mesh {
  const pos: number[] = [];
  const idx: number[] = [];
  for (let j = 0; j <= n; j++) for (let i = 0; i <= n; i++) pos.push(x0 + i / n, j / n, z);
  for (let j = 0; j < n; j++)
    for (let i = 0; i < n; i++) {
      const a = j * (n + 1) + i;
      const b = a + 1;
      const c = a + n + 1;
      const d = c + 1;
      if (flip) idx.push(a, b, c, b, d, c);
      else idx.push(a, b, d, a, d, c);
    }
  return mesh(pos, idx);
}

/** Icosahedron subdivided `level` times, vertices on the unit sphere. */
function icosphere(level: number): Mesh {
  const g = (1 + Math.sqrt(5)) / 2;
  let pos: V3[] = [
    [-1, g, 0],
    [1, g, 0],
    [-1, -g, 0],
    [1, -g, 0],
    [0, -1, g],
    [0, 1, g],
    [0, -1, -g],
    [0, 1, -g],
    [g, 0, -1],
    [g, 0, 1],
    [-g, 0, -1],
    [-g, 0, 1],
  ];
  let tris = [
    [0, 11, 5],
    [0, 5, 1],
    [0, 1, 7],
    [0, 7, 10],
    [0, 10, 11],
    [1, 5, 9],
    [5, 11, 4],
    [11, 10, 2],
    [10, 7, 6],
    [7, 1, 8],
    [3, 9, 4],
    [3, 4, 2],
    [3, 2, 6],
    [3, 6, 8],
    [3, 8, 9],
    [4, 9, 5],
    [2, 4, 11],
    [6, 2, 10],
    [8, 6, 7],
    [9, 8, 1],
  ];
  const unit = (v: V3): V3 => {
    const l = Math.sqrt(dot(v, v));
    return [v[0] / l, v[1] / l, v[2] / l];
  };
  pos = pos.map(unit);
  for (let l = 0; l < level; l++) {
    const mid = new Map<string, number>();
    const m = (a: number, b: number) => {
      const key = a < b ? `${a},${b}` : `${b},${a}`;
      let i = mid.get(key);
      if (i === undefined) {
        i = pos.length;
        pos.push(
          unit([(pos[a][0] + pos[b][0]) / 2, (pos[a][1] + pos[b][1]) / 2, (pos[a][2] + pos[b][2]) / 2]),
        );
        mid.set(key, i);
      }
      return i;
    };
    tris = tris.flatMap(([a, b, c]) => {
      const ab = m(a, b);
      const bc = m(b, c);
      const ca = m(c, a);
      return [
        [a, ab, ca],
        [b, bc, ab],
        [c, ca, bc],
        [ab, bc, ca],
      ];
    });
  }
  return mesh(pos.flat(), tris.flat());
}

/** Smallest distance from the origin to the plane of a triangle of the mesh. */
function minFacePlaneDistance(m: Mesh): number {
  let min = Number.POSITIVE_INFINITY;
  for (let t = 0; t < m.indices.length / 3; t++) {
    const [a, b, c] = [corner(m, t, 0), corner(m, t, 1), corner(m, t, 2)];
    const n = crs(sub(b, a), sub(c, a));
    min = Math.min(min, Math.abs(dot(a, n)) / Math.sqrt(dot(n, n)));
  }
  return min;
}

function expectBracket(b: { lower: number; upper: number }, truth: number, tolerance: number): void {
  expect(b.lower).toBeLessThanOrEqual(truth + 1e-9);
  expect(b.upper).toBeGreaterThanOrEqual(truth);
  expect(b.upper - truth).toBeLessThanOrEqual(tolerance);
}

// ---- tests ----

describe("pointTriangleDistance2", () => {
  it("matches hand-computed cases", () => {
    const d = (x: number, y: number, z: number) =>
      Math.sqrt(pointTriangleDistance2(x, y, z, 0, 0, 0, 4, 0, 0, 0, 4, 0));
    expect(d(1, 1, 3)).toBeCloseTo(3, 12); // above the face
    expect(d(-3, -4, 0)).toBeCloseTo(5, 12); // nearest the corner (0,0,0)
    expect(d(2, -2, 0)).toBeCloseTo(2, 12); // nearest the edge y=0
    expect(d(3, 3, 0)).toBeCloseTo(Math.SQRT2, 12); // nearest the hypotenuse
  });

  it("agrees with projection-or-nearest-edge on random and degenerate triangles", () => {
    const r = rng(5);
    const v = (): V3 => [r() * 4 - 2, r() * 4 - 2, r() * 4 - 2];
    for (let i = 0; i < 3000; i++) {
      const p = v();
      const a = v();
      let b = v();
      let c = v();
      if (i % 10 === 1) c = [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2, (a[2] + b[2]) / 2]; // collinear
      if (i % 10 === 2) b = [...a]; // repeated corner
      if (i % 10 === 3) b = c = [...a]; // a point
      const got = pointTriangleDistance2(...p, ...a, ...b, ...c);
      expect(Math.abs(Math.sqrt(got) - Math.sqrt(refDistance2(p, a, b, c)))).toBeLessThan(1e-9);
    }
  });
});

describe("TriangleGrid", () => {
  it("finds the nearest triangle's distance like brute force, inside and far outside, any cell size", () => {
    const sphere = icosphere(2);
    const r = rng(9);
    for (const cell of [undefined, 0.01, 0.05, 0.3, 5]) {
      const grid = new TriangleGrid(sphere, cell);
      for (let i = 0; i < 200; i++) {
        const s = i % 4 === 0 ? 6 : 1.4;
        const p: V3 = [(r() * 2 - 1) * s, (r() * 2 - 1) * s, (r() * 2 - 1) * s];
        const got = Math.sqrt(grid.nearest2(...p));
        expect(Math.abs(got - surfaceDistance(p, sphere))).toBeLessThan(1e-9);
        const t = grid.nearestTriangle;
        expect(
          Math.sqrt(refDistance2(p, corner(sphere, t, 0), corner(sphere, t, 1), corner(sphere, t, 2))),
        ).toBeCloseTo(got, 9);
      }
    }
  });
});

describe("coverRadius", () => {
  it("is the largest distance from a point of the triangle to its nearest corner", () => {
    const r = rng(3);
    const scratch = new Float64Array(3);
    for (let i = 0; i < 60; i++) {
      const s = Float64Array.from({ length: 9 }, () => r() * 2 - 1);
      if (i % 3 === 0) for (let k = 0; k < 3; k++) s[6 + k] = (s[k] + s[3 + k]) / 2 + (r() - 0.5) * 0.05; // obtuse
      const R = coverRadius(s, 0, scratch);
      const n = 160;
      let worst = 0;
      for (let a = 0; a <= n; a++)
        for (let b = 0; a + b <= n; b++) {
          const u = a / n;
          const v = b / n;
          const p = [0, 1, 2].map((k) => (1 - u - v) * s[k] + u * s[3 + k] + v * s[6 + k]);
          let near = Number.POSITIVE_INFINITY;
          for (let c = 0; c < 3; c++)
            near = Math.min(near, Math.hypot(p[0] - s[c * 3], p[1] - s[c * 3 + 1], p[2] - s[c * 3 + 2]));
          worst = Math.max(worst, near);
        }
      const longest = Math.max(
        Math.hypot(s[0] - s[3], s[1] - s[4], s[2] - s[5]),
        Math.hypot(s[3] - s[6], s[4] - s[7], s[5] - s[8]),
        Math.hypot(s[6] - s[0], s[7] - s[1], s[8] - s[2]),
      );
      expect(worst).toBeLessThanOrEqual(R + 1e-12);
      expect(worst).toBeGreaterThan(R - (2 * longest) / n);
    }
  });
});

describe("hausdorffBounds", () => {
  it("parallel squares offset by d and slid by s: sqrt(d² + s²)", () => {
    for (const [n, s, d] of [
      [1, 0, 0.5],
      [4, 0.3125, 0.1875],
      [7, 0.0625, 1.5],
    ]) {
      const truth = Math.hypot(d, s);
      const b = hausdorffBounds(square(n, 0, 0), square(n + 2, s, d, true));
      expectBracket(b, truth, 0.01 * truth + 1e-6);
    }
  });

  it("a regular tetrahedron and its copy scaled by k about the centre: (k - 1) × circumradius", () => {
    const tet = mesh([1, 1, 1, 1, -1, -1, -1, 1, -1, -1, -1, 1], [0, 1, 2, 0, 3, 1, 0, 2, 3, 1, 3, 2]);
    for (const k of [1.25, 0.75]) {
      const scaled: Mesh = { positions: tet.positions.map((v) => v * k), indices: tet.indices };
      const truth = Math.abs(k - 1) * Math.sqrt(3);
      expectBracket(hausdorffBounds(tet, scaled), truth, 0.01 * truth + 1e-6);
    }
  });

  it("a tetrahedron and a shifted copy: agrees with dense sampling", () => {
    const tet = mesh([1, 1, 1, 1, -1, -1, -1, 1, -1, -1, -1, 1], [0, 1, 2, 0, 3, 1, 0, 2, 3, 1, 3, 2]);
    const shifted: Mesh = {
      positions: tet.positions.map((v, i) => v + [0.3, -0.2, 0.45][i % 3]),
      indices: tet.indices,
    };
    const b = hausdorffBounds(tet, shifted, { tolerance: 1e-3 });
    const ab = denseDirected(tet, shifted, 60);
    const ba = denseDirected(shifted, tet, 60);
    const dense = Math.max(ab.lower, ba.lower);
    expect(b.upper).toBeGreaterThanOrEqual(dense);
    expect(b.lower).toBeLessThanOrEqual(dense + Math.max(ab.spacing, ba.spacing));
    expect(b.upper - b.lower).toBeLessThanOrEqual(1e-3 + 1e-9);
  });

  it("the unit sphere's inscribed polyhedra: 1 - (nearest face plane), within the finer one's own error", () => {
    const coarse = icosphere(1);
    const fine = icosphere(5);
    const truth = 1 - minFacePlaneDistance(coarse); // H(coarse, sphere)
    const fineError = 1 - minFacePlaneDistance(fine); // H(fine, sphere)
    expect(fineError).toBeLessThan(truth / 50);
    const b = hausdorffBounds(coarse, fine);
    expect(b.upper).toBeGreaterThanOrEqual(truth - fineError);
    expect(b.lower).toBeLessThanOrEqual(truth + fineError);
    expect(b.upper - b.lower).toBeLessThanOrEqual(0.01 * b.lower + 1e-9);
  });

  it("finds a maximum inside a triangle that no vertex or centroid shows (square under a pyramid)", () => {
    const h = 0.5;
    const flat = square(1, 0, 0);
    const pyramid = mesh(
      [0, 0, 0, 1, 0, 0, 1, 1, 0, 0, 1, 0, 0.5, 0.5, h],
      [0, 1, 4, 1, 2, 4, 2, 3, 4, 3, 0, 4],
    );
    const truth = (0.5 * h) / Math.hypot(h, 0.5); // from the square's centre to the faces' planes
    const b = directedHausdorffBounds(flat, pyramid);
    expectBracket(b, truth, 0.01 * truth + 1e-6);
    // what sampling the square's vertices and centroids alone would report
    const sampled = Math.max(
      ...[
        [0, 0, 0],
        [1, 1, 0],
        [2 / 3, 1 / 3, 0],
        [1 / 3, 2 / 3, 0],
      ].map((p) => surfaceDistance(p as V3, pyramid)),
    );
    expect(sampled).toBeLessThan(0.8 * truth);
    // and the other way round the apex is h away from the square
    expectBracket(directedHausdorffBounds(pyramid, flat), h, 0.01 * h + 1e-6);
  });

  it("bounds a maximum at an irrational interior point (a scalene triangle under a tent over its incentre)", () => {
    const P: V3[] = [
      [0, 0, 0],
      [4, 0, 0],
      [1, 3, 0],
    ];
    const side = (i: number) =>
      Math.sqrt(dot(sub(P[(i + 1) % 3], P[(i + 2) % 3]), sub(P[(i + 1) % 3], P[(i + 2) % 3])));
    const w = [side(0), side(1), side(2)];
    const sum = w[0] + w[1] + w[2];
    const apex: V3 = [
      Math.fround((w[0] * P[0][0] + w[1] * P[1][0] + w[2] * P[2][0]) / sum),
      Math.fround((w[0] * P[0][1] + w[1] * P[1][1] + w[2] * P[2][1]) / sum),
      1,
    ];
    const flat = mesh(P.flat(), [0, 1, 2]);
    const tent = mesh([...P.flat(), ...apex], [0, 1, 3, 1, 2, 3, 2, 0, 3]);
    // below the tent the distance is the smallest of the three faces' plane distances, largest
    // where the three are equal: solve (n0 - n1)·p = n0·P0 - n1·P1, (n1 - n2)·p = n1·P1 - n2·P2
    const n = [0, 1, 2].map((i) => {
      const v = crs(sub(P[(i + 1) % 3], P[i]), sub(apex, P[i]));
      const l = Math.sqrt(dot(v, v));
      const u: V3 = [v[0] / l, v[1] / l, v[2] / l];
      const centroid: V3 = [5 / 3, 1, 0];
      return dot(u, sub(centroid, P[i])) < 0 ? (u.map((x) => -x) as V3) : u;
    });
    const row = (i: number, j: number) => [
      n[i][0] - n[j][0],
      n[i][1] - n[j][1],
      dot(n[i], P[i]) - dot(n[j], P[j]),
    ];
    const [r0, r1] = [row(0, 1), row(1, 2)];
    const det = r0[0] * r1[1] - r0[1] * r1[0];
    const x: V3 = [(r0[2] * r1[1] - r0[1] * r1[2]) / det, (r0[0] * r1[2] - r0[2] * r1[0]) / det, 0];
    const truth = dot(n[0], sub(x, P[0]));
    expect(surfaceDistance(x, tent)).toBeCloseTo(truth, 12);
    const b = directedHausdorffBounds(flat, tent, { tolerance: 1e-4, maxDepth: 16 });
    expectBracket(b, truth, 1e-4 + 1e-6);
    const dense = denseDirected(flat, tent, 300);
    expect(dense.lower).toBeLessThanOrEqual(truth + 1e-12);
    expect(b.upper).toBeGreaterThanOrEqual(dense.lower);
  });

  it("is never below a dense-sampled lower bound on random bumpy spheres", () => {
    const base = icosphere(1);
    const r = rng(21);
    const bumpy = (amp: number): Mesh => ({
      positions: base.positions.map((v) => v * (1 + amp * (r() - 0.5))),
      indices: base.indices,
    });
    for (let trial = 0; trial < 3; trial++) {
      const a = bumpy(0.15);
      const b = bumpy(0.15);
      const bounds = hausdorffBounds(a, b, { tolerance: 0.002 });
      const ab = denseDirected(a, b, 8);
      const ba = denseDirected(b, a, 8);
      const dense = Math.max(ab.lower, ba.lower);
      expect(bounds.upper).toBeGreaterThanOrEqual(dense);
      expect(bounds.lower).toBeLessThanOrEqual(bounds.upper);
      expect(bounds.upper - bounds.lower).toBeLessThanOrEqual(0.002 + 1e-9);
      expect(bounds.lower).toBeLessThanOrEqual(dense + Math.max(ab.spacing, ba.spacing));
    }
  });

  it("is 0 for a mesh against itself, directed distances differ for nested squares, empty meshes", () => {
    const s = icosphere(2);
    const self = hausdorffBounds(s, s);
    expect(self.upper).toBeLessThan(1e-8);
    const small = mesh([0.25, 0.25, 0, 0.75, 0.25, 0, 0.75, 0.75, 0, 0.25, 0.75, 0], [0, 1, 2, 0, 2, 3]);
    const big = square(3, 0, 0);
    // the truth is 0: pieces of `small` that straddle triangles of `big` are refined until tight
    const inside = directedHausdorffBounds(small, big, { tolerance: 1e-3, maxDepth: 10 });
    expect(inside.lower).toBeLessThan(1e-12);
    expect(inside.upper).toBeLessThanOrEqual(1e-3);
    expectBracket(directedHausdorffBounds(big, small), Math.hypot(0.25, 0.25), 1e-6);
    const empty = mesh([], []);
    expect(hausdorffBounds(empty, empty)).toEqual({ lower: 0, upper: 0 });
    expect(hausdorffBounds(empty, s).upper).toBe(Number.POSITIVE_INFINITY);
  });
});

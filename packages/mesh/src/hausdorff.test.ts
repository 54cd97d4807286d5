import { describe, expect, it } from "vitest";
import { directedHausdorff, hausdorffDistance, pointTriangleDistance2 } from "./hausdorff.js";
import { marchingCubes } from "./marching-cubes.js";
import type { Mesh } from "./mesh.js";

function brute(from: Mesh, to: Mesh): number {
  const p = to.positions;
  const t = to.indices;
  const q = from.positions;
  let worst = 0;
  for (let i = 0; i < q.length; i += 3) {
    let best = Infinity;
    for (let k = 0; k < t.length; k += 3) {
      const a = t[k] * 3;
      const b = t[k + 1] * 3;
      const c = t[k + 2] * 3;
      best = Math.min(
        best,
        pointTriangleDistance2(
          q[i],
          q[i + 1],
          q[i + 2],
          p[a],
          p[a + 1],
          p[a + 2],
          p[b],
          p[b + 1],
          p[b + 2],
          p[c],
          p[c + 1],
          p[c + 2],
        ),
      );
    }
    worst = Math.max(worst, best);
  }
  return Math.sqrt(worst);
}

describe("hausdorffDistance", () => {
  it("point-triangle distance matches hand-computed cases", () => {
    // triangle in z=0 plane
    const d = (x: number, y: number, z: number) =>
      Math.sqrt(pointTriangleDistance2(x, y, z, 0, 0, 0, 4, 0, 0, 0, 4, 0));
    expect(d(1, 1, 3)).toBeCloseTo(3); // above the face
    expect(d(-3, -4, 0)).toBeCloseTo(5); // nearest the corner (0,0,0)
    expect(d(2, -2, 0)).toBeCloseTo(2); // nearest the edge y=0
    expect(d(3, 3, 0)).toBeCloseTo(Math.SQRT2); // nearest the hypotenuse
  });

  it("agrees with brute force between a surface and a shifted copy", () => {
    const n = 14;
    const labels = new Uint8Array(n * n * n);
    for (let z = 3; z < 11; z++)
      for (let y = 2; y < 12; y++) for (let x = 4; x < 9; x++) labels[(z * n + y) * n + x] = 1;
    const a = marchingCubes(labels, [n, n, n], { resolutionNm: [5, 3, 2] }).get(1) as Mesh;
    const b: Mesh = { positions: a.positions.map((v, i) => (i % 3 === 1 ? v + 2.5 : v)), indices: a.indices };
    const dv = directedHausdorff({ positions: a.positions, indices: new Uint32Array(3) }, b, 1);
    expect(dv).toBeGreaterThan(0);
    expect(
      Math.abs(directedHausdorff({ positions: a.positions, indices: new Uint32Array(3) }, b) - brute(a, b)),
    ).toBeLessThan(1e-3);
    expect(hausdorffDistance(a, b)).toBeGreaterThan(0);
    expect(hausdorffDistance(a, a)).toBeLessThan(1e-9);
  });
});

import { describe, expect, it } from "vitest";
import { InvalidLabelsError } from "./errors.js";
import { marchingCubes } from "./marching-cubes.js";
import type { Mesh } from "./mesh.js";
import { smoothMesh } from "./smooth.js";
import { enclosedVolume, meshTopology, surfaceArea } from "./topology.js";

function ballMesh(n: number, r: number): Mesh {
  const labels = new Uint8Array(n * n * n);
  const c = (n - 1) / 2;
  for (let z = 0; z < n; z++)
    for (let y = 0; y < n; y++)
      for (let x = 0; x < n; x++)
        if ((x - c) ** 2 + (y - c) ** 2 + (z - c) ** 2 < r * r) labels[(z * n + y) * n + x] = 1;
  return marchingCubes(labels, [n, n, n]).get(1) as Mesh;
}

describe("smoothMesh", () => {
  it("brings a voxelised ball closer to a sphere without shrinking it", () => {
    const r = 10;
    const mesh = ballMesh(26, r);
    const s = smoothMesh(mesh, { iterations: 20 });
    // spread of vertex radii around the centre: the staircase flattens out
    const spread = (m: Mesh) => {
      const c = 12.5;
      const radii: number[] = [];
      for (let i = 0; i < m.positions.length; i += 3)
        radii.push(Math.hypot(m.positions[i] - c, m.positions[i + 1] - c, m.positions[i + 2] - c));
      const mean = radii.reduce((a, b) => a + b, 0) / radii.length;
      return Math.sqrt(radii.reduce((a, b) => a + (b - mean) ** 2, 0) / radii.length);
    };
    expect(spread(s)).toBeLessThan(spread(mesh) / 2);
    expect(Math.abs(enclosedVolume(s) / enclosedVolume(mesh) - 1)).toBeLessThan(0.03);
    expect(surfaceArea(s)).toBeLessThan(surfaceArea(mesh));
    const t = meshTopology(s);
    expect(t.boundaryEdges).toBe(0);
    expect(t.euler).toBe(2);
  });

  it("rejects parameters that would shrink or explode the mesh", () => {
    const mesh = ballMesh(8, 3);
    expect(() => smoothMesh(mesh, { lambda: 0.5, mu: 0.2 })).toThrow(InvalidLabelsError);
    expect(smoothMesh(mesh, { iterations: 0 }).positions).toEqual(mesh.positions);
  });
});

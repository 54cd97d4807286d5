import { emPhantom } from "@tessera/phantom";
import { sharedData } from "@tessera/testkit";
import { readHdf5Dataset } from "@tessera/volume";
import { beforeAll, describe, expect, it } from "vitest";
import { hausdorffBounds } from "./hausdorff.js";
import { marchingCubes } from "./marching-cubes.js";
import type { Mesh } from "./mesh.js";
import { simplifyMesh } from "./simplify.js";
import { enclosedVolume, meshTopology } from "./topology.js";

const gt = sharedData("em/neuroproof-sample2/groundtruth.h5");

describe("simplifyMesh", () => {
  it("keeps a closed 2-manifold closed, oriented and its volume, on phantom neurons", () => {
    const shape: [number, number, number] = [24, 48, 48];
    const { labels } = emPhantom({ shape, resolutionNm: [40, 8, 8], seed: 11 });
    const meshes = marchingCubes(labels, shape, { resolutionNm: [40, 8, 8] });
    for (const mesh of [...meshes.values()].slice(0, 6)) {
      const s = simplifyMesh(mesh, { maxErrorNm: 8 });
      const before = meshTopology(mesh);
      const after = meshTopology(s);
      expect(after.boundaryEdges).toBe(0);
      expect(after.nonManifoldEdges).toBe(0);
      expect(after.misorientedEdges).toBe(0);
      expect(after.euler).toBe(before.euler);
      expect(after.faces).toBeLessThan(before.faces / 2);
      expect(Math.abs(enclosedVolume(s) / enclosedVolume(mesh) - 1)).toBeLessThan(0.25);
      // every point of either surface is within 16 nm of the other (a proven upper bound)
      expect(hausdorffBounds(mesh, s).upper).toBeLessThan(16);
    }
  });

  it("reaches a target reduction", () => {
    const shape: [number, number, number] = [20, 40, 40];
    const { labels } = emPhantom({ shape, resolutionNm: [8, 8, 8], seed: 2 });
    const mesh = [...marchingCubes(labels, shape, { resolutionNm: [8, 8, 8] }).values()][0];
    const s = simplifyMesh(mesh, { targetReduction: 20 });
    expect(s.indices.length / 3).toBeLessThanOrEqual(Math.floor(mesh.indices.length / 3 / 20));
    expect(meshTopology(s).boundaryEdges).toBe(0);
  });

  describe.skipIf(!gt.available)("neuroproof ground truth at 40 nm", () => {
    let meshes: Map<number, Mesh>;
    let bodies: number;
    beforeAll(async () => {
      const { data, shape } = await readHdf5Dataset(gt.path, "stack");
      // a 100³ corner keeps the test quick; every body in it is meshed and simplified
      const n = 100;
      const crop = new Uint32Array(n * n * n);
      for (let z = 0; z < n; z++)
        for (let y = 0; y < n; y++)
          for (let x = 0; x < n; x++)
            crop[(z * n + y) * n + x] = data[(z * shape[1] + y) * shape[2] + x] as number;
      meshes = marchingCubes(crop, [n, n, n], { resolutionNm: [10, 10, 10] });
      bodies = new Set(crop).size - (crop.includes(0) ? 1 : 0);
    });

    it("gives ≥ 10× fewer triangles, closed, within 40 nm (upper bound of the Hausdorff distance) of every body", () => {
      let before = 0;
      let after = 0;
      let worst = 0;
      let worstLower = 0;
      let checked = 0;
      let tSimp = 0;
      let tH = 0;
      const ids = [...meshes.keys()];
      for (const id of ids) {
        const mesh = meshes.get(id) as Mesh;
        const ts = performance.now();
        const s = simplifyMesh(mesh, { maxErrorNm: 40 });
        tSimp += performance.now() - ts;
        before += mesh.indices.length / 3;
        after += s.indices.length / 3;
        expect(meshTopology(s).boundaryEdges, `body ${id}`).toBe(0);
        // bounds on the Hausdorff distance of every body (timings are printed, never asserted)
        const th = performance.now();
        const h = hausdorffBounds(mesh, s);
        tH += performance.now() - th;
        worst = Math.max(worst, h.upper);
        worstLower = Math.max(worstLower, h.lower);
        if (s.indices.length > 0) checked++;
      }
      console.log(
        `neuroproof 100³ crop: ${before} → ${after} triangles (${(before / after).toFixed(1)}×), Hausdorff distance ≤ ${worst.toFixed(2)} nm (≥ ${worstLower.toFixed(2)} nm) over ${checked} bodies (simplify ${(tSimp / 1000).toFixed(1)} s, Hausdorff bounds ${(tH / 1000).toFixed(1)} s)`,
      );
      expect(before / after).toBeGreaterThanOrEqual(10);
      expect(worst).toBeLessThanOrEqual(40);
      // every body of the crop (counted from the labels) was meshed, simplified and measured
      expect(checked).toBe(bodies);
      expect(checked).toBeGreaterThan(20);
    });
  });
});

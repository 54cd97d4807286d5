import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pythonHas, runPython, tempDir } from "@tessera/testkit";
import { afterAll, describe, expect, it } from "vitest";
import { formatDemoSummary, runDemo } from "./demo.js";

const tmp = tempDir();
afterAll(tmp.cleanup);

describe("runDemo", () => {
  it("writes the phantom blockwise, reads it back identical, and python zarr agrees", async () => {
    const progress: number[] = [];
    const summary = await runDemo({
      outDir: tmp.path,
      shape: [20, 96, 80],
      seed: 5,
      onProgress: (done) => progress.push(done),
    });
    expect(summary.arrays.map((a) => a.name)).toEqual(["image", "labels", "boundaries"]);
    expect(summary.arrays.every((a) => a.verified)).toBe(true);
    expect(summary.cellCount).toBeGreaterThan(3);
    expect(summary.meanIntensityMembrane).toBeLessThan(summary.meanIntensityCytoplasm - 20);
    expect(progress.at(-1)).toBe(summary.blocks);
    expect(summary.blocks).toBe(2); // z 20 in blocks of 16 × one 256² block in y, x
    // segmentation of the image, scored against the phantom's labels: agglomeration beats fragments
    const { scores, best, thresholds } = summary.segmentation;
    expect(scores).toHaveLength(thresholds.length);
    expect(scores[best].cremiScore).toBeLessThan(0.5);
    expect(scores[best].cremiScore).toBeLessThan(scores[0].cremiScore);
    expect(summary.segmentation.segmentCount).toBeGreaterThan(summary.cellCount / 2);
    // meshes of the segmentation: one GLB per segment, simplified
    expect(summary.meshes.segments).toBeGreaterThan(summary.cellCount / 2);
    expect(summary.meshes.trianglesAfter).toBeLessThan(summary.meshes.trianglesBefore / 2);
    const index = JSON.parse(readFileSync(join(summary.meshes.dir, "meshes.json"), "utf8"));
    expect(index.segments).toHaveLength(summary.meshes.segments);
    expect(readFileSync(join(summary.meshes.dir, index.segments[0].file)).subarray(0, 4).toString()).toBe(
      "glTF",
    );
    const text = formatDemoSummary(summary, join(tmp.path, "demo.log"));
    expect(text).toMatch(/read back identical/);
    if (pythonHas("zarr", "numpy", "hashlib")) {
      const out = runPython(
        "import sys, zarr, hashlib, numpy as np\ng = zarr.open(sys.argv[1], 'r')\nfor n in ['image','labels','boundaries','segmentation']:\n    a = np.ascontiguousarray(g[n][...])\n    print(n, a.shape, hashlib.sha256(a.tobytes()).hexdigest(), g[n].attrs['resolution'])",
        [summary.group],
      );
      for (const a of summary.arrays) expect(out).toContain(`${a.name} (20, 96, 80) ${a.sha256} [40, 8, 8]`);
      expect(out).toMatch(/segmentation \(20, 96, 80\) [0-9a-f]{64} \[40, 8, 8\]/);
    }
  });
});

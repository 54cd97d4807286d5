import { join } from "node:path";
import { pythonHas, runPython, sharedData } from "@tessera/testkit";
import { openVolume } from "@tessera/volume";
import { describe, expect, it } from "vitest";
import { meshVolume } from "./block.js";
import { estimateMeshBytes, formatBytes } from "./output-estimate.js";
import { countSurface } from "./surface-count.js";

const gala = sharedData("em/gala/zarr");

/** numpy's count of the labelled voxel faces (once per label they bound) and of the labels. */
const NUMPY_FACES = `
import sys, json, numpy as np, zarr
a = zarr.open(sys.argv[1], mode="r")[:]
want = None if sys.argv[2] == "all" else np.array([int(v) for v in sys.argv[2].split(",")])
counted = (a != 0) if want is None else np.isin(a, want)
faces = 0
for axis in range(3):
    lo = [slice(None)] * 3; hi = [slice(None)] * 3
    lo[axis] = slice(None, -1); hi[axis] = slice(1, None)
    differ = a[tuple(lo)] != a[tuple(hi)]
    faces += int((differ & counted[tuple(lo)]).sum() + (differ & counted[tuple(hi)]).sum())
    first = [slice(None)] * 3; last = [slice(None)] * 3
    first[axis] = 0; last[axis] = -1
    faces += int(counted[tuple(first)].sum() + counted[tuple(last)].sum())
labels = np.unique(a[counted])
print(json.dumps({"faces": faces, "labels": labels.tolist()}))
`;

describe.skipIf(!gala.available)("countSurface", () => {
  const gt = join(gala.path, "train-gt.zarr");
  const edge = join(gala.path, "train-gt-edgechunks.zarr");

  it.skipIf(!pythonHas("numpy", "zarr"))(
    "matches numpy on the gala ground truth, whole and blockwise",
    async () => {
      const ref = JSON.parse(runPython(NUMPY_FACES, [gt, "all"]));
      expect(ref.labels).toHaveLength(87);
      const volume = await openVolume(gt);
      for (const blockShape of [undefined, [16, 30, 64], [7, 13, 50]] as const) {
        const count = await countSurface(volume, { blockShape });
        expect(count.faces, `blocks ${blockShape}`).toBe(ref.faces);
        expect([...count.labels].sort((a, b) => a - b)).toEqual(ref.labels);
      }
      const some = JSON.parse(runPython(NUMPY_FACES, [edge, "5,17,40"]));
      expect(some.labels).toEqual([5, 17, 40]);
      const count = await countSurface(await openVolume(edge), {
        labels: [5, 17, 40],
        blockShape: [16, 30, 64],
      });
      expect(count.faces).toBe(some.faces);
      expect([...count.labels].sort((a, b) => a - b)).toEqual(some.labels);
    },
  );

  it("counts one face per vertex marching cubes makes, and at most two triangles per face", async () => {
    const volume = await openVolume(gt);
    const count = await countSurface(volume);
    const meshes = await meshVolume(volume, { threads: 1 });
    let vertices = 0;
    let triangles = 0;
    for (const mesh of meshes.values()) {
      vertices += mesh.positions.length / 3;
      triangles += mesh.indices.length / 3;
    }
    expect(vertices).toBe(count.faces);
    expect(triangles).toBeLessThanOrEqual(2 * count.faces);
    expect(triangles).toBeGreaterThan(1.9 * count.faces);
    expect(estimateMeshBytes(count, "ply").bytes).toBe(12 * count.faces + 26 * count.faces + 280 * 87);
  });
});

describe("formatBytes", () => {
  it("prints binary units", () => {
    expect(formatBytes(512)).toBe("512 B");
    expect(formatBytes(1536)).toBe("1.5 KiB");
    expect(formatBytes(1024 ** 3)).toBe("1.0 GiB");
    expect(formatBytes(250 * 1024 ** 2)).toBe("250 MiB");
  });
});

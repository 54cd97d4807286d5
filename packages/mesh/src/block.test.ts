import { join } from "node:path";
import { emPhantom } from "@tessera/phantom";
import { tempDir } from "@tessera/testkit";
import { Box, createVolume } from "@tessera/volume";
import { afterAll, describe, expect, it } from "vitest";
import { meshVolume } from "./block.js";
import { InvalidLabelsError, LabelNotFoundError } from "./errors.js";
import type { Mesh } from "./mesh.js";
import { enclosedVolume, meshTopology } from "./topology.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());
const shape: [number, number, number] = [18, 30, 34];
// not representable in binary: seam vertices must still come out bit-identical in every block
const res: [number, number, number] = [29.3, 7.7, 4.1];
const { labels } = emPhantom({ shape, resolutionNm: res, seed: 21 });

function triangleKeys(m: Mesh): string[] {
  const key = (v: number) => `${m.positions[v * 3]},${m.positions[v * 3 + 1]},${m.positions[v * 3 + 2]}`;
  const out: string[] = [];
  for (let i = 0; i < m.indices.length; i += 3) {
    const k = [key(m.indices[i]), key(m.indices[i + 1]), key(m.indices[i + 2])];
    const r = k.indexOf([...k].sort()[0]);
    out.push(`${k[r]}|${k[(r + 1) % 3]}|${k[(r + 2) % 3]}`);
  }
  return out.sort();
}

describe("meshVolume (blockwise)", () => {
  it("gives the same surfaces for any block shape, closed, without cracks or duplicated faces", async () => {
    const vol = await createVolume(join(tmp.path, "seg.zarr"), {
      shape,
      chunks: [6, 10, 17],
      dtype: "uint32",
      attrs: { resolution: res },
    });
    await vol.write(Box.fromShape(shape), labels);
    const whole = await meshVolume(vol);
    let progress = 0;
    const blocks = await meshVolume(vol, { blockShape: [7, 9, 11], onProgress: (d) => (progress = d) });
    expect(progress).toBe(3 * 4 * 4);
    expect([...blocks.keys()]).toEqual([...whole.keys()]);
    for (const [id, mesh] of blocks) {
      const ref = whole.get(id) as Mesh;
      const keys = triangleKeys(mesh);
      expect(new Set(keys).size).toBe(keys.length); // no duplicated face
      expect(keys).toEqual(triangleKeys(ref));
      const t = meshTopology(mesh);
      expect(t.boundaryEdges).toBe(0);
      expect(t.nonManifoldEdges).toBe(0);
      expect(t.vertices).toBe(ref.positions.length / 3); // seam vertices welded
      expect(enclosedVolume(mesh)).toBeCloseTo(enclosedVolume(ref), 0);
    }
  });

  it("meshes a subset and rejects float volumes, absent ids", async () => {
    const vol = await createVolume(join(tmp.path, "seg2.zarr"), {
      shape,
      chunks: shape,
      dtype: "uint32",
      attrs: { resolution: res },
    });
    await vol.write(Box.fromShape(shape), labels);
    const ids = [labels[0], labels[labels.length - 1]];
    const some = await meshVolume(vol, { labels: ids, blockShape: [9, 15, 17] });
    expect([...some.keys()].sort((a, b) => a - b)).toEqual([...new Set(ids)].sort((a, b) => a - b));
    await expect(meshVolume(vol, { labels: [987654] })).rejects.toThrow(LabelNotFoundError);
    const f = await createVolume(join(tmp.path, "f.zarr"), {
      shape: [4, 4, 4],
      chunks: [4, 4, 4],
      dtype: "float32",
    });
    await expect(meshVolume(f)).rejects.toThrow(InvalidLabelsError);
    await expect(meshVolume(f)).rejects.toThrow(/float32/);
  });
});

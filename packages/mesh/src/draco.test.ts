import { describe, expect, it } from "vitest";
import { decodeDraco, encodeDraco } from "./draco.js";

function triangleSet(m: { positions: Uint32Array; indices: Uint32Array }): string[] {
  const key = (v: number) => `${m.positions[v * 3]},${m.positions[v * 3 + 1]},${m.positions[v * 3 + 2]}`;
  const out: string[] = [];
  for (let i = 0; i < m.indices.length; i += 3) {
    const k = [key(m.indices[i]), key(m.indices[i + 1]), key(m.indices[i + 2])];
    // rotate so the smallest comes first, keeping the winding
    const r = k.indexOf([...k].sort()[0]);
    out.push([k[r], k[(r + 1) % 3], k[(r + 2) % 3]].join("|"));
  }
  return out.sort();
}

describe("Draco fragments", () => {
  it("round-trips integer positions and triangles (order may change, winding and values may not)", async () => {
    // a tetrahedron plus a separate triangle, 16-bit coordinates
    const mesh = {
      positions: Uint32Array.from([
        0, 0, 0, 65535, 0, 0, 0, 65535, 0, 0, 0, 65535, 100, 200, 300, 101, 200, 300, 100, 201, 300,
      ]),
      indices: Uint32Array.from([0, 2, 1, 0, 1, 3, 0, 3, 2, 1, 2, 3, 4, 5, 6]),
    };
    const bytes = await encodeDraco(mesh);
    expect(new TextDecoder().decode(bytes.subarray(0, 5))).toBe("DRACO");
    const back = await decodeDraco(bytes);
    expect(triangleSet(back)).toEqual(triangleSet(mesh));
  });

  it("rejects bytes that are not Draco", async () => {
    await expect(decodeDraco(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]))).rejects.toThrow(/Draco/);
  });
});

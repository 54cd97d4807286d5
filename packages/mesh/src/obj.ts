import { MeshFormatError } from "./errors.js";
import type { Mesh } from "./mesh.js";

/** Encode a mesh as Wavefront OBJ text (`v x y z`, `f a b c`, 1-based). */
export function encodeObj(mesh: Mesh, name?: string): string {
  const parts: string[] = ["# written by @tessera/mesh, units nm\n"];
  if (name !== undefined) parts.push(`o ${name}\n`);
  const p = mesh.positions;
  for (let i = 0; i < p.length; i += 3) parts.push(`v ${p[i]} ${p[i + 1]} ${p[i + 2]}\n`);
  const t = mesh.indices;
  for (let i = 0; i < t.length; i += 3) parts.push(`f ${t[i] + 1} ${t[i + 1] + 1} ${t[i + 2] + 1}\n`);
  return parts.join("");
}

/**
 * Decode OBJ text: `v` lines and `f` lines (polygons are fanned into triangles; `a/b/c` and
 * negative indices are accepted). Other statements are ignored.
 */
export function decodeObj(text: string, path?: string): Mesh {
  const pos: number[] = [];
  const tri: number[] = [];
  const lines = text.split("\n");
  for (let li = 0; li < lines.length; li++) {
    const w = lines[li].trim().split(/\s+/);
    if (w[0] === "v") {
      const xyz = [Number(w[1]), Number(w[2]), Number(w[3])];
      if (xyz.some((v) => !Number.isFinite(v)))
        throw new MeshFormatError("bad OBJ vertex", {
          path,
          field: `line ${li + 1}`,
          expected: "v x y z",
          found: lines[li],
        });
      pos.push(...xyz);
    } else if (w[0] === "f") {
      const nv = pos.length / 3;
      const ids = w.slice(1).map((s) => {
        const n = Number.parseInt(s.split("/")[0], 10);
        const i = n < 0 ? nv + n : n - 1;
        if (!Number.isInteger(i) || i < 0 || i >= nv)
          throw new MeshFormatError("bad OBJ face index", {
            path,
            field: `line ${li + 1}`,
            expected: `1..${nv}`,
            found: s,
          });
        return i;
      });
      for (let k = 1; k + 1 < ids.length; k++) tri.push(ids[0], ids[k], ids[k + 1]);
    }
  }
  return { positions: Float32Array.from(pos), indices: Uint32Array.from(tri) };
}

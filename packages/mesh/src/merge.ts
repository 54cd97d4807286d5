import type { Mesh } from "./mesh.js";

/**
 * Join mesh fragments into one mesh, welding vertices whose positions are bit-identical (the
 * shared seam vertices of blockwise meshing). Triangles are kept as they are.
 */
export function mergeFragments(fragments: readonly Mesh[]): Mesh {
  if (fragments.length === 1) return fragments[0];
  const total = fragments.reduce((s, m) => s + m.positions.length / 3, 0);
  const ntri = fragments.reduce((s, m) => s + m.indices.length, 0);
  const positions = new Float32Array(total * 3);
  const indices = new Uint32Array(ntri);
  const seen = new Map<string, number>();
  let nv = 0;
  let io = 0;
  for (const m of fragments) {
    const map = new Uint32Array(m.positions.length / 3);
    for (let v = 0; v < map.length; v++) {
      const x = m.positions[v * 3];
      const y = m.positions[v * 3 + 1];
      const z = m.positions[v * 3 + 2];
      const key = `${x},${y},${z}`;
      let id = seen.get(key);
      if (id === undefined) {
        id = nv++;
        positions[id * 3] = x;
        positions[id * 3 + 1] = y;
        positions[id * 3 + 2] = z;
        seen.set(key, id);
      }
      map[v] = id;
    }
    for (let i = 0; i < m.indices.length; i++) indices[io++] = map[m.indices[i]];
  }
  return { positions: positions.slice(0, nv * 3), indices };
}

import type { Mesh } from "./mesh.js";

/** Many meshes in two buffers, to move them between threads in one go. */
export interface PackedMeshes {
  /** Key of each mesh. */
  keys: Int32Array;
  /** End of each mesh's positions (floats) and indices in the shared arrays. */
  positionEnd: Int32Array;
  indexEnd: Int32Array;
  positions: Float32Array<ArrayBuffer>;
  indices: Uint32Array<ArrayBuffer>;
}

/** Copy meshes into one positions and one indices array. */
export function packMeshes(entries: readonly [number, Mesh][]): PackedMeshes {
  let nPos = 0;
  let nIdx = 0;
  for (const [, m] of entries) {
    nPos += m.positions.length;
    nIdx += m.indices.length;
  }
  const packed: PackedMeshes = {
    keys: new Int32Array(entries.length),
    positionEnd: new Int32Array(entries.length),
    indexEnd: new Int32Array(entries.length),
    positions: new Float32Array(nPos),
    indices: new Uint32Array(nIdx),
  };
  let p = 0;
  let i = 0;
  entries.forEach(([key, m], k) => {
    packed.positions.set(m.positions, p);
    packed.indices.set(m.indices, i);
    p += m.positions.length;
    i += m.indices.length;
    packed.keys[k] = key;
    packed.positionEnd[k] = p;
    packed.indexEnd[k] = i;
  });
  return packed;
}

/** The meshes of a pack, as views of its two arrays. */
export function unpackMeshes(packed: PackedMeshes): [number, Mesh][] {
  const out: [number, Mesh][] = [];
  let p = 0;
  let i = 0;
  for (let k = 0; k < packed.keys.length; k++) {
    const pe = packed.positionEnd[k];
    const ie = packed.indexEnd[k];
    out.push([
      packed.keys[k],
      { positions: packed.positions.subarray(p, pe), indices: packed.indices.subarray(i, ie) },
    ]);
    p = pe;
    i = ie;
  }
  return out;
}

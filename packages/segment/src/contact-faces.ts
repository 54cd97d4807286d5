import { FaceList } from "./face-list.js";
import { PairCounter } from "./pair-counter.js";

/**
 * The regions of a fragment volume (0 = background, no region) and its contact faces: the voxel
 * faces (6-connectivity) between two different non-zero fragments, listed in voxel order (each
 * voxel's x, then y, then z face), with the edge (pair of regions) each face belongs to.
 */
export interface ContactFaces {
  regions: number;
  /** Fragment id of each region (regions in order of first appearance). */
  regionIds: Float64Array;
  regionVoxels: Float64Array;
  /** Faces between each region and any other label (background included; the volume's border not). */
  regionSurface: Float64Array;
  faces: number;
  /** The voxel of each contact face, and its neighbour (`inner − 1`, `− X` or `− X·Y`). */
  inner: Int32Array;
  outer: Int32Array;
  /** The edge of each contact face. */
  faceEdge: Int32Array;
  /** Edges in order of first appearance: `u` the region of the smaller fragment id, `v` the other. */
  edges: number;
  u: Int32Array;
  v: Int32Array;
}

/** One pass over the voxels of `fragments` (shape Z × Y × X): regions, surfaces and contact faces. */
export function contactFaces(fragments: ArrayLike<number>, Z: number, Y: number, X: number): ContactFaces {
  const n = Z * Y * X;
  const XY = X * Y;
  const regions = new PairCounter(1024);
  let surface = new Float64Array(1024);
  const regionOf = new Int32Array(n);
  const inner = new FaceList();
  const outer = new FaceList();
  // a face between voxel i (region ra, −1 for background) and an earlier voxel j of another label
  const face = (i: number, j: number, ra: number) => {
    const rb = regionOf[j];
    if (ra >= 0) surface[ra]++;
    if (rb >= 0) surface[rb]++;
    if (ra >= 0 && rb >= 0) {
      inner.push(i);
      outer.push(j);
    }
  };
  let last = -1;
  let lastRegion = -1;
  for (let z = 0; z < Z; z++) {
    for (let y = 0; y < Y; y++) {
      const row = z * XY + y * X;
      for (let x = 0; x < X; x++) {
        const i = row + x;
        const a = fragments[i];
        let ra = -1;
        if (a !== 0) {
          if (a !== last) {
            lastRegion = regions.index(a, 0);
            last = a;
            if (regions.size > surface.length) {
              const grown = new Float64Array(surface.length * 2);
              grown.set(surface);
              surface = grown;
            }
          }
          ra = lastRegion;
          regions.count[ra]++;
        }
        regionOf[i] = ra;
        if (x > 0 && fragments[i - 1] !== a) face(i, i - 1, ra);
        if (y > 0 && fragments[i - X] !== a) face(i, i - X, ra);
        if (z > 0 && fragments[i - XY] !== a) face(i, i - XY, ra);
      }
    }
  }
  const faces = inner.size;
  const { faceEdge, edges } = edgesOfFaces(fragments, regionOf, inner.items, outer.items, faces);
  const m = edges.size;
  return {
    regions: regions.size,
    regionIds: regions.a.slice(0, regions.size),
    regionVoxels: regions.count.slice(0, regions.size),
    regionSurface: surface.slice(0, regions.size),
    faces,
    inner: inner.items.slice(0, faces),
    outer: outer.items.slice(0, faces),
    faceEdge,
    edges: m,
    u: Int32Array.from(edges.a.subarray(0, m)),
    v: Int32Array.from(edges.b.subarray(0, m)),
  };
}

/** The edge of each face, numbering edges as they first appear (a run of one pair hashes once). */
function edgesOfFaces(
  fragments: ArrayLike<number>,
  regionOf: Int32Array,
  inner: Int32Array,
  outer: Int32Array,
  faces: number,
): { faceEdge: Int32Array; edges: PairCounter } {
  const edges = new PairCounter(1024);
  const faceEdge = new Int32Array(faces);
  let lastA = -1;
  let lastB = -1;
  let e = -1;
  for (let k = 0; k < faces; k++) {
    const i = inner[k];
    const j = outer[k];
    const ra = regionOf[i];
    const rb = regionOf[j];
    if (ra !== lastA || rb !== lastB) {
      e = fragments[i] < fragments[j] ? edges.index(ra, rb) : edges.index(rb, ra);
      lastA = ra;
      lastB = rb;
    }
    faceEdge[k] = e;
  }
  return { faceEdge, edges };
}

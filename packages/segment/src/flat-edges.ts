/**
 * Region-graph edges between dense node indices, in flat typed arrays (no per-edge objects): the
 * compact graph the out-of-core agglomeration keeps in memory. Arrays may be longer than `size`.
 */
export interface FlatEdges {
  /** Number of edges. */
  size: number;
  /** One node of each edge (index `0 ≤ u < nodes`). */
  u: Int32Array;
  /** The other node. */
  v: Int32Array;
  /** Sum of the affinities of the faces between u and v. */
  sum: Float64Array;
  /** Number of faces between u and v. */
  count: Float64Array;
  /** Lowest global face index of the edge (see `RegionGraph.firstFace`): breaks score ties. */
  first: Float64Array;
  /** Histogram bins per edge (0: none). */
  bins: number;
  /** `histogram[e · bins + b]` when `bins > 0`. */
  histogram?: Uint32Array;
}

/** Empty flat edges with room for `capacity` edges. */
export function allocateFlatEdges(capacity: number, bins: number): FlatEdges {
  return {
    size: 0,
    u: new Int32Array(capacity),
    v: new Int32Array(capacity),
    sum: new Float64Array(capacity),
    count: new Float64Array(capacity),
    first: new Float64Array(capacity),
    bins,
    histogram: bins > 0 ? new Uint32Array(capacity * bins) : undefined,
  };
}

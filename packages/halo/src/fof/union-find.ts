/**
 * Root of `a` in the disjoint-set forest `parent`, with path halving (each visited node is pointed
 * at its grandparent), so later finds are short.
 */
export function findRoot(parent: Int32Array, a: number): number {
  let x = a;
  while (parent[x] !== x) {
    const g = parent[parent[x]];
    parent[x] = g;
    x = g;
  }
  return x;
}

/**
 * Merge the sets of roots `ra` and `rb` (both must be roots, and different) by size: the smaller
 * tree hangs under the larger (ties: under the lower index). Returns the new root.
 */
export function unionRoots(parent: Int32Array, size: Int32Array, ra: number, rb: number): number {
  let big = ra;
  let small = rb;
  if (size[ra] < size[rb] || (size[ra] === size[rb] && rb < ra)) {
    big = rb;
    small = ra;
  }
  parent[small] = big;
  size[big] += size[small];
  return big;
}

/** A fresh forest of `n` singletons: parent[i] = i, size[i] = 1. */
export function newForest(n: number): { parent: Int32Array; size: Int32Array } {
  const parent = new Int32Array(n);
  for (let i = 0; i < n; i++) parent[i] = i;
  const size = new Int32Array(n).fill(1);
  return { parent, size };
}

/**
 * Disjoint-set forest in one Int32Array: `parent[i]` is the parent of i, or `−size` when i is a
 * root (so no separate size array is needed).
 */

/** A fresh forest of `n` singletons (every entry −1: a root of size 1). */
export function newForest(n: number): Int32Array {
  return new Int32Array(n).fill(-1);
}

/**
 * Root of `a`, with path halving (each visited node is pointed at its grandparent), so later
 * finds are short.
 */
export function findRoot(parent: Int32Array, a: number): number {
  let x = a;
  let p = parent[x];
  while (p >= 0) {
    const g = parent[p];
    if (g < 0) return p;
    parent[x] = g;
    x = g;
    p = parent[x];
  }
  return x;
}

/**
 * Merge the sets of roots `ra` and `rb` (both roots, and different) by size: the smaller tree
 * hangs under the larger (ties: under the lower index). Returns the new root.
 */
export function unionRoots(parent: Int32Array, ra: number, rb: number): number {
  const sa = -parent[ra];
  const sb = -parent[rb];
  let big = ra;
  let small = rb;
  if (sa < sb || (sa === sb && rb < ra)) {
    big = rb;
    small = ra;
  }
  parent[big] = -(sa + sb);
  parent[small] = big;
  return big;
}

/** Size of the set whose root is `r`. */
export function rootSize(parent: Int32Array, r: number): number {
  return -parent[r];
}

/**
 * Replace the forest by its roots: afterwards `parent[i]` is the root of i (a root points at
 * itself). Returns the number of sets.
 */
export function resolveRoots(parent: Int32Array): number {
  const n = parent.length;
  // non-roots first (roots keep their negative mark, so finds stay valid), then the roots
  for (let k = 0; k < n; k++) if (parent[k] >= 0) parent[k] = findRoot(parent, k);
  let count = 0;
  for (let k = 0; k < n; k++) {
    if (parent[k] < 0) {
      parent[k] = k;
      count++;
    }
  }
  return count;
}

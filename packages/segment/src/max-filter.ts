/**
 * Separable maximum filter (van Herk / Gil–Werman, O(1) per voxel per axis) with window `size[a]` on
 * axis a, centred as scipy's `maximum_filter` (origin 0, reflected borders do not matter for a max: the
 * window is clipped to the volume).
 */
export function maximumFilter(
  values: Float32Array,
  shape: readonly [number, number, number],
  size: readonly [number, number, number],
): Float32Array {
  const [Z, Y, X] = shape;
  let current = Float32Array.from(values);
  const strides = [Y * X, X, 1];
  const lengths = [Z, Y, X];
  for (let axis = 2; axis >= 0; axis--) {
    const k = size[axis];
    if (k <= 1 || lengths[axis] <= 1) continue;
    const L = lengths[axis];
    const stride = strides[axis];
    const next = new Float32Array(current.length);
    const line = new Float32Array(L);
    const g = new Float32Array(L);
    const h = new Float32Array(L);
    const before = k >> 1;
    const after = k - 1 - before;
    const lineCount = current.length / L;
    for (let l = 0; l < lineCount; l++) {
      // first element of line l: enumerate all index combinations of the other axes
      const outer = axis === 0 ? l : axis === 1 ? Math.floor(l / X) * Y * X + (l % X) : l * X;
      for (let i = 0; i < L; i++) line[i] = current[outer + i * stride];
      for (let i = 0; i < L; i++) g[i] = i % k === 0 ? line[i] : Math.max(g[i - 1], line[i]);
      for (let i = L - 1; i >= 0; i--) {
        h[i] = i === L - 1 || (i + 1) % k === 0 ? line[i] : Math.max(h[i + 1], line[i]);
      }
      for (let i = 0; i < L; i++) {
        const a = Math.max(0, i - before);
        const b = Math.min(L - 1, i + after);
        // [a, b] spans at most two van Herk blocks
        let m: number;
        if (Math.floor(a / k) !== Math.floor(b / k)) m = Math.max(h[a], g[b]);
        else if (a % k === 0) m = g[b];
        else if (b === L - 1 || (b + 1) % k === 0) m = h[a];
        else m = rangeMax(line, a, b);
        next[outer + i * stride] = m;
      }
    }
    current = next;
  }
  return current;
}

function rangeMax(line: Float32Array, a: number, b: number): number {
  let m = line[a];
  for (let i = a + 1; i <= b; i++) if (line[i] > m) m = line[i];
  return m;
}

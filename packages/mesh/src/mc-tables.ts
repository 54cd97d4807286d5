/**
 * Marching-cubes case tables, derived at load time from first principles instead of being typed
 * in: for each of the 256 corner configurations, every cube face contributes directed segments
 * between its edge crossings (an ambiguous face separates its two inside corners, a rule that
 * depends on the face alone, so neighbouring cells always agree), the segments chain into closed
 * loops and each loop is fanned into triangles. Segments run so that the loops, and hence the
 * triangles, wind counter-clockwise seen from outside the object.
 *
 * Corner `i` sits at `(x, y, z) = (i & 1, (i >> 1) & 1, (i >> 2) & 1)`. Edge `e` joins corners
 * `EDGE_A[e]` and `EDGE_B[e]` along axis `EDGE_AXIS[e]` (0 = x, 1 = y, 2 = z).
 */

/** First (lower) corner of each of the 12 cube edges. */
export const EDGE_A = new Uint8Array(12);
/** Second (upper) corner of each cube edge. */
export const EDGE_B = new Uint8Array(12);
/** Axis of each cube edge: 0 = x, 1 = y, 2 = z. */
export const EDGE_AXIS = new Uint8Array(12);
/** `TRI_START[mask]..TRI_START[mask + 1]` indexes the edge triples of a configuration in `TRI_EDGES`. */
export const TRI_START = new Uint16Array(257);
/** Edge numbers, three per triangle, for all 256 configurations back to back. */
export let TRI_EDGES: Uint8Array = new Uint8Array(0);

function corner(i: number): [number, number, number] {
  return [i & 1, (i >> 1) & 1, (i >> 2) & 1];
}

function buildTables(): void {
  const edgeOf = new Map<number, number>();
  let e = 0;
  for (let axis = 0; axis < 3; axis++) {
    const bit = 1 << axis;
    for (let a = 0; a < 8; a++) {
      if (a & bit) continue;
      EDGE_A[e] = a;
      EDGE_B[e] = a | bit;
      EDGE_AXIS[e] = axis;
      edgeOf.set(a * 8 + (a | bit), e);
      edgeOf.set((a | bit) * 8 + a, e);
      e++;
    }
  }
  // Faces as corner cycles, counter-clockwise seen from outside the cube.
  const faces: number[][] = [];
  for (let axis = 0; axis < 3; axis++) {
    for (const side of [0, 1]) {
      const cs = [0, 1, 2, 3, 4, 5, 6, 7].filter((c) => ((c >> axis) & 1) === side);
      const u = (axis + 1) % 3;
      const v = (axis + 2) % 3;
      // Order around the face centre by angle in the (u, v) plane: a cycle right-handed about +axis.
      cs.sort((p, q) => {
        const cp = corner(p);
        const cq = corner(q);
        return Math.atan2(cp[v] - 0.5, cp[u] - 0.5) - Math.atan2(cq[v] - 0.5, cq[u] - 0.5);
      });
      if (side === 0) cs.reverse(); // outward normal is -axis
      faces.push(cs);
    }
  }
  const tris: number[] = [];
  for (let mask = 0; mask < 256; mask++) {
    TRI_START[mask] = tris.length;
    const inside = (c: number) => ((mask >> c) & 1) === 1;
    const next = new Map<number, number>(); // segment: entry edge -> exit edge
    for (const f of faces) {
      const crossings: { edge: number; entry: boolean }[] = [];
      for (let i = 0; i < 4; i++) {
        const a = f[i];
        const b = f[(i + 1) % 4];
        if (inside(a) !== inside(b))
          crossings.push({ edge: edgeOf.get(a * 8 + b) as number, entry: inside(b) });
      }
      for (let i = 0; i < crossings.length; i++) {
        if (!crossings[i].entry) continue;
        for (let j = 1; j < crossings.length; j++) {
          const c = crossings[(i + j) % crossings.length];
          if (!c.entry) {
            next.set(crossings[i].edge, c.edge);
            break;
          }
        }
      }
    }
    const used = new Set<number>();
    for (const start of next.keys()) {
      if (used.has(start)) continue;
      const loop: number[] = [];
      let cur = start;
      while (!used.has(cur)) {
        used.add(cur);
        loop.push(cur);
        cur = next.get(cur) as number;
      }
      for (let k = 1; k + 1 < loop.length; k++) tris.push(loop[0], loop[k], loop[k + 1]);
    }
  }
  TRI_START[256] = tris.length;
  TRI_EDGES = Uint8Array.from(tris);
}

buildTables();

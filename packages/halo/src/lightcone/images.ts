/**
 * The periodic images of a box [0, L)³ that can hold a point of the spherical shell
 * χIn ≤ |r − observer| ≤ χOut (and, with `octant`, of the octant x, y, z ≥ 0 about the observer):
 * image (ix, iy, iz) is the box shifted by (ix L, iy L, iz L). An image is kept when the nearest
 * point of its box is within χOut and its farthest corner beyond χIn (an axis-aligned box against
 * a shell, exact up to a relative slack of 1e-12, so no image with a point in the shell is missed).
 * Only the index range floor((o − χOut)/L) … floor((o + χOut)/L) per axis is scanned.
 * Returns the images as a flat Int32Array (ix0, iy0, iz0, ix1, …).
 */
export function shellImages(
  boxSize: number,
  observer: readonly [number, number, number],
  chiInner: number,
  chiOuter: number,
  octant = false,
): Int32Array {
  const out2 = (chiOuter * (1 + 1e-12)) ** 2;
  const in2 = (chiInner * (1 - 1e-12)) ** 2;
  const lo = new Int32Array(3);
  const hi = new Int32Array(3);
  for (let a = 0; a < 3; a++) {
    lo[a] = Math.floor((observer[a] - chiOuter) / boxSize) - 1;
    hi[a] = Math.floor((observer[a] + chiOuter) / boxSize) + 1;
  }
  let list = new Int32Array(3 * 64);
  let count = 0;
  for (let ix = lo[0]; ix <= hi[0]; ix++) {
    const xLo = ix * boxSize - observer[0];
    const xHi = xLo + boxSize;
    if (octant && !(xHi > 0)) continue;
    const nx = nearest2(octant ? Math.max(xLo, 0) : xLo, xHi);
    const fx = Math.max(xLo * xLo, xHi * xHi);
    if (nx > out2) continue;
    for (let iy = lo[1]; iy <= hi[1]; iy++) {
      const yLo = iy * boxSize - observer[1];
      const yHi = yLo + boxSize;
      if (octant && !(yHi > 0)) continue;
      const nxy = nx + nearest2(octant ? Math.max(yLo, 0) : yLo, yHi);
      const fxy = fx + Math.max(yLo * yLo, yHi * yHi);
      if (nxy > out2) continue;
      for (let iz = lo[2]; iz <= hi[2]; iz++) {
        const zLo = iz * boxSize - observer[2];
        const zHi = zLo + boxSize;
        if (octant && !(zHi > 0)) continue;
        const near = nxy + nearest2(octant ? Math.max(zLo, 0) : zLo, zHi);
        const far = fxy + Math.max(zLo * zLo, zHi * zHi);
        if (near > out2 || far < in2) continue;
        if (3 * count + 3 > list.length) {
          const grown = new Int32Array(list.length * 2);
          grown.set(list);
          list = grown;
        }
        list[3 * count] = ix;
        list[3 * count + 1] = iy;
        list[3 * count + 2] = iz;
        count++;
      }
    }
  }
  return list.slice(0, 3 * count);
}

/** Squared distance from 0 to the interval [lo, hi]. */
function nearest2(lo: number, hi: number): number {
  if (lo > 0) return lo * lo;
  if (hi < 0) return hi * hi;
  return 0;
}

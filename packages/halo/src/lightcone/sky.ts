const DEG = 180 / Math.PI;

/**
 * Right ascension and declination (degrees) of the direction (x, y, z) seen from the observer, with
 * the box axes as the equatorial frame: RA = atan2(y, x) in [0, 360), Dec = asin(z/r) in [−90, 90]
 * (HACC's θ = 90° − Dec, φ = RA). The observer's own position (r = 0) is RA 0, Dec 0. Writes
 * `out[0] = ra`, `out[1] = dec` (no allocation).
 */
export function raDecDegrees(x: number, y: number, z: number, out: Float64Array | number[]): void {
  let ra = Math.atan2(y, x) * DEG;
  if (ra < 0) ra += 360;
  if (ra >= 360) ra -= 360;
  const r = Math.sqrt(x * x + y * y + z * z);
  out[0] = ra;
  out[1] = r > 0 ? Math.asin(Math.max(-1, Math.min(1, z / r))) * DEG : 0;
}

/**
 * Test support: the displacement that `@tessera/phantom`'s warps applied at (y, x), sampled
 * bilinearly from channel `offset` of a displacement array (clamped to the section). Used by the
 * tests to turn a found map into the point it reaches in the unwarped section.
 */
export function sampleDisplacement(
  d: Float32Array,
  offset: number,
  H: number,
  W: number,
  y: number,
  x: number,
): number {
  const yy = Math.min(Math.max(y, 0), H - 1.000001);
  const xx = Math.min(Math.max(x, 0), W - 1.000001);
  const y0 = Math.floor(yy);
  const x0 = Math.floor(xx);
  const fy = yy - y0;
  const fx = xx - x0;
  const i = offset + y0 * W + x0;
  return (1 - fy) * ((1 - fx) * d[i] + fx * d[i + 1]) + fy * ((1 - fx) * d[i + W] + fx * d[i + W + 1]);
}

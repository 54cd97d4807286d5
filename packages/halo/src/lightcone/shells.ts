import type { Cosmology } from "@tessera/cosmology";

/**
 * Where the boundary between two neighbouring snapshots' shells lies: `"distance"` (default) at the
 * midpoint of their comoving distances, (χ₁ + χ₂)/2; `"scaleFactor"` at the distance of the mean
 * scale factor, χ(a = (a₁ + a₂)/2). Either way each snapshot owns the distances nearer to its own
 * χ (or a) than to its neighbours'.
 */
export type ShellBoundaries = "distance" | "scaleFactor";

/** Highest redshift a shell boundary is placed at (the cosmology's distance tables end at z = 1e4). */
const Z_BOUNDARY_MAX = 1e4;

/**
 * The comoving-distance shells (Mpc/h) the snapshots own. `redshifts` are the snapshots' redshifts
 * in time order (strictly decreasing). Snapshot i owns [inner[i], outer[i]); neighbours share the
 * same boundary value, so a distance is in exactly one shell. The end shells reach past their
 * snapshot by half the gap to the neighbour on the other side (in χ or in a, as `boundaries`
 * says), clipped at z = 0; a single snapshot owns only its own distance. With `extrapolate` the
 * first snapshot owns everything beyond its inner boundary (outer = ∞) and the last everything
 * down to χ = 0.
 */
export function snapshotShells(
  cosmology: Cosmology,
  redshifts: readonly number[],
  options: { boundaries?: ShellBoundaries; extrapolate?: boolean } = {},
): { chi: Float64Array; inner: Float64Array; outer: Float64Array } {
  const n = redshifts.length;
  const byA = (options.boundaries ?? "distance") === "scaleFactor";
  const chiOf = (z: number) => cosmology.comovingRadialDistanceMpcH(Math.min(Z_BOUNDARY_MAX, z)) as number;
  const chiOfA = (a: number) => (a >= 1 ? 0 : chiOf(1 / a - 1));
  const chi = new Float64Array(n);
  const key = new Float64Array(n); // χ or a, the quantity whose midpoints are the boundaries
  for (let i = 0; i < n; i++) {
    chi[i] = chiOf(redshifts[i]);
    key[i] = byA ? 1 / (1 + redshifts[i]) : chi[i];
  }
  const toChi = (k: number) => (byA ? chiOfA(k) : Math.max(0, k));
  // boundary b[i] between snapshot i - 1 and i; b[0] outer end, b[n] inner end
  const b = new Float64Array(n + 1);
  for (let i = 1; i < n; i++) b[i] = toChi(0.5 * (key[i - 1] + key[i]));
  if (options.extrapolate) {
    b[0] = Number.POSITIVE_INFINITY;
    b[n] = 0;
  } else if (n === 1) {
    b[0] = chi[0];
    b[1] = chi[0];
  } else {
    const outerKey = key[0] - 0.5 * (key[1] - key[0]);
    b[0] = byA ? chiOfA(Math.max(outerKey, 1 / (1 + Z_BOUNDARY_MAX))) : outerKey;
    b[n] = toChi(key[n - 1] + 0.5 * (key[n - 1] - key[n - 2]));
  }
  const inner = new Float64Array(n);
  const outer = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    outer[i] = b[i];
    inner[i] = b[i + 1];
  }
  return { chi, inner, outer };
}

import { SPEED_OF_LIGHT_KM_S } from "@tessera/cosmology";
import type { CarriedColumn, LightconeOutput } from "./output.js";
import type { RedshiftOfDistance } from "./redshift-table.js";

const DEG = 180 / Math.PI;

/** Footprint codes of {@link ShellScan.footprint}. */
export const SCAN_FULL_SKY = 0;
/** x, y, z ≥ 0 about the observer. */
export const SCAN_OCTANT = 1;
/** RA/Dec box. */
export const SCAN_RA_DEC_BOX = 2;

/** One snapshot's shell to scan: its objects, the images met, the shell and the sky kept. */
export interface ShellScan {
  boxSize: number;
  observer: readonly [number, number, number];
  /** Flat (ix, iy, iz) triples from {@link shellImages}. */
  images: Int32Array;
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  z: ArrayLike<number>;
  vx?: ArrayLike<number>;
  vy?: ArrayLike<number>;
  vz?: ArrayLike<number>;
  /** Kept distances: [lower, upper), or [lower, upper] when `closed`. */
  lower: number;
  upper: number;
  closed: boolean;
  footprint: number;
  raMin: number;
  raMax: number;
  decMin: number;
  decMax: number;
  snapshot: number;
  step: number;
  sources: readonly CarriedColumn[];
  table: RedshiftOfDistance;
}

/**
 * Test every object of a snapshot in every image of `scan.images` against the shell and the
 * footprint. Without `out`, only count the replicas kept; with `out`, write them from row `start`
 * on (`out` must have room: the count of a first pass). Returns the number kept. The two passes take
 * identical decisions (same arithmetic), so the output is allocated once at its exact size.
 */
export function scanShell(scan: ShellScan, out?: LightconeOutput, start = 0): number {
  const { images, x: xs, y: ys, z: zs, vx: vxs, vy: vys, vz: vzs, lower, upper, closed, footprint } = scan;
  const { raMin, raMax, decMin, decMax, sources, table } = scan;
  const raWraps = raMin > raMax;
  const L = scan.boxSize;
  const [ox, oy, oz] = scan.observer;
  const n = xs.length;
  // cheap squared-distance pre-test, slightly wider than the exact test on χ = √r²
  const lo2 = (lower * (1 - 1e-9)) ** 2;
  const hi2 = (upper * (1 + 1e-9)) ** 2;
  const velocities = out?.redshiftObserved !== undefined && vxs && vys && vzs;
  let k = start;
  for (let m = 0; m < images.length; m += 3) {
    const ix = images[m];
    const iy = images[m + 1];
    const iz = images[m + 2];
    const sx = ix * L - ox;
    const sy = iy * L - oy;
    const sz = iz * L - oz;
    for (let i = 0; i < n; i++) {
      const rx = xs[i] + sx;
      const ry = ys[i] + sy;
      const rz = zs[i] + sz;
      const r2 = rx * rx + ry * ry + rz * rz;
      if (r2 < lo2 || r2 > hi2) continue;
      const chi = Math.sqrt(r2);
      if (chi < lower || chi > upper || (chi === upper && !closed)) continue;
      if (footprint === SCAN_OCTANT && (rx < 0 || ry < 0 || rz < 0)) continue;
      let ra = 0;
      let dec = 0;
      if (footprint === SCAN_RA_DEC_BOX || out) {
        ra = Math.atan2(ry, rx) * DEG;
        if (ra < 0) ra += 360;
        if (ra >= 360) ra -= 360;
        dec = chi > 0 ? Math.asin(Math.max(-1, Math.min(1, rz / chi))) * DEG : 0;
        if (footprint === SCAN_RA_DEC_BOX) {
          if (dec < decMin || dec > decMax) continue;
          if (raWraps ? ra < raMin && ra > raMax : ra < raMin || ra > raMax) continue;
        }
      }
      if (!out) {
        k++;
        continue;
      }
      const z = table.redshiftAt(chi);
      out.x[k] = rx;
      out.y[k] = ry;
      out.z[k] = rz;
      out.chi[k] = chi;
      out.redshift[k] = z;
      out.ra[k] = ra;
      out.dec[k] = dec;
      out.ix[k] = ix;
      out.iy[k] = iy;
      out.iz[k] = iz;
      out.snapshot[k] = scan.snapshot;
      out.step[k] = scan.step;
      out.index[k] = i;
      if (velocities) {
        const vLos = chi > 0 ? (vxs[i] * rx + vys[i] * ry + vzs[i] * rz) / chi : 0;
        out.velocityLosKmS![k] = vLos;
        out.redshiftObserved![k] = (1 + z) * (1 + vLos / SPEED_OF_LIGHT_KM_S) - 1;
      }
      if (sources.length > 0) out.copyColumns(sources, i, k);
      k++;
    }
  }
  return k - start;
}

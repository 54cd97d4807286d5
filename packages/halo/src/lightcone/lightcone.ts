import { Cosmology } from "@tessera/cosmology";
import { LightconeRangeError } from "./errors.js";
import { shellImages } from "./images.js";
import { carriedColumn, LightconeOutput, outputConstructor } from "./output.js";
import { RedshiftOfDistance } from "./redshift-table.js";
import { SCAN_FULL_SKY, SCAN_OCTANT, SCAN_RA_DEC_BOX, type ShellScan, scanShell } from "./scan.js";
import { snapshotShells } from "./shells.js";
import type { Lightcone, LightconeOptions, LightconeShell, LightconeSnapshot } from "./types.js";
import { checkLightconeInput } from "./validate.js";

/**
 * Assemble a lightcone from periodic snapshots, as HACC's lightcone codes do: every snapshot owns the
 * comoving-distance shell around its own χ(z) (boundaries at the midpoints with its neighbours, in χ
 * or in scale factor: {@link snapshotShells}); its objects are replicated over the periodic images
 * of the box that meet the shell ({@link shellImages}) and kept where their distance from the
 * observer falls in the shell, in [χ(zMin), χ(zMax)] and in the footprint. Shells are half-open
 * [lower, upper) (the outermost one closed at χ(zMax)), so a replica at a given distance is taken
 * from exactly one snapshot.
 *
 * Each row records the replication index, the source snapshot/step/row, the position relative to
 * the observer, χ, the cosmological redshift z(χ) ({@link RedshiftOfDistance}), RA/Dec
 * ({@link raDecDegrees}), the carried columns, and with velocities the observed redshift
 * (1 + z)(1 + v_los/c) − 1. Positions are comoving Mpc/h, velocities km/s. For curved cosmologies
 * the box is Euclidean and χ is the comoving radial distance (what N-body lightcones use).
 *
 * Cost: (images met) × (objects) distance tests per snapshot, twice (a counting pass sizes the
 * output, which is then allocated once and filled), on typed arrays, with no allocation per object.
 * Throws the errors of `./errors.ts`; a redshift range outside the snapshots' shells is a
 * {@link LightconeRangeError}.
 */
export function buildLightcone(
  snapshots: readonly LightconeSnapshot[],
  options: LightconeOptions,
): Lightcone {
  const input = checkLightconeInput(snapshots, options);
  const cosmology =
    // duck-typed, so a Cosmology from another copy of @tessera/cosmology is used as it is
    "comovingRadialDistanceMpcH" in options.cosmology
      ? (options.cosmology as Cosmology)
      : new Cosmology(options.cosmology);
  const L = options.boxSize;
  const {
    chi: chiSnap,
    inner,
    outer,
  } = snapshotShells(cosmology, input.redshifts, {
    boundaries: options.boundaries,
    extrapolate: options.extrapolate,
  });
  const chiMin = cosmology.comovingRadialDistanceMpcH(options.zMin) as number;
  const chiMax = cosmology.comovingRadialDistanceMpcH(options.zMax) as number;
  checkRange(cosmology, options, inner[inner.length - 1], outer[0], chiMin, chiMax);

  const table = new RedshiftOfDistance(cosmology, chiMax * (1 + 1e-9) + 1);
  const footprint = options.footprint ?? { kind: "fullSky" };
  const box = footprint.kind === "raDecBox" ? footprint : undefined;
  const code =
    footprint.kind === "octant"
      ? SCAN_OCTANT
      : footprint.kind === "raDecBox"
        ? SCAN_RA_DEC_BOX
        : SCAN_FULL_SKY;

  // the shells kept and their images; then a counting pass, one exact allocation, a filling pass
  const shells: LightconeShell[] = [];
  const scans: ShellScan[] = [];
  let outermostTaken = false;
  for (let s = 0; s < snapshots.length; s++) {
    const lower = Math.max(inner[s], chiMin);
    const upper = Math.min(outer[s], chiMax);
    const shell: LightconeShell = {
      snapshot: s,
      step: input.steps[s],
      redshift: input.redshifts[s],
      chiMpcH: chiSnap[s],
      chiInnerMpcH: inner[s],
      chiOuterMpcH: outer[s],
      chiLowerMpcH: lower,
      chiUpperMpcH: Math.max(lower, upper),
      imagesVisited: 0,
      count: 0,
    };
    shells.push(shell);
    if (!(lower < upper)) continue;
    // snapshots come in time order, so the first non-empty shell is the outermost: closed at χ(zMax)
    const closed = !outermostTaken;
    outermostTaken = true;
    const images = shellImages(L, input.observer, lower, upper, code === SCAN_OCTANT);
    shell.imagesVisited = images.length / 3;
    const o = snapshots[s].objects;
    scans.push({
      boxSize: L,
      observer: input.observer,
      images,
      x: o.x,
      y: o.y,
      z: o.z,
      vx: o.vx,
      vy: o.vy,
      vz: o.vz,
      lower,
      upper,
      closed,
      footprint: code,
      raMin: box?.raMinDeg ?? 0,
      raMax: box?.raMaxDeg ?? 360,
      decMin: box?.decMinDeg ?? -90,
      decMax: box?.decMaxDeg ?? 90,
      snapshot: s,
      step: input.steps[s],
      sources: input.columns.map((name) => carriedColumn(o[name]!)),
      table,
    });
  }
  let total = 0;
  for (const scan of scans) {
    const count = scanShell(scan);
    shells[scan.snapshot].count = count;
    total += count;
  }
  const out = new LightconeOutput(
    input.velocities,
    input.columns.map((name) => ({ name, make: outputConstructor(snapshots[0].objects[name]!) })),
    total,
  );
  let start = 0;
  for (const scan of scans) start += scanShell(scan, out, start);
  out.count = start;
  const result = out.finish();
  return {
    ...result,
    ...(result.columns.id ? { id: result.columns.id } : {}),
    shells,
    chiRangeMpcH: [chiMin, chiMax],
  };
}

function checkRange(
  cosmology: Cosmology,
  options: LightconeOptions,
  chiLow: number,
  chiHigh: number,
  chiMin: number,
  chiMax: number,
): void {
  const slack = 1e-9;
  if (chiMin >= chiLow * (1 - slack) - slack && chiMax <= chiHigh * (1 + slack) + slack) return;
  const h = cosmology.params.h;
  const zAt = (chi: number) =>
    Number.isFinite(chi)
      ? (cosmology.redshiftAtComovingDistanceMpc(chi / h) as number)
      : Number.POSITIVE_INFINITY;
  const covered: [number, number] = [zAt(chiLow), zAt(chiHigh)];
  const low = chiMin < chiLow * (1 - slack) - slack;
  throw new LightconeRangeError("the requested redshift range reaches outside the snapshots' shells", {
    field: low ? "zMin" : "zMax",
    expected: `a range inside the snapshots' shells, z in [${covered[0].toPrecision(6)}, ${covered[1].toPrecision(6)}] (the end shells reach half a gap past the first and last snapshots; pass extrapolate: true to let them reach further)`,
    found: low ? String(options.zMin) : String(options.zMax),
    requested: [options.zMin, options.zMax],
    covered,
  });
}

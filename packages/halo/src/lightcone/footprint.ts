import { LightconeOptionError } from "./errors.js";

/**
 * The part of the sky a lightcone keeps, seen from the observer:
 * - `{ kind: "fullSky" }` (default): every direction;
 * - `{ kind: "octant" }`: x, y, z ≥ 0 relative to the observer (HACC's octant lightcones);
 * - `{ kind: "raDecBox", raMinDeg, raMaxDeg, decMinDeg, decMaxDeg }`: RA in [raMin, raMax] (degrees,
 *   in [0, 360]; raMin > raMax wraps through RA 0) and Dec in [decMin, decMax] (degrees, −90…90),
 *   with the RA/Dec of {@link raDecDegrees}.
 */
export type Footprint =
  | { kind: "fullSky" }
  | { kind: "octant" }
  | { kind: "raDecBox"; raMinDeg: number; raMaxDeg: number; decMinDeg: number; decMaxDeg: number };

/** Fraction of the full sky (4π sr) a footprint covers. */
export function footprintSkyFraction(footprint: Footprint): number {
  if (footprint.kind === "fullSky") return 1;
  if (footprint.kind === "octant") return 1 / 8;
  const { raMinDeg, raMaxDeg, decMinDeg, decMaxDeg } = footprint;
  const raSpan = raMinDeg <= raMaxDeg ? raMaxDeg - raMinDeg : 360 - raMinDeg + raMaxDeg;
  const rad = Math.PI / 180;
  return (raSpan * rad * (Math.sin(decMaxDeg * rad) - Math.sin(decMinDeg * rad))) / (4 * Math.PI);
}

/** Check a footprint (throws {@link LightconeOptionError} naming the bad bound). */
export function checkFootprint(footprint: Footprint): void {
  const kind = (footprint as { kind?: unknown }).kind;
  if (kind === "fullSky" || kind === "octant") return;
  if (kind !== "raDecBox") {
    throw new LightconeOptionError("unknown footprint", {
      field: "footprint.kind",
      expected: '"fullSky", "octant" or "raDecBox"',
      found: String(kind),
    });
  }
  const f = footprint as Extract<Footprint, { kind: "raDecBox" }>;
  const bad = (field: string, expected: string, value: number) => {
    throw new LightconeOptionError("footprint bound out of range", {
      field: `footprint.${field}`,
      expected,
      found: String(value),
    });
  };
  if (!(f.raMinDeg >= 0 && f.raMinDeg <= 360)) bad("raMinDeg", "0 <= raMinDeg <= 360", f.raMinDeg);
  if (!(f.raMaxDeg >= 0 && f.raMaxDeg <= 360)) bad("raMaxDeg", "0 <= raMaxDeg <= 360", f.raMaxDeg);
  if (!(f.decMinDeg >= -90 && f.decMinDeg <= 90)) bad("decMinDeg", "-90 <= decMinDeg <= 90", f.decMinDeg);
  if (!(f.decMaxDeg >= f.decMinDeg && f.decMaxDeg <= 90)) {
    bad("decMaxDeg", `decMinDeg (${f.decMinDeg}) <= decMaxDeg <= 90`, f.decMaxDeg);
  }
}

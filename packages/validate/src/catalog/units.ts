/**
 * Units of catalog quantities: a dimension vector (mass, length, velocity, magnitude, angle, id and
 * the power of h) and a scale, and conversion between the few units a config may name.
 */

/** Base dimensions, in order, of a {@link Dimension} vector; `h` is the power of the Hubble parameter h. */
export const BASE_DIMENSIONS = ["mass", "length", "velocity", "mag", "angle", "id", "h"] as const;

/** Exponents of the base dimensions ({@link BASE_DIMENSIONS} order). */
export type Dimension = readonly number[];

/** A unit: its dimension and the factor to the base units (Msun, Mpc comoving, km/s, AB mag, deg). */
export interface Unit {
  /** Canonical spelling, e.g. `Msun/h`. */
  name: string;
  dims: Dimension;
  /** One of this unit is `scale × h^dims.h` base units. */
  scale: number;
}

const D = (mass = 0, length = 0, velocity = 0, mag = 0, angle = 0, id = 0, h = 0): Dimension => [
  mass,
  length,
  velocity,
  mag,
  angle,
  id,
  h,
];

/** The dimensionless dimension. */
export const DIMENSIONLESS: Dimension = D();

/** The units a config may name (spellings are matched after removing spaces; `h^-1` = `/h`). */
export const UNITS: Readonly<Record<string, Unit>> = {
  "": { name: "", dims: D(), scale: 1 },
  "Msun/h": { name: "Msun/h", dims: D(1, 0, 0, 0, 0, 0, -1), scale: 1 },
  Msun: { name: "Msun", dims: D(1), scale: 1 },
  "1e10Msun/h": { name: "1e10 Msun/h", dims: D(1, 0, 0, 0, 0, 0, -1), scale: 1e10 },
  "1e10Msun": { name: "1e10 Msun", dims: D(1), scale: 1e10 },
  "Mpc/h": { name: "Mpc/h", dims: D(0, 1, 0, 0, 0, 0, -1), scale: 1 },
  Mpc: { name: "Mpc", dims: D(0, 1), scale: 1 },
  "kpc/h": { name: "kpc/h", dims: D(0, 1, 0, 0, 0, 0, -1), scale: 1e-3 },
  kpc: { name: "kpc", dims: D(0, 1), scale: 1e-3 },
  "km/s": { name: "km/s", dims: D(0, 0, 1), scale: 1 },
  mag: { name: "mag", dims: D(0, 0, 0, 1), scale: 1 },
  deg: { name: "deg", dims: D(0, 0, 0, 0, 1), scale: 1 },
  rad: { name: "rad", dims: D(0, 0, 0, 0, 1), scale: 180 / Math.PI },
  deg2: { name: "deg2", dims: D(0, 0, 0, 0, 2), scale: 1 },
  id: { name: "id", dims: D(0, 0, 0, 0, 0, 1), scale: 1 },
};

const ALIASES: Readonly<Record<string, string>> = {
  "1": "",
  dimensionless: "",
  none: "",
  "Msunh^-1": "Msun/h",
  "Msun/h^1": "Msun/h",
  "Mpch^-1": "Mpc/h",
  "kpch^-1": "kpc/h",
  "kms^-1": "km/s",
  ABmag: "mag",
  "mag(AB)": "mag",
  degrees: "deg",
};

/** The unit spelled `text`, or undefined when it is not one of {@link UNITS}. */
export function parseUnit(text: string): Unit | undefined {
  const key = text.replace(/\s+/g, "");
  const canonical = ALIASES[key] ?? key;
  return Object.hasOwn(UNITS, canonical) ? UNITS[canonical] : undefined;
}

/** The unit names a config may use, for error messages. */
export function unitNames(): string[] {
  return Object.values(UNITS)
    .map((u) => u.name || '"" (dimensionless)')
    .sort();
}

/** True when `a` and `b` are the same dimension, the power of h included. */
export function sameDimension(a: Dimension, b: Dimension): boolean {
  return a.every((x, i) => x === b[i]);
}

/** True when `a` and `b` differ at most in their power of h (convertible given h). */
export function sameDimensionBesidesH(a: Dimension, b: Dimension): boolean {
  return a.every((x, i) => i === BASE_DIMENSIONS.length - 1 || x === b[i]);
}

/** Readable form of a dimension, e.g. `mass·h^-1`, `length·velocity^-1`, `dimensionless`. */
export function formatDimension(d: Dimension): string {
  const parts = BASE_DIMENSIONS.flatMap((name, i) =>
    d[i] === 0 ? [] : [d[i] === 1 ? name : `${name}^${d[i]}`],
  );
  return parts.length === 0 ? "dimensionless" : parts.join("·");
}

/** Whether a conversion from `from` to `to` needs the Hubble parameter h. */
export function conversionNeedsH(from: Unit, to: Unit): boolean {
  return from.dims[6] !== to.dims[6];
}

/**
 * The factor that takes a value in unit `from` to unit `to` (`v_to = v_from × factor`), e.g.
 * Msun → Msun/h is ×h, kpc → Mpc/h is ×1e-3·h. Throws a plain Error when the dimensions differ
 * (besides h) or when h is needed and not given; callers turn it into a located {@link UnitError}.
 */
export function conversionFactor(from: Unit, to: Unit, h?: number): number {
  if (!sameDimensionBesidesH(from.dims, to.dims)) {
    throw new Error(`cannot convert ${from.name || "dimensionless"} to ${to.name || "dimensionless"}`);
  }
  const hPower = from.dims[6] - to.dims[6];
  if (hPower !== 0 && h === undefined) throw new Error("the conversion needs h (give a cosmology)");
  return (from.scale / to.scale) * (hPower === 0 ? 1 : (h as number) ** hPower);
}

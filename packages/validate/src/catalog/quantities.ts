/**
 * The standard quantities of a catalog (names after DESCQA's GCRCatalogs), each with its standard
 * unit and the array type it is delivered as. Configs map native columns onto these names.
 */
import { parseUnit, type Unit } from "./units.js";

/** Array type a quantity is delivered as: float64, int32 (flags) or int64 (ids, exact). */
export type QuantityType = "f64" | "i32" | "i64";

/** A standard quantity. */
export interface QuantityInfo {
  name: string;
  /** Standard unit: values are delivered in it, expressions are written in it. */
  unit: Unit;
  type: QuantityType;
  description: string;
}

const u = (name: string): Unit => parseUnit(name) as Unit;

function q(name: string, unit: string, type: QuantityType, description: string): QuantityInfo {
  return { name, unit: u(unit), type, description };
}

const list: QuantityInfo[] = [
  q("halo_id", "id", "i64", "halo identifier (exact 64-bit integer)"),
  q("parent_halo_id", "id", "i64", "identifier of the host halo (−1 or own id for hosts)"),
  q("galaxy_id", "id", "i64", "galaxy identifier"),
  q("halo_mass", "Msun/h", "f64", "halo mass (FOF or SOD, as the catalog defines it), Msun/h"),
  q("halo_radius", "Mpc/h", "f64", "halo radius (e.g. R200c), comoving Mpc/h"),
  q("halo_count", "", "f64", "number of member particles"),
  q("halo_vdisp", "km/s", "f64", "velocity dispersion, km/s"),
  q("x", "Mpc/h", "f64", "position x, comoving Mpc/h"),
  q("y", "Mpc/h", "f64", "position y, comoving Mpc/h"),
  q("z", "Mpc/h", "f64", "position z, comoving Mpc/h"),
  q("vx", "km/s", "f64", "peculiar velocity x, km/s"),
  q("vy", "km/s", "f64", "peculiar velocity y, km/s"),
  q("vz", "km/s", "f64", "peculiar velocity z, km/s"),
  q("ra", "deg", "f64", "right ascension, degrees"),
  q("dec", "deg", "f64", "declination, degrees"),
  q("redshift", "", "f64", "cosmological (or observed) redshift"),
  q("redshift_true", "", "f64", "cosmological redshift without peculiar velocity"),
  q("is_central", "", "i32", "1 for a central galaxy, 0 for a satellite"),
  q("stellar_mass", "Msun", "f64", "stellar mass in Msun with h = the catalog's h (no h scaling)"),
];
for (const band of ["u", "g", "r", "i", "z", "y"]) {
  list.push(q(`mag_${band}`, "mag", "f64", `apparent ${band}-band magnitude, AB`));
  list.push(q(`Mag_${band}`, "mag", "f64", `absolute ${band}-band magnitude, AB, for h = the catalog's h`));
}

/** Standard quantities by name. */
export const STANDARD_QUANTITIES: ReadonlyMap<string, QuantityInfo> = new Map(list.map((x) => [x.name, x]));

/** The standard quantity `name`, or undefined. */
export function standardQuantity(name: string): QuantityInfo | undefined {
  return STANDARD_QUANTITIES.get(name);
}

/** Up to `n` names of `candidates` closest to `name` (edit distance), for "did you mean" hints. */
export function closestNames(name: string, candidates: Iterable<string>, n = 3): string[] {
  const scored = [...candidates].map((c) => ({ c, d: editDistance(name.toLowerCase(), c.toLowerCase()) }));
  scored.sort((a, b) => a.d - b.d || (a.c < b.c ? -1 : 1));
  return scored.slice(0, n).map((s) => s.c);
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}

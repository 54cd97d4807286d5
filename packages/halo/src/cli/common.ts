/** Helpers shared by the `tessera halo` subcommands: option parsers, particle reading, outputs. */
import { stat } from "node:fs/promises";
import {
  type Cosmology,
  cosmology,
  OUTER_RIM,
  PLANCK18,
  RHO_CRITICAL_MSUN_MPC3_H2,
} from "@tessera/cosmology";
import { OutputExistsError } from "@tessera/volume";
import { InvalidArgumentError } from "commander";
import { HaloError } from "../errors.js";
import type { FofHalos } from "../fof/fof.js";
import type { GenericIOArray } from "../genericio/format.js";
import type { GenericIOFile } from "../genericio/read.js";
import type { Catalog } from "../reduce/catalog.js";
import { writeCatalogCsv } from "../reduce/output-csv.js";
import { writeCatalogGenericIO } from "../reduce/output-genericio.js";
import { writeCatalogZarr } from "../reduce/output-zarr.js";
import type { CatalogProvenanceInput } from "../reduce/provenance.js";

/** Bad command-line input to `tessera halo` (a file, a column, an option): names the file and field. */
export class HaloCliError extends HaloError {}

/** The `Examples:` help block every command ends with. */
export function examples(...lines: string[]): string {
  return `\nExamples:\n${lines.map((l) => `  $ ${l}`).join("\n")}`;
}

/** Print the one-line JSON summary of a command on stdout (64-bit integers as decimal strings). */
export function printSummary(summary: unknown): void {
  process.stdout.write(`${JSON.stringify(summary, (_k, v) => (typeof v === "bigint" ? v.toString() : v))}\n`);
}

/** The default structured log beside an output: `<output>.log`. */
export function defaultLog(output: string): string {
  return `${output.replace(/\/+$/, "")}.log`;
}

/** Refuse to replace existing outputs unless `overwrite`. */
export async function refuseExisting(paths: readonly string[], overwrite: boolean): Promise<void> {
  if (overwrite) return;
  for (const path of paths) {
    if (await stat(path).catch(() => undefined)) {
      throw new OutputExistsError("the output exists (give --overwrite to replace it)", { path });
    }
  }
}

/** Output paths must differ from the inputs and from each other. */
export function checkDistinct(paths: Record<string, string | undefined>): void {
  const seen = new Map<string, string>();
  for (const [what, path] of Object.entries(paths)) {
    if (path === undefined) continue;
    const other = seen.get(path);
    if (other !== undefined) {
      throw new HaloCliError(`the ${what} is the ${other} path`, {
        path,
        field: what,
        expected: `a path of its own, not the ${other}`,
        found: path,
      });
    }
    seen.set(path, what);
  }
}

/** A finite number > 0: `positive("0.168")`. */
export function positive(example: string) {
  return (value: string): number => {
    const n = value.trim() === "" ? Number.NaN : Number(value);
    if (!Number.isFinite(n) || n <= 0) {
      throw new InvalidArgumentError(`expected a number > 0 like ${example}, got "${value}"`);
    }
    return n;
  };
}

/** Any finite number: `finite("1e12")`. */
export function finite(example: string) {
  return (value: string): number => {
    const n = value.trim() === "" ? Number.NaN : Number(value);
    if (!Number.isFinite(n))
      throw new InvalidArgumentError(`expected a number like ${example}, got "${value}"`);
    return n;
  };
}

/** Comma-separated names (non-empty, distinct): `names("x,y,z")`. */
export function names(example: string, counts?: readonly number[]) {
  return (value: string): string[] => {
    const list = value.split(",").map((s) => s.trim());
    const countOk = counts === undefined || counts.includes(list.length);
    if (!countOk || list.some((s) => s === "") || new Set(list).size !== list.length) {
      const what = counts === undefined ? "" : `${counts.join(" or ")} `;
      throw new InvalidArgumentError(
        `expected ${what}distinct comma-separated names like ${example}, got "${value}"`,
      );
    }
    return list;
  };
}

/** The cosmologies the commands offer. */
export const COSMOLOGIES = ["planck18", "outer-rim"] as const;
/** One of {@link COSMOLOGIES}. */
export type CosmologyName = (typeof COSMOLOGIES)[number];

/** The cosmology of a name. */
export function cosmologyOf(name: CosmologyName): Cosmology {
  return cosmology(name === "outer-rim" ? OUTER_RIM : PLANCK18);
}

/**
 * Side of the periodic box: `given`, else the file's physical scale (a cube). Positions are taken
 * in [0, L): a physical origin other than 0 is refused.
 */
export function boxSizeOf(file: GenericIOFile, given?: number): number {
  const [ox, oy, oz] = file.physOrigin;
  if (ox !== 0 || oy !== 0 || oz !== 0) {
    throw new HaloCliError("positions must lie in [0, L): the file's physical origin is not 0,0,0", {
      path: file.path,
      field: "physOrigin",
      expected: "0,0,0",
      found: file.physOrigin.join(","),
    });
  }
  if (given !== undefined) return given;
  const [sx, sy, sz] = file.physScale;
  if (!(sx > 0) || sx !== sy || sx !== sz) {
    throw new HaloCliError("the box size is unknown: the file's physical scale is not a cube", {
      path: file.path,
      field: "physScale",
      expected: "three equal sizes > 0, or give --box L",
      found: file.physScale.join(","),
    });
  }
  return sx;
}

/** Names of the particle columns: positions, and velocities and ids when present. */
export interface ParticleColumnNames {
  position: [string, string, string];
  velocity?: [string, string, string];
  id?: string;
  /** A per-particle mass column, when the file has one. */
  mass?: string;
}

/**
 * The particle columns of `file`: `given` (3, 6 or 7 names: positions, velocities, id), else x, y,
 * z with vx, vy, vz and id when the file has them. A named column the file lacks is refused.
 */
export function particleColumns(file: GenericIOFile, given?: readonly string[]): ParticleColumnNames {
  const has = (n: string) => file.variables.some((v) => v.name === n);
  const list = given ?? ["x", "y", "z", ...(["vx", "vy", "vz"].every(has) ? ["vx", "vy", "vz"] : [])];
  for (const n of list) {
    const v = file.variable(n); // GenericIORequestError naming the file and the columns it has
    if (v.elementCount !== 1) {
      throw new HaloCliError("a particle column must hold one value per row", {
        path: file.path,
        field: `variable ${n}`,
        expected: "a scalar variable",
        found: `${v.elementCount} values per row`,
      });
    }
  }
  const out: ParticleColumnNames = { position: [list[0], list[1], list[2]] };
  if (list.length >= 6) out.velocity = [list[3], list[4], list[5]];
  if (list.length === 7) out.id = list[6];
  else if (given === undefined && has("id")) out.id = "id";
  if (has("mass")) out.mass = "mass";
  return out;
}

/** Coordinates in one of the layouts the halo finder takes. */
export type Coordinates = {
  x: Float32Array | Float64Array;
  y: Float32Array | Float64Array;
  z: Float32Array | Float64Array;
};

/** Particles read from a file. */
export interface Particles {
  count: number;
  positions: Coordinates;
  /** Velocities (zeros when the file has none). */
  velocities: Coordinates;
  hasVelocities: boolean;
  /** Particle ids (int64), or undefined when the file has none (the row index is the id). */
  ids?: BigInt64Array;
  /** The mass column, when there is one. */
  mass?: GenericIOArray;
}

/** A column as Float32Array/Float64Array (other types converted to Float64Array). */
export function asFloat(column: GenericIOArray): Float32Array | Float64Array {
  if (column instanceof Float32Array || column instanceof Float64Array) return column;
  if (column instanceof BigInt64Array || column instanceof BigUint64Array)
    return Float64Array.from(column, Number);
  return Float64Array.from(column as ArrayLike<number>);
}

/** A column of integer ids as BigInt64Array. */
export function asIds(column: GenericIOArray, path: string, name: string): BigInt64Array {
  if (column instanceof BigInt64Array) return column;
  if (column instanceof BigUint64Array) return BigInt64Array.from(column, (v) => BigInt.asIntN(64, v));
  const out = new BigInt64Array(column.length);
  for (let i = 0; i < column.length; i++) {
    const v = (column as Float64Array)[i];
    if (!Number.isSafeInteger(v)) {
      throw new HaloCliError("particle ids must be integers", {
        path,
        field: `${name}[${i}]`,
        expected: "an integer",
        found: String(v),
      });
    }
    out[i] = BigInt(v);
  }
  return out;
}

/** Read the particle columns of `file` (all ranks), reporting each column read to `onColumn`. */
export async function readParticles(
  file: GenericIOFile,
  columns: ParticleColumnNames,
  onColumn: (done: number, total: number) => void = () => {},
): Promise<Particles> {
  const wanted = [
    ...columns.position,
    ...(columns.velocity ?? []),
    ...(columns.id ? [columns.id] : []),
    ...(columns.mass ? [columns.mass] : []),
  ];
  const got: Record<string, GenericIOArray> = {};
  onColumn(0, wanted.length);
  for (const [k, name] of wanted.entries()) {
    got[name] = await file.readColumn(name);
    onColumn(k + 1, wanted.length);
  }
  const [px, py, pz] = columns.position.map((n) => asFloat(got[n]));
  const count = file.totalRows;
  let velocities: Coordinates;
  if (columns.velocity) {
    const [vx, vy, vz] = columns.velocity.map((n) => asFloat(got[n]));
    velocities = { x: vx, y: vy, z: vz };
  } else {
    const zero = new Float32Array(count);
    velocities = { x: zero, y: zero, z: zero };
  }
  return {
    count,
    positions: { x: px, y: py, z: pz },
    velocities,
    hasVelocities: columns.velocity !== undefined,
    ids: columns.id ? asIds(got[columns.id], file.path, columns.id) : undefined,
    mass: columns.mass ? got[columns.mass] : undefined,
  };
}

/** Where the particle mass came from. */
export interface ParticleMass {
  value: number;
  source: "option" | "mass column" | "tags provenance" | "cosmology";
}

/**
 * The mass of one particle (M☉/h): `given`, else the file's `mass` column (which must be uniform),
 * else the one the tags were made with (`fromTags`), else Ω_m ρ_crit L³ / N of the cosmology (the mass of an N-body particle of a uniform box).
 */
export function particleMassOf(
  path: string,
  count: number,
  boxSize: number,
  options: { given?: number; mass?: GenericIOArray; fromTags?: number; cosmology: CosmologyName },
): ParticleMass {
  if (options.given !== undefined) return { value: options.given, source: "option" };
  const mass = options.mass;
  if (mass !== undefined && mass.length > 0) {
    const first = Number(mass[0]);
    for (let i = 1; i < mass.length; i++) {
      if (Number(mass[i]) !== first) {
        throw new HaloCliError(
          "the particles have different masses: the halo properties need one particle mass",
          {
            path,
            field: `mass[${i}]`,
            expected: `${first} (as mass[0]), or give --particle-mass`,
            found: String(mass[i]),
          },
        );
      }
    }
    if (first > 0) return { value: first, source: "mass column" };
  }
  if (options.fromTags !== undefined) return { value: options.fromTags, source: "tags provenance" };
  if (!(count > 0)) {
    throw new HaloCliError("no particles: the particle mass cannot come from the cosmology", {
      path,
      field: "rows",
      expected: "at least one particle, or --particle-mass",
      found: "0",
    });
  }
  const omegaM = cosmologyOf(options.cosmology).params.omegaM;
  return { value: (omegaM * RHO_CRITICAL_MSUN_MPC3_H2 * boxSize ** 3) / count, source: "cosmology" };
}

/** The halo tags: one row per halo member, `id` and `fof_halo_tag` (int64), sorted by tag then id. */
export interface HaloTags {
  id: BigInt64Array;
  fof_halo_tag: BigInt64Array;
}

/** Sort (tag, id) pairs by tag, then id. */
export function sortTags(id: BigInt64Array, tag: BigInt64Array): HaloTags {
  const order = Array.from(id, (_v, i) => i).sort((a, b) =>
    tag[a] !== tag[b] ? (tag[a] < tag[b] ? -1 : 1) : id[a] < id[b] ? -1 : id[a] > id[b] ? 1 : 0,
  );
  return {
    id: BigInt64Array.from(order, (i) => id[i]),
    fof_halo_tag: BigInt64Array.from(order, (i) => tag[i]),
  };
}

/** Tags of the halos' members: the halo's tag is its smallest member id (`tags[h]`). */
export function tagsOfHalos(
  halos: FofHalos,
  haloTag: BigInt64Array,
  ids: BigInt64Array | undefined,
): HaloTags {
  const n = halos.members.length;
  const id = new BigInt64Array(n);
  const tag = new BigInt64Array(n);
  for (let h = 0; h < halos.count; h++) {
    for (let k = halos.offsets[h]; k < halos.offsets[h + 1]; k++) {
      const i = halos.members[k];
      id[k] = ids ? ids[i] : BigInt(i);
      tag[k] = haloTag[h];
    }
  }
  return sortTags(id, tag);
}

/**
 * The halos of tagged particles: members ascending in particle order, halos in the order of their
 * first member (as `friendsOfFriends` numbers them). Particles are matched by id (the row index when
 * the file has no id column).
 */
export function halosFromTags(
  tags: HaloTags,
  particleIds: BigInt64Array | undefined,
  count: number,
  where: { tags: string; particles: string },
): FofHalos {
  const index = new Map<bigint, number>();
  if (particleIds) for (let i = 0; i < count; i++) index.set(particleIds[i], i);
  const tagOf = new Map<number, bigint>();
  for (let r = 0; r < tags.id.length; r++) {
    const id = tags.id[r];
    const i = particleIds ? index.get(id) : id >= 0n && id < BigInt(count) ? Number(id) : undefined;
    if (i === undefined) {
      throw new HaloCliError("a tagged particle is not in the particle file", {
        path: where.tags,
        field: `id[${r}]`,
        expected: `the id of a particle of ${where.particles}`,
        found: id.toString(),
      });
    }
    if (tagOf.has(i)) {
      throw new HaloCliError("a particle is tagged twice", {
        path: where.tags,
        field: `id[${r}]`,
        expected: "each particle in at most one halo",
        found: id.toString(),
      });
    }
    tagOf.set(i, tags.fof_halo_tag[r]);
  }
  const haloOf = new Map<bigint, number>();
  const size: number[] = [];
  const haloIndex = new Int32Array(count).fill(-1);
  for (let i = 0; i < count; i++) {
    const t = tagOf.get(i);
    if (t === undefined) continue;
    let h = haloOf.get(t);
    if (h === undefined) {
      h = size.length;
      haloOf.set(t, h);
      size.push(0);
    }
    haloIndex[i] = h;
    size[h]++;
  }
  const H = size.length;
  const offsets = new Int32Array(H + 1);
  for (let h = 0; h < H; h++) offsets[h + 1] = offsets[h] + size[h];
  const members = new Int32Array(offsets[H]);
  const minId = new Float64Array(H).fill(-1);
  const fill = offsets.slice(0, H);
  for (let i = 0; i < count; i++) {
    const h = haloIndex[i];
    if (h < 0) continue;
    if (fill[h] === offsets[h]) minId[h] = i;
    members[fill[h]++] = i;
  }
  return { count: H, size: Int32Array.from(size), minId, offsets, members };
}

/** Output formats of catalogs, by extension. */
export const CATALOG_FORMATS = [".gio", ".csv", ".zarr"] as const;

/** The format of a catalog path from its extension, or a typed error naming the option. */
export function catalogFormat(path: string, field: string, allowed: readonly string[] = CATALOG_FORMATS) {
  const ext = allowed.find((e) => path.replace(/\/+$/, "").toLowerCase().endsWith(e));
  if (ext === undefined) {
    throw new HaloCliError("unknown output format", {
      path,
      field,
      expected: `a path ending in ${allowed.join(", ")}`,
      found: path,
    });
  }
  return ext;
}

/** Write a catalog as GenericIO, CSV or zarr (by extension), atomically, with provenance. */
export async function writeCatalogFile(
  path: string,
  catalog: Catalog,
  options: { boxSize?: number; overwrite: boolean; provenance: CatalogProvenanceInput; field?: string },
): Promise<{ path: string; rows: number; format: string }> {
  const format = catalogFormat(path, options.field ?? "--output");
  const out = path.replace(/\/+$/, "");
  let rows: number;
  if (format === ".gio") {
    ({ rows } = await writeCatalogGenericIO(out, catalog, {
      boxSize: options.boxSize,
      provenance: options.provenance,
    }));
  } else if (format === ".csv") {
    ({ rows } = await writeCatalogCsv(out, catalog, { provenance: options.provenance }));
  } else {
    ({ rows } = await writeCatalogZarr(out, catalog, {
      overwrite: options.overwrite,
      provenance: options.provenance,
      attrs: options.boxSize === undefined ? {} : { boxSize: options.boxSize },
    }));
  }
  return { path: out, rows, format: format.slice(1) };
}

/** The command line as typed, for provenance. */
export function commandLine(): string {
  return ["tessera", ...process.argv.slice(2)].join(" ");
}

/** Round for summaries. */
export function round(v: number, digits = 3): number {
  return Number(v.toFixed(digits));
}

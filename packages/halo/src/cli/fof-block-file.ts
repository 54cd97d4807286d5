/**
 * The files of a blockwise FOF run in its work folder: `plan.json` (what `fof plan` decided) and
 * `blocks/<id>.fofblock` (what each `fof block --id N` task found), both written atomically.
 *
 * A block file is `TSFOFB02` ‖ u32 LE header length ‖ JSON header ‖ padding to 8 ‖ the arrays the
 * header lists (float64 / float32 / int64 / int32, little-endian, each at an 8-aligned offset): the
 * block's merge records and its {@link BlockHalos} (closed halos' catalog rows and tags, open groups'
 * particles).
 */
import { randomBytes } from "node:crypto";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { FofBlockOptions, FofBlockResult } from "../fof/blockwise.js";
import type { HaloPropertiesColumns } from "../properties/properties.js";
import { temporaryPath } from "../reduce/output-files.js";
import { HaloCliError, type ParticleColumnNames, type ParticleMass } from "./common.js";
import type { BlockHalos } from "./fof-block-halos.js";

/** What `fof plan` writes to `<workdir>/plan.json`. */
export interface FofPlanFile {
  kind: "tessera-halo-fof-plan";
  version: 1;
  /** Random id: block results carry it, so results of another plan are never merged. */
  id: string;
  created: string;
  /** Absolute path of the particle file. */
  input: string;
  /** Rows of the particle file when planned (checked again by the tasks). */
  rows: number;
  columns: ParticleColumnNames;
  /** The options of `planFofBlocks`. */
  fof: FofBlockOptions & { blocks: [number, number, number] };
  /** The resolved linking length. */
  linkingLength: number;
  particleMass: ParticleMass;
  softening: number;
}

const MAGIC = "TSFOFB02";
const PLAN = "plan.json";

/** Path of the plan in a work folder. */
export function planPath(workdir: string): string {
  return join(workdir, PLAN);
}

/** Path of a block result in a work folder. */
export function blockPath(workdir: string, id: number): string {
  return join(workdir, "blocks", `${id}.fofblock`);
}

/** A new plan id. */
export function newPlanId(): string {
  return randomBytes(8).toString("hex");
}

/** Write a file atomically (temporary name beside it, then rename). */
async function writeAtomic(path: string, data: Uint8Array | string): Promise<void> {
  const tmp = temporaryPath(path);
  try {
    await writeFile(tmp, data, { flag: "wx" });
    await rename(tmp, path);
  } finally {
    await rm(tmp, { force: true });
  }
}

/** Write the plan of a work folder (the folder and its `blocks/` are created). */
export async function writePlanFile(workdir: string, plan: FofPlanFile): Promise<string> {
  await mkdir(join(workdir, "blocks"), { recursive: true });
  const path = planPath(workdir);
  await writeAtomic(path, `${JSON.stringify(plan, null, 2)}\n`);
  return path;
}

/** Read the plan of a work folder, or a typed error saying to run `fof plan` first. */
export async function readPlanFile(workdir: string): Promise<FofPlanFile> {
  const path = planPath(workdir);
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
    throw new HaloCliError("the work folder has no plan (run `tessera halo fof plan` first)", {
      path,
      field: "--workdir",
      expected: "a folder written by `tessera halo fof plan`",
      found: "no plan.json",
    });
  }
  let plan: FofPlanFile;
  try {
    plan = JSON.parse(text);
  } catch (e) {
    throw new HaloCliError("the plan is not JSON", { path, found: (e as Error).message });
  }
  if (plan?.kind !== "tessera-halo-fof-plan" || plan.version !== 1) {
    throw new HaloCliError("not a FOF plan of this version", {
      path,
      field: "kind",
      expected: "tessera-halo-fof-plan, version 1",
      found: `${plan?.kind}, version ${plan?.version}`,
    });
  }
  return plan;
}

type Stored = Float64Array | Float32Array | BigInt64Array | Int32Array;
type StoredType = "f64" | "f32" | "i64" | "i32";
const TYPES: Record<StoredType, new (b: ArrayBuffer) => Stored> = {
  f64: Float64Array,
  f32: Float32Array,
  i64: BigInt64Array,
  i32: Int32Array,
};
const CATALOG = "catalog.";
const OPEN = "open.";

function typeOf(a: Stored): StoredType {
  if (a instanceof Float64Array) return "f64";
  if (a instanceof Float32Array) return "f32";
  if (a instanceof BigInt64Array) return "i64";
  return "i32";
}

/** A block task's output: the merge records (no memberships) and the halo parts. */
export interface StoredBlock {
  result: FofBlockResult;
  halos: BlockHalos;
}

/** The arrays of a stored block, by name. */
function arraysOf({ result: r, halos }: StoredBlock): Record<string, Stored> {
  const out: Record<string, Stored> = {
    closedMinId: r.closed.minId,
    closedSize: r.closed.size,
    openMinId: r.open.minId,
    openSize: r.open.size,
    ghostIds: r.ghostIds,
    ghostOpen: r.ghostOpen,
    boundaryIds: r.boundaryIds,
    boundaryOpen: r.boundaryOpen,
    firstRow: halos.firstRow,
    memberIds: halos.memberIds,
  };
  for (const [name, a] of Object.entries(halos.catalog)) out[CATALOG + name] = a as Stored;
  for (const [name, a] of Object.entries(halos.open)) out[OPEN + name] = a as Stored;
  return out;
}

/** Write the output of block task `block.result.block` for plan `planId`. */
export async function writeBlockFile(workdir: string, planId: string, block: StoredBlock): Promise<string> {
  const r = block.result;
  const arrays = arraysOf(block);
  const entries: { name: string; type: StoredType; length: number; offset: number }[] = [];
  let offset = 0;
  for (const [name, a] of Object.entries(arrays)) {
    entries.push({ name, type: typeOf(a), length: a.length, offset });
    offset += Math.ceil(a.byteLength / 8) * 8;
  }
  const header = Buffer.from(
    JSON.stringify({
      planId,
      block: r.block,
      particleCount: r.particleCount,
      ownedCount: r.ownedCount,
      arrays: entries,
    }),
  );
  const start = Math.ceil((12 + header.length) / 8) * 8;
  const bytes = new Uint8Array(start + offset);
  bytes.set(Buffer.from(MAGIC, "latin1"), 0);
  new DataView(bytes.buffer).setUint32(8, header.length, true);
  bytes.set(header, 12);
  for (const e of entries) {
    const a = arrays[e.name];
    bytes.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), start + e.offset);
  }
  const path = blockPath(workdir, r.block);
  await mkdir(join(workdir, "blocks"), { recursive: true });
  await writeAtomic(path, bytes);
  return path;
}

/**
 * Read the result of block `id`, checking it belongs to plan `planId`; a missing result is a typed
 * error saying which task to run.
 */
export async function readBlockFile(workdir: string, planId: string, id: number): Promise<StoredBlock> {
  const path = blockPath(workdir, id);
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
    throw new HaloCliError("a block has no result yet", {
      path,
      block: id,
      expected: `the result of \`tessera halo fof block --workdir ${workdir} --id ${id}\``,
      found: "no file",
    });
  }
  const bad = (found: string): never => {
    throw new HaloCliError("not a FOF block result", { path, block: id, expected: MAGIC, found });
  };
  const magic = bytes.subarray(0, 8).toString("latin1");
  if (magic.startsWith("TSFOFB") && magic !== MAGIC)
    bad(`a block result of another version (${magic}): rerun the block task`);
  if (bytes.length < 12 || magic !== MAGIC) bad("another file");
  const hl = bytes.readUInt32LE(8);
  let header: {
    planId: string;
    block: number;
    particleCount: number;
    ownedCount: number;
    arrays: { name: string; type: StoredType; length: number; offset: number }[];
  };
  try {
    header = JSON.parse(bytes.subarray(12, 12 + hl).toString("utf8"));
  } catch {
    return bad("a damaged header");
  }
  if (header.planId !== planId || header.block !== id) {
    throw new HaloCliError("the block result belongs to another plan (rerun the block task)", {
      path,
      block: id,
      field: "planId",
      expected: `plan ${planId}, block ${id}`,
      found: `plan ${header.planId}, block ${header.block}`,
    });
  }
  const start = Math.ceil((12 + hl) / 8) * 8;
  const a: Record<string, Stored> = {};
  const catalog: Record<string, Stored> = {};
  const open: Record<string, Stored> = {};
  for (const e of header.arrays) {
    const Ctor = TYPES[e.type];
    if (Ctor === undefined) bad(`an array of unknown type ${e.type}`);
    const size = e.length * (e.type === "f64" || e.type === "i64" ? 8 : 4);
    const at = start + e.offset;
    if (at + size > bytes.length) bad(`a file cut short (${bytes.length} bytes)`);
    const copy = new Uint8Array(size);
    copy.set(bytes.subarray(at, at + size));
    const array = new Ctor(copy.buffer);
    if (e.name.startsWith(CATALOG)) catalog[e.name.slice(CATALOG.length)] = array;
    else if (e.name.startsWith(OPEN)) open[e.name.slice(OPEN.length)] = array;
    else a[e.name] = array;
  }
  return {
    result: {
      block: header.block,
      particleCount: header.particleCount,
      ownedCount: header.ownedCount,
      closed: { minId: a.closedMinId as Float64Array, size: a.closedSize as Int32Array },
      open: { minId: a.openMinId as Float64Array, size: a.openSize as Int32Array },
      ghostIds: a.ghostIds as Float64Array,
      ghostOpen: a.ghostOpen as Int32Array,
      boundaryIds: a.boundaryIds as Float64Array,
      boundaryOpen: a.boundaryOpen as Int32Array,
    },
    halos: {
      catalog: catalog as unknown as HaloPropertiesColumns,
      firstRow: a.firstRow as Float64Array,
      memberIds: a.memberIds as Float64Array,
      open: open as unknown as BlockHalos["open"],
    },
  };
}

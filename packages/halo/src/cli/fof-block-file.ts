/**
 * The files of a blockwise FOF run in its work folder: `plan.json` (what `fof plan` decided) and
 * `blocks/<id>.fofblock` (what each `fof block --id N` task found), both written atomically.
 *
 * A block file is `TSFOFB01` ‖ u32 LE header length ‖ JSON header ‖ padding to 8 ‖ the arrays the
 * header lists (float64 / int32, little-endian, each at an 8-aligned offset).
 */
import { randomBytes } from "node:crypto";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { FofBlockOptions, FofBlockResult } from "../fof/blockwise.js";
import { temporaryPath } from "../reduce/output-files.js";
import { HaloCliError, type ParticleColumnNames, type ParticleMass } from "./common.js";

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

const MAGIC = "TSFOFB01";
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

type Stored = Float64Array | Int32Array;

/** The arrays of a block result, by name. */
function arraysOf(r: FofBlockResult): Record<string, Stored> {
  const m = r.memberships;
  if (m === undefined) throw new Error("block results are stored with their memberships");
  return {
    closedMinId: r.closed.minId,
    closedSize: r.closed.size,
    openMinId: r.open.minId,
    openSize: r.open.size,
    ghostIds: r.ghostIds,
    ghostOpen: r.ghostOpen,
    boundaryIds: r.boundaryIds,
    boundaryOpen: r.boundaryOpen,
    memberIds: m.ids,
    memberMinId: m.minId,
    memberSize: m.size,
    memberOpen: m.open,
  };
}

/** Write a block result (with memberships) for plan `planId`. */
export async function writeBlockFile(workdir: string, planId: string, r: FofBlockResult): Promise<string> {
  const arrays = arraysOf(r);
  const entries: { name: string; type: "f64" | "i32"; length: number; offset: number }[] = [];
  let offset = 0;
  for (const [name, a] of Object.entries(arrays)) {
    entries.push({ name, type: a instanceof Float64Array ? "f64" : "i32", length: a.length, offset });
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
export async function readBlockFile(workdir: string, planId: string, id: number): Promise<FofBlockResult> {
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
  if (bytes.length < 12 || bytes.subarray(0, 8).toString("latin1") !== MAGIC) bad("another file");
  const hl = bytes.readUInt32LE(8);
  let header: {
    planId: string;
    block: number;
    particleCount: number;
    ownedCount: number;
    arrays: { name: string; type: "f64" | "i32"; length: number; offset: number }[];
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
  for (const e of header.arrays) {
    const size = e.length * (e.type === "f64" ? 8 : 4);
    const at = start + e.offset;
    if (at + size > bytes.length) bad(`a file cut short (${bytes.length} bytes)`);
    const copy = new Uint8Array(size);
    copy.set(bytes.subarray(at, at + size));
    a[e.name] = e.type === "f64" ? new Float64Array(copy.buffer) : new Int32Array(copy.buffer);
  }
  return {
    block: header.block,
    particleCount: header.particleCount,
    ownedCount: header.ownedCount,
    closed: { minId: a.closedMinId as Float64Array, size: a.closedSize as Int32Array },
    open: { minId: a.openMinId as Float64Array, size: a.openSize as Int32Array },
    ghostIds: a.ghostIds as Float64Array,
    ghostOpen: a.ghostOpen as Int32Array,
    boundaryIds: a.boundaryIds as Float64Array,
    boundaryOpen: a.boundaryOpen as Int32Array,
    memberships: {
      ids: a.memberIds as Float64Array,
      minId: a.memberMinId as Float64Array,
      size: a.memberSize as Int32Array,
      open: a.memberOpen as Int32Array,
    },
  };
}

/**
 * Blockwise `tessera halo fof`: `plan` cuts the box into blocks and writes `<workdir>/plan.json`;
 * `block --id N` (one workflow task per block, in any order, in parallel) links the particles of
 * block N plus its overload margin and stores the closed halos and open-group records; `merge`
 * unions the open groups across blocks and writes the same tags and catalog as the whole-box `fof`.
 */
import { rm } from "node:fs/promises";
import { resolve } from "node:path";
import { parse } from "@tessera/cli";
import { startProgressBar } from "@tessera/volume";
import { logged, openRunLog } from "@tessera/volume/cli";
import { Command } from "commander";
import {
  type FofBlockPlan,
  type FofBlockResult,
  type FofBlockSpec,
  fofRegionContains,
  mergeFofBlocks,
  planFofBlocks,
  runFofBlock,
} from "../fof/blockwise.js";
import type { GenericIOArray } from "../genericio/format.js";
import { type GenericIOFile, openGenericIO } from "../genericio/read.js";
import {
  boxSizeOf,
  catalogFormat,
  checkDistinct,
  defaultLog,
  examples,
  HaloCliError,
  particleColumns,
  particleMassOf,
  positive,
  printSummary,
  refuseExisting,
  round,
} from "./common.js";
import {
  type FofPlanFile,
  newPlanId,
  planPath,
  readBlockFile,
  readPlanFile,
  writeBlockFile,
  writePlanFile,
} from "./fof-block-file.js";
import {
  type BlockHalos,
  type BlockRegionParticles,
  blockHalos,
  type HaloCatalogOptions,
  mergeBlockHalos,
} from "./fof-block-halos.js";
import { type FofCliOptions, linkingOf, required } from "./fof-options.js";
import { defaultTagsPath, writeFofOutputs } from "./halo-catalog.js";

/** The structured log of a work folder's plan and block tasks. */
function workLog(workdir: string, given?: string) {
  return openRunLog(given ?? `${workdir.replace(/\/+$/, "")}/fof.log`, "tessera-halo");
}

/** Open the plan's particle file, checking it still has the rows planned. */
async function openPlanned(plan: FofPlanFile, workdir: string): Promise<GenericIOFile> {
  const file = await openGenericIO(plan.input);
  if (file.totalRows !== plan.rows) {
    await file.close();
    throw new HaloCliError("the particle file changed since the plan (plan again)", {
      path: plan.input,
      field: "rows",
      expected: `${plan.rows} rows (${planPath(workdir)})`,
      found: `${file.totalRows} rows`,
    });
  }
  return file;
}

function checkedId(value: number, path: string, row: number, name: string): number {
  if (!Number.isSafeInteger(value)) {
    throw new HaloCliError("blockwise FOF needs integer particle ids below 2^53", {
      path,
      field: `${name}[${row}]`,
      expected: "an integer id < 2^53",
      found: String(value),
    });
  }
  return value;
}

/** Typed error for a coordinate outside [0, L]. */
function outsideBox(
  plan: FofPlanFile,
  name: string,
  axis: string,
  row: number,
  v: number,
  L: number,
): HaloCliError {
  return new HaloCliError("a particle lies outside the box", {
    path: plan.input,
    field: `${name}[${row}]`,
    expected: `${axis} in [0, ${L}] (${L} is the point at 0)`,
    found: String(v),
  });
}

/**
 * The particles of a block's region (owned + overload margin) with their velocities and file rows,
 * read rank by rank: memory is one rank plus the block's particles. Ids are the id column, else the
 * particle's row in the file.
 */
export async function readBlockRegion(
  file: GenericIOFile,
  plan: FofPlanFile,
  fofPlan: FofBlockPlan,
  spec: FofBlockSpec,
  onRank: (done: number, total: number) => void,
): Promise<BlockRegionParticles> {
  const [cx, cy, cz] = plan.columns.position;
  const velocity = plan.columns.velocity;
  const names = [cx, cy, cz, ...(velocity ?? []), ...(plan.columns.id ? [plan.columns.id] : [])];
  const xs: number[] = [];
  const ys: number[] = [];
  const zs: number[] = [];
  const vs: [number[], number[], number[]] = [[], [], []];
  const ids: number[] = [];
  const rows: number[] = [];
  let float32 = true;
  let base = 0;
  const L = fofPlan.boxSize;
  onRank(0, file.ranks.length);
  for (const [k, rank] of file.ranks.entries()) {
    const cols = await file.readRank(rank.rank, names);
    const [x, y, z] = [cols[cx], cols[cy], cols[cz]] as Float64Array[];
    if (!(x instanceof Float32Array && y instanceof Float32Array && z instanceof Float32Array))
      float32 = false;
    const v = velocity?.map((name) => cols[name] as Float64Array);
    const id = plan.columns.id ? (cols[plan.columns.id] as GenericIOArray) : undefined;
    for (let i = 0; i < rank.rows; i++) {
      const px = Number(x[i]);
      const py = Number(y[i]);
      const pz = Number(z[i]);
      if (!(px >= 0 && px <= L)) throw outsideBox(plan, cx, "x", base + i, px, L);
      if (!(py >= 0 && py <= L)) throw outsideBox(plan, cy, "y", base + i, py, L);
      if (!(pz >= 0 && pz <= L)) throw outsideBox(plan, cz, "z", base + i, pz, L);
      if (!fofRegionContains(fofPlan, spec, px, py, pz)) continue;
      xs.push(px);
      ys.push(py);
      zs.push(pz);
      if (v) for (let a = 0; a < 3; a++) vs[a].push(Number(v[a][i]));
      rows.push(base + i);
      ids.push(id ? checkedId(Number(id[i]), plan.input, base + i, plan.columns.id as string) : base + i);
    }
    base += rank.rows;
    onRank(k + 1, file.ranks.length);
  }
  const F = float32 ? Float32Array : Float64Array;
  const zero = velocity ? undefined : new Float64Array(xs.length);
  return {
    positions: { x: F.from(xs), y: F.from(ys), z: F.from(zs) },
    velocities: {
      x: zero ?? Float64Array.from(vs[0]),
      y: zero ?? Float64Array.from(vs[1]),
      z: zero ?? Float64Array.from(vs[2]),
    },
    ids: Float64Array.from(ids),
    rows: Float64Array.from(rows),
  };
}

interface PlanCliOptions extends FofCliOptions {
  input: string;
  workdir: string;
  blocks: number[];
  overload?: number;
}

function fofPlanCommand(): Command {
  return new Command("plan")
    .description(
      "cut the box into blocks for blockwise FOF and write <workdir>/plan.json (then `fof block` per block, `fof merge`)",
    )
    .requiredOption("-w, --workdir <dir>", "work folder for the plan and the block results")
    .requiredOption(
      "--blocks <nx,ny,nz>",
      "blocks per axis (one number for all three)",
      parse.integers("4,4,4"),
    )
    .option(
      "--overload <d>",
      "overload margin around each block, ≥ the linking length (default 1.05 ℓ)",
      positive("1.2"),
    )
    .configureHelp({ showGlobalOptions: true })
    .addHelpText(
      "after",
      `
The options of \`tessera halo fof\` apply (--input, the linking options, --box, --columns,
--particle-mass, --softening; --overwrite replaces a plan and removes its block results; --log,
default <workdir>/fof.log). Prints one JSON line with the block count and the task commands' form.
${examples(
  "tessera halo fof plan --input particles.gio --blocks 4,4,4 --workdir fof-run",
  "tessera halo fof plan -i snap.gio --blocks 2 -w fof-run --linking-parameter 0.2 --min-members 20",
)}`,
    )
    .action(async (_own: unknown, command: Command) => {
      const opts = command.optsWithGlobals() as PlanCliOptions;
      opts.input = required(opts.input, "-i, --input <particles.gio>", command);
      const workdir = opts.workdir.replace(/\/+$/, "");
      if (opts.blocks.length !== 1 && opts.blocks.length !== 3) {
        throw new HaloCliError("blocks: one number or three", {
          field: "--blocks",
          expected: "n or nx,ny,nz",
          found: opts.blocks.join(","),
        });
      }
      const blocks = (
        opts.blocks.length === 1 ? [opts.blocks[0], opts.blocks[0], opts.blocks[0]] : opts.blocks
      ) as [number, number, number];
      linkingOf(opts);
      await refuseExisting([planPath(workdir)], opts.overwrite === true);
      const log = workLog(workdir, opts.log);
      const summary = await logged(
        log,
        { command: "halo fof plan", input: opts.input, workdir },
        async () => {
          const file = await openGenericIO(opts.input);
          try {
            const boxSize = boxSizeOf(file, opts.box);
            const columns = particleColumns(file, opts.columns);
            const mass = particleMassOf(opts.input, file.totalRows, boxSize, {
              given: opts.particleMass,
              mass:
                opts.particleMass === undefined && columns.mass
                  ? await file.readColumn(columns.mass)
                  : undefined,
              cosmology: opts.cosmology,
            });
            const fof = {
              boxSize,
              ...linkingOf(opts),
              particleCount: file.totalRows,
              minMembers: opts.minMembers,
              blocks,
              ...(opts.overload === undefined ? {} : { overload: opts.overload }),
            };
            const fofPlan = planFofBlocks(fof);
            const plan: FofPlanFile = {
              kind: "tessera-halo-fof-plan",
              version: 1,
              id: newPlanId(),
              created: new Date().toISOString(),
              input: resolve(opts.input),
              rows: file.totalRows,
              columns,
              fof,
              linkingLength: fofPlan.linkingLength,
              particleMass: mass,
              softening: opts.softening ?? 0.1 * fofPlan.linkingLength,
            };
            if (opts.overwrite) await rm(`${workdir}/blocks`, { recursive: true, force: true });
            const path = await writePlanFile(workdir, plan);
            log.info({ blocks, linkingLength: fofPlan.linkingLength, overload: fofPlan.overload }, "planned");
            return {
              plan: path,
              blocks: fofPlan.specs.length,
              grid: blocks,
              particles: file.totalRows,
              boxSize,
              linkingLength: fofPlan.linkingLength,
              overload: fofPlan.overload,
              task: `tessera halo fof block --workdir ${workdir} --id <0..${fofPlan.specs.length - 1}>`,
              merge: `tessera halo fof merge --workdir ${workdir} --output <halos.gio>`,
            };
          } finally {
            await file.close();
          }
        },
      );
      printSummary(summary);
    });
}

/** Run one block task: read its region, link, store the result. */
export async function runFofBlockTask(workdir: string, id: number): Promise<Record<string, unknown>> {
  const started = performance.now();
  const plan = await readPlanFile(workdir);
  const fofPlan = planFofBlocks(plan.fof);
  const spec = fofPlan.specs[id];
  if (spec === undefined) {
    throw new HaloCliError("no such block in the plan", {
      path: planPath(workdir),
      field: "--id",
      expected: `a block id from 0 to ${fofPlan.specs.length - 1}`,
      found: String(id),
    });
  }
  const file = await openPlanned(plan, workdir);
  let particles: BlockRegionParticles;
  const bar = startProgressBar(`block ${id}`, "ranks");
  try {
    particles = await readBlockRegion(file, plan, fofPlan, spec, bar.update);
  } finally {
    bar.stop();
    await file.close();
  }
  const result = runFofBlock(fofPlan, id, particles, { keepMemberships: true });
  const halos = blockHalos(particles, result, catalogOptions(plan, fofPlan));
  result.memberships = undefined;
  const path = await writeBlockFile(workdir, plan.id, { result, halos });
  return {
    block: id,
    result: path,
    particles: result.particleCount,
    owned: result.ownedCount,
    closedHalos: result.closed.size.length,
    openGroups: result.open.size.length,
    openGroupParticles: halos.open.group.length,
    records: result.ghostIds.length + result.boundaryIds.length,
    seconds: round((performance.now() - started) / 1000, 2),
  };
}

function fofBlockCommand(): Command {
  return new Command("block")
    .description(
      "one block of a blockwise FOF run (a workflow task): link its particles, store <workdir>/blocks/<id>.fofblock",
    )
    .requiredOption("-w, --workdir <dir>", "work folder of `fof plan`")
    .requiredOption("--id <n>", "block id (0 … blocks − 1)", parse.integer(0, 2 ** 31 - 1, "3"))
    .configureHelp({ showGlobalOptions: true })
    .addHelpText(
      "after",
      `
A rerun replaces the block's result (tasks are idempotent). Log: --log of \`fof\` (default <workdir>/fof.log).
${examples(
  "tessera halo fof block --workdir fof-run --id 3",
  "for n in $(seq 0 63); do tessera halo fof block -w fof-run --id $n & done; wait",
)}`,
    )
    .action(async (_own: unknown, command: Command) => {
      const opts = command.optsWithGlobals() as { workdir: string; id: number; log?: string };
      const workdir = opts.workdir.replace(/\/+$/, "");
      const log = workLog(workdir, opts.log);
      const summary = await logged(log, { command: "halo fof block", workdir, block: opts.id }, () =>
        runFofBlockTask(workdir, opts.id),
      );
      printSummary(summary);
    });
}

interface MergeCliOptions {
  workdir: string;
  output?: string;
  tags?: string;
  overwrite?: boolean;
  log?: string;
}

/** How the plan's halo properties are computed. */
function catalogOptions(plan: FofPlanFile, fofPlan: FofBlockPlan): HaloCatalogOptions {
  return {
    boxSize: fofPlan.boxSize,
    particleMass: plan.particleMass.value,
    softening: plan.softening,
    minMembers: fofPlan.minMembers,
  };
}

/**
 * Merge the block results of a work folder and write the tags and the catalog. The particle file
 * is not read again: closed halos come with their catalog rows, crossing halos are computed from
 * the open groups' particles the blocks kept.
 */
export async function runFofMerge(
  workdir: string,
  output: string,
  tagsPath: string,
  overwrite: boolean,
  log: ReturnType<typeof workLog>,
): Promise<Record<string, unknown>> {
  const started = performance.now();
  const plan = await readPlanFile(workdir);
  const fofPlan = planFofBlocks(plan.fof);
  const results: FofBlockResult[] = [];
  const parts: BlockHalos[] = [];
  const bar = startProgressBar("merge", "blocks");
  try {
    bar.update(0, fofPlan.specs.length);
    for (const spec of fofPlan.specs) {
      const stored = await readBlockFile(workdir, plan.id, spec.index);
      results.push(stored.result);
      parts.push(stored.halos);
      bar.update(results.length, fofPlan.specs.length);
    }
  } finally {
    bar.stop();
  }
  const merge = mergeFofBlocks(fofPlan, results);
  log.info({ halos: merge.halos.count }, "merged");
  const { catalog, tags } = mergeBlockHalos(parts, merge, catalogOptions(plan, fofPlan));
  parts.length = 0;
  const halos = catalog.fof_halo_count.length;
  if (halos !== merge.halos.count) {
    throw new HaloCliError("the block results disagree with the merge (rerun the block tasks)", {
      path: workdir,
      field: "halos",
      expected: `${merge.halos.count} halos`,
      found: `${halos} halos in the block results`,
    });
  }
  const written = await writeFofOutputs(output, tagsPath, { ...catalog }, tags, {
    boxSize: fofPlan.boxSize,
    overwrite,
    provenance: {
      operation: "halo fof merge",
      inputs: [plan.input],
      parameters: {
        boxSize: fofPlan.boxSize,
        linkingLength: fofPlan.linkingLength,
        minMembers: fofPlan.minMembers,
        blocks: fofPlan.blocks,
        overload: fofPlan.overload,
        particleMass: plan.particleMass.value,
        particleMassSource: plan.particleMass.source,
        softening: plan.softening,
        columns: plan.columns,
        plan: plan.id,
      },
    },
  });
  return {
    output: written.catalog.path,
    tags: written.tags.path,
    particles: plan.rows,
    blocks: fofPlan.specs.length,
    halos,
    members: tags.id.length,
    largest: catalog.fof_halo_count.reduce((m, c) => Math.max(m, c), 0),
    linkingLength: fofPlan.linkingLength,
    seconds: round((performance.now() - started) / 1000, 2),
  };
}

function fofMergeCommand(): Command {
  return new Command("merge")
    .description(
      "merge the block results of a blockwise FOF run: the same tags and catalog as the whole-box `fof`",
    )
    .requiredOption("-w, --workdir <dir>", "work folder of `fof plan` and `fof block`")
    .configureHelp({ showGlobalOptions: true })
    .addHelpText(
      "after",
      `
The options of \`tessera halo fof\` name the outputs: --output (required), --tags, --overwrite, --log.
Refuses to merge while a block has no result (naming the task to run).
${examples(
  "tessera halo fof merge --workdir fof-run --output halos.gio",
  "tessera halo fof merge -w fof-run -o halos.zarr --tags members.gio --overwrite",
)}`,
    )
    .action(async (_own: unknown, command: Command) => {
      const opts = command.optsWithGlobals() as MergeCliOptions;
      const workdir = opts.workdir.replace(/\/+$/, "");
      const output = required(opts.output, "-o, --output <halos.gio|csv|zarr>", command).replace(/\/+$/, "");
      const tagsPath = opts.tags ?? defaultTagsPath(output);
      checkDistinct({ output, tags: tagsPath });
      catalogFormat(output, "--output");
      catalogFormat(tagsPath, "--tags");
      await refuseExisting([output, tagsPath], opts.overwrite === true);
      const log = openRunLog(opts.log ?? defaultLog(output), "tessera-halo");
      const summary = await logged(log, { command: "halo fof merge", workdir, output, tags: tagsPath }, () =>
        runFofMerge(workdir, output, tagsPath, opts.overwrite === true, log),
      );
      printSummary(summary);
    });
}

export { fofBlockCommand, fofMergeCommand, fofPlanCommand };

/** `tessera halo reduce`: mass cuts, column selection, mass functions and particle down-sampling. */
import { parse } from "@tessera/cli";
import { startProgressBar } from "@tessera/volume";
import { logged, openRunLog } from "@tessera/volume/cli";
import { Command } from "commander";
import type { Logger } from "pino";
import { openGenericIO } from "../genericio/read.js";
import { type Catalog, catalogColumn, catalogRows } from "../reduce/catalog.js";
import { downsample } from "../reduce/downsample.js";
import { massCut, selectColumns } from "../reduce/mass-cut.js";
import { massFunction } from "../reduce/mass-function.js";
import {
  catalogFormat,
  checkDistinct,
  defaultLog,
  examples,
  finite,
  HaloCliError,
  names,
  positive,
  printSummary,
  refuseExisting,
  round,
  writeCatalogFile,
} from "./common.js";

/** Options of `halo reduce`, as commander parses them. */
export interface ReduceCliOptions {
  input: string;
  output?: string;
  minMass?: number;
  maxMass?: number;
  massColumn: string;
  columns?: string[];
  massFunction?: string;
  bins: number;
  log10MassRange?: number[];
  box?: number;
  downsample?: number;
  seed: number;
  idColumn: string;
  overwrite?: boolean;
  log?: string;
}

/** What `tessera halo reduce` prints (one JSON line). */
export interface ReduceSummary {
  input: string;
  inputRows: number;
  output?: string;
  format?: string;
  rows: number;
  columns: string[];
  massFunction?: { path: string; bins: number; halos: number; outside: number };
  seconds: number;
}

/** Read every column (or only `wanted`) of a GenericIO catalog, with a progress bar per column. */
async function readCatalog(path: string): Promise<{ catalog: Catalog; boxSize?: number }> {
  const file = await openGenericIO(path);
  const bar = startProgressBar("read", "columns");
  try {
    const catalog: Catalog = {};
    const vars = file.variables;
    bar.update(0, vars.length);
    for (const [k, v] of vars.entries()) {
      if (v.elementCount !== 1) {
        throw new HaloCliError("a catalog column must hold one value per row", {
          path,
          field: `variable ${v.name}`,
          expected: "a scalar variable",
          found: `${v.elementCount} values per row`,
        });
      }
      catalog[v.name] = await file.readColumn(v.name);
      bar.update(k + 1, vars.length);
    }
    const [sx, sy, sz] = file.physScale;
    return { catalog, boxSize: sx > 0 && sx === sy && sx === sz ? sx : undefined };
  } finally {
    bar.stop();
    await file.close();
  }
}

/** Apply the reductions and write the outputs. */
export async function runReduce(opts: ReduceCliOptions, log: Logger): Promise<ReduceSummary> {
  const started = performance.now();
  const { catalog: input, boxSize: fileBox } = await readCatalog(opts.input);
  const inputRows = catalogRows(input);
  let catalog = input;
  if (opts.minMass !== undefined || opts.maxMass !== undefined) {
    catalog = massCut(catalog, { min: opts.minMass, max: opts.maxMass, column: opts.massColumn });
    log.info({ rows: catalogRows(catalog), min: opts.minMass, max: opts.maxMass }, "mass cut");
  }
  if (opts.downsample !== undefined) {
    catalog = downsample(catalog, { fraction: opts.downsample, seed: opts.seed, idColumn: opts.idColumn });
    log.info({ rows: catalogRows(catalog), fraction: opts.downsample, seed: opts.seed }, "downsampled");
  }
  const parameters = {
    minMass: opts.minMass,
    maxMass: opts.maxMass,
    massColumn: opts.massColumn,
    columns: opts.columns,
    downsample: opts.downsample,
    seed: opts.downsample === undefined ? undefined : opts.seed,
  };
  let mf: ReduceSummary["massFunction"];
  if (opts.massFunction !== undefined) {
    const boxSize = opts.box ?? fileBox;
    if (boxSize === undefined) {
      throw new HaloCliError("the mass function needs the box size", {
        path: opts.input,
        field: "--box",
        expected: "--box L (the file's physical scale is not a cube)",
        found: "no box size",
      });
    }
    const masses = catalogColumn(catalog, opts.massColumn, "--mass-column");
    let range = opts.log10MassRange;
    if (range === undefined) {
      let lo = Number.POSITIVE_INFINITY;
      let hi = Number.NEGATIVE_INFINITY;
      for (let i = 0; i < masses.length; i++) {
        const m = Number(masses[i]);
        if (m > 0) {
          lo = Math.min(lo, m);
          hi = Math.max(hi, m);
        }
      }
      if (!(hi >= lo)) {
        throw new HaloCliError("no positive masses to bin", {
          path: opts.input,
          field: opts.massColumn,
          expected: "at least one mass > 0 (after the cuts), or --log10-mass-range lo,hi",
          found: `${masses.length} rows`,
        });
      }
      range = hi > lo ? [Math.log10(lo), Math.log10(hi)] : [Math.log10(lo) - 0.5, Math.log10(lo) + 0.5];
    }
    const result = massFunction(masses, { boxSize, bins: opts.bins, min: range[0], max: range[1] });
    const nb = result.counts.length;
    const table: Catalog = {
      log10m_lo: result.edges.slice(0, nb),
      log10m_hi: result.edges.slice(1),
      log10m_center: result.centres,
      count: result.counts,
      dndlog10m: result.dndlog10m,
      error: result.error,
    };
    const written = await writeCatalogFile(opts.massFunction, table, {
      overwrite: opts.overwrite === true,
      field: "--mass-function",
      provenance: {
        operation: "halo reduce --mass-function",
        inputs: [opts.input],
        parameters: { ...parameters, boxSize, bins: opts.bins, log10MassRange: range, volume: result.volume },
      },
    });
    mf = {
      path: written.path,
      bins: nb,
      halos: catalogRows(catalog) - result.outside,
      outside: result.outside,
    };
    log.info(mf, "mass function");
  }
  if (opts.columns !== undefined) catalog = selectColumns(catalog, opts.columns);
  let output: { path: string; format: string } | undefined;
  if (opts.output !== undefined) {
    const written = await writeCatalogFile(opts.output, catalog, {
      boxSize: opts.box ?? fileBox,
      overwrite: opts.overwrite === true,
      provenance: { operation: "halo reduce", inputs: [opts.input], parameters },
    });
    output = { path: written.path, format: written.format };
  }
  return {
    input: opts.input,
    inputRows,
    ...(output ? { output: output.path, format: output.format } : {}),
    rows: catalogRows(catalog),
    columns: Object.keys(catalog),
    ...(mf ? { massFunction: mf } : {}),
    seconds: round((performance.now() - started) / 1000, 2),
  };
}

/** The `halo reduce` command. */
export function reduceCommand(): Command {
  return new Command("reduce")
    .description(
      "reduce a GenericIO catalog: mass cuts, column selection, mass function, particle down-sampling",
    )
    .requiredOption(
      "-i, --input <catalog.gio>",
      "GenericIO halo catalog (or particle file, for --downsample)",
    )
    .option("-o, --output <out.gio|csv|zarr>", "reduced catalog (format by extension)")
    .option("--min-mass <M>", "keep rows with mass ≥ M (M☉/h)", finite("1e12"))
    .option("--max-mass <M>", "keep rows with mass < M (M☉/h)", finite("1e15"))
    .option("--mass-column <name>", "column of the mass", "fof_halo_mass")
    .option(
      "--columns <a,b,...>",
      "columns to keep, in this order (default all)",
      names("fof_halo_tag,fof_halo_mass"),
    )
    .option("--mass-function <out.csv>", "write dn/dlog10M of the (cut) catalog (CSV, GenericIO or zarr)")
    .option("--bins <n>", "mass-function bins", parse.integer(1, 100000, "20"), 20)
    .option(
      "--log10-mass-range <lo,hi>",
      "mass-function range in log10(M/(M☉/h)) (default: the catalog's masses)",
      parse.numbers("12,15", { count: 2 }),
    )
    .option("--box <L>", "side of the box, Mpc/h (default: the file's physical scale)", positive("256"))
    .option(
      "--downsample <f>",
      "keep a fraction f of the particles, by id hash (same ids in every file)",
      parse.number(0, 1, "0.01"),
    )
    .option("--seed <s>", "seed of --downsample", parse.integer(0, 2 ** 32 - 1, "7"), 0)
    .option("--id-column <name>", "particle id column for --downsample", "id")
    .option("--overwrite", "replace existing outputs")
    .option("--log <file>", "structured log (JSON lines; default <output>.log)")
    .addHelpText(
      "after",
      `
The mass cut keeps min ≤ mass < max; then --downsample, then --columns. Give --output, --mass-function or both.
${examples(
  "tessera halo reduce --input halos.gio --output massive.csv --min-mass 1e13 --columns fof_halo_tag,fof_halo_mass",
  "tessera halo reduce -i halos.gio --mass-function hmf.csv --bins 20 --box 256",
  "tessera halo reduce -i particles.gio -o sample.gio --downsample 0.01 --seed 7",
)}`,
    )
    .action(async (opts: ReduceCliOptions, command: Command) => {
      if (opts.output === undefined && opts.massFunction === undefined) {
        command.error("error: give --output, --mass-function or both", {
          code: "commander.missingMandatoryOptionValue",
          exitCode: 2,
        });
      }
      const outputs = [opts.output, opts.massFunction].filter((p): p is string => p !== undefined);
      checkDistinct({ input: opts.input, output: opts.output, "mass function": opts.massFunction });
      if (opts.output !== undefined) catalogFormat(opts.output, "--output");
      if (opts.massFunction !== undefined) catalogFormat(opts.massFunction, "--mass-function");
      await refuseExisting(outputs, opts.overwrite === true);
      const log = openRunLog(opts.log ?? defaultLog(outputs[0]), "tessera-halo");
      const summary = await logged(log, { command: "halo reduce", input: opts.input, outputs }, () =>
        runReduce(opts, log),
      );
      printSummary(summary);
    });
}

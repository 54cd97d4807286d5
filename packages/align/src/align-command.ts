import { availableParallelism } from "node:os";
import { parse, warn } from "@tessera/cli";
import { startProgressBar } from "@tessera/volume";
import { logged, openRunLog } from "@tessera/volume/cli";
import { Command, Option } from "commander";
import type { Logger } from "pino";
import {
  AlignOutput,
  type AlignSettings,
  assertAlignOutputPath,
  pairStore,
  type QcSummary,
  resolveSettings,
} from "./outputs.js";
import { closePairPool, pairPool } from "./pair-pool.js";
import { type OpenedSectionSource, openSectionSource } from "./source.js";
import { type AlignStackOptions, alignStack, computePairs } from "./stack.js";
import { ALIGN_MODES, type AlignMode, type SectionAlignment } from "./stack-types.js";

/** Options of `tessera align` (and `align section`), as commander parses them. */
export interface AlignCliOptions {
  input?: string;
  output?: string;
  mode: AlignMode;
  patch?: number;
  stride?: number;
  referenceWindow?: number;
  resolution?: number[];
  overwrite?: boolean;
  threads?: number;
  log?: string;
}

/** What `tessera align` prints (one JSON line) and logs when it is done. */
export interface AlignRunSummary extends QcSummary {
  output: string;
  mode: AlignMode;
  /** Sections an earlier run had finished (reused, not recomputed). */
  resumed: number;
  seconds: number;
}

/** What `tessera align section` prints (one JSON line). */
export interface AlignSectionSummary {
  output: string;
  z: number;
  /** The pairs computed (reference, z) and their match counts. */
  pairs: { reference: number; matches: number; inliers: number; residualRms: number | null }[];
  seconds: number;
}

const EXAMPLES = `
Examples:
  $ tessera align --input sections/ --output aligned.zarr --mode elastic --resolution 40,4,4
  $ tessera align -i raw.zarr -o aligned.zarr --mode rigid --patch 128 --reference-window 2
  $ tessera align section --z 7 -i raw.zarr -o aligned.zarr --mode elastic   (one workflow task)

Pair maps run on --threads worker threads (default: all cores), a few sections ahead of the
in-order spring meshes; the results do not depend on the thread count.
The input is a folder of 8/16-bit grayscale PNG/TIFF sections (natural sort of names), a multi-page
TIFF, or a 3-D zarr array. The output is a zarr group: aligned (the volume), transforms/<z>.json,
flow (elastic), pairs/, qc.json, qc.md and qc.svg. Rerunning the same command continues an
interrupted run (done sections are skipped); other settings are refused unless --overwrite.
\`align section --z N\` computes section N's pair maps into <output>/pairs/ (tasks may run in
parallel); the main command then reuses them.
`;

/** The options of `align`, which `align section` shares (they may come before or after `section`). */
function withAlignOptions(command: Command): Command {
  return command
    .requiredOption(
      "-i, --input <path>",
      "sections: folder of PNG/TIFF files, multi-page TIFF, or 3-D zarr array",
    )
    .requiredOption(
      "-o, --output <zarr>",
      "output zarr group (continued when it holds an earlier run with the same settings)",
    )
    .addOption(
      new Option("-m, --mode <mode>", "alignment model").choices([...ALIGN_MODES]).default("elastic"),
    )
    .option(
      "--patch <px>",
      "patch size for matches (default 160 elastic, 128 otherwise)",
      parse.integer(16, 4096, "160"),
    )
    .option(
      "--stride <px>",
      "patch / mesh node spacing (default 40 elastic, patch/2 otherwise)",
      parse.integer(1, 4096, "40"),
    )
    .option(
      "--reference-window <k>",
      "match each section against the k previous non-blank sections",
      parse.integer(1, 16, "2"),
    )
    .option("--log <file>", "structured log (JSON lines, appended; default <output>.log)");
}

/** The input and output (without a trailing slash). */
function inputOutput(opts: AlignCliOptions): { input: string; output: string } {
  return { input: opts.input as string, output: (opts.output as string).replace(/\/+$/, "") };
}

/** The command line as the options were understood (for provenance). */
function commandLine(input: string, output: string, s: AlignSettings, opts: AlignCliOptions): string {
  const parts = ["tessera align", "--input", input, "--output", output, "--mode", s.mode];
  parts.push("--patch", String(s.patchSize), "--stride", String(s.stride));
  parts.push("--reference-window", String(s.referenceWindow));
  if (opts.resolution) parts.push("--resolution", opts.resolution.join(","));
  if (opts.overwrite) parts.push("--overwrite");
  if (opts.threads !== undefined) parts.push("--threads", String(opts.threads));
  return parts.join(" ");
}

function stackOptions(settings: AlignSettings, extra: Partial<AlignStackOptions>): AlignStackOptions {
  return {
    mode: settings.mode,
    patchSize: settings.patchSize,
    stride: settings.stride,
    referenceWindow: settings.referenceWindow,
    ...extra,
  };
}

const round = (v: number | null, digits = 4) => (v === null ? null : Number(v.toFixed(digits)));

/**
 * What `tessera align` does once its options are parsed: open and check the input, open (create or
 * continue) the output, align section by section with a progress bar and one log line per section,
 * write the QC report and mark the output complete.
 */
export async function runAlign(
  source: OpenedSectionSource,
  output: string,
  settings: AlignSettings,
  opts: AlignCliOptions,
  log: Logger,
): Promise<AlignRunSummary> {
  const started = performance.now();
  const resolution = opts.resolution ?? source.resolution;
  if (resolution === undefined) {
    warn(`${source.input} has no resolution: the aligned volume gets none (give --resolution z,y,x in nm)`);
  }
  const out = await AlignOutput.open(output, {
    source,
    settings,
    overwrite: opts.overwrite === true,
    resolution,
    command: commandLine(source.input, output, settings, opts),
    onIgnoredPair: (file) => log.warn({ file }, "pair map computed with other settings: recomputed"),
  });
  const bar = startProgressBar("align", "sections");
  const alignments: SectionAlignment[] = [];
  let resumed = 0;
  const threads = opts.threads ?? availableParallelism();
  try {
    let last = performance.now();
    const stack = alignStack(
      source,
      stackOptions(settings, {
        known: (z) => out.known(z),
        pairs: out.pairs,
        computePair: threads > 1 ? pairPool(threads) : undefined,
        lookahead: threads > 1 ? 2 * threads : 0,
        onWarning: (message, z) => {
          warn(`section ${z} (${source.name(z)}): ${message}`);
          log.warn({ z, section: source.name(z), message }, "warning");
        },
      }),
    );
    for await (const section of stack) {
      if (!section.resumed) await out.writeSection(section);
      else resumed++;
      const a = section.alignment;
      alignments.push({ ...a, map: null }); // the QC report needs no maps: memory stays small
      const now = performance.now();
      log.info(
        {
          z: a.z,
          section: source.name(a.z),
          status: a.status,
          reason: a.reason,
          resumed: section.resumed,
          references: a.references,
          matches: a.matches,
          inliers: a.inliers,
          residualRms: a.residualRms,
          correlationBefore: a.correlationBefore,
          correlationAfter: a.correlationAfter,
          seconds: (now - last) / 1000,
        },
        "section",
      );
      last = now;
      bar.update(alignments.length, source.depth);
    }
  } finally {
    bar.stop();
    await closePairPool();
  }
  const report = await out.finish(alignments);
  const s = report.summary;
  return {
    output,
    mode: settings.mode,
    ...s,
    medianCorrelationBefore: round(s.medianCorrelationBefore),
    medianCorrelationAfter: round(s.medianCorrelationAfter),
    medianResidualRms: round(s.medianResidualRms),
    resumed,
    seconds: round((performance.now() - started) / 1000, 2) as number,
  };
}

/**
 * What `tessera align section --z N` does: compute section N's pair maps against its reference
 * window and store them in `<output>/pairs/`.
 */
export async function runAlignSection(
  source: OpenedSectionSource,
  output: string,
  z: number,
  settings: AlignSettings,
  log: Logger,
): Promise<AlignSectionSummary> {
  const started = performance.now();
  await assertAlignOutputPath(output);
  const identity = { settings, input: { depth: source.depth, height: source.height, width: source.width } };
  const store = pairStore(output, identity, (file) =>
    log.warn({ file }, "pair map computed with other settings: recomputed"),
  );
  const pairs = await computePairs(
    source,
    z,
    stackOptions(settings, {
      pairs: store,
      onWarning: (message, at) => {
        warn(`section ${at} (${source.name(at)}): ${message}`);
        log.warn({ z: at, section: source.name(at), message }, "warning");
      },
    }),
  );
  // computePairs fills the store it is given; store again in case a pair came back without it
  for (const pair of pairs) {
    if ((await store.get(pair.reference, pair.z)) === undefined) await store.put(pair);
  }
  return {
    output,
    z,
    pairs: pairs.map((p) => ({
      reference: p.reference,
      matches: p.matches,
      inliers: p.inliers,
      residualRms: round(p.residualRms),
    })),
    seconds: round((performance.now() - started) / 1000, 2) as number,
  };
}

function sectionCommand(): Command {
  return new Command("section")
    .description("compute one section's pair maps into <output>/pairs/ (a workflow task; run in parallel)")
    .requiredOption("--z <n>", "the section (0-based)", parse.integer(0, 10_000_000, "7"))
    .configureHelp({ showGlobalOptions: true })
    .addHelpText(
      "after",
      `
The options of \`tessera align\` (--input, --output, --mode, --patch, --stride, --reference-window,
--log) apply; give the same ones as the main run, which then reuses the stored pair maps.

Examples:
  $ tessera align section --z 7 -i raw.zarr -o aligned.zarr --mode elastic
  $ for z in $(seq 1 99); do tessera align section --z $z -i sections/ -o aligned.zarr & done; wait
  $ tessera align -i sections/ -o aligned.zarr   (then aligns, reusing the stored pair maps)
`,
    )
    .action(async ({ z }: { z: number }, command: Command) => {
      const opts = command.optsWithGlobals() as AlignCliOptions;
      const { input, output } = inputOutput(opts);
      const settings = resolveSettings({ ...opts, patchSize: opts.patch });
      const log = openRunLog(opts.log ?? `${output}.log`, "tessera-align");
      const what = { command: "align section", input, output, z, mode: settings.mode };
      const summary = await logged(log, what, async () => {
        const source = await openSectionSource(input);
        if (z >= source.depth) {
          command.error(
            `error: option '--z <n>' argument '${z}' is invalid: expected a section from 0 to ${source.depth - 1} of ${input}`,
            { code: "commander.invalidArgument", exitCode: 2 },
          );
        }
        return runAlignSection(source, output, z, settings, log);
      });
      process.stdout.write(`${JSON.stringify(summary)}\n`);
    });
}

/**
 * The `align` command: `tessera align --input <sections> --output aligned.zarr --mode
 * translation|rigid|affine|elastic`, with a progress bar per section, a structured log line per
 * section, a QC report and a one-line JSON summary; resumable. Its subcommand `align section --z N`
 * computes one section's pair maps (a parallel workflow task).
 */
export function alignCommand(): Command {
  return withAlignOptions(
    new Command("align").description(
      "register a stack of serial EM sections (translation, rigid, affine or elastic)",
    ),
  )
    .option(
      "--resolution <z,y,x>",
      "voxel size in nm (default: the input zarr's resolution attribute)",
      parse.numbers("40,4,4", { count: 3, positive: true }),
    )
    .option("--overwrite", "replace an output written with other settings (pairs/ is kept and checked)")
    .option(
      "--threads <n>",
      "worker threads for pair maps, matched ahead of the in-order meshes (default: all cores; 1: this thread)",
      parse.integer(1, 1024, "4"),
    )
    .addHelpText("after", EXAMPLES)
    .addCommand(sectionCommand())
    .action(async (opts: AlignCliOptions) => {
      const { input, output } = inputOutput(opts);
      const settings = resolveSettings({ ...opts, patchSize: opts.patch });
      const log = openRunLog(opts.log ?? `${output}.log`, "tessera-align");
      const what = { command: "align", input, output, mode: settings.mode, options: settings };
      const summary = await logged(log, what, async () => {
        const source = await openSectionSource(input);
        return runAlign(source, output, settings, opts, log);
      });
      process.stdout.write(`${JSON.stringify(summary)}\n`);
    });
}

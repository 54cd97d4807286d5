/** `tessera halo inspect <file.gio>`: what a GenericIO file holds, and whether its CRCs check out. */
import { ExitCode } from "@tessera/cli";
import { startProgressBar } from "@tessera/volume";
import { logged, openRunLog } from "@tessera/volume/cli";
import { Command } from "commander";
import { CrcMismatchError } from "../genericio/errors.js";
import { type GenericIOFile, openGenericIO } from "../genericio/read.js";
import { examples, printSummary } from "./common.js";

/** CRC status of an inspected file. */
export interface CrcStatus {
  /** `ok`: the header and every block checked; `mismatch`: one did not; `skipped`: --no-verify (header only unchecked too). */
  status: "ok" | "mismatch" | "skipped";
  /** Blocks (rank × variable) checked. */
  checked: number;
  /** Where the first mismatch is, when there is one. */
  mismatch?: {
    what: string;
    path: string;
    rank?: number;
    variable?: string;
    stored: string;
    computed: string;
  };
}

/** What `tessera halo inspect` reports. */
export interface InspectSummary {
  path: string;
  byteOrder: string;
  /** Header generation: 2 (168/280-byte headers) or 1 (152/272). */
  headerVersion: 1 | 2;
  ranks: number;
  dims: [number, number, number];
  rows: number;
  physOrigin: [number, number, number];
  physScale: [number, number, number];
  blocked: boolean;
  compressed: boolean;
  partitionFiles: string[];
  variables: { name: string; type: string; elementCount: number; flags: string[] }[];
  /** Rows per rank (in rank order). */
  rankRows: number[];
  crc: CrcStatus;
}

function flagNames(v: GenericIOFile["variables"][number]): string[] {
  const f: string[] = [];
  if (v.flags.isPhysCoordX) f.push("physCoordX");
  if (v.flags.isPhysCoordY) f.push("physCoordY");
  if (v.flags.isPhysCoordZ) f.push("physCoordZ");
  if (v.flags.maybePhysGhost) f.push("maybePhysGhost");
  return f;
}

function describe(file: GenericIOFile, crc: CrcStatus): InspectSummary {
  return {
    path: file.path,
    byteOrder: file.byteOrder,
    headerVersion: file.headerSizes.global >= 168 ? 2 : 1,
    ranks: file.ranks.length,
    dims: file.dims,
    rows: file.totalRows,
    physOrigin: file.physOrigin,
    physScale: file.physScale,
    blocked: file.blocked,
    compressed: file.compressed,
    partitionFiles: [...file.partitionFiles],
    variables: file.variables.map((v) => ({
      name: v.name,
      type: v.type,
      elementCount: v.elementCount,
      flags: flagNames(v),
    })),
    rankRows: file.ranks.map((r) => r.rows),
    crc,
  };
}

function mismatchOf(e: CrcMismatchError): NonNullable<CrcStatus["mismatch"]> {
  const l = e.location;
  return {
    what: l.what,
    path: l.path,
    rank: l.rank,
    variable: l.variable,
    stored: l.stored,
    computed: l.computed,
  };
}

/** Read every block (CRC-checked), one progress step per block; the first mismatch stops the check. */
async function verifyBlocks(file: GenericIOFile): Promise<CrcStatus> {
  const total = file.ranks.length * file.variables.length;
  const bar = startProgressBar("crc", "blocks");
  let checked = 0;
  try {
    for await (const _block of file.blocks()) {
      checked++;
      bar.update(checked, total);
    }
  } catch (e) {
    if (e instanceof CrcMismatchError) return { status: "mismatch", checked, mismatch: mismatchOf(e) };
    throw e;
  } finally {
    bar.stop();
  }
  return { status: "ok", checked };
}

/** Inspect `path`: header summary and CRC status (header CRC mismatches are reported, not thrown). */
export async function inspectGenericIO(path: string, verify: boolean): Promise<InspectSummary> {
  let file: GenericIOFile;
  let headerMismatch: CrcStatus | undefined;
  try {
    file = await openGenericIO(path, { verifyCrc: verify });
  } catch (e) {
    if (!(e instanceof CrcMismatchError)) throw e;
    headerMismatch = { status: "mismatch", checked: 0, mismatch: mismatchOf(e) };
    file = await openGenericIO(path, { verifyCrc: false });
  }
  try {
    const crc =
      headerMismatch ?? (verify ? await verifyBlocks(file) : { status: "skipped" as const, checked: 0 });
    return describe(file, crc);
  } finally {
    await file.close();
  }
}

function formatText(s: InspectSummary): string {
  const lines = [
    `${s.path}: GenericIO, ${s.byteOrder}-endian, header v${s.headerVersion}`,
    `  rows       ${s.rows} in ${s.ranks} rank${s.ranks === 1 ? "" : "s"} (dims ${s.dims.join("×")})`,
    `  box        origin ${s.physOrigin.join(", ")}; scale ${s.physScale.join(", ")}`,
    `  blocks     ${s.blocked ? "block headers" : "no block headers"}; ${s.compressed ? "BLOSC-compressed blocks" : "uncompressed"}`,
  ];
  if (s.partitionFiles.length > 0) lines.push(`  partitions ${s.partitionFiles.join(", ")}`);
  const crc =
    s.crc.status === "ok"
      ? `ok (header and ${s.crc.checked} blocks)`
      : s.crc.status === "skipped"
        ? "not checked (--no-verify)"
        : `MISMATCH in the ${s.crc.mismatch?.what}${s.crc.mismatch?.variable ? ` (variable ${s.crc.mismatch.variable}, rank ${s.crc.mismatch.rank})` : ""} of ${s.crc.mismatch?.path}: stored ${s.crc.mismatch?.stored}, computed ${s.crc.mismatch?.computed}`;
  lines.push(`  crc        ${crc}`);
  lines.push(`  variables  ${s.variables.length}`);
  const width = Math.max(4, ...s.variables.map((v) => v.name.length));
  for (const v of s.variables) {
    const type = v.elementCount === 1 ? v.type : `${v.type}×${v.elementCount}`;
    lines.push(`    ${v.name.padEnd(width)}  ${type.padEnd(7)} ${v.flags.join(" ")}`.trimEnd());
  }
  return `${lines.join("\n")}\n`;
}

/** The `halo inspect` command. */
export function inspectCommand(): Command {
  return new Command("inspect")
    .description(
      "summarise a GenericIO file: ranks, variables (types, flags), rows, box, blocks, compression, CRCs",
    )
    .argument("<file.gio>", "GenericIO file (or the rank map of a split data set)")
    .option("--json", "print the summary as one JSON line")
    .option("--no-verify", "do not read the data to check the block CRC-64s (header only, fast)")
    .option("--log <file>", "structured log (JSON lines; default: none)")
    .addHelpText(
      "after",
      `
Exit status 1 when a CRC-64 does not match (the summary says where).
${examples(
  "tessera halo inspect particles.gio",
  "tessera halo inspect halos.gio --json",
  "tessera halo inspect big-snapshot.gio --no-verify",
)}`,
    )
    .action(async (path: string, opts: { json?: boolean; verify: boolean; log?: string }) => {
      const run = () => inspectGenericIO(path, opts.verify);
      const summary = opts.log
        ? await logged(openRunLog(opts.log, "tessera-halo"), { command: "halo inspect", input: path }, run)
        : await run();
      if (opts.json) printSummary(summary);
      else process.stdout.write(formatText(summary));
      if (summary.crc.status === "mismatch") process.exitCode = ExitCode.workFailed;
    });
}

import { readdir, readFile, rm, stat } from "node:fs/promises";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import {
  Box,
  createGroup,
  createVolume,
  type DataType,
  OutputExistsError,
  openVolume,
  type TypedArray,
  typedArrayFor,
  type Volume,
  writeFileAtomic,
} from "@tessera/volume";
import { type MeshGeometry, mapPoint, meshGeometry } from "./map.js";
import type { OpenedSectionSource } from "./source.js";
import type { AlignedSection, PairMap, PairStore } from "./stack.js";
import type { AlignMode, SectionAlignment, SectionMap } from "./stack-types.js";

/** The settings that decide a run's results: a resumed run must use the same ones. */
export interface AlignSettings {
  mode: AlignMode;
  /** Patch size in px. */
  patchSize: number;
  /** Patch (and mesh node) spacing in px. */
  stride: number;
  /** Previous non-blank sections each section is matched against. */
  referenceWindow: number;
}

/**
 * The settings with their defaults filled in: patch 160 px and stride 40 px for elastic, patch
 * 128 px and stride patch/2 otherwise; reference window 1.
 */
export function resolveSettings(opts: {
  mode?: AlignMode;
  patchSize?: number;
  stride?: number;
  referenceWindow?: number;
}): AlignSettings {
  const mode = opts.mode ?? "elastic";
  const patchSize = opts.patchSize ?? (mode === "elastic" ? 160 : 128);
  const stride = opts.stride ?? (mode === "elastic" ? 40 : Math.max(1, Math.floor(patchSize / 2)));
  return { mode, patchSize, stride, referenceWindow: opts.referenceWindow ?? 1 };
}

/** What `.zattrs` (of the output group and of its `aligned` array) record about the run. */
export interface AlignProvenance {
  tool: "tessera align";
  /** Version of `@tessera/align`. */
  version: string;
  /** The command line, as the options were understood. */
  command: string;
  mode: AlignMode;
  options: AlignSettings;
  input: string;
  /** Shape and dtype of the input (z, y, x). */
  inputShape: number[];
  inputDtype: DataType;
  /** ISO time the first run on this output started. */
  started: string;
  /** ISO time the run that completed the output ended; null while incomplete. */
  finished: string | null;
  [key: string]: unknown;
}

/** Names inside an align output folder (a zarr v2 group). */
export const ALIGN_OUTPUT_LAYOUT = {
  /** The aligned volume: zarr array (z, y, x), the input's dtype. */
  aligned: "aligned",
  /** Elastic only: zarr array (z, 2, rows, cols) float32 of node displacements (raw − output position), NaN for skipped sections. */
  flow: "flow",
  /** `transforms/<z>.json`: each section's {@link SectionAlignment}. */
  transforms: "transforms",
  /** `pairs/<reference>-<z>.json`: pair maps (see {@link pairStore}). */
  pairs: "pairs",
  qcJson: "qc.json",
  qcMarkdown: "qc.md",
  qcSvg: "qc.svg",
} as const;

/** Version of this package, for provenance. */
export const ALIGN_VERSION: string = (() => {
  try {
    return (createRequire(import.meta.url)("../package.json") as { version: string }).version;
  } catch {
    return "unknown";
  }
})();

// ---------------------------------------------------------------------------------------------
// JSON forms of maps and alignments

/** A {@link SectionMap} as JSON: mesh positions as a plain array. */
export type SectionMapJson =
  | { kind: "affine"; affine: number[] }
  | { kind: "mesh"; rows: number; cols: number; stride: number; y0: number; x0: number; positions: number[] };

/** A map as JSON (mesh positions as an array). */
export function mapToJson(map: SectionMap): SectionMapJson {
  return map.kind === "mesh"
    ? { ...map, positions: Array.from(map.positions) }
    : { kind: "affine", affine: [...map.affine] };
}

/** A map read back from {@link mapToJson}'s JSON. */
export function mapFromJson(json: SectionMapJson): SectionMap {
  if (json.kind === "mesh") return { ...json, positions: Float64Array.from(json.positions) };
  return { kind: "affine", affine: json.affine as [number, number, number, number, number, number] };
}

/** A section alignment as the JSON of `transforms/<z>.json`. */
export function alignmentToJson(a: SectionAlignment): Record<string, unknown> {
  return { ...a, map: a.map === null ? null : mapToJson(a.map) };
}

/** A section alignment read back from `transforms/<z>.json`. */
export function alignmentFromJson(json: Record<string, unknown>): SectionAlignment {
  const map = json.map as SectionMapJson | null;
  return { ...(json as unknown as SectionAlignment), map: map === null ? null : mapFromJson(map) };
}

async function readJson(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  return JSON.parse(text);
}

// ---------------------------------------------------------------------------------------------
// Pair store

/** What a pair map's validity depends on besides its two sections: settings and the input's shape. */
export interface PairIdentity {
  settings: AlignSettings;
  input: { depth: number; height: number; width: number };
}

/**
 * A {@link PairStore} in `<output>/pairs/<reference>-<z>.json` (written atomically). Each file records
 * the settings and the input shape it was computed with; a file computed with others is ignored
 * (`onIgnored` says so) and replaced when the pair is computed again.
 */
export function pairStore(
  output: string,
  identity: PairIdentity,
  onIgnored?: (file: string) => void,
): PairStore {
  const dir = join(output, ALIGN_OUTPUT_LAYOUT.pairs);
  const file = (reference: number, z: number) => join(dir, `${reference}-${z}.json`);
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  return {
    async get(reference, z) {
      const path = file(reference, z);
      let json: { settings?: unknown; input?: unknown; pair?: Record<string, unknown> } | undefined;
      try {
        json = (await readJson(path)) as typeof json;
      } catch {
        json = {}; // unreadable: treated as absent, recomputed
      }
      if (json === undefined) return undefined;
      if (!json.pair || !same(json.settings, identity.settings) || !same(json.input, identity.input)) {
        onIgnored?.(path);
        return undefined;
      }
      const pair = json.pair as unknown as Omit<PairMap, "map" | "valid"> & {
        map: SectionMapJson;
        valid: number[] | null;
      };
      return { ...pair, map: mapFromJson(pair.map), valid: pair.valid ? Uint8Array.from(pair.valid) : null };
    },
    async put(pair) {
      const valid = pair.valid ? Array.from(pair.valid) : null;
      const json = { ...identity, pair: { ...pair, map: mapToJson(pair.map), valid } };
      await writeFileAtomic(file(pair.reference, pair.z), `${JSON.stringify(json)}\n`);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The output

/** Options of {@link AlignOutput.open}. */
export interface AlignOutputOptions {
  source: OpenedSectionSource;
  settings: AlignSettings;
  /** Replace an output written with other settings or from another input (default false: refuse). */
  overwrite?: boolean;
  /** Voxel size in nm (z, y, x) for the `resolution` attribute. */
  resolution?: number[];
  /** The command line, for provenance. */
  command: string;
  /** Called when a stored pair map is ignored because it was computed with other settings. */
  onIgnoredPair?: (file: string) => void;
}

/** One row of the QC report. */
export interface QcRow {
  z: number;
  name: string;
  status: SectionAlignment["status"];
  reason: string | null;
  references: number[];
  matches: number;
  inliers: number;
  residualRms: number | null;
  correlationBefore: number | null;
  correlationAfter: number | null;
  foldedTriangles: number;
}

/** The QC report's totals. */
export interface QcSummary {
  sections: number;
  aligned: number;
  skipped: number;
  reference: number;
  /** Medians over the sections that have a value (null when none has). */
  medianCorrelationBefore: number | null;
  medianCorrelationAfter: number | null;
  medianResidualRms: number | null;
}

/** The QC report: rows and summary (what `qc.json` holds). */
export interface QcReport {
  summary: QcSummary;
  sections: QcRow[];
}

const isEmptyFolderOrPairsOnly = async (path: string) =>
  (await readdir(path)).every((name) => name === ALIGN_OUTPUT_LAYOUT.pairs);

/**
 * Check that `path` may hold an align output: nothing there, an empty folder, a folder holding only
 * `pairs/` (from `align section` tasks), or an earlier run's output. Returns whether something is
 * there; throws {@link OutputExistsError} for a file or a folder of other files (never taken over,
 * not even with `overwrite`).
 */
export async function assertAlignOutputPath(path: string): Promise<boolean> {
  const info = await stat(path).catch(() => undefined);
  if (info === undefined) return false;
  if (
    !info.isDirectory() ||
    ((await previousRun(path)) === undefined && !(await isEmptyFolderOrPairsOnly(path)))
  ) {
    throw new OutputExistsError("output exists and is not the output of tessera align", {
      path,
      field: "output",
      expected: "a new path, an empty folder, or an earlier tessera align output to continue",
      found: info.isDirectory() ? "a folder of other files" : "a file",
    });
  }
  return true;
}

/**
 * The output folder of `tessera align`: a zarr v2 group holding the `aligned` volume, for elastic the
 * `flow` array, `transforms/<z>.json`, `pairs/`, and at the end `qc.json`, `qc.md`, `qc.svg`.
 *
 * A section counts as done once its aligned data and then its `transforms/<z>.json` are written
 * (the JSON last, atomically); {@link known} returns the alignment of done sections, so a rerun
 * skips them. The group and the array carry `complete: true` only once every section and the QC
 * report are written.
 */
export class AlignOutput {
  readonly path: string;
  readonly volume: Volume;
  readonly flow: Volume | undefined;
  readonly pairs: PairStore;
  /** Whether the output held an earlier run's work (same settings) that this run continues. */
  readonly resumed: boolean;
  readonly #source: OpenedSectionSource;
  #provenance: AlignProvenance;

  private constructor(
    path: string,
    volume: Volume,
    flow: Volume | undefined,
    pairs: PairStore,
    source: OpenedSectionSource,
    provenance: AlignProvenance,
    resumed: boolean,
  ) {
    this.path = path;
    this.volume = volume;
    this.flow = flow;
    this.pairs = pairs;
    this.#source = source;
    this.#provenance = provenance;
    this.resumed = resumed;
  }

  /**
   * Open `path` for a run: create it when it does not exist (or holds only `pairs/`), continue it when
   * an earlier run with the same settings, input and shape wrote it (marking it incomplete until this
   * run finishes), replace it with `overwrite` (keeping `pairs/`, whose files say what settings they
   * were computed with). Throws {@link OutputExistsError} for an output written with other settings
   * (without `overwrite`) and for a path that holds something else than an align output.
   */
  static async open(path: string, options: AlignOutputOptions): Promise<AlignOutput> {
    const { source, settings } = options;
    const now = new Date().toISOString();
    const provenance: AlignProvenance = {
      tool: "tessera align",
      version: ALIGN_VERSION,
      command: options.command,
      mode: settings.mode,
      options: settings,
      input: resolve(source.input),
      inputShape: [source.depth, source.height, source.width],
      inputDtype: source.dtype,
      started: now,
      finished: null,
    };
    let resumed = false;
    if (await assertAlignOutputPath(path)) {
      const previous = await previousRun(path);
      if (previous !== undefined) {
        const differences = differencesFrom(previous, provenance);
        if (differences.length > 0 && options.overwrite !== true) {
          throw new OutputExistsError("output was written by a run with other settings or input", {
            path,
            field: differences.map((d) => d.field).join(", "),
            expected: `${differences.map((d) => `${d.field} ${d.expected}`).join(", ")} (to continue it), or --overwrite to replace it`,
            found: differences.map((d) => `${d.field} ${d.found}`).join(", "),
          });
        }
        if (options.overwrite === true) {
          await removeAllBut(path, ALIGN_OUTPUT_LAYOUT.pairs);
        } else {
          resumed = true;
          provenance.started = previous.started;
        }
      }
    }
    const attrs = (complete: boolean) => ({
      ...(options.resolution ? { resolution: options.resolution } : {}),
      provenance,
      complete,
    });
    await createGroup(path);
    await writeAttrs(path, attrs(false));
    const volumePath = join(path, ALIGN_OUTPUT_LAYOUT.aligned);
    const flowPath = join(path, ALIGN_OUTPUT_LAYOUT.flow);
    let volume: Volume;
    let flow: Volume | undefined;
    if (resumed && (await exists(join(volumePath, ".zarray")))) {
      volume = await openVolume(volumePath);
    } else {
      volume = await createVolume(volumePath, {
        shape: [source.depth, source.height, source.width],
        chunks: [1, Math.min(source.height, 512), Math.min(source.width, 512)],
        dtype: source.dtype,
        overwrite: true,
      });
    }
    await writeAttrs(volumePath, { axes: ["z", "y", "x"], ...attrs(false) });
    if (settings.mode === "elastic") {
      if (resumed && (await exists(join(flowPath, ".zarray")))) {
        flow = await openVolume(flowPath);
      } else {
        const g = meshGeometry(source.height, source.width, settings.stride);
        flow = await createVolume(flowPath, {
          shape: [source.depth, 2, g.rows, g.cols],
          chunks: [1, 2, g.rows, g.cols],
          dtype: "float32",
          fillValue: Number.NaN,
          overwrite: true,
          attrs: {
            axes: ["z", "c", "row", "col"],
            description:
              "displacement (raw - output position, px; c=0: y, c=1: x) of the section's map at the mesh node (row, col), which sits at output point (y0 + row*stride, x0 + col*stride); NaN: section skipped or not aligned yet",
            ...g,
            ...(options.resolution ? { resolution: options.resolution } : {}),
          },
        });
      }
    }
    const identity: PairIdentity = {
      settings,
      input: { depth: source.depth, height: source.height, width: source.width },
    };
    const pairs = pairStore(path, identity, options.onIgnoredPair);
    return new AlignOutput(path, volume, flow, pairs, source, provenance, resumed);
  }

  /** The path of section z's transform JSON. */
  transformPath(z: number): string {
    return join(this.path, ALIGN_OUTPUT_LAYOUT.transforms, `${z}.json`);
  }

  /** The alignment of section z when an earlier run finished it (its data and JSON are written), else undefined. */
  async known(z: number): Promise<SectionAlignment | undefined> {
    if (!this.resumed) return undefined;
    const json = (await readJson(this.transformPath(z)).catch(() => undefined)) as
      | Record<string, unknown>
      | undefined;
    return json === undefined ? undefined : alignmentFromJson(json);
  }

  /**
   * Write one section: its aligned data (in the volume's dtype: rounded and clamped for integers),
   * for elastic its flow, then (atomically, last) its transform JSON, which marks it done.
   */
  async writeSection(section: AlignedSection): Promise<void> {
    const { z } = section.alignment;
    const { height, width } = this.#source;
    await this.volume.write(
      new Box([z, 0, 0], [z + 1, height, width]),
      castTo(section.aligned, this.volume.dtype),
    );
    if (this.flow) {
      const [, , rows, cols] = this.flow.shape;
      await this.flow.write(
        new Box([z, 0, 0, 0], [z + 1, 2, rows, cols]),
        flowOf(section.alignment.map, this.flow.attrs as unknown as FlowGeometry),
      );
    }
    await writeFileAtomic(
      this.transformPath(z),
      `${JSON.stringify(alignmentToJson(section.alignment), null, 1)}\n`,
    );
  }

  /**
   * Write the QC report (`qc.json`, `qc.md`, `qc.svg`) of `alignments` (every section, in z order),
   * then mark the volume and the group complete. Returns the report.
   */
  async finish(alignments: SectionAlignment[]): Promise<QcReport> {
    const report = qcReport(alignments, (z) => this.#source.name(z));
    await writeFileAtomic(
      join(this.path, ALIGN_OUTPUT_LAYOUT.qcJson),
      `${JSON.stringify(report, null, 1)}\n`,
    );
    await writeFileAtomic(
      join(this.path, ALIGN_OUTPUT_LAYOUT.qcMarkdown),
      qcMarkdown(report, this.#provenance),
    );
    await writeFileAtomic(join(this.path, ALIGN_OUTPUT_LAYOUT.qcSvg), qcSvg(report, this.#provenance.mode));
    this.#provenance = { ...this.#provenance, finished: new Date().toISOString() };
    const patch = { provenance: this.#provenance, complete: true };
    for (const folder of [this.volume.path, this.path]) {
      const attrs = ((await readJson(join(folder, ".zattrs"))) ?? {}) as Record<string, unknown>;
      await writeAttrs(folder, { ...attrs, ...patch });
    }
    return report;
  }
}

/**
 * Write `.zattrs` as ASCII JSON (other characters as \\u escapes): python zarr 2.x decodes `.zattrs`
 * as ASCII and fails on any other byte (a path or a reason with "×" or "é" in it).
 */
async function writeAttrs(folder: string, attrs: Record<string, unknown>): Promise<void> {
  const json = JSON.stringify(attrs, null, 2).replace(
    /[\u0080-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
  await writeFileAtomic(join(folder, ".zattrs"), `${json}\n`);
}

async function exists(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined)) !== undefined;
}

/** The provenance of an earlier run at `path` (its group's `.zattrs`), or undefined when it is no align output. */
async function previousRun(path: string): Promise<AlignProvenance | undefined> {
  if (!(await exists(join(path, ".zgroup")))) return undefined;
  const attrs = (await readJson(join(path, ".zattrs")).catch(() => undefined)) as
    | { provenance?: AlignProvenance }
    | undefined;
  return attrs?.provenance?.tool === "tessera align" ? attrs.provenance : undefined;
}

function differencesFrom(
  previous: AlignProvenance,
  now: AlignProvenance,
): { field: string; expected: string; found: string }[] {
  const out: { field: string; expected: string; found: string }[] = [];
  const check = (field: string, a: unknown, b: unknown) => {
    if (JSON.stringify(a) !== JSON.stringify(b)) {
      out.push({ field, expected: JSON.stringify(a), found: JSON.stringify(b) });
    }
  };
  check("mode", previous.options?.mode, now.options.mode);
  check("patch", previous.options?.patchSize, now.options.patchSize);
  check("stride", previous.options?.stride, now.options.stride);
  check("reference-window", previous.options?.referenceWindow, now.options.referenceWindow);
  check("input", previous.input, now.input);
  check("input shape", previous.inputShape, now.inputShape);
  check("input dtype", previous.inputDtype, now.inputDtype);
  return out;
}

async function removeAllBut(path: string, keep: string): Promise<void> {
  for (const name of await readdir(path)) {
    if (name !== keep) await rm(join(path, name), { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// Data conversion

const INTEGER_RANGES: Partial<Record<DataType, [number, number]>> = {
  uint8: [0, 255],
  uint16: [0, 65535],
  uint32: [0, 4294967295],
  int8: [-128, 127],
  int16: [-32768, 32767],
  int32: [-2147483648, 2147483647],
  uint64: [0, Number.MAX_SAFE_INTEGER],
  int64: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
};

/**
 * `values` in `dtype`: floats copied, integers rounded and clamped to the dtype's range (NaN → 0).
 */
export function castTo(values: Float32Array, dtype: DataType): TypedArray {
  if (dtype === "float32") return values;
  const out = new (typedArrayFor(dtype))(values.length);
  if (dtype === "float64") {
    (out as Float64Array).set(values);
    return out;
  }
  const [lo, hi] = INTEGER_RANGES[dtype] as [number, number];
  const big = dtype === "uint64" || dtype === "int64";
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    const c = Number.isNaN(v) ? 0 : Math.min(hi, Math.max(lo, Math.round(v)));
    if (big) (out as BigInt64Array)[i] = BigInt(c);
    else (out as Int32Array)[i] = c;
  }
  return out;
}

/** Node layout of the flow array (as in its `.zattrs`): the elastic mesh's, see `meshGeometry`. */
export type FlowGeometry = MeshGeometry;

/** The displacement (raw − output position) of `map` at every node of `g`, as (2, rows, cols) float32; NaN without a map. */
export function flowOf(map: SectionMap | null, g: FlowGeometry): Float32Array {
  const n = g.rows * g.cols;
  const out = new Float32Array(2 * n).fill(Number.NaN);
  if (map === null) return out;
  for (let r = 0; r < g.rows; r++) {
    for (let c = 0; c < g.cols; c++) {
      const y = g.y0 + r * g.stride;
      const x = g.x0 + c * g.stride;
      const [ry, rx] = mapPoint(map, y, x);
      out[r * g.cols + c] = ry - y;
      out[n + r * g.cols + c] = rx - x;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// QC report

function median(values: (number | null)[]): number | null {
  const v = values.filter((x): x is number => x !== null && Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const m = v.length >> 1;
  return v.length % 2 === 1 ? v[m] : (v[m - 1] + v[m]) / 2;
}

/** The QC report of a run's section alignments (in z order). */
export function qcReport(alignments: SectionAlignment[], name: (z: number) => string = String): QcReport {
  const sections: QcRow[] = alignments.map((a) => ({
    z: a.z,
    name: name(a.z),
    status: a.status,
    reason: a.reason,
    references: a.references,
    matches: a.matches,
    inliers: a.inliers,
    residualRms: a.residualRms,
    correlationBefore: a.correlationBefore,
    correlationAfter: a.correlationAfter,
    foldedTriangles: a.foldedTriangles,
  }));
  const count = (s: QcRow["status"]) => sections.filter((r) => r.status === s).length;
  return {
    summary: {
      sections: sections.length,
      aligned: count("aligned"),
      skipped: count("skipped"),
      reference: count("reference"),
      medianCorrelationBefore: median(sections.map((r) => r.correlationBefore)),
      medianCorrelationAfter: median(sections.map((r) => r.correlationAfter)),
      medianResidualRms: median(sections.map((r) => r.residualRms)),
    },
    sections,
  };
}

const fmt = (v: number | null, digits = 3) => (v === null || !Number.isFinite(v) ? "–" : v.toFixed(digits));

/** The QC report as a Markdown table (`qc.md`). */
export function qcMarkdown(report: QcReport, provenance?: AlignProvenance): string {
  const s = report.summary;
  const lines = ["# tessera align: QC", ""];
  if (provenance) {
    lines.push(
      `Input \`${provenance.input}\`, mode **${provenance.mode}** (patch ${provenance.options.patchSize} px, stride ${provenance.options.stride} px, reference window ${provenance.options.referenceWindow}).`,
      "",
    );
  }
  lines.push(
    `${s.sections} sections: ${s.aligned} aligned, ${s.reference} reference, ${s.skipped} skipped. ` +
      `Median correlation with the reference section: ${fmt(s.medianCorrelationBefore)} before, ${fmt(s.medianCorrelationAfter)} after; median residual RMS ${fmt(s.medianResidualRms)} px.`,
    "",
    "| z | status | reason | references | matches | inliers | residual RMS (px) | correlation before | correlation after |",
    "| ---: | --- | --- | --- | ---: | ---: | ---: | ---: | ---: |",
  );
  for (const r of report.sections) {
    const reason = (r.reason ?? "").replace(/\|/g, "\\|").replace(/\n/g, " ");
    lines.push(
      `| ${r.z} | ${r.status} | ${reason} | ${r.references.join(", ")} | ${r.matches} | ${r.inliers} | ${fmt(r.residualRms)} | ${fmt(r.correlationBefore)} | ${fmt(r.correlationAfter)} |`,
    );
  }
  return `${lines.join("\n")}\n`;
}

const escapeXml = (text: string) =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/**
 * The QC plot (`qc.svg`, plain SVG text): correlation with the reference section before (open
 * circles) and after (filled) alignment per section, and the residual RMS per section below. Each
 * section is one `<g class="section" data-z=… data-status=…>` with its markers and a tooltip;
 * skipped sections are a grey band with a cross, the reference section a diamond.
 */
export function qcSvg(report: QcReport, mode = ""): string {
  const rows = report.sections;
  const W = 760;
  const left = 64;
  const right = 16;
  const plotW = W - left - right;
  const top1 = 40;
  const h1 = 200;
  const top2 = top1 + h1 + 50;
  const h2 = 120;
  const H = top2 + h2 + 50;
  const zs = rows.map((r) => r.z);
  const zMin = Math.min(...zs, 0);
  const zMax = Math.max(...zs, zMin + 1);
  const step = plotW / (zMax - zMin + 1);
  const xOf = (z: number) => left + (z - zMin + 0.5) * step;
  const corr = rows
    .flatMap((r) => [r.correlationBefore, r.correlationAfter])
    .filter((v): v is number => v !== null && Number.isFinite(v));
  const cLo = Math.min(0, ...corr);
  const cHi = 1;
  const yCorr = (v: number) => top1 + h1 - ((v - cLo) / (cHi - cLo)) * h1;
  const rms = rows.map((r) => r.residualRms).filter((v): v is number => v !== null && Number.isFinite(v));
  const rHi = Math.max(1e-9, ...rms) * 1.1;
  const yRms = (v: number) => top2 + h2 - (v / rHi) * h2;
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`,
    `<title>tessera align QC${mode ? ` (${escapeXml(mode)})` : ""}</title>`,
    `<rect x="0" y="0" width="${W}" height="${H}" fill="white"/>`,
    `<text x="${left}" y="20" font-size="13" font-weight="bold">Correlation with the reference section, before (○) and after (●) alignment</text>`,
    `<text x="${left}" y="${top2 - 14}" font-size="13" font-weight="bold">Residual RMS of the matches (px)</text>`,
  );
  // axes and gridlines
  for (const [top, h, ticks, y] of [
    [top1, h1, [cLo, (cLo + cHi) / 2, cHi], yCorr],
    [top2, h2, [0, rHi / 2, rHi], yRms],
  ] as [number, number, number[], (v: number) => number][]) {
    out.push(
      `<rect class="axes" x="${left}" y="${top}" width="${plotW}" height="${h}" fill="none" stroke="#888"/>`,
    );
    for (const t of ticks) {
      out.push(
        `<line x1="${left}" x2="${left + plotW}" y1="${y(t).toFixed(1)}" y2="${y(t).toFixed(1)}" stroke="#ddd"/>`,
        `<text x="${left - 6}" y="${(y(t) + 4).toFixed(1)}" text-anchor="end">${t.toFixed(2)}</text>`,
      );
    }
  }
  const labelEvery = Math.max(1, Math.ceil(rows.length / 20));
  const barWidth = Math.min(24, Math.max(2, step * 0.6));
  for (const r of rows) {
    const x = xOf(r.z).toFixed(1);
    const tip = `z=${r.z} ${r.status}${r.reason ? `: ${r.reason}` : ""}; correlation ${fmt(r.correlationBefore)} → ${fmt(r.correlationAfter)}; residual RMS ${fmt(r.residualRms)} px; ${r.inliers}/${r.matches} matches`;
    const g: string[] = [
      `<g class="section" data-z="${r.z}" data-status="${r.status}">`,
      `<title>${escapeXml(tip)}</title>`,
    ];
    if (r.status === "skipped") {
      g.push(
        `<rect class="skipped" x="${(xOf(r.z) - step / 2).toFixed(1)}" y="${top1}" width="${step.toFixed(1)}" height="${h1}" fill="#ccc" opacity="0.5"/>`,
        `<text class="marker skipped" x="${x}" y="${top1 + h1 / 2}" text-anchor="middle" fill="#c00" font-size="14">×</text>`,
      );
    } else if (r.status === "reference") {
      const y = yCorr(1);
      g.push(
        `<path class="marker reference" d="M${x} ${(y - 6).toFixed(1)} l6 6 l-6 6 l-6 -6 z" fill="#555"/>`,
      );
    } else {
      if (r.correlationBefore !== null && Number.isFinite(r.correlationBefore)) {
        g.push(
          `<circle class="marker before" cx="${x}" cy="${yCorr(r.correlationBefore).toFixed(1)}" r="4" fill="white" stroke="#d62728" stroke-width="1.5"/>`,
        );
      }
      if (r.correlationAfter !== null && Number.isFinite(r.correlationAfter)) {
        g.push(
          `<circle class="marker after" cx="${x}" cy="${yCorr(r.correlationAfter).toFixed(1)}" r="4" fill="#1f77b4"/>`,
        );
      }
      if (r.residualRms !== null && Number.isFinite(r.residualRms)) {
        const y = yRms(r.residualRms);
        g.push(
          `<rect class="marker rms" x="${(xOf(r.z) - barWidth / 2).toFixed(1)}" y="${y.toFixed(1)}" width="${barWidth.toFixed(1)}" height="${(top2 + h2 - y).toFixed(1)}" fill="#2ca02c"/>`,
        );
      }
    }
    g.push("</g>");
    out.push(g.join(""));
    if (r.z % labelEvery === 0) {
      out.push(`<text x="${x}" y="${top2 + h2 + 16}" text-anchor="middle">${r.z}</text>`);
    }
  }
  out.push(
    `<text x="${left + plotW / 2}" y="${top2 + h2 + 36}" text-anchor="middle">section z</text>`,
    `<text x="${left + plotW}" y="${top1 + h1 + 16}" text-anchor="end">○ before ● after ◆ reference × skipped</text>`,
    "</svg>",
  );
  return `${out.join("\n")}\n`;
}

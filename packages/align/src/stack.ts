import { type BlankOptions, sectionContent } from "./blank.js";
import { AlignInputError } from "./errors.js";
import { composeAffine } from "./fit.js";
import { mapPoint, meshFrom, meshGeometry, renderSection } from "./map.js";
import { type PairMapOptions, pairMap } from "./pair-map.js";
import type { PairComputer } from "./pair-pool.js";
import type { Section } from "./section.js";
import { countFoldedTriangles, relaxMesh, type SpringMeshOptions } from "./spring-mesh.js";
import type { AlignMode, SectionAlignment, SectionMap, SectionSource } from "./stack-types.js";

/** Options of {@link alignStack} and {@link computePairs}. */
export interface AlignStackOptions extends Omit<PairMapOptions, "mode">, SpringMeshOptions {
  /** Default "elastic". */
  mode?: AlignMode;
  /** Each section is matched to this many previous non-blank sections, nearest first (default 1). */
  referenceWindow?: number;
  blank?: BlankOptions;
  /** Sections already done (resume): their alignment is reused, not recomputed. */
  known?: (z: number) => SectionAlignment | undefined | Promise<SectionAlignment | undefined>;
  /** Store of pair maps (e.g. computed by `align section` tasks): used when present, filled when given. */
  pairs?: PairStore;
  onWarning?: (message: string, z: number) => void;
  /** Computes pair maps (e.g. `pairPool(2)` on worker threads); default: in this thread. */
  computePair?: PairComputer;
  /**
   * Sections read and matched ahead of the one being aligned, against the section before each
   * (default 0; with a worker pool, about twice its threads). Pairs run in parallel this way while
   * the mesh and rendering of each section stay in order.
   */
  lookahead?: number;
}

/** The map between two raw sections (see {@link computePairs}). */
export interface PairMap {
  reference: number;
  z: number;
  /** Raw reference coordinates → raw z coordinates. */
  map: SectionMap;
  /** Elastic: 1 for mesh nodes whose position comes from a kept match (node order of the mesh); null otherwise. */
  valid: Uint8Array | null;
  matches: number;
  inliers: number;
  residualRms: number | null;
  peakRatio: number;
}

/** Where pair maps are kept between runs and tasks. */
export interface PairStore {
  get(reference: number, z: number): Promise<PairMap | undefined>;
  put(pair: PairMap): Promise<void>;
}

/** One section as {@link alignStack} yields it. */
export interface AlignedSection {
  alignment: SectionAlignment;
  /** The aligned section (`height × width`, 0 outside the raw section); a skipped section is its raw image as it is. */
  aligned: Float32Array;
  /** True when the alignment came from `known` (resume) rather than this run. */
  resumed: boolean;
}

/** Aligned correlation below which the first weakly matched section counts as damaged. */
const MIN_CORRELATION = 0.05;

function medianOf(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : 0.5 * (s[s.length / 2 - 1] + s[s.length / 2]);
}

/** Fewest kept matches for a pair to count as matched (elastic: valid mesh nodes). */
const MIN_KEPT = 6;

function checkOptions(o: AlignStackOptions): void {
  const k = o.referenceWindow ?? 1;
  if (!(Number.isInteger(k) && k >= 1 && k <= 16)) {
    throw new AlignInputError("referenceWindow must be an integer from 1 to 16", {
      field: "referenceWindow",
      expected: "1 to 16",
      found: String(k),
    });
  }
}

function section(source: SectionSource, data: Float32Array): Section {
  return { data, width: source.width, height: source.height };
}

/** Pearson correlation of two images over the pixels where both are finite. */
export function correlation(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let n = 0;
  let sa = 0;
  let sb = 0;
  for (let i = 0; i < a.length; i++) {
    if (Number.isFinite(a[i]) && Number.isFinite(b[i])) {
      sa += a[i];
      sb += b[i];
      n++;
    }
  }
  if (n < 2) return Number.NaN;
  const ma = sa / n;
  const mb = sb / n;
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    if (Number.isFinite(a[i]) && Number.isFinite(b[i])) {
      const u = a[i] - ma;
      const v = b[i] - mb;
      ab += u * v;
      aa += u * u;
      bb += v * v;
    }
  }
  return aa > 0 && bb > 0 ? ab / Math.sqrt(aa * bb) : Number.NaN;
}

/** The pair-map options only (plain values: they travel to worker threads by structured clone). */
function pairOptions(o: AlignStackOptions): PairMapOptions {
  const mode = o.mode ?? "elastic";
  const picked: PairMapOptions = {
    mode,
    patchSize: o.patchSize ?? (mode === "elastic" ? 160 : 128),
    stride: o.stride,
    flowPasses: o.flowPasses,
    thresholdPx: o.thresholdPx,
    minPeakRatio: o.minPeakRatio,
    minPeak: o.minPeak,
    maxMagnitude: o.maxMagnitude,
    maxDeviation: o.maxDeviation,
    upsample: o.upsample,
    window: o.window,
    maxShift: o.maxShift,
    spectralWidth: o.spectralWidth,
  };
  for (const key of Object.keys(picked) as (keyof PairMapOptions)[])
    if (picked[key] === undefined) delete picked[key];
  return picked;
}

/** The pair map of (reference, z), from the store or computed (and stored). */
async function pairOf(
  source: SectionSource,
  reference: { z: number; raw: Float32Array },
  z: number,
  raw: Float32Array,
  options: AlignStackOptions,
): Promise<PairMap> {
  const stored = await options.pairs?.get(reference.z, z);
  if (stored) return stored;
  const compute = options.computePair ?? (async (f, m, o) => pairMap(f, m, o));
  const r = await compute(section(source, reference.raw), section(source, raw), pairOptions(options));
  const pair: PairMap = { reference: reference.z, z, ...r };
  await options.pairs?.put(pair);
  return pair;
}

/**
 * Reads sections ahead of the aligner and starts the pair map of each against the section before
 * it (the usual reference), so pairs compute in parallel (on a worker pool) while sections are
 * aligned in order.
 */
class Lookahead {
  readonly #raw = new Map<number, Promise<Float32Array>>();
  readonly #pairs = new Map<string, Promise<PairMap>>();

  constructor(
    private readonly source: SectionSource,
    private readonly options: AlignStackOptions,
  ) {}

  raw(z: number): Promise<Float32Array> {
    let p = this.#raw.get(z);
    if (!p) {
      p = this.source.read(z);
      this.#raw.set(z, p);
    }
    return p;
  }

  /** Start reading and matching sections z + 1 … z + n. */
  fill(z: number, n: number): void {
    for (let next = z + 1; next <= Math.min(z + n, this.source.depth - 1); next++) {
      const key = `${next - 1}:${next}`;
      if (this.#pairs.has(key)) continue;
      const job = (async () => {
        const [ref, raw] = await Promise.all([this.raw(next - 1), this.raw(next)]);
        if ((await this.options.known?.(next)) !== undefined) return undefined;
        const blank = (d: Float32Array) => sectionContent(section(this.source, d), this.options.blank).blank;
        if (blank(ref) || blank(raw)) return undefined;
        return pairOf(this.source, { z: next - 1, raw: ref }, next, raw, this.options);
      })();
      // a failure surfaces when the pair is used; keep it from counting as unhandled before then
      job.catch(() => undefined);
      this.#pairs.set(key, job as Promise<PairMap>);
    }
  }

  /** The pair (reference, z): started earlier, or computed now. */
  async pair(reference: { z: number; raw: Float32Array }, z: number, raw: Float32Array): Promise<PairMap> {
    const started = await this.#pairs.get(`${reference.z}:${z}`);
    return started ?? pairOf(this.source, reference, z, raw, this.options);
  }

  /** Forget everything before section z. */
  release(z: number): void {
    for (const k of this.#raw.keys()) if (k < z) this.#raw.delete(k);
    for (const k of this.#pairs.keys()) if (Number(k.split(":")[1]) < z) this.#pairs.delete(k);
  }
}

/** True when the pair found enough matches to trust. */
function matched(pair: PairMap): boolean {
  return (
    pair.inliers >= MIN_KEPT || (pair.valid === null && pair.map.kind === "affine" && pair.matches === 1)
  );
}

/**
 * The section map of z: for affine modes the pair map composed with the reference's map; for elastic,
 * a spring mesh on the output grid whose nodes are pulled to where the pair maps send the references'
 * positions (nearest reference first), relaxed to equilibrium.
 */
function sectionMap(
  source: SectionSource,
  refs: { z: number; map: SectionMap }[],
  pairs: PairMap[],
  options: AlignStackOptions,
): { map: SectionMap; targets: number; residualRms: number | null; folded: number } {
  if (pairs[0].map.kind === "affine") {
    const ref = refs.find((r) => r.z === pairs[0].reference);
    if (ref?.map.kind !== "affine") throw new Error("an affine pair needs an affine reference map");
    return {
      map: { kind: "affine", affine: composeAffine(pairs[0].map.affine, ref.map.affine) },
      targets: pairs[0].inliers,
      residualRms: pairs[0].residualRms,
      folded: 0,
    };
  }
  const grid = meshGeometry(source.height, source.width, options.stride ?? 40);
  const n = grid.rows * grid.cols;
  const targets = new Float64Array(2 * n);
  const has = new Uint8Array(n);
  for (const pair of pairs) {
    if (pair.map.kind !== "mesh" || !pair.valid) continue;
    const pm = pair.map;
    const refMap = refs.find((r) => r.z === pair.reference)?.map;
    if (!refMap) continue;
    for (let i = 0; i < n; i++) {
      if (has[i]) continue;
      const qy = grid.y0 + Math.floor(i / grid.cols) * grid.stride;
      const qx = grid.x0 + (i % grid.cols) * grid.stride;
      const [ry, rx] = mapPoint(refMap, qy, qx);
      // the pair map is trusted where the four nodes around the point are matched ones
      const u = (ry - pm.y0) / pm.stride;
      const v = (rx - pm.x0) / pm.stride;
      const r0 = Math.floor(u);
      const c0 = Math.floor(v);
      if (r0 < 0 || c0 < 0 || r0 + 1 >= pm.rows || c0 + 1 >= pm.cols) continue;
      const k = r0 * pm.cols + c0;
      if (!(pair.valid[k] && pair.valid[k + 1] && pair.valid[k + pm.cols] && pair.valid[k + pm.cols + 1]))
        continue;
      const [ty, tx] = mapPoint(pm, ry, rx);
      targets[2 * i] = ty;
      targets[2 * i + 1] = tx;
      has[i] = 1;
    }
  }
  // start from the nearest pair composed with its reference everywhere (a good first guess)
  const first = pairs[0];
  const firstRef = refs.find((r) => r.z === first.reference)?.map as SectionMap;
  const start = meshFrom(grid, (y, x) => {
    const [ry, rx] = mapPoint(firstRef, y, x);
    return mapPoint(first.map, ry, rx);
  }).positions;
  let count = 0;
  for (let i = 0; i < n; i++) count += has[i];
  const relaxed = relaxMesh(grid, start, targets, has, options);
  let ss = 0;
  for (let i = 0; i < n; i++) {
    if (has[i])
      ss +=
        (relaxed.positions[2 * i] - targets[2 * i]) ** 2 +
        (relaxed.positions[2 * i + 1] - targets[2 * i + 1]) ** 2;
  }
  return {
    map: { kind: "mesh", ...grid, positions: relaxed.positions },
    targets: count,
    residualRms: count > 0 ? Math.sqrt(ss / count) : null,
    folded: countFoldedTriangles(grid, relaxed.positions),
  };
}

/** Finite values replaced by NaN outside; used for correlations over the overlap only. */
function renderForCorrelation(raw: Section, map: SectionMap): Float32Array {
  return renderSection(raw, map, Number.NaN);
}

function zeroFill(data: Float32Array): Float32Array {
  for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i])) data[i] = 0;
  return data;
}

/**
 * Align a stack section by section in z order: each section with content is matched to the nearest
 * previous aligned section(s) (`referenceWindow`), and its output → raw map is the pair map composed
 * with the reference's map (elastic: relaxed on a spring mesh). Blank or near-blank sections, and
 * sections that match none of their references, are skipped with a warning; the chain continues
 * across them. Only the last `referenceWindow` aligned sections are kept in memory.
 */
export async function* alignStack(
  source: SectionSource,
  options: AlignStackOptions = {},
): AsyncGenerator<AlignedSection> {
  checkOptions(options);
  const k = options.referenceWindow ?? 1;
  const refs: { z: number; raw: Float32Array; map: SectionMap; aligned: Float32Array }[] = [];
  const ahead = new Lookahead(source, options);
  // aligned correlations of the last few sections, the yardstick for a weakly matched one
  const recent: number[] = [];
  for (let z = 0; z < source.depth; z++) {
    ahead.fill(z, options.lookahead ?? 0);
    const raw = await ahead.raw(z);
    ahead.release(z);
    const known = await options.known?.(z);
    if (known) {
      const aligned = known.map
        ? renderForCorrelation(section(source, raw), known.map)
        : Float32Array.from(raw);
      if (known.map && known.status !== "skipped") {
        refs.unshift({ z, raw, map: known.map, aligned });
        refs.length = Math.min(refs.length, k);
      }
      yield { alignment: known, aligned: zeroFill(Float32Array.from(aligned)), resumed: true };
      continue;
    }
    const base = { z, matches: 0, inliers: 0, residualRms: null, foldedTriangles: 0 };
    const content = sectionContent(section(source, raw), options.blank);
    if (content.blank) {
      const reason = `blank section: ${content.reason}`;
      options.onWarning?.(reason, z);
      yield {
        alignment: {
          ...base,
          status: "skipped",
          reason,
          references: [],
          map: null,
          correlationBefore: null,
          correlationAfter: null,
        },
        aligned: Float32Array.from(raw),
        resumed: false,
      };
      continue;
    }
    if (refs.length === 0) {
      const map: SectionMap =
        (options.mode ?? "elastic") === "elastic"
          ? meshFrom(meshGeometry(source.height, source.width, options.stride ?? 40), (y, x) => [y, x])
          : { kind: "affine", affine: [1, 0, 0, 0, 1, 0] };
      refs.unshift({ z, raw, map, aligned: Float32Array.from(raw) });
      yield {
        alignment: {
          ...base,
          status: "reference",
          reason: null,
          references: [],
          map,
          correlationBefore: null,
          correlationAfter: null,
        },
        aligned: Float32Array.from(raw),
        resumed: false,
      };
      continue;
    }
    const all: PairMap[] = [];
    for (const ref of refs) all.push(await ahead.pair(ref, z, raw));
    const strong = all.filter(matched);
    // with too few matches, the nearest pair's coarser estimate (global translation, or the last
    // fit that held) is tried; the section counts as damaged when the aligned correlation with its
    // reference then falls well below that of the sections aligned before it
    const weak = strong.length === 0;
    const pairs = weak ? all.slice(0, 1) : strong;
    const before = correlation(refs[0].raw, raw);
    const found = sectionMap(source, refs, pairs, options);
    const aligned = renderForCorrelation(section(source, raw), found.map);
    const after = correlation(refs[0].aligned, aligned);
    let reason: string | null = null;
    if (weak) {
      const floor = recent.length > 0 ? 0.5 * medianOf(recent) : MIN_CORRELATION;
      const kept = all.map((p) => p.inliers).join(", ");
      if (!(after >= floor)) {
        reason = `matched none of sections ${refs.map((r) => r.z).join(", ")} (kept matches ${kept}; aligned correlation ${after.toFixed(3)} < ${floor.toFixed(3)}): damaged or unrelated`;
        options.onWarning?.(reason, z);
        yield {
          alignment: {
            ...base,
            status: "skipped",
            reason,
            references: refs.map((r) => r.z),
            map: null,
            correlationBefore: before,
            correlationAfter: null,
          },
          aligned: Float32Array.from(raw),
          resumed: false,
        };
        continue;
      }
      reason = `few patch matches (kept ${kept}): coarse map kept, aligned correlation ${after.toFixed(3)} ≥ ${floor.toFixed(3)}`;
      options.onWarning?.(reason, z);
    }
    recent.push(after);
    if (recent.length > 5) recent.shift();
    if (found.folded > 0) {
      const fold = `${found.folded} mesh triangles folded`;
      reason = reason ? `${reason}; ${fold}` : fold;
      options.onWarning?.(fold, z);
    }
    const alignment: SectionAlignment = {
      z,
      status: "aligned",
      reason,
      references: pairs.map((p) => p.reference),
      map: found.map,
      matches: pairs[0].matches,
      inliers: found.map.kind === "mesh" ? found.targets : pairs[0].inliers,
      residualRms: found.residualRms,
      correlationBefore: before,
      correlationAfter: after,
      foldedTriangles: found.folded,
    };
    refs.unshift({ z, raw, map: found.map, aligned });
    refs.length = Math.min(refs.length, k);
    yield { alignment, aligned: zeroFill(Float32Array.from(aligned)), resumed: false };
  }
}

/**
 * Pair maps of section z against its reference window: the `referenceWindow` nearest previous
 * sections with content. For section-level tasks (each z independent); stored in `options.pairs`
 * when given. Empty when z is blank or no earlier section has content.
 */
export async function computePairs(
  source: SectionSource,
  z: number,
  options: AlignStackOptions = {},
): Promise<PairMap[]> {
  checkOptions(options);
  if (!(Number.isInteger(z) && z >= 0 && z < source.depth)) {
    throw new AlignInputError("section index out of range", {
      field: "z",
      expected: `0 to ${source.depth - 1}`,
      found: String(z),
    });
  }
  const raw = await source.read(z);
  if (sectionContent(section(source, raw), options.blank).blank) return [];
  const out: PairMap[] = [];
  for (let r = z - 1; r >= 0 && out.length < (options.referenceWindow ?? 1); r--) {
    const ref = await source.read(r);
    if (sectionContent(section(source, ref), options.blank).blank) continue;
    out.push(await pairOf(source, { z: r, raw: ref }, z, raw, options));
  }
  return out;
}

export { renderSection } from "./map.js";

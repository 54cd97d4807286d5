import type { Section } from "./section.js";

/** Options of {@link sectionContent}. */
export interface BlankOptions {
  /** A section whose standard deviation is below this fraction of its mean absolute value (or 1e-6) is blank (default 0.01). */
  minRelativeStd?: number;
  /** A section where more than this fraction of pixels share one value (fill, saturation) is near-blank (default 0.5). */
  maxSameValueFraction?: number;
}

/** What {@link sectionContent} found. */
export interface SectionContent {
  blank: boolean;
  /** Why, when blank. */
  reason: string | null;
  std: number;
  /** Fraction of pixels holding the most common value. */
  sameValueFraction: number;
}

/**
 * Whether a section has content to align on: not constant (relative standard deviation) and not
 * mostly one value (a fill, a saturated or cut region). Non-finite values count as the same "value".
 */
export function sectionContent(s: Section, options: BlankOptions = {}): SectionContent {
  const { data } = s;
  const n = data.length;
  let sum = 0;
  let sumAbs = 0;
  let finite = 0;
  for (let i = 0; i < n; i++) {
    const v = data[i];
    if (!Number.isFinite(v)) continue;
    sum += v;
    sumAbs += Math.abs(v);
    finite++;
  }
  const mean = finite > 0 ? sum / finite : 0;
  let ss = 0;
  for (let i = 0; i < n; i++) {
    const v = data[i];
    if (Number.isFinite(v)) ss += (v - mean) * (v - mean);
  }
  const std = finite > 1 ? Math.sqrt(ss / (finite - 1)) : 0;
  // the most common value, on a sample of at most 65,536 pixels
  const counts = new Map<number, number>();
  const step = Math.max(1, Math.floor(n / 65_536));
  let sampled = 0;
  let top = 0;
  for (let i = 0; i < n; i += step) {
    const v = Number.isFinite(data[i]) ? data[i] : Number.NaN;
    const c = (counts.get(v) ?? 0) + 1;
    counts.set(v, c);
    if (c > top) top = c;
    sampled++;
  }
  const sameValueFraction = sampled > 0 ? top / sampled : 1;
  const minStd = (options.minRelativeStd ?? 0.01) * Math.max(sumAbs / Math.max(1, finite), 1e-6);
  if (!(std > minStd))
    return {
      blank: true,
      reason: `standard deviation ${std.toPrecision(3)} ≤ ${minStd.toPrecision(3)}`,
      std,
      sameValueFraction,
    };
  const maxSame = options.maxSameValueFraction ?? 0.5;
  if (sameValueFraction > maxSame) {
    return {
      blank: true,
      reason: `${(100 * sameValueFraction).toFixed(1)} % of pixels hold one value`,
      std,
      sameValueFraction,
    };
  }
  return { blank: false, reason: null, std, sameValueFraction };
}

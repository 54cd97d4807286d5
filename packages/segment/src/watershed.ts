import { checkLabels, checkLength, checkShape, type ScalarArray } from "./arrays.js";
import { SegmentDtypeError } from "./errors.js";
import { quantise } from "./quantise.js";

/** Options of {@link seededWatershed}. */
export interface SeededWatershedOptions {
  /** Voxels where the mask is 0 stay 0 and do not conduct the flood. Default: everywhere. */
  mask?: Uint8Array;
  /** `3d` (6-connected, default) or `2d`: each z-section flooded on its own (4-connected). */
  mode?: "2d" | "3d";
  /** Levels a float surface is quantised to (2..65536, default 65536); integer surfaces are used as they are. */
  levels?: number;
}

/**
 * Seeded watershed by priority flood with a bucket queue over quantised levels: every voxel takes the
 * label of the seed whose flood reaches it first, in order of (level, arrival), the order of
 * scikit-image's `watershed` (a voxel below the current level is flooded next, as a heap would).
 * `seeds` holds labels (0 = unseeded). Returns new labels; voxels unreachable from any seed stay 0.
 */
export function seededWatershed(
  surface: ScalarArray,
  shape: readonly number[],
  seeds: Uint32Array,
  options: SeededWatershedOptions = {},
): Uint32Array {
  const [Z, Y, X] = checkShape(shape);
  checkLength(surface, shape, "surface");
  checkLabels(seeds, "seeds");
  if (!(seeds instanceof Uint32Array)) {
    throw new SegmentDtypeError("seeds must be a Uint32Array", {
      field: "seeds",
      expected: "Uint32Array",
      found: (seeds as object).constructor.name,
    });
  }
  checkLength(seeds, shape, "seeds");
  const mask = options.mask;
  if (mask !== undefined) checkLength(mask, shape, "mask");
  const { values, levels } = quantise(surface, options.levels ?? 65536, "surface");
  return flood(values, levels, Z, Y, X, seeds, mask, options.mode === "2d");
}

/** Largest seed id the flood takes (labels live below the UNLABELLED flag of 32-bit voxels). */
const MAX_SEED = 0x7fffffff;

/**
 * The flood itself, on a copy padded by one voxel of blocked border (no bounds checks in the loop):
 * one push per voxel into a FIFO bucket queue (linked lists per level, bitmap of non-empty levels).
 */
function flood(
  level: Uint8Array | Uint16Array,
  levels: number,
  Z: number,
  Y: number,
  X: number,
  seeds: Uint32Array,
  mask: Uint8Array | undefined,
  planar: boolean,
): Uint32Array {
  const PX = X + 2;
  const PY = Y + 2;
  const PXY = PX * PY;
  const P = PXY * (Z + 2);
  // One array holds both what a voxel is and, while it is unlabelled, its level: labels are below
  // the UNLABELLED flag (the top bit), an unlabelled voxel holds UNLABELLED | level, the border and
  // masked voxels BLOCKED (all ones). A neighbour test then touches one array instead of two, and
  // with fewer than 2^15 seeds and levels the array is 16-bit: the flood is bound by cache misses.
  let maxSeed = 0;
  for (let i = 0; i < seeds.length; i++) if (seeds[i] > maxSeed) maxSeed = seeds[i];
  if (maxSeed > MAX_SEED) {
    throw new SegmentDtypeError("seed id too large", {
      field: "seeds",
      expected: `ids up to ${MAX_SEED}`,
      found: String(maxSeed),
    });
  }
  const compact = maxSeed < 0x8000 && levels <= 0x8000;
  const UNLABELLED = compact ? 0x8000 : 0x80000000;
  const BLOCKED = compact ? 0xffff : 0xffffffff;
  const LEVEL_BITS = UNLABELLED - 1;
  const out = compact ? new Uint16Array(P).fill(BLOCKED) : new Uint32Array(P).fill(BLOCKED);
  // FIFO bucket queue, inlined: one growable array of voxel indices per level (read from the front,
  // appended at the back, reset when drained), a bitmap of non-empty levels, and `cur` = a lower bound
  // of the lowest non-empty level (a push below it lowers it).
  const buckets: Int32Array[] = new Array(levels);
  const readAt = new Int32Array(levels);
  const writeAt = new Int32Array(levels);
  const initial = Math.max(64, Math.min(1 << 16, (P / levels) | 0));
  const words = new Uint32Array((levels + 31) >>> 5);
  let size = 0;
  let cur = levels;
  const push = (j: number, l: number) => {
    let bucket = buckets[l];
    let w = writeAt[l];
    if (bucket === undefined) {
      bucket = new Int32Array(initial);
      buckets[l] = bucket;
    } else if (w === bucket.length) {
      const grown = new Int32Array(bucket.length * 2);
      grown.set(bucket);
      bucket = grown;
      buckets[l] = bucket;
    }
    if (w === readAt[l]) {
      words[l >>> 5] |= 1 << (l & 31);
      if (l < cur) cur = l;
    }
    bucket[w++] = j;
    writeAt[l] = w;
    size++;
  };
  for (let z = 0; z < Z; z++) {
    for (let y = 0; y < Y; y++) {
      const src = (z * Y + y) * X;
      const dst = (z + 1) * PXY + (y + 1) * PX + 1;
      for (let x = 0; x < X; x++) {
        const i = src + x;
        const j = dst + x;
        if (mask !== undefined && mask[i] === 0) continue;
        const s = seeds[i];
        if (s !== 0) {
          out[j] = s;
          push(j, level[i]);
        } else {
          out[j] = UNLABELLED | level[i];
        }
      }
    }
  }
  // neighbour order of scikit-image: −z, −y, −x, +x, +y, +z
  const dz = planar ? 0 : PXY;
  while (size > 0) {
    // lowest non-empty bucket at or above cur
    let w = cur >>> 5;
    let bits = words[w] & (-1 << (cur & 31));
    while (bits === 0) bits = words[++w];
    cur = (w << 5) + (31 - Math.clz32(bits & -bits));
    const r = readAt[cur];
    const i = buckets[cur][r];
    if (r + 1 === writeAt[cur]) {
      readAt[cur] = 0;
      writeAt[cur] = 0;
      words[w] &= ~(1 << (cur & 31));
    } else {
      readAt[cur] = r + 1;
    }
    size--;
    const label = out[i];
    let j = i - dz;
    let v = out[j];
    if (v >= UNLABELLED && v !== BLOCKED) {
      out[j] = label;
      push(j, v & LEVEL_BITS);
    }
    j = i - PX;
    v = out[j];
    if (v >= UNLABELLED && v !== BLOCKED) {
      out[j] = label;
      push(j, v & LEVEL_BITS);
    }
    j = i - 1;
    v = out[j];
    if (v >= UNLABELLED && v !== BLOCKED) {
      out[j] = label;
      push(j, v & LEVEL_BITS);
    }
    j = i + 1;
    v = out[j];
    if (v >= UNLABELLED && v !== BLOCKED) {
      out[j] = label;
      push(j, v & LEVEL_BITS);
    }
    j = i + PX;
    v = out[j];
    if (v >= UNLABELLED && v !== BLOCKED) {
      out[j] = label;
      push(j, v & LEVEL_BITS);
    }
    j = i + dz;
    v = out[j];
    if (v >= UNLABELLED && v !== BLOCKED) {
      out[j] = label;
      push(j, v & LEVEL_BITS);
    }
  }
  const result = new Uint32Array(Z * Y * X);
  for (let z = 0; z < Z; z++) {
    for (let y = 0; y < Y; y++) {
      const src = (z + 1) * PXY + (y + 1) * PX + 1;
      const dst = (z * Y + y) * X;
      for (let x = 0; x < X; x++) {
        const v = out[src + x];
        result[dst + x] = v >= UNLABELLED ? 0 : v;
      }
    }
  }
  return result;
}

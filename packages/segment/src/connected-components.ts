import { checkLabels, checkLength, checkShape, type LabelArray, labelsAsNumbers } from "./arrays.js";
import { SegmentOptionsError } from "./errors.js";
import { componentsKernel, componentsKernelFits } from "./kernels/components-wasm.js";

/** Options of {@link connectedComponents}. */
export interface ConnectedComponentsOptions {
  /** 6 (faces), 18 (faces + edges) or 26 (faces + edges + corners); default 26. On a `[1, y, x]` image, 6 is 4-connected and 26 is 8-connected. */
  connectivity?: 6 | 18 | 26;
  /**
   * `wasm`: the WebAssembly kernel (`wasm/components.c`; labels up to 32 bits); `js`: TypeScript;
   * `auto` (default): the kernel for labels up to 32 bits when WebAssembly is there and the volume
   * fits its memory, else TypeScript. Both give the same components.
   */
  kernel?: "auto" | "wasm" | "js";
}

/** Components of a label volume: new ids 1..count, numbered in order of first appearance (C order). */
export interface Components {
  labels: Uint32Array;
  count: number;
}

function find(parent: Int32Array, i: number): number {
  while (parent[i] !== i) {
    parent[i] = parent[parent[i]];
    i = parent[i];
  }
  return i;
}

/**
 * Union runs of row `r` with those of the earlier row `q` that carry the same label and overlap (± `ext`
 * voxels). Runs are numbered in C order and every root is the smallest run of its set, so a run of an
 * earlier row always has a smaller root: a run still on its own simply points to it.
 */
function linkRows(
  rowBegin: Int32Array,
  start: Int32Array,
  end: Int32Array,
  value: Float64Array,
  parent: Int32Array,
  r: number,
  q: number,
  ext: number,
): void {
  let j0 = rowBegin[q];
  const jEnd = rowBegin[q + 1];
  for (let i = rowBegin[r], iEnd = rowBegin[r + 1]; i < iEnd; i++) {
    const s = start[i];
    const e = end[i] + ext;
    while (j0 < jEnd && end[j0] + ext <= s) j0++;
    const v = value[i];
    for (let j = j0; j < jEnd && start[j] < e; j++) {
      if (value[j] !== v) continue;
      const rj = find(parent, j);
      if (parent[i] === i) {
        parent[i] = rj;
        continue;
      }
      const ri = find(parent, i);
      if (ri < rj) parent[rj] = ri;
      else if (rj < ri) parent[ri] = rj;
    }
  }
}

/**
 * Connected components of every non-zero label (voxels connect when they carry the same label and
 * touch under the chosen connectivity). Works on runs of equal labels along x with a union-find over
 * runs, so long runs cost one comparison each. A binary mask gives the components of its foreground.
 */
export function connectedComponents(
  labels: LabelArray,
  shape: readonly number[],
  options: ConnectedComponentsOptions = {},
): Components {
  checkLabels(labels, "labels");
  const [Z, Y, X] = checkShape(shape);
  checkLength(labels, shape, "labels");
  const connectivity = options.connectivity ?? 26;
  if (connectivity !== 6 && connectivity !== 18 && connectivity !== 26) {
    throw new SegmentOptionsError("invalid connectivity", {
      field: "connectivity",
      expected: "6, 18 or 26",
      found: String(connectivity),
    });
  }
  const kernel = options.kernel ?? "auto";
  if (kernel !== "auto" && kernel !== "wasm" && kernel !== "js") {
    throw new SegmentOptionsError("unknown connected-components kernel", {
      field: "kernel",
      expected: "'auto', 'wasm' or 'js'",
      found: String(kernel),
    });
  }
  const data = labelsAsNumbers(labels, "labels");
  if (kernel === "wasm" || (kernel === "auto" && componentsKernelFits(data.length))) {
    const result = data instanceof Float64Array ? undefined : componentsKernel(data, Z, Y, X, connectivity);
    if (result !== undefined) return result;
    if (kernel === "wasm") {
      throw new SegmentOptionsError("the WebAssembly connected-components kernel cannot take these labels", {
        field: "kernel",
        expected: "labels of up to 32 bits, WebAssembly, and the volume with its runs below 4 GiB",
        found: `${labels.constructor.name} of ${data.length} voxels (use kernel 'js' or 'auto')`,
      });
    }
  }
  const rows = Z * Y;
  // runs of equal non-zero labels along x, in one pass (arrays grow by doubling)
  let capacity = Math.max(1024, rows * 4);
  let start = new Int32Array(capacity);
  let end = new Int32Array(capacity);
  let value = new Float64Array(capacity);
  const rowBegin = new Int32Array(rows + 1);
  let k = 0;
  for (let r = 0; r < rows; r++) {
    rowBegin[r] = k;
    const base = r * X;
    let x = 0;
    while (x < X) {
      const v = data[base + x];
      if (v === 0) {
        x++;
        continue;
      }
      let e = x + 1;
      while (e < X && data[base + e] === v) e++;
      if (k === capacity) {
        capacity *= 2;
        const grownStart = new Int32Array(capacity);
        grownStart.set(start);
        start = grownStart;
        const grownEnd = new Int32Array(capacity);
        grownEnd.set(end);
        end = grownEnd;
        const grownValue = new Float64Array(capacity);
        grownValue.set(value);
        value = grownValue;
      }
      start[k] = x;
      end[k] = e;
      value[k] = v;
      k++;
      x = e;
    }
  }
  rowBegin[rows] = k;
  const runCount = k;
  const parent = new Int32Array(runCount);
  for (let i = 0; i < runCount; i++) parent[i] = i;
  const edgeExt = connectivity === 6 ? 0 : 1;
  const cornerExt = connectivity === 26 ? 1 : 0;
  const diagonalRows = connectivity !== 6;
  for (let z = 0; z < Z; z++) {
    for (let y = 0; y < Y; y++) {
      const r = z * Y + y;
      if (rowBegin[r] === rowBegin[r + 1]) continue;
      if (y > 0) linkRows(rowBegin, start, end, value, parent, r, r - 1, edgeExt);
      if (z > 0) {
        const q = r - Y;
        linkRows(rowBegin, start, end, value, parent, r, q, edgeExt);
        if (diagonalRows) {
          if (y > 0) linkRows(rowBegin, start, end, value, parent, r, q - 1, cornerExt);
          if (y < Y - 1) linkRows(rowBegin, start, end, value, parent, r, q + 1, cornerExt);
        }
      }
    }
  }
  const ids = new Uint32Array(runCount);
  let count = 0;
  const out = new Uint32Array(Z * Y * X);
  for (let r = 0; r < rows; r++) {
    const base = r * X;
    for (let i = rowBegin[r]; i < rowBegin[r + 1]; i++) {
      const root = find(parent, i);
      const id = root === i ? ++count : ids[root];
      ids[i] = id;
      // runs are short: a loop beats a call of fill() per run
      for (let x = base + start[i], xEnd = base + end[i]; x < xEnd; x++) out[x] = id;
    }
  }
  return { labels: out, count };
}

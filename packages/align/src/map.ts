import { applyAffine } from "./fit.js";
import type { Section } from "./section.js";
import type { MeshMap, SectionMap } from "./stack-types.js";

/** The node layout of a mesh: `rows × cols` nodes `stride` px apart, node (0, 0) at (y0, x0). */
export interface MeshGeometry {
  rows: number;
  cols: number;
  stride: number;
  y0: number;
  x0: number;
}

/**
 * A mesh of nodes `stride` px apart covering a `height × width` section, centred on it: the outer
 * nodes lie on or just outside the section's edges.
 */
export function meshGeometry(height: number, width: number, stride: number): MeshGeometry {
  const rows = Math.max(2, Math.ceil((height - 1) / stride) + 1);
  const cols = Math.max(2, Math.ceil((width - 1) / stride) + 1);
  return {
    rows,
    cols,
    stride,
    y0: (height - 1 - (rows - 1) * stride) / 2,
    x0: (width - 1 - (cols - 1) * stride) / 2,
  };
}

/** A mesh map with every node placed by `f` (output point → raw point). */
export function meshFrom(g: MeshGeometry, f: (y: number, x: number) => [number, number]): MeshMap {
  const positions = new Float64Array(2 * g.rows * g.cols);
  for (let r = 0; r < g.rows; r++) {
    for (let c = 0; c < g.cols; c++) {
      const [y, x] = f(g.y0 + r * g.stride, g.x0 + c * g.stride);
      const i = 2 * (r * g.cols + c);
      positions[i] = y;
      positions[i + 1] = x;
    }
  }
  return { kind: "mesh", ...g, positions };
}

/** Catmull–Rom weights of the four samples around fraction t ∈ [0, 1] (between samples 1 and 2). */
function catmullRom(t: number, w: Float64Array): void {
  const t2 = t * t;
  const t3 = t2 * t;
  w[0] = 0.5 * (-t3 + 2 * t2 - t);
  w[1] = 0.5 * (3 * t3 - 5 * t2 + 2);
  w[2] = 0.5 * (-3 * t3 + 4 * t2 + t);
  w[3] = 0.5 * (t3 - t2);
}

/**
 * Node value k (0: y, 1: x) at (r, c), where rows and columns outside the mesh are extended
 * linearly from the two nearest inside (so the map continues as its edge cells do).
 */
function nodeValue(m: MeshMap, r: number, c: number, k: number): number {
  const { rows, cols, positions: p } = m;
  if (r < 0) return nodeValue(m, 0, c, k) + r * (nodeValue(m, 1, c, k) - nodeValue(m, 0, c, k));
  if (r >= rows) {
    const last = nodeValue(m, rows - 1, c, k);
    return last + (r - rows + 1) * (last - nodeValue(m, rows - 2, c, k));
  }
  if (c < 0) return nodeValue(m, r, 0, k) + c * (nodeValue(m, r, 1, k) - nodeValue(m, r, 0, k));
  if (c >= cols) {
    const last = nodeValue(m, r, cols - 1, k);
    return last + (c - cols + 1) * (last - nodeValue(m, r, cols - 2, k));
  }
  return p[2 * (r * cols + c) + k];
}

const wy = new Float64Array(4);
const wx = new Float64Array(4);

/** Where output point (y, x) lies in the raw section under a mesh map (Catmull–Rom between nodes). */
export function meshPoint(m: MeshMap, y: number, x: number): [number, number] {
  const u = (y - m.y0) / m.stride;
  const v = (x - m.x0) / m.stride;
  const r = Math.min(Math.max(Math.floor(u), -1), m.rows - 1);
  const c = Math.min(Math.max(Math.floor(v), -1), m.cols - 1);
  catmullRom(u - r, wy);
  catmullRom(v - c, wx);
  let oy = 0;
  let ox = 0;
  for (let j = 0; j < 4; j++) {
    for (let i = 0; i < 4; i++) {
      const w = wy[j] * wx[i];
      oy += w * nodeValue(m, r - 1 + j, c - 1 + i, 0);
      ox += w * nodeValue(m, r - 1 + j, c - 1 + i, 1);
    }
  }
  return [oy, ox];
}

/** Where output point (y, x) lies in the raw section. */
export function mapPoint(map: SectionMap, y: number, x: number): [number, number] {
  return map.kind === "affine" ? applyAffine(map.affine, y, x) : meshPoint(map, y, x);
}

/**
 * The mesh's node values padded by two rows and columns on every side (linear extension), so
 * interpolation reads them without bounds checks: `padded[k][(r + 2)·(cols + 4) + c + 2]`.
 */
function paddedNodes(m: MeshMap): [Float64Array, Float64Array] {
  const pc = m.cols + 4;
  const out: [Float64Array, Float64Array] = [
    new Float64Array((m.rows + 4) * pc),
    new Float64Array((m.rows + 4) * pc),
  ];
  for (let k = 0; k < 2; k++) {
    for (let r = -2; r < m.rows + 2; r++) {
      for (let c = -2; c < m.cols + 2; c++) out[k][(r + 2) * pc + c + 2] = nodeValue(m, r, c, k);
    }
  }
  return out;
}

/**
 * The raw position of every pixel of a `height × width` output under `map`, as two Float64Arrays
 * (y then x). Mesh maps: Catmull–Rom in y per node column once per output row, then in x per pixel.
 */
export function mapGrid(map: SectionMap, height: number, width: number): [Float64Array, Float64Array] {
  const gy = new Float64Array(height * width);
  const gx = new Float64Array(height * width);
  if (map.kind === "affine") {
    const [a, b, c, d, e, f] = map.affine;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        gy[y * width + x] = a * y + b * x + c;
        gx[y * width + x] = d * y + e * x + f;
      }
    }
    return [gy, gx];
  }
  const [py, px] = paddedNodes(map);
  const pc = map.cols + 4;
  const colY = new Float64Array(pc);
  const colX = new Float64Array(pc);
  const w = new Float64Array(4);
  // per column of the output: its node interval and Catmull–Rom weights (the same for every row)
  const cIdx = new Int32Array(width);
  const cW = new Float64Array(4 * width);
  for (let x = 0; x < width; x++) {
    const v = (x - map.x0) / map.stride;
    const c = Math.min(Math.max(Math.floor(v), -1), map.cols - 1);
    cIdx[x] = c + 2 - 1;
    catmullRom(v - c, w);
    cW.set(w, 4 * x);
  }
  for (let y = 0; y < height; y++) {
    const u = (y - map.y0) / map.stride;
    const r = Math.min(Math.max(Math.floor(u), -1), map.rows - 1);
    catmullRom(u - r, w);
    const base = (r + 2 - 1) * pc;
    for (let c = 0; c < pc; c++) {
      const i = base + c;
      colY[c] = w[0] * py[i] + w[1] * py[i + pc] + w[2] * py[i + 2 * pc] + w[3] * py[i + 3 * pc];
      colX[c] = w[0] * px[i] + w[1] * px[i + pc] + w[2] * px[i + 2 * pc] + w[3] * px[i + 3 * pc];
    }
    const o = y * width;
    for (let x = 0; x < width; x++) {
      const c = cIdx[x];
      const k = 4 * x;
      gy[o + x] =
        cW[k] * colY[c] + cW[k + 1] * colY[c + 1] + cW[k + 2] * colY[c + 2] + cW[k + 3] * colY[c + 3];
      gx[o + x] =
        cW[k] * colX[c] + cW[k + 1] * colX[c + 1] + cW[k + 2] * colX[c + 2] + cW[k + 3] * colX[c + 3];
    }
  }
  return [gy, gx];
}

/**
 * The raw section resampled into the output frame: aligned(q) = raw(map(q)), bilinear; output
 * pixels whose source falls outside the raw section get `fill` (default 0).
 */
export function renderSection(raw: Section, map: SectionMap, fill = 0): Float32Array {
  const { width: W, height: H, data } = raw;
  const out = new Float32Array(W * H);
  const [gy, gx] = mapGrid(map, H, W);
  for (let i = 0; i < out.length; i++) {
    const sy = gy[i];
    const sx = gx[i];
    if (!(sy >= 0 && sx >= 0 && sy <= H - 1 && sx <= W - 1)) {
      out[i] = fill;
      continue;
    }
    const y0 = Math.min(Math.floor(sy), H - 2);
    const x0 = Math.min(Math.floor(sx), W - 2);
    const fy = sy - y0;
    const fx = sx - x0;
    const j = y0 * W + x0;
    out[i] =
      (1 - fy) * ((1 - fx) * data[j] + fx * data[j + 1]) +
      fy * ((1 - fx) * data[j + W] + fx * data[j + W + 1]);
  }
  return out;
}

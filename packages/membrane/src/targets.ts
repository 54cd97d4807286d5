import { MembraneOptionsError } from "./errors.js";

function checkLabels(labels: ArrayLike<number>, shape: readonly number[]): number {
  const n = shape.reduce((a, b) => a * b, 1);
  if (labels.length !== n) {
    throw new MembraneOptionsError("labels do not match their shape", {
      field: "labels",
      expected: `${n} values (${shape.join("×")})`,
      found: `${labels.length} values`,
    });
  }
  return n;
}

/**
 * Boundary targets from a label image or volume (`[y, x]` or `[z, y, x]`): 1 where the label is 0
 * (membrane, as in ISBI 2012 ground truth) or where an in-plane (y or x) neighbour carries another
 * non-zero label (cells that touch without a membrane drawn between them), 0 elsewhere. A cell pixel
 * next to a membrane pixel stays 0, so drawn membranes are not widened. In-plane only, so thick
 * sections do not mark whole faces.
 */
export function boundaryTargets(labels: ArrayLike<number>, shape: readonly number[]): Float32Array {
  const n = checkLabels(labels, shape);
  const X = shape[shape.length - 1];
  const Y = shape[shape.length - 2];
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const v = labels[i];
    if (v === 0) {
      out[i] = 1;
      continue;
    }
    const x = i % X;
    const y = Math.floor(i / X) % Y;
    const other = (w: number) => w !== v && w !== 0;
    if (
      (x > 0 && other(labels[i - 1])) ||
      (x < X - 1 && other(labels[i + 1])) ||
      (y > 0 && other(labels[i - X])) ||
      (y < Y - 1 && other(labels[i + X]))
    ) {
      out[i] = 1;
    }
  }
  return out;
}

/**
 * Nearest-neighbour affinity targets, channels first (`[2, y, x]` in 2-D, `[3, z, y, x]` in 3-D), in
 * the convention of `@tessera/segment` and waterz: channel c at voxel i is 1 when i and its neighbour
 * at −1 along axis c carry the same non-zero label, else 0 (also for edges that leave the volume).
 */
export function affinityTargets(labels: ArrayLike<number>, shape: readonly number[]): Float32Array {
  const n = checkLabels(labels, shape);
  const strides: number[] = [];
  let s = 1;
  for (let a = shape.length - 1; a >= 0; a--) {
    strides[a] = s;
    s *= shape[a];
  }
  const out = new Float32Array(shape.length * n);
  for (let c = 0; c < shape.length; c++) {
    const stride = strides[c];
    const extent = shape[c];
    for (let i = 0; i < n; i++) {
      if (Math.floor(i / stride) % extent === 0) continue;
      const v = labels[i];
      if (v !== 0 && labels[i - stride] === v) out[c * n + i] = 1;
    }
  }
  return out;
}

import type { TypedArray } from "./dtype.js";

/** A flat array seen as an n-d array: its shape and its strides (in elements). */
export interface StridedView<T extends TypedArray = TypedArray> {
  data: T;
  shape: readonly number[];
  strides: readonly number[];
}

/** C-order strides of a shape, in elements. */
export function cOrderStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}

/**
 * Copy the region `regionShape` starting at `srcBegin` in `src` to `dstBegin` in `dst`. Rows that are
 * contiguous in both (unit stride along the last axis) are copied with `TypedArray.set`; other layouts
 * element by element. No allocation per element.
 */
export function copyRegion(
  src: StridedView,
  srcBegin: readonly number[],
  dst: StridedView,
  dstBegin: readonly number[],
  regionShape: readonly number[],
): void {
  const ndim = regionShape.length;
  if (ndim === 0) return;
  for (let i = 0; i < ndim; i++) if (regionShape[i] === 0) return;
  let srcOffset = 0;
  let dstOffset = 0;
  for (let i = 0; i < ndim; i++) {
    srcOffset += srcBegin[i] * src.strides[i];
    dstOffset += dstBegin[i] * dst.strides[i];
  }
  const last = ndim - 1;
  const rowLength = regionShape[last];
  const srcRowStride = src.strides[last];
  const dstRowStride = dst.strides[last];
  const contiguous = srcRowStride === 1 && dstRowStride === 1;
  // biome-ignore lint/suspicious/noExplicitAny: both arrays share the dtype; `set` is typed per class.
  const dstData = dst.data as any;
  const srcData = src.data;
  const counter = new Array<number>(last).fill(0);
  let rows = 1;
  for (let i = 0; i < last; i++) rows *= regionShape[i];
  let s = srcOffset;
  let d = dstOffset;
  for (let row = 0; row < rows; row++) {
    if (contiguous) {
      dstData.set(srcData.subarray(s, s + rowLength), d);
    } else {
      for (let k = 0, si = s, di = d; k < rowLength; k++, si += srcRowStride, di += dstRowStride) {
        dstData[di] = srcData[si];
      }
    }
    // advance the row counter over axes last-1 … 0
    for (let axis = last - 1; axis >= 0; axis--) {
      counter[axis]++;
      s += src.strides[axis];
      d += dst.strides[axis];
      if (counter[axis] < regionShape[axis]) break;
      s -= src.strides[axis] * regionShape[axis];
      d -= dst.strides[axis] * regionShape[axis];
      counter[axis] = 0;
    }
  }
}

import * as tf from "@tensorflow/tfjs";

interface WasmBackendLike {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): tf.TypedArray;
}

type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: object; attrs?: tf.NamedAttrMap };

/**
 * `Slice` on wasm for tensors of rank 5 and more: the backend copies those element by element through
 * `TensorBuffer` (index arrays allocated per element), which made the channel slices in a 3-D U-Net's
 * concatenation gradient take most of a training step. Copies the innermost runs with an odometer
 * over the outer axes instead; ranks up to 4, contiguous slices and strings keep the backend's kernel.
 */
function makeSlice(original: tf.KernelFunc): tf.KernelFunc {
  return ((args: KernelArgs) => {
    const { inputs, backend, attrs } = args;
    const { x } = inputs as { x: tf.TensorInfo };
    const a = attrs as unknown as { begin: number | number[]; size: number | number[] };
    const rank = x.shape.length;
    if (rank < 5 || x.dtype === "string") return original(args as never);
    const [begin, size] = tf.slice_util.parseSliceParams(x as tf.TensorInfo as tf.Tensor, a.begin, a.size);
    if (tf.slice_util.isSliceContinous(x.shape, begin, size)) return original(args as never);
    const wasm = backend as WasmBackendLike;
    const out = wasm.makeOutput(size, x.dtype);
    const src = wasm.typedArrayFromHeap(x);
    const dst = wasm.typedArrayFromHeap(out);
    const strides = tf.util.computeStrides(x.shape);
    const inner = size[rank - 1];
    const index = new Array<number>(rank - 1).fill(0);
    let runs = 1;
    for (let k = 0; k < rank - 1; k++) runs *= size[k];
    let o = 0;
    for (let r = 0; r < runs; r++) {
      let s = begin[rank - 1];
      for (let k = 0; k < rank - 1; k++) s += (begin[k] + index[k]) * strides[k];
      for (let i = 0; i < inner; i++) dst[o + i] = src[s + i];
      o += inner;
      for (let k = rank - 2; k >= 0; k--) {
        if (++index[k] < size[k]) break;
        index[k] = 0;
      }
    }
    return out;
  }) as tf.KernelFunc;
}

/**
 * `SplitV` on wasm (the gradient of a concatenation), which calls the backend's slice directly:
 * the same pieces through {@link makeSlice}'s kernel.
 */
function makeSplitV(slice: tf.KernelFunc): tf.KernelFunc {
  return (({ inputs, backend, attrs }: KernelArgs) => {
    const { x } = inputs as { x: tf.TensorInfo };
    const a = attrs as unknown as { numOrSizeSplits: number | number[]; axis: number };
    const axis = tf.util.parseAxisParam(a.axis, x.shape)[0];
    const sizes = tf.backend_util.prepareSplitSize(x as tf.TensorInfo as tf.Tensor, a.numOrSizeSplits, axis);
    const begin = new Array<number>(x.shape.length).fill(0);
    return sizes.map((s) => {
      const size = x.shape.slice();
      size[axis] = s;
      const piece = slice({ inputs: { x }, backend, attrs: { begin: begin.slice(), size } }) as tf.TensorInfo;
      begin[axis] += s;
      return piece;
    });
  }) as tf.KernelFunc;
}

let registered = false;

/** Replace the wasm backend's `Slice` and `SplitV` by {@link makeSlice}'s and {@link makeSplitV}'s (once). */
export function registerWasmSlice(): void {
  if (registered) return;
  const original = tf.getKernel("Slice", "wasm");
  const split = tf.getKernel("SplitV", "wasm");
  if (!original || !split) return;
  const slice = makeSlice(original.kernelFunc);
  tf.unregisterKernel("Slice", "wasm");
  tf.registerKernel({ ...original, kernelFunc: slice });
  tf.unregisterKernel("SplitV", "wasm");
  tf.registerKernel({ ...split, kernelFunc: makeSplitV(slice) });
  registered = true;
}

import * as tf from "@tensorflow/tfjs";

/** What the wasm backend object offers that this kernel uses (it is not exported as a type). */
interface WasmBackendLike {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array;
  disposeData(dataId: tf.TensorInfo["dataId"]): boolean;
}

interface InputGradAttrs {
  strides: number | [number, number];
  pad: "valid" | "same" | number;
  dataFormat: "NHWC" | "NCHW";
  dimRoundingMode?: "floor" | "round" | "ceil";
  inputShape: [number, number, number, number];
}

type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: object; attrs?: tf.NamedAttrMap };

/**
 * `Conv2DBackpropInput` on wasm through the backend's fast (XNNPACK) `Conv2D`: dx is the full
 * correlation of dy — spread out by the stride with zeros between — with the filter turned 180° and
 * its channels swapped. The backend's own kernel is a direct loop ~10× slower on U-Net layers; it
 * remains the fallback for layouts this one does not handle (NCHW, padding that would be negative).
 */
function makeInputGrad(fallback: tf.KernelFunc): tf.KernelFunc {
  return ((args: KernelArgs) => {
    const { inputs, backend, attrs } = args;
    const wasm = backend as WasmBackendLike;
    const { dy, filter } = inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
    const a = attrs as unknown as InputGradAttrs;
    if (a.dataFormat === "NCHW") return fallback(args as never);
    const info = tf.backend_util.computeConv2DInfo(
      a.inputShape,
      filter.shape as [number, number, number, number],
      a.strides,
      1,
      a.pad,
      a.dimRoundingMode,
      false,
      "channelsLast",
    );
    const {
      batchSize: B,
      inHeight: H,
      inWidth: W,
      inChannels: CI,
      outHeight: OH,
      outWidth: OW,
      outChannels: CO,
    } = info;
    const { filterHeight: FH, filterWidth: FW, strideHeight: sh, strideWidth: sw } = info;
    const DH = (OH - 1) * sh + 1;
    const DW = (OW - 1) * sw + 1;
    const top = FH - 1 - info.padInfo.top;
    const left = FW - 1 - info.padInfo.left;
    const bottom = H - DH - top + FH - 1;
    const right = W - DW - left + FW - 1;
    if (top < 0 || left < 0 || bottom < 0 || right < 0) return fallback(args as never);
    // dy spread by the stride (zeros between), unless the stride is 1
    let spread = dy;
    if (sh > 1 || sw > 1) {
      spread = wasm.makeOutput([B, DH, DW, CO], "float32");
      const src = wasm.typedArrayFromHeap(dy);
      const dst = wasm.typedArrayFromHeap(spread);
      dst.fill(0);
      for (let b = 0; b < B; b++) {
        for (let y = 0; y < OH; y++) {
          for (let x = 0; x < OW; x++) {
            const s = ((b * OH + y) * OW + x) * CO;
            const d = ((b * DH + y * sh) * DW + x * sw) * CO;
            for (let c = 0; c < CO; c++) dst[d + c] = src[s + c];
          }
        }
      }
    }
    // the filter turned 180° with in/out channels swapped: [FH, FW, CO, CI]
    const turned = wasm.makeOutput([FH, FW, CO, CI], "float32");
    const f = wasm.typedArrayFromHeap(filter);
    const t = wasm.typedArrayFromHeap(turned);
    for (let kh = 0; kh < FH; kh++) {
      for (let kw = 0; kw < FW; kw++) {
        const s = ((FH - 1 - kh) * FW + (FW - 1 - kw)) * CI * CO;
        const d = (kh * FW + kw) * CO * CI;
        for (let ci = 0; ci < CI; ci++)
          for (let co = 0; co < CO; co++) t[d + co * CI + ci] = f[s + ci * CO + co];
      }
    }
    const conv = tf.getKernel("Conv2D", "wasm");
    if (!conv) throw new Error("the wasm backend's Conv2D kernel is not registered");
    const out = conv.kernelFunc({
      inputs: { x: spread, filter: turned },
      backend,
      attrs: {
        strides: [1, 1],
        pad: [
          [0, 0],
          [top, bottom],
          [left, right],
          [0, 0],
        ],
        dataFormat: "NHWC",
        dilations: [1, 1],
      },
    }) as tf.TensorInfo;
    if (spread !== dy) wasm.disposeData(spread.dataId);
    wasm.disposeData(turned.dataId);
    return out;
  }) as tf.KernelFunc;
}

let registered = false;

/** Replace the wasm backend's `Conv2DBackpropInput` by {@link makeInputGrad}'s (once). */
export function registerWasmConv2dInputGrad(): void {
  if (registered) return;
  const original = tf.getKernel("Conv2DBackpropInput", "wasm");
  if (!original) return;
  tf.unregisterKernel("Conv2DBackpropInput", "wasm");
  tf.registerKernel({ ...original, kernelFunc: makeInputGrad(original.kernelFunc) });
  registered = true;
}

import * as tf from "@tensorflow/tfjs";

/** What the wasm backend object offers that this kernel uses (it is not exported as a type). */
interface WasmBackendLike {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array;
  disposeData(dataId: tf.TensorInfo["dataId"]): boolean;
}

interface FilterGradAttrs {
  strides: number | [number, number];
  pad: "valid" | "same" | number;
  dataFormat: "NHWC" | "NCHW";
  dimRoundingMode?: "floor" | "round" | "ceil";
  filterShape: [number, number, number, number];
}

/**
 * im2col of a NHWC input for the filter gradient, stored transposed (`[K, N]`): row k = (kh·FW + kw)·CI
 * + ci, column r = (b, oh, ow) holds the input value filter tap k saw at output (oh, ow), 0 in the
 * padding. Transposed so the product with dy (`[N, CO]`) is a plain matrix product.
 */
function im2colT(x: Float32Array, info: tf.backend_util.Conv2DInfo, out: Float32Array): void {
  const { batchSize: B, inHeight: H, inWidth: W, inChannels: CI, outHeight: OH, outWidth: OW } = info;
  const { filterHeight: FH, filterWidth: FW, strideHeight: sh, strideWidth: sw } = info;
  const { dilationHeight: dh, dilationWidth: dw } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const N = B * OH * OW;
  for (let kh = 0; kh < FH; kh++) {
    for (let kw = 0; kw < FW; kw++) {
      for (let ci = 0; ci < CI; ci++) {
        const o = ((kh * FW + kw) * CI + ci) * N;
        let col = 0;
        for (let b = 0; b < B; b++) {
          for (let oh = 0; oh < OH; oh++) {
            const ih = oh * sh + kh * dh - top;
            if (ih < 0 || ih >= H) {
              out.fill(0, o + col, o + col + OW);
              col += OW;
              continue;
            }
            const rowBase = (b * H + ih) * W;
            for (let ow = 0; ow < OW; ow++, col++) {
              const iw = ow * sw + kw * dw - left;
              out[o + col] = iw < 0 || iw >= W ? 0 : x[(rowBase + iw) * CI + ci];
            }
          }
        }
      }
    }
  }
}

/**
 * `Conv2DBackpropFilter` for the wasm backend, which lacks it (so `model.fit` of a 2-D conv net
 * fails there): dW = im2col(x)ᵀ · dy (the im2col matrix built transposed), the product done by the wasm backend's own `BatchMatMul`
 * kernel. NHWC only (what tf.layers uses).
 */
function conv2dBackpropFilterWasm({
  inputs,
  backend,
  attrs,
}: {
  inputs: tf.NamedTensorInfoMap;
  backend: object;
  attrs?: tf.NamedAttrMap;
}): tf.TensorInfo {
  const wasm = backend as WasmBackendLike;
  const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const a = attrs as unknown as FilterGradAttrs;
  if (a.dataFormat === "NCHW")
    throw new Error("Conv2DBackpropFilter on wasm: only NHWC (channels last) is supported");
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    a.filterShape,
    a.strides,
    1,
    a.pad,
    a.dimRoundingMode,
    false,
    "channelsLast",
  );
  const N = info.batchSize * info.outHeight * info.outWidth;
  const K = info.filterHeight * info.filterWidth * info.inChannels;
  const cols = wasm.makeOutput([1, K, N], "float32");
  im2colT(wasm.typedArrayFromHeap(x), info, wasm.typedArrayFromHeap(cols));
  const reshape = tf.getKernel("Reshape", "wasm");
  const matMul = tf.getKernel("BatchMatMul", "wasm");
  if (!reshape || !matMul)
    throw new Error("the wasm backend's Reshape and BatchMatMul kernels are not registered");
  const dy3 = reshape.kernelFunc({
    inputs: { x: dy },
    backend,
    attrs: { shape: [1, N, info.outChannels] },
  }) as tf.TensorInfo;
  const product = matMul.kernelFunc({
    inputs: { a: cols, b: dy3 },
    backend,
    attrs: { transposeA: false, transposeB: false },
  }) as tf.TensorInfo;
  wasm.disposeData(cols.dataId);
  wasm.disposeData(dy3.dataId);
  const out = reshape.kernelFunc({
    inputs: { x: product },
    backend,
    attrs: { shape: a.filterShape },
  }) as tf.TensorInfo;
  wasm.disposeData(product.dataId);
  return out;
}

/**
 * Register {@link conv2dBackpropFilterWasm} for the wasm backend (once; a kernel already registered
 * there, e.g. by a later tfjs release, is left alone). Call before training on wasm.
 */
export function registerWasmConv2dFilterGrad(): void {
  if (tf.getKernel("Conv2DBackpropFilter", "wasm")) return;
  tf.registerKernel({
    kernelName: "Conv2DBackpropFilter",
    backendName: "wasm",
    kernelFunc: conv2dBackpropFilterWasm as tf.KernelFunc,
  });
}

import * as tf from "@tensorflow/tfjs";

/** What the wasm backend object offers that these kernels use (it is not exported as a type). */
interface WasmBackendLike {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array;
  disposeData(dataId: tf.TensorInfo["dataId"]): boolean;
}

type Triple = [number, number, number];
type Shape5 = [number, number, number, number, number];
type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: object; attrs?: tf.NamedAttrMap };
type Conv3DInfo = tf.backend_util.Conv3DInfo;

// Views into the wasm heap are fetched right before use: an allocation may grow (and detach) the heap.

function wasmKernel(name: string): tf.KernelFunc {
  const kernel = tf.getKernel(name, "wasm");
  if (!kernel) throw new Error(`the wasm backend's ${name} kernel is not registered`);
  return kernel.kernelFunc;
}

function reshape(backend: object, x: tf.TensorInfo, shape: number[]): tf.TensorInfo {
  return wasmKernel("Reshape")({ inputs: { x }, backend, attrs: { shape } }) as tf.TensorInfo;
}

/** The Conv2D padding that reproduces the 3-D convolution's padding in y and x. */
function planePadding(info: Conv3DInfo): number[][] {
  const { top, bottom, left, right } = info.padInfo;
  return [
    [0, 0],
    [top, bottom],
    [left, right],
    [0, 0],
  ];
}

/**
 * A stride-1 3-D convolution as FD 2-D convolutions: the input's z-sections are a batch of images,
 * each z-tap kd of the filter convolves all of them through the backend's XNNPACK `Conv2D`, and the
 * results are added with a shift of kd − front sections. The backend's direct `Conv3D` loop is about
 * 20× slower on U-Net layers (3.2 s vs 0.16 s for 2 × 16 × 64² × 16 channels, 3³ filter).
 */
function conv3dByPlanes(
  backend: object,
  x: tf.TensorInfo,
  filter: tf.TensorInfo,
  info: Conv3DInfo,
): tf.TensorInfo {
  const wasm = backend as WasmBackendLike;
  const { batchSize: B, inDepth: D, inHeight: H, inWidth: W, inChannels: CI } = info;
  const { outDepth: OD, outHeight: OH, outWidth: OW, outChannels: CO } = info;
  const { filterDepth: FD, filterHeight: FH, filterWidth: FW } = info;
  const front = info.padInfo.front;
  const plane = OH * OW * CO;
  const tap = FH * FW * CI * CO;
  const sections = reshape(backend, x, [B * D, H, W, CI]);
  const out = wasm.makeOutput([B, OD, OH, OW, CO], "float32");
  wasm.typedArrayFromHeap(out).fill(0);
  for (let kd = 0; kd < FD; kd++) {
    // a fresh tensor per tap: the backend caches its packed XNNPACK weights by the filter's data id
    const filterTap = wasm.makeOutput([FH, FW, CI, CO], "float32");
    wasm
      .typedArrayFromHeap(filterTap)
      .set(wasm.typedArrayFromHeap(filter).subarray(kd * tap, (kd + 1) * tap));
    const y = wasmKernel("Conv2D")({
      inputs: { x: sections, filter: filterTap },
      backend,
      attrs: { strides: [1, 1], pad: planePadding(info), dataFormat: "NHWC", dilations: [1, 1] },
    }) as tf.TensorInfo;
    const ys = wasm.typedArrayFromHeap(y);
    const o = wasm.typedArrayFromHeap(out);
    for (let b = 0; b < B; b++) {
      for (let od = 0; od < OD; od++) {
        const iz = od + kd - front;
        if (iz < 0 || iz >= D) continue;
        const s = (b * D + iz) * plane;
        const d = (b * OD + od) * plane;
        for (let i = 0; i < plane; i++) o[d + i] += ys[s + i];
      }
    }
    wasm.disposeData(y.dataId);
    wasm.disposeData(filterTap.dataId);
  }
  wasm.disposeData(sections.dataId);
  return out;
}

const isOne = (v: number | number[] | undefined) => v === undefined || [v].flat().every((k) => k === 1);

/** `Conv3D` on wasm: {@link conv3dByPlanes} for stride 1, no dilation, NDHWC; the backend's own otherwise. */
function makeConv3d(original: tf.KernelFunc): tf.KernelFunc {
  return ((args: KernelArgs) => {
    const { inputs, backend, attrs } = args;
    const { x, filter } = inputs as { x: tf.TensorInfo; filter: tf.TensorInfo };
    const a = attrs as unknown as {
      strides: Triple | number;
      pad: "valid" | "same";
      dilations?: Triple | number;
      dataFormat?: string;
    };
    if (!isOne(a.strides) || !isOne(a.dilations) || (a.dataFormat ?? "NDHWC") !== "NDHWC") {
      return original(args as never);
    }
    const info = tf.backend_util.computeConv3DInfo(x.shape as Shape5, filter.shape as Shape5, 1, 1, a.pad);
    return conv3dByPlanes(backend, x, filter, info);
  }) as tf.KernelFunc;
}

/**
 * `Conv3DBackpropInputV2` (the gradient of conv3d with respect to its input, and the forward pass of
 * conv3dTranspose) on wasm. The backend's own kernel (tfjs-backend-wasm 4.22) disagrees with the cpu
 * backend even for a 1×1×1 filter, so 3-D nets neither trained nor up-sampled correctly. dx is the
 * 'valid' correlation ({@link conv3dByPlanes}) of dy spread by the stride and padded by the filter
 * size less the forward padding, with the filter turned 180° and its channels swapped.
 */
function conv3dBackpropInputWasm({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const wasm = backend as WasmBackendLike;
  const { dy, filter } = inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
  const a = attrs as unknown as { strides: Triple | number; pad: "valid" | "same"; inputShape: Shape5 };
  const info = tf.backend_util.computeConv3DInfo(a.inputShape, filter.shape as Shape5, a.strides, 1, a.pad);
  const { batchSize: B, inDepth: D, inHeight: H, inWidth: W, inChannels: CI } = info;
  const { outDepth: OD, outHeight: OH, outWidth: OW, outChannels: CO } = info;
  const { filterDepth: FD, filterHeight: FH, filterWidth: FW } = info;
  const { strideDepth: sd, strideHeight: sh, strideWidth: sw } = info;
  const PD = D + FD - 1;
  const PH = H + FH - 1;
  const PW = W + FW - 1;
  const z0 = FD - 1 - info.padInfo.front;
  const y0 = FH - 1 - info.padInfo.top;
  const x0 = FW - 1 - info.padInfo.left;
  // dy spread by the stride into the padded frame: output voxel (od, oh, ow) lands at od·sd + z0, …
  const spread = wasm.makeOutput([B, PD, PH, PW, CO], "float32");
  const src = wasm.typedArrayFromHeap(dy);
  const dst = wasm.typedArrayFromHeap(spread);
  dst.fill(0);
  for (let b = 0; b < B; b++) {
    for (let od = 0; od < OD; od++) {
      const pz = od * sd + z0;
      if (pz < 0 || pz >= PD) continue;
      for (let oh = 0; oh < OH; oh++) {
        const py = oh * sh + y0;
        if (py < 0 || py >= PH) continue;
        for (let ow = 0; ow < OW; ow++) {
          const px = ow * sw + x0;
          if (px < 0 || px >= PW) continue;
          const s = (((b * OD + od) * OH + oh) * OW + ow) * CO;
          const d = (((b * PD + pz) * PH + py) * PW + px) * CO;
          for (let c = 0; c < CO; c++) dst[d + c] = src[s + c];
        }
      }
    }
  }
  // the filter turned 180° with in/out channels swapped: [FD, FH, FW, CO, CI]
  const turned = wasm.makeOutput([FD, FH, FW, CO, CI], "float32");
  const f = wasm.typedArrayFromHeap(filter);
  const t = wasm.typedArrayFromHeap(turned);
  for (let kd = 0; kd < FD; kd++) {
    for (let kh = 0; kh < FH; kh++) {
      for (let kw = 0; kw < FW; kw++) {
        const s = (((FD - 1 - kd) * FH + (FH - 1 - kh)) * FW + (FW - 1 - kw)) * CI * CO;
        const d = ((kd * FH + kh) * FW + kw) * CO * CI;
        for (let ci = 0; ci < CI; ci++)
          for (let co = 0; co < CO; co++) t[d + co * CI + ci] = f[s + ci * CO + co];
      }
    }
  }
  const validInfo = tf.backend_util.computeConv3DInfo(
    [B, PD, PH, PW, CO],
    [FD, FH, FW, CO, CI],
    1,
    1,
    "valid",
  );
  const out = conv3dByPlanes(backend, spread, turned, validInfo);
  wasm.disposeData(spread.dataId);
  wasm.disposeData(turned.dataId);
  return out;
}

/**
 * dW of a stride-1 3-D convolution as FD 2-D filter gradients: for z-tap kd, the input sections
 * iz = od + kd − front paired with the output sections od, through the `Conv2DBackpropFilter`
 * registered for wasm (im2col + `BatchMatMul`). The backend's `Conv3DBackpropFilterV2` is a direct
 * loop about 5× slower.
 */
function conv3dFilterGradByPlanes(
  backend: object,
  x: tf.TensorInfo,
  dy: tf.TensorInfo,
  info: Conv3DInfo,
): tf.TensorInfo {
  const wasm = backend as WasmBackendLike;
  const { batchSize: B, inDepth: D, inHeight: H, inWidth: W, inChannels: CI } = info;
  const { outDepth: OD, outHeight: OH, outWidth: OW, outChannels: CO } = info;
  const { filterDepth: FD, filterHeight: FH, filterWidth: FW } = info;
  const front = info.padInfo.front;
  const tap = FH * FW * CI * CO;
  const inPlane = H * W * CI;
  const outPlane = OH * OW * CO;
  const dw = wasm.makeOutput([FD, FH, FW, CI, CO], "float32");
  wasm.typedArrayFromHeap(dw).fill(0);
  for (let kd = 0; kd < FD; kd++) {
    const od0 = Math.max(0, front - kd);
    const od1 = Math.min(OD, D + front - kd);
    const n = od1 - od0;
    if (n <= 0) continue;
    const xs = wasm.makeOutput([B * n, H, W, CI], "float32");
    const dys = wasm.makeOutput([B * n, OH, OW, CO], "float32");
    const xv = wasm.typedArrayFromHeap(xs);
    const dyv = wasm.typedArrayFromHeap(dys);
    const xa = wasm.typedArrayFromHeap(x);
    const dya = wasm.typedArrayFromHeap(dy);
    for (let b = 0; b < B; b++) {
      const iz0 = od0 + kd - front;
      xv.set(xa.subarray((b * D + iz0) * inPlane, (b * D + iz0 + n) * inPlane), b * n * inPlane);
      dyv.set(dya.subarray((b * OD + od0) * outPlane, (b * OD + od1) * outPlane), b * n * outPlane);
    }
    const part = wasmKernel("Conv2DBackpropFilter")({
      inputs: { x: xs, dy: dys },
      backend,
      attrs: { strides: [1, 1], pad: planePadding(info), dataFormat: "NHWC", filterShape: [FH, FW, CI, CO] },
    }) as tf.TensorInfo;
    wasm.typedArrayFromHeap(dw).set(wasm.typedArrayFromHeap(part), kd * tap);
    wasm.disposeData(part.dataId);
    wasm.disposeData(xs.dataId);
    wasm.disposeData(dys.dataId);
  }
  return dw;
}

/**
 * dW of a strided 3-D convolution: im2col(x)ᵀ · dy, the im2col matrix built transposed and the product
 * done by the backend's `BatchMatMul`. The backend's `Conv3DBackpropFilterV2` (tfjs-backend-wasm 4.22)
 * disagrees with the cpu backend for strides > 1 — the U-Net's up-sampling (kernel = stride = 2).
 */
function conv3dFilterGradIm2col(
  backend: object,
  x: tf.TensorInfo,
  dy: tf.TensorInfo,
  info: Conv3DInfo,
  filterShape: Shape5,
): tf.TensorInfo {
  const wasm = backend as WasmBackendLike;
  const { batchSize: B, inDepth: D, inHeight: H, inWidth: W, inChannels: CI } = info;
  const { outDepth: OD, outHeight: OH, outWidth: OW, outChannels: CO } = info;
  const { filterDepth: FD, filterHeight: FH, filterWidth: FW } = info;
  const { strideDepth: sd, strideHeight: sh, strideWidth: sw } = info;
  const { front, top, left } = info.padInfo;
  const N = B * OD * OH * OW;
  const K = FD * FH * FW * CI;
  const cols = wasm.makeOutput([1, K, N], "float32");
  const xs = wasm.typedArrayFromHeap(x);
  const out = wasm.typedArrayFromHeap(cols);
  // row (kd, kh, kw, ci), column (b, od, oh, ow): the input value that tap saw there, 0 in the padding
  for (let kd = 0; kd < FD; kd++) {
    for (let kh = 0; kh < FH; kh++) {
      for (let kw = 0; kw < FW; kw++) {
        for (let ci = 0; ci < CI; ci++) {
          let col = (((kd * FH + kh) * FW + kw) * CI + ci) * N;
          for (let b = 0; b < B; b++) {
            for (let od = 0; od < OD; od++) {
              const iz = od * sd + kd - front;
              for (let oh = 0; oh < OH; oh++) {
                const iy = oh * sh + kh - top;
                if (iz < 0 || iz >= D || iy < 0 || iy >= H) {
                  out.fill(0, col, col + OW);
                  col += OW;
                  continue;
                }
                const row = ((b * D + iz) * H + iy) * W;
                for (let ow = 0; ow < OW; ow++, col++) {
                  const ix = ow * sw + kw - left;
                  out[col] = ix < 0 || ix >= W ? 0 : xs[(row + ix) * CI + ci];
                }
              }
            }
          }
        }
      }
    }
  }
  const dy3 = reshape(backend, dy, [1, N, CO]);
  const product = wasmKernel("BatchMatMul")({
    inputs: { a: cols, b: dy3 },
    backend,
    attrs: { transposeA: false, transposeB: false },
  }) as tf.TensorInfo;
  wasm.disposeData(cols.dataId);
  wasm.disposeData(dy3.dataId);
  const dw = reshape(backend, product, filterShape);
  wasm.disposeData(product.dataId);
  return dw;
}

/** `Conv3DBackpropFilterV2` on wasm: by planes for stride 1, im2col for strides > 1. */
function conv3dBackpropFilterWasm({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const a = attrs as unknown as { strides: Triple | number; pad: "valid" | "same"; filterShape: Shape5 };
  const info = tf.backend_util.computeConv3DInfo(x.shape as Shape5, a.filterShape, a.strides, 1, a.pad);
  return isOne(a.strides)
    ? conv3dFilterGradByPlanes(backend, x, dy, info)
    : conv3dFilterGradIm2col(backend, x, dy, info, a.filterShape);
}

let registered = false;

/**
 * Replace the wasm backend's `Conv3D`, `Conv3DBackpropInputV2` and `Conv3DBackpropFilterV2` (once):
 * correct gradients, and 3-D convolutions through the fast 2-D kernels. Needs the wasm
 * `Conv2DBackpropFilter` registered first (see `registerWasmConv2dFilterGrad`).
 */
export function registerWasmConv3d(): void {
  if (registered) return;
  const names = ["Conv3D", "Conv3DBackpropInputV2", "Conv3DBackpropFilterV2"] as const;
  const originals = names.map((n) => tf.getKernel(n, "wasm"));
  if (originals.some((k) => !k)) return;
  const [conv, input, filter] = originals as tf.KernelConfig[];
  for (const n of names) tf.unregisterKernel(n, "wasm");
  tf.registerKernel({ ...conv, kernelFunc: makeConv3d(conv.kernelFunc) });
  tf.registerKernel({ ...input, kernelFunc: conv3dBackpropInputWasm as tf.KernelFunc });
  tf.registerKernel({ ...filter, kernelFunc: conv3dBackpropFilterWasm as tf.KernelFunc });
  registered = true;
}

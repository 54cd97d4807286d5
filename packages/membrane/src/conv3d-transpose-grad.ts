import * as tf from "@tensorflow/tfjs";

interface InputV2Attrs {
  strides: [number, number, number] | number;
  pad: "valid" | "same";
}

/**
 * Register the gradient of `Conv3DBackpropInputV2` (the kernel behind `conv3dTranspose`), which
 * TensorFlow.js 4.x lacks on every backend, so a 3-D U-Net's up-sampling could not be trained. The
 * transposed convolution is bilinear in (dy, filter): its gradient with respect to dy is the forward
 * `conv3d` of the incoming gradient with the same filter, strides and padding, and with respect to the
 * filter it is `Conv3DBackpropFilterV2` of the incoming gradient (as x) and dy — the 3-D form of the
 * gradient tfjs registers for `Conv2DBackpropInput`. Does nothing when a gradient is already registered.
 */
export function registerConv3dTransposeGrad(): void {
  if (tf.getGradient("Conv3DBackpropInputV2") !== undefined) return;
  tf.registerGradient({
    kernelName: "Conv3DBackpropInputV2",
    inputsToSave: ["dy", "filter"],
    gradFunc: (ddx, saved, attrs) => {
      const [dy, filter] = saved as [tf.Tensor5D, tf.Tensor5D];
      const { strides, pad } = attrs as unknown as InputV2Attrs;
      const grad = ddx as tf.Tensor5D;
      return {
        dy: () => tf.conv3d(grad, filter, strides, pad),
        filter: () =>
          tf.engine().runKernel("Conv3DBackpropFilterV2", { x: grad, dy }, {
            strides,
            pad,
            filterShape: filter.shape,
          } as unknown as tf.NamedAttrMap) as tf.Tensor5D,
      };
    },
  });
}

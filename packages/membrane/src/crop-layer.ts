import * as tf from "@tensorflow/tfjs";
import { MembraneOptionsError } from "./errors.js";

/** Options of {@link CentreCrop}. */
export interface CentreCropArgs {
  /** Voxels removed at each end of each spatial axis (`[y, x]` for 2-D, `[z, y, x]` for 3-D). */
  cropping: number[];
  name?: string;
  trainable?: boolean;
  dtype?: tf.DataType;
}

/**
 * A layer that removes `cropping[a]` voxels at both ends of spatial axis `a` of a channels-last
 * tensor (`[batch, y, x, c]` or `[batch, z, y, x, c]`): the centre crop of a valid U-Net's skip
 * connections. TensorFlow.js has `cropping2D` but no 3-D form; this one serves both, is registered
 * with `tf.serialization` (so `tf.loadLayersModel` rebuilds it from `model.json`) and has a gradient
 * (that of `slice`).
 */
export class CentreCrop extends tf.layers.Layer {
  /** The name `model.json` records (`class_name`). */
  static className = "TesseraCentreCrop";
  readonly cropping: number[];

  constructor(args: CentreCropArgs) {
    const { cropping: _, ...layerArgs } = args;
    super(layerArgs);
    if (
      !Array.isArray(args.cropping) ||
      (args.cropping.length !== 2 && args.cropping.length !== 3) ||
      !args.cropping.every((c) => Number.isInteger(c) && c >= 0)
    ) {
      throw new MembraneOptionsError("cropping needs one non-negative integer per spatial axis (2 or 3)", {
        field: "cropping",
        expected: "2 or 3 integers ≥ 0",
        found: JSON.stringify(args.cropping),
      });
    }
    this.cropping = [...args.cropping];
    this.inputSpec = [{ ndim: this.cropping.length + 2 }];
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    return shape.map((s, i) => {
      if (i === 0 || i === shape.length - 1 || s === null) return s;
      return s - 2 * this.cropping[i - 1];
    });
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      if (this.cropping.every((c) => c === 0)) return x.clone();
      const begin = [0, ...this.cropping, 0];
      const size = x.shape.map((s, i) =>
        i === 0 || i === x.shape.length - 1 ? -1 : s - 2 * this.cropping[i - 1],
      );
      return tf.slice(x, begin, size);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), cropping: [...this.cropping] };
  }
}

tf.serialization.registerClass(CentreCrop);

/** A {@link CentreCrop} layer (registered for loading models that use it). */
export function centreCrop(args: CentreCropArgs): CentreCrop {
  return new CentreCrop(args);
}

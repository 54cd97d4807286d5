// Which volumes a model accepts: the whole field of view in-plane, half of it (radius + 1) along z.
import type { Volume } from "@tessera/volume";
import { describe, expect, it } from "vitest";
import { assertFits } from "./membrane-command.js";
import type { MembraneModel } from "./model-io.js";
import { fieldOfViewRadius, unetConfig } from "./unet.js";

const modelOf = (config: ReturnType<typeof unetConfig>) =>
  ({ metadata: { unet: config } }) as unknown as MembraneModel;
const volumeOf = (shape: number[]) => ({ path: "v.zarr", shape }) as unknown as Volume;

describe("assertFits", () => {
  it("3-D isotropic: refuses fewer than radius + 1 sections or less than the field of view in-plane", () => {
    const config = unetConfig({ dims: 3, depth: 3, features: 2, downsample: [2, 2, 2] });
    const m = modelOf(config);
    const [rz, ry, rx] = fieldOfViewRadius(config);
    const plane = [2 * ry + 1, 2 * rx + 1];
    expect(() => assertFits(m, volumeOf([rz + 1, ...plane]))).not.toThrow();
    expect(() => assertFits(m, volumeOf([rz, ...plane]))).toThrow(
      /field of view.*axis z.*at least \d+ voxels/,
    );
    expect(() => assertFits(m, volumeOf([rz + 1, plane[0] - 1, plane[1]]))).toThrow(/axis y/);
    expect(() => assertFits(m, volumeOf([rz + 1, plane[0], plane[1] - 1]))).toThrow(/axis x/);
  });

  it("2-D: any number of sections, the field of view in-plane; a 2-D array is refused", () => {
    const config = unetConfig({ depth: 2, features: 2 });
    const [ry, rx] = fieldOfViewRadius(config);
    const m = modelOf(config);
    expect(() => assertFits(m, volumeOf([1, 2 * ry + 1, 2 * rx + 1]))).not.toThrow();
    expect(() => assertFits(m, volumeOf([1, 2 * ry, 2 * rx + 1]))).toThrow(/axis y/);
    expect(() => assertFits(m, volumeOf([2 * ry + 1, 2 * rx + 1]))).toThrow(/3-D volume/);
  });
});

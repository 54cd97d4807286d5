import type { Volume } from "@tessera/volume";
import { InvalidLabelsError, LabelNotFoundError } from "./errors.js";

const INTEGER_DTYPES = new Set(["uint8", "uint16", "uint32", "uint64", "int8", "int16", "int32", "int64"]);

/**
 * Check that `volume` can be meshed as labels: an integer dtype (one id per object, 0 for
 * background) and a non-empty 3-D shape. A float volume (an EM image, a probability map) raises
 * {@link InvalidLabelsError} naming the path, its dtype and what was expected.
 */
export function assertLabelVolume(volume: Volume): void {
  if (!INTEGER_DTYPES.has(volume.dtype)) {
    throw new InvalidLabelsError("label volume must have an integer dtype", {
      path: volume.path,
      field: "dtype",
      expected: "an integer label volume (uint8..uint64, int8..int64: one id per object, 0 for background)",
      found: `${volume.dtype} (an image or probability map, not labels?)`,
    });
  }
  if (volume.shape.length !== 3 || volume.shape.some((n) => n === 0)) {
    throw new InvalidLabelsError("label volume is empty or not 3D", {
      path: volume.path,
      field: "shape",
      expected: "[z, y, x] with every extent > 0",
      found: JSON.stringify(volume.shape),
    });
  }
}

/**
 * Raise {@link LabelNotFoundError} naming (the first ten of) the `wanted` label ids for which
 * `present` is false; `path` names the volume when known.
 */
export function assertLabelsPresent(
  wanted: Iterable<number>,
  present: (id: number) => boolean,
  path?: string,
): void {
  const missing = [...wanted].filter((id) => !present(id));
  if (missing.length > 0) {
    throw new LabelNotFoundError("requested label ids do not occur in the volume", {
      path,
      field: "labels",
      expected: "ids present in the volume",
      found: missing.slice(0, 10).join(", ") + (missing.length > 10 ? ", ..." : ""),
    });
  }
}

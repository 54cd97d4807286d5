/** One 2-D section: `height × width` values in row-major order (any numeric typed array or array). */
export interface Section {
  data: ArrayLike<number>;
  width: number;
  height: number;
}

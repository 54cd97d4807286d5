import { BoxOutOfBoundsError } from "./errors.js";

/**
 * A half-open axis-aligned box `[begin, end)` in voxel coordinates (z, y, x for volumes). Immutable:
 * every operation returns a new box.
 */
export class Box {
  readonly begin: readonly number[];
  readonly end: readonly number[];

  /** @param begin first voxel inside the box, per axis. @param end first voxel past the box, per axis. */
  constructor(begin: readonly number[], end: readonly number[]) {
    if (begin.length !== end.length) {
      throw new BoxOutOfBoundsError("box corners differ in rank", {
        field: "box",
        expected: `end of rank ${begin.length}`,
        found: `rank ${end.length}`,
      });
    }
    for (let i = 0; i < begin.length; i++) {
      if (!Number.isInteger(begin[i]) || !Number.isInteger(end[i]) || end[i] < begin[i]) {
        throw new BoxOutOfBoundsError("invalid box", {
          field: `box axis ${i}`,
          expected: "integers with begin <= end",
          found: `begin ${begin[i]}, end ${end[i]}`,
        });
      }
    }
    this.begin = Object.freeze([...begin]);
    this.end = Object.freeze([...end]);
  }

  /** The box `[0, shape)`. */
  static fromShape(shape: readonly number[]): Box {
    return new Box(
      shape.map(() => 0),
      shape,
    );
  }

  /** The box starting at `begin` with the given `shape`. */
  static at(begin: readonly number[], shape: readonly number[]): Box {
    return new Box(
      begin,
      begin.map((b, i) => b + shape[i]),
    );
  }

  /** Number of axes. */
  get ndim(): number {
    return this.begin.length;
  }

  /** Extent along each axis. */
  get shape(): number[] {
    return this.begin.map((b, i) => this.end[i] - b);
  }

  /** Number of voxels. */
  get size(): number {
    let n = 1;
    for (let i = 0; i < this.begin.length; i++) n *= this.end[i] - this.begin[i];
    return n;
  }

  /** True when the box holds no voxel. */
  get isEmpty(): boolean {
    return this.size === 0;
  }

  /** The overlap of two boxes (empty, at the clamped corner, when they do not overlap). */
  intersect(other: Box): Box {
    this.#sameRank(other);
    const begin = this.begin.map((b, i) => Math.max(b, other.begin[i]));
    const end = this.end.map((e, i) => Math.max(begin[i], Math.min(e, other.end[i])));
    return new Box(begin, end);
  }

  /** This box clipped to `bounds` (alias of {@link Box.intersect}, named for intent). */
  clip(bounds: Box): Box {
    return this.intersect(bounds);
  }

  /** Grow by `context` voxels on each side (a number for all axes or one per axis; negative shrinks). */
  grow(context: number | readonly number[]): Box {
    const c = typeof context === "number" ? this.begin.map(() => context) : context;
    const begin = this.begin.map((b, i) => b - c[i]);
    return new Box(
      begin,
      this.end.map((e, i) => Math.max(begin[i], e + c[i])),
    );
  }

  /** Shift by `offset` voxels. */
  translate(offset: readonly number[]): Box {
    return new Box(
      this.begin.map((b, i) => b + offset[i]),
      this.end.map((e, i) => e + offset[i]),
    );
  }

  /** True when `other` lies entirely inside this box. */
  contains(other: Box): boolean {
    this.#sameRank(other);
    return other.begin.every((b, i) => b >= this.begin[i] && other.end[i] <= this.end[i]);
  }

  /** True when the voxel `point` lies inside this box. */
  containsPoint(point: readonly number[]): boolean {
    return point.every((p, i) => p >= this.begin[i] && p < this.end[i]);
  }

  /** True when both corners are equal. */
  equals(other: Box): boolean {
    return (
      other.ndim === this.ndim &&
      this.begin.every((b, i) => b === other.begin[i] && this.end[i] === other.end[i])
    );
  }

  /** Throw {@link BoxOutOfBoundsError} unless this box lies inside `bounds`; `what` names the caller's object. */
  assertInside(bounds: Box, what: string, path?: string): void {
    if (this.ndim !== bounds.ndim || !bounds.contains(this)) {
      throw new BoxOutOfBoundsError("box out of bounds", {
        path,
        field: what,
        expected: `a box inside ${bounds}`,
        found: String(this),
      });
    }
  }

  /** `[z0:z1, y0:y1, x0:x1]`. */
  toString(): string {
    return `[${this.begin.map((b, i) => `${b}:${this.end[i]}`).join(", ")}]`;
  }

  /** JSON form `{ begin, end }`. */
  toJSON(): { begin: number[]; end: number[] } {
    return { begin: [...this.begin], end: [...this.end] };
  }

  #sameRank(other: Box): void {
    if (other.ndim !== this.ndim) {
      throw new BoxOutOfBoundsError("boxes differ in rank", {
        field: "box",
        expected: `rank ${this.ndim}`,
        found: `rank ${other.ndim}`,
      });
    }
  }
}

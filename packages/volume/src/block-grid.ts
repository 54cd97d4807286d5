import { Box } from "./box.js";
import { BoxOutOfBoundsError } from "./errors.js";

/** One block of a {@link BlockGrid}: where a task writes and what it reads. */
export interface Block {
  /** Block id: position in the grid's C-order enumeration, starting at 0. */
  id: number;
  /** Grid coordinates of the block (per axis). */
  coords: number[];
  /** The voxels the task owns and writes (the ROI cut into blocks; the last block per axis may be smaller). */
  writeBox: Box;
  /** The write box grown by the context, clipped to the grid's bounds: what the task reads. */
  readBox: Box;
}

/** Options of a {@link BlockGrid}. */
export interface BlockGridOptions {
  /** Region to cover with write blocks. */
  roi: Box;
  /** Shape of a write block (the last block per axis is cut at the ROI's end). */
  blockShape: readonly number[];
  /** Voxels of context read around each write block, per axis or one number for all (default 0). */
  context?: number | readonly number[];
  /** Where reads are clipped (usually the whole volume; default: the ROI). */
  bounds?: Box;
}

/**
 * Splits a ROI into write blocks, enumerated in a deterministic C order (last axis fastest), each with
 * a read box grown by the context and clipped to the bounds. Maps block id ↔ grid coordinates ↔ box.
 */
export class BlockGrid {
  readonly roi: Box;
  readonly blockShape: readonly number[];
  readonly context: readonly number[];
  readonly bounds: Box;
  /** Number of blocks along each axis. */
  readonly gridShape: readonly number[];
  /** Total number of blocks. */
  readonly count: number;

  constructor(options: BlockGridOptions) {
    const { roi, blockShape } = options;
    if (blockShape.length !== roi.ndim || blockShape.some((s) => !Number.isInteger(s) || s < 1)) {
      throw new BoxOutOfBoundsError("invalid block shape", {
        field: "blockShape",
        expected: `${roi.ndim} positive integers`,
        found: JSON.stringify(blockShape),
      });
    }
    const context = options.context ?? 0;
    this.context = Object.freeze(typeof context === "number" ? roi.begin.map(() => context) : [...context]);
    if (this.context.length !== roi.ndim || this.context.some((c) => !Number.isInteger(c) || c < 0)) {
      throw new BoxOutOfBoundsError("invalid context", {
        field: "context",
        expected: `${roi.ndim} non-negative integers`,
        found: JSON.stringify(options.context),
      });
    }
    this.roi = roi;
    this.blockShape = Object.freeze([...blockShape]);
    this.bounds = options.bounds ?? roi;
    roi.assertInside(this.bounds, "roi");
    this.gridShape = Object.freeze(roi.shape.map((s, i) => Math.ceil(s / blockShape[i])));
    this.count = this.gridShape.reduce((a, b) => a * b, 1);
  }

  /** The block with this id. */
  block(id: number): Block {
    return this.blockAtCoords(this.coordsOf(id));
  }

  /** The block at these grid coordinates. */
  blockAtCoords(coords: readonly number[]): Block {
    const id = this.idOf(coords);
    const begin = coords.map((c, i) => this.roi.begin[i] + c * this.blockShape[i]);
    const end = begin.map((b, i) => Math.min(b + this.blockShape[i], this.roi.end[i]));
    const writeBox = new Box(begin, end);
    return { id, coords: [...coords], writeBox, readBox: writeBox.grow(this.context).clip(this.bounds) };
  }

  /** Grid coordinates of block `id`. */
  coordsOf(id: number): number[] {
    if (!Number.isInteger(id) || id < 0 || id >= this.count) {
      throw new BoxOutOfBoundsError("block id out of range", {
        field: "block id",
        expected: `an integer in [0, ${this.count})`,
        found: String(id),
      });
    }
    const coords = new Array<number>(this.gridShape.length);
    let rest = id;
    for (let i = this.gridShape.length - 1; i >= 0; i--) {
      coords[i] = rest % this.gridShape[i];
      rest = Math.floor(rest / this.gridShape[i]);
    }
    return coords;
  }

  /** Block id of the grid coordinates `coords`. */
  idOf(coords: readonly number[]): number {
    let id = 0;
    for (let i = 0; i < this.gridShape.length; i++) {
      const c = coords[i];
      if (!Number.isInteger(c) || c < 0 || c >= this.gridShape[i]) {
        throw new BoxOutOfBoundsError("block coordinates out of range", {
          field: `block coords axis ${i}`,
          expected: `an integer in [0, ${this.gridShape[i]})`,
          found: String(c),
        });
      }
      id = id * this.gridShape[i] + c;
    }
    return id;
  }

  /** Id of the block whose write box holds the voxel `point`. */
  blockIdAt(point: readonly number[]): number {
    if (!this.roi.containsPoint(point)) {
      throw new BoxOutOfBoundsError("point outside the grid's ROI", {
        field: "point",
        expected: `inside ${this.roi}`,
        found: JSON.stringify(point),
      });
    }
    return this.idOf(point.map((p, i) => Math.floor((p - this.roi.begin[i]) / this.blockShape[i])));
  }

  /** Every block in id order. */
  *blocks(): IterableIterator<Block> {
    for (let id = 0; id < this.count; id++) yield this.block(id);
  }

  /**
   * Ids of the blocks next to `id`, in id order: face neighbours only (default), or every block whose
   * coordinates differ by at most 1 on each axis (`diagonal: true`).
   */
  neighbours(id: number, options: { diagonal?: boolean } = {}): number[] {
    const coords = this.coordsOf(id);
    const result: number[] = [];
    const ndim = coords.length;
    const offsets = 3 ** ndim;
    for (let k = 0; k < offsets; k++) {
      let rest = k;
      let changed = 0;
      const other = new Array<number>(ndim);
      let inside = true;
      for (let i = ndim - 1; i >= 0; i--) {
        const delta = (rest % 3) - 1;
        rest = Math.floor(rest / 3);
        if (delta !== 0) changed++;
        other[i] = coords[i] + delta;
        if (other[i] < 0 || other[i] >= this.gridShape[i]) inside = false;
      }
      if (!inside || changed === 0 || (!options.diagonal && changed > 1)) continue;
      result.push(this.idOf(other));
    }
    return result.sort((a, b) => a - b);
  }

  /** True when every write block starts on a multiple of `chunks` (relative to 0), so concurrent writers never share a chunk. */
  isAlignedTo(chunks: readonly number[]): boolean {
    return this.roi.begin.every((b, i) => b % chunks[i] === 0 && this.blockShape[i] % chunks[i] === 0);
  }
}

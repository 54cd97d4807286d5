/**
 * Reusable working memory of the friends-of-friends linking pass. Pass the same workspace to
 * repeated calls (block after block, snapshot after snapshot) and the big internal buffers — the
 * slot records (16 bytes per particle for float32 input) and the row table — are allocated once
 * instead of per call (fresh pages cost page faults, a good share of the time for millions of
 * particles). The outputs are always fresh arrays. A workspace keeps its largest buffers alive
 * until it is dropped; use one per thread, never in two calls at once.
 *
 * @example
 * ```ts
 * const workspace = new FofWorkspace();
 * for (const snapshot of snapshots) friendsOfFriends(snapshot, { boxSize, workspace });
 * ```
 */
export class FofWorkspace {
  #f32: Float32Array | undefined;
  #f64: Float64Array | undefined;
  #rows: Int32Array | undefined;

  /** Slot records: `length` numbers (uninitialised contents), float32 or float64. */
  records(length: number, single: boolean): Float32Array | Float64Array {
    if (single) {
      if (this.#f32 === undefined || this.#f32.length < length) this.#f32 = new Float32Array(length);
      return this.#f32.subarray(0, length);
    }
    if (this.#f64 === undefined || this.#f64.length < length) this.#f64 = new Float64Array(length);
    return this.#f64.subarray(0, length);
  }

  /** Row table: `length` int32s, zeroed. */
  rowTable(length: number): Int32Array {
    if (this.#rows === undefined || this.#rows.length < length) {
      this.#rows = new Int32Array(length);
      return this.#rows;
    }
    return this.#rows.subarray(0, length).fill(0);
  }
}

import type { LightconeColumnArray, LightconeInputColumn } from "./types.js";

type Indexed = { [i: number]: number | bigint; length: number };
type ColumnConstructor = new (length: number) => LightconeColumnArray;

/** A carried input column, with a 32-bit word view when it holds 64-bit integers. */
export interface CarriedColumn {
  values: LightconeInputColumn;
  words?: Uint32Array;
}

/** Prepare an input column for {@link LightconeOutput.copyColumns}. */
export function carriedColumn(values: LightconeInputColumn): CarriedColumn {
  if (values instanceof BigInt64Array || values instanceof BigUint64Array) {
    return { values, words: new Uint32Array(values.buffer, values.byteOffset, 2 * values.length) };
  }
  return { values };
}

/** The typed-array constructor an input column is carried in (plain arrays: Float64Array). */
export function outputConstructor(column: LightconeInputColumn): ColumnConstructor {
  if (ArrayBuffer.isView(column) && !(column instanceof DataView)) {
    return column.constructor as ColumnConstructor;
  }
  return Float64Array;
}

/** The columns of a lightcone under construction, allocated once at their final length. */
export class LightconeOutput {
  count = 0;
  x: Float64Array;
  y: Float64Array;
  z: Float64Array;
  chi: Float64Array;
  redshift: Float64Array;
  ra: Float64Array;
  dec: Float64Array;
  ix: Int32Array;
  iy: Int32Array;
  iz: Int32Array;
  snapshot: Int32Array;
  step: Int32Array;
  index: Int32Array;
  redshiftObserved?: Float64Array;
  velocityLosKmS?: Float64Array;
  readonly names: string[];
  columns: LightconeColumnArray[];

  constructor(velocities: boolean, columns: { name: string; make: ColumnConstructor }[], capacity: number) {
    const f = () => new Float64Array(capacity);
    const i = () => new Int32Array(capacity);
    this.x = f();
    this.y = f();
    this.z = f();
    this.chi = f();
    this.redshift = f();
    this.ra = f();
    this.dec = f();
    this.ix = i();
    this.iy = i();
    this.iz = i();
    this.snapshot = i();
    this.step = i();
    this.index = i();
    if (velocities) {
      this.redshiftObserved = f();
      this.velocityLosKmS = f();
    }
    this.names = columns.map((c) => c.name);
    this.columns = columns.map((c) => new c.make(capacity));
  }

  /**
   * Copy row `from` of the carried input columns (same order as the names) into row `to`. 64-bit
   * integer columns are copied as two 32-bit words through Uint32Array views (reading a BigInt64Array
   * element would allocate a BigInt per row).
   */
  copyColumns(sources: readonly CarriedColumn[], from: number, to: number): void {
    for (let k = 0; k < sources.length; k++) {
      const src = sources[k];
      if (src.words) {
        const dst = this.words(k);
        dst[2 * to] = src.words[2 * from];
        dst[2 * to + 1] = src.words[2 * from + 1];
      } else {
        (this.columns[k] as unknown as Indexed)[to] = (src.values as Indexed)[from];
      }
    }
  }

  private wordViews: (Uint32Array | undefined)[] = [];

  private words(k: number): Uint32Array {
    const column = this.columns[k];
    let view = this.wordViews[k];
    if (view === undefined || view.buffer !== column.buffer) {
      view = new Uint32Array(column.buffer, column.byteOffset, 2 * column.length);
      this.wordViews[k] = view;
    }
    return view;
  }

  /** The columns trimmed to `count` rows. */
  finish() {
    const n = this.count;
    // a view, not a copy: the arrays were allocated at the final count
    const cut = <T extends LightconeColumnArray>(a: T): T => (a.length === n ? a : (a.subarray(0, n) as T));
    const columns: Record<string, LightconeColumnArray> = {};
    this.names.forEach((name, k) => {
      columns[name] = cut(this.columns[k]);
    });
    return {
      count: n,
      x: cut(this.x),
      y: cut(this.y),
      z: cut(this.z),
      chi: cut(this.chi),
      redshift: cut(this.redshift),
      ra: cut(this.ra),
      dec: cut(this.dec),
      ix: cut(this.ix),
      iy: cut(this.iy),
      iz: cut(this.iz),
      snapshot: cut(this.snapshot),
      step: cut(this.step),
      index: cut(this.index),
      ...(this.redshiftObserved ? { redshiftObserved: cut(this.redshiftObserved) } : {}),
      ...(this.velocityLosKmS ? { velocityLosKmS: cut(this.velocityLosKmS) } : {}),
      columns,
    };
  }
}

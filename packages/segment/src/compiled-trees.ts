import type { DecisionTree } from "./decision-tree.js";
import { type FlatTrees, flattenTrees, suffixMaxima } from "./tree-arrays.js";

/**
 * Trees compiled to a WebAssembly function: `row` is where the input goes (a view of the module's
 * memory); `sum(start, needed)` is {@link sumLeavesAbove} of the row held there.
 */
export interface CompiledTrees {
  readonly row: Float64Array;
  readonly sum: (start: number, needed: number) => number;
}

/** The part of the WebAssembly JS API used here (not in this package's TypeScript libs). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: Record<string, unknown> };
}
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

// WebAssembly opcodes (core specification, section 5.4)
const I32_CONST = 0x41;
const F64_LOAD = 0x2b;
const F64_CONST = 0x44;
const F64_LT = 0x63;
const F64_GT = 0x64;
const F64_ADD = 0xa0;
const LOCAL_GET = 0x20;
const LOCAL_SET = 0x21;
const IF = 0x04;
const VOID = 0x40;
const F64 = 0x7c;
const ELSE = 0x05;
const END = 0x0b;
const RETURN = 0x0f;

/** A growing byte buffer. */
class ByteWriter {
  bytes = new Uint8Array(1 << 16);
  length = 0;
  readonly #view = new DataView(new ArrayBuffer(8));

  byte(b: number): void {
    if (this.length === this.bytes.length) {
      const grown = new Uint8Array(2 * this.bytes.length);
      grown.set(this.bytes);
      this.bytes = grown;
    }
    this.bytes[this.length++] = b;
  }

  bytesOf(bytes: ArrayLike<number> & Iterable<number>): void {
    for (const b of bytes) this.byte(b);
  }

  /** Unsigned LEB128. */
  leb(n: number): void {
    do {
      const low = n & 0x7f;
      n >>>= 7;
      this.byte(n !== 0 ? low | 0x80 : low);
    } while (n !== 0);
  }

  /** `f64.const x`: the double's 8 bytes, little endian (exactly x). */
  f64Const(x: number): void {
    this.byte(F64_CONST);
    this.#view.setFloat64(0, x, true);
    for (let k = 0; k < 8; k++) this.byte(this.#view.getUint8(k));
  }

  /** A name: its length, then its (ASCII) characters. */
  name(s: string): void {
    this.leb(s.length);
    for (let k = 0; k < s.length; k++) this.byte(s.charCodeAt(k));
  }

  /** A section: id, byte length, then the contents `write` puts. */
  section(id: number, write: (w: ByteWriter) => void): void {
    const contents = new ByteWriter();
    write(contents);
    this.byte(id);
    this.leb(contents.length);
    this.bytesOf(contents.bytes.subarray(0, contents.length));
  }

  result(): Uint8Array {
    return this.bytes.slice(0, this.length);
  }
}

/**
 * Code of the subtree at node `k`: `row[j] > threshold` picks the right child (so NaN goes left), a
 * leaf adds its value to local 0 (the sum).
 */
function emitNode(f: FlatTrees, k: number, w: ByteWriter): void {
  const j = f.feature[k];
  if (j < 0) {
    w.byte(LOCAL_GET);
    w.byte(0);
    w.f64Const(f.value[k]);
    w.byte(F64_ADD);
    w.byte(LOCAL_SET);
    w.byte(0);
    return;
  }
  // f64.load from address 0 + offset 8·j (alignment 2^3), compared with the threshold
  w.byte(I32_CONST);
  w.byte(0);
  w.byte(F64_LOAD);
  w.byte(3);
  w.leb(8 * j);
  w.f64Const(f.threshold[k]);
  w.byte(F64_GT);
  w.byte(IF);
  w.byte(VOID);
  emitNode(f, f.child[k] + 1, w);
  w.byte(ELSE);
  emitNode(f, f.child[k], w);
  w.byte(END);
}

/** The function body: the trees in order, each followed by the early-stop test. */
function emitBody(f: FlatTrees, bound: Float64Array, w: ByteWriter): void {
  w.byte(0); // no locals beyond the two parameters (0: the sum, 1: needed)
  for (let t = 0; t < f.roots.length; t++) {
    emitNode(f, f.roots[t], w);
    // if (sum + bound[t + 1] < needed) return −∞
    w.byte(LOCAL_GET);
    w.byte(0);
    w.f64Const(bound[t + 1]);
    w.byte(F64_ADD);
    w.byte(LOCAL_GET);
    w.byte(1);
    w.byte(F64_LT);
    w.byte(IF);
    w.byte(VOID);
    w.f64Const(Number.NEGATIVE_INFINITY);
    w.byte(RETURN);
    w.byte(END);
  }
  w.byte(LOCAL_GET);
  w.byte(0);
  w.byte(END);
}

/** The module's bytes: memory "memory" (row at address 0), function "sum"(start, needed) → f64. */
function moduleBytes(f: FlatTrees, bound: Float64Array): Uint8Array {
  const w = new ByteWriter();
  w.bytesOf([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
  // type 0: (f64, f64) → f64
  w.section(1, (s) => s.bytesOf([1, 0x60, 2, F64, F64, 1, F64]));
  // function 0 has type 0
  w.section(3, (s) => s.bytesOf([1, 0]));
  // one memory: at least one page, no maximum
  w.section(5, (s) => s.bytesOf([1, 0x00, 1]));
  w.section(7, (s) => {
    s.byte(2);
    s.name("sum");
    s.byte(0x00); // a function
    s.byte(0);
    s.name("memory");
    s.byte(0x02); // a memory
    s.byte(0);
  });
  w.section(10, (s) => {
    s.byte(1);
    const body = new ByteWriter();
    emitBody(f, bound, body);
    s.leb(body.length);
    s.bytesOf(body.bytes.subarray(0, body.length));
  });
  return w.result();
}

/**
 * The trees of `f` compiled to WebAssembly: each tree becomes nested `if`s on constant feature
 * offsets and thresholds, so a step down a tree is one load and one compare with a constant instead
 * of chasing the feature, threshold and child arrays. The comparisons (NaN goes left), the additions
 * in tree order and the early stop (`bound`, {@link suffixMaxima}) are those of
 * {@link sumLeavesAbove}, in the same IEEE doubles, so the results are the same. WebAssembly rather
 * than generated JavaScript: V8 compiles it to machine code at once, where large generated
 * functions run interpreted for their first tens of thousands of calls.
 */
export function compileLeafSum(f: FlatTrees, bound: Float64Array, features: number): CompiledTrees {
  if (8 * features > 65536) throw new RangeError(`${features} features do not fit one memory page`);
  const instance = new wasm.Instance(new wasm.Module(moduleBytes(f, bound)));
  const memory = instance.exports.memory as { buffer: ArrayBuffer };
  return {
    row: new Float64Array(memory.buffer, 0, features),
    sum: instance.exports.sum as (start: number, needed: number) => number,
  };
}

/**
 * A classifier's trees, compiled by {@link compileLeafSum} on first use (flattened, with their
 * early-stop bounds).
 */
export class LazyCompiledTrees {
  readonly #trees: readonly DecisionTree[];
  readonly #features: number;
  #code: CompiledTrees | undefined;

  constructor(trees: readonly DecisionTree[], features: number) {
    this.#trees = trees;
    this.#features = features;
  }

  #compiled(): CompiledTrees {
    if (this.#code === undefined) {
      const flat = flattenTrees(this.#trees);
      this.#code = compileLeafSum(flat, suffixMaxima(flat), this.#features);
    }
    return this.#code;
  }

  /** The input buffer: a row written here is summed without a copy. */
  row(): Float64Array {
    return this.#compiled().row;
  }

  /** {@link sumLeavesAbove} of `row` (copied into the input buffer unless it is that buffer). */
  sum(row: ArrayLike<number>, start: number, needed: number): number {
    const code = this.#compiled();
    if (row !== code.row) code.row.set(row);
    return code.sum(start, needed);
  }
}

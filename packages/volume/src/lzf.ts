import { CorruptChunkError } from "./errors.js";

/**
 * Decompress an LZF stream (liblzf's format, used by h5py's `compression="lzf"` filter) into
 * `output`, returning the number of bytes written.
 *
 * The stream is a sequence of runs, each starting with a control byte `c`:
 * - `c < 32`: a literal run; the next `c + 1` bytes are copied as they are;
 * - otherwise a back-reference: length `c >> 5` (7 means "7 plus the next byte"), plus 2, copied from
 *   `((c & 31) << 8) + next byte + 1` bytes before the current output position (the copy may overlap
 *   itself, repeating a pattern).
 *
 * Every read and write is bounds-checked: a truncated stream, a reference before the start of the
 * output or an output longer than `output` throws {@link CorruptChunkError} (never reads or writes
 * outside the arrays). Callers add the file and chunk to the error.
 */
export function lzfDecompress(input: Uint8Array, output: Uint8Array): number {
  const inEnd = input.length;
  const outEnd = output.length;
  let ip = 0;
  let op = 0;
  while (ip < inEnd) {
    const ctrl = input[ip++];
    if (ctrl < 32) {
      const run = ctrl + 1;
      if (ip + run > inEnd) throw lzfError("a literal run goes past the end of the input", ip - 1, op);
      if (op + run > outEnd) throw lzfError("a literal run goes past the end of the output", ip - 1, op);
      for (let i = 0; i < run; i++) output[op + i] = input[ip + i];
      ip += run;
      op += run;
    } else {
      let length = ctrl >> 5;
      if (length === 7) {
        if (ip >= inEnd) throw lzfError("a back-reference's length byte is missing", ip - 1, op);
        length += input[ip++];
      }
      if (ip >= inEnd) throw lzfError("a back-reference's offset byte is missing", ip - 1, op);
      const ref = op - ((ctrl & 0x1f) << 8) - input[ip++] - 1;
      length += 2;
      if (ref < 0) throw lzfError("a back-reference points before the start of the output", ip - 2, op);
      if (op + length > outEnd)
        throw lzfError("a back-reference goes past the end of the output", ip - 2, op);
      // byte by byte: an overlapping reference (ref + length > op) repeats the last op - ref bytes
      for (let i = 0; i < length; i++) output[op + i] = output[ref + i];
      op += length;
    }
  }
  return op;
}

function lzfError(what: string, inputOffset: number, outputOffset: number): CorruptChunkError {
  return new CorruptChunkError("LZF data is corrupt", {
    expected: "a valid LZF stream",
    found: `${what} (input byte ${inputOffset}, output byte ${outputOffset})`,
  });
}

/**
 * Compress `input` with LZF (a simple greedy encoder producing streams {@link lzfDecompress} and
 * liblzf read). Used to build test data; h5py's filter writes the real files.
 */
export function lzfCompress(input: Uint8Array): Uint8Array {
  const out: number[] = [];
  const table = new Map<number, number>();
  let literal: number[] = [];
  const flush = () => {
    for (let i = 0; i < literal.length; i += 32) {
      const run = literal.slice(i, i + 32);
      out.push(run.length - 1, ...run);
    }
    literal = [];
  };
  let ip = 0;
  while (ip < input.length) {
    if (ip + 2 < input.length) {
      const key = (input[ip] << 16) | (input[ip + 1] << 8) | input[ip + 2];
      const ref = table.get(key);
      table.set(key, ip);
      const offset = ref === undefined ? -1 : ip - ref - 1;
      if (ref !== undefined && offset < 8192) {
        let length = 3;
        const max = Math.min(264, input.length - ip);
        while (length < max && input[ref + length] === input[ip + length]) length++;
        flush();
        const code = length - 2;
        if (code < 7) out.push((code << 5) | (offset >> 8), offset & 0xff);
        else out.push((7 << 5) | (offset >> 8), code - 7, offset & 0xff);
        ip += length;
        continue;
      }
    }
    literal.push(input[ip++]);
  }
  flush();
  return Uint8Array.from(out);
}

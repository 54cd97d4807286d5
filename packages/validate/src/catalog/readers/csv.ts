/** CSV catalogs: a header row of column names, streamed line by line; only the requested columns are parsed. */
import { createReadStream } from "node:fs";
import { open } from "node:fs/promises";
import type { ColumnRequest, ColumnSource, NativeArray } from "./source.js";

/** Options of {@link openCsvSource}. */
export interface CsvSourceOptions {
  /** Field separator (default `,`). */
  delimiter?: string;
  /** Lines starting with this character are skipped (default: none). */
  comment?: string;
}

/** A malformed CSV line: `line` is 1-based in the data file. */
export class CsvLineError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message);
  }
}

/** Split one CSV line (RFC 4180 quotes when the line has a `"`). */
export function splitCsvLine(line: string, delimiter: string): string[] {
  if (!line.includes('"')) return line.split(delimiter);
  const out: string[] = [];
  let cur = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === delimiter) {
      out.push(cur);
      cur = "";
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

/** Lines of a file, streamed (64 KiB reads), with their 1-based numbers. */
async function* fileLines(path: string): AsyncGenerator<[string, number]> {
  let rest = "";
  let lineNo = 0;
  for await (const piece of createReadStream(path, { encoding: "utf8", highWaterMark: 1 << 16 })) {
    const text = rest + (piece as string);
    let start = 0;
    for (let nl = text.indexOf("\n", start); nl >= 0; nl = text.indexOf("\n", start)) {
      const end = nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
      yield [text.slice(start, end), ++lineNo];
      start = nl + 1;
    }
    rest = text.slice(start);
  }
  if (rest.length > 0) yield [rest.endsWith("\r") ? rest.slice(0, -1) : rest, ++lineNo];
}

async function readHeader(path: string, o: Required<Pick<CsvSourceOptions, "delimiter">> & CsvSourceOptions) {
  const fh = await open(path, "r");
  try {
    const buf = Buffer.alloc(1 << 16);
    let text = "";
    let pos = 0;
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
      pos += bytesRead;
      text += buf.toString("utf8", 0, bytesRead);
      const lines = text.split(/\r?\n/);
      const complete = bytesRead === 0 ? lines : lines.slice(0, -1);
      const found = complete.find((l) => l.trim() !== "" && !(o.comment && l.startsWith(o.comment)));
      if (found !== undefined) return splitCsvLine(found, o.delimiter).map((s) => s.trim());
      if (bytesRead === 0) return [];
    }
  } finally {
    await fh.close();
  }
}

/**
 * Open a CSV file as a {@link ColumnSource}. The header is read at once; rows are parsed while the
 * file streams, so memory is one chunk of the requested columns plus a 64 KiB read buffer. Numbers
 * are parsed with `Number` (float64; `NaN`, `Infinity` accepted), 64-bit ids with `BigInt`.
 * A row with too few fields or an unparsable number throws {@link CsvLineError} naming its line.
 */
export async function openCsvSource(path: string, options: CsvSourceOptions = {}): Promise<ColumnSource> {
  const o = { delimiter: options.delimiter ?? ",", comment: options.comment };
  const header = await readHeader(path, o);
  return {
    path,
    columnNames: () => header,
    async *chunks(columns: readonly ColumnRequest[], chunkRows: number) {
      const idx = columns.map((c) => header.indexOf(c.name));
      const make = () =>
        columns.map((c) =>
          c.bigint ? new BigInt64Array(chunkRows) : new Float64Array(chunkRows),
        ) as NativeArray[];
      let cols = make();
      let n = 0;
      let sawHeader = false;
      for await (const [line, lineNo] of fileLines(path)) {
        if (line.trim() === "" || (o.comment && line.startsWith(o.comment))) continue;
        if (!sawHeader) {
          sawHeader = true;
          continue;
        }
        const fields = splitCsvLine(line, o.delimiter);
        if (fields.length < header.length) {
          throw new CsvLineError(
            `line ${lineNo} has ${fields.length} fields, the header ${header.length}`,
            lineNo,
          );
        }
        for (let k = 0; k < columns.length; k++) {
          const s = fields[idx[k]].trim();
          if (columns[k].bigint) {
            try {
              (cols[k] as BigInt64Array)[n] = BigInt(s);
            } catch {
              throw new CsvLineError(
                `line ${lineNo}: ${JSON.stringify(s)} is not an integer (${columns[k].name})`,
                lineNo,
              );
            }
          } else {
            const v = Number(s);
            if (Number.isNaN(v) && s !== "NaN") {
              throw new CsvLineError(
                `line ${lineNo}: ${JSON.stringify(s)} is not a number (${columns[k].name})`,
                lineNo,
              );
            }
            (cols[k] as Float64Array)[n] = v;
          }
        }
        if (++n === chunkRows) {
          const out: Record<string, NativeArray> = {};
          columns.forEach((c, k) => {
            out[c.name] = cols[k];
          });
          yield out;
          cols = make();
          n = 0;
        }
      }
      if (n > 0) {
        const out: Record<string, NativeArray> = {};
        columns.forEach((c, k) => {
          out[c.name] = cols[k].slice(0, n) as NativeArray;
        });
        yield out;
      }
    },
    close: async () => {},
  };
}

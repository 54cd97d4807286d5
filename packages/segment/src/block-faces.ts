import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { BlockGrid, Box } from "@tessera/volume";
import { SegmentBlockError } from "./errors.js";
import type { SegmentRun } from "./options.js";

/** Path of block `id`'s face-continuity file. */
export function faceFile(run: SegmentRun, id: number): string {
  return join(run.graph, `block-${id}.faces`);
}

/**
 * For each of the write box's six faces that borders another block (axis 0..2, low side then high
 * side), one byte per face voxel pair (inside voxel, outside voxel): 1 when this block's watershed put
 * both in the same fragment. Two blocks that agree a fragment continues across their face get it joined.
 */
export function faceContinuity(
  fragments: Uint32Array,
  readShape: readonly number[],
  readBox: Box,
  writeBox: Box,
  grid: BlockGrid,
): Uint8Array {
  const [, RY, RX] = readShape;
  const parts: Uint8Array[] = [];
  for (let c = 0; c < 3; c++) {
    for (const side of [0, 1]) {
      const inside = side === 0 ? writeBox.begin[c] : writeBox.end[c] - 1;
      const outside = side === 0 ? inside - 1 : inside + 1;
      if (outside < grid.roi.begin[c] || outside >= grid.roi.end[c]) {
        parts.push(new Uint8Array(0));
        continue;
      }
      const [a1, a2] = [0, 1, 2].filter((a) => a !== c);
      const n1 = writeBox.end[a1] - writeBox.begin[a1];
      const n2 = writeBox.end[a2] - writeBox.begin[a2];
      const bits = new Uint8Array(n1 * n2);
      const at = (pos: number[]) =>
        ((pos[0] - readBox.begin[0]) * RY + pos[1] - readBox.begin[1]) * RX + pos[2] - readBox.begin[2];
      const pos = [0, 0, 0];
      for (let u = 0; u < n1; u++) {
        for (let v = 0; v < n2; v++) {
          pos[a1] = writeBox.begin[a1] + u;
          pos[a2] = writeBox.begin[a2] + v;
          pos[c] = inside;
          const f = fragments[at(pos)];
          pos[c] = outside;
          bits[u * n2 + v] = f !== 0 && fragments[at(pos)] === f ? 1 : 0;
        }
      }
      parts.push(bits);
    }
  }
  return Buffer.concat(parts);
}

/** The face-continuity bytes of block `id`'s face (axis c, side 0 low / 1 high). */
export async function readFace(
  run: SegmentRun,
  grid: BlockGrid,
  id: number,
  c: number,
  side: number,
): Promise<Uint8Array> {
  let bytes: Buffer;
  try {
    bytes = await readFile(faceFile(run, id));
  } catch (error) {
    throw new SegmentBlockError(
      "face file of a block is missing (run `segment fragments block --id N` first)",
      {
        path: faceFile(run, id),
        block: id,
        expected: "an existing .faces file",
        found: "no file",
        cause: error,
      },
    );
  }
  const w = grid.block(id).writeBox;
  let offset = 0;
  for (let a = 0; a < 3; a++) {
    for (const s of [0, 1]) {
      const outside = s === 0 ? w.begin[a] - 1 : w.end[a];
      const present = outside >= grid.roi.begin[a] && outside < grid.roi.end[a];
      const [a1, a2] = [0, 1, 2].filter((k) => k !== a);
      const size = present ? (w.end[a1] - w.begin[a1]) * (w.end[a2] - w.begin[a2]) : 0;
      if (a === c && s === side) return new Uint8Array(bytes.buffer, bytes.byteOffset + offset, size);
      offset += size;
    }
  }
  return new Uint8Array(0);
}

/**
 * BLOSC filter of GenericIO blocks: the payload is the CRC-64 of the uncompressed bytes (u64 in the
 * file's byte order) followed by one blosc1 frame. Frames are decoded and encoded with the wasm
 * C-Blosc build of the `numcodecs` package (the one zarr chunks use).
 */
import { GenericIOFormatError } from "./errors.js";

/** The numcodecs codec interface this module uses. */
interface BloscCodec {
  encode(data: Uint8Array): Promise<Uint8Array>;
  decode(data: Uint8Array): Promise<Uint8Array>;
}

type BloscConstructor = { fromConfig(config: Record<string, unknown>): BloscCodec };

let codecs: Map<string, Promise<BloscCodec>> | undefined;

async function codec(config: BloscEncodeOptions = {}): Promise<BloscCodec> {
  codecs ??= new Map();
  const full = {
    cname: config.cname ?? "blosclz",
    clevel: config.clevel ?? 9,
    shuffle: config.shuffle ?? 1,
    blocksize: 0,
  };
  const key = JSON.stringify(full);
  let c = codecs.get(key);
  if (c === undefined) {
    c = import("numcodecs/blosc").then((m) => (m.default as unknown as BloscConstructor).fromConfig(full));
    codecs.set(key, c);
  }
  return c;
}

/** Size of the blosc1 frame header. */
export const BLOSC_HEADER_SIZE = 16;

/** Fields of a blosc1 frame header. */
export interface BloscFrameInfo {
  /** Uncompressed size. */
  nbytes: number;
  /** Frame size (header included). */
  cbytes: number;
  /** Element size used for shuffling. */
  typesize: number;
}

/** Read a blosc1 frame header, or throw {@link GenericIOFormatError} when `frame` cannot be one. */
export function bloscFrameInfo(frame: Uint8Array, path: string, field: string): BloscFrameInfo {
  if (frame.length < BLOSC_HEADER_SIZE) {
    throw new GenericIOFormatError("BLOSC block too short for a blosc frame", {
      path,
      field,
      expected: `>= ${BLOSC_HEADER_SIZE} bytes`,
      found: `${frame.length} bytes`,
    });
  }
  const v = new DataView(frame.buffer, frame.byteOffset, BLOSC_HEADER_SIZE);
  const info = { typesize: frame[3], nbytes: v.getUint32(4, true), cbytes: v.getUint32(12, true) };
  if (frame[0] < 1 || frame[0] > 4 || info.cbytes !== frame.length) {
    throw new GenericIOFormatError("BLOSC block does not hold a blosc1 frame", {
      path,
      field,
      expected: `blosc version 1–4, frame size ${frame.length}`,
      found: `version ${frame[0]}, frame size ${info.cbytes}`,
    });
  }
  return info;
}

/** Decode one blosc1 frame (its header was checked with {@link bloscFrameInfo}). */
export async function bloscDecode(frame: Uint8Array): Promise<Uint8Array> {
  // frames that blosc stored uncompressed (flag 0x02, memcpyed) are taken as they are
  if (
    (frame[2] & 0x02) !== 0 &&
    frame.length === BLOSC_HEADER_SIZE + new DataView(frame.buffer, frame.byteOffset).getUint32(4, true)
  ) {
    return frame.subarray(BLOSC_HEADER_SIZE);
  }
  return (await codec()).decode(frame);
}

/** Options of {@link bloscEncode} (the reference writer uses blosclz, level 9, byte shuffle). */
export interface BloscEncodeOptions {
  /** Internal compressor (default `blosclz`). */
  cname?: "blosclz" | "lz4" | "lz4hc" | "zlib" | "zstd";
  /** Level 0–9 (default 9). */
  clevel?: number;
  /** 0 none, 1 byte shuffle (default), 2 bit shuffle. */
  shuffle?: 0 | 1 | 2;
}

/**
 * Encode bytes as one blosc1 frame. numcodecs' wasm build shuffles with a type size of 1 byte (it
 * is not told the element size), so shuffling has no effect there; the frame is valid blosc1 for
 * every reader.
 */
export async function bloscEncode(bytes: Uint8Array, options: BloscEncodeOptions = {}): Promise<Uint8Array> {
  return (await codec(options)).encode(bytes);
}

import { UnsupportedDtypeError } from "./errors.js";

/** Element types a volume may hold (zarrita's names). */
export type DataType =
  | "uint8"
  | "uint16"
  | "uint32"
  | "uint64"
  | "int8"
  | "int16"
  | "int32"
  | "int64"
  | "float32"
  | "float64";

/** Short aliases accepted wherever a {@link DataType} is asked for. */
export type DataTypeAlias = "u8" | "u16" | "u32" | "u64" | "i8" | "i16" | "i32" | "i64" | "f32" | "f64";

/** The typed array that holds values of each dtype. */
export type TypedArray =
  | Uint8Array
  | Uint16Array
  | Uint32Array
  | BigUint64Array
  | Int8Array
  | Int16Array
  | Int32Array
  | BigInt64Array
  | Float32Array
  | Float64Array;

/** Integer typed arrays: what label volumes (segment ids) are held in. */
export type IntegerTypedArray =
  | Uint8Array
  | Uint16Array
  | Uint32Array
  | Int8Array
  | Int16Array
  | Int32Array
  | BigUint64Array
  | BigInt64Array;

/** True when `data` is an {@link IntegerTypedArray} (a valid label array dtype). */
export function isIntegerTypedArray(data: unknown): data is IntegerTypedArray {
  return (
    data instanceof Uint8Array ||
    data instanceof Uint16Array ||
    data instanceof Uint32Array ||
    data instanceof Int8Array ||
    data instanceof Int16Array ||
    data instanceof Int32Array ||
    data instanceof BigUint64Array ||
    data instanceof BigInt64Array
  );
}

/** Constructor of a {@link TypedArray}. */
export type TypedArrayConstructor = {
  new (length: number): TypedArray;
  new (buffer: ArrayBufferLike, byteOffset?: number, length?: number): TypedArray;
  readonly BYTES_PER_ELEMENT: number;
};

interface DtypeInfo {
  typestr: string;
  ctor: TypedArrayConstructor;
  bigint: boolean;
}

const DTYPES: Record<DataType, DtypeInfo> = {
  uint8: { typestr: "|u1", ctor: Uint8Array, bigint: false },
  uint16: { typestr: "<u2", ctor: Uint16Array, bigint: false },
  uint32: { typestr: "<u4", ctor: Uint32Array, bigint: false },
  uint64: { typestr: "<u8", ctor: BigUint64Array, bigint: true },
  int8: { typestr: "|i1", ctor: Int8Array, bigint: false },
  int16: { typestr: "<i2", ctor: Int16Array, bigint: false },
  int32: { typestr: "<i4", ctor: Int32Array, bigint: false },
  int64: { typestr: "<i8", ctor: BigInt64Array, bigint: true },
  float32: { typestr: "<f4", ctor: Float32Array, bigint: false },
  float64: { typestr: "<f8", ctor: Float64Array, bigint: false },
};

const ALIASES: Record<DataTypeAlias, DataType> = {
  u8: "uint8",
  u16: "uint16",
  u32: "uint32",
  u64: "uint64",
  i8: "int8",
  i16: "int16",
  i32: "int32",
  i64: "int64",
  f32: "float32",
  f64: "float64",
};

/** Every supported dtype, in a fixed order. */
export const DATA_TYPES: readonly DataType[] = Object.keys(DTYPES) as DataType[];

/** Resolve a dtype name or alias (`u8`, `float32`...) to a {@link DataType}, or throw naming the field. */
export function resolveDataType(name: string, path?: string): DataType {
  if (name in DTYPES) return name as DataType;
  if (name in ALIASES) return ALIASES[name as DataTypeAlias];
  throw new UnsupportedDtypeError("unsupported dtype", {
    path,
    field: "dtype",
    expected: `one of ${DATA_TYPES.join(", ")} (or u8 … f64)`,
    found: JSON.stringify(name),
  });
}

/** The zarr v2 type string (`<u2`, `|u1` ...) Tessera writes for a dtype (always little-endian). */
export function zarrTypestr(dtype: DataType): string {
  return DTYPES[dtype].typestr;
}

/** Parse a zarr v2 type string (`<u2`, `>f4`, `|u1`) into a {@link DataType}; throws for others. */
export function parseZarrTypestr(
  typestr: unknown,
  path?: string,
): { dtype: DataType; littleEndian: boolean } {
  if (typeof typestr === "string" && /^[<>|][uif][1248]$/.test(typestr)) {
    const kind = typestr[1] === "u" ? "uint" : typestr[1] === "i" ? "int" : "float";
    const name = `${kind}${Number(typestr[2]) * 8}`;
    if (name in DTYPES) return { dtype: name as DataType, littleEndian: typestr[0] !== ">" };
  }
  throw new UnsupportedDtypeError("unsupported zarr dtype", {
    path,
    field: "dtype",
    expected: "a numeric type string such as |u1, <u2, <u4, <u8, |i1, <i2, <i4, <i8, <f4, <f8",
    found: JSON.stringify(typestr),
  });
}

/** The typed-array constructor for a dtype. */
export function typedArrayFor(dtype: DataType): TypedArrayConstructor {
  return DTYPES[dtype].ctor;
}

/** Bytes per element of a dtype. */
export function bytesPerElement(dtype: DataType): number {
  return DTYPES[dtype].ctor.BYTES_PER_ELEMENT;
}

/** True for 64-bit integer dtypes, whose values are `bigint`. */
export function isBigIntDtype(dtype: DataType): boolean {
  return DTYPES[dtype].bigint;
}

/** The dtype whose typed array `data` is, or undefined for other arrays. */
export function dtypeOfArray(data: ArrayBufferView): DataType | undefined {
  for (const dtype of DATA_TYPES) if (data instanceof DTYPES[dtype].ctor) return dtype;
  return undefined;
}

/** A catalog as a GenericIO file (HACC haloproperties style: one variable per column). */
import type { GenericIOType } from "../genericio/format.js";
import { writeGenericIO } from "../genericio/write.js";
import { type Catalog, type CatalogColumn, catalogRows, ReduceError } from "./catalog.js";
import { writeWithSidecar } from "./output-files.js";
import { type CatalogProvenanceInput, catalogProvenance } from "./provenance.js";

/** Options of {@link writeCatalogGenericIO}. */
export interface WriteCatalogGenericIOOptions {
  /** Side of the periodic box (Mpc/h), stored as the file's physical scale (default 0). */
  boxSize?: number;
  /** BLOSC-compress the blocks (default false). */
  compress?: boolean;
  /** Provenance (tool, version, inputs, parameters, created are filled in when missing). */
  provenance?: CatalogProvenanceInput;
}

/** The GenericIO type of a column's array. */
export function genericIOTypeOf(column: CatalogColumn): GenericIOType {
  if (column instanceof Float32Array) return "f32";
  if (column instanceof Float64Array) return "f64";
  if (column instanceof Int32Array) return "i32";
  if (column instanceof BigInt64Array) return "i64";
  if (column instanceof Uint32Array) return "u32";
  if (column instanceof BigUint64Array) return "u64";
  if (column instanceof Int16Array) return "i16";
  if (column instanceof Uint16Array) return "u16";
  if (column instanceof Int8Array) return "i8";
  return "u8";
}

/**
 * Write `catalog` as a GenericIO file with one rank holding every column (the columns keep their
 * types, no coordinate flags), physical scale boxSize³. The provenance goes to
 * `<path>.provenance.json` (GenericIO has no attributes). Both files are written under temporary
 * names and renamed when complete.
 * @throws ReduceError for misaligned columns or no columns; GenericIOWriteError from the writer.
 */
export async function writeCatalogGenericIO(
  path: string,
  catalog: Catalog,
  options: WriteCatalogGenericIOOptions = {},
): Promise<{ path: string; rows: number; provenancePath: string }> {
  const rows = catalogRows(catalog);
  const names = Object.keys(catalog);
  if (names.length === 0) {
    throw new ReduceError("a catalog without columns cannot be written", {
      path,
      field: "columns",
      expected: "at least one column",
      found: "none",
    });
  }
  const L = options.boxSize ?? 0;
  const provenance = catalogProvenance(
    {
      ...options.provenance,
      parameters: { boxSize: L, compress: options.compress ?? false, ...options.provenance?.parameters },
    },
    "writeCatalogGenericIO",
  );
  await writeWithSidecar(path, provenance, async (tmp) => {
    await writeGenericIO(tmp, {
      variables: names.map((name) => ({ name, type: genericIOTypeOf(catalog[name]) })),
      ranks: [{ columns: catalog }],
      physScale: [L, L, L],
      compress: options.compress ?? false,
    });
  });
  return { path, rows, provenancePath: `${path}.provenance.json` };
}

/** Temporary names and the provenance sidecar shared by the catalog writers. */
import { randomBytes } from "node:crypto";
import { rename, rm, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { asciiJson, type CatalogProvenance } from "./provenance.js";

/** Suffix of the provenance file written beside a GenericIO or CSV catalog. */
export const PROVENANCE_SUFFIX = ".provenance.json";

/** A hidden temporary name beside `path` (same folder, so a rename is atomic). */
export function temporaryPath(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
}

/**
 * Write the provenance sidecar and then `write(tmp)` under temporary names beside `path`; only when
 * both are complete are they renamed into place (data first). On failure both temporaries are
 * removed and nothing new appears at `path`.
 */
export async function writeWithSidecar(
  path: string,
  provenance: CatalogProvenance,
  write: (tmp: string) => Promise<void>,
): Promise<void> {
  const tmp = temporaryPath(path);
  const side = `${path}${PROVENANCE_SUFFIX}`;
  const sideTmp = temporaryPath(side);
  try {
    await writeFile(sideTmp, asciiJson(provenance), { flag: "wx" });
    await write(tmp);
    await rename(tmp, path);
    await rename(sideTmp, side);
  } finally {
    await rm(tmp, { force: true });
    await rm(sideTmp, { force: true });
  }
}

/** The FOF outputs shared by `halo fof`, `halo fof merge` and `halo properties`: catalog and tags. */
import { startProgressBar } from "@tessera/volume";
import type { FofHalos } from "../fof/fof.js";
import { type HaloPropertiesColumns, haloProperties } from "../properties/properties.js";
import type { Catalog } from "../reduce/catalog.js";
import type { CatalogProvenanceInput } from "../reduce/provenance.js";
import { type HaloTags, type Particles, writeCatalogFile } from "./common.js";

/** Halos per call of `haloProperties` (one progress step). */
const HALOS_PER_STEP = 256;

/** The halos `[h0, h1)` as a table of their own (member indices stay particle indices). */
function sliceHalos(halos: FofHalos, h0: number, h1: number): FofHalos {
  const base = halos.offsets[h0];
  return {
    count: h1 - h0,
    size: halos.size.subarray(h0, h1),
    minId: halos.minId.subarray(h0, h1),
    offsets: Int32Array.from(halos.offsets.subarray(h0, h1 + 1), (o) => o - base),
    members: halos.members.subarray(base, halos.offsets[h1]),
  };
}

/**
 * `haloProperties` of every halo, a few hundred halos at a time with a progress bar (each halo's
 * properties depend only on its own members, so the result is that of one call).
 */
export function haloCatalog(
  particles: Particles,
  halos: FofHalos,
  options: { boxSize: number; particleMass: number; softening: number; seed?: number },
): HaloPropertiesColumns {
  const parts: HaloPropertiesColumns[] = [];
  const bar = startProgressBar("properties", "halos");
  try {
    bar.update(0, halos.count);
    for (let h0 = 0; h0 < halos.count || (h0 === 0 && parts.length === 0); h0 += HALOS_PER_STEP) {
      const h1 = Math.min(halos.count, h0 + HALOS_PER_STEP);
      parts.push(
        haloProperties(
          particles.positions,
          particles.velocities,
          { halos: sliceHalos(halos, h0, h1) },
          {
            boxSize: options.boxSize,
            particleMass: options.particleMass,
            softening: options.softening,
            seed: options.seed,
            ids: particles.ids,
          },
        ),
      );
      bar.update(h1, halos.count);
      if (halos.count === 0) break;
    }
  } finally {
    bar.stop();
  }
  return concatColumns(parts as unknown as Catalog[]) as unknown as HaloPropertiesColumns;
}

/** Concatenate catalogs with the same columns. */
export function concatColumns(parts: readonly Catalog[]): Catalog {
  if (parts.length === 1) return parts[0];
  const out: Catalog = {};
  for (const name of Object.keys(parts[0])) {
    const total = parts.reduce((s, p) => s + p[name].length, 0);
    const Ctor = parts[0][name].constructor as new (n: number) => Float64Array;
    const dst = new Ctor(total);
    let at = 0;
    for (const p of parts) {
      (dst as unknown as { set(a: unknown, o: number): void }).set(p[name], at);
      at += p[name].length;
    }
    out[name] = dst;
  }
  return out;
}

/** Write the halo catalog and the member tags (both atomic, with provenance sidecars where the format has none). */
export async function writeFofOutputs(
  output: string,
  tagsPath: string,
  catalog: Catalog,
  tags: HaloTags,
  options: { boxSize: number; overwrite: boolean; provenance: CatalogProvenanceInput },
): Promise<{ catalog: { path: string; rows: number }; tags: { path: string; rows: number } }> {
  const t = await writeCatalogFile(tagsPath, { ...tags }, { ...options, field: "--tags" });
  const c = await writeCatalogFile(output, catalog, options);
  return { catalog: { path: c.path, rows: c.rows }, tags: { path: t.path, rows: t.rows } };
}

/** Default tags path beside a catalog: `halos.gio` → `halos.tags.gio`. */
export function defaultTagsPath(output: string): string {
  const out = output.replace(/\/+$/, "");
  const m = /^(.*)(\.gio|\.csv|\.zarr)$/i.exec(out);
  return m ? `${m[1]}.tags${m[2]}` : `${out}.tags.gio`;
}

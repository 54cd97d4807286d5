/** Load a catalog config from YAML: parse, validate with zod, and keep a key path → line map for errors. */
import { readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import {
  CCL_MODEL1,
  type CosmologyParams,
  type CosmologyParamsInput,
  cosmologyParams,
  OUTER_RIM,
  PLANCK18,
} from "@tessera/cosmology";
import { LineCounter, parseDocument } from "yaml";
import { type CatalogConfigInput, CatalogConfigSchema } from "./config-schema.js";
import { CatalogConfigError, CatalogFileError, type ConfigLocation, UnitError } from "./errors.js";
import { conversionFactor, parseUnit, UNITS } from "./units.js";
import { formatKeyPath, type KeyPath, locateKey } from "./yaml-locate.js";

/** Cosmology presets a config may name. */
export const COSMOLOGY_PRESETS: Readonly<Record<string, CosmologyParamsInput>> = {
  PLANCK18,
  OUTER_RIM,
  CCL_MODEL1,
};

/** A validated catalog config. */
export interface CatalogConfig {
  /** Absolute path of the config file. */
  file: string;
  /** Folder file patterns are relative to. */
  dir: string;
  /** The config's values, as validated by {@link CatalogConfigSchema}. */
  values: CatalogConfigInput;
  /** Cosmological parameters, when the config names them. */
  cosmology?: CosmologyParams;
  /** Box side in Mpc/h, when given. */
  boxSizeMpcH?: number;
  /** The location (file, key, line) of a key path, for errors. */
  locate(path: KeyPath): ConfigLocation;
}

/**
 * Read and validate the catalog config at `path`.
 * @throws CatalogFileError the file cannot be read; CatalogConfigError bad YAML, a schema violation
 *   (named by key and line) or a bad cosmology; UnitError a box size in a unit that is not a length.
 */
export async function loadCatalogConfig(path: string): Promise<CatalogConfig> {
  const file = resolve(path);
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new CatalogFileError("the catalog config cannot be read", {
      file,
      key: "(file)",
      expected: "a readable YAML file",
      found: (error as NodeJS.ErrnoException).code ?? String(error),
      cause: error,
    });
  }
  return parseCatalogConfig(text, file);
}

/** Validate the YAML text of a catalog config; `file` names it in errors and anchors relative file patterns. */
export function parseCatalogConfig(text: string, file: string): CatalogConfig {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    const pos = e.linePos?.[0] ?? lines.linePos(e.pos[0]);
    throw new CatalogConfigError("the catalog config is not valid YAML", {
      file,
      key: "(syntax)",
      line: pos?.line,
      column: pos?.col,
      expected: "YAML",
      found: e.message.split("\n")[0],
    });
  }
  const locate = (path: KeyPath): ConfigLocation => {
    const at = locateKey(doc, lines, path);
    return { file, key: formatKeyPath(path), line: at?.line, column: at?.column };
  };
  const raw = doc.toJS();
  const parsed = CatalogConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue.path.filter((k): k is string | number => typeof k !== "symbol");
    const unknown = issue.code === "unrecognized_keys";
    const keyPath = unknown ? [...path, issue.keys[0]] : path;
    const more = parsed.error.issues.length - 1;
    throw new CatalogConfigError(
      `${unknown ? "unknown key in the catalog config" : "invalid catalog config"}${more > 0 ? ` (and ${more} more problem${more > 1 ? "s" : ""})` : ""}`,
      {
        ...locate(keyPath),
        expected: unknown ? "a key of the catalog config schema" : issue.message,
        found: unknown ? String(issue.keys[0]) : (JSON.stringify(valueAt(raw, path)) ?? "nothing"),
      },
    );
  }
  const values = parsed.data;
  const config: CatalogConfig = { file, dir: dirname(file), values, locate };
  if (values.cosmology !== undefined) config.cosmology = resolveCosmology(values.cosmology, locate);
  if (values.boxSize !== undefined) {
    const b = values.boxSize;
    if (typeof b === "number") config.boxSizeMpcH = b;
    else {
      const unit = parseUnit(b.unit);
      if (!unit || !sameLength(unit.dims)) {
        throw new UnitError("the box size needs a length unit", {
          ...locate(["boxSize", "unit"]),
          expected: "Mpc/h, Mpc, kpc/h or kpc",
          found: b.unit,
        });
      }
      try {
        config.boxSizeMpcH = b.value * conversionFactor(unit, UNITS["Mpc/h"], config.cosmology?.h);
      } catch (error) {
        throw new UnitError("the box size cannot be converted to Mpc/h", {
          ...locate(["boxSize", "unit"]),
          expected: "a cosmology (for h) when the unit is not in Mpc/h",
          found: (error as Error).message,
        });
      }
    }
  }
  return config;
}

function sameLength(d: readonly number[]): boolean {
  return d[1] === 1 && d.every((x, i) => i === 1 || i === 6 || x === 0);
}

function valueAt(root: unknown, path: readonly (string | number)[]): unknown {
  let v = root;
  for (const k of path)
    v = v !== null && typeof v === "object" ? (v as Record<string, unknown>)[k] : undefined;
  return v;
}

function resolveCosmology(
  value: string | Record<string, unknown>,
  locate: (path: KeyPath) => ConfigLocation,
): CosmologyParams {
  if (typeof value === "string") {
    const preset = Object.hasOwn(COSMOLOGY_PRESETS, value) ? COSMOLOGY_PRESETS[value] : undefined;
    if (!preset) {
      throw new CatalogConfigError("unknown cosmology preset", {
        ...locate(["cosmology"]),
        expected: `one of ${Object.keys(COSMOLOGY_PRESETS).join(", ")} or a mapping of parameters`,
        found: value,
      });
    }
    return cosmologyParams(preset);
  }
  try {
    return cosmologyParams(value as CosmologyParamsInput);
  } catch (error) {
    const field = (error as { field?: string }).field;
    throw new CatalogConfigError("invalid cosmology", {
      ...locate(field ? ["cosmology", field.split(".")[0]] : ["cosmology"]),
      expected:
        (error as { expected?: string }).expected ?? "cosmological parameters (omegaC, omegaB, h, nS, …)",
      found: (error as { found?: string }).found ?? (error as Error).message,
      cause: error,
    });
  }
}

/** Typed errors of catalog configs and catalog reading; each names the config file, key and line. */
import { ValidateError } from "../errors.js";

/** Where in a config file an error is: the file, the key path (e.g. `quantities.halo_mass.unit`) and the line (1-based). */
export interface ConfigLocation {
  /** Config file (or `(iterate options)` for options given in code). */
  file: string;
  /** Key path inside the config, dotted, with `[i]` for list items. */
  key: string;
  /** 1-based line of the key in the file, when known. */
  line?: number;
  /** 1-based column of the key, when known. */
  column?: number;
}

/** Details of a {@link CatalogError}: where, what was expected, what was found. */
export interface CatalogErrorDetails extends ConfigLocation {
  expected?: string;
  found?: string;
  /** A data file the error is about (a catalog file, not the config), when there is one. */
  dataFile?: string;
  cause?: unknown;
}

/**
 * Base class of catalog errors. The message reads
 * `summary; path: <config>; field: <key> (line N); expected: …; found: …`, and `file`, `key`,
 * `line`, `column`, `dataFile` are properties too.
 */
export class CatalogError extends ValidateError {
  readonly file: string;
  readonly key: string;
  readonly line?: number;
  readonly column?: number;
  readonly dataFile?: string;

  constructor(summary: string, d: CatalogErrorDetails) {
    const where = d.line === undefined ? d.key : `${d.key} (line ${d.line})`;
    super(d.dataFile === undefined ? summary : `${summary} [data file ${d.dataFile}]`, {
      path: d.line === undefined ? d.file : `${d.file}:${d.line}`,
      field: where,
      expected: d.expected,
      found: d.found,
      cause: d.cause,
    });
    this.file = d.file;
    this.key = d.key;
    this.line = d.line;
    this.column = d.column;
    this.dataFile = d.dataFile;
  }
}

/** The config is not valid YAML, or does not match the schema (a missing or mistyped key). */
export class CatalogConfigError extends CatalogError {}

/** A quantity name that is neither a standard quantity nor a derived one of the config. */
export class UnknownQuantityError extends CatalogError {}

/** A derived quantity or filter expression that does not parse, names unknown symbols or functions, or has the wrong type. */
export class ExpressionError extends CatalogError {}

/** An unknown unit, a unit of the wrong dimension for a quantity, or an expression mixing units. */
export class UnitError extends CatalogError {}

/** The file pattern matches no file, or a data file cannot be opened. */
export class CatalogFileError extends CatalogError {}

/** A data file lacks a mapped column, or holds one of a type or length that cannot be used. */
export class CatalogColumnError extends CatalogError {}

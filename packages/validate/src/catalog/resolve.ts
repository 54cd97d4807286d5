/**
 * Check a config's quantities, units, derived quantities and filters against the standard
 * quantities, and work out the conversion of each mapped column to its standard unit.
 */
import type { CatalogConfig } from "./config.js";
import { CatalogConfigError, UnitError, UnknownQuantityError } from "./errors.js";
import { type CompiledExpression, compileExpression, type ExpressionSymbol } from "./expression.js";
import { closestNames, type QuantityInfo, STANDARD_QUANTITIES, standardQuantity } from "./quantities.js";
import {
  conversionFactor,
  DIMENSIONLESS,
  type Dimension,
  formatDimension,
  parseUnit,
  sameDimension,
  sameDimensionBesidesH,
  unitNames,
} from "./units.js";
import type { KeyPath } from "./yaml-locate.js";

/** A standard quantity read from a native column. */
export interface MappedQuantity {
  kind: "column";
  info: QuantityInfo;
  column: string;
  /** Native value × factor = value in the standard unit. */
  factor: number;
  /** Key path of the column name in the config (for errors). */
  key: KeyPath;
}

/** A quantity that is constant per file (`redshift` from `redshift`/`redshifts`). */
export interface ConstantQuantity {
  kind: "constant";
  info: QuantityInfo;
  /** Value for file k (one value, or one per file). */
  values: readonly number[];
}

/** A derived quantity: a compiled expression. */
export interface DerivedQuantity {
  kind: "derived";
  name: string;
  expression: CompiledExpression;
  dims: Dimension | undefined;
}

/** A config's quantities, checked. */
export interface ResolvedCatalog {
  quantities: Map<string, MappedQuantity | ConstantQuantity | DerivedQuantity>;
  filters: CompiledExpression[];
}

/** Dimension and integer-ness of a quantity of a resolved catalog, for expressions. */
export function symbolOf(q: MappedQuantity | ConstantQuantity | DerivedQuantity): ExpressionSymbol {
  if (q.kind === "derived") return { dims: q.dims ?? DIMENSIONLESS, bigint: false };
  return { dims: q.info.unit.dims, bigint: q.info.type === "i64" };
}

/**
 * Resolve the config's quantity map, derived quantities and filters.
 * @throws UnknownQuantityError a quantity that is not standard, or an expression symbol that is no
 *   quantity; UnitError an unknown unit, a unit of the wrong dimension, a missing unit for a
 *   dimensioned quantity, an h conversion without cosmology, or an expression mixing units;
 *   ExpressionError a bad expression; CatalogConfigError a derived name that shadows a quantity.
 */
export function resolveCatalog(config: CatalogConfig): ResolvedCatalog {
  const v = config.values;
  const at = config.locate;
  const quantities: ResolvedCatalog["quantities"] = new Map();
  for (const [name, mapping] of Object.entries(v.quantities)) {
    const info = standardQuantity(name);
    if (!info) {
      throw new UnknownQuantityError(`unknown quantity ${JSON.stringify(name)}`, {
        ...at(["quantities", name]),
        expected: `a standard quantity (closest: ${closestNames(name, STANDARD_QUANTITIES.keys()).join(", ")})`,
        found: name,
      });
    }
    const column = typeof mapping === "string" ? mapping : mapping.column;
    const unitText = typeof mapping === "string" ? undefined : mapping.unit;
    const key: KeyPath = typeof mapping === "string" ? ["quantities", name] : ["quantities", name, "column"];
    const unitKey: KeyPath = unitText === undefined ? ["quantities", name] : ["quantities", name, "unit"];
    const std = info.unit;
    let factor = 1;
    if (unitText === undefined) {
      if (!sameDimension(std.dims, DIMENSIONLESS) && std.name !== "id") {
        throw new UnitError(`quantity ${name} needs a unit`, {
          ...at(unitKey),
          expected: `{ column: ..., unit: ${std.name} } (or a unit convertible to ${std.name})`,
          found: "no unit",
        });
      }
    } else {
      const unit = parseUnit(unitText);
      if (!unit) {
        throw new UnitError(`unknown unit for ${name}`, {
          ...at(unitKey),
          expected: `one of ${unitNames().join(", ")}`,
          found: unitText,
        });
      }
      const idLike = std.name === "id" && sameDimension(unit.dims, DIMENSIONLESS);
      if (!idLike && !sameDimensionBesidesH(unit.dims, std.dims)) {
        throw new UnitError(`inconsistent unit for ${name}`, {
          ...at(unitKey),
          expected: `a unit of ${formatDimension(std.dims)} (standard: ${std.name || "dimensionless"})`,
          found: `${unitText} (${formatDimension(unit.dims)})`,
        });
      }
      if (!idLike) {
        if (unit.dims[6] !== std.dims[6] && config.cosmology === undefined) {
          throw new UnitError(`converting ${name} from ${unitText} to ${std.name} needs h`, {
            ...at(unitKey),
            expected: "a cosmology key (preset or parameters) giving h",
            found: "no cosmology",
          });
        }
        factor = conversionFactor(unit, std, config.cosmology?.h);
      }
    }
    if (info.type !== "f64" && factor !== 1) {
      throw new UnitError(`integer quantity ${name} cannot be scaled`, {
        ...at(unitKey),
        expected: std.name || "no unit",
        found: unitText ?? "",
      });
    }
    quantities.set(name, { kind: "column", info, column, factor, key });
  }
  if (v.redshift !== undefined && v.redshifts !== undefined) {
    throw new CatalogConfigError("give redshift or redshifts, not both", {
      ...at(["redshifts"]),
      expected: "one of redshift (one snapshot) and redshifts (one per file)",
      found: "both",
    });
  }
  if (!quantities.has("redshift") && (v.redshift !== undefined || v.redshifts !== undefined)) {
    quantities.set("redshift", {
      kind: "constant",
      info: standardQuantity("redshift") as QuantityInfo,
      values: v.redshifts ?? [v.redshift as number],
    });
  }
  const known = () => quantities.keys();
  const symbols = (name: string) => {
    const q = quantities.get(name);
    return q ? symbolOf(q) : undefined;
  };
  for (const [name, source] of Object.entries(v.derived ?? {})) {
    if (quantities.has(name) || standardQuantity(name)) {
      throw new CatalogConfigError(`derived quantity ${name} has the name of a standard quantity`, {
        ...at(["derived", name]),
        expected: "a new name (e.g. log_halo_mass)",
        found: name,
      });
    }
    const expression = compileExpression(source, symbols, "number", at(["derived", name]), known);
    quantities.set(name, { kind: "derived", name, expression, dims: expression.dims });
  }
  const filters = (v.filters ?? []).map((f, i) =>
    compileExpression(f, symbols, "boolean", at(["filters", i]), known),
  );
  return { quantities, filters };
}

/**
 * Derived quantities and filters: mathjs expressions over quantities, checked once (symbols,
 * functions, boolean vs number, units) and compiled once into a loop over a chunk's columns that
 * allocates nothing per row.
 */
import { type MathNode, parse } from "mathjs";
import { type ConfigLocation, ExpressionError, UnitError, UnknownQuantityError } from "./errors.js";
import { closestNames } from "./quantities.js";
import { DIMENSIONLESS, type Dimension, formatDimension, sameDimension } from "./units.js";

/** What an expression may refer to: a quantity's dimension (standard units) and whether it is a 64-bit integer. */
export interface ExpressionSymbol {
  dims: Dimension;
  bigint: boolean;
}

/** A chunk column an expression reads. */
export type ExpressionColumn = Float64Array | Float32Array | Int32Array | BigInt64Array | Uint8Array;

/** A checked, compiled expression. */
export interface CompiledExpression {
  source: string;
  /** `number` for derived quantities, `boolean` for filters. */
  kind: "number" | "boolean";
  /** Dimension of a number result (`undefined`: a bare number, dimension free). */
  dims: Dimension | undefined;
  /** Quantities read, in the order {@link CompiledExpression.evaluate} takes their columns. */
  symbols: readonly string[];
  /** Evaluate rows `[0, n)`: `out[i]` = the value (number) or 1/0 (boolean). */
  evaluate(columns: readonly ExpressionColumn[], n: number, out: Float64Array | Uint8Array): void;
}

interface Typed {
  kind: "number" | "boolean";
  /** undefined = a literal whose unit is that of what it is compared with or added to. */
  dims: Dimension | undefined;
  code: string;
  /** Value, when the subexpression is a constant (for exponents). */
  constant?: number;
}

const CONSTANTS: Record<string, number> = { pi: Math.PI, e: Math.E };

const ONE_ARG: Record<string, string> = {
  log10: "Math.log10",
  log: "Math.log",
  log2: "Math.log2",
  exp: "Math.exp",
  sqrt: "Math.sqrt",
  cbrt: "Math.cbrt",
  abs: "Math.abs",
  floor: "Math.floor",
  ceil: "Math.ceil",
  round: "Math.round",
  sin: "Math.sin",
  cos: "Math.cos",
  tan: "Math.tan",
  isNaN: "Number.isNaN",
};

const COMPARE: Record<string, string> = {
  larger: ">",
  smaller: "<",
  largerEq: ">=",
  smallerEq: "<=",
  equal: "===",
  unequal: "!==",
};

/** The functions an expression may call. */
export const EXPRESSION_FUNCTIONS: readonly string[] = [...Object.keys(ONE_ARG), "min", "max", "pow"];

const ANGLE = 4;

/**
 * Parse and check `source` against `symbols`, and compile it. `expect` is what the place needs:
 * `number` (derived quantities) or `boolean` (filters). Errors are located at `at`.
 * @throws ExpressionError bad syntax, unsupported construct or function, wrong result type;
 *   UnknownQuantityError a symbol that is no quantity; UnitError operands of different units.
 */
export function compileExpression(
  source: string,
  symbols: (name: string) => ExpressionSymbol | undefined,
  expect: "number" | "boolean",
  at: ConfigLocation,
  knownNames: () => Iterable<string> = () => [],
): CompiledExpression {
  let root: MathNode;
  try {
    root = parse(source);
  } catch (error) {
    throw new ExpressionError("the expression does not parse", {
      ...at,
      expected: "a mathjs expression, e.g. log10(halo_mass) or halo_mass > 1e12",
      found: `${JSON.stringify(source)}: ${(error as Error).message}`,
      cause: error,
    });
  }
  const used: string[] = [];
  const fail = (summary: string, expected: string, found: string): never => {
    throw new ExpressionError(summary, { ...at, expected, found: `${found} in ${JSON.stringify(source)}` });
  };
  const unitFail = (what: string, a: Dimension, b: Dimension): never => {
    throw new UnitError(`${what} of quantities in different units`, {
      ...at,
      expected: "operands of the same unit (a bare number takes the unit of the other operand)",
      found: `${formatDimension(a)} vs ${formatDimension(b)} in ${JSON.stringify(source)}`,
    });
  };
  const num = (t: Typed, where: string): Typed =>
    t.kind === "number" ? t : fail(`${where} needs a number`, "a number", "a boolean");
  const bool = (t: Typed, where: string): Typed =>
    t.kind === "boolean" ? t : fail(`${where} needs a boolean`, "a comparison or and/or/not", "a number");
  const unify = (a: Typed, b: Typed, what: string): Dimension | undefined => {
    if (a.dims === undefined) return b.dims;
    if (b.dims === undefined) return a.dims;
    if (!sameDimension(a.dims, b.dims)) unitFail(what, a.dims, b.dims);
    return a.dims;
  };
  const scale = (d: Dimension | undefined, p: number): Dimension | undefined =>
    d === undefined ? undefined : d.map((x) => x * p);
  const combine = (a: Typed, b: Typed, sign: number): Dimension | undefined =>
    a.dims === undefined && b.dims === undefined
      ? undefined
      : (a.dims ?? DIMENSIONLESS).map((x, i) => x + sign * (b.dims ?? DIMENSIONLESS)[i]);
  const isDimensionless = (t: Typed) => t.dims === undefined || sameDimension(t.dims, DIMENSIONLESS);
  const constantOf = (a: Typed, b: Typed, f: (x: number, y: number) => number) =>
    a.constant !== undefined && b.constant !== undefined ? f(a.constant, b.constant) : undefined;

  const visit = (node: MathNode): Typed => {
    const n = node as MathNode & Record<string, unknown>;
    switch (node.type) {
      case "ParenthesisNode":
        return visit(n.content as MathNode);
      case "ConstantNode": {
        const v = n.value;
        if (typeof v === "boolean") return { kind: "boolean", dims: DIMENSIONLESS, code: String(v) };
        if (typeof v !== "number") return fail("unsupported constant", "a number", JSON.stringify(v));
        return {
          kind: "number",
          dims: undefined,
          code: `(${numberCode(v as number)})`,
          constant: v as number,
        };
      }
      case "SymbolNode": {
        const name = n.name as string;
        if (Object.hasOwn(CONSTANTS, name))
          return { kind: "number", dims: undefined, code: `(${CONSTANTS[name]})`, constant: CONSTANTS[name] };
        const s = symbols(name);
        if (!s) {
          const near = closestNames(name, knownNames());
          throw new UnknownQuantityError(`unknown quantity ${JSON.stringify(name)} in an expression`, {
            ...at,
            expected: `a standard, mapped or derived quantity${near.length ? ` (closest: ${near.join(", ")})` : ""}`,
            found: `${name} in ${JSON.stringify(source)}`,
          });
        }
        let k = used.indexOf(name);
        if (k < 0) k = used.push(name) - 1;
        return { kind: "number", dims: s.dims, code: s.bigint ? `Number(c${k}[i])` : `c${k}[i]` };
      }
      case "OperatorNode":
        return operator(n.fn as string, (n.args as MathNode[]).map(visit), n.op as string);
      case "RelationalNode": {
        const params = (n.params as MathNode[]).map(visit);
        const parts = (n.conditionals as string[]).map((c, k) => operator(c, [params[k], params[k + 1]], c));
        return { kind: "boolean", dims: DIMENSIONLESS, code: `(${parts.map((p) => p.code).join(" && ")})` };
      }
      case "ConditionalNode": {
        const c = bool(visit(n.condition as MathNode), "the condition of ? :");
        const a = visit(n.trueExpr as MathNode);
        const b = visit(n.falseExpr as MathNode);
        if (a.kind !== b.kind)
          fail("both branches of ? : must be numbers or booleans", "same kinds", "mixed");
        return {
          kind: a.kind,
          dims: unify(a, b, "the branches"),
          code: `(${c.code} ? ${a.code} : ${b.code})`,
        };
      }
      case "FunctionNode":
        return call((n.fn as { name?: string }).name ?? "", (n.args as MathNode[]).map(visit));
      default:
        return fail(
          `unsupported construct ${node.type}`,
          "numbers, quantities, + - * / ^, comparisons, and/or/not, ? :, and the listed functions",
          node.type,
        );
    }
  };

  const operator = (fn: string, args: Typed[], op: string): Typed => {
    if (fn in COMPARE) {
      const [a, b] = [num(args[0], op), num(args[1], op)];
      unify(a, b, `comparison ${op}`);
      return { kind: "boolean", dims: DIMENSIONLESS, code: `(${a.code} ${COMPARE[fn]} ${b.code})` };
    }
    switch (fn) {
      case "add":
      case "subtract": {
        const [a, b] = [num(args[0], op), num(args[1], op)];
        const dims = unify(a, b, fn === "add" ? "sum" : "difference");
        const c = constantOf(a, b, (x, y) => (fn === "add" ? x + y : x - y));
        return { kind: "number", dims, code: `(${a.code} ${op} ${b.code})`, constant: c };
      }
      case "multiply":
      case "divide": {
        const [a, b] = [num(args[0], op), num(args[1], op)];
        const c = constantOf(a, b, (x, y) => (fn === "multiply" ? x * y : x / y));
        return {
          kind: "number",
          dims: combine(a, b, fn === "multiply" ? 1 : -1),
          code: `(${a.code} ${op} ${b.code})`,
          constant: c,
        };
      }
      case "mod": {
        const [a, b] = [num(args[0], op), num(args[1], op)];
        return { kind: "number", dims: unify(a, b, "mod"), code: `(${a.code} % ${b.code})` };
      }
      case "pow":
        return power(num(args[0], "^"), num(args[1], "^"));
      case "unaryMinus":
      case "unaryPlus": {
        const a = num(args[0], op);
        const c = a.constant === undefined ? undefined : fn === "unaryMinus" ? -a.constant : a.constant;
        return { kind: "number", dims: a.dims, code: `(${op}${a.code})`, constant: c };
      }
      case "and":
      case "or":
      case "xor": {
        const [a, b] = [bool(args[0], op), bool(args[1], op)];
        const js = fn === "and" ? "&&" : fn === "or" ? "||" : "!==";
        return { kind: "boolean", dims: DIMENSIONLESS, code: `(${a.code} ${js} ${b.code})` };
      }
      case "not":
        return { kind: "boolean", dims: DIMENSIONLESS, code: `(!${bool(args[0], "not").code})` };
      default:
        return fail(`unsupported operator ${op}`, "+ - * / ^ mod, comparisons, and/or/xor/not", op);
    }
  };

  const power = (a: Typed, b: Typed): Typed => {
    if (!isDimensionless(b))
      fail(
        "an exponent must be dimensionless",
        "a dimensionless exponent",
        formatDimension(b.dims as Dimension),
      );
    if (a.dims !== undefined && !sameDimension(a.dims, DIMENSIONLESS) && b.constant === undefined)
      fail("a quantity with a unit can only be raised to a constant power", "a constant exponent", b.code);
    const c = constantOf(a, b, (x, y) => x ** y);
    return {
      kind: "number",
      dims: scale(a.dims, b.constant ?? 0),
      code: `(${a.code} ** ${b.code})`,
      constant: c,
    };
  };

  const call = (name: string, args: Typed[]): Typed => {
    if (Object.hasOwn(ONE_ARG, name)) {
      if (args.length !== 1) fail(`${name}() takes one argument`, "1 argument", `${args.length}`);
      const a = num(args[0], `${name}()`);
      let code = a.code;
      let dims: Dimension | undefined = DIMENSIONLESS;
      if (name === "exp" && !isDimensionless(a))
        fail("exp() needs a dimensionless argument", "dimensionless", formatDimension(a.dims as Dimension));
      if (["sin", "cos", "tan"].includes(name)) {
        const angle = a.dims?.[ANGLE] === 1 && a.dims.every((x, i) => i === ANGLE || x === 0);
        if (!angle && !isDimensionless(a))
          fail(
            `${name}() needs an angle`,
            "deg or dimensionless (radians)",
            formatDimension(a.dims as Dimension),
          );
        if (angle) code = `(${code} * ${Math.PI / 180})`;
      }
      if (["sqrt", "cbrt"].includes(name)) dims = scale(a.dims, name === "sqrt" ? 0.5 : 1 / 3);
      if (["abs", "floor", "ceil", "round"].includes(name)) dims = a.dims;
      if (name === "isNaN")
        return { kind: "boolean", dims: DIMENSIONLESS, code: `${ONE_ARG[name]}(${code})` };
      return { kind: "number", dims, code: `${ONE_ARG[name]}(${code})` };
    }
    if (name === "min" || name === "max") {
      if (args.length < 2) fail(`${name}() takes two or more arguments`, "≥ 2 arguments", `${args.length}`);
      let dims: Dimension | undefined;
      let acc = num(args[0], `${name}()`);
      for (const t of args.slice(1)) {
        dims = unify(acc, num(t, `${name}()`), `${name}()`);
        acc = { ...acc, dims };
      }
      return { kind: "number", dims: acc.dims, code: `Math.${name}(${args.map((t) => t.code).join(", ")})` };
    }
    if (name === "pow") {
      if (args.length !== 2) fail("pow() takes two arguments", "2 arguments", `${args.length}`);
      return power(num(args[0], "pow()"), num(args[1], "pow()"));
    }
    return fail(`unknown function ${name}()`, `one of ${EXPRESSION_FUNCTIONS.join(", ")}`, `${name}()`);
  };

  const t = visit(root);
  if (t.kind !== expect) {
    fail(
      expect === "boolean" ? "a filter must be a condition" : "a derived quantity must be a number",
      expect === "boolean" ? "a comparison, e.g. halo_mass > 1e12" : "a numeric expression",
      t.kind,
    );
  }
  const loads = used.map((_, k) => `const c${k} = c[${k}];`).join(" ");
  const store = t.kind === "boolean" ? `out[i] = ${t.code} ? 1 : 0;` : `out[i] = ${t.code};`;
  const kernel = new Function(
    "c",
    "n",
    "out",
    `"use strict"; ${loads} for (let i = 0; i < n; i++) { ${store} }`,
  ) as (c: readonly ExpressionColumn[], n: number, out: Float64Array | Uint8Array) => void;
  return {
    source,
    kind: t.kind,
    dims: t.kind === "number" ? t.dims : undefined,
    symbols: used,
    evaluate: (columns, n, out) => kernel(columns, n, out),
  };
}

/** JavaScript source of a number constant. */
function numberCode(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (!Number.isFinite(v)) return v > 0 ? "Infinity" : "-Infinity";
  return String(v);
}

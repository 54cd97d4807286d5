import { describe, expect, it } from "vitest";
import { ExpressionError, UnitError, UnknownQuantityError } from "./errors.js";
import { compileExpression, type ExpressionSymbol } from "./expression.js";
import { standardQuantity } from "./quantities.js";

const at = { file: "cfg.yaml", key: "derived.q", line: 7 };
const sym = (name: string): ExpressionSymbol | undefined => {
  const q = standardQuantity(name);
  return q && { dims: q.unit.dims, bigint: q.type === "i64" };
};

describe("expressions", () => {
  const n = 1000;
  const mass = Float64Array.from({ length: n }, (_, i) => 10 ** (10 + (i * 5) / n));
  const x = Float64Array.from({ length: n }, (_, i) => (i * 7.3) % 100);
  const vx = Float64Array.from({ length: n }, (_, i) => Math.sin(i) * 300);
  const id = BigInt64Array.from({ length: n }, (_, i) => BigInt(i) * 3n);

  it("evaluates derived quantities like a direct computation", () => {
    const e = compileExpression("log10(halo_mass) + 0.5 * log10(x / 100) ^ 2", sym, "number", at);
    expect(e.symbols).toEqual(["halo_mass", "x"]);
    const out = new Float64Array(n);
    e.evaluate([mass, x], n, out);
    for (let i = 0; i < n; i++) expect(out[i]).toBe(Math.log10(mass[i]) + 0.5 * Math.log10(x[i] / 100) ** 2);
    const s = compileExpression("sqrt(x*x)", sym, "number", at);
    expect(s.dims).toEqual(standardQuantity("x")?.unit.dims);
  });

  it("evaluates filters like a direct computation (and, or, not, chained, ids)", () => {
    const f = compileExpression(
      "halo_mass > 1e12 and (abs(vx) < 200 or not (x >= 50)) and 10 < x <= 90 and halo_id != 9",
      sym,
      "boolean",
      at,
    );
    const out = new Uint8Array(n);
    f.evaluate(
      f.symbols.map((s) => ({ halo_mass: mass, vx, x, halo_id: id })[s] as Float64Array),
      n,
      out,
    );
    let count = 0;
    for (let i = 0; i < n; i++) {
      const want =
        mass[i] > 1e12 && (Math.abs(vx[i]) < 200 || !(x[i] >= 50)) && 10 < x[i] && x[i] <= 90 && id[i] !== 9n;
      expect(out[i]).toBe(want ? 1 : 0);
      count += out[i];
    }
    expect(count).toBeGreaterThan(100);
    expect(count).toBeLessThan(n - 100);
  });

  it("rejects mixed units, unknown symbols, bad syntax, unknown functions and wrong types", () => {
    const bad = (src: string, kind: "number" | "boolean" = "number") => {
      try {
        compileExpression(src, sym, kind, at);
      } catch (e) {
        return e;
      }
      return undefined;
    };
    const sum = bad("halo_mass + x");
    expect(sum).toBeInstanceOf(UnitError);
    expect(String(sum)).toMatch(/mass·h\^-1 vs length·h\^-1/);
    expect(String(sum)).toMatch(/cfg\.yaml:7/);
    expect((sum as UnitError).key).toBe("derived.q");
    expect(bad("halo_mass > x", "boolean")).toBeInstanceOf(UnitError);
    expect(bad("halo_mass + stellar_mass")).toBeInstanceOf(UnitError); // Msun/h vs Msun
    expect(bad("exp(halo_mass)")).toBeInstanceOf(ExpressionError);
    expect(bad("halo_mass ^ x")).toBeInstanceOf(ExpressionError);
    const unknown = bad("log10(halo_mas)");
    expect(unknown).toBeInstanceOf(UnknownQuantityError);
    expect(String(unknown)).toMatch(/halo_mas/);
    expect(bad("log10(halo_mass")).toBeInstanceOf(ExpressionError);
    expect(bad("foo(halo_mass)")).toBeInstanceOf(ExpressionError);
    expect(bad("a = 3")).toBeInstanceOf(ExpressionError);
    expect(bad("halo_mass", "boolean")).toBeInstanceOf(ExpressionError);
    expect(bad("halo_mass > 1", "number")).toBeInstanceOf(ExpressionError);
    // fine: literals take the unit of the other side
    expect(bad("halo_mass > 1e12", "boolean")).toBeUndefined();
    expect(bad("halo_mass * 2 + 1e10")).toBeUndefined();
    expect(bad("x / vx")).toBeUndefined();
  });
});

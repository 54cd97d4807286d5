import { describe, expect, it } from "vitest";
import { STANDARD_QUANTITIES, standardQuantity } from "./quantities.js";
import { conversionFactor, formatDimension, parseUnit, UNITS } from "./units.js";

describe("units", () => {
  it("converts Msun ↔ Msun/h and kpc ↔ Mpc/h with h, and refuses other dimensions", () => {
    const h = 0.7;
    // 1e12 Msun is 0.7e12 Msun/h (M[Msun/h] = M[Msun]·h)
    expect(1e12 * conversionFactor(UNITS.Msun, UNITS["Msun/h"], h)).toBeCloseTo(0.7e12, -3);
    expect(conversionFactor(UNITS["Msun/h"], UNITS.Msun, h)).toBeCloseTo(1 / 0.7, 12);
    expect(conversionFactor(UNITS["1e10Msun/h"], UNITS["Msun/h"])).toBe(1e10);
    expect(conversionFactor(UNITS.kpc, UNITS["Mpc/h"], h)).toBeCloseTo(0.7e-3, 15);
    expect(conversionFactor(UNITS["kpc/h"], UNITS["Mpc/h"])).toBe(1e-3);
    expect(() => conversionFactor(UNITS.Msun, UNITS["Msun/h"])).toThrow(/needs h/);
    expect(() => conversionFactor(UNITS["km/s"], UNITS["Mpc/h"], h)).toThrow(/cannot convert/);
  });

  it("parses unit spellings and prints dimensions", () => {
    expect(parseUnit("Msun h^-1")?.name).toBe("Msun/h");
    expect(parseUnit("1e10 Msun/h")?.scale).toBe(1e10);
    expect(parseUnit("furlong")).toBeUndefined();
    expect(formatDimension(UNITS["Msun/h"].dims)).toBe("mass·h^-1");
  });

  it("has standard quantities with units (halo mass Msun/h, stellar mass Msun, positions Mpc/h)", () => {
    expect(standardQuantity("halo_mass")?.unit.name).toBe("Msun/h");
    expect(standardQuantity("stellar_mass")?.unit.name).toBe("Msun");
    expect(standardQuantity("x")?.unit.name).toBe("Mpc/h");
    expect(standardQuantity("vx")?.unit.name).toBe("km/s");
    expect(standardQuantity("mag_r")?.unit.name).toBe("mag");
    expect(standardQuantity("halo_id")?.type).toBe("i64");
    expect(STANDARD_QUANTITIES.size).toBeGreaterThan(25);
  });
});

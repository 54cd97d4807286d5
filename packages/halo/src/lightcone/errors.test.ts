// Bad input: each case throws its typed error (a HaloError), naming the field and what was expected.
import { Cosmology, PLANCK18 } from "@tessera/cosmology";
import { describe, expect, it } from "vitest";
import { HaloError } from "../errors.js";
import {
  EmptySnapshotListError,
  LightconeError,
  LightconeOptionError,
  LightconeRangeError,
  ObjectOutsideBoxError,
  SnapshotInputError,
  SnapshotOrderError,
} from "./errors.js";
import { buildLightcone } from "./lightcone.js";
import type { LightconeOptions, LightconeSnapshot } from "./types.js";

const cosmology = new Cosmology(PLANCK18);
const objects = { x: [1, 2], y: [3, 4], z: [5, 6] };
const base: LightconeOptions = { boxSize: 100, cosmology, zMin: 0.1, zMax: 0.3 };
const snaps: LightconeSnapshot[] = [
  { redshift: 0.4, objects },
  { redshift: 0.2, objects },
  { redshift: 0.05, objects },
];

function caught(f: () => unknown): Error {
  try {
    f();
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected an error");
}

describe("typed errors", () => {
  it("valid input builds", () => {
    expect(buildLightcone(snaps, base).count).toBeGreaterThan(0);
  });

  it("a redshift range outside the snapshots' shells: LightconeRangeError with both ranges", () => {
    // shells reach half a gap past the ends: χ(0.4) + (χ(0.4) − χ(0.2))/2 outward
    const chi = (z: number) => cosmology.comovingRadialDistanceMpcH(z) as number;
    const zHigh = cosmology.redshiftAtComovingDistanceMpc(
      (1.5 * chi(0.4) - 0.5 * chi(0.2)) / 0.6766,
    ) as number;
    const tooHigh = caught(() => buildLightcone(snaps, { ...base, zMax: zHigh + 0.01 }));
    expect(tooHigh).toBeInstanceOf(LightconeRangeError);
    expect(tooHigh).toBeInstanceOf(HaloError);
    const e = tooHigh as LightconeRangeError;
    expect(e.field).toBe("zMax");
    expect(e.requested).toEqual([0.1, zHigh + 0.01]);
    expect(e.covered[1]).toBeCloseTo(zHigh, 9);
    expect(e.expected).toContain("extrapolate");
    // just inside is fine
    expect(buildLightcone(snaps, { ...base, zMax: zHigh - 1e-6 }).count).toBeGreaterThan(0);
    const late = [0.4, 0.3, 0.25].map((redshift) => ({ redshift, objects }));
    const zLow = cosmology.redshiftAtComovingDistanceMpc(
      (1.5 * chi(0.25) - 0.5 * chi(0.3)) / 0.6766,
    ) as number;
    expect(zLow).toBeGreaterThan(0.2);
    const tooLow = caught(() => buildLightcone(late, { ...base, zMin: zLow - 0.005 })) as LightconeRangeError;
    expect(tooLow).toBeInstanceOf(LightconeRangeError);
    expect(tooLow.field).toBe("zMin");
    expect(tooLow.covered[0]).toBeCloseTo(zLow, 9);
    expect(buildLightcone(late, { ...base, zMin: zLow + 1e-6 }).count).toBeGreaterThanOrEqual(0);
    // a single snapshot covers only itself unless extrapolated
    const single = [{ redshift: 0.2, objects }];
    expect(() => buildLightcone(single, base)).toThrow(LightconeRangeError);
    expect(buildLightcone(single, { ...base, extrapolate: true }).count).toBeGreaterThan(0);
    expect(buildLightcone(snaps, { ...base, zMin: 0, zMax: 1, extrapolate: true }).count).toBeGreaterThan(0);
  });

  it("an empty snapshot list: EmptySnapshotListError", () => {
    const e = caught(() => buildLightcone([], base));
    expect(e).toBeInstanceOf(EmptySnapshotListError);
    expect(e).toBeInstanceOf(SnapshotInputError);
    expect((e as EmptySnapshotListError).field).toBe("snapshots");
  });

  it("unsorted or duplicate steps and redshifts: SnapshotOrderError naming the snapshot", () => {
    const unsorted = caught(() =>
      buildLightcone(
        [
          { step: 400, objects },
          { step: 300, objects },
        ],
        base,
      ),
    ) as SnapshotOrderError;
    expect(unsorted).toBeInstanceOf(SnapshotOrderError);
    expect(unsorted.field).toBe("snapshots[1].step");
    expect(unsorted.snapshot).toBe(1);
    expect(unsorted.expected).toContain("> 400");
    const duplicate = caught(() =>
      buildLightcone(
        [
          { step: 300, objects },
          { step: 350, objects },
          { step: 350, objects },
        ],
        base,
      ),
    ) as SnapshotOrderError;
    expect(duplicate).toBeInstanceOf(SnapshotOrderError);
    expect(duplicate.snapshot).toBe(2);
    const byRedshift = caught(() =>
      buildLightcone(
        [
          { redshift: 0.2, objects },
          { redshift: 0.2, objects },
        ],
        base,
      ),
    ) as SnapshotOrderError;
    expect(byRedshift).toBeInstanceOf(SnapshotOrderError);
    expect(byRedshift.field).toBe("snapshots[1].redshift");
  });

  it("objects outside [0, L]: ObjectOutsideBoxError with snapshot and row", () => {
    for (const [bad, axis] of [
      [{ x: [1, 100.001], y: [3, 4], z: [5, 6] }, "x"],
      [{ x: [1, 2], y: [-1e-9, 4], z: [5, 6] }, "y"],
      [{ x: [1, 2], y: [3, 4], z: [5, Number.NaN] }, "z"],
    ] as const) {
      const e = caught(() =>
        buildLightcone([snaps[0], { redshift: 0.2, objects: bad }, snaps[2]], base),
      ) as ObjectOutsideBoxError;
      expect(e).toBeInstanceOf(ObjectOutsideBoxError);
      expect(e.snapshot).toBe(1);
      expect(e.object).toBe(axis === "y" ? 0 : 1);
      expect(e.field).toBe(`snapshots[1].objects.${axis}[${e.object}]`);
      expect(e.expected).toContain("<= 100");
    }
  });

  it("non-positive box size and other bad options: LightconeOptionError naming the option", () => {
    for (const [options, field] of [
      [{ ...base, boxSize: 0 }, "boxSize"],
      [{ ...base, boxSize: -5 }, "boxSize"],
      [{ ...base, boxSize: Number.NaN }, "boxSize"],
      [{ ...base, zMin: -0.1 }, "zMin"],
      [{ ...base, zMax: 0.1 }, "zMax"],
      [{ ...base, observer: [0, Number.POSITIVE_INFINITY, 0] }, "observer"],
      [
        { ...base, footprint: { kind: "raDecBox", raMinDeg: 0, raMaxDeg: 10, decMinDeg: 20, decMaxDeg: 10 } },
        "footprint.decMaxDeg",
      ],
      [{ ...base, footprint: { kind: "cap" } }, "footprint.kind"],
      [{ ...base, boundaries: "midpoint" }, "boundaries"],
      [{ ...base, columns: ["x"] }, "columns"],
    ] as Array<[LightconeOptions, string]>) {
      const e = caught(() => buildLightcone(snaps, options)) as LightconeOptionError;
      expect(e, field).toBeInstanceOf(LightconeOptionError);
      expect(e).toBeInstanceOf(LightconeError);
      expect(e.field).toBe(field);
      expect(e.expected).toBeTruthy();
    }
  });

  it("malformed snapshots: SnapshotInputError", () => {
    const cases: Array<[LightconeSnapshot[], Partial<LightconeOptions>, string]> = [
      [[{ objects } as LightconeSnapshot], {}, "snapshots[0]"],
      [[{ redshift: 0.2, objects: { ...objects, mass: [1] } }], {}, "snapshots[0].objects.mass"],
      [[{ redshift: 0.2, objects }], { peculiarVelocities: true }, "snapshots[0].objects.vx"],
      [
        [
          { redshift: 0.4, objects: { ...objects, id: new BigInt64Array([1n, 2n]) } },
          { redshift: 0.2, objects: { ...objects, id: [1, 2] } },
        ],
        {},
        "snapshots[1].objects.id",
      ],
      [[{ redshift: -1, objects }], {}, "snapshots[0].redshift"],
    ];
    for (const [list, extra, field] of cases) {
      const e = caught(() =>
        buildLightcone(list, { ...base, extrapolate: true, ...extra }),
      ) as SnapshotInputError;
      expect(e, field).toBeInstanceOf(SnapshotInputError);
      expect(e.field).toBe(field);
    }
  });
});

import { type HaccSteps, haccSteps } from "@tessera/cosmology";
import {
  EmptySnapshotListError,
  LightconeOptionError,
  ObjectOutsideBoxError,
  SnapshotInputError,
  SnapshotOrderError,
} from "./errors.js";
import { checkFootprint } from "./footprint.js";
import type { LightconeInputColumn, LightconeOptions, LightconeSnapshot } from "./types.js";

const COORDINATES = new Set(["x", "y", "z", "vx", "vy", "vz"]);

/** What {@link checkLightconeInput} derives from valid input. */
export interface CheckedLightconeInput {
  observer: [number, number, number];
  /** Redshift of every snapshot (strictly decreasing). */
  redshifts: number[];
  /** Step of every snapshot (−1 where given by redshift only). */
  steps: number[];
  /** Whether observed redshifts are computed. */
  velocities: boolean;
  /** Carried columns. */
  columns: string[];
}

function optionError(field: string, expected: string, found: unknown): never {
  throw new LightconeOptionError("invalid lightcone option", { field, expected, found: String(found) });
}

/**
 * Check the options and the snapshots of {@link buildLightcone} and derive the snapshot redshifts.
 * Throws {@link LightconeOptionError}, {@link EmptySnapshotListError}, {@link SnapshotOrderError},
 * {@link SnapshotInputError} or {@link ObjectOutsideBoxError}, each naming the field at fault.
 */
export function checkLightconeInput(
  snapshots: readonly LightconeSnapshot[],
  options: LightconeOptions,
): CheckedLightconeInput {
  const L = options.boxSize;
  if (!(L > 0 && Number.isFinite(L))) optionError("boxSize", "a finite box size > 0 (Mpc/h)", L);
  const observer = options.observer ?? [0, 0, 0];
  if (observer.length !== 3 || !observer.every((v) => Number.isFinite(v))) {
    optionError("observer", "three finite coordinates (Mpc/h)", JSON.stringify(observer));
  }
  if (!(options.zMin >= 0 && Number.isFinite(options.zMin)))
    optionError("zMin", "a finite zMin >= 0", options.zMin);
  if (!(options.zMax > options.zMin && Number.isFinite(options.zMax))) {
    optionError("zMax", `a finite zMax > zMin (${options.zMin})`, options.zMax);
  }
  if (options.footprint) checkFootprint(options.footprint);
  const b = options.boundaries;
  if (b !== undefined && b !== "distance" && b !== "scaleFactor") {
    optionError("boundaries", '"distance" or "scaleFactor"', b);
  }
  if (!Array.isArray(snapshots) || snapshots.length === 0) {
    throw new EmptySnapshotListError("a lightcone needs at least one snapshot", {
      field: "snapshots",
      expected: "a non-empty list of snapshots in time order",
      found: Array.isArray(snapshots) ? "an empty list" : String(snapshots),
    });
  }

  const stepMap: HaccSteps | undefined =
    options.steps && "zOfStep" in options.steps ? options.steps : undefined;
  let steps: HaccSteps | undefined = stepMap;
  const redshifts: number[] = [];
  const stepList: number[] = [];
  snapshots.forEach((snap, s) => {
    const { step, redshift } = snap;
    if (step !== undefined && !(Number.isInteger(step) && step >= 0)) {
      throw new SnapshotInputError("a snapshot's step must be a non-negative integer", {
        field: `snapshots[${s}].step`,
        expected: "an integer >= 0",
        found: String(step),
      });
    }
    if (redshift !== undefined) {
      if (!(redshift >= 0 && Number.isFinite(redshift))) {
        throw new SnapshotInputError("a snapshot's redshift must be finite and >= 0", {
          field: `snapshots[${s}].redshift`,
          expected: "a finite redshift >= 0",
          found: String(redshift),
        });
      }
      redshifts.push(redshift);
    } else if (step !== undefined) {
      steps ??= haccSteps(options.steps as Parameters<typeof haccSteps>[0]);
      redshifts.push(steps.zOfStep(step));
    } else {
      throw new SnapshotInputError("a snapshot needs a step or a redshift", {
        field: `snapshots[${s}]`,
        expected: "step or redshift",
        found: "neither",
      });
    }
    stepList.push(step ?? -1);
    if (s > 0) {
      const prev = stepList[s - 1];
      if (step !== undefined && prev >= 0 && !(step > prev)) {
        throw new SnapshotOrderError(
          "snapshot steps must be strictly increasing (time order), without duplicates",
          {
            field: `snapshots[${s}].step`,
            expected: `a step > ${prev} (the step of snapshots[${s - 1}])`,
            found: String(step),
            snapshot: s,
          },
        );
      }
      if (!(redshifts[s] < redshifts[s - 1])) {
        throw new SnapshotOrderError(
          "snapshot redshifts must be strictly decreasing (time order), without duplicates",
          {
            field: `snapshots[${s}].redshift`,
            expected: `a redshift < ${redshifts[s - 1]} (the redshift of snapshots[${s - 1}])`,
            found: String(redshifts[s]),
            snapshot: s,
          },
        );
      }
    }
    checkObjects(snap, s, L);
  });

  const hasV = (snap: LightconeSnapshot) => snap.objects.vx && snap.objects.vy && snap.objects.vz;
  const velocities = options.peculiarVelocities ?? snapshots.every(hasV);
  if (velocities) {
    const s = snapshots.findIndex((snap) => !hasV(snap));
    if (s >= 0) {
      throw new SnapshotInputError("peculiar velocities were asked for but a snapshot has none", {
        field: `snapshots[${s}].objects.vx`,
        expected: "vx, vy, vz columns (km/s) in every snapshot",
        found: "missing",
      });
    }
  }
  const columns = options.columns ? [...options.columns] : commonColumns(snapshots);
  for (const name of columns) checkColumn(snapshots, name);
  return {
    observer: [observer[0], observer[1], observer[2]],
    redshifts,
    steps: stepList,
    velocities,
    columns,
  };
}

function checkObjects(snap: LightconeSnapshot, s: number, L: number): void {
  const o = snap.objects;
  if (!o?.x || !o.y || !o.z) {
    throw new SnapshotInputError("a snapshot's objects need x, y and z columns", {
      field: `snapshots[${s}].objects`,
      expected: "{ x, y, z, … } columns",
      found: o ? Object.keys(o).join(", ") : String(o),
    });
  }
  const n = o.x.length;
  for (const key of Object.keys(o)) {
    const column = o[key];
    if (column !== undefined && column.length !== n) {
      throw new SnapshotInputError("a snapshot's columns must all have one entry per object", {
        field: `snapshots[${s}].objects.${key}`,
        expected: `${n} entries (the length of x)`,
        found: String(column.length),
      });
    }
  }
  const axes = [o.x, o.y, o.z];
  for (let a = 0; a < 3; a++) {
    const c = axes[a];
    for (let i = 0; i < n; i++) {
      const v = c[i];
      if (!(v >= 0 && v <= L)) {
        const name = "xyz"[a];
        throw new ObjectOutsideBoxError("an object lies outside the periodic box", {
          field: `snapshots[${s}].objects.${name}[${i}]`,
          expected: `0 <= ${name} <= ${L} (the box size, Mpc/h; ${L} is the point at 0)`,
          found: String(v),
          snapshot: s,
          object: i,
        });
      }
    }
  }
}

function isBig(column: LightconeInputColumn): boolean {
  return column instanceof BigInt64Array || column instanceof BigUint64Array;
}

function commonColumns(snapshots: readonly LightconeSnapshot[]): string[] {
  return Object.keys(snapshots[0].objects).filter(
    (name) => !COORDINATES.has(name) && snapshots.every((snap) => snap.objects[name] !== undefined),
  );
}

function checkColumn(snapshots: readonly LightconeSnapshot[], name: string): void {
  if (COORDINATES.has(name))
    optionError("columns", "names of carried columns other than x, y, z, vx, vy, vz", name);
  const first = snapshots[0].objects[name];
  snapshots.forEach((snap, s) => {
    const column = snap.objects[name];
    if (column === undefined || (first !== undefined && isBig(column) !== isBig(first))) {
      throw new SnapshotInputError("a carried column must be in every snapshot, with one kind of values", {
        field: `snapshots[${s}].objects.${name}`,
        expected: first !== undefined && isBig(first) ? "a BigInt64Array/BigUint64Array" : "a numeric column",
        found: column === undefined ? "missing" : column.constructor.name,
      });
    }
  });
}

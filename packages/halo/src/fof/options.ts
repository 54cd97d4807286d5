import { FofOptionError } from "./errors.js";

/** Default linking parameter b: the linking length in units of the mean inter-particle spacing. */
export const DEFAULT_LINKING_PARAMETER = 0.168;

/** Default minimum number of members of a group reported as a halo. */
export const DEFAULT_MIN_MEMBERS = 10;

/** Options shared by the monolithic and the blockwise halo finder. */
export interface FofLinkingOptions {
  /** Side L of the periodic box (box units, e.g. Mpc/h). Particles must lie in [0, L)³. */
  boxSize: number;
  /** Absolute linking length ℓ (box units). Overrides `linkingParameter`. */
  linkingLength?: number;
  /** Linking parameter b: ℓ = b · L / N^(1/3), N the total particle count. Default 0.168. */
  linkingParameter?: number;
  /** Groups with at least this many members are halos. Default 10. */
  minMembers?: number;
}

/** Check the box size, the linking length and minMembers; returns ℓ. `particleCount` is N for b. */
export function resolveLinking(
  options: FofLinkingOptions,
  particleCount: number,
): { boxSize: number; linkingLength: number; minMembers: number } {
  if (options === null || typeof options !== "object") {
    throw new FofOptionError("options must be an object", { field: "options", found: String(options) });
  }
  const L = options.boxSize;
  if (typeof L !== "number" || !Number.isFinite(L) || L <= 0) {
    throw new FofOptionError("the box size must be a finite number > 0", {
      field: "boxSize",
      expected: "a finite number > 0",
      found: String(L),
    });
  }
  let ell: number;
  if (options.linkingLength !== undefined) {
    ell = options.linkingLength;
    if (typeof ell !== "number" || !Number.isFinite(ell) || ell <= 0) {
      throw new FofOptionError("the linking length must be a finite number > 0", {
        field: "linkingLength",
        expected: "a finite number > 0",
        found: String(ell),
      });
    }
  } else {
    const b = options.linkingParameter ?? DEFAULT_LINKING_PARAMETER;
    if (typeof b !== "number" || !Number.isFinite(b) || b <= 0) {
      throw new FofOptionError("the linking parameter b must be a finite number > 0", {
        field: "linkingParameter",
        expected: "a finite number > 0",
        found: String(b),
      });
    }
    if (!(particleCount > 0)) {
      throw new FofOptionError("a linking parameter needs the particle count (mean spacing L / N^(1/3))", {
        field: "particleCount",
        expected: "an integer > 0 (or give linkingLength)",
        found: String(particleCount),
      });
    }
    ell = (b * L) / Math.cbrt(particleCount);
  }
  if (!(ell < L / 2)) {
    throw new FofOptionError("the linking length must be shorter than half the box", {
      field: options.linkingLength !== undefined ? "linkingLength" : "linkingParameter",
      expected: `a linking length < ${L / 2} (box size / 2)`,
      found: String(ell),
    });
  }
  const minMembers = options.minMembers ?? DEFAULT_MIN_MEMBERS;
  if (!Number.isInteger(minMembers) || minMembers < 1) {
    throw new FofOptionError("minMembers must be an integer ≥ 1", {
      field: "minMembers",
      expected: "an integer ≥ 1",
      found: String(minMembers),
    });
  }
  return { boxSize: L, linkingLength: ell, minMembers };
}

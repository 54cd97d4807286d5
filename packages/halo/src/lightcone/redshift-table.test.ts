// z(χ): the table against the cosmology's own exact inversion, and against astropy.cosmology
// (an independent implementation: FlatLambdaCDM, Flatw0waCDM, w0waCDM with the same parameters).
import { Cosmology, type CosmologyParamsInput, OUTER_RIM, PLANCK18 } from "@tessera/cosmology";
import { pythonHas, runPython } from "@tessera/testkit";
import { beforeAll, describe, expect, it } from "vitest";
import { LightconeOptionError } from "./errors.js";
import { RedshiftOfDistance } from "./redshift-table.js";

const cases: Array<[string, CosmologyParamsInput]> = [
  ["Planck 2018 (flat ΛCDM)", PLANCK18],
  ["Outer Rim (WMAP-7, flat ΛCDM)", OUTER_RIM],
  ["flat w0–wa", { omegaC: 0.26, omegaB: 0.049, h: 0.68, nS: 0.96, sigma8: 0.8, w0: -0.9, wa: -0.3 }],
  [
    "open w0–wa",
    { omegaC: 0.25, omegaB: 0.05, h: 0.7, nS: 0.96, sigma8: 0.8, omegaK: 0.05, w0: -0.9, wa: 0.1 },
  ],
  [
    "closed w0–wa",
    { omegaC: 0.22, omegaB: 0.045, h: 0.72, nS: 0.96, sigma8: 0.8, omegaK: -0.05, w0: -0.8, wa: -0.6 },
  ],
];

describe("RedshiftOfDistance against the exact inversion", () => {
  it.each(cases)("%s: |Δz| < 1e-11 to z = 10, < 1e-8 to z = 100", (_name, input) => {
    const c = new Cosmology(input);
    const h = c.params.h;
    for (const [zTop, tol] of [
      [10, 1e-11],
      [100, 1e-8],
    ] as const) {
      const chiTop = c.comovingRadialDistanceMpcH(zTop) as number;
      const table = new RedshiftOfDistance(c, chiTop);
      let worst = 0;
      for (let k = 0; k <= 1000; k++) {
        // points between nodes (irrational offsets) and at both ends
        const chi = k === 1000 ? chiTop : ((k + (Math.SQRT1_2 * (k % 7)) / 7) / 1000) * chiTop;
        const exact = c.redshiftAtComovingDistanceMpc(chi / h) as number;
        worst = Math.max(worst, Math.abs(table.redshiftAt(chi) - exact));
      }
      console.log(`${_name}: max |Δz| to z = ${zTop}: ${worst.toExponential(2)}`);
      expect(worst).toBeLessThan(tol);
    }
  });

  it("is monotone and starts at z = 0", () => {
    const c = new Cosmology(PLANCK18);
    const table = new RedshiftOfDistance(c, 5000);
    expect(table.redshiftAt(0)).toBe(0);
    let prev = -1;
    for (let chi = 0; chi <= 5000; chi += 0.37) {
      const z = table.redshiftAt(chi);
      expect(z).toBeGreaterThan(prev);
      prev = z;
    }
  });

  it("rejects a non-positive range or spacing", () => {
    const c = new Cosmology(PLANCK18);
    expect(() => new RedshiftOfDistance(c, 0)).toThrow(LightconeOptionError);
    expect(() => new RedshiftOfDistance(c, 100, { spacingMpcH: -1 })).toThrow(LightconeOptionError);
  });
});

const available = pythonHas("astropy.cosmology");

const Z = [0.001, 0.01, 0.05, 0.1, 0.3, 0.5, 1, 1.5, 2, 3, 5, 8];
const CHI_MPC_H = [10, 100, 500, 1000, 2000, 3000, 5000, 7000];

// one python process for every cosmology (astropy's import dominates the cost)
const ASTROPY = `
import json, sys
import numpy as np
import astropy.units as u
from astropy.cosmology import FlatLambdaCDM, Flatw0waCDM, w0waCDM, z_at_value
out = []
for p in json.loads(sys.argv[1]):
    common = dict(H0=100 * p["h"], Om0=p["omegaM"], Tcmb0=p["tCmbK"], Neff=p["nEff"], m_nu=0 * u.eV, Ob0=p["omegaB"])
    if p["omegaK"] != 0:
        c = w0waCDM(Ode0=p["omegaDE"], w0=p["w0"], wa=p["wa"], **common)
    elif p["w0"] == -1 and p["wa"] == 0:
        c = FlatLambdaCDM(**common)
    else:
        c = Flatw0waCDM(w0=p["w0"], wa=p["wa"], **common)
    chi = c.comoving_distance(np.array(p["z"])).to_value(u.Mpc)
    # an independent inversion: astropy's root finder on its own chi(z), chi given in Mpc/h
    inv = [float(z_at_value(c.comoving_distance, (x / p["h"]) * u.Mpc, zmin=1e-8, zmax=20, ztol=1e-12,
                            maxfun=2000)) for x in p["chiMpcH"]]
    out.append({"chiMpc": chi.tolist(), "zAtChi": inv, "cls": type(c).__name__})
print(json.dumps(out))
`;

describe.skipIf(!available)("z(χ) against astropy.cosmology", () => {
  const models = cases.map(([, input]) => new Cosmology(input));
  let refs: Array<{ chiMpc: number[]; zAtChi: number[]; cls: string }> = [];
  beforeAll(() => {
    const list = models.map((c) => ({ ...c.params, z: Z, chiMpcH: CHI_MPC_H }));
    refs = JSON.parse(runPython(ASTROPY, [JSON.stringify(list)]));
  });

  it.each(cases.map(([name], i) => [name, i] as const))("%s: |Δz| < 1e-9 (1 + z)", (name, i) => {
    const c = models[i];
    const ref = refs[i];
    const h = c.params.h;
    const table = new RedshiftOfDistance(c, Math.max(ref.chiMpc[Z.length - 1] * h, 7000) * 1.01);
    let worst = 0;
    // astropy's χ(z) in Mpc → Mpc/h → our z
    Z.forEach((z, k) => {
      worst = Math.max(worst, Math.abs(table.redshiftAt(ref.chiMpc[k] * h) - z) / (1 + z));
    });
    // astropy's inversion of our sample distances
    CHI_MPC_H.forEach((chi, k) => {
      const theirs = ref.zAtChi[k];
      worst = Math.max(worst, Math.abs(table.redshiftAt(chi) - theirs) / (1 + theirs));
    });
    console.log(`${name} (astropy ${ref.cls}): max |Δz|/(1 + z) = ${worst.toExponential(2)}`);
    expect(worst).toBeLessThan(1e-9);
  });
});

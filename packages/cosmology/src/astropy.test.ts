// Background quantities against astropy.cosmology (Debian's python3-astropy), an independent
// implementation, on curved w0–wa cosmologies with radiation (photons and massless neutrinos).
import { pythonHas, runPython } from "@tessera/testkit";
import { describe, expect, it } from "vitest";
import { Cosmology } from "./cosmology.js";
import type { CosmologyParamsInput } from "./params.js";

const available = pythonHas("astropy.cosmology");

const ASTROPY = `
import json, sys
import numpy as np
import astropy.units as u
from astropy.cosmology import Flatw0waCDM, w0waCDM
p = json.loads(sys.argv[1])
common = dict(H0=100 * p["h"], Om0=p["omegaM"], w0=p["w0"], wa=p["wa"], Tcmb0=p["tCmbK"], Neff=p["nEff"],
              m_nu=0 * u.eV, Ob0=p["omegaB"])
# flat: the flat class (a general one would see a round-off curvature and lose the small volumes)
c = Flatw0waCDM(**common) if p["omegaK"] == 0 else w0waCDM(Ode0=p["omegaDE"], **common)
z = np.array(p["z"])
print(json.dumps({
  "omegaK": c.Ok0,
  "e": c.efunc(z).tolist(),
  "chi": c.comoving_distance(z).to_value(u.Mpc).tolist(),
  "dm": c.comoving_transverse_distance(z).to_value(u.Mpc).tolist(),
  "da": c.angular_diameter_distance(z).to_value(u.Mpc).tolist(),
  "dl": c.luminosity_distance(z).to_value(u.Mpc).tolist(),
  "mu": c.distmod(z).to_value(u.mag).tolist(),
  "vc": c.comoving_volume(z).to_value(u.Mpc**3).tolist(),
  "dvc": c.differential_comoving_volume(z).to_value(u.Mpc**3 / u.sr).tolist(),
  "lookback": c.lookback_time(z).to_value(u.Gyr).tolist(),
  "age": c.age(z).to_value(u.Gyr).tolist(),
}))
`;

const cases: Array<[string, CosmologyParamsInput]> = [
  ["flat ΛCDM (Planck 2018-like)", { omegaC: 0.2607, omegaB: 0.049, h: 0.6766, nS: 0.9665, sigma8: 0.81 }],
  [
    "open w0–wa",
    { omegaC: 0.25, omegaB: 0.05, h: 0.7, nS: 0.96, sigma8: 0.8, omegaK: 0.05, w0: -0.9, wa: 0.1 },
  ],
  [
    "closed w0–wa (Mira-Titan-like w)",
    { omegaC: 0.22, omegaB: 0.045, h: 0.72, nS: 0.96, sigma8: 0.8, omegaK: -0.05, w0: -0.8, wa: -0.6 },
  ],
];
const Z = [0.01, 0.1, 0.5, 1, 2, 3.5, 6, 10, 50, 1100];

describe.skipIf(!available)("background against astropy.cosmology (w0waCDM, Flatw0waCDM)", () => {
  it.each(cases)("%s: E, distances, volumes, times to 1e-6 relative", (_name, input) => {
    const c = new Cosmology(input);
    const ref = JSON.parse(runPython(ASTROPY, [JSON.stringify({ ...c.params, z: Z })]));
    expect(ref.omegaK).toBeCloseTo(c.params.omegaK, 12);
    const ours: Record<string, (z: number) => number> = {
      e: (z) => c.e(z),
      chi: (z) => c.comovingRadialDistanceMpc(z),
      dm: (z) => c.transverseComovingDistanceMpc(z),
      da: (z) => c.angularDiameterDistanceMpc(z),
      dl: (z) => c.luminosityDistanceMpc(z),
      mu: (z) => c.distanceModulus(z),
      vc: (z) => c.comovingVolumeMpc3(z),
      dvc: (z) => c.differentialComovingVolumeMpc3(z),
      lookback: (z) => c.lookbackTimeGyr(z),
      age: (z) => c.ageGyr(z),
    };
    for (const [key, f] of Object.entries(ours)) {
      Z.forEach((z, i) => {
        const expected = ref[key][i] as number;
        expect(
          Math.abs(f(z) / expected - 1),
          `${key} at z = ${z}: ours ${f(z)}, astropy ${expected}`,
        ).toBeLessThan(1e-6);
      });
    }
    // the inverse: z back from the comoving distance
    for (const z of Z.slice(0, 8)) {
      expect(c.redshiftAtComovingDistanceMpc(ref.chi[Z.indexOf(z)]) as number).toBeCloseTo(z, 6);
    }
  });
});

#!/usr/bin/env node
// @tessera/cosmology speed: 10⁶ comoving distances (one array call) and a 1000-mass × 10-redshift
// Tinker 2008 mass-function table, with times; side by side with astropy.cosmology.w0waCDM on the same
// redshifts when Debian's python3-astropy is there (values compared, both timed in one run).
// Usage: node tools/bench/cosmology/run.mjs [--n 1000000] [--rounds 3]   (build first: npx nx run-many -t build)
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const here = dirname(fileURLToPath(import.meta.url));
const DIST = resolve(here, "../../../packages/cosmology/dist/index.js");
const { values: opt } = parseArgs({
  options: { n: { type: "string", default: "1000000" }, rounds: { type: "string", default: "3" } },
});
const N = Number(opt.n);
const ROUNDS = Number(opt.rounds);
if (!existsSync(DIST)) {
  console.error(`cannot find ${DIST}: build first (npx nx run-many -t build)`);
  process.exit(1);
}
const cosmo = await import(DIST);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (s) => `${(s * 1000).toFixed(1)} ms`;

// a curved w0–wa cosmology with radiation (the case astropy's general class handles)
const params = { omegaC: 0.25, omegaB: 0.05, h: 0.7, nS: 0.96, sigma8: 0.8, omegaK: 0.02, w0: -0.9, wa: 0.1 };
const z = Float64Array.from({ length: N }, (_, i) => (5 * (i + 0.5)) / N);

const ours = [];
let chi;
for (let r = 0; r < ROUNDS; r++) {
  const t0 = performance.now();
  const c = new cosmo.Cosmology(params); // tables built inside the timing
  chi = c.comovingRadialDistanceMpc(z);
  ours.push((performance.now() - t0) / 1000);
}
console.log(
  `${N} comoving distances, 0 < z < 5, one array call (tables included): ${fmt(median(ours))} (median of ${ROUNDS})`,
);

const python = "/usr/bin/python3";
let astropy = null;
try {
  execFileSync(python, ["-c", "import astropy.cosmology"], { stdio: "ignore" });
  const c = new cosmo.Cosmology(params);
  const out = execFileSync(
    python,
    [
      "-c",
      `import json, sys, time
import numpy as np, astropy.units as u
from astropy.cosmology import w0waCDM
p = json.loads(sys.argv[1]); n = int(sys.argv[2]); rounds = int(sys.argv[3])
z = 5 * (np.arange(n) + 0.5) / n
times = []
for r in range(rounds):
    t0 = time.perf_counter()
    c = w0waCDM(H0=100 * p["h"], Om0=p["omegaM"], Ode0=p["omegaDE"], w0=p["w0"], wa=p["wa"], Tcmb0=p["tCmbK"], Neff=p["nEff"], m_nu=0 * u.eV, Ob0=p["omegaB"])
    d = c.comoving_distance(z).to_value(u.Mpc)
    times.append(time.perf_counter() - t0)
times.sort()
print(json.dumps({"seconds": times[len(times) // 2], "sample": d[:: max(1, n // 1000)].tolist()}))`,
      JSON.stringify(c.params),
      String(N),
      String(ROUNDS),
    ],
    { encoding: "utf8", maxBuffer: 64 << 20 },
  );
  astropy = JSON.parse(out);
} catch {
  console.log(
    `astropy side by side skipped: ${python} cannot import astropy.cosmology (apt-get install python3-astropy)`,
  );
}
if (astropy) {
  const step = Math.max(1, Math.floor(N / 1000));
  let worst = 0;
  astropy.sample.forEach((v, i) => {
    worst = Math.max(worst, Math.abs(chi[i * step] / v - 1));
  });
  console.log(
    `astropy w0waCDM.comoving_distance, same ${N} redshifts: ${fmt(astropy.seconds)} (astropy ÷ ours: ${(astropy.seconds / median(ours)).toFixed(1)}×); largest relative difference (1000 samples) ${worst.toExponential(2)}`,
  );
}

const masses = Float64Array.from({ length: 1000 }, (_, i) => 10 ** (10 + (6 * i) / 999));
const zs = [0, 0.25, 0.5, 0.75, 1, 1.5, 2, 3, 4, 5];
const hmf = [];
for (let r = 0; r < ROUNDS; r++) {
  const t0 = performance.now();
  const c = new cosmo.Cosmology(params);
  const pk = cosmo.linearPower(c); // σ(M) table built inside the timing
  let total = 0;
  for (const zz of zs) total += cosmo.massFunction(pk, "tinker08", masses, zz)[500];
  if (!(total > 0)) throw new Error("mass function not positive");
  hmf.push((performance.now() - t0) / 1000);
}
console.log(
  `Tinker 2008 dn/dlog10M, 1000 masses × 10 redshifts (cosmology, P(k) and σ(M) table included): ${fmt(median(hmf))} (median of ${ROUNDS})`,
);

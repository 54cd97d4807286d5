#!/usr/bin/env node
// Rows per second and peak memory of the validation runner (`tessera validate run`) over a generated
// 10⁷-row halo catalog with the halo mass function and stellar mass function tests, against the peer
// on the same input in the same run: /usr/bin/python3 doing what DESCQA does (python zarr loads the
// two mass columns whole, numpy histograms them in the same bins; tools/bench/validate/peer.py).
//
//   node tools/bench/validate/run.mjs [--rows 1e7] [--keep]      (build first: packages and apps/tessera)
//
// Catalog: halo masses drawn from Tinker 2008 dn/dlog10M (Outer Rim, z = 0, 10^10.8–10^15.5 M☉/h:
// exactly --rows halos by inverse CDF over 0.01-dex slices, uniform in log within a slice) in a box
// sized so the expected count is --rows; uniform positions; Moster 2013 central stellar masses with
// 0.15 dex scatter (`centralStellarMasses`). Written by `writeCatalogZarr` as an uncompressed zarr
// group of six float64/int64 columns in 65,536-row chunks, in a temporary folder removed at the end
// (--keep keeps it). Both processes are measured by GNU time (`/usr/bin/time -f %M %e`: peak RSS and
// wall seconds, interpreter start-up included); the peer also prints its own getrusage ru_maxrss.
// The histogram counts of the runner's cells (data.json) are compared with the peer's, bin by bin.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "../../..");
const { values: opt } = parseArgs({
  options: {
    rows: { type: "string", default: "1e7" },
    keep: { type: "boolean", default: false },
  },
});
const N = Math.round(Number(opt.rows));
if (!(N >= 1000)) {
  console.error(`--rows must be a number ≥ 1000, got ${opt.rows}`);
  process.exit(2);
}
const shared = process.env.TESSERA_SHARED_DATA ?? resolve(root, "../shared/data");
const liWhite = join(shared, "cosmo/descqa/SMF/liwhite_2009/Li_White_2009_GSMF.txt");
const cli = join(root, "apps/tessera/dist/cli.js");
const python = "/usr/bin/python3";
for (const [what, path] of [
  ["shared data (Li & White 2009 SMF)", liWhite],
  ["the tessera CLI (build it first)", cli],
  ["GNU time", "/usr/bin/time"],
  ["python3", python],
]) {
  if (!existsSync(path)) {
    console.error(`missing ${what}: ${path}`);
    process.exit(1);
  }
}

const { cosmology, linearPower, massFunction, OUTER_RIM } = await import(
  join(root, "packages/cosmology/dist/index.js")
);
const { writeCatalogZarr } = await import(join(root, "packages/halo/dist/index.js"));
const { centralStellarMasses } = await import(join(root, "packages/validate/dist/index.js"));

// mulberry32, as the validate tests use
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const HMF = { min: 12.5, max: 15, count: 10 };
const Z = 0;
const work = mkdtempSync(join(tmpdir(), "tessera-bench-validate-"));
let failed = false;
try {
  // --- the catalog ---------------------------------------------------------------------------------
  const tGen = performance.now();
  const cosmo = cosmology(OUTER_RIM);
  const h = cosmo.params.h;
  const step = 0.01;
  const lo = 10.8;
  const slices = Math.round((15.5 - lo) / step);
  const mids = Array.from({ length: slices }, (_, i) => lo + (i + 0.5) * step);
  const dn = massFunction(
    linearPower(cosmo),
    "tinker08",
    mids.map((l) => 10 ** l / h),
    Z,
  ); // Mpc⁻³ dex⁻¹ at M in M☉
  const perSlice = Array.from(dn, (v) => (v / h ** 3) * step); // (Mpc/h)⁻³ per slice
  const density = perSlice.reduce((a, b) => a + b, 0);
  const box = Math.cbrt(N / density); // Mpc/h: expected count N
  const cdf = new Float64Array(slices);
  let acc = 0;
  for (let i = 0; i < slices; i++) cdf[i] = acc += perSlice[i] / density;
  const u = rng(20261201);
  const mass = new Float64Array(N);
  for (let i = 0; i < N; i++) {
    const p = u();
    let a = 0;
    let b = slices - 1;
    while (a < b) {
      const m = (a + b) >> 1;
      if (cdf[m] > p) b = m;
      else a = m + 1;
    }
    mass[i] = 10 ** (mids[a] - step / 2 + u() * step);
  }
  const coord = () => {
    const c = new Float64Array(N);
    for (let i = 0; i < N; i++) c[i] = u() * box;
    return c;
  };
  const tag = new BigInt64Array(N);
  for (let i = 0; i < N; i++) tag[i] = BigInt(i + 1);
  const columns = {
    fof_halo_tag: tag,
    fof_halo_mass: mass,
    fof_halo_center_x: coord(),
    fof_halo_center_y: coord(),
    fof_halo_center_z: coord(),
    stellar_mass: centralStellarMasses(tag, mass, { relation: "moster13", redshift: Z, h, seed: 1 }),
  };
  const zarrPath = join(work, "halos.zarr");
  await writeCatalogZarr(zarrPath, columns, { compressor: null });
  const genSeconds = (performance.now() - tGen) / 1000;
  const duBytes = (dir) => {
    let s = 0;
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      s += e.isDirectory() ? duBytes(p) : statSync(p).size;
    }
    return s;
  };
  const catalogMiB = duBytes(zarrPath) / 2 ** 20;
  const readMiB = (2 * 8 * N) / 2 ** 20; // the two float64 columns the tests read
  writeFileSync(
    join(work, "halos.yaml"),
    `reader: zarr
files: halos.zarr
cosmology: OUTER_RIM
boxSize: ${box}
redshift: ${Z}
quantities:
  halo_id: fof_halo_tag
  halo_mass: { column: fof_halo_mass, unit: Msun/h }
  x: { column: fof_halo_center_x, unit: Mpc/h }
  y: { column: fof_halo_center_y, unit: Mpc/h }
  z: { column: fof_halo_center_z, unit: Mpc/h }
  stellar_mass: { column: stellar_mass, unit: Msun }
`,
  );
  writeFileSync(
    join(work, "hmf.yaml"),
    `test: halo-mass-function\nbins: { min: ${HMF.min}, max: ${HMF.max}, count: ${HMF.count} }\n`,
  );
  writeFileSync(join(work, "smf.yaml"), "test: stellar-mass-function\n");
  console.log(
    `catalog: ${N.toLocaleString("en-US")} halos (Tinker 2008, Outer Rim, z = 0, box ${box.toFixed(0)} Mpc/h), ` +
      `6 columns, uncompressed zarr ${catalogMiB.toFixed(0)} MiB on disk (${readMiB.toFixed(0)} MiB in the two mass columns); generated in ${genSeconds.toFixed(1)} s`,
  );

  // --- runs ------------------------------------------------------------------------------------------
  const timed = (command, args) => {
    const r = spawnSync("/usr/bin/time", ["-f", "maxrss_kb=%M elapsed=%e", command, ...args], {
      cwd: work,
      encoding: "utf8",
      maxBuffer: 1 << 26,
    });
    const kb = /maxrss_kb=(\d+)/.exec(r.stderr ?? "");
    const el = /elapsed=([\d.]+)/.exec(r.stderr ?? "");
    if (!kb || !el) throw new Error(`${command} ${args.join(" ")}: no GNU time figures\n${r.stderr}`);
    return {
      status: r.status,
      stdout: r.stdout,
      stderr: r.stderr,
      peakMiB: Number(kb[1]) / 1024,
      seconds: Number(el[1]),
    };
  };
  const ours = timed(process.execPath, [
    cli,
    "validate",
    "run",
    "--catalog",
    "halos.yaml",
    "--test",
    "hmf.yaml",
    "--test",
    "smf.yaml",
    "--out",
    "report",
    "--data-dir",
    shared,
  ]);
  if (ours.status !== 0) {
    throw new Error(
      `tessera validate run exited ${ours.status}\n${ours.stdout}\n${ours.stderr.slice(-4000)}`,
    );
  }
  const cell = (test) => ({
    status: JSON.parse(readFileSync(join(work, "report/halos", test, "status.json"), "utf8")),
    data: JSON.parse(readFileSync(join(work, "report/halos", test, "data.json"), "utf8")),
  });
  const hmf = cell("hmf");
  const smf = cell("smf");
  const peer = timed(python, [
    join(here, "peer.py"),
    zarrPath,
    "fof_halo_mass",
    "stellar_mass",
    String(HMF.min),
    String(HMF.max),
    String(HMF.count),
    liWhite,
    String(h),
  ]);
  if (peer.status !== 0) throw new Error(`peer.py exited ${peer.status}\n${peer.stderr.slice(-4000)}`);
  const py = JSON.parse(peer.stdout.trim().split("\n").pop());

  // --- agreement -----------------------------------------------------------------------------------
  const diff = (a, b) => {
    if (a.length !== b.length) return { bins: Math.max(a.length, b.length), rows: Number.NaN };
    let bins = 0;
    let rows = 0;
    for (let i = 0; i < a.length; i++) {
      if (a[i] !== b[i]) {
        bins++;
        rows += Math.abs(a[i] - b[i]);
      }
    }
    return { bins, rows };
  };
  const dH = diff(hmf.data.counts, py.hmfCounts);
  const dS = diff(smf.data.counts, py.smfCounts);
  const inH = hmf.data.counts.reduce((a, b) => a + b, 0);
  const inS = smf.data.counts.reduce((a, b) => a + b, 0);

  // --- report --------------------------------------------------------------------------------------
  const tests = 2;
  const mrows = (s) => (N / s / 1e6).toFixed(2);
  const mcells = (s) => ((N * tests) / s / 1e6).toFixed(2);
  console.log(
    `\nruns on the same catalog (2 tests: hmf ${HMF.min}–${HMF.max} in ${HMF.count} bins, smf in Li & White 2009's ${smf.data.counts.length} bins)`,
  );
  console.log("run | wall s | M rows/s | M rows×tests/s | peak RSS MiB");
  console.log("---|---:|---:|---:|---:");
  console.log(
    `ours: \`tessera validate run\` (node ${process.version}) | ${ours.seconds.toFixed(1)} | ${mrows(ours.seconds)} | ${mcells(ours.seconds)} | ${ours.peakMiB.toFixed(0)}`,
  );
  console.log(
    `peer: python zarr ${py.zarr} + numpy ${py.numpy} histograms | ${peer.seconds.toFixed(1)} | ${mrows(peer.seconds)} | ${mcells(peer.seconds)} | ${peer.peakMiB.toFixed(0)}`,
  );
  console.log(
    `\nratio ours/peer: time ${(ours.seconds / peer.seconds).toFixed(2)}×, peak memory ${(ours.peakMiB / peer.peakMiB).toFixed(2)}×`,
  );
  console.log(
    `ours, inside: hmf cell ${hmf.status.seconds.toFixed(1)} s (${hmf.status.status}, χ²/dof ${hmf.status.score.toFixed(2)}), ` +
      `smf cell ${smf.status.seconds.toFixed(1)} s (${smf.status.status}, χ²/dof ${smf.status.score.toFixed(2)}); ` +
      `the rest (start-up, config checks, provenance, plots, report) ${(ours.seconds - hmf.status.seconds - smf.status.seconds).toFixed(1)} s`,
  );
  console.log(
    `peer, inside: load ${py.loadSeconds.toFixed(1)} s, log10 + histograms ${py.histogramSeconds.toFixed(1)} s, ru_maxrss ${(py.maxRssKiB / 1024).toFixed(0)} MiB`,
  );
  console.log(
    `memory: catalog ${catalogMiB.toFixed(0)} MiB on disk, the two columns read ${readMiB.toFixed(0)} MiB; ours peaks at ${ours.peakMiB.toFixed(0)} MiB streaming 65,536-row chunks, the peer at ${peer.peakMiB.toFixed(0)} MiB holding the columns whole`,
  );
  const ok = (d) => (d.bins === 0 ? "match" : `DIFFER in ${d.bins} bins (${d.rows} rows)`);
  console.log(
    `counts: hmf ${ok(dH)} (${inH.toLocaleString("en-US")} halos in the bins), smf ${ok(dS)} (${inS.toLocaleString("en-US")} galaxies in the bins)`,
  );
  if (dH.bins !== 0 || dS.bins !== 0) {
    console.log(`  ours hmf ${JSON.stringify(hmf.data.counts)}\n  peer hmf ${JSON.stringify(py.hmfCounts)}`);
    console.log(`  ours smf ${JSON.stringify(smf.data.counts)}\n  peer smf ${JSON.stringify(py.smfCounts)}`);
    failed = true;
  }
  if (hmf.data.rows !== N || smf.data.rows !== N || py.rows !== N) {
    console.log(`rows read: hmf ${hmf.data.rows}, smf ${smf.data.rows}, peer ${py.rows}; expected ${N}`);
    failed = true;
  }
  if (opt.keep) console.log(`kept ${work}`);
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  failed = true;
} finally {
  if (!opt.keep) rmSync(work, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);

#!/usr/bin/env node
// Meshing benchmark of @tessera/mesh (built dist) against the zmesh C++ anchor, built and run live
// in the same run on the same input (testkit's buildAnchors/runAnchor, ../shared/anchors), and
// against skimage.measure.marching_cubes per label (Debian's python3-skimage). Both sides run
// pinned to one core (`taskset -c 0`), in rounds that alternate anchor and ours; each prints
// medians, the ratios and the triangle counts of both sides.
//
//   node tools/bench/mesh/run.mjs [--rounds 3] [--reps 3] [--simplify-rounds 1] [--no-simplify]
//                                 [--no-peer] [--no-parallel] [--core 0]
//
// Input: neuroproof sample 2 ground truth (250³ uint32, 10 nm, 525 bodies) from ../shared/data,
// written once as raw little-endian uint32 (what zmesh_bench reads; our side reads the same file).
// Ratios are "anchor time ÷ our time" (above 1: ours is faster).
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus, loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(import.meta.dirname, "../../..");
const meshDist = resolve(root, "packages/mesh/dist/index.js");
const SHAPE = [250, 250, 250];
const RES = [10, 10, 10];
const SIMPLIFY = { maxErrorNm: 40, targetReduction: 100 };

const argv = process.argv.slice(2);
const flag = (name) => argv.includes(name);
const arg = (name, dflt) => {
  const i = argv.indexOf(name);
  return i < 0 ? dflt : argv[i + 1];
};
const median = (v) => {
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

function readRaw(path) {
  const buf = readFileSync(path);
  if (buf.length !== SHAPE[0] * SHAPE[1] * SHAPE[2] * 4)
    throw new Error(`${path}: unexpected size ${buf.length}`);
  return new Uint32Array(buf.buffer, buf.byteOffset, buf.length / 4);
}

/** Our side of one round, in a child process (so that it can be pinned like the anchor). */
async function child(mode, rawPath, reps) {
  const mesh = await import(meshDist);
  const { marchingCubes, simplifyMesh } = mesh;
  const data = readRaw(rawPath);
  const count = (meshes) => {
    let triangles = 0;
    let vertices = 0;
    for (const m of meshes.values()) {
      triangles += m.indices.length / 3;
      vertices += m.positions.length / 3;
    }
    return { triangles, vertices, bodies: meshes.size };
  };
  const once = () => {
    const meshes = marchingCubes(data, SHAPE, { resolutionNm: RES });
    if (mode === "mc") return { meshes };
    const simplified = new Map();
    for (const [id, m] of meshes) simplified.set(id, simplifyMesh(m, SIMPLIFY));
    return { meshes, simplified };
  };
  // warm-up run, untimed, as the anchor drivers do; statistics from it
  const first = once();
  const out = { mode, ...count(first.meshes) };
  if (first.simplified) {
    out.outTriangles = count(first.simplified).triangles;
    // Hausdorff distance of each simplified body to its unsimplified mesh, enclosed by hausdorffBounds
    const h = { lower: 0, upper: 0 };
    for (const [id, m] of first.meshes) {
      const s = first.simplified.get(id);
      const b = mesh.hausdorffBounds(m, s);
      h.lower = Math.max(h.lower, b.lower);
      h.upper = Math.max(h.upper, b.upper);
    }
    out.hausdorffNm = h;
  }
  first.meshes = first.simplified = undefined;
  out.seconds = [];
  out.cpuSeconds = [];
  for (let r = 0; r < reps; r++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    once();
    out.seconds.push((performance.now() - t0) / 1000);
    const c = process.cpuUsage(c0);
    out.cpuSeconds.push((c.user + c.system) / 1e6);
  }
  console.log(JSON.stringify(out));
}

if (flag("--child")) {
  await child(arg("--child"), arg("--raw"), Number(arg("--reps", 3)));
  process.exit(0);
}

// ---------------------------------------------------------------------------------------------
const rounds = Number(arg("--rounds", 3));
const reps = Number(arg("--reps", 3));
const simplifyRounds = flag("--no-simplify") ? 0 : Number(arg("--simplify-rounds", 1));
const core = Number(arg("--core", 0));
const withPeer = !flag("--no-peer");
const withParallel = !flag("--no-parallel");
const shared = process.env.TESSERA_SHARED_DATA ?? resolve(root, "../shared/data");
const gtPath = resolve(shared, "em/neuroproof-sample2/groundtruth.h5");
const python = "/usr/bin/python3";
const pinned = existsSync("/usr/bin/taskset");

if (!existsSync(gtPath)) {
  console.error(`neuroproof ground truth missing at ${gtPath}; set TESSERA_SHARED_DATA`);
  process.exit(1);
}
if (!existsSync(meshDist)) {
  console.error(`${meshDist} missing: build @tessera/mesh first (cd packages/mesh && npx tsup)`);
  process.exit(1);
}
const { buildAnchors, runAnchor } = await import(resolve(root, "packages/testkit/dist/index.js"));
const { readHdf5Dataset } = await import(resolve(root, "packages/volume/dist/index.js"));

const bin = buildAnchors({ quiet: true });
if (bin === undefined) {
  console.error("the zmesh anchor could not be built (see the warning above); nothing to compare with");
  process.exit(1);
}
const { data, shape } = await readHdf5Dataset(gtPath, "stack");
if (shape.join() !== SHAPE.join() || !(data instanceof Uint32Array)) {
  throw new Error(`${gtPath}: expected uint32 ${SHAPE.join("×")}, found ${data.constructor.name} ${shape}`);
}
const rawPath = join(tmpdir(), `tessera-mesh-bench-${process.pid}.raw`);
writeFileSync(rawPath, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
process.on("exit", () => rmSync(rawPath, { force: true }));
const load0 = loadavg();

const zmesh = (extra, n) =>
  runAnchor(
    "zmesh_bench",
    [rawPath, ...SHAPE.map(String), "--res", RES.join(","), "--reps", String(n), ...extra],
    {
      pinCore: core,
    },
  );
const ours = (mode, n) => {
  const args = [fileURLToPath(import.meta.url), "--child", mode, "--raw", rawPath, "--reps", String(n)];
  const cmd = pinned ? "taskset" : process.execPath;
  const full = pinned ? ["-c", String(core), process.execPath, ...args] : args;
  const r = spawnSync(cmd, full, {
    encoding: "utf8",
    maxBuffer: 1 << 24,
    env: { ...process.env, NO_COLOR: "1" },
  });
  if (r.status !== 0) throw new Error(`our ${mode} run failed (exit ${r.status}): ${r.stderr.slice(-2000)}`);
  return JSON.parse(r.stdout.trim().split("\n").pop());
};

// alternating rounds: anchor closed MC, ours, anchor open MC, ours, anchor MC + meshes out
const t = { zClose: [], zOpen: [], zOut: [], ours: [], oursCpu: [], zSimp: [], oursSimp: [] };
let zc;
let zo;
let zout;
let us;
for (let r = 0; r < rounds; r++) {
  zc = zmesh(["--mc-only", "--close"], reps);
  t.zClose.push(...zc.mc_seconds);
  us = ours("mc", reps);
  t.ours.push(...us.seconds);
  t.oursCpu.push(...us.cpuSeconds);
  zo = zmesh(["--mc-only"], reps);
  t.zOpen.push(...zo.mc_seconds);
  us = ours("mc", reps);
  t.ours.push(...us.seconds);
  t.oursCpu.push(...us.cpuSeconds);
  zout = zmesh(["--factor", "0"], Math.max(1, reps - 1));
  t.zOut.push(...zout.seconds);
}
let zs;
let usS;
for (let r = 0; r < simplifyRounds; r++) {
  zs = zmesh(["--factor", String(SIMPLIFY.targetReduction), "--max-error", String(SIMPLIFY.maxErrorNm)], 1);
  t.zSimp.push(...zs.seconds);
  usS = ours("simplify", 1);
  t.oursSimp.push(...usS.seconds);
}

// skimage per label on find_objects crops, pinned too
const PY = `
import sys, time, json, numpy as np, h5py
from scipy import ndimage
from skimage.measure import marching_cubes
labels = h5py.File(sys.argv[1], "r")["stack"][...]
t = time.perf_counter()
objs = ndimage.find_objects(labels)
faces = 0
bodies = 0
for i, sl in enumerate(objs):
    if sl is None:
        continue
    crop = np.pad(labels[sl] == i + 1, 1)
    verts, f, n, v = marching_cubes(crop.astype(np.uint8), level=0.5, spacing=(10.0, 10.0, 10.0))
    faces += len(f)
    bodies += 1
print(json.dumps({"seconds": time.perf_counter() - t, "triangles": faces, "bodies": bodies}))
`;
let peer;
if (withPeer) {
  const ok = spawnSync(python, ["-c", "import skimage, scipy, h5py"], { stdio: "ignore" }).status === 0;
  if (!ok) console.log("skimage peer missing: apt-get install -y python3-skimage python3-scipy python3-h5py");
  else {
    const cmd = pinned ? "taskset" : python;
    const args = pinned ? ["-c", String(core), python, "-c", PY, gtPath] : ["-c", PY, gtPath];
    const out = spawnSync(cmd, args, { encoding: "utf8", maxBuffer: 1 << 24 });
    if (out.status === 0) peer = JSON.parse(out.stdout.trim().split("\n").pop());
    else console.log(`skimage peer failed: ${out.stderr.slice(-500)}`);
  }
}

// all cores, not pinned: what meshVolume and `tessera mesh` use
let par;
if (withParallel) {
  const { marchingCubesParallel, closeMarchingCubesPool, simplifyMeshes } = await import(meshDist);
  const threads = availableParallelism();
  const times = [];
  let meshes;
  for (let r = 0; r < reps + 1; r++) {
    meshes = undefined;
    const t0 = performance.now();
    meshes = await marchingCubesParallel(data, SHAPE, { resolutionNm: RES, threads });
    if (r > 0) times.push((performance.now() - t0) / 1000);
  }
  await closeMarchingCubesPool();
  let simplifySeconds;
  if (simplifyRounds > 0) {
    const t0 = performance.now();
    await simplifyMeshes(meshes, { ...SIMPLIFY, threads });
    simplifySeconds = (performance.now() - t0) / 1000;
  }
  par = { threads, seconds: times, simplifySeconds };
}

// ---------------------------------------------------------------------------------------------
const f = (x, d = 3) => (x === undefined ? "–" : x.toFixed(d));
const M = (n) => `${(n / 1e6).toFixed(3)} M`;
const ratio = (anchor, mine) => `${(anchor / mine).toFixed(2)}×`;
const mOurs = median(t.ours);
const cpu = cpus()[0]?.model ?? "unknown CPU";
const load1 = loadavg();
console.log(
  `neuroproof sample 2 ground truth: ${SHAPE.join("×")} uint32, 10 nm, ${us.bodies} bodies; node ${process.version}, ${cpu}, ${availableParallelism()} cores, load average ${load0.map((l) => l.toFixed(1)).join(" ")} at start, ${load1.map((l) => l.toFixed(1)).join(" ")} at end`,
);
console.log(
  `${pinned ? `both sides pinned with taskset -c ${core}` : "taskset missing: NOT pinned"}; ${rounds} alternating rounds × ${reps} timed repetitions after one warm-up per run (MC + meshes out: ${Math.max(1, reps - 1)}; simplification: ${simplifyRounds} round(s) × 1); medians of wall-clock seconds`,
);
console.log("");
console.log(
  "| case | zmesh (C++) | median s | @tessera/mesh | median s | zmesh ÷ ours | triangles zmesh / ours |",
);
console.log("|---|---|---|---|---|---|---|");
console.log(
  `| marching-cubes pass, closed | \`mesh(close=True)\` (\`--mc-only --close\`) | ${f(median(t.zClose))} | \`marchingCubes\` (closed, meshes out; CPU ${f(median(t.oursCpu))} s) | ${f(mOurs)} | ${ratio(median(t.zClose), mOurs)} | ${M(zc.mc_triangles)} / ${M(us.triangles)} |`,
);
console.log(
  `| marching-cubes pass, zmesh open | \`mesh()\` (\`--mc-only\`) | ${f(median(t.zOpen))} | same | ${f(mOurs)} | ${ratio(median(t.zOpen), mOurs)} | ${M(zo.mc_triangles)} / ${M(us.triangles)} |`,
);
console.log(
  `| MC + meshes of all ${us.bodies} labels out | \`mesh()\` + \`get_mesh\` per id (\`--factor 0\`) | ${f(median(t.zOut))} | same | ${f(mOurs)} | ${ratio(median(t.zOut), mOurs)} | ${M(zout.out_triangles)} / ${M(us.triangles)} |`,
);
if (simplifyRounds > 0) {
  console.log(
    `| MC + simplification (factor 100, 40 nm) | \`get_mesh(id, 0, 100, 40)\` | ${f(median(t.zSimp), 2)} | \`marchingCubes\` + \`simplifyMesh(${JSON.stringify(SIMPLIFY).replaceAll('"', "")})\` | ${f(median(t.oursSimp), 2)} | ${ratio(median(t.zSimp), median(t.oursSimp))} | ${M(zs.out_triangles)} / ${M(usS.outTriangles)} |`,
  );
}
if (peer) {
  console.log(
    `| skimage 0.19 \`marching_cubes\` per label on \`find_objects\` crops (peer) | – | – | \`marchingCubes\` | ${f(mOurs)} | skimage ${f(peer.seconds, 2)} s: ours ${(peer.seconds / mOurs).toFixed(1)}× faster | skimage ${M(peer.triangles)} |`,
  );
}
if (par) {
  console.log(
    `| ${par.threads} threads, not pinned (what meshVolume / tessera mesh use) | – | – | \`marchingCubesParallel\` (runs ${par.seconds.map((s) => f(s)).join(", ")}) | ${f(median(par.seconds))} | ${ratio(median(t.zClose), median(par.seconds))} vs closed zmesh on 1 core | ${par.simplifySeconds === undefined ? "" : `\`simplifyMeshes\` ${f(par.simplifySeconds, 1)} s`} |`,
  );
}
console.log("");
console.log(
  `runs, seconds: zmesh --close ${t.zClose.map((s) => f(s)).join(" ")}; zmesh open ${t.zOpen.map((s) => f(s)).join(" ")}; ours ${t.ours.map((s) => f(s)).join(" ")}; zmesh meshes out ${t.zOut.map((s) => f(s, 2)).join(" ")}${simplifyRounds > 0 ? `; zmesh simplify ${t.zSimp.map((s) => f(s, 1)).join(" ")}; ours simplify ${t.oursSimp.map((s) => f(s, 1)).join(" ")}` : ""}`,
);
console.log(
  `marching-cubes pass on one core: ${ratio(median(t.zClose), mOurs)} zmesh --close (like with like: both closed), ${ratio(median(t.zOpen), mOurs)} zmesh open (goal ≥ 0.5×); vertices ours ${M(us.vertices)}`,
);
if (simplifyRounds > 0) {
  console.log(
    `simplification: ${M(us.triangles)} → ${M(usS.outTriangles)} triangles (${(us.triangles / usS.outTriangles).toFixed(1)}× reduction), largest Hausdorff distance to the unsimplified mesh over all bodies between ${f(usS.hausdorffNm.lower, 1)} and ${f(usS.hausdorffNm.upper, 1)} nm (hausdorffBounds)`,
  );
}

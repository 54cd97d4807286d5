#!/usr/bin/env node
// Meshing benchmark of @tessera/mesh (built dist) against skimage.measure.marching_cubes run per
// label on scipy.ndimage.find_objects crops (Debian's python3-skimage / python3-scipy), same
// volume, same spacing, in one run; prints both, the ratio, and the zmesh (C++) anchor figures
// quoted in issue 5 next to ours.
//
//   node tools/bench/mesh/run.mjs [--repeats 3] [--no-peer]
//
// Input: neuroproof sample 2 ground truth (250³ uint32, 10 nm, 525 bodies) from ../shared/data.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";
import { resolve } from "node:path";
import {
  closeMarchingCubesPool,
  hausdorffDistance,
  marchingCubes,
  marchingCubesParallel,
  simplifyMesh,
  simplifyMeshes,
} from "../../../packages/mesh/dist/index.js";
import { readHdf5Dataset } from "../../../packages/volume/dist/index.js";

const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i < 0 ? dflt : Number(process.argv[i + 1]);
};
const repeats = arg("--repeats", 3);
const withPeer = !process.argv.includes("--no-peer");
const root = resolve(import.meta.dirname, "../../..");
const shared = process.env.TESSERA_SHARED_DATA ?? resolve(root, "../shared/data");
const gtPath = resolve(shared, "em/neuroproof-sample2/groundtruth.h5");
const python = "/usr/bin/python3";

// zmesh 1.x, built from source, single core, this kind of machine (issue 5)
const ZMESH = {
  mcSeconds: 0.25,
  mvoxPerS: 62.5,
  triangles: 7.67e6,
  meshesOutSeconds: 4.7,
  simplifySeconds: 52,
  simplifiedTriangles: 772e3,
};

if (!existsSync(gtPath)) {
  console.error(`neuroproof ground truth missing at ${gtPath}; set TESSERA_SHARED_DATA`);
  process.exit(1);
}

const median = (v) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
const { data, shape } = await readHdf5Dataset(gtPath, "stack");
const voxels = shape[0] * shape[1] * shape[2];
const res = [10, 10, 10];

const threads = availableParallelism();
// one thread (marchingCubes), then all cores (marchingCubesParallel: labels shared out to workers)
const mcTimes = [];
const mcCpu = [];
let meshes;
for (let r = 0; r < repeats; r++) {
  meshes = undefined;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  meshes = marchingCubes(data, shape, { resolutionNm: res });
  mcTimes.push((performance.now() - t0) / 1000);
  const c = process.cpuUsage(c0);
  mcCpu.push((c.user + c.system) / 1e6);
}
const mcParTimes = [];
for (let r = 0; r < repeats; r++) {
  const t0 = performance.now();
  await marchingCubesParallel(data, shape, { resolutionNm: res, threads });
  mcParTimes.push((performance.now() - t0) / 1000);
}
await closeMarchingCubesPool();
let triangles = 0;
for (const m of meshes.values()) triangles += m.indices.length / 3;
const mc1 = median(mcTimes);
const mcPar = median(mcParTimes);
const mc = Math.min(mc1, mcPar);

const t1 = performance.now();
let simplified = 0;
const simplifiedMeshes = new Map();
for (const [id, m] of meshes) {
  const s = simplifyMesh(m, { maxErrorNm: 40 });
  simplifiedMeshes.set(id, s);
  simplified += s.indices.length / 3;
}
const simplifySeconds = (performance.now() - t1) / 1000;
// symmetric Hausdorff distance (vertices + centroids) between each body's mesh and its simplification
let hausdorff = 0;
for (const [id, m] of meshes) hausdorff = Math.max(hausdorff, hausdorffDistance(m, simplifiedMeshes.get(id)));
const t2 = performance.now();
await simplifyMeshes(meshes, { maxErrorNm: 40, threads });
const simplifyParallelSeconds = (performance.now() - t2) / 1000;

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
    if sl is None or i + 1 == 0:
        continue
    lab = i + 1
    crop = np.pad(labels[sl] == lab, 1)
    verts, f, n, v = marching_cubes(crop.astype(np.uint8), level=0.5, spacing=(10.0, 10.0, 10.0))
    faces += len(f)
    bodies += 1
print(json.dumps({"seconds": time.perf_counter() - t, "triangles": faces, "bodies": bodies}))
`;
let peer;
if (withPeer) {
  const ok = spawnSync(python, ["-c", "import skimage, scipy, h5py"], { stdio: "ignore" }).status === 0;
  if (!ok) console.log("peer missing: apt-get install -y python3-skimage python3-scipy python3-h5py");
  else {
    const out = spawnSync(python, ["-c", PY, gtPath], { encoding: "utf8", maxBuffer: 1 << 24 });
    if (out.status === 0) peer = JSON.parse(out.stdout.trim().split("\n").pop());
    else console.log(`peer failed: ${out.stderr.slice(-500)}`);
  }
}

const fmt = (n, d = 2) => n.toFixed(d);
const cpu = median(mcCpu);
const load = loadavg()
  .map((l) => l.toFixed(1))
  .join(" ");
console.log(
  `neuroproof sample 2 ground truth: ${shape.join("×")} uint32, 10 nm, ${meshes.size} bodies (node ${process.version}, median of ${repeats}, ${threads} cores, load average ${load})`,
);
console.log("");
console.log(
  "| | marching cubes, all bodies | Mvox/s | triangles | simplify at 40 nm | triangles after | reduction |",
);
console.log("|---|---|---|---|---|---|---|");
console.log(
  `| @tessera/mesh, 1 thread | ${fmt(mc1)} s wall, ${fmt(cpu)} s CPU (meshes out included) | ${fmt(voxels / mc1 / 1e6, 1)} wall, ${fmt(voxels / cpu / 1e6, 1)} CPU | ${(triangles / 1e6).toFixed(2)} M | ${fmt(simplifySeconds, 1)} s | ${(simplified / 1e3).toFixed(0)} k | ${fmt(triangles / simplified, 1)}× |`,
);
console.log(
  `| @tessera/mesh, ${threads} threads | ${fmt(mcPar)} s wall (meshes out included; runs: ${mcParTimes.map((t) => fmt(t)).join(", ")}) | ${fmt(voxels / mcPar / 1e6, 1)} wall | same meshes | ${fmt(simplifyParallelSeconds, 1)} s | same | same |`,
);
if (peer) {
  console.log(
    `| skimage 0.19 marching_cubes per label on find_objects crops | ${fmt(peer.seconds)} s wall | ${fmt(voxels / peer.seconds / 1e6, 1)} | ${(peer.triangles / 1e6).toFixed(2)} M | – | – | – |`,
  );
}
console.log(
  `| zmesh (C++, issue anchor, 1 core) | ${ZMESH.mcSeconds} s + ${ZMESH.meshesOutSeconds} s meshes out | ${ZMESH.mvoxPerS} | ${(ZMESH.triangles / 1e6).toFixed(2)} M | ${ZMESH.simplifySeconds} s | ${ZMESH.simplifiedTriangles / 1e3} k | ${fmt(ZMESH.triangles / ZMESH.simplifiedTriangles, 1)}× |`,
);
console.log("");
if (peer) {
  console.log(
    `speed-up vs skimage: ${fmt(peer.seconds / mc, 1)}× wall on ${mc === mcPar ? threads : 1} thread(s), ${fmt(peer.seconds / mc1, 1)}× on 1 (goal ≥ 5×); triangles ours/skimage ${fmt(triangles / peer.triangles)}`,
  );
}
console.log(
  `marching cubes vs zmesh: ${fmt(voxels / mc / 1e6 / ZMESH.mvoxPerS)}× its throughput by wall time on ${mc === mcPar ? threads : 1} thread(s); 1 thread: ${fmt(voxels / mc1 / 1e6 / ZMESH.mvoxPerS)}× by wall, ${fmt(voxels / cpu / 1e6 / ZMESH.mvoxPerS)}× by CPU time (goal ≥ 0.5×); with meshes out ${fmt((ZMESH.mcSeconds + ZMESH.meshesOutSeconds) / mc, 1)}× faster`,
);
console.log(
  `meshes + simplification at 40 nm: ${fmt(mc1 + simplifySeconds, 1)} s on 1 thread, ${fmt(mcPar + simplifyParallelSeconds, 1)} s on ${threads} (goal ≤ 10 s; zmesh ${fmt(ZMESH.mcSeconds + ZMESH.meshesOutSeconds + ZMESH.simplifySeconds, 1)} s), reduction ${fmt(triangles / simplified, 1)}× (goal ≥ 10×), Hausdorff distance to the unsimplified meshes ≤ ${fmt(hausdorff, 1)} nm over all ${meshes.size} bodies (goal ≤ 40 nm)`,
);

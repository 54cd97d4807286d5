#!/usr/bin/env node
// @tessera/segment against its peers, side by side in one run (built dist; peers via /usr/bin/python3):
//   seeded watershed        vs skimage.segmentation.watershed (same input, same markers)
//   affinity watershed +
//   agglomeration           vs waterz (C++), anchor figures quoted in issue 4 (not run here)
//   connected components    vs scipy.ndimage.label (run here) and cc3d (anchor figure)
//   metrics (VOI + ARE)     vs skimage.metrics.variation_of_information + adapted_rand_error
//   peak memory of a blockwise segmentation (fragments → graph → agglomerate → relabel)
//
//   node tools/bench/segment/run.mjs [--repeats 3] [--memory-size 256] [--skip-memory]
//
// Single thread on our side (no workers). Times are the best of `repeats` runs after one warm-up run
// (python: best of `repeats`).
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const repeats = option("--repeats", 3);
const memorySize = option("--memory-size", 256);
const skipMemory = args.includes("--skip-memory");
const root = resolve(import.meta.dirname, "../../..");
const shared = process.env.TESSERA_SHARED_DATA ?? resolve(root, "../shared/data");
const work = mkdtempSync(join(tmpdir(), "tessera-bench-segment-"));
const python = "/usr/bin/python3";
const segmentDist = join(root, "packages/segment/dist/index.js");
const volumeDist = join(root, "packages/volume/dist/index.js");
const S = await import(segmentDist);
const { readHdf5Dataset, importStack } = await import(volumeDist);

/** Best of `times` timed runs after one untimed warm-up run (JIT compilation); `cold` is the warm-up's time. */
function best(fn, times = repeats) {
  let t = Number.POSITIVE_INFINITY;
  const coldStart = performance.now();
  let result = fn();
  const cold = (performance.now() - coldStart) / 1000;
  for (let r = 0; r < times; r++) {
    const start = performance.now();
    result = fn();
    t = Math.min(t, (performance.now() - start) / 1000);
  }
  return { seconds: t, cold, result };
}

function py(script, argv = []) {
  const r = spawnSync(python, ["-c", script, ...argv], { encoding: "utf8", maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`python failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split("\n").pop());
}

const rows = [];
function row(task, input, ours, peer, peerName, note = "") {
  const ratio = peer !== undefined ? (peer / ours).toFixed(2) : "";
  rows.push({
    task,
    input,
    ours: ours.toFixed(4),
    peer: peer?.toFixed(4) ?? "",
    peerName,
    "peer/ours": ratio,
    note,
  });
  console.log(
    `${task.padEnd(34)} ${input.padEnd(28)} ours ${ours.toFixed(4)} s   ${peerName} ${peer !== undefined ? `${peer.toFixed(4)} s` : "-"}   speed-up ${ratio || "-"} ${note}`,
  );
}

const galaDir = join(shared, "em/gala");
const npDir = join(shared, "em/neuroproof-sample2");
if (!existsSync(galaDir) || !existsSync(npDir)) {
  console.log("shared data missing (../shared/data/em/gala, neuroproof-sample2): nothing to bench");
  process.exit(1);
}
const p1 = (await readHdf5Dataset(join(galaDir, "train-p1.h5"), "stack")).data;
const galaShape = [50, 100, 200];
const gray = (await (await importStack(join(npDir, "grayscale"), join(work, "gray.zarr"))).read()).data;

console.log(`\n# seeded watershed (6-connected, same input and markers) — repeats ${repeats}`);
const SK_WS = `
import sys, json, time, numpy as np
from skimage.segmentation import watershed
shape = json.loads(sys.argv[3]); a = np.fromfile(sys.argv[1], dtype="u1").reshape(shape)
m = np.fromfile(sys.argv[2], dtype="<u4").reshape(shape).astype(np.int32)
best = 1e9
for r in range(int(sys.argv[4])):
    t = time.perf_counter(); watershed(a, m); best = min(best, time.perf_counter() - t)
print(json.dumps(best))`;
function watershedCase(name, surface, shape) {
  const { seeds, count } = S.seedsFromDistance(surface, shape, { threshold: 128 });
  const small = surface.length < 4e6;
  const ours = best(() => S.seededWatershed(surface, shape, seeds), small ? Math.max(repeats, 10) : repeats);
  writeFileSync(join(work, "ws.bin"), surface);
  writeFileSync(join(work, "markers.bin"), seeds);
  const peer = py(SK_WS, [
    join(work, "ws.bin"),
    join(work, "markers.bin"),
    JSON.stringify(shape),
    String(small ? Math.max(repeats, 10) : repeats),
  ]);
  const mvox = surface.length / 1e6 / ours.seconds;
  row(
    "seeded watershed",
    `${name} (${count} markers)`,
    ours.seconds,
    peer,
    "skimage",
    `(${mvox.toFixed(1)} Mvox/s; goal ≥ 5×)`,
  );
}
watershedCase(
  "gala p1 u8 50×100×200",
  Uint8Array.from(p1, (v) => Math.round(v * 255)),
  galaShape,
);
const N = 256;
const cube = new Uint8Array(N * N * N);
for (let z = 0; z < N; z++)
  for (let y = 0; y < N; y++)
    for (let x = 0; x < N; x++)
      cube[(z * N + y) * N + x] = 255 - gray[((z % 250) * 250 + (y % 250)) * 250 + (x % 250)];
watershedCase("neuroproof 255−gray 256³", cube, [N, N, N]);

console.log(
  "\n# affinity watershed + agglomeration vs waterz (C++, single core; anchor figures from issue 4)",
);
const aff = S.affinitiesFromBoundaries(p1, galaShape);
const waterzOne = 0.148;
const waterzAll = 0.254;
const oneThreshold = best(
  () => {
    const { fragments } = S.affinityWatershed(aff, galaShape);
    const graph = S.buildRegionGraph(fragments, galaShape, aff);
    return S.agglomerate(graph, [0.1]);
  },
  Math.max(repeats, 10),
);
row(
  "affinity ws + threshold 0.1",
  "gala p1 aff 3×50×100×200",
  oneThreshold.seconds,
  waterzOne,
  "waterz*",
  `(${(1 / oneThreshold.seconds).toFixed(2)} Mvox/s vs 6.75; first run ${oneThreshold.cold.toFixed(3)} s)`,
);
const allThresholds = best(
  () => {
    const { fragments } = S.affinityWatershed(aff, galaShape);
    const graph = S.buildRegionGraph(fragments, galaShape, aff);
    return S.agglomerate(graph, [0.1, 0.3, 0.5, 0.7, 0.9]);
  },
  Math.max(repeats, 10),
);
row(
  "affinity ws + 5 thresholds",
  "gala p1 aff 3×50×100×200",
  allThresholds.seconds,
  waterzAll,
  "waterz*",
  `(${(1 / allThresholds.seconds).toFixed(2)} Mvox/s vs 3.93; first run ${allThresholds.cold.toFixed(3)} s)`,
);

console.log("\n# connected components on neuroproof ground truth (250³, 15.6 Mvox)");
const gt = (await readHdf5Dataset(join(npDir, "groundtruth.h5"), "stack")).data;
const npShape = [250, 250, 250];
const cc26 = best(() => S.connectedComponents(gt, npShape, { connectivity: 26 }));
row(
  "cc 26, multi-label",
  "neuroproof gt",
  cc26.seconds,
  0.107,
  "cc3d*",
  `(${(15.625 / cc26.seconds).toFixed(0)} Mvox/s vs 146; goal ≥ 0.5×)`,
);
const foreground = Uint8Array.from(gt, (v) => (v !== 0 ? 1 : 0));
writeFileSync(join(work, "fg.bin"), foreground);
const scipyLabel = py(
  `import sys, json, time, numpy as np
from scipy import ndimage
m = np.fromfile(sys.argv[1], dtype="u1").reshape(250, 250, 250)
out = {}
for c in (1, 3):
    s = ndimage.generate_binary_structure(3, c); best = 1e9
    for r in range(int(sys.argv[2])):
        t = time.perf_counter(); ndimage.label(m, structure=s); best = min(best, time.perf_counter() - t)
    out[str(c)] = best
print(json.dumps(out))`,
  [join(work, "fg.bin"), String(repeats)],
);
const bin6 = best(() => S.connectedComponents(foreground, npShape, { connectivity: 6 }));
const bin26 = best(() => S.connectedComponents(foreground, npShape, { connectivity: 26 }));
row("cc 6, binary (gt ≠ 0)", "neuroproof gt", bin6.seconds, scipyLabel["1"], "scipy");
row("cc 26, binary (gt ≠ 0)", "neuroproof gt", bin26.seconds, scipyLabel["3"], "scipy");

console.log("\n# metrics: VOI split/merge + adapted Rand error (overseg vs gt, 15.6 Mvox)");
const seg = (await readHdf5Dataset(join(npDir, "overseg.h5"), "stack")).data;
const metrics = best(() => S.evaluateSegmentation(seg, gt));
writeFileSync(join(work, "seg.bin"), seg);
writeFileSync(join(work, "gt.bin"), gt);
const skMetrics = py(
  `import sys, json, time, numpy as np
from skimage.metrics import variation_of_information, adapted_rand_error
seg = np.fromfile(sys.argv[1], dtype="<u4"); gt = np.fromfile(sys.argv[2], dtype="<u4")
best = 1e9
for r in range(int(sys.argv[3])):
    t = time.perf_counter(); variation_of_information(gt, seg, ignore_labels=(0,)); adapted_rand_error(gt, seg); best = min(best, time.perf_counter() - t)
print(json.dumps(best))`,
  [join(work, "seg.bin"), join(work, "gt.bin"), String(repeats)],
);
row("VOI + ARE", "neuroproof overseg vs gt", metrics.seconds, skMetrics, "skimage", "(goal ≥ 3×)");

if (!skipMemory) {
  // peak memory of a blockwise segmentation: tools/bench/segment/memory.mjs (also runs on its own)
  const { memoryBench } = await import("./memory.mjs");
  await memoryBench({ size: memorySize, root, work, gray });
}

console.log(
  "\n* anchor figures measured by issue 4's author (waterz and cc3d built from source, single core), not run here.",
);
console.table(rows);
rmSync(work, { recursive: true, force: true });

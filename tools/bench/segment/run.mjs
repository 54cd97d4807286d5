#!/usr/bin/env node
// @tessera/segment against its peers, side by side in one run (built dist; peers via /usr/bin/python3,
// C++ anchors built and run live by testkit's buildAnchors/runAnchor from ../shared/anchors):
//   connected components    vs cc3d (C++ anchor, 26-connected, multi-label) and scipy.ndimage.label
//   affinity watershed +
//   agglomeration           vs waterz (C++ anchor: initialize + mergeUntil per threshold), one
//                           threshold (0.1, 0.5) and five (0.1 … 0.5, five segmentations out)
//   seeded watershed        vs skimage.segmentation.watershed (same input, same markers)
//   metrics (VOI + ARE)     vs skimage.metrics.variation_of_information + adapted_rand_error
//   peak memory of a blockwise segmentation (fragments → graph → agglomerate → relabel): memory.mjs
//
//   node tools/bench/segment/run.mjs [--rounds 3] [--reps 5] [--warmup 1] [--core 0] [--repeats 3]
//                                    [--memory-size 256] [--skip-memory] [--anchors-only]
//
// Anchor cases: our side runs in a child process, and both sides are pinned to one core
// (`taskset -c <core>`), in `rounds` rounds that alternate anchor and ours; each run does one untimed
// warm-up (statistics come from it; ours does `warmup` untimed runs in all, for the JIT compiler:
// with 1, its first timed runs are still partly unoptimised) and `reps` timed repetitions (wall clock around the calls only,
// as the anchor drivers time theirs). Medians of all timed repetitions; ratio = anchor ÷ ours (above
// 1: ours is faster). Inputs, written raw once and read by both sides: neuroproof sample 2 ground
// truth (uint32 250³) and gala train-p1 affinities (3×50×100×200 float32,
// affs[c] = 1 − max(p, p shifted by one along c), first plane 0: the anchors README's reference run).
// Peer cases (skimage, scipy): single thread, best of `repeats` after one warm-up run.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const text = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const repeats = option("--repeats", 3);
const rounds = option("--rounds", 3);
const reps = option("--reps", 5);
const warmup = option("--warmup", 1);
const core = option("--core", 0);
const memorySize = option("--memory-size", 256);
const skipMemory = args.includes("--skip-memory");
const anchorsOnly = args.includes("--anchors-only");
const root = resolve(import.meta.dirname, "../../..");
const shared = process.env.TESSERA_SHARED_DATA ?? resolve(root, "../shared/data");
const python = "/usr/bin/python3";
const segmentDist = join(root, "packages/segment/dist/index.js");
const volumeDist = join(root, "packages/volume/dist/index.js");
const GALA_SHAPE = [50, 100, 200];
const NP_SHAPE = [250, 250, 250];
const THRESHOLDS = [0.1, 0.2, 0.3, 0.4, 0.5];

const median = (v) => {
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const readRaw = (path, Type) => {
  const buf = readFileSync(path);
  return new Type(buf.buffer, buf.byteOffset, buf.length / Type.BYTES_PER_ELEMENT);
};
/** Distinct non-zero values. */
const segmentCount = (labels) => {
  const seen = new Set(labels);
  seen.delete(0);
  return seen.size;
};

/**
 * Our side of an anchor case, in a pinned child: one untimed warm-up run (statistics from it), then
 * `reps` timed runs; prints one JSON line.
 */
async function child(kind, raw, n, warmups) {
  const S = await import(segmentDist);
  const out = { kind, seconds: [], cpuSeconds: [] };
  let once;
  if (kind === "cc") {
    const labels = readRaw(raw, Uint32Array);
    once = () => S.connectedComponents(labels, NP_SHAPE, { connectivity: 26 });
    const first = once();
    out.components = first.count;
  } else {
    const thresholds = kind.split(",").map(Number);
    const affinities = readRaw(raw, Float32Array);
    once = () => {
      const { fragments, count } = S.affinityWatershed(affinities, GALA_SHAPE);
      const graph = S.buildRegionGraph(fragments, GALA_SHAPE, affinities);
      const result = S.agglomerate(graph, thresholds);
      const segmentations = thresholds.map((_, k) => S.applyAgglomeration(fragments, result, k));
      return { fragments, count, segmentations };
    };
    const first = once();
    out.fragments = first.count;
    out.background = first.fragments.reduce((c, f) => c + (f === 0 ? 1 : 0), 0);
    out.segments = first.segmentations.map(segmentCount);
    // the waterz-compatible agglomeration on the same fragments (not timed)
    const likeWaterz = S.agglomerateLikeWaterz(first.fragments, GALA_SHAPE, affinities, thresholds);
    out.segmentsLikeWaterz = likeWaterz.segments.map((_, k) =>
      segmentCount(S.applyAgglomeration(first.fragments, likeWaterz, k)),
    );
  }
  for (let w = 1; w < warmups; w++) once();
  for (let r = 0; r < n; r++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    once();
    out.seconds.push((performance.now() - t0) / 1000);
    const c = process.cpuUsage(c0);
    out.cpuSeconds.push((c.user + c.system) / 1e6);
  }
  console.log(JSON.stringify(out));
}

if (text("--child") !== undefined) {
  await child(text("--child"), text("--raw"), option("--reps", 5), option("--warmup", 1));
  process.exit(0);
}

const work = mkdtempSync(join(tmpdir(), "tessera-bench-segment-"));
process.on("exit", () => rmSync(work, { recursive: true, force: true }));
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

const gt = (await readHdf5Dataset(join(npDir, "groundtruth.h5"), "stack")).data;
const npShape = NP_SHAPE;

// ------------------------------------------------------------------------------------------------
// C++ anchors, live: cc3d and waterz against ours, alternating, both pinned to one core
const pinned = existsSync("/usr/bin/taskset");
const { buildAnchors, runAnchor } = await import(join(root, "packages/testkit/dist/index.js"));
const anchorsBin = buildAnchors({ quiet: true });
const anchorRows = [];
if (anchorsBin === undefined) {
  console.log("\n# C++ anchors: could not be built (see the warning above): cc3d and waterz cases skipped");
} else {
  const load0 = loadavg();
  // inputs, raw: the affinities as the anchors README's reference run builds them (numpy), and ours
  const gtRaw = join(work, "gt.raw");
  writeFileSync(gtRaw, new Uint8Array(gt.buffer, gt.byteOffset, gt.byteLength));
  const affRaw = join(work, "aff.raw");
  py(
    `import sys, json, numpy as np, h5py
p = h5py.File(sys.argv[1], "r")["stack"][...].astype(np.float32)
a = np.zeros((3,) + p.shape, np.float32)
a[0, 1:] = 1 - np.maximum(p[1:], p[:-1])
a[1, :, 1:] = 1 - np.maximum(p[:, 1:], p[:, :-1])
a[2, :, :, 1:] = 1 - np.maximum(p[:, :, 1:], p[:, :, :-1])
a.tofile(sys.argv[2])
print(json.dumps(0))`,
    [join(galaDir, "train-p1.h5"), affRaw],
  );
  const ours = S.affinitiesFromBoundaries(p1, galaShape);
  const theirs = readRaw(affRaw, Float32Array);
  const sameAffinities = ours.length === theirs.length && ours.every((v, i) => v === theirs[i]);
  const oursPinned = (kind, raw) => {
    const argv = [
      fileURLToPath(import.meta.url),
      ...["--child", kind, "--raw", raw, "--reps", String(reps), "--warmup", String(warmup)],
    ];
    const r = pinned
      ? spawnSync("taskset", ["-c", String(core), process.execPath, ...argv], { encoding: "utf8" })
      : spawnSync(process.execPath, argv, { encoding: "utf8" });
    if (r.status !== 0)
      throw new Error(`our ${kind} run failed (exit ${r.status}): ${r.stderr.slice(-2000)}`);
    return JSON.parse(r.stdout.trim().split("\n").pop());
  };
  const cases = [
    { name: "connected components, 26, multi-label", kind: "cc", goal: 0.5 },
    { name: "affinity ws + threshold 0.1", kind: "0.1", goal: 1 },
    { name: "affinity ws + threshold 0.5", kind: "0.5", goal: 1 },
    { name: "affinity ws + 5 thresholds 0.1…0.5", kind: THRESHOLDS.join(","), goal: 1 },
  ];
  for (const c of cases) {
    const anchorTimes = [];
    const ourTimes = [];
    const ourCpu = [];
    let anchor;
    let mine;
    for (let r = 0; r < rounds; r++) {
      anchor =
        c.kind === "cc"
          ? runAnchor(
              "cc3d_bench",
              [gtRaw, ...NP_SHAPE.map(String), "--conn", "26", "--reps", String(reps)],
              {
                pinCore: pinned ? core : undefined,
              },
            )
          : runAnchor(
              "waterz_bench",
              [affRaw, ...GALA_SHAPE.map(String), "--thresholds", c.kind, "--reps", String(reps)],
              { pinCore: pinned ? core : undefined },
            );
      anchorTimes.push(...anchor.seconds);
      mine = oursPinned(c.kind, c.kind === "cc" ? gtRaw : affRaw);
      ourTimes.push(...mine.seconds);
      ourCpu.push(...mine.cpuSeconds);
    }
    const a = median(anchorTimes);
    const o = median(ourTimes);
    const counts =
      c.kind === "cc"
        ? `components cc3d ${anchor.components}, ours ${mine.components}`
        : `fragments waterz ${anchor.watershed_fragments}, ours ${mine.fragments}; background voxels waterz ${anchor.unlabelled_voxels}, ours ${mine.background}; segments per threshold waterz ${anchor.segments_per_threshold.join("/")}, ours ${mine.segments.join("/")}, ours agglomerateLikeWaterz ${mine.segmentsLikeWaterz.join("/")}`;
    anchorRows.push({ ...c, anchor: a, ours: o, oursCpu: median(ourCpu), anchorTimes, ourTimes, counts });
  }
  const load1 = loadavg();
  const anchorName = (c) => (c.kind === "cc" ? "cc3d" : "waterz");
  console.log(
    `\n# C++ anchors, live (${cpus()[0]?.model ?? "unknown CPU"}, node ${process.version}; load average ${load0.map((l) => l.toFixed(1)).join(" ")} at start, ${load1.map((l) => l.toFixed(1)).join(" ")} at end)`,
  );
  console.log(
    `${pinned ? `both sides pinned with taskset -c ${core}` : "taskset missing: NOT pinned"}; ${rounds} alternating rounds (anchor, then ours) × ${reps} timed repetitions after one warm-up per run (ours: ${warmup}); medians of wall-clock seconds; ratio = anchor ÷ ours`,
  );
  console.log(
    `inputs: neuroproof sample 2 ground truth (uint32 250³); gala train-p1 affinities 3×50×100×200 float32 built by numpy as in the anchors README (affinitiesFromBoundaries gives ${sameAffinities ? "the same bytes" : "DIFFERENT values"})`,
  );
  console.log("");
  console.log("| case | anchor | median s | ours | median s | anchor ÷ ours | goal |");
  console.log("|---|---|---|---|---|---|---|");
  for (const r of anchorRows) {
    const ratio = r.anchor / r.ours;
    const call =
      r.kind === "cc"
        ? "`connectedComponents(gt, shape, {connectivity: 26})`"
        : "`affinityWatershed` + `buildRegionGraph` + `agglomerate` + `applyAgglomeration` per threshold";
    console.log(
      `| ${r.name} | ${anchorName(r)} | ${r.anchor.toFixed(4)} | ${call} (CPU ${r.oursCpu.toFixed(4)} s) | ${r.ours.toFixed(4)} | ${ratio.toFixed(2)}× | ≥ ${r.goal}× ${ratio >= r.goal ? "met" : "NOT met"} |`,
    );
  }
  console.log("");
  for (const r of anchorRows) {
    console.log(`${r.name}: ${r.counts}`);
    console.log(
      `  runs, s: ${anchorName(r)} ${r.anchorTimes.map((t) => t.toFixed(4)).join(" ")}; ours ${r.ourTimes.map((t) => t.toFixed(4)).join(" ")}`,
    );
  }
}
if (anchorsOnly) process.exit(anchorsBin === undefined ? 1 : 0);

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

console.log("\n# connected components, binary, vs scipy (neuroproof ground truth ≠ 0, 250³)");
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

console.table(rows);

#!/usr/bin/env node
// Patch cross-correlation for the elastic flow field: PatchCorrelator (160 px patches on a 40 px grid,
// one thread) on a 1024² pair with a known smooth displacement, side by side with skimage's
// optical_flow_ilk (Debian's python3-skimage) on the same pair, alternating, medians, a ratio.
// The pair: a 2048² mosaic of 4 × 4 ISBI 2012 sections (../shared/data/em/isbi2012) and the same
// mosaic warped by d(y, x) (Keys bicubic), both 2 × 2 block-averaged (the warp's interpolation
// smoothing halves with it). moving(q) = fixed(q + d(q)): d is the shift each patch should report.
// Usage: node tools/bench/align/flow.mjs [--rounds 3]   (build first: npm run build -w @tessera/align)
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "../../..");
const { values: opt } = parseArgs({ options: { rounds: { type: "string", default: "3" } } });
const ROUNDS = Number(opt.rounds);
const align = await import(join(root, "packages/align/dist/index.js"));
const volume = await import(join(root, "packages/volume/dist/index.js"));
const data = resolve(process.env.TESSERA_SHARED_DATA ?? join(root, "../shared/data"), "em/isbi2012/image");
if (!existsSync(data)) throw new Error(`missing ${data}`);

const PATCH = 160;
const STRIDE = 40;
const N = 1024;
const F = 2 * N;

// the 2048² mosaic of sections 0 … 15
const mosaic = new Float64Array(F * F);
for (let t = 0; t < 16; t++) {
  const tile = await volume.readPng(join(data, `${t}.png`));
  const ty = Math.floor(t / 4) * 512;
  const tx = (t % 4) * 512;
  for (let y = 0; y < 512; y++)
    for (let x = 0; x < 512; x++) mosaic[(ty + y) * F + tx + x] = tile.data[y * 512 + x];
}

/** Displacement at full resolution (px of the 2048² mosaic): smooth, up to ~5 px, with an offset. */
const dFull = (y, x) => [
  2.6 + 3 * Math.sin((2 * Math.PI * x) / F + 0.3) * Math.cos((2 * Math.PI * y) / (1.5 * F)),
  -1.4 + 2.5 * Math.cos((2 * Math.PI * y) / F + 1) + 1.2 * Math.sin((2 * Math.PI * (x + y)) / (1.2 * F)),
];
/** Displacement of the 1024² pair at (y, x): the full-resolution one at the block's centre, halved. */
const dHalf = (y, x) => dFull(2 * y + 0.5, 2 * x + 0.5).map((v) => v / 2);

/** Keys cubic kernel (a = −0.5). */
function keys(t) {
  const a = Math.abs(t);
  if (a < 1) return 1.5 * a ** 3 - 2.5 * a ** 2 + 1;
  if (a < 2) return -0.5 * a ** 3 + 2.5 * a ** 2 - 4 * a + 2;
  return 0;
}
function bicubic(y, x) {
  const y0 = Math.floor(y);
  const x0 = Math.floor(x);
  let s = 0;
  for (let j = -1; j <= 2; j++) {
    const wy = keys(y - (y0 + j));
    const yy = Math.min(F - 1, Math.max(0, y0 + j));
    for (let i = -1; i <= 2; i++) {
      const xx = Math.min(F - 1, Math.max(0, x0 + i));
      s += wy * keys(x - (x0 + i)) * mosaic[yy * F + xx];
    }
  }
  return s;
}
const fixed = new Float64Array(N * N);
const moving = new Float64Array(N * N);
for (let y = 0; y < F; y++) {
  for (let x = 0; x < F; x++) {
    const [dy, dx] = dFull(y, x);
    const o = (y >> 1) * N + (x >> 1);
    fixed[o] += mosaic[y * F + x] / 4;
    moving[o] += bicubic(y + dy, x + dx) / 4;
  }
}

// patches on the grid; the truth of each: d averaged over the patch with the Hann² weight
const hann = Float64Array.from(
  { length: PATCH },
  (_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * (i + 0.5)) / PATCH),
);
const patches = [];
let largest = 0;
for (let y0 = 0; y0 + PATCH <= N; y0 += STRIDE) {
  for (let x0 = 0; x0 + PATCH <= N; x0 += STRIDE) {
    const f = new Float64Array(PATCH * PATCH);
    const m = new Float64Array(PATCH * PATCH);
    let wy = 0;
    let wx = 0;
    let ws = 0;
    for (let y = 0; y < PATCH; y++) {
      for (let x = 0; x < PATCH; x++) {
        f[y * PATCH + x] = fixed[(y0 + y) * N + x0 + x];
        m[y * PATCH + x] = moving[(y0 + y) * N + x0 + x];
        if (y % 4 === 0 && x % 4 === 0) {
          const w = (hann[y] * hann[x]) ** 2;
          const [dy, dx] = dHalf(y0 + y, x0 + x);
          wy += w * dy;
          wx += w * dx;
          ws += w;
        }
      }
    }
    const cy = y0 + PATCH / 2 - 0.5;
    const cx = x0 + PATCH / 2 - 0.5;
    patches.push({ f, m, truth: [wy / ws, wx / ws], cy, cx });
    largest = Math.max(largest, Math.hypot(wy / ws, wx / ws));
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const p95 = (xs) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(0.95 * xs.length))];
const epe = (s, t) => Math.hypot(s[0] - t[0], s[1] - t[1]);

/** One pass of PatchCorrelator over all patches: seconds, endpoint errors. */
function ours(correlator) {
  const out = new Array(patches.length);
  const t0 = performance.now();
  for (let i = 0; i < patches.length; i++) out[i] = correlator.correlate(patches[i].f, patches[i].m);
  const seconds = (performance.now() - t0) / 1000;
  return { seconds, errors: out.map((r, i) => epe([r.dy, r.dx], patches[i].truth)) };
}
// the peer: optical_flow_ilk(fixed, moving) → flow with moving(q + flow(q)) ≈ fixed(q), i.e. −d
const dir = mkdtempSync(join(tmpdir(), "tessera-flow-bench-"));
const pairFile = join(dir, "pair.f64");
const flowFile = join(dir, "flow.f64");
writeFileSync(pairFile, Buffer.concat([Buffer.from(fixed.buffer), Buffer.from(moving.buffer)]));
const PY = `
import json, sys, time
import numpy as np
from skimage.registration import optical_flow_ilk
n = ${N}
pair = np.fromfile(sys.argv[1], dtype=np.float64).reshape(2, n, n)
t0 = time.perf_counter()
flow = optical_flow_ilk(pair[0], pair[1])
seconds = time.perf_counter() - t0
flow.astype(np.float64).tofile(sys.argv[2])
print(json.dumps({"seconds": seconds}))`;
function peer() {
  const run = spawnSync("/usr/bin/python3", ["-c", PY, pairFile, flowFile], {
    encoding: "utf8",
    env: { ...process.env, OMP_NUM_THREADS: "1", OPENBLAS_NUM_THREADS: "1" },
  });
  if (run.status !== 0) throw new Error(run.stderr);
  const { seconds } = JSON.parse(run.stdout);
  const flow = new Float64Array(readFileSync(flowFile).buffer.slice(0));
  // endpoint error of −flow against d at the patch centres, and over the pixels at least 80 px inside
  const at = (k, y, x) => flow[k * N * N + y * N + x];
  const centres = patches.map((p) => {
    const y = Math.round(p.cy);
    const x = Math.round(p.cx);
    return epe([-at(0, y, x), -at(1, y, x)], dHalf(y, x));
  });
  const inside = [];
  for (let y = 80; y < N - 80; y += 4) {
    for (let x = 80; x < N - 80; x += 4) inside.push(epe([-at(0, y, x), -at(1, y, x)], dHalf(y, x)));
  }
  return { seconds, centres, inside };
}

const correlator = new align.PatchCorrelator(PATCH);
ours(correlator); // compiled code is what counts: the flow field runs thousands of patches
const oursTimes = [];
const peerTimes = [];
let o;
let p;
for (let r = 0; r < ROUNDS; r++) {
  o = ours(correlator);
  oursTimes.push(o.seconds);
  p = peer();
  peerTimes.push(p.seconds);
}
rmSync(dir, { recursive: true, force: true });

const perPatch = median(oursTimes) / patches.length;
const rate = 1 / perPatch;
console.log(
  `elastic flow, 1024² ISBI pair, known smooth displacement (patch truths up to ${largest.toFixed(2)} px); ${patches.length} patches of ${PATCH} px at stride ${STRIDE}; medians of ${ROUNDS}`,
);
console.log(
  `  PatchCorrelator (1 thread): ${rate.toFixed(0)} correlations/s, ${(1000 * perPatch).toFixed(3)} ms each, ${median(oursTimes).toFixed(3)} s for all; error median ${median(o.errors).toFixed(3)} px, p95 ${p95(o.errors).toFixed(3)} px`,
);
console.log(
  `  skimage optical_flow_ilk (whole pair, dense): ${median(peerTimes).toFixed(3)} s; endpoint error at the patch centres median ${median(p.centres).toFixed(3)} px, p95 ${p95(p.centres).toFixed(3)} px; over the interior median ${median(p.inside).toFixed(3)} px`,
);
console.log(
  `summary: PatchCorrelator ${rate.toFixed(0)} patch correlations/s (${(1000 * perPatch).toFixed(3)} ms), the ${patches.length}-patch grid in ${median(oursTimes).toFixed(3)} s vs optical_flow_ilk ${median(peerTimes).toFixed(3)} s (ilk ÷ ours time ${(median(peerTimes) / median(oursTimes)).toFixed(2)}×); median error ${median(o.errors).toFixed(3)} vs ${median(p.centres).toFixed(3)} px`,
);

#!/usr/bin/env node
// Translation by phase correlation, side by side with skimage.registration.phase_cross_correlation
// (upsample_factor 20, Debian's python3-skimage) on the same pairs, alternating, medians, ratios.
// Pairs: crops of a mosaic of ISBI 2012 sections (../shared/data/em/isbi2012) at known offsets, 4 × 4
// block-averaged so that offsets of whole original pixels are quarter pixels (sub-pixel truth).
// Usage: node tools/bench/align/run.mjs [--rounds 3] [--sizes 512,2048]   (build first)
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "../../..");
const { values: opt } = parseArgs({
  options: { rounds: { type: "string", default: "3" }, sizes: { type: "string", default: "512,2048" } },
});
const ROUNDS = Number(opt.rounds);
const SIZES = opt.sizes.split(",").map(Number);
const align = await import(join(root, "packages/align/dist/index.js"));
const volume = await import(join(root, "packages/volume/dist/index.js"));
const data = resolve(process.env.TESSERA_SHARED_DATA ?? join(root, "../shared/data"), "em/isbi2012/image");
if (!existsSync(data)) throw new Error(`missing ${data}`);

// a mosaic of 5 × 5 sections (2560²): 512² pairs are 4 × 4 block averages of 2048² crops offset by whole
// pixels (quarter-pixel truth); 2048² pairs are crops at whole-pixel offsets.
const tiles = [];
for (let i = 0; i < 25; i++) tiles.push(await volume.readPng(join(data, `${i}.png`)));
const M = 2560;
const mosaic = new Float64Array(M * M);
for (let t = 0; t < 25; t++) {
  const ty = Math.floor(t / 5) * 512;
  const tx = (t % 5) * 512;
  for (let y = 0; y < 512; y++)
    for (let x = 0; x < 512; x++) mosaic[(ty + y) * M + tx + x] = tiles[t].data[y * 512 + x];
}
function crop(y0, x0, size, block) {
  const n = size / block;
  const out = new Float64Array(n * n);
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++)
      out[Math.floor(y / block) * n + Math.floor(x / block)] +=
        mosaic[(y0 + y) * M + x0 + x] / (block * block);
  return out;
}
const tmp = mkdtempSync(join(tmpdir(), "tessera-align-bench-"));
process.on("exit", () => rmSync(tmp, { recursive: true, force: true }));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const PY = `
import json, sys, time
import numpy as np
from skimage.registration import phase_cross_correlation
p = json.loads(sys.stdin.readline())
n = p["n"]
a = np.fromfile(p["a"], dtype=np.float64).reshape(n, n)
b = np.fromfile(p["b"], dtype=np.float64).reshape(n, n)
times = []
for _ in range(p["calls"]):
    t0 = time.perf_counter()
    s, _, _ = phase_cross_correlation(a, b, upsample_factor=20)
    times.append(time.perf_counter() - t0)
print(json.dumps({"seconds": times[-1], "shift": [float(s[0]), float(s[1])]}))`;
// Each side times the last of CALLS back-to-back calls per round (steady state). Timing the first call
// after spawning the python process would charge ours with copy-on-write page faults on its buffers
// (the spawn forks this process): measured 33 ms instead of 6 ms at 512².
const CALLS = 3;

console.log(
  `translation: ours (phaseCorrelate, upsample 100) vs skimage phase_cross_correlation(upsample_factor=20); medians of ${ROUNDS}`,
);
for (const size of SIZES) {
  const block = size <= 512 ? 4 : 1;
  const span = size * block;
  if (span + 64 > M) throw new Error(`size ${size} too large for the mosaic`);
  const [ky, kx] = [13, -22];
  const fixed = crop(32, 40, span, block);
  const moving = crop(32 + ky, 40 + kx, span, block);
  const truth = [ky / block, kx / block];
  // the pair goes to python as raw float64 files (no large strings in this process to collect while ours runs)
  const fileA = join(tmp, `a-${size}.f64`);
  const fileB = join(tmp, `b-${size}.f64`);
  writeFileSync(fileA, new Uint8Array(fixed.buffer));
  writeFileSync(fileB, new Uint8Array(moving.buffer));
  const ours = [];
  const theirs = [];
  let o;
  let t;
  // one untimed call first: a stack aligner runs it once per section, so the compiled code is what counts
  align.phaseCorrelate(
    { data: fixed, width: size, height: size },
    { data: moving, width: size, height: size },
  );
  for (let r = 0; r < ROUNDS; r++) {
    let seconds = 0;
    for (let c = 0; c < CALLS; c++) {
      const t0 = performance.now();
      o = align.phaseCorrelate(
        { data: fixed, width: size, height: size },
        { data: moving, width: size, height: size },
      );
      seconds = (performance.now() - t0) / 1000;
    }
    ours.push(seconds);
    const run = spawnSync("/usr/bin/python3", ["-c", PY], {
      input: `${JSON.stringify({ n: size, a: fileA, b: fileB, calls: CALLS })}\n`,
      encoding: "utf8",
      maxBuffer: 1 << 30,
    });
    if (run.status !== 0) throw new Error(run.stderr);
    t = JSON.parse(run.stdout);
    theirs.push(t.seconds);
  }
  const err = (s) => Math.hypot(s[0] - truth[0], s[1] - truth[1]).toFixed(3);
  console.log(
    `  ${size}² (truth ${truth}): ours ${median(ours).toFixed(3)} s, error ${err([o.dy, o.dx])} px; skimage ${median(theirs).toFixed(3)} s, error ${err(t.shift)} px; skimage ÷ ours time ${(median(theirs) / median(ours)).toFixed(2)}×`,
  );
}

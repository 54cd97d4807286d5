#!/usr/bin/env node
// Whole-stack elastic alignment through the real command: `tessera-align align --mode elastic` on a
// stack of 1024² sections, timed end to end (reading, pair maps on worker threads, spring meshes,
// rendering, writing zarr and the QC report), with the peak resident memory of the process.
// The stack: each section is a 4 × 4 mosaic of neuroproof sample 2 FIB-SEM sections (10 nm
// isotropic; tile k shows section z + 13k, so every tile is a real consecutive stack), reflected out
// to 1024², then warped by @tessera/phantom (±1°, ±4 px, an elastic field of 8 px over ~128 px
// correlation length; section 0 unwarped).
// Usage: node tools/bench/align/stack.mjs [--sections 50] [--size 1024] [--threads 2]   (build first)
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "../../..");
const { values: opt } = parseArgs({
  options: {
    sections: { type: "string", default: "50" },
    size: { type: "string", default: "1024" },
    threads: { type: "string", default: "2" },
    keep: { type: "boolean", default: false },
  },
});
const Z = Number(opt.sections);
const S = Number(opt.size);
const volume = await import(join(root, "packages/volume/dist/index.js"));
const phantom = await import(join(root, "packages/phantom/dist/index.js"));
const data = resolve(
  process.env.TESSERA_SHARED_DATA ?? join(root, "../shared/data"),
  "em/neuroproof-sample2/grayscale",
);
if (!existsSync(data)) throw new Error(`missing ${data}`);
const bin = join(root, "packages/align/dist/bin.js");
if (!existsSync(bin)) throw new Error(`missing ${bin}: build first (npm run build -w @tessera/align)`);

const T = 250;
const tilesNeeded = Math.max(1, Math.floor(S / T)) ** 2;
if (Z - 1 + 13 * (tilesNeeded - 1) >= 250)
  throw new Error("too many sections for the mosaic (at most 250 − 13·(tiles − 1))");
const cache = new Map();
async function tile(z) {
  if (!cache.has(z)) cache.set(z, (await volume.readPng(join(data, `iso.${2600 + z}.png`))).data);
  return cache.get(z);
}
/** Reflect index i into 0…n−1. */
const reflect = (i, n) => {
  const p = 2 * n;
  const m = ((i % p) + p) % p;
  return m < n ? m : p - 1 - m;
};
async function mosaic(z) {
  const per = Math.max(1, Math.floor(S / T));
  const out = new Uint8Array(S * S);
  const big = per * T;
  for (let ty = 0; ty < per; ty++) {
    for (let tx = 0; tx < per; tx++) {
      const t = await tile(z + 13 * (ty * per + tx));
      for (let y = 0; y < T; y++) {
        for (let x = 0; x < T; x++) {
          const Y = ty * T + y;
          const X = tx * T + x;
          if (Y < S && X < S) out[Y * S + X] = t[y * T + x];
        }
      }
    }
  }
  // the part past the mosaic (when S is not a multiple of 250): reflected
  for (let y = 0; y < S; y++) {
    for (let x = 0; x < S; x++) {
      if (y < big && x < big) continue;
      out[y * S + x] = out[reflect(y, Math.min(big, S)) * S + reflect(x, Math.min(big, S))];
    }
  }
  return out;
}

const dir = mkdtempSync(join(tmpdir(), "tessera-align-bench-"));
const input = join(dir, "stack.zarr");
console.log(`building ${Z} sections of ${S}² (neuroproof mosaics, phantom-warped) in ${input} …`);
const v = await volume.createVolume(input, {
  shape: [Z, S, S],
  chunks: [1, Math.min(S, 1024), Math.min(S, 1024)],
  dtype: "uint8",
});
for (let z = 0; z < Z; z++) {
  const section = await mosaic(z);
  const warped =
    z === 0
      ? section
      : phantom.warpSections(section, [1, S, S], {
          seed: 1000 + z,
          warpFirstSection: true,
          maxRotationDeg: 1,
          maxTranslationPx: 4,
          elasticAmplitudePx: 8,
          elasticSmoothnessPx: 128,
        }).warped;
  await v.write(new volume.Box([z, 0, 0], [z + 1, S, S]), warped);
}

const output = join(dir, "aligned.zarr");
const args = [
  bin,
  "align",
  "--input",
  input,
  "--output",
  output,
  "--mode",
  "elastic",
  "--threads",
  opt.threads,
];
const timeBin = existsSync("/usr/bin/time") ? "/usr/bin/time" : null;
console.log(`running: node ${args.join(" ")}`);
const t0 = performance.now();
const run = timeBin
  ? spawnSync(timeBin, ["-f", "PEAK_RSS_KB %M", process.execPath, ...args], {
      encoding: "utf8",
      maxBuffer: 1 << 28,
    })
  : spawnSync(process.execPath, args, { encoding: "utf8", maxBuffer: 1 << 28 });
const seconds = (performance.now() - t0) / 1000;
if (run.status !== 0) {
  console.error(run.stdout, run.stderr);
  throw new Error(`tessera-align exited with ${run.status}`);
}
const peak = /PEAK_RSS_KB (\d+)/.exec(run.stderr ?? "");
const summary = run.stdout.trim().split("\n").pop();
console.log(`summary: ${summary}`);
console.log(
  `whole-stack elastic alignment, ${Z} sections of ${S}², --threads ${opt.threads}: ${seconds.toFixed(1)} s, ${(seconds / Z).toFixed(2)} s per section; peak RSS ${peak ? `${(Number(peak[1]) / 1024).toFixed(0)} MiB` : "n/a (no /usr/bin/time)"}; stack size ${((Z * S * S) / 2 ** 20).toFixed(0)} MiB (uint8)`,
);
if (!opt.keep) rmSync(dir, { recursive: true, force: true });
else console.log(`kept ${dir}`);

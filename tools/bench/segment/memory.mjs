#!/usr/bin/env node
// Peak memory of a blockwise segmentation (fragments → graph → agglomerate → relabel), all steps in
// one child process, one block after another, as `segmentBlockwise` runs them. Input: neuroproof sample 2's grayscale tiled to
// size³ (inverted: membranes high), blocks of (size/4)³, context 8, affinity watershed, threshold 0.5.
//
//   node tools/bench/segment/memory.mjs [--size 512]      (after `cd packages/segment && npx tsup`)
//
// Also called by tools/bench/segment/run.mjs (--memory-size). The peak is the child's maximum
// resident set size from the kernel (getrusage ru_maxrss, the figure `/usr/bin/time -v` prints; that
// tool's figure is printed too when it is installed), so it covers everything: zarr I/O, the block
// steps, the out-of-core agglomeration and its files' page cache excluded.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

/** Goal of issue 9: peak RSS of the 512³ / 128³ run. */
const GOAL_MB = 1500;

/**
 * Build the input, run the blockwise segmentation in a child, print its per-step times and memory
 * high-water marks and the peak RSS (with the goal for 512³). Returns the child's report.
 */
export async function memoryBench({ size, root, work, gray }) {
  const M = size;
  if (M % 4 !== 0) throw new Error(`--memory-size must be a multiple of 4, got ${M}`);
  const volumeDist = join(root, "packages/volume/dist/index.js");
  const segmentDist = join(root, "packages/segment/dist/index.js");
  const { createVolume, Box } = await import(volumeDist);
  console.log(`\n# peak memory: blockwise segmentation of a ${M}³ volume in ${M / 4}³ blocks (one process)`);
  const big = new Uint8Array(M * M * M);
  for (let z = 0; z < M; z++)
    for (let y = 0; y < M; y++)
      for (let x = 0; x < M; x++)
        big[(z * M + y) * M + x] = gray[((z % 250) * 250 + (y % 250)) * 250 + (x % 250)];
  const input = join(work, "big.zarr");
  await (
    await createVolume(input, {
      shape: [M, M, M],
      chunks: [M / 4, M / 4, M / 4],
      dtype: "uint8",
      overwrite: true,
    })
  ).write(Box.fromShape([M, M, M]), big);
  const config = {
    boundaries: input,
    fragments: join(work, "big-fragments.zarr"),
    graph: join(work, "big-graph"),
    segmentation: join(work, "big-seg.zarr"),
    blockShape: [M / 4, M / 4, M / 4],
    context: 8,
    boundary: { invert: true },
    fragmentsOptions: { method: "affinity" },
    agglomerate: { thresholds: [0.5] },
  };
  // the child runs the steps of segmentBlockwise one after another (the same calls in the same
  // order) and reports, after each, its time and the RSS high-water mark so far
  const script = `const S = await import(${JSON.stringify(segmentDist)});
const run = S.parseRun(${JSON.stringify(config)});
const t0 = performance.now();
const steps = {};
let t = t0;
const done = (step) => {
  steps[step] = { seconds: (performance.now() - t) / 1000, maxRssMB: process.resourceUsage().maxRSS / 1024 };
  t = performance.now();
};
const grid = await S.prepareRun(run);
let fragments = 0;
for (let id = 0; id < grid.count; id++) fragments += (await S.runFragmentsBlock(run, id)).count;
done("fragments");
for (let id = 0; id < grid.count; id++) await S.runGraphBlock(run, id);
done("graph");
const agg = await S.agglomerateRun(run);
done("agglomerate");
for (let id = 0; id < grid.count; id++) await S.runRelabelBlock(run, id);
done("relabel");
console.log(JSON.stringify({ blocks: grid.count, fragments, joined: agg.fragments, edges: agg.edges, segments: agg.segments[0], steps, seconds: (performance.now() - t0) / 1000, maxRssMB: process.resourceUsage().maxRSS / 1024 }));`;
  const timeTool = existsSync("/usr/bin/time") ? "/usr/bin/time" : undefined;
  const command = timeTool ?? process.execPath;
  const argv = ["--input-type=module", "-e", script];
  const child = spawnSync(command, timeTool ? ["-f", "maxrss_kb=%M", process.execPath, ...argv] : argv, {
    encoding: "utf8",
    maxBuffer: 16 << 20,
  });
  if (child.status !== 0) throw new Error(`memory bench child failed: ${child.stderr}`);
  const r = JSON.parse(child.stdout.trim().split("\n").pop());
  const timeKb = /maxrss_kb=(\d+)/.exec(child.stderr ?? "")?.[1];
  for (const [step, s] of Object.entries(r.steps)) {
    console.log(
      `  ${step.padEnd(12)} ${s.seconds.toFixed(1).padStart(6)} s   RSS high-water mark ${s.maxRssMB.toFixed(0)} MB`,
    );
  }
  const goal =
    M === 512
      ? `   goal ≤ ${GOAL_MB} MB (issue 9): ${r.maxRssMB <= GOAL_MB ? "met" : "NOT met"}`
      : "   (the goal is stated for --memory-size 512)";
  console.log(
    `blockwise ${M}³ (${r.blocks} blocks): ${r.seconds.toFixed(1)} s, ${r.fragments} fragments, ${r.edges} merged edges → ${r.segments} segments`,
  );
  console.log(
    `peak RSS ${r.maxRssMB.toFixed(0)} MB (getrusage)${timeKb ? `, ${(Number(timeKb) / 1024).toFixed(0)} MB (/usr/bin/time)` : ""}${goal}`,
  );
  console.log(`  one u32 copy of the volume would be ${((M * M * M * 4) / 2 ** 20).toFixed(0)} MB`);
  return { ...r, timeMaxRssMB: timeKb ? Number(timeKb) / 1024 : undefined };
}

// standalone: node tools/bench/segment/memory.mjs [--size 512]
if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const i = args.indexOf("--size");
  const size = i >= 0 ? Number(args[i + 1]) : 512;
  const root = resolve(import.meta.dirname, "../../..");
  const shared = process.env.TESSERA_SHARED_DATA ?? resolve(root, "../shared/data");
  const npDir = join(shared, "em/neuroproof-sample2");
  if (!existsSync(npDir)) {
    console.log(`shared data missing (${npDir}): nothing to bench`);
    process.exit(1);
  }
  const { importStack } = await import(join(root, "packages/volume/dist/index.js"));
  const work = mkdtempSync(join(tmpdir(), "tessera-bench-segment-memory-"));
  try {
    const gray = (await (await importStack(join(npDir, "grayscale"), join(work, "gray.zarr"))).read()).data;
    await memoryBench({ size, root, work, gray });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

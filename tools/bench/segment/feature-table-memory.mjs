#!/usr/bin/env node
// Peak memory of the learned agglomeration's engine on a large edge-feature table: the growth of the
// process's peak resident set size (getrusage maxRSS) across `agglomerateFeatureTable`, merging a copy
// of the table (the default) and merging the table in place (what `agglomerateWithModel` and the
// blockwise run's global step do), each in its own child process, twice, alternating.
// Input: an N³ volume of 2×2×2-voxel fragments (random boundary values, higher on the faces of the
// 8×8×8 ground-truth cubes), a 20-tree model trained on a 32³ crop of it, threshold 0.5.
//
//   node tools/bench/segment/feature-table-memory.mjs [N = 128]   (after the build)
import { spawnSync } from "node:child_process";
import { join, resolve } from "node:path";

const S = await import(join(resolve(import.meta.dirname, "../../.."), "packages/segment/dist/index.js"));
const child = ["copy", "inplace"].includes(process.argv[2]);
const mode = child ? process.argv[2] : undefined;
const N = Number(child ? process.argv[3] : (process.argv[2] ?? 128));
if (!mode) {
  for (const m of ["copy", "inplace", "copy", "inplace"]) {
    const r = spawnSync(process.execPath, [import.meta.filename, m, String(N)], { encoding: "utf8" });
    process.stdout.write(r.stdout + r.stderr);
  }
  process.exit(0);
}
// fragments: 2×2×2 cubes with a random boundary value per voxel; gt: 8×8×8 cubes
const shape = [N, N, N];
const n = N * N * N;
const fragments = new Uint32Array(n);
const gt = new Uint32Array(n);
const boundaries = new Float32Array(n);
let seed = 1;
const rnd = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
const h = N / 2;
const g = N / 8;
for (let z = 0; z < N; z++)
  for (let y = 0; y < N; y++)
    for (let x = 0; x < N; x++) {
      const i = (z * N + y) * N + x;
      fragments[i] = 1 + ((z >> 1) * h + (y >> 1)) * h + (x >> 1);
      gt[i] = 1 + ((z >> 3) * g + (y >> 3)) * g + (x >> 3);
      const edge = x % 8 === 0 || y % 8 === 0 || z % 8 === 0;
      boundaries[i] = edge ? 0.6 + 0.4 * rnd() : 0.5 * rnd();
    }
// a model from a small crop (same features)
const c = 32;
const crop = (a) => {
  const o = new a.constructor(c * c * c);
  for (let z = 0; z < c; z++)
    for (let y = 0; y < c; y++) o.set(a.subarray((z * N + y) * N, (z * N + y) * N + c), (z * c + y) * c);
  return o;
};
const { model } = S.learnAgglomeration(crop(fragments), crop(boundaries), crop(gt), [c, c, c], {
  classifier: { trees: 20 },
});
const table = S.edgeFeatures(fragments, boundaries, shape);
const before = process.resourceUsage().maxRSS;
const t0 = performance.now();
const result = S.agglomerateFeatureTable(table, model, [0.5], undefined, { inPlace: mode === "inplace" });
const ms = performance.now() - t0;
const after = process.resourceUsage().maxRSS;
console.log(
  `${mode.padEnd(8)} ${table.edges} edges, ${table.regions} regions: peak RSS before ${(before / 1024).toFixed(0)} MB, after ${(after / 1024).toFixed(0)} MB (+${((after - before) / 1024).toFixed(0)} MB), ${result.merges[0]} merges, ${ms.toFixed(0)} ms`,
);

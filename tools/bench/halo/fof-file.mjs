#!/usr/bin/env node
// Peak memory of blockwise FOF over a GenericIO file larger than the block budget, through the
// command line as workflow tasks would run it: `tessera halo fof` on the whole box against
// `fof plan` + one `fof block --id N` process per block + `fof merge`, each process's peak RSS
// measured by GNU time; the two runs' outputs compared byte for byte.
// Particles: half uniform, half in seeded Gaussian clumps (σ = 0.2 Mpc/h, 20–400 members), written by
// our GenericIO writer in 8 ranks (so a block task reads one rank at a time).
// Usage: node tools/bench/halo/fof-file.mjs [--particles 8e6] [--blocks 4] [--box 256]   (build first)
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "../../..");
const { values: opt } = parseArgs({
  options: {
    particles: { type: "string", default: "8e6" },
    blocks: { type: "string", default: "4" },
    box: { type: "string", default: "256" },
  },
});
const N = Math.round(Number(opt.particles));
const L = Number(opt.box);
const halo = await import(join(root, "packages/halo/dist/index.js"));
const bin = join(root, "packages/halo/dist/bin.js");
const work = mkdtempSync(join(tmpdir(), "tessera-fof-file-"));

// seeded particles
let s = 0x9e3779b9;
const random = () => {
  s ^= s << 13;
  s ^= s >>> 17;
  s ^= s << 5;
  return (s >>> 0) / 4294967296;
};
const gauss = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
const x = new Float32Array(N);
const y = new Float32Array(N);
const z = new Float32Array(N);
const wrap = (v) => {
  const w = v - L * Math.floor(v / L);
  return w >= L ? 0 : w;
};
let i = 0;
while (i < N / 2) {
  const members = Math.min(N / 2 - i, 20 + Math.floor(random() * 380));
  const [cx, cy, cz] = [random() * L, random() * L, random() * L];
  for (let k = 0; k < members; k++, i++) {
    x[i] = Math.fround(wrap(cx + 0.2 * gauss()));
    y[i] = Math.fround(wrap(cy + 0.2 * gauss()));
    z[i] = Math.fround(wrap(cz + 0.2 * gauss()));
  }
}
for (; i < N; i++) {
  x[i] = Math.fround(random() * L);
  y[i] = Math.fround(random() * L);
  z[i] = Math.fround(random() * L);
}
const ranks = [];
const per = Math.ceil(N / 8);
for (let r = 0; r < 8; r++) {
  const a = r * per;
  const b = Math.min(N, a + per);
  const id = new BigInt64Array(b - a);
  for (let k = 0; k < id.length; k++) id[k] = BigInt(a + k);
  ranks.push({ columns: { x: x.subarray(a, b), y: y.subarray(a, b), z: z.subarray(a, b), id } });
}
const file = join(work, "particles.gio");
await halo.writeGenericIO(file, {
  variables: [
    { name: "x", type: "f32" },
    { name: "y", type: "f32" },
    { name: "z", type: "f32" },
    { name: "id", type: "i64" },
  ],
  ranks,
  physScale: [L, L, L],
});
const fileMiB = statSync(file).size / 2 ** 20;

function timed(args) {
  const r = spawnSync(
    "/usr/bin/time",
    ["-f", "maxrss_kb=%M elapsed=%e", process.execPath, bin, "halo", ...args],
    {
      encoding: "utf8",
      maxBuffer: 1 << 26,
    },
  );
  if (r.status !== 0) throw new Error(`halo ${args.join(" ")} failed: ${r.stderr.slice(-2000)}`);
  return {
    peakMiB: Number(/maxrss_kb=(\d+)/.exec(r.stderr)[1]) / 1024,
    seconds: Number(/elapsed=([\d.]+)/.exec(r.stderr)[1]),
  };
}
const common = ["--box", String(L), "--particle-mass", "1e10"];
const whole = timed(["fof", "-i", file, "-o", join(work, "whole.gio"), ...common]);
const B = Number(opt.blocks);
const wd = join(work, "blocks");
const plan = timed(["fof", "plan", "-w", wd, "-i", file, "--blocks", `${B},${B},${B}`, ...common]);
let blockPeak = 0;
let blockSeconds = 0;
for (let id = 0; id < B ** 3; id++) {
  const r = timed(["fof", "block", "-w", wd, "--id", String(id)]);
  blockPeak = Math.max(blockPeak, r.peakMiB);
  blockSeconds += r.seconds;
}
const merge = timed(["fof", "merge", "-w", wd, "-o", join(work, "blockwise.gio")]);
const same = (a, b) => Buffer.compare(readFileSync(join(work, a)), readFileSync(join(work, b))) === 0;
const tagsSame = same("whole.tags.gio", "blockwise.tags.gio");
const catalogSame = same("whole.gio", "blockwise.gio");
const idle = timed(["--help"]);
console.log(
  `blockwise FOF over a GenericIO file: ${N.toLocaleString()} particles, box ${L} Mpc/h, ${fileMiB.toFixed(0)} MiB file, ${B}³ blocks`,
);
console.log("step | peak RSS (MiB) | seconds");
console.log(`whole box \`fof\` | ${whole.peakMiB.toFixed(0)} | ${whole.seconds.toFixed(1)}`);
console.log(`\`fof plan\` | ${plan.peakMiB.toFixed(0)} | ${plan.seconds.toFixed(1)}`);
console.log(
  `\`fof block\` (largest of ${B ** 3} processes; total time) | ${blockPeak.toFixed(0)} | ${blockSeconds.toFixed(1)}`,
);
console.log(
  `\`fof merge\` (block files only: closed halos' rows, crossing halos' particles) | ${merge.peakMiB.toFixed(0)} | ${merge.seconds.toFixed(1)}`,
);
console.log(`node + halo CLI, idle (--help) | ${idle.peakMiB.toFixed(0)} | ${idle.seconds.toFixed(1)}`);
console.log(`outputs identical: tags ${tagsSame}, catalog ${catalogSame}`);
rmSync(work, { recursive: true, force: true });
if (!tagsSame || !catalogSame) process.exit(1);

#!/usr/bin/env node
// Membrane prediction throughput, side by side on the wasm backend (the default, with the kernels this
// package registers) and TensorFlow.js's cpu backend, in one run on the same inputs:
//   inference: every shipped model over a crop of shared data (ISBI 2012 for 2-D models, gala's
//              train-image for 3-D), voxels per second, median of the rounds;
//   flips:     each boundary model with and without test-time flips (--flips), on wasm;
//   training:  one step of each shipped model's architecture on its training patch size,
//              voxels per second per step (patch voxels × batch / step time), median of the rounds.
// Usage: node tools/bench/membrane/run.mjs [--rounds 3] [--skip-training]   (build first)
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "../../..");
const { values: opt } = parseArgs({
  options: { rounds: { type: "string", default: "3" }, "skip-training": { type: "boolean", default: false } },
});
const ROUNDS = Number(opt.rounds);
const membrane = await import(join(root, "packages/membrane/dist/index.js"));
const volume = await import(join(root, "packages/volume/dist/index.js"));
const data = resolve(process.env.TESSERA_SHARED_DATA ?? join(root, "../shared/data"), "em");
const modelsDir = join(root, "packages/membrane/models");
const names = existsSync(modelsDir)
  ? readdirSync(modelsDir).filter((n) => existsSync(join(modelsDir, n, "model.json")))
  : [];
if (names.length === 0) throw new Error(`no shipped models in ${modelsDir}`);

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (v) => (v >= 1e6 ? `${(v / 1e6).toFixed(2)} M` : `${(v / 1e3).toFixed(1)} k`);

// inputs: a 1 × 256 × 256 crop of ISBI section 20 (2-D), a 16 × 96 × 96 crop of gala (3-D)
async function input(dims) {
  if (dims === 2) {
    const img = await volume.readPng(join(data, "isbi2012/image/20.png"));
    const out = new Float32Array(256 * 256);
    for (let y = 0; y < 256; y++) for (let x = 0; x < 256; x++) out[y * 256 + x] = img.data[y * 512 + x];
    return { raw: out, shape: [1, 256, 256], what: "ISBI 2012 section 20, 256² crop" };
  }
  const v = await volume.openVolume(join(data, "gala/zarr/train-image.zarr"));
  const a = await v.read(new volume.Box([30, 0, 0], [46, 96, 96]));
  return { raw: Float32Array.from(a.data), shape: [16, 96, 96], what: "gala train-image z 30–45, 96² crop" };
}

async function timeInference(name, backend, x, flips = false) {
  await membrane.useBackend(backend);
  const m = await membrane.loadModel(join(modelsDir, name));
  membrane.predictArray(m, x.raw, x.shape, { flips }); // warm-up (kernel setup, weight upload)
  const times = [];
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = performance.now();
    membrane.predictArray(m, x.raw, x.shape, { flips });
    times.push((performance.now() - t0) / 1000);
  }
  m.model.dispose();
  return median(times);
}

async function timeTraining(name, backend) {
  await membrane.useBackend(backend);
  const saved = JSON.parse(readFileSync(join(modelsDir, name, "metadata.json"), "utf8"));
  const config = saved.unet;
  const patch = saved.training?.settings?.patch ?? (config.dims === 2 ? [1, 192, 192] : [16, 64, 64]);
  const batch = saved.training?.settings?.batch ?? 4;
  const shape = patch.map((p, a) => (a === 0 && config.dims === 2 ? 1 : p * 2));
  const n = shape[0] * shape[1] * shape[2];
  const raw = Float32Array.from({ length: n }, (_, i) => (Math.sin(i * 0.37) + 1) * 100);
  const labels = Uint32Array.from({ length: n }, (_, i) => 1 + ((i >> 4) % 7));
  const m = {
    model: membrane.buildUNet(config),
    metadata: {
      format: "tessera-membrane-model",
      version: 1,
      unet: config,
      normalisation: { mean: 100, std: 70 },
    },
  };
  const volumes = [{ raw, labels, shape }];
  await membrane.trainModel(m, volumes, { patch, batch, stepsPerEpoch: 1, epochs: 1, seed: 1 }); // warm-up
  const times = [];
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = performance.now();
    await membrane.trainModel(m, volumes, { patch, batch, stepsPerEpoch: 1, epochs: 1, seed: r + 2 });
    times.push((performance.now() - t0) / 1000);
  }
  m.model.dispose();
  return { seconds: median(times), voxels: patch[0] * patch[1] * patch[2] * batch, patch, batch };
}

console.log(`membrane bench: ${availableParallelism()} cores, ${ROUNDS} rounds, medians`);
console.log("\ninference (same input on both backends)");
console.log("model | input | wasm s | cpu s | wasm voxels/s | cpu voxels/s | wasm / cpu");
for (const name of names) {
  const meta = JSON.parse(readFileSync(join(modelsDir, name, "metadata.json"), "utf8"));
  const x = await input(meta.unet.dims);
  const voxels = x.shape[0] * x.shape[1] * x.shape[2];
  const wasm = await timeInference(name, "wasm", x);
  const cpu = await timeInference(name, "cpu", x);
  console.log(
    `${name} | ${x.what} | ${wasm.toFixed(3)} | ${cpu.toFixed(3)} | ${fmt(voxels / wasm)} | ${fmt(voxels / cpu)} | ${(cpu / wasm).toFixed(1)}×`,
  );
}
console.log("\ntest-time flips on wasm (same input; 8 network calls per tile for 3-D models, 4 for 2-D)");
console.log("model | plain s | --flips s | --flips / plain");
for (const name of names) {
  const meta = JSON.parse(readFileSync(join(modelsDir, name, "metadata.json"), "utf8"));
  if (meta.unet.output !== "boundaries") continue;
  const x = await input(meta.unet.dims);
  const plain = await timeInference(name, "wasm", x);
  const flipped = await timeInference(name, "wasm", x, true);
  console.log(`${name} | ${plain.toFixed(3)} | ${flipped.toFixed(3)} | ${(flipped / plain).toFixed(1)}×`);
}
if (!opt["skip-training"]) {
  console.log("\ntraining (one Adam step of the model's architecture, its patch and batch)");
  console.log("model | patch × batch | wasm s/step | cpu s/step | wasm voxels/s | cpu voxels/s | wasm / cpu");
  for (const name of names) {
    const wasm = await timeTraining(name, "wasm");
    const cpu = await timeTraining(name, "cpu");
    console.log(
      `${name} | ${wasm.patch.join("×")} × ${wasm.batch} | ${wasm.seconds.toFixed(2)} | ${cpu.seconds.toFixed(2)} | ${fmt(wasm.voxels / wasm.seconds)} | ${fmt(cpu.voxels / cpu.seconds)} | ${(cpu.seconds / wasm.seconds).toFixed(1)}×`,
    );
  }
}

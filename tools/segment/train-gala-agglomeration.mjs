// Train the shipped agglomeration model `gala` (packages/segment/models/gala.json): the edge
// classifier of `tessera segment agglomerate-with-model --model gala`, learned on the whole gala
// train volume (../shared/data/em/gala: train-p1 boundaries, train-gt) with the fragments the default
// pipeline makes (`fragmentsFromBoundaries` with its defaults), 3 replay epochs, 100 trees, seed 0.
// No raw image: the default pipeline has none. Run after the build: node tools/segment/train-gala-agglomeration.mjs
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(fileURLToPath(import.meta.url), "..", "..", "..");
const S = await import(join(root, "packages/segment/dist/index.js"));
const V = await import(join(root, "packages/volume/dist/index.js"));
const data = join(process.env.TESSERA_SHARED ?? join(root, "..", "shared"), "data", "em", "gala");
const read = (name) => V.readHdf5Dataset(join(data, `${name}.h5`), "stack");
const [p1, gt] = await Promise.all([read("train-p1"), read("train-gt")]);
const shape = p1.shape;
const boundaries = Float32Array.from(p1.data);
const fragments = S.fragmentsFromBoundaries(boundaries, shape, S.fragmentsOptionsSchema.parse({})).fragments;
const started = performance.now();
const { model } = S.learnAgglomeration(fragments, boundaries, Uint32Array.from(gt.data), shape, {
  epochs: 3,
  classifier: { trees: 100, seed: 0, minSamplesLeaf: 5 },
  date: new Date().toISOString().slice(0, 10),
});
const sha = (name) =>
  createHash("sha256")
    .update(readFileSync(join(data, `${name}.h5`)))
    .digest("hex");
model.provenance.training = {
  data: ["train-p1.h5", "train-gt.h5"].map((file) => ({
    file: `em/gala/${file}`,
    sha256: sha(file.slice(0, -3)),
  })),
  fragments: "fragmentsFromBoundaries(train-p1, defaults)",
  script: "tools/segment/train-gala-agglomeration.mjs",
};
const out = join(root, "packages/segment/models/gala.json");
writeFileSync(out, `${JSON.stringify(model)}\n`);
console.log(
  JSON.stringify({
    out,
    seconds: (performance.now() - started) / 1000,
    bytes: readFileSync(out).length,
    ...model.provenance,
  }),
);

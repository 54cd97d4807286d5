// `tessera-segment agglomerate --model` and `run --model` (the built binary): blockwise learned
// agglomeration by merge probability, from the command line and from a run config, and the typed
// errors for a missing or unusable model.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "@tessera/testkit";
import { Box, createVolume, openVolume } from "@tessera/volume";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { agglomerationPhantom } from "../test/agglomeration-phantom.js";
import { assertFreshBinary, segmentBin, writePhantom } from "../test/cli.js";
import { readEdgeFeaturesFile } from "./edge-features-file.js";
import { learnAgglomeration } from "./learn-agglomeration.js";

const tmp = tempDir();
afterAll(tmp.cleanup);
let boundaries: string;
let modelPath: string;
const GRID = ["--block-shape", "8,32,32", "--context", "4", "--mode", "2d", "--min-seed-distance", "3"];
/**
 * The models here are trained on the agglomeration phantom and applied to the CLI phantom, whose
 * fragments (seeded watershed, 2-d) mostly touch inside cells: their contact percentiles (about
 * 0.02, 0.02, 0.98) are far from the training ones (about 0.33, 0.92, 0.98), so each application
 * warns, once, naming the model file; nothing else is written on stderr.
 */
const modelWarning = (file: string) =>
  new RegExp(
    `^tessera: warning: model [^\\n]*${file.replace(".", "\\.")}: the boundary values on the fragments' contacts [^\\n]* differ from the model's training data[^\\n]*\\n$`,
  );

beforeAll(async () => {
  assertFreshBinary();
  ({ boundaries } = await writePhantom(tmp.path));
  const train = agglomerationPhantom(1);
  const { model } = learnAgglomeration(train.fragments, train.boundaries, train.gt, train.shape, {
    date: "2026-01-01T00:00:00.000Z",
    classifier: { trees: 10 },
  });
  modelPath = join(tmp.path, "model.json");
  writeFileSync(modelPath, JSON.stringify(model));
  // a raw image for the run (dark membranes) and a model trained with one
  const b = (await (await openVolume(boundaries)).read()).data as Uint8Array;
  const volume = await openVolume(boundaries);
  const raw = await createVolume(join(tmp.path, "raw.zarr"), {
    shape: volume.shape,
    chunks: [8, 32, 32],
    dtype: "uint8",
  });
  await raw.write(
    Box.fromShape(volume.shape),
    Uint8Array.from(b, (v) => 255 - v),
  );
  const rawModel = learnAgglomeration(train.fragments, train.boundaries, train.gt, train.shape, {
    date: "2026-01-01T00:00:00.000Z",
    raw: Uint8Array.from(train.boundaries, (v) => Math.round(255 * (1 - v))),
    classifier: { trees: 10 },
  }).model;
  writeFileSync(join(tmp.path, "raw-model.json"), JSON.stringify(rawModel));
});

describe("tessera-segment agglomerate --model", () => {
  it("agglomerates blockwise by merge probability; relabel works unchanged", () => {
    const out = join(tmp.path, "run1");
    const base = ["--boundaries", boundaries, "--out", out, ...GRID];
    const fragments = segmentBin(["fragments", ...base], tmp.path);
    expect(fragments.stderr).toBe("");
    expect(fragments.status).toBe(0);
    const agglomerate = segmentBin(
      [
        "agglomerate",
        ...base,
        "--model",
        "model.json",
        "--thresholds",
        "0.3,0.5",
        "--save-config",
        "run1.json",
      ],
      tmp.path,
    );
    expect(agglomerate.stderr).toMatch(modelWarning("model.json"));
    expect(agglomerate.status).toBe(0);
    for (let id = 0; id < 8; id++) expect(existsSync(join(out, "graph", `block-${id}.features`))).toBe(true);
    const done = JSON.parse(readFileSync(join(out, "graph", "agglomeration.json"), "utf8"));
    expect(done.model).toBe(modelPath);
    expect(done.thresholds).toEqual([0.3, 0.5]);
    expect(done.segments[0]).toBeLessThanOrEqual(done.segments[1]);
    expect(done.segments[1]).toBeLessThanOrEqual(done.fragments);
    // the saved config records the model; relabel reads only the lookup
    const saved = JSON.parse(readFileSync(join(tmp.path, "run1.json"), "utf8"));
    expect(saved.agglomerate).toMatchObject({ model: modelPath, thresholds: [0.3, 0.5] });
    const relabel = segmentBin(["relabel", "--config", "run1.json", "--threshold-index", "1"], tmp.path);
    expect(relabel.stderr).toBe("");
    expect(relabel.status).toBe(0);
    expect(existsSync(join(out, "segmentation.zarr"))).toBe(true);
  });

  it("takes the model from a run config (relative to the config's folder) and run --model takes a shipped one", () => {
    const out = join(tmp.path, "run2");
    const config = join(tmp.path, "run2.json");
    writeFileSync(
      config,
      JSON.stringify({
        boundaries,
        fragments: "run2/fragments.zarr",
        graph: "run2/graph",
        segmentation: "run2/segmentation.zarr",
        blockShape: [8, 32, 32],
        context: 4,
        fragmentsOptions: { mode: "2d", minSeedDistance: 3 },
        agglomerate: { model: "model.json" },
      }),
    );
    const run = segmentBin(["run", "--config", config], "/");
    expect(run.stderr).toMatch(modelWarning("model.json"));
    expect(run.status).toBe(0);
    expect(JSON.parse(readFileSync(join(out, "graph", "agglomeration.json"), "utf8")).model).toBe(modelPath);
    const shipped = segmentBin(["run", "--config", config, "--model", "gala", "--overwrite"], tmp.path);
    expect(shipped.stderr).toMatch(modelWarning("gala.json"));
    expect(shipped.status).toBe(0);
    expect(JSON.parse(readFileSync(join(out, "graph", "agglomeration.json"), "utf8")).model).toMatch(
      /models\/gala\.json$/,
    );
  });

  it("applies a model trained with a raw image given --raw (or agglomerate.raw), and refuses it without", async () => {
    const out = join(tmp.path, "run4");
    const base = ["--boundaries", boundaries, "--out", out, ...GRID, "--model", "raw-model.json"];
    const refused = segmentBin(["run", ...base], tmp.path);
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toMatch(/trained with a raw image: set agglomerate\.raw \(--raw\)/);
    expect(existsSync(join(out, "graph", "block-0.features"))).toBe(false);
    const run = segmentBin(["run", ...base, "--raw", "raw.zarr", "--save-config", "run4.json"], tmp.path);
    expect(run.stderr).toMatch(modelWarning("raw-model.json"));
    expect(run.status).toBe(0);
    const features = await readEdgeFeaturesFile(join(out, "graph", "block-0.features"));
    expect(features.rawRange).toEqual([0, 255]);
    expect(features.raw?.count.length).toBe(features.edges);
    const saved = JSON.parse(readFileSync(join(tmp.path, "run4.json"), "utf8"));
    expect(saved.agglomerate.raw).toBe(join(tmp.path, "raw.zarr"));
    // a config's agglomerate.raw is relative to the config's folder
    const config = join(tmp.path, "run5.json");
    writeFileSync(
      config,
      JSON.stringify({
        ...saved,
        graph: "run5/graph",
        agglomerate: { model: "raw-model.json", raw: "raw.zarr" },
      }),
    );
    const again = segmentBin(["run", "--config", config, "--overwrite"], "/");
    expect(again.stderr).toMatch(modelWarning("raw-model.json"));
    expect(again.status).toBe(0);
    expect(existsSync(join(tmp.path, "run5", "graph", "block-0.features"))).toBe(true);
  });

  it("refuses a missing or unusable model with a typed error naming the file, before writing", () => {
    const out = join(tmp.path, "run3");
    const base = ["--boundaries", boundaries, "--out", out, ...GRID];
    expect(segmentBin(["fragments", ...base], tmp.path).status).toBe(0);
    const missing = segmentBin(["agglomerate", ...base, "--model", "missing.json"], tmp.path);
    expect(missing.status).not.toBe(0);
    expect(missing.stderr).toMatch(/PathNotFoundError: the model file does not exist/);
    expect(missing.stderr).toContain(join(tmp.path, "missing.json"));
    expect(existsSync(join(out, "graph", "block-0.graph"))).toBe(false);
    const foreign = join(tmp.path, "foreign.json");
    writeFileSync(foreign, JSON.stringify({ format: "something else" }));
    const bad = segmentBin(["agglomerate", ...base, "--model", foreign], tmp.path);
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/not a tessera agglomeration model/);
    expect(bad.stderr).toContain(foreign);
    expect(bad.stderr).not.toMatch(/\n\s+at /);
  });
});

// tessera membrane train / predict end to end on phantom zarr volumes, through runCli (exit codes).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { runCli } from "@tessera/cli";
import { emPhantom } from "@tessera/phantom";
import { captureOutput, runPython, tempDir } from "@tessera/testkit";
import { Box, createVolume, exportSlicesPng, openVolume } from "@tessera/volume";
import { Command } from "commander";
import { afterAll, describe, expect, it } from "vitest";
import { membraneCommand } from "./cli.js";
import { loadModel } from "./model-io.js";
import { predictArray } from "./predict.js";

const dir = tempDir("tessera-membrane-cli-");
afterAll(() => dir.cleanup());

async function membrane(args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  return captureOutput(() =>
    runCli(new Command("tessera").addCommand(membraneCommand()), ["node", "tessera", "membrane", ...args]),
  );
}

async function phantomZarrs(name: string, shape: [number, number, number], seed: number) {
  const p = emPhantom({ shape, seed });
  const raw = await createVolume(join(dir.path, `${name}-raw.zarr`), {
    shape,
    chunks: [1, 64, 64],
    dtype: "uint8",
    attrs: { resolution: [40, 8, 8] },
  });
  await raw.write(Box.fromShape(shape), p.image);
  const labels = await createVolume(join(dir.path, `${name}-gt.zarr`), {
    shape,
    chunks: [1, 64, 64],
    dtype: "uint32",
  });
  await labels.write(
    Box.fromShape(shape),
    Uint32Array.from(p.labels, (l, i) => (p.boundaries[i] ? 0 : l)),
  );
  return { raw: raw.path, labels: labels.path, boundaries: p.boundaries };
}

describe("tessera membrane", () => {
  it("trains a small model on phantom data, then predicts boundaries python zarr reads, better than chance", async () => {
    const train = await phantomZarrs("train", [6, 96, 96], 1);
    const held = await phantomZarrs("held", [2, 96, 96], 2);
    const model = join(dir.path, "model");
    const t = await membrane([
      "train",
      "--raw",
      train.raw,
      "--labels",
      train.labels,
      "--validation-raw",
      held.raw,
      "--validation-labels",
      held.labels,
      "--model-out",
      model,
      "--depth",
      "2",
      "--features",
      "8",
      "--epochs",
      "3",
      "--steps",
      "25",
      "--patch",
      "1,64,64",
      "--seed",
      "3",
      "--learning-rate",
      "0.003",
    ]);
    expect(t.status, t.stderr).toBe(0);
    const metadata = JSON.parse(readFileSync(join(model, "metadata.json"), "utf8"));
    expect(metadata.metrics.pixelError).toBeLessThan(0.1);
    const output = join(dir.path, "boundaries.zarr");
    const p = await membrane(["predict", "-i", held.raw, "-o", output, "-m", model, "--block", "1,48,48"]);
    expect(p.status, p.stderr).toBe(0);
    expect(JSON.parse(p.stdout.trim().split("\n").at(-1) as string)).toMatchObject({
      output,
      backend: "wasm",
      kind: "boundaries",
    });
    // python zarr reads the prediction; its error against the phantom's true membranes is scored there
    const truth = join(dir.path, "truth.u8");
    const { writeFileSync } = await import("node:fs");
    writeFileSync(truth, held.boundaries);
    const scored = runPython(
      `import sys, zarr, numpy as np
a = zarr.open(sys.argv[1], mode="r")
t = np.fromfile(sys.argv[2], dtype=np.uint8).reshape(a.shape)
print(a.dtype, list(a.attrs["resolution"]), float(np.mean((a[:] >= 0.5) != (t > 0))))`,
      [output, truth],
    )
      .trim()
      .split(" ");
    expect(scored[0]).toBe("float32");
    expect(Number(scored.at(-1))).toBeLessThan(0.1);
    // an existing output is refused without --overwrite
    const again = await membrane(["predict", "-i", held.raw, "-o", output, "-m", model]);
    expect(again.status).toBe(2);
    expect(again.stderr).toMatch(/exists/);
    // --flips: the mean over the mirror images, as predictArray gives it with flips
    const flippedPath = join(dir.path, "flipped.zarr");
    const f = await membrane(["predict", "-i", held.raw, "-o", flippedPath, "-m", model, "--flips"]);
    expect(f.status, f.stderr).toBe(0);
    expect(JSON.parse(f.stdout.trim().split("\n").at(-1) as string)).toMatchObject({ flips: true });
    const heldRaw = (await (await openVolume(held.raw)).read()).data as Uint8Array;
    const expected = predictArray(await loadModel(model), heldRaw, [2, 96, 96], { flips: true });
    const flipped = (await (await openVolume(flippedPath)).read()).data as Float32Array;
    let worst = 0;
    for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(expected[i] - flipped[i]));
    expect(worst).toBeLessThan(1e-5);
  });

  it("refuses bad input with exit 2 and a message naming the problem", async () => {
    const small = await phantomZarrs("small", [1, 20, 20], 4);
    const model = join(dir.path, "model");
    const tooSmall = await membrane([
      "predict",
      "-i",
      small.raw,
      "-o",
      join(dir.path, "x.zarr"),
      "-m",
      model,
    ]);
    expect(tooSmall.status).toBe(2);
    expect(tooSmall.stderr).toMatch(/smaller than the network's field of view/);
    const noModel = await membrane([
      "predict",
      "-i",
      small.raw,
      "-o",
      join(dir.path, "y.zarr"),
      "-m",
      join(dir.path, "nope"),
    ]);
    expect(noModel.status).toBe(2);
    expect(noModel.stderr).toMatch(/no such model directory or shipped model/);
  });

  it("trains from a PNG folder and an HDF5 file written by h5py, z ranges picking the sections, then resumes", async () => {
    const src = await phantomZarrs("formats", [6, 64, 64], 7);
    const pngs = join(dir.path, "formats-png");
    await exportSlicesPng(await openVolume(src.raw), pngs);
    const h5 = join(dir.path, "formats-gt.h5");
    const labels = await (await openVolume(src.labels)).read();
    const raw = join(dir.path, "formats-gt.u32");
    const { writeFileSync } = await import("node:fs");
    writeFileSync(raw, labels.data as Uint32Array);
    runPython(
      `import sys, h5py, numpy as np
with h5py.File(sys.argv[2], "w") as f:
    f.create_dataset("stack", data=np.fromfile(sys.argv[1], dtype=np.uint32).reshape(6, 64, 64), compression="gzip")`,
      [raw, h5],
    );
    const model = join(dir.path, "formats-model");
    const common = ["--depth", "2", "--features", "4", "--steps", "3", "--patch", "1,32,32", "--batch", "2"];
    const t = await membrane([
      "train",
      "--raw",
      `${pngs}[0:4]`,
      "--labels",
      `${h5}:stack[0:4]`,
      "--validation-raw",
      `${pngs}[4:6]`,
      "--validation-labels",
      `${h5}:stack[4:6]`,
      "--model-out",
      model,
      "--epochs",
      "2",
      ...common,
    ]);
    expect(t.status, t.stderr).toBe(0);
    const first = JSON.parse(readFileSync(join(model, "metadata.json"), "utf8"));
    expect(first.training.raw).toEqual([`${pngs}[0:4]`]);
    const r = await membrane([
      "train",
      "--raw",
      `${pngs}[0:4]`,
      "--labels",
      `${h5}:stack[0:4]`,
      "--model-out",
      model,
      "--resume",
      "--epochs",
      "1",
      ...common,
    ]);
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout.trim().split("\n").at(-1) as string).last.epoch).toBe(3);
    expect(JSON.parse(readFileSync(join(model, "metadata.json"), "utf8")).training.epoch).toBe(3);
    // mismatched shapes and a range outside the array are refused, naming the input
    const bad = await membrane([
      "train",
      "--raw",
      `${pngs}[0:4]`,
      "--labels",
      `${h5}:stack[0:3]`,
      "--model-out",
      join(dir.path, "m2"),
      ...common,
    ]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/same shape/);
    const outside = await membrane([
      "train",
      "--raw",
      `${pngs}[0:9]`,
      "--labels",
      `${h5}:stack[0:9]`,
      "--model-out",
      join(dir.path, "m3"),
      ...common,
    ]);
    expect(outside.status).toBe(2);
    expect(outside.stderr).toMatch(/z range/);
  });
  it("--padding valid: recorded in the model's metadata; the reloaded model predicts blockwise as predictArray does", async () => {
    const train = await phantomZarrs("valid", [2, 48, 48], 9);
    const model = join(dir.path, "valid-model");
    const t = await membrane([
      "train",
      "--raw",
      train.raw,
      "--labels",
      train.labels,
      "--model-out",
      model,
      "--padding",
      "valid",
      "--depth",
      "2",
      "--features",
      "3",
      "--epochs",
      "1",
      "--steps",
      "2",
      "--batch",
      "1",
      "--patch",
      "1,41,41",
    ]);
    expect(t.status, t.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(model, "metadata.json"), "utf8")).unet.padding).toBe("valid");
    const output = join(dir.path, "valid-boundaries.zarr");
    const p = await membrane(["predict", "-i", train.raw, "-o", output, "-m", model, "--block", "1,16,16"]);
    expect(p.status, p.stderr).toBe(0);
    const m = await loadModel(model);
    const raw = await (await openVolume(train.raw)).read();
    const whole = predictArray(m, raw.data as ArrayLike<number>, [2, 48, 48]);
    const blockwise = (await (await openVolume(output)).read()).data as Float32Array;
    let worst = 0;
    for (let i = 0; i < whole.length; i++) worst = Math.max(worst, Math.abs(whole[i] - blockwise[i]));
    expect(worst).toBeLessThan(1e-5);
    const bad = await membrane([
      "train",
      "--raw",
      train.raw,
      "--labels",
      train.labels,
      "--model-out",
      join(dir.path, "v2"),
      "--padding",
      "full",
    ]);
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/padding/);
  });
});

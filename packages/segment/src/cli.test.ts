import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { emPhantom } from "@tessera/phantom";
import { tempDir } from "@tessera/testkit";
import { Box, createVolume, openVolume } from "@tessera/volume";
import { afterAll, describe, expect, it, vi } from "vitest";
import { gala } from "../test/data.js";
import { segmentCommand } from "./cli.js";
import { SegmentOptionsError } from "./errors.js";
import { evaluateSegmentation } from "./evaluate.js";

const tmp = tempDir();
afterAll(tmp.cleanup);

/** Run the command in-process; returns what it printed on stdout (parsed as JSON when it is). */
async function run(args: string[]): Promise<unknown> {
  const chunks: string[] = [];
  const spy = vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    chunks.push(String(chunk));
    return true;
  });
  const errors = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
  try {
    const command = segmentCommand();
    command.exitOverride();
    for (const sub of command.commands) {
      sub.exitOverride();
      for (const leaf of sub.commands) leaf.exitOverride();
    }
    await command.parseAsync(["node", "segment", ...args]);
  } finally {
    spy.mockRestore();
    errors.mockRestore();
  }
  const text = chunks.join("");
  return text.trim().startsWith("{") ? JSON.parse(text) : text;
}

describe("segment CLI", () => {
  it("runs fragments, agglomerate and relabel, whole-volume and per block, on a phantom", async () => {
    const phantom = emPhantom({ shape: [16, 64, 64], resolutionNm: [40, 8, 8], seed: 2 });
    const boundaries = join(tmp.path, "boundaries.zarr");
    const volume = await createVolume(boundaries, {
      shape: phantom.shape,
      chunks: [8, 32, 32],
      dtype: "uint8",
      attrs: { resolution: [40, 8, 8] },
    });
    await volume.write(
      Box.fromShape(phantom.shape),
      Uint8Array.from(phantom.boundaries, (b) => b * 255),
    );
    const config = join(tmp.path, "run.json");
    const runConfig = {
      boundaries,
      fragments: join(tmp.path, "fragments.zarr"),
      graph: join(tmp.path, "graph"),
      segmentation: join(tmp.path, "segmentation.zarr"),
      blockShape: [8, 32, 32],
      context: 4,
      fragmentsOptions: { mode: "2d", minSeedDistance: 3 },
      agglomerate: { thresholds: [0.2, 0.5] },
    };
    writeFileSync(config, JSON.stringify(runConfig));
    const fragments = (await run(["fragments", "--config", config])) as { blocks: number; fragments: number };
    expect(fragments.blocks).toBe(8);
    expect(fragments.fragments).toBeGreaterThan(phantom.cellCount);
    const one = (await run(["fragments", "block", "--id", "3", "--config", config])) as { block: number };
    expect(one.block).toBe(3);
    // the step's structured log beside the config: the whole run (8 blocks), then block 3 alone
    const log = readFileSync(join(tmp.path, "segment-fragments.log"), "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(log.map((entry) => entry.msg)).toEqual([
      "started",
      ...Array(8).fill("block done"),
      "finished",
      "started",
      "finished",
    ]);
    expect(log[9].result.fragments).toBe(fragments.fragments);
    expect(log[11].block).toBe(3);
    const agg = (await run(["agglomerate", "--config", config])) as { segments: number[] };
    expect(agg.segments).toHaveLength(2);
    expect(agg.segments[1]).toBeLessThan(fragments.fragments);
    await run(["relabel", "--config", config, "--threshold-index", "1"]);
    const seg = (await (await openVolume(runConfig.segmentation)).read()).data as Uint32Array;
    const scores = evaluateSegmentation(seg, phantom.labels);
    const fragmentScores = evaluateSegmentation(
      (await (await openVolume(runConfig.fragments)).read()).data as Uint32Array,
      phantom.labels,
    );
    expect(scores.are).toBeLessThan(fragmentScores.are);
    const evaluated = (await run(["evaluate", runConfig.segmentation, runConfig.fragments])) as {
      are: number;
    };
    expect(evaluated.are).toBeGreaterThan(0);
  });

  it("throws typed errors (for runCli to print) instead of printing them: every invalid field at once", async () => {
    const config = join(tmp.path, "bad.json");
    writeFileSync(
      config,
      JSON.stringify({ boundaries: "x", fragments: "f", graph: "g", segmentation: "s", blockShape: [1, 1] }),
    );
    const error = (await run(["fragments", "--config", config]).catch(
      (e: unknown) => e,
    )) as SegmentOptionsError;
    expect(error).toBeInstanceOf(SegmentOptionsError);
    expect(error.exitStatus).toBe(2);
    expect(error.path).toBe(config);
    expect(error.issues).toEqual([
      { field: "blockShape", expected: "array to have >=3 items", found: "[1,1]" },
    ]);
  });
});

describe.skipIf(!gala.available)("segment evaluate on gala HDF5 files", () => {
  it("prints the golden train-ws scores (README §1)", async () => {
    const scores = (await run([
      "evaluate",
      join(gala.path, "train-ws.h5"),
      join(gala.path, "train-gt.h5"),
      "--dataset",
      "stack",
    ])) as { voiSplit: number; voiMerge: number; are: number; cremiScore: number };
    expect(Math.abs(scores.voiSplit - 1.335565)).toBeLessThan(1e-4);
    expect(Math.abs(scores.voiMerge - 0.121189)).toBeLessThan(1e-4);
    expect(Math.abs(scores.are - 0.249631)).toBeLessThan(1e-4);
    expect(Math.abs(scores.cremiScore - 0.603034)).toBeLessThan(1e-4);
  });
});

// `tessera-segment run` (the built binary) on a phantom: one step from boundaries to a scored
// segmentation, its summary, its scores against Python's, its log, --save-config, and the warning
// on grayscale EM used as boundaries (real data).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pythonHas, runPython, tempDir } from "@tessera/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assertFreshBinary, segmentBin, writePhantom } from "../test/cli.js";
import { gala } from "../test/data.js";

const tmp = tempDir();
afterAll(tmp.cleanup);
let phantom: { boundaries: string; groundtruth: string };
beforeAll(async () => {
  assertFreshBinary();
  phantom = await writePhantom(tmp.path);
});
const hasPython = pythonHas("zarr", "numpy", "scipy", "skimage");

/**
 * Scores of a segmentation against ground truth, computed by Python: VOI [split, merge] in bits by
 * scikit-image, adapted Rand error by cremi_python's formula (gt label 0 left out).
 */
const PY_SCORES = `
import sys, json, zarr, numpy as np
from scipy import sparse
from skimage.metrics import variation_of_information
seg = zarr.open(sys.argv[1], "r")[:].ravel().astype(np.int64)
gt = zarr.open(sys.argv[2], "r")[:].ravel().astype(np.int64)
split, merge = variation_of_information(gt, seg, ignore_labels=(0,))
n = gt.size
p = sparse.csr_matrix((np.ones(n), (gt, seg)), shape=(gt.max() + 1, seg.max() + 1))
a = p[1:, :]; b = p[1:, 1:]; c = p[1:, 0].todense()
a_i = np.array(a.sum(1)); b_i = np.array(b.sum(0))
sumA = np.sum(a_i * a_i); sumB = np.sum(b_i * b_i) + np.sum(c) / n
sumAB = np.sum(b.multiply(b)) + np.sum(c) / n
precision, recall = sumAB / sumB, sumAB / sumA
are = 1 - 2 * precision * recall / (precision + recall)
print(json.dumps({"voiSplit": split, "voiMerge": merge, "are": are, "cremiScore": float(np.sqrt(are * (split + merge))), "segments": int(len(np.unique(seg)))}))
`;

describe.skipIf(!hasPython)("tessera-segment run", () => {
  it("segments, relabels and scores in one step; the summary's scores are Python's", () => {
    const out = join(tmp.path, "run1");
    const result = segmentBin(
      [
        "run",
        "--boundaries",
        phantom.boundaries,
        "--out",
        out,
        "--block-shape",
        "8,32,32",
        "--context",
        "4",
        "--mode",
        "2d",
        "--min-seed-distance",
        "3",
        "--thresholds",
        "0.2,0.5",
        "--threshold-index",
        "1",
        "--gt",
        phantom.groundtruth,
      ],
      tmp.path,
    );
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    const py = JSON.parse(runPython(PY_SCORES, [join(out, "segmentation.zarr"), phantom.groundtruth]));
    const lines = result.stdout.trimEnd().split("\n");
    expect(lines).toHaveLength(6);
    const head =
      /^segmented (.+) \(16×64×64\) in 8 blocks, [\d.]+ s: (\d+) fragments; segments at thresholds 0\.2, 0\.5: (\d+), (\d+)$/.exec(
        lines[0],
      );
    expect(head?.[1]).toBe(phantom.boundaries);
    expect(Number(head?.[4])).toBe(py.segments);
    expect(Number(head?.[2])).toBeGreaterThan(Number(head?.[3]));
    expect(lines.slice(1, 5)).toEqual([
      `  fragments     ${join(out, "fragments.zarr")}`,
      `  graph         ${join(out, "graph")}`,
      `  segmentation  ${join(out, "segmentation.zarr")} (threshold 0.5, ${py.segments} segments)`,
      `  log           ${join(out, "segment-run.log")}`,
    ]);
    const scores =
      /^scores against (.+): VOI split ([\d.]+), VOI merge ([\d.]+), adapted Rand error ([\d.]+), CREMI score ([\d.]+)$/.exec(
        lines[5],
      );
    expect(scores?.[1]).toBe(phantom.groundtruth);
    expect(Math.abs(Number(scores?.[2]) - py.voiSplit)).toBeLessThanOrEqual(5e-5);
    expect(Math.abs(Number(scores?.[3]) - py.voiMerge)).toBeLessThanOrEqual(5e-5);
    expect(Math.abs(Number(scores?.[4]) - py.are)).toBeLessThanOrEqual(5e-5);
    expect(Math.abs(Number(scores?.[5]) - py.cremiScore)).toBeLessThanOrEqual(5e-5);
    // the structured log: started, a line per block of each step, finished with the scores
    const log = readFileSync(join(out, "segment-run.log"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(log.map((e) => e.step ?? e.msg)).toEqual([
      "started",
      ...Array(8).fill("fragments"),
      ...Array(8).fill("graph"),
      ...Array(8).fill("relabel"),
      "finished",
    ]);
    expect(log.at(-1).result.scores.are).toBeCloseTo(py.are, 12);
  });

  it("--json prints the summary as JSON; --save-config writes a config that reproduces the run", () => {
    const first = join(tmp.path, "run2");
    const saved = join(tmp.path, "run2.json");
    const args = [
      "--boundaries",
      phantom.boundaries,
      "--block-shape",
      "8,32,32",
      "--context",
      "4",
      "--mode",
      "2d",
      "--min-seed-distance",
      "3",
      "--thresholds",
      "0.3",
    ];
    const a = segmentBin(
      ["run", ...args, "--out", first, "--save-config", saved, "--json", "--gt", phantom.groundtruth],
      tmp.path,
    );
    expect(a.stderr).toBe("");
    expect(a.status).toBe(0);
    const report = JSON.parse(a.stdout);
    expect(report).toMatchObject({ blocks: 8, thresholds: [0.3], threshold: 0.3, shape: [16, 64, 64] });
    const config = JSON.parse(readFileSync(saved, "utf8"));
    expect(config).toMatchObject({
      boundaries: phantom.boundaries,
      segmentation: join(first, "segmentation.zarr"),
      blockShape: [8, 32, 32],
      context: 4,
      fragmentsOptions: { mode: "2d", minSeedDistance: 3 },
      agglomerate: { thresholds: [0.3] },
    });
    expect(config).not.toHaveProperty("overwrite");
    // the saved config, with other outputs, gives the same segmentation voxel for voxel
    const second = join(tmp.path, "run2b");
    const b = segmentBin(["run", "--config", saved, "--out", second, "--json"], tmp.path);
    expect(b.stderr).toBe("");
    expect(b.status).toBe(0);
    const same = runPython(
      "import sys, zarr, numpy as np; print(np.array_equal(zarr.open(sys.argv[1], 'r')[:], zarr.open(sys.argv[2], 'r')[:]))",
      [join(first, "segmentation.zarr"), join(second, "segmentation.zarr")],
    );
    expect(same.trim()).toBe("True");
    expect(JSON.parse(b.stdout).segments).toEqual(report.segments);
  });

  it("refuses ground truth of another shape before doing any work", async () => {
    const other = await writePhantom(join(tmp.path, "other"), [8, 64, 64]);
    const out = join(tmp.path, "run3");
    const result = segmentBin(
      ["run", "--boundaries", phantom.boundaries, "--out", out, "--gt", other.groundtruth],
      tmp.path,
    );
    expect(result.status).toBe(2);
    expect(result.stderr).toBe(
      `tessera-segment: SegmentShapeError: the ground truth and the boundaries differ in shape; path: ${other.groundtruth}; field: --gt; expected: 16×64×64; found: 8×64×64\n`,
    );
    expect(runPython("import os, sys; print(os.path.exists(sys.argv[1]))", [out]).trim()).toBe("False");
  });
});

// The guard of issue 10: a grayscale EM image used directly as the boundary map (dark membranes on
// a light background) segments into nonsense; real EM warns, a real boundary map does not.
describe.skipIf(!gala.available)("the grayscale-as-boundaries warning on real data", () => {
  it("warns once, naming the invert option, on gala's raw EM; stays silent on gala's boundary map", () => {
    const image = join(gala.path, "zarr", "train-image.zarr");
    const raw = segmentBin(["fragments", "--boundaries", image, "--out", join(tmp.path, "raw")], tmp.path);
    expect(raw.status).toBe(0);
    // the median of the sampled box (the central 16 sections), by numpy
    const median = Number(
      runPython("import sys, zarr, numpy as np; print(np.median(zarr.open(sys.argv[1], 'r')[17:33]) / 255)", [
        image,
      ]),
    );
    expect(median).toBeGreaterThan(0.3);
    const warning =
      /^tessera: warning: boundaries (.+): this looks like a grayscale EM image \(or a map high inside cells\), not a boundary map: its sampled median is (0\.\d\d) of the value range \(0\.\.255\), while a boundary map, high on membranes, is mostly low \(median below 0\.3\); the segmentation will be meaningless\. If membranes are dark in it, set the invert option \(--invert, or "boundary": \{"invert": true\} in the config\); better, segment a membrane prediction\n$/.exec(
        raw.stderr,
      );
    expect(warning?.[1]).toBe(image);
    expect(Math.abs(Number(warning?.[2]) - median)).toBeLessThanOrEqual(0.006);
    const p1 = segmentBin(
      ["fragments", "--boundaries", join(gala.path, "zarr", "train-p1.zarr"), "--out", join(tmp.path, "p1")],
      tmp.path,
    );
    expect(p1.status).toBe(0);
    expect(p1.stderr).toBe("");
  });
});

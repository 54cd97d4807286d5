import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildAnchors, runAnchor, tempDir } from "@tessera/testkit";
import { afterAll, describe, expect, it } from "vitest";
import { gala, galaVolume } from "../test/data.js";
import { affinitiesFromBoundaries } from "./affinities.js";
import { affinityWatershed } from "./affinity-watershed.js";
import { type Agglomeration, agglomerate, applyAgglomeration } from "./agglomerate.js";
import { SegmentOptionsError, SegmentShapeError, SegmentValueError } from "./errors.js";
import { buildRegionGraph } from "./region-graph.js";
import { agglomerateLikeWaterz } from "./waterz-agglomerate.js";

// The C++ waterz driver of ../shared/anchors, built into node_modules/.cache/anchors (g++ and
// libboost-dev). Missing: a loud warning and the anchor tests skip; under TESSERA_REQUIRE_DATA=1 this
// throws, so the file fails instead.
const anchors = buildAnchors({ quiet: true });
const tmp = tempDir("tessera-waterz-");
afterAll(() => tmp.cleanup());

/**
 * A 1×7×40 image with three fragments that exposes the one rule where agglomerate and waterz part:
 * the order of equal scores.
 *
 *   rows 0–1:  A A . B B … B C C . . . . .      (B: x 3…32, C: x 33–34, ".": background)
 *   rows 2–6:  A A A A A … A C C . . . . .
 *
 * Affinities are 1 inside a fragment, 0.75 between A and B (30 faces, under B) and between B and C
 * (2 faces, rows 0–1), 0 between A and C (5 faces, rows 2–6) and around the background. Fragments are
 * numbered by their first voxel: A 1, B 2, C 3. A–B and B–C both score 1 − 0.75 = 0.25.
 */
function tieCase() {
  const Y = 7;
  const X = 40;
  const n = Y * X;
  const truth = new Uint32Array(n);
  for (let y = 0; y < Y; y++) {
    for (let x = 0; x < X; x++) {
      let f = 0;
      if (x === 33 || x === 34) f = 3;
      else if (y < 2) f = x <= 1 ? 1 : x >= 3 && x <= 32 ? 2 : 0;
      else f = x <= 32 ? 1 : 0;
      truth[y * X + x] = f;
    }
  }
  const between = (p: number, q: number) =>
    p === 0 || q === 0 ? 0 : p === q ? 1 : (p === 2 && q !== 2) || (q === 2 && p !== 2) ? 0.75 : 0;
  const affinities = new Float32Array(3 * n);
  for (let y = 0; y < Y; y++) {
    for (let x = 0; x < X; x++) {
      const i = y * X + x;
      if (y > 0) affinities[n + i] = between(truth[i], truth[i - X]);
      if (x > 0) affinities[2 * n + i] = between(truth[i], truth[i - 1]);
    }
  }
  return { shape: [1, Y, X] as [number, number, number], truth, affinities };
}

/** Distinct non-zero segments of each threshold's segmentation. */
function segmentCounts(fragments: Uint32Array, result: Agglomeration): number[] {
  return result.thresholds.map((_, k) => {
    const seen = new Set(applyAgglomeration(fragments, result, k));
    seen.delete(0);
    return seen.size;
  });
}

describe("agglomerateLikeWaterz: ties and waterz's merge order", () => {
  const { shape, truth, affinities } = tieCase();
  const { fragments, count } = affinityWatershed(affinities, shape);

  it("the watershed gives the three drawn fragments", () => {
    expect(count).toBe(3);
    expect([...fragments]).toEqual([...truth]);
  });

  it("agglomerate breaks the tie by first-face position, waterz by heap order: different segments at 0.5", () => {
    // agglomerate: B–C's first face (row 0) precedes A–B's (row 2), so B and C merge first; A–BC then
    // has (30·0.75 + 5·0) / 35 = 0.643, score 0.357: above 0.3, below 0.5
    const ours = agglomerate(buildRegionGraph(fragments, shape, affinities), [0.3, 0.5]);
    expect([...ours.segments[0]]).toEqual([1, 2, 2]);
    expect([...ours.segments[1]]).toEqual([1, 1, 1]);
    // waterz: edges numbered (1,2) A–B, (1,3) A–C, (2,3) B–C enter the heap in that order; of the two
    // at 0.25, A–B is on top. AB–C then has (2·0.75 + 5·0) / 7 = 0.214, score 0.786: C stays apart
    const likeWaterz = agglomerateLikeWaterz(fragments, shape, affinities, [0.3, 0.5]);
    expect([...likeWaterz.segments[0]]).toEqual([1, 1, 3]);
    expect([...likeWaterz.segments[1]]).toEqual([1, 1, 3]);
    expect(likeWaterz.merges).toEqual([1, 1]);
    expect(segmentCounts(fragments, ours)).toEqual([2, 1]);
    expect(segmentCounts(fragments, likeWaterz)).toEqual([2, 2]);
  });

  it("rejects mismatched shapes, fractional ids and non-finite thresholds with typed errors", () => {
    expect(() => agglomerateLikeWaterz(fragments.subarray(1), shape, affinities, [0.5])).toThrow(
      SegmentShapeError,
    );
    const fractional = Float64Array.from(fragments);
    fractional[5] = 1.5;
    expect(() => agglomerateLikeWaterz(fractional, shape, affinities, [0.5])).toThrow(SegmentValueError);
    expect(() => agglomerateLikeWaterz(fragments, shape, affinities, [Number.NaN])).toThrow(
      SegmentOptionsError,
    );
  });
});

describe.skipIf(anchors === undefined)("against the waterz C++ anchor, live", () => {
  const thresholds = [0.1, 0.2, 0.3, 0.4, 0.5];

  function waterz(affinities: Float32Array, shape: readonly number[], ts: readonly number[]) {
    const raw = join(tmp.path, `affinities-${shape.join("x")}.raw`);
    writeFileSync(raw, new Uint8Array(affinities.buffer, affinities.byteOffset, affinities.byteLength));
    return runAnchor("waterz_bench", [
      raw,
      ...shape.map(String),
      "--thresholds",
      ts.join(","),
      "--reps",
      "1",
    ]);
  }

  it("the tie case: waterz's counts are agglomerateLikeWaterz's, not agglomerate's", () => {
    const { shape, affinities } = tieCase();
    const anchor = waterz(affinities, shape, [0.3, 0.5]);
    const { fragments, count } = affinityWatershed(affinities, shape);
    expect(anchor.watershed_fragments).toBe(count);
    const likeWaterz = agglomerateLikeWaterz(fragments, shape, affinities, [0.3, 0.5]);
    expect(anchor.segments_per_threshold).toEqual(segmentCounts(fragments, likeWaterz));
    expect(anchor.segments_per_threshold).not.toEqual(
      segmentCounts(fragments, agglomerate(buildRegionGraph(fragments, shape, affinities), [0.3, 0.5])),
    );
  });

  it.skipIf(!gala.available)(
    "gala train-p1 affinities: same fragments, background, merges and segments at 0.1 … 0.5",
    async () => {
      const p1 = await galaVolume("train-p1");
      const affinities = affinitiesFromBoundaries(p1.data as Float32Array, p1.shape);
      const anchor = waterz(affinities, p1.shape, thresholds);
      const { fragments, count } = affinityWatershed(affinities, p1.shape);
      expect(anchor.watershed_fragments).toBe(count);
      expect(anchor.unlabelled_voxels).toBe(fragments.filter((f) => f === 0).length);
      const likeWaterz = agglomerateLikeWaterz(fragments, p1.shape, affinities, thresholds);
      expect(segmentCounts(fragments, likeWaterz)).toEqual(anchor.segments_per_threshold);
      const perStep = likeWaterz.merges.map((m, k) => m - (k > 0 ? likeWaterz.merges[k - 1] : 0));
      expect(perStep).toEqual(anchor.merges_per_threshold);
    },
  );
});

// The WebAssembly trees against the plain array walk (sumLeavesAbove): the same doubles, the same
// early stops, on random trees (forest-like leaves in [0, 1] and boosting-like signed leaves), rows
// with NaN and values equal to thresholds, and a fitted forest and boosted model.
import { describe, expect, it } from "vitest";
import { compileLeafSum } from "./compiled-trees.js";
import type { DecisionTree } from "./decision-tree.js";
import { RandomForestClassifier } from "./edge-classifier.js";
import { GradientBoostingClassifier } from "./gradient-boosting.js";
import { SeededRandom } from "./seeded-random.js";
import { flattenTrees, suffixMaxima, sumLeavesAbove } from "./tree-arrays.js";

const FEATURES = 40;
const THRESHOLDS = [-1.5, -0.25, 0, 0.125, 0.3, 0.7, 1e-9, 2.5];

/** A random tree in DecisionTree layout (children after their node), depth ≤ `depth`. */
function randomTree(random: SeededRandom, depth: number, signed: boolean): DecisionTree {
  const feature: number[] = [];
  const threshold: number[] = [];
  const left: number[] = [];
  const right: number[] = [];
  const value: number[] = [];
  const grow = (d: number): number => {
    const k = feature.length;
    feature.push(-1);
    threshold.push(0);
    left.push(-1);
    right.push(-1);
    value.push(signed ? random.next() * 2 - 1 : random.next());
    if (d < depth && random.next() < 0.8) {
      feature[k] = random.int(FEATURES);
      threshold[k] = THRESHOLDS[random.int(THRESHOLDS.length)];
      left[k] = grow(d + 1);
      right[k] = grow(d + 1);
    }
    return k;
  };
  grow(0);
  return {
    feature: Int32Array.from(feature),
    threshold: Float64Array.from(threshold),
    left: Int32Array.from(left),
    right: Int32Array.from(right),
    value: Float64Array.from(value),
  };
}

/** A row of thresholds (ties), NaN, and random values. */
function randomRow(random: SeededRandom): Float64Array {
  return Float64Array.from({ length: FEATURES }, () => {
    const u = random.next();
    if (u < 0.1) return Number.NaN;
    if (u < 0.4) return THRESHOLDS[random.int(THRESHOLDS.length)];
    return random.next() * 5 - 2;
  });
}

describe("compileLeafSum", () => {
  for (const signed of [false, true]) {
    it(`sums the same leaves as the array walk, with the same early stops (${signed ? "signed" : "[0, 1]"} leaves)`, () => {
      const random = new SeededRandom(signed ? 11 : 7);
      const trees = Array.from({ length: 60 }, () => randomTree(random, 9, signed));
      const flat = flattenTrees(trees);
      const bound = suffixMaxima(flat);
      const compiled = compileLeafSum(flat, bound, FEATURES);
      let stopped = 0;
      let summed = 0;
      for (let k = 0; k < 400; k++) {
        const row = randomRow(random);
        compiled.row.set(row);
        const start = signed ? random.next() - 0.5 : 0;
        for (const needed of [
          Number.NEGATIVE_INFINITY,
          ...(signed ? [-4, -1, 0, 1, 4] : [10, 25, 30, 35, 50]),
        ]) {
          const want = sumLeavesAbove(flat, row, start, bound, needed);
          expect(compiled.sum(start, needed)).toBe(want);
          if (want === Number.NEGATIVE_INFINITY) stopped++;
          else summed++;
        }
      }
      // both outcomes occur, so both paths were compared
      expect(stopped).toBeGreaterThan(100);
      expect(summed).toBeGreaterThan(400);
    });
  }

  it("gives fitted classifiers the probabilities of the array walk", () => {
    const random = new SeededRandom(3);
    const X = Array.from({ length: 600 }, () => Float64Array.from({ length: 6 }, () => random.next()));
    const y = X.map((r) => (r[0] + 0.5 * r[1] + 0.3 * random.next() > 0.9 ? 1 : 0));
    const forest = RandomForestClassifier.fit(X, y, { trees: 25, seed: 1 });
    const boosted = GradientBoostingClassifier.fit(X, y, { trees: 20 });
    const forestFlat = flattenTrees(forest.trees);
    const boostedFlat = flattenTrees(boosted.trees);
    const none = new Float64Array(forest.trees.length + 1);
    const noneBoosted = new Float64Array(boosted.trees.length + 1);
    for (const row of X.slice(0, 200)) {
      const walked = sumLeavesAbove(forestFlat, row, 0, none, Number.NEGATIVE_INFINITY) / forest.trees.length;
      expect(forest.predictProba(row)).toBe(walked);
      const logit = sumLeavesAbove(
        boostedFlat,
        row,
        boosted.baseScore,
        noneBoosted,
        Number.NEGATIVE_INFINITY,
      );
      expect(boosted.predictProba(row)).toBe(1 / (1 + Math.exp(-logit)));
    }
    // a row written into the classifier's own buffer is scored as the same row passed in
    const row = X[5];
    const p = forest.predictProba(row);
    forest.inputRow().set(row);
    expect(forest.predictProba(forest.inputRow())).toBe(p);
  });
});

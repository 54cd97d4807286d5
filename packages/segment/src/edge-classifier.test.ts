// The random forest against independent truths (scikit-learn itself: edge-classifier-sklearn.test.ts): a depth-1 tree
// against a brute-force best Gini split, held-out accuracy against the Bayes rate of problems whose
// decision boundary and class probabilities are known analytically, and calibration of the
// probabilities against the true p(x).
import { describe, expect, it } from "vitest";
import { RandomForestClassifier } from "./edge-classifier.js";
import { SegmentShapeError, SegmentValueError } from "./errors.js";
import { SeededRandom } from "./seeded-random.js";

function rows(n: number, d: number, seed: number): Float64Array[] {
  const r = new SeededRandom(seed);
  return Array.from({ length: n }, () => Float64Array.from({ length: d }, () => r.next()));
}

/** Gini impurity (weighted by size) of a set of 0/1 labels. */
function gini(labels: number[]): number {
  if (labels.length === 0) return 0;
  const p = labels.reduce((s, v) => s + v, 0) / labels.length;
  return labels.length * 2 * p * (1 - p);
}

describe("RandomForestClassifier", () => {
  it("finds the best Gini split of a stump (brute force over every feature and threshold)", () => {
    const r = new SeededRandom(7);
    const X = Array.from({ length: 300 }, () => Float64Array.from({ length: 4 }, () => r.int(12)));
    const y: number[] = X.map((x) => (x[2] + 3 * r.next() > 7 ? 1 : 0));
    const all = y.slice();
    let best = 0;
    for (let f = 0; f < 4; f++) {
      for (let t = 0; t < 12; t++) {
        const left = all.filter((_, i) => X[i][f] <= t);
        const right = all.filter((_, i) => X[i][f] > t);
        if (left.length === 0 || right.length === 0) continue;
        best = Math.max(best, gini(all) - gini(left) - gini(right));
      }
    }
    const stump = RandomForestClassifier.fit(X, y, {
      trees: 1,
      maxDepth: 1,
      bootstrap: false,
      maxFeatures: "all",
    });
    const tree = stump.trees[0];
    expect(tree.feature[0]).toBeGreaterThanOrEqual(0);
    const f = tree.feature[0];
    const t = tree.threshold[0];
    const left = all.filter((_, i) => X[i][f] <= t);
    const right = all.filter((_, i) => X[i][f] > t);
    expect(gini(all) - gini(left) - gini(right)).toBeCloseTo(best, 9);
    // the leaves hold the class fractions of their sides
    expect(stump.predictProba(X.find((x) => x[f] <= t) as Float64Array)).toBeCloseTo(
      left.reduce((s, v) => s + v, 0) / left.length,
      12,
    );
  });

  it("reaches the Bayes accuracy of a noisy linear boundary (10% flipped labels: Bayes rate 0.9)", () => {
    const train = rows(3000, 5, 1);
    const test = rows(5000, 5, 2);
    const flips = new SeededRandom(3);
    const truth = (x: Float64Array) => (x[0] + x[1] > 1 ? 1 : 0);
    const y = train.map((x) => (flips.next() < 0.1 ? 1 - truth(x) : truth(x)));
    const yTest = test.map((x) => (flips.next() < 0.1 ? 1 - truth(x) : truth(x)));
    const forest = RandomForestClassifier.fit(train, y, { seed: 5 });
    let correct = 0;
    let bayesAgreement = 0;
    test.forEach((x, i) => {
      const label = forest.predictProba(x) >= 0.5 ? 1 : 0;
      if (label === yTest[i]) correct++;
      if (label === truth(x)) bayesAgreement++;
    });
    const accuracy = correct / test.length;
    // Bayes 0.9; the binomial sd of the test accuracy is 0.004, so 0.915 is a 3.5 sd upper bound
    expect(accuracy).toBeGreaterThan(0.86);
    expect(accuracy).toBeLessThan(0.915);
    expect(bayesAgreement / test.length).toBeGreaterThan(0.94);
  });

  it("gives calibrated probabilities: y ~ Bernoulli(x0), Bayes accuracy E[max(x0, 1 − x0)] = 0.75", () => {
    const train = rows(4000, 4, 11);
    const test = rows(6000, 4, 12);
    const r = new SeededRandom(13);
    const y = train.map((x) => (r.next() < x[0] ? 1 : 0));
    const yTest = test.map((x) => (r.next() < x[0] ? 1 : 0));
    // fully grown trees are over-confident on noisy labels (as scikit-learn's): leaves of ≥ 20 samples
    const forest = RandomForestClassifier.fit(train, y, { seed: 1, minSamplesLeaf: 20 });
    const p = test.map((x) => forest.predictProba(x));
    const accuracy = p.filter((q, i) => (q >= 0.5 ? 1 : 0) === yTest[i]).length / test.length;
    expect(accuracy).toBeGreaterThan(0.72);
    expect(accuracy).toBeLessThan(0.77);
    // reliability: per bin of predicted probability, its mean vs the empirical frequency and vs the
    // mean true probability x0 of the bin's rows
    const sumP = new Float64Array(10);
    const sumY = new Float64Array(10);
    const sumTrue = new Float64Array(10);
    const count = new Float64Array(10);
    p.forEach((q, i) => {
      const b = Math.min(9, Math.floor(q * 10));
      sumP[b] += q;
      sumY[b] += yTest[i];
      sumTrue[b] += test[i][0];
      count[b]++;
    });
    let ece = 0;
    for (let b = 0; b < 10; b++) {
      if (count[b] === 0) continue;
      ece += (count[b] / test.length) * Math.abs(sumP[b] / count[b] - sumY[b] / count[b]);
      if (count[b] >= 200) {
        expect(Math.abs(sumP[b] - sumY[b]) / count[b]).toBeLessThan(0.08);
        expect(Math.abs(sumP[b] - sumTrue[b]) / count[b]).toBeLessThan(0.05);
      }
    }
    expect(ece).toBeLessThan(0.04);
    // and close to the true probability x0
    const mae = p.reduce((s, q, i) => s + Math.abs(q - test[i][0]), 0) / test.length;
    expect(mae).toBeLessThan(0.1);
  });

  it("is deterministic per seed and survives JSON", () => {
    const X = rows(500, 6, 21);
    const y = X.map((x) => (x[3] > 0.4 && x[1] < 0.8 ? 1 : 0));
    const a = RandomForestClassifier.fit(X, y, { trees: 10, seed: 9 });
    const b = RandomForestClassifier.fit(X, y, { trees: 10, seed: 9 });
    const c = RandomForestClassifier.fit(X, y, { trees: 10, seed: 10 });
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(JSON.stringify(a)).not.toBe(JSON.stringify(c));
    const back = RandomForestClassifier.fromJSON(JSON.parse(JSON.stringify(a)));
    for (const x of rows(200, 6, 22)) expect(back.predictProba(x)).toBe(a.predictProba(x));
    // NaN goes left and still gets a probability
    expect(Number.isFinite(a.predictProba(new Float64Array(6).fill(Number.NaN)))).toBe(true);
  });

  it("predicts as a plain walk of each tree's node arrays; predictProbaAbove is exact at or above its floor", () => {
    const X = rows(800, 5, 31);
    const r = new SeededRandom(32);
    const y = X.map((x) => (r.next() < x[0] * x[2] + 0.2 * x[4] ? 1 : 0));
    const forest = RandomForestClassifier.fit(X, y, { trees: 25, seed: 3 });
    /** The DecisionTree format read directly: root 0, `!(x > threshold)` goes left, leaves −1. */
    const walk = (x: Float64Array) => {
      let sum = 0;
      for (const t of forest.trees) {
        let k = 0;
        while (t.feature[k] >= 0) k = x[t.feature[k]] > t.threshold[k] ? t.right[k] : t.left[k];
        sum += t.value[k];
      }
      return sum / forest.trees.length;
    };
    let below = 0;
    for (const x of rows(400, 5, 33)) {
      const p = walk(x);
      expect(forest.predictProba(x)).toBeCloseTo(p, 12);
      for (const floor of [0.2, 0.5, 0.8]) {
        const q = forest.predictProbaAbove(x, floor);
        if (q >= floor) expect(q).toBe(forest.predictProba(x));
        else {
          expect(p).toBeLessThan(floor);
          below++;
        }
      }
    }
    // some answers stopped early, and every early stop was below its floor (checked above)
    expect(below).toBeGreaterThan(100);
  });
  it("rejects bad inputs with typed errors", () => {
    const X = rows(10, 3, 1);
    expect(() => RandomForestClassifier.fit(X, [1, 0])).toThrow(SegmentShapeError);
    expect(() => RandomForestClassifier.fit(X, new Array(10).fill(2))).toThrow(SegmentValueError);
    const forest = RandomForestClassifier.fit(X, [0, 1, 0, 1, 0, 1, 0, 1, 0, 1], { trees: 2 });
    expect(() => forest.predictProba([1, 2])).toThrow(SegmentShapeError);
    const json = forest.toJSON();
    json.trees[0].left[0] = 0;
    if (json.trees[0].feature[0] >= 0)
      expect(() => RandomForestClassifier.fromJSON(json)).toThrow(SegmentValueError);
    expect(() => RandomForestClassifier.fromJSON({ ...json, type: "x" } as never)).toThrow(/random-forest/);
  });
});

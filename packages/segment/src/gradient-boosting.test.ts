// Gradient-boosted trees against independent truths (scikit-learn itself:
// edge-classifier-sklearn.test.ts): one stump against a brute-force search of the second-order
// gain formula with its leaf values from the gradients, held-out accuracy against the Bayes rate of
// a problem with a known boundary, calibration against the true p(x), and the early-stopping
// prediction against the full one.
import { describe, expect, it } from "vitest";
import { edgeClassifierFromJSON, fitEdgeClassifier } from "./edge-classifiers.js";
import { SegmentOptionsError, SegmentShapeError, SegmentValueError } from "./errors.js";
import { GradientBoostingClassifier } from "./gradient-boosting.js";
import { SeededRandom } from "./seeded-random.js";

function rows(n: number, d: number, seed: number): Float64Array[] {
  const r = new SeededRandom(seed);
  return Array.from({ length: n }, () => Float64Array.from({ length: d }, () => r.next()));
}

describe("GradientBoostingClassifier", () => {
  it("grows the stump of best gain G_L²/(H_L+λ) + G_R²/(H_R+λ) − G²/(H+λ), leaves −η·G/(H+λ)", () => {
    const r = new SeededRandom(17);
    const X = Array.from({ length: 400 }, () => Float64Array.from({ length: 3 }, () => r.int(10)));
    const y: number[] = X.map((x) => (x[1] + 4 * r.next() > 6 ? 1 : 0));
    const lambda = 2;
    const eta = 0.3;
    // gradients of the log loss at the base score log(p̄ / (1 − p̄))
    const mean = y.reduce((s, v) => s + v, 0) / y.length;
    const g = y.map((v) => mean - v);
    const h = y.map(() => mean * (1 - mean));
    const score = (idx: number[]) => {
      const G = idx.reduce((s, i) => s + g[i], 0);
      const H = idx.reduce((s, i) => s + h[i], 0);
      return (G * G) / (H + lambda);
    };
    const all = y.map((_, i) => i);
    let best = 0;
    for (let f = 0; f < 3; f++) {
      for (let t = 0; t < 10; t++) {
        const left = all.filter((i) => X[i][f] <= t);
        const right = all.filter((i) => X[i][f] > t);
        if (left.length < 5 || right.length < 5) continue;
        best = Math.max(best, score(left) + score(right) - score(all));
      }
    }
    const stump = GradientBoostingClassifier.fit(X, y, {
      trees: 1,
      maxDepth: 1,
      learningRate: eta,
      l2: lambda,
      minSamplesLeaf: 5,
    });
    expect(stump.baseScore).toBeCloseTo(Math.log(mean / (1 - mean)), 12);
    const tree = stump.trees[0];
    const f = tree.feature[0];
    expect(f).toBeGreaterThanOrEqual(0);
    const left = all.filter((i) => X[i][f] <= tree.threshold[0]);
    const right = all.filter((i) => X[i][f] > tree.threshold[0]);
    expect(score(left) + score(right) - score(all)).toBeCloseTo(best, 9);
    // the probability of a left row: logistic of the base score plus the left leaf −η·G/(H+λ)
    const G = left.reduce((s, i) => s + g[i], 0);
    const H = left.reduce((s, i) => s + h[i], 0);
    const expected = 1 / (1 + Math.exp(-(stump.baseScore - (eta * G) / (H + lambda))));
    expect(stump.predictProba(X[left[0]])).toBeCloseTo(expected, 12);
  });

  it("reaches the Bayes accuracy of a noisy linear boundary (10% flipped labels: Bayes rate 0.9)", () => {
    const train = rows(3000, 5, 1);
    const test = rows(5000, 5, 2);
    const flips = new SeededRandom(3);
    const truth = (x: Float64Array) => (x[0] + x[1] > 1 ? 1 : 0);
    const y = train.map((x) => (flips.next() < 0.1 ? 1 - truth(x) : truth(x)));
    const yTest = test.map((x) => (flips.next() < 0.1 ? 1 - truth(x) : truth(x)));
    const model = GradientBoostingClassifier.fit(train, y);
    let correct = 0;
    test.forEach((x, i) => {
      if ((model.predictProba(x) >= 0.5 ? 1 : 0) === yTest[i]) correct++;
    });
    // Bayes 0.9; the binomial sd of the test accuracy is 0.004, so 0.915 is a 3.5 sd upper bound
    expect(correct / test.length).toBeGreaterThan(0.86);
    expect(correct / test.length).toBeLessThan(0.915);
  });

  it("gives calibrated probabilities: y ~ Bernoulli(x0)", () => {
    const train = rows(4000, 4, 11);
    const test = rows(6000, 4, 12);
    const r = new SeededRandom(13);
    const y = train.map((x) => (r.next() < x[0] ? 1 : 0));
    const yTest = test.map((x) => (r.next() < x[0] ? 1 : 0));
    const model = GradientBoostingClassifier.fit(train, y, { learningRate: 0.1 });
    const p = test.map((x) => model.predictProba(x));
    const sumP = new Float64Array(10);
    const sumY = new Float64Array(10);
    const count = new Float64Array(10);
    p.forEach((q, i) => {
      const b = Math.min(9, Math.floor(q * 10));
      sumP[b] += q;
      sumY[b] += yTest[i];
      count[b]++;
    });
    let ece = 0;
    for (let b = 0; b < 10; b++) if (count[b] > 0) ece += Math.abs(sumP[b] - sumY[b]) / test.length;
    expect(ece).toBeLessThan(0.04);
    const mae = p.reduce((s, q, i) => s + Math.abs(q - test[i][0]), 0) / test.length;
    expect(mae).toBeLessThan(0.08);
  });

  it("predictProbaAbove equals predictProba at or above its floor and stops early only below it", () => {
    const X = rows(1500, 4, 41);
    const r = new SeededRandom(42);
    const y = X.map((x) => (r.next() < x[0] * x[1] + 0.3 * x[2] ? 1 : 0));
    const model = GradientBoostingClassifier.fit(X, y, { trees: 30 });
    let early = 0;
    for (const x of rows(500, 4, 43)) {
      const p = model.predictProba(x);
      for (const floor of [0.2, 0.5, 0.8]) {
        const q = model.predictProbaAbove(x, floor);
        if (q === -1) {
          expect(p).toBeLessThan(floor);
          early++;
        } else expect(q).toBe(p);
      }
    }
    expect(early).toBeGreaterThan(50);
  });

  it("is deterministic, survives JSON through the classifier dispatch, and rejects bad input", () => {
    const X = rows(300, 3, 51);
    const y = X.map((x) => (x[2] > 0.5 ? 1 : 0));
    const a = fitEdgeClassifier(X, y, { type: "gradient-boosting", trees: 5 });
    const b = fitEdgeClassifier(X, y, { type: "gradient-boosting", trees: 5 });
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    const back = edgeClassifierFromJSON(JSON.parse(JSON.stringify(a.toJSON())));
    expect(back).toBeInstanceOf(GradientBoostingClassifier);
    for (const x of rows(50, 3, 52)) expect(back.predictProba(x)).toBe(a.predictProba(x));
    expect(() => fitEdgeClassifier(X, y, { type: "boosted" } as never)).toThrow(SegmentOptionsError);
    expect(() => GradientBoostingClassifier.fit(X, y, { learningRate: 0 })).toThrow(/learningRate/);
    expect(() => GradientBoostingClassifier.fit(X, y.slice(1))).toThrow(SegmentShapeError);
    expect(() => a.predictProba([1])).toThrow(SegmentShapeError);
    const json = (a as GradientBoostingClassifier).toJSON();
    expect(() => GradientBoostingClassifier.fromJSON({ ...json, baseScore: Number.NaN })).toThrow(
      /baseScore/,
    );
    expect(() => edgeClassifierFromJSON({ ...json, type: "x" } as never)).toThrow(SegmentValueError);
  });
});

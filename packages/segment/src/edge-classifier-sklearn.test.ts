// The random forest and the gradient-boosted trees against scikit-learn's RandomForestClassifier and
// HistGradientBoostingClassifier (Debian's python3-sklearn) on the same real data: edge-feature
// examples of gala train, collected by replaying agglomeration against the ground truth on z 0–24
// (training) and on z 25–49 (held out). Both forests use 100 trees, √ features per split, depth 20 and
// a minimum of 5 samples per leaf; both boosters 40 rounds, learning rate 0.2, depth 4, 20 samples per
// leaf, L2 1, 128 bins, no early stopping. Held-out predictions are scored here by the same accuracy,
// ROC AUC and log-loss code.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { pythonHas, runPython, tempDir } from "@tessera/testkit";
import { afterAll, describe, expect, it } from "vitest";
import { gala, galaVolume } from "../test/data.js";
import { RandomForestClassifier } from "./edge-classifier.js";
import { GradientBoostingClassifier } from "./gradient-boosting.js";
import { learnAgglomeration } from "./learn-agglomeration.js";

const tmp = tempDir("tessera-sklearn-");
afterAll(tmp.cleanup);

/** ROC AUC by the rank-sum formula (ties share their mean rank). */
function rocAuc(p: ArrayLike<number>, y: ArrayLike<number>): number {
  const order = Array.from({ length: p.length }, (_, i) => i).sort((a, b) => p[a] - p[b]);
  const rank = new Float64Array(p.length);
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && p[order[j + 1]] === p[order[i]]) j++;
    for (let k = i; k <= j; k++) rank[order[k]] = (i + j) / 2 + 1;
    i = j + 1;
  }
  let pos = 0;
  let sum = 0;
  for (let i = 0; i < p.length; i++) {
    if (y[i] === 1) {
      pos++;
      sum += rank[i];
    }
  }
  const neg = p.length - pos;
  return (sum - (pos * (pos + 1)) / 2) / (pos * neg);
}

const accuracy = (p: ArrayLike<number>, y: ArrayLike<number>) => {
  let right = 0;
  for (let i = 0; i < p.length; i++) if ((p[i] >= 0.5 ? 1 : 0) === y[i]) right++;
  return right / p.length;
};

/** Rows as a little-endian float64 file (n × d). */
function writeRows(path: string, rows: Float64Array[]) {
  const d = rows[0].length;
  const flat = new Float64Array(rows.length * d);
  for (let i = 0; i < rows.length; i++) flat.set(rows[i], i * d);
  writeFileSync(path, Buffer.from(flat.buffer));
}

/** Mean log loss of probabilities `p` (clipped to [1e-15, 1 − 1e-15]) for labels `y`. */
const logLoss = (p: ArrayLike<number>, y: ArrayLike<number>) => {
  let sum = 0;
  for (let i = 0; i < p.length; i++) {
    const q = Math.min(1 - 1e-15, Math.max(1e-15, p[i]));
    sum -= y[i] === 1 ? Math.log(q) : Math.log(1 - q);
  }
  return sum / p.length;
};

const SKLEARN = `
import sys, numpy as np
from sklearn.ensemble import RandomForestClassifier, HistGradientBoostingClassifier
d = int(sys.argv[2])
X = np.fromfile(sys.argv[3], dtype="<f8").reshape(-1, d); y = np.fromfile(sys.argv[4], dtype="u1")
T = np.fromfile(sys.argv[5], dtype="<f8").reshape(-1, d)
X = np.nan_to_num(X, nan=-1e300); T = np.nan_to_num(T, nan=-1e300)
if sys.argv[1] == "forest":
    f = RandomForestClassifier(n_estimators=100, max_features="sqrt", max_depth=20, min_samples_leaf=5, random_state=0)
else:
    f = HistGradientBoostingClassifier(max_iter=40, learning_rate=0.2, max_depth=4, max_leaf_nodes=None,
        min_samples_leaf=20, l2_regularization=1.0, max_bins=128, early_stopping=False)
f.fit(X, y)
print(" ".join("%.17g" % v for v in f.predict_proba(T)[:, 1]))
`;

/** Held-out probabilities of scikit-learn's `kind` fitted to `train`. */
function sklearnProbabilities(
  kind: "forest" | "boosting",
  train: { examples: Float64Array[]; labels: Uint8Array },
  test: { examples: Float64Array[] },
): number[] {
  writeRows(join(tmp.path, "X.f8"), train.examples);
  writeFileSync(join(tmp.path, "y.u1"), train.labels);
  writeRows(join(tmp.path, "T.f8"), test.examples);
  return runPython(SKLEARN, [
    kind,
    String(train.examples[0].length),
    join(tmp.path, "X.f8"),
    join(tmp.path, "y.u1"),
    join(tmp.path, "T.f8"),
  ])
    .trim()
    .split(" ")
    .map(Number);
}

describe.skipIf(!gala.available || !pythonHas("sklearn", "numpy"))("edge classifiers vs scikit-learn", () => {
  let halves: { examples: Float64Array[]; labels: Uint8Array }[] | undefined;
  /** Replay examples of gala train z 0–24 and z 25–49 (train-ws fragments, train-p1, raw image). */
  async function galaExamples() {
    if (halves) return halves;
    const [ws, p1, gt, image] = await Promise.all(
      ["train-ws", "train-p1", "train-gt", "train-image"].map((name) => galaVolume(name)),
    );
    const n = 25 * 100 * 200;
    const shape: [number, number, number] = [25, 100, 200];
    halves = [0, 1].map((k) =>
      learnAgglomeration(
        Uint32Array.from(ws.data.subarray(k * n, (k + 1) * n) as Int32Array),
        Float32Array.from(p1.data.subarray(k * n, (k + 1) * n) as Float32Array),
        Uint32Array.from(gt.data.subarray(k * n, (k + 1) * n) as Int32Array),
        shape,
        { raw: Uint8Array.from(image.data.subarray(k * n, (k + 1) * n) as Uint8Array), date: "x" },
      ),
    );
    return halves;
  }

  /** Both scored alike; both must beat the majority class; ours within 0.03 of scikit-learn. */
  function compare(
    name: string,
    oursP: number[],
    theirsP: number[],
    test: { labels: Uint8Array },
    train: number,
  ) {
    expect(theirsP.length).toBe(oursP.length);
    const scores = {
      ours: {
        accuracy: accuracy(oursP, test.labels),
        auc: rocAuc(oursP, test.labels),
        logLoss: logLoss(oursP, test.labels),
      },
      sklearn: {
        accuracy: accuracy(theirsP, test.labels),
        auc: rocAuc(theirsP, test.labels),
        logLoss: logLoss(theirsP, test.labels),
      },
      train,
      heldOut: oursP.length,
    };
    console.log(`${name} vs scikit-learn on gala edge features: ${JSON.stringify(scores)}`);
    // both learn something real (the majority class alone scores below this)
    const majority =
      Math.max(...[0, 1].map((c) => test.labels.filter((v) => v === c).length)) / test.labels.length;
    expect(scores.sklearn.accuracy).toBeGreaterThan(majority);
    expect(Math.abs(scores.ours.accuracy - scores.sklearn.accuracy)).toBeLessThanOrEqual(0.03);
    expect(scores.ours.auc).toBeGreaterThanOrEqual(scores.sklearn.auc - 0.03);
    return scores;
  }

  it("random forest (train z 0–24, held out z 25–49): the same held-out accuracy and AUC within 0.03", {
    timeout: 300_000,
  }, async () => {
    const [train, test] = await galaExamples();
    expect(train.examples.length).toBeGreaterThan(300);
    expect(test.examples.length).toBeGreaterThan(300);
    const options = { trees: 100, maxFeatures: "sqrt" as const, maxDepth: 20, minSamplesLeaf: 5, seed: 0 };
    const ours = RandomForestClassifier.fit(train.examples, Array.from(train.labels), options);
    const oursP = test.examples.map((row) => ours.predictProba(row));
    compare("random forest", oursP, sklearnProbabilities("forest", train, test), test, train.examples.length);
  });

  it("gradient-boosted trees (same halves): held-out accuracy and AUC within 0.03, log loss within 0.05", {
    timeout: 300_000,
  }, async () => {
    const [train, test] = await galaExamples();
    const ours = GradientBoostingClassifier.fit(train.examples, Array.from(train.labels), {
      trees: 40,
      learningRate: 0.2,
      maxDepth: 4,
      minSamplesLeaf: 20,
      l2: 1,
      maxBins: 128,
    });
    const oursP = test.examples.map((row) => ours.predictProba(row));
    const scores = compare(
      "gradient boosting",
      oursP,
      sklearnProbabilities("boosting", train, test),
      test,
      train.examples.length,
    );
    expect(scores.ours.logLoss).toBeLessThanOrEqual(scores.sklearn.logLoss + 0.05);
  });
});

// The scorer's cache against the forest itself: at every call of a whole model-driven
// agglomeration, the cached probability equals a fresh evaluation of the trees.
import { describe, expect, it } from "vitest";
import { agglomerationPhantom } from "../test/agglomeration-phantom.js";
import { RandomForestClassifier } from "./edge-classifier.js";
import { edgeFeatureNames, featureVector } from "./edge-feature-vector.js";
import { edgeFeatures } from "./edge-features.js";
import { FeatureAgglomerator } from "./feature-agglomerator.js";
import { learnAgglomeration } from "./learn-agglomeration.js";
import { ModelScorer } from "./model-scorer.js";

describe("ModelScorer", () => {
  it("answers from its cache only what the trees would answer", () => {
    const train = agglomerationPhantom(3);
    const test = agglomerationPhantom(4);
    const { model } = learnAgglomeration(train.fragments, train.boundaries, train.gt, train.shape, {
      classifier: { trees: 20 },
      epochs: 2,
      date: "x",
    });
    const forest = RandomForestClassifier.fromJSON(model.classifier);
    const table = edgeFeatures(test.fragments, test.boundaries, test.shape);
    const agg = new FeatureAgglomerator(table);
    const scorer = new ModelScorer(forest, agg.table, edgeFeatureNames(table));
    let calls = 0;
    agg.start((e) => {
      const p = scorer.probability(e);
      expect(p).toBe(forest.predictProba(featureVector(agg.table, e)));
      calls++;
      return -p;
    });
    agg.mergeUpTo(-0.2);
    expect(agg.merges).toBeGreaterThan(20);
    expect(scorer.evaluations).toBeLessThan(calls);
    console.log(`${calls} scores, ${scorer.evaluations} forest evaluations, ${agg.merges} merges`);
  });
});

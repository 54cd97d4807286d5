// The scorer's cache against the classifier itself: at every call of a whole model-driven
// agglomeration, the cached probability equals a fresh evaluation of the trees (or, with a floor,
// is below the floor exactly when a fresh evaluation is), for both classifier types.
import { describe, expect, it } from "vitest";
import { agglomerationPhantom } from "../test/agglomeration-phantom.js";
import { edgeClassifierFromJSON } from "./edge-classifiers.js";
import { edgeFeatureNames, featureVector } from "./edge-feature-vector.js";
import { edgeFeatures } from "./edge-features.js";
import { FeatureAgglomerator } from "./feature-agglomerator.js";
import { learnAgglomeration } from "./learn-agglomeration.js";
import { ModelScorer } from "./model-scorer.js";

describe("ModelScorer", () => {
  const train = agglomerationPhantom(3);
  const test = agglomerationPhantom(4);
  for (const classifier of [
    { type: "random-forest" as const, trees: 20 },
    { type: "gradient-boosting" as const, trees: 15 },
  ]) {
    for (const floor of [0, 0.5]) {
      it(`answers from its cache only what the trees would answer (${classifier.type}, floor ${floor})`, () => {
        const { model } = learnAgglomeration(train.fragments, train.boundaries, train.gt, train.shape, {
          classifier,
          epochs: 2,
          date: "x",
        });
        const trees = edgeClassifierFromJSON(model.classifier);
        const table = edgeFeatures(test.fragments, test.boundaries, test.shape);
        const agg = new FeatureAgglomerator(table);
        const scorer = new ModelScorer(trees, agg.table, edgeFeatureNames(table), floor);
        let calls = 0;
        let below = 0;
        agg.start((e) => {
          const p = scorer.probability(e);
          const fresh = trees.predictProba(featureVector(agg.table, e));
          if (fresh >= floor) expect(p).toBe(fresh);
          else {
            expect(p).toBeLessThan(floor);
            below++;
          }
          calls++;
          return -p;
        });
        agg.mergeUpTo(-Math.max(floor, 0.2));
        expect(agg.merges).toBeGreaterThan(20);
        expect(scorer.evaluations).toBeLessThan(calls);
        if (floor > 0) expect(below).toBeGreaterThan(0);
        console.log(
          `${calls} scores, ${scorer.evaluations} evaluations, ${below} below the floor, ${agg.merges} merges`,
        );
      });
    }
  }
});

// The training-data check of a learned agglomeration model: contact percentiles against a
// brute-force enumeration of the contact faces, and the warning on a map of another calibration.
import { describe, expect, it } from "vitest";
import { agglomerationPhantom } from "../test/agglomeration-phantom.js";
import { agglomerateWithModel } from "./agglomerate-with-model.js";
import { binOf, edgeFeatures } from "./edge-features.js";
import { learnAgglomeration } from "./learn-agglomeration.js";
import {
  CONTACT_QUANTILE_TOLERANCE,
  contactBoundaryQuantiles,
  modelInputWarning,
} from "./model-input-check.js";

const train = agglomerationPhantom(1);
const test = agglomerationPhantom(2);
const { model } = learnAgglomeration(train.fragments, train.boundaries, train.gt, train.shape, {
  date: "x",
  classifier: { trees: 20 },
});

/** Every face between two different non-zero fragments, valued as the larger of its two voxels. */
function faceValues(p: typeof train): number[] {
  const [Z, Y, X] = p.shape;
  const values: number[] = [];
  for (let z = 0; z < Z; z++)
    for (let y = 0; y < Y; y++)
      for (let x = 0; x < X; x++) {
        const i = (z * Y + y) * X + x;
        for (const [dz, dy, dx] of [
          [1, 0, 0],
          [0, 1, 0],
          [0, 0, 1],
        ]) {
          if (z + dz >= Z || y + dy >= Y || x + dx >= X) continue;
          const j = ((z + dz) * Y + y + dy) * X + x + dx;
          const a = p.fragments[i];
          const b = p.fragments[j];
          if (a !== 0 && b !== 0 && a !== b) values.push(Math.max(p.boundaries[i], p.boundaries[j]));
        }
      }
  return values;
}

describe("model input check", () => {
  it("gives the contact faces' percentiles (bin centres of the 32-bin histogram)", () => {
    const values = faceValues(test).sort((a, b) => a - b);
    const expected = [0.1, 0.5, 0.9].map(
      (q) => (binOf(values[Math.ceil(q * values.length) - 1], 0, 1, 32) + 0.5) / 32,
    );
    expect(contactBoundaryQuantiles(edgeFeatures(test.fragments, test.boundaries, test.shape))).toEqual(
      expected,
    );
    expect(model.provenance.contactBoundaryQuantiles).toEqual(
      contactBoundaryQuantiles(edgeFeatures(train.fragments, train.boundaries, train.shape)),
    );
    expect(
      contactBoundaryQuantiles(edgeFeatures(new Uint32Array(8).fill(1), new Float32Array(8), [2, 2, 2])),
    ).toBe(undefined);
  });

  it("warns on a map unlike the training data, not on another volume like it", () => {
    const like = edgeFeatures(test.fragments, test.boundaries, test.shape);
    console.log(
      `contact percentiles: trained ${model.provenance.contactBoundaryQuantiles}, other phantom ${contactBoundaryQuantiles(like)}`,
    );
    expect(modelInputWarning(model, like)).toBe(undefined);
    // the same volume through a squashed predictor (p → p / 2): the merge probabilities do not hold
    const squashed = Float32Array.from(test.boundaries, (p) => p / 2);
    const shifted = edgeFeatures(test.fragments, squashed, test.shape);
    const moved = Math.abs(
      (contactBoundaryQuantiles(shifted) as number[])[1] -
        (model.provenance.contactBoundaryQuantiles as number[])[1],
    );
    expect(moved).toBeGreaterThan(CONTACT_QUANTILE_TOLERANCE);
    expect(modelInputWarning(model, shifted)).toMatch(/percentiles .* differ from the model's training data/);
    // a model written before the percentiles were recorded is not checked
    const { contactBoundaryQuantiles: _, ...older } = model.provenance;
    expect(modelInputWarning({ ...model, provenance: older }, shifted)).toBe(undefined);
    // agglomerateWithModel reports it, once
    const warnings: string[] = [];
    agglomerateWithModel(test.fragments, squashed, test.shape, model, { onWarning: (m) => warnings.push(m) });
    agglomerateWithModel(test.fragments, test.boundaries, test.shape, model, {
      onWarning: (m) => warnings.push(m),
    });
    expect(warnings).toEqual([modelInputWarning(model, shifted)]);
  });
});

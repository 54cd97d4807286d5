import { EDGE_CLASSIFIER_TYPES, type EdgeClassifierJson } from "./edge-classifiers.js";
import { SegmentValueError } from "./errors.js";

/** Where a learned agglomeration model came from ({@link learnAgglomeration}). */
export interface AgglomerationModelProvenance {
  /** Shape `[z, y, x]` of the training volume. */
  shape: number[];
  /** Regions (fragments) and edges of the training region graph. */
  regions: number;
  edges: number;
  /** Replay epochs. */
  epochs: number;
  /** Examples collected in each epoch. */
  examplesPerEpoch: number[];
  /** Examples in all (merge + keep). */
  examples: number;
  /** Examples labelled merge (1) and keep (0). */
  merges: number;
  keeps: number;
  /** When it was trained (ISO 8601). */
  date: string;
  /**
   * 10th, 50th and 90th percentiles of the boundary values of the training contacts (every face
   * once; {@link contactBoundaryQuantiles}), to warn when a model is applied to a map unlike its
   * training data. Absent in models written before it was recorded.
   */
  contactBoundaryQuantiles?: [number, number, number];
}

/**
 * A learned agglomeration: a classifier of region-graph edges (merge probability) with the feature
 * list and feature options it was trained on, and its provenance. Plain JSON.
 */
export interface AgglomerationModel {
  format: "tessera-agglomeration-model";
  version: 1;
  /** Names of the feature vector's entries ({@link edgeFeatureNames}), in order. */
  features: string[];
  /** Options the edge features were computed with. */
  featureOptions: {
    /** Histogram bins per contact. */
    bins: number;
    /** Whether the features include raw-image statistics (a raw image is then required). */
    raw: boolean;
    /** Raw histogram value range, when `raw`. */
    rawRange?: [number, number];
  };
  /** The classifier (class 1 = merge). */
  classifier: EdgeClassifierJson;
  provenance: AgglomerationModelProvenance;
}

/**
 * Check that `json` is an {@link AgglomerationModel} (format, version, features, feature options,
 * classifier header); `source` (a file name) goes into the error. The classifier's nodes are
 * checked when it is loaded.
 */
export function checkAgglomerationModel(json: unknown, source?: string): AgglomerationModel {
  const bad = (field: string, expected: string, found: unknown): never => {
    throw new SegmentValueError("not a tessera agglomeration model", {
      path: source,
      field,
      expected,
      found: typeof found === "string" ? found : JSON.stringify(found)?.slice(0, 80),
    });
  };
  const m = json as Partial<AgglomerationModel> | null;
  if (typeof m !== "object" || m === null) return bad("(root)", "a JSON object", m);
  if (m.format !== "tessera-agglomeration-model") bad("format", "'tessera-agglomeration-model'", m.format);
  if (m.version !== 1) bad("version", "1", m.version);
  if (!Array.isArray(m.features) || m.features.some((f) => typeof f !== "string")) {
    bad("features", "an array of feature names", m.features);
  }
  const o = m.featureOptions;
  if (!o || !Number.isInteger(o.bins) || o.bins < 1 || typeof o.raw !== "boolean") {
    bad("featureOptions", "{ bins: integer ≥ 1, raw: boolean }", o);
  }
  if (!EDGE_CLASSIFIER_TYPES.includes(m.classifier?.type as (typeof EDGE_CLASSIFIER_TYPES)[number])) {
    bad("classifier.type", EDGE_CLASSIFIER_TYPES.map((t) => `'${t}'`).join(" or "), m.classifier?.type);
  }
  const q = m.provenance?.contactBoundaryQuantiles;
  if (
    q !== undefined &&
    !(Array.isArray(q) && q.length === 3 && q.every((v) => typeof v === "number" && v >= 0 && v <= 1))
  ) {
    bad("provenance.contactBoundaryQuantiles", "three numbers in [0, 1]", q);
  }
  if (m.classifier?.features !== m.features?.length) {
    bad("classifier.features", `${m.features?.length} (the feature list's length)`, m.classifier?.features);
  }
  return m as AgglomerationModel;
}

import {
  RandomForestClassifier,
  type RandomForestJson,
  type RandomForestOptions,
} from "./edge-classifier.js";
import { SegmentOptionsError, SegmentValueError } from "./errors.js";
import {
  GradientBoostingClassifier,
  type GradientBoostingJson,
  type GradientBoostingOptions,
} from "./gradient-boosting.js";

/** An edge classifier of a learned agglomeration: a random forest or gradient-boosted trees. */
export type EdgeClassifier = RandomForestClassifier | GradientBoostingClassifier;

/** JSON form of an {@link EdgeClassifier} (told apart by `type`). */
export type EdgeClassifierJson = RandomForestJson | GradientBoostingJson;

/** Which classifier to fit, with its options (`type` defaults to `random-forest`). */
export type EdgeClassifierOptions =
  | ({ type?: "random-forest" } & RandomForestOptions)
  | ({ type: "gradient-boosting" } & GradientBoostingOptions);

/** The classifier types, as `type` and the model JSON spell them. */
export const EDGE_CLASSIFIER_TYPES = ["random-forest", "gradient-boosting"] as const;

/** Fit the classifier `options.type` names to rows `X` and labels `y` (0 keep, 1 merge). */
export function fitEdgeClassifier(
  X: readonly Float64Array[],
  y: ArrayLike<number>,
  options: EdgeClassifierOptions = {},
): EdgeClassifier {
  const { type = "random-forest", ...rest } = options;
  if (type === "random-forest") return RandomForestClassifier.fit(X, y, rest as RandomForestOptions);
  if (type === "gradient-boosting")
    return GradientBoostingClassifier.fit(X, y, rest as GradientBoostingOptions);
  throw new SegmentOptionsError("unknown classifier type", {
    field: "type",
    expected: EDGE_CLASSIFIER_TYPES.join(" or "),
    found: String(type),
  });
}

/** The classifier of a model's `classifier` JSON, by its `type`. */
export function edgeClassifierFromJSON(json: EdgeClassifierJson): EdgeClassifier {
  if (json?.type === "random-forest") return RandomForestClassifier.fromJSON(json);
  if (json?.type === "gradient-boosting") return GradientBoostingClassifier.fromJSON(json);
  throw new SegmentValueError("not an edge classifier", {
    field: "type",
    expected: EDGE_CLASSIFIER_TYPES.map((t) => `'${t}'`).join(" or "),
    found: String((json as { type?: unknown } | undefined)?.type),
  });
}

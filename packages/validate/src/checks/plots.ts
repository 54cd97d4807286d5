import type { VegaLiteSpec } from "./result.js";

/** One point of a comparison plot: x, the catalog's y and error, the reference's y (and error). */
export interface ComparisonPoint {
  x: number;
  catalog: number | null;
  catalogError?: number | null;
  reference: number | null;
  referenceError?: number | null;
}

/**
 * A vega-lite spec comparing catalog and reference curves: points with error bars for the catalog,
 * a line (with error bars when given) for the reference, y on a log scale when `logY`.
 */
export function comparisonPlot(
  title: string,
  xTitle: string,
  yTitle: string,
  points: ComparisonPoint[],
  logY = true,
): VegaLiteSpec {
  const values = points.flatMap((p) => [
    {
      x: p.x,
      y: p.catalog,
      lo: p.catalog !== null && p.catalogError != null ? p.catalog - p.catalogError : null,
      hi: p.catalog !== null && p.catalogError != null ? p.catalog + p.catalogError : null,
      source: "catalog",
    },
    {
      x: p.x,
      y: p.reference,
      lo: p.reference !== null && p.referenceError != null ? p.reference - p.referenceError : null,
      hi: p.reference !== null && p.referenceError != null ? p.reference + p.referenceError : null,
      source: "reference",
    },
  ]);
  const y = { field: "y", type: "quantitative", title: yTitle, scale: logY ? { type: "log" } : {} };
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title,
    data: { values: values.filter((v) => v.y !== null && (!logY || (v.y as number) > 0)) },
    encoding: {
      x: { field: "x", type: "quantitative", title: xTitle, scale: { zero: false } },
      color: { field: "source", type: "nominal" },
    },
    layer: [
      { mark: { type: "line", point: true }, encoding: { y } },
      {
        mark: "errorbar",
        encoding: { y: { ...y, field: "lo" }, y2: { field: "hi" } },
        transform: [{ filter: "datum.lo != null && datum.lo > 0" }],
      },
    ],
  };
}

/** Vega-lite specs → standalone SVG strings, headless (vega's SVG string renderer, no canvas). */
import { parse, View } from "vega";
import { compile, type TopLevelSpec } from "vega-lite";
import type { VegaLiteSpec } from "../checks/result.js";

/** Tags and attributes an inline SVG may not carry (scripts, event handlers, foreign content, links). */
export const UNSAFE_SVG = /<\s*(script|foreignObject|iframe|object|embed)\b|\son[a-z]+\s*=|javascript:/i;

/**
 * Render a vega-lite spec to an SVG string. Vega escapes text (titles, labels) itself; the result is
 * also refused when it holds a script, an event handler or foreign content, so it can be inlined.
 */
export async function renderSvg(spec: VegaLiteSpec): Promise<string> {
  const { $schema: _, ...rest } = spec;
  const vg = compile(rest as unknown as TopLevelSpec).spec;
  const view = new View(parse(vg), { renderer: "none", logLevel: 0 });
  try {
    const svg = await view.toSVG();
    if (UNSAFE_SVG.test(svg))
      throw new Error("the rendered SVG holds a script, an event handler or foreign content");
    return svg;
  } finally {
    view.finalize();
  }
}

import { TemplateError } from "./errors.js";

const PLACEHOLDER = /\{([A-Za-z_][\w.]*)\}/g;

function lookup(values: Record<string, unknown>, path: string): unknown {
  let v: unknown = values;
  for (const key of path.split(".")) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<string, unknown>)[key];
  }
  return v;
}

function scalar(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

/**
 * Render one template string: `{name}` or `{a.b}` is replaced by the value, `{{` and `}}` are literal
 * braces. Throws {@link TemplateError} for a missing value.
 */
export function renderString(app: string, template: string, values: Record<string, unknown>): string {
  const parts = template.split(/(\{\{|\}\})/);
  return parts
    .map((part) => {
      if (part === "{{") return "{";
      if (part === "}}") return "}";
      return part.replace(PLACEHOLDER, (_m, name: string) => {
        const v = lookup(values, name);
        if (v === undefined || v === null) throw new TemplateError(app, name);
        return Array.isArray(v) ? v.map(scalar).join(" ") : scalar(v);
      });
    })
    .join("");
}

/**
 * Render an argv template into an argv array. An element that is exactly `{name}` with an array value
 * spreads into several arguments; values never pass through a shell.
 */
export function renderArgv(
  app: string,
  template: readonly string[],
  values: Record<string, unknown>,
): string[] {
  const out: string[] = [];
  for (const element of template) {
    const whole = /^\{([A-Za-z_][\w.]*)\}$/.exec(element);
    if (whole) {
      const v = lookup(values, whole[1]);
      if (v === undefined || v === null) throw new TemplateError(app, whole[1]);
      if (Array.isArray(v)) out.push(...v.map(scalar));
      else out.push(scalar(v));
    } else {
      out.push(renderString(app, element, values));
    }
  }
  return out;
}

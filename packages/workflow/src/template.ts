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

/** Values every task has without a parameter: `{taskId}`, `{workdir}`, `{site}`, `{attempt}`. */
export const BUILTIN_PLACEHOLDERS: readonly string[] = ["taskId", "workdir", "site", "attempt"];

/** The placeholder names of template strings (`{name}`, `{a.b}`; `{{`/`}}` are literal braces), in first-seen order. */
export function templatePlaceholders(templates: readonly string[]): string[] {
  const names = new Set<string>();
  for (const template of templates) {
    for (const part of template.split(/(\{\{|\}\})/)) {
      if (part === "{{" || part === "}}") continue;
      for (const match of part.matchAll(PLACEHOLDER)) names.add(match[1]);
    }
  }
  return [...names];
}

/**
 * Placeholders of `templates` that `params` gives no value for (built-ins count as given), so the
 * task would fail when the launcher renders its command line.
 */
export function missingTemplateValues(
  templates: readonly string[],
  params: Record<string, unknown>,
): string[] {
  return templatePlaceholders(templates).filter((name) => {
    if (BUILTIN_PLACEHOLDERS.includes(name)) return false;
    const v = lookup(params, name);
    return v === undefined || v === null;
  });
}

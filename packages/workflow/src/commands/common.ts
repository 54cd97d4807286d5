import { type Command, InvalidArgumentError, Option } from "commander";
import { InvalidFieldError } from "../errors.js";
import { closeSite, openSite, type Site } from "../site.js";

/** The site folder of a command: `--site`, else `$TESSERA_SITE`, else the current folder. */
export function siteDir(opts: { site?: string }): string {
  return opts.site ?? process.env.TESSERA_SITE ?? process.cwd();
}

/** Open the command's site, run `fn`, close the site. */
export async function withSite<T>(opts: { site?: string }, fn: (site: Site) => Promise<T>): Promise<T> {
  const site = await openSite(siteDir(opts));
  try {
    return await fn(site);
  } finally {
    await closeSite(site);
  }
}

/** The `--site <dir>` option every command but `site init` has. */
export const siteOption = () =>
  new Option("--site <dir>", "site folder (default $TESSERA_SITE, else the current folder)");

/** Option parser for repeatable string options. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** Parser of a task id argument or option: a positive integer. */
export function taskId(value: string): number {
  const n = value.trim() === "" ? Number.NaN : Number(value);
  if (!Number.isSafeInteger(n) || n < 1) {
    throw new InvalidArgumentError(`expected a task id (a positive integer) like 12, got "${value}"`);
  }
  return n;
}

/** Parser of a repeatable task id option (`--parent 3 --parent 4`). */
export function collectTaskIds(value: string, previous: number[] = []): number[] {
  return [...previous, taskId(value)];
}

/** Parse `--since`: ms since epoch, an ISO date, or a relative `-30s` / `-5m` / `-2h`. */
export function parseSince(text: string): number {
  const rel = /^-(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(text);
  if (rel) {
    const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[rel[2] as "ms" | "s" | "m" | "h"];
    return Date.now() - Number(rel[1]) * unit;
  }
  if (/^\d+$/.test(text)) return Number(text);
  const t = Date.parse(text);
  if (Number.isNaN(t))
    throw new InvalidFieldError("--since", "ms since epoch, an ISO date or -30s/-5m/-2h", text);
  return t;
}

/** {@link parseSince} as an option parser (a bad value is a usage error). */
export function sinceOption(value: string): number {
  try {
    return parseSince(value);
  } catch {
    throw new InvalidArgumentError(
      `expected ms since epoch, an ISO date or a relative time like -5m (-30s, -2h), got "${value}"`,
    );
  }
}

/** Parse a JSON option value that must be an object. */
export function jsonObject(option: string, text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new InvalidFieldError(option, "a JSON object", JSON.stringify(text));
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new InvalidFieldError(option, "a JSON object", text);
  }
  return value as Record<string, unknown>;
}

function programName(command: Command): string {
  let root = command;
  while (root.parent) root = root.parent;
  return root.name();
}

/**
 * Add an Examples section to a command's `--help`. Each line is written after `$ <program> `, so the
 * examples name the program that shows them (`tessera` or `tessera-workflow`); a line that contains
 * `{program}` is written as it is, with the program's name there.
 */
export function examples(command: Command, ...lines: string[]): Command {
  const line = (l: string, program: string) =>
    l.includes("{program}") ? `  $ ${l.replaceAll("{program}", program)}` : `  $ ${program} ${l}`;
  return command.addHelpText(
    "after",
    () => `\nExamples:\n${lines.map((l) => line(l, programName(command))).join("\n")}`,
  );
}

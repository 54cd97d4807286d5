import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { InvalidFieldError } from "../errors.js";
import { formatRanges } from "../ranges.js";
import { addTaskLines } from "../task-lines.js";
import { addTasks } from "../tasks.js";
import { collect, collectTaskIds, examples, jsonObject, siteOption, withSite } from "./common.js";

interface AddOptions {
  site?: string;
  app?: string;
  params?: string;
  param?: string[];
  tag?: string[];
  parent?: number[];
  resources?: string;
  from?: string;
}

/** `--params` and `-p key=value` pairs (a value is parsed as JSON when it is JSON) as one object. */
function parseParams(json: string | undefined, pairs: string[]): Record<string, unknown> {
  const params = json ? jsonObject("--params", json) : {};
  for (const pair of pairs) {
    const eq = pair.indexOf("=");
    if (eq <= 0) throw new InvalidFieldError("--param", "key=value", JSON.stringify(pair));
    const raw = pair.slice(eq + 1);
    let value: unknown = raw;
    try {
      value = JSON.parse(raw);
    } catch {
      value = raw;
    }
    params[pair.slice(0, eq)] = value;
  }
  return params;
}

/** Add the tasks of a JSON Lines file (or stdin, `-`) in one transaction; prints how many and their ids. */
async function addFromFile(o: AddOptions, from: string): Promise<void> {
  const text = from === "-" ? readFileSync(0, "utf8") : readFileSync(from, "utf8");
  const ids = await withSite(o, (s) =>
    addTaskLines(s, text, { source: from === "-" ? "stdin" : from, tags: o.tag }),
  );
  const sorted = [...ids].sort((a, b) => a - b);
  process.stdout.write(
    `added ${ids.length} task${ids.length === 1 ? "" : "s"}${ids.length ? `: ids ${formatRanges(sorted)}` : ""}\n`,
  );
}

/** `task add`: one task from options (prints its id), or many from `--from tasks.jsonl`. */
export function registerTaskAdd(task: Command): void {
  const add = task
    .command("add")
    .description(
      "add a task (prints its id), or every task of a JSON Lines file with --from (one transaction: all or none)",
    )
    .addOption(siteOption())
    .option("--app <name>", "app name")
    .option("--params <json>", "parameters as a JSON object")
    .option("-p, --param <key=value>", "one parameter (value parsed as JSON when it is JSON)", collect)
    .option("--tag <tag>", "tag (repeatable; with --from, added to every task)", collect)
    .option("--parent <id>", "parent task id (repeatable)", collectTaskIds)
    .option("--resources <json>", 'resources override as JSON, e.g. {"threadsPerRank":2}')
    .option(
      "--from <tasks.jsonl>",
      'JSON Lines file ("-": stdin), one task per line: {"app": …, "params": {…}, "parents": [ids or keys], "key", "tags", "resources", "workdir"}',
    )
    .action(async (o: AddOptions, command: Command) => {
      if (o.from !== undefined) {
        if (o.app || o.params || o.param || o.parent || o.resources) {
          command.error(
            "error: --from reads app, params, parents and resources from each line: give no --app, --params, -p, --parent or --resources with it",
          );
        }
        await addFromFile(o, o.from);
        return;
      }
      if (!o.app)
        command.error("error: required option '--app <name>' not specified (or --from <tasks.jsonl>)");
      const app = o.app as string;
      const params = parseParams(o.params, o.param ?? []);
      const resources = o.resources ? jsonObject("--resources", o.resources) : undefined;
      await withSite(o, async (s) => {
        const [id] = await addTasks(s, [
          { app, params, tags: o.tag ?? [], parents: o.parent ?? [], resources },
        ]);
        process.stdout.write(`${id}\n`);
      });
    });
  examples(
    add,
    "task add --site ./site --app greet -p who=world --tag demo",
    `task add --site ./site --app greet --params '{"who":"x"}' --parent 12`,
    "task add --site ./site --from tasks.jsonl --tag batch1",
    `echo '{"app":"greet","params":{"who":"y"}}' | {program} task add --site ./site --from -`,
  );
}

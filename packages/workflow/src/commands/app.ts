import { resolve } from "node:path";
import type { Command } from "commander";
import { APP_EXAMPLE_YAML } from "../app-example.js";
import { readAppDefinition } from "../app-file.js";
import { OutputExistsError } from "../errors.js";
import { registerApp } from "../site.js";
import { examples, siteOption, withSite } from "./common.js";

/** `app ls`, `app add <file>`, `app example`. */
export function registerAppCommands(program: Command): void {
  const app = examples(
    program.command("app").description("apps registered on a site: named command templates"),
    "app example > greet.yaml",
    "app add greet.yaml --site ./site",
  );
  const ls = app
    .command("ls")
    .description("list the apps of a site: name and argv template")
    .addOption(siteOption())
    .option("--json", "print JSON (the stored definitions)")
    .action(async (o: { site?: string; json?: boolean }) =>
      withSite(o, async (s) => {
        const specs = await s.store.listApps();
        const names = new Set([...specs.map((a) => a.name), ...s.apps.keys()]);
        if (o.json) {
          process.stdout.write(`${JSON.stringify(specs, null, 2)}\n`);
          return;
        }
        for (const name of [...names].sort()) {
          const a = s.apps.get(name);
          process.stdout.write(`${name}\t${(a?.argv ?? ["(worker)"]).join(" ")}\n`);
        }
      }),
    );
  examples(ls, "app ls --site ./site", "app ls --site ./site --json");

  const add = app
    .command("add <file>")
    .description(
      "add an app from a definition file, JSON or YAML (name, argv, params as JSON Schema, resources, retry, …; see `app example`)",
    )
    .addOption(siteOption())
    .option("--overwrite", "replace an app of the same name that was added before")
    .action(async (file: string, o: { site?: string; overwrite?: boolean }) => {
      const definition = readAppDefinition(resolve(file));
      await withSite(o, async (s) => {
        const existing = s.apps.get(definition.name);
        if (existing?.module) {
          throw new OutputExistsError(
            `app "${definition.name}" is defined by an app module`,
            existing.module,
            "another app name (or change the app in that module)",
            `app "${definition.name}" in the module`,
          );
        }
        if (existing && !o.overwrite) {
          throw new OutputExistsError(
            `app "${definition.name}" exists already`,
            s.dir,
            "a new app name, or --overwrite to replace its definition",
            `app "${definition.name}"`,
          );
        }
        await registerApp(s, definition);
        process.stdout.write(`${definition.name}\n`);
      });
    });
  examples(
    add,
    "app add greet.yaml --site ./site",
    "app add greet.json --site ./site --overwrite",
    "task add --site ./site --app greet -p who=world",
  );

  const example = app
    .command("example")
    .description("print a complete, commented app definition in YAML (every field), to edit and `app add`")
    .action(() => {
      process.stdout.write(APP_EXAMPLE_YAML);
    });
  examples(example, "app example > greet.yaml");
}

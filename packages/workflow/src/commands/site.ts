import { resolve } from "node:path";
import type { Command } from "commander";
import { OutputExistsError } from "../errors.js";
import { closeSite, createSite, isSite } from "../site.js";
import { collect, examples } from "./common.js";

/** `site init <dir>`: create a site, all or nothing; refuse an existing one unless `--overwrite`. */
export function registerSiteCommands(program: Command): void {
  const site = examples(
    program
      .command("site")
      .description("task sites: a folder with the task database, site.json, data/, logs/"),
    "site init ./site --apps ./apps.mjs",
  );
  const init = site
    .command("init <dir>")
    .description("create a site: folder, site.json, task database (nothing is left behind on error)")
    .option(
      "--apps <module>",
      "ES module exporting app definitions, relative to the current folder (repeatable)",
      collect,
    )
    .option("--overwrite", "on an existing site: replace site.json's app modules (tasks are kept)")
    .action(async (dir: string, o: { apps?: string[]; overwrite?: boolean }) => {
      if (isSite(dir) && !o.overwrite) {
        throw new OutputExistsError(
          "a site exists already",
          resolve(dir),
          "a new or empty folder, or --overwrite to replace its site.json (its tasks are kept)",
          "a site with a task database",
        );
      }
      const s = await createSite(dir, { appModules: o.apps ?? [], replaceConfig: o.overwrite });
      process.stdout.write(`${s.dir}\n`);
      await closeSite(s);
    });
  examples(
    init,
    "site init ./site",
    "site init ./site --apps ./apps.mjs --apps ./more-apps.mjs",
    "site init ./site --apps ./apps.mjs --overwrite   # change the app modules of an existing site",
  );
}

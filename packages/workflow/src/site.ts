import { existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { isAbsolute, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { type AppDefinition, appFromSpec, appSpecOf, defineApp } from "./app.js";
import { AppModuleError, InvalidFieldError, SiteNotFoundError, WorkflowError } from "./errors.js";
import { createFolderAtomically, isEmptyFolder, populateOrUndo, writeFileAtomic } from "./fs-atomic.js";
import { SqliteStore } from "./sqlite/store.js";
import type { TaskStore } from "./store.js";

/** Name of the site database file. */
export const SITE_DB = "tessera.db";
/** Name of the site configuration file. */
export const SITE_CONFIG = "site.json";

/** Contents of `site.json`. */
export interface SiteConfig {
  version: 1;
  /**
   * ES modules whose exported app definitions every process loads: absolute paths (what
   * {@link createSite} writes), or relative to the site folder.
   */
  appModules: string[];
}

/** An open site: its folder, its store and the apps known to this process. */
export interface Site {
  readonly dir: string;
  readonly store: TaskStore;
  readonly apps: Map<string, AppDefinition>;
  readonly config: SiteConfig;
}

/** Options of {@link createSite}. */
export interface CreateSiteOptions {
  /** App modules (paths relative to the current directory, or absolute): loaded and checked first, stored absolute. */
  appModules?: string[];
  /** Rewrite `site.json` of an existing site with these `appModules` (the task database is kept). */
  replaceConfig?: boolean;
}

/** True when `dir` holds a site (its task database). */
export function isSite(dir: string): boolean {
  return existsSync(join(resolve(dir), SITE_DB));
}

/**
 * Create a site (idempotent on an existing site): the folder, `site.json`, the SQLite task database
 * (migrated) and `data/`, `logs/`. App modules are resolved against the current directory and loaded
 * first, so a bad one (missing, failing, exporting no app: {@link AppModuleError}) stops it before
 * anything is written. A new folder is made all or nothing (built beside it, then renamed into
 * place); in an existing folder, whatever was added is removed again on error. Returns the open site.
 */
export async function createSite(dir: string, options: CreateSiteOptions = {}): Promise<Site> {
  const root = resolve(dir);
  const appModules = (options.appModules ?? []).map((m) => resolve(m));
  for (const m of appModules) {
    if ((await loadAppModule(m)).length === 0) throw new AppModuleError(m, "it exports no app definition");
  }
  const config: SiteConfig = { version: 1, appModules };
  const populate = async (target: string) => {
    mkdirSync(join(target, "data"), { recursive: true });
    mkdirSync(join(target, "logs"), { recursive: true });
    const store = new SqliteStore(join(target, SITE_DB), { create: true });
    await store.close();
    // last, so that a site.json being replaced stays as it was if anything above failed
    const configPath = join(target, SITE_CONFIG);
    if (options.replaceConfig || !existsSync(configPath)) {
      writeFileAtomic(configPath, `${JSON.stringify(config, null, 2)}\n`);
    }
  };
  if (!existsSync(root) || isEmptyFolder(root)) {
    await createFolderAtomically(root, populate);
  } else if (!statSync(root).isDirectory()) {
    throw new InvalidFieldError(
      "site folder",
      "a new or empty folder, or an existing site",
      `a file: ${root}`,
    );
  } else {
    await populateOrUndo(root, populate);
  }
  return openSite(root);
}

function readConfig(root: string): SiteConfig {
  const path = join(root, SITE_CONFIG);
  if (!existsSync(path)) return { version: 1, appModules: [] };
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new InvalidFieldError(path, "JSON", (error as Error).message);
  }
  const modules = (parsed as { appModules?: unknown }).appModules ?? [];
  if (!Array.isArray(modules) || modules.some((m) => typeof m !== "string")) {
    throw new InvalidFieldError(`${path}: appModules`, "an array of module paths", JSON.stringify(modules));
  }
  return { version: 1, appModules: modules as string[] };
}

function isAppLike(value: unknown): value is AppDefinition {
  return (
    value !== null &&
    typeof value === "object" &&
    typeof (value as AppDefinition).name === "string" &&
    (Array.isArray((value as AppDefinition).argv) || typeof (value as AppDefinition).worker === "object")
  );
}

/**
 * Import an ES module and return the app definitions it exports (directly or in an exported array).
 * Throws {@link AppModuleError} when it is missing, fails to load, or exports an invalid definition.
 */
export async function loadAppModule(path: string): Promise<AppDefinition[]> {
  if (!existsSync(path)) throw new AppModuleError(path, "no such file");
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  } catch (error) {
    throw new AppModuleError(
      path,
      `importing it failed: ${String((error as Error)?.message ?? error).split("\n")[0]}`,
    );
  }
  const apps: AppDefinition[] = [];
  for (const value of Object.values(mod)) {
    const list = Array.isArray(value) ? value : [value];
    for (const item of list) {
      if (!isAppLike(item)) continue;
      try {
        apps.push(defineApp({ module: path, ...item }));
      } catch (error) {
        if (error instanceof WorkflowError) throw new AppModuleError(path, error.summary);
        throw error;
      }
    }
  }
  return apps;
}

/**
 * Open an existing site. Apps come from the database (command template, resources, policy) and, with
 * their zod schema and hooks, from `site.json` "appModules" and each app's own `module`.
 * Throws {@link SiteNotFoundError} or SiteCorruptError.
 */
export async function openSite(dir: string): Promise<Site> {
  const root = resolve(dir);
  const dbPath = join(root, SITE_DB);
  if (!existsSync(dbPath)) throw new SiteNotFoundError(root);
  const config = readConfig(root);
  const store = new SqliteStore(dbPath);
  const apps = new Map<string, AppDefinition>();
  try {
    const specs = await store.listApps();
    const modules = new Set(config.appModules.map((m) => (isAbsolute(m) ? m : join(root, m))));
    for (const spec of specs) {
      apps.set(spec.name, appFromSpec(spec));
      if (spec.module) modules.add(spec.module);
    }
    for (const m of modules) {
      for (const app of await loadAppModule(m)) apps.set(app.name, app);
    }
  } catch (error) {
    await store.close();
    throw error;
  }
  return { dir: root, store, apps, config };
}

/** Close the site's store. */
export async function closeSite(site: Site): Promise<void> {
  await site.store.close();
}

/**
 * Register (or replace) an app on a site: checked with {@link defineApp}, stored in the database so
 * other processes see its command template, and kept in this process with its schema and hooks.
 */
export async function registerApp(site: Site, app: AppDefinition): Promise<AppDefinition> {
  const checked = defineApp(app);
  await site.store.upsertApp(appSpecOf(checked));
  site.apps.set(checked.name, checked);
  return checked;
}

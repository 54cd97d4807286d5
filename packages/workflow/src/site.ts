import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { isAbsolute, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { type AppDefinition, appFromSpec, appSpecOf, defineApp } from "./app.js";
import { InvalidFieldError, SiteNotFoundError } from "./errors.js";
import { SqliteStore } from "./sqlite/store.js";
import type { TaskStore } from "./store.js";

/** Name of the site database file. */
export const SITE_DB = "tessera.db";
/** Name of the site configuration file. */
export const SITE_CONFIG = "site.json";

/** Contents of `site.json`. */
export interface SiteConfig {
  version: 1;
  /** ES modules (absolute, or relative to the site) whose exported app definitions every process loads. */
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
  appModules?: string[];
}

/**
 * Create a site (idempotent): the folder, `site.json`, the SQLite task database (migrated) and
 * `data/`, `logs/`. Returns the open site.
 */
export async function createSite(dir: string, options: CreateSiteOptions = {}): Promise<Site> {
  const root = resolve(dir);
  mkdirSync(join(root, "data"), { recursive: true });
  mkdirSync(join(root, "logs"), { recursive: true });
  const configPath = join(root, SITE_CONFIG);
  if (!existsSync(configPath)) {
    const config: SiteConfig = { version: 1, appModules: options.appModules ?? [] };
    writeFileSync(configPath, `${JSON.stringify(config, null, 2)}\n`);
  }
  const store = new SqliteStore(join(root, SITE_DB), { create: true });
  await store.close();
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

/** Import an ES module and return the app definitions it exports (directly or in an exported array). */
export async function loadAppModule(path: string): Promise<AppDefinition[]> {
  const mod = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  const apps: AppDefinition[] = [];
  for (const value of Object.values(mod)) {
    const list = Array.isArray(value) ? value : [value];
    for (const item of list) if (isAppLike(item)) apps.push(defineApp({ module: path, ...item }));
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

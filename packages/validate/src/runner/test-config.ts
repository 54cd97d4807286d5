/** Validation test configs in YAML: one file per test, `test: <kind>` plus that test's config keys. */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { basename, extname, resolve } from "node:path";
import { LineCounter, parseDocument } from "yaml";
import { formatKeyPath, type KeyPath, locateKey } from "../catalog/yaml-locate.js";
import { ValidationConfigError } from "../checks/errors.js";
import { HaloMassFunctionTest } from "../checks/halo-mass-function.js";
import { NzTest } from "../checks/nz.js";
import { ReadinessTest } from "../checks/readiness.js";
import type { ValidationTest } from "../checks/result.js";
import { StellarMassFunctionTest } from "../checks/stellar-mass-function.js";
import { ValidateError } from "../errors.js";

/** The test kinds a config may name with `test:`, and how each is built from its config. */
export const TEST_KINDS: Record<string, (config: unknown, name: string) => ValidationTest> = {
  "halo-mass-function": (c, n) => new HaloMassFunctionTest(c, n),
  "stellar-mass-function": (c, n) => new StellarMassFunctionTest(c, n),
  nz: (c, n) => new NzTest(c, n),
  readiness: (c, n) => new ReadinessTest(c, n),
};

/** A test config file that cannot be used; the message names the file, key and line. */
export class TestConfigError extends ValidateError {
  readonly file: string;
  readonly key: string;
  readonly line?: number;
  constructor(
    summary: string,
    d: { file: string; key: string; line?: number; expected?: string; found?: string; cause?: unknown },
  ) {
    super(summary, {
      path: d.line === undefined ? d.file : `${d.file}:${d.line}`,
      field: d.line === undefined ? d.key : `${d.key} (line ${d.line})`,
      expected: d.expected,
      found: d.found,
      cause: d.cause,
    });
    this.file = d.file;
    this.key = d.key;
    this.line = d.line;
  }
}

/** A loaded test config. */
export interface LoadedTest {
  /** Column name in the report: the `name` key, else the file name without extension. */
  name: string;
  /** The `test:` kind. */
  kind: string;
  /** Absolute path of the YAML file (undefined for tests given in code). */
  file?: string;
  /** sha256 of the file's bytes. */
  sha256?: string;
  /** The config keys (without `test` and `name`). */
  config: Record<string, unknown>;
  test: ValidationTest;
}

/** Parse the YAML text of a test config; `file` names it in errors. */
export function parseTestConfigYaml(text: string, file: string): LoadedTest {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const at = (path: KeyPath) => locateKey(doc, lines, path)?.line;
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    const pos = e.linePos?.[0] ?? lines.linePos(e.pos[0]);
    throw new TestConfigError("the test config is not valid YAML", {
      file,
      key: "(syntax)",
      line: pos?.line,
      expected: "YAML",
      found: e.message.split("\n")[0],
    });
  }
  const raw = doc.toJS() as unknown;
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    throw new TestConfigError("the test config must be a YAML mapping", {
      file,
      key: "(top level)",
      line: 1,
      expected: "a mapping with `test:` and the test's keys",
      found: Array.isArray(raw) ? "a list" : JSON.stringify(raw),
    });
  }
  const { test: kind, name: givenName, ...config } = raw as Record<string, unknown>;
  const kinds = Object.keys(TEST_KINDS);
  if (typeof kind !== "string" || !(kind in TEST_KINDS)) {
    throw new TestConfigError("unknown or missing test kind", {
      file,
      key: "test",
      line: at(["test"]) ?? 1,
      expected: `one of ${kinds.join(", ")}`,
      found: kind === undefined ? "nothing" : JSON.stringify(kind),
    });
  }
  if (givenName !== undefined && (typeof givenName !== "string" || givenName.trim() === "")) {
    throw new TestConfigError("the test name must be a non-empty string", {
      file,
      key: "name",
      line: at(["name"]),
      expected: "a string",
      found: JSON.stringify(givenName),
    });
  }
  const name = (givenName as string | undefined) ?? basename(file, extname(file));
  let test: ValidationTest;
  try {
    test = TEST_KINDS[kind](config, name);
  } catch (error) {
    if (error instanceof ValidationConfigError) {
      const field = String(error.field ?? "(config)");
      const path: KeyPath =
        field === "(config)" ? [] : field.split(".").map((k) => (/^\d+$/.test(k) ? Number(k) : k));
      throw new TestConfigError(`invalid config of test ${kind}`, {
        file,
        key: formatKeyPath(path),
        line: at(path),
        expected: error.expected,
        found: error.found,
        cause: error,
      });
    }
    throw error;
  }
  return { name, kind, file, config, test };
}

/** Read and parse a test config file. @throws TestConfigError naming the file, key and line. */
export async function loadTestConfig(path: string): Promise<LoadedTest> {
  const file = resolve(path);
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    throw new TestConfigError("the test config cannot be read", {
      file,
      key: "(file)",
      expected: "a readable YAML file",
      found: (error as NodeJS.ErrnoException).code ?? String(error),
    });
  }
  const loaded = parseTestConfigYaml(bytes.toString("utf8"), file);
  return { ...loaded, sha256: createHash("sha256").update(bytes).digest("hex") };
}

#!/usr/bin/env node
// Sums the vitest JSON reports written by every package's `test` target (reports/vitest/*.json)
// and prints the plain closing line `N passed, N failed, N skipped`. Exits 1 on any failure or when
// no report exists.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const dir = join(process.cwd(), "reports", "vitest");
// `--exit-status N`: the exit status of `npm test`; a failure there with no failed test recorded
// (lint, typecheck or build failed) counts as one failure.
const statusFlag = process.argv.indexOf("--exit-status");
const exitStatus = statusFlag > 0 ? Number(process.argv[statusFlag + 1]) : 0;
const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(".json")) : [];
let passed = 0;
let failed = 0;
let skipped = 0;
let suiteErrors = 0;
for (const file of files) {
  const report = JSON.parse(readFileSync(join(dir, file), "utf8"));
  passed += report.numPassedTests ?? 0;
  failed += report.numFailedTests ?? 0;
  skipped += (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
  // A test file that fails to load counts as a failed suite with no failed test.
  if (!report.success && (report.numFailedTests ?? 0) === 0)
    suiteErrors += Math.max(1, report.numFailedTestSuites ?? 0);
  const status = report.success ? "ok" : "FAILED";
  console.log(
    `  ${file.replace(/\.json$/, "")}: ${report.numPassedTests} passed, ${report.numFailedTests} failed (${status})`,
  );
}
failed += suiteErrors;
if (exitStatus !== 0 && failed === 0) {
  console.log("  npm test failed before or outside the test runner (lint, typecheck or build)");
  failed = 1;
}
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(files.length === 0 || failed > 0 ? 1 : 0);

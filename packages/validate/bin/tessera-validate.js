#!/usr/bin/env node
// Committed launcher for `tessera-validate`, so that npm links the command even before dist/ exists (npm skips
// bins whose target is missing at install time). It runs the built program, or says how to build it.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const built = new URL("../dist/bin.js", import.meta.url);
if (!existsSync(built)) {
  process.stderr.write(
    `tessera-validate: NotBuiltError: ${fileURLToPath(built)} is missing; run \`npm run build\` in the repository (npm start and npm test build first)\n`,
  );
  process.exit(3);
}
await import(built.href);

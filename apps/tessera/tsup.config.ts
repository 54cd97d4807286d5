import { defineConfig } from "tsup";
import { packageBuild } from "../../packages/testkit/src/tsup-package.js";

export default defineConfig(packageBuild(["src/index.ts", "src/cli.ts"]));

import { defineConfig } from "tsup";
import { packageBuild } from "../testkit/src/tsup-package.js";

export default defineConfig(packageBuild(["src/index.ts", "src/cli.ts", "src/bin.ts"]));

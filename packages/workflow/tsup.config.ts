import { copyFileSync } from "node:fs";
import { defineConfig } from "tsup";
import { packageBuild } from "../testkit/src/tsup-package.js";

export default defineConfig(
  packageBuild(
    // spawn-helper.js, spawn-child.js, spawn-helper.pl and spawn-helper.py are programs that the launcher finds beside its
    // own module (src/launcher/ when run from sources, dist/ when built)
    {
      index: "src/index.ts",
      bin: "src/bin.ts",
      "spawn-helper": "src/launcher/spawn-helper.js",
      "spawn-child": "src/launcher/spawn-child.js",
    },
    {
      dts: { entry: "src/index.ts" },
      async onSuccess() {
        copyFileSync("src/launcher/spawn-helper.pl", "dist/spawn-helper.pl");
        copyFileSync("src/launcher/spawn-helper.py", "dist/spawn-helper.py");
      },
    },
  ),
);

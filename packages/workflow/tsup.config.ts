import { copyFileSync } from "node:fs";
import { defineConfig } from "tsup";
import { writeSourceDigest } from "../testkit/src/fresh-build.js";

export default defineConfig({
  // spawn-helper.js, spawn-child.js and spawn-helper.pl are programs that the launcher finds beside its
  // own module (src/launcher/ when run from sources, dist/ when built)
  entry: {
    index: "src/index.ts",
    bin: "src/bin.ts",
    "spawn-helper": "src/launcher/spawn-helper.js",
    "spawn-child": "src/launcher/spawn-child.js",
  },
  format: ["esm"],
  dts: { entry: "src/index.ts" },
  sourcemap: true,
  clean: true,
  target: "node20",
  async onSuccess() {
    copyFileSync("src/launcher/spawn-helper.pl", "dist/spawn-helper.pl");
    writeSourceDigest(".");
  },
});

import { defineConfig } from "tsup";

export default defineConfig({
  // spawn-helper.js and spawn-child.js are plain JavaScript that the launcher finds beside its own
  // module (src/launcher/ when run from sources, dist/ when built)
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
});

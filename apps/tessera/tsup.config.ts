import { defineConfig } from "tsup";
import { writeSourceDigest } from "../../packages/testkit/src/fresh-build.js";

export default defineConfig({
  entry: ["src/index.ts", "src/cli.ts"],
  format: ["esm"],
  dts: true,
  sourcemap: true,
  clean: true,
  target: "node20",
  // lets tests refuse a stale dist/ (see @tessera/testkit staleBuilds)
  async onSuccess() {
    writeSourceDigest(".");
  },
});

import { defineConfig } from "tsup";
import { writeSourceDigest } from "../testkit/src/fresh-build.js";

export default defineConfig({
  entry: ["src/index.ts"],
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

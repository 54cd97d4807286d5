import type { Options } from "tsup";
import { writeSourceDigest } from "./fresh-build.js";

/**
 * The tsup build every Tessera package uses: ESM for Node 20 with `.d.ts` and source maps into a
 * clean `dist/`, recording the digest of the sources built so that tests can refuse a stale
 * `dist/` (see {@link writeSourceDigest}). `extra` adds to it; its `onSuccess` runs before the digest.
 */
export function packageBuild(entry: Options["entry"], extra: Omit<Options, "entry"> = {}): Options {
  const { onSuccess, ...rest } = extra;
  return {
    entry,
    format: ["esm"],
    dts: true,
    sourcemap: true,
    clean: true,
    target: "node20",
    ...rest,
    async onSuccess() {
      if (typeof onSuccess === "function") await onSuccess();
      writeSourceDigest(".");
    },
  };
}

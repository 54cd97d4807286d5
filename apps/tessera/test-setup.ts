import { join } from "node:path";
import { assertFreshBuilds, repoRoot } from "@tessera/testkit";

/** The CLI tests spawn `dist/cli.js`, which runs the built packages: refuse to test a stale build. */
export default function setup(): void {
  assertFreshBuilds(
    [
      "apps/tessera",
      "packages/volume",
      "packages/segment",
      "packages/mesh",
      "packages/workflow",
      "packages/phantom",
    ].map((dir) => join(repoRoot, dir)),
  );
}

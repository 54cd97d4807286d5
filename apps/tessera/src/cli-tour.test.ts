import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { repoRoot, sharedData } from "@tessera/testkit";
import { describe, expect, it } from "vitest";

const em = sharedData("em");

describe.skipIf(!em.available)("tools/cli-tour.sh", () => {
  it("walks the documented commands on shared data: every step exits as documented", () => {
    const tour = spawnSync("bash", [join(repoRoot, "tools", "cli-tour.sh")], {
      encoding: "utf8",
      timeout: 600_000,
    });
    const summary = /cli tour: (\d+) steps, (\d+) unexpected/.exec(tour.stdout);
    expect(summary, tour.stdout + tour.stderr).not.toBeNull();
    expect(Number(summary?.[1])).toBeGreaterThan(40);
    const surprises = tour.stdout
      .split("\n")
      .filter((line) => line.startsWith("✗") || line.startsWith("    stderr"));
    expect(surprises).toEqual([]);
    expect(tour.status).toBe(0);
  }, 600_000);
});

// A job that runs past its walltime ends TIMEOUT (not FAILED), on the real Slurm.
import { join } from "node:path";
import { tempDir } from "@tessera/testkit";
import { afterAll, describe, expect, it } from "vitest";
import { waitForJobs } from "./job-tracker.js";
import { SlurmScheduler } from "./slurm.js";
import { runSlurmTests } from "./slurm-test-kit.js";

const dir = tempDir("tessera-slurm-timeout-");
afterAll(() => dir.cleanup());

describe.skipIf(!runSlurmTests())("walltime", () => {
  it("a 1-minute job that sleeps 10 minutes ends TIMEOUT, without an exit file", {
    timeout: 240_000,
  }, async () => {
    const slurm = new SlurmScheduler({ jobsDir: join(dir.path, "jobs") });
    const job = await slurm.submit({
      name: "overrun",
      command: "sleep 600",
      walltimeMinutes: 1,
      workdir: dir.path,
      output: join(dir.path, "overrun.out"),
      exitFile: join(dir.path, "overrun.exit"),
    });
    const { statuses } = await waitForJobs(slurm, [job.id], {
      minIntervalMs: 2000,
      maxIntervalMs: 5000,
      timeoutMs: 220_000,
    });
    const s = statuses.get(job.id);
    expect(s?.state).toBe("TIMEOUT");
    expect(s?.exitCode).toBeUndefined();
  });
});

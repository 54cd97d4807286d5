// Against the real Slurm started by tools/slurm/cluster.sh (CI sets TESSERA_REQUIRE_SLURM=1).
import { spawnSync } from "node:child_process";
import { chmodSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "@tessera/testkit";
import { afterAll, describe, expect, it } from "vitest";
import { JobSpecError, SchedulerCommandError, SchedulerCommandMissingError } from "./errors.js";
import { waitForJobs } from "./job-tracker.js";
import { SlurmScheduler, slurmJobCompLog } from "./slurm.js";
import type { BatchJobSpec } from "./slurm-script.js";
import { runSlurmTests } from "./slurm-test-kit.js";

const dir = tempDir("tessera-slurm-");
afterAll(() => dir.cleanup());

function spec(name: string, command: string, extra: Partial<BatchJobSpec> = {}): BatchJobSpec {
  return {
    name,
    command,
    workdir: dir.path,
    output: join(dir.path, `${name}.out`),
    exitFile: join(dir.path, `${name}.exit`),
    ...extra,
  };
}

/** Slurm's own view of a job (`scontrol show job -o`): the truth the tracker is compared with. */
function slurmSays(id: string): { state: string; exit: string } {
  const out = spawnSync("scontrol", ["show", "job", "-o", id], { encoding: "utf8" }).stdout;
  return { state: /JobState=(\S+)/.exec(out)?.[1] ?? "?", exit: /\bExitCode=(\S+)/.exec(out)?.[1] ?? "?" };
}

describe.skipIf(!runSlurmTests())("SlurmScheduler on a real Slurm", () => {
  it("COMPLETED, FAILED (exit 3), CANCELLED and an unsatisfiable job, tracked with one squeue per poll", async () => {
    const jobCompLog = await slurmJobCompLog();
    const slurm = new SlurmScheduler({ jobsDir: join(dir.path, "jobs"), jobCompLog });
    const ok = await slurm.submit(spec("ok", "echo hello from $SLURM_JOB_ID"));
    const bad = await slurm.submit(spec("bad", "echo failing >&2; exit 3"));
    const long = await slurm.submit(spec("long", "sleep 300"));
    const huge = await slurm.submit(spec("huge", "true", { cpusPerTask: 4096 }));
    // the rendered script is kept as provenance
    expect(readFileSync(ok.script, "utf8")).toContain("#SBATCH --job-name=ok");
    const seen: string[] = [];
    const wait = waitForJobs(slurm, [ok.id, bad.id, long.id, huge.id], {
      minIntervalMs: 300,
      maxIntervalMs: 2000,
      timeoutMs: 90_000,
      onChange: (s) => {
        seen.push(`${s.id}:${s.state}${s.stuck ? ":stuck" : ""}`);
        // cancel the long job once it runs
        if (s.id === long.id && s.state === "RUNNING") void slurm.cancel([long.id]);
      },
    });
    const { statuses, polls } = await wait;
    const st = (id: string) => statuses.get(id);
    expect(st(ok.id)).toMatchObject({ state: "COMPLETED", exitCode: 0 });
    expect(st(bad.id)).toMatchObject({ state: "FAILED", exitCode: 3, reason: "NonZeroExitCode" });
    expect(st(long.id)?.state).toBe("CANCELLED");
    expect(st(huge.id)).toMatchObject({ state: "PENDING", stuck: true, reason: "PartitionConfig" });
    // Slurm agrees
    expect(slurmSays(ok.id)).toEqual({ state: "COMPLETED", exit: "0:0" });
    expect(slurmSays(bad.id)).toEqual({ state: "FAILED", exit: "3:0" });
    expect(slurmSays(long.id).state).toBe("CANCELLED");
    expect(readFileSync(ok.output, "utf8")).toBe(`hello from ${ok.id}\n`);
    // one squeue call per poll, whatever the number of jobs; scontrol only for jobs squeue lacks (none here)
    expect(slurm.counts.squeue).toBe(polls);
    expect(slurm.counts.scontrol).toBe(0);
    expect(seen).toContain(`${long.id}:RUNNING`);
    await slurm.cancel([huge.id]);
  });

  it("a job squeue and scontrol no longer know is found in the jobcomp log; one nobody knows is LOST", async () => {
    const jobCompLog = await slurmJobCompLog();
    expect(jobCompLog, "tools/slurm/cluster.sh configures jobcomp/filetxt").toBeDefined();
    const slurm = new SlurmScheduler({ jobsDir: join(dir.path, "jobs"), jobCompLog });
    const job = await slurm.submit(spec("purged", "exit 7"));
    await waitForJobs(slurm, [job.id], { minIntervalMs: 300, maxIntervalMs: 1000, timeoutMs: 60_000 });
    // the job's record purged from the controller (as after MinJobAge): squeue and scontrol that know nothing
    const fake = join(dir.path, "fake-bin");
    spawnSync("mkdir", ["-p", fake]);
    writeFileSync(join(fake, "squeue"), "#!/bin/sh\nexit 0\n");
    writeFileSync(
      join(fake, "scontrol"),
      '#!/bin/sh\necho "slurm_load_jobs error: Invalid job id specified" >&2\nexit 1\n',
    );
    chmodSync(join(fake, "squeue"), 0o755);
    chmodSync(join(fake, "scontrol"), 0o755);
    const path = process.env.PATH;
    process.env.PATH = `${fake}:${path}`;
    try {
      const statuses = await slurm.poll([job.id, "987654321"]);
      expect(statuses.get(job.id)).toMatchObject({ state: "FAILED", source: "jobcomp", exitCode: 7 });
      expect(statuses.get("987654321")).toMatchObject({ state: "LOST", source: "none" });
    } finally {
      process.env.PATH = path;
    }
  });

  it("bad input: sbatch's refusal with its stderr, a bad spec before submission, commands missing", async () => {
    const slurm = new SlurmScheduler({ jobsDir: join(dir.path, "jobs") });
    const refused = await slurm
      .submit(spec("nopart", "true", { queue: "no_such_partition" }))
      .catch((e) => e);
    expect(refused).toBeInstanceOf(SchedulerCommandError);
    expect(String(refused.message)).toMatch(/sbatch .*invalid partition/i);
    await expect(slurm.submit(spec("bad name!", "true"))).rejects.toThrow(JobSpecError);
    await expect(slurm.submit(spec("relative", "true", { workdir: "jobs" }))).rejects.toThrow(
      /field workdir/,
    );
    const path = process.env.PATH;
    process.env.PATH = join(dir.path, "empty-bin");
    try {
      await expect(slurm.poll(["1"])).rejects.toThrow(SchedulerCommandMissingError);
      await expect(slurm.poll(["1"])).rejects.toThrow(/"squeue" was not found/);
    } finally {
      process.env.PATH = path;
    }
  });
});

// PBS Pro pilots without a PBS server (Debian has none): qsub/qstat/qdel are stand-in scripts that
// record what they are given and answer in PBS's formats; the rendered qsub script is then run for
// real with bash, with the environment PBS gives a job ($PBS_NODEFILE, $NCPUS).
import { spawnSync } from "node:child_process";
import { chmodSync, readFileSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { tempDir } from "@tessera/testkit";
import { afterAll, describe, expect, it } from "vitest";
import { freshSite, requireBin } from "../../test/helpers.js";
import { registerApp } from "../site.js";
import { addTasks, listTasks, taskAttempts } from "../tasks.js";
import { JobSpecError } from "./errors.js";
import { waitForJobs } from "./job-tracker.js";
import { PbsScheduler } from "./pbs-scheduler.js";
import { submitPilot } from "./pilot.js";

const dir = tempDir("tessera-pbs-pilot-");
afterAll(() => dir.cleanup());

const ID = "4242.polaris-pbs-01.hsn.cm.polaris.alcf.anl.gov";

/** Stand-in client commands: qsub keeps the script and prints an id; qstat answers from state.json. */
function fakePbs(): { commands: Record<"qsub" | "qstat" | "qdel", string>; calls: string } {
  const calls = join(dir.path, `calls-${Date.now()}.txt`);
  const state = join(dir.path, "state.json");
  const write = (name: string, body: string) => {
    const path = join(dir.path, name);
    writeFileSync(path, `#!/bin/sh\n${body}\n`);
    chmodSync(path, 0o755);
    return path;
  };
  return {
    calls,
    commands: {
      qsub: write("qsub", `echo "qsub $*" >> ${calls}; cp "$1" ${dir.path}/submitted.pbs; echo ${ID}`),
      qstat: write(
        "qstat",
        `echo "qstat $*" >> ${calls}
for a in "$@"; do case "$a" in 99*) echo "qstat: Unknown Job Id $a" >&2; unknown=1;; esac; done
cat ${state}
[ -z "$unknown" ] || exit 153`,
      ),
      qdel: write("qdel", `echo "qdel $*" >> ${calls}`),
    },
  };
}

function qstatSays(jobs: Record<string, unknown>) {
  writeFileSync(
    join(dir.path, "state.json"),
    JSON.stringify({
      timestamp: 1764600000,
      pbs_version: "2022.1.1",
      pbs_server: "polaris-pbs-01",
      Jobs: jobs,
    }),
  );
}

describe("PBS pilots", () => {
  it("qsub gets the rendered script; one qstat -x -f -F json per poll sees the job finish; the script runs the launcher on the nodes of $PBS_NODEFILE", {
    timeout: 120_000,
  }, async () => {
    requireBin();
    const site = await freshSite();
    await registerApp(site, { name: "work", argv: ["sh", "-c", "echo {n} > out"] });
    const ids = await addTasks(
      site,
      Array.from({ length: 6 }, (_, n) => ({ app: "work", params: { n } })),
    );
    const { commands, calls } = fakePbs();
    const pbs = new PbsScheduler({
      jobsDir: join(site.dir, "jobs"),
      pbs: { system: "polaris", filesystems: "home:eagle" },
      commands,
    });
    const job = await submitPilot({
      site: site.dir,
      backend: "pbs",
      nodes: 2,
      walltimeMinutes: 30,
      queue: "debug",
      project: "Tessera",
      scheduler: pbs,
    });
    expect(job.id).toBe(ID);
    const script = readFileSync(job.script, "utf8");
    expect(script).toBe(readFileSync(join(dir.path, "submitted.pbs"), "utf8"));
    for (const line of [
      "#PBS -l select=2:system=polaris",
      "#PBS -l place=scatter",
      "#PBS -l walltime=00:30:00",
      "#PBS -l filesystems=home:eagle",
      "#PBS -A Tessera",
      "#PBS -q debug",
    ]) {
      expect(script.split("\n")).toContain(line);
    }
    expect(script).toMatch(
      /launch --site .* --max-cpus "\$\{NCPUS:-\$\(nproc\)\}" --mpi mpiexec --mpi-flavour pals --claim-until/,
    );

    // PBS runs the script on the first node: $PBS_NODEFILE lists the nodes, $NCPUS the cores of each
    const nodefile = join(dir.path, "nodefile");
    writeFileSync(nodefile, `${hostname()}\n`);
    const run = spawnSync("bash", [job.script], {
      encoding: "utf8",
      env: { PATH: process.env.PATH, HOME: process.env.HOME, PBS_NODEFILE: nodefile, NCPUS: "2" },
      timeout: 90_000,
    });
    expect(run.status, run.stdout + run.stderr).toBe(0);
    expect(readFileSync(job.exitFile, "utf8")).toBe("0\n");
    expect((await listTasks(site, {})).map((t) => t.state)).toEqual(new Array(6).fill("JOB_FINISHED"));
    // serial tasks on the launcher's node run directly
    for (const id of ids) expect((await taskAttempts(site, id))[0].argv[0]).toBe("sh");
    const started = readFileSync(join(site.dir, "logs", "workflow.log"), "utf8")
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l))
      .find((e) => e.msg === "launcher started");
    expect(started).toMatchObject({ maxCpus: 2, nodes: 1, mpi: "mpiexec", nodesFrom: "PBS_NODEFILE" });

    // the server reports it finished (state F): seen, with the wrapper's exit status
    qstatSays({ [ID]: { job_state: "F", Exit_status: 0 }, "4243.polaris-pbs-01": { job_state: "R" } });
    pbs.track("4243.polaris-pbs-01");
    const first = await pbs.poll([ID, "4243.polaris-pbs-01"]);
    expect(first.get(ID)).toMatchObject({ state: "COMPLETED", exitCode: 0, source: "qstat" });
    expect(first.get("4243.polaris-pbs-01")).toMatchObject({ state: "RUNNING" });
    // an id the server does not know is LOST, the others still read from the same call
    const mixed = await pbs.poll([ID, "99.polaris-pbs-01"]);
    expect(mixed.get("99.polaris-pbs-01")).toMatchObject({ state: "LOST" });
    expect(mixed.get(ID)).toMatchObject({ state: "COMPLETED" });
    const { statuses } = await waitForJobs(pbs, [ID], { minIntervalMs: 10 });
    expect(statuses.get(ID)?.state).toBe("COMPLETED");
    await pbs.cancel([ID]);
    const log = readFileSync(calls, "utf8").trim().split("\n");
    expect(log[0]).toMatch(/^qsub \/.*\.pbs$/);
    expect(log.filter((l) => l.startsWith("qstat")).length).toBe(pbs.counts.qstat);
    expect(log).toContain(`qstat -x -f -F json ${ID} 4243.polaris-pbs-01`);
    expect(log.at(-1)).toBe(`qdel ${ID}`);
  });

  it("a server that does not answer is an error, not LOST jobs; qsub's refusal shows its stderr", async () => {
    const fail = join(dir.path, "fail");
    writeFileSync(
      fail,
      '#!/bin/sh\necho "qsub: Job violates queue and/or server resource limits" >&2\nexit 188\n',
    );
    chmodSync(fail, 0o755);
    const pbs = new PbsScheduler({ jobsDir: join(dir.path, "jobs"), commands: { qstat: fail, qsub: fail } });
    await expect(pbs.poll(["1.server"])).rejects.toThrow(/failed \(exit 188\).*resource limits/);
    await expect(
      pbs.submit({
        name: "x",
        command: "true",
        workdir: dir.path,
        output: join(dir.path, "o"),
        exitFile: join(dir.path, "e"),
      }),
    ).rejects.toThrow(/qsub: Job violates queue/);
  });

  it("refuses a pilot whose walltime is shorter than the shortest waiting task; nothing is submitted", async () => {
    const site = await freshSite();
    await registerApp(site, { name: "long", argv: ["sleep", "1"], walltimeMs: 45 * 60_000 });
    await registerApp(site, { name: "longer", argv: ["sleep", "1"], walltimeMs: 90 * 60_000 });
    await addTasks(site, [{ app: "long" }, { app: "longer" }]);
    const { commands, calls } = fakePbs();
    const pbs = new PbsScheduler({ jobsDir: join(site.dir, "jobs"), commands });
    const submit = (walltimeMinutes: number) =>
      submitPilot({ site: site.dir, backend: "pbs", walltimeMinutes, scheduler: pbs });
    const error = await submit(30).catch((e) => e);
    expect(error).toBeInstanceOf(JobSpecError);
    expect(error.message).toMatch(/walltimeMinutes: expected at least 45 .*app "long".*2700 s.*found 30/);
    expect(pbs.counts.qsub).toBe(0);
    expect(() => readFileSync(calls)).toThrow();
    await expect(submit(45)).resolves.toMatchObject({ id: ID });
  });

  it("queue submit names the options the user typed in its errors, and a missing qsub", async () => {
    const bin = requireBin();
    const site = await freshSite();
    await registerApp(site, { name: "long", argv: ["sleep", "1"], walltimeMs: 45 * 60_000 });
    await addTasks(site, [{ app: "long" }]);
    const cli = (...args: string[]) =>
      spawnSync(process.execPath, [bin, "queue", "submit", "--site", site.dir, ...args], {
        encoding: "utf8",
        env: { ...process.env, PATH: "/usr/bin:/bin" },
      });
    const short = cli("--backend", "pbs", "--walltime", "30");
    expect(short.status).toBe(2);
    expect(short.stderr).toMatch(/--walltime: expected at least 45/);
    expect(short.stderr).not.toMatch(/walltimeMinutes/);
    const claim = cli("--backend", "pbs", "--walltime", "60", "--stop-claiming", "3600");
    expect(claim.stderr).toMatch(/--stop-claiming: expected an integer in \[0, 3600\)/);
    const noQsub = cli("--backend", "pbs", "--walltime", "60");
    expect(noQsub.status).toBe(2);
    expect(noQsub.stderr).toMatch(/SCHEDULER_COMMAND_MISSING|"qsub" was not found/);
  });
});

// PBS Pro: script rendering and output parsing (no PBS server exists in Debian). The qstat fixture
// follows the structure of `qstat -x -f -F json` (timestamp, pbs_version, pbs_server, Jobs keyed by
// full job id, job_state letters, Exit_status, comment); the rendered script and the mpiexec GPU
// wrapper are run for real with bash/sh.
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "@tessera/testkit";
import { afterAll, describe, expect, it } from "vitest";
import { JobSpecError } from "./errors.js";
import { mpiexecArgv, parseQstatJson, parseQsubId, pbsNodes, pbsWalltime, renderPbsScript } from "./pbs.js";

const dir = tempDir("tessera-pbs-");
afterAll(() => dir.cleanup());

const QSTAT = {
  timestamp: 1764600000,
  pbs_version: "2022.1.1.20220926110806",
  pbs_server: "polaris-pbs-01",
  Jobs: {
    "101.polaris-pbs-01": {
      Job_Name: "queued",
      job_state: "Q",
      queue: "debug",
      comment: "Not Running: Insufficient amount of resource: ncpus",
      Resource_List: { select: "2:system=polaris", place: "scatter", walltime: "01:00:00" },
    },
    "102.polaris-pbs-01": { Job_Name: "held", job_state: "H", queue: "debug" },
    "103.polaris-pbs-01": { Job_Name: "running", job_state: "R", exec_host: "x3001c0s13b0n0/0*64" },
    "104.polaris-pbs-01": { Job_Name: "exiting", job_state: "E" },
    "105.polaris-pbs-01": {
      Job_Name: "ok",
      job_state: "F",
      Exit_status: 0,
      comment: "Job run at Mon Dec 01 at 10:00 on (x3001c0s13b0n0:ncpus=64) and finished",
    },
    "106.polaris-pbs-01": { Job_Name: "exit3", job_state: "F", Exit_status: 3 },
    "107.polaris-pbs-01": { Job_Name: "walltime", job_state: "F", Exit_status: -29 },
    "108.polaris-pbs-01": { Job_Name: "memory", job_state: "F", Exit_status: -27 },
    "109.polaris-pbs-01": { Job_Name: "signalled", job_state: "F", Exit_status: 271 },
    "110.polaris-pbs-01": {
      Job_Name: "deleted-queued",
      job_state: "F",
      comment: "Job deleted before it ran",
    },
    "111.polaris-pbs-01": { Job_Name: "suspended", job_state: "S" },
  },
};

const spec = (extra = {}) => ({
  name: "pilot",
  command: 'echo "on $(hostname)"; exit 3',
  workdir: dir.path,
  output: join(dir.path, "pilot.out"),
  exitFile: join(dir.path, "pilot.exit"),
  nodes: 2,
  walltimeMinutes: 90,
  queue: "debug",
  account: "MyProject",
  ...extra,
});

describe("PBS Pro", () => {
  it("renders #PBS directives (ALCF select/place/filesystems) and a wrapper that records the exit status", () => {
    const script = renderPbsScript(spec(), { system: "polaris", filesystems: "home:eagle" });
    const directives = script.split("\n").filter((l) => l.startsWith("#PBS"));
    expect(directives).toEqual([
      "#PBS -N pilot",
      "#PBS -l select=2:system=polaris",
      "#PBS -l place=scatter",
      "#PBS -l walltime=01:30:00",
      "#PBS -l filesystems=home:eagle",
      "#PBS -A MyProject",
      "#PBS -q debug",
      `#PBS -o ${join(dir.path, "pilot.out")}`,
      "#PBS -j oe",
    ]);
    // run it for real (the directives are comments to bash): exit 3 is recorded and returned
    const path = join(dir.path, "pilot.pbs");
    writeFileSync(path, script);
    const r = spawnSync("bash", [path], { encoding: "utf8" });
    expect(r.status).toBe(3);
    expect(readFileSync(join(dir.path, "pilot.exit"), "utf8")).toBe("3\n");
    expect(pbsWalltime(1500)).toBe("25:00:00");
    expect(() => renderPbsScript(spec(), { system: "polaris; rm -rf /" })).toThrow(JobSpecError);
  });

  it("parses qsub ids and qstat -x -f -F json: finished jobs seen as finished, exit statuses mapped", () => {
    expect(parseQsubId("123456.polaris-pbs-01.hsn.cm.polaris.alcf.anl.gov\n")).toBe(
      "123456.polaris-pbs-01.hsn.cm.polaris.alcf.anl.gov",
    );
    expect(() => parseQsubId("qsub: Unknown queue")).toThrow(/qsub output/);
    const ids = [
      "101",
      "102",
      "103",
      "104",
      "105",
      "106",
      "107.polaris-pbs-01",
      "108",
      "109",
      "110",
      "111",
      "999",
    ];
    const st = parseQstatJson(JSON.stringify(QSTAT), ids);
    const view = ids.map((id) => [id, st.get(id)?.state, st.get(id)?.exitCode]);
    expect(view).toEqual([
      ["101", "PENDING", undefined],
      ["102", "PENDING", undefined],
      ["103", "RUNNING", undefined],
      ["104", "COMPLETING", undefined],
      ["105", "COMPLETED", 0],
      ["106", "FAILED", 3],
      ["107.polaris-pbs-01", "TIMEOUT", -29],
      ["108", "OUT_OF_MEMORY", -27],
      ["109", "FAILED", 271],
      ["110", "CANCELLED", undefined],
      ["111", "SUSPENDED", undefined],
      ["999", "LOST", undefined],
    ]);
    expect(st.get("101")?.reason).toMatch(/Insufficient amount of resource/);
    expect(st.get("109")?.reason).toBe("killed by signal 15");
    expect(() => parseQstatJson("qstat: Unknown Job Id", ["1"])).toThrow(JobSpecError);
  });

  it("reads $PBS_NODEFILE and builds mpiexec lines whose GPU wrapper really selects GPU = local rank mod GPUs", () => {
    expect(pbsNodes("x3001c0s13b0n0\nx3001c0s13b0n0\nx3001c0s13b1n0\n\n")).toEqual([
      "x3001c0s13b0n0",
      "x3001c0s13b1n0",
    ]);
    const argv = mpiexecArgv(["./app", "--in", "a b"], {
      ranks: 8,
      ranksPerNode: 4,
      depth: 8,
      gpusPerNode: 4,
    });
    expect(argv.slice(0, 9)).toEqual([
      "mpiexec",
      "-n",
      "8",
      "--ppn",
      "4",
      "--depth",
      "8",
      "--cpu-bind",
      "depth",
    ]);
    expect(argv.slice(-3)).toEqual(["./app", "--in", "a b"]);
    // the wrapper (everything after the mpiexec options) run as mpiexec would run it for local rank 5
    const wrapper = argv.slice(9, -3);
    for (const [envName, rank, gpu] of [
      ["PALS_LOCAL_RANKID", "5", "1"],
      ["PMI_LOCAL_RANK", "2", "2"],
    ]) {
      const r = spawnSync(
        wrapper[0],
        [...wrapper.slice(1), "sh", "-c", 'printf "%s|%s" "$CUDA_VISIBLE_DEVICES" "$1"', "x", "a b"],
        {
          encoding: "utf8",
          env: { PATH: process.env.PATH, [envName]: rank },
        },
      );
      expect(r.stdout).toBe(`${gpu}|a b`);
    }
    expect(() => mpiexecArgv([], { ranks: 1, ranksPerNode: 1 })).toThrow(/field argv/);
    expect(() => mpiexecArgv(["x"], { ranks: 0, ranksPerNode: 1 })).toThrow(/field ranks/);
  });
});

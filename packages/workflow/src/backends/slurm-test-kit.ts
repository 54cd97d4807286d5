// Shared by the tests that run against the real Slurm of tools/slurm/cluster.sh.
import { spawnSync } from "node:child_process";

/** TESSERA_REQUIRE_SLURM=1 (CI): tests that need Slurm run, and fail when it is missing. */
export const requireSlurm = process.env.TESSERA_REQUIRE_SLURM === "1";

/** Whether a Slurm controller answers and has a usable node. */
export function slurmUp(): boolean {
  const r = spawnSync("sinfo", ["--noheader", "--format=%T"], { encoding: "utf8", timeout: 10_000 });
  return r.status === 0 && /idle|mixed|allocated/.test(r.stdout);
}

/** Run the Slurm tests here? (Otherwise they are skipped with a warning, never under TESSERA_REQUIRE_SLURM=1.) */
export function runSlurmTests(): boolean {
  if (slurmUp()) return true;
  if (requireSlurm) return true; // run and fail: the tests name what is missing
  console.warn("Slurm is not running here (tools/slurm/cluster.sh start): skipping the Slurm tests");
  return false;
}

import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "@tessera/testkit";
import { describe, expect, it } from "vitest";
import { requireSlurm } from "../backends/slurm-test-kit.js";
import { discoverNodes, expandHostlist } from "./nodes.js";

const lists = [
  "vm",
  "nid[001-003,007],login1",
  "r[1-2]n[8-9]",
  "x3001c0s13b0n0,x3001c0s13b1n0",
  "gpu[09-11]",
  "a[1],b[2-3],c",
];

/** `scontrol show hostnames` (Slurm's own parser), when the Slurm client is installed. */
function scontrolHostnames(list: string): string[] | undefined {
  const r = spawnSync("scontrol", ["show", "hostnames", list], { encoding: "utf8" });
  if (r.error || r.status !== 0) return undefined;
  return r.stdout.split("\n").filter(Boolean);
}

describe("allocation nodes", () => {
  it("expands Slurm hostlists as scontrol show hostnames does", () => {
    let compared = 0;
    for (const list of lists) {
      const truth = scontrolHostnames(list);
      if (truth === undefined) continue;
      expect(expandHostlist(list), list).toEqual(truth);
      compared++;
    }
    if (requireSlurm) expect(compared).toBe(lists.length);
    // without Slurm installed, two cases written out by hand
    expect(expandHostlist("nid[001-003,007],login1")).toEqual([
      "nid001",
      "nid002",
      "nid003",
      "nid007",
      "login1",
    ]);
    expect(expandHostlist("r[1-2]n[8-9]")).toEqual(["r1n8", "r1n9", "r2n8", "r2n9"]);
    expect(() => expandHostlist("nid[3-1]")).toThrow(/SLURM_JOB_NODELIST/);
    expect(() => expandHostlist("nid[a-b]")).toThrow(/SLURM_JOB_NODELIST/);
  });

  it("finds the nodes in $PBS_NODEFILE (head first), else $SLURM_JOB_NODELIST (head = $SLURMD_NODENAME), else this host", () => {
    const temp = tempDir("tessera-nodes-");
    const dir = temp.path;
    const nodefile = join(dir, "nodefile");
    // PBS lists a host once per chunk (or per rank slot)
    writeFileSync(nodefile, "x1.hsn.cm\nx1.hsn.cm\nx2.hsn.cm\n\n");
    expect(discoverNodes({ PBS_NODEFILE: nodefile }, "x1")).toEqual({
      names: ["x1.hsn.cm", "x2.hsn.cm"],
      head: 0,
      source: "PBS_NODEFILE",
    });
    expect(
      discoverNodes({ SLURM_JOB_NODELIST: "nid[01-03]", SLURMD_NODENAME: "nid02" }, "elsewhere"),
    ).toEqual({
      names: ["nid01", "nid02", "nid03"],
      head: 1,
      source: "SLURM_JOB_NODELIST",
    });
    expect(discoverNodes({}, "ws.example.org")).toEqual({ names: ["ws"], head: 0, source: "this host" });
    expect(() => discoverNodes({ PBS_NODEFILE: join(dir, "missing") }, "x1")).toThrow(/PBS_NODEFILE/);
    temp.cleanup();
  });
});

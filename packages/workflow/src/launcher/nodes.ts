import { readFileSync } from "node:fs";
import { pbsNodes } from "../backends/pbs.js";
import { InvalidFieldError } from "../errors.js";

/**
 * Expand a Slurm hostlist (`SLURM_JOB_NODELIST`): `nid[001-003,007],login1` →
 * `nid001 nid002 nid003 nid007 login1`. Ranges keep their zero padding; several bracket groups in
 * one name (`r[1-2]n[1-2]`) expand as a product, in Slurm's order.
 */
export function expandHostlist(list: string): string[] {
  const names: string[] = [];
  for (const item of splitTopLevel(list.trim())) {
    if (item === "") continue;
    let partial = [""];
    const re = /([^[]*)(?:\[([^\]]*)\])?/y;
    let pos = 0;
    while (pos < item.length) {
      re.lastIndex = pos;
      const m = re.exec(item);
      if (!m || m[0] === "") throw new InvalidFieldError("SLURM_JOB_NODELIST", "a Slurm hostlist", list);
      pos = re.lastIndex;
      const prefix = m[1];
      const suffixes = m[2] === undefined ? [""] : expandRanges(m[2], list);
      const next: string[] = [];
      for (const head of partial) for (const s of suffixes) next.push(head + prefix + s);
      partial = next;
    }
    names.push(...partial);
  }
  return names;
}

/** Split at commas outside brackets. */
function splitTopLevel(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    if (s[i] === "[") depth++;
    else if (s[i] === "]") depth--;
    else if (s[i] === "," && depth === 0) {
      out.push(s.slice(start, i));
      start = i + 1;
    }
  }
  out.push(s.slice(start));
  return out;
}

function expandRanges(body: string, list: string): string[] {
  const out: string[] = [];
  for (const part of body.split(",")) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!m)
      throw new InvalidFieldError("SLURM_JOB_NODELIST", "ranges like [1-4,7] in a Slurm hostlist", list);
    const width = m[1].length;
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    if (hi < lo) throw new InvalidFieldError("SLURM_JOB_NODELIST", "ranges lo-hi with lo ≤ hi", list);
    for (let v = lo; v <= hi; v++) out.push(String(v).padStart(width, "0"));
  }
  return out;
}

/** The nodes of an allocation and which of them the launcher runs on. */
export interface AllocationNodes {
  /** Node names as the scheduler knows them (for `srun -w` and mpiexec host files). */
  names: string[];
  /** Index in `names` of the node this launcher runs on (tasks placed there run directly). */
  head: number;
  /** Where the list came from. */
  source: "PBS_NODEFILE" | "SLURM_JOB_NODELIST" | "this host";
}

/**
 * The nodes of the allocation this process runs in: `$PBS_NODEFILE` (PBS Pro; the head is its first
 * line, the mother superior), else `$SLURM_JOB_NODELIST` (the head is `$SLURMD_NODENAME`), else only
 * this host.
 */
export function discoverNodes(env: NodeJS.ProcessEnv, host: string): AllocationNodes {
  const short = host.split(".")[0];
  const headIn = (names: string[], own: string | undefined) => {
    const i = names.findIndex((n) => n === own || n === host || n === short || n.split(".")[0] === short);
    return Math.max(0, i);
  };
  if (env.PBS_NODEFILE) {
    let text: string;
    try {
      text = readFileSync(env.PBS_NODEFILE, "utf8");
    } catch (error) {
      throw new InvalidFieldError("PBS_NODEFILE", "a readable node file", `${env.PBS_NODEFILE} (${error})`);
    }
    const names = pbsNodes(text);
    if (names.length === 0)
      throw new InvalidFieldError("PBS_NODEFILE", "at least one host", env.PBS_NODEFILE);
    return { names, head: 0, source: "PBS_NODEFILE" };
  }
  if (env.SLURM_JOB_NODELIST) {
    const names = expandHostlist(env.SLURM_JOB_NODELIST);
    return { names, head: headIn(names, env.SLURMD_NODENAME), source: "SLURM_JOB_NODELIST" };
  }
  return { names: [short], head: 0, source: "this host" };
}

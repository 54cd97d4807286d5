import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { freshSite } from "../../test/helpers.js";
import { InvalidFieldError } from "../errors.js";
import { sha256File } from "../provenance.js";
import { registerApp } from "../site.js";
import { addTasks, countTasks, eventsSince, exportProvenance, getTask, taskAttempts } from "../tasks.js";
import { launch } from "./launch.js";

const fast = { pollMs: 20, killGraceMs: 200, leaseMs: 2000 };

describe("launch: DAG ordering and provenance", () => {
  it("runs every child only after all its parents finished (real processes)", async () => {
    const site = await freshSite();
    const log = join(site.dir, "order.log");
    await registerApp(site, {
      name: "step",
      argv: ["sh", "-c", 'echo "start $0" >> "$1"; sleep 0.05; echo "end $0" >> "$1"', "{name}", "{log}"],
    });
    const t = (key: string, parents: string[] = []) => ({
      key,
      app: "step",
      params: { name: key, log },
      parents,
    });
    // diamond a -> (b, c) -> d, a chain e -> f -> g, and d -> g
    await addTasks(site, [
      t("g", ["f", "d"]),
      t("d", ["b", "c"]),
      t("b", ["a"]),
      t("c", ["a"]),
      t("a"),
      t("f", ["e"]),
      t("e"),
    ]);
    const seen: number[] = [];
    const onProgress = (c: Record<string, number>) =>
      void seen.push(Object.values(c).reduce((x, y) => x + y, 0));
    const summary = await launch({ site, maxCpus: 2, ...fast, onProgress, progressMs: 10 });
    expect(summary).toMatchObject({ started: 7, finished: 7, failed: 0, reason: "idle" });
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((n) => n === 7)).toBe(true);
    const lines = readFileSync(log, "utf8").trim().split("\n");
    const at = (line: string) => {
      const i = lines.indexOf(line);
      expect(i, line).toBeGreaterThanOrEqual(0);
      return i;
    };
    const edges = [
      ["a", "b"],
      ["a", "c"],
      ["b", "d"],
      ["c", "d"],
      ["e", "f"],
      ["f", "g"],
      ["d", "g"],
    ];
    for (const [p, c] of edges) expect(at(`end ${p}`)).toBeLessThan(at(`start ${c}`));
    expect(lines).toHaveLength(14);
  });

  it("records argv, env digest, host, times, exit code, tails and sha256 of inputs and outputs", async () => {
    const site = await freshSite();
    await registerApp(site, {
      name: "copy",
      argv: ["sh", "-c", "cat in.txt > out.txt; echo copied; echo warn >&2"],
      inputs: ["in.txt"],
      outputs: ["out.txt"],
      version: "1.2.3",
      toolVersions: { sh: "dash" },
      hooks: {
        preprocess: async (ctx) => {
          const { writeFileSync } = await import("node:fs");
          writeFileSync(join(ctx.workdir, "in.txt"), `payload ${ctx.params.x}\n`);
        },
      },
    });
    const [id] = await addTasks(site, [{ app: "copy", params: { x: 42 } }]);
    await launch({ site, maxCpus: 1, ...fast });
    const task = await getTask(site, id);
    expect(task.state).toBe("JOB_FINISHED");
    const [a] = await taskAttempts(site, id);
    const workdir = join(site.dir, "data", task.workdir);
    expect(a).toMatchObject({
      n: 1,
      status: "done",
      exitCode: 0,
      signal: null,
      stdoutTail: "copied\n",
      stderrTail: "warn\n",
    });
    expect(a.argv[0]).toBe("sh");
    expect(a.envDigest).toMatch(/^[0-9a-f]{64}$/);
    expect(a.host.length).toBeGreaterThan(0);
    expect(a.endedAt!).toBeGreaterThanOrEqual(a.startedAt);
    expect(a.inputs["in.txt"]).toBe(await sha256File(join(workdir, "in.txt")));
    expect(a.outputs["out.txt"]).toBe(a.inputs["in.txt"]);
    expect(a.toolVersions).toMatchObject({ copy: "1.2.3", sh: "dash", node: process.version });
    expect((await eventsSince(site, 0, { taskId: id })).map((e) => e.to)).toEqual([
      "READY",
      "STAGED_IN",
      "PREPROCESSED",
      "RUNNING",
      "RUN_DONE",
      "POSTPROCESSED",
      "STAGED_OUT",
      "JOB_FINISHED",
    ]);
    const exported = JSON.parse(JSON.stringify(await exportProvenance(site)));
    expect(exported.tasks[0].attempts[0].outputs["out.txt"]).toBe(a.outputs["out.txt"]);
    expect(exported.tasks[0].events.at(-1).to).toBe("JOB_FINISHED");
  });
});

describe("launch: failures and bad input", () => {
  it("starts subprocesses on the main thread when asked (spawnHelper: false, spawnThreads: 0)", async () => {
    const site = await freshSite();
    await registerApp(site, { name: "ok", argv: ["sh", "-c", "echo $TESSERA_TASK_ID"] });
    const ids = await addTasks(site, [{ app: "ok" }, { app: "ok" }, { app: "ok" }]);
    const summary = await launch({ site, maxCpus: 2, spawnHelper: false, spawnThreads: 0, ...fast });
    expect(summary.finished).toBe(3);
    for (const id of ids) expect((await taskAttempts(site, id))[0].stdoutTail).toBe(`${id}\n`);
  });

  it("propagates a run failure to descendants; unrelated tasks go on", async () => {
    const site = await freshSite();
    await registerApp(site, { name: "ok", argv: ["true"] });
    await registerApp(site, { name: "bad", argv: ["sh", "-c", "echo 'no such block' >&2; exit 7"] });
    const [bad, child, grandchild, fine] = await addTasks(site, [
      { key: "bad", app: "bad" },
      { key: "child", app: "ok", parents: ["bad"] },
      { key: "gc", app: "ok", parents: ["child"] },
      { key: "fine", app: "ok" },
    ]);
    await launch({ site, maxCpus: 2, ...fast });
    const t = await getTask(site, bad);
    expect(t.state).toBe("FAILED");
    expect(t.lastError).toContain("exit code 7: no such block");
    expect((await getTask(site, child)).state).toBe("UPSTREAM_FAILED");
    expect((await getTask(site, grandchild)).state).toBe("UPSTREAM_FAILED");
    expect((await getTask(site, fine)).state).toBe("JOB_FINISHED");
  });

  it("fails tasks with an unknown app, bad params, a missing executable or a missing input, with the reason", async () => {
    const site = await freshSite();
    await registerApp(site, { name: "ok", argv: ["sh", "-c", "echo ok > done.txt"], outputs: ["done.txt"] });
    await registerApp(site, { name: "typed", argv: ["echo", "{n}"], params: z.object({ n: z.number() }) });
    await registerApp(site, { name: "ghost", argv: ["/nonexistent/bin/simulate", "--fast"] });
    await registerApp(site, { name: "needs", argv: ["true"], inputs: ["input.h5"] });
    await registerApp(site, { name: "liar", argv: ["true"], outputs: ["result.zarr"] });
    const ids = await addTasks(
      site,
      [
        { app: "vanished" },
        { app: "typed", params: { n: "x" } },
        { app: "ghost" },
        { app: "needs" },
        { app: "liar" },
        { app: "ok" },
        { app: "ok" },
      ],
      { validate: false },
    );
    const summary = await launch({ site, maxCpus: 2, ...fast });
    expect(summary.finished).toBe(2);
    const [unknown, params, exe, input, output, ok1, ok2] = await Promise.all(
      ids.map((id) => getTask(site, id)),
    );
    expect(unknown.state).toBe("FAILED");
    expect(unknown.lastError).toMatch(/^UNKNOWN_APP: unknown app "vanished"/);
    expect(params.state).toBe("FAILED");
    expect(params.lastError).toMatch(/PARAMS_INVALID: .*"n".*expected number, found "x"/);
    expect(exe.state).toBe("FAILED");
    expect(exe.lastError).toContain('EXECUTABLE_NOT_FOUND: executable "/nonexistent/bin/simulate" not found');
    expect(input.state).toBe("FAILED");
    expect(input.lastError).toMatch(/INPUT_MISSING: declared input .*input\.h5 is missing/);
    expect(output.state).toBe("FAILED");
    expect(output.lastError).toMatch(/OUTPUT_MISSING/);
    expect(ok1.state).toBe("JOB_FINISHED");
    expect(ok2.state).toBe("JOB_FINISHED");
    const counts = await countTasks(site);
    expect(counts.FAILED).toBe(5);
  });

  it("fails a task that needs more cores than the launcher has instead of waiting forever", async () => {
    const site = await freshSite();
    await registerApp(site, { name: "wide", argv: ["true"], resources: { ranksPerNode: 8 } });
    const [id] = await addTasks(site, [{ app: "wide" }]);
    await launch({ site, maxCpus: 2, ...fast });
    expect((await getTask(site, id)).lastError).toMatch(/expected at most 2 cpus .* found 8 cpus/);
  });

  it("rejects bad launch options naming the field", async () => {
    const site = await freshSite();
    const bad = await launch({ site, backend: "slurm" as "local" }).catch((e) => e);
    expect(bad).toBeInstanceOf(InvalidFieldError);
    expect(bad).toMatchObject({ field: "backend", found: '"slurm"' });
    await expect(launch({ site, maxCpus: 0 })).rejects.toThrow(
      /"maxCpus" is invalid: expected an integer >= 1, found 0/,
    );
    await expect(launch({ site, spawnHelper: "bash" as "perl" })).rejects.toThrow(
      /"spawnHelper" is invalid: expected "auto", "python", "perl", "node", true or false, found "bash"/,
    );
  });
});

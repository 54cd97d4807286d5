import { describe, expect, it } from "vitest";
import { z } from "zod";
import { freshSite } from "../test/helpers.js";
import {
  CycleError,
  MissingParamsError,
  ParamsInvalidError,
  UnknownAppError,
  UnknownParentError,
} from "./errors.js";
import { registerApp } from "./site.js";
import { addTasks, countTasks, eventsSince, getTask, killTask, listTasks, retryTask } from "./tasks.js";

async function siteWithApp() {
  const site = await freshSite();
  await registerApp(site, {
    name: "sim",
    argv: ["echo", "{n}"],
    params: z.object({ n: z.number().int(), label: z.string().optional() }).strict(),
  });
  return site;
}

describe("addTasks", () => {
  it("creates a DAG from batch keys and existing ids, READY only when parents are finished", async () => {
    const site = await siteWithApp();
    const [a] = await addTasks(site, [{ app: "sim", params: { n: 1 } }]);
    const ids = await addTasks(site, [
      { key: "d", app: "sim", params: { n: 4 }, parents: ["b", "c"] },
      { key: "b", app: "sim", params: { n: 2 }, parents: [a] },
      { key: "c", app: "sim", params: { n: 3 }, parents: [a] },
      { key: "e", app: "sim", params: { n: 5 } },
    ]);
    const [d, b, c, e] = ids;
    expect((await getTask(site, a)).state).toBe("READY");
    expect((await getTask(site, e)).state).toBe("READY");
    for (const id of [b, c, d]) expect((await getTask(site, id)).state).toBe("AWAITING_PARENTS");
    expect(await site.store.parentsOf(d)).toEqual([b, c].sort((x, y) => x - y));
    expect(await site.store.childrenOf(a)).toEqual([b, c].sort((x, y) => x - y));
    // finishing a makes b and c READY, not d
    await site.store.transition(a, "STAGED_IN");
    await site.store.transition(a, "PREPROCESSED");
    await site.store.transition(a, "RUNNING");
    await site.store.transition(a, "RUN_DONE");
    await site.store.transition(a, "POSTPROCESSED");
    await site.store.transition(a, "STAGED_OUT");
    await site.store.transition(a, "JOB_FINISHED");
    expect((await getTask(site, b)).state).toBe("READY");
    expect((await getTask(site, c)).state).toBe("READY");
    expect((await getTask(site, d)).state).toBe("AWAITING_PARENTS");
  });

  it("rejects a parent cycle with the cycle named, and creates nothing", async () => {
    const site = await siteWithApp();
    const attempt = addTasks(site, [
      { key: "x", app: "sim", params: { n: 1 }, parents: ["z"] },
      { key: "y", app: "sim", params: { n: 1 }, parents: ["x"] },
      { key: "z", app: "sim", params: { n: 1 }, parents: ["y"] },
      { key: "free", app: "sim", params: { n: 1 } },
    ]);
    await expect(attempt).rejects.toBeInstanceOf(CycleError);
    const err = (await attempt.catch((e) => e)) as CycleError;
    expect(err.cycle).toHaveLength(4);
    expect(new Set(err.cycle)).toEqual(new Set(["x", "y", "z"]));
    expect(err.message).toMatch(/cycle/);
    expect(await listTasks(site)).toEqual([]);
    await expect(
      addTasks(site, [{ key: "s", app: "sim", params: { n: 1 }, parents: ["s"] }]),
    ).rejects.toBeInstanceOf(CycleError);
  });

  it("rejects unknown apps, unknown parents and bad params with typed errors naming field, expected, found", async () => {
    const site = await siteWithApp();
    const unknown = await addTasks(site, [{ app: "nope" }]).catch((e) => e);
    expect(unknown).toBeInstanceOf(UnknownAppError);
    expect(unknown.message).toContain('unknown app "nope"');
    expect(unknown.message).toContain("sim");
    await expect(addTasks(site, [{ app: "sim", params: { n: 1 }, parents: [999] }])).rejects.toBeInstanceOf(
      UnknownParentError,
    );
    await expect(
      addTasks(site, [{ app: "sim", params: { n: 1 }, parents: ["ghost"] }]),
    ).rejects.toBeInstanceOf(UnknownParentError);
    const bad = (await addTasks(site, [{ app: "sim", params: { n: "seven" } }]).catch(
      (e) => e,
    )) as ParamsInvalidError;
    expect(bad).toBeInstanceOf(ParamsInvalidError);
    expect(bad).toMatchObject({ field: "n", expected: "number", found: '"seven"' });
    expect(bad.message).toContain('parameter "n"');
    const extra = (await addTasks(site, [{ app: "sim", params: { n: 1, colour: "red" } }]).catch(
      (e) => e,
    )) as ParamsInvalidError;
    expect(extra.field).toBe("colour");
    expect(await listTasks(site)).toEqual([]);
  });

  it("marks a child of a failed task UPSTREAM_FAILED at creation", async () => {
    const site = await siteWithApp();
    const [p] = await addTasks(site, [{ app: "sim", params: { n: 1 } }]);
    await site.store.transition(p, "FAILED", { error: "boom" });
    const [c] = await addTasks(site, [{ app: "sim", params: { n: 2 }, parents: [p] }]);
    expect((await getTask(site, c)).state).toBe("UPSTREAM_FAILED");
  });
});

describe("failure propagation, kill, retry", () => {
  it("FAILED sends every descendant to UPSTREAM_FAILED in the same transaction, retry reopens them", async () => {
    const site = await siteWithApp();
    const [root, mid, leaf, other] = await addTasks(site, [
      { key: "r", app: "sim", params: { n: 1 } },
      { key: "m", app: "sim", params: { n: 1 }, parents: ["r"] },
      { key: "l", app: "sim", params: { n: 1 }, parents: ["m"] },
      { key: "o", app: "sim", params: { n: 1 } },
    ]);
    await site.store.transition(root, "FAILED", { error: "bad input" });
    expect((await getTask(site, root)).lastError).toBe("bad input");
    expect((await getTask(site, mid)).state).toBe("UPSTREAM_FAILED");
    expect((await getTask(site, leaf)).state).toBe("UPSTREAM_FAILED");
    expect((await getTask(site, other)).state).toBe("READY");
    const upstream = (await eventsSince(site, 0, { taskId: leaf })).at(-1)!;
    expect(upstream).toMatchObject({ to: "UPSTREAM_FAILED", data: { upstream: root } });
    const fail = (await eventsSince(site, 0, { taskId: root })).at(-1)!;
    expect(upstream.ts).toBe(fail.ts);

    expect(await retryTask(site, root)).toEqual([root, mid, leaf]);
    expect((await getTask(site, root)).state).toBe("RESTART_READY");
    expect((await getTask(site, mid)).state).toBe("AWAITING_PARENTS");
    expect((await getTask(site, leaf)).state).toBe("AWAITING_PARENTS");
  });

  it("kill stops a task and all its descendants, not its siblings", async () => {
    const site = await siteWithApp();
    const [a, b, c, s] = await addTasks(site, [
      { key: "a", app: "sim", params: { n: 1 } },
      { key: "b", app: "sim", params: { n: 1 }, parents: ["a"] },
      { key: "c", app: "sim", params: { n: 1 }, parents: ["b"] },
      { key: "s", app: "sim", params: { n: 1 } },
    ]);
    expect(await killTask(site, a)).toEqual([a, b, c]);
    for (const id of [a, b, c]) expect((await getTask(site, id)).state).toBe("KILLED");
    expect((await getTask(site, s)).state).toBe("READY");
  });
});

describe("queries", () => {
  it("by state, tag, app; counts; events since T; paging", async () => {
    const site = await siteWithApp();
    await registerApp(site, { name: "other", argv: ["true"] });
    const specs = Array.from({ length: 30 }, (_, i) => ({
      app: i % 3 === 0 ? "other" : "sim",
      params: i % 3 === 0 ? {} : { n: i },
      tags: i % 2 === 0 ? ["even", `block-${i}`] : ["odd"],
    }));
    const ids = await addTasks(site, specs);
    const t0 = Date.now();
    await site.store.transition(ids[0], "KILLED");
    expect((await listTasks(site, { tag: "even" })).length).toBe(15);
    expect((await listTasks(site, { tag: "block-4" })).map((t) => t.id)).toEqual([ids[4]]);
    expect((await listTasks(site, { app: "other" })).length).toBe(10);
    expect((await listTasks(site, { state: "KILLED" })).map((t) => t.id)).toEqual([ids[0]]);
    expect((await listTasks(site, { tag: "even", state: "READY", app: "other" })).length).toBe(4);
    const page1 = await listTasks(site, { limit: 10 });
    const page2 = await listTasks(site, { limit: 10, afterId: page1.at(-1)!.id });
    expect(page2[0].id).toBe(page1.at(-1)!.id + 1);
    const counts = await countTasks(site);
    expect(counts.READY).toBe(29);
    expect(counts.KILLED).toBe(1);
    expect((await countTasks(site, { app: "other" })).READY).toBe(9);
    expect((await countTasks(site, { tag: "odd" })).READY).toBe(15);
    const recent = await eventsSince(site, t0);
    expect(recent.map((e) => [e.taskId, e.to])).toContainEqual([ids[0], "KILLED"]);
    expect(recent.every((e) => e.ts >= t0)).toBe(true);
  });
});

describe("template placeholders at add time", () => {
  it("refuses a task missing a placeholder's value (unless validate is false), and accepts zod defaults", async () => {
    const site = await freshSite();
    await registerApp(site, {
      name: "blur",
      argv: ["blur", "--sigma", "{sigma}", "--in", "{input}", "{taskId}"],
      params: z.object({ input: z.string().optional(), sigma: z.number().default(1) }),
    });
    const err = await addTasks(site, [{ app: "blur", params: {} }]).catch((e) => e);
    expect(err).toBeInstanceOf(MissingParamsError);
    expect(err.missing).toEqual(["input"]);
    expect(err.code).toBe("PARAMS_MISSING");
    expect(err.exitStatus).toBe(2);
    expect(err.message).toMatch(/\(code PARAMS_MISSING\)$/);
    expect(await listTasks(site)).toEqual([]);
    const [id] = await addTasks(site, [{ app: "blur", params: { input: "a.zarr" } }]);
    expect((await getTask(site, id)).params).toEqual({ input: "a.zarr", sigma: 1 });
    await expect(addTasks(site, [{ app: "blur", params: {} }], { validate: false })).resolves.toHaveLength(1);
  });
});

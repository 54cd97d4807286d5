import { describe, expect, it } from "vitest";
import { freshSite } from "../test/helpers.js";
import { IllegalTransitionError } from "./errors.js";
import { registerApp } from "./site.js";
import { assertTransition, canTransition, FINAL_STATES, nextStates, TASK_STATES } from "./states.js";
import { addTasks, eventsSince, getTask } from "./tasks.js";

describe("state machine", () => {
  it("has the sixteen states and a happy path from READY to JOB_FINISHED", () => {
    expect(TASK_STATES).toHaveLength(16);
    const path = [
      "READY",
      "STAGED_IN",
      "PREPROCESSED",
      "RUNNING",
      "RUN_DONE",
      "POSTPROCESSED",
      "STAGED_OUT",
      "JOB_FINISHED",
    ] as const;
    for (let i = 1; i < path.length; i++) expect(canTransition(path[i - 1], path[i])).toBe(true);
    expect(nextStates("JOB_FINISHED")).toEqual([]);
  });

  it("rejects illegal transitions with a typed error naming both states", () => {
    expect(() => assertTransition(7, "READY", "JOB_FINISHED")).toThrow(IllegalTransitionError);
    expect(() => assertTransition(7, "JOB_FINISHED", "RUNNING")).toThrow(
      "task 7: illegal transition JOB_FINISHED -> RUNNING",
    );
    expect(() => assertTransition(7, "JOB_FINISHED", "RUNNING")).toThrow(
      expect.objectContaining({
        name: "IllegalTransitionError",
        code: "ILLEGAL_TRANSITION",
        taskId: 7,
        from: "JOB_FINISHED",
        to: "RUNNING",
      }),
    );
    expect(() => assertTransition(7, "READY", "STAGED_IN")).not.toThrow();
    expect(canTransition("AWAITING_PARENTS", "RUNNING")).toBe(false);
    for (const s of FINAL_STATES) expect(canTransition(s, "RUNNING")).toBe(false);
  });

  it("store.transition refuses an illegal move and records legal ones as events", async () => {
    const site = await freshSite();
    await registerApp(site, { name: "t", argv: ["true"] });
    const [id] = await addTasks(site, [{ app: "t" }]);
    await expect(site.store.transition(id, "RUNNING")).rejects.toBeInstanceOf(IllegalTransitionError);
    expect((await getTask(site, id)).state).toBe("READY");
    await site.store.transition(id, "STAGED_IN");
    const events = await eventsSince(site, 0, { taskId: id });
    expect(events.map((e) => [e.from, e.to])).toEqual([
      ["CREATED", "READY"],
      ["READY", "STAGED_IN"],
    ]);
  });
});

import Database from "better-sqlite3";
import type { AppSpec } from "../app.js";
import {
  IllegalTransitionError,
  SiteCorruptError,
  StateConflictError,
  TaskNotFoundError,
  UnknownParentError,
} from "../errors.js";
import { assertTransition, CLAIMED_STATES, FINAL_STATES, TASK_STATES, type TaskState } from "../states.js";
import type { AfterFailure, AttemptEnd, AttemptStart, LostTask, NewTask, TaskStore } from "../store.js";
import type {
  AttemptRecord,
  EventQuery,
  EventRecord,
  LauncherInfo,
  TaskQuery,
  TaskRecord,
} from "../types.js";
import { type TaskRow, toAttempt, toEvent, toTask } from "./rows.js";
import { MIGRATIONS, SCHEMA_VERSION } from "./schema.js";

type Db = Database.Database;
type Stmt = Database.Statement;

const FAILED_LIKE = new Set<TaskState>(["FAILED", "KILLED", "UPSTREAM_FAILED"]);
/** States a launcher's tasks can be in (claimed, or between a failed run and its retry decision). */
const HELD_SQL = [...CLAIMED_STATES, "RUN_ERROR", "RUN_TIMEOUT"].map((s) => `'${s}'`).join(",");
const FINAL_SQL = FINAL_STATES.map((s) => `'${s}'`).join(",");
const DESCENDANTS_SQL = `WITH RECURSIVE d(id) AS (
  SELECT child FROM task_parents WHERE parent = ?
  UNION SELECT p.child FROM task_parents p JOIN d ON p.parent = d.id)
SELECT t.id, t.state FROM tasks t JOIN d ON t.id = d.id ORDER BY t.id`;

/**
 * How long a write of the launcher's hot path waits for others to share its commit, ms. Nothing waits
 * on these commits (a task's cores are free once its process has ended), and a launcher that dies
 * before one loses what a commit a moment earlier would have lost: its tasks are requeued.
 */
const GROUP_COMMIT_MS = 3;

/** Options of {@link SqliteStore}. */
export interface SqliteStoreOptions {
  /** How long a writer waits for the lock, ms (default 15000). */
  busyTimeoutMs?: number;
  /** Create the file when missing (default false). */
  create?: boolean;
}

/**
 * {@link TaskStore} on an embedded SQLite database (better-sqlite3): WAL journal, busy timeout,
 * versioned migrations, counts by state kept by triggers. Write transactions are `BEGIN IMMEDIATE`, so
 * concurrent launchers serialise their claims.
 */
export class SqliteStore implements TaskStore {
  readonly kind = "sqlite";
  readonly db: Db;
  private readonly stmts = new Map<string, Stmt>();
  /** Writes waiting for the next group commit ({@link grouped}). */
  private group: Array<{
    fn: () => unknown;
    resolve: (value: unknown) => void;
    reject: (error: unknown) => void;
  }> = [];

  constructor(
    readonly path: string,
    options: SqliteStoreOptions = {},
  ) {
    try {
      this.db = new Database(path, { fileMustExist: !options.create });
      this.db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 15_000}`);
      this.db.pragma("journal_mode = WAL");
      this.db.pragma("synchronous = NORMAL");
      this.migrate();
    } catch (error) {
      if (error instanceof SiteCorruptError) throw error;
      const code = (error as { code?: string }).code ?? "";
      if (
        code.startsWith("SQLITE_NOTADB") ||
        code.startsWith("SQLITE_CORRUPT") ||
        code.startsWith("SQLITE_CANTOPEN") ||
        code === "SQLITE_ERROR"
      ) {
        throw new SiteCorruptError(path, (error as Error).message);
      }
      throw error;
    }
  }

  private migrate(): void {
    const current = this.db.pragma("user_version", { simple: true }) as number;
    if (current > SCHEMA_VERSION) {
      throw new SiteCorruptError(
        this.path,
        `schema version ${current} is newer than this build's ${SCHEMA_VERSION} (upgrade @tessera/workflow)`,
      );
    }
    if (current > 0) {
      const tables = this.db
        .prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'tasks'")
        .get() as {
        n: number;
      };
      if (tables.n === 0) throw new SiteCorruptError(this.path, "the tasks table is missing");
    }
    for (const m of MIGRATIONS) {
      if (m.version <= current) continue;
      this.db
        .transaction(() => {
          this.db.exec(m.sql);
          this.db.pragma(`user_version = ${m.version}`);
        })
        .immediate();
    }
  }

  private st(sql: string): Stmt {
    let s = this.stmts.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.stmts.set(sql, s);
    }
    return s;
  }

  private tx<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  /**
   * Run `fn` in the next group commit: the writes queued within {@link GROUP_COMMIT_MS} (a launcher's
   * runs started and ended) are committed in one transaction, each in its own savepoint, so one that
   * throws is rolled back and rejected alone. One commit writes the pages they share (the tasks,
   * events and attempts tables and their indexes) once instead of once per write.
   */
  private grouped<T>(fn: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const op = { fn, resolve: resolve as (value: unknown) => void, reject };
      if (this.group.push(op) === 1) setTimeout(() => this.commitGroup(), GROUP_COMMIT_MS);
    });
  }

  private commitGroup(): void {
    const ops = this.group;
    if (ops.length === 0) return;
    this.group = [];
    const outcomes: Array<{ value?: unknown; error?: unknown; failed: boolean }> = [];
    try {
      this.tx(() => {
        for (const op of ops) {
          try {
            // nested in a transaction, better-sqlite3 runs it in a savepoint
            outcomes.push({ value: this.db.transaction(op.fn)(), failed: false });
          } catch (error) {
            outcomes.push({ error, failed: true });
          }
        }
      });
    } catch (error) {
      for (const op of ops) op.reject(error);
      return;
    }
    for (let i = 0; i < ops.length; i++) {
      if (outcomes[i].failed) ops[i].reject(outcomes[i].error);
      else ops[i].resolve(outcomes[i].value);
    }
  }

  async close(): Promise<void> {
    this.commitGroup();
    if (this.db.open) this.db.close();
  }

  async upsertApp(spec: AppSpec): Promise<void> {
    this.st(
      "INSERT INTO apps (name, spec, updated_at) VALUES (?, ?, ?) ON CONFLICT(name) DO UPDATE SET spec = excluded.spec, updated_at = excluded.updated_at",
    ).run(spec.name, JSON.stringify(spec), Date.now());
  }

  async listApps(): Promise<AppSpec[]> {
    return (this.st("SELECT spec FROM apps ORDER BY name").all() as Array<{ spec: string }>).map((r) =>
      JSON.parse(r.spec),
    );
  }

  // ---- state changes (inside transactions) ----

  private row(id: number): TaskRow | undefined {
    return this.st("SELECT * FROM tasks WHERE id = ?").get(id) as TaskRow | undefined;
  }

  private event(
    id: number,
    ts: number,
    from: TaskState | null,
    to: TaskState,
    data?: Record<string, unknown>,
  ) {
    this.st("INSERT INTO events (task_id, ts, from_state, to_state, data) VALUES (?, ?, ?, ?, ?)").run(
      id,
      ts,
      from,
      to,
      data ? JSON.stringify(data) : null,
    );
  }

  /** Checked move with its event; returns false when the row is not in `from` any more. */
  private move(id: number, from: TaskState, to: TaskState, ts: number, data?: Record<string, unknown>): void {
    assertTransition(id, from, to);
    const r = this.st("UPDATE tasks SET state = ?, updated_at = ? WHERE id = ? AND state = ?").run(
      to,
      ts,
      id,
      from,
    );
    if (r.changes !== 1) throw new StateConflictError(id, from, this.row(id)?.state);
    this.event(id, ts, from, to, data);
  }

  /** Several checked steps, one event each, but one row update (fewer pages written per commit). */
  private walk(id: number, from: TaskState, path: TaskState[], ts: number, data?: Record<string, unknown>) {
    let cur = from;
    for (const next of path) {
      assertTransition(id, cur, next);
      cur = next;
    }
    const r = this.st("UPDATE tasks SET state = ?, updated_at = ? WHERE id = ? AND state = ?").run(
      cur,
      ts,
      id,
      from,
    );
    if (r.changes !== 1) throw new StateConflictError(id, from, this.row(id)?.state);
    let prev = from;
    for (const next of path) {
      this.event(id, ts, prev, next, next === cur ? data : undefined);
      prev = next;
    }
  }

  /** Descendants not final → UPSTREAM_FAILED. */
  private propagateFailure(id: number, ts: number): void {
    const rows = this.st(DESCENDANTS_SQL).all(id) as Array<{ id: number; state: TaskState }>;
    for (const r of rows) {
      if (r.state === "AWAITING_PARENTS" || r.state === "READY" || r.state === "RESTART_READY") {
        this.move(r.id, r.state, "UPSTREAM_FAILED", ts, { upstream: id });
      }
    }
  }

  private finishChildren(id: number, ts: number): void {
    this.st(
      "UPDATE tasks SET pending_parents = pending_parents - 1 WHERE id IN (SELECT child FROM task_parents WHERE parent = ?)",
    ).run(id);
    const ready = this.st(
      "SELECT t.id FROM task_parents p JOIN tasks t ON t.id = p.child WHERE p.parent = ? AND t.state = 'AWAITING_PARENTS' AND t.pending_parents <= 0",
    ).all(id) as Array<{ id: number }>;
    for (const r of ready) this.move(r.id, "AWAITING_PARENTS", "READY", ts);
  }

  private afterMove(id: number, to: TaskState, ts: number): void {
    if (to === "FAILED" || to === "KILLED") this.propagateFailure(id, ts);
    if (to === "JOB_FINISHED") this.finishChildren(id, ts);
  }

  // ---- tasks ----

  async insertTasks(rows: NewTask[]): Promise<number[]> {
    return this.tx(() => {
      const now = Date.now();
      const ids: number[] = [];
      const states: TaskState[] = [];
      const ins = this.st(
        "INSERT INTO tasks (app, state, params, resources, tags, workdir, pending_parents, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
      );
      const par = this.st("INSERT OR IGNORE INTO task_parents (child, parent) VALUES (?, ?)");
      const parentState = this.st("SELECT state FROM tasks WHERE id = ?").pluck();
      for (const row of rows) {
        let pending = 0;
        let upstreamFailed = false;
        const parents: number[] = [];
        for (const pid of row.parentIds) {
          const s = parentState.get(pid) as TaskState | undefined;
          if (s === undefined) throw new UnknownParentError(pid);
          parents.push(pid);
          if (s !== "JOB_FINISHED") pending++;
          if (FAILED_LIKE.has(s)) upstreamFailed = true;
        }
        for (const index of row.parentIndexes) {
          if (index < 0 || index >= ids.length) throw new UnknownParentError(index);
          parents.push(ids[index]);
          pending++;
          if (FAILED_LIKE.has(states[index])) upstreamFailed = true;
        }
        const state: TaskState = upstreamFailed
          ? "UPSTREAM_FAILED"
          : pending > 0
            ? "AWAITING_PARENTS"
            : "READY";
        const id = Number(
          ins.run(
            row.app,
            state,
            JSON.stringify(row.params),
            row.resources ? JSON.stringify(row.resources) : null,
            row.tags.length > 0 ? JSON.stringify(row.tags) : null,
            row.workdir,
            pending,
            now,
            now,
          ).lastInsertRowid,
        );
        for (const p of parents) par.run(id, p);
        ids.push(id);
        states.push(state);
      }
      if (ids.length > 0) {
        // one statement each for the creation events and the tag index of the whole batch (ids of
        // one write transaction are consecutive)
        const first = ids[0];
        const last = ids[ids.length - 1];
        this.st(
          "INSERT INTO events (task_id, ts, from_state, to_state) SELECT id, ?, 'CREATED', state FROM tasks WHERE id BETWEEN ? AND ? ORDER BY id",
        ).run(now, first, last);
        this.st(
          "INSERT OR IGNORE INTO task_tags (tag, task_id) SELECT j.value, t.id FROM tasks t, json_each(t.tags) j WHERE t.id BETWEEN ? AND ? AND t.tags IS NOT NULL",
        ).run(first, last);
      }
      return ids;
    });
  }

  async getTask(id: number): Promise<TaskRecord | undefined> {
    const row = this.row(id);
    return row ? toTask(row) : undefined;
  }

  async listTasks(q: TaskQuery): Promise<TaskRecord[]> {
    const limit = q.limit ?? 1000;
    const args: unknown[] = [];
    const where: string[] = [];
    const states = q.state === undefined ? [] : Array.isArray(q.state) ? q.state : [q.state];
    let sql: string;
    if (q.tag !== undefined) {
      sql = "SELECT t.* FROM task_tags g JOIN tasks t ON t.id = g.task_id";
      where.push("g.tag = ?", "g.task_id > ?");
      args.push(q.tag, q.afterId ?? 0);
      if (states.length) {
        where.push(`t.state IN (${states.map(() => "?").join(",")})`);
        args.push(...states);
      }
      if (q.app !== undefined) {
        where.push("t.app = ?");
        args.push(q.app);
      }
      sql += ` WHERE ${where.join(" AND ")} ORDER BY g.task_id LIMIT ?`;
    } else {
      sql = "SELECT * FROM tasks";
      where.push("id > ?");
      args.push(q.afterId ?? 0);
      if (states.length === 1) {
        where.push("state = ?");
        args.push(states[0]);
      } else if (states.length > 1) {
        where.push(`state IN (${states.map(() => "?").join(",")})`);
        args.push(...states);
      }
      if (q.app !== undefined) {
        where.push("app = ?");
        args.push(q.app);
      }
      sql += ` WHERE ${where.join(" AND ")} ORDER BY id LIMIT ?`;
    }
    args.push(limit);
    return (this.st(sql).all(...args) as TaskRow[]).map(toTask);
  }

  async countTasks(filter: { app?: string; tag?: string } = {}): Promise<Record<TaskState, number>> {
    const out = Object.fromEntries(TASK_STATES.map((s) => [s, 0])) as Record<TaskState, number>;
    let rows: Array<{ state: TaskState; n: number }>;
    if (filter.tag !== undefined) {
      const app = filter.app !== undefined ? " AND t.app = ?" : "";
      const args = filter.app !== undefined ? [filter.tag, filter.app] : [filter.tag];
      rows = this.st(
        `SELECT t.state AS state, count(*) AS n FROM task_tags g JOIN tasks t ON t.id = g.task_id WHERE g.tag = ?${app} GROUP BY t.state`,
      ).all(...args) as typeof rows;
    } else if (filter.app !== undefined) {
      rows = this.st("SELECT state, count(*) AS n FROM tasks WHERE app = ? GROUP BY state").all(
        filter.app,
      ) as typeof rows;
    } else {
      rows = this.st("SELECT state, n FROM state_counts").all() as typeof rows;
    }
    for (const r of rows) out[r.state] = r.n;
    return out;
  }

  async countActive(): Promise<number> {
    return this.st(`SELECT coalesce(sum(n), 0) FROM state_counts WHERE state NOT IN (${FINAL_SQL})`)
      .pluck()
      .get() as number;
  }

  async parentsOf(id: number): Promise<number[]> {
    return this.st("SELECT parent FROM task_parents WHERE child = ? ORDER BY parent")
      .pluck()
      .all(id) as number[];
  }

  async childrenOf(id: number): Promise<number[]> {
    return this.st("SELECT child FROM task_parents WHERE parent = ? ORDER BY child")
      .pluck()
      .all(id) as number[];
  }

  async events(q: EventQuery): Promise<EventRecord[]> {
    const limit = q.limit ?? 1000;
    let rows: unknown[];
    if (q.taskId !== undefined) {
      rows = this.st("SELECT * FROM events WHERE task_id = ? AND id > ? AND ts >= ? ORDER BY id LIMIT ?").all(
        q.taskId,
        q.afterId ?? 0,
        q.since ?? 0,
        limit,
      );
    } else if (q.afterId !== undefined) {
      rows = this.st("SELECT * FROM events WHERE id > ? AND ts >= ? ORDER BY id LIMIT ?").all(
        q.afterId,
        q.since ?? 0,
        limit,
      );
    } else {
      rows = this.st("SELECT * FROM events WHERE ts >= ? ORDER BY ts, id LIMIT ?").all(q.since ?? 0, limit);
    }
    return (rows as Parameters<typeof toEvent>[0][]).map(toEvent);
  }

  async attempts(taskId: number): Promise<AttemptRecord[]> {
    return (
      this.st("SELECT * FROM attempts WHERE task_id = ? ORDER BY n, id").all(taskId) as Array<
        Record<string, unknown>
      >
    ).map(toAttempt);
  }

  async statesOf(ids: number[]): Promise<Map<number, TaskState>> {
    const out = new Map<number, TaskState>();
    const get = this.st("SELECT state FROM tasks WHERE id = ?").pluck();
    for (const id of ids) {
      const s = get.get(id) as TaskState | undefined;
      if (s) out.set(id, s);
    }
    return out;
  }

  async transition(id: number, to: TaskState, data?: Record<string, unknown>): Promise<TaskRecord> {
    return this.tx(() => {
      const row = this.row(id);
      if (!row) throw new TaskNotFoundError(id);
      const now = Date.now();
      this.move(id, row.state as TaskState, to, now, data);
      if (data?.error !== undefined)
        this.st("UPDATE tasks SET last_error = ? WHERE id = ?").run(String(data.error), id);
      this.afterMove(id, to, now);
      return toTask(this.row(id)!);
    });
  }

  async kill(id: number): Promise<number[]> {
    return this.tx(() => {
      const row = this.row(id);
      if (!row) throw new TaskNotFoundError(id);
      const now = Date.now();
      const killed: number[] = [];
      const targets = [
        { id, state: row.state as TaskState },
        ...(this.st(DESCENDANTS_SQL).all(id) as never[]),
      ] as Array<{
        id: number;
        state: TaskState;
      }>;
      for (const t of targets) {
        if (t.state === "KILLED" || t.state === "JOB_FINISHED" || t.state === "FAILED") continue;
        try {
          assertTransition(t.id, t.state, "KILLED");
        } catch (error) {
          if (t.id === id) throw error;
          continue;
        }
        this.move(t.id, t.state, "KILLED", now, { killedBy: id });
        this.st("UPDATE tasks SET last_error = ? WHERE id = ?").run(
          `killed (task ${id} and its descendants)`,
          t.id,
        );
        killed.push(t.id);
      }
      return killed;
    });
  }

  async retry(id: number): Promise<number[]> {
    return this.tx(() => {
      const row = this.row(id);
      if (!row) throw new TaskNotFoundError(id);
      const state = row.state as TaskState;
      if (!FAILED_LIKE.has(state)) throw new IllegalTransitionError(id, state, "RESTART_READY");
      const now = Date.now();
      const parentStates = this.st(
        "SELECT t.state FROM task_parents p JOIN tasks t ON t.id = p.parent WHERE p.child = ?",
      ).pluck();
      const blocked = (tid: number) => (parentStates.all(tid) as TaskState[]).some((s) => FAILED_LIKE.has(s));
      if (blocked(id))
        throw new IllegalTransitionError(id, state, "AWAITING_PARENTS (a parent failed: retry it)");
      const reopened: number[] = [id];
      const to: TaskState =
        state === "UPSTREAM_FAILED" || row.pending_parents > 0 ? "AWAITING_PARENTS" : "RESTART_READY";
      this.move(id, state, to, now, { retry: "manual" });
      this.st(
        "UPDATE tasks SET error_retries = 0, timeout_retries = 0, run_after = 0, launcher_id = NULL, last_error = NULL WHERE id = ?",
      ).run(id);
      if (to === "AWAITING_PARENTS" && row.pending_parents <= 0) this.move(id, to, "READY", now);
      const queue = [id];
      while (queue.length) {
        const cur = queue.shift()!;
        for (const child of this.st("SELECT child FROM task_parents WHERE parent = ?")
          .pluck()
          .all(cur) as number[]) {
          const c = this.row(child)!;
          if (c.state !== "UPSTREAM_FAILED" || blocked(child)) continue;
          this.move(child, "UPSTREAM_FAILED", "AWAITING_PARENTS", now, { reopenedBy: id });
          reopened.push(child);
          queue.push(child);
        }
      }
      return reopened;
    });
  }

  // ---- launchers and leases ----

  async registerLauncher(info: LauncherInfo): Promise<void> {
    const now = Date.now();
    this.st(
      "INSERT INTO launchers (id, host, pid, lease_ms, started_at, heartbeat_at, state) VALUES (?, ?, ?, ?, ?, ?, 'active')",
    ).run(info.id, info.host, info.pid, info.leaseMs, now, now);
  }

  async heartbeat(launcherId: string): Promise<boolean> {
    return (
      this.st("UPDATE launchers SET heartbeat_at = ? WHERE id = ? AND state = 'active'").run(
        Date.now(),
        launcherId,
      ).changes === 1
    );
  }

  async stopLauncher(launcherId: string): Promise<void> {
    this.st("UPDATE launchers SET state = 'stopped', heartbeat_at = ? WHERE id = ? AND state = 'active'").run(
      Date.now(),
      launcherId,
    );
  }

  async requeueExpired(now: number): Promise<LostTask[]> {
    return this.tx(() => {
      const dead = this.st("SELECT id FROM launchers WHERE state = 'active' AND heartbeat_at + lease_ms < ?")
        .pluck()
        .all(now) as string[];
      const lost: LostTask[] = [];
      for (const launcher of dead) {
        this.st("UPDATE launchers SET state = 'expired' WHERE id = ?").run(launcher);
        const held = this.st(
          `SELECT id, state FROM tasks WHERE state IN (${HELD_SQL}) AND launcher_id = ?`,
        ).all(launcher) as Array<{ id: number; state: TaskState }>;
        for (const t of held) {
          this.move(t.id, t.state, "RESTART_READY", now, { reason: "lease expired", launcher });
          this.st("UPDATE tasks SET launcher_id = NULL, run_after = 0 WHERE id = ?").run(t.id);
          const attempt = this.st(
            "SELECT id, host, pid FROM attempts WHERE task_id = ? AND launcher_id = ? AND status = 'running'",
          ).get(t.id, launcher) as { id: number; host: string; pid: number | null } | undefined;
          if (attempt) {
            this.st("UPDATE attempts SET status = 'lost', ended_at = ?, error = ? WHERE id = ?").run(
              now,
              `launcher ${launcher} stopped renewing its lease`,
              attempt.id,
            );
          }
          lost.push({ taskId: t.id, host: attempt?.host ?? null, pid: attempt?.pid ?? null });
        }
      }
      return lost;
    });
  }

  // ---- the launcher's side of a run ----

  async claim(
    launcherId: string,
    candidates: number,
    pick: (tasks: TaskRecord[]) => number[],
  ): Promise<TaskRecord[]> {
    return this.tx(() => {
      const now = Date.now();
      type Light = { id: number; app: string; state: TaskState; resources: string | null };
      const ready = this.st(
        "SELECT id, app, state, resources FROM tasks WHERE state = 'READY' ORDER BY id LIMIT ?",
      ).all(candidates) as Light[];
      const restart = this.st(
        "SELECT id, app, state, resources FROM tasks WHERE state = 'RESTART_READY' AND run_after <= ? ORDER BY id LIMIT ?",
      ).all(now, candidates) as Light[];
      const all = [...restart, ...ready];
      if (all.length === 0) return [];
      // pick sees only what packing needs: id, app, state, resources
      const light = all.map(
        (r) =>
          ({
            id: r.id,
            app: r.app,
            state: r.state,
            resources: r.resources ? JSON.parse(r.resources) : null,
          }) as TaskRecord,
      );
      const chosen = new Set(pick(light));
      const out: TaskRecord[] = [];
      const upd = this.st(
        "UPDATE tasks SET state = 'STAGED_IN', launcher_id = ?, attempts = attempts + 1, updated_at = ? WHERE id = ? AND state = ? RETURNING *",
      );
      for (const t of all) {
        if (!chosen.has(t.id)) continue;
        assertTransition(t.id, t.state, "STAGED_IN");
        const row = upd.get(launcherId, now, t.id, t.state) as TaskRow | undefined;
        if (!row) continue;
        this.event(t.id, now, t.state, "STAGED_IN", { launcher: launcherId });
        out.push(toTask(row));
      }
      return out;
    });
  }

  private held(taskId: number, launcherId: string, state: TaskState): boolean {
    const row = this.st("SELECT state, launcher_id FROM tasks WHERE id = ?").get(taskId) as
      | { state: TaskState; launcher_id: string | null }
      | undefined;
    return row?.state === state && row.launcher_id === launcherId;
  }

  async startRun(taskId: number, launcherId: string, a: AttemptStart): Promise<number> {
    return this.grouped(() => {
      if (!this.held(taskId, launcherId, "STAGED_IN")) {
        throw new StateConflictError(taskId, `STAGED_IN held by ${launcherId}`, this.row(taskId)?.state);
      }
      const now = Date.now();
      this.walk(taskId, "STAGED_IN", ["PREPROCESSED", "RUNNING"], now, { attempt: a.n, pid: a.pid });
      return Number(
        this.st(
          "INSERT INTO attempts (task_id, n, launcher_id, host, pid, status, argv, env_digest, claimed_at, started_at, inputs, tool_versions) VALUES (?, ?, ?, ?, ?, 'running', ?, ?, ?, ?, ?, ?)",
        ).run(
          taskId,
          a.n,
          launcherId,
          a.host,
          a.pid,
          JSON.stringify(a.argv),
          a.envDigest,
          a.claimedAt,
          a.startedAt,
          JSON.stringify(a.inputs),
          JSON.stringify(a.toolVersions),
        ).lastInsertRowid,
      );
    });
  }

  async failClaimed(taskId: number, launcherId: string, reason: string): Promise<boolean> {
    return this.tx(() => {
      if (!this.held(taskId, launcherId, "STAGED_IN")) return false;
      const now = Date.now();
      this.move(taskId, "STAGED_IN", "FAILED", now, { error: reason });
      this.st("UPDATE tasks SET last_error = ? WHERE id = ?").run(reason, taskId);
      this.afterMove(taskId, "FAILED", now);
      return true;
    });
  }

  private closeAttempt(attemptId: number, e: AttemptEnd): void {
    this.st(
      "UPDATE attempts SET status = ?, ended_at = ?, exit_code = ?, signal = ?, stdout_tail = ?, stderr_tail = ?, outputs = ?, error = ? WHERE id = ?",
    ).run(
      e.status,
      e.endedAt,
      e.exitCode,
      e.signal,
      e.stdoutTail,
      e.stderrTail,
      JSON.stringify(e.outputs),
      e.error,
      attemptId,
    );
  }

  async endRun(
    taskId: number,
    launcherId: string,
    attemptId: number,
    to: "JOB_FINISHED" | "RUN_ERROR" | "RUN_TIMEOUT",
    end: AttemptEnd,
  ): Promise<boolean> {
    return this.grouped(() => {
      const now = Date.now();
      if (!this.held(taskId, launcherId, "RUNNING")) {
        const status = this.row(taskId)?.state === "KILLED" ? "killed" : "lost";
        const current = this.st("SELECT status FROM attempts WHERE id = ?").pluck().get(attemptId);
        if (current === "running") this.closeAttempt(attemptId, { ...end, status });
        return false;
      }
      this.closeAttempt(attemptId, end);
      const data = { attemptId, exitCode: end.exitCode, signal: end.signal, error: end.error ?? undefined };
      if (to === "JOB_FINISHED") {
        this.walk(taskId, "RUNNING", ["RUN_DONE", "POSTPROCESSED", "STAGED_OUT", "JOB_FINISHED"], now, data);
        this.finishChildren(taskId, now);
      } else {
        this.move(taskId, "RUNNING", to, now, data);
        if (end.error) this.st("UPDATE tasks SET last_error = ? WHERE id = ?").run(end.error, taskId);
      }
      return true;
    });
  }

  async afterFailure(taskId: number, launcherId: string, next: AfterFailure): Promise<boolean> {
    return this.tx(() => {
      const row = this.row(taskId);
      if (!row || row.launcher_id !== launcherId) return false;
      const from = row.state as TaskState;
      if (from !== "RUN_ERROR" && from !== "RUN_TIMEOUT") return false;
      const now = Date.now();
      if (next.retry) {
        this.move(taskId, from, "RESTART_READY", now, { reason: next.reason, runAfter: next.runAfter });
        const col = next.counter === "error" ? "error_retries" : "timeout_retries";
        this.st(`UPDATE tasks SET ${col} = ${col} + 1, run_after = ?, launcher_id = NULL WHERE id = ?`).run(
          next.runAfter,
          taskId,
        );
        if (next.params)
          this.st("UPDATE tasks SET params = ? WHERE id = ?").run(JSON.stringify(next.params), taskId);
        if (next.resources !== undefined) {
          this.st("UPDATE tasks SET resources = ? WHERE id = ?").run(
            next.resources ? JSON.stringify(next.resources) : null,
            taskId,
          );
        }
      } else {
        this.move(taskId, from, "FAILED", now, { error: next.reason });
        this.st("UPDATE tasks SET last_error = ? WHERE id = ?").run(next.reason, taskId);
        this.afterMove(taskId, "FAILED", now);
      }
      return true;
    });
  }

  async release(taskId: number, launcherId: string, reason: string): Promise<boolean> {
    return this.tx(() => {
      const row = this.row(taskId);
      if (!row || row.launcher_id !== launcherId) return false;
      const from = row.state as TaskState;
      if (!CLAIMED_STATES.includes(from)) return false;
      const now = Date.now();
      this.move(taskId, from, "RESTART_READY", now, { reason });
      this.st("UPDATE tasks SET launcher_id = NULL, run_after = 0 WHERE id = ?").run(taskId);
      this.st(
        "UPDATE attempts SET status = 'stopped', ended_at = ? WHERE task_id = ? AND status = 'running'",
      ).run(now, taskId);
      return true;
    });
  }
}

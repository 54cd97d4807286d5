import { TASK_STATES } from "../states.js";

/** Versioned schema migrations; `PRAGMA user_version` holds the applied version. */
export const MIGRATIONS: ReadonlyArray<{ version: number; sql: string }> = [
  {
    version: 1,
    sql: `
CREATE TABLE apps (name TEXT PRIMARY KEY, spec TEXT NOT NULL, updated_at INTEGER NOT NULL);
CREATE TABLE tasks (
  id INTEGER PRIMARY KEY,
  app TEXT NOT NULL,
  state TEXT NOT NULL,
  params TEXT NOT NULL,
  resources TEXT,
  tags TEXT,
  workdir TEXT,
  attempts INTEGER NOT NULL DEFAULT 0,
  error_retries INTEGER NOT NULL DEFAULT 0,
  timeout_retries INTEGER NOT NULL DEFAULT 0,
  run_after INTEGER NOT NULL DEFAULT 0,
  launcher_id TEXT,
  pending_parents INTEGER NOT NULL DEFAULT 0,
  last_error TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX tasks_state ON tasks(state);
CREATE INDEX tasks_app ON tasks(app);
CREATE TABLE task_tags (tag TEXT NOT NULL, task_id INTEGER NOT NULL, PRIMARY KEY (tag, task_id)) WITHOUT ROWID;
CREATE TABLE task_parents (child INTEGER NOT NULL, parent INTEGER NOT NULL, PRIMARY KEY (child, parent)) WITHOUT ROWID;
CREATE INDEX task_parents_parent ON task_parents(parent, child);
CREATE TABLE events (
  id INTEGER PRIMARY KEY,
  task_id INTEGER NOT NULL,
  ts INTEGER NOT NULL,
  from_state TEXT,
  to_state TEXT NOT NULL,
  data TEXT
);
CREATE INDEX events_ts ON events(ts);
CREATE INDEX events_task ON events(task_id);
CREATE TABLE attempts (
  id INTEGER PRIMARY KEY,
  task_id INTEGER NOT NULL,
  n INTEGER NOT NULL,
  launcher_id TEXT NOT NULL,
  host TEXT NOT NULL,
  pid INTEGER,
  status TEXT NOT NULL,
  argv TEXT NOT NULL,
  env_digest TEXT NOT NULL,
  claimed_at INTEGER NOT NULL,
  started_at INTEGER NOT NULL,
  ended_at INTEGER,
  exit_code INTEGER,
  signal TEXT,
  stdout_tail TEXT,
  stderr_tail TEXT,
  inputs TEXT NOT NULL DEFAULT '{}',
  outputs TEXT NOT NULL DEFAULT '{}',
  tool_versions TEXT NOT NULL DEFAULT '{}',
  error TEXT
);
CREATE INDEX attempts_task ON attempts(task_id);
CREATE TABLE launchers (
  id TEXT PRIMARY KEY,
  host TEXT NOT NULL,
  pid INTEGER NOT NULL,
  lease_ms INTEGER NOT NULL,
  started_at INTEGER NOT NULL,
  heartbeat_at INTEGER NOT NULL,
  state TEXT NOT NULL
);
CREATE TABLE state_counts (state TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID;
${TASK_STATES.map((s) => `INSERT INTO state_counts VALUES ('${s}', 0);`).join("\n")}
CREATE TRIGGER tasks_count_ins AFTER INSERT ON tasks BEGIN
  UPDATE state_counts SET n = n + 1 WHERE state = NEW.state;
END;
CREATE TRIGGER tasks_count_upd AFTER UPDATE OF state ON tasks WHEN OLD.state <> NEW.state BEGIN
  UPDATE state_counts SET n = n - 1 WHERE state = OLD.state;
  UPDATE state_counts SET n = n + 1 WHERE state = NEW.state;
END;
CREATE TRIGGER tasks_count_del AFTER DELETE ON tasks BEGIN
  UPDATE state_counts SET n = n - 1 WHERE state = OLD.state;
END;
`,
  },
];

/** The schema version this build writes. */
export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;

// Start one task process and report on it: the single implementation behind every spawner of the
// launcher (the persistent helper process, spawner threads, the main thread). Plain JavaScript with no
// imports beyond node:child_process and node:fs, so that the helper process stays small.
import { spawn } from "node:child_process";
import { closeSync, openSync } from "node:fs";

/**
 * Start `argv[0]` with `argv[1..]` (no shell) in its own process group (setsid), stdin from /dev/null,
 * stdout/stderr truncated to `stdoutPath`/`stderrPath`, with `cwd` and exactly `env`. `send` gets
 * `{ id, type: "spawned", pid }` then `{ id, type: "exit", code, signal }`, or
 * `{ id, type: "error", message, code }` when it cannot be started.
 */
export function startChild(request, send) {
  const { id, argv, cwd, env } = request;
  const fds = [];
  let child;
  try {
    fds.push(openSync(request.stdoutPath, "w"));
    fds.push(openSync(request.stderrPath, "w"));
    child = spawn(argv[0], argv.slice(1), { cwd, env, stdio: ["ignore", fds[0], fds[1]], detached: true });
  } catch (e) {
    queueMicrotask(() => send({ id, type: "error", message: String(e?.message), code: String(e?.code) }));
    return;
  } finally {
    for (const fd of fds) closeSync(fd);
  }
  let failed = false;
  child.once("error", (e) => {
    failed = true;
    send({ id, type: "error", message: e.message, code: String(e.code) });
  });
  if (child.pid !== undefined) send({ id, type: "spawned", pid: child.pid });
  child.once("exit", (code, signal) => {
    if (!failed) send({ id, type: "exit", code, signal });
  });
}

// The persistent spawn helper of @tessera/workflow's launcher: a small, long-lived Node process that
// starts task processes for the launcher, so that the launcher's large process never forks. Plain
// JavaScript, run as is from src/ and from dist/.
//
// Protocol, one JSON object per line. It first writes {"type": "ready"}. Then:
//   stdin  {"id", "argv", "cwd", "envSet", "envUnset", "stdoutPath", "stderrPath"}: start a child (see
//          spawn-child.js) with the environment of the previous request changed by envSet (variables
//          set) and envUnset (names removed); the first request's environment starts empty
//   stdout {"id", "type": "spawned", "pid"} then {"id", "type": "exit", "code", "signal"},
//          or {"id", "type": "error", "message", "code"} when it cannot be started
// It exits when its stdin closes (the launcher stopped or died); started processes run on.
import { startChild } from "./spawn-child.js";

let queued = [];
function flush() {
  const text = `${queued.join("\n")}\n`;
  queued = [];
  process.stdout.write(text);
}
function send(report) {
  queued.push(JSON.stringify(report));
  if (queued.length === 1) setImmediate(flush);
}

/** The environment of the last request, changed by each new one. */
const env = Object.create(null);
function onRequest(line) {
  const request = JSON.parse(line);
  for (const key in request.envSet) env[key] = request.envSet[key];
  for (const key of request.envUnset) delete env[key];
  request.env = env;
  startChild(request, send);
}

send({ type: "ready" });

let pending = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => {
  pending += chunk;
  let from = 0;
  let nl = pending.indexOf("\n");
  while (nl >= 0) {
    onRequest(pending.slice(from, nl));
    from = nl + 1;
    nl = pending.indexOf("\n", from);
  }
  pending = pending.slice(from);
});
process.stdin.on("end", () => process.exit(0));
// the launcher is gone: nobody is left to report to
process.stdout.on("error", () => process.exit(0));

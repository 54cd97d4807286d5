// Child process for the lock tests (uses the built package). Heartbeat and stale age come from
// $TESSERA_LOCK_HEARTBEAT_MS / $TESSERA_LOCK_STALE_MS.
// usage: node lock-holder.mjs hold <path>
//          take the lock on <path>, print "locked", hold it until killed
//        node lock-holder.mjs work <path> <shared> <tag> <ms> <sync|async> <rounds>
//          <rounds> times: take the lock, append "<tag> start" to <shared>, work <ms> (a busy loop
//          that blocks the event loop, or an async wait), append "<tag> end", release
import { appendFileSync } from "node:fs";
import { withFileLock } from "../dist/index.js";

const [mode, path, shared, tag, ms, kind, rounds] = process.argv.slice(2);
if (mode === "hold") {
  await withFileLock(path, async () => {
    process.stdout.write("locked\n");
    await new Promise(() => setInterval(() => {}, 1000));
  });
} else if (mode === "work") {
  for (let r = 0; r < Number(rounds); r++) {
    await withFileLock(path, async () => {
      appendFileSync(shared, `${tag} start\n`);
      if (kind === "sync") {
        const until = Date.now() + Number(ms);
        while (Date.now() < until) {}
      } else {
        await new Promise((resolve) => setTimeout(resolve, Number(ms)));
      }
      appendFileSync(shared, `${tag} end\n`);
    });
  }
  process.stdout.write("done\n");
}

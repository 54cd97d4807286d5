import { existsSync } from "node:fs";
import { isIP } from "node:net";
import { join } from "node:path";
import { parse, warn } from "@tessera/cli";
import { Command, InvalidArgumentError } from "commander";
import { DEFAULT_VIEWER_DIST, serveRun } from "./serve.js";

const HOST_NAME =
  /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*$/;

/** `--host`: an IPv4/IPv6 address or a host name, refused up front when it can be neither. */
export function bindHost(value: string): string {
  if (isIP(value) !== 0 || HOST_NAME.test(value)) return value;
  throw new InvalidArgumentError(
    `expected an address of this machine to listen on like 127.0.0.1, 0.0.0.0 or ::1, got "${value}"`,
  );
}

const EXAMPLES = `
Examples:
  $ tessera serve runs/demo
  $ tessera serve runs/demo --port 0
  $ tessera serve runs/demo --host 0.0.0.0 --port 8080

It serves <run-dir>/meshes.json (or meshes/meshes.json, as written by \`tessera mesh\`) to the 3D
viewer until Ctrl-C. 127.0.0.1 is reachable from this machine only; 0.0.0.0 exposes it to the network.
`;

/**
 * The `serve` command: `tessera serve <run-dir> [--port 8080] [--host 127.0.0.1]` serves the run's
 * files and the 3D viewer until interrupted.
 */
export function serveCommand(): Command {
  return new Command("serve")
    .description("serve a run folder and the 3D neuron viewer over HTTP")
    .argument("<run-dir>", "run folder (holding meshes.json or meshes/meshes.json)")
    .option("-p, --port <port>", "TCP port (0: any free port, shown in the URL printed)", parse.port, 8080)
    .option(
      "--host <host>",
      "address to listen on (0.0.0.0 exposes it to the network)",
      bindHost,
      "127.0.0.1",
    )
    .option("--viewer-dist <dir>", "built viewer folder", DEFAULT_VIEWER_DIST)
    .addHelpText("after", EXAMPLES)
    .action(async (runDir: string, opts: { port: number; host: string; viewerDist: string }) => {
      const server = await serveRun({
        runDir,
        port: opts.port,
        host: opts.host,
        viewerDist: opts.viewerDist,
      });
      if (!["meshes.json", "meshes/meshes.json"].some((f) => existsSync(join(runDir, f)))) {
        warn(
          `${runDir} holds no meshes.json nor meshes/meshes.json: the viewer has nothing to show (run \`tessera mesh\` first)`,
        );
      }
      // the signal handlers go in before the line that says "serving": whoever reads it may stop us at once
      const stopped = new Promise<void>((done) => {
        const stop = () => {
          server.close().then(done, done);
        };
        process.once("SIGINT", stop);
        process.once("SIGTERM", stop);
      });
      process.stdout.write(`serving ${runDir} at ${server.url} (Ctrl-C to stop)\n`);
      await stopped;
    });
}

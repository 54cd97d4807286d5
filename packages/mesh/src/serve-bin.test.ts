import { spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { join } from "node:path";
import { tempDir } from "@tessera/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assertFreshMeshBuild, meshBin, runMesh } from "../test/run-bin.js";

// `tessera-mesh serve` as a user runs it: the built program in a subprocess, exit codes and output exact.

const tmp = tempDir();
const cwd = tmp.path;
afterAll(() => tmp.cleanup());

const usage = (message: string) =>
  `tessera-mesh: UsageError: ${message} (see \`tessera-mesh serve --help\`)\n`;

beforeAll(() => {
  assertFreshMeshBuild();
  mkdirSync(join(cwd, "run", "meshes"), { recursive: true });
  writeFileSync(join(cwd, "run", "meshes", "meshes.json"), JSON.stringify({ segments: [] }));
  mkdirSync(join(cwd, "empty-run"));
});

/** Start `serve` with `args`; resolves with the URL it prints, the child, and a way to stop it. */
function startServe(args: string[]) {
  const child = spawn(process.execPath, [meshBin, "serve", ...args], {
    cwd,
    env: { ...process.env, NO_COLOR: "1" },
  });
  let stdout = "";
  let stderr = "";
  child.stderr.on("data", (chunk) => {
    stderr += chunk;
  });
  const exited = new Promise<number | null>((done) => child.once("exit", (code) => done(code)));
  const url = new Promise<string>((done, fail) => {
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
      const m = /at (http:\/\/\S+) \(Ctrl-C to stop\)\n/.exec(stdout);
      if (m) done(m[1]);
    });
    exited.then(() => fail(new Error(`serve exited early: ${stderr}`)));
  });
  return { url, exited, output: () => ({ stdout, stderr }), stop: () => child.kill("SIGTERM") };
}

describe("tessera-mesh serve", () => {
  it("refuses a bad --port with the port's own example (exit 2)", () => {
    for (const port of ["abc", "99999", "-1"]) {
      const r = runMesh(["serve", "run", "--port", port], cwd);
      expect(r.status, port).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr).toBe(
        usage(
          `option '-p, --port <port>' argument '${port}' is invalid. expected an integer from 0 to 65535 like 8080, got "${port}"`,
        ),
      );
    }
  });

  it("refuses a --host that cannot be an address", () => {
    const r = runMesh(["serve", "run", "--host", "local host"], cwd);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(
      usage(
        `option '--host <host>' argument 'local host' is invalid. expected an address of this machine to listen on like 127.0.0.1, 0.0.0.0 or ::1, got "local host"`,
      ),
    );
  });

  it("names host:port when the port is in use (EADDRINUSE)", async () => {
    const busy: Server = createServer();
    await new Promise<void>((done) => busy.listen(0, "127.0.0.1", done));
    const port = (busy.address() as { port: number }).port;
    try {
      const r = runMesh(["serve", "run", "--port", String(port)], cwd);
      expect(r.status).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr).toBe(
        `tessera-mesh: ServeBindError: cannot listen on 127.0.0.1:${port}: the port is in use by another process; field: port; expected: a free port (or --port 0 for any free port); found: EADDRINUSE\n`,
      );
    } finally {
      await new Promise((done) => busy.close(done));
    }
  });

  it("names host:port when the address is not this machine's (EADDRNOTAVAIL)", () => {
    // 192.0.2.1 is TEST-NET-1 (RFC 5737): never an address of a real interface
    const r = runMesh(["serve", "run", "--host", "192.0.2.1", "--port", "8765"], cwd);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(
      "tessera-mesh: ServeBindError: cannot listen on 192.0.2.1:8765: the address is not one of this machine's; field: host; expected: an address of this machine's interfaces, like 127.0.0.1, 0.0.0.0 or ::1; found: EADDRNOTAVAIL\n",
    );
  });

  it("refuses a run folder that does not exist", () => {
    const r = runMesh(["serve", "no-run"], cwd);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(
      `tessera-mesh: MeshError: run folder does not exist; path: ${join(cwd, "no-run")}; expected: an existing folder; found: nothing\n`,
    );
  });

  it("serves a run on 127.0.0.1 until SIGTERM, then exits 0", async () => {
    const server = startServe(["run", "--port", "0"]);
    const url = await server.url;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const api = (await (await fetch(new URL("/api/run", url))).json()) as { meshIndex: string };
    expect(api.meshIndex).toBe("/run/meshes/meshes.json");
    server.stop();
    expect(await server.exited).toBe(0);
    expect(server.output()).toEqual({ stdout: `serving run at ${url} (Ctrl-C to stop)\n`, stderr: "" });
  });

  it("warns when the run folder holds no meshes.json", async () => {
    const server = startServe(["empty-run", "--port", "0"]);
    await server.url;
    server.stop();
    expect(await server.exited).toBe(0);
    expect(server.output().stderr).toBe(
      "tessera: warning: empty-run holds no meshes.json nor meshes/meshes.json: the viewer has nothing to show (run `tessera mesh` first)\n",
    );
  });

  it("--help shows examples (exit 0)", () => {
    const r = runMesh(["serve", "--help"], cwd);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe("");
    expect(r.stdout).toContain("\nExamples:\n  $ tessera serve runs/demo\n");
  });
});

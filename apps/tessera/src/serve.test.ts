import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { decodeGlb, encodeGlb, marchingCubes } from "@tessera/mesh";
import { tempDir } from "@tessera/testkit";
import { afterAll, describe, expect, it } from "vitest";

// spawns the built CLI (the globalSetup refuses a dist older than the sources)
const cli = join(import.meta.dirname, "..", "dist", "cli.js");
const tmp = tempDir();
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
  tmp.cleanup();
});

/** Start `tessera serve ...` and resolve with the URL it prints. */
function serve(...args: string[]): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [cli, "serve", ...args], {
    env: { ...process.env, NO_COLOR: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  return new Promise((res, rej) => {
    let out = "";
    let err = "";
    const timer = setTimeout(() => rej(new Error(`no URL within 20 s: ${out} ${err}`)), 20_000);
    child.stderr?.on("data", (d) => (err += d));
    child.stdout?.on("data", (d) => {
      out += d;
      const m = / at (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        res({ child, url: m[1] });
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      rej(new Error(`tessera serve exited with ${code}: ${err}`));
    });
  });
}

function tryConnect(host: string, port: number): Promise<string> {
  return new Promise((res) => {
    const socket = connect({ host, port });
    socket.once("connect", () => {
      socket.destroy();
      res("connected");
    });
    socket.once("error", (e: NodeJS.ErrnoException) => res(e.code ?? e.message));
  });
}

describe("tessera serve", () => {
  it("serves the viewer page and a run's mesh on 127.0.0.1, and stops on SIGTERM", async () => {
    const run = join(tmp.path, "run");
    const viewer = join(tmp.path, "viewer");
    mkdirSync(join(run, "meshes"), { recursive: true });
    mkdirSync(viewer, { recursive: true });
    writeFileSync(join(viewer, "index.html"), "<!doctype html><title>tessera viewer</title>");
    const labels = new Uint8Array(6 * 6 * 6);
    for (let z = 1; z < 5; z++)
      for (let y = 1; y < 4; y++) for (let x = 2; x < 5; x++) labels[(z * 6 + y) * 6 + x] = 7;
    const mesh = marchingCubes(labels, [6, 6, 6], { resolutionNm: [40, 8, 8] }).get(7);
    if (!mesh) throw new Error("no mesh for label 7");
    writeFileSync(join(run, "meshes", "7.glb"), encodeGlb([{ name: "7", mesh }]));
    writeFileSync(join(run, "meshes", "meshes.json"), JSON.stringify({ segments: [7] }));

    const { child, url } = await serve(run, "--port", "0", "--viewer-dist", viewer);
    const u = new URL(url);
    expect(u.hostname).toBe("127.0.0.1");
    expect(Number(u.port)).toBeGreaterThan(0);

    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toMatch(/^text\/html/);
    expect(await page.text()).toContain("<title>tessera viewer</title>");
    const api = (await (await fetch(new URL("/api/run", url))).json()) as { meshIndex: string };
    expect(api.meshIndex).toBe("/run/meshes/meshes.json");
    const glb = await fetch(new URL("/run/meshes/7.glb", url));
    expect(glb.headers.get("content-type")).toBe("model/gltf-binary");
    const [served] = decodeGlb(new Uint8Array(await glb.arrayBuffer())).map((n) => n.mesh);
    expect(Array.from(served.positions)).toEqual(Array.from(mesh.positions));
    expect(Array.from(served.indices)).toEqual(Array.from(mesh.indices));
    // bound to 127.0.0.1 only
    expect(await tryConnect("127.0.0.2", Number(u.port))).toBe("ECONNREFUSED");

    const exited = new Promise<number | null>((res) => child.once("exit", (code) => res(code)));
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(await tryConnect("127.0.0.1", Number(u.port))).toBe("ECONNREFUSED");
  });

  it("refuses a port that is not one, naming it", async () => {
    await expect(serve(tmp.path, "--port", "70000")).rejects.toThrow(
      /exited with 2: tessera: UsageError: .*expected an integer from 0 to 65535 like 8080, got "70000"/,
    );
  });
});

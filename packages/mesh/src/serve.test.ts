import { mkdirSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { connect } from "node:net";
import { join } from "node:path";
import { tempDir } from "@tessera/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningServer, safeJoin, serveRun } from "./serve.js";

/** Raw GET without URL normalisation, so `..` reaches the server as sent. */
function rawGet(
  url: string,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  const u = new URL(url);
  return new Promise((res, rej) => {
    const req = request({ host: u.hostname, port: u.port, path, headers }, (r) => {
      const chunks: Buffer[] = [];
      r.on("data", (c) => chunks.push(c));
      r.on("end", () => res({ status: r.statusCode ?? 0, headers: r.headers, body: Buffer.concat(chunks) }));
    });
    req.on("error", rej);
    req.end();
  });
}

/** Open a TCP connection and close it: "connected" or the error code. */
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

describe("serveRun", () => {
  const tmp = tempDir();
  let server: RunningServer;
  const bytes = Buffer.from(Array.from({ length: 100 }, (_, i) => i));
  beforeAll(async () => {
    mkdirSync(join(tmp.path, "run", "meshes"), { recursive: true });
    mkdirSync(join(tmp.path, "dist", "assets"), { recursive: true });
    writeFileSync(join(tmp.path, "run", "meshes", "7.ply"), bytes);
    writeFileSync(join(tmp.path, "run", "meshes", "meshes.json"), "{}");
    writeFileSync(join(tmp.path, "run", "a.glb"), "glb");
    writeFileSync(join(tmp.path, "secret.txt"), "secret");
    writeFileSync(join(tmp.path, "dist", "index.html"), "<!doctype html><title>viewer</title>");
    writeFileSync(join(tmp.path, "dist", "assets", "main.js"), "console.log(1)");
    server = await serveRun({ runDir: join(tmp.path, "run"), viewerDist: join(tmp.path, "dist") });
  });
  afterAll(async () => {
    await server?.close();
    tmp.cleanup();
  });

  it("binds to 127.0.0.1 and serves the viewer and run files with MIME types", async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const index = await rawGet(server.url, "/");
    expect(index.status).toBe(200);
    expect(index.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect((await rawGet(server.url, "/assets/main.js")).headers["content-type"]).toMatch(
      /^text\/javascript/,
    );
    expect((await rawGet(server.url, "/run/a.glb")).headers["content-type"]).toBe("model/gltf-binary");
    const api = JSON.parse((await rawGet(server.url, "/api/run")).body.toString());
    expect(api.meshIndex).toBe("/run/meshes/meshes.json");
  });

  it("answers range requests with 206 and the right bytes, 416 when unsatisfiable", async () => {
    const r = await rawGet(server.url, "/run/meshes/7.ply", { range: "bytes=10-19" });
    expect(r.status).toBe(206);
    expect(r.headers["content-range"]).toBe("bytes 10-19/100");
    expect([...r.body]).toEqual([...bytes.subarray(10, 20)]);
    const tail = await rawGet(server.url, "/run/meshes/7.ply", { range: "bytes=-5" });
    expect([...tail.body]).toEqual([95, 96, 97, 98, 99]);
    expect((await rawGet(server.url, "/run/meshes/7.ply", { range: "bytes=200-300" })).status).toBe(416);
    const full = await rawGet(server.url, "/run/meshes/7.ply");
    expect(full.status).toBe(200);
    expect(full.headers["accept-ranges"]).toBe("bytes");
    expect(full.body.length).toBe(100);
  });

  it("answers 404 to path traversal, encoded or not", async () => {
    for (const p of [
      "/../../etc/passwd",
      "/run/../secret.txt",
      "/run/..%2fsecret.txt",
      "/run/%2e%2e/secret.txt",
      "/run/meshes/%2e%2e/%2e%2e/secret.txt",
      "/..%2f..%2fetc%2fpasswd",
      "/run/nothing.ply",
    ]) {
      const r = await rawGet(server.url, p);
      expect(r.status, p).toBe(404);
      expect(r.body.toString()).not.toContain("secret");
      expect(r.body.toString()).not.toContain("root:");
    }
  });

  it("listens on 127.0.0.1 only: another loopback address of this machine is refused", async () => {
    expect(server.address.address).toBe("127.0.0.1");
    expect(server.address.port).toBe(Number(new URL(server.url).port));
    expect(await tryConnect("127.0.0.1", server.address.port)).toBe("connected");
    // a socket bound to all interfaces would accept this one too
    expect(await tryConnect("127.0.0.2", server.address.port)).toBe("ECONNREFUSED");
  });

  it("binds the interface given by host (and nothing else)", async () => {
    const other = await serveRun({ runDir: join(tmp.path, "run"), host: "127.0.0.2" });
    try {
      expect(other.address.address).toBe("127.0.0.2");
      expect(other.url).toBe(`http://127.0.0.2:${other.address.port}/`);
      expect((await rawGet(other.url, "/run/a.glb")).body.toString()).toBe("glb");
      expect(await tryConnect("127.0.0.1", other.address.port)).toBe("ECONNREFUSED");
    } finally {
      await other.close();
    }
    // closed: the port no longer accepts
    expect(await tryConnect("127.0.0.2", other.address.port)).toBe("ECONNREFUSED");
  });

  it("safeJoin keeps paths inside the root", () => {
    expect(safeJoin("/srv/run", "a/b.ply")).toBe("/srv/run/a/b.ply");
    expect(safeJoin("/srv/run", "a/../../x")).toBeUndefined();
    expect(safeJoin("/srv/run", "%2e%2e/x")).toBeUndefined();
    expect(safeJoin("/srv/run", "a%2fb")).toBeUndefined();
    expect(safeJoin("/srv/run", "%E0%A4%A")).toBeUndefined();
  });
});

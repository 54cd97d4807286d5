import { createReadStream, existsSync, statSync } from "node:fs";
import { stat } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { join, resolve, sep } from "node:path";
import { Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { bindError } from "./bind-error.js";
import { MeshError } from "./errors.js";
import { mimeType } from "./mime.js";

/** Options of {@link serveRun}. */
export interface ServeOptions {
  /** The run folder whose files are served under `/run/`. */
  runDir: string;
  /** TCP port (default 0: any free port). */
  port?: number;
  /** Interface to bind (default `127.0.0.1`: this machine only). */
  host?: string;
  /** Built viewer (`apps/viewer/dist`); default `$TESSERA_VIEWER_DIST` or the repository's. */
  viewerDist?: string;
}

/** A running server: its URL, the socket address it is bound to, and how to stop it. */
export interface RunningServer {
  url: string;
  /** What the listening socket reports (`server.address()`): interface, family, port. */
  address: AddressInfo;
  close(): Promise<void>;
}

/** Where the viewer's built files are looked for by default. */
export const DEFAULT_VIEWER_DIST: string =
  process.env.TESSERA_VIEWER_DIST ?? fileURLToPath(new URL("../../../apps/viewer/dist", import.meta.url));

/**
 * Resolve a URL path below `root`, or `undefined` when it would leave it (`..`, encoded
 * separators, NUL bytes): the caller answers 404.
 */
export function safeJoin(root: string, urlPath: string): string | undefined {
  let parts: string[];
  try {
    parts = urlPath.split("/").map(decodeURIComponent);
  } catch {
    return undefined;
  }
  if (parts.some((p) => p === ".." || p.includes("/") || p.includes("\\") || p.includes("\0")))
    return undefined;
  const base = resolve(root);
  const full = resolve(base, ...parts.filter((p) => p !== "" && p !== "."));
  return full === base || full.startsWith(base + sep) ? full : undefined;
}

async function sendFile(path: string | undefined, rangeHeader: string | undefined): Promise<Response> {
  if (!path) return new Response("not found", { status: 404 });
  let size: number;
  try {
    const s = await stat(path);
    if (!s.isFile()) return new Response("not found", { status: 404 });
    size = s.size;
  } catch {
    return new Response("not found", { status: 404 });
  }
  const headers: Record<string, string> = {
    "content-type": mimeType(path),
    "accept-ranges": "bytes",
    "cache-control": "no-cache",
  };
  let start = 0;
  let end = size - 1;
  let status = 200;
  if (rangeHeader) {
    const m = /^bytes=(\d*)-(\d*)$/.exec(rangeHeader.trim());
    if (!m || (m[1] === "" && m[2] === "")) {
      return new Response("bad range", { status: 416, headers: { "content-range": `bytes */${size}` } });
    }
    if (m[1] === "") start = Math.max(0, size - Number(m[2]));
    else {
      start = Number(m[1]);
      if (m[2] !== "") end = Math.min(Number(m[2]), size - 1);
    }
    if (start > end || start >= size)
      return new Response("range not satisfiable", {
        status: 416,
        headers: { "content-range": `bytes */${size}` },
      });
    status = 206;
    headers["content-range"] = `bytes ${start}-${end}/${size}`;
  }
  headers["content-length"] = String(size === 0 ? 0 : end - start + 1);
  if (size === 0) return new Response(null, { status, headers });
  const body = Readable.toWeb(createReadStream(path, { start, end })) as ReadableStream;
  return new Response(body, { status, headers });
}

/**
 * Serve a run folder and the 3D viewer over HTTP with Hono: `/` and `/assets/*` from the viewer's
 * build, `/run/<path>` from the run folder (MIME types by extension, single `Range` requests
 * answered with 206), `/api/run` describing the run. Paths that leave a folder get 404. Binds to
 * 127.0.0.1 unless `host` says otherwise.
 */
export async function serveRun(options: ServeOptions): Promise<RunningServer> {
  const runDir = resolve(options.runDir);
  const kind = existsSync(runDir) ? (statSync(runDir).isDirectory() ? "folder" : "file") : undefined;
  if (kind !== "folder")
    throw new MeshError("run folder does not exist", {
      path: runDir,
      expected: "an existing folder",
      found: kind === "file" ? "a file" : "nothing",
    });
  const viewerDist = resolve(options.viewerDist ?? DEFAULT_VIEWER_DIST);
  const app = new Hono();
  app.get("/api/run", (c) => {
    const index = ["meshes.json", "meshes/meshes.json"].find((f) => existsSync(join(runDir, f)));
    return c.json({
      runDir,
      meshIndex: index ? `/run/${index}` : null,
      viewer: existsSync(join(viewerDist, "index.html")),
    });
  });
  app.get("/run/*", (c) =>
    sendFile(safeJoin(runDir, new URL(c.req.url).pathname.slice("/run/".length)), c.req.header("range")),
  );
  app.get("*", async (c) => {
    const path = new URL(c.req.url).pathname;
    if (path === "/" || path === "/index.html") {
      if (!existsSync(join(viewerDist, "index.html"))) {
        return c.html(
          `<!doctype html><p>The viewer is not built: run <code>npm run build -w @tessera/viewer</code> (looked in ${viewerDist}).</p>`,
          503,
        );
      }
      return sendFile(join(viewerDist, "index.html"), undefined);
    }
    return sendFile(safeJoin(viewerDist, path), c.req.header("range"));
  });
  const host = options.host ?? "127.0.0.1";
  return new Promise((resolvePromise, reject) => {
    const server = serve(
      { fetch: app.fetch, port: options.port ?? 0, hostname: host },
      (info: AddressInfo) => {
        const shown = host.includes(":") ? `[${host}]` : host;
        resolvePromise({
          url: `http://${shown}:${info.port}/`,
          address: server.address() as AddressInfo,
          close: () => new Promise<void>((done) => server.close(() => done())),
        });
      },
    );
    server.once("error", (error) => reject(bindError(error, host, options.port ?? 0)));
  });
}

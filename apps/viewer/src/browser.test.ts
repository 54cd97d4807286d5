import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { marchingCubes, type RunningServer, serveRun, simplifyMesh, writeMeshFiles } from "@tessera/mesh";
import { emPhantom } from "@tessera/phantom";
import { tempDir } from "@tessera/testkit";
import { type Browser, chromium, type Page } from "playwright-core";
import { build } from "vite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ViewerHandle } from "./viewer.js";

const CHROMIUM = "/usr/bin/chromium";
const root = resolve(fileURLToPath(new URL("..", import.meta.url)));
const BG = [0x10, 0x10, 0x18];

declare global {
  interface Window {
    tessera: ViewerHandle;
  }
}

describe("3D viewer in Chromium", () => {
  const tmp = tempDir();
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  let ids: number[] = [];
  let distDir = "";

  beforeAll(async () => {
    if (!existsSync(CHROMIUM))
      throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run installs it)`);
    const dist = join(tmp.path, "dist");
    await build({ root, logLevel: "error", build: { outDir: dist, emptyOutDir: true } });
    const shape: [number, number, number] = [16, 48, 48];
    const res: [number, number, number] = [40, 8, 8];
    const { labels } = emPhantom({ shape, resolutionNm: res, seed: 7 });
    const meshes = marchingCubes(labels, shape, { resolutionNm: res });
    for (const [id, m] of meshes) meshes.set(id, simplifyMesh(m, { maxErrorNm: 8 }));
    ids = [...meshes.keys()];
    await writeMeshFiles(join(tmp.path, "run", "meshes"), meshes, "ply", res);
    await writeMeshFiles(join(tmp.path, "glb-run"), meshes, "glb", res);
    await writeMeshFiles(join(tmp.path, "obj-run"), meshes, "obj", res);
    distDir = dist;
    server = await serveRun({ runDir: join(tmp.path, "run"), viewerDist: dist });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--use-angle=swiftshader",
        "--enable-unsafe-swiftshader",
      ],
    });
    page = await browser.newPage({ viewport: { width: 800, height: 600 } });
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.goto(server.url);
    await page.waitForFunction(() => window.tessera !== undefined, undefined, { timeout: 30_000 });
    await page.evaluate(() => window.tessera.ready);
    expect(errors).toEqual([]);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    tmp.cleanup();
  });

  /** Pixels of the WebGL canvas that differ from the background, read back through a 2D canvas. */
  async function foreground(): Promise<{
    count: number;
    points: [number, number][];
    width: number;
    height: number;
  }> {
    return page.evaluate((bg) => {
      const gl = document.getElementById("view") as HTMLCanvasElement;
      const c = document.createElement("canvas");
      c.width = gl.width;
      c.height = gl.height;
      const ctx = c.getContext("2d") as CanvasRenderingContext2D;
      ctx.drawImage(gl, 0, 0);
      const px = ctx.getImageData(0, 0, c.width, c.height).data;
      const points: [number, number][] = [];
      let count = 0;
      const scale = gl.clientWidth / gl.width;
      for (let y = 0; y < c.height; y++) {
        for (let x = 0; x < c.width; x++) {
          const o = (y * c.width + x) * 4;
          if (Math.abs(px[o] - bg[0]) + Math.abs(px[o + 1] - bg[1]) + Math.abs(px[o + 2] - bg[2]) > 30) {
            count++;
            if (x % 7 === 0 && y % 7 === 0) points.push([x * scale, y * scale]);
          }
        }
      }
      return { count, points, width: gl.clientWidth, height: gl.clientHeight };
    }, BG);
  }

  it("loads every phantom mesh and draws them (canvas has non-background pixels)", async () => {
    expect((await page.evaluate(() => window.tessera.ids())).sort((a, b) => a - b)).toEqual(
      [...ids].sort((a, b) => a - b),
    );
    const fg = await foreground();
    console.log(`viewer: ${fg.count} of ${fg.width * fg.height} canvas pixels differ from the background`);
    expect(fg.count).toBeGreaterThan(fg.width * fg.height * 0.05);
    expect(await page.textContent("#scalebar-label")).toMatch(/^\d+ (nm|µm)$/);
  });

  it("selects the neuron under a click and shows its id; a click on background clears it", async () => {
    const fg = await foreground();
    // the foreground point nearest the centre, away from the side panel
    const [x, y] = fg.points
      .filter(([px]) => px > 260)
      .sort((a, b) => Math.hypot(a[0] - 530, a[1] - 300) - Math.hypot(b[0] - 530, b[1] - 300))[0];
    await page.mouse.click(x, y);
    const picked = await page.evaluate(() => window.tessera.selected());
    expect(picked).not.toBeNull();
    expect(ids).toContain(picked);
    expect(await page.textContent("#sel-id")).toBe(String(picked));
    expect(await page.isVisible("#selection")).toBe(true);
    // hide it: the pixel now shows something else
    await page.click("#toggle-selected");
    expect(await page.evaluate(() => window.tessera.visibleIds())).not.toContain(picked);
    await page.click("#show-all");
    expect((await page.evaluate(() => window.tessera.visibleIds())).length).toBe(ids.length);
    await page.mouse.click(fg.width - 4, 4);
    const bgPixel = (await foreground()).points.some(
      ([px, py]) => Math.abs(px - (fg.width - 4)) < 7 && Math.abs(py - 4) < 7,
    );
    expect(bgPixel).toBe(false);
    expect(await page.evaluate(() => window.tessera.selected())).toBeNull();
    expect(await page.isVisible("#selection")).toBe(false);
  });

  it("loads GLB and OBJ runs too", async () => {
    for (const run of ["glb-run", "obj-run"]) {
      const other = await serveRun({ runDir: join(tmp.path, run), viewerDist: distDir });
      try {
        const p = await browser.newPage({ viewport: { width: 400, height: 300 } });
        await p.goto(other.url);
        await p.waitForFunction(() => window.tessera !== undefined, undefined, { timeout: 30_000 });
        await p.evaluate(() => window.tessera.ready);
        expect((await p.evaluate(() => window.tessera.ids())).length).toBe(ids.length);
        await p.close();
      } finally {
        await other.close();
      }
    }
  });

  it("finds a segment by id and rejects unknown ids", async () => {
    const target = ids[ids.length - 1];
    await page.fill("#search-id", String(target));
    await page.press("#search-id", "Enter");
    expect(await page.evaluate(() => window.tessera.selected())).toBe(target);
    await page.fill("#search-id", "99999999");
    await page.press("#search-id", "Enter");
    expect(await page.textContent("#status")).toContain("no segment 99999999");
  });
});

import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { describe, expect, it } from "vitest";

const dist = pathToFileURL(join(import.meta.dirname, "..", "dist", "index.js")).href;

describe("@tessera/volume in a worker thread", () => {
  it("imports without taking the worker over (TIFF and HDF5 libraries load lazily)", async () => {
    // geotiff's web-worker dependency hijacks any worker thread that imports it at load time;
    // stage worker pools (mesh simplification, workflow worker apps) import this package.
    const source = `
      import { parentPort } from "node:worker_threads";
      const volume = await import(${JSON.stringify(dist)});
      parentPort.postMessage({ box: String(new volume.Box([0, 0], [2, 3])), data: 42 });
    `;
    // no workerData, as in piscina's workers
    const worker = new Worker(new URL(`data:text/javascript,${encodeURIComponent(source)}`));
    const message = await new Promise((resolve, reject) => {
      worker.once("message", resolve);
      worker.once("error", reject);
    });
    await worker.terminate();
    expect(message).toEqual({ box: "[0:2, 0:3]", data: 42 });
  });
});

#!/usr/bin/env node
// Read and write throughput of @tessera/volume against python zarr (Debian's python3-zarr), same
// array, same chunks, same compressor, in one run. Prints MB/s (raw bytes per second) and the ratio.
//
//   node tools/bench/volume/run.mjs [--repeats 3]
//
// Input: the neuroproof sample 2 grayscale stack (250³ uint8, real EM) from ../shared/data when
// present, tiled to 250×500×500 (62.5 MB), else a seeded phantom of that size.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createVolume, importStack, openVolume } from "../../../packages/volume/dist/index.js";

const repeats = Number(process.argv[process.argv.indexOf("--repeats") + 1]) || 3;
const root = resolve(import.meta.dirname, "../../..");
const shared = process.env.TESSERA_SHARED_DATA ?? resolve(root, "../shared/data");
const work = mkdtempSync(join(tmpdir(), "tessera-bench-volume-"));
const python = "/usr/bin/python3";

function ensurePythonZarr() {
  const ok = spawnSync(python, ["-c", "import zarr, numcodecs, numpy"], { stdio: "ignore" }).status === 0;
  if (!ok) {
    console.log("installing Debian's python3-zarr (peer) ...");
    spawnSync("apt-get", ["install", "-y", "-qq", "python3-zarr", "python3-numpy"], { stdio: "inherit" });
  }
}

async function loadInput() {
  const grayscale = join(shared, "em/neuroproof-sample2/grayscale");
  const [Z, Y, X] = [250, 500, 500];
  const data = new Uint8Array(Z * Y * X);
  if (existsSync(grayscale)) {
    const base = (await (await importStack(grayscale, join(work, "np.zarr"))).read()).data;
    for (let z = 0; z < Z; z++)
      for (let y = 0; y < Y; y++)
        for (let x = 0; x < X; x++) data[(z * Y + y) * X + x] = base[(z * 250 + (y % 250)) * 250 + (x % 250)];
    return { data, shape: [Z, Y, X], source: "neuroproof sample 2 grayscale, tiled 1×2×2" };
  }
  const { emPhantom } = await import("../../../packages/phantom/dist/index.js");
  const phantom = emPhantom({ shape: [Z, Y, X], seed: 3 });
  return { data: phantom.image, shape: [Z, Y, X], source: "EM phantom (shared data absent)" };
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

const PY_BENCH = `
import sys, time, json, numpy as np, zarr
from numcodecs import Zlib, GZip, Blosc
raw, shape, chunks, comp, repeats, out = sys.argv[1], json.loads(sys.argv[2]), json.loads(sys.argv[3]), sys.argv[4], int(sys.argv[5]), sys.argv[6]
compressor = {"none": None, "zlib": Zlib(level=5), "gzip": GZip(level=5), "blosc": Blosc(cname="lz4", clevel=5, shuffle=Blosc.SHUFFLE)}[comp]
data = np.fromfile(raw, dtype="u1").reshape(shape)
writes, reads = [], []
for r in range(repeats):
    z = zarr.open(out, mode="w", shape=shape, chunks=chunks, dtype="u1", compressor=compressor)
    t = time.perf_counter(); z[...] = data; writes.append(time.perf_counter() - t)
    z = zarr.open(out, mode="r")
    t = time.perf_counter(); back = z[...]; reads.append(time.perf_counter() - t)
    assert np.array_equal(back, data)
print(json.dumps({"write": sorted(writes)[len(writes)//2], "read": sorted(reads)[len(reads)//2]}))
`;

ensurePythonZarr();
const input = await loadInput();
const rawPath = join(work, "input.u8");
writeFileSync(rawPath, input.data);
const mb = input.data.byteLength / 1e6;
const chunks = [64, 128, 128];
console.log(
  `input: ${input.source}, ${input.shape.join("×")} uint8 (${mb.toFixed(1)} MB), chunks ${chunks.join("×")}, median of ${repeats}`,
);
console.log(
  "compressor | tessera write MB/s | zarr-python write MB/s | ratio | tessera read MB/s | zarr-python read MB/s | ratio",
);
for (const compressorId of ["none", "zlib", "blosc"]) {
  const compressor =
    compressorId === "none"
      ? null
      : compressorId === "zlib"
        ? { id: "zlib", level: 5 }
        : { id: "blosc", cname: "lz4", clevel: 5, shuffle: 1 };
  const writes = [];
  const reads = [];
  for (let r = 0; r < repeats; r++) {
    const path = join(work, `tessera-${compressorId}.zarr`);
    const volume = await createVolume(path, {
      shape: input.shape,
      chunks,
      dtype: "uint8",
      compressor,
      overwrite: true,
    });
    let t = performance.now();
    await volume.write(volume.bounds, input.data);
    writes.push((performance.now() - t) / 1000);
    const reopened = await openVolume(path);
    t = performance.now();
    const back = (await reopened.read()).data;
    reads.push((performance.now() - t) / 1000);
    if (Buffer.compare(Buffer.from(back.buffer), Buffer.from(input.data.buffer)) !== 0)
      throw new Error("read-back differs");
  }
  const py = spawnSync(
    python,
    [
      "-c",
      PY_BENCH,
      rawPath,
      JSON.stringify(input.shape),
      JSON.stringify(chunks),
      compressorId,
      String(repeats),
      join(work, `py-${compressorId}.zarr`),
    ],
    { encoding: "utf8" },
  );
  if (py.status !== 0) throw new Error(`python zarr failed: ${py.stderr}`);
  const peer = JSON.parse(py.stdout);
  const tw = mb / median(writes);
  const tr = mb / median(reads);
  const pw = mb / peer.write;
  const pr = mb / peer.read;
  console.log(
    `${compressorId.padEnd(10)} | ${tw.toFixed(0).padStart(18)} | ${pw.toFixed(0).padStart(22)} | ${(tw / pw).toFixed(2).padStart(5)}× | ${tr.toFixed(0).padStart(17)} | ${pr.toFixed(0).padStart(21)} | ${(tr / pr).toFixed(2).padStart(5)}×`,
  );
}
rmSync(work, { recursive: true, force: true });

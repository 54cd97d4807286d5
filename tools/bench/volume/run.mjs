#!/usr/bin/env node
// Read and write throughput of @tessera/volume against python zarr (Debian's python3-zarr), same
// array, same chunks, same compressor, in one run. Prints medians in MB/s (raw bytes per second)
// and the ratio Tessera / python.
//
//   node tools/bench/volume/run.mjs [--repeats 5] [--threads N] [--dist other/volume/dist/index.js]
//
// Tessera decodes (and compresses) blosc chunks on a worker pool of N threads (default: the cores;
// see configureChunkDecoding); python's numcodecs runs blosc with its own threads (printed). Each
// repeat runs Tessera (pool), Tessera (one thread: the decode on the main thread, as before the
// pool) and python one after the other, so a machine loaded by other work slows all three alike.
//
// Input: the neuroproof sample 2 grayscale stack (250³ uint8, real EM) from ../shared/data when
// present, tiled to 250×500×500 (62.5 MB), else a seeded phantom of that size.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

const option = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
// --dist <dist/index.js of another build of @tessera/volume>: compare builds (e.g. before a change)
const dist = option("--dist", undefined);
const volumeModule = await import(
  dist ? pathToFileURL(resolve(dist)).href : "../../../packages/volume/dist/index.js"
);
const { createVolume, importStack, openVolume } = volumeModule;
// builds without a decode pool decode on the main thread whatever the row asks
const configureChunkDecoding = volumeModule.configureChunkDecoding ?? (() => ({ threads: 1 }));
const repeats = Number(option("--repeats", 5));
const threads = Number(option("--threads", configureChunkDecoding().threads));
const root = resolve(import.meta.dirname, "../../..");
const shared = process.env.TESSERA_SHARED_DATA ?? resolve(root, "../shared/data");
const work = mkdtempSync(join(tmpdir(), "tessera-bench-volume-"));
const python3 = "/usr/bin/python3";

function ensurePythonZarr() {
  const ok = spawnSync(python3, ["-c", "import zarr, numcodecs, numpy"], { stdio: "ignore" }).status === 0;
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
import numcodecs.blosc as blosc
from numcodecs import Zlib, GZip, Blosc
raw, shape, chunks, comp, repeats, out = sys.argv[1], json.loads(sys.argv[2]), json.loads(sys.argv[3]), sys.argv[4], int(sys.argv[5]), sys.argv[6]
compressor = {"none": None, "zlib": Zlib(level=5), "gzip": GZip(level=5), "blosc": Blosc(cname="lz4", clevel=5, shuffle=Blosc.SHUFFLE)}[comp]
nthreads = blosc.set_nthreads(1); blosc.set_nthreads(nthreads)
data = np.fromfile(raw, dtype="u1").reshape(shape)
writes, reads = [], []
for r in range(repeats):
    z = zarr.open(out, mode="w", shape=shape, chunks=chunks, dtype="u1", compressor=compressor)
    t = time.perf_counter(); z[...] = data; writes.append(time.perf_counter() - t)
    z = zarr.open(out, mode="r")
    t = time.perf_counter(); back = z[...]; reads.append(time.perf_counter() - t)
    assert np.array_equal(back, data)
print(json.dumps({"write": sorted(writes)[len(writes)//2], "read": sorted(reads)[len(reads)//2], "bloscThreads": nthreads}))
`;

ensurePythonZarr();
const input = await loadInput();
const rawPath = join(work, "input.u8");
writeFileSync(rawPath, input.data);
const mb = input.data.byteLength / 1e6;
const chunks = [64, 128, 128];

async function tessera(compressor, decodeThreads, name) {
  configureChunkDecoding({ threads: decodeThreads });
  const path = join(work, `tessera-${name}.zarr`);
  const volume = await createVolume(path, {
    shape: input.shape,
    chunks,
    dtype: "uint8",
    compressor,
    overwrite: true,
  });
  let t = performance.now();
  await volume.write(volume.bounds, input.data);
  const write = (performance.now() - t) / 1000;
  const reopened = await openVolume(path);
  t = performance.now();
  const back = (await reopened.read()).data;
  const read = (performance.now() - t) / 1000;
  if (Buffer.compare(Buffer.from(back.buffer), Buffer.from(input.data.buffer)) !== 0) {
    throw new Error(`${name}: read-back differs`);
  }
  return { write, read };
}

function python(compressorId) {
  const py = spawnSync(
    python3,
    [
      "-c",
      PY_BENCH,
      rawPath,
      JSON.stringify(input.shape),
      JSON.stringify(chunks),
      compressorId,
      "1",
      join(work, `py-${compressorId}.zarr`),
    ],
    { encoding: "utf8" },
  );
  if (py.status !== 0) throw new Error(`python zarr failed: ${py.stderr}`);
  return JSON.parse(py.stdout);
}

const rows = [
  { name: "none", compressor: null, threads },
  { name: "zlib", compressor: { id: "zlib", level: 5 }, threads },
  { name: "blosc", compressor: { id: "blosc", cname: "lz4", clevel: 5, shuffle: 1 }, threads },
  {
    name: "blosc 1 thr",
    id: "blosc",
    compressor: { id: "blosc", cname: "lz4", clevel: 5, shuffle: 1 },
    threads: 1,
  },
];
const results = rows.map(() => ({ tw: [], tr: [], pw: [], pr: [], bloscThreads: 0 }));
for (let r = 0; r < repeats; r++) {
  for (const [i, row] of rows.entries()) {
    const t = await tessera(row.compressor, row.threads, row.name.replace(/\W+/g, "-"));
    const p = python(row.id ?? row.name);
    results[i].tw.push(t.write);
    results[i].tr.push(t.read);
    results[i].pw.push(p.write);
    results[i].pr.push(p.read);
    results[i].bloscThreads = p.bloscThreads;
  }
}

console.log(
  `input: ${input.source}, ${input.shape.join("×")} uint8 (${mb.toFixed(1)} MB), chunks ${chunks.join("×")}, median of ${repeats}${dist ? `, build ${dist}` : ""}`,
);
console.log(
  `cores: ${availableParallelism()}; Tessera blosc decode/compress pool: ${threads} worker threads (rows "1 thr": none); python numcodecs blosc threads: ${results[2].bloscThreads}`,
);
console.log(
  "compressor  | tessera write MB/s | zarr-python write MB/s | ratio | tessera read MB/s | zarr-python read MB/s | ratio",
);
for (const [i, row] of rows.entries()) {
  const { tw, tr, pw, pr } = results[i];
  const [w, rd, pW, pR] = [tw, tr, pw, pr].map((v) => mb / median(v));
  console.log(
    `${row.name.padEnd(11)} | ${w.toFixed(0).padStart(18)} | ${pW.toFixed(0).padStart(22)} | ${(w / pW).toFixed(2).padStart(5)}× | ${rd.toFixed(0).padStart(17)} | ${pR.toFixed(0).padStart(21)} | ${(rd / pR).toFixed(2).padStart(5)}×`,
  );
}
rmSync(work, { recursive: true, force: true });

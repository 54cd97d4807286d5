#!/usr/bin/env node
// GenericIO read throughput of @tessera/halo on a file written by our writer (default ≈ 330 MB:
// 8 ranks × 1.2 M rows of x y z vx vy vz f32, id i64, mask u16, plain layout), with CRC-64 checks on
// and off. No peer GenericIO reader is installed, so no ratio is printed; for context the same run
// times plain `fs.readSync`/`fs.readFile` of the file (the I/O ceiling) and Python `numpy.fromfile`
// of the same byte ranges (/usr/bin/python3, no CRC). Warm page cache: the file is read once before
// timing. Ours is timed reading into reused (already touched) arrays, as a reader into preallocated
// buffers works, and into fresh arrays: on VMs where first-touch page faults are slow, fresh
// memory alone caps any reader (numpy included) far below the copy speed.
// Usage: node tools/bench/halo/genericio.mjs [--rows 1200000] [--ranks 8] [--rounds 5] [--dir /tmp]
//        (build first: npx nx run @tessera/halo:build, or `npx tsup` in packages/halo)
import { execFileSync } from "node:child_process";
import {
  closeSync,
  existsSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readSync,
  rmSync,
  statSync,
} from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const here = dirname(fileURLToPath(import.meta.url));
const DIST = resolve(here, "../../../packages/halo/dist/index.js");
const { values: opt } = parseArgs({
  options: {
    rows: { type: "string", default: "1200000" },
    ranks: { type: "string", default: "8" },
    rounds: { type: "string", default: "5" },
    dir: { type: "string", default: tmpdir() },
  },
});
const ROWS = Number(opt.rows);
const RANKS = Number(opt.ranks);
const ROUNDS = Number(opt.rounds);
if (!existsSync(DIST)) {
  console.error(`cannot find ${DIST}: build first (npx nx run @tessera/halo:build)`);
  process.exit(1);
}
const halo = await import(DIST);
if (typeof halo.openGenericIO !== "function") {
  console.error(`${DIST} has no openGenericIO: rebuild @tessera/halo`);
  process.exit(1);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const gbps = (bytes, s) => `${(bytes / s / 1e9).toFixed(2)} GB/s`;

const dir = mkdtempSync(join(opt.dir, "tessera-bench-gio-"));
const path = join(dir, "bench.gio");
try {
  const variables = [
    ...["x", "y", "z"].map((name, k) => ({
      name,
      type: "f32",
      flags: { isPhysCoordX: k === 0, isPhysCoordY: k === 1, isPhysCoordZ: k === 2 },
    })),
    ...["vx", "vy", "vz"].map((name) => ({ name, type: "f32" })),
    { name: "id", type: "i64" },
    { name: "mask", type: "u16" },
  ];
  const makeRank = (r) => () => {
    const columns = {};
    let s = (r + 1) * 2654435761;
    for (const v of variables.slice(0, 6)) {
      const a = new Float32Array(ROWS);
      for (let i = 0; i < ROWS; i++) {
        s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
        a[i] = (s / 2 ** 32) * 256;
      }
      columns[v.name] = a;
    }
    columns.id = BigInt64Array.from({ length: ROWS }, (_, i) => BigInt(r * ROWS + i));
    columns.mask = Uint16Array.from({ length: ROWS }, (_, i) => i & 0xffff);
    return { columns };
  };
  let t0 = performance.now();
  const written = await halo.writeGenericIO(path, {
    variables,
    ranks: Array.from({ length: RANKS }, (_, r) => makeRank(r)),
    physScale: [256, 256, 256],
  });
  const writeS = (performance.now() - t0) / 1000;
  const size = statSync(path).size;
  console.log(
    `file: ${path}: ${(size / 1e6).toFixed(1)} MB, ${RANKS} ranks × ${ROWS} rows, ${variables.length} variables, plain (written in ${writeS.toFixed(2)} s, data generation included)`,
  );
  readFileSync(path); // warm the page cache

  // preallocated, touched output arrays (as a reader into pre-sized buffers works)
  const probe = await halo.openGenericIO(path, { verifyCrc: false });
  const reused = {};
  for (const v of probe.variables)
    reused[v.name] = (await probe.readColumn(v.name)).fill(v.type === "i64" ? 1n : 1);
  await probe.close();
  async function readAll(verifyCrc, reuse) {
    const f = await halo.openGenericIO(path, { verifyCrc });
    let bytes = 0;
    for (const v of f.variables) {
      bytes += (await f.readColumn(v.name, reuse ? { into: reused[v.name] } : {})).byteLength;
    }
    await f.close();
    return bytes;
  }
  const modes = {
    "reused arrays, CRC-64 on ": [true, true],
    "reused arrays, CRC-64 off": [false, true],
    "fresh arrays,  CRC-64 on ": [true, false],
    "fresh arrays,  CRC-64 off": [false, false],
  };
  const THREADS = Math.min(availableParallelism(), 8);
  const threaded = [];
  const ours = Object.fromEntries(Object.keys(modes).map((m) => [m, []]));
  const fsFresh = [];
  const fsReused = [];
  const whole = Buffer.alloc(size, 1);
  const fd = openSync(path, "r");
  await readAll(true, true); // warm-up (compiles the CRC kernel)
  // each mode's rounds back to back, the modes that allocate (and leave garbage) last
  const timeRounds = async (fn) => {
    const times = [];
    for (let r = 0; r < ROUNDS; r++) {
      t0 = performance.now();
      await fn();
      times.push((performance.now() - t0) / 1000);
    }
    return times;
  };
  fsReused.push(
    ...(await timeRounds(() => {
      for (let at = 0; at < size; ) at += readSync(fd, whole, at, Math.min(size - at, 1 << 30), at);
    })),
  );
  for (const [mode, [crc, reuse]] of Object.entries(modes))
    ours[mode] = await timeRounds(() => readAll(crc, reuse));
  threaded.push(
    ...(await timeRounds(async () => {
      const f = await halo.openGenericIO(path);
      await f.readColumns(undefined, { threads: THREADS, minParallelBytes: 0 });
      await f.close();
    })),
  );
  fsFresh.push(...(await timeRounds(() => readFileSync(path))));
  const firstTouch = await timeRounds(() => new Uint8Array(size).fill(1));
  closeSync(fd);

  // numpy.fromfile of the same byte ranges (each rank's variable blocks; header parsed by us)
  const f = await halo.openGenericIO(path, { verifyCrc: false });
  const dtype = { f32: "<f4", i64: "<i8", u16: "<u2" };
  const ranges = [];
  const dataBytes = f.variables.reduce((s, v) => s + v.size * f.totalRows, 0);
  let offset = written.bytes - dataBytes - 8 * RANKS * f.variables.length;
  for (const r of f.ranks) {
    for (const v of f.variables) {
      ranges.push([offset, r.rows, dtype[v.type]]);
      offset += r.rows * v.size + 8;
    }
  }
  await f.close();
  let numpyLine = "numpy.fromfile: skipped (no /usr/bin/python3 with numpy)";
  try {
    const script = `
import json, sys, time
import numpy as np
path, ranges, rounds = sys.argv[1], json.loads(sys.argv[2]), int(sys.argv[3])
times = []
for _ in range(rounds):
    t = time.perf_counter()
    n = 0
    for off, count, dt in ranges:
        n += np.fromfile(path, dtype=dt, count=count, offset=off).nbytes
    times.append(time.perf_counter() - t)
times.sort()
print(json.dumps({"median": times[len(times)//2], "best": times[0], "bytes": n}))`;
    const out = JSON.parse(
      execFileSync("/usr/bin/python3", ["-c", script, path, JSON.stringify(ranges), String(ROUNDS)], {
        encoding: "utf8",
      }),
    );
    if (out.bytes !== dataBytes) throw new Error(`numpy read ${out.bytes} bytes, expected ${dataBytes}`);
    numpyLine = `numpy.fromfile of the same byte ranges (numpy's allocator reuses freed arrays): ${gbps(size, out.median)} median, ${gbps(size, out.best)} best`;
  } catch (e) {
    numpyLine = `numpy.fromfile: failed (${e.message.split("\n")[0]})`;
  }

  const line = (label, xs) =>
    `${label}${gbps(size, median(xs))} median, ${gbps(size, Math.min(...xs))} best (${xs.map((x) => x.toFixed(3)).join(" ")} s)`;
  console.log(`read every column of every rank, ${ROUNDS} rounds, warm page cache, single thread:`);
  for (const mode of Object.keys(modes))
    console.log(line(`@tessera/halo readColumn, ${mode}:      `, ours[mode]));
  console.log(
    line(`@tessera/halo readColumns, ${THREADS} worker threads, CRC-64 on, fresh shared arrays: `, threaded),
  );
  console.log("no installed peer GenericIO reader: no ratio. For context (no CRC, no parsing):");
  console.log(line("fs.readSync of the whole file into a reused buffer: ", fsReused));
  console.log(line("fs.readFile of the whole file (fresh buffer):       ", fsFresh));
  console.log(line("first touch of as much fresh memory (fill):         ", firstTouch));
  console.log(numpyLine);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

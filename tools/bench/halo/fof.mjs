#!/usr/bin/env node
// Friends-of-friends: @tessera/halo's friendsOfFriends against the scipy oracle (cKDTree(boxsize=L)
// .query_pairs(ℓ) + scipy.sparse.csgraph.connected_components, Debian's python3-scipy) on the same
// particle sets, side by side: alternating rounds, each side timed in steady state (a warm-up run
// first (two for ours); scipy in one long-lived python process, timed inside python: tree + pairs + components,
// with its fastest tree options balanced_tree=False, compact_nodes=False), medians, the ratio, and
// the two partitions compared for identity. Then a blockwise run (reader generating each block's
// region on demand, as a file reader would) and a whole-box run in child processes, with their
// peak RSS and their halo catalogues compared.
// Particle sets: "clustered" (half the particles in isothermal clumps of 5–400 members at ~500× the
// mean density, half uniform; generated cell by cell from seeded xorshift streams, so any region can
// be generated alone) and "uniform". b = 0.168.
// Usage: node tools/bench/halo/fof.mjs [--rounds 3] [--sizes 1e6,4e6] [--kinds clustered,uniform]
//        [--blocks 4] [--memory-size 4e6]      (no build needed: the FOF sources are bundled with esbuild)
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "../../..");
const { values: opt } = parseArgs({
  options: {
    rounds: { type: "string", default: "3" },
    sizes: { type: "string", default: "1e6,4e6" },
    kinds: { type: "string", default: "clustered,uniform" },
    blocks: { type: "string", default: "4" },
    "memory-size": { type: "string", default: "4e6" },
    child: { type: "string" },
    module: { type: "string" },
    size: { type: "string" },
    kind: { type: "string", default: "clustered" },
  },
});
const B = 0.168;
const L = 100;

// ---------------------------------------------------------------- particle generator (per cell)
/** Cells per side and particles per cell of a set of about `n` particles. */
function layout(n) {
  const G = Math.max(1, Math.round(Math.cbrt(n / 1000)));
  const perCell = Math.max(1, Math.round(n / G ** 3));
  return { G, perCell, n: G ** 3 * perCell };
}

/**
 * Particles of generator cell c (ids c·perCell + k), written into pos (float32, interleaved) at
 * `at`. The clumps' radius is at most `reach` beyond the cell.
 */
function cellParticles(kind, lay, c, pos, at) {
  const { G, perCell, n } = lay;
  const side = L / G;
  const cx = Math.floor(c / (G * G));
  const cy = Math.floor(c / G) % G;
  const cz = c % G;
  let s = (Math.imul(c + 1, 0x9e3779b1) ^ 0x5bd1e995) >>> 0 || 1;
  const rnd = () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
  const put = (k, x, y, z) => {
    const q = 3 * (at + k);
    pos[q] = wrap(x);
    pos[q + 1] = wrap(y);
    pos[q + 2] = wrap(z);
  };
  let k = 0;
  if (kind === "clustered") {
    const meanDensity = n / L ** 3;
    const budget = Math.floor(perCell / 2);
    while (k < budget) {
      // clump size from dN/dm ∝ m^-2 on [5, 400]
      const u = rnd();
      let m = Math.floor(1 / (1 / 5 - u * (1 / 5 - 1 / 401)));
      m = Math.min(m, budget - k);
      const R = Math.cbrt((3 * Math.max(m, 5)) / (4 * Math.PI * 500 * meanDensity));
      const x0 = (cx + rnd()) * side;
      const y0 = (cy + rnd()) * side;
      const z0 = (cz + rnd()) * side;
      for (let j = 0; j < m; j++, k++) {
        const r = R * rnd(); // isothermal: density ∝ r^-2
        const ct = 2 * rnd() - 1;
        const ph = 2 * Math.PI * rnd();
        const st = Math.sqrt(1 - ct * ct);
        put(k, x0 + r * st * Math.cos(ph), y0 + r * st * Math.sin(ph), z0 + r * ct);
      }
    }
  }
  for (; k < perCell; k++) put(k, (cx + rnd()) * side, (cy + rnd()) * side, (cz + rnd()) * side);
}
/** Largest clump radius: how far a cell's particles reach beyond it. */
function reach(lay) {
  return Math.cbrt((3 * 401) / (4 * Math.PI * 500 * (lay.n / L ** 3)));
}
function wrap(x) {
  let v = x - Math.floor(x / L) * L;
  v = Math.fround(v);
  return v >= L ? 0 : v;
}
function wholeBox(kind, lay) {
  const pos = new Float32Array(3 * lay.n);
  for (let c = 0; c < lay.G ** 3; c++) cellParticles(kind, lay, c, pos, c * lay.perCell);
  return pos;
}

// ---------------------------------------------------------------- helpers
const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
const fmt = (s) => (s < 1 ? `${(1000 * s).toFixed(0)} ms` : `${s.toFixed(2)} s`);
function halosDigest(minId, size) {
  let h = 0;
  for (let i = 0; i < size.length; i++) h = (Math.imul(h, 31) + minId[i] * 7 + size[i]) >>> 0;
  return `${size.length} halos, hash ${h.toString(16)}`;
}

async function bundle(dir) {
  const esbuild = await import(pathToFileURL(join(root, "node_modules/esbuild/lib/main.js")).href);
  const out = join(dir, "fof.bundle.mjs");
  await esbuild.build({
    stdin: {
      contents: 'export * from "./fof.ts"; export * from "./blockwise.ts"; export * from "./workspace.ts";',
      resolveDir: join(root, "packages/halo/src/fof"),
      loader: "ts",
    },
    bundle: true,
    platform: "node",
    format: "esm",
    conditions: ["@tessera/source"],
    outfile: out,
    logLevel: "warning",
  });
  return out;
}

// ---------------------------------------------------------------- child processes (memory runs)
if (opt.child) {
  const fof = await import(pathToFileURL(opt.module).href);
  const kind = opt.kind;
  const lay = layout(Number(opt.size));
  const t0 = performance.now();
  let halos = { minId: [], size: [] };
  let extra = "";
  if (opt.child === "idle") {
    // the baseline: node with the module loaded
  } else if (opt.child === "whole") {
    const pos = wholeBox(kind, lay);
    const res = fof.friendsOfFriends(pos, { boxSize: L, linkingParameter: B, minMembers: 20 });
    halos = res.halos;
  } else {
    const nb = Number(opt.blocks);
    const grow = reach(lay) + 1e-6;
    const side = L / lay.G;
    let maxRead = 0;
    const read = (spec) => {
      // generator cells whose particles can fall in the region (region grown by the clump reach)
      const ranges = [0, 1, 2].map((a) => {
        if (spec.region.periodic[a]) return [0, lay.G - 1];
        const lo = Math.floor((spec.region.origin[a] - grow) / side);
        const hi = Math.floor((spec.region.origin[a] + spec.region.size[a] + grow) / side);
        return hi - lo + 1 >= lay.G ? [0, lay.G - 1] : [lo, hi];
      });
      const cells = [];
      for (let i = ranges[0][0]; i <= ranges[0][1]; i++)
        for (let j = ranges[1][0]; j <= ranges[1][1]; j++)
          for (let k = ranges[2][0]; k <= ranges[2][1]; k++) {
            const m = (v) => ((v % lay.G) + lay.G) % lay.G;
            cells.push((m(i) * lay.G + m(j)) * lay.G + m(k));
          }
      const tmp = new Float32Array(3 * lay.perCell);
      let count = 0;
      let pos = new Float32Array(3 * 1024);
      let ids = new Float64Array(1024);
      for (const c of new Set(cells)) {
        cellParticles(kind, lay, c, tmp, 0);
        for (let p = 0; p < lay.perCell; p++) {
          const x = tmp[3 * p];
          const y = tmp[3 * p + 1];
          const z = tmp[3 * p + 2];
          if (!fof.fofRegionContains(plan, spec, x, y, z)) continue;
          if (count === ids.length) {
            const p2 = new Float32Array(2 * pos.length);
            p2.set(pos);
            pos = p2;
            const i2 = new Float64Array(2 * ids.length);
            i2.set(ids);
            ids = i2;
          }
          pos[3 * count] = x;
          pos[3 * count + 1] = y;
          pos[3 * count + 2] = z;
          ids[count++] = c * lay.perCell + p;
        }
      }
      maxRead = Math.max(maxRead, count);
      globalThis.gc?.(); // with --expose-gc: free the previous block's arrays before this one
      return { positions: pos.subarray(0, 3 * count), ids: ids.subarray(0, count) };
    };
    const opts = { boxSize: L, particleCount: lay.n, linkingParameter: B, minMembers: 20, blocks: nb };
    const plan = fof.planFofBlocks(opts);
    const res = await fof.blockwiseFriendsOfFriends(opts, read);
    halos = res.halos;
    extra = `, ${nb ** 3} blocks, at most ${maxRead} particles read by one block`;
  }
  const seconds = (performance.now() - t0) / 1000;
  console.log(JSON.stringify({ seconds, digest: halosDigest(halos.minId, halos.size), n: lay.n, extra }));
  process.exit(0);
}

// ---------------------------------------------------------------- main: ours vs scipy
const ORACLE = `
import sys, json, time, numpy as np
from scipy.spatial import cKDTree
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
src, dst, L, r = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
x = np.fromfile(src, dtype=np.float32).astype(np.float64).reshape(-1, 3)
n = len(x)
print(json.dumps({"ready": n}), flush=True)
first = True
for line in sys.stdin:
    t0 = time.perf_counter()
    tree = cKDTree(x, boxsize=L, balanced_tree=False, compact_nodes=False)
    pairs = tree.query_pairs(r, output_type="ndarray")
    g = coo_matrix((np.ones(len(pairs), dtype=np.int8), (pairs[:, 0], pairs[:, 1])), shape=(n, n))
    ng, labels = connected_components(g, directed=False)
    t1 = time.perf_counter()
    if first:
        labels.astype(np.int32).tofile(dst)
        first = False
    print(json.dumps({"seconds": t1 - t0, "pairs": int(len(pairs)), "groups": int(ng)}), flush=True)
`;

const dir = mkdtempSync(join(tmpdir(), "tessera-fof-bench-"));
try {
  const module = await bundle(dir);
  const fof = await import(pathToFileURL(module).href);
  const rounds = Number(opt.rounds);
  const sizes = opt.sizes
    .split(",")
    .map(Number)
    .filter((v) => v > 0);
  const kinds = opt.kinds.split(",");
  console.log(
    `FOF b = ${B}, box ${L}, ${rounds} alternating rounds, medians (steady state, after a warm-up)`,
  );
  for (const kind of kinds) {
    for (const size of sizes) {
      const lay = layout(size);
      const pos = wholeBox(kind, lay);
      const ell = (B * L) / Math.cbrt(lay.n);
      const src = join(dir, "positions.f32");
      const dst = join(dir, "labels.i32");
      writeFileSync(src, pos);
      const py = spawn("/usr/bin/python3", ["-c", ORACLE, src, dst, String(L), String(ell)], {
        stdio: ["pipe", "pipe", "inherit"],
      });
      const lines = createInterface({ input: py.stdout })[Symbol.asyncIterator]();
      const next = async () => JSON.parse((await lines.next()).value);
      await next(); // ready
      const scipyRun = async () => {
        py.stdin.write("run\n");
        return next();
      };
      const workspace = new fof.FofWorkspace();
      const oursRun = (ws) => {
        const t = performance.now();
        const res = fof.friendsOfFriends(pos, {
          boxSize: L,
          linkingLength: ell,
          minMembers: 20,
          workspace: ws,
        });
        return { seconds: (performance.now() - t) / 1000, res };
      };
      // warm-up: two runs of ours (V8 optimises the hot loops over the first calls), one of
      // scipy's (which writes its labels)
      oursRun();
      oursRun(workspace);
      const warm = oursRun();
      const ref = await scipyRun();
      const buf = readFileSync(dst);
      const labels = new Int32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
      const relabel = new Int32Array(ref.groups).fill(-1);
      let g = 0;
      let same = labels.length === warm.res.groupId.length;
      for (let i = 0; same && i < labels.length; i++) {
        if (relabel[labels[i]] < 0) relabel[labels[i]] = g++;
        if (relabel[labels[i]] !== warm.res.groupId[i]) same = false;
      }
      const ours = [];
      const oursWs = [];
      const theirs = [];
      for (let r = 0; r < rounds; r++) {
        ours.push(oursRun().seconds);
        oursWs.push(oursRun(workspace).seconds);
        theirs.push((await scipyRun()).seconds);
      }
      py.stdin.end();
      const mo = median(ours);
      const mt = median(theirs);
      const mw = median(oursWs);
      console.log(
        `${kind} ${lay.n.toLocaleString("en")} particles (ℓ = ${ell.toFixed(4)}, ${ref.pairs.toLocaleString("en")} pairs, ` +
          `${warm.res.groupCount.toLocaleString("en")} groups, ${warm.res.halos.count} halos ≥ 20): ` +
          `ours ${fmt(mo)} [${ours.map(fmt).join(", ")}], scipy ${fmt(mt)} [${theirs.map(fmt).join(", ")}], ` +
          `ratio ${(mt / mo).toFixed(1)}×; ours with a reused FofWorkspace ${fmt(mw)} [${oursWs.map(fmt).join(", ")}], ` +
          `ratio ${(mt / mw).toFixed(1)}×; partitions ${same ? "identical" : "DIFFERENT"}`,
      );
      if (!same) process.exitCode = 1;
    }
  }

  // ---------------------------------------------------------------- peak memory: blockwise vs whole box
  const msize = Number(opt["memory-size"]);
  if (msize > 0) {
    // Peak RSS from /usr/bin/time -f %M (GNU time reads wait4's rusage of its own child): a child
    // forked straight from this process would report at least this process's RSS, as Linux keeps
    // the pre-exec high-water mark in ru_maxrss.
    const child = (mode, flags = []) => {
      const r = spawnSync(
        "/usr/bin/time",
        [
          "-f",
          "maxrss_kb=%M",
          process.execPath,
          ...flags,
          fileURLToPath(import.meta.url),
          "--child",
          mode,
          "--module",
          module,
          "--size",
          String(msize),
          "--blocks",
          opt.blocks,
        ],
        { encoding: "utf8", maxBuffer: 1 << 24 },
      );
      if (r.status !== 0) throw new Error(`child ${mode} failed: ${r.stderr}`);
      const out = JSON.parse(r.stdout.trim().split("\n").pop());
      out.maxRssMiB = Number(/maxrss_kb=(\d+)/.exec(r.stderr)[1]) / 1024;
      return out;
    };
    const idle = child("idle");
    const whole = child("whole");
    const blocks = child("blocks");
    const blocksGc = child("blocks", ["--expose-gc"]);
    const dataMiB = (whole.n * 12) / 2 ** 20;
    console.log(
      `peak RSS, clustered ${whole.n.toLocaleString("en")} particles (positions alone ${dataMiB.toFixed(0)} MiB as float32): ` +
        `whole box ${whole.maxRssMiB.toFixed(0)} MiB in ${fmt(whole.seconds)} (${whole.digest}); ` +
        `blockwise ${blocks.maxRssMiB.toFixed(0)} MiB in ${fmt(blocks.seconds)} (${blocks.digest}${blocks.extra}); ` +
        `blockwise with a full GC after each block ${blocksGc.maxRssMiB.toFixed(0)} MiB; ` +
        `node with the module loaded and nothing run ${idle.maxRssMiB.toFixed(0)} MiB; ` +
        `catalogues ${whole.digest === blocks.digest ? "identical" : "DIFFERENT"}`,
    );
    if (whole.digest !== blocks.digest || whole.digest !== blocksGc.digest) process.exitCode = 1;
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

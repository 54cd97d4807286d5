import { openVolume, startProgressBar } from "@tessera/volume";
import { logged, openRunLog } from "@tessera/volume/cli";
import { Command, InvalidArgumentError, Option } from "commander";
import { meshVolume } from "./block.js";
import type { Mesh } from "./mesh.js";
import { writePrecomputedMeshes } from "./precomputed.js";
import { DEFAULT_VIEWER_DIST, serveRun } from "./serve.js";
import type { ShardingSpec } from "./sharding.js";
import { simplifyMeshes } from "./simplify-pool.js";
import { smoothMesh } from "./smooth.js";
import { writeMeshFiles } from "./write-meshes.js";

function integerList(value: string): number[] {
  const numbers = value.split(",").map(Number);
  if (numbers.some((n) => !Number.isInteger(n) || n < 1))
    throw new InvalidArgumentError(`expected positive integers like 64,256,256, got "${value}"`);
  return numbers;
}

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new InvalidArgumentError(`expected a TCP port 0-65535 (0: any free port), got "${value}"`);
  return n;
}

function positive(value: string): number {
  const n = Number(value);
  if (!(n >= 0)) throw new InvalidArgumentError(`expected a non-negative number, got "${value}"`);
  return n;
}

/** Options of the `mesh` command as parsed by commander. */
interface MeshCliOptions {
  input: string;
  output: string;
  format: "ply" | "glb" | "obj" | "precomputed" | "precomputed-legacy";
  simplify?: number;
  labels?: number[];
  block?: number[];
  lods: number;
  sharded?: boolean;
  resolution?: number[];
  threads?: number;
  smooth?: number;
  log?: string;
}

/**
 * The `mesh` command: `tessera mesh --input seg.zarr --output meshes/ --format ply|glb|obj|precomputed
 * [--simplify 40]`, with progress bars for meshing and writing.
 */
export function meshCommand(): Command {
  return new Command("mesh")
    .description("surface meshes of every label of a segmentation (multi-label marching cubes)")
    .requiredOption("-i, --input <zarr>", "label volume (zarr array, integer dtype)")
    .requiredOption("-o, --output <dir>", "output folder")
    .addOption(
      new Option("-f, --format <format>", "output format")
        .choices(["ply", "glb", "obj", "precomputed", "precomputed-legacy"])
        .default("ply"),
    )
    .option("-s, --simplify <nm>", "quadric simplification with this maximum error in nm", positive)
    .option(
      "--smooth <iterations>",
      "Taubin smoothing passes before simplification",
      (v) => integerList(v)[0],
    )
    .option("--labels <ids>", "mesh only these label ids, e.g. 12,40", integerList)
    .option("--block <zyx>", "mesh block by block with this block shape, e.g. 64,256,256", integerList)
    .option("--resolution <zyx>", "voxel size in nm (default: the volume's resolution attribute)", (v) =>
      v.split(",").map(Number),
    )
    .option("--lods <n>", "levels of detail for --format precomputed", (v) => integerList(v)[0], 3)
    .option(
      "--threads <n>",
      "worker threads for marching cubes and simplification (default: all cores)",
      (v) => integerList(v)[0],
    )
    .option("--sharded", "precomputed: write neuroglancer_uint64_sharded_v1 shards (murmurhash3)")
    .option("--log <file>", "structured log (JSON lines; default <output>.log)")
    .action(async (opts: MeshCliOptions) => {
      const log = openRunLog(opts.log ?? `${opts.output.replace(/\/+$/, "")}.log`, "tessera-mesh");
      const what = {
        command: "mesh",
        input: opts.input,
        output: opts.output,
        format: opts.format,
        simplify: opts.simplify,
      };
      await logged(log, what, async () => {
        const volume = await openVolume(opts.input);
        const res = (opts.resolution ?? volume.resolution ?? [1, 1, 1]) as [number, number, number];
        const bar = startProgressBar("mesh", "blocks");
        let meshes: Map<number, Mesh>;
        try {
          meshes = await meshVolume(volume, {
            resolutionNm: res,
            labels: opts.labels,
            blockShape: opts.block as [number, number, number] | undefined,
            threads: opts.threads,
            onProgress: (d, t) => bar.update(d, t),
          });
        } finally {
          bar.stop();
        }
        const ids = [...meshes.keys()];
        const before = ids.reduce((s, id) => s + (meshes.get(id) as Mesh).indices.length / 3, 0);
        if (opts.smooth !== undefined && opts.format !== "precomputed") {
          for (const id of ids)
            meshes.set(id, smoothMesh(meshes.get(id) as Mesh, { iterations: opts.smooth }));
        }
        if (opts.simplify !== undefined && opts.format !== "precomputed") {
          const sbar = startProgressBar("simplify", "segments");
          try {
            meshes = await simplifyMeshes(meshes, {
              maxErrorNm: opts.simplify,
              threads: opts.threads,
              onProgress: (d, t) => sbar.update(d, t),
            });
          } finally {
            sbar.stop();
          }
        }
        const wbar = startProgressBar("write", "segments");
        let done = 0;
        const tick = () => wbar.update(++done, ids.length);
        try {
          if (opts.format === "precomputed" || opts.format === "precomputed-legacy") {
            const sharding: ShardingSpec | undefined = opts.sharded
              ? {
                  "@type": "neuroglancer_uint64_sharded_v1",
                  preshift_bits: 0,
                  hash: "murmurhash3_x86_128",
                  minishard_bits: 6,
                  shard_bits: 0,
                  minishard_index_encoding: "gzip",
                  data_encoding: "gzip",
                }
              : undefined;
            await writePrecomputedMeshes(opts.output, meshes, {
              format: opts.format === "precomputed" ? "multires" : "legacy",
              resolutionNm: res,
              numLods: opts.lods,
              maxErrorNm: opts.simplify,
              sharding,
              onSegment: tick,
            });
          } else {
            await writeMeshFiles(opts.output, meshes, opts.format, res, tick);
          }
        } finally {
          wbar.stop();
        }
        const after = ids.reduce((s, id) => s + (meshes.get(id) as Mesh).indices.length / 3, 0);
        const summary = {
          output: opts.output,
          format: opts.format,
          segments: ids.length,
          triangles: after,
          trianglesBeforeSimplification: before,
        };
        process.stdout.write(`${JSON.stringify(summary)}\n`);
        return summary;
      });
    });
}

/**
 * The `serve` command: `tessera serve <run-dir> [--port 8080] [--host 127.0.0.1]` serves the run's
 * files and the 3D viewer until interrupted.
 */
export function serveCommand(): Command {
  return new Command("serve")
    .description("serve a run folder and the 3D neuron viewer over HTTP")
    .argument("<run-dir>", "run folder (holding meshes.json or meshes/meshes.json)")
    .option("-p, --port <port>", "TCP port (0: any free port, shown in the URL printed)", port, 8080)
    .option("--host <host>", "interface to bind (0.0.0.0 exposes it to the network)", "127.0.0.1")
    .option("--viewer-dist <dir>", "built viewer folder", DEFAULT_VIEWER_DIST)
    .action(async (runDir: string, opts: { port: number; host: string; viewerDist: string }) => {
      const server = await serveRun({
        runDir,
        port: opts.port,
        host: opts.host,
        viewerDist: opts.viewerDist,
      });
      process.stdout.write(`serving ${runDir} at ${server.url} (Ctrl-C to stop)\n`);
      await new Promise<void>((done) => {
        const stop = () => {
          server.close().then(done, done);
        };
        process.once("SIGINT", stop);
        process.once("SIGTERM", stop);
      });
    });
}

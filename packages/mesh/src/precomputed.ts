import { mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { writeFileAtomic } from "@tessera/volume";
import { MeshFormatError, MeshWriteError } from "./errors.js";
import { decodeLegacyFragment, encodeLegacyFragment } from "./legacy.js";
import type { Mesh } from "./mesh.js";
import { decodeManifest, decodeMultiresLod, encodeMultiresMesh } from "./multires.js";
import {
  encodeShards,
  readShardChunk,
  type ShardingSpec,
  shardFileName,
  shardingSpecSchema,
  shardLocation,
} from "./sharding.js";

/** Options of {@link writePrecomputedMeshes}. */
export interface PrecomputedOptions {
  /** `multires` (`neuroglancer_multilod_draco`, default) or `legacy` (single resolution). */
  format?: "multires" | "legacy";
  /** Voxel size in nm, z,y,x (needed by `multires` to align the octree). */
  resolutionNm: [number, number, number];
  /** Levels of detail for `multires` (default 3). */
  numLods?: number;
  /** Lod-0 simplification error in nm for `multires` (default 0). */
  maxErrorNm?: number;
  /** Store `multires` meshes in `neuroglancer_uint64_sharded_v1` shards. */
  sharding?: ShardingSpec;
  /** Called after each segment. */
  onSegment?: (id: number) => void;
}

/** What {@link writePrecomputedMeshes} wrote. */
export interface PrecomputedSummary {
  segments: number;
  files: number;
  bytes: number;
}

const IDENTITY = [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0];

async function put(path: string, data: Uint8Array | string): Promise<number> {
  await writeFileAtomic(path, data);
  return typeof data === "string" ? Buffer.byteLength(data) : data.length;
}

/**
 * Write meshes as a Neuroglancer precomputed mesh folder: `info`, then per segment either
 * `<id>:0` + `<id>.frag` (legacy) or `<id>.index` + `<id>` (multires), or `<shard>.shard` files,
 * plus `segment_properties/info` (ids with their triangle counts). Sharded output is read back
 * and checked: a segment that cannot be found again raises {@link MeshWriteError}.
 */
export async function writePrecomputedMeshes(
  dir: string,
  meshes: Map<number, Mesh>,
  options: PrecomputedOptions,
): Promise<PrecomputedSummary> {
  const format = options.format ?? "multires";
  const ids = [...meshes.keys()].filter((id) => (meshes.get(id)?.indices.length ?? 0) > 0);
  if (ids.length === 0)
    throw new MeshWriteError("no non-empty meshes to write", {
      path: dir,
      expected: "at least one segment with triangles",
      found: `${meshes.size} segments, all empty`,
    });
  if (format === "legacy" && options.sharding)
    throw new MeshWriteError("the legacy mesh format has no sharded variant", {
      path: dir,
      field: "sharding",
      expected: "format multires",
      found: "legacy",
    });
  const sharding = options.sharding ? shardingSpecSchema.parse(options.sharding) : undefined;
  await mkdir(join(dir, "segment_properties"), { recursive: true });
  let files = 0;
  let bytes = 0;
  const bits = 16;
  if (format === "legacy") {
    bytes += await put(
      join(dir, "info"),
      JSON.stringify({ "@type": "neuroglancer_legacy_mesh", segment_properties: "segment_properties" }),
    );
    files++;
    for (const id of ids) {
      bytes += await put(join(dir, `${id}.frag`), encodeLegacyFragment(meshes.get(id) as Mesh));
      bytes += await put(join(dir, `${id}:0`), JSON.stringify({ fragments: [`${id}.frag`] }));
      files += 2;
      options.onSegment?.(id);
    }
  } else {
    const info: Record<string, unknown> = {
      "@type": "neuroglancer_multilod_draco",
      vertex_quantization_bits: bits,
      transform: IDENTITY,
      lod_scale_multiplier: 1,
      segment_properties: "segment_properties",
    };
    if (sharding) info.sharding = sharding;
    bytes += await put(join(dir, "info"), JSON.stringify(info));
    files++;
    const entries = [];
    for (const id of ids) {
      const { manifest, fragments } = await encodeMultiresMesh(meshes.get(id) as Mesh, {
        resolutionNm: options.resolutionNm,
        numLods: options.numLods,
        maxErrorNm: options.maxErrorNm,
        quantizationBits: bits,
      });
      if (sharding) entries.push({ id: BigInt(id), data: manifest, prefix: fragments });
      else {
        bytes += await put(join(dir, String(id)), fragments);
        bytes += await put(join(dir, `${id}.index`), manifest);
        files += 2;
      }
      options.onSegment?.(id);
    }
    if (sharding) {
      const shards = encodeShards(sharding, entries);
      for (const [n, data] of shards) {
        bytes += await put(join(dir, shardFileName(sharding, n)), data);
        files++;
      }
      for (const e of entries) {
        const { shard } = shardLocation(sharding, e.id);
        const data = shards.get(shard);
        const found = data && readShardChunk(sharding, data, e.id);
        if (!found || found.data.length === 0) {
          throw new MeshWriteError("segment missing from its shard after writing", {
            path: join(dir, shardFileName(sharding, shard)),
            field: `segment ${e.id}`,
            expected: "manifest present",
            found: "absent",
          });
        }
      }
    }
  }
  const props = {
    "@type": "neuroglancer_segment_properties",
    inline: {
      ids: ids.map(String),
      properties: [
        { id: "label", type: "label", values: ids.map((id) => `segment ${id}`) },
        {
          id: "triangles",
          type: "number",
          data_type: "uint32",
          values: ids.map((id) => (meshes.get(id) as Mesh).indices.length / 3),
        },
      ],
    },
  };
  bytes += await put(join(dir, "segment_properties", "info"), JSON.stringify(props));
  files++;
  return { segments: ids.length, files, bytes };
}

async function readBytes(path: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (cause) {
    throw new MeshFormatError("cannot read mesh file", {
      path,
      expected: "a readable file",
      found: (cause as NodeJS.ErrnoException).code ?? "error",
      cause,
    });
  }
}

/**
 * Read one segment's mesh back from a precomputed mesh folder written by Tessera, Igneous or
 * zmesh (legacy, multires, multires sharded); `lod` picks the level of detail (default 0).
 */
export async function readPrecomputedMesh(dir: string, id: number, lod = 0): Promise<Mesh> {
  const infoPath = join(dir, "info");
  const info = JSON.parse(new TextDecoder().decode(await readBytes(infoPath)));
  if (info["@type"] === "neuroglancer_legacy_mesh") {
    const manifest = JSON.parse(new TextDecoder().decode(await readBytes(join(dir, `${id}:0`))));
    const parts = await Promise.all(
      (manifest.fragments as string[]).map(async (f) =>
        decodeLegacyFragment(await readBytes(join(dir, f)), join(dir, f)),
      ),
    );
    const nv = parts.reduce((s, m) => s + m.positions.length, 0);
    const ni = parts.reduce((s, m) => s + m.indices.length, 0);
    const positions = new Float32Array(nv);
    const indices = new Uint32Array(ni);
    let vo = 0;
    let io = 0;
    for (const m of parts) {
      positions.set(m.positions, vo);
      for (let i = 0; i < m.indices.length; i++) indices[io + i] = m.indices[i] + vo / 3;
      vo += m.positions.length;
      io += m.indices.length;
    }
    return { positions, indices };
  }
  if (info["@type"] !== "neuroglancer_multilod_draco") {
    throw new MeshFormatError("unknown mesh info type", {
      path: infoPath,
      field: "@type",
      expected: "neuroglancer_legacy_mesh or neuroglancer_multilod_draco",
      found: String(info["@type"]),
    });
  }
  const bits = info.vertex_quantization_bits as number;
  let manifestBytes: Uint8Array;
  let fragments: Uint8Array;
  let where = join(dir, `${id}.index`);
  if (info.sharding) {
    const spec = shardingSpecSchema.parse(info.sharding);
    const { shard } = shardLocation(spec, BigInt(id));
    where = join(dir, shardFileName(spec, shard));
    const data = await readBytes(where);
    const chunk = readShardChunk(spec, data, BigInt(id), where);
    if (!chunk)
      throw new MeshFormatError("segment not in its shard", {
        path: where,
        field: `segment ${id}`,
        expected: "present",
        found: "absent",
      });
    manifestBytes = chunk.data;
    const m = decodeManifest(manifestBytes, where);
    const total = m.lods.reduce((s, l) => s + l.sizes.reduce((a, b) => a + b, 0), 0);
    fragments = data.subarray(chunk.start - total, chunk.start);
  } else {
    manifestBytes = await readBytes(where);
    fragments = await readBytes(join(dir, String(id)));
  }
  const manifest = decodeManifest(manifestBytes, where);
  return decodeMultiresLod(manifest, fragments, lod, bits, where);
}

import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { emPhantom } from "@tessera/phantom";
import { tempDir } from "@tessera/testkit";
import { describe, expect, it, onTestFinished } from "vitest";
import { MeshWriteError } from "./errors.js";
import { marchingCubes } from "./marching-cubes.js";
import type { Mesh } from "./mesh.js";
import {
  decodeManifest,
  decodeMultiresLod,
  encodeManifest,
  encodeMultiresMesh,
  type MultiresManifest,
} from "./multires.js";
import { readPrecomputedMesh, writePrecomputedMeshes } from "./precomputed.js";
import {
  decodeMinishardIndex,
  encodeShards,
  readShardChunk,
  type ShardingSpec,
  shardFileName,
  shardLocation,
} from "./sharding.js";
import { meshTopology } from "./topology.js";

const RES: [number, number, number] = [16, 8, 8];
const shape: [number, number, number] = [20, 40, 40];
const { labels } = emPhantom({ shape, resolutionNm: RES, seed: 8 });
const meshes = marchingCubes(labels, shape, { resolutionNm: RES });

function u64(dv: DataView, o: number, v: number) {
  dv.setBigUint64(o, BigInt(v), true);
}

describe("multi-resolution manifest", () => {
  it("matches a hand-built byte layout", () => {
    const m: MultiresManifest = {
      chunkShape: [1, 2, 3],
      gridOrigin: [4, 5, 6],
      lodScales: [8, 16],
      vertexOffsets: [
        [0, 0, 0],
        [0.5, 0, 0],
      ],
      lods: [
        {
          positions: [
            [0, 0, 0],
            [1, 0, 0],
          ],
          sizes: [10, 20],
        },
        { positions: [[0, 0, 0]], sizes: [30] },
      ],
    };
    const dv = new DataView(new ArrayBuffer(4 * (6 + 1 + 2 + 6 + 2 + 6 + 2 + 3 + 1)));
    let o = 0;
    const f = (v: number) => {
      dv.setFloat32(o, v, true);
      o += 4;
    };
    const u = (v: number) => {
      dv.setUint32(o, v, true);
      o += 4;
    };
    [1, 2, 3, 4, 5, 6].forEach(f); // chunk_shape, grid_origin
    u(2); // num_lods
    [8, 16].forEach(f); // lod_scales
    [0, 0, 0, 0.5, 0, 0].forEach(f); // vertex_offsets [2,3]
    [2, 1].forEach(u); // num_fragments_per_lod
    [0, 1, 0, 0, 0, 0].forEach(u); // lod 0 fragment_positions as [3, 2]: x row, y row, z row
    [10, 20].forEach(u); // lod 0 fragment sizes
    [0, 0, 0].forEach(u);
    u(30);
    expect([...encodeManifest(m)]).toEqual([...new Uint8Array(dv.buffer)]);
    expect(decodeManifest(encodeManifest(m))).toEqual(m);
    expect(() => decodeManifest(encodeManifest(m).subarray(0, 40))).toThrow(/truncated/);
  });
});

describe("sharded format", () => {
  const spec: ShardingSpec = {
    "@type": "neuroglancer_uint64_sharded_v1",
    preshift_bits: 0,
    hash: "identity",
    minishard_bits: 1,
    shard_bits: 1,
    minishard_index_encoding: "raw",
    data_encoding: "raw",
  };

  it("matches a hand-built shard (identity hash, 2 minishards)", () => {
    // ids 1 and 5 → shard 0, minishard 1; id 2 → shard 1, minishard 0
    const shards = encodeShards(spec, [
      { id: 5n, data: Uint8Array.from([99, 100, 101]) },
      { id: 1n, data: Uint8Array.from([97, 98]) },
      { id: 2n, data: Uint8Array.from([7]) },
    ]);
    expect(shardFileName(spec, 0)).toBe("0.shard");
    const expected = new DataView(new ArrayBuffer(32 + 5 + 48));
    // shard index: minishard 0 empty [0, 0); minishard 1 index at [5, 53) after the index
    u64(expected, 16, 5);
    u64(expected, 24, 53);
    [97, 98, 99, 100, 101].forEach((b, i) => {
      expected.setUint8(32 + i, b);
    });
    // minishard index [3, 2]: ids delta (1, 4), offsets delta (0, 0), sizes (2, 3)
    [1, 4, 0, 0, 2, 3].forEach((v, i) => {
      u64(expected, 37 + i * 8, v);
    });
    expect([...(shards.get(0) as Uint8Array)]).toEqual([...new Uint8Array(expected.buffer)]);
    expect(decodeMinishardIndex(spec, shards.get(0) as Uint8Array, 1)).toEqual([
      [1n, 32, 2],
      [5n, 34, 3],
    ]);
    expect([...(readShardChunk(spec, shards.get(1) as Uint8Array, 2n)?.data ?? [])]).toEqual([7]);
    expect(readShardChunk(spec, shards.get(0) as Uint8Array, 3n)).toBeUndefined();
  });

  it("places ids by murmurhash3 and round-trips gzip-encoded chunks", () => {
    const mm: ShardingSpec = {
      ...spec,
      hash: "murmurhash3_x86_128",
      minishard_bits: 2,
      shard_bits: 2,
      data_encoding: "gzip",
      minishard_index_encoding: "gzip",
    };
    const entries = Array.from({ length: 40 }, (_, i) => ({
      id: BigInt(i * 7 + 1),
      data: new TextEncoder().encode(`chunk ${i}`),
    }));
    const shards = encodeShards(mm, entries);
    expect(shards.size).toBeGreaterThan(1);
    for (const e of entries) {
      const { shard } = shardLocation(mm, e.id);
      expect(new TextDecoder().decode(readShardChunk(mm, shards.get(shard) as Uint8Array, e.id)?.data)).toBe(
        new TextDecoder().decode(e.data),
      );
    }
  });

  it("refuses empty chunks and duplicate ids instead of writing an empty shard", () => {
    expect(() => encodeShards(spec, [{ id: 1n, data: new Uint8Array(0) }])).toThrow(MeshWriteError);
    expect(() =>
      encodeShards(spec, [
        { id: 1n, data: Uint8Array.of(1) },
        { id: 1n, data: Uint8Array.of(2) },
      ]),
    ).toThrow(/duplicate/);
  });
});

/** Weld vertices on open edges to the half-voxel lattice, then count open edges. */
function openEdgesAfterWeld(mesh: Mesh, res: [number, number, number]): number {
  const xyz = [res[2], res[1], res[0]];
  const key = new Map<string, number>();
  const id = new Uint32Array(mesh.positions.length / 3);
  for (let v = 0; v < id.length; v++) {
    const k = [0, 1, 2].map((a) => Math.round((mesh.positions[v * 3 + a] / xyz[a]) * 2)).join(",");
    // only near-lattice points are welded; interior simplified vertices keep their own id
    const near = [0, 1, 2].every(
      (a) =>
        Math.abs(
          (mesh.positions[v * 3 + a] / xyz[a]) * 2 - Math.round((mesh.positions[v * 3 + a] / xyz[a]) * 2),
        ) < 1e-3,
    );
    const kk = near ? k : `v${v}`;
    if (!key.has(kk)) key.set(kk, key.size);
    id[v] = key.get(kk) as number;
  }
  const welded: Mesh = { positions: new Float32Array(key.size * 3), indices: mesh.indices.map((v) => id[v]) };
  return meshTopology(welded).boundaryEdges;
}

describe("multi-resolution meshes", () => {
  const [id, mesh] = [...meshes].sort((a, b) => b[1].indices.length - a[1].indices.length)[0];

  it("splits lods on the 2×2×2 grid and mixes lods without cracks", async () => {
    const { manifest, fragments } = await encodeMultiresMesh(mesh, {
      resolutionNm: RES,
      numLods: 3,
      maxErrorNm: 8,
    });
    const m = decodeManifest(manifest);
    expect(m.lods.length).toBe(3);
    expect(m.lods[2].positions).toEqual([[0, 0, 0]]);
    const total = m.lods.flatMap((l) => l.sizes).reduce((s, n) => s + n, 0);
    expect(total).toBe(fragments.length);
    const lods = await Promise.all([0, 1, 2].map((l) => decodeMultiresLod(m, fragments, l, 16)));
    expect(lods[0].indices.length).toBeLessThan(mesh.indices.length);
    expect(lods[1].indices.length).toBeLessThan(lods[0].indices.length);
    expect(lods[2].indices.length).toBeLessThan(lods[0].indices.length / 2);
    // no triangle of lod L crosses a plane of the lod L-1 grid
    for (let L = 1; L < 3; L++) {
      const cell = m.chunkShape.map((c) => c * 2 ** (L - 1));
      const p = lods[L].positions;
      const t = lods[L].indices;
      for (let i = 0; i < t.length; i += 3) {
        for (let a = 0; a < 3; a++) {
          const cs = [t[i], t[i + 1], t[i + 2]].map((v) => (p[v * 3 + a] - m.gridOrigin[a]) / cell[a]);
          const lo = Math.min(...cs);
          const hi = Math.max(...cs);
          expect(Math.floor(lo + 1e-4)).toBeGreaterThanOrEqual(Math.ceil(hi - 1e-4) - 1);
        }
      }
      // every lod alone welds into a closed surface
      expect(openEdgesAfterWeld(lods[L], RES)).toBe(0);
    }
    // Neuroglancer may draw some lod-1 cells at lod 0: take lod 0 in cells of odd x, lod 1 elsewhere
    const pick = (src: Mesh, odd: boolean): number[] => {
      const out: number[] = [];
      for (let i = 0; i < src.indices.length; i += 3) {
        const cx = [0, 1, 2].reduce((s, k) => s + src.positions[src.indices[i + k] * 3], 0) / 3;
        const cell = Math.floor((cx - m.gridOrigin[0]) / m.chunkShape[0]);
        if ((cell % 2 === 1) === odd) out.push(i);
      }
      return out;
    };
    const a = pick(lods[0], true);
    const b = pick(lods[1], false);
    const n0 = lods[0].positions.length / 3;
    const mixed: Mesh = {
      positions: Float32Array.from([...lods[0].positions, ...lods[1].positions]),
      indices: Uint32Array.from([
        ...a.flatMap((i) => [...lods[0].indices.subarray(i, i + 3)]),
        ...b.flatMap((i) => [...lods[1].indices.subarray(i, i + 3)].map((v) => v + n0)),
      ]),
    };
    expect(a.length).toBeGreaterThan(0);
    expect(b.length).toBeGreaterThan(0);
    expect(openEdgesAfterWeld(mixed, RES)).toBe(0);
    expect(id).toBeGreaterThan(0);
  });

  it("writes and reads unsharded, sharded (murmurhash) and legacy folders", async () => {
    const tmp = tempDir();
    onTestFinished(() => tmp.cleanup());
    const some = new Map([...meshes].slice(0, 5));
    const spec: ShardingSpec = {
      "@type": "neuroglancer_uint64_sharded_v1",
      preshift_bits: 0,
      hash: "murmurhash3_x86_128",
      minishard_bits: 1,
      shard_bits: 1,
      minishard_index_encoding: "gzip",
      data_encoding: "gzip",
    };
    for (const [sub, opts] of [
      ["multi", { resolutionNm: RES }],
      ["sharded", { resolutionNm: RES, sharding: spec }],
      ["legacy", { resolutionNm: RES, format: "legacy" as const }],
    ] as const) {
      const dir = join(tmp.path, sub);
      const summary = await writePrecomputedMeshes(dir, some, opts);
      expect(summary.segments).toBe(5);
      for (const [sid, m] of some) {
        const back = await readPrecomputedMesh(dir, sid);
        expect(back.indices.length).toBe(m.indices.length);
        if (sub === "legacy") expect([...back.positions]).toEqual([...m.positions]);
      }
      const props = JSON.parse(await readFile(join(dir, "segment_properties", "info"), "utf8"));
      expect(props.inline.ids).toEqual([...some.keys()].map(String));
      const info = JSON.parse(await readFile(join(dir, "info"), "utf8"));
      if (sub === "sharded") {
        expect(info.sharding.hash).toBe("murmurhash3_x86_128");
        expect((await readdir(dir)).filter((f) => f.endsWith(".shard")).length).toBeGreaterThan(0);
      }
      if (sub === "legacy")
        expect(
          JSON.parse(await readFile(join(dir, `${[...some.keys()][0]}:0`), "utf8")).fragments.length,
        ).toBe(1);
    }
    await expect(
      writePrecomputedMeshes(join(tmp.path, "none"), new Map(), { resolutionNm: RES }),
    ).rejects.toThrow(MeshWriteError);
  });
});

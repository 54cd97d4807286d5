/**
 * Halo catalogs of a blockwise FOF run without rereading the particles: each block task computes
 * the catalog rows and member tags of its closed halos (all members owned by the block) and keeps
 * the particles of its open groups; the merge computes only the halos that cross blocks, from those
 * particles, and orders everything as the whole-box `fof` does (halos by first member row, tags by
 * tag then id). Memory of the merge: the halos' member ids plus the open groups' particles, never
 * the whole particle set.
 */
import type { FofBlockMerge, FofBlockResult } from "../fof/blockwise.js";
import type { FofHalos } from "../fof/fof.js";
import { type HaloPropertiesColumns, haloProperties } from "../properties/properties.js";
import type { HaloTags } from "./common.js";
import { concatColumns } from "./halo-catalog.js";

type Floats = Float32Array | Float64Array;

/** The particles a block task read: its region, in file-row order, with rows and velocities. */
export interface BlockRegionParticles {
  positions: { x: Floats; y: Floats; z: Floats };
  /** Zeros when the file has no velocity columns. */
  velocities: { x: Floats; y: Floats; z: Floats };
  /** Particle id (the id column, else the row). */
  ids: Float64Array;
  /** Row of each particle in the particle file. */
  rows: Float64Array;
}

/** Owned particles of a block's open groups: what the merge needs to compute crossing halos. */
export interface OpenGroupParticles {
  /** Open group (index into the block result's `open` table). */
  group: Int32Array;
  row: Float64Array;
  id: Float64Array;
  x: Float64Array;
  y: Float64Array;
  z: Float64Array;
  vx: Float64Array;
  vy: Float64Array;
  vz: Float64Array;
}

/** What a block task keeps for the catalog. */
export interface BlockHalos {
  /** Catalog rows of the closed halos (whole-box `fof` columns), in first-row order. */
  catalog: HaloPropertiesColumns;
  /** Row of each closed halo's first member. */
  firstRow: Float64Array;
  /** Member ids of the closed halos, halo after halo (catalog order), ascending within a halo. */
  memberIds: Float64Array;
  open: OpenGroupParticles;
}

/** How halo properties are computed (the plan's values). */
export interface HaloCatalogOptions {
  boxSize: number;
  particleMass: number;
  softening: number;
  minMembers: number;
}

/** Halos of `members` (particle indices of one set, keyed by `key`): halos by first member, members ascending. */
function halosOfKeys(members: Int32Array, key: Float64Array): FofHalos {
  // `members` ascending: the first occurrence of a key is the halo's first member
  const haloOf = new Map<number, number>();
  const size: number[] = [];
  const haloIndex = new Int32Array(members.length);
  for (let k = 0; k < members.length; k++) {
    const g = key[k];
    let h = haloOf.get(g);
    if (h === undefined) {
      h = size.length;
      haloOf.set(g, h);
      size.push(0);
    }
    haloIndex[k] = h;
    size[h]++;
  }
  const H = size.length;
  const offsets = new Int32Array(H + 1);
  for (let h = 0; h < H; h++) offsets[h + 1] = offsets[h] + size[h];
  const out = new Int32Array(members.length);
  const minId = new Float64Array(H);
  const fill = offsets.slice(0, H);
  for (let k = 0; k < members.length; k++) {
    const h = haloIndex[k];
    if (fill[h] === offsets[h]) minId[h] = members[k];
    out[fill[h]++] = members[k];
  }
  return { count: H, size: Int32Array.from(size), minId, offsets, members: out };
}

/** Member ids of each halo, ascending within a halo. */
function sortedMemberIds(halos: FofHalos, ids: Float64Array): Float64Array {
  const out = Float64Array.from(halos.members, (i) => ids[i]);
  for (let h = 0; h < halos.count; h++) out.subarray(halos.offsets[h], halos.offsets[h + 1]).sort();
  return out;
}

/**
 * The closed halos' catalog rows and tags, and the open groups' particles, of one block.
 * `result` must have been run with `keepMemberships`.
 */
export function blockHalos(
  region: BlockRegionParticles,
  result: FofBlockResult,
  options: HaloCatalogOptions,
): BlockHalos {
  const mem = result.memberships;
  if (mem === undefined) throw new Error("blockHalos needs the block's memberships");
  // closed halo members (region indices, ascending) and their halo key; open group members
  let closed = 0;
  let open = 0;
  for (let p = 0; p < mem.ids.length; p++) {
    if (mem.open[p] >= 0) open++;
    else if (mem.size[p] >= options.minMembers) closed++;
  }
  const order = Int32Array.from(mem.index).sort();
  const byIndex = new Int32Array(region.ids.length).fill(-1);
  for (let p = 0; p < mem.index.length; p++) byIndex[mem.index[p]] = p;
  const members = new Int32Array(closed);
  const key = new Float64Array(closed);
  const o: OpenGroupParticles = {
    group: new Int32Array(open),
    row: new Float64Array(open),
    id: new Float64Array(open),
    x: new Float64Array(open),
    y: new Float64Array(open),
    z: new Float64Array(open),
    vx: new Float64Array(open),
    vy: new Float64Array(open),
    vz: new Float64Array(open),
  };
  closed = 0;
  open = 0;
  const { positions: r, velocities: v } = region;
  for (const i of order) {
    const p = byIndex[i];
    if (mem.open[p] >= 0) {
      o.group[open] = mem.open[p];
      o.row[open] = region.rows[i];
      o.id[open] = region.ids[i];
      o.x[open] = r.x[i];
      o.y[open] = r.y[i];
      o.z[open] = r.z[i];
      o.vx[open] = v.x[i];
      o.vy[open] = v.y[i];
      o.vz[open++] = v.z[i];
    } else if (mem.size[p] >= options.minMembers) {
      members[closed] = i;
      key[closed++] = mem.minId[p];
    }
  }
  const halos = halosOfKeys(members, key);
  const catalog = haloProperties(r, v, { halos }, { ...options, ids: region.ids, indices: region.rows });
  const firstRow = Float64Array.from(halos.minId, (i) => region.rows[i]);
  return { catalog, firstRow, memberIds: sortedMemberIds(halos, region.ids), open: o };
}

/** The halos that cross blocks: gathered from the blocks' open-group particles, in file-row order. */
function crossingHalos(
  parts: readonly BlockHalos[],
  merge: FofBlockMerge,
  options: HaloCatalogOptions,
): { catalog: HaloPropertiesColumns; firstRow: Float64Array; memberIds: Float64Array } {
  let n = 0;
  for (let b = 0; b < parts.length; b++) {
    const t = merge.open[b];
    for (const g of parts[b].open.group) if (t.size[g] >= options.minMembers) n++;
  }
  const row = new Float64Array(n);
  const source = new Int32Array(n); // block
  const at = new Int32Array(n); // index in the block's open particles
  n = 0;
  for (let b = 0; b < parts.length; b++) {
    const { group, row: rows } = parts[b].open;
    const t = merge.open[b];
    for (let q = 0; q < group.length; q++) {
      if (t.size[group[q]] < options.minMembers) continue;
      row[n] = rows[q];
      source[n] = b;
      at[n++] = q;
    }
  }
  const order = Int32Array.from({ length: n }, (_, k) => k).sort((a, c) => row[a] - row[c]);
  const f = () => new Float64Array(n);
  const positions = { x: f(), y: f(), z: f() };
  const velocities = { x: f(), y: f(), z: f() };
  const ids = f();
  const rows = f();
  const key = f();
  for (let k = 0; k < n; k++) {
    const s = order[k];
    const part = parts[source[s]].open;
    const q = at[s];
    positions.x[k] = part.x[q];
    positions.y[k] = part.y[q];
    positions.z[k] = part.z[q];
    velocities.x[k] = part.vx[q];
    velocities.y[k] = part.vy[q];
    velocities.z[k] = part.vz[q];
    ids[k] = part.id[q];
    rows[k] = row[s];
    key[k] = merge.open[source[s]].minId[part.group[q]];
  }
  const halos = halosOfKeys(
    Int32Array.from({ length: n }, (_, k) => k),
    key,
  );
  const catalog = haloProperties(positions, velocities, { halos }, { ...options, ids, indices: rows });
  const firstRow = Float64Array.from(halos.minId, (i) => rows[i]);
  return { catalog, firstRow, memberIds: sortedMemberIds(halos, ids) };
}

/**
 * The whole catalog and tags of a blockwise run, from every block's {@link blockHalos} (by block
 * index) and the merge: the same rows, in the same order, as the whole-box `fof`.
 */
export function mergeBlockHalos(
  parts: readonly BlockHalos[],
  merge: FofBlockMerge,
  options: HaloCatalogOptions,
): { catalog: HaloPropertiesColumns; tags: HaloTags } {
  const all = [...parts, crossingHalos(parts, merge, options)];
  const H = all.reduce((s, p) => s + p.firstRow.length, 0);
  // catalog: every part's rows, ordered by first member row
  const joined = concatColumns(all.map((p) => p.catalog as never)) as unknown as HaloPropertiesColumns;
  const firstRow = new Float64Array(H);
  let h0 = 0;
  for (const p of all) {
    firstRow.set(p.firstRow, h0);
    h0 += p.firstRow.length;
  }
  const byRow = Int32Array.from({ length: H }, (_, h) => h).sort((a, b) => firstRow[a] - firstRow[b]);
  const catalog = {} as Record<string, unknown>;
  for (const [name, column] of Object.entries(joined)) {
    const Ctor = column.constructor as new (n: number) => typeof column;
    const out = new Ctor(H);
    for (let h = 0; h < H; h++) (out as Float64Array)[h] = (column as Float64Array)[byRow[h]];
    catalog[name] = out;
  }
  // tags: halos by tag, members by id
  const start = new Float64Array(H); // offset of each halo's ids in its part
  const partOf = new Int32Array(H);
  h0 = 0;
  for (let k = 0; k < all.length; k++) {
    const counts = all[k].catalog.fof_halo_count;
    let off = 0;
    for (let h = 0; h < counts.length; h++) {
      start[h0 + h] = off;
      partOf[h0 + h] = k;
      off += counts[h];
    }
    h0 += counts.length;
  }
  const tagOf = joined.fof_halo_tag;
  const byTag = Int32Array.from({ length: H }, (_, h) => h).sort((a, b) =>
    tagOf[a] < tagOf[b] ? -1 : tagOf[a] > tagOf[b] ? 1 : 0,
  );
  const total = joined.fof_halo_count.reduce((s, c) => s + c, 0);
  const tags: HaloTags = { id: new BigInt64Array(total), fof_halo_tag: new BigInt64Array(total) };
  let k = 0;
  for (const h of byTag) {
    const ids = all[partOf[h]].memberIds;
    const c = joined.fof_halo_count[h];
    const tag = tagOf[h];
    for (let j = start[h]; j < start[h] + c; j++) {
      tags.id[k] = BigInt(ids[j]);
      tags.fof_halo_tag[k++] = tag;
    }
  }
  return { catalog: catalog as unknown as HaloPropertiesColumns, tags };
}

import { FofMergeError, FofOptionError } from "./errors.js";
import { type LinkRegion, linkParticles, regionCoordinate } from "./link.js";
import { type FofLinkingOptions, resolveLinking } from "./options.js";
import { coordinateViews, type ParticlePositions } from "./positions.js";
import { findRoot, newForest, unionRoots } from "./union-find.js";
import { FofWorkspace } from "./workspace.js";

/** Options of {@link planFofBlocks}. */
export interface FofBlockOptions extends FofLinkingOptions {
  /** Blocks per axis: one number for all three axes, or `[nx, ny, nz]`. */
  blocks: number | readonly [number, number, number];
  /** Total particle count N, needed when the linking length comes from `linkingParameter`. */
  particleCount?: number;
  /** Overload (ghost) margin around each block, ≥ the linking length. Default 1.05 · ℓ. */
  overload?: number;
}

/** One block task: the particles it owns and the region its reader must return. */
export interface FofBlockSpec {
  /** Block index, `(ix · ny + iy) · nz + iz`. */
  index: number;
  /** Block coordinates `[ix, iy, iz]`. */
  coords: [number, number, number];
  /** Owned box `[lo, hi)` per axis: a particle is owned by the block `floor(x · n / L)` per axis. */
  lo: [number, number, number];
  /** Upper corner of the owned box. */
  hi: [number, number, number];
  /** Block grown by the overload margin (periodic axes: the whole axis). */
  region: LinkRegion;
}

/** The blocks of a blockwise friends-of-friends run and its resolved parameters. */
export interface FofBlockPlan {
  boxSize: number;
  linkingLength: number;
  /** Overload margin actually used (the option plus a rounding guard of 1e-9 · L). */
  overload: number;
  minMembers: number;
  /** Blocks per axis. */
  blocks: [number, number, number];
  /** One spec per block, by index. */
  specs: FofBlockSpec[];
}

/**
 * Cut the periodic box into `nx × ny × nz` blocks for blockwise friends-of-friends. Each block
 * owns the particles with `floor(x · nx / L) = ix` (per axis) and reads the particles of its block
 * grown by the overload margin (taken periodically). An axis whose grown block would reach
 * around the box (`L/n + 2·overload + ℓ ≥ L`, e.g. n = 1) is read whole and wrapped.
 *
 * @throws FofOptionError for bad blocks, overload < ℓ, or the linking options.
 */
export function planFofBlocks(options: FofBlockOptions): FofBlockPlan {
  if (options === null || typeof options !== "object") {
    throw new FofOptionError("options must be an object", { field: "options", found: String(options) });
  }
  const { boxSize: L, linkingLength: ell, minMembers } = resolveLinking(options, options.particleCount ?? 0);
  const b = options.blocks;
  const blocks: [number, number, number] = typeof b === "number" ? [b, b, b] : [b?.[0], b?.[1], b?.[2]];
  if (!blocks.every((v) => Number.isInteger(v) && v >= 1 && v <= 4096)) {
    throw new FofOptionError("blocks must be an integer ≥ 1 or three of them", {
      field: "blocks",
      expected: "an integer in [1, 4096] or [nx, ny, nz]",
      found: JSON.stringify(b),
    });
  }
  const over = options.overload ?? 1.05 * ell;
  if (typeof over !== "number" || !Number.isFinite(over) || over < ell) {
    throw new FofOptionError("the overload margin must be at least the linking length", {
      field: "overload",
      expected: `a number ≥ ${ell} (the linking length)`,
      found: String(over),
    });
  }
  const m = over + 1e-9 * L;
  const specs: FofBlockSpec[] = [];
  const [nx, ny, nz] = blocks;
  for (let ix = 0; ix < nx; ix++)
    for (let iy = 0; iy < ny; iy++)
      for (let iz = 0; iz < nz; iz++) {
        const c: [number, number, number] = [ix, iy, iz];
        const lo = c.map((k, a) => (k * L) / blocks[a]) as [number, number, number];
        const hi = c.map((k, a) => ((k + 1) * L) / blocks[a]) as [number, number, number];
        const periodic = blocks.map((n) => L / n + 2 * m + ell >= L) as [boolean, boolean, boolean];
        const origin = lo.map((v, a) => (periodic[a] ? 0 : v - m)) as [number, number, number];
        const size = lo.map((v, a) => (periodic[a] ? L : hi[a] - v + 2 * m)) as [number, number, number];
        specs.push({
          index: (ix * ny + iy) * nz + iz,
          coords: c,
          lo,
          hi,
          region: { origin, size, periodic },
        });
      }
  return { boxSize: L, linkingLength: ell, overload: m, minMembers, blocks, specs };
}

/** Block coordinate along one axis of a particle coordinate `x` (n blocks on the axis). */
function ownerAxis(x: number, n: number, L: number): number {
  if (x === L) return 0; // L is the point at 0
  const k = Math.floor((x * n) / L);
  if (k >= n) return n - 1;
  return Math.max(k, 0);
}

/** Index of the block that owns a particle at (x, y, z). */
export function fofOwnerBlock(plan: FofBlockPlan, x: number, y: number, z: number): number {
  const [nx, ny, nz] = plan.blocks;
  const L = plan.boxSize;
  return (ownerAxis(x, nx, L) * ny + ownerAxis(y, ny, L)) * nz + ownerAxis(z, nz, L);
}

/** Whether a particle at (x, y, z) belongs to the region a block's reader must return. */
export function fofRegionContains(
  plan: FofBlockPlan,
  spec: FofBlockSpec,
  x: number,
  y: number,
  z: number,
): boolean {
  const L = plan.boxSize;
  const { origin, size, periodic } = spec.region;
  if (!periodic[0] && regionCoordinate(x, origin[0], L) > size[0]) return false;
  if (!periodic[1] && regionCoordinate(y, origin[1], L) > size[1]) return false;
  return periodic[2] || regionCoordinate(z, origin[2], L) <= size[2];
}

/** Particles handed to a block task: its region's particles with their global ids. */
export interface FofBlockParticles {
  /** Positions in [0, L)³ (see {@link ParticlePositions}). */
  positions: ParticlePositions;
  /** Global particle id of each particle (integers < 2^53, unique across the box). */
  ids: Float64Array | Int32Array | Uint32Array;
}

/** Groups of a block's owned particles given as (smallest id, size) pairs. */
export interface FofGroupTable {
  /** Smallest particle id of each group. */
  minId: Float64Array;
  /** Member count of each group. */
  size: Int32Array;
}

/** Memberships of a block's owned particles (when asked with `keepMemberships`). */
export interface FofBlockMemberships {
  /** Owned particle ids. */
  ids: Float64Array;
  /** Index of each owned particle in the block's input ({@link FofBlockParticles}). */
  index: Int32Array;
  /** Closed group: the group's smallest id; open group: −1 (resolved by the merge). */
  minId: Float64Array;
  /** Closed group: its size; open group: 0. */
  size: Int32Array;
  /** Open group: its index in {@link FofBlockResult.open}; closed group: −1. */
  open: Int32Array;
}

/**
 * What a block task emits. Local groups are the connected components among the block's region
 * particles; only those with owned members count. A group is *closed* when no member is a ghost
 * and no owned member lies within the overload margin of a face (it is final); otherwise it is
 * *open* and the merge unions it with the open groups of other blocks through the records.
 */
export interface FofBlockResult {
  block: number;
  /** Particles read (owned + ghosts). */
  particleCount: number;
  /** Owned particles. */
  ownedCount: number;
  /** Closed groups with ≥ minMembers members (final halos). */
  closed: FofGroupTable;
  /** Open groups: owned part only (smallest owned id, owned count). */
  open: FofGroupTable;
  /** Ghost particles in open groups: their ids and the open group (index into `open`). */
  ghostIds: Float64Array;
  ghostOpen: Int32Array;
  /** Owned particles near the faces (ghosts of other blocks): ids and open group. */
  boundaryIds: Float64Array;
  boundaryOpen: Int32Array;
  /** Memberships of the owned particles, when `keepMemberships` was set. */
  memberships?: FofBlockMemberships;
}

/**
 * Run friends-of-friends on one block: link the region's particles (owned + overload ghosts),
 * then classify local groups into closed halos and open groups with cross-block records.
 * Memory is bounded by the block's particles.
 *
 * @throws FofOptionError when ids and positions disagree; ParticleOutsideBoxError /
 *   NonFinitePositionError (with `block`) for particles outside the box or the block's region.
 */
export function runFofBlock(
  plan: FofBlockPlan,
  block: number,
  particles: FofBlockParticles,
  options: { keepMemberships?: boolean; workspace?: FofWorkspace } = {},
): FofBlockResult {
  const spec = plan.specs[block];
  if (spec === undefined) {
    throw new FofOptionError("no such block", {
      field: "block",
      expected: `an index in [0, ${plan.specs.length})`,
      found: String(block),
    });
  }
  const { n, views } = coordinateViews(particles.positions);
  const ids = particles.ids;
  if (
    !(ids instanceof Float64Array || ids instanceof Int32Array || ids instanceof Uint32Array) ||
    ids.length !== n
  ) {
    throw new FofOptionError("ids must be a typed array with one id per particle", {
      block,
      field: "ids",
      expected: `${n} ids (Float64Array | Int32Array | Uint32Array)`,
      found: ids === undefined ? "undefined" : `${ids.length} ids`,
    });
  }
  const L = plan.boxSize;
  const linked = linkParticles(particles.positions, L, plan.linkingLength, spec.region, {
    block,
    workspace: options.workspace,
  });
  const { order, root } = linked;
  const m = plan.overload;
  const tol = 1e-9 * L;
  // axes read whole although cut into several blocks (huge overload): every owned particle is a ghost elsewhere
  const nearFace = [0, 1, 2].map((a) => plan.blocks[a] > 1 && spec.region.periodic[a]);

  /** Whether an owned particle's coordinate v on `axis` is within the margin of a block face there. */
  const nearAFace = (axis: number, v: number): boolean => {
    if (plan.blocks[axis] === 1) return false;
    if (nearFace[axis]) return true; // the axis is read whole by every block on it
    const u = regionCoordinate(v, spec.region.origin[axis], L); // owned: u ≈ m … size − m
    return u <= 2 * m + tol || u >= spec.region.size[axis] - 2 * m - tol;
  };
  // per slot: 1 owned, 2 owned near a face, 0 ghost
  const kind = new Uint8Array(n);
  const [vx, vy, vz] = views;
  const ownedSlot = (i: number): number => {
    const x = vx.array[vx.offset + vx.stride * i];
    const y = vy.array[vy.offset + vy.stride * i];
    const z = vz.array[vz.offset + vz.stride * i];
    if (fofOwnerBlock(plan, x, y, z) !== block) return 0;
    return nearAFace(0, x) || nearAFace(1, y) || nearAFace(2, z) ? 2 : 1;
  };
  // per root: owned count, smallest owned id, flags (1 has ghost, 2 has near-face owned)
  const count = new Int32Array(n);
  const minId = new Float64Array(n).fill(Number.POSITIVE_INFINITY);
  const flags = new Uint8Array(n);
  let ownedCount = 0;
  for (let k = 0; k < n; k++) {
    const i = order[k];
    const r = root[k];
    const t = ownedSlot(i);
    kind[k] = t;
    if (t === 0) {
      flags[r] |= 1;
      continue;
    }
    ownedCount++;
    count[r]++;
    const id = ids[i];
    if (id < minId[r]) minId[r] = id;
    if (t === 2) flags[r] |= 2;
  }
  // number the open groups and the closed halos
  const openOf = new Int32Array(n).fill(-1);
  let nOpen = 0;
  let nClosed = 0;
  for (let k = 0; k < n; k++) {
    if (root[k] !== k || count[k] === 0) continue;
    if (flags[k] !== 0) openOf[k] = nOpen++;
    else if (count[k] >= plan.minMembers) nClosed++;
  }
  const open: FofGroupTable = { minId: new Float64Array(nOpen), size: new Int32Array(nOpen) };
  const closed: FofGroupTable = { minId: new Float64Array(nClosed), size: new Int32Array(nClosed) };
  let c = 0;
  for (let k = 0; k < n; k++) {
    if (root[k] !== k || count[k] === 0) continue;
    const o = openOf[k];
    if (o >= 0) {
      open.minId[o] = minId[k];
      open.size[o] = count[k];
    } else if (count[k] >= plan.minMembers) {
      closed.minId[c] = minId[k];
      closed.size[c++] = count[k];
    }
  }
  // records
  let nGhost = 0;
  let nBoundary = 0;
  for (let k = 0; k < n; k++) {
    if (openOf[root[k]] < 0) continue;
    if (kind[k] === 0) nGhost++;
    else if (kind[k] === 2) nBoundary++;
  }
  const ghostIds = new Float64Array(nGhost);
  const ghostOpen = new Int32Array(nGhost);
  const boundaryIds = new Float64Array(nBoundary);
  const boundaryOpen = new Int32Array(nBoundary);
  nGhost = 0;
  nBoundary = 0;
  for (let k = 0; k < n; k++) {
    const o = openOf[root[k]];
    if (o < 0) continue;
    if (kind[k] === 0) {
      ghostIds[nGhost] = ids[order[k]];
      ghostOpen[nGhost++] = o;
    } else if (kind[k] === 2) {
      boundaryIds[nBoundary] = ids[order[k]];
      boundaryOpen[nBoundary++] = o;
    }
  }
  const result: FofBlockResult = {
    block,
    particleCount: n,
    ownedCount,
    closed,
    open,
    ghostIds,
    ghostOpen,
    boundaryIds,
    boundaryOpen,
  };
  if (options.keepMemberships) {
    const mem: FofBlockMemberships = {
      ids: new Float64Array(ownedCount),
      index: new Int32Array(ownedCount),
      minId: new Float64Array(ownedCount),
      size: new Int32Array(ownedCount),
      open: new Int32Array(ownedCount),
    };
    let p = 0;
    for (let k = 0; k < n; k++) {
      if (kind[k] === 0) continue;
      const r = root[k];
      mem.ids[p] = ids[order[k]];
      mem.index[p] = order[k];
      const o = openOf[r];
      mem.open[p] = o;
      mem.minId[p] = o >= 0 ? -1 : minId[r];
      mem.size[p] = o >= 0 ? 0 : count[r];
      p++;
    }
    result.memberships = mem;
  }
  return result;
}

/** Output of {@link mergeFofBlocks}. */
export interface FofBlockMerge {
  /** Per block (by index): the merged group (smallest id, size) of each of its open groups. */
  open: FofGroupTable[];
  /** All halos (groups with ≥ minMembers members), ordered by smallest particle id. */
  halos: FofGroupTable & { count: number };
}

/**
 * Merge the results of every block of a plan: a union-find over the open groups, joined through
 * each ghost record and the owner block's boundary record of the same particle id. The groups are
 * exactly those of a monolithic run (every friendship has an owned endpoint in some block, which
 * sees both ends).
 *
 * @throws FofMergeError when a block is missing or repeated, or a ghost has no owner record.
 */
export function mergeFofBlocks(plan: FofBlockPlan, results: readonly FofBlockResult[]): FofBlockMerge {
  const nb = plan.specs.length;
  const byBlock: FofBlockResult[] = new Array(nb);
  for (const r of results) {
    if (!(r.block >= 0 && r.block < nb) || byBlock[r.block] !== undefined) {
      throw new FofMergeError("a block result is out of range or given twice", {
        block: r.block,
        field: "results",
        expected: `one result for each block 0..${nb - 1}`,
      });
    }
    byBlock[r.block] = r;
  }
  const offset = new Int32Array(nb + 1);
  for (let b = 0; b < nb; b++) {
    const r = byBlock[b];
    if (r === undefined) {
      throw new FofMergeError("a block result is missing", {
        block: b,
        field: "results",
        expected: `one result for each block 0..${nb - 1}`,
        found: `${results.length} results`,
      });
    }
    offset[b + 1] = offset[b] + r.open.size.length;
  }
  const M = offset[nb];
  const parent = newForest(M);
  const owner = new Map<number, number>();
  for (let b = 0; b < nb; b++) {
    const r = byBlock[b];
    for (let q = 0; q < r.boundaryIds.length; q++) owner.set(r.boundaryIds[q], offset[b] + r.boundaryOpen[q]);
  }
  for (let b = 0; b < nb; b++) {
    const r = byBlock[b];
    for (let q = 0; q < r.ghostIds.length; q++) {
      const other = owner.get(r.ghostIds[q]);
      if (other === undefined) {
        throw new FofMergeError("a ghost particle has no boundary record in its owner block", {
          block: b,
          field: `ghostIds[${q}]`,
          expected: "the owner block to list the particle among its boundary particles",
          found: `particle id ${r.ghostIds[q]}`,
        });
      }
      const ra = findRoot(parent, offset[b] + r.ghostOpen[q]);
      const rb = findRoot(parent, other);
      if (ra !== rb) unionRoots(parent, ra, rb);
    }
  }
  const totalMin = new Float64Array(M).fill(Number.POSITIVE_INFINITY);
  const totalSize = new Int32Array(M);
  for (let b = 0; b < nb; b++) {
    const o = byBlock[b].open;
    for (let q = 0; q < o.size.length; q++) {
      const rt = findRoot(parent, offset[b] + q);
      totalSize[rt] += o.size[q];
      if (o.minId[q] < totalMin[rt]) totalMin[rt] = o.minId[q];
    }
  }
  const open: FofGroupTable[] = [];
  for (let b = 0; b < nb; b++) {
    const o = byBlock[b].open;
    const t: FofGroupTable = { minId: new Float64Array(o.size.length), size: new Int32Array(o.size.length) };
    for (let q = 0; q < o.size.length; q++) {
      const rt = findRoot(parent, offset[b] + q);
      t.minId[q] = totalMin[rt];
      t.size[q] = totalSize[rt];
    }
    open.push(t);
  }
  const hMin: number[] = [];
  const hSize: number[] = [];
  for (let b = 0; b < nb; b++) {
    const c = byBlock[b].closed;
    for (let q = 0; q < c.size.length; q++) {
      hMin.push(c.minId[q]);
      hSize.push(c.size[q]);
    }
  }
  for (let v = 0; v < M; v++) {
    if (parent[v] < 0 && totalSize[v] >= plan.minMembers) {
      hMin.push(totalMin[v]);
      hSize.push(totalSize[v]);
    }
  }
  const idx = hMin.map((_, i) => i).sort((a, b) => hMin[a] - hMin[b]);
  return {
    open,
    halos: {
      count: idx.length,
      minId: Float64Array.from(idx, (i) => hMin[i]),
      size: Int32Array.from(idx, (i) => hSize[i]),
    },
  };
}

/**
 * Final group of each owned particle of a block (kept with `keepMemberships`): the group's
 * smallest particle id (a canonical label) and its size.
 */
export function resolveFofBlock(
  result: FofBlockResult,
  merge: FofBlockMerge,
): { ids: Float64Array; groupMinId: Float64Array; groupSize: Int32Array } {
  const mem = result.memberships;
  if (mem === undefined) {
    throw new FofMergeError("the block was run without keepMemberships", {
      block: result.block,
      field: "memberships",
      expected: "runFofBlock(..., { keepMemberships: true })",
    });
  }
  const t = merge.open[result.block];
  const groupMinId = new Float64Array(mem.ids.length);
  const groupSize = new Int32Array(mem.ids.length);
  for (let p = 0; p < mem.ids.length; p++) {
    const o = mem.open[p];
    groupMinId[p] = o >= 0 ? t.minId[o] : mem.minId[p];
    groupSize[p] = o >= 0 ? t.size[o] : mem.size[p];
  }
  return { ids: mem.ids, groupMinId, groupSize };
}

/** Output of {@link blockwiseFriendsOfFriends}. */
export interface BlockwiseFofResult {
  plan: FofBlockPlan;
  /** Halos ordered by smallest particle id. */
  halos: FofGroupTable & { count: number };
  /** Per block: particles read and owned, records emitted. */
  blocks: { block: number; particleCount: number; ownedCount: number; records: number }[];
  /** With `keepMemberships`: every particle's id, its group's smallest id and size (block order). */
  memberships?: { ids: Float64Array; groupMinId: Float64Array; groupSize: Int32Array };
}

/**
 * Friends-of-friends block by block: `read(spec)` is called once per block and returns the
 * particles of `spec.region` (owned + overload, with global ids; see {@link fofRegionContains}),
 * so memory is bounded by one block plus the open groups' records. Gives exactly the groups of
 * {@link friendsOfFriends} on the whole box.
 *
 * @example
 * ```ts
 * const res = await blockwiseFriendsOfFriends({ boxSize: 100, particleCount: n, blocks: 4 }, (spec) => readRegion(spec));
 * ```
 */
export async function blockwiseFriendsOfFriends(
  options: FofBlockOptions & { keepMemberships?: boolean },
  read: (spec: FofBlockSpec) => FofBlockParticles | Promise<FofBlockParticles>,
): Promise<BlockwiseFofResult> {
  const plan = planFofBlocks(options);
  const results: FofBlockResult[] = [];
  const workspace = new FofWorkspace(); // one set of working buffers for all blocks
  for (const spec of plan.specs) {
    const particles = await read(spec);
    results.push(
      runFofBlock(plan, spec.index, particles, { keepMemberships: options.keepMemberships, workspace }),
    );
  }
  const merge = mergeFofBlocks(plan, results);
  const out: BlockwiseFofResult = {
    plan,
    halos: merge.halos,
    blocks: results.map((r) => ({
      block: r.block,
      particleCount: r.particleCount,
      ownedCount: r.ownedCount,
      records: r.ghostIds.length + r.boundaryIds.length,
    })),
  };
  if (options.keepMemberships) {
    const total = results.reduce((s, r) => s + r.ownedCount, 0);
    const ids = new Float64Array(total);
    const groupMinId = new Float64Array(total);
    const groupSize = new Int32Array(total);
    let p = 0;
    for (const r of results) {
      const res = resolveFofBlock(r, merge);
      ids.set(res.ids, p);
      groupMinId.set(res.groupMinId, p);
      groupSize.set(res.groupSize, p);
      p += res.ids.length;
    }
    out.memberships = { ids, groupMinId, groupSize };
  }
  return out;
}

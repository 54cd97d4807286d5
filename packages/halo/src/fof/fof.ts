import { linkParticles } from "./link.js";
import { type FofLinkingOptions, resolveLinking } from "./options.js";
import { coordinateViews, type ParticlePositions } from "./positions.js";
import type { FofWorkspace } from "./workspace.js";

/** Options of {@link friendsOfFriends}. */
export interface FofOptions extends FofLinkingOptions {
  /** Reusable working memory for repeated calls (see {@link FofWorkspace}). Default: fresh buffers. */
  workspace?: FofWorkspace;
}

/** Halos (groups with ≥ minMembers members), numbered 0..H−1 in the order of their first particle. */
export interface FofHalos {
  /** H. */
  count: number;
  /** Member count of each halo. */
  size: Int32Array;
  /** Smallest particle index (or id) of each halo: a label that does not depend on how the box was cut. */
  minId: Float64Array;
  /** Members of halo h: `members[offsets[h] .. offsets[h + 1])`, ascending particle indices. */
  offsets: Int32Array;
  /** Particle indices, grouped by halo. */
  members: Int32Array;
}

/** Output of {@link friendsOfFriends}: the full partition of the particles and the halos. */
export interface FofResult {
  /** The linking length used (box units). */
  linkingLength: number;
  /** Number of groups G (singletons included). */
  groupCount: number;
  /**
   * Group of each particle, 0..G−1, numbered in the order of each group's first (smallest-index)
   * particle: particle 0 is in group 0, and the labelling is canonical (two runs that find the same
   * partition give the same array).
   */
  groupId: Int32Array;
  /** Member count of each group. */
  groupSize: Int32Array;
  /** Halo of each particle (−1 when its group has fewer than minMembers members). */
  haloId: Int32Array;
  /** The halos. */
  halos: FofHalos;
}

/**
 * Friends-of-friends groups of particles in a periodic box: two particles are friends when their
 * minimum-image distance is ≤ ℓ, and groups are the connected components of friendship.
 * ℓ = `linkingLength`, or b·L/N^(1/3) with b = `linkingParameter` (default 0.168).
 *
 * @example
 * ```ts
 * const { positions } = plantedHalos({ seed: 1 });
 * const fof = friendsOfFriends(positions, { boxSize: 100, linkingLength: 1.2, minMembers: 20 });
 * console.log(fof.halos.count, fof.halos.size);
 * ```
 * @throws FofOptionError for a linking length ≤ 0 (or ≥ L/2), a box size ≤ 0, a bad minMembers;
 *   NonFinitePositionError / ParticleOutsideBoxError naming the particle and coordinate.
 */
export function friendsOfFriends(positions: ParticlePositions, options: FofOptions): FofResult {
  const { n } = coordinateViews(positions);
  const { boxSize: L, linkingLength, minMembers } = resolveLinking(options, n);
  const linked = linkParticles(
    positions,
    L,
    linkingLength,
    {
      origin: [0, 0, 0],
      size: [L, L, L],
      periodic: [true, true, true],
    },
    { workspace: options.workspace },
  );
  return labelGroups(linked.order, linked.root, linked.scratch, linked.groupCount, minMembers, linkingLength);
}

/** Canonical labels from the slot roots of {@link linkParticles}. */
function labelGroups(
  order: Int32Array,
  root: Int32Array,
  scratch: Int32Array,
  groupCount: number,
  minMembers: number,
  linkingLength: number,
): FofResult {
  const n = order.length;
  // smallest particle index of each group, at its root slot (slot order: mostly local accesses)
  const first = scratch.fill(n);
  for (let k = 0; k < n; k++) {
    const r = root[k];
    if (order[k] < first[r]) first[r] = order[k];
  }
  const groupId = new Int32Array(n);
  for (let k = 0; k < n; k++) groupId[order[k]] = first[root[k]];
  // relabel 0..G−1 in input order: a group's first particle gets the next label, every later
  // member copies it from there (already relabelled, as it comes first)
  // (the group sizes live in the slot order's memory, free from here on)
  const groupSize = order.subarray(0, groupCount).fill(0);
  let g = 0;
  for (let i = 0; i < n; i++) {
    const m = groupId[i];
    const l = m === i ? g++ : groupId[m];
    groupId[i] = l;
    groupSize[l]++;
  }
  // (the halo of each particle goes into the roots' memory, free from here on)
  const { haloId, halos } = haloTables(groupId, groupSize, minMembers, scratch, root);
  return {
    linkingLength,
    groupCount,
    groupId,
    groupSize,
    haloId,
    halos,
  };
}

/** Halo of each particle and the halo tables (sizes, smallest index, members) from the groups. */
function haloTables(
  groupId: Int32Array,
  groupSize: Int32Array,
  minMembers: number,
  scratch: Int32Array,
  haloId: Int32Array,
): { haloId: Int32Array; halos: FofHalos } {
  const n = groupId.length;
  const groupCount = groupSize.length;
  const haloOf = scratch.subarray(0, groupCount).fill(-1);
  let h = 0;
  for (let l = 0; l < groupCount; l++) if (groupSize[l] >= minMembers) haloOf[l] = h++;
  const size = new Int32Array(h);
  const minId = new Float64Array(h).fill(-1);
  for (let i = 0; i < n; i++) {
    const hh = haloOf[groupId[i]];
    haloId[i] = hh;
    if (hh >= 0) {
      if (size[hh] === 0) minId[hh] = i;
      size[hh]++;
    }
  }
  const offsets = new Int32Array(h + 1);
  for (let k = 0; k < h; k++) offsets[k + 1] = offsets[k] + size[k];
  const members = new Int32Array(offsets[h]);
  const fill = offsets.slice(0, h);
  for (let i = 0; i < n; i++) {
    const hh = haloId[i];
    if (hh >= 0) members[fill[hh]++] = i;
  }
  return { haloId, halos: { count: h, size, minId, offsets, members } };
}

import { BlockGrid, Box, type IntegerTypedArray, type Volume } from "@tessera/volume";

/** What {@link countSurface} found: the labels that would get a mesh and the size of their surfaces. */
export interface SurfaceCount {
  /** Ids of the non-zero labels counted (only those of `labels` when given). */
  labels: Set<number>;
  /**
   * Voxel faces on the surface of a counted label, counted once per label they bound: a face between
   * two counted labels counts twice (each gets a mesh through it), a face on the volume border once.
   */
  faces: number;
}

/** Per axis z,y,x: is the block's low face on the volume border? */
type LowBorder = readonly [boolean, boolean, boolean];

/**
 * Count, in one pass over a block, the labelled voxel faces that marching cubes turns into surface.
 * `data` is the block grown by one voxel on its high faces inside the volume (`readShape`); the
 * faces of the voxels of its first `writeShape` voxels are counted (with their +z, +y, +x neighbour,
 * or the volume border where there is none; the low border where `lowBorder` says so), so blocks
 * of a grid count every face exactly once. Adds the counted label ids to `seen` and returns the faces.
 */
export function countBlockSurface(
  data: IntegerTypedArray,
  readShape: readonly [number, number, number],
  writeShape: readonly [number, number, number],
  lowBorder: LowBorder,
  seen: Set<number>,
  wanted?: ReadonlySet<number>,
): number {
  const [rz, ry, rx] = readShape;
  const [wz, wy, wx] = writeShape;
  const sy = rx;
  const sz = ry * rx;
  const zero = typeof data[0] === "bigint" ? 0n : 0;
  const counts = (v: number | bigint) => v !== zero && (wanted === undefined || wanted.has(Number(v)));
  let faces = 0;
  let last: number | bigint = zero;
  for (let z = 0; z < wz; z++) {
    for (let y = 0; y < wy; y++) {
      let i = z * sz + y * sy;
      for (let x = 0; x < wx; x++, i++) {
        const v = data[i];
        const counted = counts(v);
        if (v !== last) {
          // every label is seen at its first voxel, which follows another value (or starts the block)
          last = v;
          if (counted) seen.add(Number(v));
        }
        if (x + 1 < rx) {
          const n = data[i + 1];
          if (n !== v) faces += (counted ? 1 : 0) + (counts(n) ? 1 : 0);
        } else if (counted) faces++;
        if (y + 1 < ry) {
          const n = data[i + sy];
          if (n !== v) faces += (counted ? 1 : 0) + (counts(n) ? 1 : 0);
        } else if (counted) faces++;
        if (z + 1 < rz) {
          const n = data[i + sz];
          if (n !== v) faces += (counted ? 1 : 0) + (counts(n) ? 1 : 0);
        } else if (counted) faces++;
        if (counted) {
          if (x === 0 && lowBorder[2]) faces++;
          if (y === 0 && lowBorder[1]) faces++;
          if (z === 0 && lowBorder[0]) faces++;
        }
      }
    }
  }
  return faces;
}

/** Options of {@link countSurface}. */
export interface CountSurfaceOptions {
  /** Count only these label ids (default: every non-zero label). */
  labels?: readonly number[];
  /** Block shape z,y,x read at a time (default: the whole volume, as {@link meshVolume} reads it). */
  blockShape?: readonly [number, number, number];
}

/**
 * Count the labels of a 3-D integer volume and the voxel faces of their surfaces, block by block
 * (each block read with one voxel of overlap on its high faces), without meshing: what
 * {@link estimateMeshBytes} needs to size the output of `tessera mesh` before it starts.
 */
export async function countSurface(volume: Volume, options: CountSurfaceOptions = {}): Promise<SurfaceCount> {
  const shape = volume.shape as [number, number, number];
  const bounds = Box.fromShape(shape);
  const grid = new BlockGrid({ roi: bounds, blockShape: [...(options.blockShape ?? shape)], bounds });
  const wanted = options.labels ? new Set(options.labels) : undefined;
  const labels = new Set<number>();
  let faces = 0;
  for (let id = 0; id < grid.count; id++) {
    const write = grid.block(id).writeBox;
    const read = new Box(
      write.begin,
      write.end.map((e, k) => Math.min(e + 1, shape[k])),
    );
    const { data } = await volume.read(read);
    faces += countBlockSurface(
      data as IntegerTypedArray,
      read.shape as [number, number, number],
      write.shape as [number, number, number],
      write.begin.map((b) => b === 0) as [boolean, boolean, boolean],
      labels,
      wanted,
    );
  }
  return { labels, faces };
}

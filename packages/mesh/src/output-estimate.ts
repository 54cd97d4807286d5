import type { SurfaceCount } from "./surface-count.js";

/** Output formats of `tessera mesh`. */
export type MeshOutputFormat = "ply" | "glb" | "obj" | "precomputed" | "precomputed-legacy";

/**
 * Bytes each format writes per vertex, per triangle and per label (file header, index entry).
 * Measured on the gala ground truth, an EM phantom and the gala EM image meshed as labels:
 * PLY 12 B/vertex + 13 B/triangle + ~200 B header, GLB 24 (position + normal) + 12, legacy
 * precomputed 12 + 12, OBJ text ~20 + ~14 (more with long coordinates), Draco multi-resolution
 * 7–10 B per surface face over all levels of detail.
 */
const BYTES: Record<MeshOutputFormat, { vertex: number; triangle: number; label: number }> = {
  ply: { vertex: 12, triangle: 13, label: 280 },
  glb: { vertex: 24, triangle: 12, label: 800 },
  obj: { vertex: 24, triangle: 15, label: 100 },
  precomputed: { vertex: 4, triangle: 3, label: 150 },
  "precomputed-legacy": { vertex: 12, triangle: 12, label: 120 },
};

/** The size estimate of a mesh output: bytes, and what it was computed from. */
export interface MeshBytesEstimate {
  bytes: number;
  vertices: number;
  triangles: number;
  labels: number;
}

/**
 * Estimate the bytes `tessera mesh` writes, before simplification, from a {@link SurfaceCount}.
 * Marching cubes on the voxel-centre lattice puts one vertex on each counted face and at most about
 * two triangles per face (two on flat surfaces, fewer on small, ragged objects), so the estimate is
 * `faces × (bytes per vertex + 2 × bytes per triangle) + labels × bytes per label`: close to, and
 * rarely below, what is written without `--simplify`.
 */
export function estimateMeshBytes(count: SurfaceCount, format: MeshOutputFormat): MeshBytesEstimate {
  const per = BYTES[format];
  const vertices = count.faces;
  const triangles = 2 * count.faces;
  const labels = count.labels.size;
  return {
    bytes: vertices * per.vertex + triangles * per.triangle + labels * per.label,
    vertices,
    triangles,
    labels,
  };
}

const UNITS = ["B", "KiB", "MiB", "GiB", "TiB"];

/** `1536` → `"1.5 KiB"`, `2684354560` → `"2.5 GiB"`: a byte count for people. */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  const digits = unit === 0 || value >= 100 ? 0 : 1;
  return `${value.toFixed(digits)} ${UNITS[unit]}`;
}

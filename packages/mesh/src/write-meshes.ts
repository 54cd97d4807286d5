import { join } from "node:path";
import { writeFileAtomic } from "@tessera/volume";
import { MeshWriteError } from "./errors.js";
import { encodeGlb } from "./glb.js";
import type { Mesh } from "./mesh.js";
import { encodeObj } from "./obj.js";
import { encodePly } from "./ply.js";

/** Per-segment file formats written by {@link writeMeshFiles}. */
export type MeshFileFormat = "ply" | "glb" | "obj";

/** One entry of `meshes.json`. */
export interface MeshIndexEntry {
  id: number;
  file: string;
  vertices: number;
  triangles: number;
}

/** The `meshes.json` index the viewer reads. */
export interface MeshIndex {
  format: MeshFileFormat;
  units: "nm";
  resolutionNm: [number, number, number];
  segments: MeshIndexEntry[];
}

/**
 * Write one `<id>.<format>` file per non-empty mesh plus `meshes.json` (format, resolution and
 * per-segment file, vertex and triangle counts), which `tessera serve`'s viewer loads.
 */
export async function writeMeshFiles(
  dir: string,
  meshes: Map<number, Mesh>,
  format: MeshFileFormat,
  resolutionNm: [number, number, number],
  onSegment?: (id: number) => void,
): Promise<MeshIndex> {
  const segments: MeshIndexEntry[] = [];
  for (const [id, mesh] of meshes) {
    if (mesh.indices.length === 0) continue;
    const file = `${id}.${format}`;
    const data =
      format === "ply"
        ? encodePly(mesh)
        : format === "glb"
          ? encodeGlb([{ name: String(id), mesh }])
          : encodeObj(mesh, String(id));
    await writeFileAtomic(join(dir, file), data);
    segments.push({ id, file, vertices: mesh.positions.length / 3, triangles: mesh.indices.length / 3 });
    onSegment?.(id);
  }
  if (segments.length === 0)
    throw new MeshWriteError("no non-empty meshes to write", {
      path: dir,
      expected: "at least one labelled object",
      found: "none",
    });
  const index: MeshIndex = { format, units: "nm", resolutionNm, segments };
  await writeFileAtomic(join(dir, "meshes.json"), JSON.stringify(index, null, 1));
  return index;
}

import { join } from "node:path";
import { type Mesh, meshVolume, simplifyMeshes, triangleCount, writeMeshFiles } from "@tessera/mesh";
import type { Volume } from "@tessera/volume";

/** What the demo's meshing step wrote. */
export interface DemoMeshes {
  /** Folder holding one GLB per neuron and `meshes.json` (what `tessera serve` shows). */
  dir: string;
  segments: number;
  trianglesBefore: number;
  trianglesAfter: number;
  seconds: number;
}

function totalTriangles(meshes: Map<number, Mesh>): number {
  let total = 0;
  for (const mesh of meshes.values()) total += triangleCount(mesh);
  return total;
}

/**
 * Mesh every segment of the demo's segmentation (blockwise multi-label marching cubes), simplify at
 * `maxErrorNm`, and write GLB files with `meshes.json` into `<outDir>/meshes`.
 */
export async function meshDemo(outDir: string, segmentation: Volume, maxErrorNm = 40): Promise<DemoMeshes> {
  const started = performance.now();
  const meshes = await meshVolume(segmentation, { blockShape: [32, 128, 128] });
  const simplified = await simplifyMeshes(meshes, { maxErrorNm });
  const dir = join(outDir, "meshes");
  const resolution = (segmentation.resolution ?? [1, 1, 1]) as [number, number, number];
  const index = await writeMeshFiles(dir, simplified, "glb", resolution);
  return {
    dir,
    segments: index.segments.length,
    trianglesBefore: totalTriangles(meshes),
    trianglesAfter: totalTriangles(simplified),
    seconds: (performance.now() - started) / 1000,
  };
}

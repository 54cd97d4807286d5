import type { BufferGeometry } from "three";
import { GLTFLoader } from "three/examples/jsm/loaders/GLTFLoader.js";
import { OBJLoader } from "three/examples/jsm/loaders/OBJLoader.js";
import { PLYLoader } from "three/examples/jsm/loaders/PLYLoader.js";

/** One segment listed in a run's `meshes.json`. */
export interface SegmentEntry {
  id: number;
  file: string;
  vertices: number;
  triangles: number;
}

/** A run's `meshes.json`. */
export interface MeshIndex {
  format: "ply" | "glb" | "obj";
  units: string;
  resolutionNm: [number, number, number];
  segments: SegmentEntry[];
}

/** Fetch the run description from the server and its mesh index; `undefined` when the run has none. */
export async function fetchIndex(): Promise<{ index: MeshIndex; base: string } | undefined> {
  const run = await (await fetch("/api/run")).json();
  if (!run.meshIndex) return undefined;
  const index = (await (await fetch(run.meshIndex)).json()) as MeshIndex;
  return { index, base: run.meshIndex.slice(0, run.meshIndex.lastIndexOf("/") + 1) };
}

/** Load one segment's geometry (PLY, GLB or OBJ) from `url`. */
export async function loadGeometry(url: string, format: MeshIndex["format"]): Promise<BufferGeometry> {
  if (format === "ply") return new PLYLoader().loadAsync(url);
  if (format === "obj") {
    const group = await new OBJLoader().loadAsync(url);
    // biome-ignore lint/suspicious/noExplicitAny: OBJLoader returns a Group of Mesh children
    return (group.children[0] as any).geometry as BufferGeometry;
  }
  const gltf = await new GLTFLoader().loadAsync(url);
  let geometry: BufferGeometry | undefined;
  gltf.scene.traverse((o) => {
    // biome-ignore lint/suspicious/noExplicitAny: traverse yields Object3D; meshes carry geometry
    const g = (o as any).geometry as BufferGeometry | undefined;
    if (g && !geometry) geometry = g;
  });
  if (!geometry) throw new Error(`no mesh in ${url}`);
  return geometry;
}

import type { Mesh } from "./mesh.js";
import { type SimplifyOptions, simplifyMesh } from "./simplify.js";

/** Worker task of `simplifyMeshes`: one mesh in, the simplified mesh out (cloned back; it is small). */
export default function simplifyTask({ mesh, options }: { mesh: Mesh; options: SimplifyOptions }): Mesh {
  return simplifyMesh(mesh, options);
}

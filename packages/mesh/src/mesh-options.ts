import { MeshOptionsError } from "./errors.js";
import type { MeshOutputFormat } from "./output-estimate.js";

/** Options of the `mesh` command as parsed by commander. */
export interface MeshCliOptions {
  input: string;
  output: string;
  format: MeshOutputFormat;
  simplify?: number;
  labels?: number[];
  block?: [number, number, number];
  lods: number;
  sharded?: boolean;
  resolution?: [number, number, number];
  threads?: number;
  smooth?: number;
  maxOutput: number;
  force?: boolean;
  overwrite?: boolean;
  log?: string;
}

/**
 * Refuse option combinations that would be silently ignored, with {@link MeshOptionsError} naming
 * the option, what it needs and what was given. `given(name)` says whether the user passed the option
 * (not just its default).
 */
export function checkMeshOptions(opts: MeshCliOptions, given: (name: string) => boolean): void {
  const precomputed = opts.format === "precomputed";
  if (opts.sharded && !precomputed) {
    throw new MeshOptionsError("--sharded applies only to multi-resolution precomputed output", {
      field: "sharded",
      expected: "--format precomputed",
      found: `--format ${opts.format}`,
    });
  }
  if (given("lods") && !precomputed) {
    throw new MeshOptionsError("--lods applies only to multi-resolution precomputed output", {
      field: "lods",
      expected: "--format precomputed",
      found: `--format ${opts.format}`,
    });
  }
  if (opts.smooth !== undefined && precomputed) {
    throw new MeshOptionsError("--smooth is not applied to multi-resolution precomputed output", {
      field: "smooth",
      expected: "--format ply, glb, obj or precomputed-legacy (or no --smooth)",
      found: "--format precomputed",
    });
  }
}

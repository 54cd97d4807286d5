import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { sharedData, tempDir } from "@tessera/testkit";
import { Box, createVolume } from "@tessera/volume";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assertFreshMeshBuild, filesBytes, runMesh } from "../test/run-bin.js";

// `tessera-mesh mesh` as a user runs it: the built program in a subprocess, exit codes and output exact.

const gala = sharedData("em/gala/zarr");
const tmp = tempDir();
const cwd = tmp.path;
afterAll(() => tmp.cleanup());

const usage = (message: string) =>
  `tessera-mesh: UsageError: ${message} (see \`tessera-mesh mesh --help\`)\n`;

/** A label volume written in the temp folder (zarr, resolution 40,8,8 nm unless `attrs` says otherwise). */
async function volume(
  name: string,
  shape: [number, number, number],
  dtype: "uint8" | "uint32",
  fill: (z: number, y: number, x: number) => number,
) {
  const n = shape[0] * shape[1] * shape[2];
  const data = dtype === "uint8" ? new Uint8Array(n) : new Uint32Array(n);
  let i = 0;
  for (let z = 0; z < shape[0]; z++)
    for (let y = 0; y < shape[1]; y++) for (let x = 0; x < shape[2]; x++) data[i++] = fill(z, y, x);
  const v = await createVolume(join(cwd, name), {
    shape,
    chunks: shape,
    dtype,
    attrs: { resolution: [40, 8, 8] },
  });
  await v.write(Box.fromShape(shape), data);
}

/** Three boxes of labels 3, 7 and 9 in 8×16×16 voxels. */
const boxes = (z: number, y: number, x: number) =>
  z >= 1 && z < 7 && y >= 2 && y < 8 && x >= 2 && x < 8 ? 3 : y >= 9 && x >= 9 ? 7 : z < 4 && x >= 12 ? 9 : 0;

beforeAll(async () => {
  assertFreshMeshBuild();
  await volume("labels.zarr", [8, 16, 16], "uint32", boxes);
  await volume("small-u8.zarr", [8, 16, 16], "uint8", boxes);
  await volume("zeros.zarr", [4, 8, 8], "uint32", () => 0);
  // every voxel its own label: 4096 labels, 6 faces each on its surface
  await volume("distinct.zarr", [16, 16, 16], "uint32", (z, y, x) => 1 + z * 256 + y * 16 + x);
});

describe("tessera-mesh mesh: input checks", () => {
  it.skipIf(!gala.available)(
    "refuses a float volume, naming the input, its dtype and what was expected (exit 2)",
    () => {
      const input = join(gala.path, "train-p1.zarr");
      const r = runMesh(["mesh", "-i", input, "-o", "p1-meshes"], cwd);
      expect(r.status).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr).toBe(
        `tessera-mesh: InvalidLabelsError: label volume must have an integer dtype; path: ${input}; field: dtype; ` +
          "expected: an integer label volume (uint8..uint64, int8..int64: one id per object, 0 for background); " +
          "found: float32 (an image or probability map, not labels?)\n",
      );
      expect(existsSync(join(cwd, "p1-meshes"))).toBe(false);
    },
  );

  it("warns on uint8 input (probably an image) and meshes it (exit 0)", () => {
    const r = runMesh(["mesh", "-i", "small-u8.zarr", "-o", "u8-meshes"], cwd);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe(
      "tessera: warning: small-u8.zarr is uint8, which is usually an image, not labels: each of its distinct values is meshed as one label\n",
    );
    const index = JSON.parse(readFileSync(join(cwd, "u8-meshes", "meshes.json"), "utf8"));
    expect(index.segments.map((s: { id: number }) => s.id)).toEqual([3, 7, 9]);
  });

  it.skipIf(!gala.available)(
    "warns on the uint8 EM image and refuses its estimated output past --max-output",
    () => {
      const input = join(gala.path, "train-image.zarr");
      const r = runMesh(["mesh", "-i", input, "-o", "image-meshes", "--max-output", "100M"], cwd);
      expect(r.status).toBe(2);
      expect(r.stdout).toBe("");
      const lines = r.stderr.split("\n");
      expect(lines).toHaveLength(4);
      expect(lines[0]).toBe(
        `tessera: warning: ${input} is uint8, which is usually an image, not labels: each of its distinct values is meshed as one label`,
      );
      expect(lines[1]).toBe(
        `tessera: warning: ${input} has no resolution attribute: using 1,1,1 nm per voxel (give --resolution z,y,x)`,
      );
      // 255 non-zero grey values; the estimate is what PLY of their surfaces takes, past 100 MiB
      expect(lines[2]).toMatch(
        /^tessera-mesh: OutputTooLargeError: estimated output is (\d+) MiB, over the --max-output limit of 100 MiB; .*field: max-output; expected: an output of at most 100 MiB \(raise --max-output, or pass --force to mesh anyway\); found: 255 labels with \d+ surface faces, ~\1 MiB of ply before simplification$/,
      );
      expect(lines[3]).toBe("");
      expect(existsSync(join(cwd, "image-meshes"))).toBe(false);
    },
  );

  it("refuses a volume past a low --max-output before meshing, names the estimate, the limit and --force; --force meshes it", () => {
    const refused = runMesh(["mesh", "-i", "distinct.zarr", "-o", "distinct", "--max-output", "1M"], cwd);
    expect(refused.status).toBe(2);
    expect(refused.stdout).toBe("");
    expect(refused.stderr).toMatch(
      /^tessera-mesh: OutputTooLargeError: estimated output is (\d\.\d) MiB, over the --max-output limit of 1\.0 MiB; path: distinct\.zarr; field: max-output; expected: an output of at most 1\.0 MiB \(raise --max-output, or pass --force to mesh anyway\); found: 4096 labels with 24576 surface faces, ~\1 MiB of ply before simplification\n$/,
    );
    expect(readdirSync(cwd).filter((f) => f.startsWith("distinct") && f !== "distinct.zarr")).toEqual([
      "distinct.log",
    ]);

    const forced = runMesh(
      ["mesh", "-i", "distinct.zarr", "-o", "distinct", "--max-output", "1M", "--force"],
      cwd,
    );
    expect(forced.stderr).toBe("");
    expect(forced.status).toBe(0);
    const summary = JSON.parse(forced.stdout);
    expect(summary.segments).toBe(4096);
    expect(summary.estimatedBytes).toBeUndefined();
    // the estimate it refused was not far off: what was written is over the limit too
    expect(filesBytes(join(cwd, "distinct"))).toBeGreaterThan(1024 ** 2);
  });

  it("refuses an all-background volume before meshing", () => {
    const r = runMesh(["mesh", "-i", "zeros.zarr", "-o", "zeros-meshes"], cwd);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(
      "tessera-mesh: InvalidLabelsError: label volume holds no labels to mesh; path: zeros.zarr; field: values; expected: non-zero label ids (0 is background); found: only 0\n",
    );
    expect(existsSync(join(cwd, "zeros-meshes"))).toBe(false);
  });

  it("refuses --labels ids that do not occur, before meshing", () => {
    const r = runMesh(["mesh", "-i", "labels.zarr", "-o", "some", "--labels", "3,4,5"], cwd);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(
      "tessera-mesh: LabelNotFoundError: requested label ids do not occur in the volume; path: labels.zarr; field: labels; expected: ids present in the volume; found: 4, 5\n",
    );
  });

  it.skipIf(!gala.available)(
    "refuses a missing path and an HDF5 file in one line naming the path (exit 2)",
    () => {
      for (const input of ["no-such.zarr", join(gala.path, "..", "train-gt.h5")]) {
        const r = runMesh(["mesh", "-i", input, "-o", "never"], cwd);
        expect(r.status, r.stderr).toBe(2);
        expect(r.stderr.split("\n")).toHaveLength(2);
        expect(r.stderr).toMatch(/^tessera-mesh: \w+Error: /);
        expect(r.stderr).toContain(input);
        expect(existsSync(join(cwd, "never"))).toBe(false);
      }
    },
  );
});

describe("tessera-mesh mesh: the size estimate", () => {
  it.skipIf(!gala.available)(
    "is within -10%..+60% of the bytes written, in every format (gala ground truth)",
    () => {
      const input = join(gala.path, "train-gt.zarr");
      for (const format of ["ply", "glb", "obj", "precomputed", "precomputed-legacy"]) {
        const output = `gt-${format}`;
        const r = runMesh(["mesh", "-i", input, "-o", output, "-f", format, "--resolution", "30,6,6"], cwd);
        expect(r.status, r.stderr).toBe(0);
        const summary = JSON.parse(r.stdout);
        const written = filesBytes(join(cwd, output));
        expect(summary.bytes, format).toBe(written);
        const ratio = summary.estimatedBytes / written;
        expect(ratio, `${format}: estimate ${summary.estimatedBytes}, written ${written}`).toBeGreaterThan(
          0.9,
        );
        expect(ratio, `${format}: estimate ${summary.estimatedBytes}, written ${written}`).toBeLessThan(1.6);
      }
    },
  );
});

describe("tessera-mesh mesh: outputs", () => {
  it("refuses an existing output without --overwrite and leaves it as it was", () => {
    mkdirSync(join(cwd, "kept"));
    writeFileSync(join(cwd, "kept", "mine.txt"), "keep me");
    const r = runMesh(["mesh", "-i", "labels.zarr", "-o", "kept"], cwd);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe(
      "tessera-mesh: OutputExistsError: output exists already; path: kept; field: overwrite; expected: no file or folder at the output path, or --overwrite to replace it; found: an existing folder\n",
    );
    expect(readdirSync(join(cwd, "kept"))).toEqual(["mine.txt"]);
    writeFileSync(join(cwd, "a-file"), "x");
    const file = runMesh(["mesh", "-i", "labels.zarr", "-o", "a-file", "-f", "precomputed"], cwd);
    expect(file.status).toBe(2);
    expect(file.stderr).toMatch(/OutputExistsError: .*found: an existing file\n$/);
    expect(readFileSync(join(cwd, "a-file"), "utf8")).toBe("x");
  });

  it("replaces it with --overwrite, and keeps the old output when the new one fails", () => {
    const replaced = runMesh(["mesh", "-i", "labels.zarr", "-o", "kept", "--overwrite", "-f", "obj"], cwd);
    expect(replaced.status, replaced.stderr).toBe(0);
    expect(readdirSync(join(cwd, "kept")).sort()).toEqual(["3.obj", "7.obj", "9.obj", "meshes.json"]);
    // an all-background volume passes --force (no estimate) and fails when the meshes are written
    const failed = runMesh(["mesh", "-i", "zeros.zarr", "-o", "kept", "--overwrite", "--force"], cwd);
    expect(failed.status).toBe(2);
    expect(failed.stderr).toMatch(/^tessera-mesh: MeshWriteError: no non-empty meshes to write; /);
    expect(readdirSync(join(cwd, "kept")).sort()).toEqual(["3.obj", "7.obj", "9.obj", "meshes.json"]);
    expect(readdirSync(cwd).filter((f) => /\.(writing|replaced)-\d+$/.test(f))).toEqual([]);
  });

  it("writes sharded multi-resolution precomputed meshes", () => {
    const r = runMesh(
      ["mesh", "-i", "labels.zarr", "-o", "ng", "-f", "precomputed", "--sharded", "--lods", "2"],
      cwd,
    );
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toBe("");
    expect(JSON.parse(readFileSync(join(cwd, "ng", "info"), "utf8")).sharding.hash).toBe(
      "murmurhash3_x86_128",
    );
    expect(readdirSync(join(cwd, "ng")).filter((f) => f.endsWith(".shard"))).toEqual(["0.shard"]);
  });
});

describe("tessera-mesh mesh: options", () => {
  it("refuses bad option values with the option's own example (exit 2)", () => {
    const cases: [string[], string][] = [
      [
        ["--block", "64,256"],
        `option '--block <z,y,x>' argument '64,256' is invalid. expected 3 integers ≥ 1 like 64,256,256, got "64,256"`,
      ],
      [
        ["--resolution", "-40,4,4"],
        `option '--resolution <z,y,x>' argument '-40,4,4' is invalid. expected 3 positive numbers like 40,4,4, got "-40,4,4"`,
      ],
      [
        ["--labels", "12,x"],
        `option '--labels <ids>' argument '12,x' is invalid. expected integers ≥ 1 like 12,40, got "12,x"`,
      ],
      [
        ["--lods", "0"],
        `option '--lods <n>' argument '0' is invalid. expected an integer from 1 to 16 like 3, got "0"`,
      ],
      [
        ["--threads", "two"],
        `option '--threads <n>' argument 'two' is invalid. expected an integer from 1 to 1024 like 4, got "two"`,
      ],
      [
        ["--simplify", "-1"],
        `option '-s, --simplify <nm>' argument '-1' is invalid. expected a number from 0 to 1000000 like 40, got "-1"`,
      ],
      [
        ["--smooth", "2.5"],
        `option '--smooth <iterations>' argument '2.5' is invalid. expected an integer from 0 to 1000 like 10, got "2.5"`,
      ],
      [
        ["--max-output", "1Q"],
        `option '--max-output <size>' argument '1Q' is invalid. expected a size in bytes ≥ 1 like 500M, 2G or 1048576, got "1Q"`,
      ],
      [
        ["--format", "stl"],
        "option '-f, --format <format>' argument 'stl' is invalid. Allowed choices are ply, glb, obj, precomputed, precomputed-legacy.",
      ],
    ];
    for (const [args, message] of cases) {
      const r = runMesh(["mesh", "-i", "labels.zarr", "-o", "never", ...args], cwd);
      expect(r.status, args.join(" ")).toBe(2);
      expect(r.stderr).toBe(usage(message));
    }
    expect(existsSync(join(cwd, "never"))).toBe(false);
  });

  it("refuses options that the chosen format would ignore", () => {
    const cases: [string[], string][] = [
      [
        ["--sharded"],
        "--sharded applies only to multi-resolution precomputed output; field: sharded; expected: --format precomputed; found: --format ply",
      ],
      [
        ["-f", "obj", "--lods", "2"],
        "--lods applies only to multi-resolution precomputed output; field: lods; expected: --format precomputed; found: --format obj",
      ],
      [
        ["-f", "precomputed", "--smooth", "3"],
        "--smooth is not applied to multi-resolution precomputed output; field: smooth; expected: --format ply, glb, obj or precomputed-legacy (or no --smooth); found: --format precomputed",
      ],
    ];
    for (const [args, message] of cases) {
      const r = runMesh(["mesh", "-i", "labels.zarr", "-o", "conflict", ...args], cwd);
      expect(r.status, args.join(" ")).toBe(2);
      expect(r.stderr).toBe(`tessera-mesh: MeshOptionsError: ${message}\n`);
    }
    expect(existsSync(join(cwd, "conflict"))).toBe(false);
    expect(existsSync(join(cwd, "conflict.log"))).toBe(false);
  });

  it("--help shows examples, including the HDF5 conversion, on stdout (exit 0)", () => {
    const r = runMesh(["mesh", "--help"], cwd);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(/^Usage: tessera-mesh mesh \[options\]/);
    expect(r.stdout).toContain(
      "\nExamples:\n  $ tessera mesh --input seg.zarr --output meshes --format ply --simplify 40\n",
    );
    expect(r.stdout).toContain("$ tessera volume import labels.h5 seg.zarr --dataset stack\n");
    expect(r.stdout).toContain("(default: 1G)");
  });
});

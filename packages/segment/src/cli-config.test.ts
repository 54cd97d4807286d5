// Run configs as a user meets them, through the built binary: `init-config` prints a complete,
// commented config that the loader reads (and that Python's json reads once the `//` lines are
// dropped), filled from an input volume with --from; every invalid field is reported at once.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pythonHas, runPython, tempDir } from "@tessera/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assertFreshBinary, segmentBin, writePhantom } from "../test/cli.js";
import { gala } from "../test/data.js";
import { segmentRunSchema } from "./options.js";

const tmp = tempDir();
afterAll(tmp.cleanup);
beforeAll(assertFreshBinary);
const hasPython = pythonHas("json");

/** Every key path of the run schema (`boundary.invert`, ...), from the schema itself. */
function schemaKeys(shape: Record<string, unknown>, prefix = ""): string[] {
  return Object.entries(shape).flatMap(([key, field]) => {
    let inner: unknown = field;
    while ((inner as { _zod: { def: { innerType?: unknown } } })._zod.def.innerType)
      inner = (inner as { _zod: { def: { innerType: unknown } } })._zod.def.innerType;
    const nested = (inner as { shape?: Record<string, unknown> }).shape;
    return [`${prefix}${key}`, ...(nested ? schemaKeys(nested, `${prefix}${key}.`) : [])];
  });
}

/**
 * Python: drop `//` comment lines and json.loads the rest; list the key paths present, and those of
 * commented-out keys (`// "maxValue": ...`, placed by following the braces).
 */
const PY_KEYS = `
import json, re, sys
lines = open(sys.argv[1]).read().split("\\n")
config = json.loads("\\n".join(l for l in lines if not l.strip().startswith("//")))
def keys(o, p=""):
    out = []
    for k, v in o.items():
        out.append(p + k)
        if isinstance(v, dict): out += keys(v, p + k + ".")
    return out
stack, commented = [], []
for l in lines:
    s = l.strip()
    m = re.match(r'^// "(\\w+)": not set', s)
    if m: commented.append(".".join(stack + [m.group(1)]))
    elif s.endswith("{") and s.startswith('"'): stack.append(s.split('"')[1])
    elif s.startswith("}") and stack: stack.pop()
print(json.dumps({"keys": keys(config), "commented": commented, "config": config}))
`;

describe.skipIf(!hasPython)("tessera-segment init-config", () => {
  it("prints every field of the run schema, as JSON plus // comment lines, each field described", () => {
    const result = segmentBin(["init-config"], tmp.path);
    expect(result.status).toBe(0);
    expect(result.stderr).toBe("");
    const file = join(tmp.path, "example.jsonc");
    writeFileSync(file, result.stdout);
    const parsed = JSON.parse(runPython(PY_KEYS, [file])) as { keys: string[]; commented: string[] };
    // present as values, or (optional fields without a default) as commented-out keys
    expect([...parsed.keys, ...parsed.commented].sort()).toEqual(schemaKeys(segmentRunSchema.shape).sort());
    expect(parsed.commented).toEqual([
      "relabelThresholds",
      "boundary.maxValue",
      "fragmentsOptions.resolutionNm",
      "agglomerate.model",
      "agglomerate.raw",
    ]);
    // a comment line above each key
    const lines = result.stdout.split("\n");
    lines.forEach((line, i) => {
      if (/^\s*"\w+":/.test(line)) expect(lines[i - 1], line).toMatch(/^\s*\/\/ /);
    });
  });

  it.skipIf(!gala.available)("--from fills path, block shape, value range from the input's metadata", () => {
    const input = join(gala.path, "zarr", "train-p1.zarr");
    const result = segmentBin(["init-config", "--from", input], tmp.path);
    expect(result.status).toBe(0);
    expect(result.stderr).toBe("");
    const file = join(tmp.path, "p1.jsonc");
    writeFileSync(file, result.stdout);
    const { config } = JSON.parse(runPython(PY_KEYS, [file])) as {
      config: { boundaries: string; blockShape: number[]; boundary: unknown };
    };
    // the metadata as python's json reads it: shape 50×100×200, chunks 25×50×100, <f4
    const zarray = JSON.parse(runPython("import sys; print(open(sys.argv[1] + '/.zarray').read())", [input]));
    expect(config.boundaries).toBe(input);
    config.blockShape.forEach((b: number, i: number) => {
      expect(b === zarray.shape[i] || b % zarray.chunks[i] === 0, `axis ${i}`).toBe(true);
      expect(b).toBeLessThanOrEqual(zarray.shape[i]);
    });
    expect(zarray.dtype).toBe("<f4");
    expect(config.boundary).toEqual({ maxValue: 1, invert: false });
    expect(result.stdout).toContain(
      `// Input: ${input}, shape ${zarray.shape.join("×")}, chunks ${zarray.chunks.join("×")}, float32`,
    );
  });

  it.skipIf(!gala.available)(
    "--from a raw EM image warns on stderr, naming the invert option, and notes it in the config",
    () => {
      const input = join(gala.path, "zarr", "train-image.zarr");
      const result = segmentBin(["init-config", "--from", input], tmp.path);
      expect(result.status).toBe(0);
      expect(result.stderr.split("\n").filter(Boolean)).toHaveLength(1);
      expect(result.stderr).toMatch(
        /^tessera: warning: boundaries .*train-image\.zarr: this looks like a grayscale EM image.*--invert/,
      );
      expect(result.stdout).toMatch(/\n\/\/ WARNING: sampled median 0\.\d\d of the value range/);
    },
  );

  it("a printed config, edited, runs: comments and relative paths (to the config's folder) are read", async () => {
    const folder = join(tmp.path, "printed");
    mkdirSync(join(folder, "runs"), { recursive: true });
    await writePhantom(folder);
    const text = segmentBin(["init-config"], tmp.path)
      .stdout.replace(
        '"boundaries": "boundaries.zarr",',
        '"boundaries": "../boundaries.zarr", // the phantom',
      )
      .replace('"blockShape": [64, 256, 256]', '"blockShape": [8, 32, 32]');
    writeFileSync(join(folder, "runs", "run.json"), text);
    // run from another folder: paths resolve against runs/
    const result = segmentBin(["fragments", "--config", join(folder, "runs", "run.json")], tmp.path);
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout).blocks).toBe(8);
    expect(
      runPython("import zarr, sys; print(zarr.open(sys.argv[1], 'r').shape)", [
        join(folder, "runs", "fragments.zarr"),
      ]).trim(),
    ).toBe("(16, 64, 64)");
  });
});

describe("run config errors", () => {
  it("an empty config: one typed line naming all five missing fields and the options that set them, exit 2", () => {
    const file = join(tmp.path, "empty.json");
    writeFileSync(file, "{}\n");
    const result = segmentBin(["run", "--config", file], tmp.path);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toBe(
      "tessera-segment: SegmentOptionsError: invalid run config (5 invalid fields): " +
        'boundaries: expected a string (set --boundaries <zarr>, or "boundaries" in --config), found missing; ' +
        'fragments: expected a string (set --fragments <zarr> or --out <dir>, or "fragments" in --config), found missing; ' +
        'graph: expected a string (set --graph <dir> or --out <dir>, or "graph" in --config), found missing; ' +
        'segmentation: expected a string (set --segmentation <zarr> or --out <dir>, or "segmentation" in --config), found missing; ' +
        'blockShape: expected an array (set --block-shape z,y,x, or "blockShape" in --config), found missing; ' +
        `path: ${file}; field: boundaries, fragments, graph, segmentation, blockShape\n`,
    );
  });

  it("reports every invalid field at once: wrong types, ranges, unknown keys with a suggestion, descending thresholds", () => {
    const file = join(tmp.path, "bad.json");
    writeFileSync(
      file,
      `// a config with four mistakes
{
  "boundaries": "b.zarr", "fragments": "f.zarr", "graph": "g", "segmentation": "s.zarr",
  "blockShape": [8, 0, 32],
  "blockshape": [8, 32, 32],
  "boundary": { "invert": "yes" },
  "agglomerate": { "thresholds": [0.5, 0.3] }
}
`,
    );
    const result = segmentBin(["fragments", "--config", file], tmp.path);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe("");
    const lines = result.stderr.split("\n").filter(Boolean);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^tessera-segment: SegmentOptionsError: invalid run config \(4 invalid fields\): /,
    );
    expect(lines[0]).toContain("blockShape.1: expected number to be >0, found 0");
    expect(lines[0]).toContain(
      'blockshape: expected no such key (did you mean "blockShape"?), found [8,32,32]',
    );
    expect(lines[0]).toContain('boundary.invert: expected true or false, found "yes"');
    expect(lines[0]).toContain(
      "agglomerate.thresholds: expected strictly ascending thresholds, found [0.5,0.3]",
    );
    expect(lines[0]).toContain(
      `path: ${file}; field: blockShape.1, boundary.invert, agglomerate.thresholds, blockshape`,
    );
  });

  it("a config that is not JSON: its line and column; a missing config file: not found", () => {
    const file = join(tmp.path, "broken.json");
    writeFileSync(file, '{\n  "boundaries": "b.zarr",\n  oops\n}\n');
    const broken = segmentBin(["run", "--config", file], tmp.path);
    expect(broken.status).toBe(2);
    expect(broken.stderr).toMatch(
      new RegExp(
        `^tessera-segment: SegmentOptionsError: config is not valid JSON at line 3, column 3; path: ${file}; expected: JSON \\(with // line comments\\)`,
      ),
    );
    const missing = segmentBin(["run", "--config", join(tmp.path, "nope.json")], tmp.path);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toBe(
      `tessera-segment: SegmentOptionsError: config file not found; path: ${join(tmp.path, "nope.json")}; field: --config; ` +
        "expected: a run config file (print an example with `tessera segment init-config`); found: ENOENT\n",
    );
  });

  it("bad option values are refused before any work, naming the option and an example (exit 2)", () => {
    const cases: [string[], RegExp][] = [
      [
        ["--block-shape", "64,256"],
        /^tessera-segment: UsageError: option '--block-shape <z,y,x>' argument '64,256' is invalid\. expected 3 integers ≥ 1 like 64,256,256, got "64,256" \(see `tessera-segment run --help`\)\n$/,
      ],
      [
        ["--context", "1,2"],
        /^tessera-segment: UsageError: .*expected 1 or 3 integers ≥ 0 like 24 or 8,24,24, got "1,2"/,
      ],
      [
        ["--seed-threshold", "2"],
        /^tessera-segment: UsageError: .*expected a number from 0 to 1 like 0\.5, got "2"/,
      ],
      [
        ["--method", "magic"],
        /^tessera-segment: UsageError: option '--method <name>' argument 'magic' is invalid\. Allowed choices are seeded, affinity\./,
      ],
      [
        ["--boundaries", "b.zarr", "--out", "o", "--block-shape", "8,8,8", "--thresholds", "0.5,0.2"],
        /^tessera-segment: SegmentOptionsError: invalid run settings \(1 invalid field\): agglomerate\.thresholds: expected strictly ascending thresholds, found \[0\.5,0\.2\]; field: agglomerate\.thresholds\n$/,
      ],
      [
        ["--boundaries", "b.zarr", "--out", "o", "--block-shape", "8,8,8", "--threshold-index", "2"],
        /thresholdIndex: expected an index into agglomerate\.thresholds, found 2/,
      ],
      [
        ["--boundaries", "b.zarr", "--fragments", "b.zarr", "--out", "o", "--block-shape", "8,8,8"],
        /^tessera-segment: SegmentOptionsError: the fragments output is the boundaries path; .*field: fragments/,
      ],
    ];
    for (const [args, pattern] of cases) {
      const result = segmentBin(["run", ...args], tmp.path);
      expect(result.status, args.join(" ")).toBe(2);
      expect(result.stdout).toBe("");
      expect(result.stderr, args.join(" ")).toMatch(pattern);
      expect(result.stderr.split("\n").filter(Boolean)).toHaveLength(1);
    }
  });

  it("a missing input volume, or an HDF5 file as input: one line naming the path (and the conversion), exit 2", () => {
    const input = join(tmp.path, "absent.zarr");
    const result = segmentBin(["run", "--boundaries", input, "--out", "o"], tmp.path);
    expect(result.status).toBe(2);
    expect(result.stderr.split("\n").filter(Boolean)).toHaveLength(1);
    expect(result.stderr).toMatch(/^tessera-segment: \w+Error: .*not found.*absent\.zarr/);
    if (!gala.available) return;
    const h5 = join(gala.path, "train-p1.h5");
    const hdf5 = segmentBin(["run", "--boundaries", h5, "--out", "o"], tmp.path);
    expect(hdf5.status).toBe(2);
    expect(hdf5.stderr.split("\n").filter(Boolean)).toHaveLength(1);
    expect(hdf5.stderr).toMatch(/^tessera-segment: \w+Error: .*HDF5.*`tessera volume import /);
    expect(hdf5.stderr).toContain(h5);
  });
});

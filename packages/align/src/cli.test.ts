// `tessera align` end to end on stacks cut from one ISBI 2012 section at known integer offsets (so the
// true maps are exact), with the outputs read back by the python zarr client and xml.etree.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runCli } from "@tessera/cli";
import {
  assertFreshBuilds,
  captureOutput,
  pythonHas,
  repoRoot,
  runPython,
  sharedData,
  tempDir,
} from "@tessera/testkit";
import { Command } from "commander";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { alignCommand } from "./cli.js";

const isbi = sharedData("em/isbi2012/image");
const hasPython = pythonHas("numpy", "PIL", "zarr", "scipy");
const tmp = tempDir();
afterAll(() => tmp.cleanup());

/** Crop offsets (y, x) into ISBI section 0 of each section of the test stack, 256×256 crops. */
const OFFSETS: [number, number][] = [
  [128, 128],
  [131, 124],
  [125, 133],
  [134, 129],
];
const CROP = 256;

/** Writes crops of ISBI section 0 (PNG, natural names s1…) at the given offsets into a new folder. */
const PY_STACK = `
import sys, os, json
import numpy as np
from PIL import Image
src, out, offsets = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
crop = int(sys.argv[4])
os.makedirs(out, exist_ok=True)
image = np.array(Image.open(src))
for z, offset in enumerate(offsets):
    if offset is None:  # a blank section
        section = np.full((crop, crop), 128, np.uint8)
    else:
        oy, ox = offset
        section = image[oy:oy + crop, ox:ox + crop]
    Image.fromarray(section).save(os.path.join(out, f"s{z + 1}.png"))
`;

function makeStack(name: string, offsets: ([number, number] | null)[] = OFFSETS): string {
  const dir = join(tmp.path, name);
  runPython(PY_STACK, [join(isbi.path, "0.png"), dir, JSON.stringify(offsets), String(CROP)]);
  return dir;
}

/** Reads the output with python zarr: attrs, shape, dtype, and per section the mean |aligned − truth| over an inner window. */
const PY_CHECK = `
import sys, json
import numpy as np
import zarr
from PIL import Image
out, src, offsets, crop = sys.argv[1], sys.argv[2], json.loads(sys.argv[3]), int(sys.argv[4])
g = zarr.open_group(out, mode="r")
a = g["aligned"]
image = np.array(Image.open(src)).astype(np.float64)
oy0, ox0 = offsets[0]
truth = image[oy0:oy0 + crop, ox0:ox0 + crop]  # every aligned section should show the reference crop
m = 12  # inner window: away from the edges where the shifted sections have no data
errors, unaligned = [], []
for z, (oy, ox) in enumerate(offsets):
    sec = a[z].astype(np.float64)
    errors.append(float(np.abs(sec - truth)[m:-m, m:-m].mean()))
    raw = image[oy:oy + crop, ox:ox + crop]
    unaligned.append(float(np.abs(raw - truth)[m:-m, m:-m].mean()))
print(json.dumps({
    "shape": list(a.shape), "dtype": str(a.dtype), "chunks": list(a.chunks),
    "attrs": dict(a.attrs), "group": dict(g.attrs), "errors": errors, "unaligned": unaligned,
    "arrays": sorted(k for k, _ in g.arrays()),
}))
`;

/** Parses qc.svg with xml.etree: the section groups' z and status, and the markers in each. */
const PY_SVG = `
import sys, json
import xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
ns = "{http://www.w3.org/2000/svg}"
groups = [g for g in root.iter(ns + "g") if g.get("class") == "section"]
print(json.dumps([{"z": int(g.get("data-z")), "status": g.get("data-status"),
    "markers": [e.get("class") for e in g if (e.get("class") or "").startswith("marker")]} for g in groups]))
`;

interface Captured {
  stdout: string;
  stderr: string;
}

/** Runs `tessera align …` in process (as commander parses it), capturing stdout/stderr. */
async function align(args: string[]): Promise<Captured> {
  return captureOutput(() => alignCommand().exitOverride().parseAsync(args, { from: "user" }));
}

/** Runs `tessera align …` through runCli (as the `tessera` program does): exit status and stderr. */
async function alignExit(args: string[]): Promise<Captured & { status: number }> {
  return captureOutput(() =>
    runCli(new Command("tessera").addCommand(alignCommand()), ["node", "tessera", "align", ...args]),
  );
}

const summaryOf = (c: Captured) => JSON.parse(c.stdout.trim().split("\n").at(-1) as string);
const readJson = (path: string) => JSON.parse(readFileSync(path, "utf8"));
const logEntries = (path: string) =>
  readFileSync(path, "utf8")
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line));
const mtimes = (dir: string) =>
  Object.fromEntries(readdirSync(dir).map((name) => [name, statSync(join(dir, name)).mtimeMs]));

function check(output: string, offsets = OFFSETS) {
  return JSON.parse(
    runPython(PY_CHECK, [output, join(isbi.path, "0.png"), JSON.stringify(offsets), String(CROP)]),
  );
}

/** The true output → raw translation of section z: aligned(q) = raw_z(q + o_0 − o_z). */
const truth = (z: number, offsets = OFFSETS) => [
  offsets[0][0] - offsets[z][0],
  offsets[0][1] - offsets[z][1],
];

describe.skipIf(!isbi.available || !hasPython)("tessera align (ISBI crops at known offsets)", () => {
  const stack = () => join(tmp.path, "stack");
  beforeAll(() => {
    makeStack("stack");
  });

  it("translation: aligned volume, exact transforms, QC table and plot, provenance, one log line per section", async () => {
    const output = join(tmp.path, "translation.zarr");
    const run = await align(["-i", stack(), "-o", output, "--mode", "translation", "--resolution", "40,4,4"]);
    const summary = summaryOf(run);
    expect(summary).toMatchObject({
      mode: "translation",
      sections: 4,
      aligned: 3,
      reference: 1,
      skipped: 0,
      resumed: 0,
    });
    expect(summary.medianCorrelationAfter).toBeGreaterThan(0.95);
    expect(summary.medianCorrelationBefore).toBeLessThan(summary.medianCorrelationAfter - 0.2);

    // transforms: the known offsets within 0.05 px, no rotation or scale
    for (let z = 0; z < OFFSETS.length; z++) {
      const t = readJson(join(output, "transforms", `${z}.json`));
      expect(t.z).toBe(z);
      expect(t.status).toBe(z === 0 ? "reference" : "aligned");
      expect(t.map.kind).toBe("affine");
      const [a, b, c, d, e, f] = t.map.affine;
      expect(Math.abs(c - truth(z)[0]), `z=${z} y offset ${c}`).toBeLessThan(0.05);
      expect(Math.abs(f - truth(z)[1]), `z=${z} x offset ${f}`).toBeLessThan(0.05);
      expect([a, b, d, e]).toEqual([1, 0, 0, 1]);
    }

    // the volume, read by python zarr: every section shows the reference crop
    const py = check(output);
    expect(py.shape).toEqual([4, CROP, CROP]);
    expect(py.dtype).toBe("uint8");
    expect(py.arrays).toEqual(["aligned"]);
    expect(py.attrs.resolution).toEqual([40, 4, 4]);
    expect(py.attrs.complete).toBe(true);
    expect(py.group.complete).toBe(true);
    expect(py.attrs.provenance).toMatchObject({
      tool: "tessera align",
      version: readJson(join(import.meta.dirname, "..", "package.json")).version,
      mode: "translation",
      input: stack(),
      options: { mode: "translation", patchSize: 128, stride: 64, referenceWindow: 1 },
    });
    expect(py.attrs.provenance.command).toMatch(/^tessera align --input .* --mode translation/);
    expect(Date.parse(py.attrs.provenance.finished)).toBeGreaterThanOrEqual(
      Date.parse(py.attrs.provenance.started),
    );
    for (let z = 1; z < OFFSETS.length; z++) {
      expect(py.unaligned[z], `z=${z} before`).toBeGreaterThan(20);
      expect(py.errors[z], `z=${z} after`).toBeLessThan(1.5);
    }
    expect(py.errors[0]).toBe(0);

    // QC: table, JSON, and an SVG that parses as XML with one marked group per section
    const qc = readJson(join(output, "qc.json"));
    expect(qc.sections.map((r: { z: number }) => r.z)).toEqual([0, 1, 2, 3]);
    for (const r of qc.sections.slice(1)) expect(r.correlationAfter).toBeGreaterThan(r.correlationBefore);
    const md = readFileSync(join(output, "qc.md"), "utf8");
    expect(md).toMatch(/\| z \| status \| reason \| references \| matches \| inliers \| residual RMS/);
    expect(md.split("\n").filter((line) => /^\| \d+ \|/.test(line))).toHaveLength(4);
    const svg = JSON.parse(runPython(PY_SVG, [join(output, "qc.svg")]));
    expect(svg.map((g: { z: number }) => g.z)).toEqual([0, 1, 2, 3]);
    expect(svg[0]).toMatchObject({ status: "reference", markers: ["marker reference"] });
    for (const g of svg.slice(1)) {
      const rms = qc.sections[g.z].residualRms === null ? [] : ["marker rms"];
      expect(g.markers).toEqual(["marker before", "marker after", ...rms]);
    }

    // the structured log: started, one line per section, finished
    const log = logEntries(`${output}.log`);
    expect(log.map((e) => e.msg)).toEqual([
      "started",
      "section",
      "section",
      "section",
      "section",
      "finished",
    ]);
    expect(log[2]).toMatchObject({ z: 1, status: "aligned", resumed: false });
  });

  it("reruns skip done sections; an interrupted run is unmarked and the rerun redoes only what is missing", async () => {
    const output = join(tmp.path, "translation.zarr");
    const args = ["-i", stack(), "-o", output, "--mode", "translation", "--resolution", "40,4,4"];
    const transforms = join(output, "transforms");
    const before = mtimes(transforms);
    const again = summaryOf(await align(args));
    expect(again).toMatchObject({ sections: 4, aligned: 3, resumed: 4 });
    expect(mtimes(transforms)).toEqual(before);

    // a run that lost section 3's transform (killed between its data and its JSON) redoes section 3 only
    rmSync(join(transforms, "3.json"));
    const redo = summaryOf(await align(args));
    expect(redo).toMatchObject({ sections: 4, aligned: 3, resumed: 3 });
    const after = mtimes(transforms);
    for (const name of ["0.json", "1.json", "2.json"]) expect(after[name]).toBe(before[name]);
    const t3 = readJson(join(transforms, "3.json"));
    expect(Math.abs(t3.map.affine[2] - truth(3)[0])).toBeLessThan(0.05);
    const log = logEntries(`${output}.log`).filter((e) => e.msg === "section");
    expect(log.slice(-4).map((e) => e.resumed)).toEqual([true, true, true, false]);

    // other settings are refused (exit 2), unless --overwrite
    const refused = await alignExit(["-i", stack(), "-o", output, "--mode", "rigid"]);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(
      /OutputExistsError: output was written by a run with other settings.*mode/,
    );
  });

  it("a run that fails part way (an unreadable last section) is not marked complete; once fixed, the rerun finishes it", async () => {
    const dir = makeStack("broken");
    const good = readFileSync(join(dir, "s4.png"));
    writeFileSync(join(dir, "s4.png"), good.subarray(0, good.length >> 1)); // header intact, data cut
    const output = join(tmp.path, "broken.zarr");
    const failed = await alignExit(["-i", dir, "-o", output, "--mode", "translation"]);
    expect(failed.status).toBe(2);
    expect(failed.stderr).toMatch(/UnreadableSectionError: .*s4\.png/);
    expect(readdirSync(join(output, "transforms")).sort()).toEqual(["0.json", "1.json", "2.json"]);
    expect(check(output).attrs.complete).toBe(false);
    expect(readJson(join(output, ".zattrs")).complete).toBe(false);
    const done = mtimes(join(output, "transforms"));

    writeFileSync(join(dir, "s4.png"), good);
    const fixed = summaryOf(await align(["-i", dir, "-o", output, "--mode", "translation"]));
    expect(fixed).toMatchObject({ sections: 4, aligned: 3, resumed: 3 });
    const after = mtimes(join(output, "transforms"));
    for (const name of Object.keys(done)) expect(after[name]).toBe(done[name]);
    const py = check(output);
    expect(py.attrs.complete).toBe(true);
    expect(py.errors[3]).toBeLessThan(1.5);
  });

  it("rigid: finds the translations with no rotation (0.05 px)", async () => {
    const output = join(tmp.path, "rigid.zarr");
    const summary = summaryOf(await align(["-i", stack(), "-o", output, "--mode", "rigid"]));
    expect(summary).toMatchObject({ mode: "rigid", aligned: 3, reference: 1 });
    for (let z = 1; z < OFFSETS.length; z++) {
      const [a, b, c, d, e, f] = readJson(join(output, "transforms", `${z}.json`)).map.affine;
      // the map at the crop's corners and centre lies within 0.05 px of the true translation
      for (const [y, x] of [
        [0, 0],
        [0, CROP - 1],
        [CROP - 1, 0],
        [CROP - 1, CROP - 1],
        [CROP / 2, CROP / 2],
      ]) {
        expect(Math.abs(a * y + b * x + c - (y + truth(z)[0])), `z=${z} (${y},${x})`).toBeLessThan(0.05);
        expect(Math.abs(d * y + e * x + f - (x + truth(z)[1])), `z=${z} (${y},${x})`).toBeLessThan(0.05);
      }
    }
    const py = check(output);
    for (let z = 1; z < OFFSETS.length; z++) expect(py.errors[z]).toBeLessThan(1.5);
  });

  it("rigid: a section rotated by 2° about its centre is mapped back (0.1 px at the corners)", async () => {
    const dir = join(tmp.path, "rotated");
    const theta = (2 * Math.PI) / 180;
    // section 0: the crop at o; section 1: raw1(p) = I(R(p − c) + c + o), cubic spline (scipy)
    runPython(
      `import sys, os, numpy as np
from PIL import Image
from scipy import ndimage
src, out, theta, crop = sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4])
os.makedirs(out, exist_ok=True)
image = np.array(Image.open(src)).astype(np.float64)
o = 128.0
Image.fromarray(image[128:128 + crop, 128:128 + crop].astype(np.uint8)).save(os.path.join(out, "s1.png"))
c = (crop - 1) / 2
y, x = np.mgrid[0:crop, 0:crop].astype(np.float64)
cy, cx = y - c, x - c
sy = np.cos(theta) * cy - np.sin(theta) * cx + c + o
sx = np.sin(theta) * cy + np.cos(theta) * cx + c + o
rot = ndimage.map_coordinates(image, [sy, sx], order=3)
Image.fromarray(np.clip(np.round(rot), 0, 255).astype(np.uint8)).save(os.path.join(out, "s2.png"))`,
      [join(isbi.path, "0.png"), dir, String(theta), String(CROP)],
    );
    const output = join(tmp.path, "rotated.zarr");
    const summary = summaryOf(await align(["-i", dir, "-o", output, "--mode", "rigid"]));
    expect(summary).toMatchObject({ aligned: 1, reference: 1 });
    const [a, b, c, d, e, f] = readJson(join(output, "transforms", "1.json")).map.affine;
    // truth: raw1(p) = I(q + o) where p = R⁻¹(q − c) + c
    const centre = (CROP - 1) / 2;
    const cos = Math.cos(theta);
    const sin = Math.sin(theta);
    for (const [y, x] of [
      [0, 0],
      [0, CROP - 1],
      [CROP - 1, 0],
      [CROP - 1, CROP - 1],
    ]) {
      const ty = cos * (y - centre) + sin * (x - centre) + centre;
      const tx = -sin * (y - centre) + cos * (x - centre) + centre;
      expect(Math.hypot(a * y + b * x + c - ty, d * y + e * x + f - tx), `corner (${y}, ${x})`).toBeLessThan(
        0.1,
      );
    }
  });

  it("a uint16 zarr input: the output keeps its dtype and takes its resolution attribute", async () => {
    const input = join(tmp.path, "u16.zarr");
    runPython(
      `import sys, json, numpy as np, zarr
from PIL import Image
image = np.array(Image.open(sys.argv[2])).astype("uint16") * 257
a = zarr.open(sys.argv[1], mode="w", shape=(3, 160, 160), chunks=(2, 64, 64), dtype="uint16")
for z, (oy, ox) in enumerate(json.loads(sys.argv[3])): a[z] = image[oy:oy + 160, ox:ox + 160]
a.attrs["resolution"] = [30, 5, 5]`,
      [input, join(isbi.path, "0.png"), JSON.stringify(OFFSETS.slice(0, 3))],
    );
    const output = join(tmp.path, "u16-out.zarr");
    const run = await align(["-i", input, "-o", output, "--mode", "translation", "--patch", "64"]);
    expect(summaryOf(run)).toMatchObject({ aligned: 2, reference: 1 });
    expect(run.stderr).not.toMatch(/no resolution/);
    const py = JSON.parse(
      runPython(
        `import sys, json, numpy as np, zarr
a = zarr.open_group(sys.argv[1], mode="r")["aligned"]
m = 12
print(json.dumps({"dtype": str(a.dtype), "resolution": a.attrs["resolution"],
  "diff": [float(np.abs(a[z].astype(float) - a[0].astype(float))[m:-m, m:-m].mean() / 257) for z in range(3)]}))`,
        [output],
      ),
    );
    expect(py.dtype).toBe("uint16");
    expect(py.resolution).toEqual([30, 5, 5]);
    for (const z of [1, 2]) expect(py.diff[z], `z=${z}`).toBeLessThan(1.5);
    for (const z of [1, 2]) {
      const t = readJson(join(output, "transforms", `${z}.json`)).map.affine;
      expect(Math.abs(t[2] - truth(z)[0])).toBeLessThan(0.05);
      expect(Math.abs(t[5] - truth(z)[1])).toBeLessThan(0.05);
    }
  });

  it("elastic: mesh transforms and a flow array at the true offsets; a blank section skipped, warned and marked", async () => {
    const offsets = [OFFSETS[0], OFFSETS[1], null, OFFSETS[2]];
    const dir = makeStack("elastic", offsets);
    const output = join(tmp.path, "elastic.zarr");
    const run = await align(["-i", dir, "-o", output, "--resolution", "40,4,4"]);
    expect(summaryOf(run)).toMatchObject({
      mode: "elastic",
      sections: 4,
      aligned: 2,
      reference: 1,
      skipped: 1,
    });
    expect(run.stderr).toMatch(/warning: section 2 \(.*s3\.png\): blank section/);
    const t2 = readJson(join(output, "transforms", "2.json"));
    expect([t2.status, t2.map]).toEqual(["skipped", null]);
    const t3 = readJson(join(output, "transforms", "3.json"));
    expect(t3.map.kind).toBe("mesh");
    expect(t3.references).toEqual([1]);
    // the flow array, read by python zarr: every node's displacement is the true translation
    const flow = JSON.parse(
      runPython(
        `import sys, json, numpy as np, zarr
f = zarr.open_group(sys.argv[1], mode="r")["flow"]
a = f[:]
print(json.dumps({"shape": list(f.shape), "stride": f.attrs["stride"],
  "dy": [float(np.nanmedian(a[z, 0])) if np.isfinite(a[z]).any() else None for z in range(4)],
  "dx": [float(np.nanmedian(a[z, 1])) if np.isfinite(a[z]).any() else None for z in range(4)],
  "spread": [float(np.nanmax(np.abs(a[z] - np.nanmedian(a[z], axis=(1, 2), keepdims=True)))) if np.isfinite(a[z]).any() else None for z in range(4)]}))`,
        [output],
      ),
    );
    expect(flow.shape[0]).toBe(4);
    expect(flow.shape[1]).toBe(2);
    expect(flow.stride).toBe(40);
    expect(flow.dy[2]).toBeNull();
    const truths = [[0, 0], truth(1), null, [OFFSETS[0][0] - OFFSETS[2][0], OFFSETS[0][1] - OFFSETS[2][1]]];
    for (const z of [0, 1, 3]) {
      const [ty, tx] = truths[z] as number[];
      expect(Math.abs(flow.dy[z] - ty), `z=${z} dy ${flow.dy[z]}`).toBeLessThan(0.1);
      expect(Math.abs(flow.dx[z] - tx), `z=${z} dx ${flow.dx[z]}`).toBeLessThan(0.1);
      expect(flow.spread[z], `z=${z} spread`).toBeLessThan(0.5);
    }
    const svg = JSON.parse(runPython(PY_SVG, [join(output, "qc.svg")]));
    expect(svg.map((g: { status: string }) => g.status)).toEqual([
      "reference",
      "aligned",
      "skipped",
      "aligned",
    ]);
    expect(svg[2].markers).toEqual(["marker skipped"]);
  });

  it("the built tessera-align on 2 worker threads gives the same maps as one thread, exit 0 and a JSON line", async () => {
    const pkg = join(import.meta.dirname, "..");
    assertFreshBuilds([pkg, join(repoRoot, "packages", "cli"), join(repoRoot, "packages", "volume")]);
    const one = join(tmp.path, "threads-1.zarr");
    const two = join(tmp.path, "threads-2.zarr");
    await align(["-i", stack(), "-o", one, "--mode", "rigid", "--threads", "1"]);
    const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" };
    const bin = join(pkg, "dist", "bin.js");
    const run = spawnSync(
      process.execPath,
      [bin, "align", "-i", stack(), "-o", two, "--mode", "rigid", "--threads", "2"],
      { env, encoding: "utf8" },
    );
    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout.trim())).toMatchObject({ mode: "rigid", aligned: 3, reference: 1 });
    for (let z = 0; z < OFFSETS.length; z++) {
      const a = readJson(join(one, "transforms", `${z}.json`));
      const b = readJson(join(two, "transforms", `${z}.json`));
      expect(b.map, `z=${z}`).toEqual(a.map);
    }
    expect(readJson(join(two, ".zattrs")).provenance.command).toMatch(/--threads 2$/);
    const bad = spawnSync(process.execPath, [bin, "align", "-i", join(tmp.path, "nowhere"), "-o", two], {
      env,
      encoding: "utf8",
    });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/^tessera-align: PathNotFoundError: input not found; path: .*nowhere/);
  });

  it("align section --z N stores pair maps that the main run then reuses", async () => {
    const output = join(tmp.path, "sections.zarr");
    const common = ["-i", stack(), "-o", output, "--mode", "translation"];
    const zero = summaryOf(await align(["section", "--z", "0", ...common]));
    expect(zero.pairs).toEqual([]);
    for (const z of [1, 2, 3]) {
      const s = summaryOf(await align(["section", "--z", String(z), ...common]));
      expect(s.pairs.map((p: { reference: number }) => p.reference)).toEqual([z - 1]);
    }
    const pairs = join(output, "pairs");
    expect(readdirSync(pairs).sort()).toEqual(["0-1.json", "1-2.json", "2-3.json"]);
    // the pair maps hold the true relative offsets: raw reference → raw z is q + o_ref − o_z
    for (const z of [1, 2, 3]) {
      const { pair } = readJson(join(pairs, `${z - 1}-${z}.json`));
      expect(Math.abs(pair.map.affine[2] - (OFFSETS[z - 1][0] - OFFSETS[z][0]))).toBeLessThan(0.05);
      expect(Math.abs(pair.map.affine[5] - (OFFSETS[z - 1][1] - OFFSETS[z][1]))).toBeLessThan(0.05);
    }
    const stored = mtimes(pairs);
    const summary = summaryOf(await align(common));
    expect(summary).toMatchObject({ aligned: 3, resumed: 0 });
    expect(mtimes(pairs)).toEqual(stored); // read, not recomputed
    for (let z = 1; z < OFFSETS.length; z++) {
      const c = readJson(join(output, "transforms", `${z}.json`)).map.affine[2];
      expect(Math.abs(c - truth(z)[0])).toBeLessThan(0.05);
    }
    // a section out of range is a usage error
    const bad = await alignExit(["section", "--z", "9", ...common]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--z.*'9'.*0 to 3/);
    // a folder of other files is never used as an output, not even for pair maps
    const foreign = join(tmp.path, "foreign");
    mkdirSync(foreign);
    writeFileSync(join(foreign, "notes.txt"), "mine");
    const refused = await alignExit([
      "section",
      "--z",
      "1",
      "-i",
      stack(),
      "-o",
      foreign,
      "--mode",
      "translation",
    ]);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(/OutputExistsError: output exists and is not the output of tessera align/);
    expect(readdirSync(foreign)).toEqual(["notes.txt"]);
  });
});

describe.skipIf(!isbi.available || !hasPython)(
  "tessera align: bad input → exit 2, a message naming the file or section, nothing marked complete",
  () => {
    const png = (dir: string, name: string, size: number, value = 0) =>
      runPython(
        `import sys, numpy as np
from PIL import Image
n = int(sys.argv[2])
y, x = np.mgrid[0:n, 0:n]
Image.fromarray(((y * 7 + x * 3 + int(sys.argv[3])) % 251).astype("uint8")).save(sys.argv[1])`,
        [join(dir, name), String(size), String(value)],
      );
    const newDir = (name: string) => {
      const dir = join(tmp.path, name);
      mkdirSync(dir, { recursive: true });
      return dir;
    };

    it("sections of different sizes: refused before any output is written", async () => {
      const dir = newDir("sizes");
      png(dir, "s1.png", 64);
      png(dir, "s2.png", 64, 5);
      png(dir, "s3.png", 72, 9);
      const output = join(tmp.path, "sizes.zarr");
      const r = await alignExit(["-i", dir, "-o", output, "--mode", "translation"]);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(
        /^tessera: SectionSizeError: section 2 differs in size .*s3\.png.*expected: 64×64 uint8; found: 72×72 uint8\n$/,
      );
      expect(existsSync(output)).toBe(false);
    });

    it("a non-image file, an empty folder, a single section", async () => {
      const mixed = newDir("mixed");
      png(mixed, "s1.png", 64);
      png(mixed, "s2.png", 64, 3);
      writeFileSync(join(mixed, "README.txt"), "notes");
      const a = await alignExit(["-i", mixed, "-o", join(tmp.path, "mixed.zarr")]);
      expect(a.status).toBe(2);
      expect(a.stderr).toMatch(
        /AlignInputError: the folder holds files that are not section images; path: .*README\.txt/,
      );

      const b = await alignExit(["-i", newDir("empty"), "-o", join(tmp.path, "empty.zarr")]);
      expect(b.status).toBe(2);
      expect(b.stderr).toMatch(/NothingToAlignError: no sections: nothing to align; path: .*empty/);

      const single = newDir("single");
      png(single, "only.png", 64);
      const c = await alignExit(["-i", single, "-o", join(tmp.path, "single.zarr")]);
      expect(c.status).toBe(2);
      expect(c.stderr).toMatch(/NothingToAlignError: a single section: nothing to align/);
      for (const name of ["mixed.zarr", "empty.zarr", "single.zarr"])
        expect(existsSync(join(tmp.path, name))).toBe(false);

      const missing = await alignExit(["-o", join(tmp.path, "x.zarr")]);
      expect(missing.status).toBe(2);
      expect(missing.stderr).toMatch(/UsageError: required option '-i, --input <path>' not specified/);
    });

    it("NaN in a float32 zarr: names the section and the position; the output is not marked complete", async () => {
      const input = join(tmp.path, "nan.zarr");
      runPython(
        `import sys, numpy as np, zarr
from PIL import Image
image = np.array(Image.open(sys.argv[2])).astype("float32") / 255
a = zarr.open(sys.argv[1], mode="w", shape=(3, 128, 128), chunks=(1, 64, 64), dtype="float32")
for z in range(3): a[z] = image[100 + z:228 + z, 100:228]
a[2, 70, 33] = np.nan`,
        [input, join(isbi.path, "0.png")],
      );
      const output = join(tmp.path, "nan-out.zarr");
      const r = await alignExit(["-i", input, "-o", output, "--mode", "translation", "--patch", "64"]);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(
        /NonFiniteSectionError: section z=2 holds NaN at y=70, x=33; path: .*nan\.zarr/,
      );
      const attrs = JSON.parse(
        runPython(
          `import sys, json, zarr\nprint(json.dumps(dict(zarr.open_group(sys.argv[1], mode="r")["aligned"].attrs)))`,
          [output],
        ),
      );
      expect(attrs.complete).toBe(false);
      expect(attrs.provenance.finished).toBeNull();
    });
  },
);

import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pythonHas, runPython, tempDir } from "@tessera/testkit";
import { OutputExistsError } from "@tessera/volume";
import { afterAll, describe, expect, it } from "vitest";
import { meshFrom, meshGeometry } from "./map.js";
import {
  AlignOutput,
  type AlignSettings,
  alignmentFromJson,
  alignmentToJson,
  castTo,
  pairStore,
  qcReport,
  qcSvg,
  resolveSettings,
} from "./outputs.js";
import type { OpenedSectionSource } from "./source.js";
import type { SectionAlignment } from "./stack-types.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

/** An in-memory source of `depth` sections `height × width` (the outputs only read its shape and names). */
function fakeSource(
  depth: number,
  height: number,
  width: number,
  dtype: "uint8" | "float32" = "uint8",
): OpenedSectionSource {
  return {
    input: "/data/sté×ck", // python zarr 2 reads .zattrs as ASCII
    kind: "image-folder",
    dtype,
    depth,
    height,
    width,
    name: (z) => `/data/stack/s${z}.png`,
    read: async () => new Float32Array(height * width),
  };
}

const base = { matches: 0, inliers: 0, residualRms: null, foldedTriangles: 0, reason: null, references: [] };

function alignment(
  z: number,
  status: SectionAlignment["status"],
  map: SectionAlignment["map"],
): SectionAlignment {
  return {
    ...base,
    z,
    status,
    map,
    correlationBefore: null,
    correlationAfter: null,
    references: z > 0 ? [z - 1] : [],
  };
}

describe("castTo", () => {
  it("rounds and clamps to integer dtypes (NaN → 0), copies floats", () => {
    const v = Float32Array.from([-3.6, 0.4, 0.5, 254.6, 300, Number.NaN]);
    expect(Array.from(castTo(v, "uint8") as Uint8Array)).toEqual([0, 0, 1, 255, 255, 0]);
    expect(Array.from(castTo(v, "int8") as Int8Array)).toEqual([-4, 0, 1, 127, 127, 0]);
    expect(Array.from(castTo(v, "uint64") as BigUint64Array)).toEqual([0n, 0n, 1n, 255n, 300n, 0n]);
    expect(castTo(v, "float32")).toBe(v);
    expect(Array.from(castTo(v, "float64") as Float64Array).slice(0, 5)).toEqual(Array.from(v).slice(0, 5));
  });
});

describe("settings, JSON forms and the pair store", () => {
  it("fills the documented defaults", () => {
    expect(resolveSettings({})).toEqual({ mode: "elastic", patchSize: 160, stride: 40, referenceWindow: 1 });
    expect(resolveSettings({ mode: "rigid", patchSize: 100 })).toEqual({
      mode: "rigid",
      patchSize: 100,
      stride: 50,
      referenceWindow: 1,
    });
  });

  it("a mesh alignment survives JSON (positions as a plain array)", () => {
    const map = meshFrom(meshGeometry(50, 40, 20), (y, x) => [y + 0.25, x - 1.5]);
    const a = alignment(3, "aligned", map);
    const text = JSON.stringify(alignmentToJson(a));
    expect(JSON.parse(text).map.positions).toBeInstanceOf(Array);
    const back = alignmentFromJson(JSON.parse(text));
    expect(back.map?.kind).toBe("mesh");
    expect(back.map?.kind === "mesh" && back.map.positions).toEqual(map.positions);
  });

  it("stores pair maps as pairs/<reference>-<z>.json and ignores those computed with other settings", async () => {
    const dir = join(tmp.path, "pairs-out");
    const settings: AlignSettings = { mode: "translation", patchSize: 64, stride: 32, referenceWindow: 1 };
    const input = { depth: 4, height: 64, width: 64 };
    const store = pairStore(dir, { settings, input });
    const pair = {
      reference: 1,
      z: 2,
      map: {
        kind: "affine" as const,
        affine: [1, 0, 2.5, 0, 1, -1] as [number, number, number, number, number, number],
      },
      valid: Uint8Array.from([1, 0, 1]),
      matches: 9,
      inliers: 8,
      residualRms: 0.01,
      peakRatio: 4,
    };
    await store.put(pair);
    expect(readdirSync(join(dir, "pairs"))).toEqual(["1-2.json"]);
    expect(await store.get(1, 2)).toEqual(pair);
    expect(await store.get(0, 1)).toBeUndefined();
    const ignored: string[] = [];
    const other = pairStore(dir, { settings: { ...settings, patchSize: 128 }, input }, (f) =>
      ignored.push(f),
    );
    expect(await other.get(1, 2)).toBeUndefined();
    expect(ignored).toEqual([join(dir, "pairs", "1-2.json")]);
  });
});

describe("QC report", () => {
  it("medians over the sections that have values; one SVG group per section, skipped ones crossed", () => {
    const rows: SectionAlignment[] = [
      alignment(0, "reference", { kind: "affine", affine: [1, 0, 0, 0, 1, 0] }),
      { ...alignment(1, "aligned", null), correlationBefore: 0.2, correlationAfter: 0.9, residualRms: 0.5 },
      { ...alignment(2, "skipped", null), reason: "blank section: <constant> & dull" },
      { ...alignment(3, "aligned", null), correlationBefore: 0.4, correlationAfter: 0.8, residualRms: 1.5 },
    ];
    const report = qcReport(rows);
    expect(report.summary).toEqual({
      sections: 4,
      aligned: 2,
      skipped: 1,
      reference: 1,
      medianCorrelationBefore: 0.30000000000000004,
      medianCorrelationAfter: 0.8500000000000001,
      medianResidualRms: 1,
    });
    const svg = qcSvg(report, "rigid");
    expect(svg.match(/<g class="section"/g)).toHaveLength(4);
    expect(svg).toMatch(/data-z="2" data-status="skipped">.*class="marker skipped"/);
    expect(svg).toContain("&lt;constant&gt; &amp; dull");
  });
});

describe.skipIf(!pythonHas("numpy", "zarr"))("AlignOutput", () => {
  const settings = resolveSettings({ mode: "elastic", stride: 20 });

  it("writes sections (data, flow, then transform JSON) that python zarr reads; complete only after finish", async () => {
    const path = join(tmp.path, "out.zarr");
    const source = fakeSource(3, 50, 40);
    const out = await AlignOutput.open(path, {
      source,
      settings,
      resolution: [40, 4, 4],
      command: "tessera align test",
    });
    expect(out.resumed).toBe(false);
    const g = meshGeometry(50, 40, 20);
    const shifted = (dy: number, dx: number) => meshFrom(g, (y, x) => [y + dy, x + dx]);
    const sections: SectionAlignment[] = [
      alignment(0, "reference", shifted(0, 0)),
      alignment(1, "aligned", shifted(1.5, -2.25)),
      alignment(2, "skipped", null),
    ];
    for (const [z, a] of sections.entries()) {
      const aligned = new Float32Array(50 * 40).fill(z === 1 ? 300.7 : 17.4);
      await out.writeSection({ alignment: a, aligned, resumed: false });
      expect(existsSync(join(path, "transforms", `${z}.json`))).toBe(true);
    }
    const PY = `
import sys, json, numpy as np, zarr
g = zarr.open_group(sys.argv[1], mode="r")
a, f = g["aligned"], g["flow"]
print(json.dumps({"complete": a.attrs.get("complete"), "group": g.attrs.get("complete"),
  "values": [int(a[z].min()) for z in range(3)] + [int(a[z].max()) for z in range(3)], "dtype": str(a.dtype),
  "flowShape": list(f.shape), "dy": [float(np.nanmin(f[z, 0])) if np.isfinite(f[z]).any() else None for z in range(3)],
  "dx": [float(np.nanmax(f[z, 1])) if np.isfinite(f[z]).any() else None for z in range(3)],
  "allNaN2": bool(np.isnan(f[2]).all()), "flat1": bool((f[1, 0] == f[1, 0, 0, 0]).all()),
  "resolution": a.attrs.get("resolution"), "stride": f.attrs["stride"], "input": a.attrs["provenance"]["input"]}))`;
    const before = JSON.parse(runPython(PY, [path]));
    expect(before).toMatchObject({
      complete: false,
      group: false,
      values: [17, 255, 17, 17, 255, 17],
      dtype: "uint8",
      flowShape: [3, 2, g.rows, g.cols],
      dy: [0, 1.5, null],
      dx: [0, -2.25, null],
      allNaN2: true,
      flat1: true,
      resolution: [40, 4, 4],
      stride: 20,
      input: "/data/sté×ck",
    });
    const report = await out.finish(sections);
    expect(report.summary.sections).toBe(3);
    const after = JSON.parse(runPython(PY, [path]));
    expect([after.complete, after.group]).toEqual([true, true]);
    for (const file of ["qc.json", "qc.md", "qc.svg"]) expect(existsSync(join(path, file))).toBe(true);
  });

  it("continues a run with the same settings (known sections), refuses other settings unless overwrite (pairs kept)", async () => {
    const path = join(tmp.path, "resume.zarr");
    const source = fakeSource(3, 30, 30);
    const first = await AlignOutput.open(path, { source, settings, command: "a" });
    const map = meshFrom(meshGeometry(30, 30, 20), (y, x) => [y, x]);
    await first.writeSection({
      alignment: alignment(0, "reference", map),
      aligned: new Float32Array(900),
      resumed: false,
    });
    await first.pairs.put({
      reference: 0,
      z: 1,
      map: { kind: "affine", affine: [1, 0, 0, 0, 1, 0] },
      valid: null,
      matches: 1,
      inliers: 1,
      residualRms: null,
      peakRatio: 9,
    });

    const again = await AlignOutput.open(path, { source, settings, command: "b" });
    expect(again.resumed).toBe(true);
    expect((await again.known(0))?.status).toBe("reference");
    expect(await again.known(1)).toBeUndefined();
    expect(JSON.parse(readFileSync(join(path, ".zattrs"), "utf8")).complete).toBe(false);

    const rigid = resolveSettings({ mode: "rigid" });
    const refused = await AlignOutput.open(path, { source, settings: rigid, command: "c" }).catch(
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(OutputExistsError);
    expect((refused as Error).message).toMatch(
      /other settings.*field: mode, patch, stride; expected: mode "elastic"/,
    );
    const shape = await AlignOutput.open(path, {
      source: fakeSource(4, 30, 30),
      settings,
      command: "d",
    }).catch((e: unknown) => e);
    expect((shape as Error).message).toMatch(/input shape/);

    const replaced = await AlignOutput.open(path, { source, settings: rigid, overwrite: true, command: "e" });
    expect(replaced.resumed).toBe(false);
    expect(await replaced.known(0)).toBeUndefined();
    expect(existsSync(join(path, "transforms"))).toBe(false);
    expect(existsSync(join(path, "flow"))).toBe(false);
    expect(readdirSync(join(path, "pairs"))).toEqual(["0-1.json"]);
  });

  it("never takes over a folder that is not an align output, even with overwrite", async () => {
    const path = join(tmp.path, "foreign");
    mkdirSync(path);
    writeFileSync(join(path, "thesis.tex"), "precious");
    for (const overwrite of [false, true]) {
      await expect(
        AlignOutput.open(path, { source: fakeSource(2, 8, 8), settings, overwrite, command: "x" }),
      ).rejects.toThrow(/not the output of tessera align/);
    }
    expect(readFileSync(join(path, "thesis.tex"), "utf8")).toBe("precious");
  });
});

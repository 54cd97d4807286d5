// The stack aligner on known truth: every section is one ISBI 2012 section resampled by a known
// rigid map, so the output → raw map of each section must be the inverse of its map, however the
// chain composes them.
import { join } from "node:path";
import { applyDisplacements, Rng } from "@tessera/phantom";
import { sharedData } from "@tessera/testkit";
import { readPng } from "@tessera/volume";
import { beforeAll, describe, expect, it } from "vitest";
import { type Affine, applyAffine, invertAffine } from "./fit.js";
import { mapPoint } from "./map.js";
import { pairMap } from "./pair-map.js";
import { type AlignStackOptions, alignStack, computePairs } from "./stack.js";
import type { SectionAlignment, SectionMap, SectionSource } from "./stack-types.js";

const isbi = sharedData("em/isbi2012/image");
const H = 384;
const W = 384;

/** moving(p) = original(A(p)), bilinear (A: moving → original). */
function resample(original: Float32Array, a: Affine): Float32Array {
  const d = new Float32Array(2 * H * W);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const [oy, ox] = applyAffine(a, y, x);
      d[y * W + x] = oy - y;
      d[H * W + y * W + x] = ox - x;
    }
  }
  return applyDisplacements(original, [1, H, W], d, { fill: 0 });
}

function rigid(deg: number, ty: number, tx: number): Affine {
  const t = (deg * Math.PI) / 180;
  const c = Math.cos(t);
  const s = Math.sin(t);
  const cy = (H - 1) / 2;
  const cx = (W - 1) / 2;
  // rotation about the centre, then the shift
  return [c, -s, cy - c * cy + s * cx + ty, s, c, cx - s * cy - c * cx + tx];
}

function source(sections: Float32Array[]): SectionSource {
  return {
    depth: sections.length,
    height: H,
    width: W,
    read: async (z) => Float32Array.from(sections[z]),
    name: (z) => `section ${z}`,
  };
}

async function run(sections: Float32Array[], options: AlignStackOptions) {
  const out: { alignment: SectionAlignment; resumed: boolean }[] = [];
  for await (const s of alignStack(source(sections), options)) out.push(s);
  return out;
}

/** Largest distance between the found map and the inverse of the section's warp, 48 px inside the edges. */
function worst(found: SectionMap, warp: Affine): number {
  const truth = invertAffine(warp);
  let w = 0;
  for (let y = 48; y < H - 48; y += 8) {
    for (let x = 48; x < W - 48; x += 8) {
      const [fy, fx] = mapPoint(found, y, x);
      const [ty, tx] = applyAffine(truth, y, x);
      w = Math.max(w, Math.hypot(fy - ty, fx - tx));
    }
  }
  return w;
}

describe.skipIf(!isbi.available)("alignStack on sections resampled by known rigid maps", () => {
  let original: Float32Array;
  const warps: Affine[] = [];
  let sections: Float32Array[];
  beforeAll(async () => {
    const png = await readPng(join(isbi.path, "3.png"));
    original = new Float32Array(H * W);
    for (let y = 0; y < H; y++)
      for (let x = 0; x < W; x++) original[y * W + x] = png.data[(y + 64) * 512 + x + 64];
    const rng = new Rng(17);
    for (let z = 0; z < 5; z++) {
      warps.push(
        z === 0
          ? [1, 0, 0, 0, 1, 0]
          : rigid(3 * (rng.uniform() - 0.5), 12 * (rng.uniform() - 0.5), 12 * (rng.uniform() - 0.5)),
      );
    }
    sections = warps.map((a) => resample(original, a));
  });

  it("rigid: each section's map is the inverse of its warp within 0.05 px", async () => {
    const out = await run(sections, { mode: "rigid" });
    expect(out.map((s) => s.alignment.status)).toEqual([
      "reference",
      "aligned",
      "aligned",
      "aligned",
      "aligned",
    ]);
    for (let z = 1; z < 5; z++)
      expect(worst(out[z].alignment.map as SectionMap, warps[z])).toBeLessThanOrEqual(0.05);
  });

  it("gives the same maps when pairs are matched ahead (lookahead) as one by one", async () => {
    const inOrder = await run(sections, { mode: "rigid" });
    let calls = 0;
    const ahead = await run(sections, {
      mode: "rigid",
      lookahead: 3,
      computePair: async (f, m, o) => {
        calls++;
        return pairMap(f, m, o);
      },
    });
    expect(calls).toBe(4);
    // what reaches a pair computer must survive structured cloning (worker threads)
    let cloned = 0;
    await run(sections.slice(0, 2), {
      mode: "rigid",
      known: () => undefined,
      onWarning: () => undefined,
      computePair: async (f, m, o) => {
        structuredClone(o);
        cloned++;
        return pairMap(f, m, o);
      },
    });
    expect(cloned).toBe(1);
    for (let z = 1; z < 5; z++) expect(ahead[z].alignment.map).toEqual(inOrder[z].alignment.map);
  });

  it("translation: shifted sections come back within 0.05 px", async () => {
    const shifts: Affine[] = [
      [1, 0, 0, 0, 1, 0],
      [1, 0, 3.25, 0, 1, -7.5],
      [1, 0, -4.75, 0, 1, 2],
      [1, 0, 9.5, 0, 1, 5.25],
    ];
    const out = await run(
      shifts.map((a) => resample(original, a)),
      { mode: "translation" },
    );
    for (let z = 1; z < shifts.length; z++)
      expect(worst(out[z].alignment.map as SectionMap, shifts[z])).toBeLessThanOrEqual(0.05);
  });

  it("skips a damaged section (noise) with a warning and matches the next one to the section before it", async () => {
    const rng = new Rng(3);
    const noise = Float32Array.from({ length: H * W }, () => 255 * rng.uniform());
    const warnings: string[] = [];
    const out = await run([sections[0], sections[1], noise, sections[3]], {
      mode: "rigid",
      referenceWindow: 2,
      onWarning: (m) => warnings.push(m),
    });
    expect(out.map((s) => s.alignment.status)).toEqual(["reference", "aligned", "skipped", "aligned"]);
    expect(warnings.some((m) => /matched none.*damaged/.test(m))).toBe(true);
    expect(out[3].alignment.references).toEqual([1, 0]);
    expect(worst(out[3].alignment.map as SectionMap, warps[3])).toBeLessThanOrEqual(0.05);
  });

  it("resumes: sections given as known are not recomputed and the chain continues from them", async () => {
    const full = await run(sections, { mode: "rigid" });
    const computed: number[] = [];
    const store = {
      get: async () => undefined,
      put: async (p: { z: number }) => {
        computed.push(p.z);
      },
    };
    const resumed = await run(sections, {
      mode: "rigid",
      pairs: store as never,
      known: (z) => (z < 3 ? full[z].alignment : undefined),
    });
    expect(resumed.map((s) => s.resumed)).toEqual([true, true, true, false, false]);
    expect(computed).toEqual([3, 4]);
    for (let z = 3; z < 5; z++)
      expect(worst(resumed[z].alignment.map as SectionMap, warps[z])).toBeLessThanOrEqual(0.05);
  });

  it("computePairs gives each section's pair map independently (section-level tasks)", async () => {
    const pairs = await computePairs(source(sections), 2, { mode: "rigid", referenceWindow: 2 });
    expect(pairs.map((p) => p.reference)).toEqual([1, 0]);
    // the pair map raw 0 → raw 2 is warp₂⁻¹ ∘ warp₀ = warp₂⁻¹
    const p0 = pairs[1].map;
    expect(worst(p0, warps[2])).toBeLessThanOrEqual(0.05);
  });
});

// The grayscale-as-boundaries guard on real data: EM images (gala, neuroproof sample 2, ISBI 2012)
// and maps high inside cells warn without `invert`; boundary maps (gala train-p1, ISBI labels and
// snemi-mini probabilities turned into boundaries) do not; `invert` on a boundary map warns.
import { join } from "node:path";
import { sharedData } from "@tessera/testkit";
import { readPng } from "@tessera/volume";
import { describe, expect, it } from "vitest";
import { galaVolume, neuroproof, snemi, snemiStack } from "../test/data.js";
import { diagnoseBoundaries } from "./boundary-check.js";

const isbi = sharedData("em/isbi2012");
const gala = sharedData("em/gala");

/** Sections of a PNG folder as one uint8 array. */
async function pngs(paths: string[]): Promise<Uint8Array> {
  const pages = await Promise.all(paths.map((p) => readPng(p)));
  const out = new Uint8Array(pages.reduce((n, p) => n + p.data.length, 0));
  let k = 0;
  for (const p of pages) {
    out.set(p.data as Uint8Array, k);
    k += p.data.length;
  }
  return out;
}

const invert8 = (a: Uint8Array) => a.map((v) => 255 - v);

describe.skipIf(!gala.available || !neuroproof.available || !isbi.available || !snemi.available)(
  "diagnoseBoundaries on the shared data",
  () => {
    it("grayscale EM read as boundaries warns, naming invert; with invert it is accepted", async () => {
      const images: [string, Uint8Array][] = [
        ["gala train-image", (await galaVolume("train-image")).data as Uint8Array],
        [
          "neuroproof grayscale",
          await pngs([2600, 2700, 2800].map((n) => join(neuroproof.path, "grayscale", `iso.${n}.png`))),
        ],
        ["isbi images", await pngs([0, 12, 24].map((n) => join(isbi.path, "image", `${n}.png`)))],
      ];
      for (const [name, data] of images) {
        const plain = diagnoseBoundaries(data);
        expect(plain.kind, name).toBe("image");
        expect(plain.median, name).toBeGreaterThan(0.45);
        expect(plain.warning, name).toMatch(
          /set the invert option \(--invert, or "boundary": \{"invert": true\}/,
        );
        const inverted = diagnoseBoundaries(data, { invert: true });
        expect(inverted.kind, name).toBe("inverted-image");
        expect(inverted.warning, name).toBeUndefined();
      }
    });

    it("boundary maps are silent; inverted by mistake they warn to unset invert", async () => {
      const isbiLabels = await pngs([0, 12, 24].map((n) => join(isbi.path, "label", `${n}.png`)));
      const snemiProbabilities = (await snemiStack("train-probabilities")).data as Uint8Array;
      const maps: [string, Float32Array | Uint8Array][] = [
        ["gala train-p1", (await galaVolume("train-p1")).data as Float32Array],
        ["isbi labels as boundaries", invert8(isbiLabels)],
        ["snemi probabilities as boundaries", invert8(snemiProbabilities)],
      ];
      for (const [name, data] of maps) {
        const plain = diagnoseBoundaries(data);
        expect(plain.kind, name).toBe("boundaries");
        expect(plain.median, name).toBeLessThan(0.1);
        expect(plain.warning, name).toBeUndefined();
        const inverted = diagnoseBoundaries(data, { invert: true });
        expect(inverted.kind, name).toBe("inverted-boundaries");
        expect(inverted.warning, name).toMatch(
          /^invert is set, but this looks like a boundary map already.*Unset the invert option \(--no-invert/,
        );
      }
      // maps high inside cells, as stored, read without invert: warned like raw EM
      for (const data of [isbiLabels, snemiProbabilities])
        expect(diagnoseBoundaries(data).kind).toBe("image");
    });
  },
);

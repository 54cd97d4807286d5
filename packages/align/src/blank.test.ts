import { join } from "node:path";
import { sharedData } from "@tessera/testkit";
import { readPng } from "@tessera/volume";
import { describe, expect, it } from "vitest";
import { sectionContent } from "./blank.js";

const isbi = sharedData("em/isbi2012/image");

describe("sectionContent", () => {
  it("finds constant and mostly-filled sections blank, EM content not", async () => {
    expect(sectionContent({ data: new Float32Array(100).fill(7), width: 10, height: 10 }).blank).toBe(true);
    const mostlyFill = Float32Array.from({ length: 10_000 }, (_, i) => (i < 7000 ? 0 : (i * 37) % 255));
    expect(sectionContent({ data: mostlyFill, width: 100, height: 100 }).reason).toMatch(
      /^7\d\.\d % of pixels hold one value$/,
    );
    if (isbi.available) {
      const png = await readPng(join(isbi.path, "0.png"));
      expect(sectionContent({ data: png.data, width: png.width, height: png.height }).blank).toBe(false);
    }
  });
});

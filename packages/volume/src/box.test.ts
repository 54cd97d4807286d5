import { describe, expect, it } from "vitest";
import { Box } from "./box.js";
import { BoxOutOfBoundsError } from "./errors.js";

describe("Box", () => {
  it("reports shape, size and string form", () => {
    const box = new Box([1, 2, 3], [4, 6, 8]);
    expect(box.shape).toEqual([3, 4, 5]);
    expect(box.size).toBe(60);
    expect(String(box)).toBe("[1:4, 2:6, 3:8]");
  });

  it("intersects, grows and clips", () => {
    const bounds = Box.fromShape([10, 10, 10]);
    const block = new Box([0, 4, 8], [4, 8, 10]);
    const grown = block.grow(2);
    expect(grown.toJSON()).toEqual({ begin: [-2, 2, 6], end: [6, 10, 12] });
    expect(grown.clip(bounds).toJSON()).toEqual({ begin: [0, 2, 6], end: [6, 10, 10] });
    expect(block.grow([0, 1, 0]).shape).toEqual([4, 6, 2]);
    expect(new Box([0, 0], [2, 2]).intersect(new Box([3, 3], [5, 5])).isEmpty).toBe(true);
  });

  it("checks containment", () => {
    const bounds = Box.fromShape([4, 4]);
    expect(bounds.contains(new Box([1, 1], [4, 4]))).toBe(true);
    expect(bounds.contains(new Box([1, 1], [5, 4]))).toBe(false);
    expect(bounds.containsPoint([3, 0])).toBe(true);
    expect(bounds.containsPoint([4, 0])).toBe(false);
    expect(() => new Box([0, 0], [5, 1]).assertInside(bounds, "read box", "/x.zarr")).toThrow(
      /read box.*expected: a box inside \[0:4, 0:4\]; found: \[0:5, 0:1\]/,
    );
  });

  it("rejects inverted or non-integer corners", () => {
    expect(() => new Box([2], [1])).toThrow(BoxOutOfBoundsError);
    expect(() => new Box([0.5], [1])).toThrow(BoxOutOfBoundsError);
    expect(() => new Box([0, 0], [1])).toThrow(BoxOutOfBoundsError);
  });
});

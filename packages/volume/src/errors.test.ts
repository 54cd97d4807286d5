import { describe, expect, it } from "vitest";
import { CorruptChunkError, TesseraError, VolumeError } from "./errors.js";

describe("TesseraError", () => {
  it("puts every detail in the message and on the error", () => {
    const error = new CorruptChunkError("chunk cannot be decoded", {
      path: "/data/a.zarr/0.0",
      block: 7,
      field: "chunk 0.0",
      expected: "zlib data",
      found: "garbage",
    });
    expect(error).toBeInstanceOf(VolumeError);
    expect(error).toBeInstanceOf(TesseraError);
    expect(error.name).toBe("CorruptChunkError");
    expect(error.message).toBe(
      "chunk cannot be decoded; path: /data/a.zarr/0.0; block: 7; field: chunk 0.0; expected: zlib data; found: garbage",
    );
    expect([error.path, error.block, error.field]).toEqual(["/data/a.zarr/0.0", 7, "chunk 0.0"]);
  });

  it("omits absent details and keeps the cause", () => {
    const cause = new Error("inner");
    const error = new TesseraError("failed", { field: "x", cause });
    expect(error.message).toBe("failed; field: x");
    expect(error.cause).toBe(cause);
  });
});

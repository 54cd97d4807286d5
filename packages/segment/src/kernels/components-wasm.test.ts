import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { COMPONENTS_WASM_SOURCE_SHA256 } from "./components-wasm-binary.js";

describe("the WebAssembly connected-components kernel", () => {
  it("was built from the current wasm/components.c (rerun wasm/build.sh after changing it)", () => {
    const source = readFileSync(new URL("../../wasm/components.c", import.meta.url));
    expect(createHash("sha256").update(source).digest("hex")).toBe(COMPONENTS_WASM_SOURCE_SHA256);
  });
});

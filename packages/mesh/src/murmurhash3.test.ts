import { describe, expect, it } from "vitest";
import { murmurHash3x86_128, murmurHash64 } from "./murmurhash3.js";

describe("murmurHash3x86_128", () => {
  // Reference words published with tensorstore's sharded-format tests (computed with pymmh3)
  // for the 8-byte key 0: seed 0 and seed 1.
  it("matches published values for an 8-byte zero key", () => {
    const h0 = murmurHash3x86_128(new Uint8Array(8), 0);
    expect(h0[0]).toBe(0xe028ae41);
    expect(h0[1]).toBe(0x4772b084);
    expect(h0[2]).toBe(0x4772b084);
    expect(h0[3]).toBe(0x4772b084);
    const h1 = murmurHash3x86_128(new Uint8Array(8), 1);
    expect(h1[0]).toBe(0x5ad58a7e);
    expect(h1[1]).toBe(0x54337108);
    expect(murmurHash64(0n)).toBe(0x4772b084e028ae41n);
  });

  it("hashes the empty input with seed 0 to zero and differs between keys", () => {
    expect(murmurHash3x86_128(new Uint8Array(0), 0)).toEqual([0, 0, 0, 0]);
    expect(murmurHash64(1n)).not.toBe(murmurHash64(2n));
  });
});

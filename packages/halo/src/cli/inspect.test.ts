// tessera halo inspect: header summary as text and JSON, CRC status, bad files.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "@tessera/testkit";
import { afterAll, describe, expect, it } from "vitest";
import { writeGenericIO } from "../genericio/write.js";
import { halo, lastJson } from "./cli-test-kit.js";

const dir = tempDir("tessera-halo-inspect-cli-");
afterAll(() => dir.cleanup());

async function sample(path: string, compress: boolean) {
  const rank = (k: number) => ({
    columns: {
      x: Float32Array.from({ length: 50 + k }, (_, i) => (i * 0.37) % 10),
      pos4: Float64Array.from({ length: 4 * (50 + k) }, (_, i) => i),
      id: BigInt64Array.from({ length: 50 + k }, (_, i) => BigInt(i + 1000 * k)),
    },
    coords: [k, 0, 0] as [number, number, number],
  });
  await writeGenericIO(path, {
    variables: [
      { name: "x", type: "f32", flags: { isPhysCoordX: true, maybePhysGhost: true } },
      { name: "pos4", type: "f64", elementCount: 4 },
      { name: "id", type: "i64" },
    ],
    ranks: [rank(0), rank(1)],
    dims: [2, 1, 1],
    physOrigin: [0, 0, 0],
    physScale: [10, 10, 10],
    compress,
  });
}

describe("tessera halo inspect", () => {
  it("summarises ranks, variables with types and flags, rows, box, blocks, compression and CRCs", async () => {
    const path = join(dir.path, "blocked.gio");
    await sample(path, true);
    const j = await halo(["inspect", path, "--json"]);
    expect(j.status, j.stderr).toBe(0);
    expect(lastJson(j.stdout)).toEqual({
      path,
      byteOrder: "little",
      headerVersion: 2,
      ranks: 2,
      dims: [2, 1, 1],
      rows: 101,
      physOrigin: [0, 0, 0],
      physScale: [10, 10, 10],
      blocked: true,
      compressed: true,
      partitionFiles: [],
      variables: [
        { name: "x", type: "f32", elementCount: 1, flags: ["physCoordX", "maybePhysGhost"] },
        { name: "pos4", type: "f64", elementCount: 4, flags: [] },
        { name: "id", type: "i64", elementCount: 1, flags: [] },
      ],
      rankRows: [50, 51],
      crc: { status: "ok", checked: 6 },
    });
    const t = await halo(["inspect", path]);
    expect(t.status, t.stderr).toBe(0);
    expect(t.stdout).toMatch(/rows {7}101 in 2 ranks/);
    expect(t.stdout).toMatch(/BLOSC-compressed/);
    expect(t.stdout).toMatch(/crc {8}ok \(header and 6 blocks\)/);
    expect(t.stdout).toMatch(/pos4 +f64×4/);
    const quick = await halo(["inspect", path, "--json", "--no-verify"]);
    expect(lastJson(quick.stdout).crc).toEqual({ status: "skipped", checked: 0 });
  });

  it("reports a corrupt block with exit 1, naming the variable and rank", async () => {
    const path = join(dir.path, "plain.gio");
    await sample(path, false);
    const bytes = readFileSync(path);
    bytes[bytes.length - 9] ^= 0xff; // last data byte: variable id of rank 1
    writeFileSync(path, bytes);
    const r = await halo(["inspect", path, "--json"]);
    expect(r.status).toBe(1);
    expect(lastJson(r.stdout).crc).toMatchObject({
      status: "mismatch",
      mismatch: { what: "block", variable: "id", rank: 1 },
    });
    const t = await halo(["inspect", path]);
    expect(t.status).toBe(1);
    expect(t.stdout).toMatch(/MISMATCH in the block \(variable id, rank 1\)/);
  });

  it("refuses a file that is not GenericIO, or missing, with exit 2 and one line naming it", async () => {
    const text = join(dir.path, "notes.txt");
    writeFileSync(text, "hello, not a HACC file\n");
    const r = await halo(["inspect", text]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/NotGenericIOError: .*notes\.txt/);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    const missing = await halo(["inspect", join(dir.path, "nope.gio")]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/nope\.gio/);
  });
});

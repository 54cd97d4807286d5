// `segment evaluate` on HDF5 files compressed with h5py's LZF filter (read by @tessera/volume's own
// chunk reader) and on a dataset whose filter nobody here decodes (a typed error: in-process, the
// error object; through the built binary, one line on stderr and exit status 2).
import { join } from "node:path";
import { pythonHas, runPython, tempDir } from "@tessera/testkit";
import { type TesseraError, UnsupportedHdf5FilterError } from "@tessera/volume";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { assertFreshBinary, segmentBin } from "../test/cli.js";
import { gala } from "../test/data.js";
import { segmentCommand } from "./cli.js";

const tmp = tempDir();
afterAll(tmp.cleanup);

/** Run `segment ...` in-process: stdout text, everything written to stderr or the console, and the error. */
async function run(args: string[]): Promise<{ stdout: string; stderr: string; error?: unknown }> {
  const out: string[] = [];
  const err: string[] = [];
  const spies = [
    vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
      out.push(String(chunk));
      return true;
    }),
    vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
      err.push(String(chunk));
      return true;
    }),
    ...(["error", "warn", "log"] as const).map((method) =>
      vi.spyOn(console, method).mockImplementation((...parts: unknown[]) => {
        err.push(`${parts.join(" ")}\n`);
      }),
    ),
  ];
  let error: unknown;
  try {
    const command = segmentCommand();
    command.exitOverride();
    for (const sub of command.commands) sub.exitOverride();
    await command.parseAsync(["node", "segment", ...args]);
  } catch (e) {
    error = e;
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
  return { stdout: out.join(""), stderr: err.join(""), error };
}

const hasH5py = pythonHas("h5py", "numpy");

describe.skipIf(!gala.available || !hasH5py)("segment evaluate on LZF-compressed HDF5 files", () => {
  const root = join(tmp.path, "lzf");
  beforeAll(() => {
    // gala's originals were LZF files; shared/data holds gzip copies: write LZF ones again with h5py
    // (partial edge chunks along every axis, shuffle on one of them)
    runPython(
      `
import sys, os, h5py
src, root = sys.argv[1], sys.argv[2]
os.makedirs(root, exist_ok=True)
for name, shuffle in [("train-ws", False), ("train-gt", True)]:
    with h5py.File(os.path.join(src, name + ".h5"), "r") as f:
        a = f["stack"][...]
    with h5py.File(os.path.join(root, name + ".lzf.h5"), "w") as f:
        f.create_dataset("stack", data=a, chunks=(16, 32, 64), compression="lzf", shuffle=shuffle)
with h5py.File(os.path.join(root, "blosc.h5"), "w") as f:
    d = f.create_dataset("stack", shape=(50, 100, 200), dtype="i4", chunks=(50, 100, 200), compression=32001,
                         allow_unknown_filter=True)
    d.id.write_direct_chunk((0, 0, 0), bytes(64))
`,
      [gala.path, root],
    );
  }, 60_000);

  it("gives the golden train-ws scores (shared/data README §1)", async () => {
    const result = await run([
      "evaluate",
      join(root, "train-ws.lzf.h5"),
      join(root, "train-gt.lzf.h5"),
      "--dataset",
      "stack",
    ]);
    expect(result.error).toBeUndefined();
    expect(result.stderr).toBe("");
    const scores = JSON.parse(result.stdout) as Record<string, number>;
    expect(Math.abs(scores.voiSplit - 1.335565)).toBeLessThan(1e-4);
    expect(Math.abs(scores.voiMerge - 0.121189)).toBeLessThan(1e-4);
    expect(Math.abs(scores.are - 0.249631)).toBeLessThan(1e-4);
    expect(Math.abs(scores.cremiScore - 0.603034)).toBeLessThan(1e-4);
  });

  it("an unavailable filter: a typed error naming file, dataset and filter; nothing printed, no HDF5 noise", async () => {
    const gt = join(root, "blosc.h5");
    const result = await run(["evaluate", join(root, "train-ws.lzf.h5"), gt, "--dataset", "stack"]);
    expect(result.error).toBeInstanceOf(UnsupportedHdf5FilterError);
    expect((result.error as TesseraError).exitStatus).toBe(2);
    expect((result.error as TesseraError).path).toBe(gt);
    expect(result.stdout).toBe("");
    expect(result.stderr).toBe("");
  });

  it("the built binary prints that error as one line on stderr and exits 2", () => {
    assertFreshBinary();
    const gt = join(root, "blosc.h5");
    const result = segmentBin(
      ["evaluate", join(root, "train-ws.lzf.h5"), gt, "--dataset", "stack"],
      tmp.path,
    );
    expect(result.status).toBe(2);
    expect(result.stdout).toBe("");
    const lines = result.stderr.split("\n").filter((line) => line.trim() !== "");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^tessera-segment: UnsupportedHdf5FilterError: /);
    expect(lines[0]).toContain("HDF5 filter blosc(32001) is not available");
    expect(lines[0]).toContain(gt);
    expect(lines[0]).toContain('dataset "stack"');
    expect(result.stderr).not.toMatch(/HDF5-DIAG/);
  });
});

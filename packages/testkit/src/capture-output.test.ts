import { describe, expect, it } from "vitest";
import { captureOutput } from "./capture-output.js";

describe("captureOutput", () => {
  it("captures both streams and the exit status, and restores them even when the run throws", async () => {
    const before = process.stdout.write;
    const r = await captureOutput(async () => {
      process.stdout.write("out 1\n");
      process.stderr.write("err\n");
      process.exitCode = 2;
    });
    expect(r).toEqual({ status: 2, stdout: "out 1\n", stderr: "err\n" });
    expect(process.stdout.write).toBe(before);
    expect(process.exitCode).toBeUndefined();
    await expect(
      captureOutput(async () => {
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    expect(process.stdout.write).toBe(before);
  });
});

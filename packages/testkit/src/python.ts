import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { requireData } from "./shared-data.js";

/** Debian's interpreter, which carries python3-zarr, -scipy, -skimage, -h5py. */
export const systemPython = "/usr/bin/python3";

/**
 * Whether `/usr/bin/python3` can import every module in `modules`. When it cannot, tests that use
 * the reference implementation warn and skip, or fail under `TESSERA_REQUIRE_DATA=1` (CI installs
 * the Debian packages).
 */
export function pythonHas(...modules: string[]): boolean {
  const ok =
    existsSync(systemPython) &&
    spawnSync(systemPython, ["-c", modules.map((m) => `import ${m}`).join("; ")], { stdio: "ignore" })
      .status === 0;
  if (!ok) {
    const message = `${systemPython} lacks ${modules.join(", ")} (apt-get install python3-zarr python3-h5py ...)`;
    if (requireData) throw new Error(`${message}; TESSERA_REQUIRE_DATA=1 forbids skipping`);
    console.warn(`\n!!! SKIPPING: ${message}\n`);
  }
  return ok;
}

/**
 * Run a python script with `/usr/bin/python3`, passing `args`; returns stdout, throws with stderr
 * when the script fails.
 */
export function runPython(script: string, args: string[] = []): string {
  const result = spawnSync(systemPython, ["-c", script, ...args], {
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
  });
  if (result.status !== 0) {
    throw new Error(`python failed (exit ${result.status}): ${result.stderr}`);
  }
  return result.stdout;
}

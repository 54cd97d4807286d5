// The built `tessera-volume` refuses nonsense options up front (exit 2, one line), and each command's
// help has examples. Runs dist/bin.js as a subprocess.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { pythonHas, runPython, sharedData, tempDir } from "@tessera/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assertVolumeCliBuilt, outcome, volumeBin, volumeCli } from "../test/volume-cli.js";

const tmp = tempDir();
afterAll(tmp.cleanup);
beforeAll(assertVolumeCliBuilt);

const gala = sharedData("em/gala");
const image = join(gala.path, "zarr", "train-image.zarr");
const imageH5 = join(gala.path, "train-image.h5");
/** sha256 of train-image's C-order bytes, from the shared data README (computed there with numpy). */
const IMAGE_SHA256 = "ec9c2b745765f010ac057066d158e55962772c3e4829f1124cc71ab2b1f16c65";

/** The one-line report of an option commander's parser refused, as runCli prints it. */
function usage(command: string, option: string, value: string, expected: string): string {
  return `tessera-volume: UsageError: option '${option}' argument '${value}' is invalid. ${expected}, got "${value}" (see \`tessera-volume ${command} --help\`)\n`;
}

describe("tessera-volume --help", () => {
  it("the bare program prints its help on stdout, exit 0", () => {
    const result = volumeCli([]);
    expect(result.status).toBe(0);
    expect(result.stderr).toBe("");
    expect(result.stdout).toMatch(/^Usage: tessera-volume /);
  });

  it.each([
    [[], "tessera volume import"],
    [["info"], "tessera volume info "],
    [["import"], "tessera volume import "],
    [["export-png"], "tessera volume export-png "],
  ])("%j --help has an Examples section with `%s …`", (command, example) => {
    const result = volumeCli([...command, "--help"]);
    expect(result.status).toBe(0);
    expect(result.stderr).toBe("");
    const examples = result.stdout.split("\nExamples:\n")[1] ?? "";
    expect(examples.split("\n").filter((l) => l.startsWith(`  $ ${example}`)).length).toBeGreaterThan(0);
  });
});

describe("tessera-volume import options", () => {
  it.each([
    ["--resolution", "-10,10,10", "expected 3 positive numbers like 40,4,4"],
    ["--resolution", "0,4,4", "expected 3 positive numbers like 40,4,4"],
    ["--resolution", "40,4", "expected 3 positive numbers like 40,4,4"],
    ["--offset", "0,a,0", "expected 3 numbers like 0,0,0"],
    ["--chunks", "0,16,16", "expected integers ≥ 1 like 16,256,256"],
    [
      "--compressor",
      "zlib:x",
      "expected none, zlib[:level], gzip[:level] or blosc[:level] with a level from 0 to 9, like zlib:5",
    ],
    [
      "--compressor",
      "lz4",
      "expected none, zlib[:level], gzip[:level] or blosc[:level] with a level from 0 to 9, like zlib:5",
    ],
  ])("%s %s: UsageError, exit 2, nothing written", (option, value, expected) => {
    const cwd = join(tmp.path, `opt-${option.slice(2)}-${readdirSync(tmp.path).length}`);
    mkdirSync(cwd);
    const result = volumeCli(["import", imageH5, "out.zarr", option, value], cwd);
    const placeholder =
      { "--resolution": "<z,y,x>", "--offset": "<z,y,x>", "--chunks": "<z,y,x>" }[option] ?? "<id[:level]>";
    expect(outcome(result)).toEqual({
      status: 2,
      stdout: "",
      stderr: usage("import", `${option} ${placeholder}`, value, expected),
    });
    expect(readdirSync(cwd)).toEqual([]);
  });

  it.skipIf(!gala.available)("a valid --resolution and --offset are stored in .zattrs", () => {
    const output = join(tmp.path, "resolution.zarr");
    const result = volumeCli(["import", imageH5, output, "--resolution", "40,4.5,4", "--offset", "-8,0,16"]);
    expect(result.status, result.stderr).toBe(0);
    const attrs = JSON.parse(readFileSync(join(output, ".zattrs"), "utf8"));
    expect([attrs.resolution, attrs.offset]).toEqual([
      [40, 4.5, 4],
      [-8, 0, 16],
    ]);
  });
});

/** The compressor config and the sha256 of the C-order bytes of a zarr array, read by python zarr. */
function pythonRead(path: string): { compressor: unknown; sha256: string } {
  const script = `
import sys, json, hashlib, zarr, numpy as np
a = zarr.open(sys.argv[1], mode="r")
print(json.dumps({"compressor": a.compressor.get_config() if a.compressor else None,
                  "sha256": hashlib.sha256(np.ascontiguousarray(a[...]).tobytes()).hexdigest()}))
`;
  return JSON.parse(runPython(script, [path]));
}

describe.skipIf(!gala.available || !pythonHas("zarr", "numcodecs"))(
  "tessera-volume import --compressor",
  () => {
    it.each([
      ["blosc:5", { id: "blosc", cname: "lz4", clevel: 5, shuffle: 1, blocksize: 0 }],
      ["gzip:1", { id: "gzip", level: 1 }],
      ["none", null],
    ])(
      "--compressor %s: the process exits; python zarr reads the codec and the source's data",
      (value, codec) => {
        const output = join(tmp.path, `compressor-${value.replace(":", "-")}.zarr`);
        const args = [volumeBin, "import", imageH5, output, "--compressor", value];
        const result = spawnSync(process.execPath, args, { encoding: "utf8", timeout: 30_000 });
        expect(result.signal, "still running after 30 s").toBeNull();
        expect(result.status, result.stderr).toBe(0);
        expect(pythonRead(output)).toEqual({ compressor: codec, sha256: IMAGE_SHA256 });
      },
    );
  },
);

describe.skipIf(!gala.available)("tessera-volume export-png --z and --window", () => {
  it.each([["5:2"], ["abc"], ["-1:3"], ["2.5:4"]])("--z %s: UsageError, exit 2, no folder", (value) => {
    const folder = join(tmp.path, `z-${value}`);
    const result = volumeCli(["export-png", image, folder, "--z", value]);
    expect(outcome(result)).toEqual({
      status: 2,
      stdout: "",
      stderr: usage(
        "export-png",
        "--z <start:stop>",
        value,
        "expected a range start:stop with start < stop like 0:16",
      ),
    });
    expect(existsSync(folder)).toBe(false);
  });

  it("--z past the volume's depth: BoxOutOfBoundsError naming the z extent, exit 2, no folder", () => {
    const folder = join(tmp.path, "z-past");
    const result = volumeCli(["export-png", image, folder, "--z", "40:51"]);
    expect(outcome(result)).toEqual({
      status: 2,
      stdout: "",
      stderr: `tessera-volume: BoxOutOfBoundsError: z range outside the volume; path: ${image}; field: z range (--z); expected: start:stop with 0 ≤ start < stop ≤ 50 (the volume's z extent is 0:50); found: 40:51\n`,
    });
    expect(existsSync(folder)).toBe(false);
  });

  it("--window with low ≥ high: InvalidInputError, exit 2; a bad --window value: UsageError", () => {
    const folder = join(tmp.path, "window");
    const p1 = join(gala.path, "zarr", "train-p1.zarr");
    expect(outcome(volumeCli(["export-png", p1, folder, "--window", "1,0"]))).toEqual({
      status: 2,
      stdout: "",
      stderr: `tessera-volume: InvalidInputError: invalid value window; path: ${p1}; field: window (--window); expected: low,high with low < high, like 0,255; found: 1,0\n`,
    });
    expect(outcome(volumeCli(["export-png", p1, folder, "--window", "0"]))).toEqual({
      status: 2,
      stdout: "",
      stderr: usage("export-png", "--window <low,high>", "0", "expected 2 numbers like 0,255"),
    });
    expect(existsSync(folder)).toBe(false);
  });

  it.skipIf(!pythonHas("zarr", "PIL"))(
    "--z 48:50 writes exactly z0048.png and z0049.png, equal to python zarr's slices",
    () => {
      const folder = join(tmp.path, "z-last");
      const result = volumeCli(["export-png", image, folder, "--z", "48:50"]);
      expect(outcome(result)).toEqual({ status: 0, stdout: `wrote 2 PNG files to ${folder}\n`, stderr: "" });
      expect(readdirSync(folder)).toEqual(["z0048.png", "z0049.png"]);
      const same = runPython(
        `
import sys, zarr, numpy as np
from PIL import Image
a = zarr.open(sys.argv[1], mode="r")
print(all(np.array_equal(np.asarray(Image.open(f"{sys.argv[2]}/z{z:04d}.png")), a[z]) for z in (48, 49)))
`,
        [image, folder],
      );
      expect(same.trim()).toBe("True");
    },
  );
});

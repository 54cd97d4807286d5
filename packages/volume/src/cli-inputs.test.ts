// The built `tessera-volume` names what is wrong with an input in one line (exit 2): a missing path,
// a file that is not HDF5 (checked before h5wasm sees it, so no HDF5-DIAG noise), a missing HDF5
// dataset, an HDF5 file where a zarr array is needed (with the command that converts it).
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pythonHas, runPython, sharedData, tempDir } from "@tessera/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assertVolumeCliBuilt, outcome, volumeCli } from "../test/volume-cli.js";

const tmp = tempDir();
afterAll(tmp.cleanup);
beforeAll(assertVolumeCliBuilt);

const gala = sharedData("em/gala");
const imageH5 = join(gala.path, "train-image.h5");
/** sha256 of train-image's C-order bytes, from the shared data README (computed there with numpy). */
const IMAGE_SHA256 = "ec9c2b745765f010ac057066d158e55962772c3e4829f1124cc71ab2b1f16c65";

/** A fresh empty folder under the test's temp folder. */
function folder(name: string): string {
  const path = join(tmp.path, name);
  mkdirSync(path);
  return path;
}

/** dtype, shape and sha256 of the C-order bytes of the zarr array at `path`, read by python zarr. */
function zarrDigest(path: string): string {
  return runPython(
    `
import sys, hashlib, zarr, numpy as np
a = zarr.open(sys.argv[1], mode="r")
print(a.dtype, ",".join(map(str, a.shape)), hashlib.sha256(np.ascontiguousarray(a[...]).tobytes()).hexdigest())
`,
    [path],
  ).trim();
}

describe("missing paths say not found", () => {
  it("info of a path that does not exist: PathNotFoundError, exit 2", () => {
    const missing = join(tmp.path, "does", "not", "exist.zarr");
    expect(outcome(volumeCli(["info", missing]))).toEqual({
      status: 2,
      stdout: "",
      stderr: `tessera-volume: PathNotFoundError: path not found; path: ${missing}; expected: a zarr v2 array (a folder with .zarray); found: nothing at this path\n`,
    });
  });

  it("import of a source that does not exist: PathNotFoundError, exit 2, no output", () => {
    const cwd = folder("missing-source");
    expect(outcome(volumeCli(["import", "nope.h5", "out.zarr"], cwd))).toEqual({
      status: 2,
      stdout: "",
      stderr:
        "tessera-volume: PathNotFoundError: stack source not found; path: nope.h5; expected: a folder of PNG/TIFF sections, a multi-page .tif/.tiff, or an .h5/.hdf5 file; found: nothing at this path\n",
    });
    expect(existsSync(join(cwd, "out.zarr"))).toBe(false);
  });

  it("a folder without .zarray stays NotAZarrArrayError (naming the arrays inside when there are some)", () => {
    const empty = folder("no-zarray");
    expect(outcome(volumeCli(["info", empty]))).toEqual({
      status: 2,
      stdout: "",
      stderr: `tessera-volume: NotAZarrArrayError: not a zarr v2 array; path: ${empty}; field: .zarray; expected: a zarr v2 array (a folder with .zarray); found: a folder without .zarray\n`,
    });
    const parent = join(gala.path, "zarr");
    expect(volumeCli(["info", parent]).stderr).toBe(
      `tessera-volume: NotAZarrArrayError: not a zarr v2 array; path: ${parent}; field: .zarray; expected: a zarr v2 array (a folder with .zarray); found: a folder without .zarray that holds the zarr arrays train-gt-edgechunks.zarr, train-gt.zarr, train-image.zarr, train-p1.zarr, train-ws.zarr\n`,
    );
  });
});

describe("files that are not HDF5", () => {
  it("a text file named x.h5: one NotAnHdf5FileError line naming the file, exit 2, no HDF5-DIAG, no output", () => {
    const cwd = folder("text-h5");
    writeFileSync(join(cwd, "x.h5"), "hello\n");
    const result = volumeCli(["import", "x.h5", "x.zarr"], cwd);
    expect(outcome(result)).toEqual({
      status: 2,
      stdout: "",
      stderr:
        'tessera-volume: NotAnHdf5FileError: not an HDF5 file; path: x.h5; expected: an HDF5 file (signature \\x89HDF\\r\\n\\x1a\\n at byte 0, 512, 1024, 2048, …); found: a 6-byte file starting "hello\\n" and no HDF5 signature\n',
    });
    expect(readdirSync(cwd).sort()).toEqual(["x.h5", "x.zarr.log"]);
  });

  it("binary junk and an empty file named .h5 are refused the same way", () => {
    const cwd = folder("junk-h5");
    writeFileSync(join(cwd, "junk.h5"), Buffer.from([0, 1, 2, 0xff, 0x89, 0x48, 0x44, 0x46, 9, 9]));
    writeFileSync(join(cwd, "empty.h5"), "");
    const junk = volumeCli(["import", "junk.h5", "junk.zarr"], cwd);
    expect(junk.status).toBe(2);
    expect(junk.stderr).toBe(
      "tessera-volume: NotAnHdf5FileError: not an HDF5 file; path: junk.h5; expected: an HDF5 file (signature \\x89HDF\\r\\n\\x1a\\n at byte 0, 512, 1024, 2048, …); found: a 10-byte file starting 00 01 02 ff 89 48 44 46 (hex) and no HDF5 signature\n",
    );
    const empty = volumeCli(["import", "empty.h5", "empty.zarr"], cwd);
    expect(empty.status).toBe(2);
    expect(empty.stderr).toMatch(
      /^tessera-volume: NotAnHdf5FileError: not an HDF5 file; path: empty\.h5; .*found: an empty file\n$/,
    );
  });

  it("the HDF5 signature followed by garbage: one Hdf5FormatError line from the library, no HDF5-DIAG", () => {
    const cwd = folder("fake-h5");
    const bytes = Buffer.alloc(4096, 0x5a);
    Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]).copy(bytes, 0);
    writeFileSync(join(cwd, "fake.h5"), bytes);
    const result = volumeCli(["import", "fake.h5", "fake.zarr"], cwd);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(
      /^tessera-volume: Hdf5FormatError: HDF5 file cannot be opened; path: fake\.h5; [^\n]*\n$/,
    );
    expect(result.stderr).not.toContain("HDF5-DIAG");
    expect(existsSync(join(cwd, "fake.zarr"))).toBe(false);
  });
});

describe.skipIf(!gala.available || !pythonHas("h5py", "zarr"))("HDF5 datasets", () => {
  let userBlock = "";
  let userBlockDigest = "";
  beforeAll(() => {
    userBlock = join(tmp.path, "user-block.bin");
    // a 1024-byte user block puts the signature at byte 1024; the name has no HDF5 extension
    userBlockDigest = runPython(
      `
import sys, hashlib, h5py, numpy as np
a = (np.arange(3 * 20 * 30, dtype="u4") * 2654435761 % 65521).astype("u2").reshape(3, 20, 30)
with h5py.File(sys.argv[1], "w", userblock_size=1024) as f:
    f["stack"] = a
    f["labels/ids"] = np.zeros((3, 20, 30), "u4")
print("uint16 3,20,30", hashlib.sha256(a.tobytes()).hexdigest())
`,
      [userBlock],
    ).trim();
  });

  it("a missing dataset: one line naming the file, the dataset and the datasets there, exit 2", () => {
    const cwd = folder("missing-dataset");
    expect(outcome(volumeCli(["import", imageH5, "out.zarr", "--dataset", "raw"], cwd))).toEqual({
      status: 2,
      stdout: "",
      stderr: `tessera-volume: InvalidInputError: HDF5 dataset "raw" not found; path: ${imageH5}; field: dataset; expected: one of stack; found: "raw"\n`,
    });
    expect(existsSync(join(cwd, "out.zarr"))).toBe(false);
    expect(volumeCli(["import", userBlock, "out.zarr"], cwd).stderr).toBe(
      `tessera-volume: InvalidInputError: HDF5 file has several datasets: choose one (--dataset); path: ${userBlock}; field: dataset; expected: one of labels/ids, stack; found: no dataset name\n`,
    );
  });

  it("a file with a user block and no .h5 extension is recognised by its signature and imported", () => {
    const output = join(tmp.path, "user-block.zarr");
    const result = volumeCli(["import", userBlock, output, "--dataset", "stack"]);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stderr).toBe("");
    expect(zarrDigest(output)).toBe(userBlockDigest);
  });

  it("--dataset with a source that is not HDF5: InvalidInputError, exit 2", () => {
    const sections = folder("sections-with-dataset");
    expect(outcome(volumeCli(["import", sections, join(tmp.path, "s.zarr"), "--dataset", "stack"]))).toEqual({
      status: 2,
      stdout: "",
      stderr: `tessera-volume: InvalidInputError: a dataset name applies to HDF5 sources only; path: ${sections}; field: dataset (--dataset); expected: an HDF5 source, or no dataset name; found: a folder of sections\n`,
    });
  });

  it("an HDF5 file where a zarr array is needed: NotAZarrArrayError with the convert command, which works", () => {
    const cwd = folder("convert");
    const info = volumeCli(["info", imageH5], cwd);
    const command = `tessera volume import ${imageH5} train-image.zarr --dataset stack`;
    expect(outcome(info)).toEqual({
      status: 2,
      stdout: "",
      stderr: `tessera-volume: NotAZarrArrayError: not a zarr v2 array but an HDF5 file: convert it with \`${command}\`; path: ${imageH5}; expected: a zarr v2 array (a folder with .zarray); found: an HDF5 file (datasets: stack)\n`,
    });
    // run the suggested command (tessera volume → this package's bin), then the first one again
    const hinted = /`tessera volume (.*?)`/.exec(info.stderr)?.[1].split(" ") ?? [];
    const converted = volumeCli(hinted, cwd);
    expect(converted.status, converted.stderr).toBe(0);
    expect(zarrDigest(join(cwd, "train-image.zarr"))).toBe(`uint8 50,100,200 ${IMAGE_SHA256}`);
    expect(volumeCli(["info", "train-image.zarr"], cwd).status).toBe(0);
    // several datasets: the command names --dataset <name> and the error lists them
    expect(volumeCli(["info", userBlock], cwd).stderr).toBe(
      `tessera-volume: NotAZarrArrayError: not a zarr v2 array but an HDF5 file: convert it with \`tessera volume import ${userBlock} user-block.zarr --dataset <name>\`; path: ${userBlock}; expected: a zarr v2 array (a folder with .zarray); found: an HDF5 file (datasets: labels/ids, stack)\n`,
    );
  });
});

// Gala train and neuroproof sample 2 cut in two halves along one axis, for the learned-agglomeration
// benches (learned-agglomeration.mjs, contested-contacts.mjs).
import { join, resolve } from "node:path";

const root = resolve(import.meta.dirname, "../../..");

/**
 * The segment dist module and the halves chosen on the command line (`value(flag, fallback)` reads
 * it): --data gala|neuroproof, --split z|y|x, --fragments (default `fragmentsDefault`).
 */
export async function halvesFromArguments(value, fragmentsDefault) {
  const S = await import(join(root, "packages/segment/dist/index.js"));
  const V = await import(join(root, "packages/volume/dist/index.js"));
  const shared = process.env.TESSERA_SHARED_DATA ?? resolve(root, "../shared/data");
  const dataset = value("--data", "gala");
  const splitAxis = value("--split", "z");
  if (!["z", "y", "x"].includes(splitAxis))
    throw new Error(`--split: expected z, y or x, found ${splitAxis}`);
  const fragmentsKind = value("--fragments", fragmentsDefault);
  return {
    S,
    dataset,
    fragmentsKind,
    halves: await loadHalves({ S, V, shared, dataset, splitAxis, fragmentsKind }),
  };
}

/** Lower (k = 0) or upper half of `data` ([z, y, x] of `full`) along `axis`; the upper gets the odd voxel. */
function halfOf(data, full, axis, k) {
  const splitAxis = "zyx"[axis];
  const cut = Math.floor(full[axis] / 2);
  const shape = full.map((n, d) => (d === axis ? (k === 0 ? cut : n - cut) : n));
  const [Z, Y, X] = shape;
  const out = new data.constructor(Z * Y * X);
  const [oz, oy, ox] = full.map((_, d) => (d === axis && k === 1 ? cut : 0));
  for (let z = 0; z < Z; z++) {
    for (let y = 0; y < Y; y++) {
      const from = ((z + oz) * full[1] + y + oy) * full[2] + ox;
      out.set(data.subarray(from, from + X), (z * Y + y) * X);
    }
  }
  return { shape, data: out, name: `${splitAxis}${k === 0 ? 0 : cut}-${k === 0 ? cut - 1 : full[axis] - 1}` };
}

/**
 * Both halves of a volume split along `splitAxis` (z, y or x): name, shape, fragments, boundaries
 * (1 = membrane), gt, raw. `dataset`: gala (train; `fragmentsKind` ws = its train-ws, default = the
 * default pipeline's fragments, watershed = minima seeds with minSize 20) or neuroproof (sample 2:
 * its supervoxels, its inverted grayscale as the boundary map). `S`, `V`: the segment and volume
 * dist modules; `shared`: the shared data folder.
 */
export async function loadHalves({ S, V, shared, dataset, splitAxis, fragmentsKind }) {
  const axis = "zyx".indexOf(splitAxis);
  if (dataset === "neuroproof") {
    // neuroproof sample 2 has no boundary probabilities: the inverted grayscale stands in (membranes
    // are dark), its supervoxels are the fragments
    const dir = join(shared, "em/neuroproof-sample2");
    const gtVolume = await V.readHdf5Dataset(join(dir, "groundtruth.h5"), "stack");
    const overseg = (await V.readHdf5Dataset(join(dir, "overseg.h5"), "stack")).data;
    const full = gtVolume.shape;
    const [Z, Y, X] = full;
    const gray = new Uint8Array(Z * Y * X);
    for (let z = 0; z < Z; z++) {
      const page = await V.readPng(join(dir, "grayscale", `iso.${2600 + z}.png`));
      gray.set(page.data, z * Y * X);
    }
    return [0, 1].map((k) => {
      const raw = halfOf(gray, full, axis, k);
      return {
        name: raw.name,
        shape: raw.shape,
        boundaries: Float32Array.from(raw.data, (g) => 1 - g / 255),
        gt: Uint32Array.from(halfOf(gtVolume.data, full, axis, k).data),
        raw: raw.data,
        fragments: Uint32Array.from(halfOf(overseg, full, axis, k).data),
      };
    });
  }
  const read = async (name) => (await V.readHdf5Dataset(join(shared, "em/gala", `${name}.h5`), "stack")).data;
  const full = [50, 100, 200];
  const p1 = await read("train-p1");
  const gt = await read("train-gt");
  const image = await read("train-image");
  const ws = await read("train-ws");
  return [0, 1].map((k) => {
    const boundaries = halfOf(p1, full, axis, k);
    // "default": what the default pipeline makes (distance seeds); "watershed": minima seeds, minSize 20
    const options =
      fragmentsKind === "default"
        ? S.fragmentsOptionsSchema.parse({})
        : { method: "seeded", seeds: "minima", minSize: 20 };
    return {
      name: boundaries.name,
      shape: boundaries.shape,
      boundaries: boundaries.data,
      gt: Uint32Array.from(halfOf(gt, full, axis, k).data),
      raw: halfOf(image, full, axis, k).data,
      fragments:
        fragmentsKind === "ws"
          ? Uint32Array.from(halfOf(ws, full, axis, k).data)
          : S.fragmentsFromBoundaries(boundaries.data, boundaries.shape, options).fragments,
    };
  });
}

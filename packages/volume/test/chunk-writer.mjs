// Child process for the atomic-write and concurrency tests (uses the built package).
// usage: node chunk-writer.mjs <volume> rewrite           — rewrite every chunk forever with one value per pass
//        node chunk-writer.mjs <volume> slabs <parity> <n> — write z-slabs z ≡ parity (mod 2), n passes
import { Box, openVolume } from "../dist/index.js";

const [path, mode, arg1, arg2] = process.argv.slice(2);
const volume = await openVolume(path);
const [depth, height, width] = volume.shape;
if (mode === "rewrite") {
  for (let pass = 1; ; pass++) {
    const value = pass % 250;
    await volume.write(volume.bounds, new Uint8Array(volume.bounds.size).fill(value));
    process.stdout.write(`${pass}\n`);
  }
} else if (mode === "slabs") {
  const parity = Number(arg1);
  const passes = Number(arg2);
  for (let pass = 0; pass < passes; pass++) {
    for (let z = parity; z < depth; z += 2) {
      const box = new Box([z, 0, 0], [z + 1, height, width]);
      await volume.write(box, new Uint8Array(box.size).fill(z + 1));
    }
  }
}

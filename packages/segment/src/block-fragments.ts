import { openVolume, writeFileAtomic } from "@tessera/volume";
import { faceContinuity, faceFile } from "./block-faces.js";
import { asScalar, type BlockSummary, idOffset, runGrid, shape3, withBlock } from "./block-run.js";
import type { SegmentRun } from "./options.js";
import { fragmentsFromBoundaries, scaleBoundaries } from "./pipeline.js";

/**
 * Fragments of block `id`: read the block plus context from the boundary map, run the watershed,
 * keep the write block, give its fragments globally unique ids (`id · blockVoxels + local id`) and
 * write them.
 */
export async function runFragmentsBlock(run: SegmentRun, id: number): Promise<BlockSummary> {
  return withBlock(id, run.fragments, async () => {
    const started = performance.now();
    const { grid, boundaries } = await runGrid(run);
    const block = grid.block(id);
    const p = scaleBoundaries(
      asScalar((await boundaries.read(block.readBox)).data, run.boundaries),
      run.boundary,
    );
    const readShape = shape3(block.readBox);
    const { fragments } = fragmentsFromBoundaries(p, readShape, run.fragmentsOptions);
    const out = await openVolume(run.fragments);
    const [wz, wy, wx] = block.writeBox.shape;
    const o = block.writeBox.begin.map((b, i) => b - block.readBox.begin[i]);
    const [, RY, RX] = readShape;
    const offset = idOffset(grid, id);
    // local ids → consecutive within the write block, then offset
    const local = new Map<number, number>();
    const ids = new Float64Array(wz * wy * wx);
    let k = 0;
    for (let z = 0; z < wz; z++) {
      for (let y = 0; y < wy; y++) {
        const row = ((z + o[0]) * RY + y + o[1]) * RX + o[2];
        for (let x = 0; x < wx; x++) {
          const f = fragments[row + x];
          if (f === 0) {
            ids[k++] = 0;
            continue;
          }
          let g = local.get(f);
          if (g === undefined) {
            g = offset + local.size + 1;
            local.set(f, g);
          }
          ids[k++] = g;
        }
      }
    }
    const data = out.dtype === "uint64" ? BigUint64Array.from(ids, (v) => BigInt(v)) : Uint32Array.from(ids);
    await out.write(block.writeBox, data);
    await writeFileAtomic(
      faceFile(run, id),
      faceContinuity(fragments, readShape, block.readBox, block.writeBox, grid),
    );
    return {
      block: id,
      voxels: ids.length,
      count: local.size,
      seconds: (performance.now() - started) / 1000,
    };
  });
}

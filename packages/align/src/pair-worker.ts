import { type PairMapOptions, type PairResult, pairMap } from "./pair-map.js";

/** A pair of raw sections and the options, as the worker receives them. */
export interface PairTask {
  fixed: Float32Array;
  moving: Float32Array;
  width: number;
  height: number;
  options: PairMapOptions;
}

/** Worker task of the pair pool: one pair map (see `pairMap`). */
export default function pairTask(task: PairTask): PairResult {
  return pairMap(
    { data: task.fixed, width: task.width, height: task.height },
    { data: task.moving, width: task.width, height: task.height },
    task.options,
  );
}

import { CycleError, InvalidFieldError, UnknownParentError } from "./errors.js";
import type { TaskSpec } from "./types.js";

/** A batch in insertion order: `order[i]` is an index into the specs; parents resolved to ids or earlier positions. */
export interface BatchPlan {
  order: number[];
  parentIds: number[][];
  parentPositions: number[][];
}

/**
 * Order a batch so that every parent comes before its children, resolving `key` references.
 * Throws {@link CycleError} (naming the cycle), {@link UnknownParentError} or
 * {@link InvalidFieldError} for duplicate keys.
 */
export function planBatch(specs: readonly TaskSpec[]): BatchPlan {
  const keyIndex = new Map<string, number>();
  let hasKeyParents = false;
  specs.forEach((s, i) => {
    if (s.key !== undefined) {
      if (keyIndex.has(s.key))
        throw new InvalidFieldError(`tasks[${i}].key`, "a key unique in the batch", s.key);
      keyIndex.set(s.key, i);
    }
    for (const p of s.parents ?? []) {
      if (typeof p === "string") hasKeyParents = true;
      else if (!Number.isInteger(p) || p <= 0) {
        throw new InvalidFieldError(
          `tasks[${i}].parents`,
          "task ids (positive integers) or batch keys",
          String(p),
        );
      }
    }
  });
  const batchParents: number[][] = specs.map((s) =>
    (s.parents ?? [])
      .filter((p): p is string => typeof p === "string")
      .map((k) => {
        const index = keyIndex.get(k);
        if (index === undefined) throw new UnknownParentError(k);
        return index;
      }),
  );
  const parentIds = specs.map((s) => (s.parents ?? []).filter((p): p is number => typeof p === "number"));
  if (!hasKeyParents) {
    return { order: specs.map((_, i) => i), parentIds, parentPositions: specs.map(() => []) };
  }
  // Kahn's algorithm over batch-internal edges, stable in input order.
  const children: number[][] = specs.map(() => []);
  const indegree = batchParents.map((ps) => ps.length);
  batchParents.forEach((ps, child) => {
    for (const p of ps) children[p].push(child);
  });
  const order: number[] = [];
  const queue = indegree.flatMap((d, i) => (d === 0 ? [i] : []));
  for (let head = 0; head < queue.length; head++) {
    const i = queue[head];
    order.push(i);
    for (const c of children[i]) if (--indegree[c] === 0) queue.push(c);
  }
  if (order.length < specs.length) throw new CycleError(findCycle(specs, batchParents, indegree));
  const position = new Array<number>(specs.length);
  order.forEach((specIndex, pos) => {
    position[specIndex] = pos;
  });
  return {
    order,
    parentIds: order.map((i) => parentIds[i]),
    parentPositions: order.map((i) => batchParents[i].map((p) => position[p])),
  };
}

function findCycle(specs: readonly TaskSpec[], parents: number[][], indegree: number[]): string[] {
  const name = (i: number) => specs[i].key ?? `#${i}`;
  const start = indegree.findIndex((d) => d > 0);
  const seen = new Map<number, number>();
  const path: number[] = [];
  let cur = start;
  while (!seen.has(cur)) {
    seen.set(cur, path.length);
    path.push(cur);
    cur = parents[cur].find((p) => indegree[p] > 0) ?? cur;
  }
  const cycle = path.slice(seen.get(cur));
  return [...cycle, cur].reverse().map(name);
}

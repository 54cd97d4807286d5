import type { SpawnReport, SpawnRequest } from "./spawner.js";

/** A {@link SpawnRequest} with the id its reports carry. */
export type ChildRequest = SpawnRequest & { id: number };

/** Start one child and report on it (see spawn-child.js). */
export function startChild(request: ChildRequest, send: (report: SpawnReport & { id: number }) => void): void;

/** What a spawner reports about one child. */
export type SpawnReport =
  | { type: "spawned"; pid: number }
  | { type: "error"; message: string; code: string }
  | { type: "exit"; code: number | null; signal: string | null }
  /**
   * The spawner died while the child ran (or before it confirmed the start), so its exit status can
   * never be known; `pid` is the child's, when it had been reported.
   */
  | { type: "lost"; pid: number | null; message: string };

/** A request to start one child: `argv` (no shell) in its own process group, stdout/stderr to files. */
export interface SpawnRequest {
  argv: string[];
  cwd: string;
  env: Record<string, string | undefined>;
  /** Files the child's stdout and stderr go to (created or truncated). */
  stdoutPath: string;
  stderrPath: string;
}

/**
 * Starts subprocesses for the launcher: `spawn` reports `spawned` then `exit`, or `error`, or `lost`.
 * Implementations: {@link HelperSpawner} (a persistent helper process, the default) and
 * {@link ThreadSpawner} (threads of the launcher's own process).
 */
export interface Spawner {
  /** Start a child; `onReport` gets `spawned` then `exit`, or `error`, or `lost` (at any time). */
  spawn(request: SpawnRequest, onReport: (r: SpawnReport) => void): void;
  /** Stop the spawner (children keep running: they are in their own process groups). */
  close(): Promise<void>;
}

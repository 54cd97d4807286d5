import { SingleBar } from "cli-progress";

/** A terminal progress bar on stderr (silent when stderr is not a terminal). */
export interface ProgressBar {
  /** Set progress to `done` of `total`, with an optional note after the timing (e.g. the loss). */
  update(done: number, total: number, note?: string): void;
  /** Remove the bar. */
  stop(): void;
}

/** Start a progress bar labelled `label` (e.g. `import`); `unit` names what is counted. */
export function startProgressBar(label: string, unit = "items"): ProgressBar {
  const bar = new SingleBar({
    format: `${label} [{bar}] {percentage}% | {value}/{total} ${unit} | {duration_formatted} elapsed, eta {eta_formatted}{note}`,
    stream: process.stderr,
    hideCursor: true,
    clearOnComplete: false,
  });
  let started = false;
  return {
    update(done, total, note) {
      const payload = { note: note ? ` | ${note}` : "" };
      if (!started) {
        bar.start(total, 0, payload);
        started = true;
      }
      bar.setTotal(total);
      bar.update(done, payload);
    },
    stop() {
      if (started) bar.stop();
    },
  };
}

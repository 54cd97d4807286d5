/** What a command run in this process wrote and the exit status it set. */
export interface CapturedRun {
  status: number;
  stdout: string;
  stderr: string;
}

/**
 * Run `run` (typically `runCli(program, argv)`) with `process.stdout.write` and
 * `process.stderr.write` captured and `process.exitCode` cleared; returns what it wrote and the exit
 * status it set (0 when none), then restores all three. For command tests that run in the test's
 * process instead of spawning one.
 */
export async function captureOutput(run: () => Promise<unknown>): Promise<CapturedRun> {
  const captured = { stdout: "", stderr: "" };
  const writeOut = process.stdout.write;
  const writeErr = process.stderr.write;
  process.stdout.write = ((chunk: string | Uint8Array) => {
    captured.stdout += String(chunk);
    return true;
  }) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => {
    captured.stderr += String(chunk);
    return true;
  }) as typeof process.stderr.write;
  const saved = process.exitCode;
  process.exitCode = undefined;
  try {
    await run();
    return { ...captured, status: Number(process.exitCode ?? 0) };
  } finally {
    process.exitCode = saved;
    process.stdout.write = writeOut;
    process.stderr.write = writeErr;
  }
}

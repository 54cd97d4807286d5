/**
 * Exit statuses shared by every `tessera` command (documented in the root README):
 *
 * | code | meaning |
 * | ---: | --- |
 * | 0 | success (also `--help`, `--version` and a bare command group, which print help) |
 * | 1 | the command ran, but some of its work failed (a task ended FAILED, a verification did not match) |
 * | 2 | bad input, refused with a one-line typed error: an option, config, file, dataset or value |
 * | 3 | an unexpected internal error (a bug; rerun with `TESSERA_DEBUG=1` for the stack and report it) |
 * | 130 | interrupted (SIGINT) |
 */
export const ExitCode = {
  ok: 0,
  workFailed: 1,
  badInput: 2,
  internal: 3,
  interrupted: 130,
} as const;

/** One of the {@link ExitCode} values. */
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

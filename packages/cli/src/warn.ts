/**
 * Print one warning line on stderr, `tessera: warning: <message>`, for input that is probably a
 * mistake but not refused (e.g. an EM image used as boundaries without `invert`). The command goes on.
 */
export function warn(message: string, program = "tessera"): void {
  process.stderr.write(`${program}: warning: ${message}\n`);
}

export { ExitCode, type ExitCodeValue } from "./exit-codes.js";
export * as parse from "./options.js";
export { describeError, runCli } from "./run-cli.js";
export { warn } from "./warn.js";

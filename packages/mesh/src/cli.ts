export { DEFAULT_MAX_OUTPUT_BYTES, meshCommand } from "./mesh-command.js";
export { bindHost, serveCommand } from "./serve-command.js";

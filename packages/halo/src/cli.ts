export { haloCommand } from "./cli/halo-command.js";

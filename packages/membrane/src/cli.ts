export { assertFits, membraneCommand } from "./membrane-command.js";

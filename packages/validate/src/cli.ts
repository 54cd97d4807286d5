export { parseCatalogArg, validateCommand } from "./cli/validate-command.js";

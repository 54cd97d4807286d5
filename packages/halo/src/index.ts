export { HaloError } from "./errors.js";

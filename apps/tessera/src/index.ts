export { type DemoOptions, type DemoSummary, formatDemoSummary, runDemo } from "./demo.js";
export { createFileLogger } from "./logger.js";
export { createProgram } from "./program.js";

export { type DemoOptions, type DemoSummary, formatDemoSummary, runDemo } from "./demo.js";
export { createProgram } from "./program.js";

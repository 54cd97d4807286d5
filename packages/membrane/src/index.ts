export { type BackendName, useBackend } from "./backend.js";
export { registerWasmConv2dFilterGrad } from "./wasm-conv2d-filter-grad.js";

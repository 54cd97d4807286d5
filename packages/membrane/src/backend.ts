import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import { registerConv3dTransposeGrad } from "./conv3d-transpose-grad.js";
import { BackendError } from "./errors.js";
import { registerWasmConv2dFilterGrad } from "./wasm-conv2d-filter-grad.js";
import { registerWasmConv2dInputGrad } from "./wasm-conv2d-input-grad.js";
import { registerWasmConv3d } from "./wasm-conv3d.js";
import { registerWasmSlice } from "./wasm-slice.js";

/** The TensorFlow.js backends this package can run on. */
export type BackendName = "wasm" | "cpu" | "tensorflow";

let wasmPathsSet = false;

/** Point the wasm backend at its .wasm binaries inside node_modules (no network, no bundler). */
function configureWasm(): void {
  if (wasmPathsSet) return;
  const require = createRequire(import.meta.url);
  const dir = join(dirname(require.resolve("@tensorflow/tfjs-backend-wasm/package.json")), "dist");
  setWasmPaths(`${dir}/`);
  wasmPathsSet = true;
}

/**
 * Switch TensorFlow.js to `name` and return the backend in use. "wasm" (the default) gets the
 * filter-gradient kernel it lacks, so 2-D nets train on it; "tensorflow" loads `@tensorflow/tfjs-node`
 * (or `-node-gpu`) only when it is installed — it is never a dependency, because its install step
 * downloads libtensorflow.
 */
export async function useBackend(name: BackendName = "wasm"): Promise<string> {
  registerConv3dTransposeGrad();
  if (name === "wasm") {
    configureWasm();
    registerWasmConv2dFilterGrad();
    registerWasmConv2dInputGrad();
    registerWasmConv3d();
    registerWasmSlice();
  } else if (name === "tensorflow") {
    const loaded = await loadNative();
    if (!loaded) {
      throw new BackendError(
        'backend "tensorflow" needs @tensorflow/tfjs-node or @tensorflow/tfjs-node-gpu installed',
        {
          field: "backend",
          expected:
            "an installed @tensorflow/tfjs-node(-gpu) (npm install it yourself; it downloads libtensorflow)",
          found: "neither package",
        },
      );
    }
  } else if (name !== "cpu") {
    throw new BackendError("unknown TensorFlow.js backend", {
      field: "backend",
      expected: "wasm, cpu or tensorflow",
      found: String(name),
    });
  }
  const ok = await tf.setBackend(name);
  if (!ok)
    throw new BackendError("the TensorFlow.js backend failed to start", { field: "backend", found: name });
  await tf.ready();
  return tf.getBackend();
}

async function loadNative(): Promise<boolean> {
  for (const pkg of ["@tensorflow/tfjs-node-gpu", "@tensorflow/tfjs-node"]) {
    try {
      await import(pkg);
      return true;
    } catch {
      // not installed: try the next one
    }
  }
  return false;
}

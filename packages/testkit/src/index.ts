export {
  type AnchorName,
  type AnchorResult,
  anchorsBin,
  anchorsRoot,
  buildAnchors,
  runAnchor,
} from "./anchors.js";
export { type CapturedRun, captureOutput } from "./capture-output.js";
export {
  assertFreshBuilds,
  SOURCE_DIGEST_FILE,
  sourceDigest,
  staleBuilds,
  writeSourceDigest,
} from "./fresh-build.js";
export { pythonHas, runPython, systemPython } from "./python.js";
export { repoRoot, requireData, type SharedDataset, sharedData, sharedDataRoot } from "./shared-data.js";
export { tempDir } from "./temp-dir.js";

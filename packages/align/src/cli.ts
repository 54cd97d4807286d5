export {
  type AlignCliOptions,
  type AlignRunSummary,
  type AlignSectionSummary,
  alignCommand,
  runAlign,
  runAlignSection,
} from "./align-command.js";

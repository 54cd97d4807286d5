/** Version of @tessera/workflow recorded in provenance. */
export const WORKFLOW_VERSION = "0.1.0";

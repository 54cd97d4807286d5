export {
  type AppDefinition,
  type AppHooks,
  type AppSpec,
  appSpecOf,
  cpusOf,
  DEFAULT_RESOURCES,
  DEFAULT_RETRY,
  defineApp,
  gpusOf,
  type HookContext,
  type HookResult,
  type Resources,
  type RetryPolicy,
  resolveResources,
  type WorkerEntry,
} from "./app.js";
export { APP_EXAMPLE_YAML } from "./app-example.js";
export { APP_FILE_FIELDS, appFromDefinition, parseDefinitionText, readAppDefinition } from "./app-file.js";
export { JobSpecError, SchedulerCommandError, SchedulerCommandMissingError } from "./backends/errors.js";
export {
  FINAL_JOB_STATES,
  JOB_STATES,
  type JobState,
  SLURM_STUCK_REASONS,
  slurmJobState,
} from "./backends/job-states.js";
export { type PollingScheduler, type WaitOptions, waitForJobs } from "./backends/job-tracker.js";
export {
  type MpiexecOptions,
  mpiexecArgv,
  PBS_EXIT,
  type PbsOptions,
  parseQstatJson,
  parseQsubId,
  pbsJobState,
  pbsNodes,
  pbsWalltime,
  renderPbsScript,
} from "./backends/pbs.js";
export { type PilotOptions, type SubmittedPilot, submitPilot, workflowBin } from "./backends/pilot.js";
export {
  type CommandCounts,
  type JobStatus,
  SlurmScheduler,
  type SlurmSchedulerOptions,
  type SubmittedJob,
  slurmJobCompLog,
} from "./backends/slurm.js";
export {
  type BatchJobSpec,
  checkJobSpec,
  renderSlurmScript,
  shellQuote,
  slurmWalltime,
} from "./backends/slurm-script.js";
export { parseSince, registerWorkflowCommands } from "./cli.js";
export { type BatchPlan, planBatch } from "./dag.js";
export {
  AppDefinitionInvalidError,
  AppModuleError,
  CycleError,
  type DefinitionIssue,
  ExecutableNotFoundError,
  errorCode,
  errorMessage,
  IllegalTransitionError,
  InvalidFieldError,
  type LineIssue,
  MissingFileError,
  MissingParamsError,
  OutputExistsError,
  type ParamIssue,
  ParamsInvalidError,
  SiteCorruptError,
  SiteNotFoundError,
  StateConflictError,
  TaskLinesInvalidError,
  TaskNotFoundError,
  TemplateError,
  UnknownAppError,
  UnknownParentError,
  WorkflowError,
} from "./errors.js";
export { checkJsonParams, compileJsonSchema, type JsonSchema, jsonSchemaProblem } from "./json-schema.js";
export { backoffDelay } from "./launcher/backoff.js";
export { type LaunchOptions, type LaunchSummary, launch } from "./launcher/launch.js";
export type { LaunchStats } from "./launcher/run-task.js";
export type { WorkerTaskContext } from "./launcher/worker-pool.js";
export { validateParams } from "./params.js";
export { envDigest, hashDeclared, sha256File } from "./provenance.js";
export {
  type CreateSiteOptions,
  closeSite,
  createSite,
  isSite,
  loadAppModule,
  openSite,
  registerApp,
  SITE_CONFIG,
  SITE_DB,
  type Site,
  type SiteConfig,
} from "./site.js";
export { SCHEMA_VERSION } from "./sqlite/schema.js";
export { SqliteStore, type SqliteStoreOptions } from "./sqlite/store.js";
export {
  assertTransition,
  CLAIMED_STATES,
  canTransition,
  FINAL_STATES,
  isTaskState,
  nextStates,
  RUNNABLE_STATES,
  TASK_STATES,
  type TaskState,
} from "./states.js";
export type { AfterFailure, AttemptEnd, AttemptStart, LostTask, NewTask, TaskStore } from "./store.js";
export { readTail, TAIL_BYTES } from "./tail.js";
export { addTaskLines, TASK_LINE_FIELDS, type TaskLinesOptions } from "./task-lines.js";
export {
  type AddTasksOptions,
  addTasks,
  type CheckedTask,
  checkTaskSpec,
  countTasks,
  eventsSince,
  exportProvenance,
  getTask,
  insertCheckedTasks,
  killTask,
  listTasks,
  type ProvenanceExport,
  retryTask,
  taskAttempts,
} from "./tasks.js";
export {
  BUILTIN_PLACEHOLDERS,
  missingTemplateValues,
  renderArgv,
  renderString,
  templatePlaceholders,
} from "./template.js";
export type {
  AttemptRecord,
  AttemptStatus,
  EventQuery,
  EventRecord,
  LauncherInfo,
  TaskQuery,
  TaskRecord,
  TaskSpec,
} from "./types.js";
export { WORKFLOW_VERSION } from "./version.js";

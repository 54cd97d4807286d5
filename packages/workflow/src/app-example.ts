/**
 * A complete, commented app definition in YAML (`tessera-workflow app example`): every field an app
 * definition file may have. `app add` accepts it as it is.
 */
export const APP_EXAMPLE_YAML = `# An app: a command template run once per task. Add it with
#   tessera-workflow app add greet.yaml --site ./site
name: greet                      # letters, digits, '_', '.', '-'; starts with a letter
description: write a greeting into the task's work directory
# argv is never passed through a shell: each element is one argument. {name} is replaced by the
# task's parameter (an element that is only {name} with an array value spreads into several
# arguments); {taskId}, {workdir}, {site} and {attempt} are always there. {{ and }} are braces.
argv: [sh, -c, 'echo "hello $0" > greeting.txt', "{who}"]
# JSON Schema (draft 2020-12 unless $schema says 2019-09 or draft-07) of the task parameters:
# checked when a task is added, defaults filled in. A placeholder of argv with no value and no
# default is refused when the task is added.
params:
  type: object
  properties:
    who: { type: string, minLength: 1 }
    times: { type: integer, minimum: 1, default: 1 }
  required: [who]
  additionalProperties: false
resources:                       # per task; the launcher packs tasks by cpus and gpus
  nodes: 1
  ranksPerNode: 1
  threadsPerRank: 1              # cpus = nodes * ranksPerNode * threadsPerRank; OMP_NUM_THREADS
  gpusPerRank: 0
retry:
  maxRetries: 1                  # after a non-zero exit or a signal
  timeoutRetries: 0              # after the walltime was hit
  backoffMs: 1000                # delay before retry n: backoffMs * backoffFactor^(n-1)
  backoffFactor: 2
  maxBackoffMs: 60000
walltimeMs: 60000                # SIGTERM at the limit, SIGKILL a grace period later
env: { LC_ALL: C }               # added to the environment of the process
inputs: []                       # files (relative to the work directory) that must exist before the run
outputs: [greeting.txt]          # files that must exist after a zero exit; sha256 recorded
version: "1.0"                   # recorded in provenance
toolVersions: { sh: posix }      # recorded in provenance
`;

#!/usr/bin/env bash
# A walk through the commands that the README and the package READMEs document, on ../shared/data,
# in a temporary folder, through the committed `tessera` launcher (build first: npm run build).
# Each step names the exit status it expects (0 ok, 1 work failed, 2 bad input; see the README) and,
# for refusals, the error type on stderr. Exits 1 when any step surprises, after printing them all.
#
#   tools/cli-tour.sh            # uses ../shared/data, or $TESSERA_SHARED_DATA
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
data=${TESSERA_SHARED_DATA:-$root/../shared/data}
D=$data/em
G=$D/gala/zarr
T=$(mktemp -d "${TMPDIR:-/tmp}/tessera-cli-tour-XXXXXX")
trap 'rm -rf "$T"' EXIT
cd "$T" || exit 1
if [ ! -d "$D" ]; then echo "cli tour: no shared data at $data" >&2; exit 1; fi

tessera() { node "$root/apps/tessera/bin/tessera.js" "$@"; }
export -f tessera 2>/dev/null || true
export root

# serve_then_stop <run>: start `tessera serve <run> --port 0`, wait (up to 60 s) until it prints its
# URL, send SIGTERM and return its exit status (a fixed delay instead raced a slow start under load)
serve_then_stop() {
  node "$root/apps/tessera/bin/tessera.js" serve "$1" --port 0 >"$T/.serve" 2>&1 &
  local pid=$! waited=0
  until grep -q ' at http://' "$T/.serve" || [ "$waited" -ge 600 ] || ! kill -0 "$pid" 2>/dev/null; do
    sleep 0.1
    waited=$((waited + 1))
  done
  kill -TERM "$pid" 2>/dev/null
  wait "$pid"
}

steps=0
surprises=0
# step <status> <stderr regex or -> <command line>
step() {
  local want=$1 pattern=$2 command=$3
  steps=$((steps + 1))
  eval "$command" >"$T/.out" 2>"$T/.err"
  local got=$?
  if [ "$got" -ne "$want" ] || { [ "$pattern" != "-" ] && ! grep -Eq -- "$pattern" "$T/.err"; }; then
    surprises=$((surprises + 1))
    local also=""
    [ "$pattern" != "-" ] && also=" and stderr /$pattern/"
    echo "✗ [$got, expected $want$also] $command"
    sed 's/^/    stderr: /' "$T/.err" | tail -n 5
  else
    echo "✓ [$got] $command"
  fi
}

# --- the program and its help
step 0 - 'tessera'
step 0 - 'tessera --help'
step 0 - 'tessera --version'
step 2 '^tessera: UsageError: unknown command' 'tessera bogus'

# --- volume
step 0 - 'tessera volume import $D/isbi2012/image isbi.zarr --resolution 50,4,4'
step 0 - 'tessera volume info isbi.zarr'
step 0 - 'tessera volume export-png isbi.zarr slices --z 0:5'
step 2 'OutputExistsError' 'tessera volume import $D/isbi2012/image isbi.zarr --resolution 50,4,4'
step 0 - 'tessera volume import $D/isbi2012/image isbi.zarr --resolution 50,4,4 --overwrite'
step 2 'UsageError' 'tessera volume export-png isbi.zarr slices2 --z 5:2'
step 2 'UsageError' 'tessera volume export-png isbi.zarr slices3 --z abc'
step 2 'UsageError' 'tessera volume import $D/isbi2012/image bad.zarr --resolution -10,10,10'
step 2 'not found' 'tessera volume info does-not-exist.zarr'
step 0 - 'tessera volume import $D/gala/train-gt.h5 gt.zarr --dataset stack'
step 0 - 'tessera volume import $D/gala-snemi-mini/train-labels.tif snemi-labels.zarr --chunks 8,80,80'
step 2 'not an HDF5 file' 'echo "not hdf5" > fake.h5 && tessera volume import fake.h5 fake.zarr --dataset stack'

# --- segment
step 0 - 'tessera segment --help'
step 0 - 'tessera segment init-config'
step 0 - 'tessera segment init-config --from $G/train-p1.zarr > run.json'
step 0 - 'tessera segment run --config run.json'
step 2 'OutputExistsError' 'tessera segment run --config run.json'
step 0 - 'tessera segment run --config run.json --overwrite --thresholds 0.3,0.5 --threshold-index 1 --gt $G/train-gt.zarr'
step 0 - 'tessera segment run --boundaries $G/train-p1.zarr --out r2 --gt $D/gala/train-gt.h5 --gt-dataset stack --save-config r2.json'
step 0 - 'tessera segment fragments --boundaries $G/train-p1.zarr --out steps --save-config steps.json'
step 0 - 'tessera segment agglomerate --config steps.json'
step 0 - 'tessera segment relabel --config steps.json'
step 0 - 'tessera segment evaluate steps/segmentation.zarr $G/train-gt.zarr'
step 0 - 'tessera segment evaluate $D/gala/train-ws.h5 $D/gala/train-gt.h5 --dataset stack'
step 0 'warning: .*invert' 'tessera segment fragments --boundaries $G/train-image.zarr --out raw'
step 2 'SegmentOptionsError' 'echo "{}" > empty.json && tessera segment run --config empty.json'
step 2 'tessera volume import' 'tessera segment run --boundaries $D/gala/train-p1.h5 --out h5'

# --- mesh and serve
step 0 - 'tessera mesh -i $G/train-gt.zarr -o gt-meshes --resolution 30,6,6 --simplify 20'
step 2 'OutputExistsError' 'tessera mesh -i $G/train-gt.zarr -o gt-meshes --resolution 30,6,6 --simplify 20'
step 0 - 'tessera mesh -i $G/train-gt.zarr -o gt-meshes --resolution 30,6,6 -f glb --overwrite'
step 0 - 'tessera mesh -i $G/train-gt.zarr -o gt-ng -f precomputed --sharded --lods 2 --resolution 30,6,6'
step 0 - 'tessera mesh -i gt.zarr -o gt-some --labels 5,17 --resolution 30,6,6'
step 2 'float' 'tessera mesh -i $G/train-p1.zarr -o p1-meshes'
step 2 'OutputTooLargeError' 'tessera mesh -i $G/train-image.zarr -o image-meshes --max-output 100M'
step 2 'tessera volume import' 'tessera mesh -i $D/gala/train-gt.h5 -o h5-meshes'
step 2 'UsageError' 'tessera serve gt-meshes --port 99999'
step 0 - 'serve_then_stop gt-meshes'

# --- workflow
printf 'export const fail = { name: "fail", argv: ["sh", "-c", "echo broken >&2; exit 4"] };\n' > apps.mjs
printf '{"app":"greet","key":"a","params":{"who":"a"}}\n{"app":"greet","params":{"who":"b"},"parents":["a"]}\n' > tasks.jsonl
step 0 - 'tessera site init ./site --apps ./apps.mjs'
step 2 'OutputExistsError' 'tessera site init ./site'
step 0 - 'tessera app example > greet.yaml'
step 0 - 'tessera app add greet.yaml --site ./site'
step 0 - 'tessera app ls --site ./site'
step 0 - 'tessera task add --site ./site --app greet -p who=world --tag demo'
step 2 'ParamsInvalidError' 'tessera task add --site ./site --app greet'
step 0 - 'tessera task add --site ./site --from tasks.jsonl'
step 0 - 'tessera launch --site ./site --max-cpus 2'
step 0 - 'tessera task add --site ./site --app fail'
step 1 - 'tessera launch --site ./site'
step 0 - 'tessera status --site ./site'
step 0 - 'tessera events --site ./site --since -5m'
step 0 - 'tessera task ls --site ./site --state FAILED'
step 0 - 'tessera task show 1 --site ./site'
step 0 - 'tessera task export --site ./site --out prov.json'
step 2 'OutputExistsError' 'tessera task export --site ./site --out prov.json'
step 2 'UsageError' 'tessera launch --site ./site --spawn-helper bogus'

echo "cli tour: $steps steps, $surprises unexpected"
[ "$surprises" -eq 0 ]

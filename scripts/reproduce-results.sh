#!/usr/bin/env bash
# Rebuilds, from nothing but ../shared/data and the built-in synthetic survey, the project behind
# docs/results.md, trains the 18-configuration matrix on it on the CPU, and writes the comparison report.
#
#   scripts/reproduce-results.sh [OUT_DIR]          (default OUT_DIR: ./results-run)
#
# Two target sets, as in the seed's plan (gz2 + gzd5), with what these machines have:
#   gzd5       the 377 real labelled Galaxy Zoo DECaLS cutouts (images/gzdecals_ring470/labels.csv)
#   synthetic  the built-in synthetic survey (ringminer-cli demo make), standing in for gz2, whose SDSS images
#              are not available here with labels
# Models start from random weights: Zoobot's pretrained encoders cannot be downloaded here (set "pretrained"
# per model in a matrix file and pass it with RM_MATRIX to use them).
#
# Knobs (environment):
#   RM_EPOCHS=5  RM_IMAGE_SIZE=64  RM_BATCH=32  RM_STEPS=0 (max steps per epoch; 0 = whole epoch)
#   RM_SYNTH_N=300 (synthetic galaxies per class)  RM_PARALLEL=1 (cells at once)  RM_DEVICE=cpu
#   RM_MATRIX=FILE (a matrix instead of the built-in one)  RINGMINER_BUILD_DIR=build  RINGMINER_SHARED_DATA
# Interrupt it at any time (Ctrl-C pauses after the current epoch) and run it again: finished cells are
# skipped and the interrupted one resumes from its checkpoint.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
out="${1:-results-run}"
build="${RINGMINER_BUILD_DIR:-build}"
data="${RINGMINER_SHARED_DATA:-$root/../shared/data}"
cli="$build/app/ringminer-cli"
epochs="${RM_EPOCHS:-5}"
size="${RM_IMAGE_SIZE:-64}"
batch="${RM_BATCH:-32}"
steps="${RM_STEPS:-0}"
synth="${RM_SYNTH_N:-300}"
parallel="${RM_PARALLEL:-1}"
device="${RM_DEVICE:-cpu}"

cat >&2 <<EOF
== RingMiner: reproducing the results table ==
This trains 18 configurations (SimpleCNN, EfficientNet-B0 x2, ResNet18, ResNet50; head only / all layers;
2 target sets) on the $device: $epochs epochs at ${size}x${size} px, batch $batch. With the defaults that takes
several hours on a 2-core CPU (ResNet-50 and EfficientNet-B0 with all layers trained dominate); progress is
printed per step, epoch and cell. Ctrl-C pauses; running the script again resumes.
Output: $out
EOF

[ -x "$cli" ] || { echo "no $cli: build first (scripts/build.sh)" >&2; exit 1; }
labels="$data/images/gzdecals_ring470/labels.csv"
[ -f "$labels" ] || { echo "missing $labels (set RINGMINER_SHARED_DATA to the shared data folder)" >&2; exit 1; }

mkdir -p "$out"
out="$(cd "$out" && pwd)"
project="$out/results.rmproj"
step() { echo "== $* ==" >&2; }
# shellcheck source=lib/results-project.sh
source "$root/scripts/lib/results-project.sh"

if [ ! -f "$project" ]; then
  step "1-3/5 synthetic survey ($synth rings + $synth non-rings, 256 px), project, target sets"
  make_results_project "$cli" "$project" "$labels" "$out/synthetic" "$synth" 42
else
  step "1-3/5 project exists: $project (delete $out to start over)"
fi

step "4/5 training the matrix"
matrix_args=()
[ -n "${RM_MATRIX:-}" ] && matrix_args=(--matrix "$RM_MATRIX")
set +e
"$cli" train "$project" "${matrix_args[@]}" --experiment results --target-sets gzd5,synthetic --replace \
  --set "epochs=$epochs" --set "image_size=$size" --set "batch_size=$batch" --set "max_steps_per_epoch=$steps" \
  --device "$device" --parallel "$parallel" --json >"$out/train-summary.json"
status=$?
set -e
if [ "$status" -eq 130 ]; then
  echo "paused: run the script again to carry on" >&2
  exit 130
fi
[ "$status" -eq 0 ] || echo "some cells failed (see: $cli runs list $project); reporting what finished" >&2

step "5/5 report"
"$cli" report "$project" --experiment results --out "$out/report" >&2
"$cli" runs list "$project" --experiment results >&2
echo "report: $out/report/comparison.md (CSV and curves beside it)" >&2
exit "$status"

#!/usr/bin/env bash
# The cross-validated tables of docs/results.md, from nothing but ../shared/data: a project with the 377 real
# Galaxy Zoo DECaLS cutouts (target set gzd5, 70/15/15 fixed split, seed 42), then
#   1. cv-baselines  the feature baseline (profile_lr: 1 and 3 channels, 64 and 128 px) beside SimpleCNN
#                    (1 and 3 channels, 64 and 96 px): resources/matrices/cv-baselines.json, 5 folds x 2 repeats
#   2. cv-relabelled the 21 galaxies labelled ring=0 that Buta 2017 lists as rings, relabelled as Buta says
#                    (targets conflicts --accept-catalogs, target set gzd5r), profile_lr_c3 and simple_cnn_c3
#                    under the same 5 x 2 cross-validation
#   3. cv-matrix     the 9 gzd5 cells of the built-in matrix under 5-fold cross-validation (RM_EPOCHS, 64 px)
# and the report of each (comparison.md / .csv with the CV columns).
#
#   scripts/cv-results.sh [OUT_DIR] [baselines|relabelled|matrix|all]      (default: ./cv-results-run all)
#
# Knobs: RM_EPOCHS=6 (cv-matrix)  RM_FOLDS=5  RM_REPEATS=1 (cv-matrix)  RM_DEVICE=cpu  RINGMINER_BUILD_DIR=build
# Ctrl-C pauses after the current epoch; running it again resumes (finished folds and cells are kept).
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
out="${1:-cv-results-run}"
what="${2:-all}"
build="${RINGMINER_BUILD_DIR:-build}"
data="${RINGMINER_SHARED_DATA:-$root/../shared/data}"
cli="$build/app/ringminer-cli"
epochs="${RM_EPOCHS:-6}"
folds="${RM_FOLDS:-5}"
repeats="${RM_REPEATS:-1}"
device="${RM_DEVICE:-cpu}"
[ -x "$cli" ] || { echo "no $cli: build first (scripts/build.sh)" >&2; exit 1; }
labels="$data/images/gzdecals_ring470/labels.csv"
[ -f "$labels" ] || { echo "missing $labels (set RINGMINER_SHARED_DATA)" >&2; exit 1; }
mkdir -p "$out"
out="$(cd "$out" && pwd)"
project="$out/cv.rmproj"
step() { echo "== $* ==" >&2; }

if [ ! -f "$project" ]; then
  step "project with the 377 real cutouts"
  "$cli" project new "$project" >&2
  "$cli" catalog import "$project" "$labels" --name gzd5_labels --role labelled --label-column ring >&2
  "$cli" cutouts source "$project" gzd5_labels --folder "$(dirname "$labels")" --template '{file}' >&2
  "$cli" targets build "$project" --name gzd5 --labelled gzd5_labels --seed 42 >&2
fi

train() { # experiment, then train arguments
  local experiment="$1"
  shift
  set +e
  "$cli" train "$project" --experiment "$experiment" --device "$device" "$@" --json >"$out/$experiment.json"
  local status=$?
  set -e
  [ "$status" -eq 130 ] && { echo "paused: run the script again to carry on" >&2; exit 130; }
  [ "$status" -eq 0 ] || echo "some cells of $experiment did not finish (status $status)" >&2
  "$cli" report "$project" --experiment "$experiment" --out "$out/report-$experiment" >&2
  "$cli" runs list "$project" --experiment "$experiment" >&2
}

if [ "$what" = baselines ] || [ "$what" = all ]; then
  step "cv-baselines: feature baseline vs SimpleCNN, ${folds} folds x 2 repeats"
  train cv-baselines --matrix resources/matrices/cv-baselines.json --set "cv_folds=$folds"
fi
if [ "$what" = relabelled ] || [ "$what" = all ]; then
  step "cv-relabelled: the label conflicts with Buta 2017 relabelled as Buta says"
  if ! "$cli" catalog list "$project" | grep -q '^buta'; then
    "$cli" catalog import "$project" "$data/catalogs/buta2017_table2.csv" --name buta --role rings >&2
  fi
  if ! "$cli" targets list "$project" | grep -q '^gzd5r:'; then
    "$cli" targets conflicts "$project" --target-set gzd5 --accept-catalogs --author cv-results.sh >&2
    "$cli" targets build "$project" --name gzd5r --labelled gzd5_labels --seed 42 >&2
  fi
  train cv-relabelled --matrix resources/matrices/cv-baselines.json --target-sets gzd5r --cells '*/profile_lr_c3/*,*/simple_cnn_c3/*' \
    --set "cv_folds=$folds"
fi
if [ "$what" = matrix ] || [ "$what" = all ]; then
  step "cv-matrix: the 9 gzd5 cells of the built-in matrix, $epochs epochs, 64 px, $folds folds x $repeats"
  train cv-matrix --target-sets gzd5 --set "epochs=$epochs" --set image_size=64 --set "cv_folds=$folds" \
    --set "cv_repeats=$repeats"
fi
echo "reports: $out/report-*/comparison.md" >&2

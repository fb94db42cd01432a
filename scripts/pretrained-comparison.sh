#!/usr/bin/env bash
# The pretrained-encoder path, exercised end to end with what this machine has (no Zoobot download):
#   1. pretrain encoders (all layers, from random weights) on a synthetic survey with known truth;
#   2. export each one's best weights with `ringminer-cli runs export` (safetensors, timm names);
#   3. fine-tune on the 377 real Galaxy Zoo DECaLS cutouts starting from those weights ("pretrained" in the
#      matrix, the same code path that loads a Zoobot model.safetensors) and, side by side, from random
#      weights, head only and all layers;
#   4. write the comparison report (docs/results.md quotes it).
#
#   scripts/pretrained-comparison.sh [OUT_DIR]     (default OUT_DIR: ./pretrained-run)
#
# Knobs (environment):
#   RM_PRETRAIN_N=600 (synthetic galaxies per class)  RM_PRETRAIN_EPOCHS=10  RM_EPOCHS=12  RM_IMAGE_SIZE=64
#   RM_BATCH=32  RM_MODELS="resnet18:1 efficientnet_b0:3" (arch:in_chans)  RM_DEVICE=cpu
#   RINGMINER_BUILD_DIR=build  RINGMINER_SHARED_DATA
# Like reproduce-results.sh it resumes: run it again after an interruption and finished cells are skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
out="${1:-pretrained-run}"
build="${RINGMINER_BUILD_DIR:-build}"
data="${RINGMINER_SHARED_DATA:-$root/../shared/data}"
cli="$build/app/ringminer-cli"
synth="${RM_PRETRAIN_N:-600}"
pre_epochs="${RM_PRETRAIN_EPOCHS:-10}"
epochs="${RM_EPOCHS:-12}"
size="${RM_IMAGE_SIZE:-64}"
batch="${RM_BATCH:-32}"
device="${RM_DEVICE:-cpu}"
models="${RM_MODELS:-resnet18:1 efficientnet_b0:3}"

[ -x "$cli" ] || { echo "no $cli: build first (scripts/build.sh)" >&2; exit 1; }
labels="$data/images/gzdecals_ring470/labels.csv"
[ -f "$labels" ] || { echo "missing $labels (set RINGMINER_SHARED_DATA to the shared data folder)" >&2; exit 1; }

cat >&2 <<EOF
== RingMiner: pretrained vs random initialisation ==
Pretraining ($models) on $((2 * synth)) synthetic galaxies for $pre_epochs epochs, then fine-tuning on the
377 real DECaLS cutouts for $epochs epochs at ${size}x${size} px on the $device. On a 2-core CPU this takes
about half an hour; progress is printed per step, epoch and cell. Output: $out
EOF

mkdir -p "$out/encoders"
out="$(cd "$out" && pwd)"
project="$out/pretrained.rmproj"
step() { echo "== $* ==" >&2; }
# shellcheck source=lib/results-project.sh
source "$root/scripts/lib/results-project.sh"

if [ ! -f "$project" ]; then
  step "1/5 synthetic pretraining survey ($synth rings + $synth non-rings, 256 px)"
  make_results_project "$cli" "$project" "$labels" "$out/synthetic" "$synth" 7
else
  step "1/5 project exists: $project (delete $out to start over)"
fi

# One matrix model per arch:in_chans, named as in the default matrix.
name_of() {
  local arch="${1%%:*}" chans="${1##*:}"
  case "$arch" in
    efficientnet_b0) echo "effnet_b0_c$chans" ;;
    *) echo "${arch}_c$chans" ;;
  esac
}

step "2/5 pretraining on the synthetic survey (all layers, random start)"
{
  printf '{"name": "pretrain", "target_sets": ["synthetic"], "modes": ["all_layers"], "models": ['
  sep=""
  for m in $models; do
    printf '%s{"name": "%s", "arch": "%s", "in_chans": %s}' "$sep" "$(name_of "$m")" "${m%%:*}" "${m##*:}"
    sep=", "
  done
  printf '], "defaults": {"epochs": %s, "image_size": %s, "batch_size": %s, "learning_rate": 0.001,' \
    "$pre_epochs" "$size" "$batch"
  printf ' "augment": true, "patience": 5, "seed": 42, "device": "%s"}}\n' "$device"
} >"$out/pretrain-matrix.json"
"$cli" train "$project" --matrix "$out/pretrain-matrix.json" --experiment pretrain --replace >&2

step "3/5 exporting the pretrained encoders"
for m in $models; do
  name="$(name_of "$m")"
  # Kept once written: the fine-tuning runs below were trained from this very file.
  [ -f "$out/encoders/$name-synthetic.safetensors" ] ||
    "$cli" runs export "$project" --experiment pretrain --run "synthetic/$name/all_layers" \
      --out "$out/encoders/$name-synthetic.safetensors" >&2
done

step "4/5 fine-tuning on the real DECaLS cutouts: pretrained vs random weights"
{
  printf '{"name": "finetune", "target_sets": ["gzd5"], "modes": ["head_only", "all_layers"], "models": ['
  sep=""
  for m in $models; do
    name="$(name_of "$m")"
    printf '%s{"name": "%s", "arch": "%s", "in_chans": %s, "pretrained": ""}' "$sep" "$name" "${m%%:*}" "${m##*:}"
    printf ', {"name": "%s_synth", "arch": "%s", "in_chans": %s, "pretrained": "%s"}' "$name" "${m%%:*}" \
      "${m##*:}" "$out/encoders/$name-synthetic.safetensors"
    sep=", "
  done
  printf '], "defaults": {"epochs": %s, "image_size": %s, "batch_size": %s, "learning_rate": 0.001,' \
    "$epochs" "$size" "$batch"
  printf ' "augment": true, "patience": 5, "seed": 42, "device": "%s"},' "$device"
  printf ' "overrides": {"*/*/all_layers": {"learning_rate": 0.0001}}}\n'
} >"$out/finetune-matrix.json"
set +e
"$cli" train "$project" --matrix "$out/finetune-matrix.json" --experiment finetune --replace --json \
  >"$out/finetune-summary.json"
status=$?
set -e
[ "$status" -eq 130 ] && { echo "paused: run the script again to carry on" >&2; exit 130; }

step "5/5 report"
"$cli" report "$project" --experiment pretrain --out "$out/report-pretrain" >&2
"$cli" report "$project" --experiment finetune --out "$out/report-finetune" >&2
"$cli" runs list "$project" >&2
echo "report: $out/report-finetune/comparison.md" >&2
exit "$status"

# Sourced by reproduce-results.sh and pretrained-comparison.sh: the project both start from, with two
# labelled target sets split 70/15/15 with seed 42:
#   gzd5       the 377 real Galaxy Zoo DECaLS cutouts (LABELS: images/gzdecals_ring470/labels.csv)
#   synthetic  a synthetic survey with known truth (ringminer-cli demo make), N rings + N non-rings
#
#   make_results_project CLI PROJECT LABELS SURVEY_DIR N SEED
make_results_project() {
  local cli="$1" project="$2" labels="$3" survey="$4" n="$5" seed="$6"
  "$cli" demo make "$survey" --rings "$n" --non-rings "$n" --size 256 --seed "$seed" >&2
  "$cli" project new "$project" >&2
  "$cli" catalog import "$project" "$labels" --name gzd5_labels --role labelled --label-column ring >&2
  "$cli" cutouts source "$project" gzd5_labels --folder "$(dirname "$labels")" --template '{file}' >&2
  "$cli" catalog import "$project" "$survey/demo_labelled.csv" --name synthetic_labels --role labelled \
    --label-column ring >&2
  "$cli" cutouts source "$project" synthetic_labels --folder "$survey/images" --template '{file}' >&2
  "$cli" targets build "$project" --name gzd5 --labelled gzd5_labels --seed 42 >&2
  "$cli" targets build "$project" --name synthetic --labelled synthetic_labels --seed 42 >&2
}

#!/usr/bin/env bash
# Checks the Slurm job scripts of packaging/slurm without a cluster: bash -n (and shellcheck when installed),
# the #SBATCH block (sbatch reads directives only before the first command), then runs them for real with
# stand-ins for Slurm's own commands on a tiny demo project:
#   train.sbatch: SIGTERM to the batch shell (what --signal=B:TERM@600 sends) pauses ringminer-cli after its
#     epoch, the job requeues itself through scontrol and exits 0; the requeued start resumes the cell from its
#     checkpoint and finishes it.
#   mine.sbatch: srun (a stand-in that runs the one task) mines the demo catalog with the trained run.
# Usage: scripts/test-slurm.sh RINGMINER_CLI   (the CTest test packaging_slurm runs it)
set -euo pipefail
cli="$(realpath "${1:?usage: test-slurm.sh RINGMINER_CLI}")"
slurm="$(cd "$(dirname "$0")/../packaging/slurm" && pwd)"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
fail() { echo "test-slurm: FAIL: $*" >&2; exit 1; }
start=$(date +%s)

for job in "$slurm"/*.sbatch; do
  name="$(basename "$job")"
  bash -n "$job" || fail "$name: bash -n"
  if command -v shellcheck >/dev/null; then
    shellcheck --shell=bash --severity=warning "$job" || fail "$name: shellcheck"
  fi
  # Directives after the first command are comments to sbatch: every #SBATCH line must come before it.
  first_command="$(grep -nvE '^[[:space:]]*(#|$)' "$job" | head -1 | cut -d: -f1)"
  last_directive="$(grep -n '^#SBATCH' "$job" | tail -1 | cut -d: -f1)"
  [ -n "$last_directive" ] || fail "$name has no #SBATCH directive"
  [ "$last_directive" -lt "$first_command" ] || fail "$name: #SBATCH on line $last_directive after a command"
  # Long options only, each --name or --name=value (a space instead of '=' is a common silent mistake).
  bad="$(grep '^#SBATCH' "$job" | grep -vE '^#SBATCH --[a-z][a-z-]*(=[^[:space:]]+)?[[:space:]]*$' || true)"
  [ -z "$bad" ] || fail "$name: malformed directive: $bad"
done
echo "test-slurm: syntax and #SBATCH blocks OK"

# Stand-ins for Slurm's commands: scontrol records its arguments; srun drops its own options and runs the
# one task in place.
mkdir -p "$scratch/bin"
cat >"$scratch/bin/scontrol" <<'STUB'
#!/bin/sh
echo "$*" >>"$SCONTROL_LOG"
STUB
cat >"$scratch/bin/srun" <<'STUB'
#!/bin/sh
while [ $# -gt 0 ] && [ "${1#-}" != "$1" ]; do shift; done
exec "$@"
STUB
chmod +x "$scratch/bin/scontrol" "$scratch/bin/srun"
export PATH="$scratch/bin:$PATH" SCONTROL_LOG="$scratch/scontrol.log" RINGMINER_CLI="$cli"
cd "$scratch"

"$cli" demo make demo --rings 16 --non-rings 16 --size 40 >/dev/null 2>&1 || fail "demo make"
project="$scratch/demo/demo.rmproj"
# Twelve short epochs, no early stop: long enough to be interrupted after the first.
cat >matrix.json <<'JSON'
{"name": "slurm", "target_sets": ["demo"],
 "models": [{"name": "cnn", "arch": "simple_cnn", "in_chans": 1, "modes": ["all_layers"]}],
 "defaults": {"image_size": 32, "epochs": 12, "patience": 0, "batch_size": 8, "max_steps_per_epoch": 2,
              "embedding_views": 1, "device": "cpu", "loader_threads": 1, "torch_threads": 1}}
JSON
export PROJECT="$project" DEVICE=cpu TRAIN_ARGS="--matrix $scratch/matrix.json --no-estimate" SLURM_JOB_ID=4242

SLURM_RESTART_COUNT=0 bash "$slurm/train.sbatch" >first.log 2>&1 &
job=$!
for _ in $(seq 600); do # 60 s
  grep -q "epoch 1/12" first.log && break
  kill -0 "$job" 2>/dev/null || break
  sleep 0.1
done
grep -q "epoch 1/12" first.log || { cat first.log >&2; fail "train.sbatch did not start training"; }
kill -TERM "$job"
set +e
wait "$job"
rc=$?
set -e
cat first.log
[ "$rc" = 0 ] || fail "train.sbatch exited $rc after SIGTERM (0 expected: it requeues)"
grep -q "pausing after the current epoch" first.log || fail "train.sbatch did not pass SIGTERM on"
grep -qx "requeue 4242" "$SCONTROL_LOG" || fail "train.sbatch did not requeue job 4242: $(cat "$SCONTROL_LOG")"
"$cli" runs list "$project" --json | tail -1 | grep -q '"state":"done"' &&
  fail "the cell finished although the job was stopped after its first epoch"

SLURM_RESTART_COUNT=1 bash "$slurm/train.sbatch" >second.log 2>&1 || { cat second.log >&2; fail "requeued train.sbatch"; }
cat second.log
grep -q "restart 1" second.log || fail "the requeued job does not say it is a restart"
grep -q "resumed after epoch" second.log || fail "the requeued job did not resume from the checkpoint"
grep -q "finished with exit status 0" second.log || fail "the requeued job did not finish the matrix"
[ "$(wc -l <"$SCONTROL_LOG")" = 1 ] || fail "the finished job requeued itself again"
runs="$("$cli" runs list "$project" --json | tail -1)"
grep -q '"state":"done"' <<<"$runs" || fail "no finished run after the requeue: $runs"
grep -q '"epochs":12' <<<"$runs" || fail "the resumed run did not train all 12 epochs: $runs"

bash "$slurm/mine.sbatch" "$project" labelled labelled "$scratch/mined" >mine.log 2>&1 || {
  cat mine.log >&2
  fail "mine.sbatch"
}
tail -3 mine.log
for f in rings.csv rings.fits; do [ -s "$scratch/mined/$f" ] || fail "mine.sbatch wrote no $f"; done
tail -1 mine.log | grep -q '"ok":true' || fail "mine.sbatch's summary is not ok"
bash "$slurm/mine.sbatch" "$project" 2>/dev/null && fail "mine.sbatch accepted too few arguments"
echo "test-slurm: OK in $(($(date +%s) - start)) s"

#!/usr/bin/env bash
# Builds the libFuzzer harnesses of tests/fuzz with clang under ASan + UBSan (into build-fuzz/) and runs
# each for SECONDS (default 600), two at a time, from the committed seeds plus every earlier finding.
# Prints and writes build-fuzz/fuzz-results.tsv: harness, seconds, executions, coverage (edges), features,
# corpus size, crashes. A crashing input lands in build-fuzz/artifacts/<harness>/; once fixed, copy it into
# tests/fuzz/regressions/<harness>/ so CI replays it (ctest -L fuzz).
#   scripts/fuzz.sh [SECONDS] [HARNESS...]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-600}"
shift || true
if ! command -v clang++-14 >/dev/null || [ ! -e /usr/lib/llvm-14/lib/clang/14.0.6/lib/linux/libclang_rt.fuzzer-x86_64.a ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get install -y -q --no-install-recommends clang-14 libclang-rt-14-dev
fi
build=build-fuzz
cmake -S . -B "$build" -G Ninja -DCMAKE_C_COMPILER=clang-14 -DCMAKE_CXX_COMPILER=clang++-14 -DRINGMINER_FUZZ=ON \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j "$(nproc)"
harnesses=("$@")
if [ ${#harnesses[@]} -eq 0 ]; then
  harnesses=($(sed -n '/^set(RINGMINER_FUZZ_HARNESSES/,/)/p' tests/fuzz/CMakeLists.txt |
    sed -e 's/set(RINGMINER_FUZZ_HARNESSES//' -e 's/)//' | tr -s ' \n' '\n' | grep -v '^$'))
fi

run_one() {
  local h="$1" corpus="$build/corpus/$1" artifacts="$build/artifacts/$1/"
  mkdir -p "$corpus" "$artifacts"
  local started=$SECONDS
  cp -n tests/fuzz/seeds/"$h"/* "$corpus"/ 2>/dev/null || true
  [ -d tests/fuzz/regressions/"$h" ] && cp -n tests/fuzz/regressions/"$h"/* "$corpus"/ 2>/dev/null || true
  # -malloc_limit_mb: one allocation above it is a finding (a size taken from the file without a bound).
  # -timeout: an input that takes over 10 s is a hang.
  "$build/tests/fuzz/fuzz_$h" "$corpus" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2560 \
    -malloc_limit_mb=1024 -artifact_prefix="$artifacts" -print_final_stats=1 -close_fd_mask=3 \
    >"$build/fuzz_$h.log" 2>&1 || true
  local elapsed=$((SECONDS - started)) # less than asked when a crash stopped it
  local execs cov ft crashes
  execs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$build/fuzz_$h.log" | awk '{print $2}' | tail -1 || true)
  cov=$(grep -o 'cov: [0-9]*' "$build/fuzz_$h.log" | tail -1 | awk '{print $2}' || true)
  ft=$(grep -o 'ft: [0-9]*' "$build/fuzz_$h.log" | tail -1 | awk '{print $2}' || true)
  crashes=$(find "$artifacts" -type f | wc -l)
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$(date -u +%FT%H:%MZ)" "$h" "$elapsed" "${execs:-?}" "${cov:-?}" "${ft:-?}" \
    "$(ls "$corpus" | wc -l)" "$crashes" >>"$build/fuzz-results.tsv"
  echo "fuzz: $h done: ${execs:-?} executions, ${cov:-?} edges, $crashes crash file(s) in $artifacts"
}

# Appended to, so the figures of every round stay (docs/reliability.md quotes them).
[ -f "$build/fuzz-results.tsv" ] ||
  printf 'date\tharness\tseconds\texecutions\tedges\tfeatures\tcorpus\tcrashes\n' >"$build/fuzz-results.tsv"
running=0
for h in "${harnesses[@]}"; do
  run_one "$h" &
  running=$((running + 1))
  if [ "$running" -ge 2 ]; then
    wait -n || true
    running=$((running - 1))
  fi
done
wait
tail -n "${#harnesses[@]}" "$build/fuzz-results.tsv" | column -t

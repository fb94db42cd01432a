#!/usr/bin/env bash
# The GPU session's checks, prepared and rehearsed on the CPU so that the device time goes to measuring.
#
#   here, first:   bash scripts/gpu-check.sh --prepare        fills .gpu-deps/ and .gpu-matrix/ (ignored)
#   on the device: bash scripts/gpu-check.sh [STEP...]         (device tool: carry [".gpu-deps"], see below)
#   here:          bash scripts/gpu-check.sh --cpu-dry-run     the same steps on tiny settings, Debian's LibTorch
#                                                              (its build and tests: only the parity and
#                                                              decoded-cache tests, for time)
#
# On the device (PyTorch's LibTorch, CUDA, no network, no OpenCV, maybe no Qt) it builds only what the checks
# need: the headless core (-DRINGMINER_GUI=OFF -DRINGMINER_OPENCV=OFF), the CLI, the core tests and the
# benchmarks, Release, Ninja, every core, against `python3 -c "import torch;print(torch.utils.cmake_prefix_path)"`
# with the small -dev packages of ../shared/tools/gpu-deps.sh (copied into .gpu-deps/) and Debian 12's
# Qt 6 Core + Test (for the Qt Test suites), all unpacked into /opt/rmdeps. Then, most valuable first, each
# step time-boxed (device-time estimates on one H100, 16 cores):
#   deps        unpack .gpu-deps (the -dev packages, Qt, the test data subset)                      ~10 s
#   build       configure + build build-gpu/ (core ~110 files, 16 at a time)                        ~4 min
#   parity      tests/core_test_models_parity: the committed timm JSON vs our models on the CPU and on
#               CUDA in float64, float32 (TF32 off) and bf16 autocast, the max |difference| of each  ~1 min
#   bench-bf16  bench_training, ours vs PyTorch + timm (the device's python3) in the same run:
#               EfficientNet-B0 c1, ResNet-18 c1, ResNet-50 c1 at 224 px, batch 64, bf16 autocast +
#               channels_last, images/s and GPU utilisation (nvidia-smi)                           ~3 min
#   tests       the core test suite (ctest) on the CUDA build, RINGMINER_REQUIRE_PARITY=1          ~3 min
#   matrix      the 18-cell matrix (gzd5 real cutouts + synthetic set) at 224 px, 10 epochs, on
#               cuda, from .gpu-matrix's project with 224 px decoded caches (the device cannot
#               decode JPEGs); report CSVs, runs list and `runs export` of the best run             ~5 min
#   bench-fp32  bench_training again in plain float32                                              ~3 min
# Together ~19 min: more than one 10-minute device call. The steps stop by themselves before
# GPU_CHECK_BUDGET seconds (default 540) have passed, and every result is in $OUT after each step; a second
# call with the same command on the still-warm machine skips the steps that passed (markers in
# build-gpu/gpu-check/done/) and carries on. Name steps to run only those (e.g. `... matrix bench-fp32`).
# The plan for one 15-minute session: call 1 with carry [".gpu-deps"] (21 MB) and timeout_s 600 runs deps,
# build, parity, bench-bf16 (and tests if time is left); call 2 at once, while the machine is warm (it keeps
# build-gpu/, .gpu-deps and /opt/rmdeps), with carry [".gpu-matrix"] (52 MB: the two together are over the
# 64 MiB a call takes) runs the same command: matrix, then what is left.
#
# $OUT (default ./gpu-out) gets at most 8 files: summary.txt (one line per step: status, seconds, log),
# gpu-check.tar.gz (every log and result), parity.txt, bench-bf16.json, bench-fp32.json, comparison.csv,
# best-run.safetensors (the best run's weights when under 15 MiB; else results/best-run-too-big.txt in the
# tarball gives its size and SHA-256).
#
# --prepare (here, with the normal OpenCV build in $RINGMINER_BUILD_DIR, default build/) writes .gpu-deps/:
# gpu-deps.sh and its .debs, qt/*.deb (Qt 6 Core, Test, moc and the libraries they need; qt/extra: GLib, used
# only where the machine has none), shared-data.tar.xz (the catalogs and label files the core tests read; no
# JPEGs: that build cannot decode them); and .gpu-matrix/matrix-<SIZE>.tar.xz: scripts/lib/results-project.sh's
# project (the 377 gzd5 cutouts, $GPU_CHECK_SYNTH_N synthetic galaxies per class, default 50) with 1- and
# 3-channel decoded caches of both target sets at SIZE px (default 224), 52 MB at 224 px.
# --cpu-dry-run prepares what it needs at 32 px in build-gpucheck/ and runs every step there on the CPU.
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$PWD"
deps="$repo/.gpu-deps"
matrix_dir="$repo/.gpu-matrix" # carried apart from .gpu-deps: together they are over one call's 64 MiB
mode=device
steps=()
one="" # --run-one STEP: the script runs one step in a child process, so that `timeout` can box it
while [ $# -gt 0 ]; do
  case "$1" in
    --prepare) mode=prepare ;;
    --cpu-dry-run) mode=dry ;;
    --run-one)
      one="$2"
      shift
      ;;
    -h | --help)
      sed -n '2,/^set -euo/p' "$0" | sed '$d'
      exit 0
      ;;
    deps | build | parity | bench-bf16 | tests | matrix | bench-fp32) steps+=("$1") ;;
    *)
      echo "gpu-check: unknown argument '$1' (see --help)" >&2
      exit 2
      ;;
  esac
  shift
done
[ ${#steps[@]} -gt 0 ] || steps=(deps build parity bench-bf16 tests matrix bench-fp32)
qt_debs=(libqt6core6 libqt6test6 libqt6dbus6 qt6-base-dev qt6-base-dev-tools libicu72 libdouble-conversion3
  libb2-1 libpcre2-16-0 libmd4c0 qmake6)

# --prepare: everything the device cannot make itself, into .gpu-deps/. make_matrix SIZE N OUT_TAR
make_matrix() {
  local size="$1" n="$2" tarball="$3" cli
  cli="$(cd "$repo" && realpath -m "${RINGMINER_BUILD_DIR:-build}")/app/ringminer-cli"
  local data="${RINGMINER_SHARED_DATA:-$repo/../shared/data}" tmp
  [ -x "$cli" ] || {
    echo "gpu-check: no $cli (the normal build, with OpenCV, makes the matrix project)" >&2
    return 1
  }
  tmp="$(mktemp -d)"
  # shellcheck source=lib/results-project.sh
  source "$repo/scripts/lib/results-project.sh"
  make_results_project "$cli" "$tmp/results.rmproj" "$data/images/gzdecals_ring470/labels.csv" \
    "$tmp/synthetic" "$n" 42
  for set in gzd5 synthetic; do
    for channels in 1 3; do
      "$cli" cutouts cache "$tmp/results.rmproj" --target-set "$set" --size "$size" --channels "$channels" >&2
    done
  done
  tar -C "$tmp" -cf - results.rmproj results.rmproj.files/caches | xz -T0 -6 >"$tarball"
  rm -rf "$tmp"
}

prepare() {
  local size="${1:-224}" n="${2:-${GPU_CHECK_SYNTH_N:-50}}" data="${RINGMINER_SHARED_DATA:-$repo/../shared/data}"
  mkdir -p "$deps/qt" "$matrix_dir"
  if ! ls "$deps"/libsqlite3-dev_*.deb >/dev/null 2>&1; then
    # gpu-deps.sh download writes .gpu-deps/ and .git/info/exclude where it runs: a scratch folder, since in a
    # git worktree .git is a file.
    local scratch
    scratch="$(mktemp -d)"
    mkdir -p "$scratch/.git/info"
    cp "$repo/../shared/tools/gpu-deps.sh" "$scratch/gpu-deps.sh"
    (cd "$scratch" && bash gpu-deps.sh download >/dev/null)
    cp "$scratch"/.gpu-deps/* "$deps/"
    rm -rf "$scratch"
  fi
  if ! ls "$deps"/qt/libqt6core6_*.deb >/dev/null 2>&1; then
    mkdir -p "$deps/qt/extra"
    (cd "$deps/qt" && apt-get download "${qt_debs[@]}" >/dev/null 2>&1 &&
      cd extra && apt-get download libglib2.0-0 >/dev/null 2>&1) || {
      echo "gpu-check: apt-get download ${qt_debs[*]} libglib2.0-0 failed" >&2
      return 1
    }
  fi
  if [ ! -f "$deps/shared-data.tar.xz" ]; then
    (cd "$data/.." && tar -cf - data/README.md data/catalogs data/images/gzdecals_ring470/labels.csv \
      data/images/gz2_kaggle_unlabelled/ids.csv) | xz -T0 -6 >"$deps/shared-data.tar.xz"
  fi
  [ -f "$matrix_dir/matrix-$size.tar.xz" ] || [ "${GPU_CHECK_NO_MATRIX:-0}" = 1 ] ||
    make_matrix "$size" "$n" "$matrix_dir/matrix-$size.tar.xz"
  du -sh "$deps" "$matrix_dir" "$deps"/* "$matrix_dir"/* | sed 's/^/gpu-check: /'
}

if [ "$mode" = prepare ]; then
  prepare "${GPU_CHECK_SIZE:-224}"
  exit 0
fi

# Settings: the device's, or the dry run's tiny ones.
if [ "$mode" = dry ]; then
  build="$repo/build-gpucheck"
  out="${OUT:-$repo/gpu-out-dry}"
  budget="${GPU_CHECK_BUDGET:-100000}"
  device=cpu
  size=32
  python="${GPU_CHECK_PYTHON:-/usr/bin/python3}"
  bench_args=(--size 32 --batch 4 --warmup-steps 1 --steps 2 --threads 2 --head-train 0)
  matrix_args=(--set epochs=1 --set image_size=32 --set batch_size=8 --set max_steps_per_epoch=2)
  test_timeout=900
  # Two CPU cores build the whole core suite in about an hour: the rehearsal builds and runs the two tests
  # that touch what the device steps rely on (parity, decoded caches in a moved project without OpenCV).
  build_targets=(--target ringminer-cli bench_training core_test_models_parity core_test_decoded_cache)
  ctest_args=(-R 'core_test_(models_parity|decoded_cache)$')
  export QTEST_FUNCTION_TIMEOUT=1800000 # Qt Test's 5 minutes a function are short on a busy 2-core machine
  declare -A cap=([deps]=300 [build]=3600 [parity]=600 [bench-bf16]=300 [tests]=1200 [matrix]=900
    [bench-fp32]=300)
else
  build="$repo/build-gpu"
  out="${OUT:-$repo/gpu-out}"
  budget="${GPU_CHECK_BUDGET:-540}"
  device=cuda
  size="${GPU_CHECK_SIZE:-224}"
  python="${GPU_CHECK_PYTHON:-python3}"
  bench_args=(--size "$size" --batch 64 --warmup-steps 5 --steps 20 --head-train 0)
  matrix_args=(--set epochs=10 --set "image_size=$size")
  test_timeout=300
  build_targets=()
  ctest_args=()
  declare -A cap=([deps]=120 [build]=480 [parity]=180 [bench-bf16]=300 [tests]=420 [matrix]=540
    [bench-fp32]=300)
fi
work="$build/gpu-check"
mkdir -p "$out" "$work/logs" "$work/results" "$work/done"
start=$(date +%s)
ncpu=$(nproc)

# Each step: its own log, a line in summary.tsv, a marker when it passed, $OUT refreshed after it.
pack() {
  {
    echo "gpu-check ($mode) on $(hostname), $(date -u +%FT%TZ); budget ${budget}s"
    [ -f "$work/device.txt" ] && cat "$work/device.txt"
    column -t -s $'\t' "$work/summary.tsv" 2>/dev/null || cat "$work/summary.tsv" 2>/dev/null || true
  } >"$out/summary.txt"
  tar -C "$work" -czf "$out/gpu-check.tar.gz" logs results summary.tsv 2>/dev/null || true
  local f
  for f in parity.txt bench-bf16.json bench-fp32.json comparison.csv best-run.safetensors; do
    [ -f "$work/results/$f" ] && cp "$work/results/$f" "$out/$f"
  done
  return 0
}
run_step() {
  local name="$1" left limit t0 rc
  if [ -f "$work/done/$name" ] && [ "${GPU_CHECK_FORCE:-0}" != 1 ]; then
    echo "== $name: passed in an earlier call, skipped (GPU_CHECK_FORCE=1 reruns it)"
    return 0
  fi
  left=$((budget - ($(date +%s) - start)))
  limit=${cap[$name]}
  [ "$left" -lt "$limit" ] && limit=$((left - 10))
  if [ "$limit" -lt 30 ]; then
    printf '%s\t%s\t%s\t%s\n' "$name" "not-run" "0" "budget spent: run the same command again" >>"$work/summary.tsv"
    echo "== $name: not run, ${left}s of the budget left"
    pack
    return 0
  fi
  echo "== $name (at most ${limit}s) $(date -u +%T)"
  t0=$(date +%s)
  set +e
  local self=(bash "$repo/scripts/gpu-check.sh")
  [ "$mode" = dry ] && self+=(--cpu-dry-run)
  timeout --kill-after=10 "$limit" "${self[@]}" --run-one "$name" >"$work/logs/$name.log" 2>&1
  rc=$?
  set -e
  local seconds=$(($(date +%s) - t0)) status=ok
  if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
    status="timed-out"
  elif [ "$rc" -ne 0 ]; then
    status="failed($rc)"
  else
    touch "$work/done/$name"
  fi
  printf '%s\t%s\t%s\t%s\n' "$name" "$status" "$seconds" "logs/$name.log" >>"$work/summary.tsv"
  echo "   $status in ${seconds}s"
  [ "$status" = ok ] || tail -n 25 "$work/logs/$name.log" | sed 's/^/   | /'
  pack
}

env_file="$work/env.sh" # what the deps step found, for the later steps (and later calls)
step_deps() {
  local prefix
  : >"$env_file"
  if [ "$mode" = dry ]; then
    # Here the -dev packages are installed; Qt is unpacked into a private prefix that CMake prefers, so the
    # relocated Qt the device will use is what this rehearsal builds and runs the tests with.
    [ -d "$deps/qt" ] || prepare "$size" 20
    prefix="$work/rmdeps"
    rm -rf "$prefix" && mkdir -p "$prefix"
    for f in "$deps"/qt/*.deb; do dpkg -x "$f" "$prefix"; done
    echo "export LD_LIBRARY_PATH=$prefix/usr/lib/x86_64-linux-gnu:\${LD_LIBRARY_PATH:-}" >>"$env_file"
    echo "cmake_flags=(-DCMAKE_PREFIX_PATH=$prefix/usr)" >>"$env_file"
  else
    [ -f "$deps/gpu-deps.sh" ] || {
      echo "no .gpu-deps/gpu-deps.sh: run scripts/gpu-check.sh --prepare here and carry .gpu-deps" >&2
      return 1
    }
    prefix=/opt/rmdeps
    bash "$deps/gpu-deps.sh" unpack | tee "$work/logs/gpu-deps-unpack.txt"
    for f in "$deps"/qt/*.deb; do dpkg -x "$f" "$prefix"; done
    local flags
    grep '^export LD_LIBRARY_PATH=' "$work/logs/gpu-deps-unpack.txt" >>"$env_file"
    flags="$(sed -n 's/^cmake flags: //p' "$work/logs/gpu-deps-unpack.txt")"
    [ -n "$flags" ] || {
      echo "gpu-deps.sh unpack printed no cmake flags" >&2
      return 1
    }
    echo "cmake_flags=($flags)" >>"$env_file"
    # Qt's libraries need GLib; bring Debian's only where the machine has none.
    if ! ldconfig -p | grep -q 'libglib-2.0.so.0' && ls "$deps"/qt/extra/*.deb >/dev/null 2>&1; then
      for f in "$deps"/qt/extra/*.deb; do dpkg -x "$f" /opt/rmdeps-glib; done
      echo "export LD_LIBRARY_PATH=/opt/rmdeps-glib/usr/lib/x86_64-linux-gnu:\$LD_LIBRARY_PATH" >>"$env_file"
    fi
  fi
  rm -rf "$work/data" && mkdir -p "$work/data"
  tar -C "$work/data" -xJf "$deps/shared-data.tar.xz"
  # The device, once, for the summary.
  {
    command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
    "$python" -c 'import torch; print("python torch", torch.__version__, "cuda", torch.version.cuda)' 2>&1 || true
    "$python" -c 'import timm, torchvision; print("timm", timm.__version__, "torchvision", torchvision.__version__)' 2>&1 | tail -1 || true
    echo "$ncpu CPU cores"
  } >"$work/device.txt"
  cat "$env_file" "$work/device.txt"
}

cmake_flags=()
load_env() {
  # shellcheck disable=SC1090
  [ -f "$env_file" ] && source "$env_file"
  return 0
}

step_build() {
  load_env
  cmake -S "$repo" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DRINGMINER_GUI=OFF -DRINGMINER_OPENCV=OFF \
    -DRINGMINER_TESTS=ON -DRINGMINER_BENCH=ON -DRINGMINER_SHARED_DATA="$work/data/data" "${cmake_flags[@]}"
  grep -E '^(Torch_DIR|Qt6_DIR|Qt6Test_DIR|CMAKE_CXX_COMPILER):' "$build/CMakeCache.txt" || true
  cmake --build "$build" -j "$ncpu" "${build_targets[@]}"
  ls "$build"/tests/core_test_* "$build"/bench/bench_training "$build"/app/ringminer-cli
}

step_parity() {
  load_env
  local exe="$build/tests/core_test_models_parity"
  [ -x "$exe" ] || {
    echo "no $exe (Qt 6 Test missing at configure time?)" >&2
    return 1
  }
  export RINGMINER_REQUIRE_PARITY=1 RINGMINER_SOURCE_DIR="$repo"
  local rc=0
  if [ "$mode" = dry ]; then
    RINGMINER_PARITY_DEVICE=cpu "$exe" featuresMatchTimmOnDevice || rc=$?
  else
    "$exe" || rc=$?
  fi
  return $rc
}
# The parity lines (max |difference| per case) for $OUT/parity.txt.
parity_summary() {
  grep -E 'max \|difference\||PASS|FAIL|SKIP|Totals' "$work/logs/parity.log" >"$work/results/parity.txt" || true
}

bench() {
  load_env
  local precision="$1" py=(--python "$(command -v "$python" || echo "$python")")
  if ! "$python" -c 'import torch, torchvision' >/dev/null 2>&1; then
    echo "note: $python cannot import torch + torchvision: ours only (--no-python)"
    py=(--no-python)
  fi
  "$build/bench/bench_training" "${bench_args[@]}" --device "$device" --precision "$precision" \
    --models efficientnet_b0:1,resnet18:1,resnet50:1 "${py[@]}" --json | tee "$work/results/bench-$precision.out"
  tail -n 1 "$work/results/bench-$precision.out" >"$work/results/bench-$precision.json"
}
step_bench_bf16() { bench bf16; }
step_bench_fp32() { bench fp32; }

step_tests() {
  load_env
  cd "$build"
  RINGMINER_REQUIRE_PARITY=1 QT_QPA_PLATFORM=offscreen ctest --output-on-failure -j "$ncpu" --timeout "$test_timeout" \
    "${ctest_args[@]}"
}

step_matrix() {
  load_env
  local cli="$build/app/ringminer-cli" project="$work/matrix/results.rmproj" res="$work/results" rc=0
  local tarball="$matrix_dir/matrix-$size.tar.xz"
  if [ ! -f "$tarball" ] && [ "$mode" = dry ]; then
    make_matrix "$size" 20 "$tarball"
  fi
  [ -f "$tarball" ] || {
    echo "no $tarball: run scripts/gpu-check.sh --prepare here and carry .gpu-matrix" >&2
    return 1
  }
  # A fresh copy each time (the project moves here: its caches are found in its files folder).
  rm -rf "$work/matrix" && mkdir -p "$work/matrix"
  tar -C "$work/matrix" -xJf "$tarball"
  "$cli" train "$project" --experiment "gpu$size" --target-sets gzd5,synthetic --replace "${matrix_args[@]}" \
    --device "$device" --json >"$res/train-summary.json" || rc=$?
  "$cli" report "$project" --experiment "gpu$size" --out "$res/report"
  cp "$res/report/comparison.csv" "$res/comparison.csv"
  "$cli" runs list "$project" --experiment "gpu$size" | tee "$res/runs.txt"
  rm -f "$res/best-run.safetensors" "$work/best-run.safetensors"
  "$cli" runs export "$project" --run best --experiment "gpu$size" --out "$work/best-run.safetensors" --json |
    tee "$res/best-run.json"
  local bytes
  bytes=$(stat -c %s "$work/best-run.safetensors")
  if [ "$bytes" -le $((15 * 1024 * 1024)) ]; then
    cp "$work/best-run.safetensors" "$res/best-run.safetensors"
  else
    echo "best run's export is $bytes bytes, over what \$OUT takes back (16 MiB a file): kept on the machine" \
      "at $work/best-run.safetensors, SHA-256 $(sha256sum "$work/best-run.safetensors" | cut -d' ' -f1)" |
      tee "$res/best-run-too-big.txt"
  fi
  return $rc
}

if [ -n "$one" ]; then
  "step_${one//-/_}"
  exit $?
fi

echo "gpu-check: $mode, build $build, results $out, steps: ${steps[*]}"
for s in "${steps[@]}"; do
  run_step "$s"
  [ "$s" = parity ] && parity_summary && pack
done
pack
echo "gpu-check: done in $(($(date +%s) - start))s"
cat "$out/summary.txt"
! grep -qE $'\t(failed|timed-out)' "$work/summary.tsv"

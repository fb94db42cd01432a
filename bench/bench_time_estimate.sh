#!/usr/bin/env bash
# How good is `train`'s time estimate? On a fresh demo project (400 synthetic galaxies, 280 in training),
# estimate a small matrix with `train --estimate`, then train each cell alone and compare its real wall time with
# its estimate, in the same run. Prints one line per cell and the ratio real / estimate.
# usage: bench/bench_time_estimate.sh [BUILD_DIR]   (default build)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
cli="$build/app/ringminer-cli"
work=$(mktemp -d /tmp/rm-bench-estimate.XXXXXX)
trap 'rm -rf "$work"' EXIT
"$cli" demo make "$work/demo" --json >/dev/null 2>&1
project="$work/demo/demo.rmproj"
cat >"$work/matrix.json" <<'JSON'
{"name": "est", "target_sets": ["demo"], "modes": ["head_only", "all_layers"],
 "models": [{"name": "simple_cnn", "arch": "simple_cnn", "in_chans": 1, "modes": ["all_layers"]},
            {"name": "resnet18_c1", "arch": "resnet18", "in_chans": 1},
            {"name": "effnet_b0_c3", "arch": "efficientnet_b0", "in_chans": 3, "modes": ["head_only"]}],
 "defaults": {"image_size": 96, "epochs": 2, "batch_size": 32, "patience": 0, "embedding_views": 2,
              "device": "cpu"}}
JSON
# The decoded-image cache is built once, outside the timings: the estimate does not cover decoding.
"$cli" cutouts cache "$project" --target-set demo --size 96 --channels 1 >/dev/null 2>&1
"$cli" cutouts cache "$project" --target-set demo --size 96 --channels 3 >/dev/null 2>&1
"$cli" train "$project" --matrix "$work/matrix.json" --estimate --json 2>"$work/estimate.log" | tail -1 >"$work/estimate.json"
echo "estimate: $(grep -o 'one timed step per network, [^)]*' "$work/estimate.log")"
printf '%-34s %10s %10s %8s\n' cell estimate real real/est
/usr/bin/python3 - "$work/estimate.json" "$cli" "$project" "$work/matrix.json" <<'PY'
import json, subprocess, sys, time
estimate, cli, project, matrix = sys.argv[1:]
cells = json.load(open(estimate))["estimate"]["cells"]
ratios = []
for c in cells:
    t = time.monotonic()
    r = subprocess.run([cli, "train", project, "--matrix", matrix, "--cells", c["cell"], "--no-estimate", "--json"],
                       capture_output=True, text=True)
    real = time.monotonic() - t
    if r.returncode != 0:
        sys.exit(f"train {c['cell']} failed: {r.stderr[-2000:]}")
    ratios.append(real / c["seconds"])
    print(f"{c['cell']:34s} {c['seconds']:9.1f}s {real:9.1f}s {real / c['seconds']:8.2f}")
ratios.sort()
print(f"real / estimate: median {ratios[len(ratios) // 2]:.2f}, range {ratios[0]:.2f} to {ratios[-1]:.2f} "
      f"(wall time includes process start, loading the cache and evaluation)")
PY

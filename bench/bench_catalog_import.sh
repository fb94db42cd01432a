#!/usr/bin/env bash
# Streaming catalog import vs astropy, in the same run. Generates CSVs of id,ra,dec (random positions, 6
# decimals) at each row count, plus one wide GZ DESI-like catalog (30 columns: 64-bit target ids, positions,
# redshifts, fluxes and their inverse variances, shape parameters, vote fractions, a morphology type word),
# then times `ringminer-cli catalog import` into a new project (parse + durable SQLite store, the whole
# process) against astropy's parse alone (`ascii.read(format='csv', fast_reader=True)`, Debian's
# python3-astropy, timed inside Python so its import is not counted). Peak RSS of both from /usr/bin/time -v.
# Prints one line per file and the ratios astropy parse time / RingMiner import time (>= 1: at least as fast),
# for wall time and for CPU time (user + system; RingMiner's whole process, start-up included, against
# astropy's parse alone by time.process_time): on a machine shared with other work the CPU ratio is the one
# that load does not distort.
# Generated files are deleted as soon as each case is done.
# usage: bench/bench_catalog_import.sh [BUILD_DIR] [ROWS...]   (default: build 1000000 4000000 10000000)
#        WIDE_ROWS=1000000 (0 skips the wide case), BENCH_TMP=/tmp
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
shift || true
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000000 4000000 10000000)
wide_rows=${WIDE_ROWS:-1000000}
cli="$PWD/$build/app/ringminer-cli"
[ -x "$cli" ] || { echo "no $cli (build ringminer-cli first)" >&2; exit 1; }
work=$(mktemp -d "${BENCH_TMP:-/tmp}/rm-bench-import.XXXXXX")
trap 'rm -rf "$work"' EXIT

narrow() { # rows file
    awk -v n="$1" 'BEGIN { srand(7); print "id,ra,dec";
        for (i = 0; i < n; i++) printf "%d,%.6f,%.6f\n", i, rand() * 360, rand() * 180 - 90 }' >"$2"
}

wide() { # rows file: 30 columns
    awk -v n="$1" 'BEGIN { srand(11);
        split("PSF REX EXP DEV SER", types, " ");
        print "targetid,ra,dec,z,zerr,zwarn,spectype,flux_g,flux_r,flux_z,flux_w1,flux_w2," \
              "flux_ivar_g,flux_ivar_r,flux_ivar_z,ebv,shape_r,shape_e1,shape_e2,sersic," \
              "t01_smooth_or_features_a01_smooth_fraction,t01_smooth_or_features_a02_features_or_disk_fraction," \
              "t02_edgeon_a04_yes_fraction,t03_bar_a06_bar_fraction,t04_spiral_a08_spiral_fraction," \
              "t06_odd_a14_yes_fraction,t08_odd_feature_a19_ring_fraction,total_votes,brickid,objid";
        for (i = 0; i < n; i++) {
            printf "%d,%.7f,%.7f,%.6f,%.3e,%d,%s,%.4f,%.4f,%.4f,%.4f,%.4f,%.4f,%.4f,%.4f,%.5f,%.4f,%.5f,%.5f,%.3f,",
                39627000000000000 + i * 7919, rand() * 360, rand() * 180 - 90, rand() * 1.5, rand() * 1e-4,
                (rand() < 0.97 ? 0 : 4), types[int(rand() * 5) + 1], rand() * 50, rand() * 80, rand() * 120,
                rand() * 150, rand() * 90, rand() * 20, rand() * 15, rand() * 5, rand() * 0.1, rand() * 5,
                rand() - 0.5, rand() - 0.5, 0.5 + rand() * 5;
            printf "%.3f,%.3f,%.3f,%.3f,%.3f,%.3f,%.3f,%d,%d,%d\n", rand(), rand(), rand(), rand(), rand(),
                rand(), rand() * 0.3, int(rand() * 60), 300000 + int(rand() * 50000), int(rand() * 8000) }
    }' >"$2"
}

peak_mb() { awk '/Maximum resident set size/ { printf "%.0f", $NF / 1024 }' "$1"; }

hdr() { printf '%-10s %9s %6s %8s %8s %8s %8s %8s %8s %8s %6s %6s\n' "case" "rows" "file" "import" "CPU" "RSS" \
    "project" "astropy" "CPU" "RSS" "wall x" "CPU x"; }

cpu_s() { awk '/User time|System time/ { t += $NF } END { printf "%.2f", t }' "$1"; }

run_case() { # label rows file
    local label=$1 rows=$2 csv=$3 project="$work/p.rmproj"
    rm -f "$project" "$project"-wal "$project"-shm
    "$cli" project new "$project" >/dev/null
    local t0 t1
    t0=$(date +%s.%N)
    /usr/bin/time -v -o "$work/ours.time" "$cli" catalog import "$project" "$csv" --name c --json \
        >"$work/ours.json" 2>"$work/ours.err" || { cat "$work/ours.err" >&2; exit 1; }
    t1=$(date +%s.%N)
    local ours
    ours=$(echo "$t1 - $t0" | bc -l)
    /usr/bin/time -v -o "$work/astropy.time" /usr/bin/python3 -c '
import sys, time
from astropy.io import ascii
t, c = time.perf_counter(), time.process_time()
table = ascii.read(sys.argv[1], format="csv", fast_reader=True)
print(time.perf_counter() - t, time.process_time() - c, len(table))' "$csv" >"$work/astropy.out"
    local ast astcpu astrows ourcpu
    read -r ast astcpu astrows <"$work/astropy.out"
    ourcpu=$(cpu_s "$work/ours.time")
    [ "$astrows" = "$rows" ] || { echo "astropy read $astrows rows, expected $rows" >&2; exit 1; }
    grep -q "\"rows\":$rows" "$work/ours.json" || { echo "ringminer did not import $rows rows" >&2; cat "$work/ours.json" >&2; exit 1; }
    printf '%-10s %9s %5.0fM %7.2fs %7.2fs %6sMB %7.0fM %7.2fs %7.2fs %6sMB %5.2fx %5.2fx\n' "$label" "$rows" \
        "$(echo "$(stat -c %s "$csv") / 1000000" | bc -l)" "$ours" "$ourcpu" "$(peak_mb "$work/ours.time")" \
        "$(echo "$(stat -c %s "$project") / 1000000" | bc -l)" "$ast" "$astcpu" "$(peak_mb "$work/astropy.time")" \
        "$(echo "$ast / $ours" | bc -l)" "$(echo "$astcpu / $ourcpu" | bc -l)"
    rm -f "$csv" "$project" "$project"-wal "$project"-shm
}

echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores;" \
    "load average $(cut -d' ' -f1-3 /proc/loadavg); $(date -u +%F)"
hdr
for n in "${sizes[@]}"; do
    narrow "$n" "$work/narrow.csv"
    run_case "id,ra,dec" "$n" "$work/narrow.csv"
done
if [ "$wide_rows" -gt 0 ]; then
    wide "$wide_rows" "$work/wide.csv"
    run_case "wide x30" "$wide_rows" "$work/wide.csv"
fi
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

#!/usr/bin/env bash
# A documented mining run on real data (docs/results.md, "Mining abraham2024 through a failing cutout service"):
# the 29,420 SDSS galaxies of Abraham et al. (2024) mined through the Legacy Surveys cutout source pointed at a
# local server (tests/core/fault_server.py) that fails on purpose for 600 of them (500s, HTML labelled as JPEG,
# truncated bodies, 404, empty bodies, timeouts, a 500 then the image). The download and the mining are each
# SIGKILLed once and started again; the second start must finish them.
#
# What the server serves: with CUTOUTS=DIR (a `ringminer-cli demo make` folder: demo_labelled.csv, images/),
# a synthetic ring cutout at every position whose published Prediction is >= 0.5 and a synthetic non-ring
# elsewhere, so a run trained on that synthetic survey should agree with Prediction about as well as it
# separates the synthetic classes, and a pipeline that mixed up rows and cutouts would fall to chance. That is
# a check of the plumbing, not science. Without CUTOUTS, real DECaLS JPEGs chosen by a hash of the position
# (agreement then at chance by construction).
# Prints the counts by reason and the agreement of is_ring with the published Prediction / Label columns.
#
#   [CUTOUTS=DEMO_DIR] scripts/mine-abraham-faults.sh PROJECT RUN [OUT]
#   (PROJECT has a done run; it gets a catalog "abraham")
set -euo pipefail
cd "$(dirname "$0")/.."
PROJECT=${1:?usage: scripts/mine-abraham-faults.sh PROJECT RUN [OUT]}
RUN=${2:?run id, cell key or best}
OUT=${3:-mined-abraham}
KILL_AFTER=${KILL_AFTER:-60}
CLI=${RINGMINER_CLI:-build/app/ringminer-cli}
DATA=${RINGMINER_SHARED_DATA:-../shared/data}
CAT=$DATA/catalogs/abraham2024_sdss_ring_predictions.csv
work=$(mktemp -d)
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT

/usr/bin/python3 - "$CAT" "$work" "${CUTOUTS:-}" <<'PY'
import csv, json, os, random, sys
rows = list(csv.DictReader(open(sys.argv[1])))
work, cutouts = sys.argv[2], sys.argv[3]
# The key the server files a position under: the six decimals of the cutout URL, then four.
key = lambda r: "%.4f_%.4f" % (round(float(r["ra"]), 6), round(float(r["dec"]), 6))
rnd = random.Random(2024)
kinds = [["500"] * 6, ["html_as_jpeg"], ["trunc"] * 6, ["404"], ["empty"] * 6, ["500", "ok"], ["slow:8"]]
plan = {}
for r in rnd.sample(rows, 600):
    plan[key(r)] = rnd.choice(kinds)
json.dump({"default": "ok", "positions": plan}, open(os.path.join(work, "plan.json"), "w"))
by_position = {}
if cutouts:
    demo = list(csv.DictReader(open(os.path.join(cutouts, "demo_labelled.csv"))))
    pools = {c: [os.path.abspath(os.path.join(cutouts, "images", d["file"])) for d in demo if d["ring"] == c]
             for c in ("1", "0")}
    for i, r in enumerate(rows):
        pool = pools["1" if float(r["Prediction"]) >= 0.5 else "0"]
        by_position[key(r)] = pool[i % len(pool)]
json.dump(by_position, open(os.path.join(work, "by_position.json"), "w"))
PY
/usr/bin/python3 tests/core/fault_server.py --images "$DATA/images/gzdecals_ring470" --plan "$work/plan.json" \
    --by-position "$work/by_position.json" --max-seconds 3600 > "$work/server.out" &
server=$!
for _ in $(seq 50); do grep -q PORT "$work/server.out" && break; sleep 0.1; done
port=$(awk '/PORT/ {print $2}' "$work/server.out")
echo "fault server on 127.0.0.1:$port"

"$CLI" catalog list "$PROJECT" | grep -q '^abraham ' ||
    "$CLI" catalog import "$PROJECT" "$CAT" --name abraham --role images
"$CLI" cutouts source "$PROJECT" abraham --spec "{\"kind\": \"legacysurvey\", \"base_url\": \"http://127.0.0.1:$port/viewer/cutout.jpg\"}" \
    --allow-missing > /dev/null

# Downloading first (the cutout source reads only its cache): killed once, then resumed from the ledger.
fetch=(cutouts fetch "$PROJECT" --catalog abraham --base-url "http://127.0.0.1:$port/viewer/cutout.jpg" --parallel 8 --rate 400
       --retries 3 --timeout 5 --backoff 0.2 --retry-failed)
start=$(date +%s.%N)
set +e
timeout -s KILL "$KILL_AFTER" "$CLI" "${fetch[@]}" > "$work/fetch1.txt" 2>&1
echo "fetch, first start: exit $? (137 = killed after $KILL_AFTER s)"
set -e
"$CLI" "${fetch[@]}" --json > "$work/fetch2.json" 2> "$work/fetch2.err" || true
tail -n 2 "$work/fetch2.err"
fetched=$(date +%s.%N)

args=(mine "$PROJECT" --run "$RUN" --catalog abraham --images abraham --out "$OUT" --precision 0.75
      --shard-size 2048 --name abraham_candidates)
# Killed (SIGKILL) once KILL_SHARDS of the 15 shards are on disk, whatever the machine's speed.
"$CLI" "${args[@]}" > "$work/first.txt" 2>&1 &
miner=$!
while kill -0 "$miner" 2>/dev/null && [ "$(ls "$OUT"/shards/shard-*.scores 2>/dev/null | wc -l)" -lt "${KILL_SHARDS:-7}" ]; do
    sleep 0.05
done
kill -KILL "$miner" 2>/dev/null || true
set +e
wait "$miner"
echo "mine, first start: exit $? (137 = killed) with $(ls "$OUT"/shards/shard-*.scores | wc -l) of 15 shards done"
set -e
"$CLI" "${args[@]}" --json > "$work/second.json" 2> "$work/second.err"
end=$(date +%s.%N)
echo "fetch $(echo "$fetched - $start" | bc) s, mine $(echo "$end - $fetched" | bc) s (both starts each)"
tail -n 3 "$work/second.err"
/usr/bin/python3 - "$work/second.json" "$OUT/rings.csv" "$CAT" "$start" "$end" <<'PY'
import csv, json, sys
summary = json.loads(open(sys.argv[1]).read().strip().splitlines()[-1])
rows = list(csv.DictReader(l for l in open(sys.argv[2]) if not l.startswith("#")))
pub = list(csv.DictReader(open(sys.argv[3])))
seconds = float(sys.argv[5]) - float(sys.argv[4])
print("rows %d, scored %d, not scored %d by reason %s" % (summary["rows"], summary["scored"],
      summary["not_scored"], json.dumps(summary["not_scored_by_reason"])))
print("shards %d (%d found done by the second start)" % (summary["shards"], summary["shards_found"]))
print("threshold %.4f: %d rings (%d known, %d new); wall time both starts %.0f s" % (summary["threshold"],
      summary["rings"], summary["rings_known"], summary["rings_new"], seconds))
assert len(rows) == len(pub) == summary["rows"]
scored = [(r, p) for r, p in zip(rows, pub) if r["p_ring"] not in ("", "nan")]
both = sum(1 for r, p in scored if r["is_ring"] == "1" and float(p["Prediction"]) >= 0.5)
ours = sum(1 for r, p in scored if r["is_ring"] == "1")
theirs = sum(1 for r, p in scored if float(p["Prediction"]) >= 0.5)
agree = sum(1 for r, p in scored if (r["is_ring"] == "1") == (float(p["Prediction"]) >= 0.5))
print("agreement with Prediction >= 0.5: %.3f of %d scored (ours ring %d, theirs %d, both %d)" %
      (agree / len(scored), len(scored), ours, theirs, both))
# Spearman rank correlation of p_ring with Prediction, without scipy.
def ranks(v):
    order = sorted(range(len(v)), key=lambda i: v[i]); out = [0.0] * len(v)
    for k, i in enumerate(order): out[i] = k
    return out
a = ranks([float(r["p_ring"]) for r, p in scored]); b = ranks([float(p["Prediction"]) for r, p in scored])
n = len(a); ma = sum(a) / n; mb = sum(b) / n
cov = sum((x - ma) * (y - mb) for x, y in zip(a, b))
va = sum((x - ma) ** 2 for x in a); vb = sum((y - mb) ** 2 for y in b)
print("Spearman rank correlation of p_ring with Prediction: %.3f" % (cov / (va * vb) ** 0.5))
missing = [r for r in rows if r["p_ring"] in ("", "nan")]
assert all(r["error"] for r in missing), "a row without a score and without a reason"
print("every row scored or carrying its reason")
PY

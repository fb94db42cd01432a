#!/usr/bin/env bash
# Makes docs/images/demo_vs_real.png: the first six ring galaxies of the demo survey (seed 42, 424x424 px,
# rendered exactly as `ringminer-cli demo make` renders them) above six real Galaxy Zoo DECaLS ring galaxies
# (the first six with ring=1 in ../shared/data/images/gzdecals_ring470/labels.csv). No picking by hand.
# Needs g++ and Debian's python3 with PIL (python3-pil); the real images are read, never copied.
set -euo pipefail
cd "$(dirname "$0")/.."
data="${RINGMINER_SHARED_DATA:-../shared/data}"
real="$data/images/gzdecals_ring470"
[ -f "$real/labels.csv" ] || { echo "missing $real/labels.csv (see ../shared/data/README.md)" >&2; exit 1; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
g++ -std=c++17 -O2 -Icore scripts/demo_samples.cpp core/synthetic/SyntheticGalaxy.cpp core/synthetic/DemoSurvey.cpp \
    core/imaging/JpegWriter.cpp core/util/Error.cpp -o "$work/demo_samples"
"$work/demo_samples" "$work" --size 424 --seed 42 --count 12 --time 200 > "$work/list.csv"
mkdir -p docs/images
/usr/bin/python3 - "$work" "$real" docs/images/demo_vs_real.png <<'PY'
import csv, sys
from PIL import Image, ImageDraw
work, real, out = sys.argv[1:4]
tile, cols = 212, 6
synthetic = [r for r in csv.reader(open(f"{work}/list.csv")) if r[1] == "1"][:cols]
reals = [r for r in csv.DictReader(open(f"{real}/labels.csv")) if r["ring"] == "1"][:cols]
sheet = Image.new("RGB", (cols * tile, 2 * tile))
draw = ImageDraw.Draw(sheet)
def put(img, col, row, text):
    sheet.paste(img.convert("RGB").resize((tile, tile), Image.LANCZOS), (col * tile, row * tile))
    draw.text((col * tile + 5, row * tile + 4), text, fill=(235, 235, 235))
for i, r in enumerate(synthetic):
    put(Image.open(f"{work}/{r[0]}.ppm"), i, 0, f"synthetic: {r[2]}\n{r[3]}")
for i, r in enumerate(reals):
    put(Image.open(f"{real}/{r['file']}"), i, 1, f"real: {r['iauname']}\nGZ DECaLS, ring=1")
sheet.save(out, optimize=True)
print(out, sheet.size)
PY

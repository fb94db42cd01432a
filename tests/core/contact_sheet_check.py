#!/usr/bin/python3
"""Checks a `mine --contact-sheet N` PNG against the mining output, with Pillow as the reference.

  contact_sheet_check.py SHEET RINGS_CSV IMAGE_DIR ID_TO_FILE_CSV N

The N highest p_ring rows of RINGS_CSV (ties in file order) are found here independently; the image of each
(ID_TO_FILE_CSV maps the id column, its first, to the file, its `file` column) is resized by Pillow (box
filter) to the tile size and compared with the tile at its rank in the sheet, laid out as ContactSheet_cv.cpp
lays it out (160 px tiles, 3 px frame, 6 px gaps, a 24 px heading, columns ceil(sqrt(4N/3))). Prints JSON:
the sheet size, the largest mean absolute difference of a tile from its own image, and the smallest from the
image of another rank (so a sheet in the wrong order, or with the wrong images, fails).
"""
import csv
import json
import math
import os
import sys

from PIL import Image, ImageChops, ImageStat

sheet_path, rings_csv, image_dir, id_csv, n = sys.argv[1:6]
n = int(n)
TILE, FRAME, GAP, HEAD = 160, 3, 6, 24
CELL_W, CELL_H = TILE + 2 * FRAME, TILE + 2 * FRAME + 2 * 16 + 4

rows = [r for r in csv.DictReader(l for l in open(rings_csv) if not l.startswith("#"))]
id_name = list(rows[0].keys())[1]
scored = [(i, r) for i, r in enumerate(rows) if r["p_ring"] not in ("", "nan")]
scored.sort(key=lambda t: (-float(t[1]["p_ring"]), t[0]))
top = [r for _, r in scored[:n]]
files = {r[list(r.keys())[0]]: r["file"] for r in csv.DictReader(open(id_csv))}

sheet = Image.open(sheet_path).convert("RGB")
columns = min(n, max(1, math.ceil(math.sqrt(n * 4.0 / 3.0))))
rows_n = (len(top) + columns - 1) // columns
expected = (GAP + columns * (CELL_W + GAP), HEAD + GAP + rows_n * (CELL_H + GAP))


def tile(k):
    x0 = GAP + (k % columns) * (CELL_W + GAP) + FRAME
    y0 = HEAD + GAP + (k // columns) * (CELL_H + GAP) + FRAME
    return sheet.crop((x0, y0, x0 + TILE, y0 + TILE))


def reference(r):
    im = Image.open(os.path.join(image_dir, files[r[id_name]])).convert("RGB")
    s = TILE / max(im.size)
    w, h = max(1, round(im.size[0] * s)), max(1, round(im.size[1] * s))
    out = Image.new("RGB", (TILE, TILE))
    out.paste(im.resize((w, h), Image.BOX), ((TILE - w) // 2, (TILE - h) // 2))
    return out


def mad(a, b):
    return sum(ImageStat.Stat(ImageChops.difference(a, b)).mean) / 3.0


refs = [reference(r) for r in top]
own = [mad(tile(k), refs[k]) for k in range(len(top))]
other = [mad(tile(k), refs[(k + 1) % len(top)]) for k in range(len(top))] if len(top) > 1 else [0.0]
print(json.dumps({"size": list(sheet.size), "expected_size": list(expected), "tiles": len(top),
                  "own_max": max(own), "other_min": min(other)}))

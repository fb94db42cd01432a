#!/usr/bin/python3
"""Writes the committed seed inputs of the fuzz harnesses into tests/fuzz/seeds/<harness>/.

Small, valid (or nearly valid) examples of each format, cut from ../shared/data where it has one, so the
fuzzer starts deep inside each reader and CI's replay runs real parsing paths. Run with Debian's python3
(astropy, numpy, Pillow): /usr/bin/python3 tests/fuzz/make_seeds.py [SHARED_DATA]
"""
import io
import json
import os
import struct
import sys

import numpy as np
from astropy.io import fits
from astropy.table import Table
from PIL import Image

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.dirname(os.path.dirname(here))
shared = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "..", "shared", "data")
seeds = os.path.join(here, "seeds")


def put(harness, name, data):
    d = os.path.join(seeds, harness)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


def head(path, lines):
    with open(path, "rb") as f:
        return b"".join(f.readlines()[:lines])


# catalog_text: first byte = format (0 auto, 1 csv, 2 whitespace) | 4 skip bad rows | 8 ".dat" name.
cats = os.path.join(shared, "catalogs")
for name, choice in [("buta2017_table2.csv", 0), ("gz2_hart16_sample2000.csv", 1),
                     ("nair_abraham2010_no_ring.csv", 4), ("abraham2024_sdss_ring_predictions.csv", 0),
                     ("krishnakumar_ps1_ring_candidates.csv", 5), ("chen2025_desi_rings_radec.txt", 2 | 8)]:
    put("catalog_text", name, bytes([choice]) + head(os.path.join(cats, name), 12))
put("catalog_text", "sexagesimal.csv", b"\x00name,RAJ2000,DEJ2000\na,12 30 49.4,+12 23 28\nb,00:00:01.5,-89:59:59\n")
put("catalog_text", "iau.csv", b"\x00iauname,z\nJ123049.42+122328.0,0.004\nJ000001.50-895959.9,0.1\n")
put("catalog_text", "quoted.csv", b'\x01\xef\xbb\xbfid,ra,dec,note\r\n1,10.5,-3.2,"a, ""b""\r\nc"\r\n2,,5,\r\n')

# catalog_fits: a binary table and an ASCII table with the column types the reader maps.
t = Table()
t["ra"] = np.array([10.5, 200.25, 359.9])
t["dec"] = np.array([-3.25, 45.0, 89.9], dtype=np.float32)
t["id"] = np.array([1, 2, 3], dtype=np.int64)
t["flag"] = np.array([True, False, True])
t["name"] = ["NGC 1", "IC 2", ""]
t["short"] = np.array([1, -2, 3], dtype=np.int16)
t["vec"] = np.zeros((3, 2))
buf = io.BytesIO()
fits.BinTableHDU(t).writeto(buf)
put("catalog_fits", "bintable.fits", buf.getvalue())
a = fits.TableHDU.from_columns([fits.Column(name="RA", format="F10.5", array=np.array([1.5, 2.5])),
                                fits.Column(name="DEC", format="F10.5", array=np.array([-1.0, 3.0])),
                                fits.Column(name="NAME", format="A8", array=np.array(["x", "y"]))])
buf = io.BytesIO()
fits.HDUList([fits.PrimaryHDU(), a]).writeto(buf)
put("catalog_fits", "asciitable.fits", buf.getvalue())
with fits.open(os.path.join(cats, "buta2017_table2.fits")) as h:
    small = fits.BinTableHDU(h[1].data[:4], header=h[1].header)
    buf = io.BytesIO()
    fits.HDUList([fits.PrimaryHDU(), small]).writeto(buf)
    put("catalog_fits", "buta2017_head.fits", buf.getvalue())

# sky_parse and filter_expression: what users type.
for i, s in enumerate(["12 30 49.42", "+12:23:28.0", "-00 00 01.5", "23h59m59.99s", "J123049.42+122328.0",
                       "J000001.50-895959.9", "SDSS J094542.16+361607.5", "359.999"]):
    put("sky_parse", f"s{i}", s)
for i, s in enumerate(["z < 0.005 and OV != ''", "ra between 10 and 20 or not (dec > 0)",
                       "Names like 'NGC%' and label is null", "\"ring score\" >= 0.5", "z in (0.1, 0.2, 3e-2)",
                       "-dec <= -1.5e1 and OV = 'RL'"]):
    put("filter_expression", f"f{i}", s)


# safetensors: every dtype, an empty tensor, metadata.
def safetensors(tensors, metadata=None):
    header, data = {}, b""
    for name, (dtype, shape, raw) in tensors.items():
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    if metadata:
        header["__metadata__"] = metadata
    h = json.dumps(header).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    return struct.pack("<Q", len(h)) + h + data


put("safetensors", "dtypes.safetensors", safetensors({
    "a.weight": ("F32", [2, 3], np.arange(6, dtype="<f4").tobytes()),
    "b": ("F16", [4], np.array([1, -2, 0.5, 65504], dtype="<f2").tobytes()),
    "c": ("BF16", [2], struct.pack("<HH", 0x3F80, 0xC000)),
    "d": ("F64", [1], struct.pack("<d", 3.25)),
    "e": ("I64", [2], struct.pack("<qq", -1, 7)),
    "f": ("I32", [1], struct.pack("<i", 5)), "g": ("I16", [1], struct.pack("<h", -5)),
    "h": ("I8", [1], b"\xff"), "i": ("U8", [2], b"\x01\xfe"), "j": ("BOOL", [1], b"\x01"),
    "empty": ("F32", [0, 4], b""),
}, {"format": "pt"}))

# checkpoint_header: a checkpoint's metadata as the trainer writes it (see TrainProgress toJson).
progress = {"epochs_done": 2, "best_epoch": 1, "best_val_loss": 0.5, "best_val_auc": 0.75,
            "epochs_since_best": 1, "stopped_early": False, "train_images": 64, "train_seconds": 3.0,
            "seconds": 3.5,
            "history": [{"epoch": 1, "train_loss": 0.7, "val_loss": 0.5, "val_auc": 0.75, "learning_rate": 0.001,
                         "seconds": 1.5, "best": True},
                        {"epoch": 2, "train_loss": 0.6, "val_loss": None, "val_auc": None, "learning_rate": 0.0005,
                         "seconds": 1.5, "best": False}]}
meta = {"version": 1, "progress": progress, "fingerprint": {"arch": "simple_cnn", "seed": 1}}
put("checkpoint_header", "checkpoint.safetensors", safetensors(
    {"model.w": ("F32", [1], struct.pack("<f", 1.0))},
    {"ringminer.checkpoint": json.dumps(meta), "ringminer.arch": "simple_cnn"}))

# matrix_json: the default matrix and a small one with overrides.
with open(os.path.join(root, "resources", "default_matrix.json"), "rb") as f:
    put("matrix_json", "default_matrix.json", f.read())
put("matrix_json", "small.json", json.dumps({
    "name": "small", "target_sets": ["demo"], "modes": ["scratch"],
    "models": [{"name": "cnn", "arch": "simple_cnn", "in_channels": 1, "epochs": 2}],
    "defaults": {"epochs": 3, "batch_size": 8, "image_size": 32, "seed": 7, "cv_folds": 0},
    "overrides": {"demo/cnn/scratch": {"lr": 0.01}}}, indent=1))

# image_decode: a real cutout made small, and the PNG kinds (grey, palette, 16-bit, alpha).
cut_dir = os.path.join(shared, "images", "gzdecals_ring470")
jpgs = sorted(f for f in os.listdir(cut_dir) if f.endswith(".jpg"))[:1] if os.path.isdir(cut_dir) else []
jpgs = jpgs or sorted(os.path.join(dp, f) for dp, _, fs in os.walk(cut_dir) for f in fs if f.endswith(".jpg"))[:1]
src = Image.open(jpgs[0] if os.path.isabs(jpgs[0]) else os.path.join(cut_dir, jpgs[0])).convert("RGB")
small = src.resize((24, 24))
for name, img, fmt, kw in [("rgb.jpg", small, "JPEG", {"quality": 80}),
                           ("grey.jpg", small.convert("L"), "JPEG", {}),
                           ("progressive.jpg", small, "JPEG", {"progressive": True}),
                           ("rgb.png", small, "PNG", {}), ("grey.png", small.convert("L"), "PNG", {}),
                           ("palette.png", small.convert("P"), "PNG", {}),
                           ("alpha.png", small.convert("RGBA"), "PNG", {}),
                           ("grey16.png", Image.fromarray((np.arange(64, dtype=np.uint16) * 1000).reshape(8, 8)),
                            "PNG", {})]:
    buf = io.BytesIO()
    img.save(buf, fmt, **kw)
    put("image_decode", name, buf.getvalue())

# fits_image: a 2-D image and a g,r,z cube, like Legacy Surveys FITS cutouts.
rng = np.random.default_rng(1)
buf = io.BytesIO()
fits.PrimaryHDU(rng.normal(0, 1, (16, 16)).astype(np.float32)).writeto(buf)
put("fits_image", "plane.fits", buf.getvalue())
cube = fits.PrimaryHDU(rng.normal(0, 1, (3, 12, 12)).astype(np.float32))
cube.header["BAND0"], cube.header["BAND1"], cube.header["BAND2"] = "g", "r", "z"
buf = io.BytesIO()
cube.writeto(buf)
put("fits_image", "cube.fits", buf.getvalue())
buf = io.BytesIO()
fits.HDUList([fits.PrimaryHDU(), fits.ImageHDU((np.arange(100, dtype=np.int16)).reshape(10, 10))]).writeto(buf)
put("fits_image", "int16_ext.fits", buf.getvalue())
print("seeds written to", seeds)

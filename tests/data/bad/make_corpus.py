#!/usr/bin/python3
"""Writes the small files of the bad-input corpus (tests/data/bad/README.md lists every case).

Run from anywhere with Debian's python3 (numpy, astropy, PIL): /usr/bin/python3 tests/data/bad/make_corpus.py
The output is deterministic; the files are committed, so the tests need no Python.
"""
import io
import json
import os
import struct
import zlib

import numpy as np
from astropy.io import fits
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))


def write(rel, data):
    path = os.path.join(HERE, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data.encode("utf-8") if isinstance(data, str) else data)


# ---- catalogs: CSV / whitespace ----
write("catalogs/ragged_long.csv", "name,ra,dec\ng1,10.0,20.0\ng2,11.0,21.0\ng3,12.0,22.0,extra\ng4,13.0,23.0\n")
write("catalogs/ragged_short.csv", "name,ra,dec\ng1,10.0,20.0\ng2,11.0\ng3,12.0,22.0\n")
write("catalogs/bom.csv", b"\xef\xbb\xbfname,ra,dec\ng1,10.5,-20.25\ng2,11.5,21.0\n")
write("catalogs/crlf.csv", b"name,ra,dec,z\r\ng1,10.5,-20.25,0.031\r\ng2,11.5,21.0,\r\ng3,12.5,22.0,0.05\r\n")
write("catalogs/quoted_newline.csv",
      'name,ra,dec,note\ng1,10.5,20.0,"two\nlines"\ng2,11.5,21.0,"say ""ring"""\ng3,12.5,22.0,plain\n')
write("catalogs/latin1.csv", "name,ra,dec,author\nNGC 1300,49.92,-19.41,S\xe9rsic\nNGC 4736,192.72,41.12,M\xfcller\n"
      .encode("latin-1"))
write("catalogs/unterminated_quote.csv", 'name,ra,dec\ng1,10.0,20.0\n"g2,11.0,21.0\ng3,12.0,22.0\n')
write("catalogs/nan_ra.csv", "name,ra,dec\ng1,10.0,20.0\ng2,nan,21.0\ng3,12.0,22.0\n")
write("catalogs/inf_dec.csv", "name,ra,dec\ng1,10.0,20.0\ng2,11.0,21.0\ng3,12.0,inf\n")
write("catalogs/ra_out_of_range.csv", "name,ra,dec\ng1,10.0,20.0\ng2,361.5,21.0\n")
write("catalogs/dec_out_of_range.csv", "name,ra,dec\ng1,10.0,-91.0\ng2,11.0,21.0\n")
write("catalogs/ra_blank.csv", "name,ra,dec\ng1,10.0,20.0\ng2,,21.0\n")
write("catalogs/ra_text.csv", "name,ra,dec\ng1,10.0,20.0\ng2,ten,21.0\n")
rows = ["name,ra,dec"] + ["h%02d,%.3f,%.2f" % (i, 0.5 + i * 1.9, -40 + i * 8.5) for i in range(12)]
write("catalogs/ra_hours.csv", "\n".join(rows) + "\n")
write("catalogs/duplicate_ids.csv", "objid,ra,dec\n1001,10.0,20.0\n1001,10.0,20.0\n1002,11.0,21.0\n")
write("catalogs/duplicate_header.csv", "name,ra,dec,z,z\ng1,10.0,20.0,0.01,0.02\ng2,11.0,21.0,0.03,0.04\n")
write("catalogs/empty.csv", b"")
write("catalogs/blank_lines.csv", "\n\n   \n\n")
write("catalogs/header_only.csv", "name,ra,dec\n")
write("catalogs/no_positions.csv", "name,mag\ng1,15.2\ng2,16.1\n")
write("catalogs/bad_sexagesimal.csv",
      "name,RAJ2000,DEJ2000\ng1,10 20 30.5,+20 10 05\ng2,25 10 00.0,+21 00 00\n")
write("catalogs/bad_iau_name.csv",
      "iauname,mag\nJ101010.10+201010.1,15\nJ111111.11+211111.1,16\nJ999999.99+999999.9,17\n")
write("catalogs/label_not_label.csv", "name,ra,dec,ring\ng1,10.0,20.0,1\ng2,11.0,21.0,maybe\ng3,12.0,22.0,0\n")
write("catalogs/ragged.txt", "10.0 20.0\n11.0 21.0 5\n12.0 22.0\n")
write("catalogs/html_as.csv", "<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head></html>\n")

# ---- images ----
def jpeg(img, **kw):
    b = io.BytesIO()
    img.save(b, "JPEG", quality=90, **kw)
    return b.getvalue()


def png(img):
    b = io.BytesIO()
    img.save(b, "PNG")
    return b.getvalue()


def chunk(kind, body):
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)


good = Image.new("RGB", (16, 16), (200, 40, 40))
write("images/good_a.jpg", jpeg(good))
write("images/good_b.jpg", jpeg(Image.new("RGB", (16, 16), (40, 40, 200))))
write("images/html.jpg", "<!DOCTYPE html>\n<html><body>Service unavailable</body></html>\n")
write("images/zero.jpg", b"")
write("images/truncated.jpg", jpeg(Image.new("RGB", (32, 32), (10, 200, 10)))[:300])
write("images/text.png", "this is not an image\n")
write("images/one_by_one.png", png(Image.new("RGB", (1, 1), (255, 128, 0))))
# 16-bit grey: 4x4 at 40000/65535 (decodes to 8-bit 155 = 40000 >> 8)
write("images/grey16.png", png(Image.fromarray(np.full((4, 4), 40000, dtype=np.uint16), mode="I;16")))
pal = Image.new("P", (4, 4), 1)
pal.putpalette([0, 0, 0, 30, 144, 255] + [0] * 762)
write("images/palette.png", png(pal))
write("images/cmyk.jpg", jpeg(Image.new("CMYK", (8, 8), (0, 255, 255, 0))))  # pure red in CMYK
write("images/grey.jpg", jpeg(Image.new("L", (8, 8), 77)))
# Headers that claim 20000 x 20000 pixels (1.2 GB decoded) in a few hundred bytes.
ihdr = struct.pack(">IIBBBBB", 20000, 20000, 8, 2, 0, 0, 0)
write("images/huge_header.png", b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) +
      chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b""))
small = bytearray(jpeg(Image.new("RGB", (8, 8), (5, 5, 5))))
sof = small.index(b"\xff\xc0")
small[sof + 5:sof + 9] = struct.pack(">HH", 20000, 20000)
write("images/huge_header.jpg", bytes(small))
# A marker segment whose length runs past the end, though the file ends with EOI.
bad = bytearray(jpeg(Image.new("RGB", (8, 8), (5, 5, 5))))
dqt = bad.index(b"\xff\xdb")
bad[dqt + 2:dqt + 4] = struct.pack(">H", 60000)
write("images/bad_segment.jpg", bytes(bad))

# ---- FITS tables ----
def table(rows=3, ra=None):
    ra = np.array(ra if ra is not None else [10.0 + i for i in range(rows)])
    cols = [fits.Column(name="name", format="8A", array=np.array(["g%d" % i for i in range(rows)])),
            fits.Column(name="ra", format="D", array=ra),
            fits.Column(name="dec", format="D", array=np.array([20.0 + i for i in range(rows)]))]
    return fits.HDUList([fits.PrimaryHDU(), fits.BinTableHDU.from_columns(cols)])


def fits_bytes(hdul):
    b = io.BytesIO()
    hdul.writeto(b)
    return b.getvalue()


def set_card(data, key, value):
    """Rewrites one header card of the first extension in place (80-byte cards)."""
    data = bytearray(data)
    start = 2880
    for i in range(start, start + 2880, 80):
        if data[i:i + 8].decode().strip() == key:
            card = ("%-8s= %20s" % (key, value)).ljust(80)[:80]
            data[i:i + 80] = card.encode()
            return bytes(data)
    raise KeyError(key)


good_fits = fits_bytes(table())
write("fits/truncated.fits", good_fits[:5760 + 40])
write("fits/naxis2_huge.fits", set_card(good_fits[:5760], "NAXIS2", 1000000000000))
write("fits/naxis1_huge.fits", set_card(good_fits[:5760], "NAXIS1", 1099511627776))
write("fits/tform_lying.fits", set_card(good_fits, "TFORM1", "'100000000A'"))
write("fits/tform_garbage.fits", set_card(good_fits, "TFORM2", "'Q7Z'"))
write("fits/not_fits.fits", "SIMPLE = maybe\nthis is a text file named .fits\n")
write("fits/zero.fits", b"")
write("fits/image_only.fits", fits_bytes(fits.HDUList([fits.PrimaryHDU(np.zeros((4, 4), dtype=np.int16))])))
write("fits/nan_ra.fits", fits_bytes(table(ra=[10.0, float("nan"), 12.0])))
write("fits/trailing_bytes.fits", good_fits + b"\0" * 100)

# ---- safetensors ----
def st(header, data=b"", length=None):
    h = json.dumps(header).encode()
    return struct.pack("<Q", len(h) if length is None else length) + h + data


w = {"conv.weight": {"dtype": "F32", "shape": [2, 2], "data_offsets": [0, 16]}}
write("weights/header_past_eof.safetensors", st(w, b"\0" * 16, length=1000))
write("weights/header_absurd.safetensors", st(w, b"\0" * 16, length=1 << 62))
write("weights/offsets_past_end.safetensors",
      st({"conv.weight": {"dtype": "F32", "shape": [1000, 1000], "data_offsets": [0, 4000000]}}, b"\0" * 16))
write("weights/shape_overflow.safetensors",
      st({"conv.weight": {"dtype": "F64", "shape": [1 << 40, 1 << 22], "data_offsets": [0, 0]}}))
write("weights/not_json.safetensors", struct.pack("<Q", 24) + b"{not json at all        ")
write("weights/short.safetensors", b"\x10\x00\x00")
write("weights/bad_dtype.safetensors",
      st({"conv.weight": {"dtype": "F8", "shape": [2], "data_offsets": [0, 2]}}, b"\0" * 2))
write("weights/overlap.safetensors",
      st({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
          "b": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}}, b"\0" * 12))
# A PyTorch pickle (torch.save) under a .safetensors name: never unpickled, refused by its first 8 bytes.
write("weights/pickle.safetensors", b"\x80\x02\x8a\x0al\xfc\x9cF\xf9 j\xa8P\x19.\x80\x02}q\x00(X\x10\x00\x00\x00"
      b"protocol_versionq\x01M\xe9\x03X\r\x00\x00\x00little_endianq\x02\x88u.")

# ---- projects ----
write("projects/not_sqlite.rmproj", "name,ra,dec\ng1,10.0,20.0\n")
write("projects/html.rmproj", "<!DOCTYPE html>\n<html><body>404</body></html>\n")
write("projects/zero.rmproj", b"")

"""Reads a `ringminer-cli mine` FITS catalog back with astropy and checks it against the CSV written beside it.

usage: mining_fits_check.py DIR   (prints OK and the header provenance as JSON, or fails with a message)
"""
import csv
import json
import math
import sys

from astropy.io import fits

out = sys.argv[1]
with fits.open(out + "/rings.fits") as hdul:
    hdu = hdul["CANDIDATES"]
    data = hdu.data
    header = hdu.header
    rows = list(csv.DictReader(open(out + "/rings.csv", newline="")))
    assert len(rows) == len(data), f"{len(rows)} CSV rows, {len(data)} FITS rows"
    idcol = list(rows[0].keys())[1]
    for r, d in zip(rows, data):
        assert int(r["row"]) == int(d["ROW"]), (r["row"], d["ROW"])
        assert r[idcol] == str(d["ID"]).strip(), (r[idcol], d["ID"])
        p = float(d["P_RING"])
        if r["p_ring"] == "":
            assert math.isnan(p), p
        else:
            assert abs(float(r["p_ring"]) - p) <= 5e-7, (r["p_ring"], p)
        assert int(r["is_ring"]) == int(bool(d["IS_RING"])), (r["is_ring"], d["IS_RING"])
        assert int(r["known_ring"]) == int(bool(d["KNOWN_RING"]))
        assert r["known_catalog"] == str(d["KNOWN_CAT"]).strip()
        assert r["error"] == str(d["ERROR"]).strip(), (r["error"], d["ERROR"])
        if "ra" in r and r["ra"] != "":
            assert abs(float(r["ra"]) - float(d["RA"])) < 1e-6
        if "p_ring_std" in r and r["p_ring_std"] != "":
            assert abs(float(r["p_ring_std"]) - float(d["P_RING_STD"])) <= 5e-7
    keys = ["ORIGIN", "DATE", "RM_RUN", "RM_CELL", "RM_ARCH", "RM_MODE", "RM_WSHA", "RM_THR", "RM_THRHW",
            "RM_VPREC", "RM_VREC", "RM_INPUT", "RM_INSHA", "RM_INROW", "RM_TTA", "RM_RADIU", "RM_KNOWN", "RM_VERS"]
    prov = {k: header[k] for k in keys if k in header}
    print("OK")
    print(json.dumps(prov, default=str))

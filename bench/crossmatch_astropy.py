#!/usr/bin/python3
"""Reference timing for bench_crossmatch: astropy's SkyCoord.match_to_catalog_sky on the same catalogs.

Run by bench_crossmatch under Debian's /usr/bin/python3 (python3-astropy). Reads raA.npy, decA.npy, raB.npy,
decB.npy (float64 degrees) from DIR, and writes astropy's nearest B index per A row (idx.bin, little-endian
int64) and its separation in arcsec (sep.bin, little-endian float64) there, so the C++ side can compare the
matches. Prints one JSON line with the timings.

What is timed, per repeat: building both SkyCoord objects from the degree arrays plus match_to_catalog_sky
(which converts to unit vectors, builds scipy's cKDTree on B and queries the nearest neighbour of every A row).
Loading the .npy files is not timed. The SkyCoords are rebuilt every repeat because astropy caches the KD-tree
on the catalog object, and a cached tree would hide the build cost that our side pays.
"""
import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import astropy
import astropy.units as u
import numpy as np
import scipy
from astropy.coordinates import SkyCoord


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dir", type=Path)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    ra_a = np.load(args.dir / "raA.npy")
    dec_a = np.load(args.dir / "decA.npy")
    ra_b = np.load(args.dir / "raB.npy")
    dec_b = np.load(args.dir / "decB.npy")

    times = []
    cpu = []
    idx = sep = None
    for _ in range(max(1, args.repeats)):
        c0 = time.process_time()
        t0 = time.perf_counter()
        a = SkyCoord(ra=ra_a * u.deg, dec=dec_a * u.deg, frame="icrs")
        b = SkyCoord(ra=ra_b * u.deg, dec=dec_b * u.deg, frame="icrs")
        idx, sep2d, _ = a.match_to_catalog_sky(b)
        t1 = time.perf_counter()
        times.append(t1 - t0)
        cpu.append(time.process_time() - c0)
        sep = sep2d.to_value(u.arcsec)

    np.ascontiguousarray(idx, dtype="<i8").tofile(args.dir / "idx.bin")
    np.ascontiguousarray(sep, dtype="<f8").tofile(args.dir / "sep.bin")
    print(json.dumps({
        "seconds_median": statistics.median(times),
        "seconds": times,
        "cpu_seconds_median": statistics.median(cpu),
        "rows_a": int(ra_a.size),
        "rows_b": int(ra_b.size),
        "astropy": astropy.__version__,
        "scipy": scipy.__version__,
        "numpy": np.__version__,
        "python": sys.version.split()[0],
    }))


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""Reference timing for bench_decode: Pillow decode + resize of the same JPEGs.

Run by bench_decode under Debian's /usr/bin/python3 (python3-pil). Reads the file list (one path per line) from
LIST, and for each of PASSES passes opens every file, decodes it to RGB and resizes it to SIZE x SIZE with
Pillow's BILINEAR filter (which, like OpenCV's INTER_AREA, widens its support when shrinking, so it averages
rather than aliases). With --processes N > 1 the files are spread over a multiprocessing pool (Python threads
would serialise on the GIL); the pool is started and warmed before the clock starts. Prints one JSON line with
the wall time and the CPU time (process time; for a pool, the workers' CPU time), which does not depend on how
busy the machine is.
"""
import argparse
import json
import multiprocessing
import resource
import time

import PIL
from PIL import Image

try:
    BILINEAR = Image.Resampling.BILINEAR
except AttributeError:  # Pillow < 9.1
    BILINEAR = Image.BILINEAR


def decode_resize(args):
    path, size = args
    with Image.open(path) as im:
        out = im.convert("RGB").resize((size, size), BILINEAR)
    return out.size[0]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("list")
    parser.add_argument("--size", type=int, default=224)
    parser.add_argument("--passes", type=int, default=3)
    parser.add_argument("--processes", type=int, default=1)
    args = parser.parse_args()
    with open(args.list) as f:
        paths = [line.strip() for line in f if line.strip()]
    work = [(p, args.size) for _ in range(args.passes) for p in paths]

    if args.processes <= 1:
        cpu0 = time.process_time()
        start = time.perf_counter()
        for item in work:
            decode_resize(item)
        seconds = time.perf_counter() - start
        cpu = time.process_time() - cpu0
    else:
        # CPU time of the workers is counted once they have exited (so it includes their warm-up, a few images).
        cpu0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        pool = multiprocessing.Pool(args.processes)
        pool.map(decode_resize, work[: args.processes * 2])  # warm up the workers
        start = time.perf_counter()
        pool.map(decode_resize, work, chunksize=16)
        seconds = time.perf_counter() - start
        pool.close()
        pool.join()
        cpu1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)

    print(json.dumps({"tool": "pillow", "version": PIL.__version__, "images": len(work), "seconds": seconds,
                      "images_per_s": len(work) / seconds, "cpu_seconds": cpu, "processes": args.processes, "size": args.size}))


if __name__ == "__main__":
    main()

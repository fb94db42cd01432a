#!/usr/bin/python3
"""PyTorch reference for bench_mining: scores a list of image files with a standard
torch.utils.data.DataLoader the way a Python user would (PIL decoding in worker processes, no torchvision),
with the same three-layer CNN as RingMiner's simple_cnn in evaluation mode, and writes the scores to a file.
Prints one JSON line with the galaxies scored per second.

Same preprocessing as RingMiner's scoring path (core/imaging/Preprocess.h, the evaluation view): decode to
RGB, area-average resize to SIZE x SIZE (PIL's BOX filter, as OpenCV's INTER_AREA), scale to [0, 1] (the
default normalisation), RGB or the plain channel mean for one channel.

    mining_torch_reference.py FILELIST --rows 768 --size 64 --batch 64 --threads 2 --out scores.txt
"""
import argparse
import json
import sys
import time

import numpy as np
import torch
import torch.nn as nn
from PIL import Image


class Files(torch.utils.data.Dataset):
    def __init__(self, files, rows, size, in_chans):
        self.files, self.rows, self.size, self.in_chans = files, rows, size, in_chans

    def __len__(self):
        return self.rows

    def __getitem__(self, i):
        with Image.open(self.files[i % len(self.files)]) as im:
            im = im.convert("RGB").resize((self.size, self.size), Image.BOX)
        a = torch.from_numpy(np.asarray(im, dtype=np.uint8).copy()).permute(2, 0, 1)  # C, H, W
        if self.in_chans == 1:
            a = a.float().mean(0, keepdim=True).round()
        return a.float().div_(255.0)


class SimpleCnn(nn.Module):
    """RingMiner's simple_cnn: conv3x3-BN-ReLU-maxpool twice, conv3x3-BN-ReLU, global average pool, Linear."""

    def __init__(self, in_chans):
        super().__init__()

        def block(i, o):
            return [nn.Conv2d(i, o, 3, padding=1, bias=False), nn.BatchNorm2d(o), nn.ReLU(inplace=True)]

        self.features = nn.Sequential(*block(in_chans, 32), nn.MaxPool2d(2), *block(32, 64), nn.MaxPool2d(2),
                                      *block(64, 128), nn.AdaptiveAvgPool2d(1), nn.Flatten())
        self.head = nn.Linear(128, 1)

    def forward(self, x):
        return self.head(self.features(x))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("filelist")
    ap.add_argument("--rows", type=int, required=True)
    ap.add_argument("--size", type=int, default=64)
    ap.add_argument("--in-chans", type=int, default=3)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    with open(args.filelist) as f:
        files = [line.strip() for line in f if line.strip()]
    threads = args.threads or torch.multiprocessing.cpu_count()
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    model = SimpleCnn(args.in_chans).eval()

    t0 = time.perf_counter()
    loader = torch.utils.data.DataLoader(Files(files, args.rows, args.size, args.in_chans), batch_size=args.batch,
                                         shuffle=False, num_workers=threads, prefetch_factor=4)
    scored = 0
    with torch.inference_mode(), open(args.out, "w") as out:
        for x in loader:
            s = torch.sigmoid(model(x)).squeeze(1)
            out.write("".join(f"{v:.8g}\n" for v in s.tolist()))
            scored += len(s)
    seconds = time.perf_counter() - t0
    print(json.dumps({"torch": torch.__version__, "threads": threads, "workers": threads, "rows": scored,
                      "seconds": seconds, "galaxies_per_s": scored / seconds}))
    sys.stdout.flush()


if __name__ == "__main__":
    main()

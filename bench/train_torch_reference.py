#!/usr/bin/python3
"""PyTorch reference for bench_training: trains one model for a number of steps from a RingMiner decoded-image
cache (read through numpy.memmap) with a standard torch.utils.data.DataLoader, the way a Python user would, and
prints one JSON line with the training images per second.

Same work as the C++ trainer: random rotation + random resized crop (area 0.7-0.8, aspect 0.9-1.1) + flips on
the uint8 image, scaling to [0, 1], AdamW with a warm-up + cosine schedule, BCE-with-logits with a positive
class weight, head dropout 0.2. On CUDA: pinned memory and non-blocking copies, and bf16 autocast with
channels_last (--precision bf16, the default) or plain float32 (--precision fp32).
Models come from timm when it is importable (the names RingMiner uses are timm's), otherwise torchvision's
efficientnet_b0 / resnet18 / resnet50 and the same three-layer CNN as RingMiner's simple_cnn.

    train_torch_reference.py CACHE --model efficientnet_b0 --in-chans 1 --size 96 --batch 16
                             --warmup-steps 2 --steps 5 --threads 2 [--device cpu|cuda] [--precision bf16|fp32]
"""
import argparse
import json
import math
import struct
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision.transforms as T


def open_cache(path):
    """The records of a decoded-image cache (see core/cache/DecodedCacheFormat.h) as an [N, H, W, C] memmap."""
    with open(path, "rb") as f:
        header = f.read(128)
    magic = header[:8]
    if magic != b"RMDECIMG":
        raise SystemExit(f"{path}: not a RingMiner decoded-image cache")
    version, header_bytes, width, height, channels, _ = struct.unpack_from("<6I", header, 8)
    count, status_offset, data_offset, record_bytes = struct.unpack_from("<4Q", header, 32)
    status = np.fromfile(path, dtype=np.uint8, count=count, offset=status_offset)
    data = np.memmap(path, dtype=np.uint8, mode="r", offset=data_offset, shape=(count, height, width, channels))
    ok = np.nonzero(status == 1)[0]
    return data, ok


class CacheDataset(torch.utils.data.Dataset):
    def __init__(self, path, indices, size, in_chans):
        self.path, self.indices, self.in_chans = path, indices, in_chans
        self.data = None  # opened lazily in each worker (memmaps do not pickle well)
        self.augment = T.Compose([
            T.RandomRotation(360),  # constant black border, like Zoobot's albumentations pipeline
            T.RandomResizedCrop(size, scale=(0.7, 0.8), ratio=(0.9, 1.1), antialias=False),
            T.RandomHorizontalFlip(),
            T.RandomVerticalFlip(),
        ])

    def __len__(self):
        return len(self.indices)

    def __getitem__(self, i):
        if self.data is None:
            self.data, _ = open_cache(self.path)
        img = torch.from_numpy(np.array(self.data[self.indices[i]])).permute(2, 0, 1)  # C, H, W uint8
        if self.in_chans == 1 and img.shape[0] == 3:
            img = img.float().mean(0, keepdim=True).round().to(torch.uint8)
        elif self.in_chans == 3 and img.shape[0] == 1:
            img = img.expand(3, -1, -1)
        img = self.augment(img).float().div_(255.0)
        return img, torch.tensor(float(self.indices[i] % 2))


class SimpleCnn(nn.Module):
    """RingMiner's simple_cnn: conv3x3-BN-ReLU-maxpool twice, conv3x3-BN-ReLU, global average pool, Linear."""

    def __init__(self, in_chans):
        super().__init__()
        def block(i, o):
            return [nn.Conv2d(i, o, 3, padding=1, bias=False), nn.BatchNorm2d(o), nn.ReLU(inplace=True)]
        self.features = nn.Sequential(*block(in_chans, 32), nn.MaxPool2d(2), *block(32, 64), nn.MaxPool2d(2),
                                      *block(64, 128), nn.AdaptiveAvgPool2d(1), nn.Flatten())
        self.head = nn.Sequential(nn.Dropout(0.2), nn.Linear(128, 1))

    def forward(self, x):
        return self.head(self.features(x))


def build_model(name, in_chans):
    if name == "simple_cnn":
        return SimpleCnn(in_chans), "simple CNN (same layers as RingMiner's)"
    try:
        import timm
        return (timm.create_model(name, pretrained=False, in_chans=in_chans, num_classes=1, drop_rate=0.2),
                f"timm {timm.__version__}")
    except ImportError:
        pass
    import torchvision.models as tvm
    if name == "efficientnet_b0":
        m = tvm.efficientnet_b0(num_classes=1, stochastic_depth_prob=0.0)
        if in_chans != 3:
            old = m.features[0][0]
            m.features[0][0] = nn.Conv2d(in_chans, old.out_channels, old.kernel_size, old.stride, old.padding,
                                         bias=False)
    elif name in ("resnet18", "resnet50"):
        m = getattr(tvm, name)(num_classes=1)
        if in_chans != 3:
            m.conv1 = nn.Conv2d(in_chans, 64, 7, 2, 3, bias=False)
        m.fc = nn.Sequential(nn.Dropout(0.2), m.fc)
    else:
        raise SystemExit(f"unknown model {name}")
    import torchvision
    return m, f"torchvision {torchvision.__version__} (timm not installed)"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("cache")
    ap.add_argument("--model", required=True)
    ap.add_argument("--in-chans", type=int, default=3)
    ap.add_argument("--size", type=int, default=224)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--warmup-steps", type=int, default=5)
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--device", default="auto")
    ap.add_argument("--precision", choices=["bf16", "fp32"], default="bf16", help="on CUDA (the CPU is fp32)")
    args = ap.parse_args()

    threads = args.threads or torch.multiprocessing.cpu_count()
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    device = torch.device("cuda" if args.device == "auto" and torch.cuda.is_available() else
                          ("cpu" if args.device == "auto" else args.device))
    cuda = device.type == "cuda"
    amp = cuda and args.precision == "bf16"  # bf16 autocast and channels_last

    _, ok = open_cache(args.cache)
    dataset = CacheDataset(args.cache, ok, args.size, args.in_chans)
    loader = torch.utils.data.DataLoader(dataset, batch_size=args.batch, shuffle=True, drop_last=False,
                                         num_workers=threads, pin_memory=cuda, persistent_workers=True,
                                         prefetch_factor=4)
    model, source = build_model(args.model, args.in_chans)
    model = model.to(device)
    if amp:
        model = model.to(memory_format=torch.channels_last)
    model.train()
    total = args.warmup_steps + args.steps
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.05)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / max(1, total // 10)) * 0.5 * (1 + math.cos(math.pi * s / total)))
    criterion = nn.BCEWithLogitsLoss(pos_weight=torch.tensor([1.0], device=device))

    step, pending, t0 = 0, None, None
    losses = []
    while step < total:
        for x, y in loader:
            if step == args.warmup_steps:
                if pending is not None:
                    losses.append(pending.item())
                    pending = None
                if cuda:
                    torch.cuda.synchronize()
                t0 = time.perf_counter()
                wall0 = time.time()
            x = x.to(device, non_blocking=True)
            y = y.to(device, non_blocking=True)
            if amp:
                x = x.contiguous(memory_format=torch.channels_last)
            if amp:
                with torch.autocast(device_type="cuda", dtype=torch.bfloat16):
                    logits = model(x).squeeze(1)
            else:
                logits = model(x).squeeze(1)
            loss = criterion(logits.float(), y)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
            # Read the previous step's loss, as the C++ trainer does, so the GPU queue never drains.
            if pending is not None:
                losses.append(pending.item())
            pending = loss.detach()
            step += 1
            if step >= total:
                break
    losses.append(pending.item())
    if cuda:
        torch.cuda.synchronize()
    seconds = time.perf_counter() - t0
    wall1 = time.time()
    images = args.steps * args.batch
    print(json.dumps({"model": args.model, "source": source, "torch": torch.__version__, "device": str(device),
                      "precision": args.precision if cuda else "fp32",
                      "threads": threads, "images": images, "seconds": seconds, "images_per_s": images / seconds,
                      "final_loss": losses[-1], "t0": wall0, "t1": wall1}))
    sys.stdout.flush()


if __name__ == "__main__":
    main()

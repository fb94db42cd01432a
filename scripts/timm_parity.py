#!/usr/bin/env python3
"""Reference outputs for RingMiner's LibTorch models, from timm itself.

Builds each timm encoder (num_classes=0) the way Zoobot's encoders are built, fills every parameter and buffer
with a deterministic formula (no weights file needed), runs it in eval mode on a deterministic input and
writes tests/data/parity/<arch>_c<C>.json: the state_dict keys/shapes/dtypes, a few filled values and the
pooled features. tests/core/models/test_models_parity.cpp applies the same formula to the C++ models and compares.

Run under any Python with torch and timm (e.g. on the GPU machine):
    python3 scripts/timm_parity.py            # writes tests/data/parity/*.json (how the committed ones
                                              # were made: tests/data/parity/README.md)
    python3 scripts/timm_parity.py --out DIR  # elsewhere

Cross-check without timm (e.g. Debian's python3-torch + python3-torchvision on a developer machine):
    python3 scripts/timm_parity.py --standin torchvision --out /tmp/parity
    RINGMINER_PARITY_DIR=/tmp/parity build/tests/core_test_models_parity
builds torchvision's own ResNet / EfficientNet-B0 implementations under timm's state_dict names instead. That
checks the arithmetic against a second, independent implementation; the files it writes say so in
timm_version and must never be committed as the timm reference.

The formula (keep identical to core/models/ParityFill.cpp): keys in sorted order, k = 0-based index of the
key, i = index into the flattened tensor, h = parity_hash(i, k) (a 32-bit integer hash, exact in both
languages), t = h / 2^31 - 1 (uniform in [-1, 1)), in float64:
    *num_batches_tracked      0
    *running_var              1 + 0.25 * |t|
    *running_mean             0.1 * t
    1-D *weight               1 + 0.1 * t
    other 1-D                 0.1 * t
    >= 2-D                    t * sqrt(6 / fan_in), fan_in = numel / shape[0]
cast to the tensor's dtype at the end. Input: sin(0.37 * j) over the flattened [N, C, H, W] tensor, computed
in float64 and cast to float32. Then the BatchNorm statistics are calibrated: every BatchNorm's momentum
set to 1, one forward pass in train mode on the input (running stats := that batch's statistics), momentum
back to 0.1, and the features are taken in eval mode on the same input. Calibration and features run in
float64 (the float32 weights and input, converted): calibrated random networks amplify rounding, and float64
keeps that far below the 1e-4 the C++ test allows, so a mismatch there is an architecture difference.
"""
import argparse
import json
import math
import os
import platform
import sys

import torch
from torch import nn

CASES = [("efficientnet_b0", 1), ("efficientnet_b0", 3), ("resnet18", 1), ("resnet50", 1)]
BATCH = 2
IMAGE_SIZE = 96  # 3x3 at the last stage: BatchNorm statistics over 2 * 9 values per channel
FIRST = 32
STRIDED = 32
PROBE_VALUES = 4


MASK = 0xFFFFFFFF


def parity_hash(i, k):
    """i: int64 tensor of element indices. Every intermediate stays below 2^63: no overflow anywhere."""
    h = (i * 0x9E3779B1 + k * 0x85EBCA77 + 0x165667B1) & MASK
    h = h ^ (h >> 16)
    h = (h * 0x21F0AAAD) & MASK
    h = h ^ (h >> 15)
    h = (h * 0x735A2D97) & MASK
    h = h ^ (h >> 15)
    return h


def formula(key, shape, k, numel):
    f64 = torch.float64
    if key.endswith("num_batches_tracked"):
        return torch.zeros(numel, dtype=f64)
    t = parity_hash(torch.arange(numel, dtype=torch.int64), k).to(f64) / 2147483648.0 - 1.0
    if key.endswith("running_var"):
        return 1.0 + 0.25 * t.abs()
    if key.endswith("running_mean"):
        return 0.0 + 0.1 * t
    if len(shape) == 1:
        return (1.0 if key.endswith("weight") else 0.0) + 0.1 * t
    if len(shape) >= 2 and numel > 0:
        fan_in = float(numel // shape[0])
        return 0.0 + math.sqrt(6.0 / fan_in) * t
    return 0.0 + 1.0 * t


def parity_fill(model):
    # state_dict() tensors share storage with the parameters and buffers, so copy_ writes through.
    state = model.state_dict()
    with torch.no_grad():
        for k, key in enumerate(sorted(state.keys())):
            tensor = state[key]
            values = formula(key, list(tensor.shape), k, tensor.numel())
            tensor.copy_(values.to(tensor.dtype).reshape(tensor.shape))


def parity_input(n, c, h, w):
    j = torch.arange(n * c * h * w, dtype=torch.float64)
    return torch.sin(j * 0.37).to(torch.float32).reshape(n, c, h, w)


def calibrate_batchnorm(model, x):
    # timm's BatchNormAct2d is a BatchNorm2d, so this finds every norm layer.
    norms = [m for m in model.modules() if isinstance(m, torch.nn.BatchNorm2d)]
    for m in norms:
        m.momentum = 1.0
    model.train()
    with torch.no_grad():
        model(x)
    for m in norms:
        m.momentum = 0.1
    model.eval()


def probe(state, keys):
    return {k: [float(v) for v in state[k].double().cpu().reshape(-1)[:PROBE_VALUES]] for k in keys}


class _Alias(nn.Module):
    pass


class _TorchvisionEfficientNetB0(nn.Module):
    """torchvision's efficientnet_b0, its modules re-registered under timm's names, run by its own forward."""

    def __init__(self, in_chans):
        import torchvision
        super().__init__()
        tv = torchvision.models.efficientnet_b0(stochastic_depth_prob=0.0)  # timm's default drop_path_rate=0
        tv.features[0][0] = nn.Conv2d(in_chans, 32, 3, 2, 1, bias=False)
        self._tv = [tv]  # kept out of the state_dict: timm's names come from the aliases below
        f = tv.features
        self.conv_stem, self.bn1 = f[0][0], f[0][1]
        self.blocks = nn.ModuleList()
        for s in range(1, 8):
            stage = nn.ModuleList()
            for block in f[s]:
                b, layers = _Alias(), block.block
                b.se = _Alias()
                if len(layers) == 3:  # no expansion: timm's DepthwiseSeparableConv
                    b.conv_dw, b.bn1 = layers[0][0], layers[0][1]
                    b.se.conv_reduce, b.se.conv_expand = layers[1].fc1, layers[1].fc2
                    b.conv_pw, b.bn2 = layers[2][0], layers[2][1]
                else:  # timm's InvertedResidual
                    b.conv_pw, b.bn1 = layers[0][0], layers[0][1]
                    b.conv_dw, b.bn2 = layers[1][0], layers[1][1]
                    b.se.conv_reduce, b.se.conv_expand = layers[2].fc1, layers[2].fc2
                    b.conv_pwl, b.bn3 = layers[3][0], layers[3][1]
                stage.append(b)
            self.blocks.append(stage)
        self.conv_head, self.bn2 = f[8][0], f[8][1]

    def forward(self, x):
        tv = self._tv[0]
        return torch.flatten(tv.avgpool(tv.features(x)), 1)

    def _apply(self, fn):
        super()._apply(fn)
        self._tv[0]._apply(fn)
        return self

    def train(self, mode=True):
        super().train(mode)
        self._tv[0].train(mode)
        return self


class TorchvisionStandin:
    """timm.create_model's interface over torchvision's implementations (resnet names are already timm's)."""

    def __init__(self):
        import torchvision
        self.__version__ = "torchvision-standin-" + torchvision.__version__
        self._tv = torchvision

    def create_model(self, arch, pretrained=False, in_chans=3, num_classes=0):
        assert not pretrained and num_classes == 0
        if arch == "efficientnet_b0":
            return _TorchvisionEfficientNetB0(in_chans)
        model = getattr(self._tv.models, arch)()
        model.conv1 = nn.Conv2d(in_chans, 64, 7, 2, 3, bias=False)
        model.fc = nn.Identity()
        return model


def run_case(timm, arch, in_chans, device):
    model = timm.create_model(arch, pretrained=False, in_chans=in_chans, num_classes=0)
    parity_fill(model)
    state = model.state_dict()
    keys = sorted(state.keys())
    fill_probe = probe(state, [keys[0], keys[len(keys) // 2], keys[-1]] +
                       [k for k in keys if k.endswith("running_var")][:1])
    listing = [{"key": k, "shape": list(state[k].shape), "dtype": str(state[k].dtype).replace("torch.", "")}
               for k in keys]
    num_parameters = sum(p.numel() for p in model.parameters())
    # float64 from here on (see the module docstring): the float32 weights and input, converted.
    model = model.to(device=device, dtype=torch.float64)
    x = parity_input(BATCH, in_chans, IMAGE_SIZE, IMAGE_SIZE).to(device=device, dtype=torch.float64)
    calibrate_batchnorm(model, x)
    with torch.no_grad():
        features = model(x).cpu().reshape(-1)
    state = model.state_dict()
    step = max(1, features.numel() // STRIDED)
    return {
        "arch": arch,
        "in_chans": in_chans,
        "input_shape": [BATCH, in_chans, IMAGE_SIZE, IMAGE_SIZE],
        "timm_version": timm.__version__,
        "torch_version": torch.__version__,
        "device": str(device),
        "python": platform.python_version(),
        "precision": "float64",
        "num_parameters": num_parameters,
        "state": listing,
        "fill_probe": fill_probe,
        "calibrated_probe": probe(state, ["bn1.running_mean", "bn1.running_var"]),
        "features": {
            "count": features.numel(),
            "first": [float(v) for v in features[:FIRST]],
            "strided_step": step,
            "strided": [float(v) for v in features[::step][:STRIDED]],
            "sum": float(features.sum()),
            "l2": float(features.norm()),
        },
    }


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default=os.path.join(here, "..", "tests", "data", "parity"))
    parser.add_argument("--device", default="cpu", help="cpu (default, the reference) or cuda")
    parser.add_argument("--standin", choices=["torchvision"],
                        help="use torchvision's implementations instead of timm (a cross-check; needs --out)")
    args = parser.parse_args()
    if args.standin:
        if "--out" not in sys.argv:
            parser.error("--standin needs --out: its files are not the timm reference")
        timm = TorchvisionStandin()
    else:
        import timm

    # No TF32 shortcuts on GPUs (the comparison runs in float64 anyway).
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    torch.backends.cudnn.deterministic = True
    device = torch.device(args.device)

    os.makedirs(args.out, exist_ok=True)
    for arch, in_chans in CASES:
        result = run_case(timm, arch, in_chans, device)
        path = os.path.join(args.out, f"{arch}_c{in_chans}.json")
        with open(path, "w") as f:
            json.dump(result, f, indent=1)
            f.write("\n")
        feats = result["features"]
        print(f"{path}: {len(result['state'])} keys, {result['num_parameters']} parameters, "
              f"features {feats['count']} sum {feats['sum']:.6f} l2 {feats['l2']:.6f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

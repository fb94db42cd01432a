#pragma once
// A deterministic fill of every parameter and buffer, and a deterministic input, written identically in
// scripts/timm_parity.py, so features computed here can be compared with timm's without any weights file.
// Keys are taken in sorted order (byte order = Python's sorted() for these ASCII names); the values come from
// an integer hash (exact in both languages), are computed in float64 and only then cast to the tensor's
// dtype, so both sides hold the same float32 weights.
//
// For the k-th key (0-based, sorted) and the i-th element of the flattened tensor, h = parityHash(i, k) (a
// 32-bit hash, see ParityFill.cpp) and t = h / 2^31 - 1, uniform in [-1, 1):
//   *num_batches_tracked      0
//   *running_var              1 + 0.25 * |t|
//   *running_mean             0.1 * t
//   1-D *weight (norm scale)  1 + 0.1 * t
//   other 1-D (biases)        0.1 * t
//   >= 2-D (conv, linear)     t * sqrt(6 / fan_in), fan_in = numel / shape[0]  (He-scaled, so the input's
//                             signal survives the depth instead of being swamped by the biases)
// Input x (flattened index j over the whole [N, C, H, W] tensor): sin(0.37 * j), computed in float64.
//
// Fixed statistics cannot suit every architecture (EfficientNet's SiLU blocks shrink an un-normalised signal
// until the biases are all that is left), so after the fill the BatchNorm statistics are calibrated the way
// training would set them: one forward pass in training mode with momentum 1 on the parity input, which makes
// every running_mean / running_var the (unbiased) statistics of that batch. Features are then taken in eval
// mode on the same input.
//
// The comparison runs in float64: the weights are the float32 values above, converted, and the input is the
// float32 input, converted. Calibrated random networks amplify rounding (float32 vs float64 features differ
// by up to ~1e4 float32 epsilons for resnet50), which in float32 would eat most of a 1e-4 tolerance; in
// float64 the same amplification leaves ~1e-12, so any difference above 1e-4 is an architecture difference.
#include "models/Encoder.h"

#include <torch/nn/module.h>

#include <cstdint>
#include <string>
#include <vector>

namespace rm {

void parityFill(torch::nn::Module& module);
// The 32-bit hash behind the values (scripts/timm_parity.py: parity_hash).
std::uint64_t parityHash(std::uint64_t i, std::uint64_t k);
// The value the formula gives element i of the k-th key `key` of `shape`, for spot checks.
double parityValue(const std::string& key, const std::vector<std::int64_t>& shape, std::int64_t k,
                   std::int64_t i);
torch::Tensor parityInput(std::int64_t n, std::int64_t c, std::int64_t h, std::int64_t w);
// The calibration pass described above; leaves the encoder in eval mode with BatchNorm momentum 0.1.
void parityCalibrateBatchNorm(Encoder& encoder, const torch::Tensor& input);

} // namespace rm

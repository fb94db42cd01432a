#pragma once
// The device "auto" and friends resolve to, in words, without torch headers (training/Device.h has the torch
// side).
#include <string>

namespace rm {

// "cuda:0 (NVIDIA H100 80GB HBM3)" or "cpu": what "auto" resolves to on this machine.
std::string describeDevice(const std::string& device = "auto");

} // namespace rm

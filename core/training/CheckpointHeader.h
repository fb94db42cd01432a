#pragma once
// The metadata of a trainer checkpoint (see Checkpoint.h): the run's progress and the fingerprint of its
// configuration and data. Reading it needs no LibTorch, so the resume check and the fuzzer see it alone.
#include "training/TrainProgress.h"

#include <nlohmann/json.hpp>

#include <string>

namespace rm {

// The safetensors metadata key that holds the checkpoint's JSON, and the version of that JSON.
inline constexpr const char* kCheckpointMetaKey = "ringminer.checkpoint";
inline constexpr int kCheckpointFormatVersion = 1;

struct CheckpointHeader
{
    TrainProgress progress;
    nlohmann::json fingerprint;
};

// The metadata alone (cheap). Throws rm::InputError naming the file if it is not a trainer checkpoint.
CheckpointHeader readCheckpointHeader(const std::string& path);

} // namespace rm

#pragma once
// The per-epoch checkpoint: model state (parameters and BatchNorm buffers), AdamW's state per parameter
// (exp_avg, exp_avg_sq, step) and the run's progress, in one safetensors file written atomically. Never
// pickle. The metadata also holds a fingerprint of the configuration and data, so a checkpoint is never
// resumed under different settings. Private to core/training: it includes torch.
#include "training/CheckpointHeader.h"

#include <string>

namespace torch::optim {
class AdamW;
}

namespace rm {

class RingClassifier;

void saveCheckpoint(const std::string& path, RingClassifier& model, torch::optim::AdamW& optimizer,
                    const TrainProgress& progress, const nlohmann::json& fingerprint);

// Copies the checkpoint's model state into `model` and replaces the optimiser's per-parameter state. The
// model must be the same architecture with the same trainable parameters (same fine-tuning mode), already on
// its device; the optimiser built over it.
void restoreCheckpoint(const std::string& path, RingClassifier& model, torch::optim::AdamW& optimizer);

} // namespace rm

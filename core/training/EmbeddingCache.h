#pragma once
// Pooled encoder features of a split's images, computed once for head-only training: each training image
// under a number of augmented views (view v is the loader's augmentation of epoch v, so it is seeded by
// (seed, v, record)), the validation images under the evaluation view. Kept in memory on the training device
// and on disk (embeddings.safetensors in the run's directory) so a resumed run does not recompute them.
// Private to core/training: it includes torch.
#include "training/TrainSession.h"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>

namespace rm {

struct EmbeddingSet
{
    torch::Tensor features;           // [views, N, F] float32
    torch::Tensor valid;              // [views, N] uint8: 0 = the image failed to load
    std::vector<std::size_t> records; // N record indices, in loader order (unavailable records left out)
};

// Everything the embeddings depend on (architecture, weights, view, seed, views, the records); a file with a
// different identity is recomputed, never reused.
nlohmann::json embeddingIdentity(const TrainConfig& config, const TrainData& data, int views);

// Runs the model's encoder in evaluation mode over `indices`, `views` times (training view with augmentation
// when `augmented`, else the evaluation view once). nullopt when cancelled between batches.
std::optional<EmbeddingSet> computeEmbeddings(TrainSession& session, const TrainData& data,
                                              const std::vector<std::size_t>& indices, int views,
                                              bool augmented);

void saveEmbeddings(const std::string& path, const EmbeddingSet& train, const EmbeddingSet& val,
                    const nlohmann::json& identity);
// Both sets (on the CPU) when the file exists and its identity matches; nullopt otherwise (also for a
// damaged file, which is then recomputed).
std::optional<std::pair<EmbeddingSet, EmbeddingSet>> loadEmbeddings(const std::string& path,
                                                                    const nlohmann::json& identity);

} // namespace rm

#pragma once
// A one-cell matrix that trains in seconds on the demo project: SimpleCNN, 1 channel, 32 px, one short epoch
// on the CPU, 2-fold cross-validation (so a run has a CV AUC to compare). For tests that need a done run to
// start from, not for what a model learns.
#include <nlohmann/json.hpp>

namespace rmtest {

inline nlohmann::json tinyCvMatrix(const char* name, const char* targetSet)
{
    using nlohmann::json;
    return {{"name", name},
            {"target_sets", {targetSet}},
            {"modes", {"all_layers"}},
            {"models", json::array({{{"name", "cnn"}, {"arch", "simple_cnn"}, {"in_chans", 1}}})},
            {"defaults",
             {{"image_size", 32},
              {"epochs", 1},
              {"batch_size", 8},
              {"warmup_epochs", 0},
              {"patience", 0},
              {"device", "cpu"},
              {"loader_threads", 1},
              {"torch_threads", 1},
              {"max_steps_per_epoch", 3},
              {"cv_folds", 2}}}};
}

} // namespace rmtest

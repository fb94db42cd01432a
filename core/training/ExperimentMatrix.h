#pragma once
// An experiment matrix: target sets x models x fine-tune modes, each cell one training run, with defaults
// for every cell and per-cell overrides. The default is the user's 18 configurations (resources/
// default_matrix.json, compiled into ringminer_core): 2 target sets x (SimpleCNN + 4 encoders x {head only,
// all layers}); a model may restrict the modes it takes part in (SimpleCNN trains from scratch only).
//
// JSON form (what `ringminer-cli train --matrix FILE` reads and experiments.matrix_json stores):
// {
//   "name": "default",
//   "target_sets": ["gz2", "gzd5"],
//   "models": [ {"name": "simple_cnn", "arch": "simple_cnn", "in_chans": 1, "modes": ["all_layers"]},
//               {"name": "effnet_b0_c3", "arch": "efficientnet_b0", "in_chans": 3, "pretrained": ""}, ... ],
//   "modes": ["head_only", "all_layers"],
//   "defaults": { ...TrainConfig keys... },
//   "overrides": { "<cell key or target set/model/mode pattern>": { ...TrainConfig keys... } }
// }
// Cell keys are "<target set>/<model name>/<mode>"; an override key may use "*" for any part
// ("*/simple_cnn/*") or within a part ("*/resnet*/all_layers"). More specific keys win: defaults < the
// model's own keys < patterns (fewer literal parts first) < exact key. Patterns equally specific may not set
// one key to different values for the same cell (rm::Error naming both): a JSON object has no order, so
// "later in the file wins" could not be kept once the matrix is stored or edited.
#include "training/TrainConfig.h"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace rm {

struct MatrixModel
{
    std::string name; // the column label, unique in the matrix
    std::string arch; // registry name
    int inChannels = 3;
    std::string pretrained;                          // encoder weights file; "" = random init
    std::vector<std::string> modes;                  // empty = every mode of the matrix
    nlohmann::json extra = nlohmann::json::object(); // TrainConfig keys for this model's cells
};

struct MatrixCell
{
    std::string key; // "<target set>/<model>/<mode>"
    std::string targetSet;
    std::string model;
    std::string mode;
    TrainConfig config; // defaults + model + overrides applied, validated
};

class ExperimentMatrix
{
public:
    // Throws rm::Error naming what is wrong (unknown key, duplicate model, bad mode, bad override key).
    static ExperimentMatrix fromJson(const nlohmann::json& json);
    static ExperimentMatrix fromFile(const std::string& path); // rm::InputError naming the file
    // The built-in 18-configuration matrix.
    static ExperimentMatrix defaultMatrix();
    nlohmann::json toJson() const;

    // The cells, target set by target set, model by model, mode by mode. Throws rm::Error if a cell's
    // config does not validate (naming the cell).
    std::vector<MatrixCell> cells() const;

    // The same matrix over other target sets (overrides naming a dropped target set go with it).
    ExperimentMatrix withTargetSets(const std::vector<std::string>& names) const;
    // Retargeted to a project: the matrix's target sets the project has, or, when it has none of them, every
    // target set of the project (the demo project's "demo" instead of the default "gz2", "gzd5").
    ExperimentMatrix forProject(const std::vector<std::string>& projectTargetSets) const;

    std::string name = "default";
    std::vector<std::string> targetSets;
    std::vector<MatrixModel> models;
    std::vector<std::string> modes; // fine-tune mode names, see TrainConfig.h
    nlohmann::json defaults = nlohmann::json::object();
    nlohmann::json overrides = nlohmann::json::object(); // ordered as written
};

// Whether `arch` can be a matrix model: a registered network (models/ModelRegistry.h) or the feature
// baseline "profile_lr" (training/FeatureBaseline.h).
bool isMatrixArchitecture(const std::string& arch);
// Those names, sorted; tiny test networks only when asked for.
std::vector<std::string> matrixArchitectures(bool includeTiny = false);

// Whether a cell key matches a selection pattern: "<target set>/<model>/<mode>" with '*' in any part, or a
// pattern without '/' matched against the whole key ("*simple_cnn*").
bool cellKeyMatches(const std::string& pattern, const std::string& cellKey);

} // namespace rm

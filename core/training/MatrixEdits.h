#pragma once
// The edits the GUI's matrix editor makes, on the plain rm::ExperimentMatrix, so they can be reasoned about
// and tested apart from the widgets. The grid shows target sets as rows and (model, fine-tune mode) pairs as
// columns; a model that lists its own modes takes part only in those, so a column exists only where the
// model accepts the mode.
#include "training/ExperimentMatrix.h"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace rm {

struct MatrixColumn
{
    std::string model; // MatrixModel::name
    std::string mode;  // fine-tune mode name
    bool operator==(const MatrixColumn& o) const { return model == o.model && mode == o.mode; }
};

std::vector<MatrixColumn> matrixColumns(const rm::ExperimentMatrix& matrix);
std::string cellKey(const std::string& targetSet, const MatrixColumn& column);

// Each returns false (changing nothing) when the edit would do nothing: the row or column is already there
// or already gone.
bool addTargetSet(rm::ExperimentMatrix& matrix, const std::string& targetSet);
bool removeTargetSet(rm::ExperimentMatrix& matrix, const std::string& targetSet);
// Adds the model (taking arch, channels and pretrained weights from `model`) if no model has that name, and
// makes it take part in `mode`.
bool addColumn(rm::ExperimentMatrix& matrix, const rm::MatrixModel& model, const std::string& mode);
// Removes the pair; a model left with no mode is removed, and so are exact-key overrides of the gone cells.
bool removeColumn(rm::ExperimentMatrix& matrix, const MatrixColumn& column);

// The exact-key overrides of one cell ({} when it has none).
nlohmann::json cellOverrides(const rm::ExperimentMatrix& matrix, const std::string& cellKey);
// Sets one TrainConfig key for one cell (an exact-key override) or, with an empty cellKey, in the matrix
// defaults. A null value removes the key; an override left empty is removed.
void setConfigValue(rm::ExperimentMatrix& matrix, const std::string& cellKey, const std::string& key,
                    const nlohmann::json& value);

} // namespace rm

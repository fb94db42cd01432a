#include "training/MatrixEdits.h"

#include <algorithm>
#include <functional>

namespace rm {

namespace {

bool contains(const std::vector<std::string>& list, const std::string& s)
{
    return std::find(list.begin(), list.end(), s) != list.end();
}

// The modes a model takes part in: its own list, or every mode of the matrix.
std::vector<std::string> modesOf(const rm::ExperimentMatrix& matrix, const rm::MatrixModel& model)
{
    return model.modes.empty() ? matrix.modes : model.modes;
}

std::vector<std::string> splitKey(const std::string& key)
{
    std::vector<std::string> parts;
    std::size_t start = 0;
    for (;;) {
        const std::size_t slash = key.find('/', start);
        parts.push_back(key.substr(start, slash == std::string::npos ? std::string::npos : slash - start));
        if (slash == std::string::npos) return parts;
        start = slash + 1;
    }
}

// Removes the overrides `gone` picks from their key's parts (target set, model, mode).
void eraseOverrides(rm::ExperimentMatrix& matrix,
                    const std::function<bool(const std::vector<std::string>&)>& gone)
{
    if (!matrix.overrides.is_object()) return;
    std::vector<std::string> keys;
    for (auto it = matrix.overrides.begin(); it != matrix.overrides.end(); ++it)
        if (gone(splitKey(it.key()))) keys.push_back(it.key());
    for (const std::string& k : keys)
        matrix.overrides.erase(k);
}

} // namespace

std::vector<MatrixColumn> matrixColumns(const rm::ExperimentMatrix& matrix)
{
    std::vector<MatrixColumn> columns;
    for (const rm::MatrixModel& m : matrix.models)
        for (const std::string& mode : matrix.modes) // matrix order, so the grid reads the same way per model
            if (m.modes.empty() || contains(m.modes, mode)) columns.push_back({m.name, mode});
    // Modes a model lists that the matrix does not (a hand-written file) still get their column.
    for (const rm::MatrixModel& m : matrix.models)
        for (const std::string& mode : m.modes)
            if (!contains(matrix.modes, mode)) columns.push_back({m.name, mode});
    return columns;
}

std::string cellKey(const std::string& targetSet, const MatrixColumn& column)
{
    return targetSet + "/" + column.model + "/" + column.mode;
}

bool addTargetSet(rm::ExperimentMatrix& matrix, const std::string& targetSet)
{
    if (targetSet.empty() || contains(matrix.targetSets, targetSet)) return false;
    matrix.targetSets.push_back(targetSet);
    return true;
}

bool removeTargetSet(rm::ExperimentMatrix& matrix, const std::string& targetSet)
{
    auto it = std::find(matrix.targetSets.begin(), matrix.targetSets.end(), targetSet);
    if (it == matrix.targetSets.end()) return false;
    matrix.targetSets.erase(it);
    eraseOverrides(matrix,
                   [&](const std::vector<std::string>& k) { return k.size() == 3 && k[0] == targetSet; });
    return true;
}

namespace {

bool addPair(rm::ExperimentMatrix& matrix, const rm::MatrixModel& model, const std::string& mode)
{
    if (model.name.empty() || mode.empty()) return false;
    if (!contains(matrix.modes, mode)) {
        // A new matrix-wide mode would reach every model that follows the matrix's list: pin those first.
        for (rm::MatrixModel& m : matrix.models)
            if (m.modes.empty()) m.modes = matrix.modes;
        matrix.modes.push_back(mode);
    }
    auto it = std::find_if(matrix.models.begin(), matrix.models.end(),
                           [&](const rm::MatrixModel& m) { return m.name == model.name; });
    if (it == matrix.models.end()) {
        rm::MatrixModel added = model;
        added.modes = {mode};
        matrix.models.push_back(added);
        return true;
    }
    if (contains(modesOf(matrix, *it), mode)) return false;
    it->modes.push_back(mode); // non-empty here: an empty list would already include every matrix mode
    return true;
}

} // namespace

bool addColumn(rm::ExperimentMatrix& matrix, const rm::MatrixModel& model, const std::string& mode)
{
    if (!addPair(matrix, model, mode)) return false;
    // last_n_blocks trains nothing of the encoder without a block count: start with the top two blocks
    // (editable per cell) unless the defaults already say how many.
    const std::string pattern = "*/" + model.name + "/" + mode;
    if (mode == "last_n_blocks" && !matrix.defaults.contains("n_blocks") &&
        !matrix.overrides.contains(pattern))
        matrix.overrides[pattern] = {{"n_blocks", 2}};
    return true;
}

bool removeColumn(rm::ExperimentMatrix& matrix, const MatrixColumn& column)
{
    auto it = std::find_if(matrix.models.begin(), matrix.models.end(),
                           [&](const rm::MatrixModel& m) { return m.name == column.model; });
    if (it == matrix.models.end()) return false;
    std::vector<std::string> modes = modesOf(matrix, *it);
    auto mode = std::find(modes.begin(), modes.end(), column.mode);
    if (mode == modes.end()) return false;
    modes.erase(mode);
    if (modes.empty())
        matrix.models.erase(it);
    else
        it->modes = modes;
    // Overrides of the gone cells go, and every override naming a model that is gone (the matrix would
    // reject it).
    const bool modelGone = modes.empty();
    eraseOverrides(matrix, [&](const std::vector<std::string>& k) {
        return k.size() == 3 && k[1] == column.model && (modelGone || k[2] == column.mode);
    });
    return true;
}

nlohmann::json cellOverrides(const rm::ExperimentMatrix& matrix, const std::string& key)
{
    if (matrix.overrides.is_object() && matrix.overrides.contains(key)) return matrix.overrides.at(key);
    return nlohmann::json::object();
}

void setConfigValue(rm::ExperimentMatrix& matrix, const std::string& key, const std::string& option,
                    const nlohmann::json& value)
{
    nlohmann::json& target = key.empty() ? matrix.defaults : matrix.overrides[key];
    if (!target.is_object()) target = nlohmann::json::object();
    if (value.is_null())
        target.erase(option);
    else
        target[option] = value;
    if (!key.empty() && target.empty()) matrix.overrides.erase(key);
}

} // namespace rm

#include "training/ExperimentMatrix.h"

#include "training/FeatureBaseline.h"

#include "models/ModelRegistry.h"
#include "util/Error.h"

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

namespace rm {

extern const char* const
    kDefaultMatrixJson; // DefaultMatrix.cpp, generated from resources/default_matrix.json

namespace {

using nlohmann::json;

// Keys the matrix structure decides; setting them in defaults or overrides would make a cell's key lie about
// what it trains.
const std::set<std::string> kStructuralKeys = {"arch", "in_chans", "channels", "fine_tune"};
const std::set<std::string> kModelFields = {"name", "arch", "in_chans", "pretrained", "modes"};

std::string joined(const std::vector<std::string>& names)
{
    std::string s;
    for (const auto& n : names)
        s += (s.empty() ? "" : ", ") + n;
    return s;
}

std::vector<std::string> uniqueStrings(const json& j, const std::string& what)
{
    if (!j.is_array())
        throw Error("experiment matrix: '" + what + "' must be an array of names, got " + j.dump());
    std::vector<std::string> out;
    for (const auto& v : j) {
        if (!v.is_string() || v.get<std::string>().empty())
            throw Error("experiment matrix: '" + what + "' must hold non-empty names, got " + v.dump());
        const std::string s = v.get<std::string>();
        if (std::find(out.begin(), out.end(), s) != out.end())
            throw Error("experiment matrix: '" + what + "' names '" + s + "' twice");
        out.push_back(s);
    }
    return out;
}

void rejectStructuralKeys(const json& config, const std::string& where)
{
    for (const auto& [key, value] : config.items())
        if (kStructuralKeys.count(key))
            throw Error("experiment matrix: " + where + " sets '" + key +
                        "', which the matrix decides (model 'arch'/'in_chans', the cell's mode)");
}

// Applies TrainConfig keys, naming where they came from when one is wrong.
TrainConfig applyChecked(const TrainConfig& base, const json& config, const std::string& where)
{
    try {
        return applyJson(base, config);
    } catch (const Error& e) {
        throw Error("experiment matrix: " + where + ": " + e.what());
    }
}

std::vector<std::string> splitKey(const std::string& key)
{
    std::vector<std::string> parts;
    std::size_t start = 0;
    for (;;) {
        const auto slash = key.find('/', start);
        parts.push_back(key.substr(start, slash == std::string::npos ? std::string::npos : slash - start));
        if (slash == std::string::npos) break;
        start = slash + 1;
    }
    return parts;
}

// '*' matches any run of characters (also none); everything else literally.
bool globMatch(const std::string& pattern, const std::string& text)
{
    std::size_t p = 0, t = 0, star = std::string::npos, mark = 0;
    while (t < text.size()) {
        if (p < pattern.size() && pattern[p] == '*') {
            star = p++;
            mark = t;
        } else if (p < pattern.size() && pattern[p] == text[t]) {
            ++p;
            ++t;
        } else if (star != std::string::npos) {
            p = star + 1;
            t = ++mark;
        } else {
            return false;
        }
    }
    while (p < pattern.size() && pattern[p] == '*')
        ++p;
    return p == pattern.size();
}

bool isPattern(const std::string& part)
{
    return part.find('*') != std::string::npos;
}

struct OverrideKey
{
    std::string key;
    std::vector<std::string> parts; // target set, model, mode
    int literalParts = 0;           // how specific: parts without '*'
};

OverrideKey parseOverrideKey(const std::string& key)
{
    OverrideKey k{key, splitKey(key), 0};
    if (k.parts.size() != 3 ||
        std::any_of(k.parts.begin(), k.parts.end(), [](const std::string& p) { return p.empty(); }))
        throw Error("experiment matrix: override key '" + key +
                    "' must be '<target set>/<model>/<mode>', each part a name or a pattern with '*'");
    for (const auto& p : k.parts)
        if (!isPattern(p)) ++k.literalParts;
    return k;
}

bool matches(const OverrideKey& k, const std::string& targetSet, const std::string& model,
             const std::string& mode)
{
    return globMatch(k.parts[0], targetSet) && globMatch(k.parts[1], model) && globMatch(k.parts[2], mode);
}

void checkOverrides(const ExperimentMatrix& m)
{
    if (!m.overrides.is_object())
        throw Error("experiment matrix: 'overrides' must be an object of cell key -> training options");
    std::vector<std::string> modelNames;
    for (const auto& model : m.models)
        modelNames.push_back(model.name);
    for (const auto& [key, config] : m.overrides.items()) {
        const OverrideKey k = parseOverrideKey(key);
        // Target sets are not checked: one matrix file serves projects with different target sets.
        if (!isPattern(k.parts[1]) &&
            std::find(modelNames.begin(), modelNames.end(), k.parts[1]) == modelNames.end())
            throw Error("experiment matrix: override '" + key + "' names model '" + k.parts[1] +
                        "', which the matrix does not have (models: " + joined(modelNames) + ")");
        if (!isPattern(k.parts[2]) && std::find(m.modes.begin(), m.modes.end(), k.parts[2]) == m.modes.end())
            throw Error("experiment matrix: override '" + key + "' names mode '" + k.parts[2] +
                        "', which the matrix does not have (modes: " + joined(m.modes) + ")");
        if (!config.is_object())
            throw Error("experiment matrix: override '" + key +
                        "' must be an object of training options, got " + config.dump());
        rejectStructuralKeys(config, "override '" + key + "'");
        applyChecked(TrainConfig{}, config, "override '" + key + "'");
    }
}

MatrixModel modelFromJson(const json& j, const std::vector<std::string>& matrixModes, std::size_t index)
{
    const std::string where = "model #" + std::to_string(index + 1);
    if (!j.is_object()) throw Error("experiment matrix: " + where + " must be an object, got " + j.dump());
    MatrixModel m;
    if (!j.contains("arch") || !j.at("arch").is_string() || j.at("arch").get<std::string>().empty())
        throw Error("experiment matrix: " + where +
                    " needs \"arch\" (a model name: " + joined(matrixArchitectures(true)) + ")");
    m.arch = j.at("arch").get<std::string>();
    m.name = m.arch;
    if (j.contains("name")) {
        if (!j.at("name").is_string() || j.at("name").get<std::string>().empty())
            throw Error("experiment matrix: " + where + ": \"name\" must be a non-empty string");
        m.name = j.at("name").get<std::string>();
    }
    const std::string named = "model '" + m.name + "'";
    if (m.name.find('/') != std::string::npos || isPattern(m.name))
        throw Error("experiment matrix: " + named + ": a model name may not contain '/' or '*'");
    if (!isMatrixArchitecture(m.arch))
        throw Error("experiment matrix: " + named + ": unknown arch '" + m.arch +
                    "' (known: " + joined(matrixArchitectures(true)) + ")");
    if (j.contains("in_chans")) {
        const json& c = j.at("in_chans");
        if (!c.is_number_integer() || (c.get<int>() != 1 && c.get<int>() != 3))
            throw Error("experiment matrix: " + named + ": \"in_chans\" must be 1 or 3, got " + c.dump());
        m.inChannels = c.get<int>();
    }
    if (j.contains("pretrained")) {
        if (!j.at("pretrained").is_string())
            throw Error("experiment matrix: " + named + ": \"pretrained\" must be a file path (or \"\")");
        m.pretrained = j.at("pretrained").get<std::string>();
    }
    if (j.contains("modes")) {
        m.modes = uniqueStrings(j.at("modes"), named + " modes");
        for (const auto& mode : m.modes)
            if (std::find(matrixModes.begin(), matrixModes.end(), mode) == matrixModes.end())
                throw Error("experiment matrix: " + named + " lists mode '" + mode +
                            "', which is not one of the matrix's modes (" + joined(matrixModes) + ")");
    }
    m.extra = json::object();
    for (const auto& [key, value] : j.items())
        if (!kModelFields.count(key)) m.extra[key] = value;
    rejectStructuralKeys(m.extra, named);
    applyChecked(TrainConfig{}, m.extra, named);
    return m;
}

json modelToJson(const MatrixModel& m)
{
    json j = m.extra.is_object() ? m.extra : json::object();
    j["name"] = m.name;
    j["arch"] = m.arch;
    j["in_chans"] = m.inChannels;
    j["pretrained"] = m.pretrained;
    if (!m.modes.empty()) j["modes"] = m.modes;
    return j;
}

} // namespace

ExperimentMatrix ExperimentMatrix::fromJson(const json& j)
{
    if (!j.is_object()) throw Error("experiment matrix must be a JSON object, got " + j.dump().substr(0, 80));
    static const std::set<std::string> known = {"name",  "target_sets", "models",
                                                "modes", "defaults",    "overrides"};
    for (const auto& [key, value] : j.items())
        if (!known.count(key))
            throw Error("experiment matrix: unknown key '" + key +
                        "' (known: name, target_sets, models, modes, defaults, overrides)");
    ExperimentMatrix m;
    if (j.contains("name")) {
        if (!j.at("name").is_string() || j.at("name").get<std::string>().empty())
            throw Error("experiment matrix: 'name' must be a non-empty string");
        m.name = j.at("name").get<std::string>();
    }
    if (!j.contains("target_sets")) throw Error("experiment matrix: 'target_sets' is missing");
    m.targetSets = uniqueStrings(j.at("target_sets"), "target_sets");
    for (const auto& t : m.targetSets)
        if (t.find('/') != std::string::npos || isPattern(t))
            throw Error("experiment matrix: target set '" + t + "' may not contain '/' or '*'");
    m.modes = j.contains("modes") ? uniqueStrings(j.at("modes"), "modes")
                                  : std::vector<std::string>{"head_only", "all_layers"};
    for (const auto& mode : m.modes)
        parseFineTuneMode(mode);
    if (!j.contains("models") || !j.at("models").is_array() || j.at("models").empty())
        throw Error("experiment matrix: 'models' must be a non-empty array of models");
    std::set<std::string> names;
    for (std::size_t i = 0; i < j.at("models").size(); ++i) {
        MatrixModel model = modelFromJson(j.at("models")[i], m.modes, i);
        if (!names.insert(model.name).second)
            throw Error("experiment matrix: two models are named '" + model.name +
                        "' (give each a unique \"name\")");
        m.models.push_back(std::move(model));
    }
    if (j.contains("defaults")) {
        m.defaults = j.at("defaults");
        if (!m.defaults.is_object())
            throw Error("experiment matrix: 'defaults' must be an object of training options");
        rejectStructuralKeys(m.defaults, "'defaults'");
        applyChecked(TrainConfig{}, m.defaults, "'defaults'");
    }
    if (j.contains("overrides")) m.overrides = j.at("overrides");
    checkOverrides(m);
    return m;
}

ExperimentMatrix ExperimentMatrix::fromFile(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in) throw InputError(path, 0, "", "cannot open the experiment matrix file");
    std::ostringstream text;
    text << in.rdbuf();
    json j;
    try {
        j = json::parse(text.str());
    } catch (const json::exception& e) {
        // Not only parse_error: a number too large for a double (1e400) is out_of_range.
        throw InputError(path, 0, "", std::string("not valid JSON: ") + e.what());
    }
    try {
        return fromJson(j);
    } catch (const InputError&) {
        throw;
    } catch (const Error& e) {
        throw InputError(path, 0, "", e.what());
    } catch (const json::exception& e) {
        throw InputError(path, 0, "", std::string("unexpected JSON: ") + e.what());
    }
}

ExperimentMatrix ExperimentMatrix::defaultMatrix()
{
    return fromJson(json::parse(kDefaultMatrixJson));
}

json ExperimentMatrix::toJson() const
{
    json models = json::array();
    for (const auto& m : this->models)
        models.push_back(modelToJson(m));
    return {{"name", name},         {"target_sets", targetSets},
            {"models", models},     {"modes", modes},
            {"defaults", defaults}, {"overrides", overrides.is_null() ? json::object() : overrides}};
}

std::vector<MatrixCell> ExperimentMatrix::cells() const
{
    checkOverrides(*this);
    std::vector<OverrideKey> keys;
    for (const auto& [key, config] : overrides.items())
        keys.push_back(parseOverrideKey(key));
    std::vector<MatrixCell> out;
    for (const auto& targetSet : targetSets)
        for (const auto& model : models)
            for (const auto& mode : modes) {
                if (!model.modes.empty() &&
                    std::find(model.modes.begin(), model.modes.end(), mode) == model.modes.end())
                    continue;
                MatrixCell cell;
                cell.key = targetSet + "/" + model.name + "/" + mode;
                cell.targetSet = targetSet;
                cell.model = model.name;
                cell.mode = mode;
                const std::string where = "cell '" + cell.key + "'";
                TrainConfig c = applyChecked(TrainConfig{}, defaults, where + " defaults");
                c = applyChecked(c,
                                 {{"arch", model.arch},
                                  {"in_chans", model.inChannels},
                                  {"channels", model.inChannels},
                                  {"pretrained", model.pretrained},
                                  {"fine_tune", mode}},
                                 where);
                c = applyChecked(c, model.extra, where + " (model '" + model.name + "')");
                // Overrides from the least specific to the most; among equally specific ones the keys they
                // set must agree, so the result never depends on the order of an (unordered) JSON object.
                std::vector<const OverrideKey*> hits;
                for (const auto& k : keys)
                    if (matches(k, targetSet, model.name, mode)) hits.push_back(&k);
                std::stable_sort(hits.begin(), hits.end(), [](const OverrideKey* a, const OverrideKey* b) {
                    return a->literalParts < b->literalParts;
                });
                for (std::size_t i = 0; i < hits.size(); ++i) {
                    const json& config = overrides.at(hits[i]->key);
                    for (std::size_t k = i + 1;
                         k < hits.size() && hits[k]->literalParts == hits[i]->literalParts; ++k) {
                        const json& other = overrides.at(hits[k]->key);
                        for (const auto& [name, value] : config.items())
                            if (other.contains(name) && other.at(name) != value)
                                throw Error("experiment matrix: overrides '" + hits[i]->key + "' and '" +
                                            hits[k]->key + "' both set '" + name + "' for " + where +
                                            " to different values; make one of them more specific");
                    }
                    c = applyChecked(c, config, where + " (override '" + hits[i]->key + "')");
                }
                try {
                    validate(c);
                } catch (const Error& e) {
                    throw Error("experiment matrix: " + where + ": " + e.what());
                }
                cell.config = c;
                out.push_back(std::move(cell));
            }
    return out;
}

ExperimentMatrix ExperimentMatrix::withTargetSets(const std::vector<std::string>& names) const
{
    ExperimentMatrix m = *this;
    m.targetSets = names;
    json kept = json::object();
    for (const auto& [key, config] : overrides.items()) {
        const std::vector<std::string> parts = splitKey(key);
        if (parts.size() == 3 && !isPattern(parts[0]) &&
            std::find(names.begin(), names.end(), parts[0]) == names.end())
            continue;
        kept[key] = config;
    }
    m.overrides = kept;
    return m;
}

ExperimentMatrix ExperimentMatrix::forProject(const std::vector<std::string>& projectTargetSets) const
{
    std::vector<std::string> kept;
    for (const auto& t : targetSets)
        if (std::find(projectTargetSets.begin(), projectTargetSets.end(), t) != projectTargetSets.end())
            kept.push_back(t);
    return withTargetSets(kept.empty() ? projectTargetSets : kept);
}

bool cellKeyMatches(const std::string& pattern, const std::string& cellKey)
{
    if (pattern.find('/') == std::string::npos) return globMatch(pattern, cellKey);
    const auto p = splitKey(pattern), k = splitKey(cellKey);
    if (p.size() != k.size()) return false;
    for (std::size_t i = 0; i < p.size(); ++i)
        if (!globMatch(p[i], k[i])) return false;
    return true;
}

bool isMatrixArchitecture(const std::string& arch)
{
    return isRegisteredModel(arch) || isFeatureBaseline(arch);
}

std::vector<std::string> matrixArchitectures(bool includeTiny)
{
    std::vector<std::string> out = registeredModels(includeTiny);
    out.push_back(kFeatureBaselineArch);
    std::sort(out.begin(), out.end());
    return out;
}

} // namespace rm

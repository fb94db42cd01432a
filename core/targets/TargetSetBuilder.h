#pragma once
// Builds a labelled target set (positives, negatives, train/val/test splits) from a project's catalogs, the
// way the seed built gz2 (Buta alone) and gzd5 (Buta x Galaxy Zoo DECaLS), and reports the count at every
// step.
#include <nlohmann/json.hpp>

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace rm {

class ProjectStore;

struct TargetSetSpec
{
    std::string name;
    // Positives, one of: a rings catalog alone; a rings catalog matched to an images catalog (the targets are
    // the images catalog's rows); or a labelled catalog whose label column gives both classes.
    std::string rings;
    std::string images;
    std::string labelled;
    double radiusArcsec = 5.0;          // rings x images match radius
    double duplicateRadiusArcsec = 1.0; // positives closer than this are one galaxy
    // Negatives drawn from a parent catalog, never within exclusionRadiusArcsec of any known ring.
    std::string negatives;
    double negativesPerPositive = 1.0;
    double exclusionRadiusArcsec = 5.0;
    std::string matchColumn; // draw negatives to follow the positives' distribution of this column
    int matchBins = 10;
    // Splits, stratified by class; test gets the rest.
    double trainFraction = 0.7;
    double valFraction = 0.15;
    std::uint64_t seed = 42;
    // Hand labels override catalog labels (unsure removes the galaxy); a galaxy of the negatives catalog
    // hand-labelled a ring joins the positives.
    bool useHandLabels = true;

    nlohmann::json toJson() const;
    static TargetSetSpec fromJson(const nlohmann::json& j);
};

struct TargetSetStep
{
    std::string what;
    std::size_t count = 0;
};

enum Split
{
    Train = 0,
    Val = 1,
    Test = 2
};
const char* splitName(int split);

struct TargetSetReport
{
    std::int64_t id = 0;
    std::string name;
    std::vector<TargetSetStep> steps;
    std::array<std::array<std::size_t, 2>, 3> counts{}; // [split][label]
    std::vector<std::string> warnings;
    std::size_t total() const;
    nlohmann::json toJson() const;
    static TargetSetReport fromJson(const nlohmann::json& j);
};

struct Target
{
    std::int64_t catalogId = 0;
    std::int64_t row = 0;
    double ra = 0, dec = 0;
    int label = 0;
    int split = Train;
    std::string origin;
};

TargetSetReport buildTargetSet(ProjectStore& store, const TargetSetSpec& spec,
                               const std::function<void(const std::string&)>& log = {});

std::vector<std::string> targetSetNames(ProjectStore& store);
bool hasTargetSet(ProjectStore& store, const std::string& name);
TargetSetReport targetSetReport(ProjectStore& store, const std::string& name); // throws if unknown
TargetSetSpec targetSetSpec(ProjectStore& store, const std::string& name);
std::vector<Target> loadTargets(ProjectStore& store, const std::string& name); // in idx order
void removeTargetSet(ProjectStore& store, const std::string& name);

} // namespace rm

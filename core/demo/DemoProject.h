#pragma once
// The built-in demo project: the synthetic demo survey (synthetic/DemoSurvey.h) plus DIR/demo.rmproj holding
// its three catalogs (images from DIR/images by file name) and a ready target set "demo", so the workbench
// can be tried with no network and no shared data. `ringminer-cli demo make` and the GUI's welcome panel both
// make it here.
#include "synthetic/DemoSurvey.h"
#include "targets/TargetSetBuilder.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <string>

namespace rm {

struct DemoProjectResult
{
    std::string project; // DIR/demo.rmproj
    DemoSurveyResult survey;
    nlohmann::json imageSource;               // the image source spec every demo catalog has
    std::map<std::string, std::int64_t> rows; // catalog name -> rows
    bool hasTargetSet = false;                // false when nonRings == 0 (no negatives to draw)
    TargetSetReport targetSet;
};

// options.outDir is the folder; options.progress reports (and can cancel) rendering. `log` receives the
// target-set builder's lines. Throws rm::Error when DIR/demo.rmproj exists (before rendering anything), on
// bad options (rings == 0: the target set needs positives), or when cancelled.
DemoProjectResult makeDemoProject(const DemoSurveyOptions& options,
                                  const std::function<void(const std::string&)>& log = {});

// Where makeDemoProject puts the project for a folder.
std::string demoProjectPath(const std::string& dir);

} // namespace rm

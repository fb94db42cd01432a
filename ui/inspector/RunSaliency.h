#pragma once
// Grad-CAM maps of a finished run for galaxies shown in the GUI, the one computation behind the inspector's
// overlay and the galleries': from the run's own decoded record when the galaxy is in the run's target set
// and its cache is there (the same pixels its predictions came from, so the score matches), else from the
// image as shown. Runs on a worker thread (it opens its own project connection); throws rm::Error.
#include "selection/GalaxyId.h"

#include "training/Saliency.h"

#include <QImage>
#include <QString>

#include <string>
#include <utility>
#include <vector>

namespace rm::ui {

struct SaliencyRun
{
    std::string weightsPath, configJson, targetSet;
};

struct GalaxySaliency
{
    GalaxyId galaxy;
    rm::SaliencyMap map;
    bool fromRun = false; // computed on the run's decoded record, not on the image shown
};

// One result per galaxy, in the order given. `fraction` receives the run's evaluation crop (the centre part
// of each side the maps cover).
std::vector<GalaxySaliency> computeRunSaliency(const QString& projectPath, const SaliencyRun& run,
                                               const std::vector<std::pair<GalaxyId, QImage>>& galaxies,
                                               double* fraction);

} // namespace rm::ui

#pragma once
// Which matrix an experiment runs, decided in one place for `ringminer-cli train` and the GUI's matrix
// editor: a matrix file when one is given (pointed at the project's target sets where the caller asks); else
// the matrix an existing experiment of that name was made with (an experiment made in the GUI runs from the
// CLI with the matrix it was made with, and the other way round); else the default matrix pointed at the
// project's target sets. Then the rows and default settings asked for replace the chosen matrix's.
#include "training/ExperimentMatrix.h"

#include <nlohmann/json.hpp>

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace rm {

class ProjectStore;

struct ExperimentRequest
{
    std::string matrixFile; // when set, the matrix is read from this file
    // Point the file's rows at the project's target sets (the editor does; the CLI trains the file as
    // written).
    bool fileForProject = false;
    std::string experiment; // an existing experiment of this name runs with its stored matrix
    // The default matrix needs a target set in the project (rm::Error otherwise); false: the default matrix
    // as it is when the project has none (the editor shows it all the same).
    bool requireTargetSets = true;
    std::vector<std::string>
        targetSets; // when set, the chosen matrix's rows (ExperimentMatrix::withTargetSets)
    // The CPU preset (training/TimeEstimate.h: smaller images, fewer epochs) over the chosen matrix, before
    // the settings; the matrix is renamed "<name>-cpu" so it does not collide with the full-size experiment.
    bool cpuPreset = false;
    // Keys set in the chosen matrix's defaults; a bad key or value is an rm::Error before anything runs.
    nlohmann::json settings = nlohmann::json::object();
};

// What the choice needs to know of the project.
struct ProjectExperiments
{
    std::string path; // for messages
    std::vector<std::string> targetSets;
    // The stored matrix (JSON text) of the experiment of this name; nullopt when there is none to use.
    std::function<std::optional<std::string>(const std::string& experiment)> storedMatrix;
};

struct ExperimentChoice
{
    enum class Source
    {
        File,
        Stored,
        Default
    };
    ExperimentMatrix matrix;
    std::string experiment; // the request's name, else the matrix's
    // The rows as the file, the stored experiment or the default matrix had them, before any retargeting.
    std::vector<std::string> sourceTargetSets;
    Source source = Source::Default;
};

// Throws rm::Error (a file or a stored matrix that does not read, no target set for the default matrix, a bad
// setting).
ExperimentChoice chooseExperiment(const ExperimentRequest& request, const ProjectExperiments& project);
// The same, reading the project's target sets and experiments from its store. An experiment recorded without
// a matrix runs "{}" (as it always has from the CLI).
ExperimentChoice chooseExperiment(const ExperimentRequest& request, ProjectStore& store);

} // namespace rm

#include "training/ExperimentChoice.h"

#include "store/ProjectStore.h"
#include "targets/TargetSetBuilder.h"
#include "training/RunStore.h"
#include "training/TimeEstimate.h"
#include "util/Error.h"

namespace rm {

ExperimentChoice chooseExperiment(const ExperimentRequest& request, const ProjectExperiments& project)
{
    ExperimentChoice choice;
    std::optional<std::string> stored;
    if (request.matrixFile.empty() && !request.experiment.empty() && project.storedMatrix)
        stored = project.storedMatrix(request.experiment);
    if (!request.matrixFile.empty()) {
        choice.source = ExperimentChoice::Source::File;
        choice.matrix = ExperimentMatrix::fromFile(request.matrixFile);
        choice.sourceTargetSets = choice.matrix.targetSets;
        if (request.fileForProject && !project.targetSets.empty())
            choice.matrix = choice.matrix.forProject(project.targetSets);
    } else if (stored) {
        choice.source = ExperimentChoice::Source::Stored;
        choice.matrix = ExperimentMatrix::fromJson(nlohmann::json::parse(*stored));
        choice.sourceTargetSets = choice.matrix.targetSets;
    } else {
        choice.source = ExperimentChoice::Source::Default;
        if (project.targetSets.empty() && request.requireTargetSets)
            throw Error("project '" + project.path +
                        "' has no target set yet: build one with ringminer-cli targets build");
        choice.matrix = ExperimentMatrix::defaultMatrix();
        choice.sourceTargetSets = choice.matrix.targetSets;
        if (!project.targetSets.empty()) choice.matrix = choice.matrix.forProject(project.targetSets);
    }
    if (!request.targetSets.empty()) choice.matrix = choice.matrix.withTargetSets(request.targetSets);
    if (request.cpuPreset) {
        choice.matrix = withCpuPreset(choice.matrix);
        if (choice.matrix.name.size() < 4 ||
            choice.matrix.name.substr(choice.matrix.name.size() - 4) != "-cpu")
            choice.matrix.name += "-cpu";
    }
    if (!request.settings.empty()) {
        for (const auto& [key, value] : request.settings.items())
            choice.matrix.defaults[key] = value;
        choice.matrix = ExperimentMatrix::fromJson(choice.matrix.toJson()); // names a bad key at once
    }
    choice.experiment = request.experiment.empty() ? choice.matrix.name : request.experiment;
    return choice;
}

ExperimentChoice chooseExperiment(const ExperimentRequest& request, ProjectStore& store)
{
    ProjectExperiments project;
    project.path = store.path();
    project.targetSets = targetSetNames(store);
    project.storedMatrix = [&store](const std::string& name) -> std::optional<std::string> {
        RunStore runs(store);
        const auto id = runs.experimentId(name);
        if (!id) return std::nullopt;
        return runs.experimentMatrix(*id).value_or("{}");
    };
    return chooseExperiment(request, project);
}

} // namespace rm

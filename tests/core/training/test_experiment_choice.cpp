// Which matrix an experiment runs (rm::chooseExperiment), the one decision `ringminer-cli train` and the
// GUI's matrix editor share: a file wins, else an existing experiment's stored matrix, else the default
// matrix pointed at the project's target sets; then --target-sets and --set on top.
#include "store/ProjectStore.h"
#include "training/ExperimentChoice.h"
#include "training/RunStore.h"
#include "util/Error.h"

#include <QTemporaryDir>
#include <QtTest>

#include <fstream>

using namespace rm;
using nlohmann::json;

namespace {

json smallMatrix(const std::string& name)
{
    return json{{"name", name},
                {"target_sets", {"a", "b"}},
                {"modes", {"head_only", "all_layers"}},
                {"models", {{{"name", "cnn"}, {"arch", "simple_cnn"}, {"in_chans", 1}}}},
                {"defaults", {{"epochs", 2}, {"batch_size", 16}, {"image_size", 64}}},
                {"overrides", json::object()}};
}

// A project that has the target sets `sets` and, where `stored` is given, one experiment "kept" with it.
ProjectExperiments project(std::vector<std::string> sets, std::optional<std::string> stored = std::nullopt)
{
    ProjectExperiments p;
    p.path = "p.rmproj";
    p.targetSets = std::move(sets);
    p.storedMatrix = [stored](const std::string& name) {
        return name == "kept" ? stored : std::optional<std::string>();
    };
    return p;
}

template <typename F> std::string errorOf(F f)
{
    try {
        f();
    } catch (const Error& e) {
        return e.what();
    }
    return {};
}

} // namespace

class TestExperimentChoice : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void defaultMatrixTakesTheProjectsTargetSets()
    {
        const ExperimentChoice c = chooseExperiment(ExperimentRequest{}, project({"demo"}));
        QCOMPARE(int(c.source), int(ExperimentChoice::Source::Default));
        QCOMPARE(c.matrix.targetSets, std::vector<std::string>{"demo"});
        QCOMPARE(c.sourceTargetSets, ExperimentMatrix::defaultMatrix().targetSets);
        QCOMPARE(c.experiment, ExperimentMatrix::defaultMatrix().name); // no name asked: the matrix's
        QCOMPARE(c.matrix.models.size(), ExperimentMatrix::defaultMatrix().models.size());
    }

    void defaultMatrixNeedsATargetSetUnlessAskedNot()
    {
        const std::string error = errorOf([] { chooseExperiment(ExperimentRequest{}, project({})); });
        QVERIFY2(error.find("'p.rmproj' has no target set yet") != std::string::npos, error.c_str());
        ExperimentRequest lenient;
        lenient.requireTargetSets = false; // the editor shows the default matrix all the same
        const ExperimentChoice c = chooseExperiment(lenient, project({}));
        QCOMPARE(c.matrix.targetSets, ExperimentMatrix::defaultMatrix().targetSets);
    }

    void existingExperimentRunsItsStoredMatrix()
    {
        ExperimentRequest r;
        r.experiment = "kept";
        const ExperimentChoice c = chooseExperiment(r, project({"demo"}, smallMatrix("small").dump()));
        QCOMPARE(int(c.source), int(ExperimentChoice::Source::Stored));
        QCOMPARE(c.matrix.targetSets, (std::vector<std::string>{"a", "b"})); // as stored, not retargeted
        QCOMPARE(c.experiment, std::string("kept"));
        // A new name: the default matrix, recorded under that name.
        r.experiment = "new";
        const ExperimentChoice fresh = chooseExperiment(r, project({"demo"}, smallMatrix("small").dump()));
        QCOMPARE(int(fresh.source), int(ExperimentChoice::Source::Default));
        QCOMPARE(fresh.experiment, std::string("new"));
    }

    void fileWinsAndIsRetargetedOnlyWhenAsked()
    {
        QTemporaryDir dir;
        const std::string file = dir.filePath("m.json").toStdString();
        std::ofstream(file) << smallMatrix("from_file").dump(2);
        ExperimentRequest r;
        r.matrixFile = file;
        r.experiment = "kept"; // a file wins over the stored matrix
        const ExperimentChoice asWritten =
            chooseExperiment(r, project({"demo"}, smallMatrix("small").dump()));
        QCOMPARE(int(asWritten.source), int(ExperimentChoice::Source::File));
        QCOMPARE(asWritten.matrix.name, std::string("from_file"));
        QCOMPARE(asWritten.matrix.targetSets, (std::vector<std::string>{"a", "b"}));
        r.fileForProject = true;
        r.experiment.clear();
        const ExperimentChoice retargeted = chooseExperiment(r, project({"demo"}));
        QCOMPARE(retargeted.matrix.targetSets, std::vector<std::string>{"demo"});
        QCOMPARE(retargeted.sourceTargetSets, (std::vector<std::string>{"a", "b"}));
        QCOMPARE(retargeted.experiment, std::string("from_file"));
    }

    void targetSetsAndSettingsGoOnTop()
    {
        ExperimentRequest r;
        r.experiment = "kept";
        r.targetSets = {"b"};
        r.settings = {{"epochs", 5}};
        const ExperimentChoice c = chooseExperiment(r, project({"demo"}, smallMatrix("small").dump()));
        QCOMPARE(c.matrix.targetSets, std::vector<std::string>{"b"});
        QCOMPARE(c.matrix.defaults["epochs"].get<int>(), 5);
        for (const MatrixCell& cell : c.matrix.cells())
            QCOMPARE(cell.config.epochs, 5);
        r.settings = {{"no_such_key", 1}};
        QVERIFY(
            !errorOf([&] { chooseExperiment(r, project({"demo"}, smallMatrix("small").dump())); }).empty());
    }

    void readsTheProjectStore()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("p.rmproj").toStdString();
        auto store = ProjectStore::create(path);
        // No target set yet: the CLI's words.
        const std::string error = errorOf([&] { chooseExperiment(ExperimentRequest{}, *store); });
        QVERIFY2(error.find("has no target set yet: build one with ringminer-cli targets build") !=
                     std::string::npos,
                 error.c_str());
        RunStore(*store).createExperiment("kept", smallMatrix("small").dump());
        ExperimentRequest r;
        r.experiment = "kept";
        const ExperimentChoice c = chooseExperiment(r, *store);
        QCOMPARE(int(c.source), int(ExperimentChoice::Source::Stored));
        QCOMPARE(c.matrix.name, std::string("small"));
    }
};

QTEST_GUILESS_MAIN(TestExperimentChoice)
#include "test_experiment_choice.moc"

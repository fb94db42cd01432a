// The training-time estimate (training/TimeEstimate.h): a cell's work at a given speed, the timed step on a
// real network, the matrix estimate sharing one measurement per network and skipping finished cells, the CPU
// preset, and the live ETA of a running queue.
#include "models/ModelRegistry.h"
#include "training/ExperimentChoice.h"
#include "training/TimeEstimate.h"
#include "util/Error.h"

#include <QtTest>

#include <cmath>

using namespace rm;
using nlohmann::json;

namespace {

ExperimentMatrix smallMatrix()
{
    return ExperimentMatrix::fromJson(
        {{"name", "small"},
         {"target_sets", {"a", "b"}},
         {"modes", {"head_only", "all_layers"}},
         {"models",
          {{{"name", "cnn"}, {"arch", "simple_cnn"}, {"in_chans", 1}, {"modes", {"all_layers"}}},
           {{"name", "tres"}, {"arch", "tiny_resnet_basic"}, {"in_chans", 1}}}},
         {"defaults",
          {{"epochs", 2}, {"batch_size", 8}, {"image_size", 32}, {"device", "cpu"}, {"embedding_views", 2}}},
         {"overrides", {{"*/*/all_layers", {{"image_size", 48}, {"learning_rate", 1e-4}}}}}});
}

} // namespace

class TestTimeEstimate : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { registerBuiltinModels(); }

    void cellWorkIsImagesTimesEpochs()
    {
        const ModelSpeed speed{0.01, 0.002, "cpu"};
        const SplitSizes sizes{100, 20, 30};
        TrainConfig c;
        c.epochs = 3;
        c.fineTune = FineTuneMode::AllLayers;
        // 3 epochs of (100 trained + 20 validated), then all 150 scored.
        QCOMPARE(estimateCellSeconds(c, sizes, speed), 3 * (100 * 0.01 + 20 * 0.002) + 150 * 0.002);
        // Head only with cached embeddings: the encoder embeds each training image once per view.
        c.fineTune = FineTuneMode::HeadOnly;
        c.embeddingViews = 8;
        QCOMPARE(estimateCellSeconds(c, sizes, speed), (8 * 100 + 20) * 0.002 + 150 * 0.002);
        // Head only without the cache: a forward pass every epoch.
        c.embeddingViews = 0;
        QCOMPARE(estimateCellSeconds(c, sizes, speed), 3 * (100 * 0.002 + 20 * 0.002) + 150 * 0.002);
        // A step cap bounds the images per epoch.
        c.fineTune = FineTuneMode::AllLayers;
        c.maxStepsPerEpoch = 2;
        c.batchSize = 10;
        QCOMPARE(estimateCellSeconds(c, sizes, speed), 3 * (20 * 0.01 + 20 * 0.002) + 150 * 0.002);
        // Cross-validation adds folds x repeats runs on (k-1)/k of the galaxies, each scoring its held-out
        // part.
        c.maxStepsPerEpoch = 0;
        const double fixedSplit = estimateCellSeconds(c, sizes, speed);
        c.cvFolds = 5;
        c.cvRepeats = 2;
        const double inFold = 150.0 * 4 / 5;
        const double fold = 3 * (inFold * 0.85 * 0.01 + inFold * 0.15 * 0.002) + 30 * 0.002;
        QVERIFY(std::abs(estimateCellSeconds(c, sizes, speed) - (fixedSplit + 10 * fold)) < 1e-9);
    }

    void timesARealNetwork()
    {
        TrainConfig c;
        c.model.arch = "tiny_resnet_basic";
        c.model.inChannels = 1;
        c.view.channels = 1;
        c.view.width = c.view.height = 32;
        c.device = "cpu";
        // One thread: with the default (every core) on a machine busy with other tests, a tiny step's time is
        // mostly OpenMP threads waiting for a core, the same at 32 and 128 px (seen under the sanitizers:
        // 0.057 and 0.088 s per image), which hides the network's own work that this test looks for.
        c.torchThreads = 1;
        const ModelSpeed s = measureModelSpeed(c, 4, 2);
        QVERIFY(s.trainSecondsPerImage > 0 && std::isfinite(s.trainSecondsPerImage));
        QVERIFY(s.inferSecondsPerImage > 0 && std::isfinite(s.inferSecondsPerImage));
        QCOMPARE(QString::fromStdString(s.device), QStringLiteral("cpu"));
        // Bigger images cost more: the measurement sees the network's real work, not a constant.
        c.view.width = c.view.height = 128;
        const ModelSpeed big = measureModelSpeed(c, 4, 2);
        QVERIFY2(big.trainSecondsPerImage > s.trainSecondsPerImage * 2,
                 qPrintable(QStringLiteral("32 px %1 s/img, 128 px %2 s/img")
                                .arg(s.trainSecondsPerImage)
                                .arg(big.trainSecondsPerImage)));
        c.model.arch = "no_such_net";
        QVERIFY_THROWS_EXCEPTION(rm::Error, measureModelSpeed(c));
    }

    void matrixSharesMeasurementsAndSkipsDoneCells()
    {
        const ExperimentMatrix m = smallMatrix();
        std::map<std::string, SplitSizes> sizes{{"a", {40, 10, 10}}, {"b", {20, 5, 5}}};
        TimeEstimateOptions o;
        o.doneCells = {"a/cnn/all_layers"};
        int calls = 0;
        o.progress = [&calls](int, int, const std::string&) { ++calls; };
        const MatrixTimeEstimate e = estimateMatrixTime(m, sizes, o);
        QCOMPARE(int(e.cells.size()), 6); // 2 target sets x (cnn all_layers + tres x 2 modes)
        // Networks: cnn at 48 px, tres at 32 px (head only) and 48 px (all layers).
        QCOMPARE(int(e.speeds.size()), 3);
        QVERIFY(calls >= 3);
        double total = 0;
        for (const CellTimeEstimate& c : e.cells) {
            if (c.key == "a/cnn/all_layers") {
                QVERIFY(c.done);
                QCOMPARE(c.seconds, 0.0);
                continue;
            }
            QVERIFY2(c.seconds > 0, c.key.c_str());
            total += c.seconds;
        }
        QCOMPARE(e.totalSeconds, total);
        QVERIFY(e.onCpu());
        // Target set b has half of a's galaxies: its cells take about half as long.
        const double a = e.cell("a/tres/all_layers")->seconds, b = e.cell("b/tres/all_layers")->seconds;
        QVERIFY2(std::abs(b / a - 0.5) < 1e-9, qPrintable(QString::number(b / a)));
        // --cells restricts what is estimated.
        TimeEstimateOptions only;
        only.onlyCells = {"b/*/*"};
        QCOMPARE(int(estimateMatrixTime(m, sizes, only).cells.size()), 3);
    }

    void cpuPresetAppliesEverywhere()
    {
        const ExperimentMatrix p = withCpuPreset(smallMatrix());
        for (const MatrixCell& c : p.cells()) {
            QCOMPARE(c.config.view.width, 96); // the override's 48 px went with the preset
            QCOMPARE(c.config.epochs, 4);
            QCOMPARE(c.config.embeddingViews, 2);
        }
        // Other override keys stay.
        QCOMPARE(p.overrides["*/*/all_layers"]["learning_rate"].get<double>(), 1e-4);
        // Chosen for a project, the preset becomes its own experiment.
        ExperimentRequest r;
        r.cpuPreset = true;
        ProjectExperiments project;
        project.path = "p.rmproj";
        project.targetSets = {"gzd5"};
        project.storedMatrix = [](const std::string&) { return std::nullopt; };
        const ExperimentChoice choice = chooseExperiment(r, project);
        QCOMPARE(QString::fromStdString(choice.experiment), QStringLiteral("default-cpu"));
        QCOMPARE(choice.matrix.cells().front().config.view.width, 96);
        // --set still wins over the preset.
        r.settings = {{"epochs", 1}};
        QCOMPARE(chooseExperiment(r, project).matrix.cells().front().config.epochs, 1);
    }

    void queueEtaFollowsTheRunningCell()
    {
        MatrixTimeEstimate e;
        e.cells = {{"x", 100, false, "n"}, {"y", 200, false, "n"}, {"z", 0, true, "n"}};
        e.totalSeconds = 300;
        QueueEta eta(e);
        QCOMPARE(eta.queueRemainingSeconds(), 300.0);
        // x runs twice as slowly as estimated: 25% done after 50 s.
        eta.cellProgress("x", 0.25, 50);
        QCOMPARE(eta.cellRemainingSeconds("x"), 150.0);
        // ... and the estimate of the cell after it is scaled the same way.
        QCOMPARE(eta.cellRemainingSeconds("y"), 400.0);
        QCOMPARE(eta.queueRemainingSeconds(), 550.0);
        eta.cellFinished("x");
        QCOMPARE(eta.cellRemainingSeconds("x"), 0.0);
        QCOMPARE(eta.queueRemainingSeconds(), 400.0);
        // A cell with no step fraction (cross-validated) counts down from its scaled estimate.
        eta.cellProgress("y", 0, 100);
        QCOMPARE(eta.cellRemainingSeconds("y"), 300.0);
    }

    void durationsAreRounded()
    {
        QCOMPARE(QString::fromStdString(formatEstimate(0.2)), QStringLiteral("1 s"));
        QCOMPARE(QString::fromStdString(formatEstimate(44.6)), QStringLiteral("45 s"));
        QCOMPARE(QString::fromStdString(formatEstimate(12 * 60 + 20)), QStringLiteral("12 min"));
        QCOMPARE(QString::fromStdString(formatEstimate(3 * 3600 + 20 * 60)), QStringLiteral("3 h 20 min"));
        QCOMPARE(QString::fromStdString(formatEstimate(52 * 3600)), QStringLiteral("2 d 4 h"));
        QCOMPARE(QString::fromStdString(formatEstimate(std::nan(""))), QStringLiteral("?"));
    }
};

QTEST_GUILESS_MAIN(TestTimeEstimate)
#include "test_time_estimate.moc"

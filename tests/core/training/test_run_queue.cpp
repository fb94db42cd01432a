// The run queue on a small demo project with tiny models: every cell ends done with consistent epochs,
// metrics (equal to a recomputation from the stored predictions), curves and predictions; finished cells are
// skipped; a pause or a cancel resumes; a `train` process killed with SIGKILL mid-run finishes when run again
// with no duplicate rows; a cell that cannot get images fails with its reason while the others still run.
#include "TestData.h"

#include "store/ProjectStore.h"
#include "targets/TargetSetBuilder.h"
#include "training/Metrics.h"
#include "training/RunQueue.h"
#include "training/RunStore.h"
#include "util/Error.h"

#include <QProcess>
#include <QtTest>

#include <cmath>
#include <fstream>

using namespace rm;
using nlohmann::json;

namespace {

json tinyMatrix(int epochs, const std::vector<std::string>& targetSets = {"demo"})
{
    json m = {{"name", "tiny"},
              {"target_sets", targetSets},
              {"modes", {"head_only", "all_layers"}},
              {"models",
               {{{"name", "cnn"}, {"arch", "simple_cnn"}, {"in_chans", 1}, {"modes", {"all_layers"}}},
                {{"name", "teff"}, {"arch", "tiny_efficientnet"}, {"in_chans", 3}}}},
              {"defaults",
               {{"image_size", 32},
                {"epochs", epochs},
                {"batch_size", 8},
                {"max_steps_per_epoch", 2},
                {"embedding_views", 1},
                {"warmup_epochs", 0},
                {"patience", 0},
                {"device", "cpu"},
                {"loader_threads", 1},
                {"torch_threads", 1}}}};
    return m;
}

std::int64_t count(ProjectStore& store, const std::string& sql)
{
    return store.db().queryInt(sql).value_or(-1);
}

struct EventLog
{
    std::vector<RunEvent> events;
    int countOf(RunEvent::Kind k) const
    {
        int n = 0;
        for (const auto& e : events)
            n += e.kind == k;
        return n;
    }
};

} // namespace

class TestRunQueue : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    std::string m_project;

    // Every stored metric of a done run equals what the metrics code gives on its stored predictions.
    void checkRunConsistent(ProjectStore& store, const RunSummary& run, int epochs)
    {
        QCOMPARE(run.state, std::string("done"));
        QCOMPARE(run.epochs, epochs);
        QVERIFY(QFileInfo::exists(QString::fromStdString(run.weightsPath)));
        QCOMPARE(run.weightsSha256.size(), std::size_t(64));
        QCOMPARE(loadEpochs(m_project, run.id).size(), std::size_t(epochs));
        const auto targets = loadTargets(store, run.targetSet);
        const auto predictions = loadPredictions(m_project, run.id);
        QCOMPARE(predictions.size(), targets.size()); // every demo image is there
        std::map<std::string, std::vector<int>> labels;
        std::map<std::string, std::vector<float>> scores;
        for (const auto& p : predictions) {
            const Target& t = targets.at(static_cast<std::size_t>(p.targetIdx));
            QCOMPARE(p.split, std::string(splitName(t.split)));
            QCOMPARE(p.label, t.label);
            QCOMPARE(p.catalogId, t.catalogId);
            QCOMPARE(p.row, t.row);
            labels[p.split].push_back(p.label);
            scores[p.split].push_back(p.score);
        }
        const double threshold = chooseThreshold(labels["val"], scores["val"], ThresholdRule::MaxF1);
        for (const char* split : {"train", "val", "test"}) {
            const auto stored = loadMetrics(m_project, run.id, split);
            const BinaryMetrics m = computeMetrics(labels[split], scores[split], threshold);
            QCOMPARE(stored.at("threshold").value, threshold);
            for (const auto& [name, value] : m.values) {
                const MetricInterval& s = stored.at(name);
                if (std::isnan(value)) {
                    QVERIFY(std::isnan(s.value));
                    continue;
                }
                QVERIFY2(std::fabs(s.value - value) < 1e-5, (run.cellKey + " " + split + " " + name).c_str());
                if (std::string(split) != "train")
                    QVERIFY(s.low <= s.value + 1e-9 && s.value <= s.high + 1e-9);
            }
            QCOMPARE(stored.at("tp").value, double(m.confusion.tp));
            QCOMPARE(stored.at("fn").value, double(m.confusion.fn));
        }
        QCOMPARE(run.valAuc, loadMetrics(m_project, run.id, "val").at("roc_auc").value);
        const auto curves = loadCurves(m_project, run.id);
        QCOMPARE(curves.size(), std::size_t(4));
        for (const auto& c : curves) {
            QVERIFY(c.split == "val" || c.split == "test");
            const Curve expected = c.kind == "roc" ? rocCurve(labels[c.split], scores[c.split])
                                                   : prCurve(labels[c.split], scores[c.split]);
            QCOMPARE(c.curve.x.size(), expected.x.size());
            QCOMPARE(c.curve.y, expected.y);
        }
    }

    int runQueue(const json& matrix, const std::string& experiment, EventLog& log,
                 const RunQueueOptions& options = {}, std::atomic<int>* stop = nullptr,
                 const std::function<void(const RunEvent&)>& also = {})
    {
        RunQueue queue(m_project, ExperimentMatrix::fromJson(matrix), experiment, options);
        return queue.run(
            [&](const RunEvent& e) {
                log.events.push_back(e);
                if (also) also(e);
            },
            stop);
    }

private Q_SLOTS:
    void initTestCase()
    {
        RM_REQUIRE_IMAGE_DECODING();
        QVERIFY(m_dir.isValid());
        QVERIFY2(!rmtest::cliPath().isEmpty(), "RINGMINER_CLI is not set (run through ctest)");
        const auto made = rmtest::runCli({"demo", "make", m_dir.filePath("demo"), "--rings", "20",
                                          "--non-rings", "20", "--size", "40", "--json"});
        QVERIFY2(made.exitCode == 0, qPrintable(made.err));
        m_project = made.json().value("project").toString().toStdString();
        QVERIFY(!m_project.empty());
        if (QFileInfo(QString::fromStdString(m_project)).isRelative())
            m_project = QDir::current().absoluteFilePath(QString::fromStdString(m_project)).toStdString();
    }

    void everyCellDoneAndConsistent()
    {
        EventLog log;
        QCOMPARE(runQueue(tinyMatrix(2), "first", log), 3);
        QCOMPARE(log.events.front().kind, RunEvent::Kind::ExperimentStarted);
        QCOMPARE(log.events.back().kind, RunEvent::Kind::ExperimentFinished);
        QCOMPARE(log.countOf(RunEvent::Kind::CellStarted), 3);
        QCOMPARE(log.countOf(RunEvent::Kind::CellFinished), 3);
        QCOMPARE(log.countOf(RunEvent::Kind::Epoch), 6);
        QVERIFY(log.countOf(RunEvent::Kind::Step) >= 6);
        auto store = ProjectStore::open(m_project);
        const auto runs = listRuns(m_project, "first");
        QCOMPARE(runs.size(), std::size_t(3));
        QCOMPARE(runs[0].cellKey, std::string("demo/cnn/all_layers"));
        QCOMPARE(runs[1].cellKey, std::string("demo/teff/head_only"));
        for (const auto& r : runs)
            checkRunConsistent(*store, r, 2);
        // The resolved config is kept beside the weights, so the run can be reproduced.
        QVERIFY(QFileInfo::exists(QString::fromStdString(runs[0].workDir + "/config.json")));

        // Run again: nothing to do.
        EventLog again;
        QCOMPARE(runQueue(tinyMatrix(2), "first", again), 0);
        QCOMPARE(again.countOf(RunEvent::Kind::CellSkipped), 3);
        QCOMPARE(count(*store, "SELECT count(*) FROM epochs"), std::int64_t(6));

        // Another matrix under the same name is refused rather than mixed in.
        QVERIFY_THROWS_EXCEPTION(Error,
                                 RunQueue(m_project, ExperimentMatrix::fromJson(tinyMatrix(3)), "first"));
    }

    void pauseThenResume()
    {
        json m = tinyMatrix(3);
        m["models"] = json::array({m["models"][0]});
        std::atomic<int> stop{0};
        EventLog log;
        const int done = runQueue(m, "paused", log, {}, &stop, [&](const RunEvent& e) {
            if (e.kind == RunEvent::Kind::Epoch) stop = static_cast<int>(StopRequest::Pause);
        });
        QCOMPARE(done, 0);
        auto runs = listRuns(m_project, "paused");
        QCOMPARE(runs[0].state, std::string("queued"));
        QCOMPARE(loadEpochs(m_project, runs[0].id).size(), std::size_t(1));
        QCOMPARE(log.countOf(RunEvent::Kind::CellCancelled), 1);

        EventLog resumed;
        QCOMPARE(runQueue(m, "paused", resumed), 1);
        QCOMPARE(resumed.countOf(RunEvent::Kind::Epoch), 2); // epochs 2 and 3 only
        runs = listRuns(m_project, "paused");
        QCOMPARE(runs[0].attempts, 2);
        auto store = ProjectStore::open(m_project);
        checkRunConsistent(*store, runs[0], 3);
    }

    void cancelThenRestart()
    {
        json m = tinyMatrix(2);
        m["models"] = json::array({m["models"][1]});
        m["models"][0]["modes"] = {"all_layers"};
        std::atomic<int> stop{0};
        EventLog log;
        runQueue(m, "cancelled", log, {}, &stop, [&](const RunEvent& e) {
            if (e.kind == RunEvent::Kind::Step) stop = static_cast<int>(StopRequest::Cancel);
        });
        auto runs = listRuns(m_project, "cancelled");
        QCOMPARE(runs[0].state, std::string("cancelled"));
        EventLog again;
        QCOMPARE(runQueue(m, "cancelled", again), 1);
        auto store = ProjectStore::open(m_project);
        checkRunConsistent(*store, listRuns(m_project, "cancelled")[0], 2);
    }

    void failingCellDoesNotStopTheOthers()
    {
        // A target set whose catalog has no image source: its cells cannot get images.
        const QString labelled =
            QFileInfo(QString::fromStdString(m_project)).dir().filePath("demo_labelled.csv");
        auto r = rmtest::runCli({"catalog", "import", QString::fromStdString(m_project), labelled, "--name",
                                 "nosrc", "--role", "labelled", "--label-column", "ring", "--json"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        r = rmtest::runCli({"targets", "build", QString::fromStdString(m_project), "--name", "nosrc",
                            "--labelled", "nosrc", "--json"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));

        json m = tinyMatrix(1, {"nosrc", "demo"});
        m["models"] = json::array({m["models"][0], m["models"][1]});
        m["models"][1]["modes"] = {"all_layers"};
        RunQueueOptions options;
        options.parallelCells = 2; // two cells at once on the CPU
        EventLog log;
        QCOMPARE(runQueue(m, "failing", log, options), 2);
        QCOMPARE(log.countOf(RunEvent::Kind::CellFailed), 2);
        for (const auto& run : listRuns(m_project, "failing")) {
            if (run.targetSet == "nosrc") {
                QCOMPARE(run.state, std::string("failed"));
                QVERIFY2(run.error.find("no image source") != std::string::npos, run.error.c_str());
                QVERIFY(std::isnan(run.valAuc));
            } else {
                QCOMPARE(run.state, std::string("done"));
            }
        }
        // Without retries the failed cells are skipped with their reason.
        RunQueueOptions noRetry;
        noRetry.retryFailed = false;
        EventLog skipped;
        QCOMPARE(runQueue(m, "failing", skipped, noRetry), 0);
        QCOMPARE(skipped.countOf(RunEvent::Kind::CellSkipped), 4);
    }

    void killedProcessResumes()
    {
        // Enough epochs that the process is still training when the kill lands, however loaded the machine.
        json m = tinyMatrix(30);
        m["models"] = json::array({m["models"][1]});
        m["defaults"]["max_steps_per_epoch"] = 2;
        const QString matrixFile = m_dir.filePath("killed.json");
        std::ofstream(matrixFile.toStdString()) << m.dump();
        const QStringList args = {
            "train", QString::fromStdString(m_project), "--matrix", matrixFile, "--experiment", "killed",
            "--json"};

        QProcess p;
        p.setProcessChannelMode(QProcess::SeparateChannels);
        p.start(rmtest::cliPath(), args);
        QVERIFY(p.waitForStarted());
        // Kill it (SIGKILL: no handler runs) once the second cell has finished an epoch.
        QByteArray err;
        QElapsedTimer timer;
        timer.start();
        while (!err.contains("[2/2] demo/teff/all_layers: epoch 1/30 train loss") &&
               timer.elapsed() < 60000) {
            if (!p.waitForReadyRead(1000) && p.state() != QProcess::Running) break;
            err += p.readAllStandardError();
        }
        QVERIFY2(p.state() == QProcess::Running,
                 qPrintable("train ended before it could be killed:\n" + err));
        p.kill();
        QVERIFY(p.waitForFinished(10000));

        auto runs = listRuns(m_project, "killed");
        QCOMPARE(runs.size(), std::size_t(2));
        QCOMPARE(runs[0].state, std::string("done"));
        QVERIFY2(runs[1].state == "running",
                 (runs[1].state + " " + runs[1].error).c_str()); // the dead process left it

        const auto again = rmtest::runCli(args);
        QVERIFY2(again.exitCode == 0, qPrintable(again.err));
        QVERIFY2(again.err.contains("resumed after epoch"), qPrintable(again.err));
        QCOMPARE(again.json().value("done").toInt(), 2);
        runs = listRuns(m_project, "killed");
        auto store = ProjectStore::open(m_project);
        for (const auto& r : runs)
            checkRunConsistent(*store, r, 30);
        QCOMPARE(runs[1].attempts, 2);
        QCOMPARE(count(*store, "SELECT count(*) FROM epochs WHERE run_id = " + std::to_string(runs[1].id)),
                 std::int64_t(30));
    }
};

QTEST_GUILESS_MAIN(TestRunQueue)
#include "test_run_queue.moc"

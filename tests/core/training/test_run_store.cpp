// Schema v2 and the run records: a v1 project migrates keeping its rows, and what the run queue writes
// (epochs, metrics with CIs, curves with sklearn's infinite threshold, predictions) reads back exactly
// through the read API the GUI and the report use.
#include "TestData.h"

#include "store/ProjectStore.h"
#include "store/Schema.h"
#include "training/RunStore.h"
#include "util/Error.h"
#include "util/Sha256.h"

#include <QtTest>

#include <cmath>
#include <limits>

using namespace rm;

class TestRunStore : public QObject
{
    Q_OBJECT

    static RunOutcome outcome(double valAuc, double testAuc)
    {
        RunOutcome o;
        o.device = "cpu";
        o.weightsPath = "/tmp/w.safetensors";
        o.weightsSha256 = std::string(64, 'a');
        o.epochsRun = 2;
        o.bestEpoch = 1;
        o.seconds = 12.5;
        o.imagesPerSecond = 100;
        o.metrics["val"]["roc_auc"] = {valAuc, valAuc, valAuc};
        o.metrics["test"]["roc_auc"] = {testAuc, testAuc - 0.1, std::min(1.0, testAuc + 0.05)};
        o.metrics["test"]["threshold"] = {0.4, 0.4, 0.4};
        StoredCurve roc;
        roc.split = "test";
        roc.kind = "roc";
        roc.curve.x = {0, 0, 1};
        roc.curve.y = {0, 0.5, 1};
        roc.curve.thresholds = {std::numeric_limits<double>::infinity(), 0.8, 0.1};
        o.curves.push_back(roc);
        StoredCurve pr = roc;
        pr.kind = "pr";
        pr.curve.thresholds = {0.1, 0.8};
        o.curves.push_back(pr);
        for (int i = 0; i < 5; ++i) {
            StoredPrediction p;
            p.targetIdx = i;
            p.split = i < 3 ? "train" : "test";
            p.label = i % 2;
            p.score = 0.1f * static_cast<float>(i);
            p.catalogId = 7;
            p.row = 100 + i;
            o.predictions.push_back(p);
        }
        return o;
    }

private Q_SLOTS:
    void migratesVersion1Project()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("old.rmproj").toStdString();
        {
            // A project as version 1 wrote it, with a finished run in it.
            Database db(path, true);
            db.exec(schema::kVersion1);
            db.exec("INSERT INTO meta(key, value) VALUES('created_at', '2025-01-01T00:00:00Z')");
            db.exec("INSERT INTO experiments(id, name, matrix_json, created_at) VALUES(1, 'old', '{}', 'x')");
            db.exec("INSERT INTO runs(id, experiment_id, cell_key, config_json, state, weights_path) "
                    "VALUES(5, 1, 'gzd5/resnet18_c1/head_only', '{\"epochs\": 3}', 'done', '/w')");
            db.exec(
                "INSERT INTO epochs(run_id, epoch, train_loss, val_loss, val_auc, learning_rate, seconds) "
                "VALUES(5, 0, 0.7, 0.6, 0.8, 0.001, 2.0)");
            db.exec("INSERT INTO metrics(run_id, split, name, value, ci_low, ci_high) "
                    "VALUES(5, 'val', 'roc_auc', 0.81, NULL, NULL)");
            db.exec("INSERT INTO predictions(run_id, target_idx, split, label, score) VALUES(5, 3, 'val', 1, "
                    "0.9)");
            db.exec("PRAGMA user_version = 1");
        }
        {
            auto store = ProjectStore::open(path);
            QCOMPARE(store->schemaVersion(), ProjectStore::kSchemaVersion);
            QCOMPARE(store->db().queryInt("SELECT count(*) FROM run_curves").value_or(-1), 0);
        }
        const auto runs = listRuns(path);
        QCOMPARE(runs.size(), std::size_t(1));
        QCOMPARE(runs[0].id, std::int64_t(5));
        QCOMPARE(runs[0].experiment, std::string("old"));
        QCOMPARE(runs[0].targetSet, std::string("gzd5")); // from the cell key: v1 had no column for it
        QCOMPARE(runs[0].model, std::string("resnet18_c1"));
        QCOMPARE(runs[0].mode, std::string("head_only"));
        QCOMPARE(runs[0].epochs, 1);
        QCOMPARE(runs[0].valAuc, 0.81);
        QVERIFY(std::isnan(runs[0].testAuc));
        QCOMPARE(runs[0].config.value("epochs", 0), 3);
        const auto epochs = loadEpochs(path, 5);
        QCOMPARE(epochs.size(), std::size_t(1));
        QCOMPARE(epochs[0].valLoss, 0.6);
        QVERIFY(!epochs[0].best);
        const auto metrics = loadMetrics(path, 5, "val");
        QCOMPARE(metrics.at("roc_auc").low, 0.81); // no CI stored: low = high = value
        const auto preds = loadPredictions(path, 5);
        QCOMPARE(preds.size(), std::size_t(1));
        QCOMPARE(preds[0].catalogId, std::int64_t(-1));
        QCOMPARE(bestRun(path).id, std::int64_t(5));
        // Reopening a migrated project changes nothing.
        QCOMPARE(ProjectStore::open(path)->schemaVersion(), ProjectStore::kSchemaVersion);
    }

    void writesAndReadsBack()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("p.rmproj").toStdString();
        std::int64_t a = 0, b = 0;
        {
            auto store = ProjectStore::create(path);
            RunStore runs(*store);
            const std::int64_t exp = runs.createExperiment("e1", "{}");
            QCOMPARE(runs.experimentId("e1").value_or(0), exp);
            QVERIFY(!runs.experimentId("nope"));
            a = runs.ensureRun(exp, "demo/m1/head_only", "demo", "m1", "head_only", 0, R"({"epochs":2})");
            b = runs.ensureRun(exp, "demo/m2/all_layers", "demo", "m2", "all_layers", 1, R"({"epochs":2})");
            QCOMPARE(
                runs.ensureRun(exp, "demo/m1/head_only", "demo", "m1", "head_only", 0, R"({ "epochs": 2 })"),
                a);
            QCOMPARE(runs.run(a).state, std::string("queued"));

            runs.markRunning(a, "cpu");
            EpochEvent e0;
            e0.epoch = 0;
            e0.trainLoss = 0.9;
            e0.valLoss = 0.8;
            e0.valAuc = std::numeric_limits<double>::quiet_NaN();
            e0.best = true;
            runs.recordEpoch(a, e0);
            EpochEvent e1 = e0;
            e1.epoch = 1;
            e1.valLoss = 0.5;
            e1.valAuc = 0.7;
            runs.recordEpoch(a, e1);
            runs.recordEpoch(a, e1); // a resumed run reports an epoch again: no duplicate
            runs.finishRun(a, outcome(0.7, 0.75));
            runs.markRunning(b, "cpu");
            runs.finishRun(b, outcome(0.9, 0.6));
            QCOMPARE(runs.run(a).attempts, 1);
        }
        const auto list = listRuns(path, "e1");
        QCOMPARE(list.size(), std::size_t(2));
        QCOMPARE(list[0].id, a);
        QCOMPARE(list[0].state, std::string("done"));
        QCOMPARE(list[0].epochs, 2);
        QCOMPARE(list[0].bestEpoch, 1);
        QCOMPARE(list[0].seconds, 12.5);
        QCOMPARE(list[0].weightsSha256, std::string(64, 'a'));
        QCOMPARE(list[1].testAuc, 0.6);
        QVERIFY(listRuns(path, "other").empty());
        QCOMPARE(bestRun(path).id, b); // highest validation AUC, not test
        QVERIFY_THROWS_EXCEPTION(Error, bestRun(path, "other"));

        const auto epochs = loadEpochs(path, a);
        QCOMPARE(epochs.size(), std::size_t(2));
        QVERIFY(std::isnan(epochs[0].valAuc));
        QVERIFY(epochs[1].best);
        QVERIFY(!epochs[0].best); // the later, better epoch took the flag

        const auto test = loadMetrics(path, a, "test");
        QCOMPARE(test.at("roc_auc").value, 0.75);
        QCOMPARE(test.at("roc_auc").low, 0.65);
        QCOMPARE(test.at("threshold").value, 0.4);

        const auto curves = loadCurves(path, a);
        QCOMPARE(curves.size(), std::size_t(2));
        QCOMPARE(curves[0].kind, std::string("roc"));
        QVERIFY(std::isinf(curves[0].curve.thresholds[0]));
        QCOMPARE(curves[0].curve.y[1], 0.5);
        QCOMPARE(curves[1].curve.thresholds.size(), std::size_t(2));

        const auto preds = loadPredictions(path, a);
        QCOMPARE(preds.size(), std::size_t(5));
        QCOMPARE(preds[4].row, std::int64_t(104));
        QCOMPARE(preds[3].split, std::string("test"));
        QCOMPARE(preds[2].score, 0.2f);

        // A changed config resets the run; a dropped cell goes with its results.
        {
            auto store = ProjectStore::open(path);
            RunStore runs(*store);
            const std::int64_t exp = *runs.experimentId("e1");
            bool reset = false;
            QCOMPARE(runs.ensureRun(exp, "demo/m1/head_only", "demo", "m1", "head_only", 0, R"({"epochs":3})",
                                    &reset),
                     a);
            QVERIFY(reset);
            QCOMPARE(runs.run(a).state, std::string("queued"));
            QVERIFY(runs.epochs(a).empty());
            QVERIFY(runs.predictions(a).empty());
            QCOMPARE(runs.removeRunsExcept(exp, {"demo/m1/head_only"}), 1);
            QCOMPARE(store->db().queryInt("SELECT count(*) FROM predictions").value_or(-1), 0);
            QCOMPARE(store->db().queryInt("SELECT count(*) FROM run_curves").value_or(-1), 0);
            QCOMPARE(listRuns(path).size(), std::size_t(1));
        }
    }

    void sha256KnownAnswers()
    {
        QCOMPARE(sha256Hex(""),
                 std::string("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
        QCOMPARE(sha256Hex("abc"),
                 std::string("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
        QCOMPARE(sha256Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
                 std::string("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"));
        QCOMPARE(sha256Hex(std::string(1000000, 'a')),
                 std::string("cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"));
    }

    void failureKeepsItsReason()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("p.rmproj").toStdString();
        auto store = ProjectStore::create(path);
        RunStore runs(*store);
        const std::int64_t exp = runs.createExperiment("e", "{}");
        const std::int64_t id = runs.ensureRun(exp, "x/m/all_layers", "x", "m", "all_layers", 0, "{}");
        runs.markRunning(id, "cpu");
        runs.markFailed(id, "target set 'x' has no image source");
        const auto list = runs.listRuns("e");
        QCOMPARE(list[0].state, std::string("failed"));
        QCOMPARE(list[0].error, std::string("target set 'x' has no image source"));
        QVERIFY(std::isnan(list[0].valAuc));
        runs.markRunning(id, "cpu"); // a retry keeps the old error until it succeeds
        QCOMPARE(runs.run(id).error, std::string("target set 'x' has no image source"));
        QCOMPARE(runs.run(id).attempts, 2);
    }
};

QTEST_GUILESS_MAIN(TestRunStore)
#include "test_run_store.moc"

// FixMatch semi-supervised training (TrainConfig::semiSupervised) on images the test draws: 32 px colour
// rings and discs, SimpleCNN, 2 epochs of a few steps on the CPU with one torch thread. Checks that the
// option parses and its errors name the key; that two runs with the same seed give bit-identical weights and
// epoch records (mask rate, unlabelled loss), and a resumed run the same as an uninterrupted one; that a
// threshold of 1 (nothing is ever confident) trains exactly as supervised training does while a reachable
// threshold changes the weights; the unlabelled pool from folders and catalogs; and a cross-validated cell
// through the run queue that leaves each held-out fold's galaxies out of the pool (include_eval_folds false).
#include "cache/DecodedCache.h"
#include "cache/DecodedCacheBuilder.h"
#include "demo/DemoProject.h"
#include "imaging/JpegWriter.h"
#include "models/Safetensors.h"
#include "store/ProjectStore.h"
#include "training/ExperimentMatrix.h"
#include "training/RunQueue.h"
#include "training/RunStore.h"
#include "training/Trainer.h"
#include "training/UnlabelledPool.h"
#include "util/Error.h"
#include "util/Random.h"

#include "TestData.h"

#include <QtTest>

#include <cmath>
#include <fstream>
#include <map>

using namespace rm;
using nlohmann::json;

namespace {

constexpr int kSize = 32;

// A reddish ring (label 1) or a bluish filled disc (label 0) of random size and position over faint noise.
Image drawGalaxy(bool ring, std::uint64_t seed)
{
    DeterministicRandom rng(seed);
    Image im(kSize, kSize, 3);
    const double cx = kSize / 2.0 + rng.uniform(-2, 2), cy = kSize / 2.0 + rng.uniform(-2, 2);
    const double radius = ring ? rng.uniform(7, 10) : rng.uniform(3, 5);
    const double bright = rng.uniform(150, 255);
    for (int y = 0; y < kSize; ++y)
        for (int x = 0; x < kSize; ++x) {
            const double r = std::hypot(x + 0.5 - cx, y + 0.5 - cy);
            const bool on = ring ? std::fabs(r - radius) <= 1.2 : r <= radius;
            for (int c = 0; c < 3; ++c) {
                double v = rng.uniform(0, 30);
                if (on) v += bright * (ring ? (c == 0 ? 1.0 : 0.6) : (c == 2 ? 1.0 : 0.6));
                im.at(x, y, c) = static_cast<std::uint8_t>(std::min(255.0, v));
            }
        }
    return im;
}

std::shared_ptr<DecodedCache> makeCache(const QTemporaryDir& tmp, const std::string& name, int n,
                                        std::uint64_t seedBase, std::vector<int>* labels)
{
    std::vector<CacheItem> items;
    for (int i = 0; i < n; ++i) {
        const bool ring = i % 2 == 0;
        if (labels) labels->push_back(ring ? 1 : 0);
        items.push_back(
            {name + std::to_string(i), {}, [ring, i, seedBase] { return drawGalaxy(ring, seedBase + i); }});
    }
    CacheBuildOptions o;
    o.prepare = PrepareParams{kSize, kSize, 3, 1.0};
    o.threads = 2;
    const std::string path = tmp.filePath(QString::fromStdString(name) + ".rmcache").toStdString();
    buildDecodedCache(path, items, o);
    return DecodedCache::open(path);
}

std::vector<std::size_t> range(std::size_t begin, std::size_t end)
{
    std::vector<std::size_t> v;
    for (std::size_t i = begin; i < end; ++i)
        v.push_back(i);
    return v;
}

TrainConfig baseConfig()
{
    TrainConfig c;
    c.model.arch = "simple_cnn";
    c.model.inChannels = 3;
    c.view.width = c.view.height = kSize;
    c.view.channels = 3;
    c.view.augment = true;
    c.epochs = 2;
    c.batchSize = 8;
    c.maxStepsPerEpoch = 3;
    c.learningRate = 3e-3;
    c.minLearningRate = 1e-5;
    c.warmupEpochs = 0;
    c.patience = 0;
    c.device = "cpu";
    c.loaderThreads = 2;
    c.torchThreads = 1;
    c.embeddingViews = 0;
    c.seed = 11;
    return c;
}

TrainConfig fixMatchConfig(double threshold)
{
    TrainConfig c = baseConfig();
    c.semiSupervised.method = "fixmatch";
    c.semiSupervised.unlabelled = {"folder:drawn-by-the-test"}; // the Trainer reads TrainData's pool
    c.semiSupervised.threshold = threshold;
    c.semiSupervised.mu = 2;
    return c;
}

std::map<std::string, std::string> tensorBytes(const std::string& path)
{
    SafetensorsFile f(path);
    std::map<std::string, std::string> out;
    for (const auto& t : f.tensors())
        out[t.name] =
            std::string(reinterpret_cast<const char*>(f.data(t)), static_cast<std::size_t>(t.end - t.begin));
    return out;
}

bool same(double x, double y)
{
    return (std::isnan(x) && std::isnan(y)) || x == y;
}

bool sameHistory(const std::vector<EpochEvent>& a, const std::vector<EpochEvent>& b)
{
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (a[i].epoch != b[i].epoch || !same(a[i].trainLoss, b[i].trainLoss) ||
            !same(a[i].valLoss, b[i].valLoss) || !same(a[i].valAuc, b[i].valAuc) ||
            !same(a[i].unlabelledLoss, b[i].unlabelledLoss) || !same(a[i].maskRate, b[i].maskRate) ||
            a[i].best != b[i].best)
            return false;
    return true;
}

QString errorOf(const json& j)
{
    try {
        validate(applyJson(baseConfig(), j));
    } catch (const Error& e) {
        return QString::fromUtf8(e.what());
    }
    return {};
}

} // namespace

class TestFixMatch : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    std::shared_ptr<DecodedCache> m_labelled, m_pool;
    std::vector<int> m_labels;

    TrainData data() const
    {
        TrainData d;
        d.source = m_labelled;
        d.labels = m_labels;
        d.train = range(0, 32);
        d.val = range(32, 48);
        d.unlabelled = m_pool;
        d.unlabelledRecords = range(0, m_pool->size());
        return d;
    }

    TrainResult train(const TrainConfig& c, const char* dir, const TrainCallbacks& callbacks = {}) const
    {
        return Trainer(c, data(), m_dir.filePath(dir).toStdString()).run(callbacks);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_labelled = makeCache(m_dir, "labelled", 48, 1000, &m_labels);
        m_pool = makeCache(m_dir, "pool", 40, 5000, nullptr);
    }

    void parsesAndNamesBadKeys()
    {
        const json block = {{"method", "fixmatch"},
                            {"unlabelled", {"catalog:gz2", "folder:/data/unlabelled"}},
                            {"threshold", 0.9},
                            {"lambda_u", 0.5},
                            {"mu", 4},
                            {"include_eval_folds", false}};
        const TrainConfig c = applyJson(baseConfig(), {{"semi_supervised", block}});
        validate(c);
        QVERIFY(c.semiSupervised.enabled());
        QCOMPARE(c.semiSupervised.unlabelled.size(), std::size_t(2));
        QCOMPARE(c.semiSupervised.threshold, 0.9);
        QCOMPARE(c.semiSupervised.lambdaU, 0.5);
        QCOMPARE(c.semiSupervised.mu, 4);
        QVERIFY(!c.semiSupervised.includeEvalFolds);
        QCOMPARE(toJson(c).at("semi_supervised"), block);
        QCOMPARE(toJson(applyJson(baseConfig(), toJson(c))), toJson(c)); // round trip

        // Off by default, and then absent from the JSON: stored configs stay as they were.
        QVERIFY(!toJson(baseConfig()).contains("semi_supervised"));
        QCOMPARE(toJson(applyJson(c, {{"semi_supervised", nullptr}})), toJson(baseConfig()));
        // A partial block on top of an enabled one changes only its keys.
        QCOMPARE(applyJson(c, {{"semi_supervised", {{"threshold", 1.0}}}}).semiSupervised.mu, 4);

        const std::vector<std::pair<json, QString>> bad = {
            {{{"semi_supervised", {{"method", "fixmatch"}, {"unlabelled", {"folder:x"}}, {"tau", 0.9}}}},
             "'tau'"},
            {{{"semi_supervised", {{"method", "mixmatch"}}}}, "'semi_supervised.method'"},
            {{{"semi_supervised", {{"method", "fixmatch"}, {"threshold", 0.4}}}},
             "'semi_supervised.threshold'"},
            {{{"semi_supervised", {{"method", "fixmatch"}, {"threshold", 1.5}}}},
             "'semi_supervised.threshold'"},
            {{{"semi_supervised", {{"method", "fixmatch"}, {"mu", 0}}}}, "'semi_supervised.mu'"},
            {{{"semi_supervised", {{"method", "fixmatch"}, {"mu", 2.5}}}}, "'semi_supervised.mu'"},
            {{{"semi_supervised", {{"method", "fixmatch"}, {"lambda_u", -1}}}}, "'semi_supervised.lambda_u'"},
            {{{"semi_supervised", {{"method", "fixmatch"}, {"unlabelled", {"gz2"}}}}},
             "'semi_supervised.unlabelled'"},
            {{{"semi_supervised", {{"method", "fixmatch"}, {"unlabelled", "folder:x"}}}},
             "'semi_supervised.unlabelled'"},
            {{{"semi_supervised", {{"method", "fixmatch"}, {"include_eval_folds", "yes"}}}},
             "'semi_supervised.include_eval_folds'"},
            {{{"semi_supervised", {{"threshold", 0.9}}}}, "'semi_supervised'"},                // no method
            {{{"semi_supervised", {{"method", "fixmatch"}}}}, "'semi_supervised.unlabelled'"}, // no source
            {{{"semi_supervised", "fixmatch"}}, "'semi_supervised'"},
        };
        for (const auto& [j, key] : bad) {
            const QString message = errorOf(j);
            QVERIFY2(message.contains(key), qPrintable(QString::fromStdString(j.dump()) + " -> " + message));
        }
        // A head-only cell with an embedding cache is valid: FixMatch runs it from images instead.
        QVERIFY(errorOf({{"fine_tune", "head_only"},
                         {"embedding_views", 4},
                         {"semi_supervised", {{"method", "fixmatch"}, {"unlabelled", {"folder:x"}}}}})
                    .isEmpty());
        // The trainer refuses a semi-supervised config without a pool, and the feature baseline.
        TrainData noPool = data();
        noPool.unlabelled.reset();
        noPool.unlabelledRecords.clear();
        QVERIFY_THROWS_EXCEPTION(
            Error, Trainer(fixMatchConfig(0.9), noPool, m_dir.filePath("nopool").toStdString()));
        TrainConfig lr = fixMatchConfig(0.9);
        lr.model.arch = "profile_lr";
        QVERIFY_THROWS_EXCEPTION(Error, Trainer(lr, data(), m_dir.filePath("lr").toStdString()));
    }

    void deterministicFromSeed()
    {
        const TrainResult a = train(fixMatchConfig(0.55), "det-a");
        const TrainResult b = train(fixMatchConfig(0.55), "det-b");
        QCOMPARE(a.epochsRun, 2);
        QVERIFY(sameHistory(a.history, b.history));
        QVERIFY(tensorBytes(a.bestWeightsPath) == tensorBytes(b.bestWeightsPath));
        double confident = 0;
        for (const EpochEvent& e : a.history) {
            QVERIFY(e.maskRate >= 0 && e.maskRate <= 1);
            QVERIFY(std::isfinite(e.unlabelledLoss) && e.unlabelledLoss >= 0);
            confident += e.maskRate;
        }
        QVERIFY2(confident > 0,
                 "no unlabelled image was ever confident: the FixMatch path was not exercised");

        // Another seed trains differently (the comparison above can fail).
        TrainConfig other = fixMatchConfig(0.55);
        other.seed = 12;
        QVERIFY(tensorBytes(train(other, "det-c").bestWeightsPath) != tensorBytes(a.bestWeightsPath));

        // Paused after the first epoch and resumed: the same as the uninterrupted run.
        TrainCallbacks pause;
        pause.stopAfterEpoch = [] { return true; };
        const TrainResult first = train(fixMatchConfig(0.55), "det-r", pause);
        QVERIFY(first.paused);
        QCOMPARE(first.epochsRun, 1);
        const TrainResult resumed = train(fixMatchConfig(0.55), "det-r");
        QCOMPARE(resumed.epochsRun, 2);
        QVERIFY(sameHistory(resumed.history, a.history));
        QVERIFY(tensorBytes(m_dir.filePath("det-r/checkpoint.safetensors").toStdString()) ==
                tensorBytes(m_dir.filePath("det-a/checkpoint.safetensors").toStdString()));

        // The checkpoint belongs to this pool: a smaller pool is another training.
        TrainData smaller = data();
        smaller.unlabelledRecords.pop_back();
        QVERIFY_THROWS_EXCEPTION(
            Error, Trainer(fixMatchConfig(0.55), smaller, m_dir.filePath("det-a").toStdString()).run());
    }

    void thresholdOneIsSupervisedTraining()
    {
        const TrainResult supervised = train(baseConfig(), "sup");
        const TrainResult never = train(fixMatchConfig(1.0), "never");
        for (const EpochEvent& e : never.history) {
            QCOMPARE(e.maskRate, 0.0);
            QCOMPARE(e.unlabelledLoss, 0.0);
        }
        for (const EpochEvent& e : supervised.history)
            QVERIFY(std::isnan(e.maskRate) && std::isnan(e.unlabelledLoss));
        QCOMPARE(never.history.size(), supervised.history.size());
        for (std::size_t i = 0; i < never.history.size(); ++i) {
            QCOMPARE(never.history[i].trainLoss, supervised.history[i].trainLoss);
            QCOMPARE(never.history[i].valLoss, supervised.history[i].valLoss);
        }
        QVERIFY(tensorBytes(never.bestWeightsPath) == tensorBytes(supervised.bestWeightsPath));
        // With pseudo-labels that can be reached, the weights move away from the supervised ones.
        const TrainResult some = train(fixMatchConfig(0.55), "some");
        QVERIFY(tensorBytes(some.bestWeightsPath) != tensorBytes(supervised.bestWeightsPath));
    }

    void crossValidatedCellLeavesHeldOutFoldsOut()
    {
        RM_REQUIRE_IMAGE_DECODING();
        DemoSurveyOptions o;
        o.outDir = m_dir.filePath("demo").toStdString();
        o.rings = 12;
        o.nonRings = 12;
        o.imageSize = 40;
        o.threads = 2;
        const DemoProjectResult demo = makeDemoProject(o);
        QVERIFY(demo.hasTargetSet);

        // A folder of images beside a file that is not one, and the errors naming the source.
        const QString folder = m_dir.filePath("unlabelled");
        QVERIFY(QDir().mkpath(folder));
        for (int i = 0; i < 6; ++i) {
            const Image im = drawGalaxy(i % 2 == 0, 9000 + i);
            writeRgbImage(QDir(folder).filePath(QString("u%1.png").arg(i)).toStdString(), im.pixels.data(),
                          kSize, kSize);
        }
        std::ofstream(QDir(folder).filePath("ids.csv").toStdString()) << "id\n1\n";
        {
            auto store = ProjectStore::open(demo.project);
            UnlabelledPoolOptions po;
            po.shape = ImageShape{kSize, kSize, 3};
            const UnlabelledPool pool =
                loadUnlabelledPool(*store, {"folder:" + folder.toStdString(), "catalog:rings"}, po);
            QCOMPARE(pool.records.size(), std::size_t(6 + demo.rows.at("rings")));
            QVERIFY(pool.built);
            QCOMPARE(QString::fromStdString(pool.cache->key(0)), "folder:" + QDir(folder).filePath("u0.png"));
            // Found again rather than rebuilt.
            QVERIFY(
                !loadUnlabelledPool(*store, {"folder:" + folder.toStdString(), "catalog:rings"}, po).built);
            for (const auto& [spec, fragment] : std::vector<std::pair<std::string, QString>>{
                     {"catalog:nosuch", "catalog:nosuch"},
                     {"folder:" + m_dir.filePath("none").toStdString(), "none"}}) {
                try {
                    loadUnlabelledPool(*store, {spec}, po);
                    QFAIL("no error");
                } catch (const Error& e) {
                    QVERIFY2(QString(e.what()).contains(fragment), e.what());
                }
            }
        }

        const json matrix = {{"name", "fm"},
                             {"target_sets", {"demo"}},
                             {"modes", {"all_layers"}},
                             {"models", {{{"name", "cnn_fm"}, {"arch", "simple_cnn"}, {"in_chans", 3}}}},
                             {"defaults",
                              {{"image_size", kSize},
                               {"epochs", 1},
                               {"batch_size", 4},
                               {"max_steps_per_epoch", 2},
                               {"warmup_epochs", 0},
                               {"patience", 0},
                               {"device", "cpu"},
                               {"loader_threads", 1},
                               {"torch_threads", 1},
                               {"cv_folds", 2},
                               {"semi_supervised",
                                {{"method", "fixmatch"},
                                 {"unlabelled", {"catalog:rings", "catalog:parent"}},
                                 {"threshold", 0.55},
                                 {"mu", 2},
                                 {"include_eval_folds", false}}}}}};
        std::vector<std::string> logs;
        RunQueue queue(demo.project, ExperimentMatrix::fromJson(matrix), "fm");
        int done = queue.run([&](const RunEvent& e) {
            if (e.kind == RunEvent::Kind::Log || e.kind == RunEvent::Kind::CellFailed)
                logs.push_back(e.message);
        });
        std::string all;
        for (const auto& l : logs)
            all += l + "\n";
        QVERIFY2(done == 1, all.c_str());
        // The fixed split's model and both fold models each left their evaluation galaxies out; every target
        // is a row of "rings" or "parent", so all of them were in the pool.
        int dropped = 0;
        for (const auto& l : logs)
            if (l.find("evaluation galaxies were in it and are left out") != std::string::npos) {
                ++dropped;
                const QString text = QString::fromStdString(l);
                const QStringList words = text.split(' ');
                QCOMPARE(words.at(2), words.at(5)); // "unlabelled pool: N of the N evaluation galaxies ..."
            }
        QVERIFY2(dropped == 3, all.c_str());
        auto store = ProjectStore::open(demo.project);
        RunStore runs(*store);
        const auto list = listRuns(demo.project, "fm");
        QCOMPARE(list.size(), std::size_t(1));
        const std::vector<EpochEvent> epochs = runs.epochs(list[0].id);
        QCOMPARE(epochs.size(), std::size_t(1));
        QVERIFY(epochs[0].maskRate >= 0 && epochs[0].maskRate <= 1);
        QVERIFY(std::isfinite(epochs[0].unlabelledLoss));
        QVERIFY(std::isfinite(runs.metrics(list[0].id, "cv").at("roc_auc").value));
    }
};

QTEST_GUILESS_MAIN(TestFixMatch)
#include "test_fixmatch.moc"

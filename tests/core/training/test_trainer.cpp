// The training engine on a toy problem it can learn in seconds: 32 px images of a bright ring (label 1) or a
// filled disc (label 0), drawn here, packed into a decoded cache, and tiny registry models. Checks learning,
// what each fine-tuning mode may change, the learning-rate schedule, class weights, early stopping with the
// best weights kept, cancelling, exact resume after a kill, the head-only embedding cache and predictScores.
#include "cache/DecodedCache.h"
#include "cache/DecodedCacheBuilder.h"
#include "models/Encoder.h"
#include "models/FineTune.h"
#include "models/Safetensors.h"
#include "models/WeightsIO.h"
#include "training/Loss.h"
#include "training/LrSchedule.h"
#include "training/Metrics.h"
#include "training/Predict.h"
#include "training/Saliency.h"
#include "training/Trainer.h"
#include "util/Error.h"
#include "util/Random.h"

#include <torch/utils.h>

// Qt after LibTorch: Qt's keyword macros (slots, signals) clash with torch headers.
#include "TestData.h"

#include <QElapsedTimer>
#include <QtTest>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <map>
#include <set>

using namespace rm;

namespace {

constexpr int kSize = 32;

// A ring (annulus) or a filled disc of random size, brightness and position over faint noise.
Image drawGalaxy(bool ring, std::uint64_t seed)
{
    DeterministicRandom rng(seed);
    Image im(kSize, kSize, 1);
    const double cx = kSize / 2.0 + rng.uniform(-2, 2), cy = kSize / 2.0 + rng.uniform(-2, 2);
    const double radius = ring ? rng.uniform(7, 10) : rng.uniform(5, 8);
    const double width = ring ? rng.uniform(1.5, 2.5) : radius;
    const double bright = rng.uniform(150, 255);
    for (int y = 0; y < kSize; ++y)
        for (int x = 0; x < kSize; ++x) {
            const double r = std::hypot(x + 0.5 - cx, y + 0.5 - cy);
            double v = rng.uniform(0, 30);
            if (std::fabs(r - (ring ? radius : radius / 2)) <= (ring ? width / 2 : radius / 2)) v += bright;
            im.at(x, y, 0) = static_cast<std::uint8_t>(std::min(255.0, v));
        }
    return im;
}

// Records 0..n-1, alternately ring and disc unless `positives` says how many of them (the first) are rings.
struct Toy
{
    std::shared_ptr<DecodedCache> cache;
    std::vector<int> labels;
};

Toy makeToy(const QTemporaryDir& tmp, const QString& name, int n, int positives = -1)
{
    Toy toy;
    std::vector<CacheItem> items;
    for (int i = 0; i < n; ++i) {
        const bool ring = positives < 0 ? i % 2 == 0 : i < positives;
        toy.labels.push_back(ring ? 1 : 0);
        CacheItem item;
        item.key = "g" + std::to_string(i);
        item.load = [ring, i] { return drawGalaxy(ring, 1000 + i); };
        items.push_back(std::move(item));
    }
    CacheBuildOptions o;
    o.prepare = PrepareParams{kSize, kSize, 1, 1.0};
    o.threads = 2;
    const std::string path = tmp.filePath(name + ".rmcache").toStdString();
    buildDecodedCache(path, items, o);
    toy.cache = DecodedCache::open(path);
    return toy;
}

std::vector<std::size_t> range(std::size_t begin, std::size_t end)
{
    std::vector<std::size_t> v;
    for (std::size_t i = begin; i < end; ++i)
        v.push_back(i);
    return v;
}

TrainData toyData(const Toy& toy, std::size_t trainCount)
{
    TrainData d;
    d.source = toy.cache;
    d.labels = toy.labels;
    d.train = range(0, trainCount);
    d.val = range(trainCount, toy.labels.size());
    return d;
}

TrainConfig toyConfig(const std::string& arch)
{
    TrainConfig c;
    c.model.arch = arch;
    c.model.inChannels = 1;
    c.model.headDropout = 0.1;
    c.view.width = c.view.height = kSize;
    c.view.channels = 1;
    c.view.augment = true;
    c.epochs = 3;
    c.batchSize = 16;
    c.learningRate = 3e-3;
    c.minLearningRate = 1e-5;
    c.weightDecay = 0.01;
    c.warmupEpochs = 1;
    c.patience = 0;
    c.device = "cpu";
    c.loaderThreads = 2;
    c.embeddingViews = 0;
    c.seed = 7;
    return c;
}

std::string dirIn(const QTemporaryDir& tmp, const char* name)
{
    return tmp.filePath(name).toStdString();
}

// Every tensor of a safetensors file by name, as raw bytes (bitwise comparisons).
std::map<std::string, std::string> tensorBytes(const std::string& path, const std::string& prefix = "")
{
    SafetensorsFile f(path);
    std::map<std::string, std::string> out;
    for (const auto& t : f.tensors())
        if (t.name.rfind(prefix, 0) == 0)
            out[t.name.substr(prefix.size())] = std::string(reinterpret_cast<const char*>(f.data(t)),
                                                            static_cast<std::size_t>(t.end - t.begin));
    return out;
}

// The initial model state a Trainer with this config starts from (same seed, same draws).
std::map<std::string, std::string> initialState(const TrainConfig& c, const QTemporaryDir& tmp)
{
    torch::manual_seed(c.seed);
    auto model = createModel(c.model);
    const std::string path = tmp.filePath("initial.safetensors").toStdString();
    saveModel(*model, path);
    return tensorBytes(path);
}

// Checkpoint model keys are the module's ("encoder.x", "head.weight"); saveModel's are unprefixed/"head.*".
std::map<std::string, std::string> checkpointModel(const std::string& workDir)
{
    std::map<std::string, std::string> out;
    for (auto& [key, bytes] : tensorBytes(workDir + "/checkpoint.safetensors", "model."))
        out[key.rfind("encoder.", 0) == 0 ? key.substr(8) : key] = bytes;
    return out;
}

bool sameHistory(const std::vector<EpochEvent>& a, const std::vector<EpochEvent>& b)
{
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        auto same = [](double x, double y) { return (std::isnan(x) && std::isnan(y)) || x == y; };
        if (a[i].epoch != b[i].epoch || !same(a[i].trainLoss, b[i].trainLoss) ||
            !same(a[i].valLoss, b[i].valLoss) || !same(a[i].valAuc, b[i].valAuc) ||
            !same(a[i].learningRate, b[i].learningRate) || a[i].best != b[i].best)
            return false;
    }
    return true;
}

// A source whose chosen records fail to load (they are "available" but fetching throws), to check that
// such samples are dropped rather than trained on as black images.
class FlakySource : public RecordSource
{
public:
    FlakySource(std::shared_ptr<const RecordSource> inner, std::set<std::size_t> broken)
        : m_inner(std::move(inner)), m_broken(std::move(broken))
    {
    }
    std::size_t size() const override { return m_inner->size(); }
    int width() const override { return m_inner->width(); }
    int height() const override { return m_inner->height(); }
    int channels() const override { return m_inner->channels(); }
    bool available(std::size_t i) const override { return m_inner->available(i); }
    ImageView fetch(std::size_t i, Image& scratch) const override
    {
        if (m_broken.count(i)) throw Error("record " + std::to_string(i) + " is broken");
        return m_inner->fetch(i, scratch);
    }
    std::string key(std::size_t i) const override { return m_inner->key(i); }

private:
    std::shared_ptr<const RecordSource> m_inner;
    std::set<std::size_t> m_broken;
};

} // namespace

class TestTrainer : public QObject
{
    Q_OBJECT

    QTemporaryDir m_tmp;
    Toy m_toy; // 160 records: 112 train, 48 val

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_tmp.isValid());
        m_toy = makeToy(m_tmp, "toy", 160);
    }

    void learnsSeparableToy()
    {
        TrainConfig c = toyConfig("simple_cnn");
        c.epochs = 6;
        QElapsedTimer timer;
        timer.start();
        std::vector<StepEvent> steps;
        TrainCallbacks cb;
        cb.onStep = [&](const StepEvent& e) { steps.push_back(e); };
        Trainer trainer(c, toyData(m_toy, 112), dirIn(m_tmp, "learn"));
        const TrainResult r = trainer.run(cb);
        qInfo("learn: %.1f s, %.0f images/s, val AUC by epoch: %.3f .. %.3f, train loss %.3f -> %.3f",
              timer.elapsed() / 1000.0, r.trainImagesPerSecond, r.history.front().valAuc,
              r.history.back().valAuc, r.history.front().trainLoss, r.history.back().trainLoss);
        QCOMPARE(r.epochsRun, 6);
        QVERIFY(!r.cancelled && !r.stoppedEarly);
        QCOMPARE(r.device, std::string("cpu"));
        QCOMPARE(static_cast<int>(steps.size()), 6 * 7); // 112 / 16 steps per epoch
        QVERIFY(r.history.back().trainLoss < 0.7 * r.history.front().trainLoss);
        QVERIFY2(r.history[r.bestEpoch].valAuc > 0.9, std::to_string(r.history[r.bestEpoch].valAuc).c_str());
        QVERIFY(std::filesystem::exists(r.bestWeightsPath));
        QVERIFY(std::filesystem::exists(dirIn(m_tmp, "learn") + "/checkpoint.safetensors"));

        // predictScores on the best weights reproduces that epoch's validation AUC and loss.
        const TrainData d = toyData(m_toy, 112);
        ViewParams eval = c.view;
        const auto scores = predictScores(r.bestWeightsPath, *m_toy.cache, d.val, eval, c.batchSize, "cpu");
        QCOMPARE(scores.size(), d.val.size());
        std::vector<int> labels;
        for (std::size_t i : d.val)
            labels.push_back(m_toy.labels[i]);
        QCOMPARE(rocAuc(labels, scores), r.history[r.bestEpoch].valAuc);
        // The loss from the scores: BCE with the training split's class weight (balanced here: 1).
        double loss = 0;
        for (std::size_t i = 0; i < scores.size(); ++i)
            loss -= labels[i] ? std::log(double(scores[i])) : std::log(1.0 - scores[i]);
        QVERIFY(std::fabs(loss / scores.size() - r.history[r.bestEpoch].valLoss) < 1e-4);

        // Grad-CAM on the validation rings: the heat sits on the ring, not on the empty sky around it. The
        // ring is every pixel far above the noise (which stays below 30); the sky is what lies more than 4 px
        // from it.
        std::vector<std::size_t> rings;
        for (std::size_t i : d.val)
            if (m_toy.labels[i] == 1) rings.push_back(i);
        const std::vector<SaliencyMap> maps = saliencyMaps(r.bestWeightsPath, *m_toy.cache, rings, eval);
        QCOMPARE(maps.size(), rings.size());
        double onRing = 0, onSky = 0;
        for (std::size_t k = 0; k < rings.size(); ++k) {
            const SaliencyMap& m = maps[k];
            QCOMPARE(m.width, kSize);
            QVERIFY(std::fabs(m.score - scores[std::size_t(std::find(d.val.begin(), d.val.end(), rings[k]) -
                                                           d.val.begin())]) < 1e-5);
            const ImageView im = m_toy.cache->record(rings[k]);
            double ring = 0, sky = 0;
            int nRing = 0, nSky = 0;
            for (int y = 0; y < kSize; ++y)
                for (int x = 0; x < kSize; ++x) {
                    double nearest = 1e9;
                    for (int v = 0; v < kSize; ++v)
                        for (int u = 0; u < kSize; ++u)
                            if (im.data[v * kSize + u] > 100)
                                nearest = std::min(nearest, std::hypot(u - x, v - y));
                    const float h = m.heat[std::size_t(y) * kSize + x];
                    if (nearest <= 1) {
                        ring += h;
                        ++nRing;
                    } else if (nearest > 4) {
                        sky += h;
                        ++nSky;
                    }
                }
            onRing += ring / std::max(1, nRing);
            onSky += sky / std::max(1, nSky);
        }
        qInfo("Grad-CAM on %zu rings: mean heat %.3f on the ring, %.3f on the sky", rings.size(),
              onRing / rings.size(), onSky / rings.size());
        QVERIFY2(onRing > 2 * onSky, qPrintable(QString("ring %1, sky %2").arg(onRing).arg(onSky)));
    }

    void headOnlyKeepsEncoderBitIdentical_data()
    {
        QTest::addColumn<int>("views");
        QTest::newRow("encoder every step") << 0;
        QTest::newRow("embedding cache") << 2;
    }
    void headOnlyKeepsEncoderBitIdentical()
    {
        QFETCH(int, views);
        TrainConfig c = toyConfig("tiny_efficientnet");
        c.model.dropPathRate = 0.2;
        c.fineTune = FineTuneMode::HeadOnly;
        c.embeddingViews = views;
        c.epochs = 2;
        c.maxStepsPerEpoch = 3;
        const auto before = initialState(c, m_tmp);
        const std::string dir = dirIn(m_tmp, views ? "head_cached" : "head_full");
        Trainer(c, toyData(m_toy, 112), dir).run();
        const auto after = checkpointModel(dir);
        QCOMPARE(after.size(), before.size());
        int bn = 0;
        for (const auto& [key, bytes] : before) {
            QVERIFY2(after.count(key), key.c_str());
            if (key.rfind("head.", 0) == 0)
                QVERIFY2(after.at(key) != bytes, ("head did not train: " + key).c_str());
            else
                QVERIFY2(after.at(key) == bytes, ("frozen encoder tensor changed: " + key).c_str());
            bn += key.find("running_mean") != std::string::npos;
        }
        QVERIFY(bn > 0); // BatchNorm statistics were among the compared tensors
    }

    void allLayersChangesEncoder()
    {
        TrainConfig c = toyConfig("tiny_resnet_basic");
        c.epochs = 1;
        c.maxStepsPerEpoch = 3;
        const auto before = initialState(c, m_tmp);
        const std::string dir = dirIn(m_tmp, "all_layers");
        Trainer(c, toyData(m_toy, 112), dir).run();
        const auto after = checkpointModel(dir);
        int changed = 0, same = 0;
        for (const auto& [key, bytes] : before) {
            if (key.find("num_batches_tracked") != std::string::npos) continue;
            (after.at(key) != bytes ? changed : same) += 1;
            if (key.find("running_var") != std::string::npos || key == "conv1.weight")
                QVERIFY2(after.at(key) != bytes, key.c_str());
        }
        QCOMPARE(same, 0);
        QVERIFY(changed > 10);
    }

    void lastNBlocksChangesOnlyLastBlocks()
    {
        TrainConfig c = toyConfig("tiny_resnet_basic");
        c.fineTune = FineTuneMode::LastNBlocks;
        c.nBlocks = 2; // stages layer3 and layer4 (of stem, layer1..layer4)
        c.lrDecay = 0.5;
        c.epochs = 1;
        c.maxStepsPerEpoch = 3;
        const auto before = initialState(c, m_tmp);
        const std::string dir = dirIn(m_tmp, "last_n");
        Trainer(c, toyData(m_toy, 112), dir).run();
        const auto after = checkpointModel(dir);
        auto encoder = createModel(c.model)->encoder();
        const auto groups = encoder->blockGroups(BlockGranularity::Stage);
        QCOMPARE(groups.size(), std::size_t(5));
        int trainedChanged = 0;
        for (const auto& [key, bytes] : before) {
            if (key.rfind("head.", 0) == 0 || key.find("num_batches_tracked") != std::string::npos) continue;
            const int g = blockGroupOf(groups, key);
            QVERIFY2(g >= 0, key.c_str());
            if (g >= 3)
                trainedChanged += after.at(key) != bytes;
            else
                QVERIFY2(after.at(key) == bytes, ("frozen block changed: " + key).c_str());
        }
        QVERIFY(trainedChanged > 5);
    }

    void warmupThenCosine()
    {
        LrSchedule s(1e-3, 1e-5, 4, 20);
        QCOMPARE(s.at(0), 2.5e-4);
        QCOMPARE(s.at(1), 5e-4);
        QCOMPARE(s.at(3), 1e-3);
        QCOMPARE(s.at(4), 1e-3);                                             // cosine starts at the base rate
        QVERIFY(std::fabs(s.at(12) - (1e-5 + (1e-3 - 1e-5) * 0.5)) < 1e-15); // half way down
        QVERIFY(std::fabs(s.at(20) - 1e-5) < 1e-15);
        for (long i = 5; i < 20; ++i)
            QVERIFY(s.at(i) < s.at(i - 1));
        QCOMPARE(LrSchedule(1e-3, 1e-5, 0, 10).at(0), 1e-3); // no warm-up

        // The trainer sets exactly these rates per step (steps per epoch = 3 here).
        TrainConfig c = toyConfig("simple_cnn");
        c.fineTune = FineTuneMode::HeadOnly;
        c.embeddingViews = 1;
        c.epochs = 3;
        c.maxStepsPerEpoch = 3;
        std::vector<StepEvent> steps;
        TrainCallbacks cb;
        cb.onStep = [&](const StepEvent& e) { steps.push_back(e); };
        const TrainResult r = Trainer(c, toyData(m_toy, 112), dirIn(m_tmp, "schedule")).run(cb);
        QCOMPARE(steps.size(), std::size_t(9));
        const LrSchedule expected(c.learningRate, c.minLearningRate, 3, 9);
        for (const auto& e : steps) {
            QCOMPARE(e.stepsPerEpoch, 3);
            QCOMPARE(e.learningRate, expected.at(e.epoch * 3 + e.step));
        }
        QCOMPARE(r.history[2].learningRate, expected.at(8));
    }

    void classWeightsAndMaskedLoss()
    {
        // Loss: positives weigh pos_weight, masked samples count for nothing, smoothing moves the targets.
        const torch::Tensor logits = torch::tensor({2.0f, -1.0f, 0.5f, 9.0f});
        const torch::Tensor labels = torch::tensor({1.0f, 0.0f, 1.0f, 0.0f});
        const torch::Tensor mask = torch::tensor({1.0f, 1.0f, 1.0f, 0.0f});
        auto sp = [](double x) { return std::log1p(std::exp(-x)); }; // -log(sigmoid(x))
        const double expected = (3 * sp(2.0) + sp(1.0) + 3 * sp(0.5)) / 3;
        const double got = maskedBceLoss(logits, labels, mask, 3, LossOptions{3.0, 0.0}).item<double>();
        QVERIFY2(std::fabs(got - expected) < 1e-6,
                 (std::to_string(got) + " vs " + std::to_string(expected)).c_str());
        const torch::Tensor other = torch::tensor({2.0f, -1.0f, 0.5f, -30.0f});
        QCOMPARE(maskedBceLoss(other, labels, mask, 3, LossOptions{3.0, 0.0}).item<double>(), got);
        const double smooth = maskedBceLoss(logits.narrow(0, 0, 1), labels.narrow(0, 0, 1),
                                            mask.narrow(0, 0, 1), 1, LossOptions{1.0, 0.2})
                                  .item<double>();
        QVERIFY(std::fabs(smooth - (0.9 * sp(2.0) + 0.1 * sp(-2.0))) < 1e-6);

        // The trainer weighs positives by negatives / positives of the training split: 36 / 12 = 3.
        QTemporaryDir tmp;
        const Toy skewed = makeToy(tmp, "skewed", 64, 16);
        TrainData d;
        d.source = skewed.cache;
        d.labels = skewed.labels;
        for (std::size_t i = 0; i < 64; ++i)
            (i % 4 == 0 ? d.val : d.train).push_back(i);
        TrainConfig c = toyConfig("simple_cnn");
        c.fineTune = FineTuneMode::HeadOnly;
        c.embeddingViews = 1;
        c.epochs = 1;
        int posWeightRemarks = 0;
        TrainCallbacks cb;
        cb.log = [&](const std::string& m) {
            posWeightRemarks += m.find("positives weigh 3 ") != std::string::npos;
        };
        Trainer(c, d, tmp.filePath("w").toStdString()).run(cb);
        QCOMPARE(posWeightRemarks, 1);
        c.classWeights = false;
        posWeightRemarks = 0;
        Trainer(c, d, tmp.filePath("nw").toStdString()).run(cb);
        QCOMPARE(posWeightRemarks, 0);
    }

    void earlyStoppingKeepsBestWeights()
    {
        // Validation labels are the opposite of training's: the better the model learns, the worse its
        // validation loss, so the best epoch is an early one and patience runs out.
        TrainData d = toyData(m_toy, 112);
        for (std::size_t i : d.val)
            d.labels[i] = 1 - d.labels[i];
        TrainConfig c = toyConfig("simple_cnn");
        c.epochs = 12;
        c.patience = 2;
        const TrainResult r = Trainer(c, d, dirIn(m_tmp, "early")).run();
        QVERIFY(r.stoppedEarly);
        QCOMPARE(r.epochsRun, r.bestEpoch + 3);
        QVERIFY(r.epochsRun < 12);
        for (const auto& e : r.history)
            QVERIFY(e.valLoss >= r.bestValLoss);
        QVERIFY(r.history[r.bestEpoch].best);
        QCOMPARE(r.history[r.bestEpoch].valLoss, r.bestValLoss);
        // best.safetensors holds the best epoch's weights, not the last epoch's.
        const auto scores = predictScores(r.bestWeightsPath, *m_toy.cache, d.val, c.view, c.batchSize, "cpu");
        double loss = 0;
        for (std::size_t k = 0; k < d.val.size(); ++k)
            loss -= d.labels[d.val[k]] ? std::log(double(scores[k])) : std::log(1.0 - scores[k]);
        loss /= d.val.size();
        QVERIFY2(std::fabs(loss - r.bestValLoss) < 1e-4,
                 (std::to_string(loss) + " vs " + std::to_string(r.bestValLoss)).c_str());
        QVERIFY(std::fabs(loss - r.history.back().valLoss) > 1e-3);

        // Running the finished directory again gives the same result without training.
        const TrainResult again = Trainer(c, d, dirIn(m_tmp, "early")).run();
        QVERIFY(sameHistory(again.history, r.history));
        QCOMPARE(again.encoderImages, std::int64_t(0));
        QVERIFY(again.stoppedEarly);
    }

    void cancelStopsWithinOneStep()
    {
        TrainConfig c = toyConfig("simple_cnn");
        c.epochs = 3;
        bool cancel = false;
        int stepsAfterCancel = 0, stepsBefore = 0;
        TrainCallbacks cb;
        cb.onStep = [&](const StepEvent& e) {
            (cancel ? stepsAfterCancel : stepsBefore) += 1;
            if (e.epoch == 1 && e.step == 2) cancel = true;
        };
        cb.cancelled = [&] { return cancel; };
        const std::string dir = dirIn(m_tmp, "cancel");
        const TrainResult r = Trainer(c, toyData(m_toy, 112), dir).run(cb);
        QVERIFY(r.cancelled);
        QCOMPARE(r.epochsRun, 1); // epoch 0's checkpoint stays
        QCOMPARE(stepsBefore, 7 + 3);
        // Step events trail by one step (so a GPU never waits on a loss read-back): the step already queued
        // when the request came is reported, no further step starts.
        QVERIFY2(stepsAfterCancel <= 1, std::to_string(stepsAfterCancel).c_str());
        QCOMPARE(SafetensorsFile(dir + "/checkpoint.safetensors").metadata().count("ringminer.checkpoint"),
                 std::size_t(1));

        // The cancelled run resumes; stopAfterEpoch pauses it after the next epoch.
        TrainCallbacks pause;
        pause.stopAfterEpoch = [] { return true; };
        const TrainResult p = Trainer(c, toyData(m_toy, 112), dir).run(pause);
        QVERIFY(p.paused && !p.cancelled);
        QCOMPARE(p.epochsRun, 2);
    }

    void invalidSamplesAreDropped()
    {
        auto flaky = std::make_shared<FlakySource>(m_toy.cache, std::set<std::size_t>{3, 10, 120, 121});
        TrainData d = toyData(m_toy, 112);
        d.source = flaky;
        TrainConfig c = toyConfig("simple_cnn");
        c.epochs = 2;
        const TrainResult r = Trainer(c, d, dirIn(m_tmp, "flaky")).run();
        QCOMPARE(r.epochsRun, 2);
        for (const auto& e : r.history)
            QVERIFY(std::isfinite(e.trainLoss) && std::isfinite(e.valLoss));
        const auto scores = predictScores(r.bestWeightsPath, *flaky, d.val, c.view, 16, "cpu");
        for (std::size_t k = 0; k < d.val.size(); ++k)
            QCOMPARE(std::isnan(scores[k]), d.val[k] == 120 || d.val[k] == 121);
    }

    void rejectsBadDataAndForeignCheckpoints()
    {
        TrainConfig c = toyConfig("simple_cnn");
        TrainData d = toyData(m_toy, 112);
        d.labels[5] = -1;
        QVERIFY_THROWS_EXCEPTION(Error, Trainer(c, d, dirIn(m_tmp, "bad")));
        d = toyData(m_toy, 112);
        d.val.clear();
        QVERIFY_THROWS_EXCEPTION(Error, Trainer(c, d, dirIn(m_tmp, "bad")));
        // The "cancel" directory holds a 3-epoch simple_cnn checkpoint; another learning rate must not resume
        // it.
        c.learningRate = 1e-2;
        try {
            Trainer(c, toyData(m_toy, 112), dirIn(m_tmp, "cancel")).run();
            QFAIL("resumed a checkpoint of another configuration");
        } catch (const Error& e) {
            QVERIFY2(QString(e.what()).contains("learning_rate"), e.what());
        }
    }

    void headOnlyUsesEmbeddingCache()
    {
        TrainConfig c = toyConfig("tiny_efficientnet");
        c.fineTune = FineTuneMode::HeadOnly;
        c.embeddingViews = 3;
        c.epochs = 5;
        const TrainData d = toyData(m_toy, 112);
        const std::string dir = dirIn(m_tmp, "embed");
        bool cancel = false;
        TrainCallbacks cb;
        cb.onEpoch = [&](const EpochEvent& e) { cancel = e.epoch == 1; };
        cb.cancelled = [&] { return cancel; };
        const TrainResult first = Trainer(c, d, dir).run(cb);
        QVERIFY(first.cancelled);
        QCOMPARE(first.epochsRun, 2);
        // The encoder saw each training image once per view and each validation image once, not per epoch.
        QCOMPARE(first.encoderImages, std::int64_t(3 * 112 + 48));
        QVERIFY(!first.embeddingsFromDisk);
        QVERIFY(std::filesystem::exists(dir + "/embeddings.safetensors"));
        const TrainResult resumed = Trainer(c, d, dir).run();
        QCOMPARE(resumed.epochsRun, 5);
        QVERIFY(resumed.embeddingsFromDisk);
        QCOMPARE(resumed.encoderImages, std::int64_t(0));
        QVERIFY(resumed.history.back().valAuc > 0.5);

        // The same head-only run through the encoder every epoch does far more encoder work.
        c.embeddingViews = 0;
        const TrainResult full = Trainer(c, d, dirIn(m_tmp, "embed_full")).run();
        QCOMPARE(full.encoderImages, std::int64_t(5 * (112 + 48)));
        qInfo("head-only epoch: %.4f s from cached embeddings, %.4f s through the encoder",
              resumed.history.back().seconds, full.history.back().seconds);
        QVERIFY(resumed.history.back().seconds < full.history.back().seconds);
    }

    // Last: it sets LibTorch to one thread for exact CPU reproducibility.
    void resumeAfterKillMatchesUninterrupted()
    {
        TrainConfig c = toyConfig("tiny_efficientnet");
        c.model.dropPathRate = 0.1; // stochastic depth and dropout must replay exactly too
        c.model.headDropout = 0.3;
        c.epochs = 4;
        c.maxStepsPerEpoch = 3;
        c.torchThreads = 1;
        const TrainData d = toyData(m_toy, 112);
        const TrainResult whole = Trainer(c, d, dirIn(m_tmp, "whole")).run();
        QCOMPARE(whole.epochsRun, 4);

        const std::string dir = dirIn(m_tmp, "killed");
        bool cancel = false;
        TrainCallbacks cb;
        cb.onStep = [&](const StepEvent& e) { cancel = cancel || (e.epoch == 2 && e.step == 1); };
        cb.cancelled = [&] { return cancel; };
        const TrainResult part = Trainer(c, d, dir).run(cb);
        QVERIFY(part.cancelled);
        QCOMPARE(part.epochsRun, 2);
        const TrainResult rest = Trainer(c, d, dir).run();
        QCOMPARE(rest.epochsRun, 4);
        QVERIFY(sameHistory(rest.history, whole.history));
        QCOMPARE(rest.bestEpoch, whole.bestEpoch);
        const auto a = tensorBytes(dirIn(m_tmp, "whole") + "/checkpoint.safetensors");
        const auto b = tensorBytes(dir + "/checkpoint.safetensors");
        QCOMPARE(a.size(), b.size());
        int adam = 0;
        for (const auto& [key, bytes] : a) {
            QVERIFY2(b.count(key) && b.at(key) == bytes, ("differs after resume: " + key).c_str());
            adam += key.rfind("adamw.", 0) == 0;
        }
        QVERIFY(adam > 0);
        QVERIFY(tensorBytes(whole.bestWeightsPath) == tensorBytes(rest.bestWeightsPath));
    }
};

QTEST_GUILESS_MAIN(TestTrainer)
#include "test_trainer.moc"

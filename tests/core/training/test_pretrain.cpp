// Self-supervised pretraining (training/Pretrain.h): the NT-Xent loss against a value worked out by hand, a
// double-precision loop over the definition and PyTorch's own cross entropy (/usr/bin/python3), and a tiny
// SimCLR run on images drawn here: its encoder file loads strictly as a "pretrained" encoder, a run cancelled
// after an epoch and run again ends with exactly the uninterrupted run's weights, a checkpoint of other
// settings is refused, and the project's record of encoders keeps one entry per file.
#include "cache/MemoryRecordSource.h"
#include "models/Encoder.h"
#include "models/ModelRegistry.h"
#include "models/WeightsIO.h"
#include "store/ProjectStore.h"
#include "training/Pretrain.h"
#include "training/PretrainLoss.h"
#include "training/TensorFile.h"
#include "util/Error.h"
#include "util/Random.h"

#include <torch/torch.h>

// Qt after LibTorch: Qt's keyword macros clash with torch headers.
#include "TestData.h"

#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <filesystem>

using namespace rm;

namespace {

// The definition, term by term, in double precision.
double referenceNtXent(const torch::Tensor& z1, const torch::Tensor& z2, double t)
{
    const torch::Tensor z = torch::cat({z1, z2}).to(torch::kDouble);
    const std::int64_t m = z.size(0), n = m / 2, d = z.size(1);
    std::vector<std::vector<double>> u(m, std::vector<double>(d));
    for (std::int64_t i = 0; i < m; ++i) {
        double norm = 0;
        for (std::int64_t k = 0; k < d; ++k)
            norm += z[i][k].item<double>() * z[i][k].item<double>();
        for (std::int64_t k = 0; k < d; ++k)
            u[i][k] = z[i][k].item<double>() / std::sqrt(norm);
    }
    double total = 0;
    for (std::int64_t i = 0; i < m; ++i) {
        const std::int64_t positive = i < n ? i + n : i - n;
        double denominator = 0, numerator = 0;
        for (std::int64_t j = 0; j < m; ++j) {
            if (j == i) continue;
            double dot = 0;
            for (std::int64_t k = 0; k < d; ++k)
                dot += u[i][k] * u[j][k];
            denominator += std::exp(dot / t);
            if (j == positive) numerator = std::exp(dot / t);
        }
        total += -std::log(numerator / denominator);
    }
    return total / m;
}

// Random textured 16 px colour "galaxies" (a blob and a ring of random colour, size and place).
std::shared_ptr<MemoryRecordSource> drawImages(int count, int size = 16)
{
    std::vector<Image> images;
    for (int i = 0; i < count; ++i) {
        DeterministicRandom rng(1000 + i);
        Image im(size, size, 3);
        const double cx = size / 2.0 + rng.uniform(-2, 2), cy = size / 2.0 + rng.uniform(-2, 2);
        const double radius = rng.uniform(2, size / 3.0);
        const bool ring = i % 2 == 0;
        double colour[3] = {rng.uniform(80, 255), rng.uniform(80, 255), rng.uniform(80, 255)};
        for (int y = 0; y < size; ++y)
            for (int x = 0; x < size; ++x) {
                const double r = std::hypot(x + 0.5 - cx, y + 0.5 - cy);
                const bool on = ring ? std::fabs(r - radius) < 1.2 : r < radius;
                for (int c = 0; c < 3; ++c)
                    im.at(x, y, c) =
                        static_cast<std::uint8_t>(std::min(255.0, rng.uniform(0, 40) + (on ? colour[c] : 0)));
            }
        images.push_back(std::move(im));
    }
    return std::make_shared<MemoryRecordSource>(std::move(images));
}

PretrainConfig tinyConfig()
{
    PretrainConfig c;
    c.arch = "simple_cnn";
    c.imageSize = 16;
    c.epochs = 3;
    c.batchSize = 8;
    c.learningRate = 3e-3;
    c.hiddenDim = 32;
    c.projectionDim = 16;
    c.device = "cpu";
    c.torchThreads = 1;
    c.loaderThreads = 2;
    c.augmentation = pretrainAugmentation();
    return c;
}

std::vector<std::size_t> allRecords(const RecordSource& s)
{
    std::vector<std::size_t> r(s.size());
    for (std::size_t i = 0; i < r.size(); ++i)
        r[i] = i;
    return r;
}

} // namespace

class TestPretrain : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void ntXentByHand()
    {
        // Two images whose views agree exactly and are orthogonal to the other image's: each of the 4 views
        // sees its positive at cosine 1 and two negatives at cosine 0, so the loss is log(1 + 2 exp(-1/T)).
        const torch::Tensor z = torch::tensor({1.0f, 0.0f, 0.0f, 3.0f}).view({2, 2});
        for (double t : {0.2, 0.5, 1.0}) {
            const double loss = ntXentLoss(z, z * 2.0, t).item<double>();
            QVERIFY2(std::fabs(loss - std::log(1 + 2 * std::exp(-1 / t))) < 1e-6,
                     qPrintable(QString::number(loss)));
        }
        // Every view the same: the positive is one of 2N-1 equal candidates, log(2N - 1).
        const torch::Tensor same = torch::ones({3, 4});
        QVERIFY(std::fabs(ntXentLoss(same, same, 0.2).item<double>() - std::log(5.0)) < 1e-5);
    }

    void ntXentMatchesTheDefinition()
    {
        torch::manual_seed(7);
        const torch::Tensor z1 = torch::randn({5, 7}), z2 = torch::randn({5, 7});
        for (double t : {0.1, 0.2, 0.5}) {
            const double ours = ntXentLoss(z1, z2, t).item<double>();
            const double ref = referenceNtXent(z1, z2, t);
            QVERIFY2(std::fabs(ours - ref) < 1e-5 * std::max(1.0, ref),
                     qPrintable(QString("T %1: %2 vs %3").arg(t).arg(ours).arg(ref)));
        }
        // The gradient flows to both views.
        torch::Tensor a = z1.clone().requires_grad_(true), b = z2.clone().requires_grad_(true);
        ntXentLoss(a, b, 0.2).backward();
        QVERIFY(a.grad().abs().sum().item<double>() > 0 && b.grad().abs().sum().item<double>() > 0);
        QVERIFY_THROWS_EXCEPTION(Error, ntXentLoss(z1.narrow(0, 0, 1), z2.narrow(0, 0, 1), 0.2));
        QVERIFY_THROWS_EXCEPTION(Error, ntXentLoss(z1, z2.narrow(1, 0, 3), 0.2));
    }

    void ntXentMatchesPyTorch()
    {
        QProcess probe;
        probe.start("/usr/bin/python3", {"-c", "import torch"});
        if (!probe.waitForFinished(120000) || probe.exitCode() != 0) QSKIP("/usr/bin/python3 has no torch");
        QTemporaryDir dir;
        torch::manual_seed(11);
        const torch::Tensor z1 = torch::randn({6, 5}), z2 = torch::randn({6, 5});
        const std::string file = dir.filePath("z.safetensors").toStdString();
        writeTensorFile(file, {{"z1", z1}, {"z2", z2}});
        // SimCLR's reference formulation, written independently of ours: a [2N, 2N] similarity with the
        // diagonal removed, positives at i +- N, torch's cross entropy.
        const char* script = R"PY(
import json, struct, sys, torch
import torch.nn.functional as F
raw = open(sys.argv[1], 'rb').read()
n = struct.unpack('<Q', raw[:8])[0]
header = json.loads(raw[8:8 + n])
def load(key):
    h = header[key]; a, b = h['data_offsets']
    return torch.frombuffer(bytearray(raw[8 + n + a: 8 + n + b]), dtype=torch.float32).view(h['shape'])
z1, z2 = load('z1'), load('z2')
out = []
for t in (0.1, 0.2, 0.5):
    z = F.normalize(torch.cat([z1, z2]).double(), dim=1)
    m = z.shape[0]; half = m // 2
    sim = (z @ z.T) / t
    sim = sim[~torch.eye(m, dtype=torch.bool)].view(m, m - 1)
    target = torch.tensor([i + half - 1 if i < half else i - half for i in range(m)])
    out.append(F.cross_entropy(sim, target).item())
print(json.dumps(out))
)PY";
        QProcess py;
        py.start("/usr/bin/python3", {"-c", script, QString::fromStdString(file)});
        QVERIFY(py.waitForFinished(120000));
        QCOMPARE(py.exitCode(), 0);
        const QJsonArray values = QJsonDocument::fromJson(py.readAllStandardOutput()).array();
        QCOMPARE(values.size(), 3);
        int i = 0;
        for (double t : {0.1, 0.2, 0.5}) {
            const double ours = ntXentLoss(z1, z2, t).item<double>();
            const double theirs = values[i++].toDouble();
            QVERIFY2(std::fabs(ours - theirs) < 1e-5 * std::max(1.0, theirs),
                     qPrintable(QString("T %1: %2 vs torch %3").arg(t).arg(ours).arg(theirs)));
        }
    }

    void pretrainingResumesExactlyAndLoadsAsPretrained()
    {
        QTemporaryDir dir;
        const auto images = drawImages(40);
        const auto records = allRecords(*images);
        const PretrainConfig config = tinyConfig();
        const std::string whole = dir.filePath("whole.safetensors").toStdString();
        const PretrainResult a = runPretraining(config, images, records, whole, {{"name", "whole"}});
        QCOMPARE(a.epochsDone, 3);
        QCOMPARE(int(a.history.size()), 3);
        QVERIFY(!a.cancelled);
        QVERIFY(std::filesystem::exists(a.checkpointPath));
        // The contrastive task is learnt: the last epoch's loss is below the first's and below chance
        // (log(2N - 1) for N = 8).
        QVERIFY2(a.history.back().loss < a.history.front().loss,
                 qPrintable(QString("%1 -> %2").arg(a.history.front().loss).arg(a.history.back().loss)));
        QVERIFY(a.history.front().loss < std::log(15.0) + 0.5);

        // Interrupted during the second epoch, then run again.
        const std::string resumed = dir.filePath("resumed.safetensors").toStdString();
        PretrainCallbacks stop;
        int steps = 0;
        stop.cancelled = [&] { return ++steps > 7; }; // 5 steps an epoch: cancels in epoch 2
        const PretrainResult b1 = runPretraining(config, images, records, resumed, {{"name", "whole"}}, stop);
        QVERIFY(b1.cancelled);
        QCOMPARE(b1.epochsDone, 1);
        QVERIFY(!std::filesystem::exists(resumed));
        const PretrainResult b2 = runPretraining(config, images, records, resumed, {{"name", "whole"}});
        QCOMPARE(b2.resumedAfter, 1);
        QCOMPARE(b2.epochsDone, 3);
        const auto wa = readTensorFile(whole), wb = readTensorFile(resumed);
        QCOMPARE(wa.tensors.size(), wb.tensors.size());
        for (const auto& [key, t] : wa.tensors) {
            QVERIFY2(wb.tensors.count(key), key.c_str());
            QVERIFY2(torch::equal(t, wb.tensors.at(key)), ("differs after resuming: " + key).c_str());
        }
        QCOMPARE(b2.history.back().loss, a.history.back().loss);
        // A finished run run again changes nothing.
        const PretrainResult b3 = runPretraining(config, images, records, resumed, {{"name", "whole"}});
        QVERIFY(b3.alreadyFinished);

        // The file is an encoder in timm names with the metadata a "pretrained" needs: it loads strictly onto
        // a fresh simple_cnn, and nothing of the projection head is in it.
        QCOMPARE(QString::fromStdString(wa.metadata.at(kMetaArch)), QString("simple_cnn"));
        for (const auto& [key, t] : wa.tensors)
            QVERIFY2(key.rfind("projector", 0) != 0 && key.rfind("encoder.", 0) != 0, key.c_str());
        EncoderOptions eo;
        auto fresh = createEncoder("simple_cnn", eo);
        const LoadReport report = loadEncoderWeights(*fresh, whole, true);
        QVERIFY(report.missing.empty() && report.unexpected.empty());
        QVERIFY(torch::equal(stateDict(*fresh).at("conv1.weight"), wa.tensors.at("conv1.weight")));
        const auto made = nlohmann::json::parse(wa.metadata.at("ringminer.pretrain"));
        QCOMPARE(made.at("images").get<int>(), 40);
        QCOMPARE(made.at("history").size(), std::size_t(3));

        // Other settings on the same checkpoint are refused, naming the difference.
        PretrainConfig other = config;
        other.temperature = 0.5;
        std::filesystem::remove(resumed);
        try {
            runPretraining(other, images, records, resumed);
            QFAIL("a checkpoint of other settings was resumed");
        } catch (const Error& e) {
            QVERIFY2(QString(e.what()).contains("temperature"), e.what());
        }
    }

    void badSettingsAreRefused()
    {
        PretrainConfig c = tinyConfig();
        c.batchSize = 1;
        QVERIFY_THROWS_EXCEPTION(Error, validate(c));
        c = tinyConfig();
        c.temperature = 0;
        QVERIFY_THROWS_EXCEPTION(Error, validate(c));
        c = tinyConfig();
        c.arch = "no_such_net";
        QVERIFY_THROWS_EXCEPTION(Error, validate(c));
    }

    void projectKeepsOneRecordPerFile()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("p.rmproj").toStdString();
        auto store = ProjectStore::create(path);
        QVERIFY(pretrainedEncoders(*store).empty());
        recordPretrainedEncoder(*store, {{"name", "a"},
                                         {"path", "/x/a.safetensors"},
                                         {"arch", "simple_cnn"},
                                         {"in_chans", 3},
                                         {"image_size", 64},
                                         {"epochs", 5},
                                         {"loss", 1.5},
                                         {"images", 1377}});
        recordPretrainedEncoder(*store, {{"name", "b"}, {"path", "/x/b.safetensors"}, {"arch", "resnet18"}});
        recordPretrainedEncoder(
            *store, {{"name", "a2"}, {"path", "/x/a.safetensors"}, {"arch", "simple_cnn"}, {"epochs", 9}});
        const auto list = pretrainedEncoders(*store);
        QCOMPARE(int(list.size()), 2);
        QCOMPARE(QString::fromStdString(list[0].name), QString("b"));
        QCOMPARE(QString::fromStdString(list[1].name), QString("a2"));
        QCOMPARE(list[1].epochs, 9);
        QVERIFY_THROWS_EXCEPTION(Error, recordPretrainedEncoder(*store, {{"name", "nopath"}}));
    }

    void foldersAndCatalogsBecomeOneCache()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("p.rmproj").toStdString();
        auto store = ProjectStore::create(path);
        QVERIFY_THROWS_EXCEPTION(Error, preparePretrainImages(*store, {}, ImageShape{16, 16, 3}));
        QVERIFY_THROWS_EXCEPTION(
            Error,
            preparePretrainImages(*store, {{PretrainSource::Folder, dir.filePath("none").toStdString()}},
                                  ImageShape{16, 16, 3}));
        const std::string folder = rmtest::sharedData("images/gz2_kaggle_unlabelled");
        if (folder.empty()) QFAIL("../shared/data/images/gz2_kaggle_unlabelled is missing");
        // A folder of 30 of its JPEGs (and a file that is not an image, which is not listed).
        const QString sub = dir.filePath("few");
        QDir().mkpath(sub);
        int copied = 0;
        for (const auto& e : std::filesystem::directory_iterator(folder)) {
            const std::string ext = e.path().extension().string();
            if (ext != ".jpg" && ext != ".jpeg" && ext != ".png") continue;
            QVERIFY(QFile::copy(QString::fromStdString(e.path().string()),
                                sub + "/" + QString::fromStdString(e.path().filename().string())));
            if (++copied == 30) break;
        }
        QFile junk(sub + "/notes.txt");
        QVERIFY(junk.open(QIODevice::WriteOnly));
        junk.write("not an image");
        junk.close();
        const PretrainImages a = preparePretrainImages(*store, {{PretrainSource::Folder, sub.toStdString()}},
                                                       ImageShape{24, 24, 3});
        QVERIFY(a.cacheBuilt);
        QCOMPARE(a.sources.at(0).images, std::size_t(30));
        QCOMPARE(a.records.size(), std::size_t(30));
        QCOMPARE(a.source->width(), 24);
        const PretrainImages b = preparePretrainImages(*store, {{PretrainSource::Folder, sub.toStdString()}},
                                                       ImageShape{24, 24, 3});
        QVERIFY(!b.cacheBuilt); // found again
        QCOMPARE(QString::fromStdString(b.cachePath), QString::fromStdString(a.cachePath));
        QVERIFY_THROWS_EXCEPTION(Error, preparePretrainImages(*store, {{PretrainSource::Catalog, "nosuch"}},
                                                              ImageShape{24, 24, 3}));
    }
};

QTEST_GUILESS_MAIN(TestPretrain)
#include "test_pretrain.moc"

// Models: timm-exact names, shapes and parameter counts; the registry; safetensors round trips and clear load
// errors; fine-tuning modes (frozen weights and BatchNorm statistics) and layer-wise learning-rate decay.
// CPU only: full-size models are built for names and counts and run forward once at 64x64; everything that
// trains uses the tiny variants.
//
// LibTorch headers come before any Qt header: Qt's `slots` macro breaks them.
#include "models/EfficientNet.h"
#include "models/FineTune.h"
#include "models/ModelRegistry.h"
#include "models/ParityFill.h"
#include "models/RingClassifier.h"
#include "models/Safetensors.h"
#include "models/WeightsIO.h"
#include "util/Error.h"

#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>

#include "TestData.h"

#include <QtTest>

#include <map>
#include <set>

using namespace rm;

namespace {

std::int64_t countParameters(torch::nn::Module& m)
{
    std::int64_t n = 0;
    for (const auto& p : m.parameters())
        n += p.numel();
    return n;
}

std::vector<std::int64_t> shapeOf(const torch::Tensor& t)
{
    return {t.sizes().begin(), t.sizes().end()};
}

std::set<std::string> keysOf(torch::nn::Module& m)
{
    std::set<std::string> keys;
    for (const auto& [k, v] : stateDict(m))
        keys.insert(k);
    return keys;
}

void addBatchNorm(std::set<std::string>& keys, const std::string& prefix)
{
    for (const char* s : {".weight", ".bias", ".running_mean", ".running_var", ".num_batches_tracked"})
        keys.insert(prefix + s);
}

// timm's efficientnet_b0 (num_classes=0) state_dict keys, spelled out from timm's block definitions.
std::set<std::string> expectedEfficientNetB0Keys()
{
    std::set<std::string> keys{"conv_stem.weight", "conv_head.weight"};
    addBatchNorm(keys, "bn1");
    addBatchNorm(keys, "bn2");
    const int repeats[] = {1, 2, 2, 3, 3, 4, 1};
    for (int s = 0; s < 7; ++s)
        for (int b = 0; b < repeats[s]; ++b) {
            const std::string p = "blocks." + std::to_string(s) + "." + std::to_string(b) + ".";
            for (const char* se : {"se.conv_reduce.weight", "se.conv_reduce.bias", "se.conv_expand.weight",
                                   "se.conv_expand.bias"})
                keys.insert(p + se);
            if (s == 0) { // DepthwiseSeparableConv
                keys.insert(p + "conv_dw.weight");
                keys.insert(p + "conv_pw.weight");
                addBatchNorm(keys, p + "bn1");
                addBatchNorm(keys, p + "bn2");
            } else { // InvertedResidual
                keys.insert(p + "conv_pw.weight");
                keys.insert(p + "conv_dw.weight");
                keys.insert(p + "conv_pwl.weight");
                addBatchNorm(keys, p + "bn1");
                addBatchNorm(keys, p + "bn2");
                addBatchNorm(keys, p + "bn3");
            }
        }
    return keys;
}

// timm's resnet18 / resnet50 (num_classes=0) state_dict keys.
std::set<std::string> expectedResNetKeys(bool bottleneck, const std::vector<int>& layers)
{
    std::set<std::string> keys{"conv1.weight"};
    addBatchNorm(keys, "bn1");
    const int convs = bottleneck ? 3 : 2;
    for (int s = 0; s < 4; ++s)
        for (int b = 0; b < layers[static_cast<std::size_t>(s)]; ++b) {
            const std::string p = "layer" + std::to_string(s + 1) + "." + std::to_string(b) + ".";
            for (int c = 1; c <= convs; ++c) {
                keys.insert(p + "conv" + std::to_string(c) + ".weight");
                addBatchNorm(keys, p + "bn" + std::to_string(c));
            }
            // resnet18 layer1 keeps 64 channels at stride 1: no downsample; resnet50 layer1 goes 64 -> 256.
            if (b == 0 && (s > 0 || bottleneck)) {
                keys.insert(p + "downsample.0.weight");
                addBatchNorm(keys, p + "downsample.1");
            }
        }
    return keys;
}

std::map<std::string, torch::Tensor> snapshot(torch::nn::Module& m)
{
    std::map<std::string, torch::Tensor> s;
    for (const auto& [k, v] : stateDict(m))
        s.emplace(k, v.detach().clone());
    return s;
}

// Keys whose values differ from the snapshot.
std::set<std::string> changedKeys(torch::nn::Module& m, const std::map<std::string, torch::Tensor>& before)
{
    std::set<std::string> changed;
    for (const auto& [k, v] : stateDict(m))
        if (!torch::equal(v, before.at(k))) changed.insert(k);
    return changed;
}

// A few AdamW steps of binary cross-entropy on fixed random data.
void trainSteps(RingClassifier& model, int steps, double lr = 1e-2, double decay = 1.0)
{
    torch::manual_seed(7);
    const int c = model.options().inChannels;
    torch::Tensor x = torch::randn({4, c, 32, 32});
    torch::Tensor y = torch::tensor({1.f, 0.f, 1.f, 0.f});
    auto optimizer = makeAdamW(parameterGroups(model, lr, decay), 0.01);
    model.train();
    for (int i = 0; i < steps; ++i) {
        optimizer->zero_grad();
        torch::Tensor loss = torch::binary_cross_entropy_with_logits(model.forward(x), y);
        loss.backward();
        optimizer->step();
    }
}

bool startsWith(const std::string& s, const std::string& p)
{
    return s.rfind(p, 0) == 0;
}

} // namespace

class TestModels : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;
    std::map<std::string, std::shared_ptr<Encoder>> m_full; // full-size encoders, built once

    std::string path(const char* name) { return m_dir.filePath(name).toStdString(); }

    Encoder& full(const std::string& arch, int inChannels)
    {
        const std::string key = arch + "/" + std::to_string(inChannels);
        auto it = m_full.find(key);
        if (it == m_full.end()) {
            EncoderOptions o;
            o.inChannels = inChannels;
            it = m_full.emplace(key, createEncoder(arch, o)).first;
        }
        return *it->second;
    }

    std::shared_ptr<RingClassifier> tiny(const std::string& arch, int inChannels = 1,
                                         double headDropout = 0.0)
    {
        ModelOptions o;
        o.arch = arch;
        o.inChannels = inChannels;
        o.headDropout = headDropout;
        return createModel(o);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        torch::manual_seed(0);
        torch::set_num_threads(2);
    }

    void registryKnowsTheArchitectures()
    {
        const auto names = registeredModels();
        for (const char* n : {"efficientnet_b0", "resnet18", "resnet50", "simple_cnn"})
            QVERIFY2(std::find(names.begin(), names.end(), n) != names.end(), n);
        QVERIFY(std::find(names.begin(), names.end(), "tiny_efficientnet") == names.end());
        const auto all = registeredModels(true);
        for (const char* n : {"tiny_efficientnet", "tiny_resnet_basic", "tiny_resnet_bottleneck"})
            QVERIFY2(std::find(all.begin(), all.end(), n) != all.end(), n);
        QVERIFY(isRegisteredModel("resnet50"));

        try {
            createEncoder("convnext_nano", EncoderOptions{});
            QFAIL("unknown architecture accepted");
        } catch (const Error& e) {
            const QString what = e.what();
            QVERIFY2(what.contains("convnext_nano") && what.contains("efficientnet_b0"), e.what());
        }
        QVERIFY_THROWS_EXCEPTION(Error, registerModel("resnet18", [](const EncoderOptions& o) {
                                     return createEncoder("tiny_resnet_basic", o);
                                 }));
        // A new architecture is one builder away.
        registerModel(
            "test_registered_alias",
            [](const EncoderOptions& o) { return createEncoder("tiny_resnet_basic", o); }, ModelKind::Tiny);
        QCOMPARE(createEncoder("test_registered_alias", EncoderOptions{})->numFeatures(), std::int64_t(24));
    }

    void blockStringsDecodeLikeTimm()
    {
        auto d = decodeEfficientNetBlock("ir_r2_k5_s2_e6_c40_se0.25");
        QVERIFY(d.type == EfficientNetBlockDef::Type::InvertedResidual);
        QCOMPARE(d.repeats, 2);
        QCOMPARE(d.kernel, 5);
        QCOMPARE(d.stride, 2);
        QCOMPARE(d.expRatio, 6.0);
        QCOMPARE(d.outChannels, 40);
        QCOMPARE(d.seRatio, 0.25);
        auto ds = decodeEfficientNetBlock("ds_r1_k3_s1_e1_c16_se0.25_noskip");
        QVERIFY(ds.type == EfficientNetBlockDef::Type::DepthwiseSeparable);
        QVERIFY(ds.noSkip);
        for (const char* bad :
             {"er_r1_k3_s1_e1_c16", "ir_r1_k3_s1_e6", "ir_r1_k3_q2_c16", "ir_rx_k3_c16", ""})
            QVERIFY_THROWS_EXCEPTION(Error, decodeEfficientNetBlock(bad));
    }

    void parameterCountsMatchTimm_data()
    {
        QTest::addColumn<QString>("arch");
        QTest::addColumn<int>("inChannels");
        QTest::addColumn<qlonglong>("parameters");
        QTest::addColumn<int>("parameterTensors");
        QTest::addColumn<int>("stateKeys");
        // timm num_classes=0: efficientnet_b0 5,288,548 - classifier 1,281,000; resnet18 11,689,512 - fc
        // 513,000; resnet50 25,557,032 - fc 2,049,000. in_chans=1 drops 2*k*k*stem of the stem conv.
        QTest::newRow("efficientnet_b0 c3") << "efficientnet_b0" << 3 << 4007548LL << 211 << 358;
        QTest::newRow("efficientnet_b0 c1")
            << "efficientnet_b0" << 1 << (4007548LL - 2 * 9 * 32) << 211 << 358;
        QTest::newRow("resnet18 c3") << "resnet18" << 3 << 11176512LL << 60 << 120;
        QTest::newRow("resnet18 c1") << "resnet18" << 1 << (11176512LL - 2 * 49 * 64) << 60 << 120;
        QTest::newRow("resnet50 c3") << "resnet50" << 3 << 23508032LL << 159 << 318;
        QTest::newRow("resnet50 c1") << "resnet50" << 1 << (23508032LL - 2 * 49 * 64) << 159 << 318;
    }
    void parameterCountsMatchTimm()
    {
        QFETCH(QString, arch);
        QFETCH(int, inChannels);
        QFETCH(qlonglong, parameters);
        QFETCH(int, parameterTensors);
        QFETCH(int, stateKeys);
        Encoder& e = full(arch.toStdString(), inChannels);
        QCOMPARE(countParameters(e), static_cast<std::int64_t>(parameters));
        QCOMPARE(static_cast<int>(e.parameters().size()), parameterTensors);
        QCOMPARE(static_cast<int>(stateDict(e).size()), stateKeys);
        QCOMPARE(e.inChannels(), inChannels);
    }

    void stateKeysAreTimms_data()
    {
        QTest::addColumn<QString>("arch");
        QTest::newRow("efficientnet_b0") << "efficientnet_b0";
        QTest::newRow("resnet18") << "resnet18";
        QTest::newRow("resnet50") << "resnet50";
    }
    void stateKeysAreTimms()
    {
        QFETCH(QString, arch);
        const std::string a = arch.toStdString();
        const std::set<std::string> expected = a == "efficientnet_b0" ? expectedEfficientNetB0Keys()
                                               : a == "resnet18" ? expectedResNetKeys(false, {2, 2, 2, 2})
                                                                 : expectedResNetKeys(true, {3, 4, 6, 3});
        const std::set<std::string> actual = keysOf(full(a, 1));
        std::vector<std::string> extra, missing;
        std::set_difference(actual.begin(), actual.end(), expected.begin(), expected.end(),
                            std::back_inserter(extra));
        std::set_difference(expected.begin(), expected.end(), actual.begin(), actual.end(),
                            std::back_inserter(missing));
        QVERIFY2(extra.empty(), extra.empty() ? "" : ("unexpected key " + extra.front()).c_str());
        QVERIFY2(missing.empty(), missing.empty() ? "" : ("missing key " + missing.front()).c_str());
    }

    void spotKeysHaveTimmShapes_data()
    {
        QTest::addColumn<QString>("arch");
        QTest::addColumn<QString>("key");
        QTest::addColumn<QList<qlonglong>>("shape");
        using L = QList<qlonglong>;
        QTest::newRow("eff stem") << "efficientnet_b0"
                                  << "conv_stem.weight" << L{32, 1, 3, 3};
        QTest::newRow("eff ds dw") << "efficientnet_b0"
                                   << "blocks.0.0.conv_dw.weight" << L{32, 1, 3, 3};
        QTest::newRow("eff ds se reduce") << "efficientnet_b0"
                                          << "blocks.0.0.se.conv_reduce.weight" << L{8, 32, 1, 1};
        QTest::newRow("eff ds se bias") << "efficientnet_b0"
                                        << "blocks.0.0.se.conv_reduce.bias" << L{8};
        QTest::newRow("eff ds pw") << "efficientnet_b0"
                                   << "blocks.0.0.conv_pw.weight" << L{16, 32, 1, 1};
        QTest::newRow("eff ir pw") << "efficientnet_b0"
                                   << "blocks.1.0.conv_pw.weight" << L{96, 16, 1, 1};
        QTest::newRow("eff ir se") << "efficientnet_b0"
                                   << "blocks.1.0.se.conv_reduce.weight" << L{4, 96, 1, 1};
        QTest::newRow("eff ir pwl") << "efficientnet_b0"
                                    << "blocks.1.0.conv_pwl.weight" << L{24, 96, 1, 1};
        QTest::newRow("eff k5 dw") << "efficientnet_b0"
                                   << "blocks.5.3.conv_dw.weight" << L{1152, 1, 5, 5};
        QTest::newRow("eff last se") << "efficientnet_b0"
                                     << "blocks.6.0.se.conv_expand.weight" << L{1152, 48, 1, 1};
        QTest::newRow("eff bn3") << "efficientnet_b0"
                                 << "blocks.6.0.bn3.running_var" << L{320};
        QTest::newRow("eff head") << "efficientnet_b0"
                                  << "conv_head.weight" << L{1280, 320, 1, 1};
        QTest::newRow("eff bn2 count") << "efficientnet_b0"
                                       << "bn2.num_batches_tracked" << L{};
        QTest::newRow("r50 stem") << "resnet50"
                                  << "conv1.weight" << L{64, 1, 7, 7};
        QTest::newRow("r50 conv3") << "resnet50"
                                   << "layer4.2.conv3.weight" << L{2048, 512, 1, 1};
        QTest::newRow("r50 down") << "resnet50"
                                  << "layer2.0.downsample.1.running_var" << L{512};
        QTest::newRow("r50 down l1") << "resnet50"
                                     << "layer1.0.downsample.0.weight" << L{256, 64, 1, 1};
        QTest::newRow("r50 conv2") << "resnet50"
                                   << "layer3.5.conv2.weight" << L{256, 256, 3, 3};
        QTest::newRow("r18 down") << "resnet18"
                                  << "layer2.0.downsample.0.weight" << L{128, 64, 1, 1};
        QTest::newRow("r18 bn2") << "resnet18"
                                 << "layer4.1.bn2.weight" << L{512};
    }
    void spotKeysHaveTimmShapes()
    {
        QFETCH(QString, arch);
        QFETCH(QString, key);
        QFETCH(QList<qlonglong>, shape);
        const auto state = stateDict(full(arch.toStdString(), 1));
        auto it = state.find(key.toStdString());
        QVERIFY2(it != state.end(), qPrintable(key));
        QCOMPARE(shapeOf(it->second), std::vector<std::int64_t>(shape.begin(), shape.end()));
        if (key.endsWith("num_batches_tracked"))
            QVERIFY(it->second.scalar_type() == torch::kLong);
        else
            QVERIFY(it->second.scalar_type() == torch::kFloat);
    }

    void fullSizeForwardShapes_data()
    {
        QTest::addColumn<QString>("arch");
        QTest::addColumn<int>("inChannels");
        QTest::addColumn<int>("features");
        QTest::newRow("efficientnet_b0 c1") << "efficientnet_b0" << 1 << 1280;
        QTest::newRow("efficientnet_b0 c3") << "efficientnet_b0" << 3 << 1280;
        QTest::newRow("resnet18 c1") << "resnet18" << 1 << 512;
        QTest::newRow("resnet50 c1") << "resnet50" << 1 << 2048;
    }
    void fullSizeForwardShapes()
    {
        QFETCH(QString, arch);
        QFETCH(int, inChannels);
        QFETCH(int, features);
        Encoder& e = full(arch.toStdString(), inChannels);
        QCOMPARE(e.numFeatures(), std::int64_t(features));
        e.eval();
        torch::NoGradGuard noGrad;
        torch::Tensor f = e.features(torch::randn({1, inChannels, 64, 64}));
        QCOMPARE(shapeOf(f), (std::vector<std::int64_t>{1, features}));
        QVERIFY(torch::isfinite(f).all().item<bool>());
    }

    void tinyModelsRunForwardAndBackward_data()
    {
        QTest::addColumn<QString>("arch");
        QTest::addColumn<int>("inChannels");
        for (const char* a :
             {"tiny_efficientnet", "tiny_resnet_basic", "tiny_resnet_bottleneck", "simple_cnn"})
            for (int c : {1, 3})
                QTest::newRow(qPrintable(QString("%1 c%2").arg(a).arg(c))) << a << c;
    }
    void tinyModelsRunForwardAndBackward()
    {
        QFETCH(QString, arch);
        QFETCH(int, inChannels);
        auto model = tiny(arch.toStdString(), inChannels, 0.2);
        model->train();
        torch::Tensor logits = model->forward(torch::randn({2, inChannels, 64, 64}));
        QCOMPARE(shapeOf(logits), (std::vector<std::int64_t>{2}));
        logits.sum().backward();
        for (const auto& p : model->parameters())
            QVERIFY(p.grad().defined());
        model->eval();
        torch::NoGradGuard noGrad;
        QCOMPARE(shapeOf(model->features(torch::randn({3, inChannels, 40, 48}))),
                 (std::vector<std::int64_t>{3, model->numFeatures()}));
    }

    void simpleCnnIsThreeConvsAndOneFullyConnected()
    {
        auto model = tiny("simple_cnn", 1);
        int convs = 0, linears = 0;
        for (const auto& m : model->modules()) {
            convs += m->as<torch::nn::Conv2d>() != nullptr;
            linears += m->as<torch::nn::Linear>() != nullptr;
        }
        QCOMPARE(convs, 3);
        QCOMPARE(linears, 1);
        QCOMPARE(model->numFeatures(), std::int64_t(128));
        // convs (no bias: BN follows) + 3 BN (weight, bias) + Linear(128, 1)
        const std::int64_t expected = 32 * 1 * 9 + 64 * 32 * 9 + 128 * 64 * 9 + 2 * (32 + 64 + 128) + 129;
        QCOMPARE(countParameters(*model), expected);
    }

    void dropPathOnlyActsInTraining()
    {
        ModelOptions o;
        o.arch = "tiny_efficientnet";
        o.inChannels = 1;
        o.headDropout = 0.0;
        auto plain = createModel(o);
        o.dropPathRate = 0.5;
        auto dropping = createModel(o);
        parityFill(*plain);
        parityFill(*dropping);
        torch::Tensor x = parityInput(2, 1, 32, 32);
        torch::NoGradGuard noGrad;
        plain->eval();
        dropping->eval();
        QVERIFY(torch::equal(plain->forward(x), dropping->forward(x)));
        // In training (batch statistics in both), only the dropped residual branches tell them apart.
        plain->train();
        dropping->train();
        QVERIFY(torch::allclose(plain->forward(x), plain->forward(x)));
        torch::manual_seed(3);
        bool differs = false;
        for (int i = 0; i < 5 && !differs; ++i)
            differs = !torch::allclose(plain->forward(x), dropping->forward(x));
        QVERIFY(differs);
    }

    void saveLoadRoundTripIsExact_data()
    {
        QTest::addColumn<QString>("arch");
        QTest::newRow("tiny_efficientnet") << "tiny_efficientnet";
        QTest::newRow("tiny_resnet_bottleneck") << "tiny_resnet_bottleneck";
        QTest::newRow("simple_cnn") << "simple_cnn";
    }
    void saveLoadRoundTripIsExact()
    {
        QFETCH(QString, arch);
        auto model = tiny(arch.toStdString(), 3, 0.3);
        trainSteps(*model, 2); // moves weights, running stats and num_batches_tracked away from the init
        const std::string file = path("roundtrip.safetensors");
        saveModel(*model, file, {{"run", "unit-test"}});

        SafetensorsFile st(file);
        QCOMPARE(st.metadata().at(kMetaArch), arch.toStdString());
        QCOMPARE(st.metadata().at(kMetaInChannels), std::string("3"));
        QCOMPARE(st.metadata().at("run"), std::string("unit-test"));
        QVERIFY(st.find("head.weight") && st.find("head.bias"));
        QVERIFY(!st.find("encoder.bn1.weight")); // encoder keys are stored unprefixed
        QCOMPARE(st.tensors().size(), stateDict(*model->encoder()).size() + 2);

        auto loaded = loadModel(file);
        QCOMPARE(loaded->options().arch, arch.toStdString());
        QCOMPARE(loaded->options().headDropout, 0.3);
        model->eval();
        loaded->eval();
        torch::NoGradGuard noGrad;
        torch::Tensor x = torch::randn({2, 3, 48, 48});
        QVERIFY(torch::equal(model->forward(x), loaded->forward(x)));
        QVERIFY(changedKeys(*loaded, snapshot(*model)).empty());
    }

    void encoderLoadsFromAZoobotStyleFile()
    {
        // A timm-saved encoder with a leftover classifier, stored in float16 as some exports are.
        auto source = tiny("tiny_efficientnet", 1);
        parityFill(*source->encoder());
        std::vector<torch::Tensor> keep;
        std::vector<TensorToWrite> tensors;
        for (const auto& [key, t] : stateDict(*source->encoder())) {
            keep.push_back(t.scalar_type() == torch::kFloat ? t.to(torch::kHalf).contiguous()
                                                            : t.contiguous());
            tensors.push_back(
                {key, shapeOf(keep.back()),
                 keep.back().scalar_type() == torch::kHalf ? TensorDType::F16 : TensorDType::I64,
                 keep.back().data_ptr()});
        }
        std::vector<float> classifier(32 * 3, 0.5f);
        tensors.push_back({"classifier.weight", {3, 32}, TensorDType::F32, classifier.data()});
        tensors.push_back({"classifier.bias", {3}, TensorDType::F32, classifier.data()});
        const std::string file = path("zoobot_like.safetensors");
        writeSafetensors(file, tensors, {{"format", "pt"}});

        auto target = tiny("tiny_efficientnet", 1);
        LoadReport report = loadEncoderWeights(*target->encoder(), file, /*strict=*/true);
        QCOMPARE(report.loaded.size(), stateDict(*target->encoder()).size());
        QCOMPARE(report.ignored.size(), std::size_t(2));
        QVERIFY(report.missing.empty() && report.unexpected.empty());
        QVERIFY2(QString::fromStdString(report.summary()).contains("classifier.weight"),
                 report.summary().c_str());
        const auto want = stateDict(*source->encoder());
        for (const auto& [key, t] : stateDict(*target->encoder())) {
            QVERIFY(t.scalar_type() == want.at(key).scalar_type());
            QVERIFY2(torch::allclose(t, want.at(key).to(torch::kHalf).to(t.scalar_type())), key.c_str());
        }
        QVERIFY_THROWS_EXCEPTION(InputError, loadModel(file)); // no RingMiner metadata: not a full model
    }

    void badWeightFilesGiveClearErrors()
    {
        auto model = tiny("tiny_resnet_basic", 1);
        auto state = stateDict(*model->encoder());
        auto write = [&](const char* name, const std::map<std::string, torch::Tensor>& tensors) {
            std::vector<TensorToWrite> out;
            for (const auto& [k, t] : tensors)
                out.push_back({k, shapeOf(t),
                               t.scalar_type() == torch::kLong ? TensorDType::I64 : TensorDType::F32,
                               t.data_ptr()});
            writeSafetensors(path(name), out);
            return path(name);
        };
        auto expectError = [&](const std::string& file, bool strict, std::vector<QString> mustMention) {
            try {
                loadEncoderWeights(*model->encoder(), file, strict);
                QFAIL("bad file accepted");
            } catch (const InputError& e) {
                for (const auto& m : mustMention)
                    QVERIFY2(QString(e.what()).contains(m), e.what());
            }
        };
        const auto before = snapshot(*model);

        auto wrongShape = state;
        wrongShape["layer2.0.conv1.weight"] = torch::zeros({16, 8, 5, 5});
        expectError(write("shape.safetensors", wrongShape), false,
                    {"layer2.0.conv1.weight", "[16, 8, 5, 5]", "[16, 8, 3, 3]", "shape.safetensors"});

        auto missing = state;
        missing.erase("layer3.0.bn1.running_mean");
        const std::string missingFile = write("missing.safetensors", missing);
        expectError(missingFile, true, {"missing", "layer3.0.bn1.running_mean"});
        QVERIFY(changedKeys(*model, before).empty()); // a failed load changes nothing
        LoadReport lenient = loadEncoderWeights(*model->encoder(), missingFile, /*strict=*/false);
        QCOMPARE(lenient.missing, std::vector<std::string>{"layer3.0.bn1.running_mean"});

        auto extra = state;
        extra["layer9.weight"] = torch::zeros({2});
        expectError(write("extra.safetensors", extra), true, {"unexpected", "layer9.weight"});

        expectError(write("unrelated.safetensors", {{"something.else", torch::zeros({2})}}), false,
                    {"no tensor", "bn1.weight"});

        // A resnet file is not an efficientnet.
        auto other = tiny("tiny_efficientnet", 1);
        saveModel(*other, path("other.safetensors"));
        try {
            loadModelWeights(*model, path("other.safetensors"));
            QFAIL("wrong architecture accepted");
        } catch (const InputError& e) {
            QVERIFY2(QString(e.what()).contains("tiny_efficientnet"), e.what());
        }
        QVERIFY_THROWS_EXCEPTION(InputError,
                                 loadEncoderWeights(*model->encoder(), path("absent.safetensors")));
    }

    void headOnlyFreezesEncoderAndBatchNormStatistics()
    {
        auto model = tiny("tiny_efficientnet", 1, 0.2);
        setFineTuneMode(*model, FineTuneMode::HeadOnly);
        for (const auto& p : model->encoder()->parameters())
            QVERIFY(!p.requires_grad());
        model->train();
        QVERIFY(model->is_training());
        for (const auto& m : model->encoder()->modules(false))
            if (m->as<torch::nn::BatchNorm2d>()) QVERIFY(!m->is_training());
        const auto before = snapshot(*model);
        trainSteps(*model, 3);
        const auto changed = changedKeys(*model, before);
        QCOMPARE(changed, (std::set<std::string>{"head.weight", "head.bias"}));
    }

    void allLayersTrainsEverything()
    {
        auto model = tiny("tiny_efficientnet", 1);
        setFineTuneMode(*model, FineTuneMode::HeadOnly);
        setFineTuneMode(*model, FineTuneMode::AllLayers); // and back
        const auto before = snapshot(*model);
        trainSteps(*model, 3);
        const auto changed = changedKeys(*model, before);
        for (const char* k : {"head.weight", "encoder.conv_stem.weight", "encoder.bn1.running_mean",
                              "encoder.bn1.num_batches_tracked", "encoder.blocks.2.1.conv_pwl.weight",
                              "encoder.bn2.running_var"})
            QVERIFY2(changed.count(k), k);
    }

    void lastNBlocksUnfreezesExactlyThoseBlocks_data()
    {
        QTest::addColumn<QString>("arch");
        QTest::addColumn<int>("n");
        QTest::addColumn<bool>("stages");
        QTest::addColumn<QStringList>("trainable"); // encoder prefixes
        QTest::newRow("eff 2 blocks")
            << "tiny_efficientnet" << 2 << false << QStringList{"blocks.2.1.", "conv_head.", "bn2."};
        QTest::newRow("eff 2 stages")
            << "tiny_efficientnet" << 2 << true << QStringList{"blocks.2.", "conv_head.", "bn2."};
        QTest::newRow("resnet 1 block") << "tiny_resnet_basic" << 1 << false << QStringList{"layer4.1."};
        QTest::newRow("resnet 2 stages")
            << "tiny_resnet_bottleneck" << 2 << true << QStringList{"layer3.", "layer4."};
        QTest::newRow("simple_cnn 1") << "simple_cnn" << 1 << false << QStringList{"conv3.", "bn3."};
        QTest::newRow("none") << "tiny_resnet_basic" << 0 << false << QStringList{};
    }
    void lastNBlocksUnfreezesExactlyThoseBlocks()
    {
        QFETCH(QString, arch);
        QFETCH(int, n);
        QFETCH(bool, stages);
        QFETCH(QStringList, trainable);
        auto model = tiny(arch.toStdString(), 1);
        setFineTuneMode(*model, FineTuneMode::LastNBlocks, n,
                        stages ? BlockGranularity::Stage : BlockGranularity::Block);
        auto isTrainable = [&](const std::string& key) {
            for (const auto& p : trainable)
                if (startsWith(key, p.toStdString())) return true;
            return false;
        };
        int trainableCount = 0;
        for (const auto& item : model->encoder()->named_parameters()) {
            QVERIFY2(item.value().requires_grad() == isTrainable(item.key()), item.key().c_str());
            trainableCount += item.value().requires_grad();
        }
        QCOMPARE(trainableCount > 0, n > 0);
        for (const auto& p : model->head()->parameters())
            QVERIFY(p.requires_grad());

        // Frozen blocks keep their BatchNorm statistics; trainable ones update theirs.
        const auto before = snapshot(*model->encoder());
        trainSteps(*model, 1);
        for (const auto& key : changedKeys(*model->encoder(), before))
            QVERIFY2(isTrainable(key), key.c_str());
        for (const auto& item : model->encoder()->named_buffers())
            if (isTrainable(item.key()) && item.key().find("running_mean") != std::string::npos)
                QVERIFY2(!torch::equal(item.value(), before.at(item.key())), item.key().c_str());

        QVERIFY_THROWS_EXCEPTION(Error, setFineTuneMode(*model, FineTuneMode::LastNBlocks, 99));
        QVERIFY_THROWS_EXCEPTION(Error, setFineTuneMode(*model, FineTuneMode::LastNBlocks, -1));
    }

    void blockGroupsCoverEveryParameterOnce()
    {
        for (const auto& arch : registeredModels(true)) {
            std::shared_ptr<Encoder> e;
            if (startsWith(arch, "tiny_") || arch == "simple_cnn" || startsWith(arch, "test_"))
                e = createEncoder(arch, EncoderOptions{});
            Encoder& enc = e ? *e : full(arch, 1);
            for (auto g : {BlockGranularity::Block, BlockGranularity::Stage}) {
                const auto groups = enc.blockGroups(g);
                for (const auto& [key, t] : stateDict(enc)) {
                    int hits = 0;
                    for (const auto& group : groups)
                        hits += blockGroupOf({group}, key) == 0;
                    QVERIFY2(hits == 1, (arch + ": " + key).c_str());
                }
            }
        }
        QCOMPARE(full("efficientnet_b0", 1).blockGroups(BlockGranularity::Block).size(), std::size_t(18));
        QCOMPARE(full("efficientnet_b0", 1).blockGroups(BlockGranularity::Stage).size(), std::size_t(9));
        QCOMPARE(full("resnet50", 1).blockGroups(BlockGranularity::Block).size(), std::size_t(17));
        QCOMPARE(full("resnet50", 1).blockGroups(BlockGranularity::Stage).size(), std::size_t(5));
    }

    void layerwiseLearningRateDecay()
    {
        auto model = tiny("tiny_efficientnet", 1);
        setFineTuneMode(*model, FineTuneMode::AllLayers);
        const auto groups = parameterGroups(*model, 1e-3, 0.5);
        const auto blocks = model->encoder()->blockGroups(BlockGranularity::Block);
        QCOMPARE(groups.size(), blocks.size() + 1);
        QCOMPARE(groups.front().label, std::string("head"));
        QCOMPARE(groups[1].label, std::string("conv_head"));
        QCOMPARE(groups.back().label, std::string("stem"));
        std::size_t params = 0;
        for (std::size_t i = 0; i < groups.size(); ++i) {
            params += groups[i].params.size();
            // Zoobot: the head and the top encoder block at the base rate, then decay per block.
            const double expected = 1e-3 * std::pow(0.5, i == 0 ? 0 : static_cast<int>(i) - 1);
            QVERIFY2(std::abs(groups[i].lr - expected) < 1e-15, groups[i].label.c_str());
            if (i > 0) QVERIFY(groups[i].lr <= groups[i - 1].lr);
        }
        QCOMPARE(params, model->parameters().size());

        setFineTuneMode(*model, FineTuneMode::LastNBlocks, 2);
        const auto top = parameterGroups(*model, 1e-3, 0.5);
        QCOMPARE(top.size(), std::size_t(3));
        QCOMPARE(top[2].label, std::string("blocks.2.1"));
        QCOMPARE(top[2].lr, 0.5e-3);
        auto adamw = makeAdamW(top, 0.05);
        QCOMPARE(adamw->param_groups().size(), std::size_t(3));
        QCOMPARE(static_cast<torch::optim::AdamWOptions&>(adamw->param_groups()[2].options()).lr(), 0.5e-3);

        setFineTuneMode(*model, FineTuneMode::HeadOnly);
        QCOMPARE(parameterGroups(*model, 1e-3, 0.5).size(), std::size_t(1));
    }
};

QTEST_APPLESS_MAIN(TestModels)
#include "test_models.moc"

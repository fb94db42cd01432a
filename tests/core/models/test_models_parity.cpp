// Parity with timm: the same deterministic weights (core/models/ParityFill.h) in timm and in our LibTorch
// models must give the same pooled features. The timm side is tests/data/parity/<arch>_c<C>.json, written by
// scripts/timm_parity.py on a machine with PyTorch + timm. Without those files the comparisons are skipped,
// unless RINGMINER_REQUIRE_PARITY=1, which makes a missing file a failure.
//
// featuresMatchTimmOnDevice repeats the comparison on CUDA (RINGMINER_PARITY_DEVICE, default cuda; skipped
// without a CUDA device) in float64, float32 (TF32 off) and float32 weights under bf16 autocast, the way
// training runs there. RINGMINER_PARITY_DEVICE=cpu takes its float64/float32 rows on the CPU (a rehearsal).
//
// LibTorch headers come before any Qt header: Qt's `slots` macro breaks them.
#include "models/Encoder.h"
#include "models/ModelRegistry.h"
#include "models/ParityFill.h"
#include "models/WeightsIO.h"
#include "training/Device.h"

#include <ATen/Context.h>
#include <torch/cuda.h>

#include "TestData.h"

#include <QtTest>

#include <cmath>

using namespace rm;

namespace {

// RINGMINER_PARITY_DIR, else <source>/tests/data/parity.
QString parityDir()
{
    const QByteArray dir = qgetenv("RINGMINER_PARITY_DIR");
    if (!dir.isEmpty()) return QString::fromLocal8Bit(dir);
    const QByteArray source = qgetenv("RINGMINER_SOURCE_DIR");
    const QDir root = source.isEmpty() ? QFileInfo(QStringLiteral(__FILE__)).dir().filePath("../..")
                                       : QDir(QString::fromLocal8Bit(source));
    return QDir::cleanPath(root.filePath("tests/data/parity"));
}

// Agreement to 1e-4, relative for values above 1 in magnitude.
bool close(double actual, double expected)
{
    return std::abs(actual - expected) <= 1e-4 * std::max(1.0, std::abs(expected));
}

// The reference file of a case; empty with `why` set when it is missing (a skip, or a failure when
// RINGMINER_REQUIRE_PARITY=1).
QString referenceFile(const QString& arch, int inChannels, QString& why)
{
    const QString file = QDir(parityDir()).filePath(QString("%1_c%2.json").arg(arch).arg(inChannels));
    if (QFileInfo::exists(file)) return file;
    why = QString("%1 is missing: generate the timm reference outputs with `python3 scripts/timm_parity.py` "
                  "(needs torch + timm; see tests/data/parity/README.md)")
              .arg(file);
    return {};
}

bool parityRequired()
{
    return qgetenv("RINGMINER_REQUIRE_PARITY") == "1";
}

QString describe(const char* what, int index, double actual, double expected)
{
    return QString("%1[%2]: ours %3, timm %4")
        .arg(what)
        .arg(index)
        .arg(actual, 0, 'g', 9)
        .arg(expected, 0, 'g', 9);
}

} // namespace

class TestModelsParity : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { torch::set_num_threads(2); }

    void fillFormulaIsStable()
    {
        // Pinned values of the formula, so an edit to one side shows up here and not as a model mismatch.
        // parityHash values, computed independently from the formula's definition.
        QCOMPARE(parityHash(0, 0), std::uint64_t(441747112));
        QCOMPARE(parityHash(5, 3), std::uint64_t(109054998));
        QCOMPARE(parityHash(123456789, 300), std::uint64_t(3239446479u));
        auto t = [](std::uint64_t i, std::uint64_t k) {
            return double(parityHash(i, k)) / 2147483648.0 - 1.0;
        };
        QCOMPARE(parityValue("layer1.0.bn1.num_batches_tracked", {}, 3, 0), 0.0);
        QCOMPARE(parityValue("bn1.running_var", {8}, 2, 1), 1.0 + 0.25 * std::abs(t(1, 2)));
        QCOMPARE(parityValue("bn1.running_mean", {8}, 2, 1), 0.1 * t(1, 2));
        QCOMPARE(parityValue("bn1.weight", {8}, 0, 5), 1.0 + 0.1 * t(5, 0));
        QCOMPARE(parityValue("se.conv_reduce.bias", {8}, 4, 2), 0.1 * t(2, 4));
        QCOMPARE(parityValue("conv.weight", {4, 2, 3, 3}, 1, 7), std::sqrt(6.0 / 18) * t(7, 1));
        torch::Tensor x = parityInput(1, 2, 3, 4);
        QCOMPARE(x[0][1][2][3].item<float>(), static_cast<float>(std::sin(0.37 * 23)));
    }

    // The fill must make the comparison meaningful: features neither vanishing nor exploding, strongly
    // dependent on the input (so the whole network is exercised, not just the last BatchNorm's bias), and
    // amplifying rounding by a bounded factor: float32 vs float64 features within 1e-3 means the gain is
    // below ~1.6e4 float32 epsilons, i.e. below ~2e-12 for the float64 comparison with timm.
    // (resnet50 is left out for time; measured: max|f32-f64| 5e-4 on features up to 2.2, the worst of the
    // four.)
    void filledModelsAreWellConditioned_data()
    {
        QTest::addColumn<QString>("arch");
        QTest::addColumn<int>("inChannels");
        QTest::newRow("efficientnet_b0 c1") << "efficientnet_b0" << 1;
        QTest::newRow("efficientnet_b0 c3") << "efficientnet_b0" << 3;
        QTest::newRow("resnet18 c1") << "resnet18" << 1;
    }
    void filledModelsAreWellConditioned()
    {
        QFETCH(QString, arch);
        QFETCH(int, inChannels);
        EncoderOptions o;
        o.inChannels = inChannels;
        torch::Tensor x = parityInput(2, inChannels, 96, 96);
        torch::Tensor nudge = 0.01 * x.flip({-1});
        auto run = [&](torch::ScalarType dtype) {
            auto encoder = createEncoder(arch.toStdString(), o);
            parityFill(*encoder);
            encoder->to(dtype);
            parityCalibrateBatchNorm(*encoder, x.to(dtype));
            torch::NoGradGuard noGrad;
            return std::make_pair(encoder->features(x.to(dtype)).to(torch::kDouble),
                                  encoder->features((x + nudge).to(dtype)).to(torch::kDouble));
        };
        const auto [f64, nudged] = run(torch::kDouble);
        const torch::Tensor f32 = run(torch::kFloat).first;
        const double norm = f64.norm().item<double>(), largest = f64.abs().max().item<double>();
        const double spread = f64.std().item<double>();
        const double sensitivity = (nudged - f64).norm().item<double>() / norm;
        const double rounding = (f32 - f64).abs().max().item<double>();
        qInfo("%s c%d: |f| %.4g, max %.4g, std %.4g, a 1%% input change moves f by %.3g, max|f32-f64| %.3g",
              qPrintable(arch), inChannels, norm, largest, spread, sensitivity, rounding);
        QVERIFY(std::isfinite(norm));
        QVERIFY(spread > 1e-2 && largest < 1e3);
        QVERIFY(sensitivity > 1e-2);
        QVERIFY(rounding < 1e-3 * std::max(1.0, largest));
    }

    void featuresMatchTimm_data()
    {
        QTest::addColumn<QString>("arch");
        QTest::addColumn<int>("inChannels");
        QTest::newRow("efficientnet_b0 c1") << "efficientnet_b0" << 1;
        QTest::newRow("efficientnet_b0 c3") << "efficientnet_b0" << 3;
        QTest::newRow("resnet18 c1") << "resnet18" << 1;
        QTest::newRow("resnet50 c1") << "resnet50" << 1;
    }
    void featuresMatchTimm()
    {
        QFETCH(QString, arch);
        QFETCH(int, inChannels);
        QString why;
        const QString file = referenceFile(arch, inChannels, why);
        if (file.isEmpty()) {
            if (parityRequired()) QFAIL(qPrintable(why + " [RINGMINER_REQUIRE_PARITY=1]"));
            QSKIP(qPrintable(why));
        }
        QFile f(file);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QJsonParseError err;
        const QJsonObject ref = QJsonDocument::fromJson(f.readAll(), &err).object();
        QVERIFY2(err.error == QJsonParseError::NoError, qPrintable(err.errorString()));
        QCOMPARE(ref["arch"].toString(), arch);
        const QString source = ref["timm_version"].toString();
        if (source.startsWith("torchvision-standin") && parityRequired())
            QFAIL(qPrintable(file + " comes from the torchvision stand-in, not timm"));
        QCOMPARE(ref["in_chans"].toInt(), inChannels);

        EncoderOptions o;
        o.inChannels = inChannels;
        auto encoder = createEncoder(arch.toStdString(), o);

        // 1. Names, shapes and dtypes: exactly timm's state_dict.
        const auto state = stateDict(*encoder);
        const QJsonArray refState = ref["state"].toArray();
        std::vector<std::string> refKeys;
        for (const auto& v : refState) {
            const QJsonObject e = v.toObject();
            const std::string key = e["key"].toString().toStdString();
            refKeys.push_back(key);
            auto it = state.find(key);
            QVERIFY2(it != state.end(), qPrintable("timm has '" + e["key"].toString() + "', we do not"));
            std::vector<std::int64_t> shape;
            for (const auto& d : e["shape"].toArray())
                shape.push_back(d.toInteger());
            QVERIFY2(std::vector<std::int64_t>(it->second.sizes().begin(), it->second.sizes().end()) == shape,
                     qPrintable("shape of " + e["key"].toString()));
            const bool isLong = it->second.scalar_type() == torch::kLong;
            QCOMPARE(isLong ? QString("int64") : QString("float32"), e["dtype"].toString());
        }
        QCOMPARE(state.size(), refKeys.size());
        std::int64_t params = 0;
        for (const auto& p : encoder->parameters())
            params += p.numel();
        QCOMPARE(params, static_cast<std::int64_t>(ref["num_parameters"].toInteger()));

        // 2. The fill: a formula mismatch is reported as such, not as an architecture mismatch. (Float32
        //    values; a last-ulp difference in a sine may round differently, hence the tiny tolerance.)
        parityFill(*encoder);
        const QJsonObject probes = ref["fill_probe"].toObject();
        for (auto it = probes.begin(); it != probes.end(); ++it) {
            torch::Tensor t = state.at(it.key().toStdString()).reshape({-1}).to(torch::kDouble);
            const QJsonArray values = it.value().toArray();
            for (int i = 0; i < values.size(); ++i)
                QVERIFY2(std::abs(t[i].item<double>() - values[i].toDouble()) <=
                             1e-6 * std::abs(values[i].toDouble()) + 1e-12,
                         qPrintable(describe(qPrintable("fill " + it.key()), i, t[i].item<double>(),
                                             values[i].toDouble())));
        }

        // 3. In float64 (see ParityFill.h): BatchNorm statistics calibrated on the input, then the features.
        const QJsonArray shape = ref["input_shape"].toArray();
        torch::Tensor x = parityInput(shape[0].toInteger(), shape[1].toInteger(), shape[2].toInteger(),
                                      shape[3].toInteger())
                              .to(torch::kDouble);
        encoder->to(torch::kDouble);
        parityCalibrateBatchNorm(*encoder, x);
        const auto calibratedState = stateDict(*encoder);
        const QJsonObject calibrated = ref["calibrated_probe"].toObject();
        for (auto it = calibrated.begin(); it != calibrated.end(); ++it) {
            torch::Tensor t = calibratedState.at(it.key().toStdString()).reshape({-1});
            const QJsonArray values = it.value().toArray();
            for (int i = 0; i < values.size(); ++i)
                QVERIFY2(close(t[i].item<double>(), values[i].toDouble()),
                         qPrintable(describe(qPrintable("calibrated " + it.key()), i, t[i].item<double>(),
                                             values[i].toDouble())));
        }
        torch::NoGradGuard noGrad;
        torch::Tensor features = encoder->features(x).to(torch::kDouble).reshape({-1});
        const QJsonObject feats = ref["features"].toObject();
        QCOMPARE(features.numel(), static_cast<std::int64_t>(feats["count"].toInteger()));
        const QJsonArray first = feats["first"].toArray();
        for (int i = 0; i < first.size(); ++i)
            QVERIFY2(close(features[i].item<double>(), first[i].toDouble()),
                     qPrintable(describe("features", i, features[i].item<double>(), first[i].toDouble())));
        const QJsonArray strided = feats["strided"].toArray();
        const int step = feats["strided_step"].toInt();
        for (int i = 0; i < strided.size(); ++i) {
            const double ours = features[static_cast<std::int64_t>(i) * step].item<double>();
            QVERIFY2(close(ours, strided[i].toDouble()),
                     qPrintable(describe("features", i * step, ours, strided[i].toDouble())));
        }
        double worst = 0;
        for (int i = 0; i < first.size(); ++i)
            worst = std::max(worst, std::abs(features[i].item<double>() - first[i].toDouble()));
        qInfo("%s c%d vs %s (%s): max |difference| over the first %d features %.3g", qPrintable(arch),
              inChannels, qPrintable(source), qPrintable(ref["precision"].toString()), int(first.size()),
              worst);
        const double sum = features.sum().item<double>(), l2 = features.norm().item<double>();
        QVERIFY2(close(sum, feats["sum"].toDouble()),
                 qPrintable(describe("sum", 0, sum, feats["sum"].toDouble())));
        QVERIFY2(close(l2, feats["l2"].toDouble()),
                 qPrintable(describe("l2", 0, l2, feats["l2"].toDouble())));
    }

    // The same comparison on the GPU. float64 must agree as on the CPU (1e-4). float32 (TF32 off) is held to
    // the bound the conditioning test above measures for float32 rounding on these networks, 1e-3 relative
    // above 1 (on the CPU: 1.5e-5 to 2e-5, and 5.4e-4 for resnet50, whose calibrated random weights amplify
    // rounding most); the max |difference| is printed against the 1e-4 target. bf16 autocast (the training
    // path: float32 weights, bf16 convolutions) amplifies its 8-bit rounding the same way: timm under CPU
    // bf16 autocast lands at a relative L2 error of 0.06 (resnet18) to 0.42 (resnet50) from float64, so the
    // bound, 0.6, only says the features still follow the input; the printed figure is the measurement.
    void featuresMatchTimmOnDevice_data()
    {
        QTest::addColumn<QString>("arch");
        QTest::addColumn<int>("inChannels");
        QTest::addColumn<QString>("precision");
        for (const char* precision : {"float64", "float32", "bf16"}) {
            QTest::newRow(qPrintable(QString("efficientnet_b0 c1 ") + precision))
                << "efficientnet_b0" << 1 << precision;
            QTest::newRow(qPrintable(QString("efficientnet_b0 c3 ") + precision))
                << "efficientnet_b0" << 3 << precision;
            QTest::newRow(qPrintable(QString("resnet18 c1 ") + precision)) << "resnet18" << 1 << precision;
            QTest::newRow(qPrintable(QString("resnet50 c1 ") + precision)) << "resnet50" << 1 << precision;
        }
    }
    void featuresMatchTimmOnDevice()
    {
        QFETCH(QString, arch);
        QFETCH(int, inChannels);
        QFETCH(QString, precision);
        const QByteArray deviceName = qEnvironmentVariableIsSet("RINGMINER_PARITY_DEVICE")
                                          ? qgetenv("RINGMINER_PARITY_DEVICE")
                                          : QByteArray("cuda");
        const bool cuda = deviceName.startsWith("cuda");
        if (cuda && !torch::cuda::is_available())
            QSKIP("no CUDA device here (RINGMINER_PARITY_DEVICE=cpu rehearses the float64/float32 rows on "
                  "the CPU)");
        if (!cuda && precision == "bf16") QSKIP("bf16 autocast is the CUDA training path");
        if (!cuda && qgetenv("RINGMINER_PARITY_DEVICE") != "cpu")
            QSKIP("RINGMINER_PARITY_DEVICE is neither cuda[:N] nor cpu");
        QString why;
        const QString file = referenceFile(arch, inChannels, why);
        if (file.isEmpty()) {
            if (parityRequired()) QFAIL(qPrintable(why + " [RINGMINER_REQUIRE_PARITY=1]"));
            QSKIP(qPrintable(why));
        }
        QFile f(file);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QJsonObject ref = QJsonDocument::fromJson(f.readAll()).object();
        QCOMPARE(ref["arch"].toString(), arch);

        const torch::Device device(deviceName.toStdString());
        const bool f64 = precision == "float64", bf16 = precision == "bf16";
        const torch::ScalarType dtype = f64 ? torch::kDouble : torch::kFloat;
        at::globalContext().setAllowTF32CuDNN(false);
        at::globalContext().setAllowTF32CuBLAS(false);
        EncoderOptions o;
        o.inChannels = inChannels;
        auto encoder = createEncoder(arch.toStdString(), o);
        parityFill(*encoder);
        encoder->to(device, dtype);
        const QJsonArray shape = ref["input_shape"].toArray();
        const torch::Tensor x = parityInput(shape[0].toInteger(), shape[1].toInteger(), shape[2].toInteger(),
                                            shape[3].toInteger())
                                    .to(device, dtype);
        torch::Tensor features;
        {
            AutocastScope autocast(bf16);
            parityCalibrateBatchNorm(*encoder, x);
            torch::NoGradGuard noGrad;
            features = encoder->features(x).to(torch::kCPU, torch::kDouble).reshape({-1});
        }
        const QJsonObject feats = ref["features"].toObject();
        QCOMPARE(features.numel(), static_cast<std::int64_t>(feats["count"].toInteger()));
        std::vector<std::pair<std::int64_t, double>> expected;
        const QJsonArray first = feats["first"].toArray(), strided = feats["strided"].toArray();
        for (int i = 0; i < first.size(); ++i)
            expected.emplace_back(i, first[i].toDouble());
        for (int i = 0; i < strided.size(); ++i)
            expected.emplace_back(static_cast<std::int64_t>(i) * feats["strided_step"].toInt(),
                                  strided[i].toDouble());
        double worst = 0, worstRelative = 0, diff2 = 0, ref2 = 0;
        for (const auto& [index, value] : expected) {
            const double d = std::abs(features[index].item<double>() - value);
            worst = std::max(worst, d);
            worstRelative = std::max(worstRelative, d / std::max(1.0, std::abs(value)));
            diff2 += d * d;
            ref2 += value * value;
        }
        const double relativeL2 = std::sqrt(diff2 / ref2);
        qInfo("%s c%d on %s, %s: max |difference| %.3g (relative above 1: %.3g), relative L2 %.3g over %d "
              "features",
              qPrintable(arch), inChannels, deviceName.constData(), qPrintable(precision), worst,
              worstRelative, relativeL2, int(expected.size()));
        if (bf16)
            QVERIFY2(relativeL2 <= 0.6, qPrintable(QString("relative L2 error %1").arg(relativeL2)));
        else
            QVERIFY2(worstRelative <= (f64 ? 1e-4 : 1e-3),
                     qPrintable(QString("max |difference| %1 (relative %2)").arg(worst).arg(worstRelative)));
    }
};

QTEST_APPLESS_MAIN(TestModelsParity)
#include "test_models_parity.moc"

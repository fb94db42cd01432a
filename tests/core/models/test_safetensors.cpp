// safetensors: round trips in every float dtype, byte layout as the format defines it, and malformed files
// rejected with clear errors (never a crash or an out-of-bounds read).
#include "TestData.h"

#include "models/Safetensors.h"
#include "util/Error.h"

#include <QtTest>

#include <cmath>
#include <cstring>
#include <fstream>

using namespace rm;

static void writeRaw(const std::string& path, const std::string& header, const std::string& data,
                     std::int64_t lenOverride = -1)
{
    std::ofstream f(path, std::ios::binary);
    std::uint64_t len = lenOverride >= 0 ? static_cast<std::uint64_t>(lenOverride) : header.size();
    for (int i = 0; i < 8; ++i)
        f.put(static_cast<char>(len >> (8 * i)));
    f << header << data;
}

class TestSafetensors : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;
    std::string path(const char* name) { return m_dir.filePath(name).toStdString(); }

private Q_SLOTS:
    void roundTripAllFloatTypes()
    {
        std::vector<float> w(2 * 3 * 4);
        for (std::size_t i = 0; i < w.size(); ++i)
            w[i] = std::sin(0.37f * i) * (i % 5 == 0 ? 1000.f : 1.f);
        std::vector<std::uint16_t> bf(w.size()), hf(w.size());
        for (std::size_t i = 0; i < w.size(); ++i) {
            bf[i] = floatToBfloat16(w[i]);
            hf[i] = floatToHalf(w[i]);
        }
        std::int64_t step = 42;
        writeSafetensors(path("rt.safetensors"),
                         {{"conv_stem.weight", {2, 3, 4}, TensorDType::F32, w.data()},
                          {"bn1.num_batches_tracked", {}, TensorDType::I64, &step},
                          {"blocks.0.bf16", {2, 3, 4}, TensorDType::BF16, bf.data()},
                          {"blocks.0.f16", {24}, TensorDType::F16, hf.data()},
                          {"empty", {0, 5}, TensorDType::F32, nullptr}},
                         {{"format", "pt"}, {"arch", "efficientnet_b0"}});
        SafetensorsFile f(path("rt.safetensors"));
        QCOMPARE(f.tensors().size(), std::size_t(5));
        QCOMPARE(f.metadata().at("arch"), std::string("efficientnet_b0"));
        QVERIFY(f.toFloat(f.at("conv_stem.weight")) == w);
        QCOMPARE(f.at("conv_stem.weight").shape, (std::vector<std::int64_t>{2, 3, 4}));
        QCOMPARE(f.toFloat(f.at("bn1.num_batches_tracked")).at(0), 42.f);
        QCOMPARE(f.at("empty").numel(), std::int64_t(0));
        auto b = f.toFloat(f.at("blocks.0.bf16"));
        auto h = f.toFloat(f.at("blocks.0.f16"));
        for (std::size_t i = 0; i < w.size(); ++i) {
            QVERIFY2(std::fabs(b[i] - w[i]) <= std::fabs(w[i]) * (1.f / 256) + 1e-30f,
                     qPrintable(QString::number(i)));
            QVERIFY2(std::fabs(h[i] - w[i]) <= std::fabs(w[i]) * (1.f / 2048) + 1e-7f,
                     qPrintable(QString::number(i)));
        }
        QVERIFY_THROWS_EXCEPTION(InputError, f.at("missing"));
        QVERIFY(!QFileInfo::exists(m_dir.filePath("rt.safetensors.part")));
    }

    void halfAndBfloatConversionsAreExact()
    {
        QCOMPARE(halfToFloat(0x3C00), 1.0f);
        QCOMPARE(halfToFloat(0xC000), -2.0f);
        QCOMPARE(halfToFloat(0x7BFF), 65504.0f);
        QCOMPARE(halfToFloat(0x0001), std::ldexp(1.0f, -24)); // smallest subnormal
        QVERIFY(std::isinf(halfToFloat(0x7C00)));
        QVERIFY(std::isnan(halfToFloat(0x7E00)));
        QCOMPARE(floatToHalf(1.0f), std::uint16_t(0x3C00));
        QCOMPARE(floatToHalf(65504.0f), std::uint16_t(0x7BFF));
        QCOMPARE(floatToHalf(1e6f), std::uint16_t(0x7C00));
        QCOMPARE(floatToHalf(std::ldexp(1.0f, -24)), std::uint16_t(0x0001));
        for (std::uint32_t h = 0; h < 0x7C00; ++h) // every finite positive half survives the round trip
            QCOMPARE(floatToHalf(halfToFloat(static_cast<std::uint16_t>(h))), static_cast<std::uint16_t>(h));
        QCOMPARE(bfloat16ToFloat(0x3F80), 1.0f);
        QCOMPARE(floatToBfloat16(1.0f), std::uint16_t(0x3F80));
        QCOMPARE(floatToBfloat16(1.00390625f), std::uint16_t(0x3F80)); // tie rounds to even
        QCOMPARE(floatToBfloat16(1.01171875f), std::uint16_t(0x3F82));
    }

    void readsTheDocumentedLayout()
    {
        // Built byte by byte as the format specifies, independent of our writer.
        float v[2] = {1.5f, -2.25f};
        std::string data(reinterpret_cast<const char*>(v), 8);
        writeRaw(path("spec.safetensors"),
                 R"({"__metadata__":{"k":"v"},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})", data);
        SafetensorsFile f(path("spec.safetensors"));
        QCOMPARE(f.toFloat(f.at("a")), (std::vector<float>{1.5f, -2.25f}));
    }

    void malformedFiles_data()
    {
        QTest::addColumn<QByteArray>("header");
        QTest::addColumn<int>("dataBytes");
        QTest::addColumn<qint64>("lenOverride");
        QTest::addColumn<QString>("expect");
        QTest::newRow("tiny") << QByteArray() << 0 << qint64(-2) << "shorter than";
        QTest::newRow("huge header length") << QByteArray("{}") << 0 << qint64(1) << "";
        QTest::newRow("header past end") << QByteArray("{}") << 0 << qint64(4096) << "past the end";
        QTest::newRow("absurd header length") << QByteArray("{}") << 0 << qint64(1LL << 40) << "implausible";
        QTest::newRow("not json") << QByteArray("{\"a\": [1,") << 0 << qint64(-1) << "not valid JSON";
        QTest::newRow("not object") << QByteArray("[1,2]") << 0 << qint64(-1) << "not a JSON object";
        QTest::newRow("bad dtype") << QByteArray(R"({"a":{"dtype":"F8","shape":[1],"data_offsets":[0,1]}})")
                                   << 1 << qint64(-1) << "unsupported dtype";
        QTest::newRow("offsets past data")
            << QByteArray(R"({"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}})") << 8 << qint64(-1)
            << "truncated";
        QTest::newRow("size mismatch")
            << QByteArray(R"({"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})") << 8 << qint64(-1)
            << "needs 12";
        QTest::newRow("negative dim")
            << QByteArray(R"({"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}})") << 4 << qint64(-1)
            << "negative";
        QTest::newRow("reversed offsets")
            << QByteArray(R"({"a":{"dtype":"F32","shape":[0],"data_offsets":[8,0]}})") << 8 << qint64(-1)
            << "end before";
        QTest::newRow("overlap") << QByteArray(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                                               R"("b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})")
                                 << 12 << qint64(-1) << "overlaps";
        QTest::newRow("missing fields")
            << QByteArray(R"({"a":{"dtype":"F32"}})") << 0 << qint64(-1) << "needs dtype";
        QTest::newRow("overflowing shape")
            << QByteArray(
                   R"({"a":{"dtype":"F32","shape":[1099511627776,1099511627776],"data_offsets":[0,4]}})")
            << 4 << qint64(-1) << "implausibly large";
    }

    void malformedFiles()
    {
        QFETCH(QByteArray, header);
        QFETCH(int, dataBytes);
        QFETCH(qint64, lenOverride);
        QFETCH(QString, expect);
        const std::string p = path("bad.safetensors");
        if (lenOverride == -2) {
            std::ofstream(p, std::ios::binary) << "abc";
        } else {
            writeRaw(p, header.toStdString(), std::string(static_cast<std::size_t>(dataBytes), '\0'),
                     lenOverride);
        }
        try {
            SafetensorsFile f(p);
            QFAIL("a malformed file was accepted");
        } catch (const InputError& e) {
            QVERIFY2(QString(e.what()).contains(QString::fromStdString(p)), e.what());
            QVERIFY2(QString(e.what()).contains(expect), e.what());
        }
    }

    void truncatedRealFile()
    {
        std::vector<float> w(1000, 0.5f);
        writeSafetensors(path("full.safetensors"), {{"w", {1000}, TensorDType::F32, w.data()}});
        std::ifstream in(path("full.safetensors"), std::ios::binary);
        std::string bytes((std::istreambuf_iterator<char>(in)), {});
        for (std::size_t cut : {bytes.size() - 1, bytes.size() / 2, std::size_t(40), std::size_t(9)}) {
            std::ofstream(path("cut.safetensors"), std::ios::binary) << bytes.substr(0, cut);
            QVERIFY_THROWS_EXCEPTION(InputError, SafetensorsFile(path("cut.safetensors")));
        }
    }
};

QTEST_APPLESS_MAIN(TestSafetensors)
#include "test_safetensors.moc"

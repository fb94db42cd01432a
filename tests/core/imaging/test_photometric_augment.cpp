// Photometric augmentation (colour jitter, greyscale, blur): each step does what torchvision's does, the
// draws are seeded, the geometry is untouched by adding them, and the JSON keys parse, refuse bad values and
// stay out of configs that do not use them.
#include "imaging/Augment.h"
#include "imaging/PhotometricAugment.h"
#include "training/TrainConfig.h"
#include "util/Error.h"

#include <QtTest>

#include <cmath>
#include <numeric>

using namespace rm;

namespace {

Image gradient(int w, int h)
{
    Image im(w, h, 3);
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x) {
            im.at(x, y, 0) = static_cast<std::uint8_t>(40 + (x * 3) % 120);
            im.at(x, y, 1) = static_cast<std::uint8_t>(30 + (y * 5) % 100);
            im.at(x, y, 2) = static_cast<std::uint8_t>(20 + ((x + y) * 2) % 90);
        }
    return im;
}

std::vector<float> render(const Image& src, const ViewParams& view, std::uint64_t seed, std::uint64_t index)
{
    std::vector<float> out(std::size_t(view.channels) * view.width * view.height);
    renderView(ImageView(src), view, seed, 0, index, out.data());
    return out;
}

AugmentParams only()
{
    AugmentParams a;
    a.jitterProbability = 0;
    return a;
}

} // namespace

class TestPhotometricAugment : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void offByDefaultAndStrongTurnsItOn()
    {
        QVERIFY(!hasPhotometric(AugmentParams{}));
        const AugmentParams strong = strongAugmentation(AugmentParams{});
        QVERIFY(hasPhotometric(strong));
        QCOMPARE(strong.brightness, 0.4);
        QCOMPARE(strong.grayscaleProbability, 0.0);
        QCOMPARE(strong.cropScaleMin, AugmentParams{}.cropScaleMin); // geometry kept
    }

    void brightnessScalesTheGeometricViewByOneFactor()
    {
        // Same seed with and without jitter: the geometry is drawn from its own seed, so the jittered view is
        // the plain view times one factor in [0.6, 1.4] (nothing reaches 1 here, so nothing clamps).
        const Image src = gradient(48, 48);
        ViewParams view;
        view.width = view.height = 32;
        view.augment = true;
        const auto plain = render(src, view, 5, 3);
        view.augmentation.brightness = 0.4;
        view.augmentation.jitterProbability = 1;
        bool changed = false;
        for (std::uint64_t index = 3; index < 6; ++index) {
            ViewParams off = view;
            off.augmentation = AugmentParams{};
            const auto geometric = render(src, off, 5, index);
            const auto jittered = render(src, view, 5, index);
            double factor = -1;
            for (std::size_t i = 0; i < geometric.size(); ++i) {
                if (geometric[i] < 0.05f) continue;
                const double f = jittered[i] / geometric[i];
                if (factor < 0) factor = f;
                QVERIFY2(std::fabs(f - factor) < 1e-4,
                         qPrintable(QString("pixel %1: %2 vs %3").arg(i).arg(f).arg(factor)));
            }
            QVERIFY(factor >= 0.6 - 1e-6 && factor <= 1.4 + 1e-6);
            changed |= std::fabs(factor - 1) > 1e-3;
        }
        QVERIFY(changed);
        QCOMPARE(render(src, view, 5, 3), render(src, view, 5, 3)); // seeded
        QVERIFY(render(src, view, 5, 3) != render(src, view, 6, 3));
        QVERIFY(plain != render(src, view, 5, 3));
    }

    void normalisationComesAfterTheColourSteps()
    {
        const Image src = gradient(32, 32);
        ViewParams view;
        view.width = view.height = 32;
        view.augment = true;
        view.augmentation = strongAugmentation(AugmentParams{});
        const auto raw = render(src, view, 9, 1);
        view.normalisation = {{0.5f, 0.4f, 0.3f}, {0.2f, 0.25f, 0.5f}};
        const auto normalised = render(src, view, 9, 1);
        const std::size_t plane = 32 * 32;
        for (std::size_t i = 0; i < raw.size(); ++i) {
            const int c = int(i / plane);
            QVERIFY(std::fabs(normalised[i] -
                              (raw[i] - view.normalisation.mean[c]) / view.normalisation.std[c]) < 1e-5f);
        }
    }

    void greyscaleIsItu601Luma()
    {
        std::vector<float> px = {0.9f, 0.1f, 0.5f, 0.2f, 0.3f, 0.8f}; // 2 pixels, planar R, G, B
        AugmentParams a = only();
        a.grayscaleProbability = 1;
        applyPhotometric(px.data(), 3, 2, 1, a, 1);
        const float g0 = 0.299f * 0.9f + 0.587f * 0.5f + 0.114f * 0.3f;
        const float g1 = 0.299f * 0.1f + 0.587f * 0.2f + 0.114f * 0.8f;
        for (int c = 0; c < 3; ++c) {
            QVERIFY(std::fabs(px[c * 2] - g0) < 1e-6f);
            QVERIFY(std::fabs(px[c * 2 + 1] - g1) < 1e-6f);
        }
    }

    void contrastAndSaturationKeepTheGrey()
    {
        // Contrast keeps the mean grey; saturation keeps each pixel's grey (both away from clamping).
        const int w = 8, h = 8;
        std::vector<float> px(3 * w * h);
        for (std::size_t i = 0; i < px.size(); ++i)
            px[i] = 0.3f + 0.4f * float((i * 37) % 11) / 11.0f;
        const auto greyOf = [&](const std::vector<float>& p, int i) {
            return 0.299f * p[i] + 0.587f * p[w * h + i] + 0.114f * p[2 * w * h + i];
        };
        const auto meanGrey = [&](const std::vector<float>& p) {
            double s = 0;
            for (int i = 0; i < w * h; ++i)
                s += greyOf(p, i);
            return s / (w * h);
        };
        AugmentParams a = only();
        a.jitterProbability = 1;
        a.contrast = 0.3;
        auto c = px;
        applyPhotometric(c.data(), 3, w, h, a, 11);
        QVERIFY(c != px);
        QVERIFY(std::fabs(meanGrey(c) - meanGrey(px)) < 1e-5);

        a.contrast = 0;
        a.saturation = 0.3;
        auto s = px;
        applyPhotometric(s.data(), 3, w, h, a, 11);
        QVERIFY(s != px);
        for (int i = 0; i < w * h; ++i)
            QVERIFY(std::fabs(greyOf(s, i) - greyOf(px, i)) < 1e-5f);
    }

    void blurIsAGaussian()
    {
        // A point source becomes the separable Gaussian: neighbours at distance 1 and sqrt(2) are exp(-1/2)
        // and exp(-1) of the centre, for a sigma of exactly 1, and the light is kept.
        const int n = 21;
        std::vector<float> px(n * n, 0.0f);
        px[10 * n + 10] = 1.0f;
        AugmentParams a = only();
        a.blurProbability = 1;
        a.blurSigmaMin = a.blurSigmaMax = 1.0;
        applyPhotometric(px.data(), 1, n, n, a, 3);
        const float centre = px[10 * n + 10];
        QVERIFY(std::fabs(px[10 * n + 11] / centre - std::exp(-0.5f)) < 1e-4f);
        QVERIFY(std::fabs(px[9 * n + 10] / centre - std::exp(-0.5f)) < 1e-4f);
        QVERIFY(std::fabs(px[11 * n + 11] / centre - std::exp(-1.0f)) < 1e-4f);
        QVERIFY(std::fabs(std::accumulate(px.begin(), px.end(), 0.0) - 1.0) < 1e-4);
    }

    void jsonKeysParseRefuseAndStayOutWhenUnused()
    {
        const auto plain = toJson(TrainConfig{});
        QVERIFY(!plain["augmentation"].contains("color_jitter"));
        TrainConfig c = applyJson(TrainConfig{}, nlohmann::json::parse(
                                                     R"({"augmentation": {"color_jitter": [0.4, 0.3, 0.2],
                                                       "jitter_p": 0.9, "blur_p": 0.5, "blur_sigma": [0.2, 1.5],
                                                       "grayscale_p": 0.1}})"));
        QCOMPARE(c.view.augmentation.brightness, 0.4);
        QCOMPARE(c.view.augmentation.saturation, 0.2);
        QCOMPARE(c.view.augmentation.blurSigmaMax, 1.5);
        const TrainConfig back = applyJson(TrainConfig{}, toJson(c));
        QCOMPARE(toJson(back).dump(), toJson(c).dump());
        c = applyJson(TrainConfig{}, nlohmann::json::parse(R"({"augmentation": {"color_jitter": 0.5}})"));
        QCOMPARE(c.view.augmentation.contrast, 0.5);
        for (const char* bad :
             {R"({"augmentation": {"color_jitter": 1.5}})", R"({"augmentation": {"blur_p": -1}})",
              R"({"augmentation": {"blur_sigma": [2, 1]}})", R"({"augmentation": {"jitter_p": "often"}})"}) {
            try {
                applyJson(TrainConfig{}, nlohmann::json::parse(bad));
                QFAIL(bad);
            } catch (const Error& e) {
                QVERIFY2(QString(e.what()).contains("augmentation."), e.what());
            }
        }
    }
};

QTEST_APPLESS_MAIN(TestPhotometricAugment)
#include "test_photometric_augment.moc"

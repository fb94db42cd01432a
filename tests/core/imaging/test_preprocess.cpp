// Preprocessing and augmentation: crop/resize/greyscale the way Zoobot's models expect, float conversion,
// and seeded, deterministic augmentation that keeps the galaxy's light.
#include "TestData.h"

#include "imaging/Augment.h"
#include "imaging/ImageDecode.h"
#include "imaging/Preprocess.h"
#include "util/Error.h"
#include "util/Random.h"

#include <QtTest>

#include <cmath>
#include <numeric>

using namespace rm;

namespace {

Image syntheticRgb(int w, int h)
{
    Image im(w, h, 3);
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x) {
            im.at(x, y, 0) = static_cast<std::uint8_t>((x * 7 + y * 3) % 256);
            im.at(x, y, 1) = static_cast<std::uint8_t>((x * 11 + 40) % 256);
            im.at(x, y, 2) = static_cast<std::uint8_t>((y * 13 + 5) % 256);
        }
    return im;
}

// A round galaxy-like blob in the middle of a black square, so rotation keeps all of its light in frame.
Image blob(int size, int channels)
{
    Image im(size, size, channels);
    const double c = (size - 1) / 2.0, s = size / 10.0;
    for (int y = 0; y < size; ++y)
        for (int x = 0; x < size; ++x) {
            const double r2 = (x - c) * (x - c) + (y - c) * (y - c);
            for (int k = 0; k < channels; ++k)
                im.at(x, y, k) = static_cast<std::uint8_t>(
                    std::lround(250.0 * std::exp(-r2 / (2 * s * s)) * (k + 1) / channels));
        }
    return im;
}

std::vector<float> render(const Image& src, const ViewParams& view, std::uint64_t seed, std::uint64_t epoch,
                          std::uint64_t index)
{
    std::vector<float> out(std::size_t(view.channels) * view.width * view.height);
    renderView(ImageView(src), view, seed, epoch, index, out.data());
    return out;
}

double sum(const std::vector<float>& v)
{
    return std::accumulate(v.begin(), v.end(), 0.0);
}

} // namespace

class TestPreprocess : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void greyscaleIsTheChannelMean()
    {
        Image im(4, 1, 3);
        const int px[4][3] = {{255, 0, 0}, {0, 255, 0}, {0, 0, 255}, {30, 60, 90}};
        for (int x = 0; x < 4; ++x)
            for (int k = 0; k < 3; ++k)
                im.at(x, 0, k) = static_cast<std::uint8_t>(px[x][k]);
        Image g = greyMean(im);
        QCOMPARE(g.channels, 1);
        // Unweighted: pure red, green and blue are all 85 (luminance weights would give 76, 150, 29).
        QCOMPARE(int(g.pixels[0]), 85);
        QCOMPARE(int(g.pixels[1]), 85);
        QCOMPARE(int(g.pixels[2]), 85);
        QCOMPARE(int(g.pixels[3]), 60);

        // The float path averages exactly, without rounding to bytes.
        const Image rgb = syntheticRgb(32, 24);
        ViewParams view;
        view.width = 32;
        view.height = 24;
        view.channels = 1;
        const auto f = render(rgb, view, 0, 0, 0);
        for (int y = 0; y < 24; ++y)
            for (int x = 0; x < 32; ++x) {
                const float expect = (rgb.at(x, y, 0) + rgb.at(x, y, 1) + rgb.at(x, y, 2)) / 3.0f / 255.0f;
                QVERIFY(std::fabs(f[y * 32 + x] - expect) < 1e-6f);
            }
    }

    void prepareGivesTheModelSize_data()
    {
        QTest::addColumn<int>("size");
        QTest::addColumn<int>("channels");
        QTest::addColumn<double>("crop");
        QTest::newRow("224 rgb") << 224 << 3 << 1.0;
        QTest::newRow("224 grey") << 224 << 1 << 1.0;
        QTest::newRow("300 rgb cropped") << 300 << 3 << 0.75;
        QTest::newRow("64 grey cropped") << 64 << 1 << 0.5;
    }
    void prepareGivesTheModelSize()
    {
        RM_REQUIRE_IMAGE_DECODING();
        QFETCH(int, size);
        QFETCH(int, channels);
        QFETCH(double, crop);
        RM_SHARED_DATA(jpeg, "images/gzdecals_ring470/J001655.18-002739.1.jpg");
        const Image src = decodeImageFile(jpeg);
        PrepareParams p;
        p.width = p.height = size;
        p.channels = channels;
        p.cropFraction = crop;
        const Image out = prepareImage(src, p);
        QCOMPARE(out.width, size);
        QCOMPARE(out.height, size);
        QCOMPARE(out.channels, channels);
        QCOMPARE(out.pixels.size(), std::size_t(size) * size * channels);
        // The galaxy is in the middle: the centre is brighter than the corner.
        const int c = size / 2;
        QVERIFY(out.at(c, c, 0) > out.at(0, 0, 0));
    }

    void centreCropTakesTheMiddle()
    {
        const Image src = syntheticRgb(100, 80);
        const Image crop = centreCrop(src, 0.5);
        QCOMPARE(crop.width, 50);
        QCOMPARE(crop.height, 40);
        QCOMPARE(crop.at(0, 0, 0), src.at(25, 20, 0));
        QCOMPARE(crop.at(49, 39, 2), src.at(74, 59, 2));
        QVERIFY_THROWS_EXCEPTION(Error, prepareImage(src, PrepareParams{224, 224, 2, 1.0}));
        QVERIFY_THROWS_EXCEPTION(Error, prepareImage(src, PrepareParams{224, 224, 3, 0.0}));
    }

    void plainResizeAgreesWithOpenCv()
    {
        RM_REQUIRE_IMAGE_DECODING();
        RM_SHARED_DATA(jpeg, "images/gzdecals_ring470/J001655.18-002739.1.jpg");
        const Image src = decodeImageFile(jpeg);
        for (int size : {224, 212, 96, 500}) {
            const Image a = resizeImage(src, size, size), b = resizeImagePlain(src, size, size);
            QCOMPARE(a.pixels.size(), b.pixels.size());
            int worst = 0;
            for (std::size_t i = 0; i < a.pixels.size(); ++i)
                worst = std::max(worst, std::abs(a.pixels[i] - b.pixels[i]));
            QVERIFY2(worst <= 1, qPrintable(QString("size %1: max difference %2").arg(size).arg(worst)));
        }
    }

    void evaluationIsIdentityAndDeterministic()
    {
        const Image src = syntheticRgb(48, 48);
        ViewParams view;
        view.width = view.height = 48;
        const auto a = render(src, view, 1, 2, 3), b = render(src, view, 99, 7, 3);
        QCOMPARE(a, b); // evaluation ignores the seed
        // Same size, no crop: exactly the bytes over 255, in CHW order.
        for (int k = 0; k < 3; ++k)
            for (int y = 0; y < 48; ++y)
                for (int x = 0; x < 48; ++x)
                    QCOMPARE(a[(k * 48 + y) * 48 + x], src.at(x, y, k) / 255.0f);
        // Normalisation with a mean and std per channel.
        view.normalisation = {{0.5f, 0.5f, 0.5f}, {0.25f, 0.25f, 0.25f}};
        const auto n = render(src, view, 0, 0, 0);
        QVERIFY(std::fabs(n[5] - (a[5] - 0.5f) / 0.25f) < 1e-5f);
        view.normalisation = {{0.5f}, {0.25f}};
        QVERIFY_THROWS_EXCEPTION(Error, validate(view));
    }

    void augmentationIsSeededAndDeterministic()
    {
        const Image src = syntheticRgb(64, 64);
        ViewParams view;
        view.width = view.height = 40;
        view.augment = true;
        const auto a = render(src, view, 7, 1, 5);
        QCOMPARE(render(src, view, 7, 1, 5), a);  // same (seed, epoch, index): same image
        QVERIFY(render(src, view, 7, 2, 5) != a); // another epoch
        QVERIFY(render(src, view, 7, 1, 6) != a); // another galaxy
        QVERIFY(render(src, view, 8, 1, 5) != a); // another seed
        // The shuffle is reproducible too.
        std::vector<int> p(100), q;
        std::iota(p.begin(), p.end(), 0);
        q = p;
        DeterministicRandom(42).shuffle(p);
        DeterministicRandom(42).shuffle(q);
        QCOMPARE(p, q);
        QVERIFY(!std::is_sorted(p.begin(), p.end()));
    }

    void rotationAndFlipsKeepTheLight()
    {
        const Image src = blob(96, 3);
        ViewParams view;
        view.width = view.height = 96;
        const double original = sum(render(src, view, 0, 0, 0));
        view.augment = true;
        view.augmentation.cropScaleMin = view.augmentation.cropScaleMax =
            1.0; // whole frame: only rotate/flip
        view.augmentation.cropRatioMin = view.augmentation.cropRatioMax = 1.0;
        for (std::uint64_t i = 0; i < 12; ++i) {
            const double s = sum(render(src, view, 3, 0, i));
            QVERIFY2(std::fabs(s - original) / original < 0.01,
                     qPrintable(QString("index %1: sum %2 vs %3").arg(i).arg(s).arg(original)));
        }
        // Flips alone are exact mirror images; over a few seeds every combination turns up.
        view.augmentation.rotate = false;
        const Image asym = syntheticRgb(32, 32);
        view.width = view.height = 32;
        bool seen[4] = {false, false, false, false};
        for (std::uint64_t i = 0; i < 32; ++i) {
            const auto out = render(asym, view, 11, 0, i);
            int kind = -1;
            for (int k = 0; k < 4 && kind < 0; ++k) {
                bool match = true;
                for (int y = 0; y < 32 && match; ++y)
                    for (int x = 0; x < 32 && match; ++x) {
                        const int sx = (k & 1) ? 31 - x : x, sy = (k & 2) ? 31 - y : y;
                        match = std::fabs(out[y * 32 + x] - asym.at(sx, sy, 0) / 255.0f) < 1e-6f;
                    }
                if (match) kind = k;
            }
            QVERIFY2(kind >= 0, "a flip-only view must be an exact mirror image");
            seen[kind] = true;
        }
        QVERIFY(seen[0] && seen[1] && seen[2] && seen[3]);
    }

    void borderIsBlackOrReflected()
    {
        Image white(64, 64, 1);
        std::fill(white.pixels.begin(), white.pixels.end(), 255);
        ViewParams view;
        view.width = view.height = 64;
        view.channels = 1;
        view.augment = true;
        view.augmentation.cropScaleMin = view.augmentation.cropScaleMax = 1.0;
        view.augmentation.cropRatioMin = view.augmentation.cropRatioMax = 1.0;
        // Find a view rotated well away from a multiple of 90 degrees: its corners fall outside the image.
        std::uint64_t index = 0;
        for (; index < 100; ++index)
            if (render(white, view, 5, 0, index)[0] == 0.0f) break;
        QVERIFY(index < 100);
        QCOMPARE(render(white, view, 5, 0, index)[32 * 64 + 32], 1.0f); // the middle is untouched
        view.augmentation.border = BorderMode::Reflect;
        const auto reflected = render(white, view, 5, 0, index);
        QVERIFY(std::fabs(reflected[0] - 1.0f) < 1e-6f);
    }

    void randomCropStaysInScaleRange()
    {
        AugmentParams p;
        p.rotate = false;
        p.flipHorizontal = p.flipVertical = false;
        for (std::uint64_t s = 0; s < 50; ++s) {
            const AffineMap m = augmentMap(424, 424, 224, 224, p, mixSeed(1, 0, s));
            const double area = (m.a * 224) * (m.e * 224) / (424.0 * 424.0); // crop area / image area
            QVERIFY2(area >= 0.7 - 1e-9 && area <= 0.8 + 1e-9, qPrintable(QString::number(area)));
            const double ratio = m.a / m.e;
            QVERIFY(ratio >= 0.9 - 1e-9 && ratio <= 1.1 + 1e-9);
            // Inside the image: the crop box [x0, x0 + 224a) in pixel-edge coordinates.
            const double x0 = m.c - 0.5 * m.a + 0.5, y0 = m.f - 0.5 * m.e + 0.5;
            QVERIFY(x0 >= -1e-9 && y0 >= -1e-9);
            QVERIFY(x0 + m.a * 224 <= 424 + 1e-6 && y0 + m.e * 224 <= 424 + 1e-6);
        }
    }
};

QTEST_APPLESS_MAIN(TestPreprocess)
#include "test_preprocess.moc"

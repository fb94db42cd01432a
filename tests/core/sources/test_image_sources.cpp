// Image sources: local folders of real cutouts by file-name template, FITS cubes with the Lupton stretch, the
// spec factory, and the errors for missing and corrupt files.
#include "TestData.h"

#include "imaging/ImageDecode.h"
#include "imaging/ImageErrors.h"
#include "sources/FileNameTemplate.h"
#include "sources/FitsImageSource.h"
#include "sources/FolderImageSource.h"
#include "sources/ImageSource.h"

#include <fitsio.h>
#ifdef RINGMINER_HAVE_OPENCV
#include <opencv2/imgcodecs.hpp>
#endif

#include <QFile>
#include <QtTest>

#include <fstream>
#include <sstream>

using namespace rm;

namespace {

// The rows of a small comma-separated file without quoting (labels.csv, ids.csv) as galaxies.
std::vector<GalaxyRef> readSimpleCsv(const std::string& path)
{
    std::ifstream in(path);
    std::string line;
    std::getline(in, line);
    std::vector<std::string> header;
    std::stringstream hs(line);
    for (std::string cell; std::getline(hs, cell, ',');)
        header.push_back(cell);
    std::vector<GalaxyRef> rows;
    while (std::getline(in, line)) {
        if (line.empty()) continue;
        GalaxyRef g;
        g.row = rows.size();
        std::stringstream ls(line);
        std::size_t c = 0;
        for (std::string cell; std::getline(ls, cell, ',') && c < header.size(); ++c)
            g.set(header[c], cell);
        rows.push_back(std::move(g));
    }
    return rows;
}

GalaxyRef galaxy(std::initializer_list<std::pair<const char*, const char*>> values)
{
    GalaxyRef g;
    for (const auto& [k, v] : values)
        g.set(k, v);
    return g;
}

void writeBytes(const QString& path, const QByteArray& bytes)
{
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(bytes);
}

// Writes a FITS file: a cube of `planes` planes of w x h floats (plane-major, FITS row order) with BANDn
// keys.
void writeFits(const std::string& path, int w, int h, const std::vector<std::vector<float>>& planes,
               const std::vector<std::string>& bands)
{
    fitsfile* f = nullptr;
    int status = 0;
    std::string name = "!" + path; // '!' overwrites
    fits_create_file(&f, name.c_str(), &status);
    long naxes[3] = {w, h, static_cast<long>(planes.size())};
    fits_create_img(f, FLOAT_IMG, planes.size() > 1 ? 3 : 2, naxes, &status);
    for (std::size_t i = 0; i < bands.size(); ++i) {
        std::string key = "BAND" + std::to_string(i);
        fits_update_key(f, TSTRING, key.c_str(), const_cast<char*>(bands[i].c_str()), "band", &status);
    }
    std::vector<float> all;
    for (const auto& p : planes)
        all.insert(all.end(), p.begin(), p.end());
    long first[3] = {1, 1, 1};
    fits_write_pix(f, TFLOAT, first, static_cast<LONGLONG>(all.size()), all.data(), &status);
    fits_close_file(f, &status);
    QCOMPARE(status, 0);
}

} // namespace

class TestImageSources : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void realDecalsCutoutsAllLoad()
    {
        RM_SHARED_DATA(labels, "images/gzdecals_ring470/labels.csv");
        const std::string dir = QFileInfo(QString::fromStdString(labels)).absolutePath().toStdString();
        const auto rows = readSimpleCsv(labels);
        QCOMPARE(rows.size(), std::size_t(377));
        auto byName =
            makeImageSource(nlohmann::json{{"kind", "folder"}, {"dir", dir}, {"template", "{iauname}.jpg"}});
        auto byFile =
            makeImageSource(nlohmann::json{{"kind", "folder"}, {"dir", dir}, {"template", "{file}"}});
        if (!imageDecodingAvailable()) {
            // The headless build without OpenCV: a clear error naming the file and what to do, never a crash.
            try {
                byName->load(rows.front());
                QFAIL("a build without OpenCV decoded a JPEG");
            } catch (const Error& e) {
                QVERIFY2(std::string(e.what()).find("no OpenCV") != std::string::npos, e.what());
                QVERIFY2(std::string(e.what()).find(".jpg") != std::string::npos, e.what()); // which file
            }
            return;
        }
        for (const auto& g : rows) {
            QCOMPARE(byName->locate(g), byFile->locate(g));
            QVERIFY(byName->probe(g) == ImagePresence::Present);
            Image im = byName->load(g);
            QVERIFY2(im.width == 424 && im.height == 424 && im.channels == 3, g.describe().c_str());
        }
    }

    void realGz2KaggleImagesAllLoad()
    {
        RM_REQUIRE_IMAGE_DECODING();
        RM_SHARED_DATA(ids, "images/gz2_kaggle_unlabelled/ids.csv");
        const std::string dir = QFileInfo(QString::fromStdString(ids)).absolutePath().toStdString();
        const auto rows = readSimpleCsv(ids);
        QCOMPARE(rows.size(), std::size_t(1000));
        FolderImageSource source(dir, "{GalaxyID}.jpg");
        for (const auto& g : rows) {
            Image im = source.load(g);
            QVERIFY2(im.width == 424 && im.height == 424 && im.channels == 3, g.describe().c_str());
        }
    }

    void templateExpansion_data()
    {
        QTest::addColumn<QString>("pattern");
        QTest::addColumn<QString>("expected");
        QTest::newRow("iauname") << "{iauname}.jpg"
                                 << "J001655.18-002739.1.jpg";
        QTest::newRow("id_str") << "{id_str}.png"
                                << "303_1234.png";
        QTest::newRow("asset_id") << "{asset_id}.jpg"
                                  << "88.jpg";
        QTest::newRow("file") << "{file}"
                              << "sub/x.png";
        QTest::newRow("prefix folder") << "{iauname[:4]}/{iauname}.png"
                                       << "J001/J001655.18-002739.1.png";
        QTest::newRow("middle slice") << "{iauname[1:3]}"
                                      << "00";
        QTest::newRow("braces") << "{{{asset_id}}}"
                                << "{88}";
        QTest::newRow("case-insensitive") << "{IAUNAME}.jpg"
                                          << "J001655.18-002739.1.jpg";
    }
    void templateExpansion()
    {
        QFETCH(QString, pattern);
        QFETCH(QString, expected);
        const GalaxyRef g = galaxy({{"iauname", "J001655.18-002739.1"},
                                    {"id_str", "303_1234"},
                                    {"asset_id", "88"},
                                    {"file", "sub/x.png"}});
        QString got = QString::fromStdString(FileNameTemplate(pattern.toStdString()).expand(g));
        QCOMPARE(got, expected);
    }

    void templateErrors()
    {
        const GalaxyRef g = galaxy({{"iauname", "J1"}, {"blank", ""}, {"evil", "../../etc/passwd"}});
        auto message = [&](const std::string& pattern) -> std::string {
            try {
                FileNameTemplate(pattern).expand(g);
            } catch (const Error& e) {
                return e.what();
            }
            return {};
        };
        QVERIFY(message("{missing}.jpg").find("no column 'missing'") != std::string::npos);
        QVERIFY(message("{blank}.jpg").find("'blank' is blank") != std::string::npos);
        QVERIFY(message("{evil}").find("leaves the image folder") != std::string::npos);
        QVERIFY(message("/abs/{iauname}").find("absolute") != std::string::npos);
        QVERIFY(message("{iauname.jpg").find("unmatched '{'") != std::string::npos);
        QVERIFY(message("iauname}.jpg").find("unmatched '}'") != std::string::npos);
        QVERIFY(message("{}.jpg").find("empty {}") != std::string::npos);
        QCOMPARE(FileNameTemplate("{a}/{b[:2]}").columns(), (std::vector<std::string>{"a", "b"}));
    }

    void missingFileIsMissingError()
    {
        QTemporaryDir tmp;
        FolderImageSource source(tmp.path().toStdString(), "{iauname}.jpg");
        const GalaxyRef g = galaxy({{"iauname", "J000000.00+000000.0"}});
        QVERIFY(source.probe(g) == ImagePresence::Missing);
        try {
            source.load(g);
            QFAIL("expected ImageMissingError");
        } catch (const ImageMissingError& e) {
            const std::string want = tmp.filePath("J000000.00+000000.0.jpg").toStdString();
            QVERIFY2(std::string(e.what()).find(want) != std::string::npos, e.what());
            QCOMPARE(e.file(), want);
        }
        // A blank template column is "missing" too, not a crash.
        const GalaxyRef blank = galaxy({{"iauname", ""}});
        QVERIFY(source.probe(blank) == ImagePresence::Missing);
        QVERIFY_THROWS_EXCEPTION(ImageMissingError, source.load(blank));
    }

    void htmlInsteadOfJpegIsCorrupt()
    {
        QTemporaryDir tmp;
        const QString path = tmp.filePath("J1.jpg");
        writeBytes(path, "<!DOCTYPE html>\n<html><body>503 Service Unavailable</body></html>\n");
        FolderImageSource source(tmp.path().toStdString(), "{iauname}.jpg");
        try {
            source.load(galaxy({{"iauname", "J1"}}));
            QFAIL("expected ImageCorruptError");
        } catch (const ImageCorruptError& e) {
            QVERIFY2(std::string(e.what()).find(path.toStdString()) != std::string::npos, e.what());
            QVERIFY2(std::string(e.what()).find("HTML") != std::string::npos, e.what());
        }
    }

    void truncatedAndGarbageFilesAreCorrupt()
    {
        RM_REQUIRE_IMAGE_DECODING();
        RM_SHARED_DATA(jpeg, "images/gzdecals_ring470/J001655.18-002739.1.jpg");
        QFile real(QString::fromStdString(jpeg));
        QVERIFY(real.open(QIODevice::ReadOnly));
        const QByteArray bytes = real.readAll();
        QTemporaryDir tmp;
        writeBytes(tmp.filePath("half.jpg"), bytes.left(bytes.size() / 2));
        writeBytes(tmp.filePath("garbage.jpg"), QByteArray("\x01\x02\x03garbage bytes", 16));
        writeBytes(tmp.filePath("empty.jpg"), QByteArray());
        writeBytes(tmp.filePath("whole.jpg"), bytes);
        struct Case
        {
            const char* name;
            const char* says;
        };
        for (const Case& c : {Case{"half", "truncated JPEG"}, Case{"garbage", "not a JPEG or PNG"},
                              Case{"empty", "empty file"}}) {
            const std::string path = tmp.filePath(QString(c.name) + ".jpg").toStdString();
            try {
                decodeImageFile(path);
                QFAIL(c.name);
            } catch (const ImageCorruptError& e) {
                QVERIFY2(std::string(e.what()).find(path) != std::string::npos, e.what());
                QVERIFY2(std::string(e.what()).find(c.says) != std::string::npos, e.what());
            }
        }
        QCOMPARE(decodeImageFile(tmp.filePath("whole.jpg").toStdString()).width, 424);
    }

#ifdef RINGMINER_HAVE_OPENCV
    void pngKeepsRgbOrderAndTruncatedPngIsCorrupt()
    {
        RM_REQUIRE_IMAGE_DECODING();
        // A PNG written by OpenCV (BGR in memory) must come back as RGB, pixel for pixel.
        cv::Mat bgr(2, 3, CV_8UC3);
        const cv::Vec3b colours[6] = {{0, 0, 255},  {0, 255, 0}, {255, 0, 0},
                                      {10, 20, 30}, {0, 0, 0},   {255, 255, 255}};
        for (int i = 0; i < 6; ++i)
            bgr.at<cv::Vec3b>(i / 3, i % 3) = colours[i];
        std::vector<unsigned char> png;
        QVERIFY(cv::imencode(".png", bgr, png));
        QTemporaryDir tmp;
        writeBytes(tmp.filePath("42.png"),
                   QByteArray(reinterpret_cast<const char*>(png.data()), int(png.size())));
        FolderImageSource source(tmp.path().toStdString(), "{id_str}.png");
        Image im = source.load(galaxy({{"id_str", "42"}}));
        QCOMPARE(im.width, 3);
        QCOMPARE(im.height, 2);
        QCOMPARE(int(im.at(0, 0, 0)), 255); // red pixel: R first
        QCOMPARE(int(im.at(0, 0, 2)), 0);
        QCOMPARE(int(im.at(2, 0, 2)), 255); // blue pixel: B last
        QCOMPARE(int(im.at(0, 1, 0)), 30);
        QCOMPARE(int(im.at(0, 1, 2)), 10);
        writeBytes(tmp.filePath("cut.png"),
                   QByteArray(reinterpret_cast<const char*>(png.data()), int(png.size()) - 5));
        QVERIFY_THROWS_EXCEPTION(ImageCorruptError, decodeImageFile(tmp.filePath("cut.png").toStdString()));
    }
#endif

    void factoryKindsAndErrors()
    {
        ImageSourceContext ctx;
        ctx.baseDir = "/data/project";
        auto folder = makeImageSource(
            std::string(R"({"kind":"folder","dir":"cutouts","template":"{iauname}.jpg"})"), ctx);
        QCOMPARE(folder->kind(), std::string("folder"));
        QCOMPARE(folder->spec()["dir"].get<std::string>(), std::string("/data/project/cutouts"));
        QCOMPARE(folder->locate(galaxy({{"iauname", "J1"}})), std::string("/data/project/cutouts/J1.jpg"));
        // The stored spec makes the same source again.
        QCOMPARE(makeImageSource(folder->spec())->spec(), folder->spec());

        auto fits = makeImageSource(nlohmann::json::parse(
            R"({"kind":"fits","dir":"/f","template":"{iauname}.fits","bands":["g","r","z"],"scales":[1,2,3],"Q":10,"stretch":0.1})"));
        QCOMPARE(fits->kind(), std::string("fits"));
        QCOMPARE(fits->spec()["Q"].get<double>(), 10.0);
        QCOMPARE(makeImageSource(fits->spec())->spec(), fits->spec());

        auto errorOf = [](const std::string& spec) -> std::string {
            try {
                makeImageSource(spec);
            } catch (const Error& e) {
                return e.what();
            }
            return {};
        };
        QVERIFY(errorOf(R"({"kind":"nosuch"})").find("unknown image source kind 'nosuch'") !=
                std::string::npos);
        QVERIFY(errorOf(R"({"kind":"folder","template":"{a}"})").find("needs \"dir\"") != std::string::npos);
        QVERIFY(errorOf(R"({"kind":"folder","dir":"/x"})").find("needs \"template\"") != std::string::npos);
        QVERIFY(errorOf(R"({"dir":"/x"})").find("no \"kind\"") != std::string::npos);
        QVERIFY(errorOf("not json").find("not valid JSON") != std::string::npos);
        QVERIFY(errorOf(R"({"kind":"fits","dir":"/x","template":"{a}","Q":0})").find("positive") !=
                std::string::npos);

        // Service kinds are a hook for CutoutService: registering one makes the factory serve it.
        const auto kinds = imageSourceKinds();
        if (std::find(kinds.begin(), kinds.end(), "sdss") == kinds.end()) {
            QVERIFY(errorOf(R"({"kind":"sdss"})").find("cutout service") != std::string::npos);
            registerImageSourceKind("sdss", [](const nlohmann::json&, const ImageSourceContext&) {
                return std::unique_ptr<ImageSource>(new FolderImageSource("/sdss", "{objid}.jpg"));
            });
            QCOMPARE(makeImageSource(std::string(R"({"kind":"sdss"})"))->locate(galaxy({{"objid", "7"}})),
                     std::string("/sdss/7.jpg"));
        }
    }

    void fitsCubeStretchAndColourOrder()
    {
        QTemporaryDir tmp;
        const int w = 16, h = 4;
        // Every band ramps up along x through the unsaturated range into saturation; z (the reddest) is the
        // brightest, g the faintest.
        std::vector<std::vector<float>> planes(3, std::vector<float>(w * h));
        const float level[3] = {0.2f, 0.45f, 1.0f}; // g, r, z
        for (int b = 0; b < 3; ++b)
            for (int y = 0; y < h; ++y)
                for (int x = 0; x < w; ++x)
                    planes[b][y * w + x] = level[b] * x / (w - 1) * 0.1f;
        planes[1][0 * w + 5] = 50.0f; // a bright r pixel in FITS row 0, the bottom of the sky image
        writeFits(tmp.filePath("J1.fits").toStdString(), w, h, planes, {"g", "r", "z"});

        auto source = makeImageSource(nlohmann::json{{"kind", "fits"},
                                                     {"dir", tmp.path().toStdString()},
                                                     {"template", "{iauname}.fits"},
                                                     {"Q", 8},
                                                     {"stretch", 0.5}});
        const GalaxyRef g = galaxy({{"iauname", "J1"}});
        Image im = source->load(g);
        QCOMPARE(im.width, w);
        QCOMPARE(im.height, h);
        QCOMPARE(im.channels, 3);
        // Monotonic: brighter input never gives a darker output, in every channel; zero stays black.
        for (int c = 0; c < 3; ++c) {
            QCOMPARE(int(im.at(0, 0, c)), 0);
            for (int x = 1; x < w; ++x)
                QVERIFY(im.at(x, 0, c) >= im.at(x - 1, 0, c));
        }
        QVERIFY(im.at(w - 1, 0, 0) > 100);
        QVERIFY(im.at(2, 0, 0) < 255); // the faint end is not saturated
        // Colour order: red shows z, blue shows g (the default is the bands reversed).
        for (int x = 2; x < w; ++x)
            QVERIFY(im.at(x, 1, 0) > im.at(x, 1, 1) && im.at(x, 1, 1) > im.at(x, 1, 2));
        // North up: FITS row 0 is the last row of the image; a saturated pixel keeps its hue (green is max).
        QCOMPARE(int(im.at(5, h - 1, 1)), 255);
        QVERIFY(im.at(5, h - 1, 0) < 255);

        // Band order and scales are configurable.
        auto swapped = makeImageSource(nlohmann::json{{"kind", "fits"},
                                                      {"dir", tmp.path().toStdString()},
                                                      {"template", "{iauname}.fits"},
                                                      {"rgb", {"g", "r", "z"}},
                                                      {"scales", {{"z", 0.0}}}});
        Image s = swapped->load(g);
        for (int x = 2; x < w; ++x) {
            QVERIFY(s.at(x, 1, 0) > 0);
            QCOMPARE(int(s.at(x, 1, 2)), 0); // z scaled to zero, shown as blue
        }
    }

    void fits2DIsGreyAndErrorsNameTheFile()
    {
        QTemporaryDir tmp;
        const int w = 8, h = 8;
        std::vector<std::vector<float>> plane(1, std::vector<float>(w * h));
        for (int i = 0; i < w * h; ++i)
            plane[0][i] = i * 0.05f;
        plane[0][3] = NAN; // a blank counts as black
        writeFits(tmp.filePath("grey.fits").toStdString(), w, h, plane, {});
        FitsStretchOptions o;
        Image im = readFitsImage(tmp.filePath("grey.fits").toStdString(), o);
        QCOMPARE(im.channels, 3);
        for (int y = 0; y < h; ++y)
            for (int x = 0; x < w; ++x) {
                QCOMPARE(im.at(x, y, 0), im.at(x, y, 1));
                QCOMPARE(im.at(x, y, 1), im.at(x, y, 2));
            }
        QCOMPARE(int(im.at(3, h - 1, 0)), 0);

        const std::string missing = tmp.filePath("none.fits").toStdString();
        QVERIFY_THROWS_EXCEPTION(ImageMissingError, readFitsImage(missing, o));
        writeBytes(tmp.filePath("bad.fits"), "<html>not fits</html>");
        try {
            readFitsImage(tmp.filePath("bad.fits").toStdString(), o);
            QFAIL("expected ImageCorruptError");
        } catch (const ImageCorruptError& e) {
            QVERIFY2(std::string(e.what()).find("bad.fits") != std::string::npos, e.what());
        }
        // A 4-plane cube needs band names.
        std::vector<std::vector<float>> four(4, std::vector<float>(w * h, 1.0f));
        writeFits(tmp.filePath("four.fits").toStdString(), w, h, four, {});
        QVERIFY_THROWS_EXCEPTION(ImageCorruptError,
                                 readFitsImage(tmp.filePath("four.fits").toStdString(), o));
        o.bands = {"g", "r", "i", "z"};
        QCOMPARE(readFitsImage(tmp.filePath("four.fits").toStdString(), o).width, w);
    }
};

QTEST_APPLESS_MAIN(TestImageSources)
#include "test_image_sources.moc"

// Cutout downloads against a real HTTP server on 127.0.0.1 (tests/core/fault_server.py) that serves real
// Galaxy Zoo DECaLS JPEGs from ../shared/data and fails on purpose: 500s, slow and stalled responses,
// truncated bodies, HTML pages with 200, connection resets, 429 with Retry-After. Every galaxy must end
// cached-and-valid or failed with the right reason; the cache must never hold a bad file, not even after the
// downloader is SIGKILLed.
#include "FaultServer.h"
#include "TestData.h"

#include "cutouts/CutoutFetcher.h"
#include "cutouts/HttpGet.h"
#include "imaging/ImageValidation.h"
#include "sources/CutoutImageSource.h"
#include "store/CutoutLedger.h"
#include "store/ProjectStore.h"
#include "util/CacheFile.h"
#include "util/Error.h"

#include <QDirIterator>
#include <QElapsedTimer>
#include <QThread>
#include <QUrl>
#include <QtTest>

#include <algorithm>
#include <fstream>
#include <map>

using namespace rm;
using rmtest::FaultServer;
using rmtest::key;
using rmtest::ringImagesDir;
using rmtest::scriptPath;

namespace {

template <class F> bool throwsRmError(F f)
{
    try {
        f();
    } catch (const rm::Error&) {
        return true;
    }
    return false;
}

std::vector<std::uint8_t> readAll(const QString& path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) return {};
    const QByteArray b = f.readAll();
    return std::vector<std::uint8_t>(b.begin(), b.end());
}

QStringList filesUnder(const QString& dir, const QString& pattern)
{
    QStringList out;
    QDirIterator it(dir, {pattern}, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
    while (it.hasNext())
        out << it.next();
    return out;
}

CutoutFetchOptions fastOptions(const QString& cacheDir)
{
    CutoutFetchOptions o;
    o.cacheDir = cacheDir.toStdString();
    o.parallel = 4;
    o.ratePerSecond = 0;
    o.timeoutS = 2.0; // generous for a loaded 2-core machine, short enough to keep the test fast
    o.connectTimeoutS = 2.0;
    o.maxAttempts = 3;
    o.backoffBaseS = 0.05;
    o.backoffMaxS = 2.0;
    return o;
}

} // namespace

class TestCutoutFetcher : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        RM_SHARED_DATA(labels, "images/gzdecals_ring470/labels.csv");
        QVERIFY2(QFileInfo::exists("/usr/bin/python3"),
                 "the cutout tests need /usr/bin/python3 for their server");
        QVERIFY2(QFileInfo::exists(scriptPath()), qPrintable("missing " + scriptPath()));
    }

    // --- body validation, without OpenCV -------------------------------------------------------------------
    void validatesEveryRealImage()
    {
        RM_SHARED_DATA(ids, "images/gz2_kaggle_unlabelled/ids.csv");
        int n = 0;
        for (const QString& dir :
             {ringImagesDir(), QDir(rmtest::sharedDataDir()).filePath("images/gz2_kaggle_unlabelled")})
            for (const QString& f : filesUnder(dir, "*.jpg")) {
                const ImageCheck c = validateImageFile(f.toStdString());
                QVERIFY2(c.ok, qPrintable(f + ": " + QString::fromStdString(c.reason)));
                QCOMPARE(c.format, EncodedFormat::Jpeg);
                ++n;
            }
        QVERIFY(n >= 1377);
    }

    void rejectsRealJpegTruncatedAnywhere()
    {
        const auto jpeg = readAll(QDir(ringImagesDir()).filePath("J001655.18-002739.1.jpg"));
        QVERIFY(jpeg.size() > 10000);
        QVERIFY(validateImageBytes(jpeg.data(), jpeg.size(), "image/jpeg").ok);
        // Cuts inside the headers, the tables, the entropy-coded data and the final marker.
        for (std::size_t cut :
             {std::size_t(0), std::size_t(1), std::size_t(3), std::size_t(20), std::size_t(99),
              std::size_t(100), std::size_t(150), std::size_t(400), std::size_t(700), jpeg.size() / 4,
              jpeg.size() / 2, jpeg.size() - 100, jpeg.size() - 2, jpeg.size() - 1}) {
            const ImageCheck c = validateImageBytes(jpeg.data(), cut);
            QVERIFY2(!c.ok, qPrintable(QString("accepted a JPEG cut at %1").arg(cut)));
            if (cut == 0)
                QCOMPARE(c.reason, std::string("empty body"));
            else if (cut < kMinImageBytes)
                QVERIFY2(c.reason.find("too small") != std::string::npos, c.reason.c_str());
            else
                QVERIFY2(c.reason.rfind("truncated JPEG", 0) == 0, c.reason.c_str());
        }
        const ImageCheck end = validateImageBytes(jpeg.data(), jpeg.size() - 2);
        QVERIFY2(end.reason.find("no EOI marker") != std::string::npos, end.reason.c_str());

        // Padding after EOI is tolerated; other data there, or a damaged header, is not.
        auto padded = jpeg;
        padded.insert(padded.end(), {0, 0, '\n'});
        QVERIFY(validateImageBytes(padded.data(), padded.size()).ok);
        auto trailing = jpeg;
        trailing.insert(trailing.end(), {'<', 'h', 't', 'm', 'l', '>'});
        QVERIFY(!validateImageBytes(trailing.data(), trailing.size()).ok);
        auto badLength = jpeg;
        badLength[4] = 0xFF; // the APP0 segment's length now runs far past the end
        const ImageCheck bl = validateImageBytes(badLength.data(), badLength.size());
        QVERIFY2(!bl.ok && bl.reason.find("runs past the end") != std::string::npos, bl.reason.c_str());
    }

    void rejectsPagesAndText()
    {
        const std::string html =
            "<html><head><title>500 Internal Server Error</title></head><body>oops</body></html>";
        const auto* h = reinterpret_cast<const std::uint8_t*>(html.data());
        ImageCheck c = validateImageBytes(h, html.size(), "image/jpeg");
        QVERIFY(!c.ok);
        QVERIFY2(c.reason.rfind("body is HTML: '<html><head><title>500", 0) == 0, c.reason.c_str());
        const std::string spaced = "\r\n  \t<!DOCTYPE html><html></html>";
        c = validateImageBytes(reinterpret_cast<const std::uint8_t*>(spaced.data()), spaced.size());
        QVERIFY2(c.reason.rfind("body is HTML: '<!DOCTYPE", 0) == 0, c.reason.c_str());
        // A real JPEG labelled text/html is refused: the service said it is not an image.
        const auto jpeg = readAll(QDir(ringImagesDir()).filePath("J001655.18-002739.1.jpg"));
        c = validateImageBytes(jpeg.data(), jpeg.size(), "text/html; charset=utf-8");
        QVERIFY2(!c.ok && c.reason.find("text/html") != std::string::npos, c.reason.c_str());
        const std::string json =
            R"({"error": "no coverage at this position", "code": 400, "details": "nothing here at all"})";
        c = validateImageBytes(reinterpret_cast<const std::uint8_t*>(json.data()), json.size(),
                               "application/json");
        QVERIFY2(!c.ok && c.reason.find("application/json") != std::string::npos, c.reason.c_str());
        c = validateImageBytes(reinterpret_cast<const std::uint8_t*>("OK"), 2);
        QVERIFY2(!c.ok && c.reason.find("too small") != std::string::npos, c.reason.c_str());
        c = validateImageFile("/nonexistent/x.jpg");
        QVERIFY(!c.ok);
    }

    void validatesPngChunks()
    {
        // A PNG made by hand (CRCs are not checked): signature, IHDR, IDAT, IEND.
        std::vector<std::uint8_t> png = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
        auto chunk = [&](const char* type, std::size_t len) {
            for (int s = 24; s >= 0; s -= 8)
                png.push_back(std::uint8_t(len >> s));
            png.insert(png.end(), type, type + 4);
            png.insert(png.end(), len, 0x11);
            png.insert(png.end(), 4, 0xCC);
        };
        chunk("IHDR", 13);
        chunk("IDAT", 120);
        chunk("IEND", 0);
        ImageCheck c = validateImageBytes(png.data(), png.size(), "image/png");
        QVERIFY2(c.ok, c.reason.c_str());
        QCOMPARE(c.format, EncodedFormat::Png);
        for (std::size_t cut : {png.size() - 1, png.size() - 12, std::size_t(120)}) {
            c = validateImageBytes(png.data(), cut);
            QVERIFY2(!c.ok && c.reason.rfind("truncated PNG", 0) == 0, c.reason.c_str());
        }
    }

    // --- service specs -------------------------------------------------------------------------------------
    void specsBuildUrlsAndKeys()
    {
        CutoutServiceSpec ls;
        QCOMPARE(ls.url(150.5, -2.25),
                 std::string("https://www.legacysurvey.org/viewer/cutout.jpg?ra=150.500000&dec="
                             "-2.250000&layer=ls-dr10&pixscale=0.262&size=256"));
        QCOMPARE(ls.cacheKey(), std::string("legacysurvey_ls-dr10_0.262_256"));
        CutoutServiceSpec sdss = CutoutServiceSpec::defaults("sdss");
        sdss.pixscale = 0.2;
        sdss.size = 128;
        QCOMPARE(sdss.url(-10, 5),
                 std::string("https://skyserver.sdss.org/dr17/SkyServerWS/ImgCutout/getjpeg?ra="
                             "350.000000&dec=5.000000&scale=0.2&width=128&height=128"));
        QCOMPARE(sdss.cacheKey(), std::string("sdss_dr17_0.2_128"));
        const CutoutServiceSpec back = CutoutServiceSpec::fromJson(sdss.toJson());
        QCOMPARE(back.cacheKey(), sdss.cacheKey());
        QCOMPARE(CutoutServiceSpec::fromJson(
                     {{"kind", "legacysurvey"}, {"base_url", "http://127.0.0.1:1/c.jpg?x=1"}})
                     .url(1, 1)
                     .substr(0, 36),
                 std::string("http://127.0.0.1:1/c.jpg?x=1&ra=1.00"));
        QVERIFY(throwsRmError([&] { (void)CutoutServiceSpec::fromJson({{"kind", "hubble"}}); }));
        QVERIFY(throwsRmError([&] {
            (void)CutoutServiceSpec::fromJson({{"kind", "legacysurvey"}, {"layer", "../x"}});
        }));
        QVERIFY(throwsRmError([&] {
            (void)CutoutServiceSpec::fromJson({{"kind", "legacysurvey"}, {"size", 0}});
        }));
        QVERIFY(throwsRmError([&] { (void)ls.url(10, 91); }));
        QCOMPARE(cutoutRelativePath(5.5, -0.0000001), std::string("005/5.500000_+0.000000.jpg"));
        QCOMPARE(cutoutRelativePath(359.9999999, 1), std::string("000/0.000000_+1.000000.jpg"));
        QCOMPARE(cutoutRelativePath(-1, -45.123), std::string("359/359.000000_-45.123000.jpg"));

        // As an image source: reads the cache, and says how to fill it when empty.
        registerCutoutImageSources();
        QTemporaryDir tmp;
        auto src = makeImageSource(nlohmann::json{{"kind", "sdss"}}, {"", tmp.path().toStdString()});
        QCOMPARE(src->kind(), std::string("sdss"));
        GalaxyRef g;
        g.ra = 10;
        g.dec = 20;
        QCOMPARE(src->probe(g), ImagePresence::Missing);
        QVERIFY(src->locate(g).find("sdss_dr17_0.396_256/010/10.000000_+20.000000.jpg") != std::string::npos);
    }

    // --- the fetcher against every fault
    // ----------------------------------------------------------------------
    void everyFaultEndsCachedOrFailedWithItsReason()
    {
        FaultServer server;
        QVERIFY(server.start());
        struct Case
        {
            const char* plan; // behaviours, comma separated
            bool cached;
            int attempts;
            const char* reason; // what the failure reason starts with
        };
        const std::vector<Case> cases = {
            {"ok", true, 1, ""},
            {"500,ok", true, 2, ""},
            {"500", false, 3, "HTTP 500"},
            {"503,503,ok", true, 3, ""},
            {"slow:3.5,ok", true, 2, ""},
            {"slow:3.5", false, 3, "timeout after 2 s"},
            {"stall:3.5", false, 3, "timeout after 2 s"},
            {"trunc", false, 3, "truncated transfer"},
            {"trunc_close", false, 3, "HTTP 200 but truncated JPEG: no EOI marker"},
            {"html", false, 3, "HTTP 200 but body is HTML: '<html><head><title>500 Internal Server Error"},
            {"html_as_jpeg,ok", true, 2, ""},
            {"reset", false, 3, "connection reset"},
            {"reset,trunc_close,ok", true, 3, ""},
            {"429:1,ok", true, 2, ""},
            {"404", false, 1, "HTTP 404"},
            {"empty", false, 3, "HTTP 200 but empty body"},
        };
        QJsonObject plan;
        std::vector<CutoutRequest> reqs;
        for (std::size_t i = 0; i < cases.size(); ++i) {
            CutoutRequest r{i, 10.0 + i, -5.0 + 0.5 * i};
            plan[key(r.ra, r.dec)] = QJsonArray::fromStringList(QString(cases[i].plan).split(','));
            reqs.push_back(r);
        }
        for (std::size_t i = 0; i < 8; ++i)
            reqs.push_back({100 + i, 200.0 + i, 30.0 + i}); // plain successes
        QVERIFY(server.setPlan(plan));

        QTemporaryDir tmp;
        CutoutServiceSpec spec;
        spec.baseUrl = server.legacyUrl();
        CutoutFetcher fetcher(spec, fastOptions(tmp.path()));
        std::map<std::size_t, CutoutResult> results;
        std::size_t lastDone = 0;
        QElapsedTimer t;
        t.start();
        const CutoutFetchSummary sum = fetcher.fetch(
            reqs, [&](const CutoutResult& r) { QVERIFY(results.emplace(r.id, r).second); },
            [&](std::size_t done, std::size_t total) {
                lastDone = done;
                return total == reqs.size();
            });
        qInfo("fetched %zu requests (%zu HTTP) in %.1f s", reqs.size(), sum.httpRequests,
              t.elapsed() / 1000.0);
        QCOMPARE(results.size(), reqs.size());
        QCOMPARE(lastDone, reqs.size());
        QCOMPARE(sum.downloaded + sum.failed, reqs.size());
        QCOMPARE(sum.cancelled, std::size_t(0));

        const QJsonObject stats = server.stats();
        const QJsonObject files = stats.value("files").toObject();
        for (const auto& req : reqs) {
            const CutoutResult& r = results.at(req.id);
            const bool planned = req.id < cases.size();
            const bool wantCached = !planned || cases[req.id].cached;
            const QString what = planned ? QString(cases[req.id].plan) : QString("ok");
            const QString msg = what + " -> " + cutoutStateName(r.state) + " after " +
                                QString::number(r.attempts) + ": " + QString::fromStdString(r.error);
            QVERIFY2((r.state == CutoutState::Cached) == wantCached, qPrintable(msg));
            if (planned) QVERIFY2(r.attempts == cases[req.id].attempts, qPrintable(msg));
            const std::string path = fetcher.cachePath(req.ra, req.dec);
            if (wantCached) {
                QCOMPARE(r.path, path);
                QVERIFY2(validateImageFile(path).ok, qPrintable(msg));
                // Byte for byte the real image the server sent.
                const QString served = files.value(key(req.ra, req.dec)).toString();
                QVERIFY(!served.isEmpty());
                QVERIFY(readAll(QString::fromStdString(path)) ==
                        readAll(QDir(ringImagesDir()).filePath(served)));
            } else {
                QVERIFY2(r.error.rfind(cases[req.id].reason, 0) == 0, qPrintable(msg));
                QVERIFY2(!QFileInfo::exists(QString::fromStdString(path)), qPrintable(msg));
            }
        }
        QVERIFY(filesUnder(tmp.path(), "*.part*").isEmpty());

        // 429 with Retry-After: 1 really waited a second; every request said who it was.
        double first429 = -1, retry429 = -1;
        for (const auto& e : stats.value("events").toArray()) {
            const QJsonArray ev = e.toArray();
            QVERIFY(ev.at(3).toString().startsWith("RingMiner/"));
            if (ev.at(1).toString() == key(10.0 + 13, -5.0 + 0.5 * 13))
                (first429 < 0 ? first429 : retry429) = ev.at(0).toDouble();
        }
        QVERIFY2(retry429 - first429 >= 0.95,
                 qPrintable(QString("429 retried after %1 s").arg(retry429 - first429)));
    }

    void corruptCacheEntryIsReplacedAndValidOneTrusted()
    {
        FaultServer server;
        QVERIFY(server.start());
        QTemporaryDir tmp;
        CutoutServiceSpec spec;
        spec.baseUrl = server.legacyUrl();
        CutoutFetcher fetcher(spec, fastOptions(tmp.path()));
        const auto jpeg = readAll(QDir(ringImagesDir()).filePath("J001655.18-002739.1.jpg"));

        // A truncated file under the final name (from some other tool), an HTML page, and a good file.
        const std::string cut = fetcher.cachePath(1, 1), page = fetcher.cachePath(2, 2),
                          good = fetcher.cachePath(3, 3);
        writeFileAtomically(cut, jpeg.data(), jpeg.size() / 2);
        const std::string html = "<html><body>Service unavailable</body></html>";
        writeFileAtomically(page, reinterpret_cast<const std::uint8_t*>(html.data()), html.size());
        writeFileAtomically(good, jpeg.data(), jpeg.size());
        // A .part left by a process that has died, and one by a live process (this one is "live": pid 1).
        QProcess dead;
        dead.start("/bin/true");
        QVERIFY(dead.waitForStarted(5000));
        const qint64 deadPid = dead.processId();
        QVERIFY(dead.waitForFinished(5000));
        const QString deadPart = QString::fromStdString(cut) + ".part." + QString::number(deadPid) + ".1";
        const QString livePart = QString::fromStdString(cut) + ".part.1.1";
        for (const QString& p : {deadPart, livePart}) {
            QFile f(p);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("half");
        }

        std::map<std::size_t, CutoutResult> results;
        const CutoutFetchSummary sum = fetcher.fetch({{1, 1, 1}, {2, 2, 2}, {3, 3, 3}},
                                                     [&](const CutoutResult& r) { results[r.id] = r; });
        QCOMPARE(sum.downloaded, std::size_t(2));
        QCOMPARE(sum.alreadyCached, std::size_t(1));
        QCOMPARE(sum.replacedCorrupt, std::size_t(2));
        QVERIFY2(results[1].replaced.rfind("truncated JPEG", 0) == 0, results[1].replaced.c_str());
        QVERIFY2(results[2].replaced.rfind("body is HTML", 0) == 0, results[2].replaced.c_str());
        QVERIFY(results[3].fromCache);
        QCOMPARE(results[3].attempts, 0);
        for (const auto& p : {cut, page, good})
            QVERIFY(validateImageFile(p).ok);
        const QJsonObject byKey = server.stats().value("by_key").toObject();
        QCOMPARE(byKey.value(key(3, 3)).toInt(), 0); // the valid file was trusted, not fetched again
        QCOMPARE(byKey.value(key(1, 1)).toInt(), 1);
        QVERIFY(!QFileInfo::exists(deadPart));
        QVERIFY(QFileInfo::exists(livePart));
        QFile::remove(livePart);

        // SDSS form, one request in the calling thread.
        CutoutServiceSpec sdss = CutoutServiceSpec::defaults("sdss");
        sdss.baseUrl = server.sdssUrl();
        CutoutFetcher sdssFetcher(sdss, fastOptions(tmp.path()));
        const CutoutResult one = sdssFetcher.fetchOne({7, 40.5, 0.5});
        QVERIFY2(one.state == CutoutState::Cached, one.error.c_str());
        QVERIFY(QString::fromStdString(one.path).contains("sdss_dr17_0.396_256"));
        // A position the services cannot be asked for is a failure with its reason, not a crash or a drop.
        const CutoutResult bad = sdssFetcher.fetchOne({8, NAN, 0});
        QCOMPARE(bad.state, CutoutState::Failed);
        QVERIFY2(bad.error.find("not a number") != std::string::npos, bad.error.c_str());
    }

    void rateLimitHoldsAcrossConnections()
    {
        FaultServer server;
        QVERIFY(server.start());
        QTemporaryDir tmp;
        CutoutServiceSpec spec;
        spec.baseUrl = server.legacyUrl();
        CutoutFetchOptions o = fastOptions(tmp.path());
        o.parallel = 4;
        o.ratePerSecond = 8;
        CutoutFetcher fetcher(spec, o);
        std::vector<CutoutRequest> reqs;
        for (std::size_t i = 0; i < 17; ++i)
            reqs.push_back({i, 50.0 + i, 10.0});
        QElapsedTimer t;
        t.start();
        const CutoutFetchSummary sum = fetcher.fetch(reqs);
        const double wall = t.elapsed() / 1000.0;
        QCOMPARE(sum.downloaded, reqs.size());
        // 17 requests at 8/s: the last may start no sooner than 2 s after the first.
        QVERIFY2(wall >= 1.9, qPrintable(QString("17 requests at 8/s took %1 s").arg(wall)));
        std::vector<double> times;
        for (const auto& e : server.stats().value("events").toArray())
            times.push_back(e.toArray().at(0).toDouble());
        QCOMPARE(times.size(), reqs.size());
        std::sort(times.begin(), times.end());
        // Server side: no one-second window holds more than 8 requests (+2: a thread the scheduler delays
        // sends its request late, next to the following slot's).
        for (std::size_t i = 0; i < times.size(); ++i) {
            const auto inWindow =
                std::upper_bound(times.begin(), times.end(), times[i] + 1.0) - (times.begin() + i);
            QVERIFY2(inWindow <= 10, qPrintable(QString("%1 requests within one second").arg(inWindow)));
        }
        QVERIFY(times.back() - times.front() >= 1.9);
    }

    // --- the CLI: the queue in the project, failures kept, resumption after SIGKILL
    // --------------------------
    void cliRecordsFailuresAndRetriesThem()
    {
        FaultServer server;
        QVERIFY(server.start());
        QTemporaryDir tmp;
        const QString project = tmp.filePath("p.rmproj");
        QVERIFY(makeProject(project, tmp.filePath("c.csv"), 6, 120.0));
        QJsonObject plan;
        plan[key(120.0 + 2 * 0.25, 2.0 + 2 * 0.125)] = QJsonArray{"500"};
        plan[key(120.0 + 4 * 0.25, 2.0 + 4 * 0.125)] = QJsonArray{"html", "ok"};
        QVERIFY(server.setPlan(plan));
        const QStringList common = {"cutouts",
                                    "fetch",
                                    project,
                                    "--catalog",
                                    "c",
                                    "--base-url",
                                    QString::fromStdString(server.legacyUrl()),
                                    "--rate",
                                    "0",
                                    "--retries",
                                    "2",
                                    "--backoff",
                                    "0.05",
                                    "--timeout",
                                    "5",
                                    "--json"};
        auto r = rmtest::runCli(common, 60000);
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QJsonObject j = r.json();
        QCOMPARE(j.value("requested").toInt(), 6);
        QCOMPARE(j.value("cached").toInt(), 5);
        QCOMPARE(j.value("failed").toInt(), 1);
        QCOMPARE(j.value("failures").toArray().at(0).toObject().value("row").toInt(), 2);
        QCOMPARE(j.value("failures").toArray().at(0).toObject().value("error").toString(),
                 QString("HTTP 500"));
        QVERIFY(j.value("image_source_set").toBool());
        {
            auto store = ProjectStore::open(project.toStdString());
            CutoutLedger ledger(store->db(), "legacysurvey_ls-dr10_0.262_256", store->catalog("c").id);
            const auto rows = ledger.load();
            QCOMPARE(rows.size(), std::size_t(6));
            QCOMPARE(rows.at(2).state, std::string("failed"));
            QCOMPARE(rows.at(2).error, std::string("HTTP 500"));
            QCOMPARE(rows.at(2).attempts, 3);
            QCOMPARE(rows.at(4).state, std::string("cached"));
            QCOMPARE(rows.at(4).attempts, 2);
            QVERIFY(validateImageFile(rows.at(4).cachePath).ok);
            // The catalog now has this service as its image source, and it reads the cache.
            registerCutoutImageSources();
            auto spec = store->db().queryText("SELECT spec_json FROM image_sources");
            QVERIFY(spec.has_value());
            auto src = makeImageSource(*spec, {"", store->filesDir() + "/cutouts"});
            GalaxyRef g;
            g.ra = 120.0;
            g.dec = 2.0;
            QCOMPARE(src->probe(g), ImagePresence::Present);
        }
        // Without --retry-failed the failure is kept and reported, not asked again.
        r = rmtest::runCli(common, 60000);
        j = r.json();
        QCOMPARE(j.value("requested").toInt(), 0);
        QCOMPARE(j.value("already_cached").toInt(), 5);
        QCOMPARE(j.value("skipped_failed").toInt(), 1);
        QCOMPARE(j.value("http_requests").toInt(), 0);
        r = rmtest::runCli({"cutouts", "status", project, "--catalog", "c", "--json"});
        QCOMPARE(r.json().value("failed").toInt(), 1);
        QCOMPARE(r.json().value("failures").toArray().at(0).toObject().value("error").toString(),
                 QString("HTTP 500"));
        // The server recovers; --retry-failed gets the last one.
        QVERIFY(server.setPlan({}));
        r = rmtest::runCli(QStringList(common) << "--retry-failed", 60000);
        j = r.json();
        QCOMPARE(j.value("requested").toInt(), 1);
        QCOMPARE(j.value("cached").toInt(), 1);
        QCOMPARE(j.value("failed").toInt(), 0);
        r = rmtest::runCli({"cutouts", "status", project, "--catalog", "c", "--json"});
        QCOMPARE(r.json().value("cached").toInt(), 6);
        QCOMPARE(r.json().value("failed").toInt(), 0);

        // A cached file damaged behind the project's back: --verify finds it and fetches it again.
        const QStringList cached = filesUnder(tmp.filePath("p.rmproj.files/cutouts"), "*.jpg");
        QCOMPARE(cached.size(), 6);
        QVERIFY(QFile::resize(cached.first(), 5000));
        r = rmtest::runCli(QStringList(common) << "--verify", 60000);
        j = r.json();
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QCOMPARE(j.value("replaced_corrupt").toInt(), 1);
        QCOMPARE(j.value("cached").toInt(), 1);
        QCOMPARE(j.value("already_cached").toInt(), 5);
        QCOMPARE(j.value("http_requests").toInt(), 1);
        QVERIFY(validateImageFile(cached.first().toStdString()).ok);
    }

    void killedDownloadResumesWithoutCorruptEntries()
    {
        FaultServer server;
        QVERIFY(server.start("stall:0.5")); // every body arrives in two halves, half a second apart
        QTemporaryDir tmp;
        const QString project = tmp.filePath("k.rmproj");
        const int n = 24;
        QVERIFY(makeProject(project, tmp.filePath("k.csv"), n, 200.0));
        const QString cacheRoot = tmp.filePath("k.rmproj.files/cutouts/legacysurvey_ls-dr10_0.262_256");
        const QStringList args = {"cutouts",
                                  "fetch",
                                  project,
                                  "--catalog",
                                  "c",
                                  "--base-url",
                                  QString::fromStdString(server.legacyUrl()),
                                  "--parallel",
                                  "3",
                                  "--rate",
                                  "0",
                                  "--json"};
        QProcess cli;
        cli.start(rmtest::cliPath(), args);
        QVERIFY(cli.waitForStarted(5000));
        QElapsedTimer t;
        t.start();
        while (filesUnder(cacheRoot, "*.jpg").size() < 6 && t.elapsed() < 20000)
            QThread::msleep(20);
        cli.kill(); // SIGKILL: no chance to tidy up
        QVERIFY(cli.waitForFinished(5000));
        QCOMPARE(cli.exitStatus(), QProcess::CrashExit);

        // Whatever made it into the cache is whole; the rest is not there at all.
        const QStringList survivors = filesUnder(cacheRoot, "*.jpg");
        QVERIFY2(survivors.size() >= 6 && survivors.size() < n,
                 qPrintable(QString::number(survivors.size())));
        for (const QString& f : survivors)
            QVERIFY2(validateImageFile(f.toStdString()).ok, qPrintable("corrupt after SIGKILL: " + f));
        {
            auto store = ProjectStore::open(project.toStdString());
            CutoutLedger ledger(store->db(), "legacysurvey_ls-dr10_0.262_256", store->catalog("c").id);
            const CutoutLedgerCounts c = ledger.counts();
            QVERIFY(c.cached <= std::size_t(survivors.size()));
            QCOMPARE(c.pending + c.cached, std::size_t(n)); // the rest is queued, not lost
        }
        const QJsonObject before = server.stats().value("by_key").toObject();

        QVERIFY(server.setDefault("ok"));
        auto r = rmtest::runCli(args, 60000);
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const QJsonObject j = r.json();
        QCOMPARE(j.value("failed").toInt(), 0);
        QCOMPARE(j.value("cached").toInt() + j.value("already_cached").toInt(), n);
        QCOMPARE(j.value("already_cached").toInt(), survivors.size());
        QCOMPARE(filesUnder(cacheRoot, "*.jpg").size(), n);
        for (const QString& f : filesUnder(cacheRoot, "*.jpg"))
            QVERIFY(validateImageFile(f.toStdString()).ok);
        QVERIFY(filesUnder(tmp.path(), "*.part*").isEmpty());
        // Nothing that was already cached was downloaded again.
        const QJsonObject after = server.stats().value("by_key").toObject();
        for (const QString& f : survivors) {
            const QString name = QFileInfo(f).completeBaseName(); // "200.250000_+1.125000"
            const double ra = name.section('_', 0, 0).toDouble(), dec = name.section('_', 1, 1).toDouble();
            QCOMPARE(after.value(key(ra, dec)).toInt(), before.value(key(ra, dec)).toInt());
        }
        auto s = rmtest::runCli({"cutouts", "status", project, "--catalog", "c", "--json"});
        QCOMPARE(s.json().value("cached").toInt(), n);
        QCOMPARE(s.json().value("pending").toInt(), 0);
    }

private:
    // A project with one catalog "c" of n positions ra0 + 0.25 i, 2 + 0.125 i.
    static bool makeProject(const QString& project, const QString& csv, int n, double ra0)
    {
        std::ofstream out(csv.toStdString());
        out << "name,ra,dec\n";
        for (int i = 0; i < n; ++i)
            out << "g" << i << "," << ra0 + 0.25 * i << "," << 2.0 + 0.125 * i << "\n";
        out.close();
        auto r = rmtest::runCli({"project", "new", project, "--json"});
        if (r.exitCode != 0) return false;
        r = rmtest::runCli({"catalog", "import", project, csv, "--name", "c", "--json"});
        return r.exitCode == 0 && r.json().value("rows").toInt() == n;
    }
};

QTEST_GUILESS_MAIN(TestCutoutFetcher)
#include "test_cutout_fetcher.moc"

// The decoded-image cache (build, mmap read, failure flags, refusing damaged files) and the batch loader on
// top of it (coverage of every index per epoch, shapes, determinism, prefetch, clean shutdown).
#include "TestData.h"
#include "TimingBounds.h"

#include "cache/DecodedCache.h"
#include "cache/DecodedCacheBuilder.h"
#include "cache/FileRecordSource.h"
#include "cache/TargetSetCache.h"
#include "imaging/ImageDecode.h"
#include "imaging/ImageErrors.h"
#include "store/ProjectStore.h"
#include "training/BatchLoader.h"

#include <QDirIterator>
#include <QElapsedTimer>
#include <QFile>
#include <QtTest>

#include <fstream>
#include <set>
#include <sstream>

using namespace rm;

namespace {

// The 377 real cutouts, as cache items keyed by IAU name.
std::vector<CacheItem> realItems(const std::string& labels)
{
    const std::string dir = QFileInfo(QString::fromStdString(labels)).absolutePath().toStdString();
    std::ifstream in(labels);
    std::string line;
    std::getline(in, line);
    std::vector<CacheItem> items;
    while (std::getline(in, line)) {
        std::stringstream ls(line);
        std::string iauname, file;
        std::getline(ls, iauname, ',');
        std::getline(ls, file, ',');
        if (file.empty()) continue;
        CacheItem item;
        item.key = iauname;
        item.path = dir + "/" + file;
        items.push_back(std::move(item));
    }
    return items;
}

// Synthetic items whose every pixel encodes the record index, so a batch sample can be traced to its record.
std::vector<CacheItem> codedItems(std::size_t n, int size)
{
    std::vector<CacheItem> items;
    for (std::size_t i = 0; i < n; ++i) {
        CacheItem item;
        item.key = "g" + std::to_string(i);
        item.load = [i, size] {
            Image im(size, size, 3);
            for (std::size_t p = 0; p < im.pixels.size(); p += 3) {
                im.pixels[p] = static_cast<std::uint8_t>(i % 256);
                im.pixels[p + 1] = static_cast<std::uint8_t>(i / 256);
                im.pixels[p + 2] = static_cast<std::uint8_t>((p / 3) % 256);
            }
            return im;
        };
        items.push_back(std::move(item));
    }
    return items;
}

std::shared_ptr<DecodedCache> codedCache(const QTemporaryDir& tmp, std::size_t n, int size)
{
    const std::string path = tmp.filePath("coded.rmcache").toStdString();
    CacheBuildOptions o;
    o.prepare = PrepareParams{size, size, 3, 1.0};
    o.threads = 2;
    buildDecodedCache(path, codedItems(n, size), o);
    return DecodedCache::open(path);
}

std::vector<std::size_t> allIndices(std::size_t n)
{
    std::vector<std::size_t> v(n);
    for (std::size_t i = 0; i < n; ++i)
        v[i] = i;
    return v;
}

std::string openError(const std::string& path)
{
    try {
        DecodedCache::open(path);
    } catch (const InputError& e) {
        return e.what();
    }
    return {};
}

} // namespace

class TestDecodedCache : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void roundTripEqualsDirectDecodeByteForByte()
    {
        RM_REQUIRE_IMAGE_DECODING();
        RM_SHARED_DATA(labels, "images/gzdecals_ring470/labels.csv");
        const auto items = realItems(labels);
        QCOMPARE(items.size(), std::size_t(377));
        QTemporaryDir tmp;
        for (int channels : {3, 1}) {
            const std::string path = tmp.filePath(QString("real%1.rmcache").arg(channels)).toStdString();
            CacheBuildOptions o;
            o.prepare = PrepareParams{224, 224, channels, 1.0};
            o.threads = 2;
            o.extra = {{"target_set", "test"}};
            std::size_t lastDone = 0;
            o.progress = [&](std::size_t done, std::size_t total) {
                lastDone = std::max(lastDone, done);
                return total == 377;
            };
            const CacheBuildReport report = buildDecodedCache(path, items, o);
            QCOMPARE(report.ok, std::size_t(377));
            QCOMPARE(lastDone, std::size_t(377));
            const auto cache = DecodedCache::open(path);
            QCOMPARE(cache->size(), std::size_t(377));
            QCOMPARE(cache->width(), 224);
            QCOMPARE(cache->channels(), channels);
            QCOMPARE(cache->params()["extra"]["target_set"].get<std::string>(), std::string("test"));
            const std::size_t step = channels == 3 ? 1 : 10; // every image once; a sample of them in grey
            for (std::size_t i = 0; i < items.size(); i += step) {
                const Image direct = prepareImage(decodeImageFile(items[i].path), o.prepare);
                const ImageView rec = cache->record(i);
                QCOMPARE(cache->key(i), items[i].key);
                QVERIFY2(std::equal(direct.pixels.begin(), direct.pixels.end(), rec.data),
                         items[i].path.c_str());
            }
            QCOMPARE(*cache->find(items[5].key), std::size_t(5));
        }
        // Nothing but the finished files is left in the folder (written under a temporary name, then
        // renamed).
        QCOMPARE(QDir(tmp.path()).entryList(QDir::Files).size(), 2);
    }

    // A killed build's temporary file is removed by the next build of that cache; a live process's is kept.
    void staleTemporaryFilesAreRemoved()
    {
        QTemporaryDir tmp;
        const QString path = tmp.filePath("coded.rmcache");
        QProcess gone;
        gone.start("sleep", {"0"});
        QVERIFY(gone.waitForStarted());
        const qint64 deadPid = gone.processId();
        QVERIFY(gone.waitForFinished());
        const QString stale = path + QString(".tmp.%1.0").arg(deadPid);
        const QString live = path + QString(".tmp.%1.3").arg(QCoreApplication::applicationPid());
        const QString other = tmp.filePath("other.rmcache") + QString(".tmp.%1.0").arg(deadPid);
        for (const QString& f : {stale, live, other}) {
            QFile file(f);
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write("half a cache");
        }
        CacheBuildOptions o;
        o.prepare = PrepareParams{16, 16, 3, 1.0};
        buildDecodedCache(path.toStdString(), codedItems(4, 16), o);
        QVERIFY(!QFile::exists(stale));
        QVERIFY(QFile::exists(live));  // this process is alive
        QVERIFY(QFile::exists(other)); // another cache's files are not this build's business
        QVERIFY(DecodedCache::open(path.toStdString()));
    }

    void failedRecordsAreFlagged()
    {
        RM_REQUIRE_IMAGE_DECODING();
        RM_SHARED_DATA(jpeg, "images/gzdecals_ring470/J001655.18-002739.1.jpg");
        QTemporaryDir tmp;
        const QString html = tmp.filePath("error.jpg");
        {
            QFile f(html);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("<html><body>Too many requests</body></html>");
        }
        std::vector<CacheItem> items(4);
        items[0] = {"good", jpeg, {}};
        items[1] = {"missing", tmp.filePath("nope.jpg").toStdString(), {}};
        items[2] = {"html", html.toStdString(), {}};
        items[3] = {"throws", "", []() -> Image { throw Error("loader failed"); }};
        const std::string path = tmp.filePath("mixed.rmcache").toStdString();
        CacheBuildOptions o;
        o.prepare = PrepareParams{32, 32, 3, 1.0};
        const auto report = buildDecodedCache(path, items, o);
        QCOMPARE(report.ok, std::size_t(1));
        QCOMPARE(report.missing, std::size_t(1));
        QCOMPARE(report.corrupt, std::size_t(1));
        QCOMPARE(report.failed, std::size_t(1));
        const auto cache = DecodedCache::open(path);
        QVERIFY(cache->status(0) == RecordStatus::Ok);
        QVERIFY(cache->status(1) == RecordStatus::Missing);
        QVERIFY(cache->status(2) == RecordStatus::Corrupt);
        QVERIFY(cache->status(3) == RecordStatus::Failed);
        QVERIFY(cache->error(1).find("nope.jpg") != std::string::npos);
        QVERIFY(cache->error(2).find("HTML") != std::string::npos);
        QVERIFY(cache->error(3).find("loader failed") != std::string::npos);
        QCOMPARE(cache->okCount(), std::size_t(1));
        try {
            cache->record(2);
            QFAIL("a failed record must not read as an image");
        } catch (const Error& e) {
            QVERIFY(std::string(e.what()).find("html") != std::string::npos);
        }
        // The loader leaves failed records out and says which.
        BatchLoaderOptions lo;
        lo.view.width = lo.view.height = 32;
        lo.threads = 1;
        BatchLoader loader(cache, allIndices(4), lo);
        QCOMPARE(loader.excluded(), (std::vector<std::size_t>{1, 2, 3}));
        QCOMPARE(loader.samplesPerEpoch(), std::size_t(1));

        // Duplicate keys are refused before anything is written.
        items[1].key = "good";
        QVERIFY_THROWS_EXCEPTION(Error,
                                 buildDecodedCache(tmp.filePath("dup.rmcache").toStdString(), items, o));
        QVERIFY(!QFile::exists(tmp.filePath("dup.rmcache")));
    }

    void damagedFilesAreRefused()
    {
        QTemporaryDir tmp;
        const auto cache = codedCache(tmp, 10, 16);
        QFile f(QString::fromStdString(cache->path()));
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray good = f.readAll();
        auto variant = [&](const char* name, QByteArray bytes) {
            const QString p = tmp.filePath(name);
            QFile out(p);
            out.open(QIODevice::WriteOnly);
            out.write(bytes);
            return p.toStdString();
        };
        QByteArray badMagic = good;
        badMagic[0] = 'X';
        QByteArray badVersion = good;
        badVersion[8] = 9;
        QByteArray badStatus = good;
        badStatus[128 + 3] = 77;
        QByteArray badGeometry = good;
        badGeometry[24] = 2; // channels = 2
        struct Case
        {
            std::string path;
            const char* says;
        };
        const Case cases[] = {
            {variant("magic", badMagic), "wrong magic"},
            {variant("version", badVersion), "format version 9"},
            {variant("status", badStatus), "unknown status byte"},
            {variant("geometry", badGeometry), "bad image geometry"},
            {variant("truncated", good.left(good.size() - 100)), "truncated"},
            {variant("short", good.left(40)), "shorter than the header"},
            {variant("longer", good + QByteArray(10, '\0')), "the file has"},
            {variant("trailer", good.left(good.size() - 3) + "}}}"), "damaged trailer"},
            {variant("empty", QByteArray()), "shorter than the header"},
        };
        for (const auto& c : cases) {
            const std::string e = openError(c.path);
            QVERIFY2(e.find(c.path) != std::string::npos, e.c_str());
            QVERIFY2(e.find(c.says) != std::string::npos, (c.path + ": " + e).c_str());
        }
        QVERIFY(openError(tmp.filePath("absent").toStdString()).find("cannot open") != std::string::npos);
    }

    void loaderCoversEveryIndexOncePerEpoch()
    {
        QTemporaryDir tmp;
        const std::size_t n = 103;
        const auto cache = codedCache(tmp, n, 16);
        BatchLoaderOptions o;
        o.batchSize = 10;
        o.view.width = o.view.height = 16;
        o.threads = 3;
        o.prefetch = 2;
        o.seed = 5;
        BatchLoader loader(cache, allIndices(n), o);
        QCOMPARE(loader.batchesPerEpoch(), std::size_t(11));
        std::vector<std::size_t> firstOrder;
        for (std::uint64_t epoch = 0; epoch < 3; ++epoch) {
            loader.startEpoch(epoch);
            std::multiset<std::size_t> seen;
            std::vector<std::size_t> order;
            std::size_t batches = 0;
            while (auto b = loader.next()) {
                QCOMPARE(b->number, batches);
                QCOMPARE(b->epoch, epoch);
                QCOMPARE(b->size, batches == 10 ? 3 : 10);
                QCOMPARE(b->channels, 3);
                QCOMPARE(b->height, 16);
                QCOMPARE(b->data.size(), std::size_t(b->size) * 3 * 16 * 16);
                for (int i = 0; i < b->size; ++i) {
                    const std::size_t rec = b->indices[i];
                    QVERIFY(b->valid[i]);
                    // Evaluation view, same size: the sample is the record, channel 0 holds rec % 256.
                    QCOMPARE(b->sample(i)[0], float(rec % 256) / 255.0f);
                    QCOMPARE(b->sample(i)[16 * 16], float(rec / 256) / 255.0f);
                    seen.insert(rec);
                    order.push_back(rec);
                }
                ++batches;
                loader.recycle(std::move(*b));
            }
            QCOMPARE(batches, std::size_t(11));
            QCOMPARE(seen.size(), n);
            QCOMPARE(std::set<std::size_t>(seen.begin(), seen.end()).size(), n); // each exactly once
            if (epoch == 0)
                firstOrder = order;
            else
                QVERIFY(order != firstOrder); // reshuffled every epoch
        }
        // drop_last leaves out the short batch.
        o.dropLast = true;
        BatchLoader dropping(cache, allIndices(n), o);
        dropping.startEpoch(0);
        std::size_t count = 0;
        while (auto b = dropping.next())
            count += b->size;
        QCOMPARE(count, std::size_t(100));
    }

    void batchesDoNotDependOnThreads()
    {
        QTemporaryDir tmp;
        const auto cache = codedCache(tmp, 40, 24);
        auto collect = [&](int threads) {
            BatchLoaderOptions o;
            o.batchSize = 8;
            o.view.width = o.view.height = 20;
            o.view.channels = 1;
            o.view.augment = true;
            o.threads = threads;
            o.seed = 99;
            BatchLoader loader(cache, allIndices(40), o);
            loader.startEpoch(4);
            std::vector<float> all;
            while (auto b = loader.next())
                all.insert(all.end(), b->data.begin(), b->data.end());
            return all;
        };
        const auto one = collect(1);
        QCOMPARE(one.size(), std::size_t(40 * 20 * 20));
        QCOMPARE(collect(4), one);
    }

    void nextEpochIsPrefetched()
    {
        QTemporaryDir tmp;
        const auto cache = codedCache(tmp, 30, 16);
        BatchLoaderOptions o;
        o.batchSize = 8; // 4 batches per epoch
        o.view.width = o.view.height = 16;
        o.view.augment = true;
        o.threads = 2;
        o.prefetch = 3;
        BatchLoader loader(cache, allIndices(30), o);
        loader.startEpoch(0);
        std::vector<std::vector<float>> epoch1;
        while (auto b = loader.next()) {
        }
        // While the consumer is elsewhere (validation), the workers build the next epoch's first batches.
        QTRY_COMPARE(loader.readyAhead(), std::size_t(3));
        const double waited = loader.waitSeconds();
        loader.startEpoch(1);
        for (int i = 0; i < 3; ++i) {
            auto b = loader.next();
            QVERIFY(b && b->epoch == 1 && b->number == std::size_t(i));
            epoch1.push_back(b->data);
        }
        QCOMPARE(loader.waitSeconds(), waited); // those three were handed out without waiting
        // Prefetched batches are the same as batches built on demand.
        BatchLoaderOptions cold = o;
        cold.prefetchNextEpoch = false;
        BatchLoader fresh(cache, allIndices(30), cold);
        fresh.startEpoch(1);
        for (int i = 0; i < 3; ++i)
            QCOMPARE(fresh.next()->data, epoch1[i]);
        // Starting some other epoch drops the speculative one.
        loader.startEpoch(7);
        auto b = loader.next();
        QVERIFY(b && b->epoch == 7 && b->number == 0);
    }

    void shutsDownCleanlyMidEpoch()
    {
        QTemporaryDir tmp;
        const auto cache = codedCache(tmp, 200, 32);
        BatchLoaderOptions o;
        o.batchSize = 4;
        o.view.width = o.view.height = 32;
        o.view.augment = true;
        o.threads = 3;
        o.prefetch = 3;
        QElapsedTimer timer;
        timer.start();
        {
            BatchLoader loader(cache, allIndices(200), o);
            loader.startEpoch(0);
            QVERIFY(loader.next().has_value());
            QVERIFY(loader.next().has_value());
            // Restarting mid-epoch starts over at batch 0.
            loader.startEpoch(1);
            auto b = loader.next();
            QVERIFY(b && b->number == 0 && b->epoch == 1);
            loader.stop();
            QVERIFY(!loader.next().has_value());
        }
        {
            BatchLoader loader(cache, allIndices(200), o);
            loader.startEpoch(0);
            QVERIFY(loader.next().has_value());
        } // destroyed with workers busy and batches queued
        {
            BatchLoader idle(cache, allIndices(200), o); // never started
        }
        QVERIFY(timer.elapsed() < rmtest::timeBound(5000));
    }

    void loaderServesFromFilesToo()
    {
        RM_REQUIRE_IMAGE_DECODING();
        RM_SHARED_DATA(labels, "images/gzdecals_ring470/labels.csv");
        auto items = realItems(labels);
        items.resize(20);
        QTemporaryDir tmp;
        const std::string path = tmp.filePath("part.rmcache").toStdString();
        CacheBuildOptions co;
        co.prepare = PrepareParams{64, 64, 3, 1.0};
        buildDecodedCache(path, items, co);
        BatchLoaderOptions o;
        o.batchSize = 6;
        o.view.width = o.view.height = 48;
        o.view.augment = true;
        o.seed = 3;
        o.threads = 2;
        auto drain = [&](std::shared_ptr<const RecordSource> source) -> std::vector<float> {
            BatchLoader loader(std::move(source), allIndices(20), o);
            loader.startEpoch(2);
            std::vector<float> all;
            while (auto b = loader.next()) {
                for (int i = 0; i < b->size; ++i)
                    if (!b->valid[i]) return {};
                all.insert(all.end(), b->data.begin(), b->data.end());
            }
            return all;
        };
        const auto cached = drain(DecodedCache::open(path));
        QCOMPARE(cached.size(), std::size_t(20 * 3 * 48 * 48));
        QCOMPARE(drain(std::make_shared<FileRecordSource>(items, co.prepare)), cached);

        // A file that breaks after the epoch was planned marks its sample invalid instead of stopping
        // training.
        items[3].path = tmp.filePath("gone.jpg").toStdString();
        BatchLoader loader(std::make_shared<FileRecordSource>(items, co.prepare), allIndices(20), o);
        loader.startEpoch(0);
        int invalid = 0;
        while (auto b = loader.next())
            for (int i = 0; i < b->size; ++i)
                if (!b->valid[i]) {
                    ++invalid;
                    QCOMPARE(b->indices[i], std::size_t(3));
                    QVERIFY(b->errors[i].find("gone.jpg") != std::string::npos);
                    QCOMPARE(b->sample(i)[0], 0.0f);
                }
        QCOMPARE(invalid, 1);
    }

    void cliCachesATargetSet()
    {
        RM_REQUIRE_IMAGE_DECODING();
        RM_SHARED_DATA(labels, "images/gzdecals_ring470/labels.csv");
        const QString dir = QFileInfo(QString::fromStdString(labels)).absolutePath();
        QTemporaryDir tmp;
        const QString project = tmp.filePath("rings.rmproj");
        QCOMPARE(rmtest::runCli({"project", "new", project}).exitCode, 0);
        auto r = rmtest::runCli({"catalog", "import", project, QString::fromStdString(labels), "--name",
                                 "decals", "--role", "labelled", "--label-column", "ring", "--json"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        r = rmtest::runCli({"targets", "build", project, "--name", "gzd", "--labelled", "decals", "--json"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));

        // Without an image source the error says how to set one.
        r = rmtest::runCli({"cutouts", "cache", project, "--target-set", "gzd", "--size", "64", "--json"});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("has no image source") && r.err.contains("cutouts source"),
                 qPrintable(r.err));

        r = rmtest::runCli({"cutouts", "source", project, "decals", "--folder", dir, "--template",
                            "{iauname}.jpg", "--json"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QCOMPARE(r.json()["present"].toInt(), 20);

        for (int pass = 0; pass < 2; ++pass) { // a second run replaces the file and its image_caches row
            r = rmtest::runCli({"cutouts", "cache", project, "--target-set", "gzd", "--size", "64",
                                "--channels", "1", "--json"});
            QVERIFY2(r.exitCode == 0, qPrintable(r.err));
            const QJsonObject j = r.json();
            QCOMPARE(j["records"].toInt(), 377);
            QCOMPARE(j["images"].toInt(), 377);
            QCOMPARE(j["channels"].toInt(), 1);
            const auto cache = DecodedCache::open(j["path"].toString().toStdString());
            QCOMPARE(cache->size(), std::size_t(377));
            QCOMPARE(cache->width(), 64);
            QCOMPARE(cache->channels(), 1);
            QCOMPARE(cache->okCount(), std::size_t(377));
            QCOMPARE(cache->params()["extra"]["target_set"].get<std::string>(), std::string("gzd"));
            // Keys are "<catalog id>:<row>"; the record holds that row's image, decoded and prepared.
            const std::string key = cache->key(0);
            const std::size_t row = std::stoul(key.substr(key.find(':') + 1));
            std::vector<CacheItem> items = realItems(labels);
            const Image direct =
                prepareImage(decodeImageFile(items[row].path), PrepareParams{64, 64, 1, 1.0});
            QVERIFY(std::equal(direct.pixels.begin(), direct.pixels.end(), cache->record(0).data));
        }
        QCOMPARE(QDir(tmp.filePath("rings.rmproj.files/caches")).entryList(QDir::Files).size(), 1);

        // A project moved to another folder or machine (a GPU node that cannot decode JPEGs, say) finds its
        // caches in its own files folder, where the recorded path no longer exists.
        QVERIFY(QDir(tmp.path()).mkdir("moved"));
        QVERIFY(QFile::rename(project, tmp.filePath("moved/rings.rmproj")));
        QVERIFY(QDir().rename(tmp.filePath("rings.rmproj.files"), tmp.filePath("moved/rings.rmproj.files")));
        const auto store = ProjectStore::open(tmp.filePath("moved/rings.rmproj").toStdString());
        const auto moved = findTargetSetCache(*store, "gzd", PrepareParams{{64, 64, 1}, 1.0});
        QVERIFY(moved);
        QCOMPARE(moved->size(), std::size_t(377));
        QVERIFY(!findTargetSetCache(*store, "gzd", PrepareParams{{64, 64, 3}, 1.0}));
    }
};

QTEST_APPLESS_MAIN(TestDecodedCache)
#include "test_decoded_cache.moc"

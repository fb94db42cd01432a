// `ringminer-cli mine` end to end with a tiny run trained here: the real Galaxy Zoo DECaLS cutouts mined in
// shards, killed (SIGKILL) at several points and run again to byte-identical CSV and FITS; a manifest that
// does not match the command; bad images (missing, truncated JPEG, HTML saved as .jpg) and an unreadable row
// recorded with their reasons; the 1000 real unlabelled GZ2 images (ids only, no positions) all scored;
// templates that resolve nothing; the threshold at a target precision; FITS read back by astropy with the
// same values and the provenance; known rings flagged against the project's rings catalogs (Buta 2017);
// test-time augmentation; the result imported with role candidates (every output column); a contact sheet of
// the top candidates checked tile by tile with Pillow; a slice of the real abraham2024 catalog through the
// local fault server, download and mining each killed mid-way; and the same under mpirun -np 2.
#include "FaultServer.h"
#include "TestData.h"

#include "sources/GalaxyRef.h"
#include "sources/ImageSource.h"
#include "store/ProjectStore.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QStandardPaths>
#include <QThread>
#include <QtTest>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <csignal>
#include <fstream>
#include <random>

using rmtest::runCli;

class TestCliMining : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_project, m_labels, m_gzd;
    QString m_uninterrupted; // the output folder of one uninterrupted run

    static QStringList lines(const QString& path)
    {
        QFile f(path);
        if (!f.open(QIODevice::ReadOnly)) return {};
        return QString::fromUtf8(f.readAll()).split('\n', Qt::SkipEmptyParts);
    }
    static QByteArray bytes(const QString& path)
    {
        QFile f(path);
        return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
    }
    static void writeFile(const QString& path, const QByteArray& data)
    {
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(data);
    }
    // The mining command on the real cutouts into `out`.
    QStringList mineArgs(const QString& out, const QString& name) const
    {
        return {"mine",        m_project,    "--run",  "best",  "--catalog", m_labels,       "--folder",
                m_gzd,         "--template", "{file}", "--out", out,         "--shard-size", "25",
                "--threshold", "0.5",        "--name", name,    "--json"};
    }

private Q_SLOTS:
    void initTestCase()
    {
        RM_REQUIRE_IMAGE_DECODING();
        QVERIFY2(!rmtest::cliPath().isEmpty(), "RINGMINER_CLI is not set (run through ctest)");
        // Outputs carry the date the mining run started: pinned, so two runs can be compared byte for byte.
        qputenv("SOURCE_DATE_EPOCH", "1767225600");
        RM_SHARED_DATA(labels, "images/gzdecals_ring470/labels.csv");
        RM_SHARED_DATA(buta, "catalogs/buta2017_table2.csv");
        m_labels = QString::fromStdString(labels);
        m_gzd = QFileInfo(m_labels).absolutePath();
        const auto made = runCli({"demo", "make", m_dir.filePath("demo"), "--rings", "16", "--non-rings",
                                  "16", "--size", "40", "--json"});
        QVERIFY2(made.exitCode == 0, qPrintable(made.err));
        m_project = QDir::current().absoluteFilePath(made.json().value("project").toString());
        const QString matrix = m_dir.filePath("matrix.json");
        std::ofstream(matrix.toStdString()) << R"({"name": "mine", "target_sets": ["demo"],
          "models": [{"name": "cnn", "arch": "simple_cnn", "in_chans": 1, "modes": ["all_layers"]}],
          "defaults": {"image_size": 32, "epochs": 1, "batch_size": 8, "max_steps_per_epoch": 2,
                       "embedding_views": 1, "device": "cpu", "loader_threads": 1, "torch_threads": 1}})";
        const auto trained = runCli({"train", m_project, "--matrix", matrix, "--json"});
        QVERIFY2(trained.exitCode == 0, qPrintable(trained.err));
        const auto imported = runCli({"catalog", "import", m_project, QString::fromStdString(buta), "--name",
                                      "buta", "--role", "rings", "--json"});
        QVERIFY2(imported.exitCode == 0, qPrintable(imported.err));
    }

    void minesTheRealCutouts()
    {
        m_uninterrupted = m_dir.filePath("whole");
        const auto r = runCli(mineArgs(m_uninterrupted, "candidates_whole"));
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const QJsonObject j = r.json();
        QCOMPARE(j.value("complete").toBool(), true);
        QCOMPARE(j.value("rows").toInt(), 377);
        QCOMPARE(j.value("scored").toInt(), 377);
        QCOMPARE(j.value("shards").toInt(), 16);
        QCOMPARE(j.value("shards_scored").toInt(), 16);
        QCOMPARE(j.value("threshold").toDouble(), 0.5);
        // 75 of these galaxies are Buta 2017 rings within 5 arcsec (README of ../shared/data).
        QCOMPARE(j.value("known_rings").toInt(), 75);
        const QStringList csv = lines(m_uninterrupted + "/rings.csv");
        QCOMPARE(csv.size(), 378);
        // The template's `file` column is published too (last), so the candidates find their images.
        QCOMPARE(csv[0], QString("row,iauname,ra,dec,p_ring,is_ring,known_ring,known_catalog,known_id,"
                                 "known_sep_arcsec,error,file"));
        int known = 0, rings = 0;
        for (int i = 1; i < csv.size(); ++i) {
            const QStringList f = csv[i].split(',');
            QCOMPARE(f.size(), 12);
            QVERIFY2(f[11].endsWith(".jpg") && QFileInfo::exists(m_gzd + "/" + f[11]), qPrintable(csv[i]));
            QCOMPARE(f[0].toInt(), i - 1); // every input row, in order, 0-based as `catalog show`
            const double p = f[4].toDouble();
            QVERIFY(p >= 0 && p <= 1);
            QCOMPARE(f[5].toInt(), p >= 0.5 ? 1 : 0);
            rings += f[5].toInt();
            if (f[6] == "1") {
                ++known;
                QCOMPARE(f[7], QString("buta"));
                QVERIFY(!f[8].isEmpty());
                QVERIFY(f[9].toDouble() <= 5.0);
            }
            QVERIFY(f[10].isEmpty());
        }
        QCOMPARE(known, 75);
        QCOMPARE(j.value("rings").toInt(), rings);
        QCOMPARE(j.value("rings_new").toInt() + j.value("rings_known").toInt(), rings);

        // Imported into the project with role candidates.
        auto store = rm::ProjectStore::open(m_project.toStdString());
        const rm::CatalogInfo cat = store->catalog("candidates_whole");
        QCOMPARE(cat.role, rm::CatalogRole::Candidates);
        QCOMPARE(cat.rowCount, std::size_t(377));
        // Its template names `file`, which the candidates carry: they get the source mined with, and every
        // candidate's image is found through it (the workbench's cutouts; they had none before).
        const auto spec = store->imageSourceSpec(cat.id);
        QVERIFY(spec);
        QCOMPARE(QString::fromStdString(nlohmann::json::parse(*spec).value("template", std::string())),
                 QString("{file}"));
        QVERIFY2(!(r.out + r.err).contains("needs column"), qPrintable(r.out + r.err));
        rm::ImageSourceContext ctx;
        ctx.baseDir = QFileInfo(m_project).absolutePath().toStdString();
        const auto source = rm::makeImageSource(nlohmann::json::parse(*spec), ctx);
        const rm::Table candidates = store->loadTable(cat.id);
        QCOMPARE(candidates.rowCount(), std::size_t(377));
        for (std::size_t row = 0; row < candidates.rowCount(); row += 47) {
            const rm::GalaxyRef g = rm::GalaxyRef::fromTable(candidates, row);
            QVERIFY2(source->probe(g) == rm::ImagePresence::Present,
                     qPrintable(QString::fromStdString(source->locate(g))));
            QVERIFY(!source->load(g).empty());
        }

        // Running it again finds every shard done and writes the same bytes.
        const QByteArray before = bytes(m_uninterrupted + "/rings.fits");
        const auto again = runCli(mineArgs(m_uninterrupted, "candidates_whole"));
        QVERIFY2(again.exitCode == 0, qPrintable(again.err));
        QCOMPARE(again.json().value("shards_scored").toInt(), 0);
        QCOMPARE(again.json().value("shards_found").toInt(), 16);
        QCOMPARE(bytes(m_uninterrupted + "/rings.fits"), before);
    }

    void resumesAfterKillsToIdenticalBytes()
    {
        const QString out = m_dir.filePath("killed");
        std::mt19937 random(7);
        int kills = 0;
        // Kill after 1, 6 and 11 finished shards plus a random moment, then run to the end.
        for (int shardsBefore : {1, 6, 11}) {
            QProcess p;
            p.start(rmtest::cliPath(), mineArgs(out, "candidates_killed"));
            QVERIFY(p.waitForStarted());
            QElapsedTimer t;
            t.start();
            while (p.state() == QProcess::Running && t.elapsed() < 60000 &&
                   QDir(out + "/shards").entryList({"shard-*.scores"}).size() < shardsBefore)
                QThread::msleep(5);
            QThread::msleep(std::uniform_int_distribution<int>(0, 120)(random));
            if (p.state() == QProcess::Running) {
                ::kill(static_cast<pid_t>(p.processId()), SIGKILL);
                ++kills;
            }
            p.waitForFinished();
        }
        QVERIFY2(kills >= 2, "the runs finished before they could be killed");
        const int done = QDir(out + "/shards").entryList({"shard-*.scores"}).size();
        QVERIFY(done < 16);
        const auto r = runCli(mineArgs(out, "candidates_killed"));
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QCOMPARE(r.json().value("shards_found").toInt(), done);
        QCOMPARE(r.json().value("shards_scored").toInt(), 16 - done);
        QCOMPARE(bytes(out + "/rings.csv"), bytes(m_uninterrupted + "/rings.csv"));
        QCOMPARE(bytes(out + "/rings.fits"), bytes(m_uninterrupted + "/rings.fits"));
        QCOMPARE(bytes(out + "/rings.provenance.json"), bytes(m_uninterrupted + "/rings.provenance.json"));
        QVERIFY(QDir(out + "/shards").entryList({"*.tmp.*"}).isEmpty()); // a killed run's half shard is gone
    }

    void manifestMismatchIsAnError()
    {
        QStringList args = mineArgs(m_uninterrupted, "candidates_whole");
        args << "--tta";
        const auto r = runCli(args);
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("different command"), qPrintable(r.err));
        QVERIFY2(r.err.contains("options.tta: the folder has false, this command true"), qPrintable(r.err));
        // Another catalog file into the same folder: the input differs.
        const QString other = m_dir.filePath("first40.csv");
        writeFile(other, (lines(m_labels).mid(0, 41).join('\n') + "\n").toUtf8());
        QStringList args2 = mineArgs(m_uninterrupted, "candidates_whole");
        args2[args2.indexOf("--catalog") + 1] = other;
        const auto r2 = runCli(args2);
        QCOMPARE(r2.exitCode, 1);
        QVERIFY2(r2.err.contains("input.sha256") && r2.err.contains("input.rows"), qPrintable(r2.err));
        QVERIFY2(r2.err.contains("input.path"), qPrintable(r2.err));
    }

    void fitsReadBackByAstropy()
    {
        QProcess py;
        py.start("/usr/bin/python3", {QString::fromLocal8Bit(qgetenv("RINGMINER_SOURCE_DIR")) +
                                          "/tests/core/mining_fits_check.py",
                                      m_uninterrupted});
        QVERIFY(py.waitForFinished(120000));
        const QString out = QString::fromUtf8(py.readAllStandardOutput());
        QVERIFY2(py.exitCode() == 0, qPrintable(QString::fromUtf8(py.readAllStandardError())));
        QVERIFY(out.startsWith("OK"));
        const QJsonObject h = QJsonDocument::fromJson(out.section('\n', 1, 1).toUtf8()).object();
        const QJsonObject prov =
            QJsonDocument::fromJson(bytes(m_uninterrupted + "/rings.provenance.json")).object();
        QCOMPARE(h.value("RM_RUN").toInt(), prov.value("run").toInt());
        QCOMPARE(h.value("RM_CELL").toString(), QString("demo/cnn/all_layers"));
        QCOMPARE(h.value("RM_ARCH").toString(), QString("simple_cnn"));
        QCOMPARE(h.value("RM_MODE").toString(), QString("all_layers"));
        QCOMPARE(h.value("RM_WSHA").toString(), prov.value("weights_sha256").toString());
        QCOMPARE(h.value("RM_WSHA").toString().size(), 64);
        QCOMPARE(h.value("RM_THR").toDouble(), 0.5);
        QCOMPARE(h.value("RM_THRHW").toString(), QString("given (--threshold)"));
        QCOMPARE(h.value("RM_INSHA").toString(), prov.value("input").toObject().value("sha256").toString());
        QCOMPARE(h.value("RM_INPUT").toString(), QDir::cleanPath(m_labels)); // absolute, normalised
        QCOMPARE(h.value("RM_INROW").toInt(), 377);
        QCOMPARE(h.value("DATE").toString(), QString("2026-01-01T00:00:00Z"));
        QCOMPARE(h.value("RM_VERS").toString(), QString(RINGMINER_VERSION));
        QVERIFY(h.value("RM_KNOWN").toString().contains("buta"));
    }

    void thresholdAtPrecisionOnValidation()
    {
        // The same shards, another threshold: chosen at a target precision on the run's validation split.
        const QString out = m_dir.filePath("precision");
        QStringList args = mineArgs(out, "candidates_precision");
        const int at = args.indexOf("--threshold");
        args[at] = "--precision";
        args[at + 1] = "0.3";
        args[args.indexOf("{file}")] = "{iauname}.jpg"; // the same files, named by the id column
        const auto r = runCli(args);
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        {
            // The template needs only the id: the candidates catalog gets the image source, and its first
            // galaxy's cutout loads as the workbench would load it.
            auto store = rm::ProjectStore::open(m_project.toStdString());
            const rm::CatalogInfo cat = store->catalog("candidates_precision");
            const auto spec = store->imageSourceSpec(cat.id);
            QVERIFY(spec);
            const auto source = rm::makeImageSource(*spec);
            const rm::Image image =
                source->load(rm::GalaxyRef::fromTable(store->loadTable(cat.id), 0, cat.id));
            QVERIFY(image.width > 0 && image.height > 0);
        }
        const QJsonObject j = r.json();
        QVERIFY(j.value("val_precision").toDouble() >= 0.3);
        QVERIFY(j.value("threshold_how").toString().contains("precision >= 0.3"));
        const QJsonObject prov = QJsonDocument::fromJson(bytes(out + "/rings.provenance.json")).object();
        QCOMPARE(prov.value("threshold").toDouble(), j.value("threshold").toDouble());
        QCOMPARE(prov.value("target_precision").toDouble(), 0.3);
        QCOMPARE(prov.value("val_recall").toDouble(), j.value("val_recall").toDouble());
        // Scores do not depend on the threshold: same p_ring column as the uninterrupted run.
        const QStringList a = lines(out + "/rings.csv"), b = lines(m_uninterrupted + "/rings.csv");
        QCOMPARE(a.size(), b.size());
        for (int i = 1; i < a.size(); ++i)
            QCOMPARE(a[i].section(',', 4, 4), b[i].section(',', 4, 4));
    }

    // Images from a cutout service (the local fault server): the source reads only the download cache, so a
    // galaxy whose download failed would look merely missing; mining the catalog that was fetched takes the
    // reason from the project's ledger instead (a 500 after every retry, HTML labelled as a JPEG).
    void failedDownloadsKeepTheirReason()
    {
        rmtest::FaultServer server;
        QVERIFY(server.start());
        QJsonObject plan;
        plan[rmtest::key(10.1, 1.1)] = QJsonArray{"500"};
        plan[rmtest::key(10.2, 1.2)] = QJsonArray{"500"};
        plan[rmtest::key(10.3, 1.3)] = QJsonArray{"html_as_jpeg"};
        QVERIFY(server.setPlan(plan));
        const QString csv = m_dir.filePath("service.csv");
        writeFile(csv,
                  "name,ra,dec\na,10.1,1.1\nb,10.2,1.2\nc,10.3,1.3\nd,10.4,1.4\ne,10.5,1.5\nf,10.6,1.6\n");
        const QString url = QString::fromStdString(server.legacyUrl());
        QVERIFY(runCli({"catalog", "import", m_project, csv, "--name", "service6", "--role", "images"})
                    .exitCode == 0);
        const auto src =
            runCli({"cutouts", "source", m_project, "service6", "--spec",
                    "{\"kind\": \"legacysurvey\", \"base_url\": \"" + url + "\"}", "--allow-missing"});
        QVERIFY2(src.exitCode == 0, qPrintable(src.err));
        const auto fetched = runCli({"cutouts", "fetch", m_project, "--catalog", "service6", "--base-url",
                                     url, "--retries", "1", "--backoff", "0.05", "--timeout", "5", "--json"});
        QVERIFY2(fetched.err.contains("3 failed") || fetched.out.contains("\"failed\":3"),
                 qPrintable(fetched.out + fetched.err)); // recorded in the ledger, with their reasons

        const QString out = m_dir.filePath("service");
        const auto r =
            runCli({"mine", m_project, "--run", "best", "--catalog", "service6", "--images", "service6",
                    "--out", out, "--threshold", "0.5", "--name", "service6_candidates", "--json"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const QJsonObject j = r.json();
        QCOMPARE(j.value("scored").toInt(), 3);
        const QJsonObject reasons = j.value("not_scored_by_reason").toObject();
        QCOMPARE(reasons.value("download_failed").toInt(), 2);
        QCOMPARE(reasons.value("html_not_image").toInt(), 1);
        QVERIFY(!reasons.contains("missing_image"));
        const QStringList rows = lines(out + "/rings.csv");
        int explained = 0;
        for (const QString& row : rows)
            explained += row.contains("download failed after") && row.contains("HTTP 500");
        QCOMPARE(explained, 2);
    }

    // A slice of the real abraham2024 catalog (Abraham et al. 2024: 29,420 SDSS galaxies with their published
    // CNN Prediction) mined through the Legacy Surveys source pointed at the local fault server. The server
    // answers each position with a synthetic demo cutout: a ring where the published Prediction is >= 0.5, a
    // non-ring elsewhere, and fails on purpose for some positions (500 on every try, a timeout, a truncated
    // body, HTML labelled as a JPEG, a 500 then the image). The download and the mining are each SIGKILLed
    // mid-way and started again. Every row must come out scored or with its reason, the kills must lose
    // nothing (the same bytes as an uninterrupted mining), and each row's p_ring must be the score of the
    // very file the server handed out for its position (the plumbing keeps rows and cutouts together).
    // Agreement with Prediction is printed: on synthetic cutouts it measures the plumbing, not science.
    void abrahamSliceThroughAFailingServiceSurvivesKills()
    {
        RM_SHARED_DATA(abraham, "catalogs/abraham2024_sdss_ring_predictions.csv");
        const QStringList all = lines(QString::fromStdString(abraham));
        QCOMPARE(all.size(), 29421);
        QCOMPARE(all[0], QString("ra,dec,objid,gmag,deVRad_r,deVAB_g,redshift,Prediction,Label"));
        // 295 rows spread over the whole file (every 100th), as they are.
        QStringList slice = {all[0]};
        for (int i = 1; i < all.size(); i += 100)
            slice << all[i];
        const int n = slice.size() - 1;
        const QString csv = m_dir.filePath("abraham_slice.csv");
        writeFile(csv, (slice.join('\n') + '\n').toUtf8());

        // Demo cutouts by truth: rings for published rings, non-rings for the rest.
        QStringList ringFiles, otherFiles;
        const QStringList demo = lines(m_dir.filePath("demo/demo_labelled.csv"));
        const QStringList head = demo[0].split(',');
        const int fileCol = head.indexOf("file"), ringCol = head.indexOf("ring");
        QVERIFY(fileCol >= 0 && ringCol >= 0);
        for (int i = 1; i < demo.size(); ++i) {
            const QStringList f = demo[i].split(',');
            (f[ringCol] == "1" ? ringFiles : otherFiles) << m_dir.filePath("demo/images/" + f[fileCol]);
        }
        QVERIFY(!ringFiles.isEmpty() && !otherFiles.isEmpty());
        QJsonObject byPosition, plan;
        QHash<QString, QString> served; // objid -> the file its position gets
        const QStringList faults = {"500", "slow:3", "trunc", "html_as_jpeg"};
        QHash<QString, QString> faultOf; // objid -> the fault it gets (recover: "500" then the image)
        QStringList recovering;
        for (int i = 1; i <= n; ++i) {
            const QStringList f = slice[i].split(',');
            const QString key = rmtest::key(f[0].toDouble(), f[1].toDouble());
            const QStringList& pool = f[7].toDouble() >= 0.5 ? ringFiles : otherFiles;
            served[f[2]] = pool[i % pool.size()];
            byPosition[key] = served[f[2]];
            if (i % 15 == 0) { // 19 faults in all
                faultOf[f[2]] = faults[(i / 15) % faults.size()];
                plan[key] = QJsonArray{faultOf[f[2]]};
            } else if (i % 15 == 7) {
                recovering << f[2];
                plan[key] = QJsonArray{"500", "ok"};
            }
        }
        const QString mapFile = m_dir.filePath("abraham_by_position.json");
        writeFile(mapFile, QJsonDocument(byPosition).toJson(QJsonDocument::Compact));
        rmtest::FaultServer server;
        QVERIFY(server.start("ok", {"--by-position", mapFile}));
        QVERIFY(server.setPlan(plan));
        const QString url = QString::fromStdString(server.legacyUrl());

        QVERIFY(
            runCli({"catalog", "import", m_project, csv, "--name", "abraham", "--role", "images"}).exitCode ==
            0);
        const auto src =
            runCli({"cutouts", "source", m_project, "abraham", "--spec",
                    "{\"kind\": \"legacysurvey\", \"base_url\": \"" + url + "\"}", "--allow-missing"});
        QVERIFY2(src.exitCode == 0, qPrintable(src.err));

        // The download, killed once mid-way, then resumed from the ledger.
        const QStringList fetch = {"cutouts", "fetch",      m_project, "--catalog", "abraham", "--base-url",
                                   url,       "--parallel", "2",       "--rate",    "60",      "--retries",
                                   "1",       "--timeout",  "1",       "--backoff", "0.05",    "--json"};
        {
            QProcess p;
            p.start(rmtest::cliPath(), fetch);
            QVERIFY(p.waitForStarted());
            QThread::msleep(1500); // about 80 of the 294 at 60 requests/s
            QVERIFY2(p.state() == QProcess::Running, "the download finished before it could be killed");
            ::kill(static_cast<pid_t>(p.processId()), SIGKILL);
            p.waitForFinished();
        }
        const auto fetched = runCli(fetch);
        QVERIFY2(fetched.exitCode == 0 || fetched.exitCode == 3, qPrintable(fetched.out + fetched.err));
        // The resumed download asked the server only for what was left: beyond what each position's plan
        // needs (one request; two with the one retry), only the downloads in flight at the kill (2
        // connections) were asked again.
        const QJsonObject byKey = server.stats().value("by_key").toObject();
        QCOMPARE(byKey.size(), n);
        int again = 0;
        for (auto it = byKey.begin(); it != byKey.end(); ++it)
            again += std::max(0, it.value().toInt() - (plan.contains(it.key()) ? 2 : 1));
        QVERIFY2(again <= 4, qPrintable(QString::number(again) + " requests repeated after the kill"));

        const auto mineSlice = [&](const QString& out) {
            return QStringList{
                "mine",        m_project, "--run",   "best", "--catalog",    "abraham",
                "--images",    "abraham", "--out",   out,    "--shard-size", "20",
                "--threshold", "0.5",     "--batch", "1",    "--name",       "abraham_candidates",
                "--json"};
        };
        const QString out = m_dir.filePath("abraham_killed"), whole = m_dir.filePath("abraham_whole");
        {
            QProcess p;
            p.start(rmtest::cliPath(), mineSlice(out));
            QVERIFY(p.waitForStarted());
            QElapsedTimer t;
            t.start();
            while (p.state() == QProcess::Running && t.elapsed() < 120000 &&
                   QDir(out + "/shards").entryList({"shard-*.scores"}).size() < 4)
                QThread::msleep(5);
            QVERIFY2(p.state() == QProcess::Running, "the mining finished before it could be killed");
            ::kill(static_cast<pid_t>(p.processId()), SIGKILL);
            p.waitForFinished();
        }
        const int done = QDir(out + "/shards").entryList({"shard-*.scores"}).size();
        QVERIFY(done >= 4 && done < 15);
        const auto r = runCli(mineSlice(out));
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const QJsonObject j = r.json();
        QCOMPARE(j.value("shards_found").toInt(), done);
        QCOMPARE(j.value("rows").toInt(), n);
        QCOMPARE(j.value("scored").toInt() + j.value("not_scored").toInt(), n);
        QCOMPARE(j.value("not_scored").toInt(), faultOf.size());
        const auto uninterrupted = runCli(mineSlice(whole));
        QVERIFY2(uninterrupted.exitCode == 0, qPrintable(uninterrupted.err));
        QCOMPARE(bytes(out + "/rings.csv"), bytes(whole + "/rings.csv"));
        QCOMPARE(bytes(out + "/rings.fits"), bytes(whole + "/rings.fits"));

        // Each row: scored with the score of the file served for its position, or its fault's reason. One
        // galaxy per batch in both minings, so that a score cannot depend on its batch neighbours' floats.
        const QString files = m_dir.filePath("abraham_files.csv");
        QStringList fileRows = {"objid,file"};
        for (auto it = served.begin(); it != served.end(); ++it)
            fileRows << it.key() + "," + QFileInfo(it.value()).fileName();
        writeFile(files, (fileRows.join('\n') + '\n').toUtf8());
        const auto direct =
            runCli({"mine", m_project, "--run", "best", "--catalog", files, "--folder",
                    m_dir.filePath("demo/images"), "--template", "{file}", "--out",
                    m_dir.filePath("abraham_direct"), "--threshold", "0.5", "--batch", "1", "--json"});
        QVERIFY2(direct.exitCode == 0, qPrintable(direct.err));
        QHash<QString, QString> directScore;
        for (const QString& row : lines(m_dir.filePath("abraham_direct/rings.csv")).mid(1))
            directScore[row.section(',', 1, 1)] = row.section(',', 2, 2);
        const QStringList rows = lines(out + "/rings.csv");
        QCOMPARE(rows[0], QString("row,objid,ra,dec,p_ring,is_ring,known_ring,known_catalog,known_id,"
                                  "known_sep_arcsec,error"));
        QCOMPARE(rows.size(), n + 1);
        int agree = 0, scored = 0;
        const QHash<QString, QString> reason = {{"500", "HTTP 500"},
                                                {"slow:3", "timeout after 1 s"},
                                                {"trunc", "truncated"},
                                                {"html_as_jpeg", "HTML"}};
        for (int i = 1; i <= n; ++i) {
            const QStringList f = rows[i].split(',');
            const QString objid = f[1];
            QCOMPARE(objid, slice[i].section(',', 2, 2)); // file order kept
            // Positions exactly as read: a rounded one can miss the cutout cached under the URL's position.
            QCOMPARE(f[2].toDouble(), slice[i].section(',', 0, 0).toDouble());
            QCOMPARE(f[3].toDouble(), slice[i].section(',', 1, 1).toDouble());
            const QString error = rows[i].section(',', 10);
            QVERIFY2(f[4].isEmpty() != error.isEmpty(), qPrintable(rows[i])); // a score or a reason
            if (faultOf.contains(objid)) {
                QVERIFY2(error.contains(reason[faultOf[objid]], Qt::CaseInsensitive),
                         qPrintable(faultOf[objid] + ": " + rows[i]));
                continue;
            }
            QVERIFY2(f[4] == directScore.value(objid),
                     qPrintable(objid + ": " + rows[i] + " vs " + directScore.value(objid)));
            ++scored;
            agree += (f[5] == "1") == (slice[i].section(',', 7, 7).toDouble() >= 0.5);
        }
        QCOMPARE(scored, n - int(faultOf.size()));
        for (const QString& objid : recovering)
            QVERIFY(directScore.contains(objid));
        qInfo("abraham2024 slice: %d rows, %d scored, %d with their reason; is_ring agrees with the "
              "published Prediction >= 0.5 for %.3f of the scored (synthetic cutouts chosen by that "
              "Prediction: a check of the plumbing, not science)",
              n, scored, int(faultOf.size()), double(agree) / scored);

        // The imported candidates catalog carries every output column, not just id and position.
        auto store = rm::ProjectStore::open(m_project.toStdString());
        const rm::CatalogInfo cat = store->catalog("abraham_candidates");
        QStringList columns;
        for (const auto& [name, type] : cat.columns)
            columns << QString::fromStdString(name);
        for (const char* c : {"objid", "ra", "dec", "p_ring", "is_ring", "known_ring", "known_catalog",
                              "known_id", "known_sep_arcsec", "error"})
            QVERIFY2(columns.contains(c), qPrintable(QString(c) + " missing from " + columns.join(',')));
        const rm::Table table = store->loadTable(cat.id);
        QCOMPARE(table.rowCount(), std::size_t(n));
        // ... and its image source (the one mined with) finds every scored galaxy's cutout, as the
        // workbench's grids and review queue load it.
        const auto spec = store->imageSourceSpec(cat.id);
        QVERIFY(spec);
        rm::ImageSourceContext context;
        context.cacheDir = m_project.toStdString() + ".files/cutouts";
        const auto source = rm::makeImageSource(*spec, context);
        const rm::CatalogPositions positions = store->positions(cat.id);
        const int pCol = table.columnIndex("p_ring");
        int loaded = 0;
        QStringList failed;
        for (std::size_t r = 0; r < table.rowCount(); ++r) {
            if (table.columns[std::size_t(pCol)].text(r).empty()) continue;
            rm::GalaxyRef g = rm::GalaxyRef::fromTable(table, r, cat.id);
            g.ra = positions.ra[r];
            g.dec = positions.dec[r];
            try {
                loaded += source->load(g).width > 0;
            } catch (const std::exception& e) {
                failed << QString::fromUtf8(e.what());
            }
        }
        QVERIFY2(failed.isEmpty(),
                 qPrintable(QString::number(failed.size()) + " not found, e.g. " + failed.value(0)));
        QCOMPARE(loaded, scored);
    }

    void badImagesAreRecordedWithReasons()
    {
        // Ids only (no positions): three real images, one missing, a truncated JPEG, an HTML page as .jpg,
        // and a row with a wrong number of fields.
        const QString folder = m_dir.filePath("bad");
        QDir().mkpath(folder);
        const QStringList real = lines(m_labels).mid(1, 3);
        QStringList rows = {"GalaxyID,file"};
        for (int i = 0; i < real.size(); ++i) {
            const QString file = real[i].section(',', 1, 1);
            QVERIFY(QFile::copy(m_gzd + "/" + file, folder + "/" + file));
            rows << QString("g%1,%2").arg(i).arg(file);
        }
        rows << "g_missing,nothere.jpg";
        QByteArray jpeg = bytes(folder + "/" + real[0].section(',', 1, 1));
        writeFile(folder + "/truncated.jpg", jpeg.left(jpeg.size() / 2));
        rows << "g_truncated,truncated.jpg";
        writeFile(folder + "/html.jpg", "<!DOCTYPE html><html><body>502 Bad Gateway</body></html>");
        rows << "g_html,html.jpg";
        rows << "g_broken,a.jpg,extra,fields";
        const QString catalog = m_dir.filePath("bad.csv");
        writeFile(catalog, (rows.join('\n') + "\n").toUtf8());

        const QString out = m_dir.filePath("bad-out");
        const auto r = runCli({"mine", m_project, "--run", "best", "--catalog", catalog, "--folder", folder,
                               "--template", "{file}", "--out", out, "--threshold", "0.5", "--json"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const QJsonObject j = r.json();
        QCOMPARE(j.value("rows").toInt(), 7);
        QCOMPARE(j.value("scored").toInt(), 3);
        QCOMPARE(j.value("has_positions").toBool(), false);
        QVERIFY(j.value("imported").isNull()); // no positions: not a sky catalog of the project
        const QJsonObject why = j.value("not_scored_by_reason").toObject();
        QCOMPARE(why.value("missing_image").toInt(), 1);
        QCOMPARE(why.value("corrupt_image").toInt(), 1);
        QCOMPARE(why.value("html_not_image").toInt(), 1);
        QCOMPARE(why.value("unreadable_row").toInt(), 1);
        const QStringList csv = lines(out + "/rings.csv");
        QCOMPARE(csv.size(), 8);
        QCOMPARE(csv[0].section(',', 0, 2), QString("row,GalaxyID,p_ring"));
        QVERIFY(csv[4].startsWith("3,g_missing,,0,0,"));
        QVERIFY2(csv[4].contains("no such file") || csv[4].contains("no image"), qPrintable(csv[4]));
        QVERIFY2(csv[5].contains("truncated JPEG"), qPrintable(csv[5]));
        QVERIFY2(csv[6].contains("HTML"), qPrintable(csv[6]));
        // `row` is 0-based like every table of the CLI; the message names the file's data row 7.
        QVERIFY2(csv[7].startsWith("6,") && csv[7].contains("catalog row not read") &&
                     csv[7].contains("row 7"),
                 qPrintable(csv[7]));

        // predict takes the same path: the same three scored, the rest listed with their rows.
        const auto p =
            runCli({"predict", m_project, "--run", "best", "--catalog", catalog, "--images", folder,
                    "--template", "{file}", "--out", m_dir.filePath("bad-predict.csv"), "--json"});
        QVERIFY2(p.exitCode == 0, qPrintable(p.err));
        QCOMPARE(p.json().value("scored").toInt(), 3);
        QCOMPARE(p.json().value("errors").toInt(), 4);
        const QStringList scores = lines(m_dir.filePath("bad-predict.csv"));
        for (int i = 1; i <= 3; ++i)
            QCOMPARE(scores[i].section(',', 1, 1), csv[i].section(',', 2, 2));
    }

    void templatesThatResolveNothingFailAtOnce()
    {
        const QString out = m_dir.filePath("nothing");
        const auto wrong = runCli({"mine", m_project, "--run", "best", "--catalog", m_labels, "--folder",
                                   m_gzd, "--template", "{iauname}.png", "--out", out, "--threshold", "0.5"});
        QCOMPARE(wrong.exitCode, 1);
        QVERIFY2(wrong.err.contains("none of the first 20 rows"), qPrintable(wrong.err));
        QCOMPARE(wrong.err.count("error:"), 1);
        QVERIFY(!QFileInfo::exists(out + "/manifest.json"));
        const auto unknown = runCli({"predict", m_project, "--run", "best", "--catalog", m_labels, "--images",
                                     m_gzd, "--template", "{objid}.jpg", "--out", m_dir.filePath("x.csv")});
        QCOMPARE(unknown.exitCode, 1);
        QVERIFY2(unknown.err.contains("names column 'objid'"), qPrintable(unknown.err));
    }

    void scoresRealImagesWithoutPositions()
    {
        RM_SHARED_DATA(ids, "images/gz2_kaggle_unlabelled/ids.csv");
        const QString folder = QFileInfo(QString::fromStdString(ids)).absolutePath();
        const QString out = m_dir.filePath("kaggle");
        const auto r = runCli({"mine", m_project, "--run", "best", "--catalog", QString::fromStdString(ids),
                               "--folder", folder, "--template", "{file}", "--out", out, "--threshold", "0.5",
                               "--contact-sheet", "12", "--json"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QCOMPARE(r.json().value("rows").toInt(), 1000);
        QCOMPARE(r.json().value("scored").toInt(), 1000);
        QCOMPARE(r.json().value("id_column").toString(), QString("GalaxyID"));
        const QStringList csv = lines(out + "/rings.csv");
        QCOMPARE(csv.size(), 1001);
        QCOMPARE(csv[0].section(',', 0, 2), QString("row,GalaxyID,p_ring"));

        // The contact sheet: the 12 highest p_ring, in order, each tile the image of its rank (Pillow finds
        // the top 12 from rings.csv and resizes their files independently).
        const QJsonObject sheet = r.json().value("contact_sheet").toObject();
        QCOMPARE(sheet.value("tiles").toInt(), 12);
        QCOMPARE(sheet.value("path").toString(), out + "/contact-sheet.png");
        QProcess py;
        py.start(
            "/usr/bin/python3",
            {QString::fromLocal8Bit(qgetenv("RINGMINER_SOURCE_DIR")) + "/tests/core/contact_sheet_check.py",
             out + "/contact-sheet.png", out + "/rings.csv", folder, QString::fromStdString(ids), "12"});
        QVERIFY(py.waitForFinished(120000));
        QVERIFY2(py.exitCode() == 0, qPrintable(QString::fromUtf8(py.readAllStandardError())));
        const QJsonObject check = QJsonDocument::fromJson(py.readAllStandardOutput()).object();
        QCOMPARE(check.value("size").toArray(), check.value("expected_size").toArray());
        QCOMPARE(check.value("tiles").toInt(), 12);
        qInfo("contact sheet: a tile differs from its own image by %.2f grey levels at most, from another "
              "rank's by %.2f at least",
              check.value("own_max").toDouble(), check.value("other_min").toDouble());
        QVERIFY(check.value("own_max").toDouble() < 3.0);
        QVERIFY(check.value("other_min").toDouble() > 2 * check.value("own_max").toDouble());
    }

    void ttaAddsTheSpreadAndProjectSourcesWork()
    {
        // The demo's labelled catalog through its own image source (a project catalog, not a file), with
        // TTA; the demo's rings catalog flags the labelled rings as known.
        const QString out = m_dir.filePath("tta");
        const auto r = runCli({"mine", m_project, "--run", "best", "--catalog", "labelled", "--images",
                               "labelled", "--out", out, "--tta", "--threshold", "0.5", "--json"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const QJsonObject j = r.json();
        QCOMPARE(j.value("scored").toInt(), j.value("rows").toInt());
        QVERIFY(j.value("known_rings").toInt() > 0);
        const QStringList csv = lines(out + "/rings.csv");
        QVERIFY(csv[0].contains(",p_ring,p_ring_std,"));
        const int stdCol = csv[0].split(',').indexOf("p_ring_std");
        for (int i = 1; i < csv.size(); ++i) {
            bool ok = false;
            const double sd = csv[i].split(',')[stdCol].toDouble(&ok);
            QVERIFY(ok && sd >= 0 && sd <= 0.5);
        }
    }

    void mpiRanksShareTheShards()
    {
        const QString mpirun = QStandardPaths::findExecutable("mpirun");
        if (mpirun.isEmpty()) QSKIP("mpirun is not installed: the MPI run is not tested here");
        const QString out = m_dir.filePath("mpi");
        QProcess p;
        // Not bound to cores: each rank keeps the torch thread count of a plain run, so scores match bit for
        // bit.
        QStringList args = {"--oversubscribe", "--bind-to", "none", "-np", "2", rmtest::cliPath()};
        args << mineArgs(out, "candidates_mpi");
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert("OMPI_ALLOW_RUN_AS_ROOT", "1");
        env.insert("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1");
        // Under the sanitizer stage: Open MPI leaks in its dlopen'ed components, which are unloaded by exit,
        // so LeakSanitizer cannot name them for a suppression. Leak checking is off for the ranks only;
        // ASan and UBSan stay on.
        if (env.contains("ASAN_OPTIONS"))
            env.insert("ASAN_OPTIONS", env.value("ASAN_OPTIONS") + ":detect_leaks=0");
        p.setProcessEnvironment(env);
        p.start(mpirun, args);
        QVERIFY(p.waitForFinished(240000));
        const QString err = QString::fromUtf8(p.readAllStandardError());
        if (err.contains("built without MPI")) QSKIP("this ringminer-cli was built without MPI");
        QVERIFY2(p.exitCode() == 0, qPrintable(err));
        QVERIFY2(err.contains("rank 1"), qPrintable(err));
        QCOMPARE(bytes(out + "/rings.csv"), bytes(m_uninterrupted + "/rings.csv"));
        QCOMPARE(bytes(out + "/rings.fits"), bytes(m_uninterrupted + "/rings.fits"));
    }
};

QTEST_GUILESS_MAIN(TestCliMining)
#include "test_cli_mining.moc"

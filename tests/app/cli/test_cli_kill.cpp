// Crash safety of ringminer-cli, the CI slice of bench/bench_kill_soak (the same checks,
// tests/common/KillSoak.h): catalog import of a generated CSV (30,000 rows here, 200,000 in the soak),
// target-set build, hand labels through the workbench's label controller (ui_label_driver), training and
// mining SIGKILLed at seeded random moments, 2 kills each; after every kill integrity_check is ok, nothing
// committed is lost, nothing is half visible, and running the verb again gives exactly the unkilled run's
// result. Also Ctrl-C on `train` (once pauses after the epoch, twice cancels; both exit 130 and resume), and
// a file-size limit (RLIMIT_FSIZE, what a full disk looks like to a writer) on an import and a target-set
// build: a clear "disk full or file too large" error naming the project, in the --json error too, and the
// project unchanged and intact.
#include "KillSoak.h"
#include "TestData.h"

#include <QElapsedTimer>
#include <QThread>
#include <QtTest>

#include <csignal>
#include <fstream>
#include <memory>

using rmtest::runCli;

class TestCliKill : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    std::unique_ptr<rmkill::KillSoak> m_soak;

    static std::string cli() { return rmtest::cliPath().toStdString(); }

    // Small fixtures for the disk-full tests: a project with a rings catalog and a 10k-row pool.
    void writeCsv(const QString& path, int rows, const char* prefix, int stride)
    {
        std::ofstream f(path.toStdString());
        f << "name,ra,dec,z\n";
        for (int i = 0; i < rows; ++i) {
            const int r = (i * stride) % 10000;
            f << prefix << i << ',' << 150.0 + (r % 300) * 0.01 << ',' << -5.0 + (r / 300) * 0.01 << ','
              << (r * 7919 % 1000) / 1000.0 * 0.3 << '\n';
        }
    }

    static QJsonObject lastJson(const rmkill::ProcResult& r)
    {
        return QJsonDocument::fromJson(QByteArray::fromStdString(r.json())).object();
    }

    static std::string catalogsOf(const std::string& project)
    {
        rm::Database db(project, false);
        return rmkill::queryText(db, "SELECT name, row_count FROM catalogs ORDER BY id") +
               rmkill::queryText(db, "SELECT name FROM target_sets ORDER BY id") +
               rmkill::queryText(db, "SELECT name FROM sqlite_master ORDER BY name");
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QVERIFY2(!rmtest::cliPath().isEmpty(), "RINGMINER_CLI is not set (run through ctest)");
    }

    // One row per kill point; they share one soak (targets builds on the import's project, mine on the
    // train's run), made on first use.
    void killedAtRandomMomentsResumes_data()
    {
        QTest::addColumn<QString>("point");
        for (const char* p : {"import", "targets", "labels", "train", "mine"})
            QTest::newRow(p) << QString(p);
    }

    void killedAtRandomMomentsResumes()
    {
        QFETCH(QString, point);
        RM_REQUIRE_IMAGE_DECODING(); // the training and mining points read the demo survey's JPEGs
        const std::string driver = QString::fromLocal8Bit(qgetenv("RINGMINER_LABEL_DRIVER")).toStdString();
        if (point == "labels" && driver.empty())
            QSKIP("the label point needs ui_label_driver (a build with the GUI)");
        if (!m_soak) {
            rmkill::SoakConfig c;
            c.cli = cli();
            c.labelDriver = driver;
            c.work = m_dir.filePath("soak").toStdString();
            c.killsPerPoint = 2;
            c.seed = 11;
            // Small enough for CI on two busy cores (the soak's sizes are the defaults), large enough that
            // the kills land mid-work: CLI start-up (LibTorch) is much of a short run.
            c.importRows = 30000;
            c.ringRows = 200;
            c.labels = 150;
            c.epochs = 3;
            c.demoGalaxies = 16;
            m_soak = std::make_unique<rmkill::KillSoak>(c);
        }
        rmkill::PointResult r;
        try {
            r = m_soak->runPoint(point.toStdString());
        } catch (const std::exception& e) {
            QFAIL(e.what());
        }
        qInfo("\n%s", rmkill::KillSoak::table({r}).c_str());
        for (const auto& m : r.messages)
            qWarning("%s: %s", r.name.c_str(), m.c_str());
        QVERIFY2(r.failures == 0, qPrintable(point + " failed after a kill"));
        // A delay may outlast a run on a fast machine; most must land while it runs.
        QVERIFY2(r.kills >= 1, qPrintable(point + ": no kill landed mid-run"));
    }

    // Ctrl-C once: the epoch finishes, the run is left to resume ("paused", exit 130); twice: it stops within
    // a step ("cancelled", exit 130). Running the command again finishes both.
    void ctrlCOncePausesTwiceCancels()
    {
        RM_REQUIRE_IMAGE_DECODING();
        const auto made = runCli({"demo", "make", m_dir.filePath("sigint"), "--rings", "80", "--non-rings",
                                  "80", "--size", "40", "--json"});
        QVERIFY2(made.exitCode == 0, qPrintable(made.err));
        const QString project = QDir::current().absoluteFilePath(made.json().value("project").toString());
        const QString matrix = m_dir.filePath("sigint.json");
        // Steps slow enough (ResNet-18 at 48 px: a tenth of a second or more each, a dozen per epoch) that
        // the signals, sent at the first step line, land inside epoch 1 on a fast machine and on a loaded
        // one: simple_cnn at 32 px ran an epoch in under 0.1 s, and under load the signal landed in epoch 2.
        std::ofstream(matrix.toStdString()) << R"({"name": "sigint", "target_sets": ["demo"],
          "models": [{"name": "cnn", "arch": "resnet18", "in_chans": 1, "modes": ["all_layers"]}],
          "defaults": {"image_size": 48, "epochs": 3, "batch_size": 4, "max_steps_per_epoch": 12,
                       "embedding_views": 1, "warmup_epochs": 0, "patience": 0, "device": "cpu",
                       "loader_threads": 1, "torch_threads": 1}})";
        for (const int presses : {1, 2}) {
            const QString experiment = presses == 1 ? "paused" : "cancelled";
            const QStringList args = {"train",        project,    "--matrix", matrix,
                                      "--experiment", experiment, "--json"};
            QProcess p;
            p.start(rmtest::cliPath(), args);
            QVERIFY(p.waitForStarted());
            // Interrupt once the first step of epoch 1 is reported (the "step" line of a new cell).
            QByteArray err;
            QElapsedTimer t;
            t.start();
            while (!err.contains("epoch 1/3 step") && t.elapsed() < 120000) {
                if (!p.waitForReadyRead(500) && p.state() != QProcess::Running) break;
                err += p.readAllStandardError();
            }
            QVERIFY2(p.state() == QProcess::Running, qPrintable("train ended before the Ctrl-C:\n" + err));
            const int sentAt = int(err.size());
            for (int i = 0; i < presses; ++i) {
                ::kill(static_cast<pid_t>(p.processId()), SIGINT);
                QThread::msleep(20); // delivered before the next: two pending SIGINTs would merge into one
            }
            QVERIFY(p.waitForFinished(120000));
            err += p.readAllStandardError();
            const QByteArray out = p.readAllStandardOutput();
            QCOMPARE(p.exitStatus(), QProcess::NormalExit);
            QCOMPARE(p.exitCode(), 130);
            const QJsonObject j = QJsonDocument::fromJson(out.trimmed().split('\n').last()).object();
            QCOMPARE(j.value("stopped").toString(), experiment);
            QCOMPARE(j.value("done").toInt(), 0);
            QCOMPARE(j.value("not_finished").toInt(), 1);
            const QJsonObject run = j.value("runs").toArray().at(0).toObject();
            QVERIFY2(run.value("state").toString() != "done" && run.value("state").toString() != "failed",
                     qPrintable(run.value("state").toString()));
            // The epoch the signal landed in: the one after those whose "train loss" line was already out.
            const int landedIn = int(err.left(sentAt).count("/3 train loss")) + 1;
            const int epochs = run.value("epochs").toInt();
            if (presses == 1) {
                // Paused after the epoch it was in: that epoch finished, and no later one started.
                QCOMPARE(epochs, landedIn);
                QVERIFY2(!err.contains(QString("epoch %1/3 step").arg(epochs + 1).toUtf8()), err.constData());
            } else {
                // Cancelled within a step: the epoch it was in never finished.
                QCOMPARE(epochs, landedIn - 1);
                QVERIFY2(!err.contains(QString("epoch %1/3 train loss").arg(landedIn).toUtf8()),
                         err.constData());
            }
            // Run again: it finishes.
            const auto again = runCli(args);
            QVERIFY2(again.exitCode == 0, qPrintable(again.err));
            QCOMPARE(again.json().value("done").toInt(), 1);
            QCOMPARE(again.json().value("stopped").toString(), QString());
            QCOMPARE(again.json().value("runs").toArray().at(0).toObject().value("epochs").toInt(), 3);
            if (presses == 1)
                QVERIFY2(again.err.contains(QString("resumed after epoch %1").arg(epochs)),
                         qPrintable(again.err));
        }
    }

    // A writer past RLIMIT_FSIZE gets EFBIG, as on a full disk: the import and the target-set build fail with
    // the clear error (in the --json error object too) and leave the project as it was.
    void fileSizeLimitGivesClearErrorAndLosesNothing()
    {
        const QString d = m_dir.filePath("full");
        QVERIFY(QDir().mkpath(d));
        const std::string project = (d + "/p.rmproj").toStdString();
        QCOMPARE(runCli({"project", "new", QString::fromStdString(project)}).exitCode, 0);
        writeCsv(d + "/pool.csv", 10000, "P", 1);
        writeCsv(d + "/rings.csv", 100, "R", 97);
        QCOMPARE(runCli({"catalog", "import", QString::fromStdString(project), d + "/rings.csv", "--name",
                         "rings", "--role", "rings"})
                     .exitCode,
                 0);
        const std::string before = catalogsOf(project);

        auto expectFull = [&](const std::vector<std::string>& args, long long limit,
                              const std::string& expected) {
            rmkill::RunOptions o;
            o.fileSizeLimit = limit;
            std::vector<std::string> argv{cli()};
            argv.insert(argv.end(), args.begin(), args.end());
            const rmkill::ProcResult r = rmkill::runProcess(argv, d.toStdString(), o);
            QCOMPARE(r.exitCode, 1);
            const QString err = QString::fromStdString(r.err);
            QVERIFY2(err.contains("disk full or file too large"), qPrintable(err));
            QVERIFY2(err.contains(QString::fromStdString(project)), qPrintable(err)); // names the file
            const QJsonObject j = lastJson(r);
            QCOMPARE(j.value("ok").toBool(), false);
            QVERIFY2(j.value("error").toString().contains("disk full or file too large"), r.out.c_str());
            QVERIFY2(j.value("error").toString().contains(QString::fromStdString(project)), r.out.c_str());
            QCOMPARE(rmkill::integrityCheck(project), std::string("ok"));
            QCOMPARE(catalogsOf(project), expected); // nothing half-written kept
        };
        // The import's one transaction outgrows 128 KiB of WAL.
        expectFull(
            {"catalog", "import", project, (d + "/pool.csv").toStdString(), "--name", "pool", "--json"},
            128 * 1024, before);
        // Without the limit it imports; then the target set's rows outgrow 16 KiB.
        QCOMPARE(
            runCli({"catalog", "import", QString::fromStdString(project), d + "/pool.csv", "--name", "pool"})
                .exitCode,
            0);
        const std::string withPool = catalogsOf(project);
        expectFull({"targets", "build", project, "--name", "t", "--rings", "rings", "--negatives", "pool",
                    "--ratio", "3", "--json"},
                   16 * 1024, withPool);
        // And with room, the same command works.
        const auto ok = runCli({"targets", "build", QString::fromStdString(project), "--name", "t", "--rings",
                                "rings", "--negatives", "pool", "--ratio", "3", "--json"});
        QVERIFY2(ok.exitCode == 0, qPrintable(ok.err));
        QCOMPARE(ok.json().value("total").toInt(), 400);
    }
};

QTEST_GUILESS_MAIN(TestCliKill)
#include "test_cli_kill.moc"

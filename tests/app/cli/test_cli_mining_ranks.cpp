// `ringminer-cli mine` under `mpirun -np 2` when a rank dies: a rank that SIGKILLs itself part-way (through
// the test-only RINGMINER_TEST_MINE_FAULT) ends the whole job with a non-zero status instead of leaving the
// other rank waiting at a barrier; its unfinished shards are left for the next run, and running the same
// command again (one process, or mpirun again) finishes to a CSV and FITS byte-identical to an uninterrupted
// run. A rank that fails with an error (rather than dying) stops the others through MPI_Abort, naming itself.
#include "TestData.h"

#include <QElapsedTimer>
#include <QStandardPaths>
#include <QtTest>

#include <fstream>

using rmtest::runCli;

class TestCliMiningRanks : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_project, m_mpirun;
    QString m_uninterrupted;
    static constexpr int kShards = 16; // the demo's 32 labelled galaxies in shards of 2

    static QByteArray bytes(const QString& path)
    {
        QFile f(path);
        return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
    }
    static int shardsOnDisk(const QString& out)
    {
        return QDir(out + "/shards").entryList({"shard-*.scores"}).size();
    }
    QStringList mineArgs(const QString& out) const
    {
        return {"mine",        m_project,  "--run",  "best",       "--catalog",    "labelled",
                "--images",    "labelled", "--out",  out,          "--shard-size", "2",
                "--threshold", "0.5",      "--name", "candidates", "--json"};
    }

    struct MpiRun
    {
        bool finished = false;
        int exitCode = -1;
        QString err;
        qint64 ms = 0;
    };
    // mpirun -np 2 ringminer-cli mine ..., with RINGMINER_TEST_MINE_FAULT set to `fault` (unless empty).
    MpiRun mpiMine(const QString& out, const QString& fault) const
    {
        QProcess p;
        // Not bound to cores: each rank keeps the torch thread count of a plain run, so scores match bit for
        // bit.
        QStringList args = {"--oversubscribe", "--bind-to", "none", "-np", "2", rmtest::cliPath()};
        args << mineArgs(out);
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert("OMPI_ALLOW_RUN_AS_ROOT", "1");
        env.insert("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1");
        // Under the sanitizer stage: Open MPI leaks in its dlopen'ed components (see test_cli_mining).
        if (env.contains("ASAN_OPTIONS"))
            env.insert("ASAN_OPTIONS", env.value("ASAN_OPTIONS") + ":detect_leaks=0");
        if (!fault.isEmpty()) env.insert("RINGMINER_TEST_MINE_FAULT", fault);
        p.setProcessEnvironment(env);
        QElapsedTimer t;
        t.start();
        p.start(m_mpirun, args);
        MpiRun r;
        // A surviving rank that waits for ever is the failure this bounds.
        r.finished = p.waitForFinished(240000);
        r.ms = t.elapsed();
        if (!r.finished) {
            p.kill();
            p.waitForFinished();
        }
        r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
        r.err = QString::fromUtf8(p.readAllStandardError());
        return r;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(!rmtest::cliPath().isEmpty(), "RINGMINER_CLI is not set (run through ctest)");
        m_mpirun = QStandardPaths::findExecutable("mpirun");
        if (m_mpirun.isEmpty()) QSKIP("mpirun is not installed: the MPI runs are not tested here");
        qputenv("SOURCE_DATE_EPOCH", "1767225600"); // outputs comparable byte for byte
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

        m_uninterrupted = m_dir.filePath("whole");
        const auto whole = runCli(mineArgs(m_uninterrupted));
        QVERIFY2(whole.exitCode == 0, qPrintable(whole.err));
        QCOMPARE(whole.json().value("rows").toInt(), 32);
        QCOMPARE(whole.json().value("shards").toInt(), kShards);
        QVERIFY(!bytes(m_uninterrupted + "/rings.csv").isEmpty());

        // Built with MPI? A plain two-rank run says so, and matches the single process.
        const MpiRun both = mpiMine(m_dir.filePath("mpi-whole"), {});
        if (both.err.contains("built without MPI")) QSKIP("this ringminer-cli was built without MPI");
        QVERIFY2(both.finished && both.exitCode == 0, qPrintable(both.err));
        QCOMPARE(bytes(m_dir.filePath("mpi-whole") + "/rings.csv"), bytes(m_uninterrupted + "/rings.csv"));
    }

    void deadRankLeavesItsShards_data()
    {
        QTest::addColumn<QString>("fault");
        QTest::addColumn<bool>("resumeUnderMpi");
        // Rank 1 scores the odd shards, rank 0 the even ones and publishes.
        QTest::newRow("rank 1 killed, resumed by one process") << "1:2:kill" << false;
        QTest::newRow("rank 1 killed, resumed by mpirun") << "1:2:kill" << true;
        QTest::newRow("rank 0 killed, resumed by mpirun") << "0:3:kill" << true;
    }

    void deadRankLeavesItsShards()
    {
        QFETCH(QString, fault);
        QFETCH(bool, resumeUnderMpi);
        static int round = 0;
        const QString out = m_dir.filePath("dead-" + QString::number(++round));
        const MpiRun dead = mpiMine(out, fault);
        QVERIFY2(dead.finished,
                 qPrintable("mpirun still running after 240 s: a rank waits for the dead one\n" + dead.err));
        QVERIFY2(dead.exitCode != 0, qPrintable(dead.err));
        QVERIFY2(dead.err.contains("signal 9") || dead.err.contains("Killed"), qPrintable(dead.err));
        QVERIFY(!QFileInfo::exists(out + "/rings.csv"));
        const int dying = fault.section(':', 0, 0).toInt(), after = fault.section(':', 1, 1).toInt();
        const int done = shardsOnDisk(out);
        // The dying rank wrote exactly its `after` shards; the other at most all of its own.
        QVERIFY2(done >= after && done <= after + kShards / 2, qPrintable(QString::number(done)));
        for (int s = 0; s < kShards; ++s) {
            const QString shard = QString("%1/shards/shard-%2.scores").arg(out).arg(s, 6, 10, QChar('0'));
            if (s % 2 == dying) QCOMPARE(QFileInfo::exists(shard), s / 2 < after);
        }

        QStringList args = mineArgs(out);
        if (resumeUnderMpi) {
            const MpiRun again = mpiMine(out, {});
            QVERIFY2(again.finished && again.exitCode == 0, qPrintable(again.err));
        } else {
            const auto again = runCli(args);
            QVERIFY2(again.exitCode == 0, qPrintable(again.err));
            QCOMPARE(again.json().value("shards_found").toInt(), done);
            QCOMPARE(again.json().value("shards_scored").toInt(), kShards - done);
        }
        QCOMPARE(shardsOnDisk(out), kShards);
        QVERIFY(QDir(out + "/shards").entryList({"*.tmp.*"}).isEmpty());
        QCOMPARE(bytes(out + "/rings.csv"), bytes(m_uninterrupted + "/rings.csv"));
        QCOMPARE(bytes(out + "/rings.fits"), bytes(m_uninterrupted + "/rings.fits"));
        QCOMPARE(bytes(out + "/rings.provenance.json"), bytes(m_uninterrupted + "/rings.provenance.json"));
    }

    void failingRankStopsTheOthers_data()
    {
        QTest::addColumn<QString>("fault");
        QTest::newRow("rank 1 fails") << "1:1:throw";
        QTest::newRow("rank 0 fails") << "0:1:throw";
    }

    void failingRankStopsTheOthers()
    {
        // An error (not a death) in one rank: without MPI_Abort the other waits at the barrier for ever.
        QFETCH(QString, fault);
        const QString out = m_dir.filePath("fails-" + fault.section(':', 0, 0));
        const MpiRun r = mpiMine(out, fault);
        QVERIFY2(r.finished, qPrintable("mpirun still running after 240 s: a rank waits for ever\n" + r.err));
        QVERIFY2(r.exitCode != 0, qPrintable(r.err));
        const QString who = "rank " + fault.section(':', 0, 0) + ": ";
        QVERIFY2(r.err.contains(who + "error: RINGMINER_TEST_MINE_FAULT"), qPrintable(r.err));
        QVERIFY2(r.err.contains(who + "stopping all 2 ranks (MPI_Abort)"), qPrintable(r.err));
        QVERIFY(!QFileInfo::exists(out + "/rings.csv"));
        // What was written stays, and the same command finishes it.
        const int done = shardsOnDisk(out);
        QVERIFY(done >= 1 && done < kShards);
        const auto again = runCli(mineArgs(out));
        QVERIFY2(again.exitCode == 0, qPrintable(again.err));
        QCOMPARE(again.json().value("shards_found").toInt(), done);
        QCOMPARE(bytes(out + "/rings.csv"), bytes(m_uninterrupted + "/rings.csv"));
    }
};

QTEST_GUILESS_MAIN(TestCliMiningRanks)
#include "test_cli_mining_ranks.moc"

// ringminer-cli pretrain end to end: 40 small JPEGs made here plus a project catalog with an image source;
// a tiny SimCLR pretraining (SimpleCNN, 32 px, 3 epochs, one torch thread) SIGKILLed in its second epoch and
// run again must end with exactly the weights of a run that was never killed; the encoder is recorded in the
// project (pretrain list) with its sources.
#include "imaging/JpegWriter.h"
#include "training/TensorFile.h"
#include "util/Random.h"

#include <torch/torch.h>

// Qt after LibTorch.
#include "TestData.h"

#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <csignal>
#include <filesystem>

using namespace rmtest;

namespace {

// n random 40 px colour JPEGs (a disc or a ring of random colour and size over noise) into dir.
void makeImages(const QString& dir, int n, const QString& prefix, std::uint64_t seed)
{
    QDir().mkpath(dir);
    const int size = 40;
    for (int i = 0; i < n; ++i) {
        rm::DeterministicRandom rng(rm::mixSeed(seed, i, 0));
        std::vector<std::uint8_t> rgb(size * size * 3);
        const double cx = size / 2.0 + rng.uniform(-3, 3), cy = size / 2.0 + rng.uniform(-3, 3);
        const double radius = rng.uniform(4, 14);
        const double colour[3] = {rng.uniform(60, 255), rng.uniform(60, 255), rng.uniform(60, 255)};
        for (int y = 0; y < size; ++y)
            for (int x = 0; x < size; ++x) {
                const double r = std::hypot(x + 0.5 - cx, y + 0.5 - cy);
                const bool on = i % 2 ? r < radius : std::fabs(r - radius) < 2;
                for (int c = 0; c < 3; ++c)
                    rgb[(y * size + x) * 3 + c] =
                        static_cast<std::uint8_t>(std::min(255.0, rng.uniform(0, 30) + (on ? colour[c] : 0)));
            }
        rm::writeRgbImage((dir + QString("/%1%2.jpg").arg(prefix).arg(i, 3, 10, QChar('0'))).toStdString(),
                          rgb.data(), size, size);
    }
}

std::map<std::string, torch::Tensor> tensors(const QString& file)
{
    return rm::readTensorFile(file.toStdString()).tensors;
}

} // namespace

class TestCliPretrain : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_project, m_folder;

    QStringList pretrainArgs(const QString& out) const
    {
        return {"pretrain",   m_project,    "--folder", m_folder,       "--catalog", "few",      "--arch",
                "simple_cnn", "--in-chans", "3",        "--image-size", "32",        "--epochs", "3",
                "--batch",    "8",          "--lr",     "0.003",        "--seed",    "5",        "--device",
                "cpu",        "--threads",  "1",        "--out",        out,         "--json"};
    }

private Q_SLOTS:
    void initTestCase()
    {
        if (!rm::canWriteImages()) QSKIP("this build cannot write JPEGs (no OpenCV)");
        QVERIFY(m_dir.isValid());
        m_project = m_dir.filePath("p.rmproj");
        m_folder = m_dir.filePath("unlabelled");
        makeImages(m_folder, 32, "u", 1);
        // A catalog of 8 more images through its image source (a folder and a file-name template).
        const QString catDir = m_dir.filePath("cat");
        makeImages(catDir, 8, "c", 2);
        QFile csv(catDir + "/few.csv");
        QVERIFY(csv.open(QIODevice::WriteOnly));
        csv.write("ra,dec,file\n");
        for (int i = 0; i < 8; ++i)
            csv.write(
                QString("%1,%2,c%3.jpg\n").arg(150 + i * 0.1).arg(2.0).arg(i, 3, 10, QChar('0')).toUtf8());
        csv.close();
        QCOMPARE(runCli({"project", "new", m_project}).exitCode, 0);
        QCOMPARE(runCli({"catalog", "import", m_project, catDir + "/few.csv", "--name", "few"}).exitCode, 0);
        QCOMPARE(runCli({"cutouts", "source", m_project, "few", "--folder", catDir, "--template", "{file}"})
                     .exitCode,
                 0);
    }

    void refusesWithoutSources()
    {
        const CliResult r = runCli({"pretrain", m_project, "--epochs", "1"});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("--folder"), qPrintable(r.err));
        const CliResult t = runCli({"pretrain", m_project, "--folder", m_folder, "--temperature", "0"});
        QCOMPARE(t.exitCode, 2);
    }

    void killedAndRerunEqualsUninterrupted()
    {
        const QString whole = m_dir.filePath("whole.safetensors");
        const CliResult a = runCli(pretrainArgs(whole));
        QVERIFY2(a.exitCode == 0, qPrintable(a.err));
        const QJsonObject sa = a.json();
        QCOMPARE(sa["images"].toInt(), 40);
        QCOMPARE(sa["history"].toArray().size(), 3);
        QCOMPARE(sa["resumed_after"].toInt(), 0);
        QVERIFY2(a.err.contains("ETA"), qPrintable(a.err));

        // The same command, SIGKILLed once its first epoch is checkpointed (in the second epoch), then again.
        const QString killed = m_dir.filePath("killed.safetensors");
        QProcess p;
        p.setProcessChannelMode(QProcess::SeparateChannels);
        p.start(cliPath(), pretrainArgs(killed));
        QVERIFY(p.waitForStarted());
        QByteArray err;
        QElapsedTimer clock;
        clock.start();
        while (!err.contains("epoch 1/3 done") && p.state() == QProcess::Running &&
               clock.elapsed() < 300000) {
            p.waitForReadyRead(200);
            err += p.readAllStandardError();
        }
        QVERIFY2(err.contains("epoch 1/3 done"), err.constData());
        QVERIFY2(p.state() == QProcess::Running, "finished before it could be killed");
        ::kill(static_cast<pid_t>(p.processId()), SIGKILL);
        QVERIFY(p.waitForFinished(30000));
        QCOMPARE(p.exitStatus(), QProcess::CrashExit);
        QVERIFY(!QFile::exists(killed));
        QVERIFY(QFile::exists(m_dir.filePath("killed.checkpoint.safetensors")));

        const CliResult b = runCli(pretrainArgs(killed));
        QVERIFY2(b.exitCode == 0, qPrintable(b.err));
        const QJsonObject sb = b.json();
        QVERIFY2(sb["resumed_after"].toInt() >= 1, qPrintable(b.out));
        QVERIFY2(b.err.contains("resumed after epoch"), qPrintable(b.err));
        const auto ta = tensors(whole), tb = tensors(killed);
        QCOMPARE(ta.size(), tb.size());
        QVERIFY(ta.count("conv1.weight") && ta.count("bn3.running_mean"));
        for (const auto& [key, t] : ta)
            QVERIFY2(tb.count(key) && torch::equal(t, tb.at(key)),
                     ("differs after the kill: " + key).c_str());
        QCOMPARE(sb["loss"].toDouble(), sa["loss"].toDouble());

        // Rerunning a finished pretraining is a no-op that reports it.
        const CliResult c = runCli(pretrainArgs(killed));
        QCOMPARE(c.exitCode, 0);
        QVERIFY(c.json()["already_finished"].toBool());

        // Both files are recorded in the project with how they were made.
        const CliResult list = runCli({"pretrain", "list", m_project, "--json"});
        QCOMPARE(list.exitCode, 0);
        const QJsonArray encoders = list.json()["encoders"].toArray();
        QCOMPARE(encoders.size(), 2);
        const QJsonObject rec = encoders[0].toObject();
        QCOMPARE(rec["arch"].toString(), QString("simple_cnn"));
        QCOMPARE(rec["epochs"].toInt(), 3);
        QCOMPARE(rec["sources"].toArray().size(), 2);
        QCOMPARE(rec["sources"].toArray()[0].toObject()["kind"].toString(), QString("catalog"));
        QCOMPARE(rec["sources"].toArray()[0].toObject()["images"].toInt(), 8);
        QCOMPARE(rec["sources"].toArray()[1].toObject()["images"].toInt(), 32);
    }
};

QTEST_GUILESS_MAIN(TestCliPretrain)
#include "test_cli_pretrain.moc"

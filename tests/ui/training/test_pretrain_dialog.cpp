// Training > Self-Supervised Pretraining…, offscreen: the dialog lists the project's catalogs that have an
// image source, refuses to start without a source, and Start runs a tiny pretraining (SimpleCNN, 32 px, 2
// epochs, on a folder of JPEGs made here) as a TaskManager task off the GUI thread; once it finishes the
// encoder file exists, is recorded in the project and is what the matrix editor's "pretrained" chooser
// offers.
#include "UiTestSupport.h"

#include "imaging/JpegWriter.h"
#include "tasks/TaskManager.h"
#include "training/PretrainDialog.h"
#include "util/Random.h"

#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QThread>
#include <QtTest>

#include <cmath>

using namespace rm::ui;

class TestPretrainDialog : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_project, m_folder;

private Q_SLOTS:
    void initTestCase()
    {
        uitest::isolateSettings(m_dir.filePath("settings"));
        if (!rm::canWriteImages()) QSKIP("this build cannot write JPEGs (no OpenCV)");
        if (rmtest::sharedData("images/gzdecals_ring470/labels.csv").empty())
            QFAIL("../shared/data/images/gzdecals_ring470 is missing");
        m_project = m_dir.filePath("p.rmproj");
        uitest::buildDecalsProject(m_project.toStdString(), false);
        m_folder = m_dir.filePath("unlabelled");
        QDir().mkpath(m_folder);
        const int size = 40;
        for (int i = 0; i < 24; ++i) {
            rm::DeterministicRandom rng(100 + i);
            std::vector<std::uint8_t> rgb(size * size * 3);
            const double radius = rng.uniform(4, 14);
            for (int y = 0; y < size; ++y)
                for (int x = 0; x < size; ++x) {
                    const double r = std::hypot(x - size / 2.0, y - size / 2.0);
                    const bool on = i % 2 ? r < radius : std::fabs(r - radius) < 2;
                    for (int c = 0; c < 3; ++c)
                        rgb[(y * size + x) * 3 + c] = static_cast<std::uint8_t>(
                            std::min(255.0, rng.uniform(0, 40) + (on ? rng.uniform(100, 200) : 0)));
                }
            rm::writeRgbImage(QString("%1/g%2.jpg").arg(m_folder).arg(i).toStdString(), rgb.data(), size,
                              size);
        }
    }

    void listsCatalogsAndNeedsASource()
    {
        TaskManager tasks;
        PretrainDialog dialog(m_project, nullptr, &tasks);
        auto* catalogs = dialog.findChild<QListWidget*>("pretrainCatalogs");
        QVERIFY(catalogs);
        QCOMPARE(catalogs->count(), 1); // the one catalog, with its image source
        QCOMPARE(catalogs->item(0)->data(Qt::UserRole).toString(), QString("gzd"));
        QCOMPARE(catalogs->item(0)->checkState(), Qt::Unchecked);
        QVERIFY(dialog.nameEdit()->text().startsWith("ssl_simple_cnn_c3_64px"));
        dialog.imageSizeBox()->setValue(96);
        QVERIFY(dialog.nameEdit()->text().contains("96px"));
        QSignalSpy started(&dialog, &PretrainDialog::started);
        QTest::mouseClick(dialog.startButton(), Qt::LeftButton);
        QCOMPARE(started.count(), 0);
        QCOMPARE(tasks.count(), 0);
        bool errorShown = false;
        for (QLabel* l : dialog.findChildren<QLabel*>())
            errorShown |= l->text().contains("at least one catalog or folder");
        QVERIFY(errorShown);
        dialog.setCatalogChecked("gzd", true);
        QCOMPARE(dialog.request().sources.size(), std::size_t(1));
        QCOMPARE(dialog.request().sources[0].kind, rm::PretrainSource::Catalog);
    }

    void startsATaskThatFinishesAndIsOffered()
    {
        TaskManager tasks;
        QSignalSpy added(&tasks, &TaskManager::taskAdded);
        PretrainDialog dialog(m_project, nullptr, &tasks);
        dialog.addFolder(m_folder);
        dialog.addFolder(m_folder); // once only
        dialog.imageSizeBox()->setValue(32);
        dialog.epochsBox()->setValue(2);
        dialog.batchBox()->setValue(8);
        dialog.nameEdit()->setText("tiny_ssl");
        QCOMPARE(dialog.request().sources.size(), std::size_t(1));
        QSignalSpy started(&dialog, &PretrainDialog::started);
        QSignalSpy finished(&dialog, &PretrainDialog::pretrainingFinished);
        QTest::mouseClick(dialog.startButton(), Qt::LeftButton);
        QCOMPARE(started.count(), 1);
        QCOMPARE(added.count(), 1);
        Task* task = dialog.task();
        QVERIFY(task);
        QVERIFY(task->isRunning());
        QVERIFY(task->name().contains("tiny_ssl"));
        // The work runs on the task's worker thread: the GUI's event loop keeps turning meanwhile.
        int ticks = 0;
        QTimer tick;
        connect(&tick, &QTimer::timeout, [&] { ++ticks; });
        tick.start(20);
        QVERIFY(tasks.waitForAll(600000));
        QCOMPARE(finished.count(), 1);
        const QString message = finished.at(0).at(1).toString();
        QVERIFY2(finished.at(0).at(0).toBool(), qPrintable(message));
        QVERIFY(ticks > 0);
        const QString file =
            QFileInfo(m_project + ".files/pretrained/tiny_ssl.safetensors").absoluteFilePath();
        QVERIFY2(message.contains(file), qPrintable(message));
        QVERIFY(QFile::exists(file));

        const auto choices = pretrainedEncoderChoices(m_project);
        QCOMPARE(int(choices.size()), 1);
        QCOMPARE(choices[0].second, file);
        QVERIFY2(choices[0].first.contains("tiny_ssl") && choices[0].first.contains("24 images"),
                 qPrintable(choices[0].first));
    }
};

QTEST_MAIN(TestPretrainDialog)
#include "test_pretrain_dialog.moc"

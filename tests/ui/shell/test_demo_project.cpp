// First start: with no project named and none opened before, the workbench opens the demo project that
// `ringminer-cli demo make` (or the welcome panel's button) builds at ~/.local/share/RingMiner/demo (under
// Qt's test-mode data folder here).
#include "UiTestSupport.h"

#include "catalog/CatalogBrowser.h"
#include "cutouts/CutoutBrowser.h"
#include "cutouts/CutoutModel.h"
#include "cutouts/ImageSources.h"
#include "inspector/GalaxyInspector.h"
#include "inspector/ImageView.h"
#include "project/ProjectSession.h"
#include "shell/MainWindow.h"
#include "shell/WelcomePanel.h"

#include <QComboBox>
#include <QPushButton>

using namespace rm::ui;

class TestDemoProject : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_demoDir;

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        uitest::isolateSettings(m_dir.filePath(QStringLiteral("settings")));
        QVERIFY2(QFileInfo(rmtest::cliPath()).isExecutable(), "RINGMINER_CLI must name ringminer-cli");
        m_demoDir = QFileInfo(MainWindow::demoProjectPath()).absolutePath();
        QVERIFY(m_demoDir.contains(QStringLiteral("qttest"))); // never the user's real demo
        QDir(m_demoDir).removeRecursively();
    }

    void cleanupTestCase()
    {
        QDir(m_demoDir).removeRecursively();
        QDir().rmdir(QFileInfo(m_demoDir).absolutePath()); // RingMiner/, if nothing else is in it
    }

    void welcomesBeforeTheDemoExists()
    {
        MainWindow w;
        w.show();
        w.openAtStartup();
        QVERIFY(w.showsWelcome());
    }

    void opensTheDemoAtFirstStart()
    {
        const auto made = rmtest::runCli({QStringLiteral("demo"), QStringLiteral("make"), m_demoDir});
        QVERIFY2(made.exitCode == 0, qPrintable(made.err + made.out));
        QVERIFY(QFileInfo::exists(MainWindow::demoProjectPath()));

        MainWindow w;
        w.resize(1400, 900);
        w.show();
        w.openAtStartup();
        QVERIFY(!w.showsWelcome());
        QCOMPARE(w.session()->path(), QFileInfo(MainWindow::demoProjectPath()).absoluteFilePath());
        QVERIFY(w.catalogBrowser()->sourceBox()->count() >= 3);
        CutoutModel* cutouts = w.cutoutBrowser()->model();
        QVERIFY(cutouts->rowCount() > 0);
        // The demo's catalogs carry image sources (`demo make` stores them): the cutouts decode, and the
        // inspector shows the current galaxy's image.
        QTRY_VERIFY_WITH_TIMEOUT(!cutouts->index(0).data(CutoutModel::ImageRole).value<QImage>().isNull() ||
                                     !cutouts->index(0).data(CutoutModel::FailureRole).toString().isEmpty(),
                                 20000);
        QVERIFY2(cutouts->index(0).data(CutoutModel::FailureRole).toString().isEmpty(),
                 qPrintable(cutouts->index(0).data(CutoutModel::FailureRole).toString()));
        QVERIFY(w.inspector()->galaxy().valid());
        QTRY_VERIFY_WITH_TIMEOUT(w.inspector()->imageView()->hasImage(), 20000);
        // Every demo catalog has its images, not only the one shown first.
        for (const rm::CatalogInfo& c : w.session()->catalogs())
            QVERIFY2(w.session()->imageSources().hasSource(c.id), c.name.c_str());
        qInfo("demo project: %d galaxies in the grid, first cutout decoded", cutouts->rowCount());
    }

    // The welcome panel's button makes the demo in this process (core/demo on a task, progress in the status
    // bar's task list) and opens it; no ringminer-cli involved.
    void welcomeButtonMakesTheDemo()
    {
        QDir(m_demoDir).removeRecursively();
        MainWindow w;
        w.resize(1400, 900);
        w.show();
        w.openAtStartup();
        QVERIFY(w.showsWelcome());
        QPushButton* button = w.welcomePanel()->demoButton();
        QVERIFY(button->isVisible());
        QTest::mouseClick(button, Qt::LeftButton);
        QVERIFY(!button->isEnabled()); // one demo at a time
        QTRY_VERIFY_WITH_TIMEOUT(!w.showsWelcome(), 180000);
        QVERIFY(button->isEnabled());
        QCOMPARE(w.session()->path(), QFileInfo(MainWindow::demoProjectPath()).absoluteFilePath());
        QCOMPARE(int(w.session()->catalogs().size()), 3);
        QVERIFY(w.catalogBrowser()->sourceBox()->count() >= 3);
    }
};

QTEST_MAIN(TestDemoProject)
#include "test_demo_project.moc"

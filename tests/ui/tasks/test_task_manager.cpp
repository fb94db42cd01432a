// The one runner of long work (TaskManager) and its line in the status bar (TaskStatusWidget), offscreen: two
// tasks run at once on worker threads, their progress and time left show in the widget, the widget's Cancel
// stops one while the other finishes; failures come back as messages, hidden tasks are not listed, a
// BackgroundJob runs one step at a time through the manager, and the main window's status bar lists them.
#include "UiTestSupport.h"

#include "shell/MainWindow.h"
#include "tasks/BackgroundJob.h"
#include "tasks/TaskManager.h"
#include "tasks/TaskStatusWidget.h"
#include "util/Error.h"

#include <QLabel>
#include <QPointer>
#include <QProgressBar>
#include <QStatusBar>
#include <QThread>
#include <QToolButton>

#include <atomic>

using namespace rm::ui;

class TestTaskManager : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        uitest::isolateSettings(m_dir.filePath(QStringLiteral("settings")));
    }

    void twoTasksShowProgressAndOneIsCancelledFromTheWidget()
    {
        TaskManager manager;
        TaskStatusWidget widget(&manager);
        QVERIFY(!widget.isVisible()); // nothing runs: nothing to show
        const Qt::HANDLE gui = QThread::currentThreadId();
        std::atomic<bool> offTheGuiThread{true};

        // Runs until cancelled (about 30 s otherwise), reporting a fraction and where it is.
        Task* slow = manager.run(QStringLiteral("Slow job"), [&](TaskContext& context) -> QString {
            if (QThread::currentThreadId() == gui) offTheGuiThread = false;
            for (int i = 0; i < 1500; ++i) {
                context.setProgress(i / 1500.0, QStringLiteral("step %1").arg(i));
                context.throwIfCancelled();
                QThread::msleep(20);
            }
            return QStringLiteral("slow done");
        });
        // Counts 100 items in about 3 s.
        Task* quick = manager.run(QStringLiteral("Quick job"), [&](TaskContext& context) -> QString {
            if (QThread::currentThreadId() == gui) offTheGuiThread = false;
            for (std::size_t i = 1; i <= 100; ++i) {
                QThread::msleep(30);
                if (!context.progress(i, 100)) return QStringLiteral("stopped");
            }
            return QStringLiteral("quick done");
        });
        QPointer<Task> slowAlive(slow), quickAlive(quick);
        QSignalSpy slowDone(slow, &Task::finished);
        QSignalSpy quickDone(quick, &Task::finished);
        QSignalSpy finishedInManager(&manager, &TaskManager::taskFinished);
        QCOMPARE(manager.count(), 2);
        QCOMPARE(widget.rowCount(), 2);
        QVERIFY(widget.isVisible());

        // Progress and the time left reach the widget.
        for (Task* t : {slow, quick}) {
            QProgressBar* bar = widget.progressBar(t);
            QLabel* eta = widget.etaLabel(t);
            QVERIFY(bar && eta && widget.cancelButton(t));
            QTRY_VERIFY_WITH_TIMEOUT(bar->value() > 0, 5000);
            QTRY_VERIFY_WITH_TIMEOUT(
                eta->text().startsWith(QLatin1String("ETA ")) && eta->text() != Task::etaText(-1), 5000);
            QVERIFY(t->remainingMs() > 0);
            QVERIFY(t->fraction() > 0 && t->fraction() < 1);
        }
        QVERIFY(widget.progressBar(slow)->format().startsWith(QLatin1String("step ")));
        QTRY_VERIFY(widget.progressBar(quick)->format().contains(QLatin1String(" of 100")));
        QVERIFY(!quick->isCancelled());

        // Cancel from the widget stops the slow one within a step; the quick one goes on to the end.
        QTest::mouseClick(widget.cancelButton(slow), Qt::LeftButton);
        QVERIFY(slow->isCancelled());
        QVERIFY(slowDone.wait(3000));
        QCOMPARE(slowDone.at(0).at(0).toBool(), false);
        QCOMPARE(slowDone.at(0).at(1).toString(), QStringLiteral("cancelled"));
        QVERIFY(quickDone.isEmpty()); // still running when the other stopped
        QTRY_COMPARE(widget.rowCount(), 1);
        QVERIFY(!widget.progressBar(slow));
        QVERIFY(quickDone.wait(10000));
        QCOMPARE(quickDone.at(0).at(0).toBool(), true);
        QCOMPARE(quickDone.at(0).at(1).toString(), QStringLiteral("quick done"));
        QCOMPARE(finishedInManager.count(), 2);
        QCOMPARE(manager.count(), 0);
        QCOMPARE(widget.rowCount(), 0);
        QVERIFY(!widget.isVisible());
        QVERIFY(offTheGuiThread.load());
        QTRY_VERIFY(!slowAlive && !quickAlive); // the manager deletes finished tasks
    }

    void failuresBecomeMessagesAndHiddenTasksAreNotListed()
    {
        TaskManager manager;
        TaskStatusWidget widget(&manager);
        Task* failing = manager.run(QStringLiteral("Failing"), [](TaskContext&) -> QString {
            throw rm::Error("no such catalog column 'ra'");
        });
        Task* hidden = manager.run(
            QStringLiteral("Saliency"), [](TaskContext&) { return QStringLiteral("map"); }, Task::Hidden);
        QCOMPARE(manager.count(), 2);
        QCOMPARE(widget.rowCount(), 1);
        QVERIFY(widget.progressBar(failing));
        QVERIFY(!widget.progressBar(hidden));
        QSignalSpy failed(failing, &Task::finished);
        QVERIFY(failed.count() || failed.wait(5000));
        QCOMPARE(failed.at(0).at(0).toBool(), false);
        QCOMPARE(failed.at(0).at(1).toString(), QStringLiteral("no such catalog column 'ra'"));
        QVERIFY(manager.waitForAll(5000));
        QCOMPARE(widget.rowCount(), 0);
    }

    void backgroundJobRunsOneStepAtATime()
    {
        TaskManager manager;
        BackgroundJob job(nullptr, &manager);
        QSignalSpy progress(&job, &BackgroundJob::progress);
        QSignalSpy finished(&job, &BackgroundJob::finished);
        QStringList order;
        std::atomic<bool> release{false};
        QVERIFY(job.start(
            QStringLiteral("Reading"),
            [&](TaskContext& context) {
                for (std::size_t i = 1; i <= 3; ++i)
                    context.progress(i, 3);
                while (!release)
                    QThread::msleep(5);
                return QStringLiteral("read 3 rows");
            },
            [&](bool ok, const QString& message) {
                order << QStringLiteral("then %1 %2").arg(ok).arg(message);
            }));
        connect(&job, &BackgroundJob::finished, this, [&] { order << QStringLiteral("finished"); });
        QVERIFY(job.busy());
        QCOMPARE(job.what(), QStringLiteral("Reading"));
        QCOMPARE(manager.count(), 1);
        QVERIFY(
            !job.start(QStringLiteral("Another"), [](TaskContext&) { return QString(); })); // one at a time
        release = true;
        QVERIFY(job.waitDone(5000));
        QVERIFY(!job.busy());
        QCOMPARE(order, (QStringList{QStringLiteral("finished"), QStringLiteral("then 1 read 3 rows")}));
        QVERIFY(progress.count() >= 1);
        QCOMPARE(progress.last().at(0).toLongLong(), 3); // the last report always arrives
        QCOMPARE(progress.last().at(1).toLongLong(), 3);
        QCOMPARE(finished.count(), 1);
    }

    void etaText_data()
    {
        QTest::addColumn<double>("seconds");
        QTest::addColumn<QString>("text");
        QTest::newRow("unknown") << -1.0 << QStringLiteral("ETA —");
        QTest::newRow("seconds") << 42.4 << QStringLiteral("ETA 42 s");
        QTest::newRow("minutes") << 720.0 << QStringLiteral("ETA 12 min");
        QTest::newRow("hours") << 5400.0 << QStringLiteral("ETA 1.5 h");
    }

    void etaText()
    {
        QFETCH(double, seconds);
        QFETCH(QString, text);
        QCOMPARE(Task::etaText(seconds), text);
    }

    void mainWindowListsTheApplicationsTasks()
    {
        MainWindow window;
        auto* widget = window.statusBar()->findChild<TaskStatusWidget*>();
        QVERIFY(widget);
        BackgroundJob job; // the application's manager, as the panels use it
        std::atomic<bool> release{false};
        QVERIFY(job.start(QStringLiteral("Cross-matching"), [&](TaskContext& context) {
            while (!release && !context.cancelled())
                QThread::msleep(5);
            return QString();
        }));
        QCOMPARE(widget->rowCount(), 1);
        QVERIFY(widget->cancelButton(job.task()));
        release = true;
        QVERIFY(job.waitDone(5000));
        QCOMPARE(widget->rowCount(), 0);
    }
};

QTEST_MAIN(TestTaskManager)
#include "test_task_manager.moc"

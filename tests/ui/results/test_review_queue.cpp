// The review queue on the real DECaLS project with two runs written into its tables: the order (scores
// nearest the run's threshold; largest disagreement between runs), and keyboard review: R / N label the
// current galaxy at once (checked on a fresh connection), the next one comes up, and the labels survive
// reopening the project.
#include "RunFixtures.h"
#include "UiTestSupport.h"

#include <QFile>

#include <algorithm>

#include "catalog/CatalogReader.h"
#include "cutouts/CutoutModel.h"
#include "inspector/GalaxyInspector.h"
#include "labels/LabelController.h"
#include "project/ProjectSession.h"
#include "results/GalleryGrid.h"
#include "results/ReviewQueuePanel.h"
#include "selection/GalaxySelection.h"
#include "shell/MainWindow.h"
#include "store/LabelStore.h"
#include "targets/LabelConflicts.h"
#include "targets/TargetSetBuilder.h"
#include "tasks/TaskManager.h"

using namespace rm::ui;

class TestReviewQueue : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_project;
    std::vector<GalaxyId> m_near;     // expected nearest-threshold order (first five)
    std::vector<GalaxyId> m_disagree; // expected disagreement order (first three)

    static std::vector<GalaxyId> head(const std::vector<ReviewItem>& queue, std::size_t n)
    {
        std::vector<GalaxyId> out;
        for (std::size_t i = 0; i < n && i < queue.size(); ++i)
            out.push_back(queue[i].galaxy);
        return out;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        uitest::isolateSettings(m_dir.filePath(QStringLiteral("settings")));
        RM_SHARED_DATA(labels, "images/gzdecals_ring470/labels.csv");
        m_project = m_dir.filePath(QStringLiteral("review.rmproj"));
        uitest::buildDecalsProject(m_project.toStdString(), false, true);
        auto store = rm::ProjectStore::open(m_project.toStdString());
        const auto targets = rm::loadTargets(*store, "gzd_balanced");
        QVERIFY(targets.size() > 30);

        // Run A (the best, threshold 0.40): five galaxies planted near the threshold, all others far.
        const std::map<std::size_t, double> nearA = {
            {9, 0.41}, {5, 0.401}, {7, 0.403}, {6, 0.3985}, {8, 0.395}};
        for (std::size_t i : {5, 6, 7, 8, 9})
            m_near.push_back({targets[i].catalogId, targets[i].row});
        uitest::FakeRun a;
        a.model = "resnet18";
        a.metric("val", "roc_auc", 0.9);
        a.metric("test", "threshold", 0.40);
        a.predictions = uitest::predictionsFor(
            targets, [&](std::size_t i, const rm::Target&) { return nearA.count(i) ? nearA.at(i) : 0.05; });
        uitest::insertRun(*store, a);

        // Run B agrees with A except on three galaxies.
        const std::map<std::size_t, double> disagreeB = {{21, 0.65}, {20, 0.95}, {22, 0.35}};
        for (std::size_t i : {20, 21, 22})
            m_disagree.push_back({targets[i].catalogId, targets[i].row});
        uitest::FakeRun b = a;
        b.model = "efficientnet_b0";
        b.metrics.clear();
        b.metric("val", "roc_auc", 0.8);
        b.metric("test", "threshold", 0.5);
        b.predictions = uitest::predictionsFor(targets, [&](std::size_t i, const rm::Target&) {
            return disagreeB.count(i) ? disagreeB.at(i) : nearA.count(i) ? nearA.at(i) : 0.05;
        });
        uitest::insertRun(*store, b);
    }

    void ordersForReview()
    {
        auto session = ProjectSession::open(m_project);
        GalaxySelection selection;
        ReviewQueuePanel panel(&selection);
        panel.setSession(session.get());
        panel.setMode(ReviewQueuePanel::NearThreshold);
        QVERIFY(panel.queue().size() > 300);
        QCOMPARE(head(panel.queue(), 5), m_near);
        QVERIFY(std::abs(panel.queue()[0].key - 0.001) < 1e-6);

        panel.setMode(ReviewQueuePanel::Disagreement);
        QCOMPARE(head(panel.queue(), 3), m_disagree);
        QVERIFY(std::abs(panel.queue()[0].key - 0.45) < 1e-6); // std of {0.05, 0.95}
        QVERIFY(std::abs(panel.queue()[0].spread - 0.90) < 1e-6);
        QCOMPARE(panel.queue()[0].runs, 2);
        QCOMPARE(panel.queue()[3].key, 0.0); // the rest agree
        // The grid shows the queue in its order.
        QCOMPARE(panel.grid()->cutouts()->galaxyAt(0), m_disagree[0]);
        panel.setSession(nullptr);
    }

    void keyboardReviewSavesAtOnce()
    {
        {
            MainWindow w;
            w.resize(1600, 1000);
            w.show();
            QVERIFY(w.openProject(m_project));
            auto* panel = w.findChild<ReviewQueuePanel*>();
            QVERIFY(panel);
            panel->setMode(ReviewQueuePanel::NearThreshold);
            panel->start();
            GalleryGrid* grid = panel->grid();
            QCOMPARE(grid->currentGalaxy(), m_near[0]);
            QCOMPARE(w.inspector()->galaxy(), m_near[0]);

            QTest::keyClick(grid, Qt::Key_R);
            QCOMPARE(grid->currentGalaxy(), m_near[1]); // the next one comes up
            QCOMPARE(w.inspector()->galaxy(), m_near[1]);
            QTest::keyClick(grid, Qt::Key_N);
            QTest::keyClick(grid, Qt::Key_2); // an outer ring
            QCOMPARE(grid->currentGalaxy(), m_near[3]);

            // Saved at once: a fresh connection sees them while the window is still open.
            auto store = rm::ProjectStore::open(m_project.toStdString());
            rm::LabelStore labels(store->db());
            QCOMPARE(labels.current(m_near[0].key())->label, rm::HandLabel::Ring);
            QCOMPARE(labels.current(m_near[1].key())->label, rm::HandLabel::NotRing);
            QCOMPARE(labels.current(m_near[2].key())->ringType, std::string("outer"));
            QVERIFY(!labels.current(m_near[3].key()).has_value());
        }
        // Reopened: the labels are there, and the queue skips what is labelled.
        MainWindow w;
        w.show();
        QVERIFY(w.openProject(m_project));
        QCOMPARE(w.session()->labels().current(m_near[0])->label, rm::HandLabel::Ring);
        QCOMPARE(w.session()->labels().current(m_near[1])->label, rm::HandLabel::NotRing);
        auto* panel = w.findChild<ReviewQueuePanel*>();
        panel->setMode(ReviewQueuePanel::NearThreshold);
        QCOMPARE(head(panel->queue(), 2), (std::vector<GalaxyId>{m_near[3], m_near[4]}));
        panel->setSkipLabelled(false);
        QCOMPARE(head(panel->queue(), 1), std::vector<GalaxyId>{m_near[0]});
    }

    // A label saved anywhere (cutout grid, inspector, another panel) leaves a "Skip hand-labelled" queue at
    // once, and the galaxy after it comes up; an undo brings it back.
    void labelsGivenElsewhereLeaveTheQueue()
    {
        MainWindow w;
        w.resize(1600, 1000);
        w.show();
        QVERIFY(w.openProject(m_project));
        auto* panel = w.findChild<ReviewQueuePanel*>();
        panel->setMode(ReviewQueuePanel::NearThreshold);
        panel->setSkipLabelled(true);
        const std::size_t before = panel->queue().size();
        QCOMPARE(head(panel->queue(), 1), std::vector<GalaxyId>{m_near[3]});
        panel->start();
        QCOMPARE(panel->grid()->currentGalaxy(), m_near[3]);

        QVERIFY(w.session()->labels().setLabel(m_near[3], rm::HandLabel::Unsure));
        QTRY_COMPARE(panel->queue().size(), before - 1);
        QCOMPARE(head(panel->queue(), 1), std::vector<GalaxyId>{m_near[4]});
        QCOMPARE(panel->grid()->currentGalaxy(), m_near[4]);
        // U is a label like the others: saved as unsure.
        {
            auto store = rm::ProjectStore::open(m_project.toStdString());
            QCOMPARE(rm::LabelStore(store->db()).current(m_near[3].key())->label, rm::HandLabel::Unsure);
        }
        QVERIFY(w.session()->labels().undo(std::nullopt).has_value());
        QTRY_COMPARE(panel->queue().size(), before);
        QCOMPARE(panel->grid()->currentGalaxy(), m_near[4]); // the galaxy in view stays in view
    }

    void catalogConflictsFormAQueue()
    {
        // The real set beside Buta 2017: 21 galaxies labelled ring=0 that Buta lists as rings.
        const QString path = m_dir.filePath(QStringLiteral("conflicts.rmproj"));
        uitest::buildDecalsProject(path.toStdString(), /*withButa=*/true, /*withTargetSet=*/true);
        MainWindow w;
        w.resize(1600, 1000);
        w.show();
        QVERIFY(w.openProject(path));
        auto* panel = w.findChild<ReviewQueuePanel*>();
        panel->setSkipLabelled(true);
        panel->setMode(ReviewQueuePanel::Conflicts);
        QCOMPARE(panel->queue().size(), std::size_t(21));
        for (const ReviewItem& i : panel->queue()) {
            QCOMPARE(i.label, 0);
            QVERIFY2(i.note.contains(QStringLiteral("buta lists it as a ring")), qPrintable(i.note));
            QVERIFY(i.key < 5.0); // within the 5" radius
        }
        panel->start();
        const GalaxyId first = panel->grid()->currentGalaxy();
        QCOMPARE(first, panel->queue().front().galaxy);

        // R takes Buta's word: saved as a hand label, the galaxy leaves the queue, and a target set built
        // again holds it as a ring.
        QTest::keyClick(panel->grid(), Qt::Key_R);
        QTRY_COMPARE(panel->queue().size(), std::size_t(20));
        auto store = rm::ProjectStore::open(path.toStdString());
        QCOMPARE(rm::LabelStore(store->db()).current(first.key())->label, rm::HandLabel::Ring);
        rm::TargetSetSpec spec;
        spec.name = "relabelled";
        spec.labelled = "gzd";
        rm::buildTargetSet(*store, spec);
        bool found = false;
        for (const rm::Target& t : rm::loadTargets(*store, "relabelled"))
            if (t.catalogId == first.catalogId && t.row == first.row) {
                QCOMPARE(t.label, 1);
                found = true;
            }
        QVERIFY(found);
        QCOMPARE(rm::targetLabelConflicts(*store, "relabelled").size(), std::size_t(20));
    }

    // A mining run's candidates, imported as a catalog of role candidates: the likeliest first, only those
    // above the threshold, each said to be new or known; a label given from the queue is kept like any
    // other and takes the galaxy out of the queue.
    void minedCandidatesFormAQueue()
    {
        const QString path = m_dir.filePath(QStringLiteral("mined.rmproj"));
        uitest::buildDecalsProject(path.toStdString(), /*withButa=*/true, /*withTargetSet=*/false);
        const QString csv = m_dir.filePath(QStringLiteral("rings.csv"));
        {
            QFile f(csv);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("row,id,ra,dec,p_ring,p_ring_std,is_ring,known_ring,known_catalog,known_id\n"
                    "1,a,10.0,1.0,0.95,0.01,1,1,buta,NGC 1\n"
                    "2,b,10.1,1.1,0.99,0.02,1,0,,\n"
                    "3,c,10.2,1.2,0.30,0.05,0,0,,\n"
                    "4,d,10.3,1.3,0.70,0.03,1,0,,\n"
                    "5,e,10.4,1.4,,,0,0,,\n");
        }
        std::int64_t candidates = 0;
        {
            auto store = rm::ProjectStore::open(path.toStdString());
            rm::ImportOptions io;
            io.raColumn = "ra";
            io.decColumn = "dec";
            candidates = store->addCatalog("mined", rm::importCatalog(csv.toStdString(), io),
                                           rm::CatalogRole::Candidates);
        }
        {
            // The session never reads candidates on the GUI thread: the first ask starts a task and answers
            // empty; the rows (every column the queue and badges use) come with minedCandidatesChanged.
            auto session = ProjectSession::open(path);
            QSignalSpy read(session.get(), &ProjectSession::minedCandidatesChanged);
            QVERIFY(session->minedCandidates(candidates).empty());
            QVERIFY(session->minedCandidatesPending(candidates));
            const QList<Task*> tasks = TaskManager::instance()->tasks();
            QVERIFY(std::any_of(tasks.begin(), tasks.end(), [](Task* t) {
                return t->name() == QStringLiteral("Reading mined candidates of mined");
            }));
            QVERIFY(read.wait(20000));
            QCOMPARE(read.first().first().toLongLong(), qint64(candidates));
            QVERIFY(!session->minedCandidatesPending(candidates));
            const auto& rows = session->minedCandidates(candidates);
            QCOMPARE(rows.size(), std::size_t(4)); // e was not scored
            QCOMPARE(rows.at(2).pRing, 0.30);
            QCOMPARE(rows.at(2).pRingStd, 0.05);
            QVERIFY(!rows.at(2).isRing);
            QVERIFY(rows.at(0).known);
            QCOMPARE(rows.at(0).knownCatalog, std::string("buta"));
            QCOMPARE(rows.at(0).knownId, std::string("NGC 1"));
            QCOMPARE(read.size(), 1); // read once per import
        }
        MainWindow w;
        w.resize(1600, 1000);
        w.show();
        QVERIFY(w.openProject(path));
        auto* panel = w.findChild<ReviewQueuePanel*>();
        panel->setSkipLabelled(true);
        panel->setMode(ReviewQueuePanel::Candidates);
        QTRY_COMPARE(head(panel->queue(), 5),
                     (std::vector<GalaxyId>{{candidates, 1}, {candidates, 0}, {candidates, 3}}));
        QCOMPARE(panel->queue()[0].note,
                 QStringLiteral("new ring candidate, p_ring 0.990, TTA spread 0.020"));
        QCOMPARE(panel->queue()[1].note,
                 QStringLiteral("known ring (buta NGC 1), p_ring 0.950, TTA spread 0.010"));
        QCOMPARE(panel->queue()[2].score, 0.70);

        // Least certain first: every scored row, nearest the threshold the rows imply (0.5, between 0.30 not
        // a ring and 0.70 a ring) on either side, the larger TTA spread first between equals.
        panel->setMode(ReviewQueuePanel::CandidatesUncertain);
        QCOMPARE(head(panel->queue(), 5),
                 (std::vector<GalaxyId>{{candidates, 2}, {candidates, 3}, {candidates, 0}, {candidates, 1}}));
        QCOMPARE(panel->queue()[0].note,
                 QStringLiteral(
                     "below the threshold, p_ring 0.300, 0.200 from the threshold 0.500, TTA spread 0.050"));
        panel->setMode(ReviewQueuePanel::Candidates);

        // The thumbnails say new or known (the browsers' badge), and only above the threshold.
        QAbstractItemModel* model = panel->grid()->model();
        QCOMPARE(model->index(0, 0).data(CutoutModel::MinedRole).toString(), QStringLiteral("new"));
        QCOMPARE(model->index(1, 0).data(CutoutModel::MinedRole).toString(), QStringLiteral("known"));
        QVERIFY(model->index(1, 0).data(Qt::ToolTipRole).toString().contains(QStringLiteral("buta NGC 1")));

        panel->start();
        QCOMPARE(panel->grid()->currentGalaxy(), (GalaxyId{candidates, 1}));
        QTest::keyClick(panel->grid(), Qt::Key_N);
        QTRY_COMPARE(panel->queue().size(), std::size_t(2));
        auto store = rm::ProjectStore::open(path.toStdString());
        QCOMPARE(rm::LabelStore(store->db()).current(GalaxyId{candidates, 1}.key())->label,
                 rm::HandLabel::NotRing);
    }
};

QTEST_MAIN(TestReviewQueue)
#include "test_review_queue.moc"

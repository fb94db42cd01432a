// SAMP against a real hub: astropy's SAMPHubServer on 127.0.0.1 with its own lockfile (SAMP_HUB points at
// it; ~/.samp is never read) and a second astropy client (samp_peer.py) that records what arrives. The
// workbench sends the real Galaxy Zoo DECaLS catalog (read back by astropy.io.votable: row count, names,
// positions), a filtered view of it, selected rows and a pointAt; the peer selects rows back and the catalog
// browser, the shared selection and the cutout grid follow. A hub that dies without a word (killed) and one
// that shuts down properly both leave the indicator disconnected, and a send then says why it failed.
#include "UiTestSupport.h"

#include "catalog/CatalogBrowser.h"
#include "catalog/CatalogTableModel.h"
#include "cutouts/CutoutBrowser.h"
#include "cutouts/CutoutModel.h"
#include "project/ProjectSession.h"
#include "samp/SampBridge.h"
#include "samp/SampClient.h"
#include "selection/GalaxySelection.h"
#include "shell/MainWindow.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTableView>
#include <QToolButton>

using namespace rm::ui;

namespace {

// The astropy hub and peer, spoken to in JSON lines.
class Peer
{
public:
    explicit Peer(const QString& scratch)
    {
        m_process.setProgram(QStringLiteral("/usr/bin/python3"));
        m_process.setArguments({QDir(QString::fromLocal8Bit(qgetenv("RINGMINER_SOURCE_DIR")))
                                    .filePath(QStringLiteral("tests/ui/samp/samp_peer.py")),
                                scratch});
        // The hub's own lockfile, and a home of its own: astropy also tidies dead hubs' lockfiles in $HOME.
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("HOME"), scratch);
        env.insert(
            QStringLiteral("SAMP_HUB"),
            QStringLiteral("std-lockurl:") +
                QUrl::fromLocalFile(QDir(scratch).filePath(QStringLiteral("samp-lockfile"))).toString());
        m_process.setProcessEnvironment(env);
        m_process.start();
    }
    ~Peer()
    {
        if (m_process.state() == QProcess::NotRunning) return;
        m_process.write("{\"cmd\": \"quit\"}\n");
        m_process.closeWriteChannel();
        if (!m_process.waitForFinished(10000)) {
            m_process.kill();
            m_process.waitForFinished(5000);
        }
    }

    // The next line with this event (and mtype), running the event loop meanwhile (the workbench must answer
    // the hub while the test waits); an empty object after the timeout.
    QJsonObject next(const QString& event, const QString& mtype = {}, int timeoutMs = 20000)
    {
        QElapsedTimer timer;
        timer.start();
        while (timer.elapsed() < timeoutMs) {
            m_pending += m_process.readAllStandardOutput();
            qsizetype nl;
            while ((nl = m_pending.indexOf('\n')) >= 0) {
                const QJsonObject o = QJsonDocument::fromJson(m_pending.left(nl)).object();
                m_pending.remove(0, nl + 1);
                if (o.value("event").toString() == event &&
                    (mtype.isEmpty() || o.value("mtype").toString() == mtype))
                    return o;
            }
            if (m_process.state() == QProcess::NotRunning) break;
            QTest::qWait(20);
        }
        qWarning("samp_peer.py stderr:\n%s", m_process.readAllStandardError().constData());
        return {};
    }

    void command(const QJsonObject& cmd)
    {
        m_process.write(QJsonDocument(cmd).toJson(QJsonDocument::Compact) + "\n");
    }
    void kill()
    {
        m_process.kill();
        m_process.waitForFinished(5000);
    }

private:
    QProcess m_process;
    QByteArray m_pending;
};

QStringList strings(const QJsonValue& v)
{
    QStringList out;
    for (const QJsonValue& x : v.toArray())
        out << x.toString();
    return out;
}

} // namespace

class TestSampHub : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_project;
    QStringList m_names; // iauname of every stored row, from the CSV itself
    QStringList m_rings;

    // A window on the project, registered with the peer's hub; the peer's client id.
    QString connect(MainWindow& w, Peer& peer, const QString& scratch)
    {
        const QJsonObject ready = peer.next(QStringLiteral("ready"));
        if (ready.isEmpty()) return {};
        qputenv("SAMP_HUB",
                "std-lockurl:" + QUrl::fromLocalFile(ready.value("lockfile").toString()).toEncoded());
        Q_UNUSED(scratch);
        w.sampClient()->setTimeouts(3000, 250);
        w.sampClient()->connectToHub();
        if (!QTest::qWaitFor([&] { return w.sampClient()->isConnected(); }, 20000)) return {};
        QString id;
        QTest::qWaitFor(
            [&] {
                for (const SampPeer& p : w.sampClient()->subscribers(QStringLiteral("table.load.votable")))
                    if (p.name == u"ringminer-test-peer") id = p.id;
                return !id.isEmpty();
            },
            20000);
        return id;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        uitest::isolateSettings(m_dir.filePath(QStringLiteral("settings")));
        RM_SHARED_DATA(labels, "images/gzdecals_ring470/labels.csv");
        m_project = m_dir.filePath(QStringLiteral("decals.rmproj"));
        uitest::buildDecalsProject(m_project.toStdString(), false);
        QFile csv(QString::fromStdString(labels));
        QVERIFY(csv.open(QIODevice::ReadOnly));
        csv.readLine();
        while (!csv.atEnd()) {
            const QList<QByteArray> f = csv.readLine().trimmed().split(',');
            m_names << QString::fromUtf8(f.value(0));
            m_rings << QString::fromUtf8(f.value(2));
        }
        QCOMPARE(m_names.size(), 377);
    }

    void tablesRowsAndPointingGoOutAndSelectionsComeBack()
    {
        const QString scratch = m_dir.filePath(QStringLiteral("hub1"));
        QVERIFY(QDir().mkpath(scratch));
        Peer peer(scratch);
        MainWindow w;
        w.resize(1400, 900);
        w.show();
        QVERIFY(w.openProject(m_project));
        CatalogBrowser* browser = w.catalogBrowser();
        QCOMPARE(browser->currentSourceName(), QStringLiteral("gzd"));
        const QString peerId = connect(w, peer, scratch);
        QVERIFY2(!peerId.isEmpty(), qPrintable(w.sampClient()->lastError()));
        auto* indicator = w.findChild<QToolButton*>(QStringLiteral("sampStatus"));
        QVERIFY(indicator);
        QVERIFY2(indicator->text().contains(QStringLiteral("SAMP: 1 client")), qPrintable(indicator->text()));

        // The whole catalog, to the peer by name: astropy reads the VOTable back.
        w.sampSendTable(peerId);
        const QJsonObject all = peer.next(QStringLiteral("message"), QStringLiteral("table.load.votable"));
        QVERIFY2(!all.isEmpty() && !all.contains("error"), qPrintable(all.value("error").toString()));
        QCOMPARE(all.value("nrows").toInt(), 377);
        const QJsonObject allParams = all.value("params").toObject();
        QCOMPARE(allParams.value("name").toString(), QStringLiteral("gzd"));
        QVERIFY(allParams.value("url").toString().startsWith(QStringLiteral("file:///")));
        QCOMPARE(strings(all.value("column_values").toObject().value("iauname")), m_names);
        const QStringList ras = strings(all.value("column_values").toObject().value("_RAJ2000"));
        const GalaxyRecord r100 = w.session()->record({browser->model()->source().view.id, 100});
        QCOMPARE(ras.size(), 377);
        QVERIFY2(qAbs(ras[100].toDouble() - r100.ra) < 1e-9, qPrintable(ras[100]));
        QTRY_COMPARE(w.sampBridge()->tableCount(), 1);

        // The filtered view (rings only), to every subscribed client: only those rows, in the view's order.
        QSignalSpy ready(browser->model(), &CatalogTableModel::viewReady);
        QVERIFY(browser->applyFilter(QStringLiteral("ring = 1")));
        QVERIFY(ready.wait(20000));
        QCOMPARE(browser->model()->rowCount(), 187);
        w.sampSendTable(QString());
        const QJsonObject rings = peer.next(QStringLiteral("message"), QStringLiteral("table.load.votable"));
        QCOMPARE(rings.value("nrows").toInt(), 187);
        QCOMPARE(strings(rings.value("column_values").toObject().value("ring")),
                 QStringList(187, QStringLiteral("1")));
        QStringList ringNames;
        for (int i = 0; i < m_names.size(); ++i)
            if (m_rings[i] == u"1") ringNames << m_names[i];
        QCOMPARE(strings(rings.value("column_values").toObject().value("iauname")), ringNames);
        const QString ringsId = rings.value("params").toObject().value("table-id").toString();
        const QString ringsUrl = rings.value("params").toObject().value("url").toString();
        QVERIFY(ringsId != allParams.value("table-id").toString());

        // Rows selected in the browser go out as a row list of the latest table holding them.
        QTableView* view = browser->view();
        view->selectionModel()->select(
            QItemSelection(browser->model()->index(3, 0), browser->model()->index(5, 0)),
            QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
        QTRY_COMPARE(w.selection()->galaxies().size(), 3);
        w.sampSendSelection(peerId);
        const QJsonObject rowList =
            peer.next(QStringLiteral("message"), QStringLiteral("table.select.rowList"));
        QCOMPARE(rowList.value("params").toObject().value("table-id").toString(), ringsId);
        QCOMPARE(strings(rowList.value("params").toObject().value("row-list")),
                 (QStringList{QStringLiteral("3"), QStringLiteral("4"), QStringLiteral("5")}));

        // The current galaxy: Aladin/DS9 would pan there.
        view->setCurrentIndex(browser->model()->index(7, 0));
        const GalaxyId seventh = browser->model()->galaxyAt(7);
        QTRY_VERIFY(w.selection()->current() && w.selection()->current()->id == seventh);
        w.sampPointAt(QString());
        const QJsonObject point = peer.next(QStringLiteral("message"), QStringLiteral("coord.pointAt.sky"));
        const GalaxyRecord r7 = w.session()->record(seventh);
        QVERIFY(qAbs(point.value("params").toObject().value("ra").toString().toDouble() - r7.ra) < 1e-9);
        QVERIFY(qAbs(point.value("params").toObject().value("dec").toString().toDouble() - r7.dec) < 1e-9);

        // The peer (as TOPCAT would) selects rows 10, 20, 30 of the rings table: RingMiner selects them.
        QSignalSpy received(w.sampBridge(), &SampBridge::selectionReceived);
        peer.command(
            {{"cmd", "select"}, {"table-id", ringsId}, {"url", ringsUrl}, {"rows", QJsonArray{10, 20, 30}}});
        QVERIFY(received.wait(20000));
        const QList<GalaxyId> expected{browser->model()->galaxyAt(10), browser->model()->galaxyAt(20),
                                       browser->model()->galaxyAt(30)};
        QList<GalaxyId> got;
        for (const SelectedGalaxy& g : w.selection()->galaxies())
            got << g.id;
        QCOMPARE(got, expected);
        QList<int> selectedRows;
        for (const QModelIndex& i : view->selectionModel()->selectedRows())
            selectedRows << i.row();
        std::sort(selectedRows.begin(), selectedRows.end());
        QCOMPARE(selectedRows, (QList<int>{10, 20, 30}));
        QTRY_COMPARE(w.cutoutBrowser()->model()->rowCount(), 3);
        QCOMPARE(w.selection()->current()->id, expected.front());

        // A selection of the first (unfiltered) table: the browser switches back to the whole catalog.
        peer.command({{"cmd", "select"},
                      {"table-id", allParams.value("table-id").toString()},
                      {"url", allParams.value("url").toString()},
                      {"rows", QJsonArray{0, 376}}});
        QVERIFY(received.wait(20000));
        QTRY_COMPARE(browser->model()->rowCount(), 377);
        selectedRows.clear();
        for (const QModelIndex& i : view->selectionModel()->selectedRows())
            selectedRows << i.row();
        std::sort(selectedRows.begin(), selectedRows.end());
        QCOMPARE(selectedRows, (QList<int>{0, 376}));

        // The hub dies without a word: the heartbeat notices, and a send says it is not connected.
        peer.kill();
        QTRY_VERIFY_WITH_TIMEOUT(!w.sampClient()->isConnected(), 15000);
        QVERIFY2(w.sampClient()->lastError().contains(QStringLiteral("stopped answering")),
                 qPrintable(w.sampClient()->lastError()));
        QVERIFY2(indicator->text().contains(QStringLiteral("no hub")), qPrintable(indicator->text()));
        QSignalSpy errors(&w, &MainWindow::errorReported);
        w.sampSendTable(QString());
        QCOMPARE(errors.count(), 1);
        QVERIFY2(w.lastError().startsWith(QStringLiteral("Not connected to a SAMP hub")),
                 qPrintable(w.lastError()));
    }

    void aHubThatShutsDownDisconnects()
    {
        const QString scratch = m_dir.filePath(QStringLiteral("hub2"));
        QVERIFY(QDir().mkpath(scratch));
        Peer peer(scratch);
        MainWindow w;
        w.show();
        QVERIFY(w.openProject(m_project));
        QVERIFY2(!connect(w, peer, scratch).isEmpty(), qPrintable(w.sampClient()->lastError()));
        w.sampClient()->setTimeouts(3000, 60000); // the shutdown message, not the heartbeat, must do it
        peer.command({{"cmd", "stop-hub"}});
        QVERIFY(!peer.next(QStringLiteral("hub-stopped")).isEmpty());
        QTRY_VERIFY_WITH_TIMEOUT(!w.sampClient()->isConnected(), 10000);
        QVERIFY2(w.sampClient()->lastError().contains(QStringLiteral("shut down")),
                 qPrintable(w.sampClient()->lastError()));
        // Without a hub (its lockfile is gone) connecting says so.
        w.sampClient()->connectToHub();
        QVERIFY(!w.sampClient()->isConnected());
        QVERIFY2(w.sampClient()->lastError().contains(QStringLiteral("no SAMP hub is running")),
                 qPrintable(w.sampClient()->lastError()));
    }
};

QTEST_MAIN(TestSampHub)
#include "test_samp_hub.moc"

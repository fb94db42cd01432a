#pragma once
// What RingMiner says over SAMP and what it does with what comes back. Tables go out as VOTable files
// (core's catalog and target-set export, written on a worker into a folder that lives as long as the
// window) with a table-id; the bridge keeps, for every table it sent, which galaxy each 0-based row is, so a
// table.select.rowList coming back (TOPCAT, Aladin) becomes the shared GalaxySelection, and the selected
// galaxies go out as a row list of the latest table that holds them. coord.pointAt.sky points Aladin or DS9
// at a galaxy. Nothing fails silently: every send ends in done(ok, message).
#include "catalog/TableSource.h"
#include "selection/GalaxySelection.h"

#include <QHash>
#include <QObject>
#include <QTemporaryDir>

#include <functional>
#include <memory>
#include <vector>

namespace rm::ui {

class BackgroundJob;
class ProjectSession;
class SampClient;

class SampBridge : public QObject
{
    Q_OBJECT
public:
    using Done = std::function<void(bool ok, const QString& message)>;

    struct SentTable
    {
        QString tableId;
        QString url; // file:///…/ringminer-NAME-N.vot
        QString name;
        QString sourceName;             // the catalog or target set it came from
        std::vector<GalaxyId> galaxies; // by 0-based table row
        std::vector<double> ra, dec;
        QHash<GalaxyId, int> rowOf;
    };

    SampBridge(SampClient* client, GalaxySelection* selection, QObject* parent = nullptr);
    ~SampBridge() override;

    SampClient* client() const { return m_client; }
    // Tables sent from an earlier project are forgotten (their rows name another project's galaxies).
    void setSession(ProjectSession* session);

    // Sends the rows of source in the order of `rows` (the browser's view; empty: every row) as
    // table.load.votable to recipient (empty: every subscribed client). name is what clients show.
    void sendTable(const TableSource& source, std::vector<GalaxyId> rows, const QString& name,
                   const QString& recipient, Done done);
    // table.select.rowList on the latest sent table that holds any of the galaxies; fails (saying so) when
    // none does.
    void sendRows(const QVector<SelectedGalaxy>& galaxies, const QString& recipient, Done done);
    // coord.pointAt.sky at the galaxy's position (read from the project when the selection did not know it).
    void pointAt(const SelectedGalaxy& galaxy, const QString& recipient, Done done);

    // The latest sent table holding any of these galaxies, or nullptr.
    const SentTable* tableHolding(const QVector<SelectedGalaxy>& galaxies) const;
    const SentTable* table(const QString& tableId) const;
    int tableCount() const { return int(m_tables.size()); }
    bool busy() const;

Q_SIGNALS:
    // A client selected rows of a table RingMiner sent: the shared selection now holds those galaxies.
    void selectionReceived(const QString& sourceName, int galaxies, const QString& sender);
    void statusMessage(const QString& text);

private:
    void onMessage(const QString& sender, const QString& mtype, const QVariantMap& params);
    const SentTable* findTable(const QVariantMap& params) const;

    SampClient* m_client;
    GalaxySelection* m_selection;
    ProjectSession* m_session = nullptr;
    BackgroundJob* m_job;
    std::unique_ptr<QTemporaryDir> m_dir;
    std::vector<std::shared_ptr<SentTable>> m_tables; // in the order sent
    int m_sent = 0;
};

} // namespace rm::ui

#include "samp/SampBridge.h"

#include "catalog/CatalogWriter.h"
#include "project/ProjectSession.h"
#include "samp/SampClient.h"
#include "store/ProjectStore.h"
#include "targets/ProjectExport.h"
#include "targets/TargetSetBuilder.h"
#include "tasks/BackgroundJob.h"
#include "util/Error.h"

#include <QDir>
#include <QFile>
#include <QRegularExpression>
#include <QUrl>

#include <cmath>

namespace rm::ui {

namespace {

const QString kLoadVotable = QStringLiteral("table.load.votable");
const QString kSelectRows = QStringLiteral("table.select.rowList");
const QString kHighlightRow = QStringLiteral("table.highlight.row");
const QString kPointAt = QStringLiteral("coord.pointAt.sky");

// The rows of t in the given order.
rm::Table subset(const rm::Table& t, const std::vector<std::size_t>& rows)
{
    rm::Table out;
    for (const rm::Column& c : t.columns) {
        rm::Column& o = out.addColumn(c.name, c.type, c.unit);
        for (std::size_t r : rows) {
            if (c.isNull(r))
                o.appendNull();
            else if (c.type == rm::ColumnType::Integer)
                o.appendInteger(c.integers[r]);
            else if (c.type == rm::ColumnType::Real)
                o.appendReal(c.reals[r]);
            else
                o.appendText(c.texts[r]);
        }
    }
    return out;
}

QString fileSafe(const QString& name)
{
    static const QRegularExpression kUnsafe(QStringLiteral("[^A-Za-z0-9_.-]+"));
    QString s = name;
    s.replace(kUnsafe, QStringLiteral("_"));
    return s.left(60);
}

} // namespace

SampBridge::SampBridge(SampClient* client, GalaxySelection* selection, QObject* parent)
    : QObject(parent), m_client(client), m_selection(selection), m_job(new BackgroundJob(this))
{
    m_job->setTaskFlags(Task::Hidden);
    connect(m_client, &SampClient::messageReceived, this, &SampBridge::onMessage);
}

SampBridge::~SampBridge() = default;

void SampBridge::setSession(ProjectSession* session)
{
    if (session == m_session) return;
    m_job->cancel();
    m_session = session;
    m_tables.clear();
}

bool SampBridge::busy() const
{
    return m_job->busy();
}

const SampBridge::SentTable* SampBridge::table(const QString& tableId) const
{
    for (const auto& t : m_tables)
        if (t->tableId == tableId) return t.get();
    return nullptr;
}

const SampBridge::SentTable* SampBridge::tableHolding(const QVector<SelectedGalaxy>& galaxies) const
{
    for (auto it = m_tables.rbegin(); it != m_tables.rend(); ++it)
        for (const SelectedGalaxy& g : galaxies)
            if ((*it)->rowOf.contains(g.id)) return it->get();
    return nullptr;
}

void SampBridge::sendTable(const TableSource& source, std::vector<GalaxyId> rows, const QString& name,
                           const QString& recipient, Done done)
{
    if (!done) done = [](bool, const QString&) {};
    if (!m_session || !source.valid()) return done(false, tr("Open a project and choose a catalog first"));
    if (!m_client->isConnected()) {
        return done(false, m_client->lastError().isEmpty()
                               ? tr("Not connected to a SAMP hub")
                               : tr("Not connected to a SAMP hub: %1").arg(m_client->lastError()));
    }
    if (m_job->busy())
        return done(false, tr("A table is still being written for SAMP; try again in a moment"));
    if (!m_dir) {
        m_dir =
            std::make_unique<QTemporaryDir>(QDir::temp().filePath(QStringLiteral("ringminer-samp-XXXXXX")));
        if (!m_dir->isValid()) {
            const QString error = m_dir->errorString();
            m_dir.reset();
            return done(false, tr("Cannot make a folder for SAMP tables: %1").arg(error));
        }
    }
    auto table = std::make_shared<SentTable>();
    ++m_sent;
    table->name = name.isEmpty() ? source.name : name;
    table->sourceName = source.name;
    table->tableId = QStringLiteral("ringminer-%1-%2").arg(fileSafe(source.name)).arg(m_sent);
    const QString path = m_dir->filePath(QStringLiteral("%1.vot").arg(table->tableId));
    table->url = QUrl::fromLocalFile(path).toString();

    const std::string projectPath = QFile::encodeName(m_session->path()).toStdString();
    const rm::ViewSource view = source.view;
    const std::string tableName = table->name.toStdString();
    const auto job = [projectPath, view, rows = std::move(rows), table, path,
                      tableName](TaskContext& context) {
        auto store = rm::ProjectStore::open(projectPath);
        rm::ExportTable out;
        std::vector<GalaxyId> ids;
        std::vector<double> ra, dec;
        if (view.kind == rm::ViewSource::Kind::Catalog) {
            out = rm::catalogExportTable(*store, view.name);
            const rm::CatalogPositions positions = store->positions(view.id);
            for (std::size_t i = 0; i < out.table.rowCount(); ++i)
                ids.push_back({view.id, qint64(i)});
            ra = positions.ra;
            dec = positions.dec;
        } else {
            out = rm::targetSetExportTable(*store, view.name);
            for (const rm::Target& g : rm::loadTargets(*store, view.name)) {
                ids.push_back({g.catalogId, g.row});
                ra.push_back(g.ra);
                dec.push_back(g.dec);
            }
        }
        if (ids.size() != out.table.rowCount() || ra.size() != ids.size())
            throw rm::Error("the export of '" + view.name + "' has " + std::to_string(out.table.rowCount()) +
                            " rows for " + std::to_string(ids.size()) + " galaxies");
        context.throwIfCancelled();
        // The browser's view: its rows in its order. The whole source in stored order needs no subset.
        bool whole = rows.empty() || rows.size() == ids.size();
        for (std::size_t i = 0; whole && i < rows.size(); ++i)
            whole = rows[i] == ids[i];
        if (!whole) {
            QHash<GalaxyId, std::size_t> index;
            index.reserve(qsizetype(ids.size()));
            for (std::size_t i = 0; i < ids.size(); ++i)
                index.insert(ids[i], i);
            std::vector<std::size_t> take;
            take.reserve(rows.size());
            for (const GalaxyId& g : rows) {
                auto it = index.constFind(g);
                if (it != index.constEnd()) take.push_back(*it);
            }
            out.table = subset(out.table, take);
            std::vector<GalaxyId> keptIds;
            std::vector<double> keptRa, keptDec;
            for (std::size_t i : take) {
                keptIds.push_back(ids[i]);
                keptRa.push_back(ra[i]);
                keptDec.push_back(dec[i]);
            }
            ids = std::move(keptIds);
            ra = std::move(keptRa);
            dec = std::move(keptDec);
            out.description += "; the " + std::to_string(take.size()) + " rows shown in RingMiner's browser";
        }
        out.name = tableName;
        context.throwIfCancelled();
        rm::writeTable(QFile::encodeName(path).toStdString(), out, rm::ExportFormat::VoTable);
        table->galaxies = std::move(ids);
        table->ra = std::move(ra);
        table->dec = std::move(dec);
        table->rowOf.reserve(qsizetype(table->galaxies.size()));
        for (std::size_t i = 0; i < table->galaxies.size(); ++i)
            table->rowOf.insert(table->galaxies[i], int(i));
        return tr("%L1 rows written to %2").arg(table->galaxies.size()).arg(path);
    };
    const bool started = m_job->start(
        tr("Writing %1 for SAMP").arg(table->name), job,
        [this, table, recipient, done](bool ok, const QString& message) {
            if (!ok) return done(false, tr("Table not sent: %1").arg(message));
            m_tables.push_back(table);
            const QVariantMap params{{QStringLiteral("url"), table->url},
                                     {QStringLiteral("table-id"), table->tableId},
                                     {QStringLiteral("name"), table->name}};
            const int rowCount = int(table->galaxies.size());
            m_client->notify(
                recipient, kLoadVotable, params, [done, table, rowCount](bool sent, const QString& m) {
                    done(sent, sent ? tr("Table %1 (%L2 rows) %3").arg(table->name).arg(rowCount).arg(m) : m);
                });
        });
    if (!started) done(false, tr("A table is still being written for SAMP; try again in a moment"));
}

void SampBridge::sendRows(const QVector<SelectedGalaxy>& galaxies, const QString& recipient, Done done)
{
    if (!done) done = [](bool, const QString&) {};
    if (galaxies.isEmpty()) return done(false, tr("No galaxies are selected"));
    const SentTable* t = tableHolding(galaxies);
    if (!t)
        return done(false,
                    tr("None of the selected galaxies is in a table sent over SAMP: send the table first"));
    QVariantList rows;
    for (const SelectedGalaxy& g : galaxies) {
        auto it = t->rowOf.constFind(g.id);
        if (it != t->rowOf.constEnd()) rows << QString::number(*it);
    }
    const int missing = int(galaxies.size() - rows.size());
    const QVariantMap params{{QStringLiteral("table-id"), t->tableId},
                             {QStringLiteral("url"), t->url},
                             {QStringLiteral("row-list"), rows}};
    const QString name = t->name;
    const int count = int(rows.size());
    m_client->notify(recipient, kSelectRows, params, [done, name, count, missing](bool ok, const QString& m) {
        if (!ok) return done(false, m);
        QString text = tr("%L1 selected rows of %2 %3").arg(count).arg(name, m);
        if (missing > 0) text += tr(" (%L1 selected galaxies are not in that table)").arg(missing);
        done(true, text);
    });
}

void SampBridge::pointAt(const SelectedGalaxy& galaxy, const QString& recipient, Done done)
{
    if (!done) done = [](bool, const QString&) {};
    if (!galaxy.id.valid()) return done(false, tr("No galaxy is chosen"));
    double ra = galaxy.ra, dec = galaxy.dec;
    if (!std::isfinite(ra) || !std::isfinite(dec)) {
        if (!m_session) return done(false, tr("No project is open"));
        try {
            const GalaxyRecord record = m_session->record(galaxy.id);
            ra = record.ra;
            dec = record.dec;
        } catch (const rm::Error& e) {
            return done(false,
                        tr("Cannot read the galaxy's position: %1").arg(QString::fromStdString(e.what())));
        }
    }
    const QVariantMap params{{QStringLiteral("ra"), QString::number(ra, 'g', 17)},
                             {QStringLiteral("dec"), QString::number(dec, 'g', 17)}};
    m_client->notify(recipient, kPointAt, params, [done, ra, dec](bool ok, const QString& m) {
        done(ok, ok ? tr("Pointed at %1, %2 (%3)").arg(ra, 0, 'f', 5).arg(dec, 0, 'f', 5).arg(m) : m);
    });
}

const SampBridge::SentTable* SampBridge::findTable(const QVariantMap& params) const
{
    if (const SentTable* t = table(params.value(QStringLiteral("table-id")).toString())) return t;
    const QString url = params.value(QStringLiteral("url")).toString();
    if (url.isEmpty()) return nullptr;
    for (auto it = m_tables.rbegin(); it != m_tables.rend(); ++it)
        if ((*it)->url == url) return it->get();
    return nullptr;
}

void SampBridge::onMessage(const QString& sender, const QString& mtype, const QVariantMap& params)
{
    if (mtype != kSelectRows && mtype != kHighlightRow) return;
    const QString who = m_client->clientName(sender);
    const SentTable* t = findTable(params);
    if (!t) {
        Q_EMIT statusMessage(tr("%1 sent %2 for a table RingMiner did not send (table-id '%3'); ignored")
                                 .arg(who, mtype, params.value(QStringLiteral("table-id")).toString()));
        return;
    }
    const auto galaxyAt = [t](int row) {
        return SelectedGalaxy{t->galaxies[std::size_t(row)], t->ra[std::size_t(row)],
                              t->dec[std::size_t(row)]};
    };
    const auto parseRow = [t](const QVariant& v, bool* ok) {
        const int row = v.toString().trimmed().toInt(ok);
        *ok = *ok && row >= 0 && std::size_t(row) < t->galaxies.size();
        return row;
    };
    if (mtype == kHighlightRow) {
        bool ok = false;
        const int row = parseRow(params.value(QStringLiteral("row")), &ok);
        if (!ok) {
            Q_EMIT statusMessage(tr("%1 highlighted row '%2' of %3, which has no such row")
                                     .arg(who, params.value(QStringLiteral("row")).toString(), t->name));
            return;
        }
        m_selection->setCurrent(galaxyAt(row), this);
        Q_EMIT statusMessage(tr("%1 highlighted row %2 of %3").arg(who).arg(row).arg(t->name));
        return;
    }
    QVector<SelectedGalaxy> galaxies;
    int bad = 0;
    for (const QVariant& v : params.value(QStringLiteral("row-list")).toList()) {
        bool ok = false;
        const int row = parseRow(v, &ok);
        if (ok)
            galaxies << galaxyAt(row);
        else
            ++bad;
    }
    const QString source = t->sourceName;
    const int count = int(galaxies.size());
    m_selection->setGalaxies(galaxies, this);
    m_selection->setCurrent(galaxies.isEmpty() ? std::nullopt : std::optional(galaxies.front()), this);
    Q_EMIT selectionReceived(source, count, who);
    Q_EMIT statusMessage(bad == 0 ? tr("%1 selected %L2 galaxies of %3").arg(who).arg(count).arg(source)
                                  : tr("%1 selected %L2 galaxies of %3 (%L4 rows out of range ignored)")
                                        .arg(who)
                                        .arg(count)
                                        .arg(source)
                                        .arg(bad));
}

} // namespace rm::ui

#include "project/ProjectSession.h"

#include "cutouts/ImageSources.h"
#include "cutouts/ThumbnailLoader.h"
#include "labels/LabelController.h"
#include "results/RunResults.h"
#include "sources/GalaxyRef.h"
#include "store/CatalogRecords.h"
#include "tasks/TaskManager.h"
#include "util/Error.h"

#include <QDir>
#include <QFileInfo>

#include <memory>

namespace rm::ui {

rm::GalaxyRef GalaxyRecord::galaxyRef() const
{
    rm::GalaxyRef ref;
    ref.catalogId = id.catalogId;
    ref.row = std::size_t(id.row);
    ref.ra = ra;
    ref.dec = dec;
    ref.values = values;
    return ref;
}

std::unique_ptr<ProjectSession> ProjectSession::open(const QString& path)
{
    auto store = rm::ProjectStore::open(QFile::encodeName(path).toStdString());
    return std::unique_ptr<ProjectSession>(new ProjectSession(std::move(store), path));
}

std::unique_ptr<ProjectSession> ProjectSession::create(const QString& path)
{
    auto store = rm::ProjectStore::create(QFile::encodeName(path).toStdString());
    return std::unique_ptr<ProjectSession>(new ProjectSession(std::move(store), path));
}

ProjectSession::ProjectSession(std::unique_ptr<rm::ProjectStore> store, QString path)
    : m_store(std::move(store)), m_path(QFileInfo(path).absoluteFilePath()),
      m_records(std::make_unique<rm::CatalogRecordReader>(*m_store))
{
    m_images = std::make_unique<ImageSources>(*m_store, QFileInfo(m_path).absolutePath());
    m_labels = std::make_unique<LabelController>(*this);
    m_results = std::make_unique<RunResults>(*this);
    m_results->refresh();
    m_thumbnails = std::make_unique<ThumbnailLoader>(*this);
}

ProjectSession::~ProjectSession()
{
    for (auto& [id, mined] : m_mined)
        if (mined.reading) mined.reading->cancel(); // its result goes nowhere now
    m_thumbnails.reset(); // waits for its workers before the sources and the store go away
    m_records.reset();    // its statements go before the store's connection
}

QString ProjectSession::fileName() const
{
    return QFileInfo(m_path).fileName();
}

const rm::CatalogInfo& ProjectSession::catalog(qint64 id)
{
    return m_records->catalog(std::int64_t(id));
}

const std::map<qint64, rm::MinedCandidate>& ProjectSession::minedCandidates(qint64 catalogId)
{
    static const std::map<qint64, rm::MinedCandidate> none;
    const rm::CatalogInfo* info = nullptr;
    try {
        info = &catalog(catalogId);
    } catch (const std::exception&) {
        return none;
    }
    if (info->role != rm::CatalogRole::Candidates) return none;
    const auto it = m_mined.find(catalogId);
    if (it != m_mined.end() && it->second.importedAt == info->importedAt) return it->second.rows;
    MinedRows& mined = m_mined[catalogId];
    if (mined.reading) mined.reading->cancel(); // an earlier import's read: its rows are stale
    mined.importedAt = info->importedAt;
    mined.rows.clear();
    mined.error.clear();
    // A candidates catalog can hold millions of rows: read on a worker with its own connection.
    auto read = std::make_shared<std::vector<rm::MinedCandidate>>();
    const std::string path = QFile::encodeName(m_path).toStdString(), name = info->name,
                      importedAt = info->importedAt;
    Task* task = TaskManager::instance()->run(
        tr("Reading mined candidates of %1").arg(QString::fromStdString(name)),
        [path, name, read](TaskContext& ctx) {
            auto store = rm::ProjectStore::open(path);
            *read = rm::loadMinedCandidates(*store, name, false, [&ctx](std::size_t done, std::size_t total) {
                return ctx.progress(done, total);
            });
            return tr("%L1 mined candidates of %2 read").arg(read->size()).arg(QString::fromStdString(name));
        });
    mined.reading = task;
    connect(task, &Task::finished, this,
            [this, catalogId, importedAt, read](bool ok, const QString& message) {
                const auto found = m_mined.find(catalogId);
                if (found == m_mined.end() || found->second.importedAt != importedAt)
                    return; // mined again since
                MinedRows& rows = found->second;
                rows.reading = nullptr;
                if (ok) {
                    for (rm::MinedCandidate& c : *read)
                        rows.rows.emplace(c.row, std::move(c));
                } else {
                    rows.error = message.toStdString(); // no badges; the review queue says why
                }
                Q_EMIT minedCandidatesChanged(catalogId);
            });
    return mined.rows;
}

bool ProjectSession::minedCandidatesPending(qint64 catalogId) const
{
    const auto it = m_mined.find(catalogId);
    return it != m_mined.end() && !it->second.reading.isNull();
}

QString ProjectSession::minedCandidatesError(qint64 catalogId) const
{
    const auto it = m_mined.find(catalogId);
    return it == m_mined.end() ? QString() : QString::fromStdString(it->second.error);
}

GalaxyRecord ProjectSession::record(const GalaxyId& id)
{
    rm::CatalogRecord read = m_records->read(std::int64_t(id.catalogId), std::int64_t(id.row));
    GalaxyRecord r;
    r.id = id;
    r.ra = read.ra;
    r.dec = read.dec;
    r.values = std::move(read.values);
    return r;
}

int ProjectSession::captionColumn(qint64 catalogId)
{
    auto it = m_captionColumns.find(catalogId);
    if (it != m_captionColumns.end()) return it->second;
    const auto& columns = catalog(catalogId).columns;
    int best = -1;
    // Names astronomers recognise first; then any text column that is not a file name.
    for (const char* wanted :
         {"iauname", "names", "name", "id_str", "objid", "dr7objid", "galaxyid", "jid", "id", "pgcname"}) {
        for (std::size_t c = 0; c < columns.size() && best < 0; ++c)
            if (QString::fromStdString(columns[c].first)
                    .compare(QLatin1String(wanted), Qt::CaseInsensitive) == 0)
                best = int(c);
        if (best >= 0) break;
    }
    for (std::size_t c = 0; c < columns.size() && best < 0; ++c)
        if (columns[c].second == rm::ColumnType::Text && columns[c].first != "file") best = int(c);
    m_captionColumns[catalogId] = best;
    return best;
}

QString ProjectSession::caption(const GalaxyId& id)
{
    if (QString* cached = m_captions.object(id)) return *cached;
    QString text = QStringLiteral("row %1").arg(id.row);
    try {
        const int c = captionColumn(id.catalogId);
        if (c >= 0) {
            const GalaxyRecord r = record(id);
            if (!r.values[std::size_t(c)].second.empty())
                text = QString::fromStdString(r.values[std::size_t(c)].second);
        }
    } catch (const rm::Error&) {
        // A caption is decoration: the row itself reports its error where it is shown.
    }
    m_captions.insert(id, new QString(text));
    return text;
}

} // namespace rm::ui

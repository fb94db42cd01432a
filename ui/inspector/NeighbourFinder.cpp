#include "inspector/NeighbourFinder.h"

#include "sky/CrossMatcher.h"
#include "store/ProjectStore.h"
#include "util/Error.h"

#include <QFile>

#include <cmath>

namespace rm::ui {

NeighbourWorker::NeighbourWorker(std::shared_ptr<std::atomic<quint64>> latest) : m_latest(std::move(latest))
{
}

NeighbourWorker::~NeighbourWorker() = default;

void NeighbourWorker::find(quint64 generation, QString projectPath, double ra, double dec,
                           double radiusArcsec, qint64 excludeCatalogId)
{
    if (m_latest->load() != generation) return; // the user has moved on
    try {
        if (!m_store || m_path != projectPath) {
            m_indexes.clear();
            m_store = rm::ProjectStore::open(QFile::encodeName(projectPath).toStdString());
            m_path = projectPath;
        }
        NeighbourRows out;
        for (const rm::CatalogInfo& info : m_store->catalogs()) {
            if (info.id == excludeCatalogId) continue;
            if (m_latest->load() != generation) return;
            auto it = m_indexes.find(info.id);
            if (it == m_indexes.end()) {
                const rm::CatalogPositions p = m_store->positions(info.id);
                it = m_indexes.emplace(info.id, std::make_unique<rm::SkyIndex>(p.ra, p.dec)).first;
            }
            const auto hits = it->second->within(ra, dec, radiusArcsec);
            if (hits.empty()) continue;
            std::string sql = "SELECT ";
            for (std::size_t c = 0; c < info.columns.size(); ++c)
                sql += (c ? ", " : "") + rm::quoteIdentifier(info.columns[c].first);
            if (info.columns.empty()) sql += "_rm_row";
            sql += " FROM " + rm::quoteIdentifier(info.tableName) + " WHERE _rm_row = ?";
            rm::Statement s = m_store->db().prepare(sql);
            for (const auto& [row, separation] : hits) {
                NeighbourRow n;
                n.catalogId = info.id;
                n.catalogName = QString::fromStdString(info.name);
                n.row = row;
                n.separationArcsec = separation;
                s.reset();
                s.bind(1, std::int64_t(row));
                if (s.step())
                    for (std::size_t c = 0; c < info.columns.size(); ++c)
                        n.values.append(
                            {QString::fromStdString(info.columns[c].first),
                             s.isNull(int(c)) ? QString() : QString::fromStdString(s.text(int(c)))});
                out.append(n);
            }
        }
        Q_EMIT found(generation, out);
    } catch (const std::exception& e) {
        Q_EMIT failed(generation, QString::fromStdString(e.what()));
    }
}

void NeighbourWorker::release()
{
    m_indexes.clear();
    m_store.reset();
    m_path.clear();
}

NeighbourFinder::NeighbourFinder(QObject* parent) : QObject(parent)
{
    qRegisterMetaType<rm::ui::NeighbourRows>();
    m_worker = new NeighbourWorker(m_latest);
    m_worker->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
    connect(m_worker, &NeighbourWorker::found, this, [this](quint64 generation, const NeighbourRows& rows) {
        if (generation == m_latest->load()) Q_EMIT found(rows);
    });
    connect(m_worker, &NeighbourWorker::failed, this, [this](quint64 generation, const QString& message) {
        if (generation == m_latest->load()) Q_EMIT failed(message);
    });
    m_thread.setObjectName(QStringLiteral("neighbour search"));
    m_thread.start();
}

NeighbourFinder::~NeighbourFinder()
{
    cancel();
    m_thread.quit();
    m_thread.wait();
}

void NeighbourFinder::cancel()
{
    m_latest->fetch_add(1);
}

void NeighbourFinder::release()
{
    cancel();
    QMetaObject::invokeMethod(
        m_worker, [worker = m_worker] { worker->release(); }, Qt::QueuedConnection);
}

void NeighbourFinder::find(const QString& projectPath, double ra, double dec, qint64 excludeCatalogId,
                           double radiusArcsec)
{
    if (!std::isfinite(ra) || !std::isfinite(dec)) return;
    const quint64 generation = m_latest->fetch_add(1) + 1;
    QMetaObject::invokeMethod(
        m_worker,
        [worker = m_worker, generation, projectPath, ra, dec, radiusArcsec, excludeCatalogId] {
            worker->find(generation, projectPath, ra, dec, radiusArcsec, excludeCatalogId);
        },
        Qt::QueuedConnection);
}

} // namespace rm::ui

#include "inspector/NeighbourFinder.h"

#include "query/NeighbourSearch.h"

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
        if (!m_search || m_path != projectPath) {
            m_search.reset();
            m_search = std::make_unique<rm::NeighbourSearch>(QFile::encodeName(projectPath).toStdString());
            m_path = projectPath;
        }
        const auto hits = m_search->find(ra, dec, radiusArcsec, excludeCatalogId,
                                         [&] { return m_latest->load() != generation; });
        if (!hits) return;
        NeighbourRows out;
        for (const rm::Neighbour& h : *hits) {
            NeighbourRow n;
            n.catalogId = h.catalogId;
            n.catalogName = QString::fromStdString(h.catalogName);
            n.row = h.row;
            n.separationArcsec = h.separationArcsec;
            for (const auto& [column, value] : h.values)
                n.values.append({QString::fromStdString(column), QString::fromStdString(value)});
            out.append(n);
        }
        Q_EMIT found(generation, out);
    } catch (const std::exception& e) {
        Q_EMIT failed(generation, QString::fromStdString(e.what()));
    }
}

void NeighbourWorker::release()
{
    m_search.reset();
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

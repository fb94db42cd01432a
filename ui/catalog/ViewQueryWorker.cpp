#include "catalog/ViewQueryWorker.h"

#include "util/Error.h"

#include <QElapsedTimer>
#include <QFile>

namespace rm::ui {

ViewQueryWorker::ViewQueryWorker(std::shared_ptr<std::atomic<quint64>> latest) : m_latest(std::move(latest))
{
}

ViewQueryWorker::~ViewQueryWorker() = default;

void ViewQueryWorker::release()
{
    m_query.reset();
    m_path.clear();
}

void ViewQueryWorker::run(quint64 generation, const QString& projectPath, const rm::ViewSource& source,
                          const rm::ViewOrder& order)
{
    if (m_latest->load() != generation) return; // superseded while it waited in the queue
    QElapsedTimer timer;
    timer.start();
    try {
        if (!m_query || m_path != projectPath) {
            m_query.reset();
            m_query = rm::CatalogQuery::open(QFile::encodeName(projectPath).toStdString());
            m_path = projectPath;
        }
        auto rows = std::make_shared<rm::ViewKeys>(
            m_query->keys(source, order, [this, generation] { return m_latest->load() != generation; }));
        Q_EMIT finished(generation, rows, timer.elapsed() / 1000.0);
    } catch (const rm::QueryAbandoned&) {
        return; // a newer request took its place
    } catch (const rm::Error& e) {
        if (m_latest->load() != generation) return; // abandoned on purpose, not an error
        Q_EMIT failed(generation, QString::fromStdString(e.what()));
    }
}

} // namespace rm::ui

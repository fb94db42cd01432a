#include "catalog/ViewQueryWorker.h"

#include "store/Database.h"
#include "util/Error.h"

#include <QElapsedTimer>
#include <QFile>

#include <sqlite3.h>

namespace rm::ui {

ViewQueryWorker::ViewQueryWorker(std::shared_ptr<std::atomic<quint64>> latest) : m_latest(std::move(latest))
{
}

ViewQueryWorker::~ViewQueryWorker() = default;

void ViewQueryWorker::release()
{
    m_db.reset();
    m_path.clear();
}

int ViewQueryWorker::abandonIfStale(void* self)
{
    auto* w = static_cast<ViewQueryWorker*>(self);
    return w->m_latest->load() != w->m_running ? 1 : 0;
}

void ViewQueryWorker::run(quint64 generation, QString projectPath, rm::ui::SqlQuery query, bool withGalaxies)
{
    if (m_latest->load() != generation) return; // superseded while it waited in the queue
    m_running = generation;
    QElapsedTimer timer;
    timer.start();
    try {
        if (!m_db || m_path != projectPath) {
            m_db.reset();
            m_db = std::make_unique<rm::Database>(QFile::encodeName(projectPath).toStdString(), false);
            m_path = projectPath;
            sqlite3_progress_handler(m_db->handle(), 20000, &ViewQueryWorker::abandonIfStale, this);
        }
        rm::Statement s = m_db->prepare(query.sql);
        bindParams(s, query.params);
        auto rows = std::make_shared<ViewRows>();
        while (s.step()) {
            rows->keys.push_back(s.integer(0));
            if (withGalaxies) {
                rows->catalogIds.push_back(s.integer(1));
                rows->rows.push_back(s.integer(2));
            }
        }
        rows->count = qint64(rows->keys.size());
        Q_EMIT finished(generation, rows, timer.elapsed() / 1000.0);
    } catch (const rm::Error& e) {
        if (m_latest->load() != generation) return; // abandoned on purpose, not an error
        Q_EMIT failed(generation, QString::fromStdString(e.what()));
    }
}

} // namespace rm::ui

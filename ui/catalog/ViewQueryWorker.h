#pragma once
// Runs the catalog browser's view queries (filter + sort over up to millions of rows) on its own thread and
// its own connection to the project. A newer request makes SQLite abandon an older one mid-query.
#include "catalog/ViewQuery.h"

#include <QObject>
#include <QString>

#include <atomic>
#include <memory>

namespace rm {
class Database;
}

namespace rm::ui {

class ViewQueryWorker : public QObject
{
    Q_OBJECT
public:
    // latest: the newest generation asked for, written by the owner on the GUI thread.
    explicit ViewQueryWorker(std::shared_ptr<std::atomic<quint64>> latest);
    ~ViewQueryWorker() override;

public Q_SLOTS:
    void run(quint64 generation, QString projectPath, rm::ui::SqlQuery query, bool withGalaxies);
    void release(); // closes the connection (the project was closed)

Q_SIGNALS:
    void finished(quint64 generation, rm::ui::ViewRowsPtr rows, double seconds);
    void failed(quint64 generation, QString message);

private:
    static int abandonIfStale(void* self);

    std::shared_ptr<std::atomic<quint64>> m_latest;
    quint64 m_running = 0;
    QString m_path;
    std::unique_ptr<rm::Database> m_db;
};

} // namespace rm::ui

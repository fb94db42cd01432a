#pragma once
// Runs the catalog browser's view queries (filter + sort over up to millions of rows, rm::CatalogQuery) on
// its own thread and its own connection to the project. A newer request makes the running one stop mid-query.
#include "query/CatalogView.h"

#include <QMetaType>
#include <QObject>
#include <QString>

#include <atomic>
#include <memory>

namespace rm::ui {

// The rows of a view, in display order, shared with the GUI thread.
using ViewRowsPtr = std::shared_ptr<const rm::ViewKeys>;

class ViewQueryWorker : public QObject
{
    Q_OBJECT
public:
    // latest: the newest generation asked for, written by the owner on the GUI thread.
    explicit ViewQueryWorker(std::shared_ptr<std::atomic<quint64>> latest);
    ~ViewQueryWorker() override;

    // Called on the worker's thread (queued by the owner).
    void run(quint64 generation, const QString& projectPath, const rm::ViewSource& source,
             const rm::ViewOrder& order);

public Q_SLOTS:
    void release(); // closes the connection (the project was closed)

Q_SIGNALS:
    void finished(quint64 generation, rm::ui::ViewRowsPtr rows, double seconds);
    void failed(quint64 generation, QString message);

private:
    std::shared_ptr<std::atomic<quint64>> m_latest;
    QString m_path;
    std::unique_ptr<rm::CatalogQuery> m_query;
};

} // namespace rm::ui

Q_DECLARE_METATYPE(rm::ui::ViewRowsPtr)

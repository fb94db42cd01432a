#pragma once
// A catalog or target set as a table, smooth at a million rows: the view (which rows, in which order) is one
// background query that yields only keys, and cells are read a page of kPageRows rows at a time, on demand,
// by key. Only the pages the view paints are ever read; a bounded cache keeps the recent ones.
#include "catalog/TableSource.h"
#include "catalog/ViewQueryWorker.h"
#include "selection/GalaxySelection.h"

#include <QAbstractTableModel>
#include <QCache>
#include <QThread>

#include <atomic>
#include <memory>
#include <optional>
#include <vector>

namespace rm::ui {

class ProjectSession;

class CatalogTableModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    static constexpr int kPageRows = 100;
    static constexpr int kCachedPages = 64;

    explicit CatalogTableModel(QObject* parent = nullptr);
    ~CatalogTableModel() override;

    // Shows the source unfiltered: at once for a catalog (its natural order needs no query), else when the
    // background query is done (viewReady).
    void setSource(ProjectSession* session, const TableSource& source);
    void clear();
    const TableSource& source() const { return m_source; }

    // Compiles the filter now: a bad one returns its message and leaves the view as it is. Otherwise returns
    // an empty string and runs the query in the background; viewReady or viewFailed follows.
    QString setView(const QString& filter, int sortColumn, Qt::SortOrder order);
    QString filter() const { return m_filter; }
    int sortColumn() const { return m_sortColumn; }
    Qt::SortOrder sortOrder() const { return m_sortOrder; }
    // What was asked for last (still querying, or shown): a second click on a header toggles from here.
    QString requestedFilter() const { return m_pending ? m_pending->filter : m_filter; }
    int requestedSortColumn() const { return m_pending ? m_pending->sortColumn : m_sortColumn; }
    Qt::SortOrder requestedSortOrder() const { return m_pending ? m_pending->order : m_sortOrder; }
    bool isBusy() const { return m_pending.has_value(); }
    double lastQuerySeconds() const { return m_lastQuerySeconds; }

    GalaxyId galaxyAt(int row) const;
    std::vector<GalaxyId> viewGalaxies(std::size_t limit) const;
    // The galaxies of these view rows with their positions (read in batches; a few hundred ms for 100,000).
    QVector<SelectedGalaxy> galaxiesWithPositions(const std::vector<int>& rows);
    int rowOf(const GalaxyId& id) const; // -1 when not in the view
    // The view rows of those galaxies that are in the view, ascending; one pass over the view.
    std::vector<int> rowsOf(const QVector<GalaxyId>& ids) const;

    int pagesRead() const { return m_pagesRead; }
    bool isRowLoaded(int row) const { return m_pages.contains(row / kPageRows); }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    void sort(int column, Qt::SortOrder order = Qt::AscendingOrder) override;

Q_SIGNALS:
    void viewReady();
    void viewFailed(QString message);
    void busyChanged(bool busy);
    void readFailed(QString message); // a page could not be read (reported once per view)

private:
    struct Row
    {
        qint64 key = 0, catalogId = 0, row = 0;
        double ra = 0, dec = 0;
        QVector<QVariant> cells;
    };
    struct Page
    {
        std::vector<Row> rows;
    };
    struct PendingView
    {
        quint64 generation = 0;
        QString filter;
        int sortColumn = -1;
        Qt::SortOrder order = Qt::AscendingOrder;
    };

    const Page* page(int index) const;
    Page readPage(int index) const; // throws rm::Error
    void onQueryFinished(quint64 generation, ViewRowsPtr rows, double seconds);
    void onQueryFailed(quint64 generation, const QString& message);
    void resetRows(ViewRowsPtr rows);
    QString display(const QVariant& value, const rm::ViewColumn& column) const;

    ProjectSession* m_session = nullptr;
    TableSource m_source;
    ViewRowsPtr m_rows = std::make_shared<rm::ViewKeys>();
    QString m_filter;
    int m_sortColumn = -1;
    Qt::SortOrder m_sortOrder = Qt::AscendingOrder;
    std::optional<PendingView> m_pending;
    double m_lastQuerySeconds = 0;

    std::shared_ptr<std::atomic<quint64>> m_latest = std::make_shared<std::atomic<quint64>>(0);
    QThread m_thread;
    ViewQueryWorker* m_worker = nullptr;

    mutable QCache<int, Page> m_pages{kCachedPages};
    mutable int m_pagesRead = 0;
    mutable bool m_readFailureReported = false;
};

} // namespace rm::ui

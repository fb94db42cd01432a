#include "catalog/CatalogTableModel.h"

#include "project/ProjectSession.h"
#include "util/Error.h"

#include <QSet>

#include <algorithm>
#include <limits>
#include <unordered_map>

namespace rm::ui {

CatalogTableModel::CatalogTableModel(QObject* parent) : QAbstractTableModel(parent)
{
    qRegisterMetaType<rm::ui::ViewRowsPtr>();
    m_worker = new ViewQueryWorker(m_latest); // no parent: it lives on m_thread and dies with it
    m_worker->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
    connect(m_worker, &ViewQueryWorker::finished, this, &CatalogTableModel::onQueryFinished);
    connect(m_worker, &ViewQueryWorker::failed, this, &CatalogTableModel::onQueryFailed);
    m_thread.setObjectName(QStringLiteral("catalog view queries"));
    m_thread.start();
}

CatalogTableModel::~CatalogTableModel()
{
    m_latest->fetch_add(1); // abandons a running query
    m_thread.requestInterruption();
    m_thread.quit();
    m_thread.wait();
}

void CatalogTableModel::clear()
{
    m_latest->fetch_add(1);
    QMetaObject::invokeMethod(
        m_worker, [worker = m_worker] { worker->release(); }, Qt::QueuedConnection);
    const bool wasBusy = isBusy();
    m_pending.reset();
    beginResetModel();
    m_session = nullptr;
    m_source = TableSource();
    m_rows = std::make_shared<rm::ViewKeys>();
    m_filter.clear();
    m_sortColumn = -1;
    m_pages.clear();
    endResetModel();
    if (wasBusy) Q_EMIT busyChanged(false);
}

void CatalogTableModel::setSource(ProjectSession* session, const TableSource& source)
{
    clear();
    beginResetModel();
    m_session = session;
    m_source = source;
    m_readFailureReported = false;
    if (source.view.naturalKeys)
        m_rows = std::make_shared<rm::ViewKeys>(rm::ViewKeys::natural(source.view.rowCount));
    endResetModel();
    if (source.view.naturalKeys)
        Q_EMIT viewReady();
    else
        setView({}, -1, Qt::AscendingOrder);
}

QString CatalogTableModel::setView(const QString& filter, int sortColumn, Qt::SortOrder order)
{
    if (!m_session || !m_source.valid()) return tr("No catalog is open");
    rm::ViewOrder view;
    try {
        view.filter = rm::compileFilter(filter.toStdString(), m_source.view.filterColumns());
    } catch (const rm::FilterError& e) {
        return QString::fromStdString(e.what());
    }
    view.sortColumn = sortColumn;
    view.descending = order == Qt::DescendingOrder;
    if (view.filter.empty() && sortColumn < 0 && m_source.view.naturalKeys) {
        // Back to the natural order: nothing to ask the database.
        m_latest->fetch_add(1);
        const bool wasBusy = isBusy();
        m_pending.reset();
        m_filter = filter.trimmed();
        m_sortColumn = -1;
        m_sortOrder = order;
        resetRows(std::make_shared<rm::ViewKeys>(rm::ViewKeys::natural(m_source.view.rowCount)));
        if (wasBusy) Q_EMIT busyChanged(false);
        Q_EMIT viewReady();
        return {};
    }
    const quint64 generation = m_latest->fetch_add(1) + 1;
    const bool wasBusy = isBusy();
    m_pending = PendingView{generation, filter.trimmed(), sortColumn, order};
    const QString path = m_session->path();
    QMetaObject::invokeMethod(
        m_worker,
        [worker = m_worker, generation, path, source = m_source.view, view] {
            worker->run(generation, path, source, view);
        },
        Qt::QueuedConnection);
    if (!wasBusy) Q_EMIT busyChanged(true);
    return {};
}

void CatalogTableModel::sort(int column, Qt::SortOrder order)
{
    const QString filter = m_pending ? m_pending->filter : m_filter;
    const QString error = setView(filter, column, order);
    if (!error.isEmpty()) Q_EMIT viewFailed(error);
}

void CatalogTableModel::onQueryFinished(quint64 generation, ViewRowsPtr rows, double seconds)
{
    if (!m_pending || m_pending->generation != generation) return; // an older request
    m_filter = m_pending->filter;
    m_sortColumn = m_pending->sortColumn;
    m_sortOrder = m_pending->order;
    m_pending.reset();
    m_lastQuerySeconds = seconds;
    resetRows(std::move(rows));
    Q_EMIT busyChanged(false);
    Q_EMIT viewReady();
}

void CatalogTableModel::onQueryFailed(quint64 generation, const QString& message)
{
    if (!m_pending || m_pending->generation != generation) return;
    m_pending.reset(); // the old view stays
    Q_EMIT busyChanged(false);
    Q_EMIT viewFailed(message);
}

void CatalogTableModel::resetRows(ViewRowsPtr rows)
{
    beginResetModel();
    m_rows = std::move(rows);
    m_pages.clear();
    m_readFailureReported = false;
    endResetModel();
}

int CatalogTableModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(std::min<qint64>(m_rows->count, std::numeric_limits<int>::max()));
}

int CatalogTableModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(m_source.view.columns.size());
}

CatalogTableModel::Page CatalogTableModel::readPage(int index) const
{
    const qint64 first = qint64(index) * kPageRows;
    const qint64 last = std::min<qint64>(first + kPageRows, m_rows->count) - 1;
    rm::CatalogQuery query(m_session->store());
    std::vector<rm::ViewRow> read;
    if (m_rows->keys.empty()) {
        read = query.rowsByKeyRange(m_source.view, first, last, true);
    } else {
        std::vector<std::int64_t> keys(m_rows->keys.begin() + first, m_rows->keys.begin() + last + 1);
        read = query.rowsByKeys(m_source.view, keys, true);
    }
    std::unordered_map<qint64, Row> byKey;
    const int columns = int(m_source.view.columns.size());
    for (rm::ViewRow& v : read) {
        Row r;
        r.key = v.key;
        r.catalogId = v.catalogId;
        r.row = v.row;
        r.ra = v.ra;
        r.dec = v.dec;
        r.cells.resize(columns);
        for (int c = 0; c < columns; ++c) {
            rm::ViewCell& cell = v.cells[std::size_t(c)];
            if (auto* i = std::get_if<std::int64_t>(&cell))
                r.cells[c] = QVariant::fromValue<qint64>(*i);
            else if (auto* d = std::get_if<double>(&cell))
                r.cells[c] = *d;
            else if (auto* t = std::get_if<std::string>(&cell))
                r.cells[c] = QString::fromStdString(*t);
        }
        byKey.emplace(r.key, std::move(r));
    }
    // IN (...) returns rows in any order: put them back in view order.
    Page p;
    p.rows.reserve(std::size_t(last - first + 1));
    for (qint64 i = first; i <= last; ++i) {
        auto it = byKey.find(m_rows->keyAt(i));
        if (it == byKey.end()) {
            Row missing; // deleted since the view was made
            missing.key = m_rows->keyAt(i);
            missing.cells.resize(columns);
            p.rows.push_back(std::move(missing));
        } else {
            p.rows.push_back(std::move(it->second));
        }
    }
    return p;
}

const CatalogTableModel::Page* CatalogTableModel::page(int index) const
{
    if (Page* cached = m_pages.object(index)) return cached;
    if (!m_session) return nullptr;
    try {
        auto* p = new Page(readPage(index));
        ++m_pagesRead;
        m_pages.insert(index, p);
        return p;
    } catch (const rm::Error& e) {
        if (!m_readFailureReported) {
            m_readFailureReported = true;
            // Not from inside data(): views do not expect a model to talk back while they paint.
            QMetaObject::invokeMethod(
                const_cast<CatalogTableModel*>(this),
                [this, message = QString::fromStdString(e.what())] {
                    Q_EMIT const_cast<CatalogTableModel*>(this)->readFailed(message);
                },
                Qt::QueuedConnection);
        }
        return nullptr;
    }
}

QString CatalogTableModel::display(const QVariant& value, const rm::ViewColumn& column) const
{
    if (!value.isValid()) return {};
    switch (column.type) {
    case rm::ColumnType::Real:
        return column.decimals >= 0 ? QString::number(value.toDouble(), 'f', column.decimals)
                                    : QString::number(value.toDouble(), 'g', 8);
    case rm::ColumnType::Integer:
        return QString::number(value.toLongLong());
    case rm::ColumnType::Text:
        return value.toString();
    }
    return value.toString();
}

QVariant CatalogTableModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || index.row() >= rowCount() || index.column() >= columnCount()) return {};
    const rm::ViewColumn& column = m_source.view.columns[std::size_t(index.column())];
    if (role == Qt::TextAlignmentRole)
        return column.type == rm::ColumnType::Text ? QVariant(int(Qt::AlignLeft | Qt::AlignVCenter))
                                                   : QVariant(int(Qt::AlignRight | Qt::AlignVCenter));
    if (role != Qt::DisplayRole && role != Qt::EditRole && role != Qt::ToolTipRole) return {};
    const Page* p = page(index.row() / kPageRows);
    if (!p) return {};
    const QVariant& value = p->rows[std::size_t(index.row() % kPageRows)].cells[index.column()];
    if (role == Qt::EditRole) return value;
    const QString text = display(value, column);
    if (role == Qt::ToolTipRole) return text.size() > 30 ? text : QVariant();
    return text;
}

QVariant CatalogTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation == Qt::Horizontal) {
        if (section < 0 || section >= columnCount()) return {};
        const rm::ViewColumn& c = m_source.view.columns[std::size_t(section)];
        if (role == Qt::DisplayRole) return QString::fromStdString(c.name);
        if (role == Qt::ToolTipRole)
            return tr("%1 (%2)").arg(QString::fromStdString(c.name),
                                     QString::fromLatin1(rm::columnTypeName(c.type)));
        return {};
    }
    // Rows are numbered as in the catalog (or target set), whatever the order of the view: no read needed.
    if (role == Qt::DisplayRole && section >= 0 && section < rowCount())
        return QString::number(m_rows->keyAt(section));
    return {};
}

GalaxyId CatalogTableModel::galaxyAt(int row) const
{
    if (row < 0 || row >= rowCount()) return {};
    const qint64 key = m_rows->keyAt(row);
    GalaxyId id;
    id.catalogId = m_rows->catalogIds.empty() ? m_source.view.id : m_rows->catalogIds[std::size_t(row)];
    id.row = m_rows->rows.empty() ? key : m_rows->rows[std::size_t(row)];
    return id;
}

std::vector<GalaxyId> CatalogTableModel::viewGalaxies(std::size_t limit) const
{
    std::vector<GalaxyId> out;
    const int n = int(std::min<qint64>(m_rows->count, qint64(limit)));
    out.reserve(std::size_t(n));
    for (int i = 0; i < n; ++i)
        out.push_back(galaxyAt(i));
    return out;
}

QVector<SelectedGalaxy> CatalogTableModel::galaxiesWithPositions(const std::vector<int>& rows)
{
    QVector<SelectedGalaxy> out;
    if (!m_session) return out;
    out.reserve(int(rows.size()));
    constexpr std::size_t kBatch = 500;
    try {
        for (std::size_t b = 0; b < rows.size(); b += kBatch) {
            const std::size_t e = std::min(rows.size(), b + kBatch);
            std::vector<std::int64_t> keys;
            for (std::size_t i = b; i < e; ++i)
                keys.push_back(m_rows->keyAt(rows[i]));
            std::unordered_map<qint64, SelectedGalaxy> byKey;
            for (const rm::ViewRow& v :
                 rm::CatalogQuery(m_session->store()).rowsByKeys(m_source.view, keys, false))
                byKey[v.key] = {{v.catalogId, v.row}, v.ra, v.dec};
            for (std::size_t i = b; i < e; ++i) {
                auto it = byKey.find(keys[i - b]);
                out.push_back(it != byKey.end() ? it->second : SelectedGalaxy{galaxyAt(rows[i])});
            }
        }
    } catch (const rm::Error& e) {
        Q_EMIT readFailed(QString::fromStdString(e.what()));
    }
    return out;
}

int CatalogTableModel::rowOf(const GalaxyId& id) const
{
    if (!m_source.valid()) return -1;
    if (m_rows->catalogIds.empty()) {
        if (id.catalogId != m_source.view.id) return -1;
        if (m_rows->keys.empty()) return id.row < m_rows->count ? int(id.row) : -1;
        auto it = std::find(m_rows->keys.begin(), m_rows->keys.end(), id.row);
        return it == m_rows->keys.end() ? -1 : int(it - m_rows->keys.begin());
    }
    for (std::size_t i = 0; i < m_rows->rows.size(); ++i)
        if (m_rows->rows[i] == id.row && m_rows->catalogIds[i] == id.catalogId) return int(i);
    return -1;
}

std::vector<int> CatalogTableModel::rowsOf(const QVector<GalaxyId>& ids) const
{
    std::vector<int> out;
    if (!m_source.valid() || ids.isEmpty()) return out;
    if (m_rows->catalogIds.empty() && m_rows->keys.empty()) {
        for (const GalaxyId& id : ids) // the natural view: row r is stored row r
            if (id.catalogId == m_source.view.id && id.row >= 0 && id.row < rowCount())
                out.push_back(int(id.row));
    } else {
        QSet<GalaxyId> wanted(ids.begin(), ids.end());
        const int n = rowCount();
        for (int i = 0; i < n && out.size() < std::size_t(wanted.size()); ++i)
            if (wanted.contains(galaxyAt(i))) out.push_back(i);
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

} // namespace rm::ui

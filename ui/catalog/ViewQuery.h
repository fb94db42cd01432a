#pragma once
// The SQL of the catalog browser, in one place. A view is the ordered list of keys that pass the filter (one
// query, run in the background); rows are then read a page at a time by key, so scrolling anywhere in a
// million rows reads about a hundred.
#include "catalog/FilterExpression.h"
#include "catalog/TableSource.h"

#include <QMetaType>

#include <memory>
#include <string>
#include <vector>

namespace rm::ui {

struct SqlQuery
{
    std::string sql;
    std::vector<SqlParam> params;
};

// The rows of a view, in display order.
struct ViewRows
{
    qint64 count = 0;
    std::vector<qint64> keys;       // empty: the natural view, key = index
    std::vector<qint64> catalogIds; // empty: the source's own catalog (catalog sources)
    std::vector<qint64> rows;       // empty: row = key

    qint64 keyAt(qint64 i) const { return keys.empty() ? i : keys[std::size_t(i)]; }
};
using ViewRowsPtr = std::shared_ptr<const ViewRows>;

// SELECT key [, catalog id, row] ... WHERE scope AND filter ORDER BY column, key. sortColumn -1 = key order.
SqlQuery viewKeysQuery(const TableSource& source, const CompiledFilter& filter, int sortColumn,
                       bool descending);
bool viewKeysQueryHasGalaxies(const TableSource& source); // whether it selects catalog id and row too

// Result columns: key, catalog id, row, ra, dec, then (withColumns) every source column.
SqlQuery rowsByKeysQuery(const TableSource& source, const std::vector<qint64>& keys, bool withColumns);
SqlQuery rowsByKeyRangeQuery(const TableSource& source, qint64 firstKey, qint64 lastKey, bool withColumns);
constexpr int kRowsQueryFixedColumns = 5;

} // namespace rm::ui

Q_DECLARE_METATYPE(rm::ui::SqlQuery)
Q_DECLARE_METATYPE(rm::ui::ViewRowsPtr)

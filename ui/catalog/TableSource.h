#pragma once
// What the catalog browser can show: a catalog or a target set, as core describes it (rm::ViewSource, whose
// queries rm::CatalogQuery runs), with the names the widgets show.
#include "query/CatalogView.h"

#include <QString>

#include <vector>

namespace rm {
class ProjectStore;
}

namespace rm::ui {

struct TableSource
{
    rm::ViewSource view;
    QString name;

    QString label() const; // "gzd — 377 rows" / "gzd5 (target set) — 754 targets"
    QString columnName(int column) const
    {
        return QString::fromStdString(view.columns[std::size_t(column)].name);
    }
    bool valid() const { return view.valid(); }
};

TableSource tableSource(rm::ViewSource view);
// Every catalog, then every target set. Throws rm::Error.
std::vector<TableSource> projectTableSources(rm::ProjectStore& store);

} // namespace rm::ui

#include "catalog/TableSource.h"

#include <QObject>

namespace rm::ui {

QString TableSource::label() const
{
    if (view.kind == rm::ViewSource::Kind::TargetSet)
        return QObject::tr("%1 (target set) — %L2 targets").arg(name).arg(view.rowCount);
    return QObject::tr("%1 — %L2 rows").arg(name).arg(view.rowCount);
}

TableSource tableSource(rm::ViewSource view)
{
    TableSource s;
    s.name = QString::fromStdString(view.name);
    s.view = std::move(view);
    return s;
}

std::vector<TableSource> projectTableSources(rm::ProjectStore& store)
{
    std::vector<TableSource> out;
    for (auto& view : rm::projectViewSources(store))
        out.push_back(tableSource(std::move(view)));
    return out;
}

} // namespace rm::ui

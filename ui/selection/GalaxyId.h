#pragma once
// A galaxy as every panel names it: a row of a catalog. Hashable, so panels can map galaxies to their items.
#include "store/LabelStore.h"

#include <QHashFunctions>
#include <QMetaType>
#include <QtGlobal>

namespace rm::ui {

struct GalaxyId
{
    qint64 catalogId = 0;
    qint64 row = -1;

    bool valid() const { return row >= 0 && catalogId > 0; }
    rm::GalaxyKey key() const { return {catalogId, row}; }
    static GalaxyId from(const rm::GalaxyKey& k) { return {k.catalogId, k.row}; }
    friend bool operator==(const GalaxyId& a, const GalaxyId& b)
    {
        return a.catalogId == b.catalogId && a.row == b.row;
    }
    friend bool operator!=(const GalaxyId& a, const GalaxyId& b) { return !(a == b); }
};

inline size_t qHash(const GalaxyId& g, size_t seed = 0)
{
    return qHashMulti(seed, g.catalogId, g.row);
}

} // namespace rm::ui

Q_DECLARE_METATYPE(rm::ui::GalaxyId)

#include "selection/GalaxySelection.h"

namespace rm::ui {

void GalaxySelection::setGalaxies(QVector<SelectedGalaxy> galaxies, QObject* origin)
{
    m_galaxies = std::move(galaxies);
    Q_EMIT changed(origin);
}

void GalaxySelection::setCurrent(std::optional<SelectedGalaxy> galaxy, QObject* origin)
{
    const bool same = galaxy.has_value() == m_current.has_value() && (!galaxy || galaxy->id == m_current->id);
    if (same) {
        // Keep a position learnt later (the cutout grid does not know it; the table does).
        if (galaxy && std::isfinite(galaxy->ra)) m_current = galaxy;
        return;
    }
    m_current = galaxy;
    Q_EMIT currentChanged(origin);
}

void GalaxySelection::clear(QObject* origin)
{
    const bool had = !m_galaxies.isEmpty();
    m_galaxies.clear();
    if (had) Q_EMIT changed(origin);
    setCurrent(std::nullopt, origin);
}

} // namespace rm::ui

#pragma once
// The galaxies the user is looking at, shared by every panel: the selected ones (from the catalog table) and
// the current one (what the inspector shows and what a key press labels). Panels pass themselves as origin so
// they can ignore their own changes coming back to them.
#include "selection/GalaxyId.h"

#include <QObject>
#include <QVector>

#include <cmath>
#include <optional>

namespace rm::ui {

struct SelectedGalaxy
{
    GalaxyId id;
    double ra = NAN; // degrees J2000; NaN when the panel that chose it did not know it
    double dec = NAN;
};

class GalaxySelection : public QObject
{
    Q_OBJECT
public:
    explicit GalaxySelection(QObject* parent = nullptr) : QObject(parent) {}

    const QVector<SelectedGalaxy>& galaxies() const { return m_galaxies; }
    std::optional<SelectedGalaxy> current() const { return m_current; }

    void setGalaxies(QVector<SelectedGalaxy> galaxies, QObject* origin = nullptr);
    // No signal when the current galaxy stays the same (panels echo each other's changes).
    void setCurrent(std::optional<SelectedGalaxy> galaxy, QObject* origin = nullptr);
    void clear(QObject* origin = nullptr);

Q_SIGNALS:
    void changed(QObject* origin);
    void currentChanged(QObject* origin);

private:
    QVector<SelectedGalaxy> m_galaxies;
    std::optional<SelectedGalaxy> m_current;
};

} // namespace rm::ui

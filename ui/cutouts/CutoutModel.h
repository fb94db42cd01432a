#pragma once
// The galaxies of the cutout grid. Asking for an item's image is what requests its decode, and a view asks
// only for the items it paints, so a list of 100,000 costs a vector of ids until it is scrolled through.
#include "selection/GalaxyId.h"

#include <QAbstractListModel>
#include <QHash>

#include <vector>

namespace rm {
struct MinedCandidate;
}

namespace rm::ui {

class ProjectSession;

class CutoutModel : public QAbstractListModel
{
    Q_OBJECT
public:
    enum Role
    {
        GalaxyRole = Qt::UserRole + 1, // GalaxyId
        ImageRole,                     // QImage (null until decoded)
        FailureRole,                   // QString: why there is no image
        LabelRole,                     // QVariant(): none; else int(rm::HandLabel)
        RingTypeRole,                  // QString
        CaptionRole,                   // QString: the galaxy's name
        ScoreRole,                     // QVariant(): not scored; else double, a run's classifier score
        ScoreThresholdRole,            // double: the threshold of the run behind ScoreRole
        OverlayRole,                   // QImage: a saliency overlay to lay over the cutout (null: none)
        OverlayFractionRole,           // double: the centre fraction of each side the overlay covers
        MinedRole                      // QString: "new" or "known" for a mined candidate above its threshold
    };

    explicit CutoutModel(QObject* parent = nullptr);

    void setSession(ProjectSession* session);
    void setGalaxies(std::vector<GalaxyId> galaxies);
    // The scores the badges show. By default the model follows the session's badge run (RunResults); a panel
    // that shows one run of its own turns that off and sets the scores itself.
    void setFollowBadgeRun(bool follow);
    void setScores(QHash<GalaxyId, float> scores, double threshold);
    const std::vector<GalaxyId>& galaxies() const { return m_galaxies; }
    GalaxyId galaxyAt(int row) const;
    int rowOf(const GalaxyId& id) const { return m_rows.value(id, -1); }
    // Saliency overlays per galaxy (galleries); setGalaxies keeps those of galaxies still shown.
    void setOverlay(const GalaxyId& id, const QImage& overlay, double fraction);
    void clearOverlays();
    bool hasOverlay(const GalaxyId& id) const { return m_overlays.contains(id); }
    int overlayCount() const { return int(m_overlays.size()); }

    int rowCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;

private:
    void galaxyChanged(const GalaxyId& id);
    // The mined candidate behind a galaxy of a candidates catalog (ProjectSession keeps them).
    const rm::MinedCandidate* minedCandidate(const GalaxyId& id) const;
    void takeBadgeScores();

    ProjectSession* m_session = nullptr;
    std::vector<GalaxyId> m_galaxies;
    QHash<GalaxyId, int> m_rows;
    QList<QMetaObject::Connection> m_connections;
    bool m_followBadgeRun = true;
    QHash<GalaxyId, float> m_scores;
    QHash<GalaxyId, QPair<QImage, double>> m_overlays;
    double m_threshold = 0.5;
};

} // namespace rm::ui

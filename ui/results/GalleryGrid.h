#pragma once
// A grid of cutouts with their scores for the result panels (misclassified gallery, review queue): the cutout
// grid's model, delegate and loader, the galaxies and scores of one run instead of the badge run's. Its
// current galaxy is the shared current galaxy (the inspector follows), and the labelling keys work on it with
// its own LabelKeys, so "label, then next" steps through this grid and not the main one.
#include "selection/GalaxyId.h"

#include <QHash>
#include <QListView>
#include <QPointer>

#include <vector>

class QMenu;

namespace rm::ui {

class CutoutDelegate;
class CutoutModel;
class GalaxySelection;
class LabelKeys;
class ProjectSession;

class GalleryGrid : public QListView
{
    Q_OBJECT
public:
    GalleryGrid(GalaxySelection* selection, QWidget* parent = nullptr);

    void setSession(ProjectSession* session);
    void setGalaxies(std::vector<GalaxyId> galaxies, QHash<GalaxyId, float> scores, double threshold);
    void setThumbnailSize(int pixels);
    void setGreyscale(bool grey);

    bool moveCurrent(int delta); // false at either end
    bool showRow(int row);
    GalaxyId currentGalaxy() const;
    CutoutModel* cutouts() const { return m_model; }
    LabelKeys* keys() const { return m_keys; }

    // The context menu of one cell (sky viewers, copy position or IAU name); nullptr for an empty spot.
    // The caller owns it. The right click shows it; tests look at it without showing it.
    QMenu* contextMenuFor(const QModelIndex& index);

Q_SIGNALS:
    void statusMessage(QString text);

private:
    void onCurrentChanged(const QModelIndex& current);
    void updateGrid();

    GalaxySelection* m_selection;
    CutoutModel* m_model;
    CutoutDelegate* m_delegate;
    LabelKeys* m_keys;
    bool m_filling = false;
    QPointer<ProjectSession> m_session;
};

} // namespace rm::ui

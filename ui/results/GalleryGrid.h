#pragma once
// A grid of cutouts with their scores for the result panels (misclassified gallery, review queue): the cutout
// grid's model, delegate and loader, the galaxies and scores of one run instead of the badge run's. Its
// current galaxy is the shared current galaxy (the inspector follows), and the labelling keys work on it with
// its own LabelKeys, so "label, then next" steps through this grid and not the main one. G lays the badge
// run's Grad-CAM over the cutouts.
#include "selection/GalaxyId.h"

#include <QHash>
#include <QListView>
#include <QPointer>

#include <vector>

class QMenu;

namespace rm::ui {

class BackgroundJob;
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
    // G (or this call): the badge run's Grad-CAM over every cutout shown, computed on a worker thread in
    // batches as the thumbnails arrive, again when the badge run changes.
    void setSaliencyShown(bool shown);
    bool saliencyShown() const { return m_saliency; }
    bool saliencyBusy() const;
    LabelKeys* keys() const { return m_keys; }

    // The context menu of one cell (sky viewers, copy position or IAU name); nullptr for an empty spot.
    // The caller owns it. The right click shows it; tests look at it without showing it.
    QMenu* contextMenuFor(const QModelIndex& index);

Q_SIGNALS:
    void statusMessage(QString text);

private:
    void onCurrentChanged(const QModelIndex& current);
    void updateGrid();
    void computeSaliency();

    GalaxySelection* m_selection;
    CutoutModel* m_model;
    CutoutDelegate* m_delegate;
    LabelKeys* m_keys;
    bool m_filling = false;
    QPointer<ProjectSession> m_session;
    bool m_saliency = false;
    bool m_saliencyFailed = false; // the badge run cannot give one (a feature model): not asked again
    BackgroundJob* m_saliencyJob;
    class QTimer* m_saliencyTimer;
};

} // namespace rm::ui

#pragma once
// The cutout grid: the galaxies selected in the catalog browser or, when fewer than two are selected, the
// catalog browser's whole filtered view (up to kMaxGalaxies). Thumbnails load as they come into view; the
// zoom slider scales them and the colour toggle shows what the 1-channel models see.
#include "selection/GalaxyId.h"

#include <QWidget>

#include <vector>

class QAbstractButton;
class QLabel;
class QListView;
class QSlider;

class QMenu;

namespace rm::ui {

class CutoutDelegate;
class CutoutModel;
class GalaxySelection;
class ProjectSession;

class CutoutBrowser : public QWidget
{
    Q_OBJECT
public:
    static constexpr int kMaxGalaxies = 100000;

    explicit CutoutBrowser(GalaxySelection* selection, QWidget* parent = nullptr);

    void setSession(ProjectSession* session);
    // The catalog browser's current view, shown while the selection has fewer than two galaxies.
    void setViewGalaxies(std::vector<GalaxyId> galaxies, const QString& description);

    bool moveCurrent(int delta);         // false at either end
    bool showGalaxy(const GalaxyId& id); // makes it current if it is in the grid
    GalaxyId currentGalaxy() const;

    void setThumbnailSize(int pixels);
    int thumbnailSize() const;
    void setGreyscale(bool grey);
    bool greyscale() const;

    QListView* view() const { return m_view; }
    CutoutModel* model() const { return m_model; }
    QSlider* zoomSlider() const { return m_zoom; }
    QAbstractButton* greyscaleButton() const { return m_grey; }
    QString title() const;

    // The context menu of one cell (sky viewers, copy position or IAU name); nullptr for an empty spot.
    // The caller owns it. The right click shows it; tests look at it without showing it.
    QMenu* contextMenuFor(const QModelIndex& index);

Q_SIGNALS:
    void greyscaleChanged(bool grey);
    void statusMessage(QString text);

private:
    void showGalaxies();
    void onSelectionChanged(QObject* origin);
    void onCurrentChanged(const QModelIndex& current);
    void followCurrent(QObject* origin);
    void updateGrid();

    GalaxySelection* m_selection;
    ProjectSession* m_session = nullptr;
    CutoutModel* m_model;
    CutoutDelegate* m_delegate;
    QListView* m_view;
    QLabel* m_title;
    QSlider* m_zoom;
    QAbstractButton* m_grey;
    std::vector<GalaxyId> m_viewGalaxies;
    QString m_viewDescription;
    bool m_showingSelection = false;
    bool m_following = false;
};

} // namespace rm::ui

#pragma once
// The galaxy inspector: the current galaxy's large cutout, its catalog row (every column), the rows of the
// project's other catalogs within 3 arcsec, its hand label with history and label buttons, and a link to the
// Legacy Surveys sky viewer at its position, and on G where the badge run looks (Grad-CAM over the cutout).
// Keyboard labelling works here as in the grid.
#include "selection/GalaxyId.h"

#include <QUrl>
#include <QWidget>

class QAbstractButton;
class QComboBox;
class QLabel;
class QMenu;
class QTreeWidget;
class QTreeWidgetItem;

namespace rm::ui {

class GalaxySelection;
class ImageView;
class LabelKeys;
class NeighbourFinder;
class SaliencyOverlay;
class ProjectSession;
struct NeighbourRow;

class GalaxyInspector : public QWidget
{
    Q_OBJECT
public:
    GalaxyInspector(GalaxySelection* selection, LabelKeys* keys, QWidget* parent = nullptr);
    ~GalaxyInspector() override;

    void setSession(ProjectSession* session);
    void setGreyscale(bool grey);

    GalaxyId galaxy() const { return m_galaxy; }
    QUrl skyViewerUrl() const { return m_skyUrl; }
    QString labelText() const;
    int neighbourCount() const { return m_neighbourCount; }

    ImageView* imageView() const { return m_image; }
    QTreeWidget* rowsTree() const { return m_rows; }
    QTreeWidget* historyTree() const { return m_history; }
    QTreeWidget* predictionsTree() const { return m_predictions; }
    // The feature baseline's features of the galaxy (radial profile, slope, ring bump, colours); with a
    // profile_lr badge run, each feature's weight and contribution to its ring logit.
    QTreeWidget* featuresTree() const { return m_features; }
    QAbstractButton* skyViewerButton() const { return m_skyButton; }
    // The sky button's menu: every viewer, copy position (sexagesimal, decimal) and IAU name.
    QMenu* skyMenu() const { return m_skyMenu; }
    // Grad-CAM of the badge run over the cutout, toggled with G.
    QAbstractButton* saliencyButton() const { return m_saliencyButton; }
    void setSaliencyShown(bool shown);
    QString saliencyNote() const;

Q_SIGNALS:
    void statusMessage(QString text);
    void neighboursShown(); // the other catalogs' rows are in (for tests and the status bar)

private:
    void showCurrent();
    void showLabel();
    void showHistory();
    void showPredictions();
    void updateSaliency();
    void showFeatures();
    void showNeighbours(const QVector<NeighbourRow>& rows);
    void clearGalaxy(const QString& message);
    QTreeWidgetItem* addRowGroup(const QString& title, const QVector<QPair<QString, QString>>& values);

    GalaxySelection* m_selection;
    LabelKeys* m_keys;
    ProjectSession* m_session = nullptr;
    NeighbourFinder* m_neighbours;
    GalaxyId m_galaxy;
    QUrl m_skyUrl;
    int m_neighbourCount = 0;
    QTreeWidgetItem* m_neighbourPlaceholder = nullptr;

    QLabel* m_title;
    QLabel* m_position;
    QLabel* m_label;
    QAbstractButton* m_skyButton;
    QMenu* m_skyMenu;
    QAbstractButton* m_saliencyButton;
    QLabel* m_saliencyNote;
    SaliencyOverlay* m_saliency;
    ImageView* m_image;
    QComboBox* m_ringType;
    QTreeWidget* m_rows;
    QTreeWidget* m_history;
    QTreeWidget* m_predictions;
    QTreeWidget* m_features;
    QList<QMetaObject::Connection> m_sessionConnections;
};

} // namespace rm::ui

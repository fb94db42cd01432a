#include "results/GalleryGrid.h"

#include "cutouts/CutoutDelegate.h"
#include "cutouts/CutoutModel.h"
#include "inspector/SkyMenu.h"
#include "labels/LabelController.h"
#include "labels/LabelKeys.h"
#include "project/ProjectSession.h"
#include "selection/GalaxySelection.h"

#include <QMenu>

namespace rm::ui {

GalleryGrid::GalleryGrid(GalaxySelection* selection, QWidget* parent)
    : QListView(parent), m_selection(selection), m_model(new CutoutModel(this)),
      m_delegate(new CutoutDelegate(this)), m_keys(new LabelKeys(selection, this))
{
    m_model->setFollowBadgeRun(false);
    setModel(m_model);
    setItemDelegate(m_delegate);
    setViewMode(QListView::IconMode);
    setMovement(QListView::Static);
    setUniformItemSizes(true);
    setResizeMode(QListView::Adjust);
    setWrapping(true);
    setSpacing(2);
    setSelectionMode(QAbstractItemView::SingleSelection);
    setVerticalScrollMode(QAbstractItemView::ScrollPerPixel);
    setFocusPolicy(Qt::StrongFocus);
    m_keys->watch(this, false);
    m_keys->setAdvanceAfterLabel(true);
    setThumbnailSize(112);
    setContextMenuPolicy(Qt::CustomContextMenu);
    connect(this, &QWidget::customContextMenuRequested, this, [this](const QPoint& at) {
        if (QMenu* menu = contextMenuFor(indexAt(at))) {
            menu->exec(viewport()->mapToGlobal(at));
            delete menu;
        }
    });

    connect(selectionModel(), &QItemSelectionModel::currentChanged, this, &GalleryGrid::onCurrentChanged);
    // A click on the item that is already current still makes it the shared current galaxy again.
    connect(this, &QListView::clicked, this, &GalleryGrid::onCurrentChanged);
    connect(m_keys, &LabelKeys::moveRequested, this, &GalleryGrid::moveCurrent);
    connect(m_keys, &LabelKeys::statusMessage, this, &GalleryGrid::statusMessage);
    connect(m_keys, &LabelKeys::showRequested, this, [this](const GalaxyId& id) {
        const int row = m_model->rowOf(id);
        if (row >= 0) showRow(row);
    });
}

void GalleryGrid::setSession(ProjectSession* session)
{
    m_keys->setController(session ? &session->labels() : nullptr);
    m_session = session;
    m_filling = true;
    m_model->setSession(session);
    m_filling = false;
}

void GalleryGrid::setGalaxies(std::vector<GalaxyId> galaxies, QHash<GalaxyId, float> scores, double threshold)
{
    const GalaxyId before = currentGalaxy();
    m_filling = true;
    m_model->setGalaxies(std::move(galaxies));
    m_model->setScores(std::move(scores), threshold);
    const int row = m_model->rowOf(before);
    if (row >= 0) setCurrentIndex(m_model->index(row));
    m_filling = false;
    updateGrid();
}

void GalleryGrid::setThumbnailSize(int pixels)
{
    m_delegate->setThumbnailSize(pixels);
    updateGrid();
}

void GalleryGrid::setGreyscale(bool grey)
{
    m_delegate->setGreyscale(grey);
    viewport()->update();
}

void GalleryGrid::updateGrid()
{
    QStyleOptionViewItem option;
    option.initFrom(this);
    setGridSize(m_delegate->sizeHint(option, {}) + QSize(4, 4));
    doItemsLayout();
}

bool GalleryGrid::showRow(int row)
{
    if (row < 0 || row >= m_model->rowCount()) return false;
    const QModelIndex index = m_model->index(row);
    if (currentIndex() != index)
        setCurrentIndex(index); // onCurrentChanged tells the others
    else
        onCurrentChanged(index);
    scrollTo(index);
    return true;
}

bool GalleryGrid::moveCurrent(int delta)
{
    const int n = m_model->rowCount();
    if (n == 0) return false;
    const int row = currentIndex().isValid() ? currentIndex().row() + delta : 0;
    if (row < 0 || row >= n) {
        Q_EMIT statusMessage(row < 0 ? tr("This is the first galaxy") : tr("That was the last galaxy"));
        return false;
    }
    return showRow(row);
}

GalaxyId GalleryGrid::currentGalaxy() const
{
    return m_model->galaxyAt(currentIndex().row());
}

void GalleryGrid::onCurrentChanged(const QModelIndex& current)
{
    if (m_filling || !current.isValid()) return;
    SelectedGalaxy g;
    g.id = m_model->galaxyAt(current.row());
    m_selection->setCurrent(g, this);
}

QMenu* GalleryGrid::contextMenuFor(const QModelIndex& index)
{
    if (!index.isValid()) return nullptr;
    QString error;
    QMenu* menu =
        galaxySkyMenu(m_session, index.data(CutoutModel::GalaxyRole).value<GalaxyId>(), this, &error);
    if (!menu && !error.isEmpty()) Q_EMIT statusMessage(error);
    return menu;
}

} // namespace rm::ui

#include "results/GalleryGrid.h"

#include "cutouts/CutoutDelegate.h"
#include "cutouts/CutoutModel.h"
#include "cutouts/ThumbnailLoader.h"
#include "inspector/RunSaliency.h"
#include "inspector/SaliencyOverlay.h"
#include "inspector/SkyMenu.h"
#include "labels/LabelController.h"
#include "labels/LabelKeys.h"
#include "project/ProjectSession.h"
#include "results/RunResults.h"
#include "selection/GalaxySelection.h"
#include "tasks/BackgroundJob.h"

#include <QTimer>

#include <memory>

#include <QMenu>

namespace rm::ui {

GalleryGrid::GalleryGrid(GalaxySelection* selection, QWidget* parent)
    : QListView(parent), m_selection(selection), m_model(new CutoutModel(this)),
      m_delegate(new CutoutDelegate(this)), m_keys(new LabelKeys(selection, this)),
      m_saliencyJob(new BackgroundJob(this)), m_saliencyTimer(new QTimer(this))
{
    m_saliencyJob->setTaskFlags(Task::Hidden); // decoration of what is shown: no line in the status bar
    m_saliencyTimer->setSingleShot(true);
    m_saliencyTimer->setInterval(150); // thumbnails arrive in bursts: one batch for a burst
    connect(m_saliencyTimer, &QTimer::timeout, this, &GalleryGrid::computeSaliency);
    connect(m_keys, &LabelKeys::saliencyToggleRequested, this, [this] { setSaliencyShown(!m_saliency); });
    connect(m_model, &CutoutModel::dataChanged, this,
            [this](const QModelIndex&, const QModelIndex&, const QList<int>& roles) {
                if (m_saliency && !roles.contains(CutoutModel::OverlayRole)) m_saliencyTimer->start();
            });
    connect(m_model, &CutoutModel::modelReset, this, [this] {
        if (m_saliency) m_saliencyTimer->start();
    });
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
    if (m_session) disconnect(&m_session->results(), nullptr, this, nullptr);
    m_session = session;
    m_model->clearOverlays();
    if (session)
        connect(&session->results(), &RunResults::badgeRunChanged, this, [this] {
            m_model->clearOverlays();
            m_saliencyFailed = false;
            if (m_saliency) m_saliencyTimer->start();
        });
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

bool GalleryGrid::saliencyBusy() const
{
    return m_saliencyJob->busy() || m_saliencyTimer->isActive();
}

void GalleryGrid::setSaliencyShown(bool shown)
{
    m_saliency = shown;
    m_saliencyFailed = false;
    if (!shown) {
        m_saliencyTimer->stop();
        m_model->clearOverlays();
        return;
    }
    Q_EMIT statusMessage(tr("Saliency: Grad-CAM of the badge run over the cutouts (G hides it)"));
    computeSaliency();
}

void GalleryGrid::computeSaliency()
{
    if (!m_saliency || m_saliencyFailed || !m_session) return;
    if (m_saliencyJob->busy()) {
        m_saliencyTimer->start(); // after this batch
        return;
    }
    RunResults& results = m_session->results();
    const RunRow* run = results.run(results.badgeRunId());
    if (!run || !run->done()) {
        Q_EMIT statusMessage(tr("Saliency: no finished run to ask"));
        return;
    }
    // The cutouts already decoded and still without a map, a batch at a time.
    std::vector<std::pair<GalaxyId, QImage>> todo;
    for (int row = 0; row < m_model->rowCount() && todo.size() < 48; ++row) {
        const GalaxyId id = m_model->galaxyAt(row);
        if (m_model->hasOverlay(id)) continue;
        const QImage image = m_session->thumbnails().image(id);
        if (!image.isNull()) todo.emplace_back(id, image);
    }
    if (todo.empty()) return;
    const SaliencyRun request{run->run.weightsPath, run->run.config.dump(), run->run.targetSet};
    const QString project = m_session->path();
    const qint64 runId = run->run.id;
    auto result = std::make_shared<std::vector<GalaxySaliency>>();
    auto fraction = std::make_shared<double>(1.0);
    m_saliencyJob->start(
        tr("Grad-CAM"),
        [todo, request, project, result, fraction](TaskContext&) {
            *result = computeRunSaliency(project, request, todo, fraction.get());
            return QString();
        },
        [this, result, fraction, runId](bool ok, const QString& message) {
            if (!ok) {
                m_saliencyFailed = true;
                Q_EMIT statusMessage(tr("Saliency: %1").arg(message));
                return;
            }
            // Maps of a run that is no longer the badge run are dropped.
            if (!m_saliency || !m_session || m_session->results().badgeRunId() != runId) return;
            for (const GalaxySaliency& g : *result)
                m_model->setOverlay(
                    g.galaxy, SaliencyOverlay::heatImage(g.map.heat, g.map.width, g.map.height), *fraction);
            m_saliencyTimer->start(); // the next batch, if any
        });
}

} // namespace rm::ui

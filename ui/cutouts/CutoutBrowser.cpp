#include "cutouts/CutoutBrowser.h"

#include "cutouts/CutoutDelegate.h"
#include "cutouts/CutoutModel.h"
#include "inspector/SkyMenu.h"
#include "project/ProjectSession.h"
#include "selection/GalaxySelection.h"
#include "shell/Settings.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QListView>
#include <QMenu>
#include <QSlider>
#include <QToolButton>
#include <QVBoxLayout>

namespace rm::ui {

CutoutBrowser::CutoutBrowser(GalaxySelection* selection, QWidget* parent)
    : QWidget(parent), m_selection(selection), m_model(new CutoutModel(this)),
      m_delegate(new CutoutDelegate(this))
{
    m_title = new QLabel(this);
    m_title->setTextFormat(Qt::PlainText);

    auto* grey = new QToolButton(this);
    grey->setText(tr("Greyscale"));
    grey->setCheckable(true);
    grey->setToolTip(tr("Show the mean of R, G and B: what the 1-channel models see"));
    m_grey = grey;

    m_zoom = new QSlider(Qt::Horizontal, this);
    m_zoom->setRange(64, 256);
    m_zoom->setSingleStep(8);
    m_zoom->setPageStep(32);
    m_zoom->setFixedWidth(160);
    m_zoom->setToolTip(tr("Thumbnail size"));

    auto* keys = new QLabel(tr("R ring · N not · U unsure · 1–5 type · Z undo · Space next"), this);
    keys->setStyleSheet(QStringLiteral("QLabel { color: palette(mid); }"));
    // Neither label may hold the grid wider than the docks leave it: they are clipped instead.
    m_title->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    m_title->setMinimumWidth(120);
    keys->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    keys->setAlignment(Qt::AlignCenter);

    m_view = new QListView(this);
    m_view->setModel(m_model);
    m_view->setItemDelegate(m_delegate);
    m_view->setViewMode(QListView::IconMode);
    // Static movement and uniform sizes keep layout O(1) per item without asking each item its size: a grid
    // of 100,000 lays out instantly and only the visible items are ever asked for data.
    m_view->setMovement(QListView::Static);
    m_view->setUniformItemSizes(true);
    m_view->setResizeMode(QListView::Adjust);
    m_view->setLayoutMode(QListView::Batched);
    m_view->setBatchSize(2000);
    m_view->setWrapping(true);
    m_view->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(m_view, &QWidget::customContextMenuRequested, this, [this](const QPoint& at) {
        if (QMenu* menu = contextMenuFor(m_view->indexAt(at))) {
            menu->exec(m_view->viewport()->mapToGlobal(at));
            delete menu;
        }
    });
    m_view->setSpacing(2);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->setVerticalScrollMode(QAbstractItemView::ScrollPerPixel);
    m_view->setFocusPolicy(Qt::StrongFocus);

    auto* bar = new QHBoxLayout;
    bar->setContentsMargins(0, 0, 0, 0);
    bar->addWidget(m_title, 1);
    bar->addWidget(grey);
    bar->addWidget(new QLabel(tr("Size"), this));
    bar->addWidget(m_zoom);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->setSpacing(4);
    layout->addLayout(bar);
    layout->addWidget(m_view, 1);
    layout->addWidget(keys);

    connect(m_zoom, &QSlider::valueChanged, this, &CutoutBrowser::setThumbnailSize);
    connect(grey, &QToolButton::toggled, this, &CutoutBrowser::setGreyscale);
    connect(m_view->selectionModel(), &QItemSelectionModel::currentChanged, this,
            &CutoutBrowser::onCurrentChanged);
    connect(m_selection, &GalaxySelection::changed, this, &CutoutBrowser::onSelectionChanged);
    connect(m_selection, &GalaxySelection::currentChanged, this, &CutoutBrowser::followCurrent);

    m_zoom->setValue(settings::thumbnailSize.get());
    setThumbnailSize(m_zoom->value());
    grey->setChecked(settings::greyscale.get());
    setGreyscale(grey->isChecked());
    showGalaxies();
}

void CutoutBrowser::setSession(ProjectSession* session)
{
    m_session = session;
    m_viewGalaxies.clear();
    m_viewDescription.clear();
    m_model->setSession(session);
    showGalaxies();
}

void CutoutBrowser::setViewGalaxies(std::vector<GalaxyId> galaxies, const QString& description)
{
    m_viewGalaxies = std::move(galaxies);
    if (m_viewGalaxies.size() > std::size_t(kMaxGalaxies)) m_viewGalaxies.resize(std::size_t(kMaxGalaxies));
    m_viewDescription = description;
    if (!m_showingSelection) showGalaxies();
}

void CutoutBrowser::onSelectionChanged(QObject*)
{
    const bool useSelection = m_selection->galaxies().size() > 1;
    if (!useSelection && !m_showingSelection) return; // the grid already shows the view
    showGalaxies();
}

void CutoutBrowser::showGalaxies()
{
    const GalaxyId before = currentGalaxy();
    const auto& selected = m_selection->galaxies();
    m_showingSelection = selected.size() > 1;
    std::vector<GalaxyId> galaxies;
    if (m_showingSelection) {
        galaxies.reserve(std::size_t(qMin(int(selected.size()), kMaxGalaxies)));
        for (int i = 0; i < selected.size() && i < kMaxGalaxies; ++i)
            galaxies.push_back(selected[i].id);
    } else {
        galaxies = m_viewGalaxies;
    }
    m_following = true;
    m_model->setGalaxies(std::move(galaxies));
    m_following = false;
    updateGrid();

    if (!m_session) {
        m_title->setText(tr("No project open"));
        return;
    }
    const int n = m_model->rowCount();
    m_title->setText(m_showingSelection ? tr("%L1 selected galaxies").arg(n)
                                        : tr("%L1 galaxies · %2").arg(n).arg(m_viewDescription));
    // Keep the galaxy the user was on; else start at the one the other panels show, else the first.
    const auto shared = m_selection->current();
    int row = m_model->rowOf(before);
    if (row < 0 && shared) row = m_model->rowOf(shared->id);
    if (row < 0 && n > 0) row = 0;
    if (row >= 0) {
        m_view->setCurrentIndex(m_model->index(row));
        m_view->scrollTo(m_model->index(row));
    }
}

void CutoutBrowser::onCurrentChanged(const QModelIndex& current)
{
    if (m_following || !current.isValid()) return;
    SelectedGalaxy g;
    g.id = m_model->galaxyAt(current.row());
    for (const auto& s : m_selection->galaxies()) // the table knew its position; keep it
        if (s.id == g.id) g = s;
    m_selection->setCurrent(g, this);
}

void CutoutBrowser::followCurrent(QObject* origin)
{
    if (origin == this) return;
    const auto current = m_selection->current();
    if (current) showGalaxy(current->id);
}

bool CutoutBrowser::showGalaxy(const GalaxyId& id)
{
    const int row = m_model->rowOf(id);
    if (row < 0) return false;
    const QModelIndex index = m_model->index(row);
    if (m_view->currentIndex() != index) m_view->setCurrentIndex(index);
    m_view->scrollTo(index, QAbstractItemView::PositionAtCenter); // a jump: show what surrounds it
    // Tell the others even when it came from them: an undo asks for a galaxy nobody shows yet.
    SelectedGalaxy g;
    g.id = id;
    m_selection->setCurrent(g, this);
    return true;
}

bool CutoutBrowser::moveCurrent(int delta)
{
    const int n = m_model->rowCount();
    if (n == 0) return false;
    const int row = m_view->currentIndex().isValid() ? m_view->currentIndex().row() + delta : 0;
    if (row < 0 || row >= n) {
        Q_EMIT statusMessage(row < 0 ? tr("This is the first galaxy") : tr("That was the last galaxy"));
        return false;
    }
    m_view->setCurrentIndex(m_model->index(row));
    m_view->scrollTo(m_model->index(row));
    return true;
}

GalaxyId CutoutBrowser::currentGalaxy() const
{
    return m_model->galaxyAt(m_view->currentIndex().row());
}

void CutoutBrowser::setThumbnailSize(int pixels)
{
    m_delegate->setThumbnailSize(pixels);
    if (m_zoom->value() != pixels) m_zoom->setValue(pixels);
    settings::thumbnailSize.set(pixels);
    updateGrid();
}

int CutoutBrowser::thumbnailSize() const
{
    return m_delegate->thumbnailSize();
}

void CutoutBrowser::setGreyscale(bool grey)
{
    if (m_grey->isChecked() != grey) m_grey->setChecked(grey);
    const bool changed = m_delegate->greyscale() != grey;
    m_delegate->setGreyscale(grey);
    settings::greyscale.set(grey);
    m_view->viewport()->update();
    if (changed) Q_EMIT greyscaleChanged(grey);
}

bool CutoutBrowser::greyscale() const
{
    return m_delegate->greyscale();
}

QString CutoutBrowser::title() const
{
    return m_title->text();
}

void CutoutBrowser::updateGrid()
{
    // A grid size makes the static layout skip every per-item size question.
    QStyleOptionViewItem option;
    option.initFrom(m_view);
    m_view->setGridSize(m_delegate->sizeHint(option, {}) + QSize(4, 4));
    m_view->doItemsLayout();
}

QMenu* CutoutBrowser::contextMenuFor(const QModelIndex& index)
{
    if (!index.isValid()) return nullptr;
    QString error;
    QMenu* menu =
        galaxySkyMenu(m_session, index.data(CutoutModel::GalaxyRole).value<GalaxyId>(), this, &error);
    if (!menu && !error.isEmpty()) Q_EMIT statusMessage(error);
    return menu;
}

} // namespace rm::ui

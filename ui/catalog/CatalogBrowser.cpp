#include "catalog/CatalogBrowser.h"

#include "catalog/CatalogTableModel.h"
#include "cutouts/ImageSources.h"
#include "project/ProjectSession.h"
#include "selection/GalaxySelection.h"
#include "util/Error.h"

#include <QComboBox>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QTableView>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>

namespace rm::ui {

CatalogBrowser::CatalogBrowser(GalaxySelection* selection, QWidget* parent)
    : QWidget(parent), m_selection(selection), m_model(new CatalogTableModel(this))
{
    m_sources = new QComboBox(this);
    m_sources->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_sources->setToolTip(tr("The catalog or target set shown"));

    m_filter = new QLineEdit(this);
    m_filter->setClearButtonEnabled(true);
    m_filter->setPlaceholderText(tr("Filter, e.g.  z < 0.05 and OV != ''   (Enter applies)"));
    m_filter->setToolTip(
        tr("Conditions on columns: = != < <= > >= like, is null, joined with and / or / not and "
           "parentheses. Strings in quotes; `odd name` for column names with spaces."));
    auto* apply = new QToolButton(this);
    apply->setText(tr("Apply"));

    m_error = new QLabel(this);
    m_error->setWordWrap(true);
    m_error->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_error->setStyleSheet(QStringLiteral("QLabel { color: #ff6b6b; }"));
    m_error->hide();

    m_view = new QTableView(this);
    m_view->setModel(m_model);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_view->setWordWrap(false);
    m_view->setAlternatingRowColors(true);
    m_view->setHorizontalScrollMode(QAbstractItemView::ScrollPerPixel);
    // Fixed row heights and a capped contents sampling keep a million rows cheap: nothing measures every row.
    m_view->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_view->verticalHeader()->setDefaultSectionSize(m_view->fontMetrics().height() + 6);
    m_view->horizontalHeader()->setResizeContentsPrecision(CatalogTableModel::kPageRows / 2);
    m_view->horizontalHeader()->setSectionsClickable(true);
    m_view->horizontalHeader()->setSortIndicatorShown(true);
    m_view->horizontalHeader()->setSortIndicator(-1, Qt::AscendingOrder);
    m_view->horizontalHeader()->setHighlightSections(false);

    m_summary = new QLabel(this);
    m_summary->setStyleSheet(QStringLiteral("QLabel { color: palette(mid); }"));

    auto* filterRow = new QHBoxLayout;
    filterRow->setContentsMargins(0, 0, 0, 0);
    filterRow->addWidget(m_filter, 1);
    filterRow->addWidget(apply);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->setSpacing(4);
    layout->addWidget(m_sources);
    layout->addLayout(filterRow);
    layout->addWidget(m_error);
    layout->addWidget(m_view, 1);
    layout->addWidget(m_summary);

    m_selectionTimer = new QTimer(this);
    m_selectionTimer->setSingleShot(true);
    m_selectionTimer->setInterval(0); // one publication per burst of selection changes

    connect(m_sources, &QComboBox::activated, this, &CatalogBrowser::onSourceChosen);
    connect(m_filter, &QLineEdit::returnPressed, this, [this] { applyFilter(m_filter->text()); });
    connect(apply, &QToolButton::clicked, this, [this] { applyFilter(m_filter->text()); });
    connect(m_view->horizontalHeader(), &QHeaderView::sectionClicked, this,
            &CatalogBrowser::onSectionClicked);
    connect(m_model, &CatalogTableModel::viewReady, this, &CatalogBrowser::onViewReady);
    connect(m_model, &CatalogTableModel::viewFailed, this, &CatalogBrowser::onViewFailed);
    connect(m_model, &CatalogTableModel::readFailed, this, &CatalogBrowser::showError);
    connect(m_model, &CatalogTableModel::busyChanged, this, [this] { updateSummary(); });
    connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, m_selectionTimer,
            qOverload<>(&QTimer::start));
    connect(m_selectionTimer, &QTimer::timeout, this, &CatalogBrowser::publishSelection);
    connect(m_view->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &CatalogBrowser::publishCurrent);
    connect(m_selection, &GalaxySelection::currentChanged, this, &CatalogBrowser::followCurrent);
    connect(m_selection, &GalaxySelection::changed, this, &CatalogBrowser::followSelection);
    setEnabled(false);
}

CatalogBrowser::~CatalogBrowser() = default;

void CatalogBrowser::setSession(ProjectSession* session)
{
    m_session = session;
    m_model->clear();
    m_filter->clear();
    m_error->hide();
    m_sourceList.clear();
    m_sources->clear();
    setEnabled(session != nullptr);
    if (!session) {
        updateSummary();
        return;
    }
    refreshSources();
    // Start where there is something to look at: the first catalog with images, else the first catalog.
    int start = m_sourceList.empty() ? -1 : 0;
    for (std::size_t i = 0; i < m_sourceList.size(); ++i) {
        if (m_sourceList[i].view.kind == rm::ViewSource::Kind::Catalog &&
            session->imageSources().hasSource(m_sourceList[i].view.id)) {
            start = int(i);
            break;
        }
    }
    if (start >= 0) {
        m_sources->setCurrentIndex(start);
        onSourceChosen(start);
    } else {
        updateSummary();
    }
}

void CatalogBrowser::refreshSources()
{
    if (!m_session) return;
    const QString current = currentSourceName();
    try {
        m_sourceList = projectTableSources(m_session->store());
    } catch (const rm::Error& e) {
        showError(tr("Cannot list the project's catalogs: %1").arg(QString::fromStdString(e.what())));
        return;
    }
    m_sources->clear();
    for (const auto& s : m_sourceList)
        m_sources->addItem(s.label());
    const int keep = m_sources->findText(current, Qt::MatchStartsWith);
    if (keep >= 0) m_sources->setCurrentIndex(keep);
}

QString CatalogBrowser::currentSourceName() const
{
    return m_model->source().name;
}

bool CatalogBrowser::showSource(const QString& name)
{
    for (std::size_t i = 0; i < m_sourceList.size(); ++i) {
        if (m_sourceList[i].name != name) continue;
        m_sources->setCurrentIndex(int(i));
        onSourceChosen(int(i));
        return true;
    }
    return false;
}

void CatalogBrowser::onSourceChosen(int index)
{
    if (!m_session || index < 0 || index >= int(m_sourceList.size())) return;
    m_error->hide();
    m_filter->clear();
    m_view->horizontalHeader()->setSortIndicator(-1, Qt::AscendingOrder);
    m_resizeColumns = true;
    m_model->setSource(m_session, m_sourceList[std::size_t(index)]);
    updateSummary();
}

bool CatalogBrowser::applyFilter(const QString& text)
{
    if (m_filter->text() != text) m_filter->setText(text); // the bar always shows what was asked for
    const QString error =
        m_model->setView(text, m_model->requestedSortColumn(), m_model->requestedSortOrder());
    if (!error.isEmpty()) {
        showError(tr("Filter not applied: %1").arg(error));
        return false;
    }
    m_error->hide();
    updateSummary();
    return true;
}

bool CatalogBrowser::sortByColumn(const QString& name, Qt::SortOrder order)
{
    for (int c = 0; c < m_model->columnCount(); ++c)
        if (m_model->headerData(c, Qt::Horizontal).toString() == name) {
            m_view->horizontalHeader()->setSortIndicator(c, order);
            const QString error = m_model->setView(m_model->requestedFilter(), c, order);
            if (!error.isEmpty()) showError(error);
            updateSummary();
            return error.isEmpty();
        }
    return false;
}

void CatalogBrowser::onSectionClicked(int section)
{
    // Ascending, descending, then back to the catalog's own order.
    int column = section;
    Qt::SortOrder order = Qt::AscendingOrder;
    if (m_model->requestedSortColumn() == section) {
        if (m_model->requestedSortOrder() == Qt::AscendingOrder)
            order = Qt::DescendingOrder;
        else
            column = -1;
    }
    m_view->horizontalHeader()->setSortIndicator(column, order);
    const QString error = m_model->setView(m_model->requestedFilter(), column, order);
    if (!error.isEmpty()) showError(error);
    updateSummary();
}

void CatalogBrowser::onViewReady()
{
    m_view->horizontalHeader()->setSortIndicator(m_model->sortColumn(), m_model->sortOrder());
    if (m_resizeColumns) {
        m_resizeColumns = false;
        m_view->resizeColumnsToContents();
        for (int c = 0; c < m_model->columnCount(); ++c)
            m_view->setColumnWidth(c, qBound(48, m_view->columnWidth(c), 220));
    }
    updateSummary();
    if (m_followSelectionWhenReady) showSharedSelection();
    Q_EMIT viewChanged();
}

void CatalogBrowser::onViewFailed(const QString& message)
{
    m_view->horizontalHeader()->setSortIndicator(m_model->sortColumn(), m_model->sortOrder());
    showError(tr("The view was not changed: %1").arg(message));
    updateSummary();
}

void CatalogBrowser::showError(const QString& message)
{
    m_error->setText(message);
    m_error->show();
    Q_EMIT statusMessage(message);
}

QString CatalogBrowser::errorText() const
{
    return m_error->isVisible() ? m_error->text() : QString();
}

QString CatalogBrowser::summaryText() const
{
    return m_summary->text();
}

void CatalogBrowser::updateSummary()
{
    if (!m_session || !m_model->source().valid()) {
        m_summary->setText(m_session ? tr("The project has no catalogs yet.") : QString());
        return;
    }
    const TableSource& s = m_model->source();
    QString text = m_model->filter().isEmpty() ? tr("%L1 rows").arg(m_model->rowCount())
                                               : tr("%L1 of %L2 rows match  %3")
                                                     .arg(m_model->rowCount())
                                                     .arg(s.view.rowCount)
                                                     .arg(m_model->filter());
    if (m_model->sortColumn() >= 0)
        text += tr("  ·  sorted by %1%2")
                    .arg(s.columnName(m_model->sortColumn()),
                         m_model->sortOrder() == Qt::DescendingOrder ? tr(" (descending)") : QString());
    if (m_model->isBusy()) text += tr("  ·  querying…");
    m_summary->setText(text);
}

void CatalogBrowser::publishSelection()
{
    if (m_following) return;
    std::vector<int> rows;
    for (const QItemSelectionRange& range : m_view->selectionModel()->selection()) {
        for (int r = range.top(); r <= range.bottom() && int(rows.size()) < kMaxSelection; ++r)
            rows.push_back(r);
    }
    std::sort(rows.begin(), rows.end());
    rows.erase(std::unique(rows.begin(), rows.end()), rows.end());
    if (int(rows.size()) >= kMaxSelection)
        Q_EMIT statusMessage(tr("Selection cut to the first %L1 galaxies").arg(kMaxSelection));
    m_selection->setGalaxies(m_model->galaxiesWithPositions(rows), this);
}

void CatalogBrowser::publishCurrent()
{
    if (m_following) return;
    const int row = m_view->currentIndex().row();
    if (row < 0) return;
    const auto galaxies = m_model->galaxiesWithPositions({row});
    if (!galaxies.isEmpty()) m_selection->setCurrent(galaxies.front(), this);
}

void CatalogBrowser::followSelection(QObject* origin)
{
    // Galaxies chosen elsewhere (a SAMP client's row selection): select the rows of the view that hold them.
    if (origin != this) showSharedSelection();
}

void CatalogBrowser::showSharedSelection()
{
    m_followSelectionWhenReady = false;
    if (m_model->isBusy()) {
        m_followSelectionWhenReady = true; // the rows are not known yet
        return;
    }
    QVector<GalaxyId> ids;
    for (const SelectedGalaxy& g : m_selection->galaxies())
        ids << g.id;
    const std::vector<int> rows = m_model->rowsOf(ids);
    QItemSelection selection;
    for (std::size_t i = 0; i < rows.size();) {
        std::size_t j = i + 1; // runs of consecutive rows make one range each
        while (j < rows.size() && rows[j] == rows[j - 1] + 1)
            ++j;
        selection.select(m_model->index(rows[i], 0), m_model->index(rows[j - 1], m_model->columnCount() - 1));
        i = j;
    }
    m_following = true;
    m_view->selectionModel()->select(selection, QItemSelectionModel::ClearAndSelect);
    m_selectionTimer->stop(); // the shared selection already holds these galaxies
    if (!rows.empty())
        m_view->scrollTo(m_model->index(rows.front(), qMax(0, m_view->currentIndex().column())));
    m_following = false;
}

void CatalogBrowser::followCurrent(QObject* origin)
{
    if (origin == this) return;
    const auto current = m_selection->current();
    if (!current) return;
    const int row = m_model->rowOf(current->id);
    if (row < 0) return;
    m_following = true;
    const QModelIndex index = m_model->index(row, qMax(0, m_view->currentIndex().column()));
    QItemSelectionModel* model = m_view->selectionModel();
    int selectedRows = 0; // counted by ranges: a select-all over a million rows must stay cheap
    for (const QItemSelectionRange& range : model->selection())
        if ((selectedRows += range.height()) > 1) break;
    if (selectedRows > 1) {
        // The grid shows this multi-row selection: only the current row moves.
        model->setCurrentIndex(index, QItemSelectionModel::NoUpdate);
    } else {
        model->setCurrentIndex(index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
        m_selectionTimer->stop(); // the selection is the galaxy the other panel already shows
    }
    m_view->scrollTo(index);
    m_following = false;
}

} // namespace rm::ui

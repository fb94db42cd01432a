#include "results/ComparisonPanel.h"

#include "project/ProjectSession.h"
#include "results/ComparisonExport.h"
#include "results/ComparisonModel.h"
#include "results/RunResults.h"

#include <QComboBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QMessageBox>
#include <QTableView>
#include <QToolButton>
#include <QVBoxLayout>

namespace rm::ui {

ComparisonPanel::ComparisonPanel(QWidget* parent)
    : QWidget(parent), m_model(new ComparisonModel(this)), m_proxy(new ComparisonSortProxy(this))
{
    m_proxy->setSourceModel(m_model);

    m_experiments = new QComboBox(this);
    m_experiments->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_experiments->setToolTip(tr("Show the runs of one experiment"));
    auto* refresh = new QToolButton(this);
    refresh->setText(tr("Refresh"));
    refresh->setToolTip(tr("Read the project's runs again"));
    auto* csv = new QToolButton(this);
    csv->setText(tr("Export CSV…"));
    auto* markdown = new QToolButton(this);
    markdown->setText(tr("Export Markdown…"));
    m_note = new QLabel(this);
    m_note->setStyleSheet(QStringLiteral("QLabel { color: palette(mid); }"));
    m_note->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);

    m_view = new QTableView(this);
    m_view->setModel(m_proxy);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(ComparisonModel::ValRocAuc, Qt::DescendingOrder);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->setAlternatingRowColors(true);
    m_view->setWordWrap(false);
    m_view->verticalHeader()->hide();
    m_view->verticalHeader()->setDefaultSectionSize(m_view->fontMetrics().height() + 8);
    m_view->horizontalHeader()->setHighlightSections(false);
    m_view->setColumnHidden(ComparisonModel::CvRocAuc, true);
    m_view->setColumnHidden(ComparisonModel::CvPrAuc, true);
    m_view->horizontalHeader()->setStretchLastSection(true);
    m_view->setIconSize(QSize(12, 12));

    auto* bar = new QHBoxLayout;
    bar->setContentsMargins(0, 0, 0, 0);
    bar->addWidget(new QLabel(tr("Experiment"), this));
    bar->addWidget(m_experiments);
    bar->addWidget(refresh);
    bar->addWidget(m_note, 1);
    bar->addWidget(csv);
    bar->addWidget(markdown);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->setSpacing(4);
    layout->addLayout(bar);
    layout->addWidget(m_view, 1);

    connect(refresh, &QToolButton::clicked, this, &ComparisonPanel::refresh);
    connect(csv, &QToolButton::clicked, this, [this] { chooseExport(false); });
    connect(markdown, &QToolButton::clicked, this, [this] { chooseExport(true); });
    connect(m_experiments, &QComboBox::activated, this,
            [this] { setExperimentFilter(m_experiments->currentData().toString()); });
    connect(m_view->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &ComparisonPanel::onCurrentRowChanged);
    setSession(nullptr);
}

void ComparisonPanel::setSession(ProjectSession* session)
{
    for (const auto& c : m_connections)
        disconnect(c);
    m_connections.clear();
    m_session = session;
    if (session) {
        RunResults* results = &session->results();
        m_connections << connect(results, &RunResults::runsChanged, this, &ComparisonPanel::showRuns)
                      << connect(results, &RunResults::badgeRunChanged, this,
                                 &ComparisonPanel::updateBadgeNote)
                      << connect(results, &RunResults::failed, this, &ComparisonPanel::statusMessage);
    }
    showRuns();
}

void ComparisonPanel::refresh()
{
    if (m_session) m_session->results().refresh(); // runsChanged redraws
}

void ComparisonPanel::showRuns()
{
    const QString experiment = m_model->experiment();
    static const std::vector<RunRow> none;
    const std::vector<RunRow>& runs = m_session ? m_session->results().runs() : none;
    const QStringList names = m_session ? m_session->results().experiments() : QStringList();
    m_experiments->clear();
    m_experiments->addItem(tr("All experiments"), QString());
    for (const QString& name : names)
        m_experiments->addItem(name, name);
    const int kept = names.contains(experiment) ? m_experiments->findData(experiment) : 0;
    m_experiments->setCurrentIndex(kept);
    m_model->setRuns(runs, kept > 0 ? experiment : QString());
    showCrossValidationColumns();
    m_view->resizeColumnsToContents();
    updateBadgeNote();
}

void ComparisonPanel::showCrossValidationColumns()
{
    const bool cv = m_model->hasCrossValidation();
    const bool wasShown = !m_view->isColumnHidden(ComparisonModel::CvRocAuc);
    m_view->setColumnHidden(ComparisonModel::CvRocAuc, !cv);
    m_view->setColumnHidden(ComparisonModel::CvPrAuc, !cv);
    // Cross-validated cells are ranked by their CV AUC: one validation split is too small to rank by.
    if (cv && !wasShown) m_view->sortByColumn(ComparisonModel::CvRocAuc, Qt::DescendingOrder);
}

void ComparisonPanel::setExperimentFilter(const QString& experiment)
{
    const int i = experiment.isEmpty() ? 0 : m_experiments->findData(experiment);
    if (i < 0) return;
    m_experiments->setCurrentIndex(i);
    static const std::vector<RunRow> none;
    m_model->setRuns(m_session ? m_session->results().runs() : none, experiment);
    showCrossValidationColumns();
    m_view->resizeColumnsToContents();
}

void ComparisonPanel::onCurrentRowChanged()
{
    if (!m_session) return;
    const QModelIndex current = m_view->currentIndex();
    if (!current.isValid()) return;
    m_session->results().setBadgeRun(current.data(ComparisonModel::RunIdRole).toLongLong());
}

void ComparisonPanel::updateBadgeNote()
{
    if (!m_session || m_model->rowCount() == 0) {
        m_note->setText(m_session ? tr("No runs yet: train an experiment, then refresh") : QString());
        return;
    }
    RunResults& results = m_session->results();
    const qint64 id = results.badgeRunId();
    const RunRow* run = results.run(id);
    m_note->setText(run ? tr("Thumbnail scores: %1%2")
                              .arg(run->title(), results.badgeFollowsBest() ? tr(" (best)") : QString())
                        : tr("No finished run"));
}

QVector<int> ComparisonPanel::shownRows() const
{
    QVector<int> rows;
    for (int r = 0; r < m_proxy->rowCount(); ++r)
        rows << m_proxy->mapToSource(m_proxy->index(r, 0)).row();
    return rows;
}

bool ComparisonPanel::exportCsv(const QString& path, QString* error) const
{
    return writeTextFile(path, comparisonCsv(*m_model, shownRows()), error);
}

bool ComparisonPanel::exportMarkdown(const QString& path, QString* error) const
{
    return writeTextFile(path, comparisonMarkdown(*m_model, shownRows()), error);
}

void ComparisonPanel::chooseExport(bool markdown)
{
    const QString dir = m_session ? QFileInfo(m_session->path()).absolutePath() : QString();
    const QString suggested = dir + (markdown ? QStringLiteral("/runs.md") : QStringLiteral("/runs.csv"));
    const QString path = QFileDialog::getSaveFileName(
        this, markdown ? tr("Export Markdown") : tr("Export CSV"), suggested,
        markdown ? tr("Markdown (*.md);;All files (*)") : tr("CSV (*.csv);;All files (*)"));
    if (path.isEmpty()) return;
    QString error;
    if (!(markdown ? exportMarkdown(path, &error) : exportCsv(path, &error))) {
        QMessageBox::warning(this, tr("Export"), error);
        return;
    }
    Q_EMIT statusMessage(tr("Wrote %1 runs to %2").arg(m_proxy->rowCount()).arg(path));
}

} // namespace rm::ui

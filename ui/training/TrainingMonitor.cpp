#include "training/TrainingMonitor.h"

#include "project/ProjectSession.h"
#include "training/LossCurvesView.h"
#include "training/PlotStyle.h"
#include "training/RocPrView.h"
#include "training/RunStore.h"
#include "training/TrainProgress.h"
#include "training/TrainingController.h"

#include "training/QCustomPlotInclude.h"

#include <QDateTime>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QMenu>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QSplitter>
#include <QTabWidget>
#include <QTableWidget>
#include <QToolButton>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <cmath>
#include <set>

namespace rm::ui {

namespace {

QString aucText(double v)
{
    return std::isfinite(v) ? QString::number(v, 'f', 3) : QStringLiteral("–");
}

// Sorts numbers as numbers in the run list.
class RunItem : public QTreeWidgetItem
{
public:
    using QTreeWidgetItem::QTreeWidgetItem;
    bool operator<(const QTreeWidgetItem& other) const override
    {
        const int column = treeWidget() ? treeWidget()->sortColumn() : 0;
        const QVariant a = data(column, Qt::UserRole), b = other.data(column, Qt::UserRole);
        if (a.isValid() && b.isValid()) return a.toDouble() < b.toDouble();
        return QTreeWidgetItem::operator<(other);
    }
};

} // namespace

TrainingMonitor::TrainingMonitor(TrainingController* controller, QWidget* parent)
    : QWidget(parent), m_controller(controller)
{
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    auto* top = new QHBoxLayout;
    m_status = new QLabel(tr("Idle"), this);
    m_status->setObjectName(QStringLiteral("trainingStatus"));
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_progress = new QProgressBar(this);
    m_progress->setRange(0, 1000);
    m_progress->setTextVisible(false);
    m_progress->setMaximumWidth(220);
    m_progress->setMaximumHeight(12);
    auto* exportButton = new QToolButton(this);
    exportButton->setText(tr("Export Plot"));
    exportButton->setPopupMode(QToolButton::InstantPopup);
    buildExportMenu(exportButton);
    top->addWidget(m_status, 1);
    top->addWidget(m_progress);
    top->addWidget(exportButton);
    layout->addLayout(top);

    auto* split = new QSplitter(Qt::Horizontal, this);
    auto* left = new QSplitter(Qt::Vertical, split);
    m_runs = new QTreeWidget(left);
    m_runs->setObjectName(QStringLiteral("runList"));
    // In RunColumn order.
    m_runs->setHeaderLabels({tr("Run"), tr("Model · mode"), tr("Val AUC"), tr("Test AUC"), tr("State"),
                             tr("Epochs"), tr("Target set"), tr("Experiment")});
    m_runs->setRootIsDecorated(false);
    m_runs->setUniformRowHeights(true);
    m_runs->setSortingEnabled(true);
    m_runs->sortByColumn(RunIdColumn, Qt::DescendingOrder);
    m_runs->header()->setSectionResizeMode(QHeaderView::ResizeToContents);

    m_runs->setToolTip(tr("Tick runs to overlay their ROC and PR curves; select one for its epoch history"));
    m_epochs = new QTableWidget(0, 6, left);
    m_epochs->setObjectName(QStringLiteral("epochHistory"));
    m_epochs->setHorizontalHeaderLabels(
        {tr("Epoch"), tr("Train loss"), tr("Val loss"), tr("Val AUC"), tr("LR"), tr("Seconds")});
    m_epochs->verticalHeader()->hide();
    m_epochs->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_epochs->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_epochs->setToolTip(tr("Epoch history of the selected run; ★ marks the epoch whose weights were kept"));
    left->addWidget(m_runs);
    left->addWidget(m_epochs);

    m_tabs = new QTabWidget(split);
    m_curves = new LossCurvesView(m_tabs);
    m_rocPr = new RocPrView(m_tabs);
    m_log = new QPlainTextEdit(m_tabs);
    m_log->setReadOnly(true);
    m_log->setMaximumBlockCount(5000);
    m_tabs->addTab(m_curves, tr("Training Curves"));
    m_tabs->addTab(m_rocPr, tr("ROC && PR"));
    m_tabs->addTab(m_log, tr("Log"));
    split->addWidget(left);
    split->addWidget(m_tabs);
    split->setStretchFactor(0, 2);
    split->setStretchFactor(1, 3);
    layout->addWidget(split, 1);

    connect(m_runs, &QTreeWidget::itemChanged, this, [this](QTreeWidgetItem*, int column) {
        if (column == RunIdColumn && !m_refreshing) updateOverlay();
    });
    connect(m_runs, &QTreeWidget::currentItemChanged, this,
            [this](QTreeWidgetItem* item) { showRunHistory(item); });

    connect(controller, &TrainingController::started, this, [this](const QString& experiment, int cells) {
        m_progress->setValue(0);
        m_status->setText(tr("Training experiment %1: %n cell(s)", nullptr, cells).arg(experiment));
        log(tr("started experiment %1 (%n cell(s)) in %2", nullptr, cells)
                .arg(experiment, m_session ? m_session->path() : QString()));
        m_tabs->setCurrentWidget(m_curves);
    });
    connect(controller, &TrainingController::cellStarted, this, &TrainingMonitor::onCellStarted);
    connect(controller, &TrainingController::cellSkipped, this, [this](const QString& key, qint64 runId) {
        log(tr("%1: already done (run %2)").arg(key).arg(runId));
    });
    connect(controller, &TrainingController::stepsArrived, this, &TrainingMonitor::onSteps);
    connect(controller, &TrainingController::epochFinished, this, &TrainingMonitor::onEpoch);
    connect(controller, &TrainingController::cellFinished, this,
            [this](const QString& key, qint64 runId, double val, double test) {
                onCellEnded(key, runId, tr("done: val AUC %1, test AUC %2").arg(aucText(val), aucText(test)));
                setRunChecked(runId, true);
            });
    connect(controller, &TrainingController::cellFailed, this,
            [this](const QString& key, qint64 runId, const QString& message) {
                onCellEnded(key, runId, tr("failed: %1").arg(message));
            });
    connect(controller, &TrainingController::cellCancelled, this,
            [this](const QString& key, qint64 runId) { onCellEnded(key, runId, tr("cancelled")); });
    connect(controller, &TrainingController::logMessage, this, &TrainingMonitor::log);
    connect(controller, &TrainingController::stopRequested, this, [this](rm::StopRequest r) {
        m_status->setText(r == rm::StopRequest::Pause ? tr("Pausing after this epoch…") : tr("Cancelling…"));
    });
    connect(controller, &TrainingController::finished, this, &TrainingMonitor::onFinished);
}

void TrainingMonitor::buildExportMenu(QToolButton* button)
{
    auto* menu = new QMenu(button);
    const auto add = [&](const QString& text, std::function<QCustomPlot*()> plot, const QString& name) {
        menu->addAction(text, this, [this, plot, name] { exportInteractively(plot(), name); });
    };
    add(
        tr("Loss Curves…"), [this] { return m_curves->lossPlot(); }, QStringLiteral("loss"));
    add(
        tr("Validation AUC per Epoch…"), [this] { return m_curves->aucPlot(); }, QStringLiteral("val_auc"));
    add(
        tr("ROC Curves…"), [this] { return m_rocPr->rocPlot(); }, QStringLiteral("roc"));
    add(
        tr("Precision-Recall Curves…"), [this] { return m_rocPr->prPlot(); }, QStringLiteral("pr"));
    button->setMenu(menu);
}

void TrainingMonitor::exportInteractively(QCustomPlot* plot, const QString& name)
{
    QString selected;
    const QString path =
        QFileDialog::getSaveFileName(this, tr("Export Plot"), name + QStringLiteral(".pdf"),
                                     tr("PDF (vector) (*.pdf);;PNG image (*.png)"), &selected);
    if (path.isEmpty()) return;
    QString error;
    if (!exportPlot(plot, path, &error)) {
        QMessageBox::warning(this, tr("Export Plot"), error);
        return;
    }
    Q_EMIT statusMessage(tr("Saved %1").arg(path));
}

void TrainingMonitor::setSession(ProjectSession* session)
{
    if (session == m_session) return;
    m_session = session;
    m_rocPr->setSession(session);
    m_curvesRun = 0;
    m_curves->clear(!session ? tr("No project")
                             : tr("No training yet: start the experiment matrix, or pick a finished run"));
    m_epochs->setRowCount(0);
    refreshRuns();
}

QString TrainingMonitor::statusText() const
{
    return m_status->text();
}

void TrainingMonitor::showTab(int index)
{
    m_tabs->setCurrentIndex(index);
}

void TrainingMonitor::log(const QString& line)
{
    m_log->appendPlainText(QDateTime::currentDateTime().toString(QStringLiteral("HH:mm:ss  ")) + line);
}

QTreeWidgetItem* TrainingMonitor::itemOf(qint64 runId) const
{
    for (int i = 0; i < m_runs->topLevelItemCount(); ++i)
        if (m_runs->topLevelItem(i)->data(RunIdColumn, Qt::UserRole).toLongLong() == runId)
            return m_runs->topLevelItem(i);
    return nullptr;
}

void TrainingMonitor::refreshRuns()
{
    std::set<qint64> checked;
    for (int i = 0; i < m_runs->topLevelItemCount(); ++i)
        if (m_runs->topLevelItem(i)->checkState(RunIdColumn) == Qt::Checked)
            checked.insert(m_runs->topLevelItem(i)->data(RunIdColumn, Qt::UserRole).toLongLong());
    const qint64 current =
        m_runs->currentItem() ? m_runs->currentItem()->data(RunIdColumn, Qt::UserRole).toLongLong() : 0;

    std::vector<rm::RunSummary> runs;
    if (m_session) {
        try {
            runs = rm::RunStore(m_session->store()).listRuns("");
        } catch (const std::exception& e) {
            log(tr("cannot list runs: %1").arg(QString::fromStdString(e.what())));
        }
    }
    m_refreshing = true;
    m_runs->setSortingEnabled(false);
    m_runs->clear();
    for (const rm::RunSummary& r : runs) {
        auto* item = new RunItem(m_runs);
        item->setText(RunIdColumn, QString::number(r.id));
        item->setData(RunIdColumn, Qt::UserRole, qint64(r.id));
        item->setText(CellColumn, QStringLiteral("%1 · %2").arg(QString::fromStdString(r.model),
                                                                QString::fromStdString(r.mode).replace(
                                                                    QLatin1Char('_'), QLatin1Char(' '))));
        item->setText(TargetSetColumn, QString::fromStdString(r.targetSet));
        item->setText(StateColumn, QString::fromStdString(r.state));
        item->setText(ValAucColumn, aucText(r.valAuc));
        item->setData(ValAucColumn, Qt::UserRole, std::isfinite(r.valAuc) ? r.valAuc : -1.0);
        item->setText(TestAucColumn, aucText(r.testAuc));
        item->setData(TestAucColumn, Qt::UserRole, std::isfinite(r.testAuc) ? r.testAuc : -1.0);
        item->setText(EpochsColumn, QString::number(r.epochs));
        item->setData(EpochsColumn, Qt::UserRole, r.epochs);
        item->setText(ExperimentColumn, QString::fromStdString(r.experiment));
        QString tip = tr("%1\nrun %2 on %3")
                          .arg(QString::fromStdString(r.cellKey))
                          .arg(r.id)
                          .arg(r.device.empty() ? tr("no device yet") : QString::fromStdString(r.device));
        if (!r.error.empty()) tip += QStringLiteral("\n") + QString::fromStdString(r.error);
        item->setToolTip(CellColumn, tip);

        const bool done = r.state == "done";
        if (done) {
            item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
            item->setCheckState(RunIdColumn, checked.count(r.id) ? Qt::Checked : Qt::Unchecked);
        }
        item->setData(CellColumn, Qt::UserRole + 1, QString::fromStdString(r.cellKey)); // not the sort role
    }
    m_runs->setSortingEnabled(true);
    m_refreshing = false;
    if (QTreeWidgetItem* item = itemOf(current)) m_runs->setCurrentItem(item);
    updateOverlay();
}

bool TrainingMonitor::setRunChecked(qint64 runId, bool checked)
{
    QTreeWidgetItem* item = itemOf(runId);
    if (!item || !(item->flags() & Qt::ItemIsUserCheckable)) return false;
    item->setCheckState(RunIdColumn, checked ? Qt::Checked : Qt::Unchecked); // itemChanged redraws
    return true;
}

bool TrainingMonitor::selectRun(qint64 runId)
{
    QTreeWidgetItem* item = itemOf(runId);
    if (!item) return false;
    m_runs->setCurrentItem(item);
    return true;
}

void TrainingMonitor::updateOverlay()
{
    std::vector<rm::RunSummary> picked;
    std::vector<rm::RunSummary> all;
    if (m_session) {
        try {
            all = rm::RunStore(m_session->store()).listRuns("");
        } catch (const std::exception&) {
        }
    }
    std::set<qint64> checked;
    for (int i = 0; i < m_runs->topLevelItemCount(); ++i)
        if (m_runs->topLevelItem(i)->checkState(RunIdColumn) == Qt::Checked)
            checked.insert(m_runs->topLevelItem(i)->data(RunIdColumn, Qt::UserRole).toLongLong());
    for (const rm::RunSummary& r : all)
        if (checked.count(r.id)) picked.push_back(r);
    m_rocPr->setRuns(picked);
}

void TrainingMonitor::showRunHistory(QTreeWidgetItem* item)
{
    m_epochs->setRowCount(0);
    if (!item || !m_session) return;
    const qint64 runId = item->data(RunIdColumn, Qt::UserRole).toLongLong();
    std::vector<rm::EpochEvent> epochs;
    try {
        epochs = rm::RunStore(m_session->store()).epochs(runId);
    } catch (const std::exception& e) {
        log(tr("cannot read the epochs of run %1: %2").arg(runId).arg(QString::fromStdString(e.what())));
        return;
    }
    m_epochs->setRowCount(int(epochs.size()));
    // The kept epoch is the one the run recorded as best (by its select_by), not recomputed here.
    int best = -1;
    for (std::size_t i = 0; i < epochs.size(); ++i)
        if (epochs[i].best) best = int(i);
    for (std::size_t i = 0; i < epochs.size(); ++i) {
        const rm::EpochEvent& e = epochs[i];
        const QStringList cells = {QString::number(e.epoch + 1) +
                                       (int(i) == best ? QStringLiteral(" ★") : QString()),
                                   QString::number(e.trainLoss, 'f', 4),
                                   QString::number(e.valLoss, 'f', 4),
                                   aucText(e.valAuc),
                                   QString::number(e.learningRate, 'g', 3),
                                   QString::number(e.seconds, 'f', 1)};
        for (int c = 0; c < cells.size(); ++c) {
            auto* cell = new QTableWidgetItem(cells[c]);
            cell->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
            m_epochs->setItem(int(i), c, cell);
        }
    }
    // While a cell trains the curves belong to it; otherwise they show the picked run, except that the run
    // they already show live (with its steps) is not replaced by its coarser stored history.
    if (!m_controller->isRunning() && runId != m_curvesRun) {
        m_curvesRun = runId;
        m_curves->showHistory(tr("Run %1  ·  %2  ·  epoch history")
                                  .arg(runId)
                                  .arg(item->data(CellColumn, Qt::UserRole + 1).toString()),
                              epochs);
    }
}

void TrainingMonitor::onCellStarted(const QString& key, qint64 runId, int index, int count)
{
    m_liveKey = key;
    m_liveRun = runId;
    m_curvesRun = runId;
    m_liveIndex = index;
    m_liveCount = count;
    const auto cell = m_controller->cell(key);
    m_liveEpochs = cell ? cell->config.epochs : 0;
    m_curves->clear(tr("%1  ·  run %2  ·  cell %3 of %4").arg(key).arg(runId).arg(index + 1).arg(count));
    m_curves->setPlannedEpochs(m_liveEpochs);
    m_curves->setSelectionCriterion(
        QString::fromStdString(rm::selectionCriterionText(cell ? cell->config.selectBy : "val_loss")));
    m_progress->setValue(0);
    m_status->setText(tr("%1: starting (cell %2 of %3)").arg(key).arg(index + 1).arg(count));
    log(tr("%1: started as run %2").arg(key).arg(runId));
    refreshRuns();
}

void TrainingMonitor::onSteps(const QString& key, const QVector<rm::StepEvent>& steps)
{
    if (key != m_liveKey || steps.isEmpty()) return;
    m_curves->addSteps(std::vector<rm::StepEvent>(steps.begin(), steps.end()));
    const rm::StepEvent& s = steps.back();
    const double done =
        m_liveEpochs > 0 ? (s.epoch + double(s.step + 1) / std::max(1, s.stepsPerEpoch)) / m_liveEpochs : 0;
    m_progress->setValue(int(std::clamp(done, 0.0, 1.0) * 1000));
    m_status->setText(tr("%1  ·  cell %2/%3  ·  epoch %4/%5  ·  step %6/%7  ·  loss %8  ·  %9 img/s")
                          .arg(key)
                          .arg(m_liveIndex + 1)
                          .arg(m_liveCount)
                          .arg(s.epoch + 1)
                          .arg(m_liveEpochs)
                          .arg(s.step + 1)
                          .arg(s.stepsPerEpoch)
                          .arg(s.loss, 0, 'f', 4)
                          .arg(s.imagesPerSecond, 0, 'f', 0));
}

void TrainingMonitor::onEpoch(const QString& key, qint64 runId, const rm::EpochEvent& e)
{
    if (key == m_liveKey) m_curves->addEpoch(e);
    log(tr("%1: epoch %2: train loss %3, val loss %4, val AUC %5%6 (%7 s)")
            .arg(key)
            .arg(e.epoch + 1)
            .arg(e.trainLoss, 0, 'f', 4)
            .arg(e.valLoss, 0, 'f', 4)
            .arg(aucText(e.valAuc))
            .arg(e.best ? tr(", kept so far") : QString())
            .arg(e.seconds, 0, 'f', 1));
    if (m_runs->currentItem() && m_runs->currentItem()->data(RunIdColumn, Qt::UserRole).toLongLong() == runId)
        showRunHistory(m_runs->currentItem());
}

void TrainingMonitor::onCellEnded(const QString& key, qint64 runId, const QString& how)
{
    log(tr("%1 (run %2): %3").arg(key).arg(runId).arg(how));
    if (key == m_liveKey) m_status->setText(tr("%1: %2").arg(key, how));
    refreshRuns();
    selectRun(runId);
}

void TrainingMonitor::onFinished(int cellsDone, bool stopped, const QString& error)
{
    m_liveKey.clear();
    QString text;
    if (!error.isEmpty())
        text = tr("Training failed: %1").arg(error);
    else if (stopped)
        text = tr("Training stopped: %n cell(s) finished in this session", nullptr, cellsDone);
    else
        text = tr("Training finished: %n cell(s) done in this session", nullptr, cellsDone);
    m_status->setText(text);
    if (error.isEmpty() && !stopped) m_progress->setValue(1000);
    log(text);
    Q_EMIT statusMessage(text);
    refreshRuns();
}

} // namespace rm::ui

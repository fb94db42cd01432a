#include "matrix/MatrixEditor.h"

#include "matrix/CellConfigForm.h"
#include "matrix/MatrixCellDelegate.h"
#include "matrix/MatrixGridModel.h"
#include "models/ModelRegistry.h"
#include "project/ProjectSession.h"
#include "store/ProjectStore.h"
#include "targets/TargetSetBuilder.h"
#include "tasks/BackgroundJob.h"
#include "training/ExperimentChoice.h"
#include "training/MatrixEdits.h"
#include "training/MatrixTrainingDriver.h"
#include "training/PretrainDialog.h"
#include "training/RunStore.h"
#include "training/TimeEstimate.h"

#include <QAction>
#include <QComboBox>
#include <QDialog>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMessageBox>
#include <QPushButton>
#include <QScrollArea>
#include <QSpinBox>
#include <QSplitter>
#include <QStyle>
#include <QStyleOptionViewItem>
#include <QTableView>
#include <QToolBar>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <set>

namespace rm::ui {

namespace {

std::vector<std::string> toStd(const QStringList& list)
{
    std::vector<std::string> out;
    for (const QString& s : list)
        out.push_back(s.toStdString());
    return out;
}

} // namespace

// ~QWidget closes a top-level window after this class is gone, and the focus-out that follows makes the name
// field emit editingFinished (and the cell form valueEdited) into a half-destroyed editor (UBSan: "downcast
// of address ... which does not point to an object of type 'MatrixEditor'"). Nothing inside may call in.
MatrixEditor::~MatrixEditor()
{
    const auto children = findChildren<QObject*>();
    for (QObject* child : children)
        QObject::disconnect(child, nullptr, this, nullptr);
}

MatrixEditor::MatrixEditor(TrainingController* controller, QWidget* parent)
    : QWidget(parent), m_model(new MatrixGridModel(this)),
      m_driver(new MatrixTrainingDriver(controller, m_model, this)), m_estimateJob(new BackgroundJob(this)),
      m_slowQueueSeconds(rm::kSlowMatrixSeconds)
{
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 2, 4, 4);
    layout->setSpacing(2);
    auto* bar = new QToolBar(this);
    bar->setIconSize(QSize(16, 16));
    bar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    layout->addWidget(bar);

    // Few rows (target sets), many columns: the grid across the top, the parameters below it.
    auto* split = new QSplitter(Qt::Vertical, this);
    m_view = new QTableView(split);
    m_view->setObjectName(QStringLiteral("matrixGrid"));
    m_view->setModel(m_model);
    m_view->setItemDelegate(new MatrixCellDelegate(m_view));
    // Several cells can be picked (Ctrl/Shift) to train only those; the current one is the one edited.
    m_view->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_view->setShowGrid(false);
    m_view->setWordWrap(true);
    m_view->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_view->horizontalHeader()->setDefaultAlignment(Qt::AlignCenter);
    m_view->verticalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_view->setToolTip(tr("Each cell is one training run: pick it to edit its parameters"));
    auto* scroll = new QScrollArea(split);
    m_form = new CellConfigForm(scroll);
    scroll->setWidget(m_form);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    split->addWidget(m_view);
    split->addWidget(scroll);
    split->setStretchFactor(0, 2);
    split->setStretchFactor(1, 3);
    layout->addWidget(split, 1);
    m_summary = new QLabel(this);
    m_summary->setObjectName(QStringLiteral("matrixSummary"));
    layout->addWidget(m_summary);

    buildToolBar(bar);

    connect(m_view->selectionModel(), &QItemSelectionModel::currentChanged, this,
            [this](const QModelIndex& current) { editScope(m_model->keyAt(current)); });
    connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &MatrixEditor::updateActions);
    connect(m_model, &QAbstractItemModel::modelReset, this, [this] {
        // A reset drops the selection model's current index: go back to the defaults.
        editScope({});
    });
    connect(m_form, &CellConfigForm::valueEdited, this, &MatrixEditor::onValueEdited);

    // Training is driven from ui/training: the grid shows what the driver reports.
    connect(m_driver, &MatrixTrainingDriver::statesChanged, this, &MatrixEditor::updateSummary);
    connect(m_driver, &MatrixTrainingDriver::runningChanged, this, &MatrixEditor::updateActions);
    connect(m_driver, &MatrixTrainingDriver::failed, this, &MatrixEditor::fail);
    connect(m_driver, &MatrixTrainingDriver::queueEtaChanged, this, &MatrixEditor::updateSummary);
    // An edited matrix makes the estimate stale: the cells' times go until estimated again.
    connect(this, &MatrixEditor::matrixChanged, this, [this] {
        if (m_driver->isRunning() || m_estimateFor.isEmpty()) return;
        m_estimateFor.clear();
        m_estimate.reset();
        m_presetSeconds = std::nan("");
        m_driver->clearEstimate();
    });

    resetToDefault();
    updateActions();
}

void MatrixEditor::buildToolBar(QToolBar* bar)
{
    bar->addWidget(new QLabel(tr(" Experiment "), bar));
    m_experiment = new QLineEdit(bar);
    m_experiment->setObjectName(QStringLiteral("experimentName"));
    m_experiment->setMaximumWidth(160);
    m_experiment->setToolTip(tr("Runs are recorded under this experiment name; running it again skips "
                                "finished cells and resumes the rest"));
    connect(m_experiment, &QLineEdit::editingFinished, this, &MatrixEditor::onExperimentNameEdited);
    bar->addWidget(m_experiment);
    // The project's experiments, to pick one and see its own matrix and runs.
    m_experimentMenu = new QMenu(this);
    connect(m_experimentMenu, &QMenu::aboutToShow, this, &MatrixEditor::fillExperimentMenu);
    auto* pick = new QToolButton(bar);
    pick->setObjectName(QStringLiteral("experimentPicker"));
    pick->setToolTip(tr("Open one of the project's experiments: its stored matrix and its runs"));
    pick->setPopupMode(QToolButton::InstantPopup);
    pick->setMenu(m_experimentMenu);
    pick->setArrowType(Qt::DownArrow);
    bar->addWidget(pick);

    QStyle* st = style();
    m_start = bar->addAction(st->standardIcon(QStyle::SP_MediaPlay), tr("Start"), this, [this] { start(); });
    m_start->setToolTip(tr("Train every cell not yet done (on the GPU when there is one)"));
    m_runSelected = bar->addAction(st->standardIcon(QStyle::SP_MediaSeekForward), tr("Run Selected"), this,
                                   [this] { startSelected(); });
    m_runSelected->setObjectName(QStringLiteral("runSelected"));
    m_runSelected->setToolTip(
        tr("Train only the selected cells not yet done (Ctrl+click picks several); the others wait"));
    m_pause = bar->addAction(st->standardIcon(QStyle::SP_MediaPause), tr("Pause"), m_driver,
                             &MatrixTrainingDriver::pause);
    m_pause->setToolTip(tr("Stop after the current epoch; Start resumes from there"));
    m_cancel = bar->addAction(st->standardIcon(QStyle::SP_MediaStop), tr("Cancel"), m_driver,
                              &MatrixTrainingDriver::cancel);
    m_cancel->setToolTip(tr("Stop now; the running cell is marked cancelled"));
    m_estimateAction = bar->addAction(st->standardIcon(QStyle::SP_BrowserReload), tr("Estimate"), this,
                                      [this] { estimateTime(); });
    m_estimateAction->setObjectName(QStringLiteral("estimateTime"));
    m_estimateAction->setToolTip(tr("Time one short training step per network on this machine and show how "
                                    "long each cell and the whole queue will take"));
    bar->addSeparator();

    // Editing the matrix: one menu button (the toolbar stays narrow enough for a dock) and the same actions
    // on the grid's context menu.
    auto* edit = new QMenu(this);
    m_addTargetSetMenu = edit->addMenu(tr("Add Target Set"));
    m_addTargetSetMenu->setToolTip(tr("Add a row: one of the project's target sets"));
    connect(m_addTargetSetMenu, &QMenu::aboutToShow, this, &MatrixEditor::fillAddTargetSetMenu);
    m_removeRow = edit->addAction(tr("Remove Target Set Row"), this, [this] {
        const QModelIndex i = m_view->currentIndex();
        if (i.isValid())
            removeTargetSet(QString::fromStdString(m_model->matrix().targetSets[std::size_t(i.row())]));
    });
    m_addColumn = edit->addAction(tr("Add Model Column…"), this, &MatrixEditor::chooseColumnToAdd);
    m_removeColumn = edit->addAction(tr("Remove Column"), this, [this] {
        if (m_view->currentIndex().isValid()) removeColumn(m_view->currentIndex().column());
    });
    edit->addSeparator();
    m_defaults = edit->addAction(tr("Edit Defaults of Every Cell"), this, [this] {
        m_view->selectionModel()->clearCurrentIndex();
        m_view->clearSelection();
        editScope({});
    });
    edit->addSeparator();
    edit->addAction(st->standardIcon(QStyle::SP_DialogOpenButton), tr("Load Matrix…"), this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Load Experiment Matrix"), QString(),
                                                          tr("Matrix JSON (*.json);;All files (*)"));
        if (!path.isEmpty()) loadMatrix(path);
    });
    edit->addAction(st->standardIcon(QStyle::SP_DialogSaveButton), tr("Save Matrix…"), this, [this] {
        QString path = QFileDialog::getSaveFileName(this, tr("Save Experiment Matrix"),
                                                    experimentName() + QStringLiteral(".json"),
                                                    tr("Matrix JSON (*.json)"));
        if (path.isEmpty()) return;
        if (!path.endsWith(QLatin1String(".json"))) path += QStringLiteral(".json");
        saveMatrix(path);
    });
    m_reset = edit->addAction(tr("Reset to the Default Matrix"), this, &MatrixEditor::resetToDefault);
    m_cpuPresetAction = edit->addAction(tr("Apply the CPU Preset"), this, &MatrixEditor::applyCpuPreset);
    m_cpuPresetAction->setToolTip(
        tr("Smaller images and fewer epochs (%1), as a new experiment '<name>-cpu': what a laptop can train")
            .arg(QString::fromStdString(rm::cpuPreset().dump())));
    auto* editButton = new QToolButton(bar);
    editButton->setText(tr("Matrix"));
    editButton->setToolTip(tr("Add and remove rows and columns, edit the defaults, load and save"));
    editButton->setPopupMode(QToolButton::InstantPopup);
    editButton->setMenu(edit);
    bar->addWidget(editButton);

    m_view->setContextMenuPolicy(Qt::ActionsContextMenu);
    auto* separator = new QAction(m_view);
    separator->setSeparator(true);
    m_view->addActions({m_runSelected, separator});
    m_view->addAction(m_addTargetSetMenu->menuAction());
    m_view->addActions({m_removeRow, m_addColumn, m_removeColumn, m_defaults});
}

const rm::ExperimentMatrix& MatrixEditor::matrix() const
{
    return m_model->matrix();
}

QString MatrixEditor::experimentName() const
{
    const QString name = m_experiment->text().trimmed();
    return name.isEmpty() ? QString::fromStdString(matrix().name) : name;
}

void MatrixEditor::setExperimentName(const QString& name)
{
    m_experiment->setText(name);
    if (!showStoredExperiment(name)) refreshStates();
}

void MatrixEditor::onExperimentNameEdited()
{
    const QString name = m_experiment->text().trimmed();
    // Leaving the field without changing the name keeps the matrix as edited.
    if (name == m_shownExperiment) return refreshStates();
    if (!showStoredExperiment(name)) refreshStates();
}

void MatrixEditor::fillExperimentMenu()
{
    m_experimentMenu->clear();
    std::vector<std::string> names;
    if (m_session) {
        try {
            names = rm::RunStore(m_session->store()).experimentNames();
        } catch (const std::exception& e) {
            fail(tr("Cannot read the project's experiments: %1").arg(QString::fromStdString(e.what())));
        }
    }
    for (const std::string& n : names) {
        const QString name = QString::fromStdString(n);
        QAction* a = m_experimentMenu->addAction(name, this, [this, name] { setExperimentName(name); });
        a->setCheckable(true);
        a->setChecked(name == m_shownExperiment);
    }
    if (names.empty())
        m_experimentMenu->addAction(tr("No experiment yet: Start records one under the name typed"))
            ->setEnabled(false);
}

bool MatrixEditor::showStoredExperiment(const QString& name)
{
    if (!m_session || name.isEmpty()) return false;
    std::optional<std::string> json;
    try {
        rm::RunStore runs(m_session->store());
        if (const auto id = runs.experimentId(name.toStdString())) json = runs.experimentMatrix(*id);
    } catch (const std::exception& e) {
        fail(tr("Cannot read experiment %1: %2").arg(name, QString::fromStdString(e.what())));
        return false;
    }
    if (!json) return false;
    try {
        rm::ExperimentRequest request;
        request.experiment = name.toStdString();
        rm::ProjectExperiments project = projectExperiments();
        project.storedMatrix = [&json](const std::string&) { return json; };
        const rm::ExperimentChoice choice = rm::chooseExperiment(request, project);
        m_experiment->setText(name);
        m_shownExperiment = name;
        setMatrix(choice.matrix);
    } catch (const std::exception& e) {
        fail(tr("Experiment %1 has a matrix this version cannot read: %2")
                 .arg(name, QString::fromStdString(e.what())));
        return false;
    }
    refreshStates();
    return true;
}

rm::ProjectExperiments MatrixEditor::projectExperiments() const
{
    rm::ProjectExperiments project;
    project.path = m_projectPath.toStdString();
    project.targetSets = toStd(m_projectTargetSets);
    return project;
}

void MatrixEditor::fail(const QString& message)
{
    m_lastError = message;
    Q_EMIT statusMessage(message);
}

void MatrixEditor::setSession(ProjectSession* session)
{
    m_session = session;
    m_projectPath = session ? session->path() : QString();
    m_driver->setProjectPath(m_projectPath);
    m_projectTargetSets.clear();
    if (!session) {
        m_model->clearStatuses();
        updateActions();
        updateSummary();
        return;
    }
    m_shownExperiment.clear();
    std::vector<std::string> experiments;
    try {
        for (const std::string& t : rm::targetSetNames(session->store()))
            m_projectTargetSets << QString::fromStdString(t);
        experiments = rm::RunStore(session->store()).experimentNames();
    } catch (const std::exception& e) {
        fail(tr("Cannot read the project's experiments: %1").arg(QString::fromStdString(e.what())));
    }
    // Where the user left off: the latest experiment, with its runs' states.
    const bool shown =
        !experiments.empty() && showStoredExperiment(QString::fromStdString(experiments.front()));
    if (!shown) resetToDefault();
    refreshStates();
}

void MatrixEditor::resetToDefault()
{
    rm::ExperimentRequest request;
    request.requireTargetSets = false; // a project without target sets still shows the default matrix
    rm::ExperimentMatrix m;
    try {
        m = rm::chooseExperiment(request, projectExperiments()).matrix;
    } catch (const std::exception& e) {
        fail(tr("The default matrix cannot be read: %1").arg(QString::fromStdString(e.what())));
        return;
    }
    if (m_experiment->text().isEmpty() || !m_session) m_experiment->setText(QString::fromStdString(m.name));
    // The default matrix is not the CPU preset: keep "<name>-cpu" and the next start would train the full
    // matrix into the preset's experiment.
    else if (m_experiment->text().endsWith(QLatin1String("-cpu")))
        m_experiment->setText(m_experiment->text().chopped(4));
    setMatrix(m);
    refreshStates();
}

void MatrixEditor::setMatrix(const rm::ExperimentMatrix& matrix)
{
    applyEdit(matrix);
}

void MatrixEditor::applyEdit(const rm::ExperimentMatrix& edited)
{
    m_model->setMatrix(edited);
    keepRowsInView();
    editScope(m_form->scopeKey().isEmpty() || !m_model->indexOf(m_form->scopeKey()).isValid()
                  ? QString()
                  : m_form->scopeKey());
    updateActions();
    updateSummary();
    Q_EMIT matrixChanged();
}

void MatrixEditor::keepRowsInView()
{
    // The grid is sized to its rows (one per target set, up to kRowsShown) so that the splitter cannot
    // shrink it to its header and a sliver of the cells, leaving the other rows out of sight.
    constexpr int kRowsShown = 4;
    int rows = 0;
    if (m_model->rowCount() > 0) {
        QStyleOptionViewItem option;
        option.initFrom(m_view);
        option.font = m_view->font();
        const int row = m_view->itemDelegate()->sizeHint(option, m_model->index(0, 0)).height();
        rows = row * std::min(m_model->rowCount(), kRowsShown);
    }
    m_view->setMinimumHeight(2 * m_view->frameWidth() + m_view->horizontalHeader()->sizeHint().height() +
                             rows +
                             m_view->style()->pixelMetric(QStyle::PM_ScrollBarExtent, nullptr, m_view));
}

bool MatrixEditor::addTargetSet(const QString& name)
{
    rm::ExperimentMatrix m = matrix();
    if (!rm::addTargetSet(m, name.toStdString())) {
        fail(tr("Target set %1 is already a row").arg(name));
        return false;
    }
    applyEdit(m);
    refreshStates();
    return true;
}

bool MatrixEditor::removeTargetSet(const QString& name)
{
    rm::ExperimentMatrix m = matrix();
    if (!rm::removeTargetSet(m, name.toStdString())) {
        fail(tr("Target set %1 is not a row").arg(name));
        return false;
    }
    applyEdit(m);
    return true;
}

bool MatrixEditor::addColumn(const rm::MatrixModel& model, const QString& mode)
{
    rm::ExperimentMatrix m = matrix();
    if (!rm::isMatrixArchitecture(model.arch)) {
        fail(tr("No model is registered as %1").arg(QString::fromStdString(model.arch)));
        return false;
    }
    if (!rm::addColumn(m, model, mode.toStdString())) {
        fail(tr("%1 in %2 mode is already a column").arg(QString::fromStdString(model.name), mode));
        return false;
    }
    applyEdit(m);
    refreshStates();
    return true;
}

bool MatrixEditor::removeColumn(int column)
{
    if (column < 0 || column >= int(m_model->columns().size())) {
        fail(tr("No column %1").arg(column));
        return false;
    }
    rm::ExperimentMatrix m = matrix();
    rm::removeColumn(m, m_model->columns()[std::size_t(column)]);
    applyEdit(m);
    return true;
}

bool MatrixEditor::loadMatrix(const QString& path)
{
    rm::ExperimentRequest request;
    request.matrixFile = path.toStdString();
    request.fileForProject = true;
    rm::ExperimentChoice choice;
    try {
        choice = rm::chooseExperiment(request, projectExperiments());
    } catch (const std::exception& e) {
        fail(tr("Cannot load %1: %2").arg(path, QString::fromStdString(e.what())));
        return false;
    }
    if (choice.matrix.targetSets != choice.sourceTargetSets)
        Q_EMIT statusMessage(tr("The matrix's target sets were replaced by the project's: %1")
                                 .arg(m_projectTargetSets.join(QStringLiteral(", "))));
    m_experiment->setText(QString::fromStdString(choice.matrix.name));
    setMatrix(choice.matrix);
    refreshStates();
    return true;
}

bool MatrixEditor::saveMatrix(const QString& path)
{
    rm::ExperimentMatrix m = matrix();
    m.name = experimentName().toStdString();
    std::ofstream out(path.toStdString(), std::ios::binary | std::ios::trunc);
    out << m.toJson().dump(2) << "\n";
    out.close();
    if (!out) {
        fail(tr("Cannot write %1").arg(path));
        return false;
    }
    Q_EMIT statusMessage(tr("Saved the matrix to %1").arg(path));
    return true;
}

bool MatrixEditor::start()
{
    return startCells({});
}

bool MatrixEditor::startSelected()
{
    const QStringList keys = selectedCellKeys();
    if (keys.isEmpty()) {
        fail(tr("Select the cells to train in the grid first"));
        return false;
    }
    return startCells(keys);
}

QStringList MatrixEditor::selectedCellKeys() const
{
    std::set<QString> picked;
    for (const QModelIndex& i : m_view->selectionModel()->selectedIndexes())
        if (const QString key = m_model->keyAt(i); !key.isEmpty()) picked.insert(key);
    QStringList keys;
    try {
        for (const rm::MatrixCell& c : matrix().cells())
            if (picked.count(QString::fromStdString(c.key))) keys << QString::fromStdString(c.key);
    } catch (const std::exception&) {
        // An invalid matrix has no cells to run; start reports why.
    }
    return keys;
}

QString MatrixEditor::estimateKey(const QStringList& onlyCells) const
{
    return experimentName() + QLatin1Char('\n') + onlyCells.join(QLatin1Char(',')) + QLatin1Char('\n') +
           QString::fromStdString(matrix().toJson().dump());
}

bool MatrixEditor::estimateTime()
{
    return startEstimate({}, false);
}

bool MatrixEditor::estimating() const
{
    return m_estimateJob->busy();
}

double MatrixEditor::estimatedQueueSeconds() const
{
    return m_estimate ? m_estimate->totalSeconds : std::nan("");
}

void MatrixEditor::applyCpuPreset()
{
    rm::ExperimentMatrix preset = rm::withCpuPreset(matrix());
    const QString name = experimentName();
    applyEdit(preset);
    if (!name.endsWith(QLatin1String("-cpu"))) m_experiment->setText(name + QStringLiteral("-cpu"));
    m_shownExperiment = m_experiment->text();
    refreshStates();
    Q_EMIT statusMessage(tr("CPU preset applied (%1) as experiment %2")
                             .arg(QString::fromStdString(rm::cpuPreset().dump()), experimentName()));
}

bool MatrixEditor::startEstimate(const QStringList& onlyCells, bool thenStart)
{
    if (m_projectPath.isEmpty()) {
        fail(tr("Open a project first: the estimate needs its target sets"));
        return false;
    }
    if (m_estimateJob->busy()) {
        fail(tr("The time estimate is still running"));
        return false;
    }
    const rm::ExperimentMatrix m = matrix();
    const std::string project = m_projectPath.toStdString();
    const std::string experiment = experimentName().toStdString();
    const std::vector<std::string> only = toStd(onlyCells);
    const double slow = m_slowQueueSeconds;
    auto estimate = std::make_shared<rm::MatrixTimeEstimate>();
    auto preset = std::make_shared<double>(std::nan(""));
    const QString key = estimateKey(onlyCells);
    const bool ok = m_estimateJob->start(
        tr("Estimating training time"),
        [m, project, experiment, only, slow, estimate, preset](TaskContext& context) {
            std::map<std::string, rm::SplitSizes> sizes;
            {
                auto store = rm::ProjectStore::open(project);
                sizes = rm::targetSetSizes(*store, m.targetSets);
            }
            rm::TimeEstimateOptions o;
            o.onlyCells = only;
            for (const rm::RunSummary& r : rm::listRuns(project, experiment))
                if (r.state == "done") o.doneCells.push_back(r.cellKey);
            o.progress = [&context](int done, int total, const std::string& what) {
                context.setProgress(
                    total > 0 ? double(done) / total : -1,
                    QString::fromStdString(what.empty() ? std::string("done") : "timing " + what));
            };
            o.cancelled = [&context] { return context.cancelled(); };
            *estimate = rm::estimateMatrixTime(m, sizes, o);
            if (estimate->onCpu() && estimate->totalSeconds > slow) {
                o.progress = nullptr;
                *preset = rm::estimateMatrixTime(rm::withCpuPreset(m), sizes, o).totalSeconds;
            }
            return QStringLiteral("queue about %1 on %2")
                .arg(QString::fromStdString(rm::formatEstimate(estimate->totalSeconds)),
                     QString::fromStdString(estimate->device));
        },
        [this, estimate, preset, key, onlyCells, thenStart](bool ok, const QString& message) {
            if (!ok) {
                Q_EMIT statusMessage(tr("Time estimate failed: %1").arg(message));
                // The estimate only advises: training says for itself what is wrong, if anything.
                if (thenStart && message != QLatin1String("cancelled")) startTraining(onlyCells);
                return;
            }
            m_estimate = estimate;
            m_estimateFor = key;
            m_presetSeconds = *preset;
            m_driver->setEstimate(*estimate);
            updateSummary();
            estimateDone(onlyCells, thenStart);
        });
    if (!ok)
        fail(tr("The time estimate could not start"));
    else
        Q_EMIT statusMessage(tr("Estimating the training time: one timed step per network…"));
    return ok;
}

void MatrixEditor::estimateDone(const QStringList& onlyCells, bool thenStart)
{
    if (!thenStart) return;
    if (!(m_estimate->onCpu() && m_estimate->totalSeconds > m_slowQueueSeconds)) {
        startTraining(onlyCells);
        return;
    }
    // A day of CPU training should never start by accident: say so and offer the preset.
    // deleteLater: this may run inside the old prompt's own buttonClicked.
    if (m_slowPrompt) m_slowPrompt->deleteLater();
    const bool presetApplied = rm::withCpuPreset(matrix()).toJson() == matrix().toJson();
    m_slowPrompt =
        new QMessageBox(QMessageBox::Warning, tr("Training will take long on this CPU"),
                        tr("This queue is estimated at <b>%1</b> on the CPU (%2 cells; one timed "
                           "step per network).")
                            .arg(QString::fromStdString(rm::formatEstimate(m_estimate->totalSeconds)))
                            .arg(std::count_if(m_estimate->cells.begin(), m_estimate->cells.end(),
                                               [](const rm::CellTimeEstimate& c) { return !c.done; })),
                        QMessageBox::NoButton, this);
    m_slowPrompt->setObjectName(QStringLiteral("slowMatrixPrompt"));
    const QString gpu = tr("A GPU machine is the other way: see ringminer-cli train --device cuda and "
                           "packaging/slurm/train.sbatch.");
    m_slowPrompt->setInformativeText(
        presetApplied ? tr("This matrix already uses the CPU preset (%1). %2")
                            .arg(QString::fromStdString(rm::cpuPreset().dump()), gpu)
                      : tr("The CPU preset trains smaller images for fewer epochs (%1)%2. %3")
                            .arg(QString::fromStdString(rm::cpuPreset().dump()))
                            .arg(std::isfinite(m_presetSeconds)
                                     ? tr(", estimated at %1")
                                           .arg(QString::fromStdString(rm::formatEstimate(m_presetSeconds)))
                                     : QString())
                            .arg(gpu));
    // Offered only when it would change something: a matrix that has it already cannot get faster this way.
    QPushButton* usePreset = nullptr;
    if (!presetApplied) {
        usePreset = m_slowPrompt->addButton(tr("Use the CPU Preset"), QMessageBox::AcceptRole);
        usePreset->setObjectName(QStringLiteral("usePreset"));
    }
    QPushButton* anyway = m_slowPrompt->addButton(tr("Start Anyway"), QMessageBox::DestructiveRole);
    anyway->setObjectName(QStringLiteral("startAnyway"));
    m_slowPrompt->addButton(QMessageBox::Cancel);
    connect(m_slowPrompt, &QMessageBox::buttonClicked, this,
            [this, usePreset, anyway, onlyCells](QAbstractButton* b) {
                if (usePreset && b == usePreset) {
                    applyCpuPreset();
                    startCells(onlyCells); // estimates the preset's queue, then trains
                } else if (b == anyway) {
                    startTraining(onlyCells);
                } else {
                    Q_EMIT statusMessage(tr("Training not started"));
                }
            });
    m_slowPrompt->open();
}

bool MatrixEditor::startCells(const QStringList& onlyCells)
{
    if (m_projectPath.isEmpty()) {
        fail(tr("Open a project first: training reads its target sets and records the runs in it"));
        return false;
    }
    if (m_estimate && m_estimateFor == estimateKey(onlyCells)) {
        estimateDone(onlyCells, true);
        return true;
    }
    return startEstimate(onlyCells, true);
}

bool MatrixEditor::startTraining(const QStringList& onlyCells)
{
    const QString experiment = experimentName();
    if (!m_driver->start(matrix(), experiment, onlyCells)) return false; // the driver said why
    Q_EMIT statusMessage(
        onlyCells.isEmpty()
            ? tr("Training experiment %1").arg(experiment)
            : tr("Training %n cell(s) of experiment %1", nullptr, int(onlyCells.size())).arg(experiment));
    return true;
}

void MatrixEditor::refreshStates()
{
    m_driver->refreshStates(experimentName()); // its statesChanged updates the summary
}

void MatrixEditor::editScope(const QString& key)
{
    const rm::ExperimentMatrix& m = matrix();
    nlohmann::json effective;
    std::set<std::string> own;
    QString title;
    QString problem;
    if (key.isEmpty()) {
        for (auto it = m.defaults.begin(); it != m.defaults.end(); ++it)
            own.insert(it.key());
        try {
            effective = rm::toJson(rm::applyJson(rm::TrainConfig{}, m.defaults));
        } catch (const std::exception& e) {
            problem = QString::fromStdString(e.what());
        }
        title = tr("<b>Defaults for every cell</b><br><small>Bold: set here. Pick a cell to give it its own "
                   "values.</small>");
    } else {
        const nlohmann::json overrides = cellOverrides(m, key.toStdString());
        for (auto it = overrides.begin(); it != overrides.end(); ++it)
            own.insert(it.key());
        try {
            for (const rm::MatrixCell& c : m.cells())
                if (c.key == key.toStdString()) effective = rm::toJson(c.config);
        } catch (const std::exception& e) {
            problem = QString::fromStdString(e.what());
            try { // still show what this cell asks for
                effective =
                    rm::toJson(rm::applyJson(rm::applyJson(rm::TrainConfig{}, m.defaults), overrides));
            } catch (const std::exception&) {
            }
        }
        const QStringList parts = key.split(QLatin1Char('/'));
        title = tr("<b>%1</b><br><small>Bold: this cell's own values; the rest come from the defaults "
                   "and the model.</small>")
                    .arg(parts.size() == 3 ? QStringLiteral("%1 · %2 · %3")
                                                 .arg(parts[0], parts[1],
                                                      MatrixGridModel::modeTitle(parts[2].toStdString()))
                                           : key);
    }
    m_form->show(key, title, effective, own);
    // The block count means something only in last_n_blocks mode (or as a default for such cells).
    m_form->editor(QStringLiteral("n_blocks"))
        ->setEnabled(key.isEmpty() || key.endsWith(QLatin1String("/last_n_blocks")));
    m_form->setMessage(problem);
}

void MatrixEditor::onValueEdited(const QString& scope, const QString& key, const nlohmann::json& value)
{
    rm::ExperimentMatrix m = matrix();
    setConfigValue(m, scope.toStdString(), key.toStdString(), value);
    applyEdit(m);
    editScope(scope);
}

void MatrixEditor::fillAddTargetSetMenu()
{
    m_addTargetSetMenu->clear();
    const auto& present = matrix().targetSets;
    for (const QString& t : m_projectTargetSets) {
        QAction* a = m_addTargetSetMenu->addAction(t, this, [this, t] { addTargetSet(t); });
        a->setEnabled(std::find(present.begin(), present.end(), t.toStdString()) == present.end());
    }
    if (m_projectTargetSets.isEmpty())
        m_addTargetSetMenu->addAction(tr("The project has no target sets (ringminer-cli targets build)"))
            ->setEnabled(false);
}

void MatrixEditor::chooseColumnToAdd()
{
    QDialog dialog(this);
    dialog.setWindowTitle(tr("Add Model Column"));
    auto* form = new QFormLayout(&dialog);
    auto* arch = new QComboBox(&dialog);
    const std::vector<std::string> standard = rm::matrixArchitectures(false);
    for (const std::string& name : rm::matrixArchitectures(true)) {
        const bool tiny = std::find(standard.begin(), standard.end(), name) == standard.end();
        arch->addItem(QString::fromStdString(name) + (tiny ? tr("  (tiny, for trials)") : QString()),
                      QString::fromStdString(name));
    }
    auto* channels = new QSpinBox(&dialog);
    channels->setRange(1, 3);
    channels->setValue(3);
    auto* name = new QLineEdit(&dialog);
    auto* mode = new QComboBox(&dialog);
    for (const char* m : {"all_layers", "head_only", "last_n_blocks"})
        mode->addItem(MatrixGridModel::modeTitle(m), QString::fromLatin1(m));
    // Any safetensors file, or one of the encoders `pretrain` recorded in the project (self-supervised).
    auto* pretrainedChoice = new QComboBox(&dialog);
    pretrainedChoice->setObjectName("pretrainedChoice");
    pretrainedChoice->setEditable(true);
    pretrainedChoice->addItem(QString());
    for (const auto& e : pretrainedEncoderChoices(m_projectPath))
        pretrainedChoice->addItem(e.first, e.second);
    pretrainedChoice->setCurrentIndex(0);
    QLineEdit* pretrained = pretrainedChoice->lineEdit();
    pretrained->setPlaceholderText(tr("none: random initialisation"));
    connect(pretrainedChoice, &QComboBox::activated, &dialog, [pretrainedChoice, pretrained](int index) {
        const QString path = pretrainedChoice->itemData(index).toString();
        if (!path.isEmpty()) pretrained->setText(path);
    });
    auto* browse = new QAction(style()->standardIcon(QStyle::SP_DirOpenIcon), tr("Browse"), pretrained);
    pretrained->addAction(browse, QLineEdit::TrailingPosition);
    connect(browse, &QAction::triggered, &dialog, [&] {
        const QString f = QFileDialog::getOpenFileName(&dialog, tr("Encoder Weights"), QString(),
                                                       tr("safetensors (*.safetensors)"));
        if (!f.isEmpty()) pretrained->setText(f);
    });
    const auto suggest = [&] {
        name->setText(QStringLiteral("%1_c%2").arg(arch->currentData().toString()).arg(channels->value()));
    };
    connect(arch, &QComboBox::currentIndexChanged, &dialog, suggest);
    connect(channels, &QSpinBox::valueChanged, &dialog, suggest);
    suggest();
    form->addRow(tr("Architecture"), arch);
    form->addRow(tr("Channels"), channels);
    form->addRow(tr("Column name"), name);
    form->addRow(tr("Fine-tune mode"), mode);
    form->addRow(tr("Pretrained weights"), pretrainedChoice);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, &dialog);
    connect(buttons, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    form->addRow(buttons);
    if (dialog.exec() != QDialog::Accepted) return;
    rm::MatrixModel model;
    model.arch = arch->currentData().toString().toStdString();
    model.name = name->text().trimmed().isEmpty() ? model.arch : name->text().trimmed().toStdString();
    model.inChannels = channels->value();
    model.pretrained = pretrained->text().trimmed().toStdString();
    addColumn(model, mode->currentData().toString());
}

void MatrixEditor::updateActions()
{
    const bool running = m_driver->isRunning();
    m_start->setEnabled(!running && !m_projectPath.isEmpty());
    m_estimateAction->setEnabled(!running && !m_projectPath.isEmpty());
    m_cpuPresetAction->setEnabled(!running);
    m_runSelected->setEnabled(!running && !m_projectPath.isEmpty() &&
                              m_view->selectionModel()->hasSelection());
    m_pause->setEnabled(running);
    m_cancel->setEnabled(running);
    // The running experiment was handed over as a copy; edits now would only confuse what is shown.
    m_form->setEnabled(!running);
    for (QAction* a : {m_removeRow, m_addColumn, m_removeColumn, m_reset, m_addTargetSetMenu->menuAction()})
        a->setEnabled(!running);
    m_experiment->setEnabled(!running);
}

void MatrixEditor::updateSummary()
{
    std::map<QString, int> counts;
    double best = std::nan("");
    QString bestKey;
    bool bestIsCv = false;
    const int cells = m_model->rowCount() * m_model->columnCount();
    for (int r = 0; r < m_model->rowCount(); ++r)
        for (int c = 0; c < m_model->columnCount(); ++c) {
            const QString key = m_model->keyAt(m_model->index(r, c));
            const CellStatus& s = m_model->status(key);
            ++counts[s.state.isEmpty() ? QStringLiteral("not run") : s.state];
            // Cross-validated cells are ranked by CV AUC, the others by validation AUC (as runs list does).
            const double auc = std::isfinite(s.cvAuc) ? s.cvAuc : s.valAuc;
            if (s.state == QLatin1String("done") && std::isfinite(auc) && !(auc <= best)) {
                best = auc;
                bestKey = key;
                bestIsCv = std::isfinite(s.cvAuc);
            }
        }
    QStringList parts{tr("%n cell(s)", nullptr, cells)};
    for (const auto& [state, n] : counts)
        parts << QStringLiteral("%1 %2").arg(n).arg(state);
    const double eta = m_driver->queueRemainingSeconds();
    if (std::isfinite(eta) && eta > 0 && m_estimate)
        parts << (m_driver->isRunning()
                      ? tr("about %1 to go").arg(QString::fromStdString(rm::formatEstimate(eta)))
                      : tr("queue ≈ %1 on %2")
                            .arg(QString::fromStdString(rm::formatEstimate(eta)),
                                 QString::fromStdString(m_estimate->device)));
    if (!bestKey.isEmpty())
        parts << (bestIsCv ? tr("best CV AUC %1 (%2)") : tr("best val AUC %1 (%2)"))
                     .arg(best, 0, 'f', 3)
                     .arg(bestKey);
    m_summary->setText(parts.join(QStringLiteral("  ·  ")));
}

} // namespace rm::ui

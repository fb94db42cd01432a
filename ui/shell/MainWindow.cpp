#include "shell/MainWindow.h"

#include "catalog/CatalogBrowser.h"
#include "catalog/CatalogTableModel.h"
#include "cutouts/CutoutBrowser.h"
#include "cutouts/ThumbnailLoader.h"
#include "demo/DemoProject.h"
#include "importer/ImportWizard.h"
#include "inspector/GalaxyInspector.h"
#include "labels/LabelController.h"
#include "labels/LabelKeys.h"
#include "matrix/MatrixEditor.h"
#include "mining/MiningPanel.h"
#include "project/ProjectSession.h"
#include "results/ComparisonPanel.h"
#include "results/MisclassifiedGallery.h"
#include "results/ReviewQueuePanel.h"
#include "samp/SampBridge.h"
#include "samp/SampClient.h"
#include "samp/SampWidgets.h"
#include "selection/GalaxySelection.h"
#include "shell/Settings.h"
#include "shell/Theme.h"
#include "shell/WelcomePanel.h"
#include "store/ProjectStore.h"
#include "tasks/BackgroundJob.h"
#include "tasks/TaskManager.h"
#include "tasks/TaskStatusWidget.h"
#include "training/PretrainDialog.h"
#include "training/TrainingController.h"
#include "training/TrainingMonitor.h"
#include "util/Error.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDir>
#include <QDockWidget>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QInputDialog>
#include <QLabel>
#include <QListView>
#include <QMenuBar>
#include <QMessageBox>
#include <QPushButton>
#include <QStackedWidget>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTableView>
#include <QTimer>

// Resources of a static library must be registered by name from outside any namespace.
static void initRingMinerResources()
{
    Q_INIT_RESOURCE(resources);
}

namespace rm::ui {

namespace {
constexpr int kLayoutVersion = 1; // bump when the default docks change, so an old saved layout is not applied
constexpr int kStatusMs = 8000;
constexpr int kBottomDocksPercent = 28; // of the window height, on first start
constexpr int kMonitorPercent = 42;     // of the window width, the training monitor's share of the bottom
} // namespace

MainWindow::MainWindow(QWidget* parent)
    : QMainWindow(parent), m_selection(new GalaxySelection(this)),
      m_labelKeys(new LabelKeys(m_selection, this))
{
    initRingMinerResources();
    setWindowIcon(QIcon(QStringLiteral(":/icons/ringminer.png")));
    setObjectName(QStringLiteral("RingMinerMainWindow"));
    setDockOptions(AnimatedDocks | AllowTabbedDocks | AllowNestedDocks);
    m_labelKeys->setAdvanceAfterLabel(settings::advanceAfterLabel.get());

    buildPanels();
    buildMenus();
    buildSamp();
    // Every running task (import steps, mining, training) with its progress, time left and Cancel.
    statusBar()->addPermanentWidget(new TaskStatusWidget(TaskManager::instance(), this));
    m_projectStatus = new QLabel(this);
    statusBar()->addPermanentWidget(m_projectStatus);

    resize(1600, 960);
    m_defaultState = saveState(kLayoutVersion);
    restoreGeometry(settings::windowGeometry.get());
    m_needsDockSizes = !restoreState(settings::windowState.get(), kLayoutVersion);
    attach(nullptr);
}

MainWindow::~MainWindow()
{
    // Panels first: they hold pointers into the session.
    m_catalogs->setSession(nullptr);
    m_cutouts->setSession(nullptr);
    m_inspector->setSession(nullptr);
    m_labelKeys->setController(nullptr);
    m_sampBridge->setSession(nullptr);
}

void MainWindow::buildPanels()
{
    m_welcome = new WelcomePanel(this);
    m_demoJob = new BackgroundJob(this);
    m_cutouts = new CutoutBrowser(m_selection, this);
    m_centre = new QStackedWidget(this);
    m_centre->addWidget(m_welcome);
    m_centre->addWidget(m_cutouts);
    setCentralWidget(m_centre);

    m_catalogs = new CatalogBrowser(m_selection, this);
    m_inspector = new GalaxyInspector(m_selection, m_labelKeys, this);
    addPanel(m_catalogs, tr("Catalogs"), QStringLiteral("catalogDock"), Qt::LeftDockWidgetArea);
    addPanel(m_inspector, tr("Inspector"), QStringLiteral("inspectorDock"), Qt::RightDockWidgetArea);

    m_labelKeys->watch(m_cutouts->view(), false);

    connect(m_catalogs, &CatalogBrowser::viewChanged, this, [this] {
        const CatalogTableModel* model = m_catalogs->model();
        const QString what = model->filter().isEmpty()
                                 ? model->source().name
                                 : tr("%1 where %2").arg(model->source().name, model->filter());
        m_cutouts->setViewGalaxies(model->viewGalaxies(CutoutBrowser::kMaxGalaxies), what);
        if (model->rowCount() > CutoutBrowser::kMaxGalaxies)
            statusBar()->showMessage(
                tr("The cutout grid shows the first %L1 of %L2 rows; filter to narrow it")
                    .arg(CutoutBrowser::kMaxGalaxies)
                    .arg(model->rowCount()),
                kStatusMs);
    });
    connect(m_cutouts, &CutoutBrowser::greyscaleChanged, m_inspector, &GalaxyInspector::setGreyscale);
    m_inspector->setGreyscale(m_cutouts->greyscale());
    connect(m_labelKeys, &LabelKeys::moveRequested, m_cutouts, &CutoutBrowser::moveCurrent);
    connect(m_labelKeys, &LabelKeys::showRequested, m_cutouts, &CutoutBrowser::showGalaxy);
    const auto showStatus = [this](const QString& text) { statusBar()->showMessage(text, kStatusMs); };
    connect(m_catalogs, &CatalogBrowser::statusMessage, this, showStatus);
    connect(m_cutouts, &CutoutBrowser::statusMessage, this, showStatus);
    connect(m_inspector, &GalaxyInspector::statusMessage, this, showStatus);
    connect(m_labelKeys, &LabelKeys::statusMessage, this, showStatus);
    connect(m_welcome, &WelcomePanel::newProjectRequested, this, &MainWindow::chooseAndCreate);
    connect(m_welcome, &WelcomePanel::openProjectRequested, this, &MainWindow::chooseAndOpen);
    connect(m_welcome, &WelcomePanel::openPathRequested, this, &MainWindow::openProject);
    connect(m_welcome, &WelcomePanel::demoRequested, this, &MainWindow::makeDemoProject);

    // Training results: tabbed under the grid. They take the project from projectChanged and hold it through
    // a QPointer, so they never see a destroyed session.
    auto* comparison = new ComparisonPanel(this);
    auto* misclassified = new MisclassifiedGallery(m_selection, this);
    auto* review = new ReviewQueuePanel(m_selection, this);
    QDockWidget* comparisonDock = addPanel(comparison, tr("Run Comparison"), QStringLiteral("comparisonDock"),
                                           Qt::BottomDockWidgetArea);
    tabifyDockWidget(comparisonDock, addPanel(misclassified, tr("Misclassified"),
                                              QStringLiteral("misclassifiedDock"), Qt::BottomDockWidgetArea));
    tabifyDockWidget(comparisonDock, addPanel(review, tr("Review Queue"), QStringLiteral("reviewQueueDock"),
                                              Qt::BottomDockWidgetArea));
    comparisonDock->raise();
    connect(this, &MainWindow::projectChanged, this, [this, comparison, misclassified, review] {
        comparison->setSession(m_session.get());
        misclassified->setSession(m_session.get());
        review->setSession(m_session.get());
    });
    connect(comparison, &ComparisonPanel::statusMessage, this, showStatus);

    // Mining: tabbed with the results; what it publishes opens in the browsers, best candidates first.
    m_mining = new MiningPanel(this);
    tabifyDockWidget(comparisonDock, addPanel(m_mining, tr("Mining"), QStringLiteral("miningDock"),
                                              Qt::BottomDockWidgetArea));
    comparisonDock->raise();
    connect(this, &MainWindow::projectChanged, this, [this] { m_mining->setSession(m_session.get()); });
    connect(m_mining, &MiningPanel::statusMessage, this, showStatus);
    connect(m_mining, &MiningPanel::catalogsChanged, m_catalogs, &CatalogBrowser::refreshSources);
    connect(m_mining, &MiningPanel::openCatalogRequested, this, [this](const QString& name) {
        m_catalogs->refreshSources();
        if (m_catalogs->showSource(name))
            m_catalogs->sortByColumn(QStringLiteral("p_ring"), Qt::DescendingOrder);
    });
    connect(misclassified, &MisclassifiedGallery::statusMessage, this, showStatus);
    connect(review, &ReviewQueuePanel::statusMessage, this, showStatus);

    // Training: the experiment matrix tabbed with the results under the grid, the monitor beside them; both
    // share one controller (one experiment trains at a time, on a worker thread).
    m_training = new TrainingController(this);
    m_matrixEditor = new MatrixEditor(m_training, this);
    m_trainingMonitor = new TrainingMonitor(m_training, this);
    QDockWidget* matrixDock = addPanel(m_matrixEditor, tr("Experiment Matrix"), QStringLiteral("matrixDock"),
                                       Qt::BottomDockWidgetArea);
    if (auto* results = findChild<QDockWidget*>(QStringLiteral("comparisonDock")))
        tabifyDockWidget(results, matrixDock);
    // Added after the tab group, a bottom dock goes beside it (splitDockWidget on a tabbed dock would tab).
    QDockWidget* monitorDock = addPanel(m_trainingMonitor, tr("Training Monitor"),
                                        QStringLiteral("trainingDock"), Qt::BottomDockWidgetArea);
    matrixDock->raise();
    connect(m_training, &TrainingController::started, this, [matrixDock, monitorDock] {
        for (QDockWidget* dock : {matrixDock, monitorDock}) {
            dock->show();
            dock->raise();
        }
    });
    connect(this, &MainWindow::projectChanged, this, [this] {
        if (m_training->isRunning() && (!m_session || m_session->path() != m_training->request().projectPath))
            m_training->cancel(); // its project is gone from the window; the cell resumes when run again
        m_matrixEditor->setSession(m_session.get());
        m_trainingMonitor->setSession(m_session.get());
    });
    // A finished cell is a new row in the comparison, new badges and new gallery candidates.
    const auto refreshResults = [this] {
        if (m_session) m_session->results().refresh();
    };
    connect(m_training, &TrainingController::cellFinished, this, refreshResults);
    connect(m_training, &TrainingController::finished, this, refreshResults);
    connect(m_matrixEditor, &MatrixEditor::statusMessage, this, showStatus);
    connect(m_trainingMonitor, &TrainingMonitor::statusMessage, this, showStatus);
}

QDockWidget* MainWindow::addPanel(QWidget* panel, const QString& title, const QString& objectName,
                                  Qt::DockWidgetArea area)
{
    auto* dock = new QDockWidget(title, this);
    dock->setObjectName(objectName); // saveState/restoreState find docks by name
    dock->setWidget(panel);
    dock->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetFloatable |
                      QDockWidget::DockWidgetClosable);
    addDockWidget(area, dock);
    m_docks << dock;
    if (m_viewMenu) m_viewMenu->insertAction(m_viewMenu->actions().value(0), dock->toggleViewAction());
    return dock;
}

void MainWindow::buildMenus()
{
    QMenu* file = menuBar()->addMenu(tr("&File"));
    file->addAction(tr("&New Project…"), QKeySequence::New, this, &MainWindow::chooseAndCreate);
    file->addAction(tr("&Open Project…"), QKeySequence::Open, this, &MainWindow::chooseAndOpen);
    m_recentMenu = file->addMenu(tr("Open &Recent"));
    file->addAction(tr("&Close Project"), QKeySequence::Close, this, &MainWindow::closeProject);
    file->addAction(tr("&Import…"), QKeySequence(Qt::CTRL | Qt::Key_I), this, [this] {
        if (!m_session) return reportError(tr("Import"), tr("Open or create a project first"));
        ImportWizard* wizard = nullptr;
        try {
            wizard = new ImportWizard(m_session->path(), this);
        } catch (const rm::Error& e) {
            return reportError(tr("Import"), QString::fromStdString(e.what()));
        }
        wizard->setAttribute(Qt::WA_DeleteOnClose);
        // Reopening shows everything the wizard stored (catalogs, image sources, target sets).
        connect(wizard, &QDialog::finished, this, [this, wizard] {
            if (wizard->changedProject()) openProject(wizard->projectPath());
        });
        wizard->open();
    });
    file->addSeparator();
    file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);
    updateRecentMenu();

    m_viewMenu = menuBar()->addMenu(tr("&View"));
    for (QDockWidget* dock : m_docks)
        m_viewMenu->addAction(dock->toggleViewAction());
    m_viewMenu->addSeparator();
    QAction* grey = m_viewMenu->addAction(tr("&Greyscale Cutouts"));
    grey->setCheckable(true);
    grey->setChecked(m_cutouts->greyscale());
    connect(grey, &QAction::toggled, m_cutouts, &CutoutBrowser::setGreyscale);
    connect(m_cutouts, &CutoutBrowser::greyscaleChanged, grey, &QAction::setChecked);
    QAction* dark = m_viewMenu->addAction(tr("&Dark Theme"));
    dark->setCheckable(true);
    dark->setChecked(settings::darkTheme.get());
    connect(dark, &QAction::toggled, this, [](bool on) {
        settings::darkTheme.set(on);
        applyTheme(on);
    });
    m_viewMenu->addAction(tr("&Reset Layout"), this,
                          [this] { restoreState(m_defaultState, kLayoutVersion); });

    QMenu* labels = menuBar()->addMenu(tr("&Labels"));
    QAction* advance = labels->addAction(tr("&Advance After Label"));
    advance->setCheckable(true);
    advance->setChecked(m_labelKeys->advanceAfterLabel());
    connect(advance, &QAction::toggled, this, [this](bool on) {
        m_labelKeys->setAdvanceAfterLabel(on);
        settings::advanceAfterLabel.set(on);
    });
    labels->addAction(tr("Set &Author…"), this, &MainWindow::setAuthorInteractively);

    QMenu* training = menuBar()->addMenu(tr("&Training"));
    training->addActions({m_matrixEditor->startAction(), m_matrixEditor->runSelectedAction(),
                          m_matrixEditor->pauseAction(), m_matrixEditor->cancelAction()});
    training->addSeparator();
    QAction* pretrain = training->addAction(tr("Self-Supervised &Pretraining…"), this, [this] {
        if (!m_session) {
            statusBar()->showMessage(tr("Open a project first"), kStatusMs);
            return;
        }
        auto* dialog = new PretrainDialog(m_session->path(), this);
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        connect(dialog, &PretrainDialog::started, this,
                [this] { statusBar()->showMessage(tr("Pretraining started (status bar)"), kStatusMs); });
        dialog->open();
    });
    pretrain->setObjectName("selfSupervisedPretraining");

    m_sampMenu = menuBar()->addMenu(tr("&SAMP"));

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&Keyboard Shortcuts"), this, &MainWindow::showShortcuts);
    help->addAction(tr("&About RingMiner"), this, [this] {
        QMessageBox::about(
            this, tr("About RingMiner"),
            tr("<b>RingMiner %1</b><p>A workbench for finding ring galaxies: catalogs, cutouts, "
               "hand labels, classifier experiments and catalog mining.</p>")
                .arg(QCoreApplication::applicationVersion()));
    });
}

void MainWindow::buildSamp()
{
    // SAMP: RingMiner as a client of a hub (TOPCAT, Aladin, DS9...): tables and rows out, selections back.
    m_samp = new SampClient(this);
    m_sampBridge = new SampBridge(m_samp, m_selection, this);
    statusBar()->addPermanentWidget(new SampStatusWidget(m_samp, this));
    connect(m_samp, &SampClient::stateChanged, this, [this](SampClient::State state) {
        if (state == SampClient::State::Connected)
            statusBar()->showMessage(tr("Connected to the SAMP hub at %1").arg(m_samp->hubUrl().toString()),
                                     kStatusMs);
        else if (state == SampClient::State::Disconnected && !m_samp->lastError().isEmpty())
            statusBar()->showMessage(tr("SAMP: %1").arg(m_samp->lastError()), 2 * kStatusMs);
    });
    connect(m_sampBridge, &SampBridge::statusMessage, this,
            [this](const QString& text) { statusBar()->showMessage(text, kStatusMs); });
    // A selection made in another tool: the browser shows the catalog it came from (unfiltered when its
    // filter hides some of the galaxies), with those rows selected.
    connect(m_sampBridge, &SampBridge::selectionReceived, this, [this](const QString& source) {
        if (m_catalogs->currentSourceName() != source) {
            if (m_catalogs->showSource(source)) m_catalogs->showSharedSelection();
            return;
        }
        QVector<GalaxyId> ids;
        for (const SelectedGalaxy& g : m_selection->galaxies())
            ids << g.id;
        if (!m_catalogs->model()->filter().isEmpty() &&
            m_catalogs->model()->rowsOf(ids).size() < std::size_t(ids.size())) {
            statusBar()->showMessage(tr("Filter cleared: it hid some of the galaxies selected over SAMP"),
                                     kStatusMs);
            if (m_catalogs->applyFilter(QString())) m_catalogs->showSharedSelection();
        }
    });

    const auto sendMenus = [this](QWidget* parent) {
        return QList<QMenu*>{makeSampSendMenu(
                                 tr("Send &Table To"), m_samp, QStringLiteral("table.load.votable"),
                                 [this](const QString& to) { sampSendTable(to); }, parent),
                             makeSampSendMenu(
                                 tr("Send &Selected Rows To"), m_samp, QStringLiteral("table.select.rowList"),
                                 [this](const QString& to) { sampSendSelection(to); }, parent),
                             makeSampSendMenu(
                                 tr("&Point At Galaxy In"), m_samp, QStringLiteral("coord.pointAt.sky"),
                                 [this](const QString& to) { sampPointAt(to); }, parent)};
    };
    for (QMenu* menu : sendMenus(this))
        m_sampMenu->addMenu(menu);
    m_sampMenu->addSeparator();
    m_sampMenu->addAction(tr("&Connect to Hub"), m_samp, &SampClient::connectToHub);
    QAction* disconnect = m_sampMenu->addAction(tr("&Disconnect"), m_samp, &SampClient::disconnectFromHub);
    connect(m_sampMenu, &QMenu::aboutToShow, this,
            [this, disconnect] { disconnect->setEnabled(m_samp->isConnected()); });

    // The inspector's sky menu (the galaxy it shows): point Aladin or DS9 at it.
    QMenu* pointMenu = makeSampSendMenu(
        tr("&Point At Galaxy In"), m_samp, QStringLiteral("coord.pointAt.sky"),
        [this](const QString& to) { sampPointAt(to); }, this);
    QMenu* skyMenu = m_inspector->skyMenu();
    connect(skyMenu, &QMenu::aboutToShow, this, [skyMenu, pointMenu] {
        if (skyMenu->actions().contains(pointMenu->menuAction())) return; // the menu is refilled per galaxy
        skyMenu->addSeparator();
        skyMenu->addMenu(pointMenu);
    });

    // The catalog table's context menu: the same sends.
    QTableView* table = m_catalogs->view();
    table->setContextMenuPolicy(Qt::CustomContextMenu);
    auto* tableMenu = new QMenu(table);
    for (QMenu* menu : sendMenus(tableMenu))
        tableMenu->addMenu(menu);
    connect(table, &QWidget::customContextMenuRequested, this,
            [table, tableMenu](const QPoint& at) { tableMenu->popup(table->viewport()->mapToGlobal(at)); });
}

void MainWindow::connectSampAtStartup()
{
    m_samp->connectToHub();
}

void MainWindow::sampDone(const QString& title, bool ok, const QString& message)
{
    if (ok)
        statusBar()->showMessage(tr("SAMP: %1").arg(message), kStatusMs);
    else
        reportError(title, message);
}

void MainWindow::sampSendTable(const QString& recipient)
{
    const CatalogTableModel* model = m_catalogs->model();
    const QString name = model->filter().isEmpty()
                             ? model->source().name
                             : tr("%1 where %2").arg(model->source().name, model->filter());
    m_sampBridge->sendTable(
        model->source(), model->viewGalaxies(std::size_t(model->rowCount())), name, recipient,
        [this](bool ok, const QString& message) { sampDone(tr("Send Table over SAMP"), ok, message); });
}

void MainWindow::sampSendSelection(const QString& recipient)
{
    QVector<SelectedGalaxy> galaxies = m_selection->galaxies();
    if (galaxies.isEmpty() && m_selection->current()) galaxies << *m_selection->current();
    if (galaxies.isEmpty())
        return reportError(tr("Send Rows over SAMP"), tr("Select galaxies in the catalog table first"));
    const auto sendRows = [this, galaxies, recipient] {
        m_sampBridge->sendRows(galaxies, recipient, [this](bool ok, const QString& message) {
            sampDone(tr("Send Rows over SAMP"), ok, message);
        });
    };
    if (m_sampBridge->tableHolding(galaxies)) return sendRows();
    // The clients have no table with these rows yet: the browser's table goes first.
    const CatalogTableModel* model = m_catalogs->model();
    const QString name = model->filter().isEmpty()
                             ? model->source().name
                             : tr("%1 where %2").arg(model->source().name, model->filter());
    m_sampBridge->sendTable(model->source(), model->viewGalaxies(std::size_t(model->rowCount())), name,
                            recipient, [this, sendRows](bool ok, const QString& message) {
                                if (!ok) return sampDone(tr("Send Rows over SAMP"), false, message);
                                sendRows();
                            });
}

void MainWindow::sampPointAt(const QString& recipient)
{
    const auto current = m_selection->current();
    if (!current) return reportError(tr("Point over SAMP"), tr("Choose a galaxy first"));
    m_sampBridge->pointAt(*current, recipient, [this](bool ok, const QString& message) {
        sampDone(tr("Point over SAMP"), ok, message);
    });
}

void MainWindow::updateRecentMenu()
{
    m_recentMenu->clear();
    const QStringList recent = settings::recentProjects.get();
    for (const QString& path : recent)
        m_recentMenu->addAction(QFileInfo(path).fileName() + QStringLiteral("  —  ") + path, this,
                                [this, path] { openProject(path); });
    m_recentMenu->setEnabled(!recent.isEmpty());
    m_welcome->setRecentProjects(recent);
}

QString MainWindow::demoProjectPath()
{
    return QDir(QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation))
        .filePath(QStringLiteral("RingMiner/demo/demo.rmproj"));
}

void MainWindow::openAtStartup(const QString& argument)
{
    if (!argument.isEmpty()) {
        openProject(argument);
        return;
    }
    const QString last = settings::lastProject.get();
    if (!last.isEmpty() && QFileInfo::exists(last) && openProject(last)) return;
    if (QFileInfo::exists(demoProjectPath())) openProject(demoProjectPath());
}

bool MainWindow::openProject(const QString& path)
{
    try {
        attach(ProjectSession::open(path));
    } catch (const rm::Error& e) {
        const QString message = tr("Cannot open %1:\n%2").arg(path, QString::fromStdString(e.what()));
        m_welcome->setMessage(message);
        reportError(tr("Open Project"), message);
        return false;
    }
    settings::rememberProject(path);
    updateRecentMenu();
    return true;
}

bool MainWindow::newProject(const QString& path)
{
    try {
        attach(ProjectSession::create(path));
    } catch (const rm::Error& e) {
        reportError(tr("New Project"),
                    tr("Cannot create %1:\n%2").arg(path, QString::fromStdString(e.what())));
        return false;
    }
    settings::rememberProject(path);
    updateRecentMenu();
    statusBar()->showMessage(
        tr("New project: import catalogs with ringminer-cli catalog import %1 FILE --name NAME").arg(path));
    return true;
}

void MainWindow::closeProject()
{
    attach(nullptr);
}

void MainWindow::attach(std::unique_ptr<ProjectSession> session)
{
    if (m_session) saveLayout();
    // Panels let go of the old session before it is destroyed.
    m_selection->clear();
    m_labelKeys->setController(nullptr);
    m_inspector->setSession(nullptr);
    m_cutouts->setSession(nullptr);
    m_catalogs->setSession(nullptr);
    m_sampBridge->setSession(nullptr);
    m_session = std::move(session);

    ProjectSession* s = m_session.get();
    if (s) {
        s->thumbnails().setBudgetBytes(qint64(settings::thumbnailCacheMiB.get()) * 1024 * 1024);
        connect(&s->labels(), &LabelController::failed, this,
                [this](const QString& message) { reportError(tr("Labels"), message); });
        connect(&s->labels(), &LabelController::labelChanged, this, &MainWindow::updateProjectStatus);
        s->labels().setAuthor(settings::labelAuthor());
        askAuthorOnce();
        m_labelKeys->setController(&s->labels());
        m_cutouts->setSession(s);
        m_inspector->setSession(s);
        m_sampBridge->setSession(s);
        m_catalogs->setSession(s); // last: its first view fills the grid, which picks the current galaxy
        m_welcome->setMessage({});
    }
    setWorkbenchVisible(s != nullptr);
    if (s && m_needsDockSizes) {
        // First run: docks take sizes only once the window has laid them out, so after this event.
        m_needsDockSizes = false;
        QTimer::singleShot(0, this, [this] {
            resizeDocks({m_docks.value(0), m_docks.value(1)}, {width() * 30 / 100, width() * 27 / 100},
                        Qt::Horizontal);
            // The training and results docks are for a glance while reviewing cutouts: a strip under the
            // grid, not half the window.
            QList<QDockWidget*> bottom;
            for (QDockWidget* dock : m_docks)
                if (dockWidgetArea(dock) == Qt::BottomDockWidgetArea && !dock->isFloating()) bottom << dock;
            if (!bottom.isEmpty())
                resizeDocks(bottom, QList<int>(bottom.size(), height() * kBottomDocksPercent / 100),
                            Qt::Vertical);
            // The monitor beside the matrix and results gets enough width for its plots, and the matrix is
            // the tab in front: on a first start training is the next step.
            auto* matrixDock = findChild<QDockWidget*>(QStringLiteral("matrixDock"));
            auto* monitorDock = findChild<QDockWidget*>(QStringLiteral("trainingDock"));
            if (matrixDock && monitorDock && dockWidgetArea(matrixDock) == Qt::BottomDockWidgetArea &&
                dockWidgetArea(monitorDock) == Qt::BottomDockWidgetArea) {
                resizeDocks({matrixDock, monitorDock},
                            {width() * (100 - kMonitorPercent) / 100, width() * kMonitorPercent / 100},
                            Qt::Horizontal);
                matrixDock->raise();
            }
        });
    }
    // A project this user cannot write opens for browsing; the title says so before a label fails.
    setWindowTitle(s ? (s->store().readOnly() ? tr("%1 (read-only) — RingMiner") : tr("%1 — RingMiner"))
                           .arg(s->fileName())
                     : tr("RingMiner"));
    setWindowFilePath(s ? s->path() : QString());
    updateProjectStatus();
    if (s) m_cutouts->view()->setFocus();
    Q_EMIT projectChanged();
}

bool MainWindow::showsWelcome() const
{
    return m_centre->currentWidget() == m_welcome;
}

void MainWindow::setWorkbenchVisible(bool visible)
{
    const bool showing = !showsWelcome();
    if (visible) {
        m_centre->setCurrentWidget(m_cutouts);
        for (QDockWidget* dock : m_docks)
            dock->setVisible(m_dockVisibility.value(dock, dock->isVisible() || !showing));
        m_dockVisibility.clear();
    } else {
        if (showing)
            for (QDockWidget* dock : m_docks)
                m_dockVisibility.insert(dock, dock->isVisible());
        for (QDockWidget* dock : m_docks)
            dock->hide();
        m_centre->setCurrentWidget(m_welcome);
        m_welcome->setDemoAvailable(true, demoProjectPath());
    }
}

void MainWindow::saveLayout()
{
    settings::windowGeometry.set(saveGeometry());
    // Only a workbench layout is worth keeping: the welcome panel hides every dock.
    if (!showsWelcome()) settings::windowState.set(saveState(kLayoutVersion));
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    if (!m_training->closeWhenStopped(this)) { // asks, and closes again once training has stopped
        event->ignore();
        return;
    }
    saveLayout();
    event->accept();
}

void MainWindow::reportError(const QString& title, const QString& message)
{
    m_lastError = message;
    statusBar()->showMessage(message, 4 * kStatusMs);
    Q_EMIT errorReported(message);
    // open(), not exec(): no nested event loop, and the window stays usable behind it.
    auto* box = new QMessageBox(QMessageBox::Warning, title, message, QMessageBox::Ok, this);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
}

void MainWindow::updateProjectStatus()
{
    if (!m_session) {
        m_projectStatus->setText(tr("no project"));
        return;
    }
    m_projectStatus->setText(tr("%1%4  ·  %L2 hand labels  ·  author %3")
                                 .arg(m_session->fileName())
                                 .arg(m_session->labels().labelledCount())
                                 .arg(m_session->labels().author())
                                 .arg(m_session->store().readOnly() ? tr(" (read-only)") : QString()));
}

void MainWindow::chooseAndOpen()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Open Project"), QString(),
                                                      tr("RingMiner projects (*.rmproj);;All files (*)"));
    if (!path.isEmpty()) openProject(path);
}

void MainWindow::chooseAndCreate()
{
    QString path = QFileDialog::getSaveFileName(this, tr("New Project"), QStringLiteral("rings.rmproj"),
                                                tr("RingMiner projects (*.rmproj)"));
    if (path.isEmpty()) return;
    if (QFileInfo(path).suffix().isEmpty()) path += QStringLiteral(".rmproj");
    newProject(path);
}

void MainWindow::makeDemoProject()
{
    if (m_demoJob->busy()) return;
    const QString dir = QFileInfo(demoProjectPath()).absolutePath();
    m_welcome->demoButton()->setEnabled(false);
    statusBar()->showMessage(tr("Making the demo project in %1…").arg(dir));
    // core/demo renders the survey and builds the project on the job's thread; the window opens it after.
    const bool started = m_demoJob->start(
        tr("Making the demo project"),
        [dir](TaskContext& context) {
            rm::DemoSurveyOptions options;
            options.outDir = QFile::encodeName(dir).toStdString();
            options.progress = [&context](std::size_t done, std::size_t total) {
                return context.progress(done, total);
            };
            const rm::DemoProjectResult demo = rm::makeDemoProject(
                options, [&context](const std::string& line) { context.log(QString::fromStdString(line)); });
            return tr("Demo project with %1 images in %2").arg(demo.survey.images).arg(dir);
        },
        [this](bool ok, const QString& message) {
            m_welcome->demoButton()->setEnabled(true);
            if (!ok) {
                reportError(tr("Demo Project"), tr("Making the demo project failed:\n%1").arg(message));
                return;
            }
            statusBar()->showMessage(message, 5000);
            openProject(demoProjectPath());
        });
    if (!started) m_welcome->demoButton()->setEnabled(true);
}

void MainWindow::askAuthorOnce()
{
    // Labels carry their author; with no name configured and no $USER they would all say "unknown". Ask
    // once, without blocking (labelling can start at once; the name applies from the answer on).
    if (!settings::author.get().trimmed().isEmpty() || settings::labelAuthor() != QLatin1String("unknown") ||
        settings::authorAsked.get() || findChild<QInputDialog*>(QStringLiteral("authorPrompt")))
        return;
    auto* dialog = new QInputDialog(this);
    dialog->setObjectName(QStringLiteral("authorPrompt"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowTitle(tr("Label Author"));
    dialog->setLabelText(tr("Your name, saved with every hand label (Labels > Set Author changes it):"));
    dialog->setModal(false);
    connect(dialog, &QInputDialog::textValueSelected, this, [this](const QString& name) {
        if (name.trimmed().isEmpty()) return;
        settings::author.set(name.trimmed());
        if (m_session) m_session->labels().setAuthor(settings::labelAuthor());
        updateProjectStatus();
    });
    connect(dialog, &QDialog::finished, this, [] { settings::authorAsked.set(true); });
    dialog->show();
}

void MainWindow::setAuthorInteractively()
{
    bool ok = false;
    const QString author = QInputDialog::getText(this, tr("Label Author"), tr("Name saved with every label:"),
                                                 QLineEdit::Normal, settings::labelAuthor(), &ok);
    if (!ok) return;
    settings::author.set(author.trimmed());
    if (m_session) m_session->labels().setAuthor(settings::labelAuthor());
    updateProjectStatus();
}

void MainWindow::showShortcuts()
{
    QMessageBox::information(
        this, tr("Keyboard Shortcuts"),
        tr("<table cellpadding=3>"
           "<tr><td><b>R</b></td><td>ring</td></tr>"
           "<tr><td><b>N</b></td><td>not a ring</td></tr>"
           "<tr><td><b>U</b></td><td>unsure</td></tr>"
           "<tr><td><b>1 – 5</b></td><td>ring of type inner, outer, nuclear, pseudo, collisional</td></tr>"
           "<tr><td><b>Z</b></td><td>undo the latest label</td></tr>"
           "<tr><td><b>Space</b> / <b>Shift+Space</b></td><td>next / previous galaxy</td></tr>"
           "<tr><td><b>Arrows</b></td><td>move in the grid</td></tr>"
           "</table><p>Labels are saved at once, with their history.</p>"));
}

} // namespace rm::ui

#pragma once
// The workbench window: the cutout grid in the centre, the catalog browser (left) and the galaxy inspector
// (right) as docks whose layout is remembered between runs, and the project lifecycle (new, open, recent, the
// demo project at first start, a welcome panel when nothing is open). Later panels (experiment matrix,
// training monitor, comparison, misclassified gallery) come in through addPanel() and get the same layout
// memory.
#include <QHash>
#include <QMainWindow>

#include <memory>

class QDockWidget;
class QLabel;
class QMenu;
class QStackedWidget;

namespace rm::ui {

class BackgroundJob;
class CatalogBrowser;
class CutoutBrowser;
class GalaxyInspector;
class GalaxySelection;
class LabelKeys;
class MatrixEditor;
class ProjectSession;
class TrainingController;
class TrainingMonitor;
class MiningPanel;
class SampBridge;
class SampClient;
class WelcomePanel;

class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    // Each reports failures to the user (message box and status bar) and returns false; the window then shows
    // what it showed before (or the welcome panel).
    bool openProject(const QString& path);
    bool newProject(const QString& path);
    void closeProject();
    // The project named on the command line; else the last project; else, at first start, the demo project;
    // else the welcome panel.
    void openAtStartup(const QString& argument = {});
    // ~/.local/share/RingMiner/demo/demo.rmproj (the `ringminer-cli demo make DIR` folder).
    static QString demoProjectPath();
    // Registers with a running SAMP hub if there is one (the status bar says when there is none).
    void connectSampAtStartup();

    // SAMP sends (the SAMP menu, the catalog table's and the inspector's "Send to" menus): recipient is a
    // client id, "" for every subscribed client. A failure is reported (message box and status bar).
    void sampSendTable(const QString& recipient);
    void sampSendSelection(const QString& recipient);
    void sampPointAt(const QString& recipient);

    QDockWidget* addPanel(QWidget* panel, const QString& title, const QString& objectName,
                          Qt::DockWidgetArea area);

    ProjectSession* session() const { return m_session.get(); }
    GalaxySelection* selection() const { return m_selection; }
    CatalogBrowser* catalogBrowser() const { return m_catalogs; }
    CutoutBrowser* cutoutBrowser() const { return m_cutouts; }
    GalaxyInspector* inspector() const { return m_inspector; }
    LabelKeys* labelKeys() const { return m_labelKeys; }
    MatrixEditor* matrixEditor() const { return m_matrixEditor; }
    TrainingMonitor* trainingMonitor() const { return m_trainingMonitor; }
    MiningPanel* miningPanel() const { return m_mining; }
    TrainingController* trainingController() const { return m_training; }
    WelcomePanel* welcomePanel() const { return m_welcome; }
    SampClient* sampClient() const { return m_samp; }
    SampBridge* sampBridge() const { return m_sampBridge; }
    bool showsWelcome() const;
    QString lastError() const { return m_lastError; }

Q_SIGNALS:
    void projectChanged(); // opened, created or closed
    void errorReported(QString message);

protected:
    void closeEvent(QCloseEvent* event) override;

private:
    void buildPanels();
    void buildMenus();
    void attach(std::unique_ptr<ProjectSession> session);
    void setWorkbenchVisible(bool visible);
    void saveLayout();
    void reportError(const QString& title, const QString& message);
    void updateRecentMenu();
    void updateProjectStatus();
    void chooseAndOpen();
    void chooseAndCreate();
    void makeDemoProject();
    void showShortcuts();
    void setAuthorInteractively();
    void askAuthorOnce();
    void buildSamp();
    void sampDone(const QString& title, bool ok, const QString& message);

    std::unique_ptr<ProjectSession> m_session;
    GalaxySelection* m_selection;
    LabelKeys* m_labelKeys;
    QStackedWidget* m_centre;
    WelcomePanel* m_welcome;
    BackgroundJob* m_demoJob;
    CatalogBrowser* m_catalogs;
    CutoutBrowser* m_cutouts;
    GalaxyInspector* m_inspector;
    TrainingController* m_training = nullptr;
    MatrixEditor* m_matrixEditor = nullptr;
    TrainingMonitor* m_trainingMonitor = nullptr;
    MiningPanel* m_mining = nullptr;
    SampClient* m_samp = nullptr;
    SampBridge* m_sampBridge = nullptr;
    QList<QDockWidget*> m_docks;
    QHash<QDockWidget*, bool> m_dockVisibility; // while the welcome panel hides them
    QByteArray m_defaultState;
    bool m_needsDockSizes = false; // no saved layout: size the docks when the workbench first shows
    QMenu* m_recentMenu = nullptr;
    QMenu* m_viewMenu = nullptr;
    QMenu* m_sampMenu = nullptr;
    QLabel* m_projectStatus;
    QString m_lastError;
};

} // namespace rm::ui

#pragma once
// The catalog browser panel: pick a catalog or target set of the project, filter it (`z < 0.05 and OV !=
// ''`), sort it by a column, and select galaxies for the other panels.
#include "catalog/TableSource.h"

#include <QWidget>

#include <vector>

class QComboBox;
class QLabel;
class QLineEdit;
class QTableView;
class QTimer;

namespace rm::ui {

class CatalogTableModel;
class GalaxySelection;
class ProjectSession;

class CatalogBrowser : public QWidget
{
    Q_OBJECT
public:
    // Selections larger than this are cut to it (the cutout grid's limit too).
    static constexpr int kMaxSelection = 100000;

    explicit CatalogBrowser(GalaxySelection* selection, QWidget* parent = nullptr);
    ~CatalogBrowser() override;

    void setSession(ProjectSession* session); // nullptr: nothing open
    void refreshSources();                    // after catalogs or target sets changed
    bool showSource(const QString& name);     // false when the project has no such catalog or target set
    QString currentSourceName() const;
    // Applies a filter; a bad one is reported (errorText) and the current view stays. False if it did not
    // parse.
    bool applyFilter(const QString& text);
    // Orders the rows shown by a column of the current source (as a header click does); false if it has none.
    bool sortByColumn(const QString& name, Qt::SortOrder order);
    QString errorText() const;
    QString summaryText() const;
    // Selects the rows of the view that hold the shared selection's galaxies (once the view is ready when it
    // is still querying); what happens when another panel or a SAMP client chooses galaxies.
    void showSharedSelection();

    CatalogTableModel* model() const { return m_model; }
    QTableView* view() const { return m_view; }
    QLineEdit* filterEdit() const { return m_filter; }
    QComboBox* sourceBox() const { return m_sources; }

Q_SIGNALS:
    void viewChanged(); // the rows shown changed: another source, filter or order
    void statusMessage(QString text);

private:
    void onSourceChosen(int index);
    void onSectionClicked(int section);
    void onViewReady();
    void onViewFailed(const QString& message);
    void publishSelection();
    void publishCurrent();
    void followCurrent(QObject* origin);
    void followSelection(QObject* origin);
    void showError(const QString& message);
    void updateSummary();

    GalaxySelection* m_selection;
    ProjectSession* m_session = nullptr;
    CatalogTableModel* m_model;
    QComboBox* m_sources;
    QLineEdit* m_filter;
    QLabel* m_error;
    QTableView* m_view;
    QLabel* m_summary;
    QTimer* m_selectionTimer;
    std::vector<TableSource> m_sourceList;
    bool m_following = false; // moving to a galaxy another panel chose: do not publish it back
    bool m_resizeColumns = false;
    bool m_followSelectionWhenReady = false; // another panel chose galaxies while the view was querying
};

} // namespace rm::ui

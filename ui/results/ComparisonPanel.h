#pragma once
// The comparison table dock: every run of the project with its metrics, sortable by value, the best value of
// each metric marked, filtered by experiment, exported as CSV or Markdown. Picking a run makes it the badge
// run (the scores on the thumbnails and the misclassified gallery's default).
#include <QPointer>
#include <QWidget>

class QComboBox;
class QLabel;
class QTableView;
class QToolButton;

namespace rm::ui {

class ComparisonModel;
class ComparisonSortProxy;
class ProjectSession;

class ComparisonPanel : public QWidget
{
    Q_OBJECT
public:
    explicit ComparisonPanel(QWidget* parent = nullptr);

    void setSession(ProjectSession* session);
    void setExperimentFilter(const QString& experiment); // empty: every experiment

    // Exports the rows as shown; false with *error when the file cannot be written.
    bool exportCsv(const QString& path, QString* error = nullptr) const;
    bool exportMarkdown(const QString& path, QString* error = nullptr) const;
    QVector<int> shownRows() const; // model rows in the view's order

    ComparisonModel* model() const { return m_model; }
    ComparisonSortProxy* proxy() const { return m_proxy; }
    QTableView* view() const { return m_view; }
    QComboBox* experimentBox() const { return m_experiments; }

public Q_SLOTS:
    void refresh(); // reads the runs again (RunResults::refresh)

Q_SIGNALS:
    void statusMessage(QString text);

private:
    void showRuns();
    void showCrossValidationColumns();
    void chooseExport(bool markdown);
    void onCurrentRowChanged();
    void updateBadgeNote();

    QPointer<ProjectSession> m_session;
    ComparisonModel* m_model;
    ComparisonSortProxy* m_proxy;
    QTableView* m_view;
    QComboBox* m_experiments;
    QLabel* m_note;
    QList<QMetaObject::Connection> m_connections;
};

} // namespace rm::ui

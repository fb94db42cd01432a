#pragma once
// The running tasks in the main window's status bar: one line each with the task's name, a progress bar
// (what the task says of its progress on it), the time left (from the time spent and the fraction done) and
// a Cancel button. It lists what the TaskManager runs, so a new kind of job shows here without code of its
// own; tasks flagged Task::Hidden are left out, and the widget hides itself when nothing is listed.
#include <QPointer>
#include <QTimer>
#include <QWidget>

#include <vector>

class QHBoxLayout;
class QLabel;
class QProgressBar;
class QToolButton;

namespace rm::ui {

class Task;
class TaskManager;

class TaskStatusWidget : public QWidget
{
    Q_OBJECT
public:
    explicit TaskStatusWidget(TaskManager* manager, QWidget* parent = nullptr);

    int rowCount() const { return int(m_rows.size()); }
    // The parts of a listed task's line (nullptr when it is not listed).
    QProgressBar* progressBar(const Task* task) const;
    QLabel* etaLabel(const Task* task) const;
    QToolButton* cancelButton(const Task* task) const;

private:
    struct Row
    {
        QPointer<Task> task;
        QWidget* line;
        QLabel* name;
        QProgressBar* bar;
        QLabel* eta;
        QToolButton* cancel;
    };
    void add(Task* task);
    void remove(Task* task);
    void showProgress(Row& row);
    const Row* rowOf(const Task* task) const;

    QHBoxLayout* m_layout;
    std::vector<Row> m_rows;
    QTimer m_tick; // the time left moves on between reports
};

} // namespace rm::ui

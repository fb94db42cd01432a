#include "tasks/TaskStatusWidget.h"

#include "tasks/TaskManager.h"

#include <QFontMetrics>
#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QStyle>
#include <QToolButton>

#include <algorithm>

namespace rm::ui {

TaskStatusWidget::TaskStatusWidget(TaskManager* manager, QWidget* parent)
    : QWidget(parent), m_layout(new QHBoxLayout(this))
{
    setObjectName(QStringLiteral("taskStatus"));
    m_layout->setContentsMargins(0, 0, 0, 0);
    m_layout->setSpacing(12);
    connect(manager, &TaskManager::taskAdded, this, &TaskStatusWidget::add);
    connect(manager, &TaskManager::taskFinished, this, &TaskStatusWidget::remove);
    for (Task* t : manager->tasks())
        add(t);
    m_tick.setInterval(1000);
    connect(&m_tick, &QTimer::timeout, this, [this] {
        for (Row& r : m_rows)
            showProgress(r);
    });
    setVisible(!m_rows.empty());
}

void TaskStatusWidget::add(Task* task)
{
    if (task->flags().testFlag(Task::Hidden) || rowOf(task)) return;
    Row row;
    row.task = task;
    row.line = new QWidget(this);
    row.line->setObjectName(QStringLiteral("taskLine"));
    auto* layout = new QHBoxLayout(row.line);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(4);
    row.name = new QLabel(task->name(), row.line);
    row.name->setObjectName(QStringLiteral("taskName"));
    row.bar = new QProgressBar(row.line);
    row.bar->setObjectName(QStringLiteral("taskProgress"));
    row.bar->setMaximumWidth(180);
    row.bar->setMaximumHeight(16);
    row.bar->setTextVisible(true);
    row.eta = new QLabel(row.line);
    row.eta->setObjectName(QStringLiteral("taskEta"));
    row.cancel = new QToolButton(row.line);
    row.cancel->setObjectName(QStringLiteral("taskCancel"));
    row.cancel->setIcon(style()->standardIcon(QStyle::SP_DialogCancelButton));
    row.cancel->setToolTip(tr("Cancel %1").arg(task->name()));
    row.cancel->setAutoRaise(true);
    layout->addWidget(row.name);
    layout->addWidget(row.bar);
    layout->addWidget(row.eta);
    layout->addWidget(row.cancel);
    m_layout->addWidget(row.line);
    connect(row.cancel, &QToolButton::clicked, task, &Task::cancel);
    const auto refresh = [this, task] {
        for (Row& r : m_rows)
            if (r.task == task) showProgress(r);
    };
    connect(task, &Task::progressChanged, this, refresh);
    connect(task, &Task::cancelRequested, this, refresh);
    m_rows.push_back(row);
    showProgress(m_rows.back());
    m_tick.start();
    show();
}

void TaskStatusWidget::remove(Task* task)
{
    const auto it =
        std::find_if(m_rows.begin(), m_rows.end(), [task](const Row& r) { return r.task == task; });
    if (it == m_rows.end()) return;
    it->line->deleteLater();
    m_rows.erase(it);
    if (m_rows.empty()) {
        m_tick.stop();
        hide();
    }
}

void TaskStatusWidget::showProgress(Row& row)
{
    const Task* t = row.task;
    if (!t) return;
    const double f = t->fraction();
    if (f < 0) {
        row.bar->setRange(0, 0); // busy: no fraction known
    } else {
        row.bar->setRange(0, 1000);
        row.bar->setValue(int(1000 * std::clamp(f, 0.0, 1.0)));
    }
    // Long texts ("1/9 demo/simple_cnn/all_layers") are elided to one line of the bar; the tooltip has it whole.
    const QString text = t->progressText().isEmpty() ? QStringLiteral("%p%") : t->progressText();
    row.bar->setFormat(row.bar->fontMetrics().elidedText(text, Qt::ElideMiddle, row.bar->maximumWidth() - 12));
    row.bar->setToolTip(t->progressText());
    row.cancel->setEnabled(!t->isCancelled());
    const qint64 left = t->remainingMs();
    row.eta->setText(t->isCancelled() ? tr("cancelling…") : Task::etaText(left < 0 ? -1.0 : left / 1000.0));
}

const TaskStatusWidget::Row* TaskStatusWidget::rowOf(const Task* task) const
{
    for (const Row& r : m_rows)
        if (r.task == task) return &r;
    return nullptr;
}

QProgressBar* TaskStatusWidget::progressBar(const Task* task) const
{
    const Row* r = rowOf(task);
    return r ? r->bar : nullptr;
}

QLabel* TaskStatusWidget::etaLabel(const Task* task) const
{
    const Row* r = rowOf(task);
    return r ? r->eta : nullptr;
}

QToolButton* TaskStatusWidget::cancelButton(const Task* task) const
{
    const Row* r = rowOf(task);
    return r ? r->cancel : nullptr;
}

} // namespace rm::ui

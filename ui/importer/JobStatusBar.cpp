#include "importer/JobStatusBar.h"

#include "tasks/BackgroundJob.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QVBoxLayout>

namespace rm::ui {

JobStatusBar::JobStatusBar(BackgroundJob* job, QWidget* parent) : QWidget(parent), m_job(job)
{
    m_bar = new QProgressBar(this);
    m_bar->setTextVisible(true);
    m_cancel = new QPushButton(tr("Cancel"), this);
    m_text = new QLabel(this);
    m_text->setWordWrap(true);
    m_text->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto* row = new QHBoxLayout;
    row->setContentsMargins(0, 0, 0, 0);
    row->addWidget(m_bar, 1);
    row->addWidget(m_cancel);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(row);
    layout->addWidget(m_text);
    m_bar->hide();
    m_cancel->hide();

    connect(m_cancel, &QPushButton::clicked, job, &BackgroundJob::cancel);
    connect(job, &BackgroundJob::started, this, [this](const QString& what) {
        m_mine = isVisible();
        if (!m_mine) return;
        m_bar->setRange(0, 0);
        m_bar->setFormat(what);
        m_bar->show();
        m_cancel->show();
        showMessage(what + QStringLiteral("…"));
    });
    connect(job, &BackgroundJob::progress, this, [this](qint64 done, qint64 total) {
        if (!m_mine) return;
        if (total > 0) {
            // Rows can exceed int: show per mille.
            m_bar->setRange(0, 1000);
            m_bar->setValue(int(1000 * double(done) / double(total)));
            m_bar->setFormat(QStringLiteral("%1: %L2 of %L3").arg(m_job->what()).arg(done).arg(total));
        } else {
            m_bar->setRange(0, 0);
            m_bar->setFormat(QStringLiteral("%1: %L2").arg(m_job->what()).arg(done));
        }
    });
    connect(job, &BackgroundJob::finished, this, [this](bool ok, const QString& message) {
        if (!m_mine) return;
        m_mine = false;
        m_bar->hide();
        m_cancel->hide();
        showMessage(message, !ok);
    });
}

void JobStatusBar::showMessage(const QString& text, bool error)
{
    m_error = error;
    m_text->setText(text);
    m_text->setStyleSheet(error ? QStringLiteral("QLabel { color: rgb(214, 69, 65); font-weight: bold; }")
                                : QString());
}

QString JobStatusBar::message() const
{
    return m_text->text();
}

} // namespace rm::ui

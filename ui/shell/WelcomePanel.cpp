#include "shell/WelcomePanel.h"

#include <QFileInfo>
#include <QGridLayout>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QVBoxLayout>

namespace rm::ui {

WelcomePanel::WelcomePanel(QWidget* parent) : QWidget(parent)
{
    auto* icon = new QLabel(this);
    icon->setPixmap(QPixmap(QStringLiteral(":/icons/ringminer.png"))
                        .scaled(128, 128, Qt::KeepAspectRatio, Qt::SmoothTransformation));
    auto* title = new QLabel(tr("RingMiner"), this);
    QFont f = title->font();
    f.setPointSizeF(f.pointSizeF() * 2.2);
    f.setBold(true);
    title->setFont(f);
    auto* blurb =
        new QLabel(tr("Find ring galaxies: browse catalogs and cutouts, label borderline galaxies by "
                      "keyboard, train and compare classifiers, and mine wide catalogs for new rings."),
                   this);
    blurb->setWordWrap(true);

    m_new = new QPushButton(tr("New Project…"), this);
    m_open = new QPushButton(tr("Open Project…"), this);
    m_demo = new QPushButton(tr("Create and Open the Demo Project"), this);
    m_demo->hide();
    m_message = new QLabel(this);
    m_message->setWordWrap(true);
    m_message->setStyleSheet(QStringLiteral("QLabel { color: #ff8a80; }"));
    m_message->hide();
    m_recentTitle = new QLabel(tr("Recent projects"), this);
    m_recent = new QListWidget(this);
    m_recent->setMaximumHeight(180);

    auto* column = new QVBoxLayout;
    column->addWidget(icon, 0, Qt::AlignHCenter);
    column->addWidget(title, 0, Qt::AlignHCenter);
    column->addWidget(blurb);
    column->addSpacing(16);
    column->addWidget(m_new);
    column->addWidget(m_open);
    column->addWidget(m_demo);
    column->addWidget(m_message);
    column->addSpacing(12);
    column->addWidget(m_recentTitle);
    column->addWidget(m_recent);

    auto* frame = new QWidget(this);
    frame->setLayout(column);
    frame->setMaximumWidth(520);
    auto* outer = new QGridLayout(this);
    outer->addWidget(frame, 1, 1);
    outer->setRowStretch(0, 1);
    outer->setRowStretch(2, 2);
    outer->setColumnStretch(0, 1);
    outer->setColumnStretch(2, 1);

    connect(m_new, &QPushButton::clicked, this, &WelcomePanel::newProjectRequested);
    connect(m_open, &QPushButton::clicked, this, &WelcomePanel::openProjectRequested);
    connect(m_demo, &QPushButton::clicked, this, &WelcomePanel::demoRequested);
    connect(m_recent, &QListWidget::itemActivated, this,
            [this](QListWidgetItem* item) { Q_EMIT openPathRequested(item->data(Qt::UserRole).toString()); });
    setRecentProjects({});
}

void WelcomePanel::setRecentProjects(const QStringList& paths)
{
    m_recent->clear();
    for (const QString& path : paths) {
        auto* item = new QListWidgetItem(QStringLiteral("%1   —   %2").arg(QFileInfo(path).fileName(), path),
                                         m_recent);
        item->setData(Qt::UserRole, path);
        item->setToolTip(path);
    }
    m_recentTitle->setVisible(!paths.isEmpty());
    m_recent->setVisible(!paths.isEmpty());
}

void WelcomePanel::setDemoAvailable(bool available, const QString& demoPath)
{
    m_demo->setVisible(available);
    m_demo->setToolTip(
        tr("Renders a synthetic survey with known truth (400 cutouts, three catalogs) and a project with a "
           "ready target set at %1; needs no network")
            .arg(demoPath));
}

void WelcomePanel::setMessage(const QString& text)
{
    m_message->setText(text);
    m_message->setVisible(!text.isEmpty());
}

} // namespace rm::ui

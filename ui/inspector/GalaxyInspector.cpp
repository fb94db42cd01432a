#include "inspector/GalaxyInspector.h"

#include "cache/MemoryRecordSource.h"
#include "cutouts/ImageConvert.h"
#include "cutouts/ThumbnailLoader.h"
#include "imaging/ProfileFeatures.h"
#include "inspector/ImageView.h"
#include "inspector/NeighbourFinder.h"
#include "inspector/SaliencyOverlay.h"
#include "inspector/SkyFormat.h"
#include "inspector/SkyMenu.h"
#include "labels/LabelController.h"
#include "labels/LabelKeys.h"
#include "labels/LabelStyle.h"
#include "project/ProjectSession.h"
#include "results/RunResults.h"
#include "selection/GalaxySelection.h"
#include "training/FeatureBaseline.h"
#include "training/TrainConfig.h"
#include "util/Error.h"

#include <QComboBox>
#include <QDesktopServices>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QMenu>
#include <QPushButton>
#include <QSplitter>
#include <QTabWidget>
#include <QToolButton>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace rm::ui {

namespace {

QPushButton* labelButton(const QString& text, const QString& tip, QWidget* parent)
{
    auto* b = new QPushButton(text, parent);
    b->setToolTip(tip);
    b->setFocusPolicy(Qt::NoFocus); // clicking must not take the keyboard away from the grid
    return b;
}

QTreeWidget* keyValueTree(const QStringList& headers, QWidget* parent)
{
    auto* tree = new QTreeWidget(parent);
    tree->setHeaderLabels(headers);
    tree->setRootIsDecorated(true);
    tree->setAlternatingRowColors(true);
    tree->setUniformRowHeights(true);
    tree->setFocusPolicy(Qt::NoFocus);
    tree->setSelectionMode(QAbstractItemView::ExtendedSelection);
    tree->header()->setStretchLastSection(true);
    return tree;
}

} // namespace

GalaxyInspector::GalaxyInspector(GalaxySelection* selection, LabelKeys* keys, QWidget* parent)
    : QWidget(parent), m_selection(selection), m_keys(keys), m_neighbours(new NeighbourFinder(this))
{
    setFocusPolicy(Qt::StrongFocus);

    m_title = new QLabel(this);
    QFont big = m_title->font();
    big.setPointSizeF(big.pointSizeF() * 1.35);
    big.setBold(true);
    m_title->setFont(big);
    m_title->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_position = new QLabel(this);
    m_position->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_position->setWordWrap(true);
    m_label = new QLabel(this);
    m_label->setAlignment(Qt::AlignCenter);
    m_label->setMinimumWidth(110);

    auto* sky = new QToolButton(this);
    sky->setText(tr("Legacy Surveys ↗"));
    sky->setToolTip(tr("Open the Legacy Surveys sky viewer (DR10) at this position in your browser"));
    sky->setFocusPolicy(Qt::NoFocus);
    // Click: Legacy Surveys; the arrow: the other viewers, and the position or IAU name to the clipboard.
    m_skyMenu = new QMenu(sky);
    sky->setMenu(m_skyMenu);
    sky->setPopupMode(QToolButton::MenuButtonPopup);
    m_skyButton = sky;

    m_image = new ImageView(this);
    m_image->setMessage(tr("Select a galaxy"));
    m_saliency = new SaliencyOverlay(this);
    auto* saliency = new QToolButton(this);
    saliency->setText(tr("Saliency"));
    saliency->setCheckable(true);
    saliency->setFocusPolicy(Qt::NoFocus);
    saliency->setToolTip(tr("Show where the badge run looks for a ring: Grad-CAM on its last block (G)"));
    m_saliencyButton = saliency;
    m_saliencyNote = new QLabel(this);
    m_saliencyNote->setStyleSheet(QStringLiteral("QLabel { color: palette(mid); }"));
    m_saliencyNote->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);

    auto* ring = labelButton(tr("Ring"), tr("Label as ring (R)"), this);
    auto* notRing = labelButton(tr("Not ring"), tr("Label as not a ring (N)"), this);
    auto* unsure = labelButton(tr("Unsure"), tr("Label as unsure (U)"), this);
    auto* undo = labelButton(tr("Undo"), tr("Undo the latest label (Z)"), this);
    m_ringType = new QComboBox(this);
    m_ringType->setFocusPolicy(Qt::NoFocus);
    m_ringType->addItem(tr("Ring type…"));
    const QStringList types = ringTypeNames();
    for (int i = 0; i < types.size(); ++i)
        m_ringType->addItem(QStringLiteral("%1  %2").arg(i + 1).arg(types[i]), types[i]);
    m_ringType->setToolTip(tr("Label as a ring of this type (keys 1–5)"));

    m_rows = keyValueTree({tr("Column"), tr("Value")}, this);
    m_history = keyValueTree({tr("When (UTC)"), tr("Who"), tr("Action"), tr("Label")}, this);
    m_history->setRootIsDecorated(false);
    auto* tabs = new QTabWidget(this);
    tabs->setFocusPolicy(Qt::NoFocus);
    tabs->addTab(m_rows, tr("Catalog rows"));
    tabs->addTab(m_history, tr("Label history"));
    m_predictions =
        keyValueTree({tr("Run"), tr("Split"), tr("Score"), tr("Called"), tr("Target label")}, this);
    m_predictions->setRootIsDecorated(false);
    tabs->addTab(m_predictions, tr("Predictions"));
    m_features = keyValueTree({tr("Feature"), tr("Value"), tr("Weight"), tr("Contribution")}, this);
    m_features->setRootIsDecorated(false);
    m_features->setToolTip(
        tr("The feature baseline's hand-made features of this cutout. With a profile_lr run "
           "as the badge run: each feature's weight and what it adds to the ring logit "
           "(largest first)."));
    tabs->addTab(m_features, tr("Features"));

    auto* head = new QHBoxLayout;
    auto* names = new QVBoxLayout;
    names->addWidget(m_title);
    names->addWidget(m_position);
    head->addLayout(names, 1);
    auto* side = new QVBoxLayout;
    side->addWidget(m_label);
    side->addWidget(sky);
    head->addLayout(side);

    auto* buttons = new QHBoxLayout;
    buttons->addWidget(ring);
    buttons->addWidget(notRing);
    buttons->addWidget(unsure);
    buttons->addWidget(m_ringType);
    buttons->addStretch(1);
    buttons->addWidget(saliency);
    buttons->addWidget(undo);

    auto* top = new QWidget(this);
    auto* topLayout = new QVBoxLayout(top);
    topLayout->setContentsMargins(0, 0, 0, 0);
    topLayout->addWidget(m_image, 1);
    topLayout->addWidget(m_saliencyNote);
    topLayout->addLayout(buttons);
    auto* split = new QSplitter(Qt::Vertical, this);
    split->addWidget(top);
    split->addWidget(tabs);
    split->setStretchFactor(0, 1);
    split->setStretchFactor(1, 1);
    split->setChildrenCollapsible(false);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    layout->addLayout(head);
    layout->addWidget(split, 1);

    connect(ring, &QPushButton::clicked, this, [this] { m_keys->label(rm::HandLabel::Ring); });
    connect(notRing, &QPushButton::clicked, this, [this] { m_keys->label(rm::HandLabel::NotRing); });
    connect(unsure, &QPushButton::clicked, this, [this] { m_keys->label(rm::HandLabel::Unsure); });
    connect(undo, &QPushButton::clicked, this, [this] { m_keys->undo(); });
    connect(m_ringType, &QComboBox::activated, this, [this](int index) {
        if (index > 0) m_keys->label(rm::HandLabel::Ring, m_ringType->itemData(index).toString());
        m_ringType->setCurrentIndex(0);
    });
    connect(sky, &QToolButton::clicked, this, [this] {
        if (m_skyUrl.isValid() && !QDesktopServices::openUrl(m_skyUrl))
            Q_EMIT statusMessage(tr("Could not open a browser for %1").arg(m_skyUrl.toString()));
    });
    connect(saliency, &QToolButton::toggled, this, &GalaxyInspector::updateSaliency);
    connect(m_keys, &LabelKeys::saliencyToggleRequested, saliency, &QToolButton::toggle);
    connect(m_saliency, &SaliencyOverlay::ready, this,
            [this](const GalaxyId& id, const QImage& overlay, double fraction, const QString& note) {
                if (id != m_galaxy || !m_saliencyButton->isChecked() || !m_image->hasImage()) return;
                m_image->setOverlay(overlay, fraction);
                m_saliencyNote->setText(note);
            });
    connect(m_saliency, &SaliencyOverlay::failed, this, [this](const GalaxyId& id, const QString& message) {
        if (id != m_galaxy) return;
        m_saliencyNote->setText(tr("No saliency: %1").arg(message));
        Q_EMIT statusMessage(tr("Saliency: %1").arg(message));
    });
    connect(m_selection, &GalaxySelection::currentChanged, this, &GalaxyInspector::showCurrent);
    connect(m_neighbours, &NeighbourFinder::found, this, &GalaxyInspector::showNeighbours);
    connect(m_neighbours, &NeighbourFinder::failed, this, [this](const QString& message) {
        if (m_neighbourPlaceholder) m_neighbourPlaceholder->setText(1, tr("search failed: %1").arg(message));
        Q_EMIT statusMessage(tr("Cross-match failed: %1").arg(message));
        Q_EMIT neighboursShown();
    });

    m_keys->watch(this, true);
    clearGalaxy(tr("Select a galaxy"));
}

GalaxyInspector::~GalaxyInspector() = default;

void GalaxyInspector::setSession(ProjectSession* session)
{
    for (const auto& c : m_sessionConnections)
        disconnect(c);
    m_sessionConnections.clear();
    m_neighbours->release();
    m_session = session;
    clearGalaxy(session ? tr("Select a galaxy") : tr("No project open"));
    if (!session) return;
    m_sessionConnections
        << connect(&session->thumbnails(), &ThumbnailLoader::imageReady, this,
                   [this](const GalaxyId& id, int edge) {
                       if (id == m_galaxy && edge == 0) {
                           m_image->setImage(m_session->thumbnails().image(id, 0));
                           updateSaliency();
                           showFeatures();
                       }
                   })
        << connect(&session->thumbnails(), &ThumbnailLoader::imageFailed, this,
                   [this](const GalaxyId& id, const QString& message) {
                       if (id == m_galaxy) m_image->setMessage(message);
                   })
        << connect(&session->labels(), &LabelController::labelChanged, this,
                   [this](const GalaxyId& id) {
                       if (id != m_galaxy) return;
                       showLabel();
                       showHistory();
                   })
        << connect(&session->results(), &RunResults::runsChanged, this, &GalaxyInspector::showPredictions)
        << connect(&session->results(), &RunResults::badgeRunChanged, this, &GalaxyInspector::showPredictions)
        << connect(&session->results(), &RunResults::badgeRunChanged, this, &GalaxyInspector::updateSaliency)
        << connect(&session->results(), &RunResults::badgeRunChanged, this, &GalaxyInspector::showFeatures);
    showCurrent();
}

void GalaxyInspector::setGreyscale(bool grey)
{
    m_image->setGreyscale(grey);
}

QString GalaxyInspector::labelText() const
{
    return m_label->text();
}

void GalaxyInspector::setSaliencyShown(bool shown)
{
    m_saliencyButton->setChecked(shown); // toggled updates
}

QString GalaxyInspector::saliencyNote() const
{
    return m_saliencyNote->text();
}

void GalaxyInspector::showFeatures()
{
    m_features->clear();
    if (!m_session || !m_galaxy.valid() || !m_image->hasImage()) return;
    RunResults& results = m_session->results();
    const RunRow* run = results.run(results.badgeRunId());
    const bool model = run && run->done() && rm::isFeatureModelFile(run->run.weightsPath);
    try {
        rm::MemoryRecordSource source({toCoreImage(m_image->image())});
        // One small cutout: a few milliseconds, so it is done here rather than on a worker.
        if (model) {
            const rm::TrainConfig config = rm::applyJson(rm::TrainConfig{}, run->run.config);
            double bias = 0;
            std::vector<rm::FeatureContribution> rows =
                rm::explainFeatureModel(run->run.weightsPath, source, 0, config.view, &bias);
            std::stable_sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) {
                return std::fabs(a.contribution) > std::fabs(b.contribution);
            });
            double logit = bias;
            for (const auto& r : rows) {
                logit += r.contribution;
                auto* item = new QTreeWidgetItem(
                    m_features, {QString::fromStdString(r.name), QString::number(r.value, 'g', 4),
                                 QString::number(r.weight, 'f', 3), QString::number(r.contribution, 'f', 3)});
                item->setForeground(3, r.contribution > 0 ? QColor(46, 160, 67) : QColor(214, 69, 65));
            }
            auto* total = new QTreeWidgetItem(m_features, {tr("ring logit (%1)").arg(run->shortTitle()),
                                                           QString(), tr("bias %1").arg(bias, 0, 'f', 3),
                                                           QString::number(logit, 'f', 3)});
            total->setToolTip(0, tr("ring probability %1").arg(1 / (1 + std::exp(-logit)), 0, 'f', 3));
            QFont bold = total->font(0);
            bold.setBold(true);
            for (int c = 0; c < 4; ++c)
                total->setFont(c, bold);
            m_features->insertTopLevelItem(0,
                                           m_features->takeTopLevelItem(m_features->topLevelItemCount() - 1));
        } else {
            rm::ViewParams view;
            view.width = view.height = 64;
            view.channels = 3;
            const auto values = rm::recordFeatures(source, {0}, view);
            const auto names = rm::profileFeatureNames(3);
            for (std::size_t j = 0; j < names.size() && !values.empty() && j < values[0].size(); ++j)
                new QTreeWidgetItem(
                    m_features, {QString::fromStdString(names[j]), QString::number(values[0][j], 'g', 4)});
        }
    } catch (const std::exception& e) {
        new QTreeWidgetItem(m_features, {tr("features unavailable: %1").arg(QString::fromUtf8(e.what()))});
    }
    for (int c = 0; c < 4; ++c)
        m_features->resizeColumnToContents(c);
}

void GalaxyInspector::updateSaliency()
{
    if (!m_saliencyButton->isChecked()) {
        m_image->clearOverlay();
        m_saliencyNote->clear();
        return;
    }
    if (!m_session || !m_galaxy.valid() || !m_image->hasImage()) return;
    RunResults& results = m_session->results();
    const RunRow* run = results.run(results.badgeRunId());
    if (!run || !run->done()) {
        m_image->clearOverlay();
        m_saliencyNote->setText(tr("No saliency: no finished run to ask (train one, or pick one in the "
                                   "comparison table)"));
        return;
    }
    m_saliencyNote->setText(tr("Grad-CAM of %1…").arg(run->shortTitle()));
    m_saliency->request(m_session->path(), m_galaxy, m_image->image(), *run);
}

void GalaxyInspector::clearGalaxy(const QString& message)
{
    m_galaxy = {};
    m_skyUrl = QUrl();
    m_skyMenu->clear();
    m_neighbourCount = 0;
    m_neighbourPlaceholder = nullptr;
    m_title->setText(message);
    m_position->clear();
    m_label->clear();
    m_label->setStyleSheet({});
    m_skyButton->setEnabled(false);
    m_image->setMessage(message);
    m_rows->clear();
    m_history->clear();
    m_predictions->clear();
    m_features->clear();
}

QTreeWidgetItem* GalaxyInspector::addRowGroup(const QString& title,
                                              const QVector<QPair<QString, QString>>& values)
{
    auto* group = new QTreeWidgetItem(m_rows, {title});
    QFont bold = group->font(0);
    bold.setBold(true);
    group->setFont(0, bold);
    group->setFirstColumnSpanned(true);
    for (const auto& [column, value] : values)
        new QTreeWidgetItem(group, {column, value});
    group->setExpanded(true);
    return group;
}

void GalaxyInspector::showCurrent()
{
    const auto current = m_selection->current();
    if (!m_session || !current) {
        clearGalaxy(m_session ? tr("Select a galaxy") : tr("No project open"));
        return;
    }
    if (current->id == m_galaxy) return;
    clearGalaxy(QString());
    m_galaxy = current->id;
    GalaxyRecord record;
    QString catalogName;
    try {
        record = m_session->record(m_galaxy);
        catalogName = QString::fromStdString(m_session->catalog(m_galaxy.catalogId).name);
    } catch (const rm::Error& e) {
        const QString message = QString::fromStdString(e.what());
        clearGalaxy(tr("Cannot read this galaxy"));
        m_position->setText(message);
        Q_EMIT statusMessage(message);
        return;
    }
    m_title->setText(m_session->caption(m_galaxy));
    m_position->setText(tr("%1 · row %2\nRA %3  Dec %4   (%5°, %6°)")
                            .arg(catalogName)
                            .arg(m_galaxy.row)
                            .arg(formatRaHms(record.ra), formatDecDms(record.dec))
                            .arg(record.ra, 0, 'f', 6)
                            .arg(record.dec, 0, 'f', 6));
    m_skyUrl = legacySurveyViewerUrl(record.ra, record.dec);
    m_skyMenu->clear();
    addSkyActions(m_skyMenu, record.ra, record.dec);
    m_skyButton->setEnabled(true);
    m_skyButton->setToolTip(m_skyUrl.toString());

    const QImage image = m_session->thumbnails().image(m_galaxy, 0);
    if (!image.isNull()) {
        m_image->setImage(image);
        updateSaliency();
        showFeatures();
    } else {
        const QString failure = m_session->thumbnails().failure(m_galaxy);
        m_image->setMessage(failure.isEmpty() ? tr("loading…") : failure);
        if (failure.isEmpty()) m_session->thumbnails().request(m_galaxy, 0);
    }

    QVector<QPair<QString, QString>> values;
    for (const auto& [column, value] : record.values)
        values.append({QString::fromStdString(column), QString::fromStdString(value)});
    addRowGroup(tr("%1, row %2").arg(catalogName).arg(m_galaxy.row), values);
    m_neighbourPlaceholder = new QTreeWidgetItem(
        m_rows, {tr("Other catalogs within %1″").arg(NeighbourFinder::kRadiusArcsec), tr("searching…")});
    m_neighbours->find(m_session->path(), record.ra, record.dec, m_galaxy.catalogId);
    m_rows->resizeColumnToContents(0);

    showLabel();
    showHistory();
    showPredictions();
}

void GalaxyInspector::showNeighbours(const QVector<NeighbourRow>& rows)
{
    if (!m_galaxy.valid()) return;
    m_neighbourCount = rows.size();
    if (m_neighbourPlaceholder && rows.isEmpty()) {
        m_neighbourPlaceholder->setText(1, tr("none"));
    } else if (m_neighbourPlaceholder) {
        delete m_neighbourPlaceholder;
        m_neighbourPlaceholder = nullptr;
    }
    for (const NeighbourRow& n : rows)
        addRowGroup(
            tr("%1, row %2 — %3″ away").arg(n.catalogName).arg(n.row).arg(n.separationArcsec, 0, 'f', 2),
            n.values);
    Q_EMIT neighboursShown();
}

void GalaxyInspector::showLabel()
{
    const auto label = m_session ? m_session->labels().current(m_galaxy) : std::nullopt;
    if (!label) {
        m_label->setText(tr("no hand label"));
        m_label->setStyleSheet(QStringLiteral("QLabel { color: palette(mid); border: 1px solid palette(mid); "
                                              "border-radius: 4px; padding: 3px 8px; }"));
        return;
    }
    m_label->setText(rm::ui::labelText(*label));
    m_label->setStyleSheet(QStringLiteral("QLabel { color: white; background: %1; border-radius: 4px; "
                                          "padding: 3px 8px; font-weight: bold; }")
                               .arg(labelColor(label->label).name()));
}

void GalaxyInspector::showHistory()
{
    m_history->clear();
    if (!m_session) return;
    const auto events = m_session->labels().history(m_galaxy);
    for (auto it = events.rbegin(); it != events.rend(); ++it) { // newest first
        QString value = tr("(none)");
        if (it->label) {
            rm::CurrentLabel l;
            l.label = *it->label;
            l.ringType = it->ringType;
            value = rm::ui::labelText(l);
        }
        new QTreeWidgetItem(m_history,
                            {QString::fromStdString(it->createdAt), QString::fromStdString(it->author),
                             QString::fromStdString(it->action), value});
    }
    for (int c = 0; c < 3; ++c)
        m_history->resizeColumnToContents(c);
}

void GalaxyInspector::showPredictions()
{
    m_predictions->clear();
    if (!m_session || !m_galaxy.valid()) return;
    RunResults& results = m_session->results();
    const qint64 badge = results.badgeRunId();
    for (const GalaxyScore& s : results.scoresOf(m_galaxy)) {
        const RunRow* run = results.run(s.runId);
        const bool ring = double(s.score) >= s.threshold;
        auto* item = new QTreeWidgetItem(m_predictions, {run ? run->shortTitle() : QString::number(s.runId),
                                                         s.split, QString::number(s.score, 'f', 3),
                                                         ring ? tr("ring") : tr("not ring"),
                                                         s.label == 1 ? tr("ring") : tr("not ring")});
        item->setToolTip(0, run ? run->title() : QString());
        item->setToolTip(3, tr("at the run's threshold %1").arg(s.threshold, 0, 'f', 3));
        item->setTextAlignment(2, Qt::AlignRight | Qt::AlignVCenter);
        // A wrong call stands out; the badge run (the thumbnails' scores) is bold.
        if (ring != (s.label == 1)) item->setForeground(3, QColor(214, 69, 65));
        if (s.runId == badge) {
            QFont bold = item->font(0);
            bold.setBold(true);
            for (int c = 0; c < 5; ++c)
                item->setFont(c, bold);
        }
    }
    if (m_predictions->topLevelItemCount() == 0)
        new QTreeWidgetItem(m_predictions, {tr("no finished run scored this galaxy")});
    for (int c = 0; c < 4; ++c)
        m_predictions->resizeColumnToContents(c);
}

} // namespace rm::ui

#include "results/ReviewQueuePanel.h"

#include "cutouts/CutoutModel.h"
#include "labels/LabelController.h"
#include "mining/MinedCandidates.h"
#include "project/ProjectSession.h"
#include "results/GalleryGrid.h"
#include "results/RunResults.h"
#include "targets/LabelConflicts.h"
#include "targets/TargetSetBuilder.h"

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSet>
#include <QTimer>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

#include <optional>

namespace rm::ui {

ReviewQueuePanel::ReviewQueuePanel(GalaxySelection* selection, QWidget* parent)
    : QWidget(parent), m_grid(new GalleryGrid(selection, this))
{
    m_mode = new QComboBox(this);
    m_mode->addItem(tr("Nearest the threshold"), int(NearThreshold));
    m_mode->addItem(tr("Runs disagree most"), int(Disagreement));
    m_mode->addItem(tr("Catalogs disagree (label conflicts)"), int(Conflicts));
    m_mode->addItem(tr("Mined candidates (likeliest first)"), int(Candidates));
    m_mode->addItem(tr("Mined candidates (least certain first)"), int(CandidatesUncertain));
    m_mode->setToolTip(
        tr("Nearest the threshold: the run is least sure.\n"
           "Runs disagree most: the largest spread (standard deviation) of the finished runs' "
           "scores.\n"
           "Catalogs disagree: a target set's label contradicted by another catalog within 5\" "
           "(a rings catalog lists a galaxy labelled not ring, ...); your label overrides the "
           "catalogs' when the target set is built again.\n"
           "Mined candidates: the galaxies a mining run put above its threshold, highest p_ring first, "
           "each marked new or known (matched to a rings catalog); your labels confirm or reject them.\n"
           "Mined candidates, least certain first: every galaxy a mining run scored, nearest its threshold "
           "first (on either side; the larger TTA spread first among equals): the labels that move the "
           "threshold most."));
    m_runs = new QComboBox(this);
    m_runs->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_skipLabelled = new QCheckBox(tr("Skip hand-labelled"), this);
    m_skipLabelled->setChecked(true);
    auto* startButton = new QPushButton(tr("Start review"), this);
    startButton->setToolTip(tr("Go to the first galaxy of the queue; then R / N / U label it and go on"));
    m_summary = new QLabel(this);
    m_summary->setStyleSheet(QStringLiteral("QLabel { color: palette(mid); }"));
    m_summary->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    m_current = new QLabel(this);
    m_current->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    auto* keys = new QLabel(tr("R ring · N not · U unsure · 1–5 type · Z undo · Space skip"), this);
    keys->setStyleSheet(QStringLiteral("QLabel { color: palette(mid); }"));
    keys->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);

    auto* bar = new QHBoxLayout;
    bar->setContentsMargins(0, 0, 0, 0);
    bar->addWidget(m_mode);
    bar->addWidget(m_runs);
    bar->addWidget(m_skipLabelled);
    bar->addWidget(startButton);
    bar->addWidget(m_summary, 1);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->setSpacing(4);
    layout->addLayout(bar);
    layout->addWidget(m_current);
    layout->addWidget(m_grid, 1);
    layout->addWidget(keys);

    connect(m_mode, &QComboBox::activated, this, [this] { rebuild(); });
    connect(m_runs, &QComboBox::activated, this, [this] { rebuild(); });
    connect(m_skipLabelled, &QCheckBox::toggled, this, [this] { rebuild(); });
    connect(startButton, &QPushButton::clicked, this, &ReviewQueuePanel::start);
    connect(m_grid, &GalleryGrid::statusMessage, this, &ReviewQueuePanel::statusMessage);
    connect(m_grid->selectionModel(), &QItemSelectionModel::currentChanged, this,
            &ReviewQueuePanel::showCurrentItem);
    setSession(nullptr);
}

void ReviewQueuePanel::setSession(ProjectSession* session)
{
    for (const auto& c : m_connections)
        disconnect(c);
    m_connections.clear();
    m_session = session;
    m_grid->setSession(session);
    if (session) {
        RunResults* results = &session->results();
        m_connections << connect(results, &RunResults::runsChanged, this,
                                 [this] {
                                     fillRunBox();
                                     rebuild();
                                 })
                      << connect(results, &RunResults::badgeRunChanged, this,
                                 [this] {
                                     if (mode() == NearThreshold && m_runs->currentIndex() <= 0) rebuild();
                                 })
                      << connect(&session->labels(), &LabelController::labelChanged, this,
                                 &ReviewQueuePanel::onLabelChanged)
                      << connect(session, &ProjectSession::minedCandidatesChanged, this, [this] {
                             if (mode() == Candidates || mode() == CandidatesUncertain) rebuild();
                         });
    }
    fillRunBox();
    rebuild();
}

void ReviewQueuePanel::fillRunBox()
{
    const qint64 chosen = m_runs->currentData().toLongLong();
    m_runs->clear();
    m_runs->addItem(tr("Badge run (picked, else best)"), qint64(0));
    if (m_session)
        for (const RunRow& r : m_session->results().runs())
            if (r.done()) m_runs->addItem(r.title(), qint64(r.run.id));
    m_runs->setCurrentIndex(qMax(0, m_runs->findData(chosen)));
}

void ReviewQueuePanel::setMode(Mode mode)
{
    m_mode->setCurrentIndex(m_mode->findData(int(mode)));
    rebuild();
}

ReviewQueuePanel::Mode ReviewQueuePanel::mode() const
{
    return Mode(m_mode->currentData().toInt());
}

void ReviewQueuePanel::setRun(qint64 runId)
{
    m_runs->setCurrentIndex(qMax(0, m_runs->findData(runId)));
    rebuild();
}

void ReviewQueuePanel::setSkipLabelled(bool skip)
{
    if (m_skipLabelled->isChecked() == skip) return;
    m_skipLabelled->setChecked(skip); // toggled rebuilds
}

void ReviewQueuePanel::onLabelChanged()
{
    showCurrentItem();
    if (!m_skipLabelled->isChecked() || m_rebuildPending) return;
    // After the event that saved the label: the label keys may still move to the next galaxy, and the
    // rebuilt queue keeps whichever galaxy is current then.
    m_rebuildPending = true;
    QTimer::singleShot(0, this, [this] {
        m_rebuildPending = false;
        rebuild();
    });
}

void ReviewQueuePanel::rebuild()
{
    // The galaxy in view stays in view when it is still queued; when it left the queue (it was just
    // labelled), the one that took its place comes up.
    const int oldRow = m_grid->currentIndex().row();
    std::optional<GalaxyId> current;
    if (oldRow >= 0 && oldRow < int(m_queue.size())) current = m_queue[std::size_t(oldRow)].galaxy;
    m_queue.clear();
    m_runs->setEnabled(mode() == NearThreshold);
    double threshold = 0.5;
    if (m_session) {
        RunResults& results = m_session->results();
        if (mode() == NearThreshold) {
            const qint64 chosen = m_runs->currentData().toLongLong();
            const qint64 id = chosen != 0 ? chosen : results.badgeRunId();
            if (const RunRow* run = results.run(id)) {
                threshold = run->threshold();
                m_queue = orderByThreshold(results.predictions(id), threshold);
            }
        } else if (mode() == Disagreement) {
            std::vector<const std::vector<RunPrediction>*> runs;
            for (qint64 id : results.doneRunIds())
                runs.push_back(&results.predictions(id));
            m_queue = orderByDisagreement(runs);
        } else if (mode() == Conflicts) {
            m_queue = conflictQueue();
        } else {
            m_queue = candidateQueue(mode() == CandidatesUncertain);
        }
        if (m_skipLabelled->isChecked()) {
            LabelController& labels = m_session->labels();
            m_queue.erase(
                std::remove_if(m_queue.begin(), m_queue.end(),
                               [&](const ReviewItem& i) { return labels.current(i.galaxy).has_value(); }),
                m_queue.end());
        }
    }
    std::vector<GalaxyId> galaxies;
    QHash<GalaxyId, float> scores;
    galaxies.reserve(m_queue.size());
    for (const ReviewItem& i : m_queue) {
        galaxies.push_back(i.galaxy);
        if (std::isfinite(i.score)) scores.insert(i.galaxy, float(i.score));
    }
    m_grid->setGalaxies(std::move(galaxies), std::move(scores), threshold);
    if (!m_session)
        m_summary->setText(tr("No project open"));
    else if (m_queue.empty())
        m_summary->setText(mode() == NearThreshold ? tr("Nothing to review: no finished run, or all labelled")
                           : mode() == Disagreement ? tr("Nothing to review: needs two finished runs")
                           : mode() == Conflicts    ? tr("No label conflicts: no other catalog contradicts a "
                                                            "target set (or all are hand-labelled)")
                           : m_candidatesPending
                               ? tr("Reading the mined candidates…")
                               : tr("No mined candidates: mine a catalog with sky positions "
                                    "first (Mining panel), or all are hand-labelled"));
    else
        m_summary->setText(tr("%L1 galaxies to review").arg(m_queue.size()));
    if (current && !m_queue.empty()) {
        int row = std::min(oldRow, int(m_queue.size()) - 1);
        for (std::size_t i = 0; i < m_queue.size(); ++i)
            if (m_queue[i].galaxy == *current) row = int(i);
        m_grid->showRow(row);
    }
    showCurrentItem();
}

std::vector<ReviewItem> ReviewQueuePanel::conflictQueue()
{
    std::vector<ReviewItem> queue;
    if (!m_session) return queue;
    QHash<GalaxyId, float> badgeScores;
    RunResults& results = m_session->results();
    if (results.run(results.badgeRunId()))
        for (const RunPrediction& p : results.predictions(results.badgeRunId()))
            badgeScores.insert(p.galaxy, p.score);
    QSet<GalaxyId> seen;
    try {
        // A few hundred targets against a few catalogs: milliseconds, so it runs here.
        rm::ProjectStore& store = m_session->store();
        for (const std::string& set : rm::targetSetNames(store))
            for (const rm::TargetLabelConflict& c : rm::targetLabelConflicts(store, set)) {
                const GalaxyId g{c.catalogId, c.row};
                if (seen.contains(g)) continue;
                seen.insert(g);
                ReviewItem item;
                item.galaxy = g;
                item.key = c.separationArcsec;
                item.score = badgeScores.value(g, NAN);
                item.label = c.label;
                item.note = QString::fromStdString(c.description);
                queue.push_back(std::move(item));
            }
    } catch (const std::exception& e) {
        Q_EMIT statusMessage(tr("Cannot list label conflicts: %1").arg(QString::fromUtf8(e.what())));
    }
    return queue;
}

std::vector<ReviewItem> ReviewQueuePanel::candidateQueue(bool uncertainFirst)
{
    // Read on workers by the session: until every candidates catalog is read, the queue holds those that are.
    std::vector<ReviewItem> queue;
    m_candidatesPending = false;
    if (!m_session) return queue;
    for (const rm::CatalogInfo& c : m_session->catalogs()) {
        if (c.role != rm::CatalogRole::Candidates) continue;
        std::vector<rm::MinedCandidate> rows;
        for (const auto& [row, candidate] : m_session->minedCandidates(c.id))
            if (uncertainFirst || candidate.isRing) rows.push_back(candidate);
        m_candidatesPending = m_candidatesPending || m_session->minedCandidatesPending(c.id);
        if (const QString error = m_session->minedCandidatesError(c.id); !error.isEmpty())
            Q_EMIT statusMessage(tr("Cannot list mined candidates: %1").arg(error));
        // Each catalog was cut at its own threshold.
        const double threshold = uncertainFirst ? rm::impliedThreshold(rows) : NAN;
        for (const rm::MinedCandidate& candidate : rows) {
            ReviewItem item;
            item.galaxy = GalaxyId{candidate.catalogId, candidate.row};
            item.score = candidate.pRing;
            item.spread = std::isfinite(candidate.pRingStd) ? candidate.pRingStd : 0.0;
            // Rounded, so that the two rows either side of the threshold (equally far by construction) tie
            // exactly and the TTA spread decides between them.
            item.key =
                std::round((uncertainFirst ? std::abs(candidate.pRing - threshold) : 1.0 - candidate.pRing) *
                           1e9) /
                1e9;
            item.note = QString::fromStdString(candidate.describe());
            if (uncertainFirst && std::isfinite(threshold))
                item.note += tr(", %1 from the threshold %2")
                                 .arg(std::abs(candidate.pRing - threshold), 0, 'f', 3)
                                 .arg(threshold, 0, 'f', 3);
            if (std::isfinite(candidate.pRingStd))
                item.note += tr(", TTA spread %1").arg(candidate.pRingStd, 0, 'f', 3);
            queue.push_back(std::move(item));
        }
    }
    std::stable_sort(queue.begin(), queue.end(), [](const ReviewItem& a, const ReviewItem& b) {
        if (a.key != b.key) return a.key < b.key;
        return a.spread > b.spread;
    });
    return queue;
}

void ReviewQueuePanel::start()
{
    if (m_queue.empty()) return;
    m_grid->setFocus();
    m_grid->showRow(0);
}

void ReviewQueuePanel::showCurrentItem()
{
    const int row = m_grid->currentIndex().row();
    if (row < 0 || row >= int(m_queue.size())) {
        m_current->setText(m_queue.empty() ? QString() : tr("Press Start review, or click a galaxy"));
        return;
    }
    const ReviewItem& item = m_queue[std::size_t(row)];
    QString what =
        !item.note.isEmpty() ? item.note.toHtmlEscaped()
        : mode() == NearThreshold
            ? tr("score %1, %2 from the threshold").arg(item.score, 0, 'f', 3).arg(item.key, 0, 'f', 3)
            : tr("mean score %1 over %2 runs, std %3, spread %4")
                  .arg(item.score, 0, 'f', 3)
                  .arg(item.runs)
                  .arg(item.key, 0, 'f', 3)
                  .arg(item.spread, 0, 'f', 2);
    // Mined candidates are in no target set: their line says new or known instead (in `what`).
    const QString target = mode() == Candidates ? QString()
                           : item.label == 1    ? tr(" · target set: ring")
                           : item.label == 0    ? tr(" · target set: not ring")
                                                : tr(" · target set: mixed");
    QString label = tr("no hand label");
    if (m_session)
        if (auto l = m_session->labels().current(item.galaxy)) label = tr("labelled %1").arg(labelText(*l));
    m_current->setText(tr("<b>%1 of %2</b> · %3 · %4%5 · %6")
                           .arg(row + 1)
                           .arg(m_queue.size())
                           .arg(m_session ? m_session->caption(item.galaxy).toHtmlEscaped() : QString())
                           .arg(what, target, label));
}

} // namespace rm::ui

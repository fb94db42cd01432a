#include "results/ReviewQueuePanel.h"

#include "cutouts/CutoutModel.h"
#include "labels/LabelController.h"
#include "mining/MinedCandidates.h"
#include "project/ProjectSession.h"
#include "results/GalleryGrid.h"
#include "results/RunResults.h"
#include "targets/LabelConflicts.h"
#include "targets/TargetSetBuilder.h"
#include "tasks/TaskManager.h"
#include "training/RunQueue.h"

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QSet>
#include <QTableWidget>
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
    m_mode->addItem(tr("Uncertain first, diverse"), int(UncertainDiverse));
    m_mode->setToolTip(tr(
        "Nearest the threshold: the run is least sure.\n"
        "Runs disagree most: the largest spread (standard deviation) of the finished runs' "
        "scores.\n"
        "Catalogs disagree: a target set's label contradicted by another catalog within 5\" "
        "(a rings catalog lists a galaxy labelled not ring, ...); your label overrides the "
        "catalogs' when the target set is built again.\n"
        "Mined candidates: the galaxies a mining run put above its threshold, highest p_ring first, "
        "each marked new or known (matched to a rings catalog); your labels confirm or reject them.\n"
        "Mined candidates, least certain first: every galaxy a mining run scored, nearest its threshold "
        "first (on either side; the larger TTA spread first among equals): the labels that move the "
        "threshold most.\n"
        "Uncertain first, diverse: nearest the threshold, but none of the first 30 close to another of them "
        "or to a galaxy already labelled (in the run's profile features, else sky position), so the queue "
        "is not a run of near-duplicates."));
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

    m_retrain = new QPushButton(tr("Retrain with my labels"), this);
    m_retrain->setToolTip(
        tr("An active-learning round: build the run's target set again with your hand labels "
           "(a new set <set>-r<N>), retrain the same cell on it (same cross-validation), "
           "and refill this queue from the new run"));
    m_rounds = new QTableWidget(0, 5, this);
    m_rounds->setHorizontalHeaderLabels(
        {tr("Round"), tr("Labels added"), tr("CV ROC AUC [interval]"), tr("Before"), tr("Run")});
    m_rounds->verticalHeader()->hide();
    m_rounds->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_rounds->horizontalHeader()->setStretchLastSection(true);
    m_rounds->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_rounds->setMaximumHeight(110);
    m_rounds->setToolTip(
        tr("Active-learning rounds of this run's target set: hand labels each added, and the "
           "cross-validated ROC AUC with its bootstrap interval after it and before it"));

    auto* bar = new QHBoxLayout;
    bar->setContentsMargins(0, 0, 0, 0);
    bar->addWidget(m_mode);
    bar->addWidget(m_runs);
    bar->addWidget(m_skipLabelled);
    bar->addWidget(startButton);
    bar->addWidget(m_retrain);
    bar->addWidget(m_summary, 1);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->setSpacing(4);
    layout->addLayout(bar);
    layout->addWidget(m_current);
    layout->addWidget(m_grid, 1);
    layout->addWidget(keys);
    layout->addWidget(m_rounds);

    connect(m_mode, &QComboBox::activated, this, [this] { rebuild(); });
    connect(m_runs, &QComboBox::activated, this, [this] { rebuild(); });
    connect(m_skipLabelled, &QCheckBox::toggled, this, [this] { rebuild(); });
    connect(startButton, &QPushButton::clicked, this, &ReviewQueuePanel::start);
    connect(m_retrain, &QPushButton::clicked, this, [this] { retrainWithLabels(); });
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
    updateActiveLearning();
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
    m_runs->setEnabled(mode() == NearThreshold || mode() == UncertainDiverse);
    double threshold = 0.5;
    if (m_session) {
        RunResults& results = m_session->results();
        if (mode() == NearThreshold || mode() == UncertainDiverse) {
            const qint64 id = queueRunId();
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
        if (mode() == UncertainDiverse) {
            const qint64 id = queueRunId();
            auto f = m_features.find(id);
            if (f == m_features.end()) {
                diversify(id);
            } else {
                LabelController& labels = m_session->labels();
                std::vector<const std::vector<double>*> features, labelled;
                for (const ReviewItem& i : m_queue) {
                    auto v = f->second.byGalaxy.find({i.galaxy.catalogId, i.galaxy.row});
                    features.push_back(v == f->second.byGalaxy.end() ? nullptr : &v->second);
                }
                for (const auto& [galaxy, v] : f->second.byGalaxy)
                    if (labels.current(GalaxyId{galaxy.first, galaxy.second})) labelled.push_back(&v);
                std::vector<ReviewItem> ordered;
                for (std::size_t k : rm::diverseOrder(features, labelled, 30))
                    ordered.push_back(m_queue[k]);
                m_queue = std::move(ordered);
                m_space = QString::fromStdString(f->second.space);
            }
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
    else if (mode() == UncertainDiverse && m_featureTask)
        m_summary->setText(
            tr("%L1 galaxies to review (reading features to spread them…)").arg(m_queue.size()));
    else if (mode() == UncertainDiverse)
        m_summary->setText(tr("%L1 galaxies to review, spread in %2").arg(m_queue.size()).arg(m_space));
    else
        m_summary->setText(tr("%L1 galaxies to review").arg(m_queue.size()));
    if (current && !m_queue.empty()) {
        int row = std::min(oldRow, int(m_queue.size()) - 1);
        for (std::size_t i = 0; i < m_queue.size(); ++i)
            if (m_queue[i].galaxy == *current) row = int(i);
        m_grid->showRow(row);
    }
    showCurrentItem();
    updateActiveLearning();
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

qint64 ReviewQueuePanel::queueRunId() const
{
    if (!m_session) return 0;
    const qint64 chosen = m_runs->currentData().toLongLong();
    return chosen != 0 ? chosen : m_session->results().badgeRunId();
}

QString ReviewQueuePanel::diversitySpace() const
{
    return m_space;
}

void ReviewQueuePanel::diversify(qint64 runId)
{
    if (!m_session || runId == 0 || (m_featureTask && m_featureRun == runId)) return;
    const std::string path = m_session->path().toStdString();
    auto features = std::make_shared<rm::ReviewFeatures>();
    m_featureRun = runId;
    m_featureTask = TaskManager::instance()->run(
        tr("Review features of run %1").arg(runId),
        [path, runId, features](TaskContext& context) {
            *features = rm::reviewFeatures(path, runId, [&context] { return context.cancelled(); });
            return QString();
        },
        Task::Hidden);
    connect(m_featureTask, &Task::finished, this, [this, runId, features](bool ok, const QString& message) {
        m_featureTask = nullptr;
        if (!ok) {
            Q_EMIT statusMessage(tr("Cannot spread the queue: %1").arg(message));
            features->space = "no features";
        }
        m_features[runId] = std::move(*features);
        if (mode() == UncertainDiverse) rebuild();
    });
}

void ReviewQueuePanel::updateActiveLearning()
{
    const RunRow* run = m_session ? m_session->results().run(queueRunId()) : nullptr;
    const bool queueMode = mode() == NearThreshold || mode() == UncertainDiverse;
    std::size_t pending = 0;
    std::vector<rm::ActiveRound> rounds;
    if (run && run->done()) {
        try {
            rm::ProjectStore& store = m_session->store();
            if (rm::hasTargetSet(store, run->run.targetSet)) {
                pending = rm::pendingHandLabels(store, run->run.targetSet).added();
                rounds = rm::activeRounds(store, rm::activeBaseTargetSet(store, run->run.targetSet));
            }
        } catch (const std::exception& e) {
            Q_EMIT statusMessage(
                tr("Cannot read the active-learning rounds: %1").arg(QString::fromUtf8(e.what())));
        }
    }
    m_retrain->setEnabled(queueMode && run && pending > 0 && !m_roundTask);
    m_retrain->setText(m_roundTask ? tr("Retraining…")
                       : pending   ? tr("Retrain with my labels (%1)").arg(pending)
                                   : tr("Retrain with my labels"));
    auto auc = [](double v, double low, double high) {
        if (!std::isfinite(v)) return tr("n/a");
        if (!std::isfinite(low) || !std::isfinite(high)) return QString::number(v, 'f', 3);
        return tr("%1 [%2, %3]").arg(v, 0, 'f', 3).arg(low, 0, 'f', 3).arg(high, 0, 'f', 3);
    };
    m_rounds->setRowCount(int(rounds.size()));
    for (int r = 0; r < int(rounds.size()); ++r) {
        const rm::ActiveRound& a = rounds[std::size_t(r)];
        const QStringList cells = {QString::number(a.round), QString::number(a.labelsAdded),
                                   auc(a.cvAuc, a.cvLow, a.cvHigh),
                                   auc(a.prevCvAuc, a.prevCvLow, a.prevCvHigh),
                                   tr("#%1 (%2)").arg(a.runId).arg(QString::fromStdString(a.targetSet))};
        for (int c = 0; c < cells.size(); ++c)
            m_rounds->setItem(r, c, new QTableWidgetItem(cells[c]));
    }
    m_rounds->setVisible(!rounds.empty() || m_roundTask);
}

Task* ReviewQueuePanel::roundTask() const
{
    return m_roundTask;
}

bool ReviewQueuePanel::retrainWithLabels()
{
    const qint64 runId = queueRunId();
    if (!m_session || m_roundTask || runId == 0) return false;
    const std::string path = m_session->path().toStdString();
    auto stop = std::make_shared<std::atomic<int>>(0);
    auto newRun = std::make_shared<qint64>(0);
    m_roundTask = TaskManager::instance()->run(
        tr("Active-learning round from run %1").arg(runId),
        [path, runId, stop, newRun](TaskContext& context) {
            rm::ActiveRoundOptions o;
            o.projectPath = path;
            o.runId = runId;
            o.stop = stop.get();
            o.log = [&context](const std::string& line) { context.log(QString::fromStdString(line)); };
            o.progress = [&context](double fraction, const std::string& what) {
                context.setProgress(fraction, QString::fromStdString(what));
            };
            const rm::ActiveRoundResult r = rm::runActiveRound(o);
            if (r.cancelled) throw rm::Error("cancelled: nothing recorded");
            *newRun = r.round.runId;
            return tr("Round %1: %2 label(s) added, run %3, CV ROC AUC %4 (before %5)")
                .arg(r.round.round)
                .arg(r.round.labelsAdded)
                .arg(r.round.runId)
                .arg(r.round.cvAuc, 0, 'f', 3)
                .arg(r.round.prevCvAuc, 0, 'f', 3);
        });
    connect(m_roundTask, &Task::cancelRequested, m_roundTask.data(),
            [stop] { stop->store(int(rm::StopRequest::Cancel)); });
    connect(m_roundTask, &Task::finished, this, [this, newRun](bool ok, const QString& message) {
        m_roundTask = nullptr;
        if (ok && m_session) {
            m_session->results().refresh(); // the new run joins the run box
            m_runs->setCurrentIndex(qMax(0, m_runs->findData(*newRun)));
        }
        rebuild();
        Q_EMIT statusMessage(message);
        Q_EMIT roundFinished(ok, message);
    });
    updateActiveLearning();
    return true;
}

} // namespace rm::ui

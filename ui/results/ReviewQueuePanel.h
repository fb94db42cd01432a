#pragma once
// The review queue dock: galaxies in the order a hand label helps most (a run's scores nearest its
// threshold, the largest disagreement between the finished runs, or the galaxies whose target-set label
// another catalog contradicts, or the rings a mining run found, new and known, likeliest or least certain
// first), stepped through from the keyboard:
// R / N / U (1-5 for a ring type) label the current galaxy, saved at once, and the next one comes up.
//
// Active learning: "Uncertain first, diverse" orders like "Nearest the threshold" but spreads the first
// picks over the run's feature space (no two near each other or near a galaxy already labelled; see
// training/ActiveLearning.h), and "Retrain with my labels" (enabled once hand labels change the run's target
// set) runs an active-learning round as a task (status-bar progress, Cancel): the set rebuilt with the
// labels, the cell retrained, the queue refilled from the new run. The rounds table lists every round of
// the run's target set: labels added and cross-validated ROC AUC with its interval, before and after.
#include "results/ReviewOrder.h"
#include "training/ActiveLearning.h"

#include <QPointer>
#include <QWidget>

#include <map>

class QCheckBox;
class QComboBox;
class QLabel;
class QPushButton;
class QTableWidget;

namespace rm::ui {

class GalaxySelection;
class GalleryGrid;
class ProjectSession;
class Task;

class ReviewQueuePanel : public QWidget
{
    Q_OBJECT
public:
    enum Mode
    {
        NearThreshold,
        Disagreement,
        Conflicts,           // a target set's label disagrees with another catalog (targets/LabelConflicts.h)
        Candidates,          // mined candidates above their threshold, likeliest first, new and known alike
        CandidatesUncertain, // every scored mined galaxy, nearest its mining threshold first (TTA spread
                             // breaks ties)
        UncertainDiverse     // nearest the threshold, near-duplicates of a pick (or of a labelled galaxy)
                             // pushed back
    };

    explicit ReviewQueuePanel(GalaxySelection* selection, QWidget* parent = nullptr);

    void setSession(ProjectSession* session);
    void setMode(Mode mode);
    Mode mode() const;
    void setRun(qint64 runId);       // for NearThreshold; 0 = the badge run
    void setSkipLabelled(bool skip); // leave out galaxies that already have a hand label
    void rebuild();                  // orders the queue again (labels given since then count)

    const std::vector<ReviewItem>& queue() const { return m_queue; }
    GalleryGrid* grid() const { return m_grid; }
    // Makes the queue's first galaxy current and gives the grid the keyboard.
    void start();

    // Active learning: the run the queue orders (the chosen run, else the badge run; 0 when none), the
    // round's button, the rounds table, and the running round's task (null when none).
    qint64 queueRunId() const;
    QPushButton* retrainButton() const { return m_retrain; }
    QTableWidget* roundsTable() const { return m_rounds; }
    Task* roundTask() const;
    // Starts a round on queueRunId() (what the button does); false when there is nothing to start.
    bool retrainWithLabels();
    // The feature space the diverse order used ("" until its features are read).
    QString diversitySpace() const;

Q_SIGNALS:
    void statusMessage(QString text);
    void roundFinished(bool ok, QString message);

private:
    void fillRunBox();
    std::vector<ReviewItem> conflictQueue();
    std::vector<ReviewItem> candidateQueue(bool uncertainFirst);
    bool m_candidatesPending = false; // a candidates catalog is still being read (the queue fills after)
    void showCurrentItem();
    void onLabelChanged();       // with "Skip hand-labelled", a galaxy labelled anywhere leaves the queue
    void updateActiveLearning(); // the button's state and the rounds table
    void diversify(qint64 runId);

    QPointer<ProjectSession> m_session;
    QComboBox* m_mode;
    QComboBox* m_runs;
    QCheckBox* m_skipLabelled;
    bool m_rebuildPending = false;
    QLabel* m_summary;
    QLabel* m_current;
    GalleryGrid* m_grid;
    std::vector<ReviewItem> m_queue;
    QList<QMetaObject::Connection> m_connections;
    QPushButton* m_retrain;
    QTableWidget* m_rounds;
    QPointer<Task> m_roundTask;
    std::map<qint64, rm::ReviewFeatures> m_features; // by run id, read on a task
    QPointer<Task> m_featureTask;
    qint64 m_featureRun = 0; // the run m_featureTask reads
    QString m_space;
};

} // namespace rm::ui

#pragma once
// The review queue dock: galaxies in the order a hand label helps most (a run's scores nearest its
// threshold, the largest disagreement between the finished runs, or the galaxies whose target-set label
// another catalog contradicts, or the rings a mining run found, new and known, likeliest or least certain
// first), stepped through from the keyboard:
// R / N / U (1-5 for a ring type) label the current galaxy, saved at once, and the next one comes up.
#include "results/ReviewOrder.h"

#include <QPointer>
#include <QWidget>

class QCheckBox;
class QComboBox;
class QLabel;

namespace rm::ui {

class GalaxySelection;
class GalleryGrid;
class ProjectSession;

class ReviewQueuePanel : public QWidget
{
    Q_OBJECT
public:
    enum Mode
    {
        NearThreshold,
        Disagreement,
        Conflicts,          // a target set's label disagrees with another catalog (targets/LabelConflicts.h)
        Candidates,         // mined candidates above their threshold, likeliest first, new and known alike
        CandidatesUncertain // every scored mined galaxy, nearest its mining threshold first (TTA spread
                            // breaks ties)
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

Q_SIGNALS:
    void statusMessage(QString text);

private:
    void fillRunBox();
    std::vector<ReviewItem> conflictQueue();
    std::vector<ReviewItem> candidateQueue(bool uncertainFirst);
    bool m_candidatesPending = false; // a candidates catalog is still being read (the queue fills after)
    void showCurrentItem();
    void onLabelChanged(); // with "Skip hand-labelled", a galaxy labelled anywhere leaves the queue

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
};

} // namespace rm::ui

#pragma once
// The curves of one training run: training loss per step (raw and smoothed), training and validation loss
// per epoch, and validation ROC AUC per epoch below (beside, in a wide and low dock). Fed live from the
// training controller, or filled from the epoch history of a finished run. The x axis is in epochs for every
// curve, so step and epoch points line up (a step's x is its epoch plus the fraction of the epoch done).
// A semi-supervised run adds its unlabelled loss to the loss plot and its pseudo-label mask rate to the AUC
// plot (both shown only when the run has them).
#include <QWidget>

#include <vector>

class QCustomPlot;
class QCPGraph;
class QCPItemStraightLine;
class QCPItemText;
class QLabel;
class QSplitter;

namespace rm {
struct StepEvent;
struct EpochEvent;
} // namespace rm

namespace rm::ui {

class LossCurvesView : public QWidget
{
    Q_OBJECT
public:
    // Graph indices of lossPlot() and aucPlot().
    enum LossGraph
    {
        StepLoss = 0,
        SmoothedStepLoss,
        EpochTrainLoss,
        EpochValLoss,
        EpochUnlabelledLoss // semi-supervised runs: the unlabelled (pseudo-label) loss per epoch
    };
    enum AucGraph
    {
        EpochValAuc = 0,
        EpochMaskRate // semi-supervised runs: the fraction of unlabelled images pseudo-labelled
    };

    explicit LossCurvesView(QWidget* parent = nullptr);

    void clear(const QString& title);
    void addSteps(const std::vector<rm::StepEvent>& steps);
    void addEpoch(const rm::EpochEvent& epoch);
    void showHistory(const QString& title, const std::vector<rm::EpochEvent>& epochs);
    void setPlannedEpochs(int epochs); // the x range to expect
    // How the run picks the epoch it keeps ("lowest val loss"), shown on the kept-epoch marker.
    void setSelectionCriterion(const QString& text);
    // The 1-based epoch whose weights the run keeps (the last one marked best), 0 before any.
    int keptEpoch() const { return m_keptEpoch; }

    QCustomPlot* lossPlot() const { return m_loss; }
    QCustomPlot* aucPlot() const { return m_auc; }
    QString title() const;

protected:
    void resizeEvent(QResizeEvent* event) override;

private:
    void rescale();

    QLabel* m_title;
    QSplitter* m_split;
    QCustomPlot* m_loss;
    QCustomPlot* m_auc;
    double m_smoothed = 0;
    int m_smoothedCount = 0;
    int m_plannedEpochs = 0;
    int m_keptEpoch = 0;
    QString m_criterion;
    // The kept epoch as a dashed vertical line on both plots, labelled on the loss plot.
    QCPItemStraightLine* m_keptOnLoss;
    QCPItemStraightLine* m_keptOnAuc;
    QCPItemText* m_keptLabel;
    void placeKeptMarker();
};

} // namespace rm::ui

#pragma once
// The curves of one training run: training loss per step (raw and smoothed), training and validation loss
// per epoch, and validation ROC AUC per epoch below (beside, in a wide and low dock). Fed live from the
// training controller, or filled from the epoch history of a finished run. The x axis is in epochs for every
// curve, so step and epoch points line up (a step's x is its epoch plus the fraction of the epoch done).
#include <QWidget>

#include <vector>

class QCustomPlot;
class QCPGraph;
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
        EpochValLoss
    };
    enum AucGraph
    {
        EpochValAuc = 0
    };

    explicit LossCurvesView(QWidget* parent = nullptr);

    void clear(const QString& title);
    void addSteps(const std::vector<rm::StepEvent>& steps);
    void addEpoch(const rm::EpochEvent& epoch);
    void showHistory(const QString& title, const std::vector<rm::EpochEvent>& epochs);
    void setPlannedEpochs(int epochs); // the x range to expect

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
};

} // namespace rm::ui

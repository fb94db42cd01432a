#include "training/LossCurvesView.h"

#include "training/PlotStyle.h"
#include "training/Trainer.h"

#include "training/QCustomPlotInclude.h"
#include <QLabel>
#include <QSplitter>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace rm::ui {

namespace {

constexpr double kSmoothing = 0.9; // exponential moving average of the step loss, bias-corrected

QCPGraph* addGraph(QCustomPlot* plot, const QString& name, const QColor& colour, double width,
                   QCPScatterStyle::ScatterShape scatter = QCPScatterStyle::ssNone)
{
    QCPGraph* g = plot->addGraph();
    g->setName(name);
    g->setPen(QPen(colour, width));
    if (scatter != QCPScatterStyle::ssNone) g->setScatterStyle(QCPScatterStyle(scatter, colour, colour, 6));
    return g;
}

} // namespace

LossCurvesView::LossCurvesView(QWidget* parent) : QWidget(parent)
{
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    m_title = new QLabel(this);
    m_title->setObjectName(QStringLiteral("curvesTitle"));
    layout->addWidget(m_title);
    m_split = new QSplitter(Qt::Vertical, this);
    m_loss = new QCustomPlot(m_split);
    m_loss->setObjectName(QStringLiteral("lossPlot"));
    m_auc = new QCustomPlot(m_split);
    m_auc->setObjectName(QStringLiteral("aucPlot"));
    m_split->addWidget(m_loss);
    m_split->addWidget(m_auc);
    m_split->setStretchFactor(0, 3);
    m_split->setStretchFactor(1, 2);
    layout->addWidget(m_split, 1);

    for (QCustomPlot* p : {m_loss, m_auc}) {
        p->setMinimumHeight(90);
        stylePlot(p);
        p->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    }
    QColor stepColour = seriesColour(0);
    stepColour.setAlpha(70);
    addGraph(m_loss, tr("train loss, per step"), stepColour, 1);
    addGraph(m_loss, tr("train loss, smoothed"), seriesColour(0), 1.5);
    addGraph(m_loss, tr("train loss, per epoch"), seriesColour(0).lighter(140), 2, QCPScatterStyle::ssDisc);
    addGraph(m_loss, tr("validation loss, per epoch"), seriesColour(1), 2, QCPScatterStyle::ssDisc);
    addGraph(m_loss, tr("unlabelled loss, per epoch"), seriesColour(3), 2, QCPScatterStyle::ssSquare);
    m_loss->xAxis->setLabel(tr("epoch"));
    m_loss->yAxis->setLabel(tr("loss (weighted BCE)"));
    m_loss->legend->setVisible(true);
    m_loss->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignRight);

    addGraph(m_auc, tr("validation ROC AUC"), seriesColour(2), 2, QCPScatterStyle::ssDisc);
    addGraph(m_auc, tr("pseudo-label mask rate"), seriesColour(3), 2, QCPScatterStyle::ssSquare);
    m_auc->xAxis->setLabel(tr("epoch"));
    m_auc->yAxis->setLabel(tr("val ROC AUC"));
    m_auc->legend->setVisible(true);
    m_auc->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignBottom | Qt::AlignRight);

    QPen kept(QColor(0x8e, 0x6c, 0xc0), 1.2, Qt::DashLine);
    m_keptOnLoss = new QCPItemStraightLine(m_loss);
    m_keptOnAuc = new QCPItemStraightLine(m_auc);
    for (QCPItemStraightLine* line : {m_keptOnLoss, m_keptOnAuc})
        line->setPen(kept);
    m_keptLabel = new QCPItemText(m_loss);
    m_keptLabel->setColor(kept.color());
    m_keptLabel->setPositionAlignment(Qt::AlignLeft | Qt::AlignTop);
    m_keptLabel->position->setTypeY(QCPItemPosition::ptAxisRectRatio);
    m_criterion = tr("lowest val loss");
    clear(tr("No training yet: start the experiment matrix, or pick a finished run"));
}

QString LossCurvesView::title() const
{
    return m_title->text();
}

void LossCurvesView::clear(const QString& title)
{
    m_title->setText(title);
    for (int i = 0; i < m_loss->graphCount(); ++i)
        m_loss->graph(i)->data()->clear();
    for (int i = 0; i < m_auc->graphCount(); ++i)
        m_auc->graph(i)->data()->clear();
    m_smoothed = 0;
    m_smoothedCount = 0;
    m_plannedEpochs = 0;
    m_keptEpoch = 0;
    placeKeptMarker();
    rescale();
}

void LossCurvesView::setSelectionCriterion(const QString& text)
{
    m_criterion = text;
    placeKeptMarker();
}

void LossCurvesView::placeKeptMarker()
{
    const bool shown = m_keptEpoch > 0;
    for (QCPItemStraightLine* line : {m_keptOnLoss, m_keptOnAuc}) {
        line->setVisible(shown);
        line->point1->setCoords(m_keptEpoch, 0);
        line->point2->setCoords(m_keptEpoch, 1);
    }
    m_keptLabel->setVisible(shown);
    m_keptLabel->setText(tr(" kept: epoch %1 (%2)").arg(m_keptEpoch).arg(m_criterion));
    m_keptLabel->position->setCoords(m_keptEpoch, 0.02);
}

void LossCurvesView::resizeEvent(QResizeEvent* event)
{
    QWidget::resizeEvent(event);
    // Stacked in a low dock, each plot would be a sliver with its axis label cut off: side by side there.
    const Qt::Orientation o = width() > 2 * height() ? Qt::Horizontal : Qt::Vertical;
    if (m_split->orientation() == o) return;
    m_split->setOrientation(o);
    // Narrow beside the loss plot, the AUC plot has no room for a legend that only repeats its axis label.
    m_auc->legend->setVisible(o == Qt::Vertical);
    m_auc->replot(QCustomPlot::rpQueuedReplot);
}

void LossCurvesView::setPlannedEpochs(int epochs)
{
    m_plannedEpochs = epochs;
    rescale();
}

void LossCurvesView::addSteps(const std::vector<rm::StepEvent>& steps)
{
    QCPGraph* raw = m_loss->graph(StepLoss);
    QCPGraph* smooth = m_loss->graph(SmoothedStepLoss);
    for (const rm::StepEvent& s : steps) {
        if (!std::isfinite(s.loss)) continue;
        const double x = s.epoch + double(s.step + 1) / std::max(1, s.stepsPerEpoch);
        raw->addData(x, s.loss);
        m_smoothed = kSmoothing * m_smoothed + (1 - kSmoothing) * s.loss;
        ++m_smoothedCount;
        smooth->addData(x, m_smoothed / (1 - std::pow(kSmoothing, m_smoothedCount)));
    }
    rescale();
}

void LossCurvesView::addEpoch(const rm::EpochEvent& e)
{
    const double x = e.epoch + 1;
    if (std::isfinite(e.trainLoss)) m_loss->graph(EpochTrainLoss)->addData(x, e.trainLoss);
    if (std::isfinite(e.valLoss)) m_loss->graph(EpochValLoss)->addData(x, e.valLoss);
    if (std::isfinite(e.valAuc)) m_auc->graph(EpochValAuc)->addData(x, e.valAuc);
    if (std::isfinite(e.unlabelledLoss)) m_loss->graph(EpochUnlabelledLoss)->addData(x, e.unlabelledLoss);
    if (std::isfinite(e.maskRate)) m_auc->graph(EpochMaskRate)->addData(x, e.maskRate);
    if (e.best) {
        m_keptEpoch = e.epoch + 1;
        placeKeptMarker();
    }
    rescale();
}

void LossCurvesView::showHistory(const QString& title, const std::vector<rm::EpochEvent>& epochs)
{
    clear(title);
    for (const rm::EpochEvent& e : epochs)
        addEpoch(e);
    m_plannedEpochs = int(epochs.size());
    rescale();
}

void LossCurvesView::rescale()
{
    bool found = false;
    QCPRange loss = m_loss->graph(StepLoss)->data()->valueRange(found);
    for (int g : {SmoothedStepLoss, EpochTrainLoss, EpochValLoss, EpochUnlabelledLoss}) {
        bool f = false;
        const QCPRange r = m_loss->graph(g)->data()->valueRange(f);
        if (f) loss = found ? QCPRange(std::min(loss.lower, r.lower), std::max(loss.upper, r.upper)) : r;
        found = found || f;
    }
    // Fitted to the data with a margin, as TensorBoard does: a loss that moves from 0.69 to 0.66 is a trend
    // worth seeing, which an axis from 0 would flatten.
    if (found) {
        const double pad = std::max(0.02, (loss.upper - loss.lower) * 0.08);
        m_loss->yAxis->setRange(std::max(0.0, loss.lower - pad), loss.upper + pad);
    } else {
        m_loss->yAxis->setRange(0, 1);
    }
    double xMax = std::max(1, m_plannedEpochs);
    for (int g = 0; g < m_loss->graphCount(); ++g)
        if (!m_loss->graph(g)->data()->isEmpty())
            xMax = std::max(xMax, (m_loss->graph(g)->data()->constEnd() - 1)->key);
    m_loss->xAxis->setRange(0, xMax);
    m_auc->xAxis->setRange(0, xMax);
    // The semi-supervised curves only in a run that has them (in the legend too).
    for (QCPGraph* g : {m_loss->graph(EpochUnlabelledLoss), m_auc->graph(EpochMaskRate)}) {
        const bool has = !g->data()->isEmpty();
        g->setVisible(has);
        if (has)
            g->addToLegend();
        else
            g->removeFromLegend();
    }
    bool aucFound = false;
    QCPRange auc = m_auc->graph(EpochValAuc)->data()->valueRange(aucFound);
    bool maskFound = false;
    const QCPRange mask = m_auc->graph(EpochMaskRate)->data()->valueRange(maskFound);
    if (maskFound) auc = aucFound ? QCPRange(std::min(auc.lower, mask.lower), auc.upper) : mask;
    aucFound = aucFound || maskFound;
    m_auc->yAxis->setRange(aucFound ? std::min(0.5, std::floor(auc.lower * 20) / 20) : 0.5, 1.0);
    m_loss->replot(QCustomPlot::rpQueuedReplot);
    m_auc->replot(QCustomPlot::rpQueuedReplot);
}

} // namespace rm::ui

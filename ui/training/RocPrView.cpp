#include "training/RocPrView.h"

#include "project/ProjectSession.h"
#include "training/PlotStyle.h"
#include "training/RunStore.h"

#include "training/QCustomPlotInclude.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QSplitter>
#include <QVBoxLayout>

#include <cmath>

namespace rm::ui {

struct RocPrView::Loaded
{
    std::vector<rm::StoredCurve> curves;
    std::map<std::string, std::map<std::string, rm::MetricInterval>> metrics; // by split
    QString error;
};

RocPrView::RocPrView(QWidget* parent) : QWidget(parent)
{
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto* bar = new QHBoxLayout;
    bar->addWidget(new QLabel(tr("Split:"), this));
    m_split = new QComboBox(this);
    m_split->setObjectName(QStringLiteral("curveSplit"));
    m_split->addItem(tr("test"), QStringLiteral("test"));
    m_split->addItem(tr("validation"), QStringLiteral("val"));
    bar->addWidget(m_split);
    auto* hint = new QLabel(tr("Tick runs in the list to overlay them"), this);
    hint->setEnabled(false);
    bar->addWidget(hint);
    bar->addStretch(1);
    layout->addLayout(bar);
    auto* split = new QSplitter(Qt::Horizontal, this);
    m_roc = new QCustomPlot(split);
    m_roc->setObjectName(QStringLiteral("rocPlot"));
    m_pr = new QCustomPlot(split);
    m_pr->setObjectName(QStringLiteral("prPlot"));
    split->addWidget(m_roc);
    split->addWidget(m_pr);
    layout->addWidget(split, 1);
    for (QCustomPlot* p : {m_roc, m_pr}) {
        stylePlot(p);
        p->setMinimumSize(160, 140);
        p->legend->setVisible(true);
        // Below the axes, so overlaid curves are never hidden behind it.
        auto* legendRow = new QCPLayoutGrid;
        p->plotLayout()->addElement(1, 0, legendRow);
        legendRow->setMargins(QMargins(4, 0, 4, 4));
        p->axisRect()->insetLayout()->take(p->legend);
        legendRow->addElement(0, 0, p->legend);
        p->legend->setFillOrder(QCPLegend::foRowsFirst);
        p->plotLayout()->setRowStretchFactor(1, 0.001);
        p->xAxis->setRange(0, 1);
        p->yAxis->setRange(0, 1.02);
        p->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    }
    m_roc->xAxis->setLabel(tr("false-positive rate"));
    m_roc->yAxis->setLabel(tr("true-positive rate"));
    m_pr->xAxis->setLabel(tr("recall (completeness)"));
    m_pr->yAxis->setLabel(tr("precision (purity)"));
    connect(m_split, &QComboBox::currentIndexChanged, this, [this] { redraw(); });
    redraw();
}

RocPrView::~RocPrView() = default;

void RocPrView::setSession(ProjectSession* session)
{
    m_session = session;
    m_cache.clear();
    m_runs.clear();
    redraw();
}

QString RocPrView::split() const
{
    return m_split->currentData().toString();
}

void RocPrView::setSplit(const QString& split)
{
    m_split->setCurrentIndex(std::max(0, m_split->findData(split)));
}

void RocPrView::setRuns(const std::vector<rm::RunSummary>& runs)
{
    const auto ids = [](const std::vector<rm::RunSummary>& list) {
        std::vector<std::int64_t> out;
        for (const rm::RunSummary& r : list)
            out.push_back(r.id);
        return out;
    };
    if (ids(runs) == ids(m_runs)) return; // finished runs do not change: nothing to redraw
    m_runs = runs;
    redraw();
}

int RocPrView::curveCount() const
{
    int n = 0;
    for (int i = 0; i < m_roc->plottableCount(); ++i)
        if (qobject_cast<QCPCurve*>(m_roc->plottable(i)) && !m_roc->plottable(i)->name().isEmpty() &&
            m_roc->plottable(i)->property("run").isValid())
            ++n;
    return n;
}

const RocPrView::Loaded& RocPrView::load(std::int64_t runId)
{
    auto it = m_cache.find(runId);
    if (it != m_cache.end()) return it->second;
    Loaded l;
    try {
        if (!m_session) throw rm::Error("no project is open");
        rm::RunStore runs(m_session->store());
        l.curves = runs.curves(runId);
        for (const char* s : {"val", "test"})
            l.metrics[s] = runs.metrics(runId, s);
    } catch (const std::exception& e) {
        l.error = QString::fromStdString(e.what());
    }
    return m_cache.emplace(runId, std::move(l)).first->second;
}

void RocPrView::redraw()
{
    for (QCustomPlot* p : {m_roc, m_pr})
        p->clearPlottables();
    // Chance: the diagonal on ROC.
    auto* chance = new QCPCurve(m_roc->xAxis, m_roc->yAxis);
    chance->setName(tr("chance"));
    QColor grey = palette().color(QPalette::WindowText);
    grey.setAlpha(110);
    chance->setPen(QPen(grey, 1, Qt::DashLine));
    chance->setData(QVector<double>{0, 1}, QVector<double>{0, 1});

    const std::string wanted = split().toStdString();
    bool sameTargetSet = true;
    for (const rm::RunSummary& run : m_runs)
        sameTargetSet = sameTargetSet && run.targetSet == m_runs.front().targetSet;
    bool prevalenceShown = false;
    int colour = 0;
    for (const rm::RunSummary& run : m_runs) {
        const Loaded& l = load(run.id);
        const QColor c = seriesColour(colour++);
        // The target set is worth naming only when the overlaid runs differ in it.
        QString label = QStringLiteral("%1 · %2").arg(
            QString::fromStdString(run.model),
            QString::fromStdString(run.mode).replace(QLatin1Char('_'), QLatin1Char(' ')));
        if (!sameTargetSet) label = QString::fromStdString(run.targetSet) + QStringLiteral(" · ") + label;
        const auto metricsIt = l.metrics.find(wanted);
        const auto metric = [&](const char* name) {
            if (metricsIt == l.metrics.end()) return std::nan("");
            auto m = metricsIt->second.find(name);
            return m == metricsIt->second.end() ? std::nan("") : m->second.value;
        };
        bool drawn[2] = {false, false};
        for (const rm::StoredCurve& sc : l.curves) {
            if (sc.split != wanted || (sc.kind != "roc" && sc.kind != "pr")) continue;
            const bool roc = sc.kind == "roc";
            QCustomPlot* plot = roc ? m_roc : m_pr;
            auto* curve = new QCPCurve(plot->xAxis, plot->yAxis);
            curve->setProperty("run", qint64(run.id));
            curve->setPen(QPen(c, 2));
            curve->setData(QVector<double>(sc.curve.x.begin(), sc.curve.x.end()),
                           QVector<double>(sc.curve.y.begin(), sc.curve.y.end()));
            const double area = metric(roc ? "roc_auc" : "pr_auc");
            curve->setName(std::isfinite(area)
                               ? tr("%1  %2 %3").arg(label, roc ? tr("AUC") : tr("AP")).arg(area, 0, 'f', 3)
                               : label);
            drawn[roc ? 0 : 1] = true;
        }
        for (int k = 0; k < 2; ++k)
            if (!drawn[k]) {
                // Keep the run in the legend so a missing curve is visible, not silent.
                auto* empty =
                    new QCPCurve(k == 0 ? m_roc->xAxis : m_pr->xAxis, k == 0 ? m_roc->yAxis : m_pr->yAxis);
                empty->setPen(QPen(c, 2, Qt::DotLine));
                empty->setName(tr("%1  (no %2 curve%3)")
                                   .arg(label, QString::fromStdString(wanted),
                                        l.error.isEmpty() ? QString() : QStringLiteral(": ") + l.error));
            }
        // PR chance: the fraction of rings in the split, from the stored confusion counts.
        const double tp = metric("tp"), fp = metric("fp"), tn = metric("tn"), fn = metric("fn");
        if (!prevalenceShown && std::isfinite(tp + fp + tn + fn) && tp + fp + tn + fn > 0) {
            const double p = (tp + fn) / (tp + fp + tn + fn);
            auto* base = new QCPCurve(m_pr->xAxis, m_pr->yAxis);
            base->setPen(QPen(grey, 1, Qt::DashLine));
            base->setData(QVector<double>{0, 1}, QVector<double>{p, p});
            base->setName(tr("chance (%1% rings)").arg(p * 100, 0, 'f', 1));
            prevalenceShown = true;
        }
    }
    for (QCustomPlot* p : {m_roc, m_pr})
        p->replot(QCustomPlot::rpQueuedReplot);
}

} // namespace rm::ui

#pragma once
// ROC and precision-recall curves of the finished runs the user ticks, overlaid side by side for one split
// (test by default, else validation), each run in its own colour with its AUC in the legend.
#include <QWidget>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

class QComboBox;
class QCustomPlot;

namespace rm {
struct RunSummary;
struct StoredCurve;
struct MetricInterval;
} // namespace rm

namespace rm::ui {

class ProjectSession;

class RocPrView : public QWidget
{
    Q_OBJECT
public:
    explicit RocPrView(QWidget* parent = nullptr);
    ~RocPrView() override;

    void setSession(ProjectSession* session); // forgets cached curves
    // The runs to overlay, in legend order. Loads (and caches) their curves and metrics; a run whose curves
    // cannot be read is listed in the legend as "(no curves)".
    void setRuns(const std::vector<rm::RunSummary>& runs);
    QString split() const; // "test" or "val"
    void setSplit(const QString& split);

    QCustomPlot* rocPlot() const { return m_roc; }
    QCustomPlot* prPlot() const { return m_pr; }
    int curveCount() const; // run curves on the ROC plot (not the chance line)

private:
    struct Loaded;
    const Loaded& load(std::int64_t runId);
    void redraw();

    QComboBox* m_split;
    QCustomPlot* m_roc;
    QCustomPlot* m_pr;
    ProjectSession* m_session = nullptr;
    std::vector<rm::RunSummary> m_runs;
    std::map<std::int64_t, Loaded> m_cache;
};

} // namespace rm::ui

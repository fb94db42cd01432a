#pragma once
// The misclassified gallery dock: a run's false positives and false negatives at its threshold (test split,
// and optionally val), most confident first, as thumbnails with their scores. Clicking one shows it in the
// inspector; the labelling keys label it there and step to the next.
#include "results/Misclassified.h"

#include <QPointer>
#include <QWidget>

class QCheckBox;
class QComboBox;
class QLabel;

namespace rm::ui {

class GalaxySelection;
class GalleryGrid;
class ProjectSession;

class MisclassifiedGallery : public QWidget
{
    Q_OBJECT
public:
    explicit MisclassifiedGallery(GalaxySelection* selection, QWidget* parent = nullptr);

    void setSession(ProjectSession* session);
    // 0: follow the badge run (the run picked in the comparison table, else the best).
    void setRun(qint64 runId);
    qint64 shownRunId() const { return m_shownRun; }
    void setIncludeVal(bool include);

    const Misclassified& misclassified() const { return m_found; }
    GalleryGrid* falsePositivesGrid() const { return m_fp; }
    GalleryGrid* falseNegativesGrid() const { return m_fn; }
    QComboBox* runBox() const { return m_runs; }

Q_SIGNALS:
    void statusMessage(QString text);

private:
    void fillRunBox();
    void showRun();

    QPointer<ProjectSession> m_session;
    QComboBox* m_runs;
    QCheckBox* m_includeVal;
    QLabel* m_summary;
    QLabel* m_fpTitle;
    QLabel* m_fnTitle;
    GalleryGrid* m_fp;
    GalleryGrid* m_fn;
    Misclassified m_found;
    qint64 m_shownRun = 0;
    QList<QMetaObject::Connection> m_connections;
};

} // namespace rm::ui

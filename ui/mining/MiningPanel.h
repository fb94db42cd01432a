#pragma once
// The Mining panel: pick a finished run, a catalog to mine (a project catalog or a file), where its images
// come from and a precision target, and mine it on a worker thread (core/mining's mine(), the same code as
// `ringminer-cli mine`), with progress, rate and ETA; Pause stops after the current shard and Start resumes
// from the shards on disk. The result shows as a histogram of p_ring with the threshold as a line that can be
// dragged to see how many candidates (new and known) a threshold gives, and opens in the catalog browser.
#include <QString>
#include <QWidget>

#include <nlohmann/json.hpp>

#include <vector>

class QCheckBox;
class QComboBox;
class QCustomPlot;
class QCPItemStraightLine;
class QDoubleSpinBox;
class QElapsedTimer;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;

namespace rm::ui {

class BackgroundJob;
class ProjectSession;

class MiningPanel : public QWidget
{
    Q_OBJECT
public:
    explicit MiningPanel(QWidget* parent = nullptr);
    ~MiningPanel() override;

    void setSession(ProjectSession* session);
    void refreshChoices(); // the runs, catalogs and image sources to pick from

    // The form, for tests and scripts.
    QComboBox* runBox() const { return m_run; }
    QComboBox* catalogBox() const { return m_catalog; }
    QComboBox* imagesBox() const { return m_images; }
    QDoubleSpinBox* precisionBox() const { return m_precision; }
    QLineEdit* outputEdit() const { return m_out; }

    bool start();  // false (and a message) when the form is incomplete or a job runs
    void pause();  // stops after the current shard; start() resumes
    void cancel(); // the same, and says it was cancelled
    bool busy() const;
    bool waitDone(int timeoutMs); // for tests

    // The last finished mining: every scored galaxy's p_ring and whether it is a known ring.
    const nlohmann::json& lastSummary() const { return m_summary; }
    std::size_t scoredCount() const { return m_scores.size(); }
    // Moves the threshold line (as dragging it does) and returns how many candidates reach it.
    std::size_t setThreshold(double threshold);
    double threshold() const { return m_threshold; }
    QString countText() const;
    // Loads a finished mining's rings.csv (what start() does when the job ends); false with a message if
    // unreadable.
    bool showResult(const QString& ringsCsv);

Q_SIGNALS:
    void statusMessage(QString text);
    // The candidates catalog the result was imported as, to show (sorted by p_ring) in the browsers.
    void openCatalogRequested(QString name);
    void catalogsChanged();

private:
    void buildForm();
    void onProgress(qint64 done, qint64 total);
    void onFinished(bool ok, const QString& message);
    void updateHistogram();
    void updateCount();
    void updateActions();
    QString defaultOutput() const;

    ProjectSession* m_session = nullptr;
    BackgroundJob* m_job;
    QComboBox* m_run;
    QComboBox* m_catalog;
    QComboBox* m_images;
    QLineEdit* m_folder;
    QLineEdit* m_template;
    QDoubleSpinBox* m_precision;
    QCheckBox* m_tta;
    QLineEdit* m_out;
    QPushButton* m_start;
    QPushButton* m_pause;
    QPushButton* m_cancel;
    QPushButton* m_open;
    QProgressBar* m_progress;
    QLabel* m_rate;
    QLabel* m_result;
    QLabel* m_count;
    QCustomPlot* m_plot;
    QCPItemStraightLine* m_line;
    QElapsedTimer* m_clock;
    qint64 m_firstDone = -1; // galaxies already done when this attempt started (resumed shards)
    bool m_dragging = false;
    bool m_cancelled = false;
    nlohmann::json m_summary;
    QString m_candidates; // imported catalog name, "" when not imported
    std::vector<float> m_scores;
    std::vector<bool> m_known;
    double m_threshold = 0.5;
};

} // namespace rm::ui

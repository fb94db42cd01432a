#include "mining/MiningPanel.h"

#include "mining/Mining.h"
#include "mining/MiningInput.h"
#include "project/ProjectSession.h"
#include "store/ProjectStore.h"
#include "tasks/BackgroundJob.h"
#include "training/PlotStyle.h"
#include "training/RunStore.h"
#include "util/Error.h"

#include "training/QCustomPlotInclude.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QElapsedTimer>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <memory>

namespace rm::ui {

namespace {

constexpr int kBins = 50;
const QString kFileEntry = QStringLiteral("\x01file");     // catalog box: "a file…"
const QString kFolderEntry = QStringLiteral("\x01folder"); // images box: "a folder and template"

} // namespace

MiningPanel::MiningPanel(QWidget* parent)
    : QWidget(parent), m_job(new BackgroundJob(this)), m_clock(new QElapsedTimer)
{
    buildForm();
    connect(m_job, &BackgroundJob::progress, this, &MiningPanel::onProgress);
    connect(m_job, &BackgroundJob::logLine, this, [this](const QString& line) { m_rate->setText(line); });
    connect(m_job, &BackgroundJob::finished, this, &MiningPanel::onFinished);
    setSession(nullptr);
}

MiningPanel::~MiningPanel()
{
    delete m_clock;
}

void MiningPanel::buildForm()
{
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(4, 2, 4, 4);
    auto* left = new QVBoxLayout;
    auto* form = new QFormLayout;
    m_run = new QComboBox(this);
    m_run->setObjectName(QStringLiteral("miningRun"));
    m_run->setToolTip(tr("The finished run whose weights score the catalog"));
    m_catalog = new QComboBox(this);
    m_catalog->setObjectName(QStringLiteral("miningCatalog"));
    m_catalog->setToolTip(tr("The catalog to mine: one of the project's, or any CSV/FITS file (positions "
                             "optional; an id column and images are enough)"));
    m_images = new QComboBox(this);
    m_images->setObjectName(QStringLiteral("miningImages"));
    m_images->setToolTip(tr("Where the images come from: a catalog's image source, or a folder"));
    m_folder = new QLineEdit(this);
    m_folder->setPlaceholderText(tr("folder of images"));
    m_template = new QLineEdit(this);
    m_template->setPlaceholderText(tr("file name template, e.g. {iauname}.jpg"));
    m_precision = new QDoubleSpinBox(this);
    m_precision->setRange(0.5, 1.0);
    m_precision->setSingleStep(0.01);
    m_precision->setDecimals(3);
    m_precision->setValue(0.9);
    m_precision->setToolTip(
        tr("The threshold is chosen on the run's validation galaxies to reach this precision"));
    m_tta = new QCheckBox(tr("mean over the 8 rotations and flips (8x the time)"), this);
    m_out = new QLineEdit(this);
    m_out->setObjectName(QStringLiteral("miningOutput"));
    m_out->setToolTip(tr("Shards, manifest, rings.csv and rings.fits go here; an interrupted mining resumes "
                         "from the shards in it"));
    auto* folderRow = new QHBoxLayout;
    folderRow->addWidget(m_folder, 2);
    folderRow->addWidget(m_template, 1);
    form->addRow(tr("Run"), m_run);
    form->addRow(tr("Catalog"), m_catalog);
    form->addRow(tr("Images"), m_images);
    form->addRow(QString(), folderRow);
    form->addRow(tr("Precision"), m_precision);
    form->addRow(tr("TTA"), m_tta);
    form->addRow(tr("Output"), m_out);
    left->addLayout(form);

    auto* buttons = new QHBoxLayout;
    m_start = new QPushButton(tr("Start"), this);
    m_start->setToolTip(tr("Mine the catalog; after a pause or a crash, resumes from the finished shards"));
    m_pause = new QPushButton(tr("Pause"), this);
    m_pause->setToolTip(tr("Stop after the current shard; Start resumes"));
    m_cancel = new QPushButton(tr("Cancel"), this);
    m_open = new QPushButton(tr("Open Candidates"), this);
    m_open->setToolTip(tr("Show the candidates catalog in the catalog and cutout browsers, by p_ring"));
    for (QPushButton* b : {m_start, m_pause, m_cancel, m_open})
        buttons->addWidget(b);
    left->addLayout(buttons);
    m_progress = new QProgressBar(this);
    m_progress->setObjectName(QStringLiteral("miningProgress"));
    left->addWidget(m_progress);
    m_rate = new QLabel(this);
    m_rate->setObjectName(QStringLiteral("miningRate"));
    m_rate->setWordWrap(true);
    left->addWidget(m_rate);
    m_result = new QLabel(this);
    m_result->setObjectName(QStringLiteral("miningResult"));
    m_result->setWordWrap(true);
    m_result->setTextInteractionFlags(Qt::TextSelectableByMouse);
    left->addWidget(m_result);
    left->addStretch(1);
    layout->addLayout(left, 2);

    auto* right = new QVBoxLayout;
    m_plot = new QCustomPlot(this);
    m_plot->setObjectName(QStringLiteral("miningHistogram"));
    m_plot->setMinimumSize(260, 160);
    stylePlot(m_plot);
    auto* all = new QCPBars(m_plot->xAxis, m_plot->yAxis);
    all->setName(tr("new"));
    all->setPen(Qt::NoPen);
    all->setBrush(seriesColour(0));
    auto* known = new QCPBars(m_plot->xAxis, m_plot->yAxis);
    known->setName(tr("known rings"));
    known->setPen(Qt::NoPen);
    known->setBrush(seriesColour(1));
    all->moveAbove(known); // stacked: known at the bottom, the rest above
    for (QCPBars* b : {all, known})
        b->setWidth(1.0 / kBins);
    m_plot->xAxis->setLabel(tr("p_ring"));
    m_plot->yAxis->setLabel(tr("galaxies"));
    m_plot->yAxis->setScaleType(QCPAxis::stLogarithmic);
    m_plot->yAxis->setTicker(QSharedPointer<QCPAxisTickerLog>(new QCPAxisTickerLog));
    m_plot->xAxis->setRange(0, 1);
    m_plot->legend->setVisible(true);
    m_line = new QCPItemStraightLine(m_plot);
    m_line->setPen(QPen(QColor(0xe0, 0x4f, 0x5f), 2));
    m_line->point1->setCoords(m_threshold, 0);
    m_line->point2->setCoords(m_threshold, 1);
    right->addWidget(m_plot, 1);
    m_count = new QLabel(this);
    m_count->setObjectName(QStringLiteral("miningCount"));
    right->addWidget(m_count);
    layout->addLayout(right, 3);

    // Dragging the threshold line: press near it, move, release.
    connect(m_plot, &QCustomPlot::mousePress, this, [this](QMouseEvent* e) {
        const double x = m_plot->xAxis->pixelToCoord(e->position().x());
        const double px = std::abs(m_plot->xAxis->coordToPixel(m_threshold) - e->position().x());
        m_dragging = px < 8 || (x >= 0 && x <= 1);
        if (m_dragging) setThreshold(std::clamp(x, 0.0, 1.0));
    });
    connect(m_plot, &QCustomPlot::mouseMove, this, [this](QMouseEvent* e) {
        if (m_dragging && (e->buttons() & Qt::LeftButton))
            setThreshold(std::clamp(m_plot->xAxis->pixelToCoord(e->position().x()), 0.0, 1.0));
    });
    connect(m_plot, &QCustomPlot::mouseRelease, this, [this](QMouseEvent*) { m_dragging = false; });

    connect(m_start, &QPushButton::clicked, this, [this] { start(); });
    connect(m_pause, &QPushButton::clicked, this, &MiningPanel::pause);
    connect(m_cancel, &QPushButton::clicked, this, &MiningPanel::cancel);
    connect(m_open, &QPushButton::clicked, this, [this] {
        if (!m_candidates.isEmpty()) Q_EMIT openCatalogRequested(m_candidates);
    });
    connect(m_catalog, &QComboBox::activated, this, [this] {
        if (m_catalog->currentData().toString() == kFileEntry) {
            const QString f = QFileDialog::getOpenFileName(
                this, tr("Catalog to Mine"), QString(), tr("Catalogs (*.csv *.fits *.fit *.txt);;All (*)"));
            if (!f.isEmpty()) {
                m_catalog->insertItem(m_catalog->count() - 1, QFileInfo(f).fileName(), f);
                m_catalog->setCurrentIndex(m_catalog->count() - 2);
            }
        }
        m_out->setText(defaultOutput());
    });
    connect(m_run, &QComboBox::activated, this, [this] { m_out->setText(defaultOutput()); });
    connect(m_images, &QComboBox::currentIndexChanged, this, [this] { updateActions(); });
    updateHistogram();
}

void MiningPanel::setSession(ProjectSession* session)
{
    if (m_job->busy()) m_job->cancel();
    m_session = session;
    m_scores.clear();
    m_known.clear();
    m_summary = nlohmann::json();
    m_candidates.clear();
    m_result->clear();
    m_rate->clear();
    m_progress->setValue(0);
    refreshChoices();
    updateHistogram();
    setEnabled(session != nullptr);
}

void MiningPanel::refreshChoices()
{
    const QString run = m_run->currentData().toString(), catalog = m_catalog->currentData().toString(),
                  images = m_images->currentData().toString();
    m_run->clear();
    m_catalog->clear();
    m_images->clear();
    m_run->addItem(tr("best (highest validation ROC AUC)"), QStringLiteral("best"));
    m_images->addItem(tr("the catalog's own image source"), QString());
    if (m_session) {
        try {
            for (const rm::RunSummary& r : rm::listRuns(m_session->path().toStdString()))
                if (r.state == "done")
                    m_run->addItem(tr("#%1 %2 (val AUC %3)")
                                       .arg(r.id)
                                       .arg(QString::fromStdString(r.cellKey))
                                       .arg(r.valAuc, 0, 'f', 3),
                                   QString::number(r.id));
            rm::ProjectStore& store = m_session->store();
            for (const rm::CatalogInfo& c : store.catalogs()) {
                const QString name = QString::fromStdString(c.name);
                if (c.role != rm::CatalogRole::Candidates) m_catalog->addItem(name, name);
                if (store.imageSourceSpec(c.id)) m_images->addItem(tr("images of %1").arg(name), name);
            }
        } catch (const std::exception& e) {
            Q_EMIT statusMessage(
                tr("Mining: cannot read the project: %1").arg(QString::fromStdString(e.what())));
        }
    }
    m_catalog->addItem(tr("a file…"), kFileEntry);
    m_images->addItem(tr("a folder and template (below)"), kFolderEntry);
    for (auto [box, value] :
         {std::pair{m_run, run}, std::pair{m_catalog, catalog}, std::pair{m_images, images}})
        if (const int i = box->findData(value); i >= 0) box->setCurrentIndex(i);
    m_out->setText(defaultOutput());
    updateActions();
}

QString MiningPanel::defaultOutput() const
{
    if (!m_session) return {};
    QString catalog = m_catalog->currentData().toString();
    if (catalog == kFileEntry) return {};
    if (QFileInfo(catalog).isAbsolute()) catalog = QFileInfo(catalog).completeBaseName();
    const QString run = m_run->currentData().toString();
    return QDir(m_session->path() + QStringLiteral(".files/mining"))
        .filePath(QStringLiteral("%1-run-%2").arg(catalog, run));
}

bool MiningPanel::busy() const
{
    return m_job->busy();
}

bool MiningPanel::start()
{
    auto fail = [this](const QString& m) {
        m_result->setText(m);
        Q_EMIT statusMessage(m);
        return false;
    };
    if (!m_session) return fail(tr("Open a project first"));
    if (m_job->busy()) return fail(tr("A mining job is already running"));
    const QString catalog = m_catalog->currentData().toString();
    if (catalog.isEmpty() || catalog == kFileEntry) return fail(tr("Pick the catalog to mine"));
    if (m_out->text().trimmed().isEmpty()) return fail(tr("Give an output folder"));
    rm::MiningRequest rq;
    rq.projectPath = m_session->path().toStdString();
    rq.run = m_run->currentData().toString().toStdString();
    rq.catalog = catalog.toStdString();
    const QString images = m_images->currentData().toString();
    if (images == kFolderEntry) {
        if (m_folder->text().isEmpty() || m_template->text().isEmpty())
            return fail(tr("Give the image folder and the file name template"));
        rq.folder = m_folder->text().toStdString();
        rq.pattern = m_template->text().toStdString();
    } else {
        rq.images = (images.isEmpty() ? catalog : images).toStdString();
    }
    rq.outDir = m_out->text().trimmed().toStdString();
    rq.precision = m_precision->value();
    rq.tta = m_tta->isChecked();
    QDir().mkpath(m_out->text().trimmed());

    m_cancelled = false;
    m_firstDone = -1;
    m_clock->start();
    m_progress->setValue(0);
    m_result->setText(tr("Mining %1…").arg(m_catalog->currentText()));
    auto summary = std::make_shared<nlohmann::json>();
    const bool started = m_job->start(
        tr("Mining %1").arg(m_catalog->currentText()),
        [rq, summary](TaskContext& job) mutable {
            rq.progress = [&job](std::size_t done, std::size_t total) { return job.progress(done, total); };
            // Inside a shard too: a shard of thousands of galaxies takes minutes on a CPU.
            rq.batchProgress = [&job](std::size_t done, std::size_t total) { job.progress(done, total); };
            rq.log = [&job](const std::string& line) { job.log(QString::fromStdString(line)); };
            const rm::MiningResult result = rm::mine(rq);
            *summary = result.summary;
            return QString::fromStdString(result.text);
        },
        [this, summary](bool ok, const QString&) {
            if (ok) m_summary = *summary;
        });
    updateActions();
    return started;
}

void MiningPanel::pause()
{
    if (m_job->busy()) m_job->cancel(); // mine() stops after the shard under way; the shards stay
}

void MiningPanel::cancel()
{
    m_cancelled = true;
    pause();
}

bool MiningPanel::waitDone(int timeoutMs)
{
    return m_job->waitDone(timeoutMs);
}

void MiningPanel::onProgress(qint64 done, qint64 total)
{
    // Shards found on disk are not this attempt's speed: measure from the first report on, unless that
    // report is also the last (one shard), then from the start.
    if (m_firstDone < 0 && done < total) {
        m_firstDone = done;
        m_clock->restart();
    }
    if (m_firstDone < 0) m_firstDone = 0;
    m_progress->setRange(0, int(std::min<qint64>(total, INT32_MAX)));
    m_progress->setValue(int(std::min<qint64>(done, INT32_MAX)));
    const double seconds = m_clock->elapsed() / 1000.0;
    const double rate = seconds > 0 ? (done - m_firstDone) / seconds : 0;
    m_rate->setText(tr("%L1 of %L2 galaxies · %3 galaxies/s · %4")
                        .arg(done)
                        .arg(total)
                        .arg(rate, 0, 'f', 1)
                        .arg(Task::etaText(rate > 0 ? (total - done) / rate : NAN)));
}

void MiningPanel::onFinished(bool ok, const QString& message)
{
    updateActions();
    if (!ok) {
        m_result->setText(tr("Mining failed: %1").arg(message));
        Q_EMIT statusMessage(m_result->text());
        return;
    }
    // finished arrives before the job's continuation stored the summary: read it on the next turn.
    QMetaObject::invokeMethod(
        this,
        [this, message] {
            if (!m_summary.value("complete", false)) {
                m_result->setText(m_cancelled ? tr("Cancelled; the finished shards are kept (Start resumes)")
                                              : tr("Paused; Start resumes from the finished shards"));
                Q_EMIT statusMessage(m_result->text());
                return;
            }
            m_candidates.clear();
            if (m_summary.contains("imported") && m_summary["imported"].is_object())
                m_candidates = QString::fromStdString(m_summary["imported"].value("name", ""));
            showResult(QString::fromStdString(m_summary.value("csv", "")));
            setThreshold(m_summary.value("threshold", 0.5));
            m_result->setText(message);
            if (!m_candidates.isEmpty()) Q_EMIT catalogsChanged();
            updateActions();
            Q_EMIT statusMessage(tr("Mining done: %1").arg(countText()));
        },
        Qt::QueuedConnection);
}

bool MiningPanel::showResult(const QString& ringsCsv)
{
    m_scores.clear();
    m_known.clear();
    try {
        const rm::MiningInput in = rm::readMiningInput(ringsCsv.toStdString(), std::nullopt);
        const int p = in.table.columnIndex("p_ring"), k = in.table.columnIndex("known_ring");
        if (p < 0) throw rm::Error(ringsCsv.toStdString() + " has no p_ring column");
        for (std::size_t r = 0; r < in.table.rowCount(); ++r) {
            const auto v = in.table.columns[std::size_t(p)].number(r);
            if (!v || !std::isfinite(*v)) continue; // not scored: its reason is in the file
            m_scores.push_back(float(*v));
            m_known.push_back(k >= 0 && in.table.columns[std::size_t(k)].number(r).value_or(0) != 0);
        }
    } catch (const std::exception& e) {
        m_result->setText(tr("Cannot read %1: %2").arg(ringsCsv, QString::fromStdString(e.what())));
        updateHistogram();
        return false;
    }
    updateHistogram();
    updateCount();
    return true;
}

void MiningPanel::updateHistogram()
{
    auto* all = qobject_cast<QCPBars*>(m_plot->plottable(0));
    auto* known = qobject_cast<QCPBars*>(m_plot->plottable(1));
    QVector<double> x(kBins), yAll(kBins, 0), yKnown(kBins, 0);
    for (int b = 0; b < kBins; ++b)
        x[b] = (b + 0.5) / kBins;
    for (std::size_t i = 0; i < m_scores.size(); ++i) {
        const int b = std::clamp(int(m_scores[i] * kBins), 0, kBins - 1);
        (m_known[i] ? yKnown : yAll)[b] += 1;
    }
    all->setData(x, yAll);
    known->setData(x, yKnown);
    double top = 1;
    for (int b = 0; b < kBins; ++b)
        top = std::max(top, yAll[b] + yKnown[b]);
    m_plot->yAxis->setRange(0.8, top * 1.5);
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

std::size_t MiningPanel::setThreshold(double threshold)
{
    m_threshold = threshold;
    m_line->point1->setCoords(threshold, 0);
    m_line->point2->setCoords(threshold, 1);
    updateCount();
    m_plot->replot(QCustomPlot::rpQueuedReplot);
    return std::size_t(
        std::count_if(m_scores.begin(), m_scores.end(), [threshold](float s) { return s >= threshold; }));
}

QString MiningPanel::countText() const
{
    std::size_t above = 0, known = 0;
    for (std::size_t i = 0; i < m_scores.size(); ++i)
        if (m_scores[i] >= m_threshold) {
            ++above;
            known += m_known[i];
        }
    return tr("%L1 candidates at p_ring ≥ %2 (%L3 new, %L4 known) of %L5 scored")
        .arg(above)
        .arg(m_threshold, 0, 'f', 3)
        .arg(above - known)
        .arg(known)
        .arg(m_scores.size());
}

void MiningPanel::updateCount()
{
    m_count->setText(m_scores.empty() ? tr("No mining result yet") : countText());
}

void MiningPanel::updateActions()
{
    const bool running = m_job->busy();
    m_start->setEnabled(!running && m_session);
    m_pause->setEnabled(running);
    m_cancel->setEnabled(running);
    m_open->setEnabled(!running && !m_candidates.isEmpty());
    const bool folder = m_images->currentData().toString() == kFolderEntry;
    m_folder->setEnabled(folder);
    m_template->setEnabled(folder);
    for (QWidget* w : std::initializer_list<QWidget*>{m_run, m_catalog, m_images, m_precision, m_tta, m_out})
        w->setEnabled(!running);
}

} // namespace rm::ui

#include "results/MisclassifiedGallery.h"

#include "project/ProjectSession.h"
#include "results/GalleryGrid.h"
#include "results/RunResults.h"

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QSplitter>
#include <QVBoxLayout>

namespace rm::ui {

namespace {
QLabel* sectionTitle(QWidget* parent)
{
    auto* l = new QLabel(parent);
    QFont bold = l->font();
    bold.setBold(true);
    l->setFont(bold);
    return l;
}
} // namespace

MisclassifiedGallery::MisclassifiedGallery(GalaxySelection* selection, QWidget* parent)
    : QWidget(parent), m_fp(new GalleryGrid(selection, this)), m_fn(new GalleryGrid(selection, this))
{
    m_runs = new QComboBox(this);
    m_runs->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_runs->setToolTip(tr("The run whose mistakes are shown"));
    m_includeVal = new QCheckBox(tr("Include val"), this);
    m_includeVal->setToolTip(
        tr("Also show the validation split's mistakes (its threshold was chosen there)"));
    m_summary = new QLabel(this);
    m_summary->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    m_summary->setStyleSheet(QStringLiteral("QLabel { color: palette(mid); }"));
    m_fpTitle = sectionTitle(this);
    m_fnTitle = sectionTitle(this);
    m_fpTitle->setToolTip(tr("Not rings in the target set that the run scored at or above its threshold"));
    m_fnTitle->setToolTip(tr("Rings in the target set that the run scored below its threshold"));

    auto* bar = new QHBoxLayout;
    bar->setContentsMargins(0, 0, 0, 0);
    bar->addWidget(new QLabel(tr("Run"), this));
    bar->addWidget(m_runs);
    bar->addWidget(m_includeVal);
    bar->addWidget(m_summary, 1);

    auto section = [this](QLabel* title, GalleryGrid* grid) {
        auto* w = new QWidget(this);
        auto* l = new QVBoxLayout(w);
        l->setContentsMargins(0, 0, 0, 0);
        l->setSpacing(2);
        l->addWidget(title);
        l->addWidget(grid, 1);
        return w;
    };
    auto* split = new QSplitter(Qt::Horizontal, this);
    split->addWidget(section(m_fpTitle, m_fp));
    split->addWidget(section(m_fnTitle, m_fn));
    split->setChildrenCollapsible(false);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->setSpacing(4);
    layout->addLayout(bar);
    layout->addWidget(split, 1);

    connect(m_runs, &QComboBox::activated, this, [this] { showRun(); });
    connect(m_includeVal, &QCheckBox::toggled, this, [this] { showRun(); });
    connect(m_fp, &GalleryGrid::statusMessage, this, &MisclassifiedGallery::statusMessage);
    connect(m_fn, &GalleryGrid::statusMessage, this, &MisclassifiedGallery::statusMessage);
    setSession(nullptr);
}

void MisclassifiedGallery::setSession(ProjectSession* session)
{
    for (const auto& c : m_connections)
        disconnect(c);
    m_connections.clear();
    m_session = session;
    m_fp->setSession(session);
    m_fn->setSession(session);
    if (session) {
        RunResults* results = &session->results();
        m_connections << connect(results, &RunResults::runsChanged, this, [this] {
            fillRunBox();
            showRun();
        }) << connect(results, &RunResults::badgeRunChanged, this, [this] {
            if (m_runs->currentIndex() <= 0) showRun();
        });
    }
    fillRunBox();
    showRun();
}

void MisclassifiedGallery::fillRunBox()
{
    const qint64 chosen = m_runs->currentData().toLongLong();
    m_runs->clear();
    m_runs->addItem(tr("Picked in the comparison table, else best"), qint64(0));
    if (!m_session) return;
    for (const RunRow& r : m_session->results().runs())
        if (r.done()) m_runs->addItem(r.title(), qint64(r.run.id));
    m_runs->setCurrentIndex(qMax(0, m_runs->findData(chosen)));
}

void MisclassifiedGallery::setRun(qint64 runId)
{
    m_runs->setCurrentIndex(qMax(0, m_runs->findData(runId)));
    showRun();
}

void MisclassifiedGallery::setIncludeVal(bool include)
{
    m_includeVal->setChecked(include); // toggled shows the run
    showRun();
}

void MisclassifiedGallery::showRun()
{
    m_found = {};
    m_shownRun = 0;
    const RunRow* run = nullptr;
    if (m_session) {
        RunResults& results = m_session->results();
        const qint64 chosen = m_runs->currentData().toLongLong();
        m_shownRun = chosen != 0 ? chosen : results.badgeRunId();
        run = results.run(m_shownRun);
        if (run) {
            QStringList splits{QStringLiteral("test")};
            if (m_includeVal->isChecked()) splits << QStringLiteral("val");
            m_found = findMisclassified(results.predictions(m_shownRun), run->threshold(), splits);
        }
    }
    const double threshold = run ? run->threshold() : 0.5;
    auto fill = [threshold](GalleryGrid* grid, const std::vector<RunPrediction>& list) {
        std::vector<GalaxyId> galaxies;
        QHash<GalaxyId, float> scores;
        galaxies.reserve(list.size());
        for (const RunPrediction& p : list) {
            galaxies.push_back(p.galaxy);
            scores.insert(p.galaxy, p.score);
        }
        grid->setGalaxies(std::move(galaxies), std::move(scores), threshold);
    };
    fill(m_fp, m_found.falsePositives);
    fill(m_fn, m_found.falseNegatives);
    m_fpTitle->setText(tr("False positives (%L1) — highest score first").arg(m_found.falsePositives.size()));
    m_fnTitle->setText(tr("False negatives (%L1) — lowest score first").arg(m_found.falseNegatives.size()));
    if (!m_session)
        m_summary->setText(tr("No project open"));
    else if (!run)
        m_summary->setText(tr("No finished run yet"));
    else
        m_summary->setText(tr("%1 · threshold %2 · test ROC AUC %3")
                               .arg(run->title())
                               .arg(threshold, 0, 'f', 3)
                               .arg(run->metric("test", "roc_auc"), 0, 'f', 3));
}

} // namespace rm::ui

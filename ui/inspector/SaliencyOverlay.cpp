#include "inspector/SaliencyOverlay.h"

#include "inspector/RunSaliency.h"
#include "results/RunResults.h"
#include "tasks/BackgroundJob.h"
#include "training/Saliency.h"

#include <QColor>

#include <algorithm>
#include <cmath>
#include <memory>

namespace rm::ui {

SaliencyOverlay::SaliencyOverlay(QObject* parent) : QObject(parent), m_job(new BackgroundJob(this))
{
    m_job->setTaskFlags(Task::Hidden); // a map takes a moment: not worth a line in the status bar
}

bool SaliencyOverlay::busy() const
{
    return m_job->busy();
}

void SaliencyOverlay::request(const QString& projectPath, const GalaxyId& galaxy, const QImage& image,
                              const RunRow& run)
{
    Pending p;
    p.projectPath = projectPath;
    p.targetSet = run.run.targetSet;
    p.galaxy = galaxy;
    p.image = image;
    p.runId = run.run.id;
    p.runTitle = run.shortTitle();
    p.weightsPath = QString::fromStdString(run.run.weightsPath);
    p.configJson = run.run.config.dump();
    if (m_job->busy()) {
        m_next = std::move(p); // the galaxy now in view wins; the running one finishes unseen
        return;
    }
    start(std::move(p));
}

void SaliencyOverlay::start(Pending p)
{
    auto result = std::make_shared<rm::SaliencyMap>();
    auto fraction = std::make_shared<double>(1.0);
    auto fromRun = std::make_shared<bool>(false);
    const GalaxyId galaxy = p.galaxy;
    const QString title = p.runTitle;
    m_job->start(
        tr("Grad-CAM"),
        [p, result, fraction, fromRun](TaskContext&) {
            const std::vector<GalaxySaliency> maps =
                computeRunSaliency(p.projectPath, {p.weightsPath.toStdString(), p.configJson, p.targetSet},
                                   {{p.galaxy, p.image}}, fraction.get());
            *result = maps.at(0).map;
            *fromRun = maps.at(0).fromRun;
            return QString();
        },
        [this, result, fraction, fromRun, galaxy, title](bool ok, const QString& message) {
            if (ok)
                Q_EMIT ready(galaxy, heatImage(result->heat, result->width, result->height), *fraction,
                             tr("Grad-CAM of %1: ring score %2 (%3)")
                                 .arg(title)
                                 .arg(result->score, 0, 'f', 3)
                                 .arg(*fromRun ? tr("on the image the run was trained and scored on")
                                               : tr("on the cutout as shown; not in the run's target set")));
            else
                Q_EMIT failed(galaxy, message);
            if (m_next) {
                Pending next = std::move(*m_next);
                m_next.reset();
                start(std::move(next));
            }
        });
}

QImage SaliencyOverlay::heatImage(const std::vector<float>& heat, int width, int height)
{
    QImage out(width, height, QImage::Format_ARGB32);
    for (int y = 0; y < height; ++y) {
        auto* line = reinterpret_cast<QRgb*>(out.scanLine(y));
        for (int x = 0; x < width; ++x) {
            const float h = std::clamp(heat[std::size_t(y) * width + x], 0.0f, 1.0f);
            // Blue (cool) through yellow to red (hot); cold pixels fade out so the galaxy stays visible.
            const QColor c = QColor::fromHsvF((1.0f - h) * 0.66f, 1.0f, 1.0f);
            line[x] = qRgba(c.red(), c.green(), c.blue(), int(std::lround(220 * h)));
        }
    }
    return out;
}

} // namespace rm::ui

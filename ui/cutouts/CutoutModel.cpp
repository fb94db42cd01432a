#include "cutouts/CutoutModel.h"

#include "mining/MinedCandidates.h"

#include "cutouts/ThumbnailLoader.h"
#include "labels/LabelController.h"
#include "project/ProjectSession.h"
#include "results/RunResults.h"

namespace rm::ui {

CutoutModel::CutoutModel(QObject* parent) : QAbstractListModel(parent) {}

void CutoutModel::setSession(ProjectSession* session)
{
    for (const auto& c : m_connections)
        disconnect(c);
    m_connections.clear();
    setGalaxies({});
    m_scores.clear();
    m_session = session;
    if (!session) return;
    m_connections << connect(&session->thumbnails(), &ThumbnailLoader::imageReady, this,
                             [this](const GalaxyId& id, int edge) {
                                 if (edge == ThumbnailLoader::kThumbnailEdge) galaxyChanged(id);
                             })
                  << connect(&session->thumbnails(), &ThumbnailLoader::imageFailed, this,
                             [this](const GalaxyId& id) { galaxyChanged(id); })
                  << connect(&session->labels(), &LabelController::labelChanged, this,
                             [this](const GalaxyId& id) { galaxyChanged(id); })
                  << connect(&session->results(), &RunResults::badgeRunChanged, this,
                             [this] {
                                 if (m_followBadgeRun) takeBadgeScores();
                             })
                  // Candidates are read on a worker: their badges appear when the rows are there.
                  << connect(session, &ProjectSession::minedCandidatesChanged, this, [this] {
                         if (!m_galaxies.empty())
                             Q_EMIT dataChanged(index(0), index(int(m_galaxies.size()) - 1),
                                                {MinedRole, Qt::ToolTipRole});
                     });
    if (m_followBadgeRun) takeBadgeScores();
}

void CutoutModel::setFollowBadgeRun(bool follow)
{
    m_followBadgeRun = follow;
    if (follow && m_session) takeBadgeScores();
}

void CutoutModel::takeBadgeScores()
{
    RunResults& results = m_session->results();
    setScores(results.badgeScores(), results.badgeThreshold());
}

void CutoutModel::setScores(QHash<GalaxyId, float> scores, double threshold)
{
    m_scores = std::move(scores);
    m_threshold = threshold;
    if (!m_galaxies.empty())
        Q_EMIT dataChanged(index(0), index(int(m_galaxies.size()) - 1), {ScoreRole, ScoreThresholdRole});
}

void CutoutModel::setGalaxies(std::vector<GalaxyId> galaxies)
{
    beginResetModel();
    m_galaxies = std::move(galaxies);
    m_rows.clear();
    m_rows.reserve(qsizetype(m_galaxies.size()));
    for (std::size_t i = 0; i < m_galaxies.size(); ++i)
        m_rows.insert(m_galaxies[i], int(i));
    for (auto it = m_overlays.begin(); it != m_overlays.end();)
        it = m_rows.contains(it.key()) ? std::next(it) : m_overlays.erase(it);
    endResetModel();
}

void CutoutModel::setOverlay(const GalaxyId& id, const QImage& overlay, double fraction)
{
    m_overlays.insert(id, {overlay, fraction});
    const int row = rowOf(id);
    if (row >= 0) Q_EMIT dataChanged(index(row), index(row), {OverlayRole});
}

void CutoutModel::clearOverlays()
{
    if (m_overlays.isEmpty()) return;
    m_overlays.clear();
    if (!m_galaxies.empty()) Q_EMIT dataChanged(index(0), index(int(m_galaxies.size()) - 1), {OverlayRole});
}

GalaxyId CutoutModel::galaxyAt(int row) const
{
    return row >= 0 && row < int(m_galaxies.size()) ? m_galaxies[std::size_t(row)] : GalaxyId();
}

int CutoutModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(m_galaxies.size());
}

QVariant CutoutModel::data(const QModelIndex& index, int role) const
{
    if (!m_session || !index.isValid() || index.row() >= int(m_galaxies.size())) return {};
    const GalaxyId& id = m_galaxies[std::size_t(index.row())];
    switch (role) {
    case GalaxyRole:
        return QVariant::fromValue(id);
    case OverlayRole:
        return m_overlays.value(id).first;
    case OverlayFractionRole:
        return m_overlays.contains(id) ? m_overlays.value(id).second : 1.0;
    case ImageRole: {
        QImage image = m_session->thumbnails().image(id);
        if (image.isNull()) m_session->thumbnails().request(id); // this item is being painted: it is in view
        return image;
    }
    case FailureRole:
        return m_session->thumbnails().failure(id);
    case LabelRole:
        if (auto l = m_session->labels().current(id)) return int(l->label);
        return {};
    case RingTypeRole:
        if (auto l = m_session->labels().current(id)) return QString::fromStdString(l->ringType);
        return {};
    // Not Qt::DisplayRole: a view's keyboard search asks every item for it, and a caption costs a row read.
    case CaptionRole:
        return m_session->caption(id);
    case ScoreRole: {
        const auto it = m_scores.constFind(id);
        return it == m_scores.constEnd() ? QVariant() : QVariant(double(*it));
    }
    case ScoreThresholdRole:
        return m_threshold;
    case MinedRole: {
        const rm::MinedCandidate* c = minedCandidate(id);
        if (!c || !c->isRing) return {};
        return c->known ? QStringLiteral("known") : QStringLiteral("new");
    }
    case Qt::ToolTipRole: {
        QString tip = m_session->caption(id);
        if (auto l = m_session->labels().current(id)) tip += QStringLiteral("\n") + labelText(*l);
        if (const auto it = m_scores.constFind(id); it != m_scores.constEnd())
            tip += tr("\nclassifier score %1 (threshold %2)")
                       .arg(double(*it), 0, 'f', 3)
                       .arg(m_threshold, 0, 'f', 3);
        if (const rm::MinedCandidate* c = minedCandidate(id))
            tip += QStringLiteral("\n") + QString::fromStdString(c->describe());
        const QString failure = m_session->thumbnails().failure(id);
        if (!failure.isEmpty()) tip += QStringLiteral("\n") + failure;
        return tip;
    }
    default:
        return {};
    }
}

const rm::MinedCandidate* CutoutModel::minedCandidate(const GalaxyId& id) const
{
    if (!m_session) return nullptr;
    const auto& rows = m_session->minedCandidates(id.catalogId);
    const auto it = rows.find(id.row);
    return it == rows.end() ? nullptr : &it->second;
}

void CutoutModel::galaxyChanged(const GalaxyId& id)
{
    const int row = m_rows.value(id, -1);
    if (row < 0) return;
    const QModelIndex i = index(row);
    Q_EMIT dataChanged(i, i);
}

} // namespace rm::ui

#include "labels/LabelController.h"

#include "project/ProjectSession.h"
#include "shell/Settings.h"
#include "util/Error.h"

namespace rm::ui {

QStringList ringTypeNames()
{
    return {QStringLiteral("inner"), QStringLiteral("outer"), QStringLiteral("nuclear"),
            QStringLiteral("pseudo"), QStringLiteral("collisional")};
}

QString labelText(const rm::CurrentLabel& label)
{
    QString text;
    switch (label.label) {
    case rm::HandLabel::Ring:
        text = QObject::tr("ring");
        break;
    case rm::HandLabel::NotRing:
        text = QObject::tr("not ring");
        break;
    case rm::HandLabel::Unsure:
        text = QObject::tr("unsure");
        break;
    }
    if (!label.ringType.empty()) text += QStringLiteral(" (%1)").arg(QString::fromStdString(label.ringType));
    return text;
}

LabelController::LabelController(ProjectSession& session, QObject* parent)
    : QObject(parent), m_session(session), m_author(settings::labelAuthor())
{
    try {
        rm::LabelStore store(m_session.store().db());
        for (const rm::CurrentLabel& l : store.allCurrent())
            m_current.insert(GalaxyId::from(l.galaxy), l);
    } catch (const rm::Error& e) {
        // Reported when the user first labels; the badges simply stay empty.
        qWarning("cannot read hand labels: %s", e.what());
    }
}

void LabelController::setAuthor(const QString& author)
{
    m_author = author.trimmed().isEmpty() ? settings::labelAuthor() : author.trimmed();
}

std::optional<rm::CurrentLabel> LabelController::current(const GalaxyId& id) const
{
    auto it = m_current.constFind(id);
    if (it == m_current.constEnd()) return std::nullopt;
    return *it;
}

std::vector<rm::LabelEvent> LabelController::history(const GalaxyId& id)
{
    try {
        return rm::LabelStore(m_session.store().db()).history(id.key());
    } catch (const rm::Error& e) {
        Q_EMIT failed(tr("Cannot read the label history: %1").arg(QString::fromStdString(e.what())));
        return {};
    }
}

bool LabelController::setLabel(const GalaxyId& id, rm::HandLabel label, const QString& ringType)
{
    try {
        const GalaxyRecord record = m_session.record(id); // the label keeps the position, for cross-matching
        rm::LabelStore(m_session.store().db())
            .set(id.key(), record.ra, record.dec, label, ringType.toStdString(), m_author.toStdString());
        m_undoStack.push_back(id);
        refresh(id);
        return true;
    } catch (const rm::Error& e) {
        Q_EMIT failed(tr("The label was not saved: %1").arg(QString::fromStdString(e.what())));
        return false;
    }
}

std::optional<GalaxyId> LabelController::undo(const std::optional<GalaxyId>& fallback)
{
    std::optional<GalaxyId> target = fallback;
    if (!m_undoStack.empty()) target = m_undoStack.back();
    if (!target) return std::nullopt;
    try {
        if (!rm::LabelStore(m_session.store().db()).undo(target->key(), m_author.toStdString())) {
            Q_EMIT failed(tr("Nothing to undo for this galaxy"));
            return std::nullopt;
        }
        if (!m_undoStack.empty()) m_undoStack.pop_back();
        refresh(*target);
        return target;
    } catch (const rm::Error& e) {
        Q_EMIT failed(tr("Undo failed: %1").arg(QString::fromStdString(e.what())));
        return std::nullopt;
    }
}

void LabelController::refresh(const GalaxyId& id)
{
    if (auto l = rm::LabelStore(m_session.store().db()).current(id.key()))
        m_current.insert(id, *l);
    else
        m_current.remove(id);
    Q_EMIT labelChanged(id);
}

} // namespace rm::ui

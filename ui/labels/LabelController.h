#pragma once
// Hand labels as the workbench gives them: each one written to the project at once through LabelStore, the
// current labels kept in memory for the badges, and an undo that walks back this session's labels newest
// first.
#include "selection/GalaxyId.h"
#include "store/LabelStore.h"

#include <QHash>
#include <QObject>
#include <QString>

#include <optional>
#include <vector>

namespace rm::ui {

class ProjectSession;

// The ring types of the 1-5 keys, in order.
QStringList ringTypeNames(); // inner, outer, nuclear, pseudo, collisional

class LabelController : public QObject
{
    Q_OBJECT
public:
    explicit LabelController(ProjectSession& session, QObject* parent = nullptr);

    std::optional<rm::CurrentLabel> current(const GalaxyId& id) const;
    std::vector<rm::LabelEvent> history(const GalaxyId& id); // empty (and failed()) on a store error
    int labelledCount() const { return int(m_current.size()); }

    // Both return false (and emit failed) when the store refuses.
    bool setLabel(const GalaxyId& id, rm::HandLabel label, const QString& ringType = {});
    // Undoes this session's latest label, or when there is none the given galaxy's latest change. Returns the
    // galaxy whose label changed.
    std::optional<GalaxyId> undo(const std::optional<GalaxyId>& fallback);

    QString author() const { return m_author; }
    void setAuthor(const QString& author);

Q_SIGNALS:
    void labelChanged(rm::ui::GalaxyId id);
    void failed(QString message);

private:
    void refresh(const GalaxyId& id);

    ProjectSession& m_session;
    QHash<GalaxyId, rm::CurrentLabel> m_current;
    std::vector<GalaxyId> m_undoStack;
    QString m_author;
};

// "ring", "not ring", "unsure", with the ring type: "ring (outer)".
QString labelText(const rm::CurrentLabel& label);

} // namespace rm::ui

#include "labels/LabelKeys.h"

#include "labels/LabelController.h"
#include "selection/GalaxySelection.h"

#include <QKeyEvent>
#include <QWidget>

namespace rm::ui {

LabelKeys::LabelKeys(GalaxySelection* selection, QObject* parent) : QObject(parent), m_selection(selection) {}

void LabelKeys::setController(LabelController* controller)
{
    m_controller = controller;
}

void LabelKeys::watch(QWidget* widget, bool arrowsNavigate)
{
    widget->installEventFilter(this);
    if (arrowsNavigate) m_arrowWidgets.insert(widget);
    connect(widget, &QObject::destroyed, this, [this, widget] { m_arrowWidgets.remove(widget); });
}

bool LabelKeys::label(rm::HandLabel label, const QString& ringType)
{
    const auto current = m_selection->current();
    if (!m_controller || !current) {
        Q_EMIT statusMessage(tr("Select a galaxy to label"));
        return false;
    }
    if (!m_controller->setLabel(current->id, label, ringType)) return false;
    if (auto l = m_controller->current(current->id))
        Q_EMIT statusMessage(tr("Labelled %1").arg(labelText(*l)));
    if (m_advance) Q_EMIT moveRequested(+1);
    return true;
}

bool LabelKeys::undo()
{
    if (!m_controller) return false;
    const auto current = m_selection->current();
    const auto changed = m_controller->undo(current ? std::optional<GalaxyId>(current->id) : std::nullopt);
    if (!changed) return false;
    Q_EMIT statusMessage(tr("Label undone"));
    Q_EMIT showRequested(*changed); // go back to it, so the user sees what the undo did
    return true;
}

bool LabelKeys::eventFilter(QObject* watched, QEvent* event)
{
    if (event->type() != QEvent::KeyPress) return QObject::eventFilter(watched, event);
    auto* key = static_cast<QKeyEvent*>(event);
    const Qt::KeyboardModifiers mods = key->modifiers() & ~(Qt::KeypadModifier | Qt::ShiftModifier);
    if (mods != Qt::NoModifier) return false; // Ctrl+R and friends belong to menus
    // Holding a label key must not label a run of galaxies.
    const bool repeat = key->isAutoRepeat();
    switch (key->key()) {
    case Qt::Key_R:
        if (!repeat) label(rm::HandLabel::Ring);
        return true;
    case Qt::Key_N:
        if (!repeat) label(rm::HandLabel::NotRing);
        return true;
    case Qt::Key_U:
        if (!repeat) label(rm::HandLabel::Unsure);
        return true;
    case Qt::Key_1:
    case Qt::Key_2:
    case Qt::Key_3:
    case Qt::Key_4:
    case Qt::Key_5:
        if (!repeat) label(rm::HandLabel::Ring, ringTypeNames().at(key->key() - Qt::Key_1));
        return true;
    case Qt::Key_Z:
        if (!repeat) undo();
        return true;
    case Qt::Key_G:
        // Item views take letter keys for keyboard search before a window shortcut sees them, so the key
        // that toggles the saliency overlay is read here, with the label keys.
        if (!repeat) Q_EMIT saliencyToggleRequested();
        return true;
    case Qt::Key_Space:
        Q_EMIT moveRequested(key->modifiers() & Qt::ShiftModifier ? -1 : +1);
        return true;
    case Qt::Key_Backspace:
        Q_EMIT moveRequested(-1);
        return true;
    case Qt::Key_Left:
    case Qt::Key_Up:
    case Qt::Key_Right:
    case Qt::Key_Down:
        if (!m_arrowWidgets.contains(watched)) return false; // the grid moves by itself, in two dimensions
        Q_EMIT moveRequested(key->key() == Qt::Key_Left || key->key() == Qt::Key_Up ? -1 : +1);
        return true;
    default:
        return false;
    }
}

} // namespace rm::ui

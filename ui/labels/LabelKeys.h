#pragma once
// The labelling keyboard, shared by the cutout grid and the inspector: R ring, N not ring, U unsure, 1-5 ring
// type (inner, outer, nuclear, pseudo, collisional), Z undo, Space / Shift+Space next / previous galaxy (and
// the arrow keys in widgets that do not move by themselves). Each label is saved at once; with "advance after
// label" on, the next galaxy comes up.
#include "selection/GalaxyId.h"
#include "store/LabelStore.h"

#include <QObject>
#include <QPointer>
#include <QSet>

class QWidget;

namespace rm::ui {

class GalaxySelection;
class LabelController;

class LabelKeys : public QObject
{
    Q_OBJECT
public:
    explicit LabelKeys(GalaxySelection* selection, QObject* parent = nullptr);

    void setController(LabelController* controller); // nullptr: no project, keys do nothing
    // Listens to key presses on widget; with arrowsNavigate the arrow keys move between galaxies too.
    void watch(QWidget* widget, bool arrowsNavigate);

    void setAdvanceAfterLabel(bool advance) { m_advance = advance; }
    bool advanceAfterLabel() const { return m_advance; }

    // The same actions, for buttons and menus.
    bool label(rm::HandLabel label, const QString& ringType = {});
    bool undo();

Q_SIGNALS:
    void moveRequested(int delta);           // to the next (+1) or previous (-1) galaxy
    void showRequested(rm::ui::GalaxyId id); // e.g. the galaxy an undo changed
    void statusMessage(QString text);
    void saliencyToggleRequested(); // G: show or hide where the badge run looks (the inspector's overlay)

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    GalaxySelection* m_selection;
    QPointer<LabelController> m_controller;
    QSet<QObject*> m_arrowWidgets;
    bool m_advance = true;
};

} // namespace rm::ui

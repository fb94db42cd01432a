#pragma once
// The sky actions of one galaxy, shared by the inspector's sky button and the galleries' context menus: open
// the position in the Legacy Surveys viewer, SDSS Navigate, ESASky or Aladin Lite; copy the position
// (sexagesimal or decimal) or the IAU name. Formatting and URLs come from core (sky/SkyLinks.h).
#include <QString>

class QMenu;
class QWidget;

namespace rm::ui {

struct GalaxyId;
class ProjectSession;

// Object names of the actions, for tests and scripts.
inline constexpr const char* kCopySexagesimalAction = "copySexagesimal";
inline constexpr const char* kCopyDecimalAction = "copyDecimal";
inline constexpr const char* kCopyIauNameAction = "copyIauName";
// "openLegacySurveys", "openSdssNavigate", "openEsaSky", "openAladinLite"; each holds its URL as data().

// Appends the actions to menu (they are children of it). Opening goes through QDesktopServices::openUrl, so
// a test can catch it with QDesktopServices::setUrlHandler instead of starting a browser.
void addSkyActions(QMenu* menu, double raDeg, double decDeg);

// A context menu for one galaxy of a grid: its caption as a disabled first entry, then the sky actions.
// nullptr when the galaxy's row cannot be read (the message is not lost: the grid's status says so).
QMenu* galaxySkyMenu(ProjectSession* session, const GalaxyId& id, QWidget* parent, QString* error = nullptr);

} // namespace rm::ui

#pragma once
// The workbench's look: Fusion everywhere (the same on every desktop), dark by default because cutouts of the
// night sky read best on a dark surround.
namespace rm::ui {

void applyTheme(bool dark);

} // namespace rm::ui

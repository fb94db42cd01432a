#pragma once
// How a hand label looks wherever it is shown (thumbnail badge, inspector): one colour and one short text
// each.
#include "store/LabelStore.h"

#include <QColor>
#include <QString>

namespace rm::ui {

QColor labelColor(rm::HandLabel label);
QString labelBadgeText(const rm::CurrentLabel& label); // "RING", "RING·outer", "NOT", "?"

} // namespace rm::ui

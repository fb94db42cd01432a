#include "labels/LabelStyle.h"

namespace rm::ui {

QColor labelColor(rm::HandLabel label)
{
    switch (label) {
    case rm::HandLabel::Ring:
        return QColor(46, 184, 92);
    case rm::HandLabel::NotRing:
        return QColor(214, 69, 65);
    case rm::HandLabel::Unsure:
        return QColor(230, 170, 30);
    }
    return Qt::gray;
}

QString labelBadgeText(const rm::CurrentLabel& label)
{
    switch (label.label) {
    case rm::HandLabel::Ring:
        return label.ringType.empty() ? QStringLiteral("RING")
                                      : QStringLiteral("RING·%1").arg(QString::fromStdString(label.ringType));
    case rm::HandLabel::NotRing:
        return QStringLiteral("NOT");
    case rm::HandLabel::Unsure:
        return QStringLiteral("?");
    }
    return {};
}

} // namespace rm::ui

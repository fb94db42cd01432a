#include "matrix/MatrixCellDelegate.h"

#include "matrix/MatrixGridModel.h"
#include "training/TimeEstimate.h"

#include <QApplication>
#include <QPainter>
#include <QPainterPath>

#include <algorithm>
#include <cmath>

namespace rm::ui {

QColor MatrixCellDelegate::stateColour(const QString& state)
{
    if (state == QLatin1String("queued")) return QColor(0x5b, 0x6b, 0x7f);
    if (state == QLatin1String("running")) return QColor(0x2f, 0x7f, 0xd0);
    if (state == QLatin1String("done")) return QColor(0x3d, 0x8b, 0x5a);
    if (state == QLatin1String("failed")) return QColor(0xc0, 0x39, 0x2b);
    if (state == QLatin1String("cancelled")) return QColor(0xb7, 0x80, 0x1b);
    if (state == QLatin1String("interrupted") || state == QLatin1String("paused"))
        return QColor(0x8e, 0x6c, 0xc0);
    return QColor(0x80, 0x80, 0x80);
}

QColor MatrixCellDelegate::aucColour(double auc)
{
    if (!std::isfinite(auc)) return QColor(0x9e, 0x9e, 0x9e);
    // 0.5 (chance) red, 0.75 amber, 1.0 green: the interesting range of a ring classifier.
    const double t = std::clamp((auc - 0.5) / 0.5, 0.0, 1.0);
    const QColor red(0xe0, 0x55, 0x4f), amber(0xf0, 0xb0, 0x4e), green(0x4c, 0xc9, 0x6a);
    const auto mix = [](const QColor& a, const QColor& b, double f) {
        return QColor::fromRgbF(float(a.redF() + (b.redF() - a.redF()) * f),
                                float(a.greenF() + (b.greenF() - a.greenF()) * f),
                                float(a.blueF() + (b.blueF() - a.blueF()) * f));
    };
    return t < 0.5 ? mix(red, amber, t * 2) : mix(amber, green, (t - 0.5) * 2);
}

QSize MatrixCellDelegate::sizeHint(const QStyleOptionViewItem& option, const QModelIndex&) const
{
    const QFontMetrics fm(option.font);
    return {std::max(104, fm.horizontalAdvance(QStringLiteral("cancelled  ✎")) + 24), fm.height() * 3 + 10};
}

void MatrixCellDelegate::paint(QPainter* painter, const QStyleOptionViewItem& option,
                               const QModelIndex& index) const
{
    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);
    const QPalette& pal = option.palette;
    const QRectF tile = QRectF(option.rect).adjusted(3, 3, -3, -3);
    const QString state = index.data(MatrixGridModel::StateRole).toString();
    const bool selected = option.state & QStyle::State_Selected;

    QColor fill = stateColour(state);
    fill.setAlphaF(state.isEmpty() ? 0.12f : 0.30f);
    QPainterPath path;
    path.addRoundedRect(tile, 5, 5);
    painter->fillPath(path, fill);
    QPen border(selected ? pal.color(QPalette::Highlight) : stateColour(state), selected ? 2.5 : 1.0);
    painter->setPen(border);
    painter->drawPath(path);

    const QFontMetrics fm(option.font);
    QString stateText = state.isEmpty() ? tr("not run") : state;
    const double eta = index.data(MatrixGridModel::EtaRole).toDouble();
    if (state == QLatin1String("running")) {
        stateText = index.data(Qt::DisplayRole).toString().replace(QLatin1Char('\n'), QStringLiteral(" · "));
        if (std::isfinite(eta))
            stateText += tr(" · %1 left").arg(QString::fromStdString(rm::formatEstimate(eta)));
    }
    QRectF line = tile.adjusted(6, 4, -6, 0);
    line.setHeight(fm.height());
    painter->setPen(pal.color(QPalette::Text));
    painter->setFont(option.font);
    painter->drawText(line, Qt::AlignLeft | Qt::AlignVCenter, stateText);
    if (index.data(MatrixGridModel::OverriddenRole).toBool()) {
        painter->setPen(pal.color(QPalette::Link));
        painter->drawText(line, Qt::AlignRight | Qt::AlignVCenter, QStringLiteral("✎"));
    }

    const QRectF body = tile.adjusted(6, 4 + fm.height(), -6, -4);
    const double auc = index.data(MatrixGridModel::ValAucRole).toDouble();
    if (state == QLatin1String("running")) {
        const double p = std::clamp(index.data(MatrixGridModel::ProgressRole).toDouble(), 0.0, 1.0);
        QRectF bar(body.left(), body.center().y() - 3, body.width(), 6);
        painter->setPen(Qt::NoPen);
        painter->setBrush(pal.color(QPalette::Mid));
        painter->drawRoundedRect(bar, 3, 3);
        bar.setWidth(bar.width() * p);
        painter->setBrush(stateColour(state).lighter(130));
        painter->drawRoundedRect(bar, 3, 3);
    } else if (std::isfinite(auc)) {
        QFont big = option.font;
        big.setBold(true);
        big.setPointSizeF(big.pointSizeF() * 1.25);
        painter->setFont(big);
        painter->setPen(aucColour(auc));
        painter->drawText(body, Qt::AlignCenter, QString::number(auc, 'f', 3));
    } else if (std::isfinite(eta) && state != QLatin1String("failed")) {
        painter->setPen(pal.color(QPalette::PlaceholderText));
        painter->drawText(body, Qt::AlignCenter,
                          tr("≈ %1").arg(QString::fromStdString(rm::formatEstimate(eta))));
    } else if (state == QLatin1String("failed")) {
        painter->setPen(pal.color(QPalette::PlaceholderText));
        painter->drawText(body, Qt::AlignCenter, tr("see tooltip"));
    }
    painter->restore();
}

} // namespace rm::ui

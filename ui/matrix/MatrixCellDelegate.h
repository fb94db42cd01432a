#pragma once
// Paints a matrix cell: a state-coloured tile, the state (with a progress bar while running), the validation
// ROC AUC in a colour from red (0.5, chance) to green (1.0), and a pencil mark when the cell has its own
// parameters.
#include <QColor>
#include <QStyledItemDelegate>

namespace rm::ui {

class MatrixCellDelegate : public QStyledItemDelegate
{
    Q_OBJECT
public:
    using QStyledItemDelegate::QStyledItemDelegate;

    void paint(QPainter* painter, const QStyleOptionViewItem& option,
               const QModelIndex& index) const override;
    QSize sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const override;

    static QColor stateColour(const QString& state);
    static QColor aucColour(double auc);
};

} // namespace rm::ui

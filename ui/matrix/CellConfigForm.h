#pragma once
// The training parameters of one matrix cell, or of every cell (the matrix defaults). Each field shows the
// value the cell will train with; changing it writes that one key at the form's scope (a per-cell override,
// or a default), the field's label turns bold, and its reset button removes the key again. Editors are
// named after their TrainConfig JSON key ("epochs", "learning_rate"...), so tests and scripts can find them.
#include <QWidget>

#include <nlohmann/json.hpp>

#include <set>
#include <string>
#include <vector>

class QGridLayout;
class QLabel;
class QToolButton;

namespace rm::ui {

class CellConfigForm : public QWidget
{
    Q_OBJECT
public:
    static constexpr int kFieldColumns = 2; // the matrix has few rows: the form sits below it, wide and low

    explicit CellConfigForm(QWidget* parent = nullptr);

    // `scopeKey` is a cell key, or empty for the matrix defaults; `effective` is the full TrainConfig JSON
    // the scope trains with; `own` are the keys set at this scope. Emits nothing.
    void show(const QString& scopeKey, const QString& title, const nlohmann::json& effective,
              const std::set<std::string>& own);
    void setMessage(const QString& message); // a validation error, or empty
    QString scopeKey() const { return m_scope; }
    QWidget* editor(const QString& key) const; // by JSON key, nullptr if the form has none

    // The JSON keys the form edits, in form order.
    static std::vector<std::string> keys();

Q_SIGNALS:
    // A null value means "remove the key at this scope".
    void valueEdited(const QString& scopeKey, const QString& key, const nlohmann::json& value);

private:
    struct Field
    {
        std::string key;
        QLabel* label = nullptr;
        QWidget* editor = nullptr;
        QToolButton* reset = nullptr;
    };
    void addField(const std::string& key, const QString& label, const QString& tip, QWidget* editor);
    void setEditorValue(const Field& field, const nlohmann::json& value);
    void commit(const std::string& key, const nlohmann::json& value);

    QLabel* m_title;
    QLabel* m_message;
    QGridLayout* m_grid; // fields in kFieldColumns columns of (label, editor, reset)
    std::vector<Field> m_fields;
    QString m_scope;
    bool m_filling = false;
};

} // namespace rm::ui

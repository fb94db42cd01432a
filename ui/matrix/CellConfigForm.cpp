#include "matrix/CellConfigForm.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QDoubleValidator>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QSpinBox>
#include <QToolButton>
#include <QVBoxLayout>

#include <climits>

namespace rm::ui {

namespace {

QSpinBox* intEditor(int min, int max, int step = 1, const QString& special = {})
{
    auto* box = new QSpinBox;
    box->setRange(min, max);
    box->setSingleStep(step);
    if (!special.isEmpty()) box->setSpecialValueText(special);
    box->setAccelerated(true);
    return box;
}

QLineEdit* realEditor()
{
    auto* edit = new QLineEdit;
    auto* validator = new QDoubleValidator(0, 1e6, 12, edit);
    validator->setNotation(QDoubleValidator::ScientificNotation);
    validator->setLocale(QLocale::c()); // 1e-3 and 3.0e-4, whatever the desktop locale
    edit->setValidator(validator);
    return edit;
}

} // namespace

// The "semi_supervised" key in one row: unlabelled sources ("catalog:NAME" or "folder:PATH", separated by
// ';'), pseudo-label threshold, lambda_u and mu. No sources = off (the key is removed); include_eval_folds
// keeps whatever the JSON says (true unless set in the matrix file).
class SemiSupervisedEdit : public QWidget
{
public:
    SemiSupervisedEdit()
    {
        auto* row = new QHBoxLayout(this);
        row->setContentsMargins(0, 0, 0, 0);
        sources = new QLineEdit(this);
        sources->setObjectName(QStringLiteral("semi_supervised.unlabelled"));
        sources->setPlaceholderText(tr("off (e.g. folder:/data/unlabelled; catalog:NAME)"));
        threshold = new QDoubleSpinBox(this);
        threshold->setObjectName(QStringLiteral("semi_supervised.threshold"));
        threshold->setRange(0.51, 1.0);
        threshold->setDecimals(3);
        threshold->setSingleStep(0.01);
        threshold->setValue(0.95);
        threshold->setToolTip(tr("Pseudo-label threshold"));
        lambda = new QDoubleSpinBox(this);
        lambda->setObjectName(QStringLiteral("semi_supervised.lambda_u"));
        lambda->setRange(0, 100);
        lambda->setSingleStep(0.1);
        lambda->setValue(1.0);
        lambda->setToolTip(tr("Weight of the unlabelled loss (lambda_u)"));
        mu = new QSpinBox(this);
        mu->setObjectName(QStringLiteral("semi_supervised.mu"));
        mu->setRange(1, 64);
        mu->setValue(3);
        mu->setToolTip(tr("Unlabelled images per labelled one in a step (mu)"));
        row->addWidget(sources, 3);
        row->addWidget(new QLabel(QStringLiteral("τ"), this));
        row->addWidget(threshold);
        row->addWidget(new QLabel(QStringLiteral("λ"), this));
        row->addWidget(lambda);
        row->addWidget(new QLabel(QStringLiteral("μ"), this));
        row->addWidget(mu);
    }

    void setValue(const nlohmann::json& v)
    {
        QStringList list;
        if (v.is_object()) {
            for (const auto& s : v.value("unlabelled", nlohmann::json::array()))
                if (s.is_string()) list << QString::fromStdString(s.get<std::string>());
            threshold->setValue(v.value("threshold", 0.95));
            lambda->setValue(v.value("lambda_u", 1.0));
            mu->setValue(v.value("mu", 3));
            includeEvalFolds = v.value("include_eval_folds", true);
        }
        if (!sources->hasFocus()) sources->setText(list.join(QStringLiteral("; ")));
    }

    // The key's value, or null (off) when no source is named.
    nlohmann::json value() const
    {
        nlohmann::json unlabelled = nlohmann::json::array();
        for (const QString& part : sources->text().split(QLatin1Char(';'), Qt::SkipEmptyParts))
            if (!part.trimmed().isEmpty()) unlabelled.push_back(part.trimmed().toStdString());
        if (unlabelled.empty()) return nullptr;
        return {{"method", "fixmatch"},
                {"unlabelled", unlabelled},
                {"threshold", threshold->value()},
                {"lambda_u", lambda->value()},
                {"mu", mu->value()},
                {"include_eval_folds", includeEvalFolds}};
    }

    QLineEdit* sources;
    QDoubleSpinBox* threshold;
    QDoubleSpinBox* lambda;
    QSpinBox* mu;
    bool includeEvalFolds = true;
};

CellConfigForm::CellConfigForm(QWidget* parent) : QWidget(parent)
{
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 4, 6, 4);
    m_title = new QLabel(this);
    m_title->setWordWrap(true);
    m_title->setTextFormat(Qt::RichText);
    layout->addWidget(m_title);
    m_grid = new QGridLayout;
    m_grid->setVerticalSpacing(3);
    m_grid->setHorizontalSpacing(6);
    for (int c = 0; c < kFieldColumns; ++c) {
        m_grid->setColumnStretch(c * 4 + 1, 1);
        if (c > 0) m_grid->setColumnMinimumWidth(c * 4 - 1, 14); // a gap between field columns
    }
    layout->addLayout(m_grid);
    m_message = new QLabel(this);
    m_message->setWordWrap(true);
    m_message->setStyleSheet(QStringLiteral("color: #e0554f"));
    m_message->hide();
    layout->addWidget(m_message);
    layout->addStretch(1);

    addField("epochs", tr("Epochs"), tr("Passes over the training split"), intEditor(1, 10000));
    addField("batch_size", tr("Batch size"), tr("Images per optimisation step"), intEditor(1, 4096));
    addField("learning_rate", tr("Learning rate"), tr("Peak AdamW learning rate (after warm-up)"),
             realEditor());
    addField("weight_decay", tr("Weight decay"), tr("AdamW weight decay"), realEditor());
    addField("warmup_epochs", tr("Warm-up epochs"), tr("Linear warm-up before the cosine decay"),
             intEditor(0, 1000));
    addField("patience", tr("Early-stop patience"),
             tr("Epochs without a better validation loss before stopping; 0 = never stop early"),
             intEditor(0, 10000, 1, tr("never")));
    addField("image_size", tr("Image size"), tr("Side of the square image the model sees, in pixels"),
             intEditor(8, 1024, 16));
    addField("augment", tr("Augmentation"),
             tr("Random rotation, resized crop and flips of every training image (Zoobot's)"), new QCheckBox);
    addField("label_smoothing", tr("Label smoothing"), tr("0 = hard labels"), [] {
        auto* box = new QDoubleSpinBox;
        box->setRange(0, 0.5);
        box->setSingleStep(0.05);
        box->setDecimals(2);
        return box;
    }());
    addField("class_weights", tr("Class weights"),
             tr("Weight rings by negatives/positives of the training split"), new QCheckBox);
    addField("n_blocks", tr("Blocks trained"),
             tr("last_n_blocks mode: encoder blocks that train, from the top"), intEditor(0, 64));
    addField("seed", tr("Seed"), tr("Initialisation, shuffling, augmentation and cross-validation folds"),
             intEditor(0, INT_MAX));
    addField(
        "cv_folds", tr("CV folds"),
        tr("Stratified k-fold cross-validation: one more model per fold, pooled out-of-fold ROC AUC with "
           "an interval (what to compare cells on when the label set is small); 0 = the fixed split only"),
        intEditor(0, 20, 1, tr("fixed split")));
    addField("cv_repeats", tr("CV repeats"), tr("Cross-validation repeated with other folds, averaged"),
             intEditor(1, 10));
    addField("device", tr("Device"), tr("auto = the GPU when there is one"), [] {
        auto* box = new QComboBox;
        box->setEditable(true);
        box->addItems({QStringLiteral("auto"), QStringLiteral("cpu"), QStringLiteral("cuda"),
                       QStringLiteral("cuda:0"), QStringLiteral("cuda:1")});
        return box;
    }());
    addField("mixed_precision", tr("Mixed precision"), tr("bf16 autocast on the GPU"), new QCheckBox);
    addField("max_steps_per_epoch", tr("Steps per epoch"), tr("Cap on steps per epoch, for quick trials"),
             intEditor(0, 1000000, 1, tr("whole epoch")));
    addField("torch_threads", tr("CPU threads"), tr("LibTorch threads on the CPU"),
             intEditor(0, 256, 1, tr("default")));
    addField(
        "semi_supervised", tr("FixMatch"),
        tr("Semi-supervised training: unlabelled image sources (catalog:NAME or folder:PATH, separated by "
           "';'), pseudo-label threshold τ, unlabelled-loss weight λ and unlabelled images per labelled "
           "one μ; empty = off"),
        new SemiSupervisedEdit);
    show({}, tr("Matrix defaults"), nlohmann::json::object(), {});
}

std::vector<std::string> CellConfigForm::keys()
{
    return {"epochs",
            "batch_size",
            "learning_rate",
            "weight_decay",
            "warmup_epochs",
            "patience",
            "image_size",
            "augment",
            "label_smoothing",
            "class_weights",
            "n_blocks",
            "seed",
            "cv_folds",
            "cv_repeats",
            "device",
            "mixed_precision",
            "max_steps_per_epoch",
            "torch_threads",
            "semi_supervised"};
}

void CellConfigForm::addField(const std::string& key, const QString& label, const QString& tip,
                              QWidget* editor)
{
    Field f;
    f.key = key;
    f.label = new QLabel(label, this);
    f.label->setToolTip(tip);
    f.editor = editor;
    editor->setObjectName(QString::fromStdString(key));
    editor->setToolTip(tip);
    f.reset = new QToolButton(this);
    f.reset->setText(QStringLiteral("↺"));
    f.reset->setAutoRaise(true);
    f.reset->setToolTip(tr("Remove this setting here (inherit it)"));
    // Filled column by column, so related fields (optimisation, then images and execution) stay together.
    const int count = int(keys().size());
    const int rows = (count + kFieldColumns - 1) / kFieldColumns;
    const int index = int(m_fields.size());
    const int row = index % rows, column = (index / rows) * 4;
    m_grid->addWidget(f.label, row, column);
    m_grid->addWidget(editor, row, column + 1);
    m_grid->addWidget(f.reset, row, column + 2);

    connect(f.reset, &QToolButton::clicked, this, [this, key] { commit(key, nullptr); });
    if (auto* semi = dynamic_cast<SemiSupervisedEdit*>(editor)) {
        connect(semi->sources, &QLineEdit::editingFinished, this,
                [this, key, semi] { commit(key, semi->value()); });
        auto changed = [this, key, semi] {
            if (!semi->value().is_null()) commit(key, semi->value());
        };
        connect(semi->threshold, &QDoubleSpinBox::valueChanged, this, changed);
        connect(semi->lambda, &QDoubleSpinBox::valueChanged, this, changed);
        connect(semi->mu, &QSpinBox::valueChanged, this, changed);
    } else if (auto* spin = qobject_cast<QSpinBox*>(editor))
        connect(spin, &QSpinBox::valueChanged, this, [this, key](int v) { commit(key, v); });
    else if (auto* dspin = qobject_cast<QDoubleSpinBox*>(editor))
        connect(dspin, &QDoubleSpinBox::valueChanged, this, [this, key](double v) { commit(key, v); });
    else if (auto* check = qobject_cast<QCheckBox*>(editor))
        connect(check, &QCheckBox::toggled, this, [this, key](bool on) { commit(key, on); });
    else if (auto* line = qobject_cast<QLineEdit*>(editor))
        connect(line, &QLineEdit::editingFinished, this, [this, key, line] {
            bool ok = false;
            const double v = QLocale::c().toDouble(line->text(), &ok);
            if (ok) commit(key, v);
        });
    else if (auto* combo = qobject_cast<QComboBox*>(editor)) {
        connect(combo, &QComboBox::activated, this,
                [this, key, combo](int) { commit(key, combo->currentText().trimmed().toStdString()); });
        connect(combo->lineEdit(), &QLineEdit::editingFinished, this,
                [this, key, combo] { commit(key, combo->currentText().trimmed().toStdString()); });
    }
    m_fields.push_back(f);
}

QWidget* CellConfigForm::editor(const QString& key) const
{
    for (const Field& f : m_fields)
        if (f.key == key.toStdString()) return f.editor;
    return nullptr;
}

void CellConfigForm::setEditorValue(const Field& f, const nlohmann::json& v)
{
    if (auto* semi = dynamic_cast<SemiSupervisedEdit*>(f.editor)) {
        semi->setValue(v); // null = off: the sources field empties
        return;
    }
    if (v.is_null()) return;
    if (auto* spin = qobject_cast<QSpinBox*>(f.editor)) {
        if (v.is_number()) spin->setValue(int(std::min<double>(v.get<double>(), INT_MAX)));
    } else if (auto* dspin = qobject_cast<QDoubleSpinBox*>(f.editor)) {
        if (v.is_number()) dspin->setValue(v.get<double>());
    } else if (auto* check = qobject_cast<QCheckBox*>(f.editor)) {
        if (v.is_boolean()) check->setChecked(v.get<bool>());
    } else if (auto* line = qobject_cast<QLineEdit*>(f.editor)) {
        if (v.is_number() && !line->hasFocus()) line->setText(QLocale::c().toString(v.get<double>(), 'g', 6));
    } else if (auto* combo = qobject_cast<QComboBox*>(f.editor)) {
        if (v.is_string()) combo->setCurrentText(QString::fromStdString(v.get<std::string>()));
    }
}

void CellConfigForm::show(const QString& scopeKey, const QString& title, const nlohmann::json& effective,
                          const std::set<std::string>& own)
{
    m_filling = true;
    m_scope = scopeKey;
    m_title->setText(title);
    for (const Field& f : m_fields) {
        if (effective.is_object() && effective.contains(f.key))
            setEditorValue(f, effective.at(f.key));
        else if (f.key == "semi_supervised")
            setEditorValue(f, nullptr); // off: toJson leaves the key out

        const bool set = own.count(f.key) > 0;
        QFont font = f.label->font();
        font.setBold(set);
        f.label->setFont(font);
        f.reset->setEnabled(set);
    }
    m_filling = false;
}

void CellConfigForm::setMessage(const QString& message)
{
    m_message->setText(message);
    m_message->setVisible(!message.isEmpty());
}

void CellConfigForm::commit(const std::string& key, const nlohmann::json& value)
{
    if (m_filling) return;
    Q_EMIT valueEdited(m_scope, QString::fromStdString(key), value);
}

} // namespace rm::ui

#include "training/PretrainDialog.h"

#include "models/ModelRegistry.h"
#include "store/ProjectStore.h"
#include "tasks/TaskManager.h"
#include "training/ExperimentMatrix.h"
#include "util/Error.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace rm::ui {

PretrainDialog::PretrainDialog(const QString& projectPath, QWidget* parent, TaskManager* tasks)
    : QDialog(parent), m_projectPath(projectPath), m_tasks(tasks ? tasks : TaskManager::instance())
{
    setWindowTitle(tr("Self-Supervised Pretraining"));
    auto* layout = new QVBoxLayout(this);
    auto* intro =
        new QLabel(tr("Teach an encoder from unlabelled images (SimCLR: two augmented views of each "
                      "image, NT-Xent loss). The encoder is recorded in the project and offered as "
                      "\"pretrained\" when adding a model column to the matrix. Labels are never "
                      "read."),
                   this);
    intro->setWordWrap(true);
    layout->addWidget(intro);

    auto* form = new QFormLayout;
    m_catalogs = new QListWidget(this);
    m_catalogs->setObjectName("pretrainCatalogs");
    try {
        auto store = rm::ProjectStore::open(projectPath.toStdString());
        for (const auto& c : store->catalogs()) {
            if (!store->imageSourceSpec(c.id)) continue;
            auto* item = new QListWidgetItem(
                tr("%1 (%2 rows)").arg(QString::fromStdString(c.name)).arg(c.rowCount), m_catalogs);
            item->setData(Qt::UserRole, QString::fromStdString(c.name));
            item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
            item->setCheckState(Qt::Unchecked);
        }
    } catch (const std::exception& e) {
        auto* item = new QListWidgetItem(tr("cannot read the project: %1").arg(e.what()), m_catalogs);
        item->setFlags(Qt::NoItemFlags);
    }
    if (m_catalogs->count() == 0)
        (new QListWidgetItem(tr("no catalog has an image source"), m_catalogs))->setFlags(Qt::NoItemFlags);
    form->addRow(tr("Catalogs (their images, not labels)"), m_catalogs);

    m_folders = new QListWidget(this);
    m_folders->setObjectName("pretrainFolders");
    auto* folderButtons = new QHBoxLayout;
    auto* add = new QPushButton(tr("Add Folder…"), this);
    auto* remove = new QPushButton(tr("Remove"), this);
    folderButtons->addWidget(add);
    folderButtons->addWidget(remove);
    folderButtons->addStretch();
    connect(add, &QPushButton::clicked, this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(this, tr("Folder of JPEG/PNG Images"));
        if (!dir.isEmpty()) addFolder(dir);
    });
    connect(remove, &QPushButton::clicked, this, [this] { qDeleteAll(m_folders->selectedItems()); });
    auto* folderBox = new QVBoxLayout;
    folderBox->addWidget(m_folders);
    folderBox->addLayout(folderButtons);
    form->addRow(tr("Folders"), folderBox);

    m_arch = new QComboBox(this);
    for (const std::string& name : rm::matrixArchitectures(true))
        if (name != "profile_lr") m_arch->addItem(QString::fromStdString(name), QString::fromStdString(name));
    m_arch->setCurrentIndex(std::max(0, m_arch->findData(QStringLiteral("simple_cnn"))));
    m_channels = new QSpinBox(this);
    m_channels->setRange(1, 3);
    m_channels->setValue(3);
    m_size = new QSpinBox(this);
    m_size->setRange(16, 512);
    m_size->setSingleStep(16);
    m_size->setValue(64);
    m_size->setSuffix(tr(" px"));
    m_epochs = new QSpinBox(this);
    m_epochs->setRange(1, 1000);
    m_epochs->setValue(20);
    m_batch = new QSpinBox(this);
    m_batch->setRange(2, 4096);
    m_batch->setValue(64);
    m_temperature = new QDoubleSpinBox(this);
    m_temperature->setRange(0.01, 2.0);
    m_temperature->setSingleStep(0.05);
    m_temperature->setValue(0.2);
    m_name = new QLineEdit(this);
    form->addRow(tr("Architecture"), m_arch);
    form->addRow(tr("Channels"), m_channels);
    form->addRow(tr("Image size"), m_size);
    form->addRow(tr("Epochs"), m_epochs);
    form->addRow(tr("Batch (images)"), m_batch);
    form->addRow(tr("Temperature"), m_temperature);
    form->addRow(tr("Name"), m_name);
    layout->addLayout(form);
    for (QSpinBox* s : {m_channels, m_size})
        connect(s, &QSpinBox::valueChanged, this, &PretrainDialog::suggestName);
    connect(m_arch, &QComboBox::currentIndexChanged, this, &PretrainDialog::suggestName);
    suggestName();

    m_error = new QLabel(this);
    m_error->setWordWrap(true);
    m_error->setStyleSheet(QStringLiteral("color: #c0392b"));
    m_error->hide();
    layout->addWidget(m_error);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
    m_start = buttons->addButton(tr("Start"), QDialogButtonBox::AcceptRole);
    m_start->setObjectName("pretrainStart");
    connect(m_start, &QPushButton::clicked, this, &PretrainDialog::start);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);
}

void PretrainDialog::suggestName()
{
    rm::PretrainConfig c;
    c.arch = m_arch->currentData().toString().toStdString();
    c.inChannels = m_channels->value();
    c.imageSize = m_size->value();
    m_name->setText(QString::fromStdString(rm::defaultPretrainName(c)));
}

void PretrainDialog::addFolder(const QString& dir)
{
    if (m_folders->findItems(dir, Qt::MatchExactly).isEmpty()) m_folders->addItem(dir);
}

void PretrainDialog::setCatalogChecked(const QString& name, bool checked)
{
    for (int i = 0; i < m_catalogs->count(); ++i)
        if (m_catalogs->item(i)->data(Qt::UserRole).toString() == name)
            m_catalogs->item(i)->setCheckState(checked ? Qt::Checked : Qt::Unchecked);
}

rm::PretrainRequest PretrainDialog::request() const
{
    rm::PretrainRequest r;
    for (int i = 0; i < m_catalogs->count(); ++i) {
        const QListWidgetItem* item = m_catalogs->item(i);
        if (item->checkState() == Qt::Checked)
            r.sources.push_back(
                {rm::PretrainSource::Catalog, item->data(Qt::UserRole).toString().toStdString()});
    }
    for (int i = 0; i < m_folders->count(); ++i)
        r.sources.push_back({rm::PretrainSource::Folder, m_folders->item(i)->text().toStdString()});
    if (r.sources.empty()) throw rm::Error("choose at least one catalog or folder of images");
    r.config.arch = m_arch->currentData().toString().toStdString();
    r.config.inChannels = m_channels->value();
    r.config.imageSize = m_size->value();
    r.config.epochs = m_epochs->value();
    r.config.batchSize = m_batch->value();
    r.config.temperature = m_temperature->value();
    r.config.augmentation = rm::pretrainAugmentation();
    r.name = m_name->text().trimmed().toStdString();
    rm::validate(r.config);
    return r;
}

Task* PretrainDialog::startTask(const QString& projectPath, const rm::PretrainRequest& request,
                                TaskManager* tasks)
{
    const std::string path = projectPath.toStdString();
    auto work = [path, request](TaskContext& ctx) -> QString {
        auto store = rm::ProjectStore::open(path); // this thread's own connection
        rm::PretrainImagesOptions io;
        io.progress = [&ctx](std::size_t done, std::size_t total) {
            return ctx.setProgress(total ? 0.05 * double(done) / double(total) : -1,
                                   QObject::tr("decoding images %1/%2").arg(done).arg(total));
        };
        io.log = [&ctx](const std::string& m) { ctx.log(QString::fromStdString(m)); };
        rm::PretrainCallbacks cb;
        cb.log = io.log;
        cb.cancelled = [&ctx] { return ctx.cancelled(); };
        const int epochs = request.config.epochs;
        cb.onStep = [&ctx, epochs](const rm::PretrainStep& s) {
            const double done = (double(s.epoch) + double(s.step + 1) / s.stepsPerEpoch) / epochs;
            ctx.setProgress(
                0.05 + 0.95 * done,
                QObject::tr("epoch %1/%2, loss %3").arg(s.epoch + 1).arg(epochs).arg(s.loss, 0, 'f', 3));
        };
        const rm::PretrainOutcome o = rm::pretrainForProject(*store, request, io, cb);
        if (o.result.cancelled)
            throw rm::Error("cancelled after epoch " + std::to_string(o.result.epochsDone) +
                            "; start the same pretraining again to carry on");
        return QObject::tr("pretrained encoder %1 (final loss %2)")
            .arg(QString::fromStdString(o.record.at("path").get<std::string>()))
            .arg(o.result.finalLoss, 0, 'f', 3);
    };
    return tasks->run(QObject::tr("Pretraining %1")
                          .arg(QString::fromStdString(
                              request.name.empty() ? rm::defaultPretrainName(request.config) : request.name)),
                      std::move(work), Task::NoFlags, QThread::LowPriority);
}

void PretrainDialog::start()
{
    rm::PretrainRequest r;
    try {
        r = request();
    } catch (const std::exception& e) {
        m_error->setText(QString::fromUtf8(e.what()));
        m_error->show();
        return;
    }
    m_error->hide();
    m_task = startTask(m_projectPath, r, m_tasks);
    connect(m_task, &Task::finished, this,
            [this](bool ok, const QString& message) { Q_EMIT pretrainingFinished(ok, message); });
    Q_EMIT started(m_task);
    accept();
}

std::vector<std::pair<QString, QString>> pretrainedEncoderChoices(const QString& projectPath)
{
    std::vector<std::pair<QString, QString>> out;
    if (projectPath.isEmpty()) return out;
    try {
        auto store = rm::ProjectStore::open(projectPath.toStdString());
        for (const auto& e : rm::pretrainedEncoders(*store))
            out.emplace_back(QObject::tr("%1 — %2, c%3, %4 px, %5 images, %6 epochs")
                                 .arg(QString::fromStdString(e.name), QString::fromStdString(e.arch))
                                 .arg(e.inChannels)
                                 .arg(e.imageSize)
                                 .arg(e.images)
                                 .arg(e.epochs),
                             QString::fromStdString(e.path));
    } catch (const std::exception&) {
        // An unreadable project offers no choices; the path can still be typed or browsed.
    }
    return out;
}

} // namespace rm::ui

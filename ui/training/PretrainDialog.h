#pragma once
// Training > Self-Supervised Pretraining…: choose unlabelled image sources (the project's catalogs that have
// an image source, and folders of JPEG/PNG files), the architecture, channels, image size, epochs, batch and
// temperature, then Start runs rm::pretrainForProject as a task of the TaskManager (its worker thread, its
// line in the status bar with progress, ETA and Cancel). The finished encoder is recorded in the project, so
// the matrix editor offers it as "pretrained". Cancelling keeps the last finished epoch's checkpoint:
// starting the same pretraining again carries on from it.
#include "training/Pretrain.h"

#include <QDialog>
#include <QPointer>
#include <QString>

#include <utility>
#include <vector>

class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QPushButton;
class QSpinBox;

namespace rm::ui {

class Task;
class TaskManager;

class PretrainDialog : public QDialog
{
    Q_OBJECT
public:
    // tasks nullptr: the application's (TaskManager::instance()).
    explicit PretrainDialog(const QString& projectPath, QWidget* parent = nullptr,
                            TaskManager* tasks = nullptr);

    // What the form says now. Throws rm::Error when no source is chosen.
    rm::PretrainRequest request() const;
    // For the folder list (the Add Folder button asks with a file dialog).
    void addFolder(const QString& dir);
    void setCatalogChecked(const QString& name, bool checked);

    QComboBox* archBox() const { return m_arch; }
    QSpinBox* channelsBox() const { return m_channels; }
    QSpinBox* imageSizeBox() const { return m_size; }
    QSpinBox* epochsBox() const { return m_epochs; }
    QSpinBox* batchBox() const { return m_batch; }
    QDoubleSpinBox* temperatureBox() const { return m_temperature; }
    QLineEdit* nameEdit() const { return m_name; }
    QPushButton* startButton() const { return m_start; }
    // The running (or last started) task; null once it has finished and been deleted.
    Task* task() const { return m_task; }

    // Starts a pretraining as a task (also without a dialog). The worker opens its own project connection.
    static Task* startTask(const QString& projectPath, const rm::PretrainRequest& request,
                           TaskManager* tasks);

Q_SIGNALS:
    void started(rm::ui::Task* task);
    // On the GUI thread once the task has stopped: ok, and its message (the encoder's path, or why not).
    void pretrainingFinished(bool ok, const QString& message);

private:
    void start();
    void suggestName();

    QString m_projectPath;
    TaskManager* m_tasks;
    QListWidget* m_catalogs = nullptr;
    QListWidget* m_folders = nullptr;
    QComboBox* m_arch = nullptr;
    QSpinBox* m_channels = nullptr;
    QSpinBox* m_size = nullptr;
    QSpinBox* m_epochs = nullptr;
    QSpinBox* m_batch = nullptr;
    QDoubleSpinBox* m_temperature = nullptr;
    QLineEdit* m_name = nullptr;
    QLabel* m_error = nullptr;
    QPushButton* m_start = nullptr;
    QPointer<Task> m_task;
};

// The encoders recorded in the project (newest last) as (label, path) for a "pretrained" chooser: "name —
// arch, c3, 64 px, N images, E epochs". Empty when the project cannot be read or has none.
std::vector<std::pair<QString, QString>> pretrainedEncoderChoices(const QString& projectPath);

} // namespace rm::ui

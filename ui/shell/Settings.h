#pragma once
// Every persistent setting of the workbench, with its key and default declared once (QSettings under the
// organisation and application names main() sets).
#include <QByteArray>
#include <QSettings>
#include <QString>
#include <QStringList>
#include <QVariant>

namespace rm::ui {

template <typename T> class Setting
{
public:
    Setting(const char* key, T defaultValue) : m_key(key), m_default(std::move(defaultValue)) {}

    T get() const
    {
        const QVariant v = QSettings().value(QLatin1String(m_key));
        return v.isValid() && v.canConvert<T>() ? v.value<T>() : m_default;
    }
    void set(const T& value) const { QSettings().setValue(QLatin1String(m_key), QVariant::fromValue(value)); }
    const char* key() const { return m_key; }

private:
    const char* m_key;
    T m_default;
};

namespace settings {

inline const Setting<QStringList> recentProjects{"project/recent", {}};
inline const Setting<QString> lastProject{"project/last", {}};
inline const Setting<QByteArray> windowGeometry{"window/geometry", {}};
inline const Setting<QByteArray> windowState{"window/state", {}};
inline const Setting<QString> author{"labels/author", {}};
inline const Setting<bool> authorAsked{"labels/authorAsked", false}; // the first-run name prompt was answered
inline const Setting<bool> advanceAfterLabel{"labels/advanceAfterLabel", true};
inline const Setting<int> thumbnailSize{"cutouts/thumbnailSize", 144};
inline const Setting<bool> greyscale{"cutouts/greyscale", false};
inline const Setting<int> thumbnailCacheMiB{"cutouts/cacheMiB", 256};
inline const Setting<bool> darkTheme{"view/darkTheme", true};

// Who labels: the author setting, else $USER, else "unknown".
QString labelAuthor();

constexpr int kMaxRecentProjects = 8;
// Puts path first in the recent list (deduplicated, at most kMaxRecentProjects) and makes it the last
// project.
void rememberProject(const QString& path);

} // namespace settings
} // namespace rm::ui

#include "shell/Settings.h"

#include <QFileInfo>

namespace rm::ui::settings {

QString labelAuthor()
{
    const QString configured = author.get().trimmed();
    if (!configured.isEmpty()) return configured;
    const QString user = qEnvironmentVariable("USER", qEnvironmentVariable("USERNAME")).trimmed();
    return user.isEmpty() ? QStringLiteral("unknown") : user;
}

void rememberProject(const QString& path)
{
    const QString absolute = QFileInfo(path).absoluteFilePath();
    QStringList recent = recentProjects.get();
    recent.removeAll(absolute);
    recent.prepend(absolute);
    while (recent.size() > kMaxRecentProjects)
        recent.removeLast();
    recentProjects.set(recent);
    lastProject.set(absolute);
}

} // namespace rm::ui::settings

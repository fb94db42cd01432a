#include "samp/SampLockfile.h"

#include <QDir>
#include <QFile>
#include <QRegularExpression>

namespace rm::ui {

namespace {
constexpr qint64 kMaxLockfileBytes = 1 << 20; // a lockfile is a few lines
}

QString sampLockfilePath()
{
    const QString env = qEnvironmentVariable("SAMP_HUB");
    if (env.isEmpty()) return QDir(QDir::homePath()).filePath(QStringLiteral(".samp"));
    const QString prefix = QStringLiteral("std-lockurl:");
    if (!env.startsWith(prefix))
        throw rm::Error("SAMP_HUB='" + env.toStdString() +
                        "' is not a Standard Profile hub reference (std-lockurl:file:///path)");
    const QUrl url(env.mid(prefix.size()));
    if (!url.isValid() || !url.isLocalFile())
        throw rm::Error("SAMP_HUB='" + env.toStdString() + "': only file: lockfile URLs are supported");
    return url.toLocalFile();
}

SampHubInfo parseSampLockfile(const QByteArray& text, const QString& path)
{
    static const QRegularExpression kLine(QStringLiteral("^([A-Za-z0-9._-]+)=(.*)$"));
    SampHubInfo info;
    info.lockfile = path;
    const auto where = [&](int line) {
        return "SAMP lockfile " + path.toStdString() + ", line " + std::to_string(line);
    };
    const QList<QByteArray> lines = text.split('\n');
    for (int i = 0; i < lines.size(); ++i) {
        QString line = QString::fromUtf8(lines[i]);
        if (line.endsWith(u'\r')) line.chop(1);
        if (line.trimmed().isEmpty() || line.startsWith(u'#')) continue;
        const QRegularExpressionMatch m = kLine.match(line);
        if (!m.hasMatch())
            throw rm::Error(where(i + 1) + ": expected name=value, found '" + line.left(60).toStdString() +
                            "'");
        info.entries.insert(m.captured(1), m.captured(2));
    }
    info.secret = info.entries.value(QStringLiteral("samp.secret"));
    info.profileVersion = info.entries.value(QStringLiteral("samp.profile.version"));
    const QString url = info.entries.value(QStringLiteral("samp.hub.xmlrpc.url"));
    if (info.secret.isEmpty()) throw rm::Error("SAMP lockfile " + path.toStdString() + " has no samp.secret");
    if (url.isEmpty()) throw rm::Error("SAMP lockfile " + path.toStdString() + " has no samp.hub.xmlrpc.url");
    info.xmlrpcUrl = QUrl(url, QUrl::StrictMode);
    if (!info.xmlrpcUrl.isValid() || info.xmlrpcUrl.scheme() != u"http" || info.xmlrpcUrl.host().isEmpty())
        throw rm::Error("SAMP lockfile " + path.toStdString() + ": samp.hub.xmlrpc.url '" +
                        url.toStdString() + "' is not an http URL");
    return info;
}

SampHubInfo readSampLockfile(const QString& path)
{
    QFile file(path);
    if (!file.exists()) throw rm::Error("no SAMP hub is running (no lockfile " + path.toStdString() + ")");
    if (!file.open(QIODevice::ReadOnly))
        throw rm::Error("cannot read the SAMP lockfile " + path.toStdString() + ": " +
                        file.errorString().toStdString());
    const QByteArray text = file.read(kMaxLockfileBytes + 1);
    if (text.size() > kMaxLockfileBytes)
        throw rm::Error("SAMP lockfile " + path.toStdString() + " is larger than 1 MiB: not a lockfile");
    return parseSampLockfile(text, path);
}

} // namespace rm::ui

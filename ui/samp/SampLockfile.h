#pragma once
// Finding a SAMP hub (Standard Profile, IVOA SAMP 1.3 section 4.3): $SAMP_HUB
// ("std-lockurl:file:///path/to/lockfile") when set, else the file .samp in the home directory; the
// lockfile's "name=value" lines give the hub's secret and XML-RPC URL.
#include "util/Error.h"

#include <QMap>
#include <QString>
#include <QUrl>

namespace rm::ui {

struct SampHubInfo
{
    QString lockfile;
    QString secret;                 // samp.secret
    QUrl xmlrpcUrl;                 // samp.hub.xmlrpc.url
    QString profileVersion;         // samp.profile.version
    QMap<QString, QString> entries; // every name=value line
};

// Where the hub's lockfile should be, from $SAMP_HUB or the home directory. Throws rm::Error when $SAMP_HUB
// is set to something other than a file std-lockurl.
QString sampLockfilePath();

// Parses a lockfile's text (comments start with '#'; blank lines are allowed). Throws rm::Error naming the
// file and line for a malformed line, a missing samp.secret or samp.hub.xmlrpc.url, or a URL that is not
// http.
SampHubInfo parseSampLockfile(const QByteArray& text, const QString& path);
// Reads and parses the lockfile; throws rm::Error when it cannot be read.
SampHubInfo readSampLockfile(const QString& path);

} // namespace rm::ui

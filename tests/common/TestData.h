#pragma once
// Paths for tests: the real data in ../shared/data (a test that needs it fails loudly when it is missing) and
// scratch directories the tests make.
#include "imaging/ImageDecode.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <string>

namespace rmtest {

inline QString sharedDataDir()
{
    QByteArray env = qgetenv("RINGMINER_SHARED_DATA");
    return env.isEmpty() ? QStringLiteral(RINGMINER_TEST_SHARED_DATA_FALLBACK) : QString::fromLocal8Bit(env);
}

// The absolute path of a file under ../shared/data, or an empty string if it is missing.
inline std::string sharedData(const char* relative)
{
    QString p = QDir(sharedDataDir()).filePath(QString::fromUtf8(relative));
    return QFileInfo::exists(p) ? p.toStdString() : std::string();
}

inline QString cliPath()
{
    return QString::fromLocal8Bit(qgetenv("RINGMINER_CLI"));
}

struct CliResult
{
    int exitCode = -1;
    QString out;
    QString err;
    // The --json summary: the last non-empty line of stdout.
    QJsonObject json() const
    {
        const auto lines = out.split('\n', Qt::SkipEmptyParts);
        return lines.isEmpty() ? QJsonObject() : QJsonDocument::fromJson(lines.last().toUtf8()).object();
    }
};

// Runs ringminer-cli; with `asUser` (a command prefix such as {"setpriv", "--reuid=65534", ...}) it runs as
// that user, for tests of what another user may do with a project.
inline CliResult runCli(const QStringList& args, int timeoutMs = 300000, const QStringList& asUser = {})
{
    QProcess p;
    if (asUser.isEmpty())
        p.start(cliPath(), args);
    else
        p.start(asUser.first(), asUser.mid(1) + QStringList{cliPath()} + args);
    CliResult r;
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        r.err = "timed out";
        return r;
    }
    r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.out = QString::fromUtf8(p.readAllStandardOutput());
    r.err = QString::fromUtf8(p.readAllStandardError());
    return r;
}

} // namespace rmtest

// Declares `std::string var` holding the path of a shared data file, failing the test with a clear message if
// the file is missing (tests must not skip silently).
#define RM_SHARED_DATA(var, relative)                                                                        \
    const std::string var = rmtest::sharedData(relative);                                                    \
    QVERIFY2(!var.empty(),                                                                                   \
             qPrintable(QStringLiteral("missing real data file %1/%2 (see ../shared/data/README.md)")        \
                            .arg(rmtest::sharedDataDir(), QStringLiteral(relative))))

// For test functions that decode or write JPEG/PNG: a build without OpenCV (the headless GPU build) cannot,
// by design, and says so with a clear error (tests/core/sources/test_image_sources.cpp checks that); there
// they skip, saying why. The CI build has OpenCV, so nothing skips there.
#define RM_REQUIRE_IMAGE_DECODING()                                                                          \
    do {                                                                                                     \
        if (!rm::imageDecodingAvailable())                                                                   \
            QSKIP("this build has no OpenCV: it cannot decode or write JPEG/PNG files");                     \
    } while (0)

#pragma once
// tests/core/fault_server.py as a child process of a test: a stand-in for the Legacy Surveys and SDSS cutout
// services on 127.0.0.1 that serves real DECaLS JPEGs by position and fails on purpose by plan. Every control
// call is a plain GET through the library's own HTTP client.
#include "TestData.h"

#include "cutouts/HttpGet.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QUrl>

#include <string>

namespace rmtest {

inline QString scriptPath()
{
    const QByteArray src = qgetenv("RINGMINER_SOURCE_DIR");
    if (!src.isEmpty()) return QDir(QString::fromLocal8Bit(src)).filePath("tests/core/fault_server.py");
    return QFileInfo(QStringLiteral(__FILE__)).dir().filePath("../core/fault_server.py");
}

inline QString ringImagesDir()
{
    return QDir(rmtest::sharedDataDir()).filePath("images/gzdecals_ring470");
}

// The key the server files a position under: the position as the cutout URL carries it (six decimals),
// then to four. Rounding the catalog's full-precision value straight to four decimals differs for a
// position like dec 45.7609498 (URL 45.760950, key 45.7610).
inline QString key(double ra, double dec)
{
    return QString::asprintf("%.4f_%.4f", QString::number(ra, 'f', 6).toDouble(),
                             QString::number(dec, 'f', 6).toDouble());
}

// The fault server as a child process; every call is a plain GET through the library's own HTTP client.
class FaultServer
{
public:
    // extra: more arguments for the server, e.g. {"--by-position", mapJson}.
    bool start(const QString& defaultBehaviour = "ok", const QStringList& extra = {})
    {
        m_proc.setProgram("/usr/bin/python3");
        m_proc.setArguments(QStringList{scriptPath(), "--images", ringImagesDir(), "--default",
                                        defaultBehaviour, "--max-seconds", "300"} +
                            extra);
        m_proc.setProcessChannelMode(QProcess::SeparateChannels);
        m_proc.start();
        if (!m_proc.waitForStarted(5000)) return false;
        QByteArray out;
        QElapsedTimer t;
        t.start();
        while (!out.contains('\n') && t.elapsed() < 10000) {
            m_proc.waitForReadyRead(200);
            out += m_proc.readAllStandardOutput();
        }
        const auto line = QString::fromUtf8(out).trimmed();
        if (!line.startsWith("PORT ")) {
            qWarning("fault server did not start: %s %s", qPrintable(line),
                     m_proc.readAllStandardError().constData());
            return false;
        }
        m_port = line.mid(5).toInt();
        return m_port > 0;
    }
    ~FaultServer()
    {
        m_proc.kill();
        m_proc.waitForFinished(3000);
    }
    std::string root() const { return "http://127.0.0.1:" + std::to_string(m_port); }
    std::string legacyUrl() const { return root() + "/viewer/cutout.jpg"; }
    std::string sdssUrl() const { return root() + "/dr17/SkyServerWS/ImgCutout/getjpeg"; }
    QJsonObject get(const std::string& pathAndQuery) const
    {
        rm::HttpGet http({});
        const rm::HttpResponse r = http.get(root() + pathAndQuery);
        if (!r.transportOk || r.status != 200) return {};
        return QJsonDocument::fromJson(
                   QByteArray(reinterpret_cast<const char*>(r.body.data()), int(r.body.size())))
            .object();
    }
    QJsonObject stats() const { return get("/stats"); }
    bool setPlan(const QJsonObject& plan) const
    {
        const QByteArray json = QJsonDocument(plan).toJson(QJsonDocument::Compact);
        return get("/plan?set=" + QUrl::toPercentEncoding(QString::fromUtf8(json)).toStdString())
            .value("ok")
            .toBool();
    }
    bool setDefault(const QString& b) const
    {
        return get("/control?default=" + b.toStdString()).value("ok").toBool();
    }
    bool reset() const { return get("/reset").value("ok").toBool(); }

private:
    QProcess m_proc;
    int m_port = 0;
};

} // namespace rmtest

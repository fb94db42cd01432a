#include "inspector/SkyFormat.h"

#include <QUrlQuery>

#include <cmath>

namespace rm::ui {

QString formatRaHms(double raDeg)
{
    if (!std::isfinite(raDeg)) return QStringLiteral("—");
    // Round once at the shown precision so 59.995 s carries into the minutes instead of printing "60.00".
    const qint64 centis =
        qint64(std::llround(std::fmod(raDeg / 15.0 + 24.0, 24.0) * 360000.0)) % (24LL * 360000);
    const int h = int(centis / 360000), m = int(centis / 6000 % 60);
    const double s = double(centis % 6000) / 100.0;
    return QStringLiteral("%1:%2:%3")
        .arg(h, 2, 10, QLatin1Char('0'))
        .arg(m, 2, 10, QLatin1Char('0'))
        .arg(s, 5, 'f', 2, QLatin1Char('0'));
}

QString formatDecDms(double decDeg)
{
    if (!std::isfinite(decDeg)) return QStringLiteral("—");
    const qint64 tenths = qint64(std::llround(std::fabs(decDeg) * 36000.0));
    const int d = int(tenths / 36000), m = int(tenths / 600 % 60);
    const double s = double(tenths % 600) / 10.0;
    return QStringLiteral("%1%2:%3:%4")
        .arg(decDeg < 0 ? QLatin1Char('-') : QLatin1Char('+'))
        .arg(d, 2, 10, QLatin1Char('0'))
        .arg(m, 2, 10, QLatin1Char('0'))
        .arg(s, 4, 'f', 1, QLatin1Char('0'));
}

QUrl legacySurveyViewerUrl(double raDeg, double decDeg, const QString& layer, int zoom)
{
    QUrl url(QStringLiteral("https://www.legacysurvey.org/viewer"));
    QUrlQuery q;
    q.addQueryItem(QStringLiteral("ra"), QString::number(raDeg, 'f', 6));
    q.addQueryItem(QStringLiteral("dec"), QString::number(decDeg, 'f', 6));
    q.addQueryItem(QStringLiteral("layer"), layer);
    q.addQueryItem(QStringLiteral("zoom"), QString::number(zoom));
    url.setQuery(q);
    return url;
}

} // namespace rm::ui

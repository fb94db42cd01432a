#pragma once
// Positions as astronomers read them, and the Legacy Surveys sky viewer link for a position.
#include <QString>
#include <QUrl>

namespace rm::ui {

QString formatRaHms(double raDeg);   // "00:16:55.18"
QString formatDecDms(double decDeg); // "-00:27:39.1"
// https://www.legacysurvey.org/viewer?ra=..&dec=..&layer=ls-dr10&zoom=16
QUrl legacySurveyViewerUrl(double raDeg, double decDeg, const QString& layer = QStringLiteral("ls-dr10"),
                           int zoom = 16);

} // namespace rm::ui

#include "sky/SkyLinks.h"

#include <cmath>
#include <cstdint>
#include <cstdio>

namespace rm {

namespace {

double wrapRa(double raDeg)
{
    double ra = std::fmod(raDeg, 360.0);
    if (ra < 0) ra += 360.0;
    return ra;
}

// The position's digits in units of 1/scale of a second, rounded (display) or truncated (IAU names). A
// nano-unit of slack keeps truncation from turning an exact 60.00 s, computed as 59.99999999, into 59.99.
std::int64_t units(double value, double perUnit, bool truncate)
{
    const double v = value * perUnit;
    return truncate ? static_cast<std::int64_t>(std::floor(v + 1e-6))
                    : static_cast<std::int64_t>(std::llround(v));
}

std::string raText(double raDeg, char sep, bool truncate)
{
    constexpr std::int64_t perDay = 24LL * 360000; // hundredths of a second of time
    const std::int64_t c = units(wrapRa(raDeg) / 15.0, 360000.0, truncate) % perDay;
    char buf[32];
    if (sep)
        std::snprintf(buf, sizeof buf, "%02d%c%02d%c%05.2f", int(c / 360000), sep, int(c / 6000 % 60), sep,
                      double(c % 6000) / 100.0);
    else
        std::snprintf(buf, sizeof buf, "%02d%02d%05.2f", int(c / 360000), int(c / 6000 % 60),
                      double(c % 6000) / 100.0);
    return buf;
}

std::string decText(double decDeg, char sep, bool truncate)
{
    const std::int64_t t = units(std::fabs(decDeg), 36000.0, truncate); // tenths of an arcsecond
    const char sign = std::signbit(decDeg) ? '-' : '+';
    char buf[32];
    if (sep)
        std::snprintf(buf, sizeof buf, "%c%02d%c%02d%c%04.1f", sign, int(t / 36000), sep, int(t / 600 % 60),
                      sep, double(t % 600) / 10.0);
    else
        std::snprintf(buf, sizeof buf, "%c%02d%02d%04.1f", sign, int(t / 36000), int(t / 600 % 60),
                      double(t % 600) / 10.0);
    return buf;
}

std::string number(double v, bool plus = false)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, plus ? "%+.6f" : "%.6f", v);
    return buf;
}

// The "+" of a positive declination means a space in a query string: it goes as %2B.
std::string encoded(const std::string& s)
{
    std::string out;
    for (char ch : s) {
        if (ch == '+')
            out += "%2B";
        else if (ch == ' ')
            out += "%20";
        else
            out += ch;
    }
    return out;
}

} // namespace

std::string formatRaSexagesimal(double raDeg, char separator)
{
    return raText(raDeg, separator, false);
}

std::string formatDecSexagesimal(double decDeg, char separator)
{
    return decText(decDeg, separator, false);
}

std::string formatSexagesimalPosition(double raDeg, double decDeg)
{
    return formatRaSexagesimal(raDeg) + " " + formatDecSexagesimal(decDeg);
}

std::string formatDecimalPosition(double raDeg, double decDeg)
{
    std::string ra = number(wrapRa(raDeg));
    if (ra == "360.000000") ra = "0.000000"; // rounded up to the same meridian
    return ra + " " + number(decDeg, true);
}

std::string iauName(double raDeg, double decDeg)
{
    return "J" + raText(raDeg, 0, true) + decText(decDeg, 0, true);
}

const std::vector<SkyViewer>& allSkyViewers()
{
    static const std::vector<SkyViewer> all{SkyViewer::LegacySurveys, SkyViewer::SdssNavigate,
                                            SkyViewer::EsaSky, SkyViewer::AladinLite};
    return all;
}

const char* skyViewerName(SkyViewer viewer)
{
    switch (viewer) {
    case SkyViewer::LegacySurveys:
        return "Legacy Surveys viewer";
    case SkyViewer::SdssNavigate:
        return "SDSS Navigate";
    case SkyViewer::EsaSky:
        return "ESASky";
    case SkyViewer::AladinLite:
        return "Aladin Lite";
    }
    return "";
}

std::string skyViewerUrl(SkyViewer viewer, double raDeg, double decDeg)
{
    const std::string ra = number(wrapRa(raDeg)), dec = number(decDeg);
    const std::string target = encoded(number(wrapRa(raDeg)) + " " + number(decDeg, true));
    switch (viewer) {
    case SkyViewer::LegacySurveys:
        return "https://www.legacysurvey.org/viewer?ra=" + ra + "&dec=" + dec + "&layer=ls-dr10&zoom=16";
    case SkyViewer::SdssNavigate:
        return "https://skyserver.sdss.org/dr18/en/tools/chart/navi.aspx?ra=" + ra + "&dec=" + dec +
               "&scale=0.2";
    case SkyViewer::EsaSky:
        return "https://sky.esa.int/esasky/?target=" + target + "&hips=DSS2%20color&fov=0.05&cooframe=J2000";
    case SkyViewer::AladinLite:
        return "https://aladin.cds.unistra.fr/AladinLite/?target=" + target +
               "&fov=0.05&survey=CDS%2FP%2FDESI-Legacy-Surveys%2FDR10%2Fcolor";
    }
    return {};
}

} // namespace rm

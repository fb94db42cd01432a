#pragma once
// Positions written for people and for other tools: sexagesimal and decimal text, the IAU designation, and
// links to the public sky viewers (Legacy Surveys, SDSS Navigate, ESASky, Aladin Lite). Pure formatting: no
// network, no Qt, so the GUI's menus and the CLI say the same thing.
#include <string>
#include <vector>

namespace rm {

// "HH:MM:SS.ss" with ra in [0, 360) (any value is wrapped); rounded once at the shown precision, so 59.995 s
// carries into the minutes.
std::string formatRaSexagesimal(double raDeg, char separator = ':');
// "+DD:MM:SS.s" (sign always shown, also for -00).
std::string formatDecSexagesimal(double decDeg, char separator = ':');
// "00:16:55.18 -00:27:39.1"
std::string formatSexagesimalPosition(double raDeg, double decDeg);
// "4.230000 -0.460861" (degrees, 6 decimals: about 0.004 arcsec)
std::string formatDecimalPosition(double raDeg, double decDeg);
// The IAU designation "JHHMMSS.ss+DDMMSS.s" (what Galaxy Zoo DECaLS and SDSS call iauname): digits are
// truncated, not rounded, as the IAU recommends, so the name never points past the galaxy.
std::string iauName(double raDeg, double decDeg);

enum class SkyViewer
{
    LegacySurveys, // https://www.legacysurvey.org/viewer, DR10 layer
    SdssNavigate,  // SkyServer DR18 Navigate tool
    EsaSky,        // https://sky.esa.int
    AladinLite     // https://aladin.cds.unistra.fr/AladinLite, DESI Legacy Surveys colour HiPS
};

const std::vector<SkyViewer>& allSkyViewers();
const char*
skyViewerName(SkyViewer viewer); // "Legacy Surveys viewer", "SDSS Navigate", "ESASky", "Aladin Lite"
// The viewer centred on the position at about galaxy scale; percent-encoded, ready for a browser.
std::string skyViewerUrl(SkyViewer viewer, double raDeg, double decDeg);

} // namespace rm

#include "catalog/PositionDetector.h"

#include "catalog/NumberParse.h"
#include "sky/SkyCoords.h"
#include "util/Error.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <strings.h>

namespace rm::detail {

namespace {

constexpr std::size_t kSampleSize = 64;

// Exact name first, then a case-insensitive match, as Table::columnIndex does.
int findColumn(const std::vector<std::string>& names, const std::string& name)
{
    for (std::size_t i = 0; i < names.size(); ++i)
        if (names[i] == name) return static_cast<int>(i);
    for (std::size_t i = 0; i < names.size(); ++i)
        if (strcasecmp(names[i].c_str(), name.c_str()) == 0) return static_cast<int>(i);
    return -1;
}

std::string listColumns(const std::vector<std::string>& names)
{
    std::string out;
    const std::size_t shown = std::min<std::size_t>(names.size(), 40);
    for (std::size_t i = 0; i < shown; ++i)
        out += (i ? ", " : "") + names[i];
    if (names.size() > shown) out += ", ... (" + std::to_string(names.size() - shown) + " more)";
    return names.empty() ? std::string("(none)") : out;
}

// Degrees or sexagesimal, by what most sampled cells look like. A pair whose name matched but whose cells
// parse neither way is still taken as degrees: the per-row errors then say exactly what is wrong.
PositionKind pairKind(const ColumnSampler& sample, int ra, int dec)
{
    std::size_t numeric = 0, sexagesimal = 0;
    const auto raCells = sample(static_cast<std::size_t>(ra), kSampleSize);
    const auto decCells = sample(static_cast<std::size_t>(dec), kSampleSize);
    double v;
    for (const auto& c : raCells) {
        if (parseDouble(trimBlanks(c), v))
            ++numeric;
        else if (parseSexagesimalRa(c))
            ++sexagesimal;
    }
    for (const auto& c : decCells) {
        if (parseDouble(trimBlanks(c), v))
            ++numeric;
        else if (parseSexagesimalDec(c))
            ++sexagesimal;
    }
    return sexagesimal > numeric ? PositionKind::Sexagesimal : PositionKind::Degrees;
}

// A name column counts only when most of its cells are IAU designations ("name" is often "NGC 1300").
bool looksLikeIauNames(const ColumnSampler& sample, int col)
{
    const auto cells = sample(static_cast<std::size_t>(col), kSampleSize);
    std::size_t good = 0;
    for (const auto& c : cells)
        if (parseIauName(c)) ++good;
    return !cells.empty() && good * 2 > cells.size();
}

DetectedPosition pair(const std::vector<std::string>& names, PositionKind kind, int ra, int dec)
{
    DetectedPosition d;
    d.columns.kind = kind;
    d.columns.raColumn = names[static_cast<std::size_t>(ra)];
    d.columns.decColumn = names[static_cast<std::size_t>(dec)];
    d.raIndex = ra;
    d.decIndex = dec;
    return d;
}

DetectedPosition iau(const std::vector<std::string>& names, int col)
{
    DetectedPosition d;
    d.columns.kind = PositionKind::IauName;
    d.columns.raColumn = names[static_cast<std::size_t>(col)];
    d.raIndex = col;
    return d;
}

// Column-name conventions in priority order: VizieR's computed J2000 degrees, VizieR/CDS degree columns, the
// plain names of SDSS/Galaxy Zoo and most exports, then sexagesimal/other spellings.
const char* const kPairs[][2] = {
    {"_RAJ2000", "_DEJ2000"},  {"RAdeg", "DEdeg"},     {"ra", "dec"},
    {"RA_deg", "DEC_deg"},     {"RAdeg", "DECdeg"},    {"ra_deg", "de_deg"},
    {"RA_J2000", "DEC_J2000"}, {"RAJ2000", "DEJ2000"}, {"RAJ2000", "DECJ2000"},
    {"rastring", "decstring"}, {"RA_ICRS", "DE_ICRS"}, {"_RA", "_DE"},
};
const char* const kIauColumns[] = {"iauname", "iau_name", "name", "JID", "objname"};

std::string lower(const std::string& s)
{
    std::string out = s;
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
    return out;
}

// What is left of a name around one RA or Dec word: "objra" -> ("obj", ""), "RA_ICRS" -> ("", "_icrs").
// Two columns pair when some RA key equals some Dec key. hms/dms (and h/d before "ms") count as the same.
struct NameKey
{
    std::string prefix, suffix;
    bool operator==(const NameKey& o) const { return prefix == o.prefix && suffix == o.suffix; }
};

std::vector<NameKey> nameKeys(const std::string& name, std::initializer_list<const char*> words)
{
    const std::string n = lower(name);
    std::vector<NameKey> keys;
    for (const char* w : words) {
        const std::string word = w;
        for (std::size_t pos = n.find(word); pos != std::string::npos; pos = n.find(word, pos + 1)) {
            NameKey k{n.substr(0, pos), n.substr(pos + word.size())};
            while (!k.prefix.empty() && k.prefix.front() == '_')
                k.prefix.erase(0, 1);
            for (const char* unit : {"hms", "dms"})
                if (k.suffix.find(unit) != std::string::npos) k.suffix.replace(k.suffix.find(unit), 3, "*ms");
            keys.push_back(std::move(k));
        }
    }
    return keys;
}

// Errors, proper motions, offsets and the like have RA/Dec words too but are not positions.
bool looksLikeDerived(const std::string& name, const NameKey& key)
{
    const std::string n = lower(name);
    for (const char* part :
         {"err", "sig", "unc", "rms", "std", "ivar", "cov", "corr", "diff", "sep", "off", "pm"})
        if (n.find(part) != std::string::npos) return true;
    for (const char* p : {"e", "e_", "d", "d_", "delta_"})
        if (key.prefix == p) return true;
    return false;
}

// Every sampled cell of both columns is a position in range (degrees, or sexagesimal), and there is one.
bool valuesInRange(const ColumnSampler& sample, int ra, int dec)
{
    const auto raCells = sample(static_cast<std::size_t>(ra), kSampleSize);
    const auto decCells = sample(static_cast<std::size_t>(dec), kSampleSize);
    if (raCells.empty() || decCells.empty()) return false;
    auto check = [](const std::vector<std::string>& cells, double limitLow, double limitHigh, bool isRa) {
        for (const auto& c : cells) {
            double v;
            if (parseDouble(trimBlanks(c), v)) {
                if (!(v >= limitLow && v <= limitHigh)) return false;
            } else if (!(isRa ? parseSexagesimalRa(c) : parseSexagesimalDec(c))) {
                return false;
            }
        }
        return true;
    };
    return check(raCells, 0.0, 360.0, true) && check(decCells, -90.0, 90.0, false);
}

struct PairCandidate
{
    int ra = -1, dec = -1;
};

// Pairs of RA-like and Dec-like names, in column order, with derived quantities left out.
std::vector<PairCandidate> namePairs(const std::vector<std::string>& names)
{
    std::vector<PairCandidate> out;
    for (std::size_t i = 0; i < names.size(); ++i) {
        const auto raKeys = nameKeys(names[i], {"ra", "alpha"});
        for (std::size_t j = 0; j < names.size(); ++j) {
            if (i == j) continue;
            const auto decKeys = nameKeys(names[j], {"dec", "decl", "de", "delta"});
            bool match = false;
            for (const auto& a : raKeys)
                for (const auto& b : decKeys)
                    if (a == b && !looksLikeDerived(names[i], a) && !looksLikeDerived(names[j], b))
                        match = true;
            if (match) out.push_back({static_cast<int>(i), static_cast<int>(j)});
        }
    }
    return out;
}

} // namespace

DetectedPosition detectPosition(const std::string& file, const std::vector<std::string>& names,
                                const ColumnSampler& sample, const ImportOptions& options,
                                bool requirePositions)
{
    auto require = [&](const std::string& name, const char* what) {
        const int i = findColumn(names, name);
        if (i < 0)
            throw InputError(file, 0, name,
                             std::string("no column named '") + name + "' for the " + what +
                                 "; columns: " + listColumns(names));
        return i;
    };
    if (!options.iauNameColumn.empty()) {
        DetectedPosition d = iau(names, require(options.iauNameColumn, "IAU name"));
        d.how = "positions from the IAU names in " + d.columns.raColumn + " (as asked)";
        return d;
    }
    if (!options.raColumn.empty() || !options.decColumn.empty()) {
        if (options.raColumn.empty() || options.decColumn.empty())
            throw InputError(file, 0, options.raColumn.empty() ? options.decColumn : options.raColumn,
                             "give both the ra and the dec column, or neither");
        const int ra = require(options.raColumn, "right ascension");
        const int dec = require(options.decColumn, "declination");
        DetectedPosition d = pair(names, pairKind(sample, ra, dec), ra, dec);
        d.how = "positions from " + d.columns.raColumn + "/" + d.columns.decColumn + " (" +
                (d.columns.kind == PositionKind::Sexagesimal ? "sexagesimal" : "degrees") + ", as asked)";
        return d;
    }
    for (const auto& p : kPairs) {
        const int ra = findColumn(names, p[0]);
        const int dec = findColumn(names, p[1]);
        if (ra >= 0 && dec >= 0 && ra != dec) {
            DetectedPosition d = pair(names, pairKind(sample, ra, dec), ra, dec);
            d.how = "positions from " + d.columns.raColumn + "/" + d.columns.decColumn + " (" +
                    (d.columns.kind == PositionKind::Sexagesimal ? "sexagesimal" : "degrees") +
                    "), a known column-name convention";
            return d;
        }
    }
    // Any other RA/Dec-like pair, when its values say it is a position and it is the only one.
    std::vector<PairCandidate> fitting, outOfRange;
    for (const PairCandidate& c : namePairs(names))
        (valuesInRange(sample, c.ra, c.dec) ? fitting : outOfRange).push_back(c);
    auto listPairs = [&](const std::vector<PairCandidate>& pairs) {
        std::string out;
        for (const auto& c : pairs)
            out += (out.empty() ? "" : ", ") + names[static_cast<std::size_t>(c.ra)] + "/" +
                   names[static_cast<std::size_t>(c.dec)];
        return out;
    };
    if (fitting.size() == 1) {
        DetectedPosition d =
            pair(names, pairKind(sample, fitting[0].ra, fitting[0].dec), fitting[0].ra, fitting[0].dec);
        d.how = "positions from " + d.columns.raColumn + "/" + d.columns.decColumn + " (" +
                (d.columns.kind == PositionKind::Sexagesimal ? "sexagesimal" : "degrees") +
                "): the only pair of RA/Dec-like columns whose values are in range";
        return d;
    }
    if (fitting.size() > 1)
        throw InputError(file, 0, {},
                         "several pairs of RA/Dec-like columns have values in range: " + listPairs(fitting) +
                             "; choose one with --ra COLUMN --dec COLUMN");
    for (const char* name : kIauColumns) {
        const int col = findColumn(names, name);
        if (col >= 0 && looksLikeIauNames(sample, col)) {
            DetectedPosition d = iau(names, col);
            d.how = "positions from the IAU names in " + d.columns.raColumn;
            return d;
        }
    }
    if (!requirePositions) return DetectedPosition{}; // raIndex -1: no positions
    throw InputError(
        file, 0, {},
        "no sky position columns found (looked for _RAJ2000/_DEJ2000, RAdeg/DEdeg, ra/dec, "
        "RAJ2000/DEJ2000 in degrees or sexagesimal, rastring/decstring, any other RA/Dec-like pair such as "
        "objra/objdec with values in range, or an IAU-name column such as iauname)" +
            (outOfRange.empty()
                 ? std::string()
                 : "; RA/Dec-like pairs whose values are not positions: " + listPairs(outOfRange)) +
            "; columns: " + listColumns(names) + "; name them with --ra COLUMN --dec COLUMN");
}

PositionCell PositionCell::ofText(std::string_view t)
{
    PositionCell c;
    c.text = trimBlanks(t);
    c.blank = c.text.empty();
    return c;
}

PositionCell PositionCell::ofNumber(double v)
{
    PositionCell c;
    c.blank = false;
    c.isNumber = true;
    c.number = v;
    return c;
}

namespace {

std::string shown(const PositionCell& c)
{
    if (!c.isNumber) return std::string(c.text);
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.10g", c.number);
    return buf;
}

RowPosition failure(const std::string& column, std::string reason)
{
    RowPosition r;
    r.column = column;
    r.reason = std::move(reason);
    return r;
}

// Decodes one coordinate in degrees; what is "ra" or "dec" for the messages.
bool degreesValue(const PositionCell& c, const char* what, const std::string& column, double& out,
                  RowPosition& error)
{
    if (c.blank) {
        error = failure(column, std::string(what) + " is blank");
        return false;
    }
    if (c.isNumber)
        out = c.number;
    else if (!parseDouble(c.text, out)) {
        error = failure(column, std::string(what) + " '" + std::string(c.text) + "' is not a number");
        return false;
    }
    return true;
}

bool sexagesimalValue(const PositionCell& c, bool isRa, const std::string& column, double& out,
                      RowPosition& error)
{
    const char* what = isRa ? "ra" : "dec";
    if (c.blank) {
        error = failure(column, std::string(what) + " is blank");
        return false;
    }
    const std::string text = shown(c);
    const auto v = isRa ? parseSexagesimalRa(text) : parseSexagesimalDec(text);
    if (!v) {
        error = failure(column, std::string(what) + " '" + text + "' is not a valid sexagesimal " +
                                    (isRa ? "right ascension (HH MM SS.ss, hours < 24)"
                                          : "declination (+DD MM SS.s, |dec| <= 90)"));
        return false;
    }
    out = *v;
    return true;
}

} // namespace

RowPosition rowPosition(const DetectedPosition& where, const PositionCell& raCell,
                        const PositionCell& decCell)
{
    const PositionColumns& pc = where.columns;
    RowPosition r;
    double ra = 0, dec = 0;
    switch (pc.kind) {
    case PositionKind::IauName: {
        if (raCell.blank) return failure(pc.raColumn, "IAU name is blank");
        const std::string text = shown(raCell);
        const auto p = parseIauName(text);
        if (!p)
            return failure(pc.raColumn, "'" + text + "' is not an IAU name of the form JHHMMSS.ss+DDMMSS.s");
        ra = p->first;
        dec = p->second;
        break;
    }
    case PositionKind::Sexagesimal:
        if (!sexagesimalValue(raCell, true, pc.raColumn, ra, r)) return r;
        if (!sexagesimalValue(decCell, false, pc.decColumn, dec, r)) return r;
        break;
    case PositionKind::Degrees: {
        if (!degreesValue(raCell, "ra", pc.raColumn, ra, r)) return r;
        if (!degreesValue(decCell, "dec", pc.decColumn, dec, r)) return r;
        char buf[48];
        if (!std::isfinite(ra)) return failure(pc.raColumn, "ra " + shown(raCell) + " is not finite");
        if (!std::isfinite(dec)) return failure(pc.decColumn, "dec " + shown(decCell) + " is not finite");
        if (ra < 0.0 || ra > 360.0) {
            std::snprintf(buf, sizeof buf, "%.10g", ra);
            return failure(pc.raColumn, std::string("ra ") + buf + " is out of range [0, 360]");
        }
        if (dec < -90.0 || dec > 90.0) {
            std::snprintf(buf, sizeof buf, "%.10g", dec);
            return failure(pc.decColumn, std::string("dec ") + buf + " is out of range [-90, 90]");
        }
        if (ra == 360.0) ra = 0.0; // the same meridian; keeps ra in [0, 360) for everything downstream
        break;
    }
    }
    r.ok = true;
    r.ra = ra;
    r.dec = dec;
    return r;
}

} // namespace rm::detail

// Parsing of sexagesimal positions and IAU designations. Strict on purpose: a catalog cell that is almost a
// position ("07 24 60.0", "25:00:00") is a data error to report, not a value to round into range.
#include "sky/SkyCoords.h"

#include <charconv>
#include <cstring>
#include <string_view>

namespace rm {

namespace {

bool isDigit(char c)
{
    return c >= '0' && c <= '9';
}
bool isSpace(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

std::string_view trim(std::string_view s)
{
    while (!s.empty() && isSpace(s.front()))
        s.remove_prefix(1);
    while (!s.empty() && isSpace(s.back()))
        s.remove_suffix(1);
    return s;
}

// Up to three unsigned decimal fields (hours or degrees, minutes, seconds).
struct Fields
{
    double value[3] = {0, 0, 0};
    bool fractional[3] = {false, false, false};
    int count = 0;
};

// Reads "ddd[.ddd]" at s[i]; advances i. Signs and exponents are not part of sexagesimal notation.
bool readUnsigned(std::string_view s, std::size_t& i, double& value, bool& fractional)
{
    const std::size_t start = i;
    std::size_t digits = 0;
    while (i < s.size() && isDigit(s[i]))
        ++i, ++digits;
    fractional = false;
    if (i < s.size() && s[i] == '.') {
        fractional = true;
        ++i;
        while (i < s.size() && isDigit(s[i]))
            ++i, ++digits;
    }
    if (digits == 0) return false;
    auto [p, ec] = std::from_chars(s.data() + start, s.data() + i, value);
    return ec == std::errc() && p == s.data() + i;
}

// Matches one of the unit markers allowed after field k at s[i] and advances past it.
bool readMarker(std::string_view s, std::size_t& i, const char* const* markers)
{
    for (const char* const* m = markers; *m; ++m) {
        const std::size_t n = std::strlen(*m);
        if (s.substr(i, n) == *m) {
            i += n;
            return true;
        }
    }
    return false;
}

// Splits "07 24 20.75", "07:24:20.75" or "07h24m20.75s" (markers per field given) into fields. Separators may
// be mixed; anything else, a fourth field or trailing text fails.
bool splitFields(std::string_view s, const char* const* const markers[3], Fields& out)
{
    std::size_t i = 0;
    for (int k = 0; k < 3; ++k) {
        if (!readUnsigned(s, i, out.value[k], out.fractional[k])) return false;
        out.count = k + 1;
        const std::size_t beforeSep = i;
        bool marker = readMarker(s, i, markers[k]);
        while (i < s.size() && isSpace(s[i]))
            ++i;
        if (i == s.size()) return true;
        if (!marker && k < 2 && s[i] == ':') {
            ++i;
            while (i < s.size() && isSpace(s[i]))
                ++i;
            if (i == s.size()) return false; // "07:24:" has a dangling separator
            continue;
        }
        if (i == beforeSep || k == 2) return false; // no separator at all, or text after the seconds
    }
    return false;
}

// Checks minutes and seconds and forbids fractional leading fields ("7.5 30" is not sexagesimal).
bool validMinutesSeconds(const Fields& f)
{
    for (int k = 0; k + 1 < f.count; ++k)
        if (f.fractional[k]) return false;
    if (f.count >= 2 && !(f.value[1] < 60.0)) return false;
    if (f.count >= 3 && !(f.value[2] < 60.0)) return false;
    return true;
}

double combine(const Fields& f)
{
    return f.value[0] + f.value[1] / 60.0 + f.value[2] / 3600.0;
}

const char* const kHourMarks[] = {"h", nullptr};
const char* const kDegreeMarks[] = {"d", "\xC2\xB0", nullptr}; // d or the UTF-8 degree sign
const char* const kMinuteMarks[] = {"m", "'", nullptr};
const char* const kSecondMarks[] = {"s", "\"", nullptr};
const char* const* const kRaMarkers[3] = {kHourMarks, kMinuteMarks, kSecondMarks};
const char* const* const kDecMarkers[3] = {kDegreeMarks, kMinuteMarks, kSecondMarks};

std::optional<double> raFromFields(const Fields& f)
{
    // At least hours and minutes: a lone number is degrees or hours, and guessing which is how catalogs
    // break.
    if (f.count < 2 || !validMinutesSeconds(f) || !(f.value[0] < 24.0)) return std::nullopt;
    double deg = 15.0 * combine(f);
    if (deg >= 360.0) deg -= 360.0; // rounding at 23:59:59.999... wraps to the same point
    return deg;
}

std::optional<double> decFromFields(const Fields& f, bool negative)
{
    if (f.count < 2 || !validMinutesSeconds(f) || f.value[0] > 90.0) return std::nullopt;
    const double deg = combine(f);
    if (deg > 90.0) return std::nullopt;
    return negative ? -deg : deg;
}

// IAU designations pack fields without separators: HHMMSS[.ss], HHMMSSss (2MASX, implied point) or HHMM[.m].
// Turns the digit string into Fields; intDigits is 2 for both hours and degrees.
bool packedFields(std::string_view s, Fields& f)
{
    const std::size_t dot = s.find('.');
    const std::string_view whole = s.substr(0, dot);
    for (char c : whole)
        if (!isDigit(c)) return false;
    std::string_view frac;
    if (dot != std::string_view::npos) {
        frac = s.substr(dot + 1);
        if (frac.empty()) return false;
        for (char c : frac)
            if (!isDigit(c)) return false;
    }
    auto number = [](std::string_view intPart, std::string_view fracPart, double& v) {
        std::string text(intPart);
        if (!fracPart.empty()) text += "." + std::string(fracPart);
        auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
        return ec == std::errc() && p == text.data() + text.size();
    };
    if (whole.size() == 4) { // HHMM[.m]
        f.count = 2;
        return number(whole.substr(0, 2), {}, f.value[0]) && number(whole.substr(2, 2), frac, f.value[1]);
    }
    if (whole.size() < 6) return false;
    if (whole.size() > 6) { // 2MASX style: the digits after HHMMSS are the fraction of a second
        if (!frac.empty()) return false;
        frac = whole.substr(6);
    }
    f.count = 3;
    return number(whole.substr(0, 2), {}, f.value[0]) && number(whole.substr(2, 2), {}, f.value[1]) &&
           number(whole.substr(4, 2), frac, f.value[2]);
}

} // namespace

std::optional<double> parseSexagesimalRa(const std::string& text)
{
    const std::string_view s = trim(text);
    Fields f;
    if (!splitFields(s, kRaMarkers, f)) return std::nullopt;
    return raFromFields(f);
}

std::optional<double> parseSexagesimalDec(const std::string& text)
{
    std::string_view s = trim(text);
    bool negative = false;
    if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
        negative = s[0] == '-'; // kept even when the degrees are 00: "-00 27 39.1" is south of the equator
        s.remove_prefix(1);
    }
    Fields f;
    if (!splitFields(s, kDecMarkers, f)) return std::nullopt;
    return decFromFields(f, negative);
}

std::optional<std::pair<double, double>> parseIauName(const std::string& text)
{
    const std::string_view s = trim(text);
    // Any survey prefix ("SDSS J", "2MASX J") ends at the first J followed by a digit.
    std::size_t j = 0;
    while (j + 1 < s.size() && !(s[j] == 'J' && isDigit(s[j + 1])))
        ++j;
    if (j + 1 >= s.size()) return std::nullopt;
    const std::string_view body = s.substr(j + 1);
    const std::size_t sign = body.find_first_of("+-");
    if (sign == std::string_view::npos || sign == 0) return std::nullopt;
    Fields raF, decF;
    if (!packedFields(body.substr(0, sign), raF) || !packedFields(body.substr(sign + 1), decF))
        return std::nullopt;
    const auto ra = raFromFields(raF);
    const auto dec = decFromFields(decF, body[sign] == '-');
    if (!ra || !dec) return std::nullopt;
    return std::make_pair(*ra, *dec);
}

} // namespace rm

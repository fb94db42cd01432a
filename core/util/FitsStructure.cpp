#include "util/FitsStructure.h"

#include "util/Error.h"

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <optional>
#include <vector>

namespace rm {

namespace {

constexpr std::size_t kBlock = 2880;
constexpr std::size_t kCard = 80;

std::string trimmed(const std::string& s)
{
    const auto b = s.find_first_not_of(' ');
    if (b == std::string::npos) return {};
    return s.substr(b, s.find_last_not_of(' ') - b + 1);
}

// The integer value of a "KEYWORD = value / comment" card; nullopt when it is not an integer.
std::optional<long long> integerValue(const std::string& card)
{
    // The value indicator is "= " in columns 9-10; cfitsio reads "=x" as a card without a value (and then
    // left NAXIS1 uninitialised), so it is no value here either.
    if (card.size() < 10 || card[8] != '=' || card[9] != ' ') return std::nullopt;
    std::string value = card.substr(10);
    if (const auto slash = value.find('/'); slash != std::string::npos) value.resize(slash);
    value = trimmed(value);
    if (value.empty()) return std::nullopt;
    errno = 0;
    char* end = nullptr;
    const long long v = std::strtoll(value.c_str(), &end, 10);
    if (errno != 0 || *end != '\0') return std::nullopt;
    return v;
}

} // namespace

void checkFitsStructure(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in) return; // cfitsio says why it cannot be opened
    in.seekg(0, std::ios::end);
    const auto fileSize = static_cast<std::uint64_t>(in.tellg());
    in.seekg(0);
    // Compressed files are unpacked by cfitsio into one buffer of the size the file declares (the zip local
    // header's, the gzip trailer's): a 200-byte file declaring 1.4 GB made it malloc that. The declared size
    // is bounded by the compressed one; the packed structure itself is cfitsio's to check.
    unsigned char head[30] = {};
    in.read(reinterpret_cast<char*>(head), sizeof head);
    in.clear();
    auto le32 = [](const unsigned char* p) {
        return static_cast<std::uint64_t>(p[0]) | static_cast<std::uint64_t>(p[1]) << 8 |
               static_cast<std::uint64_t>(p[2]) << 16 | static_cast<std::uint64_t>(p[3]) << 24;
    };
    std::optional<std::uint64_t> declared;
    if (fileSize >= 2 && head[0] == 'P' && head[1] == 'K') {
        if (fileSize < 30) throw InputError(path, 0, "", "is a damaged zip file (shorter than a zip header)");
        declared = le32(head + 22);
    } else if (fileSize >= 2 && head[0] == 0x1f && head[1] == 0x8b) {
        if (fileSize < 18)
            throw InputError(path, 0, "", "is a damaged gzip file (shorter than a gzip header)");
        unsigned char trailer[4] = {};
        in.seekg(static_cast<std::streamoff>(fileSize - 4));
        in.read(reinterpret_cast<char*>(trailer), 4);
        in.clear();
        declared = le32(trailer);
    } else if (fileSize >= 2 && (head[0] == 0x1f || (head[0] == 'B' && head[1] == 'Z'))) {
        return; // compress, pack, lzh, bzip2: no declared size to check
    }
    if (declared) {
        constexpr std::uint64_t kRatio = 200, kFloor = 64ull << 20;
        if (*declared > kRatio * fileSize + kFloor)
            throw InputError(path, 0, "",
                             "the compressed file says it unpacks to " + std::to_string(*declared) +
                                 " bytes from " + std::to_string(fileSize) +
                                 " (more than 200 times its size): it is damaged or not what it claims");
        return;
    }
    if (fileSize == 0) return; // cfitsio says "empty"
    in.clear();
    char simple[9] = {};
    in.seekg(0);
    in.read(simple, 9);
    if (!in || std::memcmp(simple, "SIMPLE  =", 9) != 0)
        throw InputError(path, 0, "", "not a readable FITS file: it does not start with 'SIMPLE  ='");

    std::uint64_t offset = 0;
    for (int hdu = 1; offset < fileSize; ++hdu) {
        auto fail = [&](const std::string& keyword, const std::string& reason) {
            throw InputError(path, 0, "",
                             "HDU " + std::to_string(hdu) + (keyword.empty() ? "" : ", keyword " + keyword) +
                                 ": " + reason);
        };
        std::map<std::string, long long> values;
        std::vector<std::string> order; // keywords in card order (the mandatory ones have fixed places)
        std::vector<std::optional<long long>> cardValue; // the integer value of each card, if it has one
        bool table = false;                              // XTENSION = 'TABLE' or 'BINTABLE'
        std::uint64_t headerEnd = 0;
        char block[kBlock];
        for (std::uint64_t at = offset; !headerEnd; at += kBlock) {
            if (at + kBlock > fileSize) {
                // Fewer than a block of bytes after the last HDU (padding some writers add) is not an HDU;
                // a partial header that starts like an extension is a truncated file.
                if (at == offset && hdu > 1) {
                    in.clear();
                    in.seekg(static_cast<std::streamoff>(at));
                    char head[8] = {};
                    in.read(head, 8);
                    if (!in || std::memcmp(head, "XTENSION", 8) != 0) return;
                }
                fail("", at == offset ? "the file ends inside a header block (truncated)"
                                      : "the header has no END card before the end of the file (truncated)");
            }
            in.seekg(static_cast<std::streamoff>(at));
            in.read(block, kBlock);
            if (!in) fail("", "cannot read the header");
            for (std::size_t c = 0; c < kBlock / kCard; ++c) {
                const std::string card(block + c * kCard, kCard);
                // Left-justified in columns 1-8: " END" is not END (cfitsio reads past it too).
                std::string keyword = card.substr(0, 8);
                keyword.erase(keyword.find_last_not_of(' ') + 1);
                if (at == offset && c == 0) {
                    if (hdu > 1 && keyword != "XTENSION") return; // trailing bytes after the last HDU
                }
                if (keyword == "END") {
                    headerEnd = at + kBlock;
                    break;
                }
                order.push_back(keyword);
                cardValue.push_back(integerValue(card));
                if (keyword == "XTENSION") table = card.find("TABLE") != std::string::npos;
                // Optional keywords (PCOUNT, GCOUNT in a primary HDU) count at their first appearance; the
                // mandatory ones are taken from their fixed places below, as cfitsio takes them.
                if ((keyword == "GCOUNT" || keyword == "PCOUNT") && cardValue.back() &&
                    !values.count(keyword))
                    values[keyword] = *cardValue.back();
            }
        }
        auto value = [&](const std::string& key, long long fallback) {
            auto it = values.find(key);
            return it == values.end() ? fallback : it->second;
        };
        // cfitsio reads the mandatory keywords by their place in the header, and a missing one can leave its
        // value uninitialised (a GCOUNT card garbled in a binary table made it calloc 2.7e18 columns): each
        // must be where the standard puts it, with an integer value.
        auto requireAt = [&](std::size_t index, const std::string& key) {
            if (index >= order.size() || order[index] != key || !cardValue[index])
                fail(key, "missing, out of place or not an integer (the standard puts it at card " +
                              std::to_string(index + 1) + ")");
            values[key] = *cardValue[index]; // a later duplicate of the keyword is not what cfitsio reads
        };
        requireAt(1, "BITPIX");
        requireAt(2, "NAXIS");
        if (values["NAXIS"] < 0 || values["NAXIS"] > 999)
            fail("NAXIS", std::to_string(values["NAXIS"]) + " is not in 0..999");
        const auto axisCount = static_cast<std::size_t>(values["NAXIS"]);
        for (std::size_t i = 1; i <= axisCount; ++i)
            requireAt(2 + i, "NAXIS" + std::to_string(i));
        if (hdu > 1) {
            requireAt(3 + axisCount, "PCOUNT");
            requireAt(4 + axisCount, "GCOUNT");
            if (table) requireAt(5 + axisCount, "TFIELDS");
        }
        const long long bitpix = value("BITPIX", 0);
        if (bitpix != 8 && bitpix != 16 && bitpix != 32 && bitpix != 64 && bitpix != -32 && bitpix != -64)
            fail("BITPIX", std::to_string(bitpix) + " is not one of 8, 16, 32, 64, -32, -64");
        const long long naxis = values["NAXIS"]; // required and range-checked above
        const long long tfields = value("TFIELDS", 0);
        if (tfields < 0 || tfields > 999) fail("TFIELDS", std::to_string(tfields) + " is not in 0..999");
        const long long pcount = value("PCOUNT", 0), gcount = value("GCOUNT", 1);
        if (pcount < 0) fail("PCOUNT", "is negative");
        if (gcount < 0) fail("GCOUNT", "is negative");

        // Data bytes = |BITPIX|/8 * GCOUNT * (PCOUNT + NAXIS1 * ... * NAXISn), every step bounded by the
        // file so no product can overflow.
        const std::uint64_t room = fileSize - headerEnd;
        std::string axes; // "NAXIS1 = 24, NAXIS2 = 1000000000000", what the message quotes
        for (long long i = 1; i <= naxis; ++i) {
            const std::string key = "NAXIS" + std::to_string(i);
            const long long n = value(key, -1);
            if (n < 0) fail(key, "is negative"); // present: required above
            axes += (axes.empty() ? "" : ", ") + key + " = " + std::to_string(n);
        }
        if (pcount > 0) axes += ", PCOUNT = " + std::to_string(pcount);
        if (gcount != 1) axes += ", GCOUNT = " + std::to_string(gcount);
        auto tooBig = [&] {
            fail("", axes + " describe more data than the file has: it holds only " + std::to_string(room) +
                         " bytes from the data's start at byte " + std::to_string(headerEnd) +
                         " (the file is truncated, or a NAXIS lies)");
        };
        std::uint64_t data = 0;
        if (naxis > 0) {
            // Random groups (NAXIS1 = 0 in the primary HDU) leave NAXIS1 out of the product.
            const bool groups = hdu == 1 && value("NAXIS1", -1) == 0;
            std::uint64_t elements = 1;
            for (long long i = groups ? 2 : 1; i <= naxis; ++i) {
                const auto n = static_cast<std::uint64_t>(value("NAXIS" + std::to_string(i), 0));
                if (n != 0 && elements > room / n) tooBig();
                elements *= n;
            }
            const std::uint64_t bytesPer = static_cast<std::uint64_t>(bitpix < 0 ? -bitpix : bitpix) / 8;
            const std::uint64_t perGroup = elements + static_cast<std::uint64_t>(pcount);
            if (perGroup > room || perGroup * bytesPer > room) tooBig();
            if (gcount != 0 && perGroup * bytesPer > room / static_cast<std::uint64_t>(gcount)) tooBig();
            data = perGroup * bytesPer * static_cast<std::uint64_t>(gcount);
        }
        offset = headerEnd + (data + kBlock - 1) / kBlock * kBlock;
    }
}

} // namespace rm

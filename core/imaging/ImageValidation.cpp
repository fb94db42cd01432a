#include "imaging/ImageValidation.h"

#include "imaging/ImageErrors.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstring>

namespace rm {

namespace {

ImageCheck fail(std::string reason)
{
    ImageCheck c;
    c.reason = std::move(reason);
    return c;
}

ImageCheck pass(EncodedFormat f)
{
    ImageCheck c;
    c.ok = true;
    c.format = f;
    return c;
}

std::string hex2(unsigned v)
{
    char buf[8];
    std::snprintf(buf, sizeof buf, "%02X", v & 0xFFu);
    return buf;
}

std::string hexPrefix(const std::uint8_t* data, std::size_t size)
{
    std::string s;
    for (std::size_t i = 0; i < std::min<std::size_t>(size, 8); ++i)
        s += (i ? " " : "") + hex2(data[i]);
    return s;
}

// Bytes some writers leave after the last marker: zero padding, a stray newline.
bool onlyPadding(const std::uint8_t* p, const std::uint8_t* end)
{
    return std::all_of(p, end, [](std::uint8_t b) { return b == 0x00 || b == '\n' || b == '\r'; });
}

std::size_t skipBomAndSpace(const std::uint8_t* data, std::size_t size)
{
    std::size_t i = 0;
    if (size >= 3 && data[0] == 0xEF && data[1] == 0xBB && data[2] == 0xBF) i = 3; // UTF-8 byte-order mark
    while (i < size && std::isspace(data[i]))
        ++i;
    return i;
}

std::string lower(std::string s)
{
    for (auto& c : s)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

// Content types that are never an image: an error page, a JSON/XML error, plain text.
bool isTextContentType(const std::string& contentType)
{
    std::string t = lower(contentType);
    t = t.substr(0, t.find(';'));
    return t.rfind("text/", 0) == 0 || t.find("html") != std::string::npos ||
           t.find("json") != std::string::npos || t.find("xml") != std::string::npos;
}

bool mostlyPrintable(const std::uint8_t* data, std::size_t size)
{
    std::size_t n = std::min<std::size_t>(size, 64), printable = 0;
    for (std::size_t i = 0; i < n; ++i)
        printable += (data[i] >= 0x20 && data[i] < 0x7F) || std::isspace(data[i]);
    return n > 0 && printable * 10 >= n * 9;
}

// Start-of-frame markers (baseline, extended, progressive, lossless; Huffman or arithmetic). C4 (DHT), C8
// (JPG) and CC (DAC) share the range but are tables, not frames.
bool isStartOfFrame(std::uint8_t m)
{
    return m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC;
}

ImageCheck checkJpeg(const std::uint8_t* data, std::size_t size)
{
    const std::string bytes = " (" + std::to_string(size) + " bytes)";
    std::size_t pos = 2; // after SOI
    bool sawFrame = false;
    for (;;) {
        // --- a marker segment ---
        if (pos >= size) return fail("truncated JPEG: no EOI marker" + bytes);
        if (data[pos] != 0xFF)
            return fail("corrupt JPEG: expected a marker at offset " + std::to_string(pos) + ", found 0x" +
                        hex2(data[pos]) + bytes);
        while (pos < size && data[pos] == 0xFF)
            ++pos; // fill bytes before a marker are allowed
        if (pos >= size) return fail("truncated JPEG: no EOI marker" + bytes);
        const std::uint8_t m = data[pos++];
        if (m == 0xD9) return fail("corrupt JPEG: end-of-image marker before any image data" + bytes);
        if (m == 0xD8)
            return fail("corrupt JPEG: a second start-of-image marker at offset " + std::to_string(pos - 2) +
                        bytes);
        if (m == 0x00)
            return fail("corrupt JPEG: stray 0xFF00 among the headers at offset " + std::to_string(pos - 2) +
                        bytes);
        if ((m >= 0xD0 && m <= 0xD7) || m == 0x01) continue; // RSTn and TEM carry no length
        if (pos + 2 > size)
            return fail("truncated JPEG: cut inside the FF" + hex2(m) + " segment header" + bytes);
        const std::size_t len = (std::size_t(data[pos]) << 8) | data[pos + 1];
        if (len < 2)
            return fail("corrupt JPEG: FF" + hex2(m) + " segment at offset " + std::to_string(pos - 2) +
                        " has length " + std::to_string(len) + bytes);
        if (pos + len > size)
            return fail("truncated JPEG: FF" + hex2(m) + " segment at offset " + std::to_string(pos - 2) +
                        " runs past the end" + bytes);
        if (isStartOfFrame(m)) sawFrame = true;
        pos += len;
        if (m != 0xDA) continue;
        if (!sawFrame) return fail("corrupt JPEG: image data (SOS) before any frame header (SOF)" + bytes);

        // --- entropy-coded data after SOS: runs to the next marker. Inside it, FF is always followed by 00
        // (a stuffed FF byte), by a restart marker D0-D7 or by more FF fill; anything else is a real marker.
        // ---
        for (;;) {
            const void* ff = pos < size ? std::memchr(data + pos, 0xFF, size - pos) : nullptr;
            if (!ff) return fail("truncated JPEG: no EOI marker" + bytes);
            pos = static_cast<std::size_t>(static_cast<const std::uint8_t*>(ff) - data);
            if (pos + 1 >= size) return fail("truncated JPEG: no EOI marker" + bytes);
            const std::uint8_t b = data[pos + 1];
            if (b == 0x00 || (b >= 0xD0 && b <= 0xD7)) {
                pos += 2;
                continue;
            }
            if (b == 0xFF) {
                ++pos;
                continue;
            }
            break;
        }
        if (data[pos + 1] == 0xD9) {
            if (!onlyPadding(data + pos + 2, data + size))
                return fail("corrupt JPEG: " + std::to_string(size - pos - 2) +
                            " bytes after the end-of-image marker" + bytes);
            return pass(EncodedFormat::Jpeg);
        }
        // Another marker: a progressive JPEG's next tables and scan. Back to the segment walk.
    }
}

std::uint32_t be32(const std::uint8_t* p)
{
    return (std::uint32_t(p[0]) << 24) | (std::uint32_t(p[1]) << 16) | (std::uint32_t(p[2]) << 8) | p[3];
}

ImageCheck checkPng(const std::uint8_t* data, std::size_t size)
{
    const std::string bytes = " (" + std::to_string(size) + " bytes)";
    std::size_t pos = 8;
    bool sawData = false;
    for (bool first = true;; first = false) {
        if (pos + 8 > size) return fail("truncated PNG: no IEND chunk" + bytes);
        const std::uint32_t len = be32(data + pos);
        const std::string type(reinterpret_cast<const char*>(data + pos + 4), 4);
        if (len > 0x7FFFFFFFu)
            return fail("corrupt PNG: chunk length over 2^31 at offset " + std::to_string(pos));
        if (first && (type != "IHDR" || len != 13))
            return fail("corrupt PNG: the first chunk is not IHDR" + bytes);
        if (pos + 12 + std::size_t(len) > size)
            return fail("truncated PNG: chunk '" + type + "' at offset " + std::to_string(pos) +
                        " runs past the end" + bytes);
        if (type == "IDAT") sawData = true;
        pos += 12 + std::size_t(len);
        if (type != "IEND") continue;
        if (!sawData) return fail("corrupt PNG: no image data (IDAT chunk)" + bytes);
        if (!onlyPadding(data + pos, data + size))
            return fail("corrupt PNG: " + std::to_string(size - pos) + " bytes after the IEND chunk" + bytes);
        return pass(EncodedFormat::Png);
    }
}

} // namespace

std::string bodySnippet(const std::uint8_t* data, std::size_t size, std::size_t maxChars)
{
    std::string s;
    const std::size_t n = std::min(size, maxChars);
    for (std::size_t i = 0; i < n; ++i) {
        const std::uint8_t c = data[i];
        s += c == '\n' || c == '\r' || c == '\t' ? ' ' : (c >= 0x20 && c < 0x7F ? char(c) : '.');
    }
    if (size > maxChars) s += "...";
    return s;
}

ImageCheck validateImageBytes(const std::uint8_t* data, std::size_t size, const std::string& contentType)
{
    static const std::uint8_t kPng[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    if (size == 0) return fail("empty body");
    const std::size_t text = skipBomAndSpace(data, size);
    if (text < size && data[text] == '<')
        return fail("body is HTML: '" + bodySnippet(data + text, size - text) + "'");
    if (!contentType.empty() && isTextContentType(contentType))
        return fail("body is " + contentType + ", not an image: '" + bodySnippet(data + text, size - text) +
                    "'");
    if (size < kMinImageBytes)
        return fail("body too small to be an image (" + std::to_string(size) + " bytes): '" +
                    bodySnippet(data, size) + "'");
    if (data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF) return checkJpeg(data, size);
    if (std::memcmp(data, kPng, 8) == 0) return checkPng(data, size);
    if (mostlyPrintable(data, size))
        return fail("not a JPEG or PNG image: '" + bodySnippet(data, size) + "'");
    return fail("not a JPEG or PNG image (first bytes: " + hexPrefix(data, size) + ")");
}

ImageCheck validateImageFile(const std::string& path)
{
    std::vector<std::uint8_t> bytes;
    try {
        bytes = readFileBytes(path);
    } catch (const ImageMissingError&) {
        return fail("no such file");
    } catch (const Error& e) {
        return fail(e.what());
    }
    return validateImageBytes(bytes.data(), bytes.size());
}

} // namespace rm

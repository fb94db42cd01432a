#pragma once
// Is a downloaded body (or a cached file) a whole JPEG/PNG image? Checked on bytes alone, without OpenCV,
// because the headless GPU node has none and because a decoder happily turns a truncated JPEG into a
// half-grey picture.
//
// Cutout services fail in ways that still answer "200 OK": an HTML error page, a body cut short when the
// connection dropped. Every one of these must become a failure with a reason a person can act on, never a
// file in the cache. The JPEG check walks the marker segments (each length must fit, a frame header SOF must
// come before the first scan SOS) and then the entropy-coded data to the end-of-image marker EOI; the PNG
// check walks the chunks from IHDR to IEND.
#include "imaging/ImageDecode.h"

#include <cstddef>
#include <cstdint>
#include <string>

namespace rm {

struct ImageCheck
{
    bool ok = false;
    EncodedFormat format = EncodedFormat::Jpeg; // meaningful only when ok
    std::string reason; // why not, when !ok: "truncated JPEG: no EOI marker (1234 bytes)"

    explicit operator bool() const { return ok; }
};

// Smaller than this is never a real cutout: a 1x1 JPEG is about 125 bytes and a service's smallest real
// answer (a blank 64x64 tile) is several hundred; tiny bodies are empty replies, "OK" or a JSON error.
constexpr std::size_t kMinImageBytes = 100;

// contentType is the response's Content-Type header (empty when unknown, e.g. for a file on disk). A body
// that is a page or text is reported as such first ("HTTP 200 but body is HTML: '<html><head>...'"), since
// that is what a person needs to hear, even when the service labelled it image/jpeg.
ImageCheck validateImageBytes(const std::uint8_t* data, std::size_t size,
                              const std::string& contentType = {});

// The same check on a file's bytes; a missing or unreadable file is reported, not thrown.
ImageCheck validateImageFile(const std::string& path);

// The first bytes of a body as printable text for a failure reason: at most maxChars, control characters and
// bytes outside ASCII replaced by '.', "..." appended when cut.
std::string bodySnippet(const std::uint8_t* data, std::size_t size, std::size_t maxChars = 60);

} // namespace rm

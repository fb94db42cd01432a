#include "imaging/ImageDecode.h"

#include "imaging/ImageErrors.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace rm {

namespace {

bool looksLikeHtml(const std::uint8_t* data, std::size_t size)
{
    std::size_t i = 0;
    if (size >= 3 && data[0] == 0xEF && data[1] == 0xBB && data[2] == 0xBF) i = 3; // UTF-8 byte-order mark
    while (i < size && std::isspace(data[i]))
        ++i;
    if (i >= size || data[i] != '<') return false;
    std::string head(reinterpret_cast<const char*>(data + i), std::min<std::size_t>(size - i, 256));
    for (auto& c : head)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return head.find("<!doctype") != std::string::npos || head.find("<html") != std::string::npos ||
           head.find("<?xml") != std::string::npos || head.find("<head") != std::string::npos ||
           head.find("<body") != std::string::npos;
}

std::string hexPrefix(const std::uint8_t* data, std::size_t size)
{
    std::string s;
    char buf[4];
    for (std::size_t i = 0; i < std::min<std::size_t>(size, 8); ++i) {
        std::snprintf(buf, sizeof buf, "%02x", data[i]);
        s += (i ? " " : "") + std::string(buf);
    }
    return s;
}

// Decoders allocate width x height x channels from the header before they read a pixel, so a header's
// size is bounded first: a 20000 x 20000 PNG of a few hundred bytes would otherwise cost 1.2 GB. A cutout
// is a few hundred pixels a side; 8192 x 8192 leaves room for any mosaic tile worth decoding whole.
constexpr std::uint64_t kMaxDecodePixels = 8192ull * 8192ull;

std::uint32_t bigEndian(const std::uint8_t* p, int bytes)
{
    std::uint32_t v = 0;
    for (int i = 0; i < bytes; ++i)
        v = v << 8 | p[i];
    return v;
}

void checkDimensions(std::uint64_t width, std::uint64_t height, const char* where, const std::string& file)
{
    if (width == 0 || height == 0)
        throw ImageCorruptError(file, "corrupt image: " + std::string(where) + " says it is " +
                                          std::to_string(width) + " x " + std::to_string(height) + " pixels");
    if (width * height > kMaxDecodePixels)
        throw ImageCorruptError(file, std::string(where) + " says the image is " + std::to_string(width) +
                                          " x " + std::to_string(height) + " pixels (" +
                                          std::to_string(width * height / 1000000) +
                                          " megapixels): too large to decode (the limit is " +
                                          std::to_string(kMaxDecodePixels / 1000000) +
                                          " megapixels for one image); refused before decoding");
}

// The frame header (SOFn) of a JPEG: the marker segments are walked from SOI to the first SOF; a segment
// whose length runs past the end is a damaged file.
void checkJpegDimensions(const std::uint8_t* data, std::size_t size, const std::string& file)
{
    std::size_t i = 2;
    while (i + 4 <= size) {
        if (data[i] != 0xFF)
            throw ImageCorruptError(file, "corrupt JPEG: no marker at byte " + std::to_string(i));
        const std::uint8_t marker = data[i + 1];
        if (marker == 0xFF) { // fill byte
            ++i;
            continue;
        }
        if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) { // no length
            i += 2;
            continue;
        }
        const std::size_t length = bigEndian(data + i + 2, 2);
        if (length < 2 || i + 2 + length > size)
            throw ImageCorruptError(file, "corrupt JPEG: the segment at byte " + std::to_string(i) +
                                              " claims " + std::to_string(length) +
                                              " bytes, past the end of the file");
        const bool sof =
            marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
        if (sof) {
            if (length < 8) throw ImageCorruptError(file, "corrupt JPEG: short frame header");
            checkDimensions(bigEndian(data + i + 7, 2), bigEndian(data + i + 5, 2),
                            ("JPEG frame header (SOF at byte " + std::to_string(i) + ")").c_str(), file);
            return;
        }
        if (marker == 0xDA) break; // a scan before any frame header
        i += 2 + length;
    }
    throw ImageCorruptError(file, "corrupt JPEG: no frame header (SOF) before the image data");
}

} // namespace

EncodedFormat checkEncodedImage(const std::uint8_t* data, std::size_t size, const std::string& file)
{
    static const std::uint8_t kPng[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    static const std::uint8_t kIend[8] = {'I', 'E', 'N', 'D', 0xAE, 0x42, 0x60, 0x82};
    if (size == 0) throw ImageCorruptError(file, "empty file, not an image");
    if (size >= 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF) {
        // Some writers pad the end with zeros or a newline; anything else after the image is not ours to
        // judge, but a file whose last marker is not EOI (FF D9) was cut short.
        std::size_t end = size;
        while (end > 2 && (data[end - 1] == 0x00 || data[end - 1] == '\n' || data[end - 1] == '\r'))
            --end;
        if (end < 4 || data[end - 2] != 0xFF || data[end - 1] != 0xD9)
            throw ImageCorruptError(file, "truncated JPEG (no end-of-image marker; " + std::to_string(size) +
                                              " bytes; an interrupted download?)");
        checkJpegDimensions(data, size, file);
        return EncodedFormat::Jpeg;
    }
    if (size >= 8 && std::memcmp(data, kPng, 8) == 0) {
        if (size < 8 + 12 || std::memcmp(data + size - 8, kIend, 8) != 0)
            throw ImageCorruptError(file, "truncated PNG (no IEND chunk at the end; " + std::to_string(size) +
                                              " bytes)");
        if (std::memcmp(data + 12, "IHDR", 4) != 0 || size < 8 + 25)
            throw ImageCorruptError(file, "corrupt PNG: the first chunk is not IHDR");
        checkDimensions(bigEndian(data + 16, 4), bigEndian(data + 20, 4), "PNG header (IHDR)", file);
        return EncodedFormat::Png;
    }
    if (looksLikeHtml(data, size))
        throw ImageCorruptError(file,
                                "is an HTML/XML page, not a JPEG or PNG image (an error page saved in place "
                                "of the cutout?)");
    throw ImageCorruptError(file, "not a JPEG or PNG image (first bytes: " + hexPrefix(data, size) + ")");
}

std::vector<std::uint8_t> readFileBytes(const std::string& path)
{
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        int err = errno;
        if (err == ENOENT || err == ENOTDIR) throw ImageMissingError(path, "no such file");
        throw InputError(path, 0, {}, std::string("cannot open: ") + std::strerror(err));
    }
    std::vector<std::uint8_t> bytes;
    struct stat st;
    if (::fstat(fd, &st) == 0) {
        if (S_ISDIR(st.st_mode)) {
            ::close(fd);
            throw ImageMissingError(path, "is a directory, not an image file");
        }
        if (S_ISREG(st.st_mode)) bytes.reserve(static_cast<std::size_t>(st.st_size));
    }
    std::uint8_t buf[1 << 16];
    for (;;) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR) continue;
            int err = errno;
            ::close(fd);
            throw InputError(path, 0, {}, std::string("read failed: ") + std::strerror(err));
        }
        if (n == 0) break;
        bytes.insert(bytes.end(), buf, buf + n);
    }
    ::close(fd);
    return bytes;
}

Image decodeImageFile(const std::string& path)
{
    std::vector<std::uint8_t> bytes = readFileBytes(path);
    return decodeImage(bytes.data(), bytes.size(), path);
}

#ifndef RINGMINER_HAVE_OPENCV
Image decodeImage(const std::uint8_t* data, std::size_t size, const std::string& file)
{
    checkEncodedImage(data, size, file);
    throw Error(file +
                ": this build of RingMiner has no OpenCV, so it cannot decode JPEG/PNG (build with OpenCV, "
                "or use a decoded-image cache made elsewhere)");
}

bool imageDecodingAvailable()
{
    return false;
}
#endif

} // namespace rm

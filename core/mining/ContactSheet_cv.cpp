// The contact sheet drawn with OpenCV (tiles resized with INTER_AREA, captions in its Hershey font).
#include "mining/ContactSheet.h"

#include "util/Error.h"

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>

#include <unistd.h>

namespace fs = std::filesystem;

namespace rm {

namespace {

constexpr int kFont = cv::FONT_HERSHEY_SIMPLEX;
constexpr double kScale = 0.42;
constexpr int kLine = 16; // px per caption line
constexpr int kFrame = 3; // px of the coloured frame
constexpr int kGap = 6;   // px between cells

// The longest prefix of `text` that fits `width` px, with "..." when cut.
std::string fit(const std::string& text, int width)
{
    int base = 0;
    if (cv::getTextSize(text, kFont, kScale, 1, &base).width <= width) return text;
    std::string s = text;
    while (!s.empty() && cv::getTextSize(s + "...", kFont, kScale, 1, &base).width > width)
        s.pop_back();
    return s + "...";
}

cv::Mat toBgr(const Image& im)
{
    if (im.channels == 3) {
        cv::Mat rgb(im.height, im.width, CV_8UC3, const_cast<std::uint8_t*>(im.pixels.data()));
        cv::Mat bgr;
        cv::cvtColor(rgb, bgr, cv::COLOR_RGB2BGR);
        return bgr;
    }
    if (im.channels == 1) {
        cv::Mat grey(im.height, im.width, CV_8UC1, const_cast<std::uint8_t*>(im.pixels.data()));
        cv::Mat bgr;
        cv::cvtColor(grey, bgr, cv::COLOR_GRAY2BGR);
        return bgr;
    }
    throw Error("contact sheet: an image with " + std::to_string(im.channels) + " channels");
}

} // namespace

void writeContactSheet(const std::string& path, const std::vector<ContactSheetTile>& tiles,
                       const ContactSheetOptions& options)
{
    if (tiles.empty()) throw Error("cannot write the contact sheet " + path + ": no scored candidates");
    const int n = static_cast<int>(tiles.size());
    const int tile = std::clamp(options.tileSize, 32, 1024);
    int columns =
        options.columns > 0 ? options.columns : static_cast<int>(std::ceil(std::sqrt(n * 4.0 / 3.0)));
    columns = std::clamp(columns, 1, n);
    const int rows = (n + columns - 1) / columns;
    const int cellW = tile + 2 * kFrame, cellH = tile + 2 * kFrame + 2 * kLine + 4;
    const int head = options.heading.empty() ? 0 : kLine + 8;
    const int width = kGap + columns * (cellW + kGap), height = head + kGap + rows * (cellH + kGap);
    cv::Mat sheet(height, width, CV_8UC3, cv::Scalar(24, 24, 24));
    if (head)
        cv::putText(sheet, fit(options.heading, width - 2 * kGap), {kGap, kLine + 2}, kFont, kScale,
                    cv::Scalar(235, 235, 235), 1, cv::LINE_AA);
    for (int i = 0; i < n; ++i) {
        const ContactSheetTile& t = tiles[std::size_t(i)];
        const int x0 = kGap + (i % columns) * (cellW + kGap),
                  y0 = head + kGap + (i / columns) * (cellH + kGap);
        // The frame says what the candidate is: new (green), known ring (blue), below the threshold (grey).
        const cv::Scalar frame = t.known    ? cv::Scalar(230, 140, 40)
                                 : t.isRing ? cv::Scalar(60, 200, 60)
                                            : cv::Scalar(120, 120, 120);
        cv::rectangle(sheet, cv::Rect(x0, y0, cellW, tile + 2 * kFrame), frame, cv::FILLED);
        cv::Mat area = sheet(cv::Rect(x0 + kFrame, y0 + kFrame, tile, tile));
        area.setTo(cv::Scalar(0, 0, 0));
        if (!t.image.empty()) {
            const cv::Mat bgr = toBgr(t.image);
            const double s = double(tile) / std::max(bgr.cols, bgr.rows);
            const int w = std::max(1, int(std::lround(bgr.cols * s))),
                      h = std::max(1, int(std::lround(bgr.rows * s)));
            cv::Mat scaled;
            cv::resize(bgr, scaled, {w, h}, 0, 0, s < 1 ? cv::INTER_AREA : cv::INTER_LINEAR);
            scaled.copyTo(area(cv::Rect((tile - w) / 2, (tile - h) / 2, w, h)));
        } else {
            // No image: what went wrong, wrapped onto the black square.
            std::string rest = t.error.empty() ? std::string("no image") : t.error;
            for (int line = 0; line < tile / kLine - 1 && !rest.empty(); ++line) {
                std::string part = fit(rest, tile - 8);
                if (part.size() > 3 && part.compare(part.size() - 3, 3, "...") == 0 &&
                    part.size() - 3 < rest.size())
                    part.resize(part.size() - 3);
                cv::putText(area, part, {4, kLine * (line + 1)}, kFont, kScale, cv::Scalar(80, 80, 230), 1,
                            cv::LINE_AA);
                rest.erase(0, part.size());
            }
        }
        const int ty = y0 + tile + 2 * kFrame;
        cv::putText(sheet, fit(t.title, cellW), {x0, ty + kLine - 3}, kFont, kScale,
                    cv::Scalar(235, 235, 235), 1, cv::LINE_AA);
        cv::putText(sheet, fit(t.detail, cellW), {x0, ty + 2 * kLine - 2}, kFont, kScale, frame, 1,
                    cv::LINE_AA);
    }

    const fs::path target(path);
    const fs::path tmp =
        target.parent_path() / (".tmp." + std::to_string(::getpid()) + "." + target.filename().string());
    bool ok = false;
    try {
        ok = cv::imwrite(tmp.string(), sheet);
    } catch (const cv::Exception& e) {
        throw Error("cannot write the contact sheet " + path + ": " + e.what());
    }
    if (!ok)
        throw Error("cannot write the contact sheet " + path +
                    " (unknown image extension or unwritable folder)");
    std::error_code ec;
    fs::rename(tmp, target, ec);
    if (ec) {
        fs::remove(tmp, ec);
        throw Error("cannot write the contact sheet " + path + ": " + ec.message());
    }
}

} // namespace rm

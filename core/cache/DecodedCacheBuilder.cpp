#include "cache/DecodedCacheBuilder.h"

#include "cache/DecodedCacheFormat.h"
#include "imaging/ImageDecode.h"
#include "imaging/ImageErrors.h"
#include "sources/ImageSource.h"
#include "util/Error.h"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <fcntl.h>
#include <filesystem>
#include <mutex>
#include <thread>
#include <unistd.h>
#include <unordered_set>

namespace rm {

namespace {

void writeAll(int fd, const void* data, std::size_t bytes, std::uint64_t offset, const std::string& path)
{
    const auto* p = static_cast<const std::uint8_t*>(data);
    while (bytes > 0) {
        ssize_t n = ::pwrite(fd, p, bytes, static_cast<off_t>(offset));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) throw Error(path + ": write failed: " + std::strerror(errno));
        p += n;
        bytes -= static_cast<std::size_t>(n);
        offset += static_cast<std::uint64_t>(n);
    }
}

// Removes the temporary file unless the build got as far as renaming it.
struct TempFile
{
    std::string path;
    int fd = -1;
    bool keep = false;
    ~TempFile()
    {
        if (fd >= 0) ::close(fd);
        if (!keep && !path.empty()) ::unlink(path.c_str());
    }
};

std::string tempNameFor(const std::string& path)
{
    static std::atomic<unsigned> counter{0};
    return path + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(counter++);
}

// A killed build leaves its temporary file (tens of MB) behind; the next build of the same cache removes
// those whose process is gone. A live process's file (another build running now) is left alone.
void removeStaleTempFiles(const std::string& path)
{
    namespace fs = std::filesystem;
    const fs::path target(path);
    const std::string prefix = target.filename().string() + ".tmp.";
    std::error_code ec;
    fs::directory_iterator it(target.parent_path().empty() ? fs::path(".") : target.parent_path(), ec);
    if (ec) return;
    for (const auto& entry : it) {
        const std::string name = entry.path().filename().string();
        if (name.compare(0, prefix.size(), prefix) != 0) continue;
        const std::string rest = name.substr(prefix.size());
        const auto dot = rest.find('.');
        const std::string pidText = rest.substr(0, dot); // strtol's end must point into a live string
        char* end = nullptr;
        const long pid = std::strtol(pidText.c_str(), &end, 10);
        if (pid <= 0 || !end || *end != '\0') continue;
        if (::kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH)
            continue; // alive (or not ours to judge)
        fs::remove(entry.path(), ec);
    }
}

} // namespace

CacheBuildReport buildDecodedCache(const std::string& path, const std::vector<CacheItem>& items,
                                   const CacheBuildOptions& options)
{
    const auto started = std::chrono::steady_clock::now();
    const PrepareParams& prep = options.prepare;
    validate(prep);
    {
        std::unordered_set<std::string> seen;
        bool needsDecoder = false;
        for (const auto& item : items) {
            if (!seen.insert(item.key).second)
                throw Error("decoded-image cache: duplicate key '" + item.key + "'");
            if (!item.load) needsDecoder = true;
        }
        if (needsDecoder && !imageDecodingAvailable())
            throw Error("decoded-image cache: this build has no OpenCV and cannot decode JPEG/PNG files");
    }

    const std::uint64_t count = items.size();
    cachefmt::Header header = cachefmt::layout(prep.width, prep.height, prep.channels, count);

    removeStaleTempFiles(path);
    TempFile tmp;
    tmp.path = tempNameFor(path);
    tmp.fd = ::open(tmp.path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (tmp.fd < 0) {
        std::string why = std::strerror(errno);
        tmp.path.clear();
        throw Error("cannot create " + path + " (temporary file): " + why);
    }
    if (::ftruncate(tmp.fd, static_cast<off_t>(header.trailerOffset)) != 0)
        throw Error(tmp.path + ": cannot size the file: " + std::strerror(errno));

    std::vector<std::uint8_t> status(count, static_cast<std::uint8_t>(RecordStatus::Unwritten));
    std::vector<std::string> errors(count);
    std::atomic<std::size_t> next{0}, done{0};
    std::atomic<bool> cancel{false};
    std::mutex progressMutex;
    std::exception_ptr fatal;

    auto worker = [&] {
        try {
            for (;;) {
                if (cancel.load()) return;
                const std::size_t i = next.fetch_add(1);
                if (i >= count) return;
                const CacheItem& item = items[i];
                RecordStatus s = RecordStatus::Ok;
                Image prepared;
                try {
                    Image decoded = item.load ? item.load() : decodeImageFile(item.path);
                    prepared = prepareImage(decoded, prep);
                } catch (const ImageMissingError& e) {
                    s = RecordStatus::Missing;
                    errors[i] = e.what();
                } catch (const ImageCorruptError& e) {
                    s = RecordStatus::Corrupt;
                    errors[i] = e.what();
                } catch (const std::exception& e) {
                    s = RecordStatus::Failed;
                    errors[i] = e.what();
                }
                // A failed record is left as zeros on disk but flagged; readers never see it as an image.
                if (s == RecordStatus::Ok)
                    writeAll(tmp.fd, prepared.pixels.data(), prepared.pixels.size(),
                             header.dataOffset + i * header.recordBytes, tmp.path);
                status[i] = static_cast<std::uint8_t>(s);
                const std::size_t d = done.fetch_add(1) + 1;
                if (options.progress) {
                    std::lock_guard<std::mutex> lock(progressMutex);
                    if (!cancel.load() && !options.progress(d, count)) cancel = true;
                }
            }
        } catch (...) {
            std::lock_guard<std::mutex> lock(progressMutex);
            if (!fatal) fatal = std::current_exception();
            cancel = true;
        }
    };

    int threads =
        options.threads > 0 ? options.threads : static_cast<int>(std::thread::hardware_concurrency());
    threads = std::max(1, std::min<int>(threads, static_cast<int>(std::max<std::uint64_t>(count, 1))));
    std::vector<std::thread> pool;
    for (int t = 1; t < threads; ++t)
        pool.emplace_back(worker);
    worker();
    for (auto& t : pool)
        t.join();
    if (fatal) std::rethrow_exception(fatal);
    if (cancel) throw Error("building the decoded-image cache " + path + " was cancelled");

    CacheBuildReport report;
    report.path = path;
    report.count = count;
    nlohmann::json trailer;
    trailer["keys"] = nlohmann::json::array();
    trailer["errors"] = nlohmann::json::object();
    for (std::size_t i = 0; i < count; ++i) {
        trailer["keys"].push_back(items[i].key);
        switch (static_cast<RecordStatus>(status[i])) {
        case RecordStatus::Ok:
            ++report.ok;
            break;
        case RecordStatus::Missing:
            ++report.missing;
            break;
        case RecordStatus::Corrupt:
            ++report.corrupt;
            break;
        default:
            ++report.failed;
            break;
        }
        if (!errors[i].empty()) {
            trailer["errors"][std::to_string(i)] = errors[i];
            report.errors.emplace_back(i, errors[i]);
        }
    }
    trailer["params"] = {{"width", prep.width},
                         {"height", prep.height},
                         {"channels", prep.channels},
                         {"crop_fraction", prep.cropFraction},
                         {"greyscale", prep.channels == 1 ? "channel mean" : "none"},
                         {"resize", "area (shrink) / bilinear (enlarge)"},
                         {"extra", options.extra.is_null() ? nlohmann::json::object() : options.extra}};
    const std::string trailerText = trailer.dump();
    header.trailerBytes = trailerText.size();

    if (count > 0) writeAll(tmp.fd, status.data(), status.size(), header.statusOffset, tmp.path);
    writeAll(tmp.fd, trailerText.data(), trailerText.size(), header.trailerOffset, tmp.path);
    // The header goes last: a file with a valid header has everything else written.
    writeAll(tmp.fd, &header, sizeof header, 0, tmp.path);
    if (::fsync(tmp.fd) != 0) throw Error(tmp.path + ": fsync failed: " + std::strerror(errno));
    if (::close(tmp.fd) != 0) {
        tmp.fd = -1;
        throw Error(tmp.path + ": close failed: " + std::strerror(errno));
    }
    tmp.fd = -1;
    if (std::rename(tmp.path.c_str(), path.c_str()) != 0)
        throw Error("cannot move the finished cache into place as " + path + ": " + std::strerror(errno));
    tmp.keep = true;

    report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return report;
}

std::vector<CacheItem> cacheItemsFromSource(const ImageSource& source, const std::vector<GalaxyRef>& galaxies,
                                            const std::vector<std::string>& keys)
{
    if (keys.size() != galaxies.size())
        throw Error("cacheItemsFromSource: " + std::to_string(keys.size()) + " keys for " +
                    std::to_string(galaxies.size()) + " galaxies");
    std::vector<CacheItem> items;
    items.reserve(galaxies.size());
    for (std::size_t i = 0; i < galaxies.size(); ++i) {
        CacheItem item;
        item.key = keys[i];
        item.load = [&source, g = galaxies[i]] { return source.load(g); };
        items.push_back(std::move(item));
    }
    return items;
}

} // namespace rm

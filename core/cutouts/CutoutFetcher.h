#pragma once
// Downloads cutouts from a cutout service into an on-disk cache, politely and without ever leaving a bad
// file.
//
// - A few worker threads, each with its own libcurl easy handle (so connections are kept alive and reused),
//   take requests from one queue. A rate limiter shared by all of them spaces requests evenly (a token bucket
//   of depth one: a service's fair-use policy is about bursts as much as averages).
// - Every attempt has a connect and a total timeout. Failures that can pass (timeouts, resets, 5xx, 429, a
//   truncated or HTML body) are retried with exponential back-off and jitter, honouring Retry-After; ones
//   that cannot (404, 400) are not.
// - Every body is validated (ImageValidation) before it may enter the cache, and it enters atomically:
// written
//   to a .part file, fsync'ed, renamed into place, the directory fsync'ed. A killed process leaves at worst a
//   .part file, never a truncated image under the final name; stale .part files are removed on the next run.
// - A cache file that is already there is validated before it is trusted; a corrupt one is deleted and
// fetched
//   again.
// - Every request ends as exactly one result: Cached (with its file) or Failed (with the reason and the
// number
//   of attempts), or Cancelled when the run was stopped before it finished.
#include "cutouts/CutoutService.h"

#include <atomic>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace rm {

class HttpGet;

struct CutoutRequest
{
    std::size_t id = 0; // the caller's handle (a catalog row), echoed in the result
    double ra = NAN;    // degrees J2000
    double dec = NAN;
};

enum class CutoutState
{
    Cached,
    Failed,
    Cancelled
};
const char* cutoutStateName(CutoutState s); // "cached", "failed", "cancelled"

struct CutoutResult
{
    std::size_t id = 0;
    CutoutState state = CutoutState::Failed;
    bool fromCache = false; // Cached without downloading: a valid file was already there
    std::string path;       // the cache file, when Cached
    std::string error;      // why, when Failed ("HTTP 500", "timeout after 10 s", "connection reset ...")
    int attempts = 0;       // HTTP requests made for it in this run
    std::string replaced;   // when a corrupt cache file was deleted and fetched again: what was wrong with it
};

struct CutoutFetchOptions
{
    std::string cacheDir;       // files go to <cacheDir>/<spec.cacheKey()>/<cutoutRelativePath>
    int parallel = 4;           // connections at once
    double ratePerSecond = 5.0; // requests per second over all connections; <= 0: no limit
    double connectTimeoutS = 10.0;
    double timeoutS = 30.0;      // the whole request, body included
    int maxAttempts = 4;         // requests per galaxy before it is recorded as failed
    double backoffBaseS = 1.0;   // the wait after the first failure; doubles each time, with jitter
    double backoffMaxS = 60.0;   // cap on one wait (Retry-After included)
    std::uint64_t seed = 0x5eed; // the jitter's random stream: the same seed and request give the same waits
    std::string userAgent;       // empty: "RingMiner/<version>"
    std::size_t maxBodyBytes = 32u << 20; // a longer body is aborted (a service gone mad, or the wrong URL)
    const std::atomic<bool>* cancel = nullptr; // set from anywhere (a signal handler, the UI) to stop soon
};

struct CutoutFetchSummary
{
    std::size_t requested = 0;     // requests given to fetch()
    std::size_t downloaded = 0;    // Cached by a download in this run
    std::size_t alreadyCached = 0; // Cached from a valid file that was already there
    std::size_t failed = 0;
    std::size_t cancelled = 0;
    std::size_t replacedCorrupt = 0; // corrupt cache files found, deleted and fetched again
    std::size_t httpRequests = 0;
    double seconds = 0;
};

class CutoutFetcher
{
public:
    // Throws rm::Error for an invalid spec, an empty cacheDir or nonsensical options.
    CutoutFetcher(CutoutServiceSpec spec, CutoutFetchOptions options);

    const CutoutServiceSpec& spec() const { return m_spec; }
    const CutoutFetchOptions& options() const { return m_options; }
    std::string cacheRoot() const; // <cacheDir>/<cacheKey>
    std::string cachePath(double ra, double dec) const;

    // Called once per request as it finishes, from the worker threads but never two at once, so the callback
    // may write to a database without its own locking. Requests finish in any order.
    using ResultCallback = std::function<void(const CutoutResult&)>;
    // (done, total); returning false stops the run like the cancel flag. Serialised like ResultCallback.
    using ProgressCallback = std::function<bool(std::size_t, std::size_t)>;

    // Fetches all requests, in parallel; returns when every one has its result. Removes stale .part files
    // left by dead processes first.
    CutoutFetchSummary fetch(const std::vector<CutoutRequest>& requests, const ResultCallback& onResult = {},
                             const ProgressCallback& progress = {});
    // One request in the calling thread (still rate limited, retried and validated).
    CutoutResult fetchOne(const CutoutRequest& request);

    // Deletes .part files under cacheRoot() whose writing process no longer runs; returns how many.
    std::size_t removeStalePartFiles() const;

private:
    class RateLimiter;
    CutoutResult process(const CutoutRequest& request, HttpGet& http, const std::atomic<bool>& stop);
    bool stopped(const std::atomic<bool>& stop) const;

    CutoutServiceSpec m_spec;
    CutoutFetchOptions m_options;
    std::shared_ptr<RateLimiter> m_limiter;
    std::atomic<std::size_t> m_httpRequests{0};
};

} // namespace rm

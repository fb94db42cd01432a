#include "cutouts/CutoutFetcher.h"

#include "cutouts/HttpGet.h"
#include "imaging/ImageValidation.h"
#include "util/CacheFile.h"
#include "util/Error.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <exception>
#include <filesystem>
#include <mutex>
#include <random>
#include <thread>

namespace fs = std::filesystem;

namespace rm {

namespace {

using Clock = std::chrono::steady_clock;

// Sleeps until `until` in short slices so a cancel is noticed within ~50 ms; false if stopped meanwhile.
template <class Stopped> bool sleepUntil(Clock::time_point until, const Stopped& stopped)
{
    for (;;) {
        if (stopped()) return false;
        const auto now = Clock::now();
        if (now >= until) return true;
        std::this_thread::sleep_for(std::min<Clock::duration>(until - now, std::chrono::milliseconds(50)));
    }
}

template <class Stopped> bool sleepFor(double seconds, const Stopped& stopped)
{
    return sleepUntil(Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                         std::chrono::duration<double>(std::max(0.0, seconds))),
                      stopped);
}

// What one HTTP attempt came to.
struct Verdict
{
    bool ok = false;
    std::string error;
    bool retryable = true;
};

bool startsWithMarkup(const std::vector<std::uint8_t>& body)
{
    for (std::uint8_t c : body)
        if (!std::isspace(c)) return c == '<';
    return false;
}

Verdict judge(const HttpResponse& resp)
{
    if (!resp.transportOk) return {false, resp.error, resp.retryable};
    const long s = resp.status;
    const std::string http = "HTTP " + std::to_string(s);
    if (s == 200 || s == 203) {
        const ImageCheck check = validateImageBytes(resp.body.data(), resp.body.size(), resp.contentType);
        if (check) return {true, {}, false};
        // Overloaded services answer 200 with an error page or a cut body; another try often works.
        return {false, http + " but " + check.reason, true};
    }
    // Busy, rate limited, or a server-side failure: it may pass.
    if (s == 408 || s == 429 || s >= 500) return {false, http, true};
    // Anything else (4xx, an unfollowed redirect, 204) will be the same next time. A service's short text
    // explanation is worth keeping; an HTML page is not.
    std::string e = http;
    if (!resp.body.empty() && !startsWithMarkup(resp.body))
        e += ": '" + bodySnippet(resp.body.data(), resp.body.size(), 120) + "'";
    return {false, e, false};
}

// Exponential back-off with "equal jitter": half the step fixed, half random, so clients that failed together
// do not all come back at the same instant. Capped.
double backoffSeconds(const CutoutFetchOptions& o, int failedAttempts, std::mt19937_64& rng)
{
    const double step = std::min(o.backoffMaxS, o.backoffBaseS * std::ldexp(1.0, failedAttempts - 1));
    return step * (0.5 + 0.5 * std::uniform_real_distribution<double>(0.0, 1.0)(rng));
}

HttpGetOptions httpOptions(const CutoutFetchOptions& o)
{
    HttpGetOptions h;
    h.connectTimeoutS = o.connectTimeoutS;
    h.timeoutS = o.timeoutS;
    h.userAgent = o.userAgent;
    h.maxBodyBytes = o.maxBodyBytes;
    return h;
}

} // namespace

const char* cutoutStateName(CutoutState s)
{
    switch (s) {
    case CutoutState::Cached:
        return "cached";
    case CutoutState::Failed:
        return "failed";
    case CutoutState::Cancelled:
        return "cancelled";
    }
    return "?";
}

// Shared by all workers: a token bucket of depth one, i.e. request slots handed out evenly 1/rate apart. Each
// caller reserves the next slot under the lock and sleeps outside it.
class CutoutFetcher::RateLimiter
{
public:
    explicit RateLimiter(double ratePerSecond)
        : m_interval(ratePerSecond > 0 ? std::chrono::duration_cast<Clock::duration>(
                                             std::chrono::duration<double>(1.0 / ratePerSecond))
                                       : Clock::duration::zero())
    {
    }

    template <class Stopped> bool acquire(const Stopped& stopped)
    {
        if (m_interval == Clock::duration::zero()) return !stopped();
        Clock::time_point slot;
        {
            std::lock_guard<std::mutex> lock(m_mutex);
            slot = std::max(Clock::now(), m_next);
            m_next = slot + m_interval;
        }
        return sleepUntil(slot, stopped);
    }

private:
    Clock::duration m_interval;
    std::mutex m_mutex;
    Clock::time_point m_next{};
};

CutoutFetcher::CutoutFetcher(CutoutServiceSpec spec, CutoutFetchOptions options)
    : m_spec(std::move(spec)), m_options(std::move(options))
{
    m_spec.validate();
    const auto& o = m_options;
    if (o.cacheDir.empty()) throw Error("cutout fetcher needs a cache folder");
    if (o.parallel < 1 || o.parallel > 64) throw Error("parallel connections must be 1..64");
    if (o.maxAttempts < 1) throw Error("attempts per cutout must be at least 1");
    if (!(o.timeoutS > 0) || !(o.connectTimeoutS > 0)) throw Error("timeouts must be positive");
    if (!(o.backoffBaseS >= 0) || !(o.backoffMaxS >= 0)) throw Error("back-off times must not be negative");
    if (m_options.userAgent.empty()) m_options.userAgent = defaultUserAgent();
    m_limiter = std::make_shared<RateLimiter>(o.ratePerSecond);
}

std::string CutoutFetcher::cacheRoot() const
{
    return (fs::path(m_options.cacheDir) / m_spec.cacheKey()).string();
}

std::string CutoutFetcher::cachePath(double ra, double dec) const
{
    return (fs::path(cacheRoot()) / cutoutRelativePath(ra, dec)).string();
}

std::size_t CutoutFetcher::removeStalePartFiles() const
{
    return rm::removeStalePartFiles(cacheRoot());
}

bool CutoutFetcher::stopped(const std::atomic<bool>& stop) const
{
    return stop.load() || (m_options.cancel && m_options.cancel->load());
}

CutoutResult CutoutFetcher::process(const CutoutRequest& req, HttpGet& http, const std::atomic<bool>& stop)
{
    CutoutResult r;
    r.id = req.id;
    const auto isStopped = [&] { return stopped(stop); };
    const auto cancelled = [&](const std::string& last) {
        r.state = CutoutState::Cancelled;
        r.error = last.empty() ? "cancelled" : "cancelled after: " + last;
        return r;
    };
    try {
        const std::string path = cachePath(req.ra, req.dec); // throws for a position that cannot be asked
        const std::string url = m_spec.url(req.ra, req.dec);
        std::error_code ec;
        if (fs::exists(path, ec)) {
            const ImageCheck existing = validateImageFile(path);
            if (existing) {
                r.state = CutoutState::Cached;
                r.fromCache = true;
                r.path = path;
                return r;
            }
            r.replaced = existing.reason;
            fs::remove(path, ec);
        }
        // One random stream per request, so its waits do not depend on which thread ran it or when.
        std::mt19937_64 rng(m_options.seed ^
                            (0x9E3779B97F4A7C15ull * (static_cast<std::uint64_t>(req.id) + 1)));
        std::string lastError;
        for (int attempt = 1; attempt <= m_options.maxAttempts; ++attempt) {
            if (!m_limiter->acquire(isStopped)) return cancelled(lastError);
            ++r.attempts;
            ++m_httpRequests;
            const HttpResponse resp = http.get(url);
            const Verdict v = judge(resp);
            if (v.ok) {
                writeFileAtomically(path, resp.body.data(), resp.body.size());
                r.state = CutoutState::Cached;
                r.path = path;
                return r;
            }
            lastError = v.error;
            if (!v.retryable || attempt == m_options.maxAttempts) break;
            double wait = backoffSeconds(m_options, attempt, rng);
            if (resp.retryAfterS >= 0)
                wait = std::min(std::max(wait, resp.retryAfterS), m_options.backoffMaxS);
            if (!sleepFor(wait, isStopped)) return cancelled(lastError);
        }
        r.state = CutoutState::Failed;
        r.error = lastError;
    } catch (const std::exception& e) {
        // A position that cannot be asked for, or a cache that cannot be written: still one result, with why.
        r.state = CutoutState::Failed;
        r.error = e.what();
    }
    return r;
}

CutoutResult CutoutFetcher::fetchOne(const CutoutRequest& request)
{
    HttpGet http(httpOptions(m_options));
    std::atomic<bool> stop{false};
    return process(request, http, stop);
}

CutoutFetchSummary CutoutFetcher::fetch(const std::vector<CutoutRequest>& requests,
                                        const ResultCallback& onResult, const ProgressCallback& progress)
{
    const auto start = Clock::now();
    const std::size_t httpBefore = m_httpRequests.load();
    CutoutFetchSummary sum;
    sum.requested = requests.size();
    removeStalePartFiles();
    if (requests.empty()) return sum;

    const std::size_t nThreads =
        std::min<std::size_t>(static_cast<std::size_t>(m_options.parallel), requests.size());
    std::vector<std::unique_ptr<HttpGet>> clients;
    for (std::size_t i = 0; i < nThreads; ++i)
        clients.push_back(std::make_unique<HttpGet>(httpOptions(m_options)));

    std::atomic<bool> stop{false};
    std::atomic<std::size_t> next{0};
    std::mutex resultMutex; // serialises the callbacks and the summary
    std::size_t done = 0;
    std::exception_ptr callbackError;

    auto deliver = [&](const CutoutResult& r) {
        std::lock_guard<std::mutex> lock(resultMutex);
        switch (r.state) {
        case CutoutState::Cached:
            ++(r.fromCache ? sum.alreadyCached : sum.downloaded);
            break;
        case CutoutState::Failed:
            ++sum.failed;
            break;
        case CutoutState::Cancelled:
            ++sum.cancelled;
            break;
        }
        if (!r.replaced.empty()) ++sum.replacedCorrupt;
        ++done;
        if (callbackError) return;
        try {
            if (onResult) onResult(r);
            if (progress && !progress(done, requests.size())) stop = true;
        } catch (...) {
            // The caller could not record a result (its database failed): stop rather than download into the
            // void.
            callbackError = std::current_exception();
            stop = true;
        }
    };

    auto worker = [&](HttpGet& http) {
        for (;;) {
            const std::size_t i = next++;
            if (i >= requests.size()) return;
            if (stopped(stop)) {
                CutoutResult r;
                r.id = requests[i].id;
                r.state = CutoutState::Cancelled;
                r.error = "cancelled";
                deliver(r);
                continue;
            }
            deliver(process(requests[i], http, stop));
        }
    };
    std::vector<std::thread> threads;
    for (std::size_t t = 1; t < nThreads; ++t)
        threads.emplace_back(worker, std::ref(*clients[t]));
    worker(*clients[0]);
    for (auto& t : threads)
        t.join();

    sum.httpRequests = m_httpRequests.load() - httpBefore;
    sum.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    if (callbackError) std::rethrow_exception(callbackError);
    return sum;
}

} // namespace rm

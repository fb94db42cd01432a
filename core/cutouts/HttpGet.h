#pragma once
// One reusable HTTP(S) GET client over a libcurl easy handle. Keeping the handle between requests keeps the
// connection alive, so a worker downloading thousands of cutouts from one host opens it once. Not
// thread-safe: one client per thread. Transport failures are described in words a person can act on ("timeout
// after 10 s", "connection reset after 1234 bytes") rather than libcurl's codes.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace rm {

struct HttpGetOptions
{
    double connectTimeoutS = 10.0;
    double timeoutS = 30.0;
    std::string userAgent;
    std::size_t maxBodyBytes = 32u << 20;
};

struct HttpResponse
{
    bool transportOk = false; // a complete response arrived (whatever its status)
    long status = 0;          // HTTP status, 0 when none arrived
    std::vector<std::uint8_t> body;
    std::string contentType;
    double retryAfterS = -1; // the Retry-After header in seconds, -1 when absent
    std::string error;       // when !transportOk: what went wrong
    bool retryable = true;   // when !transportOk: may another attempt succeed?
};

class HttpGet
{
public:
    explicit HttpGet(HttpGetOptions options);
    ~HttpGet();
    HttpGet(const HttpGet&) = delete;
    HttpGet& operator=(const HttpGet&) = delete;

    HttpResponse get(const std::string& url);

private:
    void* m_curl = nullptr;
    HttpGetOptions m_options;
    std::string m_noProxy;
};

// "RingMiner/<version>".
std::string defaultUserAgent();

} // namespace rm

#include "cutouts/HttpGet.h"

#include "cutouts/CutoutService.h"
#include "util/Error.h"

#include <curl/curl.h>

#include <cstdlib>
#include <cstring>
#include <mutex>

namespace rm {

namespace {

// curl_global_init is not thread-safe in older libcurl; do it once before any handle exists.
void globalInit()
{
    static std::once_flag once;
    std::call_once(once, [] {
        if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
            throw Error("libcurl could not be initialised");
    });
}

struct Sink
{
    std::vector<std::uint8_t>* body;
    std::size_t limit;
    bool overflow = false;
};

std::size_t writeBody(char* data, std::size_t size, std::size_t n, void* user)
{
    auto* sink = static_cast<Sink*>(user);
    const std::size_t bytes = size * n;
    if (sink->body->size() + bytes > sink->limit) {
        sink->overflow = true;
        return 0; // makes libcurl abort with CURLE_WRITE_ERROR
    }
    sink->body->insert(sink->body->end(), data, data + bytes);
    return bytes;
}

// Requests to this machine never go through a proxy, whatever http_proxy says: the tests' server lives here.
std::string noProxyList()
{
    const char* env = std::getenv("no_proxy");
    if (!env || !*env) env = std::getenv("NO_PROXY");
    std::string list = env ? env : "";
    if (list == "*") return list;
    return list + (list.empty() ? "" : ",") + "localhost,127.0.0.1,::1";
}

std::string seconds(double s)
{
    return formatNumber(s);
}

void describeTransportError(CURLcode code, const char* errbuf, CURL* h, const HttpGetOptions& o,
                            const Sink& sink, HttpResponse& r)
{
    const std::string detail = errbuf[0] ? errbuf : curl_easy_strerror(code);
    const std::size_t got = sink.body->size();
    const std::string after = got ? " after " + std::to_string(got) + " bytes" : "";
    switch (code) {
    case CURLE_OPERATION_TIMEDOUT:
        if (detail.find("Connection timed out") != std::string::npos ||
            detail.find("connect") != std::string::npos)
            r.error = "connect timeout after " + seconds(o.connectTimeoutS) + " s";
        else
            r.error = "timeout after " + seconds(o.timeoutS) + " s" +
                      (got ? " (" + std::to_string(got) + " bytes received)" : "");
        break;
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
        if (detail.find("reset") != std::string::npos || detail.find("Broken pipe") != std::string::npos)
            r.error = "connection reset" + after;
        else
            r.error = "connection failed" + after + ": " + detail;
        break;
    case CURLE_PARTIAL_FILE: {
        curl_off_t expected = -1;
        curl_easy_getinfo(h, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &expected);
        r.error = "truncated transfer: connection closed after " + std::to_string(got) +
                  (expected > 0 ? " of " + std::to_string(expected) : std::string()) + " bytes";
        break;
    }
    case CURLE_GOT_NOTHING:
        r.error = "connection closed with no response";
        break;
    case CURLE_COULDNT_CONNECT:
        r.error = "cannot connect: " + detail;
        break;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
        r.error = "cannot resolve host: " + detail;
        break;
    case CURLE_WRITE_ERROR:
        if (sink.overflow) {
            r.error = "body larger than " + std::to_string(sink.limit) + " bytes";
            r.retryable = false;
        } else {
            r.error = detail;
        }
        break;
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
    case CURLE_TOO_MANY_REDIRECTS:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_FILESIZE_EXCEEDED:
        r.error = detail;
        r.retryable = false; // the same request will fail the same way
        break;
    default:
        r.error = detail;
        break;
    }
}

} // namespace

std::string defaultUserAgent()
{
    return std::string("RingMiner/") + RINGMINER_VERSION;
}

HttpGet::HttpGet(HttpGetOptions options) : m_options(std::move(options)), m_noProxy(noProxyList())
{
    globalInit();
    if (m_options.userAgent.empty()) m_options.userAgent = defaultUserAgent();
    CURL* h = curl_easy_init();
    if (!h) throw Error("libcurl could not make a transfer handle");
    m_curl = h;
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L); // no SIGALRM for DNS timeouts: we run in worker threads
    curl_easy_setopt(h, CURLOPT_USERAGENT, m_options.userAgent.c_str());
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(m_options.connectTimeoutS * 1000));
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(m_options.timeoutS * 1000));
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(h, CURLOPT_MAXREDIRS, 5L);
#if LIBCURL_VERSION_NUM >= 0x075500
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
#else
    curl_easy_setopt(h, CURLOPT_PROTOCOLS, long(CURLPROTO_HTTP | CURLPROTO_HTTPS));
    curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS, long(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
    curl_easy_setopt(h, CURLOPT_NOPROXY, m_noProxy.c_str());
    curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, ""); // whatever libcurl can decode
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, writeBody);
    // Dead keep-alive connections are detected by TCP rather than by a hung read.
    curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
}

HttpGet::~HttpGet()
{
    curl_easy_cleanup(static_cast<CURL*>(m_curl));
}

HttpResponse HttpGet::get(const std::string& url)
{
    CURL* h = static_cast<CURL*>(m_curl);
    HttpResponse r;
    Sink sink{&r.body, m_options.maxBodyBytes};
    char errbuf[CURL_ERROR_SIZE];
    errbuf[0] = 0;
    curl_easy_setopt(h, CURLOPT_URL, url.c_str());
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &sink);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    const CURLcode code = curl_easy_perform(h);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, nullptr); // errbuf goes out of scope

    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r.status);
    char* type = nullptr;
    if (curl_easy_getinfo(h, CURLINFO_CONTENT_TYPE, &type) == CURLE_OK && type) r.contentType = type;
    curl_off_t retryAfter = -1;
    if (curl_easy_getinfo(h, CURLINFO_RETRY_AFTER, &retryAfter) == CURLE_OK && retryAfter > 0)
        r.retryAfterS = static_cast<double>(retryAfter);
    if (code == CURLE_OK) {
        r.transportOk = true;
        return r;
    }
    describeTransportError(code, errbuf, h, m_options, sink, r);
    return r;
}

} // namespace rm

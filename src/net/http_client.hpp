// A small HTTP client over libcurl for the adapters that talk to remote services (Elasticsearch,
// later the AI service and the ticket system).
//
// Every call is bounded by a timeout, never throws, and reports only transport trouble as an error:
// any HTTP status the server sends back is a response, which the adapter maps to its own codes. A
// transport failure carries the adapter's service code (2000x) and says whether retrying may help,
// so a circuit breaker can count it.
//
// Each thread reuses one libcurl easy handle (reset before every call), so consecutive calls from a
// thread keep their connections alive; no handle is ever shared between threads.
//
// Thread safety: an HttpClient is immutable after construction and safe to use from many threads.

#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "selfservice/status.hpp"

namespace selfservice::net {

struct HttpClientOptions {
  std::int64_t timeout_ms = 2000;          // the whole call: connect, send, wait, receive
  std::int64_t connect_timeout_ms = 1000;  // capped at timeout_ms
  std::string ca_file;                     // PEM bundle for https; empty: the system's
  std::string username;                    // HTTP basic authentication when not empty
  std::string password;
  std::size_t max_response_bytes = std::size_t{64} << 20;  // a bigger answer is a failure
  ErrorCode failure_code = ErrorCode::kSearchUnavailable;  // the code of transport failures
};

struct HttpRequest {
  std::string method = "GET";  // GET, HEAD, POST, PUT or DELETE
  std::string url;             // absolute http:// or https:// URL
  std::string body;            // sent when not empty
  std::string content_type = "application/json";
  std::vector<std::string> headers;  // extra "Name: value" lines
};

struct HttpResponse {
  int status = 0;
  std::string body;
};

// What went wrong below HTTP, for callers that fail over to another node.
enum class TransportError {
  kNone,
  kConnect,  // nothing was sent: no connection could be made (refused, unresolvable, unreachable)
  kTimeout,  // the call ran out of time
  kOther,    // the connection broke, TLS failed, the answer was too big, ...
};

class HttpClient {
 public:
  explicit HttpClient(HttpClientOptions options);

  // The server's response, whatever its status; or the options' failure code when no complete
  // response arrived: retryable for connection failures, timeouts and broken or truncated
  // answers, not retryable for configuration faults (bad URL, untrusted certificate, oversized
  // answer). `error`, when given, receives the kind of transport failure. The status detail
  // names the method and libcurl's reason, never credentials.
  Result<HttpResponse> Send(const HttpRequest& request, TransportError* error = nullptr) const noexcept;

  const HttpClientOptions& options() const { return options_; }

 private:
  HttpClientOptions options_;
};

// True for a 2xx status.
inline bool IsSuccessStatus(int status) { return status >= 200 && status < 300; }

// An http(s) URL without credentials or spaces; with `allow_query`, a query and fragment may follow
// (a webhook's own URL).
bool IsUsableUrl(std::string_view url, bool allow_query);
// The same without query or fragment: a base to which API paths are appended.
inline bool IsUsableBaseUrl(std::string_view url) { return IsUsableUrl(url, false); }

// `text` cut to at most `max_bytes` on a UTF-8 character boundary, with "…" when cut: remote
// services' messages kept in a Status detail.
std::string ClipForDetail(std::string text, std::size_t max_bytes = 200);

}  // namespace selfservice::net

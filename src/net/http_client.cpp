#include "net/http_client.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <new>
#include <utility>

namespace selfservice::net {
namespace {

// libcurl's global state, set up once before the first handle (curl_global_init is not safe to
// race with other libcurl calls on every build).
bool GlobalInit() {
  static const bool ok = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
  return ok;
}

// This thread's easy handle. Reused across calls so that its connection cache keeps connections
// to the same node alive; curl_easy_reset() clears every option but keeps that cache.
CURL* ThreadHandle() {
  if (!GlobalInit()) return nullptr;
  struct Handle {
    CURL* curl = curl_easy_init();
    ~Handle() {
      if (curl != nullptr) curl_easy_cleanup(curl);
    }
  };
  thread_local Handle handle;
  return handle.curl;
}

struct HeaderList {
  curl_slist* list = nullptr;
  ~HeaderList() { curl_slist_free_all(list); }
  bool Add(const std::string& line) {
    curl_slist* next = curl_slist_append(list, line.c_str());
    if (next == nullptr) return false;
    list = next;
    return true;
  }
};

struct Sink {
  std::string* body;
  std::size_t limit;
};

size_t Write(char* data, size_t size, size_t count, void* user) {
  auto* sink = static_cast<Sink*>(user);
  const size_t bytes = size * count;
  if (sink->body->size() + bytes > sink->limit) return 0;  // libcurl answers CURLE_WRITE_ERROR
  try {
    sink->body->append(data, bytes);
  } catch (const std::bad_alloc&) {
    return 0;
  }
  return bytes;
}

TransportError Classify(CURLcode code) {
  switch (code) {
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT: return TransportError::kConnect;
    case CURLE_OPERATION_TIMEDOUT: return TransportError::kTimeout;
    default: return TransportError::kOther;
  }
}

// Whether the same call may succeed later: the network or the server had trouble, not our setup.
bool Retryable(CURLcode code) {
  switch (code) {
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_WEIRD_SERVER_REPLY: return true;
    default: return false;
  }
}

bool KnownMethod(const std::string& method) {
  return method == "GET" || method == "HEAD" || method == "POST" || method == "PUT" || method == "DELETE";
}

}  // namespace

HttpClient::HttpClient(HttpClientOptions options) : options_(std::move(options)) {}

Result<HttpResponse> HttpClient::Send(const HttpRequest& request, TransportError* error) const noexcept {
  TransportError ignored = TransportError::kNone;
  TransportError& kind = error != nullptr ? *error : ignored;
  kind = TransportError::kNone;
  try {
    if (!KnownMethod(request.method)) {
      kind = TransportError::kOther;
      return Status::Error(options_.failure_code, "unsupported HTTP method " + request.method);
    }
    CURL* curl = ThreadHandle();
    if (curl == nullptr) {
      kind = TransportError::kOther;
      return Status::Error(options_.failure_code, request.method + ": libcurl could not be initialised",
                           true);
    }
    curl_easy_reset(curl);

    HeaderList headers;
    bool headers_ok = headers.Add("Accept: application/json") && headers.Add("Expect:");
    if (!request.body.empty())
      headers_ok = headers_ok && headers.Add("Content-Type: " + request.content_type);
    for (const auto& line : request.headers) headers_ok = headers_ok && headers.Add(line);
    if (!headers_ok) throw std::bad_alloc();

    HttpResponse response;
    Sink sink{&response.body, options_.max_response_bytes};
    char error_text[CURL_ERROR_SIZE] = {};
    const long timeout = static_cast<long>(std::max<std::int64_t>(options_.timeout_ms, 1));
    const long connect_timeout =
        static_cast<long>(std::clamp<std::int64_t>(options_.connect_timeout_ms, 1, options_.timeout_ms));

    curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);  // timeouts without SIGALRM: we run in host threads
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, timeout);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, connect_timeout);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers.list);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &Write);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &sink);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_text);
    curl_easy_setopt(curl, CURLOPT_USERAGENT, "libselfservice");
    if (!options_.ca_file.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, options_.ca_file.c_str());
    if (!options_.username.empty()) {
      curl_easy_setopt(curl, CURLOPT_HTTPAUTH, static_cast<long>(CURLAUTH_BASIC));
      curl_easy_setopt(curl, CURLOPT_USERNAME, options_.username.c_str());
      curl_easy_setopt(curl, CURLOPT_PASSWORD, options_.password.c_str());
    }
    if (request.method == "HEAD") {
      curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
    } else if (request.method == "GET" && request.body.empty()) {
      curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
    } else {
      if (request.method != "POST") curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
      if (!request.body.empty() || request.method == "POST") {
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.body.c_str());
      }
    }

    const CURLcode code = curl_easy_perform(curl);
    // The handle outlives this call: leave it pointing at nothing of ours.
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, nullptr);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, nullptr);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, nullptr);
    if (code != CURLE_OK) {
      kind = Classify(code);
      std::string detail = request.method + ": " + curl_easy_strerror(code);
      if (error_text[0] != '\0') detail += std::string(" (") + error_text + ")";
      return Status::Error(options_.failure_code, std::move(detail), Retryable(code));
    }
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    response.status = static_cast<int>(status);
    return response;
  } catch (...) {
    kind = TransportError::kOther;
    return Status::Error(options_.failure_code, request.method + ": out of memory", true);
  }
}

bool IsUsableUrl(std::string_view url, bool allow_query) {
  std::string_view rest;
  if (url.starts_with("http://")) {
    rest = url.substr(7);
  } else if (url.starts_with("https://")) {
    rest = url.substr(8);
  } else {
    return false;
  }
  const std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
  return !authority.empty() && authority.find('@') == std::string_view::npos &&
         url.find_first_of(allow_query ? " \t\r\n" : " \t\r\n?#") == std::string_view::npos;
}

std::string ClipForDetail(std::string text, std::size_t max_bytes) {
  if (text.size() > max_bytes) {
    std::size_t cut = max_bytes;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;  // whole UTF-8
    text.resize(cut);
    text += "…";
  }
  return text;
}

}  // namespace selfservice::net

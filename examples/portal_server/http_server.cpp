// portal_server's HTTP/1.1 and WebSocket sessions on Boost.Beast (docs/SERVER.md).
//
// Threads: `threads` I/O threads run every connection on its own strand. Quick calls (rate classes
// "read" and "search": SQLite reads of a few microseconds) run right on the I/O thread; the others
// (sign-in with its Argon2id, writes, AI, uploads) go to a pool of `workers`, so a 15 ms sign-in
// never holds up the reads of other connections. Each connection answers its requests in order.
#include "http_server.hpp"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <charconv>
#include <chrono>
#include <csignal>
#include <deque>
#include <iostream>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include <openssl/ssl.h>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <boost/json.hpp>

#include "selfservice/download.hpp"

#include "download_headers.hpp"
#include "metrics.hpp"
#include "openapi.hpp"
#include "router.hpp"

namespace selfservice::server {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
namespace ssl = net::ssl;
namespace json = boost::json;
using tcp = net::ip::tcp;
using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;
using DownloadResponse = http::response<http::buffer_body>;
using Clock = std::chrono::steady_clock;

constexpr std::string_view kPrefix = "/api/v1/customer-portal";
constexpr std::string_view kWebSocketPath = "/api/v1/customer-portal/ws";
constexpr std::string_view kOpenApiPath = "/api/v1/customer-portal/openapi.json";
constexpr std::size_t kHeaderLimit = 16 * 1024;
constexpr std::size_t kWebSocketQueueLimit = 1024;  // events waiting for a slow client
constexpr std::size_t kDownloadChunkBytes = 256 * 1024;  // read and written at a time

// --- Small helpers --------------------------------------------------------------------------------

// Whether `text` starts with `prefix` (lowercase) in any case.
bool StartsWithNoCase(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() &&
         std::equal(prefix.begin(), prefix.end(), text.begin(),
                    [](char lower, char c) { return std::tolower(static_cast<unsigned char>(c)) == lower; });
}

// The bearer token of an Authorization header, or empty.
std::string_view BearerToken(std::string_view authorization) {
  if (!StartsWithNoCase(authorization, "bearer ")) return {};
  std::string_view token = authorization.substr(7);
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  return token;
}

// "zh-CN" or "en-US" for the first language of an Accept-Language header; empty for others, which
// leaves the library's default.
std::string_view LocaleOf(std::string_view accept_language) {
  while (!accept_language.empty() && accept_language.front() == ' ') accept_language.remove_prefix(1);
  if (StartsWithNoCase(accept_language, "en")) return "en-US";
  if (StartsWithNoCase(accept_language, "zh")) return "zh-CN";
  return {};
}

// The envelope's code: its first member, as the library writes it; the full parse is the
// fallback for any other shape.
int EnvelopeCode(std::string_view envelope) {
  constexpr std::string_view kHead = "{\"code\":";
  if (envelope.substr(0, kHead.size()) == kHead) {
    int code = 0;
    const char* begin = envelope.data() + kHead.size();
    if (std::from_chars(begin, envelope.data() + envelope.size(), code).ec == std::errc()) return code;
  }
  boost::system::error_code ec;
  json::value parsed = json::parse(envelope, ec);
  if (ec || !parsed.is_object()) return 20004;
  const json::value* code = parsed.get_object().if_contains("code");
  return code && code->is_int64() ? static_cast<int>(code->get_int64()) : 20004;
}

int HttpStatusOf(int code) { return code == 200 ? 200 : HttpStatus(static_cast<ErrorCode>(code)); }

// The fields of a 10001 envelope's errors that carry `field_code`.
std::vector<std::string> FieldsWithCode(std::string_view envelope, std::string_view wanted) {
  std::vector<std::string> fields;
  boost::system::error_code ec;
  json::value parsed = json::parse(envelope, ec);
  if (ec || !parsed.is_object()) return fields;
  const json::value* errors = parsed.get_object().if_contains("errors");
  if (errors == nullptr || !errors->is_array()) return fields;
  for (const json::value& error : errors->get_array()) {
    if (!error.is_object()) continue;
    const json::value* field = error.get_object().if_contains("field");
    const json::value* code = error.get_object().if_contains("code");
    if (field && field->is_string() && code && code->is_string() && code->get_string() == wanted) {
      fields.emplace_back(field->get_string());
    }
  }
  return fields;
}

// Calls `invoke(fields)` and, while the method refuses a field that came from the URL (10001
// FIELD_INVALID on it), again with that field's other reading: URLs carry no types. Answers the
// last envelope.
template <class Invoke>
std::string InvokeRetyping(json::object& fields, const std::vector<std::string>& url_fields, Invoke&& invoke) {
  std::string answer = invoke(fields);
  for (int round = 0; round < 2 && EnvelopeCode(answer) == 10001; ++round) {
    bool retyped = false;
    for (const std::string& field : FieldsWithCode(answer, field_code::kInvalid)) {
      if (std::find(url_fields.begin(), url_fields.end(), field) != url_fields.end()) {
        retyped = RetypeUrlField(fields, field) || retyped;
      }
    }
    if (!retyped) break;
    answer = invoke(fields);
  }
  return answer;
}

// What the headers of a raw download say, from the envelope of Portal::OpenDownload.
struct DownloadHead {
  std::string name;
  std::string content_type;
  std::string etag;  // "\"<sha256>\"", or empty when the file has none
  std::int64_t offset = 0;
  std::int64_t length = 0;
  std::int64_t size = 0;
  bool partial = false;  // 206: a Range was honoured, or the request asked for part of the file
};

// The head of a success envelope of OpenDownload (data.file and data.range); nullopt for another shape.
std::optional<DownloadHead> ReadDownloadHead(std::string_view envelope) {
  boost::system::error_code ec;
  const json::value parsed = json::parse(envelope, ec);
  if (ec) return std::nullopt;
  const json::value* file = parsed.is_object() ? parsed.get_object().if_contains("data") : nullptr;
  const json::value* range = file && file->is_object() ? file->get_object().if_contains("range") : nullptr;
  file = file && file->is_object() ? file->get_object().if_contains("file") : nullptr;
  if (file == nullptr || !file->is_object() || range == nullptr || !range->is_object()) return std::nullopt;
  const json::object& f = file->get_object();
  const json::object& r = range->get_object();
  auto text = [](const json::object& object, std::string_view key) {
    const json::value* value = object.if_contains(key);
    return value && value->is_string() ? std::string(value->get_string()) : std::string();
  };
  auto number = [](const json::object& object, std::string_view key) -> std::optional<std::int64_t> {
    const json::value* value = object.if_contains(key);
    return value && value->is_int64() && value->get_int64() >= 0 ? std::optional(value->get_int64()) : std::nullopt;
  };
  const auto offset = number(r, "offset");
  const auto length = number(r, "length");
  const auto size = number(r, "size");
  if (!offset || !length || !size) return std::nullopt;
  DownloadHead head{text(f, "name"), text(f, "content_type"), text(f, "sha256"), *offset, *length, *size, false};
  if (!head.etag.empty()) head.etag = "\"" + head.etag + "\"";
  return head;
}

std::optional<std::int64_t> RetryAfter(std::string_view envelope) {
  boost::system::error_code ec;
  json::value parsed = json::parse(envelope, ec);
  if (ec || !parsed.is_object()) return std::nullopt;
  const json::value* seconds = parsed.get_object().if_contains("retry_after");
  if (seconds == nullptr || !seconds->is_int64()) return std::nullopt;
  return seconds->get_int64();
}

// "sha256 <64 hex digits>" (also "sha256=<hex>"), the Upload-Checksum of a chunk, as the hex digits.
std::optional<std::string> ChunkSha256(std::string_view header) {
  if (!StartsWithNoCase(header, "sha256")) return std::nullopt;
  header.remove_prefix(6);
  while (!header.empty() && (header.front() == ' ' || header.front() == '=')) header.remove_prefix(1);
  if (header.size() != 64 || !std::all_of(header.begin(), header.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); })) {
    return std::nullopt;
  }
  std::string hex(header);
  std::transform(hex.begin(), hex.end(), hex.begin(), [](char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); });
  return hex;
}

// --- The server's shared state -------------------------------------------------------------------

// A live connection, as shutdown sees it.
class Connection {
 public:
  virtual ~Connection() = default;
  // Ends the connection soon: at once when it waits for a request, after the response in flight
  // otherwise; a WebSocket closes with 1001 (going away). Runs on the connection's strand.
  virtual void Shutdown() = 0;
};

struct Server {
  Server(Portal& p, const ServerOptions& o)
      : portal(p),
        options(o),
        router(Portal::Methods()),
        metrics(Portal::Methods()),
        openapi(json::serialize(OpenApiDocument(Portal::Methods(), Version()))),
        workers(static_cast<std::size_t>(o.workers > 0 ? o.workers : 2 * std::max(1u, std::thread::hardware_concurrency()))) {}

  Portal& portal;
  ServerOptions options;
  Router router;
  Metrics metrics;
  std::string openapi;
  std::optional<ssl::context> tls;
  net::thread_pool workers;
  std::atomic<bool> stopping{false};
  std::function<void()> begin_shutdown;  // set by Serve once it listens

  std::mutex connections_mutex;
  std::unordered_map<const Connection*, std::weak_ptr<Connection>> connections;
  // Last, so destroyed first: the handlers it still holds when a grace period ran out destroy
  // their connections, which need everything above.
  net::io_context io;

  void Add(const std::shared_ptr<Connection>& connection) {
    std::lock_guard lock(connections_mutex);
    connections.emplace(connection.get(), connection);
  }
  void Remove(const Connection* connection) {
    std::lock_guard lock(connections_mutex);
    connections.erase(connection);
  }
  std::size_t Live() {
    std::lock_guard lock(connections_mutex);
    return connections.size();
  }
  std::vector<std::shared_ptr<Connection>> Snapshot() {
    std::lock_guard lock(connections_mutex);
    std::vector<std::shared_ptr<Connection>> live;
    for (auto& [key, weak] : connections) {
      if (auto connection = weak.lock()) live.push_back(std::move(connection));
    }
    return live;
  }
};

// --- WebSocket: live ticket status ----------------------------------------------------------------

// Pushes the ticket.status events of the caller's own tickets (Portal::Subscribe with the caller's
// tenant, customer and user) as text frames, after a first {"type": "subscribed"} frame. Each
// event re-checks the access token, so a login that ends (logout, revocation, expiry) closes the
// socket with 1008 (policy violation).
template <class Stream>
class WebSocketSession final : public Connection, public std::enable_shared_from_this<WebSocketSession<Stream>> {
 public:
  WebSocketSession(Server& server, Stream&& stream, RequestContext who, std::string token,
                   std::optional<std::int64_t> ticket_id)
      : server_(server), ws_(std::move(stream)), who_(std::move(who)), token_(std::move(token)), ticket_id_(ticket_id) {
    server_.metrics.WebSocketOpened();
  }

  ~WebSocketSession() override {
    if (subscription_ > 0) static_cast<void>(server_.portal.Unsubscribe(subscription_));
    server_.metrics.WebSocketClosed();
    server_.Remove(this);
  }

  void Run(Request request) {
    server_.Add(this->shared_from_this());
    beast::get_lowest_layer(ws_).expires_never();
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.set_option(websocket::stream_base::decorator([](websocket::response_type& response) {
      response.set(http::field::server, std::string("libselfservice-portal/") + std::string(Version()));
    }));
    ws_.read_message_max(64 * 1024);
    ws_.async_accept(request, beast::bind_front_handler(&WebSocketSession::OnAccept, this->shared_from_this()));
  }

  void Shutdown() override {
    net::dispatch(ws_.get_executor(), [self = this->shared_from_this()] { self->Close(websocket::close_code::going_away); });
  }

 private:
  void OnAccept(beast::error_code ec) {
    if (ec) return;
    json::object topic{{"type", "ticket.status"},
                       {"tenant_id", who_.tenant_id},
                       {"customer_id", who_.customer_id},
                       {"user_id", who_.user_id}};
    if (ticket_id_) topic.emplace("ticket_id", *ticket_id_);
    std::weak_ptr<WebSocketSession> weak = this->shared_from_this();
    auto executor = ws_.get_executor();
    auto subscribed = server_.portal.Subscribe(json::serialize(topic), [weak, executor](std::string_view event) {
      net::post(executor, [weak, text = std::string(event)]() mutable {
        if (auto self = weak.lock()) self->Push(std::move(text));
      });
    });
    if (!subscribed.ok()) {
      Close(websocket::close_code::internal_error);
      return;
    }
    subscription_ = *subscribed;
    Enqueue(json::serialize(json::object{{"type", "subscribed"}, {"topic", topic}}));
    Read();
  }

  // Reads (and drops) what the client sends, so that pings, pongs and its close are answered.
  void Read() {
    ws_.async_read(incoming_, [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;  // closed, or an error: the session ends when the last handler lets go
      self->incoming_.consume(self->incoming_.size());
      self->Read();
    });
  }

  void Push(std::string event) {
    if (closing_) return;
    if (!server_.portal.Authenticate(token_).ok()) {
      Close(websocket::close_code::policy_error);
      return;
    }
    if (queue_.size() >= kWebSocketQueueLimit) {
      Close(websocket::close_code::try_again_later);  // a client that does not read
      return;
    }
    Enqueue(std::move(event));
  }

  void Enqueue(std::string text) {
    queue_.push_back(std::move(text));
    if (queue_.size() == 1) Write();
  }

  void Write() {
    ws_.text(true);
    ws_.async_write(net::buffer(queue_.front()), [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      self->server_.metrics.WebSocketEventSent();
      self->queue_.pop_front();
      if (!self->queue_.empty()) self->Write();
    });
  }

  void Close(websocket::close_code code) {
    if (closing_) return;
    closing_ = true;
    ws_.async_close(code, [self = this->shared_from_this()](beast::error_code) {});
  }

  Server& server_;
  websocket::stream<Stream> ws_;
  RequestContext who_;
  std::string token_;
  std::optional<std::int64_t> ticket_id_;
  std::int64_t subscription_ = 0;
  beast::flat_buffer incoming_;
  std::deque<std::string> queue_;
  bool closing_ = false;
};

// --- HTTP -----------------------------------------------------------------------------------------

// One HTTP connection (plain or TLS: Derived provides stream(), Upgrade() and Finish()).
template <class Derived>
class HttpSession : public Connection {
 public:
  HttpSession(Server& server, std::string client_ip) : server_(server), client_ip_(std::move(client_ip)) {
    server_.metrics.ConnectionOpened();
  }
  ~HttpSession() override {
    server_.metrics.ConnectionClosed();
    server_.Remove(this);
  }

  void Shutdown() override {
    net::dispatch(derived().stream().get_executor(), [self = derived().shared_from_this()] {
      self->shutting_down_ = true;
      if (self->idle_) beast::get_lowest_layer(self->derived().stream()).cancel();
    });
  }

 protected:
  Derived& derived() { return static_cast<Derived&>(*this); }

  void ReadRequest() {
    if (shutting_down_ || server_.stopping) return derived().Finish();
    idle_ = true;
    parser_.emplace();
    parser_->header_limit(kHeaderLimit);
    // Beast compares a Content-Length with the body limit as the header completes, before
    // OnHeader can tell which limit applies: the larger lets every header through, and OnHeader
    // holds the body to its own.
    parser_->body_limit(std::max(server_.options.max_body_bytes, server_.options.max_upload_chunk_bytes));
    beast::get_lowest_layer(derived().stream()).expires_after(server_.options.idle_timeout);
    http::async_read_header(derived().stream(), buffer_, *parser_,
                            beast::bind_front_handler(&HttpSession::OnHeader, derived().shared_from_this()));
  }

  void OnHeader(beast::error_code ec, std::size_t) {
    if (ec) return OnReadError(ec);
    idle_ = false;
    started_ = Clock::now();
    const std::size_t limit = BodyLimit();
    if (const auto length = parser_->content_length(); length && *length > limit) {
      return OnReadError(http::error::body_limit);
    }
    parser_->body_limit(limit);  // a chunked body is held to it as it arrives
    beast::get_lowest_layer(derived().stream()).expires_after(server_.options.request_timeout);
    http::async_read(derived().stream(), buffer_, *parser_,
                     beast::bind_front_handler(&HttpSession::OnRequest, derived().shared_from_this()));
  }

  // The largest body of the request being read: a raw upload chunk has its own limit.
  std::size_t BodyLimit() const {
    const auto& header = parser_->get();
    const bool raw_chunk = header.method() == http::verb::patch &&
                           StartsWithNoCase(header[http::field::content_type], "application/octet-stream");
    return raw_chunk ? server_.options.max_upload_chunk_bytes : server_.options.max_body_bytes;
  }

  void OnReadError(beast::error_code ec) {
    if (ec == http::error::body_limit) {
      keep_alive_ = false;
      return Send(Metrics::kUnmatched, 413,
                  ErrorEnvelope(Status::InvalidField("body", field_code::kTooLong, {{"max", std::to_string(BodyLimit())}}),
                                locale_));
    }
    if (ec == http::error::header_limit || ec == http::error::bad_target || ec == http::error::bad_method ||
        ec == http::error::bad_version || ec == http::error::bad_field || ec == http::error::bad_value) {
      keep_alive_ = false;
      return Send(Metrics::kUnmatched, 400,
                  ErrorEnvelope(Status::InvalidField("request", field_code::kInvalid), locale_));
    }
    derived().Finish();  // end of stream, timeout, reset, cancelled by shutdown
  }

  void OnRequest(beast::error_code ec, std::size_t) {
    if (ec) return OnReadError(ec);
    Request request = parser_->release();
    keep_alive_ = request.keep_alive();
    const std::string_view target = request.target();
    const std::size_t question = target.find('?');
    const std::string_view path = target.substr(0, question);
    const std::string_view query = question == std::string_view::npos ? std::string_view() : target.substr(question + 1);
    const std::string_view locale = LocaleOf(request[http::field::accept_language]);
    locale_ = locale == "en-US" ? Locale::kEnUS : Locale::kZhCN;

    if (websocket::is_upgrade(request)) return OnUpgrade(std::move(request), path, query);
    if (request.method() == http::verb::get && path == "/healthz") return Health();
    if (request.method() == http::verb::get && path == "/metrics") {
      return SendText(Metrics::kUnmatched, 200, server_.metrics.Render(server_.portal.Health()),
                      "text/plain; version=0.0.4; charset=utf-8");
    }
    if (request.method() == http::verb::get && path == kOpenApiPath) {
      return SendText(Metrics::kUnmatched, 200, server_.openapi, "application/json");
    }

    const Router::Lookup lookup = server_.router.Find(request.method_string(), path);
    if (lookup.outcome == Router::Outcome::kNoRoute) {
      return Send(Metrics::kUnmatched, 404, ErrorEnvelope(Status::NotFound("route"), locale_));
    }
    if (lookup.outcome == Router::Outcome::kWrongVerb) {
      allow_ = lookup.allowed_verbs;
      return Send(Metrics::kUnmatched, 405, ErrorEnvelope(Status::NotFound("route"), locale_));
    }
    Call(std::move(request), lookup.match, query, locale);
  }

  // The context_json of a call: the bearer token, where the call comes from, its locale and trace.
  std::string Context(const Request& request, std::string_view locale, std::string_view token) const {
    json::object context;
    if (!token.empty()) context.emplace("access_token", token);
    if (!client_ip_.empty()) context.emplace("client_ip", client_ip_);
    std::string_view agent = request[http::field::user_agent];
    if (!agent.empty()) context.emplace("user_agent", agent.substr(0, 512));
    if (!locale.empty()) context.emplace("locale", locale);
    // An X-Request-Id the library would refuse as a trace id is not passed on: the call draws its own.
    if (std::string_view trace = request["X-Request-Id"]; IsTraceId(trace)) context.emplace("trace_id", trace);
    return json::serialize(context);
  }

  void Call(Request request, const RouteMatch& match, std::string_view query, std::string_view locale) {
    const MethodInfo& method = server_.router.method(match.method_index);
    std::string context = Context(request, locale, BearerToken(request[http::field::authorization]));

    // The binary form of tickets.attachments.append: the raw chunk at Upload-Offset.
    if (method.name == "tickets.attachments.append" &&
        StartsWithNoCase(request[http::field::content_type], "application/octet-stream")) {
      return UploadChunk(std::move(request), match, std::move(context));
    }

    json::object fields;
    if (!request.body().empty()) {
      boost::system::error_code ec;
      json::value body = json::parse(request.body(), ec);
      if (ec || !body.is_object()) {
        return Send(match.method_index, 400, ErrorEnvelope(Status::InvalidField("body", field_code::kInvalid), locale_));
      }
      fields = std::move(body.get_object());
    }
    std::vector<std::string> url_fields;
    if (auto bad = AddQueryFields(query, fields, url_fields)) {
      return Send(match.method_index, 400, ErrorEnvelope(Status::InvalidField(*bad, field_code::kInvalid), locale_));
    }
    for (const auto& [name, text] : match.parameters) {
      fields[name] = GuessType(text);
      url_fields.push_back(name);
    }
    // A path names a file of the server's host: never from a remote caller.
    if (method.name == "knowledge.import" && fields.contains("path")) {
      return Send(match.method_index, 403,
                  ErrorEnvelope(Status::PermissionDenied("knowledge.import path over HTTP"), locale_));
    }
    // The binary form of the download methods: the file's bytes, streamed.
    if (method.binary == "download" && AcceptsOctetStream(request[http::field::accept])) {
      return OpenDownload(request, match.method_index, std::move(context), std::move(fields), std::move(url_fields));
    }

    auto work = [self = derived().shared_from_this(), index = match.method_index, context = std::move(context),
                 fields = std::move(fields), url_fields = std::move(url_fields)]() mutable {
      const std::string_view name = self->server_.router.method(index).name;
      std::string answer = InvokeRetyping(fields, url_fields, [&](const json::object& request_fields) {
        return self->server_.portal.Invoke(name, context, json::serialize(request_fields));
      });
      self->Answer(index, std::move(answer));
    };
    if (method.rate_class == "read" || method.rate_class == "search") {
      work();
    } else {
      net::post(server_.workers, std::move(work));  // Answer writes on the connection's strand
    }
  }

  // --- Raw downloads (docs/SERVER.md, "Downloads") ---

  // Opens the download on the worker pool (it reads the database), with the offset and length of
  // a Range header the server honours; If-Range that does not name the file's current ETag (or
  // names a date: the server sends no Last-Modified) turns the range into the whole file.
  void OpenDownload(const Request& request, std::size_t index, std::string context, json::object fields,
                    std::vector<std::string> url_fields) {
    const std::optional<ByteRange> range = ParseByteRange(request[http::field::range]);
    if (range) {
      fields["offset"] = range->first;
      fields.erase("length");
      // A last byte beyond any file (bytes=0-9223372036854775807) cannot be a length: to the end.
      if (range->last && *range->last - range->first < std::numeric_limits<std::int64_t>::max()) {
        fields["length"] = *range->last - range->first + 1;
      }
    }
    net::post(server_.workers, [self = derived().shared_from_this(), index, context = std::move(context),
                                fields = std::move(fields), url_fields = std::move(url_fields), ranged = range.has_value(),
                                if_range = std::string(request[http::field::if_range])]() mutable {
      const std::string_view name = self->server_.router.method(index).name;
      std::unique_ptr<Download> download;
      auto open = [&](const json::object& request_fields) {
        return self->server_.portal.OpenDownload(name, context, json::serialize(request_fields), download);
      };
      // The library refuses an offset past the file's last byte; from a Range header that is 416.
      auto unsatisfiable = [&ranged](std::string_view envelope) {
        const auto fields_out_of_range = FieldsWithCode(envelope, field_code::kOutOfRange);
        return ranged && EnvelopeCode(envelope) == 10001 &&
               std::find(fields_out_of_range.begin(), fields_out_of_range.end(), "offset") != fields_out_of_range.end();
      };
      std::string answer = InvokeRetyping(fields, url_fields, open);
      std::optional<DownloadHead> head = download ? ReadDownloadHead(answer) : std::nullopt;
      // A range of another version of the file is the whole file (RFC 9110 section 13.2.2). A
      // range past the end stays 416 whatever If-Range says: the ETag is known only from an
      // open, and opening a document at 0 would count a download nobody receives.
      if (head && ranged && !if_range.empty() && if_range != head->etag) {
        fields.erase("offset");
        fields.erase("length");
        ranged = false;
        answer = InvokeRetyping(fields, url_fields, open);
        head = download ? ReadDownloadHead(answer) : std::nullopt;
      }
      if (!download) {
        return self->Answer(index, std::move(answer), unsatisfiable(answer) ? std::optional<int>(416) : std::nullopt);
      }
      if (!head) {
        return self->Answer(index, download->ErrorEnvelope(Status::Error(ErrorCode::kUploadFailed, "download envelope")));
      }
      // The first chunk is read before the headers go out, so that a file that cannot be read
      // at all is still answered with its error envelope.
      std::vector<char> buffer(kDownloadChunkBytes);
      Result<std::size_t> first = download->Read(buffer.data(), buffer.size());
      if (!first.ok()) return self->Answer(index, download->ErrorEnvelope(first.status()));
      head->partial = ranged || head->offset != 0 || head->length != head->size;
      net::dispatch(self->derived().stream().get_executor(),
                    [self, index, head = std::move(*head), download = std::move(download), buffer = std::move(buffer),
                     first = *first]() mutable {
                      self->StartDownload(index, head, std::move(download), std::move(buffer), first);
                    });
    });
  }

  // Sends the headers of a download, then its body chunk by chunk (`buffer` holds the first
  // `first_bytes`): each chunk is read on the worker pool and written on the strand, so a file is
  // never held in memory and file I/O never blocks an I/O thread.
  void StartDownload(std::size_t index, const DownloadHead& head, std::unique_ptr<Download> download,
                     std::vector<char> buffer, std::size_t first_bytes) {
    const int status = head.partial ? 206 : 200;
    server_.metrics.RecordRequest(index, status, std::chrono::duration<double>(Clock::now() - started_).count());
    download_ = std::move(download);
    download_buffer_ = std::move(buffer);
    download_method_ = index;
    download_response_.emplace();
    DownloadResponse& response = *download_response_;
    response.version(11);
    response.result(static_cast<unsigned>(status));
    response.set(http::field::server, std::string("libselfservice-portal/") + std::string(Version()));
    response.set(http::field::content_type, head.content_type.empty() ? "application/octet-stream" : head.content_type);
    response.set(http::field::cache_control, "no-store");
    response.set(http::field::accept_ranges, "bytes");
    if (!head.etag.empty()) response.set(http::field::etag, head.etag);
    response.set(http::field::content_disposition, ContentDisposition(head.name));
    response.set("X-Content-Type-Options", "nosniff");
    if (head.partial) {
      response.set(http::field::content_range, "bytes " + std::to_string(head.offset) + "-" +
                                                   std::to_string(head.offset + head.length - 1) + "/" +
                                                   std::to_string(head.size));
    }
    response.content_length(static_cast<std::uint64_t>(head.length));
    response.keep_alive(keep_alive_ && !shutting_down_ && !server_.stopping);
    SetChunk(first_bytes);
    first_chunk_pending_ = true;
    download_serializer_.emplace(response);
    beast::get_lowest_layer(derived().stream()).expires_after(server_.options.request_timeout);
    http::async_write_header(derived().stream(), *download_serializer_,
                             beast::bind_front_handler(&HttpSession::OnDownloadWrite, derived().shared_from_this()));
  }

  // Points the body at the `bytes` of the buffer just read; no bytes is the end of the file.
  void SetChunk(std::size_t bytes) {
    auto& body = download_response_->body();
    body.data = bytes > 0 ? download_buffer_.data() : nullptr;
    body.size = bytes;
    body.more = bytes > 0 && download_->position() < download_->length();
  }

  // Writes the chunk SetChunk set. A chunk with more to come completes with need_buffer.
  void WriteChunk() {
    beast::get_lowest_layer(derived().stream()).expires_after(server_.options.request_timeout);
    http::async_write(derived().stream(), *download_serializer_,
                      beast::bind_front_handler(&HttpSession::OnDownloadWrite, derived().shared_from_this()));
  }

  // After the headers or a chunk went out: the end, or the next chunk (the first one is read
  // already when only the headers went out).
  void OnDownloadWrite(beast::error_code ec, std::size_t) {
    if (ec && ec != http::error::need_buffer) return EndDownload(false);  // the client left, or a timeout
    if (download_serializer_->is_done()) return EndDownload(true);
    if (std::exchange(first_chunk_pending_, false)) return WriteChunk();
    ReadChunk();
  }

  void ReadChunk() {
    net::post(server_.workers, [self = derived().shared_from_this()] {
      Result<std::size_t> read = self->download_->Read(self->download_buffer_.data(), self->download_buffer_.size());
      net::dispatch(self->derived().stream().get_executor(), [self, read = std::move(read)]() mutable {
        if (!read.ok()) {
          // The headers are gone: all that is left is to cut the body short, which the client sees.
          std::cerr << "portal_server: " << self->server_.router.method(self->download_method_).name
                    << ": download cut after " << self->download_->position() << " of " << self->download_->length()
                    << " bytes: error " << static_cast<int>(read.status().code()) << "\n";
          return self->EndDownload(false);
        }
        self->SetChunk(*read);
        self->WriteChunk();
      });
    });
  }

  // Ends a download: the connection goes on as after any answer when the body went out whole,
  // and is closed otherwise.
  void EndDownload(bool whole) {
    const bool keep_alive = whole && download_response_->keep_alive();
    download_serializer_.reset();
    download_response_.reset();
    download_.reset();
    std::vector<char>().swap(download_buffer_);
    if (!keep_alive) return derived().Finish();
    ReadRequest();
  }

  void UploadChunk(Request request, const RouteMatch& match, std::string context) {
    std::optional<std::int64_t> offset;
    if (std::string_view header = request["Upload-Offset"]; !header.empty()) {
      std::int64_t value = -1;
      if (std::from_chars(header.data(), header.data() + header.size(), value).ec == std::errc() && value >= 0) {
        offset = value;
      }
    }
    if (!offset) {
      return Send(match.method_index, 400,
                  ErrorEnvelope(Status::InvalidField("offset", request["Upload-Offset"].empty() ? field_code::kRequired
                                                                                               : field_code::kInvalid),
                                locale_));
    }
    std::optional<std::string> sha256;
    if (std::string_view header = request["Upload-Checksum"]; !header.empty()) {
      sha256 = ChunkSha256(header);
      if (!sha256) {
        return Send(match.method_index, 400,
                    ErrorEnvelope(Status::InvalidField("chunk_sha256", field_code::kInvalid), locale_));
      }
    }
    std::string upload_id;
    for (const auto& [name, value] : match.parameters) {
      if (name == "upload_id") upload_id = value;
    }
    net::post(server_.workers, [self = derived().shared_from_this(), index = match.method_index,
                                request = std::move(request), context = std::move(context), upload_id = std::move(upload_id),
                                offset = *offset, sha256 = std::move(sha256)]() mutable {
      std::string answer = self->server_.portal.UploadChunk(context, upload_id, offset, request.body(),
                                                            sha256 ? std::optional<std::string_view>(*sha256) : std::nullopt);
      self->Answer(index, std::move(answer));
    });
  }

  // Sends a call's envelope with the HTTP status of its code (or `status`); safe from any thread.
  void Answer(std::size_t index, std::string envelope, std::optional<int> status = std::nullopt) {
    net::dispatch(derived().stream().get_executor(), [self = derived().shared_from_this(), index, status,
                                                       envelope = std::move(envelope)]() mutable {
      const int code = EnvelopeCode(envelope);
      if (code == 10005) self->retry_after_ = RetryAfter(envelope);
      if (code == 10002) self->challenge_ = true;
      self->Send(index, status.value_or(HttpStatusOf(code)), std::move(envelope));
    });
  }

  void Health() {
    const PortalHealth health = server_.portal.Health();
    SendText(Metrics::kUnmatched, health.database_ok ? 200 : 503, json::serialize(HealthJson(health)),
             "application/json");
  }

  void OnUpgrade(Request request, std::string_view path, std::string_view query) {
    if (path != kWebSocketPath) {
      return Send(Metrics::kUnmatched, 404, ErrorEnvelope(Status::NotFound("route"), locale_));
    }
    json::object fields;
    std::vector<std::string> url_fields;
    AddQueryFields(query, fields, url_fields);
    std::string token(BearerToken(request[http::field::authorization]));
    if (const json::value* value = fields.if_contains("access_token"); token.empty() && value && value->is_string()) {
      token = std::string(value->get_string());
    }
    std::optional<std::int64_t> ticket_id;
    if (const json::value* value = fields.if_contains("ticket_id"); value != nullptr) {
      if (!value->is_int64() || value->get_int64() <= 0) {
        return Send(Metrics::kUnmatched, 400, ErrorEnvelope(Status::InvalidField("ticket_id", field_code::kInvalid), locale_));
      }
      ticket_id = value->get_int64();
    }
    auto who = server_.portal.Authenticate(token);
    if (!who.ok()) {
      challenge_ = true;
      return Send(Metrics::kUnmatched, 401, ErrorEnvelope(who.status(), locale_));
    }
    server_.metrics.RecordRequest(Metrics::kUnmatched, 101, std::chrono::duration<double>(Clock::now() - started_).count());
    derived().Upgrade(std::move(request), std::move(who).value(), std::move(token), ticket_id);
  }

  void SendText(std::size_t index, int status, std::string body, std::string_view content_type) {
    content_type_ = content_type;
    Send(index, status, std::move(body));
  }

  void Send(std::size_t index, int status, std::string body) {
    server_.metrics.RecordRequest(index, status, std::chrono::duration<double>(Clock::now() - started_).count());
    response_.emplace();
    Response& response = *response_;
    response.version(11);
    response.result(static_cast<unsigned>(status));
    response.set(http::field::server, std::string("libselfservice-portal/") + std::string(Version()));
    response.set(http::field::content_type, content_type_.empty() ? "application/json; charset=utf-8" : content_type_);
    response.set(http::field::cache_control, "no-store");
    if (retry_after_) response.set(http::field::retry_after, std::to_string(*retry_after_));
    if (challenge_) response.set(http::field::www_authenticate, "Bearer");
    if (!allow_.empty()) response.set(http::field::allow, allow_);
    response.keep_alive(keep_alive_ && !shutting_down_ && !server_.stopping);
    response.body() = std::move(body);
    response.prepare_payload();
    content_type_.clear();
    retry_after_.reset();
    challenge_ = false;
    allow_.clear();
    beast::get_lowest_layer(derived().stream()).expires_after(server_.options.request_timeout);
    http::async_write(derived().stream(), response,
                      beast::bind_front_handler(&HttpSession::OnWrite, derived().shared_from_this()));
  }

  void OnWrite(beast::error_code ec, std::size_t) {
    const bool keep_alive = response_ && response_->keep_alive();
    response_.reset();
    if (ec || !keep_alive) return derived().Finish();
    ReadRequest();
  }

  Server& server_;
  std::string client_ip_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::optional<Response> response_;
  Clock::time_point started_ = Clock::now();
  Locale locale_ = Locale::kZhCN;
  bool keep_alive_ = true;
  bool idle_ = true;
  bool shutting_down_ = false;
  // Headers of the response being built.
  std::string content_type_;
  std::optional<std::int64_t> retry_after_;
  bool challenge_ = false;
  std::string allow_;
  // The download being streamed (docs/SERVER.md, "Downloads"); the serializer refers to the response.
  std::unique_ptr<Download> download_;
  std::vector<char> download_buffer_;
  std::size_t download_method_ = 0;
  bool first_chunk_pending_ = false;  // the headers are being written, the first chunk not yet
  std::optional<DownloadResponse> download_response_;
  std::optional<http::response_serializer<http::buffer_body>> download_serializer_;
};

class PlainSession final : public HttpSession<PlainSession>, public std::enable_shared_from_this<PlainSession> {
 public:
  PlainSession(Server& server, tcp::socket&& socket, std::string client_ip)
      : HttpSession(server, std::move(client_ip)), stream_(std::move(socket)) {}

  beast::tcp_stream& stream() { return stream_; }

  void Run() {
    server_.Add(shared_from_this());
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->ReadRequest(); });
  }

  void Upgrade(Request request, RequestContext who, std::string token, std::optional<std::int64_t> ticket_id) {
    std::make_shared<WebSocketSession<beast::tcp_stream>>(server_, std::move(stream_), std::move(who),
                                                          std::move(token), ticket_id)
        ->Run(std::move(request));
  }

  void Finish() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
  }

 private:
  beast::tcp_stream stream_;
};

class TlsSession final : public HttpSession<TlsSession>, public std::enable_shared_from_this<TlsSession> {
 public:
  TlsSession(Server& server, tcp::socket&& socket, ssl::context& tls, std::string client_ip)
      : HttpSession(server, std::move(client_ip)), stream_(std::move(socket), tls) {}

  beast::ssl_stream<beast::tcp_stream>& stream() { return stream_; }

  void Run() {
    server_.Add(shared_from_this());
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] {
      beast::get_lowest_layer(self->stream_).expires_after(self->server_.options.request_timeout);
      self->stream_.async_handshake(ssl::stream_base::server, [self](beast::error_code ec) {
        if (!ec) self->ReadRequest();
      });
    });
  }

  void Upgrade(Request request, RequestContext who, std::string token, std::optional<std::int64_t> ticket_id) {
    std::make_shared<WebSocketSession<beast::ssl_stream<beast::tcp_stream>>>(server_, std::move(stream_), std::move(who),
                                                                             std::move(token), ticket_id)
        ->Run(std::move(request));
  }

  void Finish() {
    beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(5));
    stream_.async_shutdown([self = shared_from_this()](beast::error_code) {});
  }

 private:
  beast::ssl_stream<beast::tcp_stream> stream_;
};

// --- Listening and shutting down ------------------------------------------------------------------

class Listener : public std::enable_shared_from_this<Listener> {
 public:
  Listener(Server& server, tcp::acceptor acceptor) : server_(server), acceptor_(std::move(acceptor)) {}

  void Accept() {
    acceptor_.async_accept(net::make_strand(server_.io), beast::bind_front_handler(&Listener::OnAccept, shared_from_this()));
  }

  void Close() {
    net::dispatch(acceptor_.get_executor(), [self = shared_from_this()] {
      beast::error_code ignored;
      self->acceptor_.close(ignored);
    });
  }

 private:
  void OnAccept(beast::error_code ec, tcp::socket socket) {
    if (ec == net::error::operation_aborted || !acceptor_.is_open()) return;
    if (!ec) Start(std::move(socket));
    // Takes the rest of the backlog now: one accept per trip through the handler queue would let
    // a busy server leave new connections waiting for seconds, their requests already sent.
    // Bounded, so that a flood of connections cannot starve the requests of open ones.
    for (int i = 0; i < 256 && acceptor_.is_open(); ++i) {
      tcp::socket next(net::make_strand(server_.io));
      beast::error_code error;
      acceptor_.accept(next, error);  // the acceptor is non-blocking: would_block ends the backlog
      if (error) break;
      Start(std::move(next));
    }
    Accept();  // an error of one accept (too many open files) must not stop the listener
  }

  void Start(tcp::socket socket) {
    beast::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    const auto remote = socket.remote_endpoint(ignored);
    std::string client_ip = ignored ? std::string() : remote.address().to_string();
    if (server_.tls) {
      std::make_shared<TlsSession>(server_, std::move(socket), *server_.tls, std::move(client_ip))->Run();
    } else {
      std::make_shared<PlainSession>(server_, std::move(socket), std::move(client_ip))->Run();
    }
  }

  Server& server_;
  tcp::acceptor acceptor_;
};

// The server Stop() stops; the mutex keeps it alive while Stop posts to it.
std::mutex running_mutex;
Server* running_server = nullptr;

// Stops the io_context once no connection is left or the grace period is over, checking every
// 20 ms. Only its pending wait owns it, so it is freed with the last one (or with the io_context).
class DrainWatch : public std::enable_shared_from_this<DrainWatch> {
 public:
  explicit DrainWatch(Server& server)
      : server_(server), timer_(server.io), deadline_(Clock::now() + server.options.shutdown_grace) {}

  void Check() {
    if (server_.Live() == 0 || Clock::now() >= deadline_) {
      server_.io.stop();
      return;
    }
    timer_.expires_after(std::chrono::milliseconds(20));
    timer_.async_wait([self = shared_from_this()](beast::error_code) { self->Check(); });
  }

 private:
  Server& server_;
  net::steady_timer timer_;
  Clock::time_point deadline_;
};

void BeginShutdown(Server& server, Listener& listener) {
  if (server.stopping.exchange(true)) return;
  listener.Close();
  for (const auto& connection : server.Snapshot()) connection->Shutdown();
  std::make_shared<DrainWatch>(server)->Check();
}

std::optional<std::string> LoadTls(Server& server) {
  const ServerOptions& options = server.options;
  if (options.tls_certificate_file.empty() && options.tls_private_key_file.empty()) return std::nullopt;
  if (options.tls_certificate_file.empty() || options.tls_private_key_file.empty()) {
    return "TLS needs both a certificate and a private key";
  }
  server.tls.emplace(ssl::context::tls_server);
  ssl::context& tls = *server.tls;
  tls.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                  ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 | ssl::context::single_dh_use);
  SSL_CTX_set_min_proto_version(tls.native_handle(), TLS1_2_VERSION);
  beast::error_code ec;
  tls.use_certificate_chain_file(options.tls_certificate_file, ec);
  if (ec) return "cannot load the TLS certificate " + options.tls_certificate_file + ": " + ec.message();
  tls.use_private_key_file(options.tls_private_key_file, ssl::context::pem, ec);
  if (ec) return "cannot load the TLS private key " + options.tls_private_key_file + ": " + ec.message();
  return std::nullopt;
}

}  // namespace

PortalOptions ServingOptions(PortalOptions options) {
  options.trust_host_context = false;
  if (!options.rate_limits) options.rate_limits = RateLimitOptions{};
  // One commit per 50 ms for the events searches record, instead of one per search: the write lock
  // of SQLite is what bounds search.query under load (docs/PERFORMANCE.md).
  if (!options.analytics_write_behind_ms) options.analytics_write_behind_ms = 50;
  return options;
}

int Serve(Portal& portal, const ServerOptions& options) {
  Server server(portal, options);
  if (auto problem = LoadTls(server)) {
    std::cerr << "portal_server: " << *problem << "\n";
    return 1;
  }
  beast::error_code ec;
  const auto address = net::ip::make_address(options.address, ec);
  if (ec) {
    std::cerr << "portal_server: bad address " << options.address << ": " << ec.message() << "\n";
    return 1;
  }
  tcp::acceptor acceptor(net::make_strand(server.io));
  const tcp::endpoint endpoint(address, options.port);
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (!ec) acceptor.non_blocking(true, ec);
  if (ec) {
    std::cerr << "portal_server: cannot listen on " << options.address << ":" << options.port << ": " << ec.message()
              << "\n";
    return 1;
  }
  const std::uint16_t port = acceptor.local_endpoint().port();
  auto listener = std::make_shared<Listener>(server, std::move(acceptor));
  listener->Accept();

  net::signal_set signals(server.io, SIGINT, SIGTERM);
  server.begin_shutdown = [&server, &signals, listener] {
    beast::error_code ignored;
    signals.cancel(ignored);
    BeginShutdown(server, *listener);
  };
  signals.async_wait([&server](beast::error_code error, int) {
    if (!error) server.begin_shutdown();
  });
  {
    std::lock_guard lock(running_mutex);
    running_server = &server;
  }
  if (options.on_listening) options.on_listening(port);

  const int threads = options.threads > 0 ? options.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  std::vector<std::thread> pool;
  for (int i = 1; i < threads; ++i) pool.emplace_back([&server] { server.io.run(); });
  server.io.run();
  for (auto& thread : pool) thread.join();
  {
    std::lock_guard lock(running_mutex);
    running_server = nullptr;
  }
  server.begin_shutdown = nullptr;  // lets go of the listener before the io_context goes
  server.workers.join();
  return 0;
}

void Stop() {
  std::lock_guard lock(running_mutex);
  if (running_server != nullptr) net::post(running_server->io, running_server->begin_shutdown);
}

}  // namespace selfservice::server

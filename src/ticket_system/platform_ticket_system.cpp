// The REQ-003 adapter of the TicketSystem port: HTTP calls through net::HttpClient, the unified
// envelope of spec 4.2, every failure of the ticket service mapped to 20004 (ticket_system.hpp).

#include <algorithm>
#include <string>
#include <utility>
#include <variant>

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "net/endpoint.hpp"
#include "net/http_client.hpp"
#include "selfservice/ticket_system.hpp"
#include "ticket_system/ticket_json.hpp"

namespace selfservice {
namespace {

namespace json = boost::json;

constexpr ErrorCode kFailure = ErrorCode::kDatabaseUnavailable;
constexpr int kMaxChangesPerCall = 1000;
constexpr std::string_view kApiPath = "/api/v1/tickets";

Status Unavailable(std::string_view what, std::string detail, bool retryable) {
  return Status::Error(kFailure, "req-003 " + std::string(what) + ": " + std::move(detail), retryable);
}

// The envelope's message, when the body is one.
std::string EnvelopeMessage(const json::value& body) {
  const json::object* root = body.if_object();
  const json::value* message = root ? root->if_contains("message") : nullptr;
  return message && message->is_string() ? net::ClipForDetail(std::string(message->get_string()))
                                         : std::string();
}

// A non-2xx answer: retryable for 408, 429 and 5xx, not for the rest (401/403: the service refuses
// our token; 400: it rejects our request). A 404 is 10004 when `missing_is_not_found`.
Status ErrorFromResponse(std::string_view what, const net::HttpResponse& response,
                         bool missing_is_not_found) {
  const int code = response.status;
  std::string detail = "HTTP " + std::to_string(code);
  if (code == 404 && missing_is_not_found)
    return Status::NotFound("req-003 " + std::string(what) + ": " + detail);
  if (code == 401 || code == 403) {
    detail += " (the service refuses our token)";
  } else {
    boost::system::error_code ec;
    const json::value body = json::parse(response.body, ec);
    if (!ec) {
      if (std::string message = EnvelopeMessage(body); !message.empty()) detail += " " + message;
    }
  }
  return Unavailable(what, std::move(detail), code == 408 || code == 429 || code >= 500);
}

// The `data` of a 2xx answer in the unified envelope {code, message, data, pagination}, with the
// pagination's `pages` when given. An envelope code other than 200 is the service's failure.
struct Envelope {
  json::value data;
  std::optional<std::int64_t> pages;
};

Result<Envelope> ParseEnvelope(std::string_view what, std::string_view body) {
  boost::system::error_code ec;
  json::value parsed = json::parse(body, ec);
  if (ec) return Unavailable(what, "the answer is not JSON", true);
  json::object* root = parsed.if_object();
  if (root == nullptr) return Unavailable(what, "the answer is not an object", true);
  if (const json::value* code = root->if_contains("code")) {
    if (!code->is_int64()) return Unavailable(what, "the envelope's code is not a number", true);
    const std::int64_t number = code->get_int64();
    if (number != 200 && number != 201) {
      const std::string detail = "code " + std::to_string(number) + " " + EnvelopeMessage(parsed);
      if (number == 10004) return Status::NotFound("req-003 " + std::string(what) + ": " + detail);
      return Unavailable(what, detail, number == 10005 || number >= 20000);
    }
  }
  Envelope envelope;
  if (json::value* data = root->if_contains("data")) envelope.data = std::move(*data);
  if (const json::value* pagination = root->if_contains("pagination");
      pagination && pagination->is_object()) {
    const json::value* pages = pagination->get_object().if_contains("pages");
    if (pages && pages->is_int64()) envelope.pages = pages->get_int64();
  }
  return envelope;
}

const json::array* Items(const json::value& data) {
  if (const json::array* list = data.if_array()) return list;
  if (const json::object* object = data.if_object()) {
    if (const json::value* items = object->if_contains("items")) return items->if_array();
  }
  return nullptr;
}

// The id of the ticket a creation answered: data.id, data.ticket_id or data.external_id.
std::optional<std::string> CreatedId(const json::value& data) {
  const json::object* object = data.if_object();
  if (object == nullptr) return std::nullopt;
  for (std::string_view key : {"id", "ticket_id", "external_id"}) {
    if (auto id = ticket_system::ReadId(object->if_contains(key))) return id;
  }
  return std::nullopt;
}

json::value Contact(const std::optional<std::string>& email, const std::optional<std::string>& phone) {
  json::object contact;
  contact["email"] = email ? json::value(*email) : json::value(nullptr);
  contact["phone"] = phone ? json::value(*phone) : json::value(nullptr);
  return contact;
}

class PlatformTicketSystem final : public TicketSystem {
 public:
  explicit PlatformTicketSystem(PlatformTicketOptions options)
      : options_(std::move(options)), client_(ClientOptions(options_)) {
    while (options_.base_url.ends_with('/')) options_.base_url.pop_back();
  }

  std::string_view name() const override { return ticket_system::kSourceName; }

  Result<std::string> CreateTicket(const Scope& scope, const RemoteTicketDraft& ticket,
                                   std::string_view idempotency_key) override {
    try {
      json::object body;
      body["source"] = "customer_portal";
      body["source_ticket_id"] = ticket.local_id;
      body["customer_id"] = ticket.customer_id;
      body["user_id"] = ticket.user_id;
      body["title"] = ticket.title;
      body["description"] = ticket.description;
      body["category"] = ticket.category ? json::value(*ticket.category) : json::value(nullptr);
      body["priority"] = ticket.priority;
      body["contact"] = Contact(ticket.contact_email, ticket.contact_phone);
      net::HttpRequest request = Request(scope, "POST", "", idempotency_key);
      request.body = json::serialize(body);
      Result<net::HttpResponse> response = client_.Send(request);
      if (!response.ok()) return Prefixed("create", response.status());
      // 409: the key was seen before; the service names the ticket it created then.
      const bool replay = response->status == 409;
      if (!replay && !net::IsSuccessStatus(response->status)) {
        return Scrub(ErrorFromResponse("create", *response, false));
      }
      if (replay) {
        boost::system::error_code ec;
        const json::value parsed = json::parse(response->body, ec);
        const json::object* root = ec ? nullptr : parsed.if_object();
        const json::value* data = root ? root->if_contains("data") : nullptr;
        if (auto id = data ? CreatedId(*data) : std::nullopt) return std::move(*id);
        return Scrub(ErrorFromResponse("create", *response, false));
      }
      Result<Envelope> envelope = ParseEnvelope("create", response->body);
      if (!envelope.ok()) return Scrub(envelope.status());
      if (auto id = CreatedId(envelope->data)) return std::move(*id);
      return Unavailable("create", "data holds no ticket id", true);
    } catch (...) {
      return Unavailable("create", "internal error", true);
    }
  }

  Status UpdateTicket(const Scope& scope, std::string_view external_id, const RemoteTicketChanges& changes,
                      std::string_view idempotency_key) override {
    if (external_id.empty()) return Status::InvalidField("external_id", field_code::kRequired);
    try {
      json::object body;
      if (changes.comment) body["comment"] = *changes.comment;
      if (changes.priority) body["priority"] = *changes.priority;
      if (changes.contact) body["contact"] = Contact(changes.contact->email, changes.contact->phone);
      if (changes.status) body["status"] = EnumName(*changes.status);
      net::HttpRequest request = Request(scope, "PUT", "/" + net::PercentEncode(external_id), idempotency_key);
      request.body = json::serialize(body);
      Result<net::HttpResponse> response = client_.Send(request);
      if (!response.ok()) return Prefixed("update", response.status());
      if (response->status == 409) return Status::Ok();  // the same key applied before
      if (!net::IsSuccessStatus(response->status)) return Scrub(ErrorFromResponse("update", *response, true));
      if (response->body.find_first_not_of(" \t\r\n") == std::string::npos) return Status::Ok();
      return Scrub(ParseEnvelope("update", response->body).status());
    } catch (...) {
      return Unavailable("update", "internal error", true);
    }
  }

  Result<RemoteTicketBatch> Changes(const Scope& scope, std::optional<std::string> cursor,
                                    int limit) override {
    if (limit < 1 || limit > kMaxChangesPerCall)
      return Status::Invalid({net::OutOfRange("limit", 1, kMaxChangesPerCall)});
    try {
      std::string query = "?sort=updated_at&order=asc&page=1&size=" + std::to_string(limit);
      if (cursor && !cursor->empty()) query += "&updated_since=" + net::PercentEncode(*cursor);
      Result<Envelope> envelope = Get(scope, "changes", query, false);
      if (!envelope.ok()) return envelope.status();
      const json::array* items = Items(envelope->data);
      if (items == nullptr) return Unavailable("changes", "data holds no item list", true);
      RemoteTicketBatch batch;
      std::optional<Timestamp> newest;
      for (const json::value& value : *items) {
        auto parsed = ticket_system::ParseTicketState(value);
        if (auto* state = std::get_if<RemoteTicketState>(&parsed)) {
          if (!newest || *newest < state->updated_at) newest = state->updated_at;
          batch.tickets.push_back(std::move(*state));
        } else {
          batch.errors.push_back(std::get<RemoteTicketError>(std::move(parsed)));
        }
      }
      std::stable_sort(
          batch.tickets.begin(), batch.tickets.end(),
          [](const RemoteTicketState& a, const RemoteTicketState& b) { return a.updated_at < b.updated_at; });
      batch.next_cursor = newest ? FormatTimestamp(*newest) : cursor.value_or("");
      // A full page whose newest change moved the cursor may continue; one that did not move it
      // would only be fetched again.
      const bool moved = newest && (!cursor || cursor->empty() || FormatTimestamp(*newest) != *cursor);
      batch.more = moved && (envelope->pages ? *envelope->pages > 1
                                             : items->size() >= static_cast<std::size_t>(limit));
      return batch;
    } catch (...) {
      return Unavailable("changes", "internal error", true);
    }
  }

  Result<std::vector<RemoteTicketEvent>> History(const Scope& scope, std::string_view external_id) override {
    if (external_id.empty()) return Status::InvalidField("external_id", field_code::kRequired);
    try {
      Result<Envelope> envelope = Get(scope, "history", "/history?ticket_id=" + net::PercentEncode(external_id), true);
      if (!envelope.ok()) return envelope.status();
      const json::array* items = Items(envelope->data);
      if (items == nullptr) return Unavailable("history", "data holds no item list", true);
      std::vector<RemoteTicketEvent> events;
      for (const json::value& value : *items) {
        if (auto event = ticket_system::ParseTicketEvent(value)) events.push_back(std::move(*event));
      }
      return events;
    } catch (...) {
      return Unavailable("history", "internal error", true);
    }
  }

 private:
  static net::HttpClientOptions ClientOptions(const PlatformTicketOptions& options) {
    net::HttpClientOptions client;
    client.timeout_ms = options.timeout_ms;
    client.connect_timeout_ms = options.connect_timeout_ms;
    client.ca_file = options.ca_file;
    client.failure_code = kFailure;
    return client;
  }

  net::HttpRequest Request(const Scope& scope, std::string method, std::string_view path,
                           std::string_view idempotency_key = {}) const {
    net::HttpRequest request;
    request.method = std::move(method);
    request.url = options_.base_url + std::string(kApiPath) + std::string(path);
    request.headers.push_back("X-Tenant-Id: " + std::to_string(scope.tenant_id()));
    if (!options_.api_token.empty()) request.headers.push_back("Authorization: Bearer " + options_.api_token);
    if (!idempotency_key.empty())
      request.headers.push_back("Idempotency-Key: " + std::string(idempotency_key));
    return request;
  }

  Result<Envelope> Get(const Scope& scope, std::string_view what, std::string_view path,
                       bool missing_is_not_found) const {
    Result<net::HttpResponse> response = client_.Send(Request(scope, "GET", path));
    if (!response.ok()) return Prefixed(what, response.status());
    if (!net::IsSuccessStatus(response->status))
      return Scrub(ErrorFromResponse(what, *response, missing_is_not_found));
    Result<Envelope> envelope = ParseEnvelope(what, response->body);
    if (!envelope.ok()) return Scrub(envelope.status());
    return envelope;
  }

  Status Prefixed(std::string_view what, const Status& status) const {
    return Scrub(Status::Error(status.code(), "req-003 " + std::string(what) + ": " + status.detail(),
                               status.retryable()));
  }

  // No detail carries the token, even when the service echoes it back in a message.
  Status Scrub(const Status& status) const { return net::ScrubSecret(status, options_.api_token); }

  PlatformTicketOptions options_;
  net::HttpClient client_;
};

}  // namespace

std::vector<FieldError> Validate(const PlatformTicketOptions& options) {
  std::vector<FieldError> errors;
  net::ValidateEndpoint(options.base_url, "api_token", options.api_token, options.timeout_ms,
                        options.connect_timeout_ms, errors);
  return errors;
}

Result<std::unique_ptr<TicketSystem>> CreatePlatformTicketSystem(PlatformTicketOptions options) {
  if (std::vector<FieldError> errors = Validate(options); !errors.empty())
    return Status::Invalid(std::move(errors));
  return std::unique_ptr<TicketSystem>(std::make_unique<PlatformTicketSystem>(std::move(options)));
}

}  // namespace selfservice

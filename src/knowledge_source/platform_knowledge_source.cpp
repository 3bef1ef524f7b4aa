// The REQ-005 adapter of the KnowledgeSource port: HTTP calls through net::HttpClient, wire format
// from platform_knowledge_json.hpp, every failure of the platform mapped to 20002.

#include <algorithm>
#include <charconv>
#include <string>
#include <utility>
#include <variant>

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "knowledge_source/platform_knowledge_json.hpp"
#include "net/endpoint.hpp"
#include "net/http_client.hpp"
#include "selfservice/knowledge_source.hpp"

namespace selfservice {
namespace {

namespace ks = knowledge_source;
namespace json = boost::json;

constexpr std::int64_t kMaxTimeoutMs = 600'000;
constexpr int kMaxChangesPerCall = 1000;
constexpr int kMaxRecommendations = 100;
constexpr std::string_view kApiPath = "/api/v1/knowledge";



// A token that fits in one header line.
bool UsableToken(std::string_view token) {
  return std::all_of(token.begin(), token.end(), [](char c) { return c > ' ' && c != 0x7F; });
}

FieldError OutOfRange(std::string field, std::int64_t min, std::int64_t max) {
  return FieldError{std::move(field),
                    field_code::kOutOfRange,
                    {{"min", std::to_string(min)}, {"max", std::to_string(max)}}};
}

Status Internal(std::string_view what) {
  return Status::Error(ErrorCode::kSearchUnavailable, "req-005 " + std::string(what) + ": internal error",
                       true);
}

// The platform's ids are numbers when they look like one (REQ-005 articles have BIGINT ids), else
// the string as pulled.
json::value IdValue(std::string_view external_id) {
  std::int64_t number = 0;
  const char* end = external_id.data() + external_id.size();
  const bool numeric = !external_id.empty() && external_id.front() != '-' &&
                       !(external_id.size() > 1 && external_id.front() == '0') &&
                       std::from_chars(external_id.data(), end, number).ptr == end;
  if (numeric) return json::value(number);
  return json::value(json::string_view(external_id.data(), external_id.size()));
}

class PlatformKnowledgeSource final : public KnowledgeSource {
 public:
  explicit PlatformKnowledgeSource(PlatformKnowledgeOptions options)
      : options_(std::move(options)), client_(ClientOptions(options_)) {
    while (options_.base_url.ends_with('/')) options_.base_url.pop_back();
  }

  std::string_view name() const override { return ks::kSourceName; }

  Result<ChangeBatch> Changes(const Scope& scope, std::optional<std::string> cursor, int limit) override {
    if (limit < 1 || limit > kMaxChangesPerCall)
      return Status::Invalid({OutOfRange("limit", 1, kMaxChangesPerCall)});
    std::optional<ks::Cursor> position = ks::Cursor{};
    if (cursor && !cursor->empty()) position = ks::ParseCursor(*cursor);
    if (!position) return Status::InvalidField("cursor", field_code::kInvalid);
    try {
      std::string query = "?sort=updated_at&order=asc&page=" + std::to_string(position->page) +
                          "&size=" + std::to_string(limit);
      if (position->since) query += "&updated_since=" + net::PercentEncode(FormatTimestamp(*position->since));
      Result<ks::Envelope> envelope = Get(scope, "changes", "/search" + query, false);
      if (!envelope.ok()) return envelope.status();
      const json::array* items = ks::Items(envelope->data);
      if (items == nullptr)
        return Scrub(
            Status::Error(ErrorCode::kSearchUnavailable, "req-005 changes: data holds no item list", true));

      ChangeBatch batch;
      std::optional<Timestamp> newest;
      for (const json::value& value : *items) {
        ks::ParsedItem parsed = ks::ParseItem(value, scope.tenant_id());
        if (parsed.updated_at && (!newest || *newest < *parsed.updated_at)) newest = parsed.updated_at;
        if (auto* article = std::get_if<KnowledgeArticle>(&parsed.item)) {
          batch.articles.push_back(std::move(*article));
        } else if (auto* deletion = std::get_if<ks::Deletion>(&parsed.item)) {
          batch.deleted.push_back(std::move(deletion->external_id));
        } else {
          batch.errors.push_back(std::get<ItemError>(std::move(parsed.item)));
        }
      }
      batch.more = ks::HasMore(*envelope, position->page, limit, items->size());
      batch.next_cursor = ks::FormatCursor(Next(*position, newest, batch.more));
      return batch;
    } catch (...) {
      return Internal("changes");
    }
  }

  Result<std::vector<KnowledgeArticle>> Recommendations(const Scope& scope,
                                                        const RecommendationRequest& request) override {
    if (request.limit < 1 || request.limit > kMaxRecommendations)
      return Status::Invalid({OutOfRange("limit", 1, kMaxRecommendations)});
    if (request.external_id.empty() && request.query.empty())
      return Status::InvalidField("query", field_code::kRequired);
    try {
      std::string query = "?size=" + std::to_string(request.limit);
      query += request.external_id.empty() ? "&q=" + net::PercentEncode(request.query)
                                           : "&article_id=" + net::PercentEncode(request.external_id);
      Result<ks::Envelope> envelope =
          Get(scope, "recommendations", "/recommendations" + query, !request.external_id.empty());
      if (!envelope.ok()) return envelope.status();
      const json::array* items = ks::Items(envelope->data);
      if (items == nullptr)
        return Scrub(Status::Error(ErrorCode::kSearchUnavailable,
                                   "req-005 recommendations: data holds no item list", true));
      std::vector<KnowledgeArticle> articles;
      for (const json::value& value : *items) {
        ks::ParsedItem parsed = ks::ParseItem(value, scope.tenant_id());
        auto* article = std::get_if<KnowledgeArticle>(&parsed.item);
        if (article != nullptr && article->status == PublicationStatus::published)
          articles.push_back(std::move(*article));
      }
      if (articles.size() > static_cast<std::size_t>(request.limit))
        articles.resize(static_cast<std::size_t>(request.limit));
      return articles;
    } catch (...) {
      return Internal("recommendations");
    }
  }

  Status SendFeedback(const Scope& scope, std::string_view external_id, bool helpful) override {
    if (external_id.empty()) return Status::InvalidField("external_id", field_code::kRequired);
    try {
      json::object body;
      body["article_id"] = IdValue(external_id);
      body["helpful"] = helpful;
      net::HttpRequest request = Request(scope, "POST", "/feedback");
      request.body = json::serialize(body);
      Result<net::HttpResponse> response = client_.Send(request);
      if (!response.ok()) return Prefixed("feedback", response.status());
      if (!net::IsSuccessStatus(response->status)) return Scrub(ks::ErrorFromResponse("feedback", *response, true));
      // A 2xx answer may carry an empty body; one that carries the envelope must say 200.
      if (response->body.find_first_not_of(" \t\r\n") == std::string::npos) return Status::Ok();
      return Scrub(ks::ParseEnvelope("feedback", response->body).status());
    } catch (...) {
      return Internal("feedback");
    }
  }

 private:
  static net::HttpClientOptions ClientOptions(const PlatformKnowledgeOptions& options) {
    net::HttpClientOptions client;
    client.timeout_ms = options.timeout_ms;
    client.connect_timeout_ms = options.connect_timeout_ms;
    client.ca_file = options.ca_file;
    client.failure_code = ErrorCode::kSearchUnavailable;
    return client;
  }

  // Keyset paging on updated_at: the next page starts at the newest change seen (again, inclusive,
  // so nothing that shares its millisecond is lost); only when a whole page shares the cursor's
  // time does the page number move on, or the feed would never get past it.
  static ks::Cursor Next(const ks::Cursor& current, std::optional<Timestamp> newest, bool more) {
    if (!newest || (current.since && !(*current.since < *newest))) {
      return more ? ks::Cursor{current.since, current.page + 1} : ks::Cursor{current.since, 1};
    }
    return ks::Cursor{newest, 1};
  }

  net::HttpRequest Request(const Scope& scope, std::string method, std::string_view path) const {
    net::HttpRequest request;
    request.method = std::move(method);
    request.url = options_.base_url + std::string(kApiPath) + std::string(path);
    request.headers.push_back("X-Tenant-Id: " + std::to_string(scope.tenant_id()));
    if (!options_.api_token.empty()) request.headers.push_back("Authorization: Bearer " + options_.api_token);
    return request;
  }

  Result<ks::Envelope> Get(const Scope& scope, std::string_view what, std::string_view path,
                           bool missing_is_not_found) const {
    Result<net::HttpResponse> response = client_.Send(Request(scope, "GET", path));
    if (!response.ok()) return Prefixed(what, response.status());
    if (!net::IsSuccessStatus(response->status)) return Scrub(ks::ErrorFromResponse(what, *response, missing_is_not_found));
    Result<ks::Envelope> envelope = ks::ParseEnvelope(what, response->body);
    if (!envelope.ok()) return Scrub(envelope.status());
    return envelope;
  }

  Status Prefixed(std::string_view what, const Status& status) const {
    return Scrub(Status::Error(status.code(), "req-005 " + std::string(what) + ": " + status.detail(),
                               status.retryable()));
  }

  // No detail carries the token, even when the platform echoes it back in a message.
  Status Scrub(Status status) const {
    const std::string& token = options_.api_token;
    if (status.ok() || token.empty() || status.detail().find(token) == std::string::npos) return status;
    std::string detail = status.detail();
    for (std::size_t at = detail.find(token); at != std::string::npos; at = detail.find(token, at + 3)) {
      detail.replace(at, token.size(), "***");
    }
    if (status.code() == ErrorCode::kNotFound) return Status::NotFound(std::move(detail));
    return Status::Error(status.code(), std::move(detail), status.retryable());
  }

  PlatformKnowledgeOptions options_;
  net::HttpClient client_;
};

}  // namespace

std::vector<FieldError> Validate(const PlatformKnowledgeOptions& options) {
  std::vector<FieldError> errors;
  if (options.base_url.empty()) {
    errors.push_back(FieldError{"base_url", field_code::kRequired, {}});
  } else if (!net::IsUsableBaseUrl(options.base_url)) {
    errors.push_back(FieldError{"base_url", field_code::kInvalid, {}});
  }
  if (!UsableToken(options.api_token)) errors.push_back(FieldError{"api_token", field_code::kInvalid, {}});
  if (options.timeout_ms < 1 || options.timeout_ms > kMaxTimeoutMs) {
    errors.push_back(OutOfRange("timeout_ms", 1, kMaxTimeoutMs));
  }
  if (options.connect_timeout_ms < 1 || options.connect_timeout_ms > kMaxTimeoutMs) {
    errors.push_back(OutOfRange("connect_timeout_ms", 1, kMaxTimeoutMs));
  }
  return errors;
}

Result<std::unique_ptr<KnowledgeSource>> CreatePlatformKnowledgeSource(PlatformKnowledgeOptions options) {
  if (std::vector<FieldError> errors = Validate(options); !errors.empty())
    return Status::Invalid(std::move(errors));
  return std::unique_ptr<KnowledgeSource>(std::make_unique<PlatformKnowledgeSource>(std::move(options)));
}

}  // namespace selfservice

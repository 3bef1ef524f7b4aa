// The Elasticsearch adapter: HTTP calls through net::HttpClient, wire format from
// elasticsearch_json.hpp, every failure of the cluster mapped to 20002.

#include <algorithm>
#include <atomic>
#include <cmath>
#include <mutex>
#include <string>
#include <utility>

#include <boost/json/serialize.hpp>

#include "net/http_client.hpp"
#include "search/elasticsearch/elasticsearch_json.hpp"
#include "selfservice/elasticsearch.hpp"

namespace selfservice {
namespace {

namespace es = search::elasticsearch;

constexpr std::int64_t kMaxTimeoutMs = 600'000;
constexpr int kMaxBulkBatch = 10'000;

Status Internal(std::string_view what) {
  return Status::Error(ErrorCode::kSearchUnavailable,
                       "elasticsearch " + std::string(what) + ": internal error", true);
}



// Elasticsearch's rules for index names (create index API, path parameters), restricted to
// characters that need no escaping in a URL path.
bool UsableIndexName(std::string_view name) {
  if (name.empty() || name.size() > 255 || name == "." || name == "..") return false;
  if (name.front() == '-' || name.front() == '_' || name.front() == '+') return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
  });
}

FieldError OutOfRange(std::string field, std::int64_t min, std::int64_t max) {
  return FieldError{std::move(field),
                    field_code::kOutOfRange,
                    {{"min", std::to_string(min)}, {"max", std::to_string(max)}}};
}

class ElasticsearchSearchImpl final : public ElasticsearchSearch {
 public:
  explicit ElasticsearchSearchImpl(ElasticsearchOptions options)
      : options_(std::move(options)), client_(ClientOptions(options_)) {
    for (auto& url : options_.urls) {
      while (url.ends_with('/')) url.pop_back();
    }
    if (!options_.api_key.empty()) headers_.push_back("Authorization: ApiKey " + options_.api_key);
  }

  std::string_view name() const override { return "elasticsearch"; }

  Result<SearchResult> Search(const Scope& scope, const SearchQuery& query) override {
    if (query.page < 1) return Status::InvalidField("page", field_code::kOutOfRange, {{"min", "1"}});
    if (query.size < 1) return Status::InvalidField("size", field_code::kOutOfRange, {{"min", "1"}});
    try {
      if (query.text.find_first_not_of(" \t\r\n") == std::string::npos) {
        SearchResult empty;
        empty.backend = std::string(name());
        empty.suggest_ticket = true;
        return empty;
      }
      Result<net::HttpResponse> response =
          Call("POST", IndexPath() + "/_search?routing=" + std::to_string(scope.tenant_id()),
               boost::json::serialize(es::SearchBody(scope.tenant_id(), query)), "application/json");
      if (!response.ok()) return Prefixed("search", response.status());
      if (!net::IsSuccessStatus(response->status)) return es::ErrorFromResponse("search", *response);
      return es::ParseSearchResponse(response->body, options_.suggest_ticket_below_score);
    } catch (...) {
      return Internal("search");
    }
  }

  Status EnsureIndex() override {
    try {
      std::lock_guard lock(index_mutex_);
      if (index_ready_) return Status::Ok();
      Result<net::HttpResponse> head = Call("HEAD", IndexPath(), {}, {});
      if (!head.ok()) return Prefixed("index check", head.status());
      if (head->status == 404) {
        Result<net::HttpResponse> created =
            Call("PUT", IndexPath(), boost::json::serialize(es::IndexDefinition()), "application/json");
        if (!created.ok()) return Prefixed("index creation", created.status());
        // Another writer may have created it between our HEAD and PUT.
        const bool raced = created->status == 400 &&
                           created->body.find("resource_already_exists_exception") != std::string::npos;
        if (!net::IsSuccessStatus(created->status) && !raced) return es::ErrorFromResponse("index creation", *created);
      } else if (!net::IsSuccessStatus(head->status)) {
        return es::ErrorFromResponse("index check", *head);
      }
      index_ready_ = true;
      return Status::Ok();
    } catch (...) {
      return Internal("index creation");
    }
  }

  Status Index(const Scope& scope, const std::vector<KnowledgeArticle>& articles) override {
    for (const auto& article : articles) {
      if (article.tenant_id != scope.tenant_id()) {
        return Status::InvalidField("tenant_id", field_code::kNotAllowed,
                                    {{"article_id", std::to_string(article.id)}});
      }
    }
    try {
      if (articles.empty()) return Status::Ok();
      if (Status ready = EnsureIndex(); !ready.ok()) return ready;
      const auto batch = static_cast<std::size_t>(options_.bulk_batch_size);
      for (std::size_t first = 0; first < articles.size(); first += batch) {
        const auto begin = articles.begin() + static_cast<std::ptrdiff_t>(first);
        const auto end =
            articles.begin() + static_cast<std::ptrdiff_t>(std::min(first + batch, articles.size()));
        if (Status sent = Bulk(es::BulkIndexBody({begin, end})); !sent.ok()) return sent;
      }
      return Status::Ok();
    } catch (...) {
      return Internal("bulk");
    }
  }

  Status Remove(const Scope& scope, const std::vector<std::int64_t>& ids) override {
    try {
      if (ids.empty()) return Status::Ok();
      // Without the mapping, a bulk request would let the cluster create the index on its own.
      if (Status ready = EnsureIndex(); !ready.ok()) return ready;
      const auto batch = static_cast<std::size_t>(options_.bulk_batch_size);
      for (std::size_t first = 0; first < ids.size(); first += batch) {
        const auto begin = ids.begin() + static_cast<std::ptrdiff_t>(first);
        const auto end = ids.begin() + static_cast<std::ptrdiff_t>(std::min(first + batch, ids.size()));
        if (Status sent = Bulk(es::BulkDeleteBody(scope.tenant_id(), {begin, end})); !sent.ok()) return sent;
      }
      return Status::Ok();
    } catch (...) {
      return Internal("bulk");
    }
  }

  Status RemoveByExternalId(const Scope& scope, const std::vector<std::string>& external_ids) override {
    try {
      if (external_ids.empty()) return Status::Ok();
      if (Status ready = EnsureIndex(); !ready.ok()) return ready;
      const std::string path =
          IndexPath() + "/_delete_by_query?routing=" + std::to_string(scope.tenant_id()) + "&conflicts=proceed";
      const auto batch = static_cast<std::size_t>(options_.bulk_batch_size);
      for (std::size_t first = 0; first < external_ids.size(); first += batch) {
        const auto begin = external_ids.begin() + static_cast<std::ptrdiff_t>(first);
        const auto end =
            external_ids.begin() + static_cast<std::ptrdiff_t>(std::min(first + batch, external_ids.size()));
        Result<net::HttpResponse> response =
            Call("POST", path, boost::json::serialize(es::DeleteByExternalIdBody(scope.tenant_id(), {begin, end})),
                 "application/json");
        if (!response.ok()) return Prefixed("delete by query", response.status());
        if (!net::IsSuccessStatus(response->status)) return es::ErrorFromResponse("delete by query", *response);
        if (Status done = es::ParseDeleteByQueryResponse(response->body); !done.ok()) return done;
      }
      return Status::Ok();
    } catch (...) {
      return Internal("delete by query");
    }
  }

 private:
  static net::HttpClientOptions ClientOptions(const ElasticsearchOptions& options) {
    net::HttpClientOptions client;
    client.timeout_ms = options.request_timeout_ms;
    client.connect_timeout_ms = options.connect_timeout_ms;
    client.ca_file = options.ca_file;
    if (options.api_key.empty()) {
      client.username = options.username;
      client.password = options.password;
    }
    client.failure_code = ErrorCode::kSearchUnavailable;
    return client;
  }

  static Status Prefixed(std::string_view what, const Status& status) {
    return Status::Error(status.code(), "elasticsearch " + std::string(what) + ": " + status.detail(),
                         status.retryable());
  }

  std::string IndexPath() const { return "/" + options_.index; }

  // Sends to the nodes in turn, starting with the next one, and moves on only when no connection
  // could be made: after a timeout or a broken answer the request may have been served, and the
  // time budget is spent anyway.
  Result<net::HttpResponse> Call(std::string method, const std::string& path, std::string body,
                                 std::string content_type) const {
    net::HttpRequest request;
    request.method = std::move(method);
    request.body = std::move(body);
    request.content_type = std::move(content_type);
    request.headers = headers_;
    const std::size_t nodes = options_.urls.size();
    const std::size_t start = next_node_.fetch_add(1, std::memory_order_relaxed) % nodes;
    Status last;
    for (std::size_t i = 0; i < nodes; ++i) {
      request.url = options_.urls[(start + i) % nodes] + path;
      net::TransportError error = net::TransportError::kNone;
      Result<net::HttpResponse> response = client_.Send(request, &error);
      if (response.ok() || error != net::TransportError::kConnect) return response;
      last = response.status();
    }
    return last;
  }

  Status Bulk(std::string body) const {
    Result<net::HttpResponse> response =
        Call("POST", IndexPath() + "/_bulk", std::move(body), "application/x-ndjson");
    if (!response.ok()) return Prefixed("bulk", response.status());
    if (!net::IsSuccessStatus(response->status)) return es::ErrorFromResponse("bulk", *response);
    return es::ParseBulkResponse(response->body);
  }

  ElasticsearchOptions options_;
  net::HttpClient client_;
  std::vector<std::string> headers_;
  mutable std::atomic<std::size_t> next_node_{0};
  std::mutex index_mutex_;
  bool index_ready_ = false;  // guarded by index_mutex_
};

}  // namespace

std::vector<FieldError> Validate(const ElasticsearchOptions& options) {
  std::vector<FieldError> errors;
  if (options.urls.empty()) {
    errors.push_back(FieldError{"urls", field_code::kRequired, {}});
  } else if (!std::all_of(options.urls.begin(), options.urls.end(), net::IsUsableBaseUrl)) {
    errors.push_back(FieldError{"urls", field_code::kInvalid, {}});
  }
  if (!UsableIndexName(options.index)) errors.push_back(FieldError{"index", field_code::kInvalid, {}});
  if (!options.api_key.empty() && !options.username.empty()) {
    errors.push_back(FieldError{"api_key", field_code::kNotAllowed, {}});  // one way to authenticate
  }
  if (options.username.empty() && !options.password.empty()) {
    errors.push_back(FieldError{"username", field_code::kRequired, {}});
  }
  if (options.request_timeout_ms < 1 || options.request_timeout_ms > kMaxTimeoutMs) {
    errors.push_back(OutOfRange("request_timeout_ms", 1, kMaxTimeoutMs));
  }
  if (options.connect_timeout_ms < 1 || options.connect_timeout_ms > kMaxTimeoutMs) {
    errors.push_back(OutOfRange("connect_timeout_ms", 1, kMaxTimeoutMs));
  }
  if (!std::isfinite(options.suggest_ticket_below_score) || options.suggest_ticket_below_score < 0) {
    errors.push_back(FieldError{"suggest_ticket_below_score", field_code::kOutOfRange, {{"min", "0"}}});
  }
  if (options.bulk_batch_size < 1 || options.bulk_batch_size > kMaxBulkBatch) {
    errors.push_back(OutOfRange("bulk_batch_size", 1, kMaxBulkBatch));
  }
  return errors;
}

Result<std::unique_ptr<ElasticsearchSearch>> ElasticsearchSearch::Create(ElasticsearchOptions options) {
  if (std::vector<FieldError> errors = Validate(options); !errors.empty())
    return Status::Invalid(std::move(errors));
  return std::unique_ptr<ElasticsearchSearch>(std::make_unique<ElasticsearchSearchImpl>(std::move(options)));
}

}  // namespace selfservice

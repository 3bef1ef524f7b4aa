// Response shapes follow the Elasticsearch 8 reference: search API
// (https://www.elastic.co/guide/en/elasticsearch/reference/current/search-search.html: hits.total is
// {"value", "relation"}, each hit has _id, _score, _source and, when asked, highlight), bulk API
// (https://www.elastic.co/guide/en/elasticsearch/reference/current/docs-bulk.html: "took", "errors",
// "items" with one {action: {..., "status", "error"?}} per line) and the common error body
// {"error": {"root_cause", "type", "reason"}, "status"}.

#include "net/http_client.hpp"
#include "search/elasticsearch/elasticsearch_json.hpp"

#include <optional>
#include <utility>

#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

namespace selfservice::search::elasticsearch {
namespace json = boost::json;
namespace {

constexpr ArticleLang kLanguages[] = {ArticleLang::zh, ArticleLang::en};
constexpr std::size_t kMaxDetail = 300;  // characters of Elasticsearch's reason kept in a detail

// Field boosts of the multi_match: the title says most about what an article is for.
struct Boosted {
  std::string_view field;
  std::string_view boost;
};
constexpr Boosted kSearchFields[] = {{"title", "^4"}, {"tags", "^2"}, {"category", "^1.5"}, {"body", ""}};

std::string Field(std::string_view field, ArticleLang lang) {
  return std::string(field) + "_" + std::string(EnumName(lang));
}

// The built-in language analyzers of Elasticsearch 8
// (https://www.elastic.co/guide/en/elasticsearch/reference/current/analysis-lang-analyzer.html):
// `cjk` is the standard tokenizer with cjk_width, lowercase, cjk_bigram and stop, so Chinese is
// indexed as overlapping bigrams (analysis-cjk-bigram-tokenfilter.html: "This filter is included
// in Elasticsearch's built-in CJK language analyzer"), the same reading as the local engine's
// tokenizer; `english` stems and drops stop words.
std::string_view Analyzer(ArticleLang lang) {
  return lang == ArticleLang::zh ? "cjk" : "english";
}

Status Unavailable(std::string detail, bool retryable) {
  return Status::Error(ErrorCode::kSearchUnavailable, "elasticsearch " + std::move(detail), retryable);
}


const json::object* Object(const json::value* value) {
  return value != nullptr ? value->if_object() : nullptr;
}

std::optional<double> Number(const json::value* value) {
  if (value == nullptr) return std::nullopt;
  if (value->is_double()) return value->get_double();
  if (value->is_int64()) return static_cast<double>(value->get_int64());
  if (value->is_uint64()) return static_cast<double>(value->get_uint64());
  return std::nullopt;
}

// A decimal article id ("101"); nullopt for anything else.
std::optional<std::int64_t> Digits(std::string_view text) {
  if (text.empty() || text.size() > 18) return std::nullopt;
  std::int64_t number = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    number = number * 10 + (c - '0');
  }
  return number;
}

std::optional<std::int64_t> Integer(const json::value* value) {
  if (value == nullptr) return std::nullopt;
  if (value->is_int64()) return value->get_int64();
  if (value->is_uint64()) return static_cast<std::int64_t>(value->get_uint64());
  if (value->is_string()) return Digits(value->get_string());
  return std::nullopt;
}

std::optional<std::string> Text(const json::object& object, std::string_view key) {
  const json::value* value = object.if_contains(key);
  if (value == nullptr || !value->is_string()) return std::nullopt;
  return std::string(value->get_string());
}

std::vector<std::string> Strings(const json::object& object, std::string_view key) {
  std::vector<std::string> out;
  const json::value* value = object.if_contains(key);
  if (value == nullptr) return out;
  if (value->is_string()) out.emplace_back(value->get_string());
  if (const json::array* array = value->if_array()) {
    for (const auto& item : *array) {
      if (item.is_string()) out.emplace_back(item.get_string());
    }
  }
  return out;
}

json::array StringArray(const std::vector<std::string>& values) {
  json::array array;
  for (const auto& value : values) array.emplace_back(value);
  return array;
}

json::object Term(std::string_view field, json::value value) {
  json::object inner;
  inner[field] = std::move(value);
  return json::object{{"term", std::move(inner)}};
}
json::object Term(std::string_view field, std::string_view value) {
  return Term(field, json::value(json::string(value)));
}

void AppendLine(std::string& out, const json::object& line) {
  out += json::serialize(line);
  out += '\n';
}

// The first highlight fragment of the body in the hit's language, or of any field.
std::string Snippet(const json::object& hit, ArticleLang lang) {
  const json::object* highlight = Object(hit.if_contains("highlight"));
  if (highlight == nullptr) return {};
  auto first = [](const json::value& fragments) -> std::optional<std::string> {
    const json::array* array = fragments.if_array();
    if (array == nullptr || array->empty() || !array->front().is_string()) return std::nullopt;
    return std::string(array->front().get_string());
  };
  if (const json::value* own = highlight->if_contains(Field("body", lang))) {
    if (auto text = first(*own)) return *text;
  }
  for (const auto& entry : *highlight) {
    if (auto text = first(entry.value())) return *text;
  }
  return {};
}

std::optional<SearchHit> ParseHit(const json::value& value) {
  const json::object* hit = value.if_object();
  if (hit == nullptr) return std::nullopt;
  const json::object* source = Object(hit->if_contains("_source"));
  if (source == nullptr) return std::nullopt;
  SearchHit out;
  // article_id is stored; the _id "<tenant>-<article>" is the fallback for documents written by
  // hand.
  std::optional<std::int64_t> id = Integer(source->if_contains("article_id"));
  if (!id) {
    if (std::optional<std::string> doc_id = Text(*hit, "_id")) {
      const std::size_t dash = doc_id->rfind('-');
      id = Digits(std::string_view(*doc_id).substr(dash == std::string::npos ? 0 : dash + 1));
    }
  }
  if (!id) return std::nullopt;
  out.id = *id;
  if (std::optional<std::string> lang = Text(*source, "lang")) {
    out.lang = ParseEnum<ArticleLang>(*lang).value_or(ArticleLang::zh);
  }
  out.external_id = Text(*source, "external_id");
  out.title = Text(*source, Field("title", out.lang)).value_or("");
  out.snippet = Snippet(*hit, out.lang);
  out.category = Text(*source, "category");
  out.tags = Strings(*source, "tags");
  out.url = Text(*source, "url");
  out.score = Number(hit->if_contains("_score")).value_or(0.0);
  return out;
}

// Elasticsearch's "type: reason" of an error body, or the start of the body when it is not one.
std::string ErrorReason(std::string_view body) {
  boost::system::error_code ec;
  json::value parsed = json::parse(body, ec);
  if (!ec) {
    if (const json::object* root = parsed.if_object()) {
      if (const json::value* error = root->if_contains("error")) {
        if (error->is_string()) return net::ClipForDetail(std::string(error->get_string()), kMaxDetail);
        if (const json::object* object = error->if_object()) {
          return net::ClipForDetail(
              Text(*object, "type").value_or("error") + ": " + Text(*object, "reason").value_or(""), kMaxDetail);
        }
      }
    }
  }
  return net::ClipForDetail(std::string(body), kMaxDetail);
}

}  // namespace

std::string DocumentId(std::int64_t tenant_id, std::int64_t article_id) {
  return std::to_string(tenant_id) + "-" + std::to_string(article_id);
}

json::object IndexDefinition() {
  json::object properties;
  properties["article_id"] = json::object{{"type", "long"}};
  properties["tenant_id"] = json::object{{"type", "long"}};
  for (const char* keyword : {"external_id", "lang", "status", "category", "tags", "url"}) {
    properties[keyword] = json::object{{"type", "keyword"}};
  }
  properties["updated_at"] = json::object{{"type", "date"}, {"format", "epoch_millis"}};
  for (ArticleLang lang : kLanguages) {
    for (const auto& field : kSearchFields) {
      properties[Field(field.field, lang)] = json::object{{"type", "text"}, {"analyzer", Analyzer(lang)}};
    }
  }
  // Fields this version does not know are kept in _source but not indexed, so a newer writer
  // cannot break an older mapping.
  return json::object{{"mappings", json::object{{"dynamic", false}, {"properties", std::move(properties)}}}};
}

json::object Document(const KnowledgeArticle& article) {
  json::object doc;
  doc["article_id"] = article.id;
  doc["tenant_id"] = article.tenant_id;
  if (article.external_id) doc["external_id"] = *article.external_id;
  doc["lang"] = EnumName(article.lang);
  doc["status"] = EnumName(article.status);
  if (article.category) doc["category"] = *article.category;
  doc["tags"] = StringArray(article.tags);
  if (article.url) doc["url"] = *article.url;
  doc["updated_at"] = article.updated_at.millis;
  doc[Field("title", article.lang)] = article.title;
  doc[Field("tags", article.lang)] = StringArray(article.tags);
  if (article.category) doc[Field("category", article.lang)] = *article.category;
  doc[Field("body", article.lang)] = article.body;
  return doc;
}

std::string BulkIndexBody(const std::vector<KnowledgeArticle>& articles) {
  std::string out;
  for (const auto& article : articles) {
    AppendLine(out, json::object{{"index", json::object{{"_id", DocumentId(article.tenant_id, article.id)},
                                                        {"routing", std::to_string(article.tenant_id)}}}});
    AppendLine(out, Document(article));
  }
  return out;
}

std::string BulkDeleteBody(std::int64_t tenant_id, const std::vector<std::int64_t>& article_ids) {
  std::string out;
  for (std::int64_t id : article_ids) {
    AppendLine(out, json::object{{"delete", json::object{{"_id", DocumentId(tenant_id, id)},
                                                         {"routing", std::to_string(tenant_id)}}}});
  }
  return out;
}

json::object DeleteByExternalIdBody(std::int64_t tenant_id, const std::vector<std::string>& external_ids) {
  json::array ids;
  for (const auto& id : external_ids) ids.emplace_back(id);
  json::array filter{json::object{{"term", json::object{{"tenant_id", tenant_id}}}},
                     json::object{{"terms", json::object{{"external_id", std::move(ids)}}}}};
  return json::object{{"query", json::object{{"bool", json::object{{"filter", std::move(filter)}}}}}};
}

json::object SearchBody(std::int64_t tenant_id, const SearchQuery& query) {
  json::array fields;
  for (ArticleLang lang : kLanguages) {
    if (query.lang && *query.lang != lang) continue;
    for (const auto& field : kSearchFields)
      fields.emplace_back(Field(field.field, lang) + std::string(field.boost));
  }

  json::array filter;
  filter.emplace_back(Term("tenant_id", tenant_id));
  filter.emplace_back(Term("status", EnumName(PublicationStatus::published)));
  if (query.lang) filter.emplace_back(Term("lang", EnumName(*query.lang)));
  if (query.category) filter.emplace_back(Term("category", *query.category));
  for (const auto& tag : query.tags) filter.emplace_back(Term("tags", tag));  // every tag

  // The text matches on any of its words; a synonym the engine added (query.expansions) matches
  // as a phrase, so "无法启动" for "起不来" does not match every article with "启动" alone.
  json::object match{
      {"multi_match", json::object{{"query", query.text}, {"type", "best_fields"}, {"fields", fields}}}};
  if (!query.expansions.empty()) {
    json::array any{std::move(match)};
    for (const auto& expansion : query.expansions) {
      any.emplace_back(json::object{
          {"multi_match", json::object{{"query", expansion}, {"type", "phrase"}, {"fields", fields}}}});
    }
    match = json::object{{"bool", json::object{{"should", std::move(any)}, {"minimum_should_match", 1}}}};
  }
  json::object highlight_fields;
  for (ArticleLang lang : kLanguages) {
    if (query.lang && *query.lang != lang) continue;
    highlight_fields[Field("body", lang)] = json::object{};
  }
  json::array source_excludes;
  for (ArticleLang lang : kLanguages) source_excludes.emplace_back(Field("body", lang));

  const std::int64_t size = query.size;
  const std::int64_t from = static_cast<std::int64_t>(query.page - 1) * size;
  return json::object{
      {"from", from},
      {"size", size},
      {"query", json::object{{"bool", json::object{{"must", json::array{std::move(match)}},
                                                   {"filter", std::move(filter)}}}}},
      // Bodies can be long: the hit needs only its highlighted fragment.
      {"_source", json::object{{"excludes", std::move(source_excludes)}}},
      {"highlight", json::object{{"pre_tags", json::array{kMarkOpen}},
                                 {"post_tags", json::array{kMarkClose}},
                                 {"fragment_size", 160},
                                 {"number_of_fragments", 1},
                                 {"no_match_size", 160},
                                 {"fields", std::move(highlight_fields)}}},
  };
}

Result<SearchResult> ParseSearchResponse(std::string_view body, double suggest_ticket_below_score) {
  boost::system::error_code ec;
  json::value parsed = json::parse(body, ec);
  if (ec) return Unavailable("search: the answer is not JSON (" + ec.message() + ")", true);
  const json::object* root = parsed.if_object();
  const json::object* hits = root != nullptr ? Object(root->if_contains("hits")) : nullptr;
  const json::value* list = hits != nullptr ? hits->if_contains("hits") : nullptr;
  if (list == nullptr || !list->is_array()) return Unavailable("search: the answer has no hits.hits", true);

  SearchResult result;
  result.backend = "elasticsearch";
  for (const auto& item : list->get_array()) {
    std::optional<SearchHit> hit = ParseHit(item);
    if (!hit) return Unavailable("search: a hit has no _source.article_id", true);
    result.hits.push_back(std::move(*hit));
  }
  // ES 8 answers {"value", "relation"}; a plain number is the rest_total_hits_as_int form.
  const json::value* total = hits->if_contains("total");
  if (const json::object* object = Object(total)) total = object->if_contains("value");
  result.total = Integer(total).value_or(static_cast<std::int64_t>(result.hits.size()));

  std::optional<double> best = Number(hits->if_contains("max_score"));
  if (!best && !result.hits.empty()) best = result.hits.front().score;
  result.suggest_ticket = result.total == 0 || !best || *best < suggest_ticket_below_score;
  return result;
}

Status ParseBulkResponse(std::string_view body) {
  boost::system::error_code ec;
  json::value parsed = json::parse(body, ec);
  if (ec) return Unavailable("bulk: the answer is not JSON (" + ec.message() + ")", true);
  const json::object* root = parsed.if_object();
  const json::value* errors = root != nullptr ? root->if_contains("errors") : nullptr;
  if (errors == nullptr || !errors->is_bool()) return Unavailable("bulk: the answer has no \"errors\"", true);
  if (!errors->get_bool()) return Status::Ok();

  int failed = 0;
  bool retryable = false;
  std::string first;
  if (const json::value* items = root->if_contains("items"); items != nullptr && items->is_array()) {
    for (const auto& item : items->get_array()) {
      const json::object* wrapper = item.if_object();
      if (wrapper == nullptr || wrapper->empty()) continue;
      const json::object* outcome = wrapper->begin()->value().if_object();
      if (outcome == nullptr) continue;
      const std::int64_t status = Integer(outcome->if_contains("status")).value_or(0);
      const bool missing_delete = wrapper->begin()->key() == "delete" && status == 404;
      if (outcome->if_contains("error") == nullptr || missing_delete) continue;
      ++failed;
      retryable = retryable || status == 429 || status >= 500;
      if (first.empty())
        first = Text(*outcome, "_id").value_or("?") + ": " +
                ErrorReason(json::serialize(json::object{{"error", outcome->at("error")}}));
    }
  }
  if (failed == 0) return Status::Ok();
  return Unavailable("bulk: " + std::to_string(failed) + " item(s) failed, first " + first, retryable);
}

Status ParseDeleteByQueryResponse(std::string_view body) {
  boost::system::error_code ec;
  json::value parsed = json::parse(body, ec);
  if (ec) return Unavailable("delete by query: the answer is not JSON (" + ec.message() + ")", true);
  const json::object* root = parsed.if_object();
  const json::value* failures = root != nullptr ? root->if_contains("failures") : nullptr;
  if (failures == nullptr || !failures->is_array()) {
    return Unavailable("delete by query: the answer has no \"failures\"", true);
  }
  if (failures->get_array().empty()) return Status::Ok();
  bool retryable = false;
  for (const auto& failure : failures->get_array()) {
    const json::object* item = failure.if_object();
    const std::int64_t status = item != nullptr ? Integer(item->if_contains("status")).value_or(0) : 0;
    retryable = retryable || status == 429 || status >= 500;
  }
  return Unavailable("delete by query: " + std::to_string(failures->get_array().size()) + " failure(s)", retryable);
}

Status ErrorFromResponse(std::string_view what, const net::HttpResponse& response) {
  const int code = response.status;
  const bool retryable = code == 408 || code == 429 || code >= 500;
  std::string detail = std::string(what) + ": HTTP " + std::to_string(code);
  if (code == 401 || code == 403) {
    detail += " (the cluster refuses our credentials)";
  } else if (!response.body.empty()) {
    detail += " " + ErrorReason(response.body);
  }
  return Unavailable(std::move(detail), retryable);
}

}  // namespace selfservice::search::elasticsearch

// The Elasticsearch 8 wire format of the adapter: the index definition, the documents and their
// _bulk lines, the _search request, and the reading of answers and errors. Pure functions, so the
// adapter's HTTP part stays small and each rule here is tested on its own.
//
// Document layout (one shared index, docs/ELASTICSEARCH.md):
//   _id          "<tenant_id>-<article_id>", routed by tenant_id
//   article_id, tenant_id (long); external_id, lang, status, category, tags, url (keyword)
//   title_<lang>, tags_<lang>, category_<lang>, body_<lang> (text; `cjk` analyzer for zh,
//   `english` for en), only for the article's own language.

#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "net/http_client.hpp"
#include "selfservice/model.hpp"
#include "selfservice/search.hpp"
#include "selfservice/status.hpp"

namespace selfservice::search::elasticsearch {

// Highlight markers of SearchHit::snippet.
inline constexpr std::string_view kMarkOpen = "<mark>";
inline constexpr std::string_view kMarkClose = "</mark>";

std::string DocumentId(std::int64_t tenant_id, std::int64_t article_id);

// The body of PUT /<index>: the mapping (no settings: shards and replicas are the cluster's).
boost::json::object IndexDefinition();

// The article as stored in _source.
boost::json::object Document(const KnowledgeArticle& article);

// NDJSON for POST /<index>/_bulk, every line ending in '\n' as the API requires.
std::string BulkIndexBody(const std::vector<KnowledgeArticle>& articles);
std::string BulkDeleteBody(std::int64_t tenant_id, const std::vector<std::int64_t>& article_ids);

// The body of POST /<index>/_delete_by_query?routing=<tenant_id>: the tenant's documents whose
// external_id is one of `external_ids` (the only handle a source's deletion gives).
boost::json::object DeleteByExternalIdBody(std::int64_t tenant_id, const std::vector<std::string>& external_ids);

// The body of POST /<index>/_search?routing=<tenant_id>: a bool query that must match the text
// (best_fields multi_match, title^4 tags^2 category^1.5 body) or one of the query's expansions (as
// phrases), and whose filter always holds the tenant and the published status, then the query's
// own filters.
boost::json::object SearchBody(std::int64_t tenant_id, const SearchQuery& query);

// The hits of a 200 answer of _search; 20002 (retryable) when it is not a search answer.
Result<SearchResult> ParseSearchResponse(std::string_view body, double suggest_ticket_below_score);

// OK when every item of a 200 answer of _bulk succeeded (a delete of a missing document counts as
// success); else 20002 naming the first failure, retryable when an item was rejected for load
// (429) or failed on the server (5xx), or when the answer is not a bulk answer.
Status ParseBulkResponse(std::string_view body);

// OK when a 200 answer of _delete_by_query lists no failures; else 20002, retryable when the
// answer is not a delete-by-query answer or a failure was a rejection for load (429) or a 5xx.
Status ParseDeleteByQueryResponse(std::string_view body);

// 20002 for a non-2xx answer: retryable for 408, 429 and 5xx; not for the rest (401/403: our
// credentials are refused; 400: the cluster rejects the request; 404: no such index). The detail
// names `what`, the HTTP status and Elasticsearch's error type and reason.
Status ErrorFromResponse(std::string_view what, const net::HttpResponse& response);

}  // namespace selfservice::search::elasticsearch

// Answers of an Elasticsearch 8 node, in the shapes of the Elasticsearch reference:
//  - search API, response body:
//    https://www.elastic.co/guide/en/elasticsearch/reference/current/search-search.html
//    (took, timed_out, _shards, hits.total {value, relation}, hits.max_score, hits.hits[] with
//    _index, _id, _score, _routing when routed, _source, highlight {field: [fragments]})
//  - bulk API, response body:
//    https://www.elastic.co/guide/en/elasticsearch/reference/current/docs-bulk.html
//    (took, errors, items[] of {action: {_index, _id, _version, result, _shards, _seq_no,
//    _primary_term, status}} or, on failure, {action: {_index, _id, status, error {type, reason}}})
//  - delete by query API, response body:
//    https://www.elastic.co/guide/en/elasticsearch/reference/current/docs-delete-by-query.html
//    (took, timed_out, total, deleted, batches, version_conflicts, noops, retries, failures[])
//  - create index API:
//    https://www.elastic.co/guide/en/elasticsearch/reference/current/indices-create-index.html
//    ({"acknowledged": true, "shards_acknowledged": true, "index": ...})
//  - the common error body {"error": {"root_cause": [...], "type", "reason"}, "status"}.

#pragma once

#include <string>

namespace selfservice::test::es {

inline constexpr const char* kIndex = "selfservice-knowledge";

// Two hits of tenant 7: a Chinese article with a highlighted body, an English one without.
inline std::string SearchAnswer() {
  return R"({
  "took": 5,
  "timed_out": false,
  "_shards": {"total": 1, "successful": 1, "skipped": 0, "failed": 0},
  "hits": {
    "total": {"value": 12, "relation": "eq"},
    "max_score": 7.25,
    "hits": [
      {
        "_index": "selfservice-knowledge",
        "_id": "7-101",
        "_score": 7.25,
        "_routing": "7",
        "_source": {
          "article_id": 101, "tenant_id": 7, "external_id": "kb-nginx-start", "lang": "zh",
          "status": "published", "category": "服务器", "tags": ["nginx", "启动"],
          "url": "/kb/nginx-start", "updated_at": 1700000000000,
          "title_zh": "nginx 无法启动怎么办", "tags_zh": ["nginx", "启动"], "category_zh": "服务器"
        },
        "highlight": {"body_zh": ["检查配置后 <mark>nginx</mark> 仍然<mark>起不</mark>来时，查看错误日志"]}
      },
      {
        "_index": "selfservice-knowledge",
        "_id": "7-102",
        "_score": 3,
        "_routing": "7",
        "_source": {
          "article_id": 102, "tenant_id": 7, "lang": "en", "status": "published",
          "tags": [], "updated_at": 1700000000000, "title_en": "Nginx fails to start", "tags_en": []
        }
      }
    ]
  }
})";
}

inline std::string EmptySearchAnswer() {
  return R"({"took": 1, "timed_out": false,
  "_shards": {"total": 1, "successful": 1, "skipped": 0, "failed": 0},
  "hits": {"total": {"value": 0, "relation": "eq"}, "max_score": null, "hits": []}})";
}

// One hit scoring `score`.
inline std::string OneHitAnswer(const std::string& score) {
  return R"({"took": 2, "timed_out": false,
  "_shards": {"total": 1, "successful": 1, "skipped": 0, "failed": 0},
  "hits": {"total": {"value": 1, "relation": "eq"}, "max_score": )" +
         score + R"(, "hits": [
    {"_index": "selfservice-knowledge", "_id": "7-5", "_score": )" +
         score + R"(, "_routing": "7",
     "_source": {"article_id": 5, "tenant_id": 7, "lang": "en", "status": "published", "title_en": "Wi-Fi drops"}}]}})";
}

inline std::string BulkCreated() {
  return R"({"took": 30, "errors": false, "items": [
  {"index": {"_index": "selfservice-knowledge", "_id": "7-1", "_version": 1, "result": "created",
             "_shards": {"total": 2, "successful": 1, "failed": 0}, "_seq_no": 0, "_primary_term": 1, "status": 201}}]})";
}

inline std::string BulkDeletedOneMissingOne() {
  return R"({"took": 3, "errors": false, "items": [
  {"delete": {"_index": "selfservice-knowledge", "_id": "7-1", "_version": 2, "result": "deleted",
              "_shards": {"total": 2, "successful": 1, "failed": 0}, "_seq_no": 1, "_primary_term": 1, "status": 200}},
  {"delete": {"_index": "selfservice-knowledge", "_id": "7-2", "_version": 1, "result": "not_found",
              "_shards": {"total": 2, "successful": 1, "failed": 0}, "_seq_no": 2, "_primary_term": 1, "status": 404}}]})";
}

inline std::string BulkItemRejected() {
  return R"({"took": 486, "errors": true, "items": [
  {"index": {"_index": "selfservice-knowledge", "_id": "7-1", "_version": 1, "result": "created",
             "_shards": {"total": 2, "successful": 1, "failed": 0}, "_seq_no": 0, "_primary_term": 1, "status": 201}},
  {"index": {"_index": "selfservice-knowledge", "_id": "7-2", "status": 429,
             "error": {"type": "es_rejected_execution_exception", "reason": "rejected execution of coordinating operation"}}}]})";
}

inline std::string BulkItemMalformed() {
  return R"({"took": 12, "errors": true, "items": [
  {"index": {"_index": "selfservice-knowledge", "_id": "7-1", "status": 400,
             "error": {"type": "document_parsing_exception", "reason": "[1:15] failed to parse field [updated_at] of type [date]"}}}]})";
}

inline std::string DeletedByQuery() {
  return R"({"took": 147, "timed_out": false, "total": 1, "deleted": 1, "batches": 1, "version_conflicts": 0,
  "noops": 0, "retries": {"bulk": 0, "search": 0}, "throttled_millis": 0, "requests_per_second": -1.0,
  "throttled_until_millis": 0, "failures": []})";
}

inline std::string DeleteByQueryFailed() {
  return R"({"took": 12, "timed_out": false, "total": 1, "deleted": 0, "batches": 1, "version_conflicts": 0,
  "noops": 0, "retries": {"bulk": 0, "search": 0}, "throttled_millis": 0, "requests_per_second": -1.0,
  "throttled_until_millis": 0, "failures": [{"index": "selfservice-knowledge", "id": "7-1", "status": 503,
  "cause": {"type": "unavailable_shards_exception", "reason": "primary shard is not active"}}]})";
}

inline std::string IndexCreated() {
  return R"({"acknowledged": true, "shards_acknowledged": true, "index": "selfservice-knowledge"})";
}

inline std::string IndexAlreadyExists() {
  return R"({"error": {"root_cause": [{"type": "resource_already_exists_exception",
  "reason": "index [selfservice-knowledge/2rGaCmQJSwm4S5M8tY1NGA] already exists",
  "index_uuid": "2rGaCmQJSwm4S5M8tY1NGA", "index": "selfservice-knowledge"}],
  "type": "resource_already_exists_exception",
  "reason": "index [selfservice-knowledge/2rGaCmQJSwm4S5M8tY1NGA] already exists",
  "index_uuid": "2rGaCmQJSwm4S5M8tY1NGA", "index": "selfservice-knowledge"}, "status": 400})";
}

inline std::string QueryRejected() {
  return R"({"error": {"root_cause": [{"type": "parsing_exception",
  "reason": "[multi_match] unknown token [START_ARRAY] after [query]", "line": 1, "col": 60}],
  "type": "parsing_exception", "reason": "[multi_match] unknown token [START_ARRAY] after [query]",
  "line": 1, "col": 60}, "status": 400})";
}

inline std::string Unauthenticated() {
  return R"({"error": {"root_cause": [{"type": "security_exception",
  "reason": "unable to authenticate with provided credentials and anonymous access is not allowed for this request",
  "additional_unsuccessful_credentials": "API key: api key is expired",
  "header": {"WWW-Authenticate": ["Basic realm=\"security\" charset=\"UTF-8\"", "Bearer realm=\"security\"", "ApiKey"]}}],
  "type": "security_exception",
  "reason": "unable to authenticate with provided credentials and anonymous access is not allowed for this request",
  "header": {"WWW-Authenticate": ["Basic realm=\"security\" charset=\"UTF-8\"", "Bearer realm=\"security\"", "ApiKey"]}},
  "status": 401})";
}

inline std::string Forbidden() {
  return R"({"error": {"root_cause": [{"type": "security_exception",
  "reason": "action [indices:data/read/search] is unauthorized for API key id [VuaCfGcBCdbkQm-e5aOx] of user [portal] on indices [selfservice-knowledge]"}],
  "type": "security_exception",
  "reason": "action [indices:data/read/search] is unauthorized for API key id [VuaCfGcBCdbkQm-e5aOx] of user [portal] on indices [selfservice-knowledge]"},
  "status": 403})";
}

inline std::string TooManyRequests() {
  return R"({"error": {"root_cause": [{"type": "es_rejected_execution_exception",
  "reason": "rejected execution of TimedRunnable on EsThreadPoolExecutor[name = node-1/search, queue capacity = 1000]"}],
  "type": "es_rejected_execution_exception",
  "reason": "rejected execution of TimedRunnable on EsThreadPoolExecutor[name = node-1/search, queue capacity = 1000]"},
  "status": 429})";
}

inline std::string AllShardsFailed() {
  return R"({"error": {"root_cause": [], "type": "search_phase_execution_exception",
  "reason": "all shards failed", "phase": "query", "grouped": true, "failed_shards": []}, "status": 503})";
}

inline std::string IndexNotFound() {
  return R"({"error": {"root_cause": [{"type": "index_not_found_exception",
  "reason": "no such index [selfservice-knowledge]", "resource.type": "index_or_alias",
  "resource.id": "selfservice-knowledge", "index_uuid": "_na_", "index": "selfservice-knowledge"}],
  "type": "index_not_found_exception", "reason": "no such index [selfservice-knowledge]",
  "resource.type": "index_or_alias", "resource.id": "selfservice-knowledge", "index_uuid": "_na_",
  "index": "selfservice-knowledge"}, "status": 404})";
}

}  // namespace selfservice::test::es

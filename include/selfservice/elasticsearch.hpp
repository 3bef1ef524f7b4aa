// The Elasticsearch 8 adapter of the SearchBackend port, over its REST API (docs/ELASTICSEARCH.md).
//
// All tenants share one index; every document carries its tenant_id and is routed by it, and every
// search filters on the caller's tenant (docs/ELASTICSEARCH.md says why one index and not one per
// tenant). Chinese articles are analysed by Elasticsearch's built-in `cjk` analyzer (overlapping
// bigrams), English ones by the built-in `english` analyzer (stemming, stop words), each language
// in its own fields.
//
// Every failure of the cluster, including its refusal of our credentials and its refusal of a
// query, is reported as 20002 (kSearchUnavailable), retryable when the cluster may answer later
// (connection refused, timeout, 5xx, 429, garbage), so a CircuitBreaker in front of it
// (the FallbackSearch decorator) counts it and the local engine answers instead.
//
// Thread safety: an ElasticsearchSearch is safe to use from many threads at once; no method throws.

#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "selfservice/context.hpp"
#include "selfservice/model.hpp"
#include "selfservice/search.hpp"
#include "selfservice/status.hpp"

namespace selfservice {

struct ElasticsearchOptions {
  // Base URLs of the cluster's HTTP endpoints ("http://es1:9200", "https://es.example.com"). A call
  // starts at the next node in turn and moves on to the following one only when no connection
  // could be made. Credentials never go in the URL: use api_key or username/password.
  std::vector<std::string> urls;
  // The shared index (or an alias of it). Lowercase, as Elasticsearch requires.
  std::string index = "selfservice-knowledge";
  // The "encoded" value of an API key (sent as "Authorization: ApiKey <api_key>"), or else the
  // user and password of basic authentication. Never logged, never put in a status detail.
  std::string api_key;
  std::string username;
  std::string password;
  // Bounds every request. Give the circuit breaker the same value as its slow-call duration.
  std::int64_t request_timeout_ms = 2000;
  std::int64_t connect_timeout_ms = 1000;  // capped at request_timeout_ms
  // PEM bundle that signs the cluster's certificate (Elasticsearch 8 makes its own CA:
  // config/certs/http_ca.crt); empty: the system's trusted CAs.
  std::string ca_file;
  // suggest_ticket is set when nothing matched, or when the best _score is below this. Scores are
  // BM25 sums and depend on the corpus: calibrate on your own data; 0 means "only when nothing
  // matched".
  double suggest_ticket_below_score = 0;
  // Articles per _bulk request.
  int bulk_batch_size = 500;
};

// One FieldError per bad option, named as the option is; empty when the options are usable.
std::vector<FieldError> Validate(const ElasticsearchOptions& options);

class ElasticsearchSearch : public SearchBackend {
 public:
  // An adapter for the cluster, or 10001 with the errors of Validate(). Creating it sends nothing.
  static Result<std::unique_ptr<ElasticsearchSearch>> Create(ElasticsearchOptions options);

  // name() is "elasticsearch".

  // Creates the index with its mapping unless it (or an alias of that name) exists already.
  // Index() calls it on its first use; call it at start-up to find configuration faults early.
  virtual Status EnsureIndex() = 0;

  // Adds or replaces the scope tenant's `articles` (matched by id), whatever their status: drafts
  // and archived articles are stored and filtered out at search time. An article of another
  // tenant is refused with 10001 and nothing is sent. Sent through _bulk in batches; the index
  // refreshes on its own schedule (1 s by default), so a search right after may miss them.
  virtual Status Index(const Scope& scope, const std::vector<KnowledgeArticle>& articles) = 0;

  // Removes the scope tenant's articles with these ids; ids that are not indexed are ignored.
  virtual Status Remove(const Scope& scope, const std::vector<std::int64_t>& ids) = 0;

  // Removes the scope tenant's articles with these external ids (a KnowledgeSource's deletions
  // name no local id), through _delete_by_query; ids that are not indexed are ignored.
  virtual Status RemoveByExternalId(const Scope& scope, const std::vector<std::string>& external_ids) = 0;
};

}  // namespace selfservice

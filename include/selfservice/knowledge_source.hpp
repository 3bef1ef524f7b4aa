// KnowledgeSource: the port to a remote knowledge base that owns articles the portal serves, and
// the adapter for the platform's knowledge base (REQ-005, spec 5.3) over its REST API
// (docs/KNOWLEDGE_SOURCE.md).
//
// The portal never searches the remote knowledge base on a customer's request: KnowledgeSync
// pulls its articles into the local store incrementally (the store's FTS5 index follows through
// its triggers), and ForwardVote passes a customer's helpful/unhelpful vote back to it through a
// circuit breaker, so a slow or dead knowledge base never fails or slows a customer's action.
//
// Every failure of the remote knowledge base, including its refusal of our credentials, is a
// 20002 (kSearchUnavailable: it is the portal's knowledge/search dependency), retryable when it
// may answer later (connection refused, timeout, 5xx, 429, an answer that is not the envelope),
// so CountsAsFailure() counts it.
//
// Thread safety: a KnowledgeSource is safe to use from many threads at once; KnowledgeSync and
// ForwardVote hold no state of their own. Nothing here throws.

#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "selfservice/circuit_breaker.hpp"
#include "selfservice/context.hpp"
#include "selfservice/model.hpp"
#include "selfservice/repository.hpp"
#include "selfservice/status.hpp"

namespace selfservice {

// One remote item that could not be read as an article; the rest of its batch is still used.
struct ItemError {
  std::string external_id;  // empty when the item has no usable id
  std::string reason;       // developer-facing: which field is missing or malformed
};

// One page of changes since a cursor.
struct ChangeBatch {
  // Articles created or updated since the cursor, oldest change first. external_id is the
  // source's id, source is the KnowledgeSource's name(); id, votes and views are not set.
  std::vector<KnowledgeArticle> articles;
  std::vector<std::string> deleted;  // external ids of articles removed at the source
  std::vector<ItemError> errors;     // items that were neither an article nor a deletion
  // Where the next call continues. Store it after the batch is applied: passing it back never
  // loses a change (at worst an article is fetched twice).
  std::string next_cursor;
  bool more = false;  // the source holds more changes now: call again with next_cursor
};

// What to recommend articles for: an article of the source (its external id), or else free text.
struct RecommendationRequest {
  std::string external_id;
  std::string query;
  int limit = 5;  // 1 … 100
};

class KnowledgeSource {
 public:
  KnowledgeSource() = default;
  KnowledgeSource(const KnowledgeSource&) = delete;
  KnowledgeSource& operator=(const KnowledgeSource&) = delete;
  virtual ~KnowledgeSource() = default;

  // For diagnostics, and the `source` stamped on the articles it returns ("req-005").
  virtual std::string_view name() const = 0;

  // At most `limit` (1 … 1000) changes of the scope's tenant after `cursor`; nullopt starts from
  // the beginning. A cursor is a next_cursor of an earlier batch, or an ISO-8601 timestamp (from a
  // change notification, for example): changes at or after that moment.
  virtual Result<ChangeBatch> Changes(const Scope& scope, std::optional<std::string> cursor, int limit) = 0;

  // Published articles the source recommends, best first; items it cannot read are left out.
  virtual Result<std::vector<KnowledgeArticle>> Recommendations(const Scope& scope,
                                                                const RecommendationRequest& request) = 0;

  // Tells the source that a customer found its article helpful or not. 10004 when the source
  // does not know the article.
  virtual Status SendFeedback(const Scope& scope, std::string_view external_id, bool helpful) = 0;
};

// --- The platform's knowledge base (REQ-005) ------------------------------------------------------

struct PlatformKnowledgeOptions {
  // The platform's API root ("https://platform.example.com"); /api/v1/knowledge/... is appended.
  // Credentials never go in the URL.
  std::string base_url;
  // Sent as "Authorization: Bearer <api_token>". Never logged, never put in a status detail.
  std::string api_token;
  // Bounds every request. Give the circuit breaker the same value as its slow-call duration.
  std::int64_t timeout_ms = 2000;
  std::int64_t connect_timeout_ms = 1000;  // capped at timeout_ms
  std::string ca_file;                     // PEM bundle for https; empty: the system's trusted CAs
};

// One FieldError per bad option, named as the option is; empty when the options are usable.
std::vector<FieldError> Validate(const PlatformKnowledgeOptions& options);

// The adapter (name() "req-005"), or 10001 with the errors of Validate(). Creating it sends nothing.
Result<std::unique_ptr<KnowledgeSource>> CreatePlatformKnowledgeSource(PlatformKnowledgeOptions options);

// --- Pulling articles into the local store ------------------------------------------------------

struct SyncOptions {
  int page_size = 100;  // changes asked for per Changes() call, 1 … 1000
  int max_pages = 50;   // Changes() calls per SyncOnce(), so one call stays bounded
};

struct SyncReport {
  std::int64_t fetched = 0;  // items received: articles, deletions and unreadable items
  std::int64_t created = 0;  // articles new to the store
  std::int64_t updated = 0;  // articles that replaced the stored one with their external id
  std::int64_t deleted = 0;  // articles removed from the store (a deletion of one never pulled is no-op)
  std::int64_t failed = 0;   // items of the source that could not be read or are invalid
  std::vector<ItemError> errors;
  std::string next_cursor;  // pass it to the next SyncOnce()
  bool more = false;        // max_pages was reached before the source ran out of changes
  // OK, or the failure of the source or the store that stopped the run after earlier pages were
  // applied; next_cursor is then where those pages end.
  Status interrupted_by;
};

class KnowledgeSync {
 public:
  explicit KnowledgeSync(SyncOptions options = {});

  // Pulls changes after `cursor` page by page until the source has no more or max_pages pages
  // were read, and upserts each page's valid articles by external_id in one UpsertMany (articles
  // keep their local id, votes and views). An invalid article (spec 3.2 limits) is counted in
  // `failed` and skipped. Fails when the source or the store fails on the first page; a failure
  // on a later page ends the run with the pages before it applied and reports it in
  // `interrupted_by`.
  Result<SyncReport> SyncOnce(const Scope& scope, KnowledgeSource& source, KnowledgeRepository& articles,
                              std::optional<std::string> cursor) const;

 private:
  SyncOptions options_;
};

// One FieldError (OUT_OF_RANGE) per bad option; SyncOnce() refuses bad options with 10001 and them.
std::vector<FieldError> Validate(const SyncOptions& options);

// --- Forwarding votes --------------------------------------------------------------------------

// Why a vote was not forwarded, besides the fallback_reason::* values of the breaker.
namespace forward_reason {
// The article was not pulled from this source (no external id, or another `source`).
inline constexpr const char* kNotFromSource = "not_from_source";
// The source answered with a refusal that is not its own trouble (it does not know the article).
inline constexpr const char* kRejected = "rejected";
}  // namespace forward_reason

struct VoteForwarding {
  bool forwarded = false;
  std::string reason;  // forward_reason::* or fallback_reason::*; empty when forwarded
};

// Forwards a vote on `article` (as stored after KnowledgeRepository::Vote) to `source` through
// `breaker`. Never fails: a refusal by the breaker, a failure or a rejection is reported as data,
// and the customer's vote, already stored, stands.
VoteForwarding ForwardVote(CircuitBreaker& breaker, KnowledgeSource& source, const Scope& scope,
                           const KnowledgeArticle& article, bool helpful) noexcept;

}  // namespace selfservice

// Repositories: the storage ports, one per aggregate, and the Store that groups them.
//
// Every method takes a Scope first: a query without a tenant cannot be written, and an object
// outside the caller's row-level visibility is reported as kNotFound, exactly as if it did not
// exist. Lists apply the same visibility and answer an empty page, never an error.
//
// Adapters are chosen by the scheme of a storage URI ("sqlite::memory:", "sqlite:/path/portal.db",
// later "postgresql://...") through a small registry, so callers never name a concrete adapter.
//
// Thread safety: every Store and repository must be safe to use from many threads at once, and no
// method may throw: failures are Status values (kDatabaseUnavailable for the engine's own
// trouble, marked retryable when waiting may help).

#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "selfservice/context.hpp"
#include "selfservice/model.hpp"
#include "selfservice/search.hpp"
#include "selfservice/status.hpp"

namespace selfservice {

struct PageRequest {
  int page = 1;  // 1-based
  int size = 20;
};

template <typename T>
struct Page {
  std::vector<T> items;
  std::int64_t total = 0;  // matching items across all pages
};

class PortalConfigRepository {
 public:
  PortalConfigRepository() = default;
  PortalConfigRepository(const PortalConfigRepository&) = delete;
  PortalConfigRepository& operator=(const PortalConfigRepository&) = delete;
  virtual ~PortalConfigRepository() = default;

  // The stored configuration of `customer_id` in the scope's tenant, or nullopt when there is none.
  virtual Result<std::optional<PortalConfig>> Find(const Scope& scope, std::int64_t customer_id) = 0;

  // Atomically reads the configuration (a default one when none is stored), lets `mutate` change
  // it, and stores the result unless `mutate` fails. Returns what was stored.
  virtual Result<PortalConfig> Upsert(const Scope& scope, std::int64_t customer_id,
                                      const std::function<Status(PortalConfig&)>& mutate) = 0;
};

struct SessionFilter {
  std::optional<SessionState> state;
  std::optional<SessionType> session_type;
  std::optional<std::int64_t> user_id;  // only this user's sessions (within what the scope sees)
};

// What one atomic session update produced: the session as stored and the interactions appended.
struct SessionUpdate {
  Session session;
  std::vector<Interaction> appended;
};

class SessionRepository {
 public:
  SessionRepository() = default;
  SessionRepository(const SessionRepository&) = delete;
  SessionRepository& operator=(const SessionRepository&) = delete;
  virtual ~SessionRepository() = default;

  // Stores a new session; tenant, customer and user come from `session`, which the engine filled
  // from the same scope. Returns it with its row id.
  virtual Result<Session> Create(const Scope& scope, Session session) = 0;
  virtual Result<Session> Get(const Scope& scope, std::string_view session_id) = 0;
  virtual Result<Page<Session>> List(const Scope& scope, const SessionFilter& filter,
                                     PageRequest page) = 0;

  // Atomically reads the session, lets `mutate` change it and queue interactions to append, and
  // stores both unless `mutate` fails; nothing is written on failure.
  using Mutation = std::function<Status(Session& session, std::vector<Interaction>& append)>;
  virtual Result<SessionUpdate> Update(const Scope& scope, std::string_view session_id,
                                       const Mutation& mutate) = 0;

  // Interactions of one visible session, oldest first.
  virtual Result<Page<Interaction>> ListInteractions(const Scope& scope, std::string_view session_id,
                                                     PageRequest page) = 0;

  // Sets the helpful rating (1-5) of one interaction of a visible session, atomically; returns the
  // interaction as stored and its rating before. kNotFound when no visible session holds it.
  struct Rated {
    Interaction interaction;
    std::optional<int> previous_rating;
  };
  virtual Result<Rated> RateInteraction(const Scope& scope, std::int64_t interaction_id, int rating) = 0;

  // Session ids of paused sessions last updated at or before `idle_since`, at most `limit`.
  virtual Result<std::vector<std::string>> ListIdlePaused(const Scope& scope, Timestamp idle_since,
                                                          int limit) = 0;
};

struct FeedbackFilter {
  std::optional<FeedbackState> state;
  std::optional<FeedbackType> feedback_type;
};

class FeedbackRepository {
 public:
  FeedbackRepository() = default;
  FeedbackRepository(const FeedbackRepository&) = delete;
  FeedbackRepository& operator=(const FeedbackRepository&) = delete;
  virtual ~FeedbackRepository() = default;

  virtual Result<Feedback> Create(const Scope& scope, Feedback feedback) = 0;
  virtual Result<Feedback> Get(const Scope& scope, std::int64_t id) = 0;
  virtual Result<Page<Feedback>> List(const Scope& scope, const FeedbackFilter& filter,
                                      PageRequest page) = 0;
  // Atomically reads, mutates and stores one feedback; nothing is written when `mutate` fails.
  virtual Result<Feedback> Update(const Scope& scope, std::int64_t id,
                                  const std::function<Status(Feedback&)>& mutate) = 0;
};

struct BehaviorFilter {
  std::optional<ActionType> action_type;
  std::optional<std::string> session_id;
};

// Which search events TopSearches() weighs, and how.
struct TrendQuery {
  Timestamp since;  // searches made at or after this
  Timestamp now;    // and at or before this; ages are measured from here
  std::int64_t half_life_millis = 24LL * 3600 * 1000;  // a search this old counts half
  // Only keywords that start with this (normalised as SearchTrend::keywords are); empty: all.
  std::string prefix;
  int limit = 10;
};

// One normalised search query of the tenant and how much it has been asked lately.
struct SearchTrend {
  std::string keywords;  // trimmed, ASCII lowercased, every run of white space one space
  double weight = 0;     // the sum over its searches of 0.5^(age / half_life)
  std::int64_t count = 0;  // its searches in the window
};

class AnalyticsRepository {
 public:
  AnalyticsRepository() = default;
  AnalyticsRepository(const AnalyticsRepository&) = delete;
  AnalyticsRepository& operator=(const AnalyticsRepository&) = delete;
  virtual ~AnalyticsRepository() = default;

  // Appends all events or none.
  virtual Status Append(const Scope& scope, const std::vector<BehaviorEvent>& events) = 0;
  // Newest first.
  virtual Result<Page<BehaviorEvent>> List(const Scope& scope, const BehaviorFilter& filter,
                                           PageRequest page) = 0;

  // The tenant's most searched keywords in the window, heaviest first (then by keywords): events
  // with action_type search and keywords, except searches recorded as finding nothing
  // (action_target "results:0"), grouped by their normalised keywords. Unless the scope sees the
  // whole tenant, keywords searched by a single customer other than the scope's are left out: one
  // customer's queries may hold its private details (an order number, a name), while a question
  // two customers asked is the tenant's.
  virtual Result<std::vector<SearchTrend>> TopSearches(const Scope& scope, const TrendQuery& query) = 0;
};

enum class KnowledgeOrder {
  kNewest,      // updated_at, then id, descending
  kMostViewed,  // views, then id, descending
};

struct KnowledgeFilter {
  std::optional<ArticleLang> lang;
  std::optional<std::string> category;
  std::optional<PublicationStatus> status;
  KnowledgeOrder order = KnowledgeOrder::kNewest;  // of List()
};

// How many articles carry one category or one tag.
struct LabelCount {
  std::string label;
  std::int64_t count = 0;
};

// What one upsert did: the article as stored, and whether it was new.
struct UpsertOutcome {
  KnowledgeArticle article;
  bool created = false;
};

// One entry of a tenant's synonym dictionary.
struct SynonymEntry {
  std::string term;                   // 1-100 characters
  std::vector<std::string> synonyms;  // at most 20, each 1-100 characters
  Timestamp updated_at;
};

// Knowledge articles belong to the tenant: every user of the tenant may read them (the engine
// decides which statuses a role sees); writes are for administrators.
class KnowledgeRepository {
 public:
  KnowledgeRepository() = default;
  KnowledgeRepository(const KnowledgeRepository&) = delete;
  KnowledgeRepository& operator=(const KnowledgeRepository&) = delete;
  virtual ~KnowledgeRepository() = default;

  // Stores every article in one transaction, or none: an article with an external_id replaces the
  // tenant's article with that external_id (keeping its id, votes and views), one with an id > 0
  // replaces that article (keeping its external_id when the replacement has none), any other is
  // inserted. Outcomes are in the order of `articles`. Ids are never reused after a delete.
  virtual Result<std::vector<UpsertOutcome>> UpsertMany(const Scope& scope,
                                                        std::vector<KnowledgeArticle> articles) = 0;
  virtual Result<KnowledgeArticle> Get(const Scope& scope, std::int64_t id) = 0;
  virtual Status Delete(const Scope& scope, std::int64_t id) = 0;
  // Deletes the article the source knows as `external_id`; kNotFound when there is none.
  virtual Status DeleteByExternalId(const Scope& scope, std::string_view external_id) = 0;
  // In the filter's order.
  virtual Result<Page<KnowledgeArticle>> List(const Scope& scope, const KnowledgeFilter& filter,
                                              PageRequest page) = 0;
  // Adds one helpful or unhelpful vote, or one view, atomically; returns the article as stored.
  virtual Result<KnowledgeArticle> Vote(const Scope& scope, std::int64_t id, bool helpful) = 0;
  virtual Result<KnowledgeArticle> RecordView(const Scope& scope, std::int64_t id) = 0;

  // Like List(), of the articles that carry every one of `tags`.
  virtual Result<Page<KnowledgeArticle>> ListTagged(const Scope& scope, const std::vector<std::string>& tags,
                                                    const KnowledgeFilter& filter, PageRequest page) = 0;
  // The number of articles with `status` (and `lang`) per category, most first, then by name.
  // Articles without a category are not counted.
  virtual Result<std::vector<LabelCount>> CategoryCounts(const Scope& scope, std::optional<ArticleLang> lang,
                                                         PublicationStatus status) = 0;
  // The same per tag, the `limit` most used.
  virtual Result<std::vector<LabelCount>> TagCounts(const Scope& scope, std::optional<ArticleLang> lang,
                                                    PublicationStatus status, int limit) = 0;
  // Distinct titles of the articles with `status` (and `lang`) that contain `fragment`, ignoring
  // the case of ASCII letters: titles that start with it first, then by views; at most `limit`.
  // An empty fragment matches no title.
  virtual Result<std::vector<std::string>> TitlesContaining(const Scope& scope, std::string_view fragment,
                                                            std::optional<ArticleLang> lang,
                                                            PublicationStatus status, int limit) = 0;

  // The tenant's synonym dictionary: `term` and its `synonyms` form one group of equivalent
  // expressions. Setting an empty list removes the entry.
  virtual Status SetSynonyms(const Scope& scope, const SynonymEntry& entry) = 0;
  // Entries by term.
  virtual Result<Page<SynonymEntry>> ListSynonyms(const Scope& scope, PageRequest page) = 0;
};

// What the portal remembers of one tenant's Elasticsearch index between restarts
// (docs/ELASTICSEARCH.md): whether a mirror failed since the last successful reindex, how many
// have failed ever (the marks' generation), and the deletions the index has not been sent.
struct SearchIndexMarks {
  bool behind = false;
  std::int64_t misses = 0;
  std::vector<std::int64_t> removed_ids;            // by local id, ascending
  std::vector<std::string> removed_external_ids;    // by the source's id, ascending
};

// One mirror that did not reach the index: at most one deletion to remember with it.
struct SearchIndexMiss {
  std::optional<std::int64_t> removed_id;           // > 0
  std::optional<std::string> removed_external_id;   // 1-100 characters, as an article's
  Timestamp at;
};

// Where a tenant's knowledge.sync stopped, per knowledge source (docs/KNOWLEDGE_SOURCE.md).
struct SyncCursor {
  std::string source;  // the source's name(), 1-64 characters
  std::string cursor;  // at most 4096 characters
  Timestamp updated_at;
};

// The portal's own state about the remote systems it keeps in step with: the marks of the
// Elasticsearch mirror and the knowledge source's sync cursors. Both belong to the tenant;
// another tenant's state is never seen (reads answer nothing, not an error).
class RemoteStateRepository {
 public:
  RemoteStateRepository() = default;
  RemoteStateRepository(const RemoteStateRepository&) = delete;
  RemoteStateRepository& operator=(const RemoteStateRepository&) = delete;
  virtual ~RemoteStateRepository() = default;

  // The tenant's marks; a tenant never marked is not behind and has nothing pending.
  virtual Result<SearchIndexMarks> FindSearchIndexMarks(const Scope& scope) = 0;
  // Atomically marks the tenant behind, counts the miss and remembers its deletion, if any.
  virtual Status MarkSearchIndexBehind(const Scope& scope, const SearchIndexMiss& miss) = 0;
  // After a reindex that started from marks of generation `misses` and reached the index:
  // forgets the deletions remembered up to that generation and, unless a mirror failed since,
  // clears the mark. Answers ok when there is nothing to clear.
  virtual Status ClearSearchIndexMarks(const Scope& scope, std::int64_t misses, Timestamp at) = 0;

  // The tenant's cursor for `source`, or nullopt when no sync of it has finished.
  virtual Result<std::optional<SyncCursor>> FindSyncCursor(const Scope& scope, std::string_view source) = 0;
  // Stores (replaces) the tenant's cursor for cursor.source.
  virtual Status SaveSyncCursor(const Scope& scope, const SyncCursor& cursor) = 0;
};

// All repositories of one storage backend.
// --- The outbox -----------------------------------------------------------------------------------

// A call to a remote system that must happen at least once (learning feedback today), kept in the
// store until it is delivered so that a restart loses none (docs/AI.md, "The outbox").
struct OutboxItem {
  std::int64_t id = 0;
  std::int64_t tenant_id = 0;
  std::string topic;            // who delivers it ("ai.learning_feedback"), 1-64 characters
  std::string idempotency_key;  // unique per tenant and topic, sent with every attempt; 1-200
  std::string payload;          // JSON text, what the topic's deliverer reads; at most 64 KiB
  int attempts = 0;             // failed attempts so far
  Timestamp next_attempt_at;    // not tried before this
  std::optional<std::string> last_error;
  Timestamp created_at;
  std::optional<Timestamp> delivered_at;
  bool abandoned = false;  // given up: refused by the remote system, or out of attempts
};

struct OutboxCounts {
  std::int64_t pending = 0;  // neither delivered nor abandoned
  std::int64_t delivered = 0;
  std::int64_t abandoned = 0;
  std::optional<Timestamp> oldest_pending;  // created_at of the oldest pending item
};

class OutboxRepository {
 public:
  OutboxRepository() = default;
  OutboxRepository(const OutboxRepository&) = delete;
  OutboxRepository& operator=(const OutboxRepository&) = delete;
  virtual ~OutboxRepository() = default;

  // Stores `item` (tenant from the scope) unless the tenant already holds one with its topic and
  // idempotency key; returns the stored item and whether it is new.
  struct Enqueued {
    OutboxItem item;
    bool created = false;
  };
  virtual Result<Enqueued> Enqueue(const Scope& scope, OutboxItem item) = 0;

  // Takes up to `limit` pending items due at `now`, earliest due first, and moves their
  // next_attempt_at to `lease_until` in the same transaction, so a concurrent relay does not take
  // them too; an item whose relay dies is due again when the lease ends.
  virtual Result<std::vector<OutboxItem>> Lease(const Scope& scope, Timestamp now, Timestamp lease_until,
                                                int limit) = 0;
  virtual Status MarkDelivered(const Scope& scope, std::int64_t id, Timestamp at) = 0;
  // Counts a failed attempt with its error; the item is due again at `next_attempt_at`, or
  // abandoned for good when `give_up`.
  virtual Status MarkFailed(const Scope& scope, std::int64_t id, Timestamp next_attempt_at, std::string error,
                            bool give_up) = 0;
  // The tenant's items, of one topic or (nullopt) of all.
  virtual Result<OutboxCounts> Counts(const Scope& scope, const std::optional<std::string>& topic) = 0;
};

class Store {
 public:
  Store() = default;
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;
  virtual ~Store() = default;

  // For diagnostics, e.g. "sqlite".
  virtual std::string_view name() const = 0;

  virtual PortalConfigRepository& portal_configs() = 0;
  virtual SessionRepository& sessions() = 0;
  virtual FeedbackRepository& feedback() = 0;
  virtual AnalyticsRepository& analytics() = 0;
  virtual KnowledgeRepository& knowledge() = 0;
  virtual RemoteStateRepository& remote_state() = 0;
  virtual OutboxRepository& outbox() = 0;
  // The backend's own knowledge search over knowledge() (for SQLite: FTS5).
  virtual SearchBackend& search() = 0;
};

struct StoreOptions {
  int pool_size = 4;              // connections for concurrent readers
  int busy_timeout_millis = 5000;  // how long a writer waits for a lock held by another process
};

// Opens the store a storage URI names: "sqlite::memory:" (a private in-memory database) or
// "sqlite:/path/portal.db" (a file, created when missing, migrated to the current schema).
// Unknown schemes answer kInvalidArgument on the field "storage".
Result<std::unique_ptr<Store>> OpenStore(std::string_view uri, const StoreOptions& options = {});

// Makes OpenStore() understand "scheme:..." URIs; `factory` receives the whole URI.
using StoreFactory =
    std::function<Result<std::unique_ptr<Store>>(std::string_view uri, const StoreOptions& options)>;
void RegisterStoreScheme(std::string scheme, StoreFactory factory);

}  // namespace selfservice

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
#include <utility>
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

// Sums of the feedback in a window, from which feedback.stats computes its averages and shares.
struct FeedbackTotals {
  struct Group {
    std::int64_t count = 0;
    std::int64_t rated = 0;       // with a rating
    std::int64_t rating_sum = 0;  // of those ratings
    std::int64_t contact_required = 0;
  };
  Group all;
  std::int64_t distribution[5] = {};  // how many rated 1, 2, 3, 4, 5
  std::vector<std::pair<FeedbackType, Group>> by_type;  // types with feedback only
  std::vector<std::pair<std::int64_t, Group>> by_day;   // UTC day number (created_at / 86400000), ascending
  struct Dimension {
    std::string name;
    std::int64_t count = 0;
    std::int64_t sum = 0;
  };
  std::vector<Dimension> dimensions;  // by name
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
  // Sums over the visible feedback created in [from, to) (feedback.stats).
  virtual Result<FeedbackTotals> Totals(const Scope& scope, Timestamp from, Timestamp to) = 0;
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

// --- Identity: accounts and the short-lived state of logins (docs/SECURITY.md) --------------------

enum class UserStatus { active, disabled, erased };

// One account of a tenant's customer. Secrets never leave the library: password_hash, totp_secret
// and recovery_code_hashes are not part of any answer. Stores keep email, phone and totp_secret
// encrypted (StoreOptions::encryption_keys) and find accounts by email through a keyed blind
// index, never by the plaintext.
struct User {
  std::int64_t id = 0;
  std::int64_t tenant_id = 0;
  std::int64_t customer_id = 0;
  std::string username;                 // 3-64 of [A-Za-z0-9._@-], unique per tenant ignoring case
  std::optional<std::string> email;     // at most 255, unique per tenant ignoring case
  std::optional<std::string> phone;     // at most 32
  std::string display_name;             // at most 100 characters
  unsigned roles = static_cast<unsigned>(Role::kCustomerUser);  // Role bits, never 0
  UserStatus status = UserStatus::active;
  std::string password_hash;  // PHC string (Argon2id); empty for an account that signs in by SSO only
  Timestamp password_changed_at;
  // MFA: "totp" or "email" once enabled; a TOTP secret (base32) is kept from enrolment on, and
  // the last accepted time step refuses a replayed code.
  std::optional<std::string> mfa_method;
  bool mfa_enabled = false;
  std::optional<std::string> totp_secret;
  std::int64_t totp_last_step = -1;
  std::vector<std::string> recovery_code_hashes;  // SHA-256 hex of each unused recovery code
  std::optional<std::string> sso_subject;         // "issuer sub" of the OIDC identity mapped to it
  std::optional<Timestamp> last_login_at;
  Timestamp created_at;
  Timestamp updated_at;
};

struct UserFilter {
  std::optional<std::int64_t> customer_id;  // platform_admin: one customer of the tenant
  std::optional<UserStatus> status;
  std::optional<Role> role;                 // accounts holding this role
  std::optional<std::string> query;         // username or display name contains it (ignoring case)
};

// Accounts. Visibility follows the Scope like every other object: a customer_user sees only their
// own account (user_id == id), a customer_admin the accounts of their customer, a platform_admin
// the tenant's. Username and email are unique per tenant, ignoring case: a duplicate answers
// 10001 with FIELD_DUPLICATE on the field.
class UserRepository {
 public:
  UserRepository() = default;
  UserRepository(const UserRepository&) = delete;
  UserRepository& operator=(const UserRepository&) = delete;
  virtual ~UserRepository() = default;

  // Stores `user` in the scope's tenant (tenant_id is taken from the scope; id and times are set).
  virtual Result<User> Create(const Scope& scope, User user) = 0;
  virtual Result<User> Get(const Scope& scope, std::int64_t id) = 0;
  // The account whose username or email is `login` (ignoring case), or 10004.
  virtual Result<User> FindByLogin(const Scope& scope, std::string_view login) = 0;
  // The account mapped to the SSO identity `subject`, or 10004.
  virtual Result<User> FindBySsoSubject(const Scope& scope, std::string_view subject) = 0;
  virtual Result<Page<User>> List(const Scope& scope, const UserFilter& filter, PageRequest page) = 0;
  // Atomically reads the account, lets `mutate` change it and stores the result unless `mutate`
  // fails (id, tenant_id and created_at are kept whatever it does). Returns what was stored.
  using Mutation = std::function<Status(User& user)>;
  virtual Result<User> Update(const Scope& scope, std::int64_t id, const Mutation& mutate) = 0;
};

// A login: the family of refresh tokens one sign-in started. Each refresh replaces
// `refresh_id`; presenting an older one is a reuse (a stolen token), which revokes the family.
struct LoginSession {
  std::string id;            // random, 32 hex digits: the tokens' "sid"
  std::int64_t tenant_id = 0;
  std::int64_t customer_id = 0;
  std::int64_t user_id = 0;
  std::string refresh_id;    // the current refresh token's "jti"
  int generation = 0;        // refreshes so far
  Timestamp created_at;
  Timestamp refreshed_at;
  Timestamp expires_at;      // the refresh token's expiry; refreshing moves it
  std::optional<Timestamp> revoked_at;
  std::optional<std::string> revoked_reason;  // "logout", "reuse", "admin", "password", "disabled"
  std::optional<std::string> ip_address;      // of the sign-in; encrypted at rest
  std::optional<std::string> user_agent;      // encrypted at rest
};

// Failed sign-ins counted under one key ("user:<id>" or "ip:<address>") inside a window.
struct LoginFailures {
  int failures = 0;
  std::optional<Timestamp> locked_until;
};

// A single-use secret: a password-reset token, a pending MFA sign-in, an e-mailed code. Only its
// SHA-256 is stored. `payload` is the purpose's own JSON (e.g. the hash of an e-mailed code).
struct OneTimeToken {
  std::string purpose;       // "password_reset", "mfa_login", "mfa_email", ...: 1-32 characters
  std::string token_hash;    // SHA-256 hex of the secret
  std::int64_t user_id = 0;
  std::int64_t customer_id = 0;
  std::string payload = "{}";
  int attempts = 0;          // wrong answers so far
  Timestamp created_at;
  Timestamp expires_at;
  std::optional<Timestamp> used_at;
};

// The short-lived state of logins, kept apart from the accounts so that a host may put it in a
// faster store (Redis) than its database: login sessions (refresh-token families), failure
// counters and lockouts, and single-use tokens. Not to be confused with SessionRepository, the
// self-service sessions of spec 3.2. Everything is per tenant (row-level rights are the caller's
// to check): another tenant's login is 10004 like a missing one, and another tenant's token is
// 10002 like any token UseToken cannot use.
class SessionStore {
 public:
  SessionStore() = default;
  SessionStore(const SessionStore&) = delete;
  SessionStore& operator=(const SessionStore&) = delete;
  virtual ~SessionStore() = default;

  virtual Status CreateSession(const Scope& scope, const LoginSession& session) = 0;
  virtual Result<LoginSession> GetSession(const Scope& scope, std::string_view session_id) = 0;
  // Replaces the session's refresh id `presented` by `next`, moving expires_at, in one step.
  // When `presented` is not the current one (an old token used again), revokes the session with
  // reason "reuse" and answers 10002; a revoked or expired session answers 10002.
  virtual Result<LoginSession> RotateRefresh(const Scope& scope, std::string_view session_id,
                                             std::string_view presented, std::string_view next, Timestamp now,
                                             Timestamp expires_at) = 0;
  // Revokes one session (10004 when there is none; revoking twice is not an error).
  virtual Status RevokeSession(const Scope& scope, std::string_view session_id, std::string_view reason,
                               Timestamp at) = 0;
  // Revokes every live session of `user_id`; returns how many.
  virtual Result<std::int64_t> RevokeUserSessions(const Scope& scope, std::int64_t user_id, std::string_view reason,
                                                  Timestamp at) = 0;
  // Deletes the sessions of `user_id` and their tokens (users.erase).
  virtual Status DeleteUserState(const Scope& scope, std::int64_t user_id) = 0;

  // Counts a failure under `key` at `now` in one step: failures older than `window` are forgotten
  // first, and reaching `threshold` locks the key until now + lock_for. Returns the new state.
  virtual Result<LoginFailures> RecordFailure(const Scope& scope, std::string_view key, Timestamp now,
                                              std::int64_t window_millis, int threshold,
                                              std::int64_t lock_for_millis) = 0;
  // The key's state at `now` (an expired lock reads as none).
  virtual Result<LoginFailures> Failures(const Scope& scope, std::string_view key, Timestamp now) = 0;
  virtual Status ClearFailures(const Scope& scope, std::string_view key) = 0;

  virtual Status IssueToken(const Scope& scope, const OneTimeToken& token) = 0;
  // Uses the token of `purpose` whose hash is `token_hash`, in one step: when it exists, is
  // unused and unexpired at `now`, `check` decides. True marks it used and returns it; false
  // counts a wrong attempt and answers 10002, burning the token at `max_attempts`. A missing,
  // used, expired or burnt token answers 10002.
  using TokenCheck = std::function<bool(const OneTimeToken& token)>;
  virtual Result<OneTimeToken> UseToken(const Scope& scope, std::string_view purpose, std::string_view token_hash,
                                        Timestamp now, int max_attempts, const TokenCheck& check) = 0;
  // Marks every unused token of `purpose` for `user_id` used (a new reset supersedes the old).
  virtual Status RevokeTokens(const Scope& scope, std::int64_t user_id, std::string_view purpose, Timestamp at) = 0;
};

// --- The audit log --------------------------------------------------------------------------------

// One security-relevant event: sign-ins and their failures, lockouts, MFA changes, role, account
// and configuration changes, exports and erasures. Entries are append-only and chained per tenant:
// hash = SHA-256 over the previous entry's hash and this entry's fields, so an edited, removed
// or reordered entry breaks the chain from there on (AuditRepository::Verify).
struct AuditEntry {
  std::int64_t id = 0;  // ascending per store; the chain's order within a tenant
  std::int64_t tenant_id = 0;
  std::optional<std::int64_t> customer_id;
  std::optional<std::int64_t> actor_user_id;  // who acted; none for an anonymous failed sign-in
  std::string action;                         // "auth.login", "auth.lockout", "users.roles.set", ...
  std::string outcome = "success";            // "success" or "failure"
  std::optional<std::string> target;          // what it acted on: "user:42", "portal_config:7"
  boost::json::value details;                 // an object; never secrets
  std::optional<std::string> ip_address;      // encrypted at rest
  std::string trace_id;
  Timestamp at;
  std::string prev_hash;  // 64 hex digits; 64 zeros for a tenant's first entry
  std::string hash;       // 64 hex digits
};

struct AuditFilter {
  std::optional<std::string> action;  // exact, or a prefix ending in "." ("auth.")
  std::optional<std::int64_t> actor_user_id;
  std::optional<Timestamp> from;  // inclusive
  std::optional<Timestamp> to;    // exclusive
};

struct AuditVerification {
  std::int64_t entries = 0;                      // checked
  std::optional<std::int64_t> first_broken_id;  // the first entry whose hash does not hold
};

class AuditRepository {
 public:
  AuditRepository() = default;
  AuditRepository(const AuditRepository&) = delete;
  AuditRepository& operator=(const AuditRepository&) = delete;
  virtual ~AuditRepository() = default;

  // Appends `entry` to the scope's tenant's chain (tenant_id, id, prev_hash and hash are set) and
  // returns it as stored.
  virtual Result<AuditEntry> Append(const Scope& scope, AuditEntry entry) = 0;
  // Newest first. A customer_admin sees the entries of their customer; a platform_admin the tenant's.
  virtual Result<Page<AuditEntry>> List(const Scope& scope, const AuditFilter& filter, PageRequest page) = 0;
  // Recomputes the tenant's whole chain.
  virtual Result<AuditVerification> Verify(const Scope& scope) = 0;
};

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

// --- Tickets ----------------------------------------------------------------------------------

// Which tickets List() answers; every criterion given must hold.
struct TicketFilter {
  std::optional<TicketStatus> status;
  std::optional<std::string> category;
  std::optional<Timestamp> created_from;  // created at or after
  std::optional<Timestamp> created_to;    // created at or before
  // Occurs in the title or the description, ignoring case (1-200 characters).
  std::optional<std::string> keyword;
};

// What one atomic ticket write produced: the ticket as stored and the history events appended.
struct TicketUpdate {
  Ticket ticket;
  std::vector<TicketEvent> appended;
};

// What tickets.status answers, read without the rest of the ticket.
struct TicketStatusView {
  std::int64_t id = 0;
  TicketStatus status = TicketStatus::new_;
  Timestamp updated_at;
};

// A ticket form its user has not submitted (spec 8.2 "工单创建失败：保存草稿"): every field optional.
struct TicketDraft {
  std::int64_t id = 0;
  std::int64_t tenant_id = 0;
  std::int64_t customer_id = 0;
  std::int64_t user_id = 0;
  std::optional<std::string> title;        // at most 200 characters, as a ticket's
  std::optional<std::string> description;  // TEXT
  std::optional<std::string> category;     // 100 characters
  std::optional<int> priority;             // 1-3
  std::optional<std::string> contact_email;
  std::optional<std::string> contact_phone;
  std::optional<std::string> session_id;  // 64 characters
  Timestamp created_at;
  Timestamp updated_at;
};

// Tickets belong to the user who created them (row-level scope as sessions); every change of one
// is a history event written in the same transaction (docs/TICKETS.md).
class TicketRepository {
 public:
  // A user keeps at most this many drafts: saving a new one drops the least recently saved.
  static constexpr int kMaxDrafts = 50;

  TicketRepository() = default;
  TicketRepository(const TicketRepository&) = delete;
  TicketRepository& operator=(const TicketRepository&) = delete;
  virtual ~TicketRepository() = default;

  // Stores a new ticket (owner and tenant from `ticket`, which must be the scope's tenant) with its
  // `created` event (actor: the owner), unless its owner already holds a ticket created with
  // `idempotency_key`: then nothing is written and that ticket is answered with `created` false.
  // At most one ticket per tenant, user and key, whatever the concurrency, across processes too.
  // `appended` holds the created event when the ticket is new.
  struct Created {
    TicketUpdate stored;
    bool created = false;
  };
  // The outbox items a change owes (its delivery to a remote system, its notifications), asked
  // for once the change is written and stored in the same transaction (the transactional outbox):
  // a crash never leaves a committed change without them, nor them without their change. An item
  // whose tenant, topic and key exist already is kept as it is; an invalid one, or a throw, fails
  // the whole change.
  using OutboxItems = std::function<std::vector<OutboxItem>(const TicketUpdate& stored)>;
  // `outbox` is asked only when the ticket is new.
  virtual Result<Created> Create(const Scope& scope, Ticket ticket,
                                 const std::optional<std::string>& idempotency_key,
                                 const OutboxItems& outbox = nullptr) = 0;
  virtual Result<Ticket> Get(const Scope& scope, std::int64_t id) = 0;
  // The visible ticket the platform's ticket service (REQ-003) knows as `external_id`; kNotFound
  // when there is none.
  virtual Result<Ticket> FindByExternalId(const Scope& scope, std::string_view external_id) = 0;
  // Newest first (created_at, then id, descending).
  virtual Result<Page<Ticket>> List(const Scope& scope, const TicketFilter& filter, PageRequest page) = 0;

  // Atomically reads the ticket, lets `mutate` change it and queue history events, and stores
  // both unless `mutate` fails; nothing is written on failure. Identity and ownership (id, tenant,
  // customer, user, created_at) never change.
  using Mutation = std::function<Status(Ticket& ticket, std::vector<TicketEvent>& append)>;
  virtual Result<TicketUpdate> Update(const Scope& scope, std::int64_t id, const Mutation& mutate,
                                      const OutboxItems& outbox = nullptr) = 0;

  // The history of one visible ticket, oldest first.
  virtual Result<Page<TicketEvent>> History(const Scope& scope, std::int64_t id, PageRequest page) = 0;
  // The status of one visible ticket: one row read by its key.
  virtual Result<TicketStatusView> StatusOf(const Scope& scope, std::int64_t id) = 0;

  // Drafts of the scope's own user whatever the scope's visibility; another user's draft is
  // kNotFound. Saving one with id 0 stores a new draft (owner from the scope); saving one with an
  // id replaces that draft's fields.
  virtual Result<TicketDraft> SaveDraft(const Scope& scope, TicketDraft draft) = 0;
  virtual Result<TicketDraft> GetDraft(const Scope& scope, std::int64_t id) = 0;
  // Most recently saved first.
  virtual Result<Page<TicketDraft>> ListDrafts(const Scope& scope, PageRequest page) = 0;
  virtual Status DeleteDraft(const Scope& scope, std::int64_t id) = 0;
};

// --- Service status (REQ-019-007; docs/STATUS.md) --------------------------------------------------

// One change of a component's status, as recorded; uptime is computed from these.
struct ComponentStatusChange {
  std::int64_t component_id = 0;
  ComponentStatus status = ComponentStatus::operational;
  Timestamp at;
};

// A message posted on an incident (Statuspage's "incident update").
struct IncidentUpdate {
  std::int64_t id = 0;
  std::int64_t incident_id = 0;
  IncidentStatus status = IncidentStatus::investigating;
  std::string body;  // 1 to 65,535 bytes
  Timestamp created_at;
};

struct Incident {
  std::int64_t id = 0;
  std::int64_t tenant_id = 0;
  std::string title;  // 1-200 characters
  IncidentStatus status = IncidentStatus::investigating;
  // What it does to its components while open: degraded_performance, partial_outage or major_outage.
  ComponentStatus impact = ComponentStatus::major_outage;
  std::vector<std::int64_t> component_ids;
  std::string source = "manual";            // "manual" or "alertmanager"
  std::optional<std::string> fingerprint;   // the alert's, for "alertmanager"; 1-200 characters
  std::optional<std::string> external_url;  // the alert's generatorURL; at most 1000 characters
  Timestamp started_at;
  std::optional<Timestamp> resolved_at;  // set exactly when status is resolved
  Timestamp created_at;
  Timestamp updated_at;
  std::vector<IncidentUpdate> updates;  // oldest first
};

struct IncidentFilter {
  std::optional<bool> open;          // true: unresolved only; false: resolved only
  std::optional<Timestamp> since;    // started at or after
};

// The tenant's service status. Everyone in the tenant reads it; writes are the platform's.
// Another tenant's objects are kNotFound.
class ServiceStatusRepository {
 public:
  ServiceStatusRepository() = default;
  ServiceStatusRepository(const ServiceStatusRepository&) = delete;
  ServiceStatusRepository& operator=(const ServiceStatusRepository&) = delete;
  virtual ~ServiceStatusRepository() = default;

  // Creates `component` (id 0) or replaces the stored one with its id; a new status (or a new
  // component) is recorded as a change at `component.updated_at`. A name another component of the
  // tenant holds is 10001 name VALUE_NOT_ALLOWED.
  virtual Result<ServiceComponent> SaveComponent(const Scope& scope, ServiceComponent component) = 0;
  virtual Result<ServiceComponent> GetComponent(const Scope& scope, std::int64_t id) = 0;
  virtual Result<std::optional<ServiceComponent>> FindComponent(const Scope& scope, std::string_view name) = 0;
  // By group, then name.
  virtual Result<std::vector<ServiceComponent>> ListComponents(const Scope& scope) = 0;
  // Atomically sets the component's status to the worst impact of the open incidents naming it
  // (operational when none), recording the change, if any, at `at`; returns the component.
  virtual Result<ServiceComponent> RefreshComponent(const Scope& scope, std::int64_t id, Timestamp at) = 0;
  // The changes of [from, to], oldest first, each component's last change before `from` leading.
  virtual Result<std::vector<ComponentStatusChange>> Changes(const Scope& scope, Timestamp from, Timestamp to) = 0;

  // Stores a new incident with its first update (`incident.updates`, which must hold one).
  virtual Result<Incident> CreateIncident(const Scope& scope, Incident incident) = 0;
  virtual Result<Incident> GetIncident(const Scope& scope, std::int64_t id) = 0;
  // The unresolved incident of an alert, or nullopt.
  virtual Result<std::optional<Incident>> FindOpenIncident(const Scope& scope, std::string_view fingerprint) = 0;
  // Atomically reads the incident, lets `mutate` change it and add updates to `updates` (id 0),
  // and stores it unless `mutate` fails.
  virtual Result<Incident> UpdateIncident(const Scope& scope, std::int64_t id,
                                          const std::function<Status(Incident&)>& mutate) = 0;
  // Newest started first.
  virtual Result<Page<Incident>> ListIncidents(const Scope& scope, const IncidentFilter& filter,
                                               PageRequest page) = 0;

  virtual Result<MaintenanceWindow> CreateMaintenance(const Scope& scope, MaintenanceWindow window) = 0;
  virtual Result<MaintenanceWindow> UpdateMaintenance(const Scope& scope, std::int64_t id,
                                                      const std::function<Status(MaintenanceWindow&)>& mutate) = 0;
  // The windows that overlap [from, to], by start; at most `limit`.
  virtual Result<std::vector<MaintenanceWindow>> ListMaintenance(const Scope& scope, Timestamp from, Timestamp to,
                                                                 int limit) = 0;
};

// --- Uploads, attachments and documents (docs/ATTACHMENTS.md) ------------------------------------

// Where a completed upload goes: a ticket's attachments or the document center.
enum class UploadTarget { ticket, document };

// One resumable upload (modelled on tus): what the client announced and how much of it is
// durable. The bytes live in the BlobStore under `part_key` until the upload completes.
struct Upload {
  std::string upload_id;  // 32 lowercase hex digits, unguessable: the client's handle
  std::int64_t tenant_id = 0;
  std::int64_t customer_id = 0;  // the uploader, whose scope sees the upload
  std::int64_t user_id = 0;
  UploadTarget target = UploadTarget::ticket;
  std::optional<std::int64_t> ticket_id;  // set exactly for UploadTarget::ticket
  std::string file_name;                  // sanitised, 1-255 characters
  std::string content_type;               // lowercase type/subtype, at most 100 characters
  std::int64_t size_bytes = 0;
  // Bytes acknowledged: never more than the work blob durably holds (the blob is written and
  // synced before this moves), so a resumed upload cuts the blob back to it.
  std::int64_t committed_bytes = 0;
  std::string sha256;  // of the whole file as announced, 64 lowercase hex digits
  UploadStatus status = UploadStatus::uploading;
  std::string part_key;  // the work blob
  std::optional<std::int64_t> attachment_id;  // once complete with target ticket
  Timestamp created_at;
  Timestamp updated_at;
  Timestamp expires_at;  // an upload still uploading (or failed) then is removed by the sweep
};

// A ticket's attachment as stored: visible to whoever sees the ticket.
struct StoredAttachment {
  Attachment attachment;         // status complete, uploaded_bytes == size_bytes, sha256 set
  std::int64_t customer_id = 0;  // the ticket's owner: the row-level scope of the attachment
  std::int64_t user_id = 0;
  std::int64_t uploaded_by = 0;  // the user who uploaded it
  std::string blob_key;
};

class AttachmentRepository {
 public:
  AttachmentRepository() = default;
  AttachmentRepository(const AttachmentRepository&) = delete;
  AttachmentRepository& operator=(const AttachmentRepository&) = delete;
  virtual ~AttachmentRepository() = default;

  // Uploads are seen by the uploader's scope (a customer_user: their own).
  virtual Result<Upload> CreateUpload(const Scope& scope, Upload upload) = 0;
  virtual Result<Upload> GetUpload(const Scope& scope, std::string_view upload_id) = 0;
  // Moves committed_bytes from `from` to `to` if the upload is still uploading at `from`
  // (compare and set), pushing its expiry to `expires_at`; kTransitionNotAllowed otherwise.
  virtual Result<Upload> CommitChunk(const Scope& scope, std::string_view upload_id, std::int64_t from,
                                     std::int64_t to, Timestamp at, Timestamp expires_at) = 0;
  // Marks an uploading upload failed (its bytes did not verify).
  virtual Result<Upload> FailUpload(const Scope& scope, std::string_view upload_id, Timestamp at) = 0;
  virtual Status DeleteUpload(const Scope& scope, std::string_view upload_id) = 0;
  // The tenant's uploads whose expires_at <= now that are not complete, or complete for a document
  // that was never published, oldest first, at most `limit` (whatever the scope's visibility).
  virtual Result<std::vector<Upload>> ListExpired(const Scope& scope, Timestamp now, int limit) = 0;

  // In one transaction: unless `admit` (given the number of attachments the ticket already has)
  // fails, stores `attachment` (when set) and marks the upload complete. kTransitionNotAllowed
  // when the upload is not uploading with every byte committed. Returns the upload as stored
  // and the attachment with its id.
  struct Completed {
    Upload upload;
    std::optional<StoredAttachment> attachment;
  };
  virtual Result<Completed> CompleteUpload(const Scope& scope, std::string_view upload_id,
                                           std::optional<StoredAttachment> attachment,
                                           const std::function<Status(std::int64_t attachments)>& admit,
                                           Timestamp at) = 0;

  // Attachments the scope sees (of one ticket, or of all), newest first.
  virtual Result<Page<StoredAttachment>> ListAttachments(const Scope& scope, std::optional<std::int64_t> ticket_id,
                                                         PageRequest page) = 0;
  virtual Result<StoredAttachment> GetAttachment(const Scope& scope, std::int64_t id) = 0;
};

// A published document and what the document center keeps beside the model's fields.
struct StoredDocument {
  Document document;
  std::string sha256;  // of the file
  std::string blob_key;
  // The least role that may see it: 1 customer_user, 2 customer_admin, 3 platform_admin.
  int min_role = 1;
  // Shown only to customers whose portal enables this feature (absent: to all).
  std::optional<std::string> feature;
  std::int64_t published_by = 0;
};

struct DocumentFilter {
  std::optional<std::string> category;
  std::optional<ArticleLang> lang;
  std::optional<std::string> title_contains;  // ignoring ASCII case
  std::optional<PublicationStatus> status;
  int max_role = 1;  // documents with min_role above this are left out
  // Documents bound to a feature outside this list are left out; nullopt: every feature.
  std::optional<std::vector<std::string>> enabled_features;
};

struct DocumentStats {
  std::int64_t documents = 0;
  std::int64_t downloads = 0;
  std::int64_t bytes = 0;
  std::vector<LabelCount> by_category;  // documents per category, most first
  std::vector<StoredDocument> most_downloaded;  // at most 10
};

// Documents belong to the tenant; one with a customer_id is that customer's alone. A scope sees
// the tenant-wide documents and its customer's (platform_admin: all of the tenant's).
class DocumentRepository {
 public:
  DocumentRepository() = default;
  DocumentRepository(const DocumentRepository&) = delete;
  DocumentRepository& operator=(const DocumentRepository&) = delete;
  virtual ~DocumentRepository() = default;

  virtual Result<StoredDocument> Create(const Scope& scope, StoredDocument document) = 0;
  virtual Result<StoredDocument> Get(const Scope& scope, std::int64_t id) = 0;
  // Newest first (updated_at, then id).
  virtual Result<Page<StoredDocument>> List(const Scope& scope, const DocumentFilter& filter, PageRequest page) = 0;
  // Counts one download atomically; returns the document as stored.
  virtual Result<StoredDocument> RecordDownload(const Scope& scope, std::int64_t id) = 0;
  // Over the documents List() would answer for `filter` (its title and paging ignored).
  virtual Result<DocumentStats> Stats(const Scope& scope, const DocumentFilter& filter) = 0;
};

// All repositories of one storage backend.
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
  virtual ServiceStatusRepository& service_status() = 0;
  virtual TicketRepository& tickets() = 0;
  virtual AttachmentRepository& attachments() = 0;
  virtual DocumentRepository& documents() = 0;
  virtual UserRepository& users() = 0;
  virtual SessionStore& login_sessions() = 0;
  virtual AuditRepository& audit() = 0;
  // The backend's own knowledge search over knowledge() (for SQLite: FTS5).
  virtual SearchBackend& search() = 0;

  // Store-wide operational counts for a host's health checks (Portal::Health): counts of all
  // tenants together and nothing else, so they reveal no tenant's data. Reading them also proves
  // the store answers; a failure answers its error (20004 for a database that cannot be read).
  struct Vitals {
    std::int64_t outbox_pending = 0;  // outbox items neither delivered nor abandoned
    std::optional<Timestamp> oldest_outbox_pending;  // created_at of the oldest of them
  };
  virtual Result<Vitals> ReadVitals() = 0;

  // What Backup() wrote.
  struct BackupReport {
    std::int64_t bytes = 0;  // the copy's size
    std::int64_t pages = 0;  // database pages copied
  };
  // Writes a consistent copy of the whole store (every tenant) to the file `path`, replacing it
  // atomically, while the store keeps serving: readers and writers carry on, and the copy is the
  // store as one moment saw it. Stores whose database is backed up by its own tools answer 10004
  // NOT_CONFIGURED ("backup"); a file that cannot be written answers 20004.
  virtual Result<BackupReport> Backup(const std::string& path) {
    static_cast<void>(path);
    return Status::NotConfigured("backup");
  }

  // What EraseUser() did.
  struct ErasureReport {
    std::int64_t deleted = 0;     // rows removed: self-service sessions and their interactions,
                                  // analytics and search events, drafts, uploads, attachments,
                                  // logins and single-use tokens
    std::int64_t anonymised = 0;  // rows kept for the others who share them, stripped of the
                                  // user's words and contact data: tickets, their events, feedback,
                                  // and the account itself
    std::vector<std::string> blob_keys;  // the files of the deleted attachments and uploads
  };
  // Removes or anonymises the personal data of account `user_id` in the scope's tenant, in one
  // transaction (GDPR art. 17, PIPL art. 47; docs/SECURITY.md "Erasure"). The account stays as
  // "erased-<id>" with status erased, so ids elsewhere resolve to nobody. The audit log is kept:
  // its entries name accounts by id only, and keeping them is a legal obligation. The caller
  // deletes `blob_keys` from the BlobStore after the call. 10004 when the scope does not see the
  // account. Stores that do not implement it answer 10004 NOT_CONFIGURED ("erasure").
  virtual Result<ErasureReport> EraseUser(const Scope& scope, std::int64_t user_id) {
    static_cast<void>(scope);
    static_cast<void>(user_id);
    return Status::NotConfigured("erasure");
  }

  // What ReencryptSensitiveFields() did.
  struct ReencryptionReport {
    std::int64_t reencrypted = 0;  // values moved from an older key to the current one
    std::int64_t encrypted = 0;    // plaintext values stored before encryption, now encrypted
    std::int64_t reindexed = 0;    // blind indexes rewritten under the current key
    std::int64_t unreadable = 0;   // values no key of the ring opens (tampered, or a dropped key)
  };
  // Rewrites every sensitive value that is not under the current key, in small transactions, while
  // the store keeps serving; running it again finds nothing to do. Stores that encrypt nothing
  // themselves answer 10004 NOT_CONFIGURED ("encryption").
  virtual Result<ReencryptionReport> ReencryptSensitiveFields() { return Status::NotConfigured("encryption"); }
};

// One key of the ring that encrypts sensitive columns at rest: `id` matches [A-Za-z0-9_-]{1,32},
// `key` holds 32 raw bytes.
struct EncryptionKey {
  std::string id;
  std::string key;
};

struct StoreOptions {
  int pool_size = 4;              // connections for concurrent readers
  int busy_timeout_millis = 5000;  // how long a writer waits for a lock held by another process
  // The ring that encrypts sensitive columns (AES-256-GCM; docs/SECURITY.md), the current key
  // first: list a new key first to rotate, run the re-encryption pass, then drop the old key.
  // Empty: a SQLite file store keeps a key of its own in "<database>.key" (created with mode
  // 0600 on first open) and an in-memory store draws one for its life. A key file beside the
  // database protects a copied database, not a copied directory: production hosts pass keys.
  std::vector<EncryptionKey> encryption_keys;
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

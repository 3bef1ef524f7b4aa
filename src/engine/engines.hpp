// The engines: the portal's business rules over the storage ports. They receive already parsed
// requests, apply the spec's rules (state machines, derived fields, row-level scope, validation)
// and return domain values; the dispatch layer turns JSON into their arguments and their results
// into envelopes.
//
// Thread safety: engines are stateless beyond references to the store, its decorators and the
// clock (KnowledgeSourceEngine also keeps each tenant's sync cursor, under a lock), and safe to
// use from many threads.

#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "selfservice/circuit_breaker.hpp"
#include "selfservice/clock.hpp"
#include "selfservice/context.hpp"
#include "selfservice/knowledge_source.hpp"
#include "selfservice/model.hpp"
#include "selfservice/repository.hpp"
#include "selfservice/search.hpp"

namespace selfservice {

class PortalConfigEngine {
 public:
  PortalConfigEngine(Store& store, const Clock& clock) : store_(store), clock_(clock) {}

  // The customer's configuration, or the spec's defaults (id absent) when none is stored.
  Result<PortalConfig> Get(const RequestContext& context, std::int64_t customer_id);
  // Applies the fields `patch` names (server-owned fields are ignored) and stores the result.
  Result<PortalConfig> Update(const RequestContext& context, std::int64_t customer_id,
                              const boost::json::object& patch);

 private:
  Store& store_;
  const Clock& clock_;
};

struct TransitionRequest {
  std::string session_id;
  SessionState to = SessionState::in_progress;
  // Checked only after the move itself is known to be allowed, as spec 5.2 has it:
  std::optional<boost::json::value> resolution_status;  // must agree with `to` when given
  std::optional<boost::json::value> initial_question;   // the question that starts a session
  std::optional<boost::json::value> score;              // the rating that moves resolved -> rated
  std::optional<boost::json::value> comment;
};

class SessionEngine {
 public:
  SessionEngine(Store& store, const Clock& clock) : store_(store), clock_(clock) {}

  Result<Session> Start(const RequestContext& context, SessionType type, std::string initial_question,
                        std::optional<boost::json::value> session_context);
  Result<Session> Get(const RequestContext& context, const std::string& session_id);
  Result<Page<Session>> List(const RequestContext& context, const SessionFilter& filter, PageRequest page);
  Result<Session> Transition(const RequestContext& context, const TransitionRequest& request);
  // Appends one interaction. The first question of a not_started session becomes its initial
  // question instead (it is not counted as an interaction) and starts it; a paused session resumes.
  Result<SessionUpdate> AddInteraction(const RequestContext& context, Interaction interaction);
  Result<Page<Interaction>> ListInteractions(const RequestContext& context, const std::string& session_id,
                                             PageRequest page);
  // Times out the caller's tenant's paused sessions idle for `idle_seconds`; returns how many.
  Result<std::int64_t> Sweep(const RequestContext& context, std::int64_t idle_seconds);

 private:
  Session Live(Session session) const;
  Store& store_;
  const Clock& clock_;
};

class FeedbackEngine {
 public:
  FeedbackEngine(Store& store, const Clock& clock) : store_(store), clock_(clock) {}

  // `draft` carries the customer's fields; ownership, state and processing fields are set here.
  Result<Feedback> Submit(const RequestContext& context, Feedback draft);
  Result<Feedback> Get(const RequestContext& context, std::int64_t id);
  Result<Page<Feedback>> List(const RequestContext& context, const FeedbackFilter& filter, PageRequest page);
  Result<Feedback> Transition(const RequestContext& context, std::int64_t id, FeedbackState to,
                              std::optional<std::string> response_content);

 private:
  Store& store_;
  const Clock& clock_;
};

// What a bulk import did. `errors` lists the lines that failed (the first kMaxReportedErrors).
struct ImportReport {
  struct LineError {
    std::int64_t line = 0;  // 1-based line of the file, or 1-based position in the array
    std::optional<std::string> external_id;
    std::vector<FieldError> errors;
  };
  std::int64_t imported = 0;  // new articles
  std::int64_t updated = 0;   // articles replaced through their external_id
  std::int64_t failed = 0;
  std::vector<LineError> errors;
  bool cancelled = false;  // the progress callback stopped the import before the end of its input
};

// Progress of a long-running operation: `done` out of `total` units of work (an import: bytes of a
// file, or articles of an array), called after each committed step. Returning false stops the
// operation there, with what it has committed so far.
using Progress = std::function<bool(std::int64_t done, std::int64_t total)>;

class KnowledgeEngine {
 public:
  static constexpr std::size_t kBatch = 500;
  static constexpr std::size_t kMaxReportedErrors = 100;

  // `articles` is the store's knowledge repository, or a decorator of it that mirrors writes to a
  // remote search index (search::MirroredKnowledgeRepository).
  KnowledgeEngine(Store& store, KnowledgeRepository& articles, const Clock& clock)
      : store_(store), articles_(articles), clock_(clock) {}

  // Creates or replaces one article from its JSON fields (server-owned fields are ignored).
  Result<UpsertOutcome> Upsert(const RequestContext& context, const boost::json::object& fields);
  // Reading an article counts a view. Only administrators see drafts and archived articles.
  // `from_search` is the query whose results the customer opened the article from: it is recorded
  // as a click behaviour event with those keywords, so analytics can tell which searches led to
  // an article being read.
  Result<KnowledgeArticle> Get(const RequestContext& context, std::int64_t id,
                               const std::optional<std::string>& from_search = std::nullopt);
  Status Delete(const RequestContext& context, std::int64_t id);
  Result<Page<KnowledgeArticle>> List(const RequestContext& context, KnowledgeFilter filter, PageRequest page);
  Result<KnowledgeArticle> Vote(const RequestContext& context, std::int64_t id, bool helpful);

  // JSON Lines in the format of the shared corpus: each line's "id" becomes external_id, so a
  // re-import updates instead of duplicating. Bad lines are reported and skipped, never abort.
  // `progress` (may be null) hears after each committed batch, and once with (total, total) when
  // the import reaches the end of its input; when it answers false before that, the import stops
  // with the batches committed so far and the report says `cancelled`.
  Result<ImportReport> ImportFile(const RequestContext& context, const std::string& path,
                                  const Progress& progress);
  Result<ImportReport> ImportArticles(const RequestContext& context, const boost::json::array& articles,
                                      const Progress& progress);

 private:
  // Parses one imported record; field errors go to `errors`.
  std::optional<KnowledgeArticle> FromRecord(const RequestContext& context, const boost::json::object& record,
                                             std::vector<FieldError>& errors) const;
  Status Flush(const RequestContext& context, std::vector<KnowledgeArticle>& batch, ImportReport& report);

  Store& store_;
  KnowledgeRepository& articles_;
  const Clock& clock_;
};

class SearchEngine {
 public:
  // `backend` answers the queries: the store's own engine, or a FallbackSearch in front of it.
  SearchEngine(Store& store, SearchBackend& backend, const Clock& clock)
      : store_(store), backend_(backend), clock_(clock) {}

  // Searches the published knowledge of the caller's tenant and records the search as a behaviour
  // event (keywords and result count) for trending queries and analytics.
  Result<SearchResult> Query(const RequestContext& context, SearchQuery query);

  // The tenant's synonym dictionary (customer_admin): an entry with no synonyms is removed.
  static constexpr std::int64_t kMaxSynonymEntries = 1000;
  static constexpr std::size_t kMaxSynonymsPerEntry = 20;
  Result<SynonymEntry> SetSynonyms(const RequestContext& context, SynonymEntry entry);
  Result<Page<SynonymEntry>> ListSynonyms(const RequestContext& context, PageRequest page);

 private:
  Store& store_;
  SearchBackend& backend_;
  const Clock& clock_;
};

// The platform's knowledge base (REQ-005) as the portal uses it (docs/KNOWLEDGE_SOURCE.md):
// knowledge.sync pulls its changes into the local store, one request per page through the
// breaker, from a cursor kept per tenant and source in the store (RemoteStateRepository), so a
// restarted portal continues where the last sync stopped; knowledge.vote forwards votes through
// the same breaker. Exists only when the portal options configure a knowledge_source.
class KnowledgeSourceEngine {
 public:
  // None of the references is owned: each must outlive the engine. `cursors` keeps the cursors;
  // `clock` dates them.
  KnowledgeSourceEngine(KnowledgeSource& source, CircuitBreaker& breaker, KnowledgeRepository& articles,
                        RemoteStateRepository& cursors, const Clock& clock, SyncOptions options);
  ~KnowledgeSourceEngine();

  // Runs KnowledgeSync::SyncOnce for the caller's tenant from `cursor`, or else from the cursor
  // the tenant's last sync ended at, in this process or before it (the beginning when there is
  // none), and stores the report's next_cursor as the tenant's; a cursor the store refuses is
  // logged and kept in memory. The source's failure on the first page is the answer: 20002 (also
  // when the breaker refuses), or 10001 for a cursor the source cannot read; 20004 when the
  // stored cursor cannot be read.
  Result<SyncReport> Sync(const RequestContext& context, std::optional<std::string> cursor);

  // ForwardVote() of a vote already stored on `article`; never fails.
  VoteForwarding Forward(const RequestContext& context, const KnowledgeArticle& article, bool helpful);

 private:
  struct State;
  KnowledgeSource& source_;
  CircuitBreaker& breaker_;
  KnowledgeRepository& articles_;
  RemoteStateRepository& cursors_;
  const Clock& clock_;
  KnowledgeSync sync_;
  std::unique_ptr<State> state_;
};

// How search.trending weighs the tenant's searches.
struct TrendRequest {
  std::int64_t window_millis = 7LL * 24 * 3600 * 1000;  // searches of this long before now
  std::int64_t half_life_millis = 24LL * 3600 * 1000;   // a search this old counts half
  int size = 10;
};

// Finding knowledge without typing a full query: categories and tags with their counts,
// completions, trending queries and related articles. Customers see published articles only.
class BrowseEngine {
 public:
  static constexpr int kMaxSuggestions = 10;
  static constexpr int kMaxTagCounts = 50;

  BrowseEngine(Store& store, const Clock& clock) : store_(store), clock_(clock) {}

  // Published articles of `category` (and `lang`), newest first.
  Result<Page<KnowledgeArticle>> Category(const RequestContext& context, std::string category,
                                          std::optional<ArticleLang> lang, PageRequest page);
  Result<std::vector<LabelCount>> CategoryCounts(const RequestContext& context, std::optional<ArticleLang> lang);
  // Published articles carrying every one of `tags` (and in `lang`), newest first.
  Result<Page<KnowledgeArticle>> Tagged(const RequestContext& context, const std::vector<std::string>& tags,
                                        std::optional<ArticleLang> lang, PageRequest page);
  // The kMaxTagCounts most used tags of the published articles.
  Result<std::vector<LabelCount>> TagCounts(const RequestContext& context, std::optional<ArticleLang> lang);
  // At most kMaxSuggestions completions of `prefix`: titles containing it (those starting with it
  // first, then the most viewed), then the tenant's popular past queries starting with it.
  Result<std::vector<std::string>> Suggestions(const RequestContext& context, std::string_view prefix,
                                               std::optional<ArticleLang> lang);
  Result<std::vector<SearchTrend>> Trending(const RequestContext& context, const TrendRequest& request);
  // The `size` articles most like article `id` (a search for its title and tags in its language),
  // without it. Only administrators may start from an unpublished article.
  Result<std::vector<SearchHit>> RelatedToArticle(const RequestContext& context, std::int64_t id, int size);
  // The first page of `query`. Unlike SearchEngine::Query, no search event is recorded: the
  // customer did not search.
  Result<std::vector<SearchHit>> RelatedToQuery(const RequestContext& context, const SearchQuery& query);

 private:
  Store& store_;
  const Clock& clock_;
};

// Records one behaviour event of the search page ("/search") by the caller: a search
// (action_target "results:N") or the click that opened a result ("article:<id>").
Status RecordSearchEvent(Store& store, const RequestContext& context, ActionType action, std::string keywords,
                         std::string target, std::int64_t now_millis);

class AnalyticsEngine {
 public:
  static constexpr std::size_t kMaxBatch = 5000;

  AnalyticsEngine(Store& store, const Clock& clock) : store_(store), clock_(clock) {}

  // Validates every event and stores all of them, or none. Field errors of a batch name the
  // event: "events[3].action_type".
  Result<std::size_t> Track(const RequestContext& context, const std::vector<const boost::json::object*>& events,
                            bool as_batch);

 private:
  Store& store_;
  const Clock& clock_;
};

}  // namespace selfservice

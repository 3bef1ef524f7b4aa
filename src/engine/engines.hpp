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

#include "engine/event_recorder.hpp"
#include "selfservice/ai.hpp"
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

class OutboxRelay;

// feedback.stats: the visible feedback created in [from, to).
struct FeedbackStats {
  struct Group {
    std::string key;  // a feedback_type, or an ISO week ("2025-W33")
    std::int64_t count = 0;
    std::optional<double> average_rating;
    std::int64_t contact_required = 0;
  };
  struct Dimension {
    std::string name;
    std::int64_t count = 0;
    double average = 0;
  };
  Timestamp from;
  Timestamp to;
  std::int64_t total = 0;
  std::int64_t rated = 0;
  std::optional<double> average_rating;  // two decimals; null without ratings
  std::int64_t distribution[5] = {};     // ratings 1 … 5
  std::int64_t contact_required = 0;
  double contact_required_share = 0;  // of total, 0 … 1, four decimals
  std::vector<Group> by_type;         // types with feedback, by name
  std::vector<Group> by_week;         // ISO weeks (UTC) with feedback, oldest first
  std::vector<Dimension> dimensions;  // rated dimensions, by name
};

// Feedback (REQ-019-009; docs/API.md "feedback.submit"): the processing lifecycle of spec 5.2, the
// sentiment of the customer's text from the AI provider behind its breaker (the local lexicon when
// it cannot answer, and a re-analysis queued in the outbox when it failed and may answer later),
// and the priority and callback need derived from rating and sentiment.
class FeedbackEngine {
 public:
  static constexpr const char* kSentimentTopic = "feedback.sentiment";

  // None of the references is owned. The engine registers the re-analysis deliverer in `outbox`.
  FeedbackEngine(Store& store, AiProvider& provider, CircuitBreaker& breaker, OutboxRelay& outbox,
                 const Clock& clock);

  // `draft` carries the customer's fields; ownership, state, processing fields, sentiment and
  // priority are set here; contact_required stays true when the customer asked for a callback.
  Result<Feedback> Submit(const RequestContext& context, Feedback draft);
  Result<Feedback> Get(const RequestContext& context, std::int64_t id);
  Result<Page<Feedback>> List(const RequestContext& context, const FeedbackFilter& filter, PageRequest page);
  Result<Feedback> Transition(const RequestContext& context, std::int64_t id, FeedbackState to,
                              std::optional<std::string> response_content);
  // Default window: the 90 days before `to`, which defaults to now.
  Result<FeedbackStats> Stats(const RequestContext& context, std::optional<Timestamp> from,
                              std::optional<Timestamp> to);

  // The derived fields (docs/API.md): priority 1 when rating <= 2 or sentiment <= -0.5, 3 when
  // rating >= 4 and sentiment >= 0 (or unknown), else 2; a callback when rating <= 2 or
  // sentiment <= -0.6.
  static int PriorityLevel(std::optional<int> rating, std::optional<double> sentiment);
  static bool NeedsContact(std::optional<int> rating, std::optional<double> sentiment);

 private:
  struct Sentiment;
  Sentiment Analyze(const Scope& scope, const Feedback& feedback);
  Status Reanalyze(const Scope& scope, const OutboxItem& item);

  Store& store_;
  AiProvider& provider_;
  CircuitBreaker& breaker_;
  OutboxRelay& outbox_;
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
  // `events` records the clicks on search hits.
  KnowledgeEngine(Store& store, KnowledgeRepository& articles, EventRecorder& events, const Clock& clock)
      : store_(store), articles_(articles), events_(events), clock_(clock) {}

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
  EventRecorder& events_;
  const Clock& clock_;
};

class SearchEngine {
 public:
  // `backend` answers the queries: the store's own engine, or a FallbackSearch in front of it.
  // `events` records the searches.
  SearchEngine(Store& store, SearchBackend& backend, EventRecorder& events, const Clock& clock)
      : store_(store), backend_(backend), events_(events), clock_(clock) {}

  // Searches the published knowledge of the caller's tenant and records the search as a behaviour
  // event (keywords and result count) for trending queries and analytics.
  Result<SearchResult> Query(const RequestContext& context, SearchQuery query);
  // The same search, with the same synonyms, recording nothing: for callers that record the
  // customer's action themselves (ai.chat).
  Result<SearchResult> Find(const RequestContext& context, SearchQuery query);

  // The tenant's synonym dictionary (customer_admin): an entry with no synonyms is removed.
  static constexpr std::int64_t kMaxSynonymEntries = 1000;
  static constexpr std::size_t kMaxSynonymsPerEntry = 20;
  Result<SynonymEntry> SetSynonyms(const RequestContext& context, SynonymEntry entry);
  Result<Page<SynonymEntry>> ListSynonyms(const RequestContext& context, PageRequest page);

 private:
  Store& store_;
  SearchBackend& backend_;
  EventRecorder& events_;
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
// (action_target "results:N") or the click that opened a result ("article:<id>"). Keywords longer
// than the column (500 characters) are cut.
Status RecordSearchEvent(EventRecorder& events, const RequestContext& context, ActionType action, std::string keywords,
                         std::string target, std::int64_t now_millis, std::string page_path = "/search");

// How the outbox retries (docs/AI.md, "The outbox").
struct OutboxPolicy {
  std::int64_t base_delay_ms = 1000;             // after the first failure
  std::int64_t max_delay_ms = 60LL * 60 * 1000;  // the backoff's cap
  int max_attempts = 20;                         // then the item is abandoned
  std::int64_t lease_ms = 5LL * 60 * 1000;       // a leased item is due again after this
};

// What one outbox.deliver run did.
struct OutboxReport {
  std::int64_t delivered = 0;
  std::int64_t retried = 0;    // failed, due again later
  std::int64_t abandoned = 0;  // failed for good
  OutboxCounts counts;         // the tenant's outbox afterwards
};

// Delivers a tenant's outbox items through the deliverer of their topic: at least once, with
// exponential backoff and jitter between attempts, the item's idempotency key on every attempt.
// A retryable failure (CountsAsFailure) is tried again after the backoff until max_attempts; any
// other failure means the remote system refused the item itself, and it is abandoned at once.
// Items survive restarts: they live in the store.
class OutboxRelay {
 public:
  using Deliverer = std::function<Status(const Scope& scope, const OutboxItem& item)>;
  // A value in [0, 1) per call: how far into the upper half of the backoff the next attempt falls.
  using Jitter = std::function<double()>;

  OutboxRelay(Store& store, const Clock& clock, OutboxPolicy policy = {}, Jitter jitter = nullptr);

  // Topics without a deliverer stay pending (a portal opened without that remote system).
  void Register(std::string topic, Deliverer deliverer);

  // Stores an item for the caller's tenant, due now.
  Result<OutboxRepository::Enqueued> Enqueue(const RequestContext& context, std::string topic,
                                             std::string idempotency_key, std::string payload);

  // Delivers up to `limit` (1-1000) of the tenant's due items.
  Result<OutboxReport> Deliver(const RequestContext& context, int limit);
  Result<OutboxCounts> Counts(const RequestContext& context, const std::optional<std::string>& topic = std::nullopt) {
    return store_.outbox().Counts(Scope(context), topic);
  }

  // The wait before attempt `attempts` + 1 after `attempts` failures: base × 2^(attempts − 1),
  // capped, of which the upper half is scaled by `jitter` (in [0, 1)).
  std::int64_t Backoff(int attempts, double jitter) const;

 private:
  Store& store_;
  const Clock& clock_;
  OutboxPolicy policy_;
  Jitter jitter_;
  std::vector<std::pair<std::string, Deliverer>> deliverers_;
};

// What ai.chat was asked (spec 4.2 request), read from its JSON.
struct ChatRequest {
  std::string question;  // as typed; the engine normalises and checks it
  std::optional<std::string> session_id;
  std::vector<std::string> previous_questions;  // the caller's own, used when the session has none
  std::string user_role;
  boost::json::object customer_context;
  bool include_recommendations = true;
  int max_results = 5;
  double confidence_threshold = 0.7;
};

// What ai.chat answers: the provider's answer, or the search results when the provider failed,
// was cut off by the breaker or was unsure.
struct ChatReply {
  enum class Mode { kAnswer, kSearchResults };
  Mode mode = Mode::kAnswer;
  AiAnswer answer;  // in kSearchResults: no answer text, related_articles are the search hits
  std::string session_id;
  std::int64_t interaction_id = 0;
  std::int64_t response_time_ms = 0;
  std::string backend;  // the provider that answered, or "search" when keyword search stood in
  bool degraded = false;
  std::optional<std::string> fallback_reason;  // unavailable, timeout, circuit_open, bad_response, low_confidence
  bool suggest_ticket = false;  // the search found nothing relevant (spec 2.3)
};

// What ai.feedback did.
struct ChatFeedbackOutcome {
  Interaction rated;
  std::optional<std::int64_t> voted_article;  // the answer's article that got a helpfulness vote
  bool learning_feedback_sent = false;
  bool learning_feedback_queued = false;  // kept in the outbox, to be retried (outbox.deliver)
  std::optional<std::string> learning_feedback_reason;  // why it was not sent now
};

// ai.recommendations: questions and articles to offer a customer before they ask.
struct ChatRecommendations {
  struct Question {
    std::string text;
    std::string source;  // "trending", "recent", "ai"
  };
  std::vector<Question> questions;
  std::vector<KnowledgeArticle> articles;  // the most viewed and helpful published articles
};

// AI question answering (spec 4.2, 5.1, 8.1; docs/AI.md): retrieval from the portal's own search,
// the provider behind its circuit breaker, the fallback to keyword search, and the conversation
// kept as an ai_chat session with one interaction per question.
class AiEngine {
 public:
  static constexpr std::size_t kMaxQuestionChars = 2000;
  static constexpr int kMaxResults = 20;
  static constexpr int kBodiesRetrieved = 3;  // articles whose whole body the provider reads
  static constexpr int kPreviousQuestions = 5;

  // None of the references is owned. `search` answers the retrieval and the fallback;
  // `articles` takes helpfulness votes (the store's repository or its Elasticsearch mirror);
  // `source` (may be null) forwards them to the platform's knowledge base.
  // `outbox` keeps the learning feedback the provider could not take; the engine registers its
  // deliverer there.
  AiEngine(Store& store, SearchBackend& search, KnowledgeRepository& articles, AiProvider& provider,
           CircuitBreaker& breaker, KnowledgeSourceEngine* source, OutboxRelay& outbox, EventRecorder& events,
           const Clock& clock);

  static constexpr const char* kLearningFeedbackTopic = "ai.learning_feedback";

  Result<ChatReply> Chat(const RequestContext& context, ChatRequest request);
  // The caller's own ai_chat sessions, newest first.
  Result<Page<Session>> Conversations(const RequestContext& context, PageRequest page);
  // One of them, question by question.
  Result<Page<Interaction>> Conversation(const RequestContext& context, const std::string& session_id,
                                         PageRequest page);
  // Rates an answer 1-5: stored on the interaction, recorded as a feedback interaction, a vote on
  // the answer's article the first time it is rated (4-5 helpful, 1-2 not), and sent to the
  // provider as learning feedback (queued in the outbox when the provider cannot take it now).
  Result<ChatFeedbackOutcome> Feedback(const RequestContext& context, std::int64_t interaction_id, int rating,
                                       std::optional<std::string> comment);
  Result<ChatRecommendations> Recommend(const RequestContext& context, ArticleLang lang, int size);

  const AiProvider& provider() const { return provider_; }
  const CircuitBreaker& breaker() const { return breaker_; }

 private:
  struct Retrieval;
  Result<Retrieval> Retrieve(const RequestContext& context, const std::string& question, ArticleLang lang,
                             const std::vector<std::string>& previous, int size);
  Result<Session> OpenSession(const RequestContext& context, const ChatRequest& request,
                              const std::string& question);
  std::vector<std::string> PreviousQuestions(const RequestContext& context, const Session& session);

  Store& store_;
  EventRecorder& events_;
  SearchEngine search_;
  KnowledgeEngine knowledge_;
  SessionEngine sessions_;
  AiProvider& provider_;
  CircuitBreaker& breaker_;
  KnowledgeSourceEngine* source_;
  OutboxRelay& outbox_;
  const Clock& clock_;
};

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

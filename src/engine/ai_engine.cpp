// ai.chat and its companions (docs/AI.md). The flow of spec 5.1's "AI问答交互流程": preprocess,
// context (the session's earlier questions), knowledge retrieval, the provider's answer, the
// confidence check, and the record of the interaction; spec 8.1's degradation to keyword search
// when the provider is unavailable, slow or unsure.

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "ai/confidence.hpp"
#include "core/logging.hpp"
#include "domain/lifecycle.hpp"
#include "domain/rules.hpp"
#include "engine/engines.hpp"

namespace selfservice {
namespace {

// Why the search results stand in for an answer (the response's fallback_reason).
namespace reason {
constexpr const char* kUnavailable = "unavailable";
constexpr const char* kTimeout = "timeout";
constexpr const char* kCircuitOpen = "circuit_open";
constexpr const char* kBadResponse = "bad_response";
constexpr const char* kLowConfidence = "low_confidence";
}  // namespace reason

const char* FailureReason(AiFailure failure) {
  switch (failure) {
    case AiFailure::kTimeout: return reason::kTimeout;
    case AiFailure::kBadResponse: return reason::kBadResponse;
    case AiFailure::kNone:
    case AiFailure::kUnavailable: break;
  }
  return reason::kUnavailable;
}

// Trimmed, every run of white space one space: the question as the provider and the record see it.
std::string Normalise(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool space = false;
  for (char c : text) {
    if (std::isspace(static_cast<unsigned char>(c)) != 0) {
      space = !out.empty();
      continue;
    }
    if (space) out.push_back(' ');
    space = false;
    out.push_back(c);
  }
  return out;
}

bool HasCjk(std::string_view text) {
  // Any character from U+2E80 on (CJK radicals, kana, ideographs, Hangul, full-width forms) is
  // taken as Chinese, Japanese or Korean text: only the lead byte of a 3- or 4-byte sequence is
  // needed, E2 BA 80 being U+2E80.
  for (std::size_t i = 0; i + 2 < text.size(); ++i) {
    const auto lead = static_cast<unsigned char>(text[i]);
    const auto second = static_cast<unsigned char>(text[i + 1]);
    if (lead >= 0xE3 || (lead == 0xE2 && second >= 0xBA)) return true;
  }
  return false;
}

bool HasLatinLetter(std::string_view text) {
  return std::any_of(text.begin(), text.end(), [](char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0; });
}

// The language of the knowledge to search and of the answer: the question's own script decides
// when it can ("nginx 起不来" is Chinese, "wifi keeps dropping" English), the caller's locale
// otherwise.
ArticleLang QuestionLang(std::string_view question, Locale locale) {
  if (HasCjk(question)) return ArticleLang::zh;
  if (HasLatinLetter(question)) return ArticleLang::en;
  return locale == Locale::kEnUS ? ArticleLang::en : ArticleLang::zh;
}

double Round2(double value) { return std::round(std::clamp(value, 0.0, 1.0) * 100.0) / 100.0; }

// The search hits as the response's related_articles: relevance is the hit's score relative to
// the best one, so the first article is 1 and the rest say how far behind they are.
std::vector<AiRelatedArticle> RelatedFromHits(const std::vector<RetrievedArticle>& retrieved, int limit) {
  std::vector<AiRelatedArticle> related;
  const double best = retrieved.empty() ? 0.0 : retrieved.front().hit.score;
  for (const auto& item : retrieved) {
    if (static_cast<int>(related.size()) >= limit) break;
    const SearchHit& hit = item.hit;
    const double relative = best > 0 && std::isfinite(hit.score) ? hit.score / best : 0.0;
    related.push_back(AiRelatedArticle{hit.id, hit.external_id, hit.title, hit.url, Round2(relative), hit.category});
  }
  return related;
}

// A remote provider knows the platform's articles by their external ids: give each the portal's
// own id when the retrieval found it too.
void MapToLocalIds(std::vector<AiRelatedArticle>& related, const std::vector<RetrievedArticle>& retrieved) {
  for (auto& article : related) {
    if (article.id || !article.external_id) continue;
    auto found = std::find_if(retrieved.begin(), retrieved.end(), [&](const RetrievedArticle& item) {
      return item.hit.external_id == article.external_id;
    });
    if (found != retrieved.end()) article.id = found->hit.id;
  }
}

// What the record keeps as the system's response in search_results mode: the titles offered.
std::string TitlesText(const std::vector<AiRelatedArticle>& related) {
  std::string text;
  for (std::size_t i = 0; i < related.size(); ++i) {
    if (!text.empty()) text += '\n';
    text += std::to_string(i + 1) + ". " + related[i].title;
  }
  return text;
}

// The outbox payload of a learning feedback, and back.
std::string FeedbackPayload(const LearningFeedback& feedback) {
  boost::json::array articles;
  for (const auto& id : feedback.article_ids) articles.emplace_back(id);
  boost::json::object payload{{"idempotency_key", feedback.idempotency_key},
                              {"interaction_id", feedback.interaction_id},
                              {"session_id", feedback.session_id},
                              {"question", feedback.question},
                              {"answer", feedback.answer},
                              {"helpful_rating", feedback.helpful_rating},
                              {"article_ids", std::move(articles)}};
  payload["comment"] = feedback.comment ? boost::json::value(*feedback.comment) : boost::json::value(nullptr);
  return boost::json::serialize(payload);
}

std::optional<LearningFeedback> FeedbackFromPayload(std::string_view text) {
  boost::system::error_code ec;
  boost::json::value value = boost::json::parse(text, ec);
  if (ec || !value.is_object()) return std::nullopt;
  const auto& payload = value.get_object();
  auto string = [&](std::string_view key) -> std::string {
    const auto* item = payload.if_contains(key);
    return item != nullptr && item->is_string() ? std::string(item->get_string()) : std::string();
  };
  LearningFeedback feedback;
  feedback.idempotency_key = string("idempotency_key");
  feedback.interaction_id = string("interaction_id");
  feedback.session_id = string("session_id");
  feedback.question = string("question");
  feedback.answer = string("answer");
  const auto* rating = payload.if_contains("helpful_rating");
  if (rating == nullptr || !rating->is_int64()) return std::nullopt;
  feedback.helpful_rating = static_cast<int>(rating->get_int64());
  if (const auto* comment = payload.if_contains("comment"); comment != nullptr && comment->is_string()) {
    feedback.comment = std::string(comment->get_string());
  }
  if (const auto* ids = payload.if_contains("article_ids"); ids != nullptr && ids->is_array()) {
    for (const auto& id : ids->get_array()) {
      if (id.is_string()) feedback.article_ids.emplace_back(id.get_string());
    }
  }
  return feedback;
}

// Sends learning feedback through the provider's breaker; `reason` says why it was not sent.
Status SendLearning(CircuitBreaker& breaker, AiProvider& provider, const Scope& scope,
                    const LearningFeedback& feedback, std::string& reason) {
  if (!breaker.TryAcquirePermission()) {
    reason = reason::kCircuitOpen;
    return Status::Error(ErrorCode::kAiUnavailable, "ai breaker open", true);
  }
  const std::int64_t start = breaker.clock().NowMillis();
  Status sent = provider.SendLearningFeedback(scope, feedback);
  const std::int64_t duration = breaker.clock().NowMillis() - start;
  if (CountsAsFailure(sent)) {
    breaker.OnFailure(duration);
    reason = ReachedSlowCallDuration(breaker, duration) ? reason::kTimeout : reason::kUnavailable;
  } else {
    breaker.OnSuccess(duration);
    if (!sent.ok()) reason = "rejected";
  }
  return sent;
}

// The search's own bound on kept text (TEXT columns hold 65,535 bytes).
std::string ClipText(std::string text) {
  constexpr std::size_t kTextChars = 20000;  // at most 4 bytes each: within 65,535 bytes
  return Utf8Prefix(text, kTextChars);
}

}  // namespace

struct AiEngine::Retrieval {
  std::vector<RetrievedArticle> articles;
  double confidence = 0;
  bool suggest_ticket = false;
  std::int64_t total = 0;
};

AiEngine::AiEngine(Store& store, SearchBackend& search, KnowledgeRepository& articles, AiProvider& provider,
                   CircuitBreaker& breaker, KnowledgeSourceEngine* source, OutboxRelay& outbox, EventRecorder& events,
                   const Clock& clock)
    : store_(store),
      events_(events),
      search_(store, search, events, clock),
      knowledge_(store, articles, events, clock),
      sessions_(store, clock),
      provider_(provider),
      breaker_(breaker),
      source_(source),
      outbox_(outbox),
      clock_(clock) {
  outbox_.Register(kLearningFeedbackTopic, [this](const Scope& scope, const OutboxItem& item) -> Status {
    auto feedback = FeedbackFromPayload(item.payload);
    if (!feedback) return Status::InvalidField("payload", field_code::kInvalid);  // abandoned: never deliverable
    feedback->idempotency_key = item.idempotency_key;
    std::string ignored;
    return SendLearning(breaker_, provider_, scope, *feedback, ignored);
  });
}

Result<AiEngine::Retrieval> AiEngine::Retrieve(const RequestContext& context, const std::string& question,
                                               ArticleLang lang, const std::vector<std::string>& previous,
                                               int size) {
  auto search = [&](const std::string& text) -> Result<Retrieval> {
    SearchQuery query;
    query.text = text;
    query.lang = lang;
    query.size = size;
    auto result = search_.Find(context, std::move(query));
    if (!result.ok()) return result.status();
    Retrieval retrieval;
    retrieval.total = result->total;
    retrieval.suggest_ticket = result->suggest_ticket;
    for (auto& hit : result->hits) retrieval.articles.push_back(RetrievedArticle{std::move(hit), {}});
    retrieval.confidence = ai::RetrievalConfidence(retrieval.articles);
    return retrieval;
  };
  auto retrieval = search(question);
  if (!retrieval.ok()) return retrieval.status();
  // A follow-up ("and on Debian 12?") may not name its subject: when the question alone finds
  // little, the previous question adds it, and whichever search is surer wins.
  if (!previous.empty() && retrieval->confidence < 0.5) {
    auto with_context = search(previous.back() + " " + question);
    if (with_context.ok() && with_context->confidence > retrieval->confidence) retrieval = std::move(with_context);
  }
  const Scope scope(context);
  const int bodies = std::min<int>(kBodiesRetrieved, static_cast<int>(retrieval->articles.size()));
  for (int i = 0; i < bodies; ++i) {
    auto article = store_.knowledge().Get(scope, retrieval->articles[i].hit.id);
    if (article.ok()) retrieval->articles[i].body = std::move(article->body);
  }
  return retrieval;
}

Result<Session> AiEngine::OpenSession(const RequestContext& context, const ChatRequest& request,
                                      const std::string& question) {
  if (request.session_id) {
    auto session = sessions_.Get(context, *request.session_id);
    if (!session.ok()) return session.status();
    if (session->session_type != SessionType::ai_chat) {
      return Status::InvalidField("session_id", field_code::kNotAllowed, {{"allowed", "ai_chat"}});
    }
    return session;
  }
  boost::json::object session_context;
  if (!request.user_role.empty()) session_context["user_role"] = request.user_role;
  if (!request.customer_context.empty()) session_context["customer_context"] = request.customer_context;
  return sessions_.Start(context, SessionType::ai_chat, question,
                         session_context.empty() ? std::nullopt : std::optional<boost::json::value>(session_context));
}

std::vector<std::string> AiEngine::PreviousQuestions(const RequestContext& context, const Session& session) {
  std::vector<std::string> questions;
  if (!session.initial_question.empty()) questions.push_back(session.initial_question);
  // The latest interactions are on the last page.
  constexpr int kPage = 20;
  const int last_page = static_cast<int>(std::max<std::int64_t>(0, session.interaction_count - 1) / kPage) + 1;
  auto page = sessions_.ListInteractions(context, session.session_id, PageRequest{last_page, kPage});
  if (page.ok()) {
    for (const auto& interaction : page->items) {
      if (interaction.interaction_type == InteractionType::feedback || !interaction.user_input) continue;
      if (questions.empty() || questions.back() != *interaction.user_input) questions.push_back(*interaction.user_input);
    }
  }
  if (questions.size() > static_cast<std::size_t>(kPreviousQuestions)) {
    questions.erase(questions.begin(), questions.end() - kPreviousQuestions);
  }
  return questions;
}

Result<ChatReply> AiEngine::Chat(const RequestContext& context, ChatRequest request) {
  const auto started = std::chrono::steady_clock::now();
  const std::string question = Normalise(request.question);
  FieldChecker check;
  check.Required("question", question, kMaxQuestionChars);
  check.Range("options.max_results", request.max_results, 1, kMaxResults);
  if (!(request.confidence_threshold >= 0.0 && request.confidence_threshold <= 1.0)) {
    check.Add("options.confidence_threshold", field_code::kOutOfRange, {{"min", "0"}, {"max", "1"}});
  }
  if (request.session_id) check.Required("session_id", *request.session_id, 64);
  if (auto errors = check.Take(); !errors.empty()) return Status::Invalid(std::move(errors));

  auto session = OpenSession(context, request, question);
  if (!session.ok()) return session.status();
  const bool continuing = request.session_id.has_value();
  if (continuing && !AcceptsInteractions(session->state)) {
    return Status::TransitionNotAllowed(EnumName(session->state), EnumName(SessionState::in_progress));
  }
  std::vector<std::string> previous = continuing ? PreviousQuestions(context, *session) : std::vector<std::string>{};
  if (previous.empty()) previous = request.previous_questions;
  if (previous.size() > static_cast<std::size_t>(kPreviousQuestions)) {
    previous.erase(previous.begin(), previous.end() - kPreviousQuestions);
  }

  const ArticleLang lang = QuestionLang(question, context.locale);
  auto retrieval = Retrieve(context, question, lang, previous, std::max(request.max_results, 5));
  if (!retrieval.ok()) return retrieval.status();

  AiQuestion asked;
  asked.question = question;
  asked.lang = lang;
  asked.session_id = session->session_id;
  asked.previous_questions = previous;
  asked.user_role = request.user_role;
  asked.customer_context = request.customer_context;
  asked.include_recommendations = request.include_recommendations;
  asked.max_results = request.max_results;
  asked.confidence_threshold = request.confidence_threshold;
  asked.retrieved = retrieval->articles;
  asked.retrieval_confidence = retrieval->confidence;

  ChatReply reply;
  reply.session_id = session->session_id;
  reply.suggest_ticket = retrieval->suggest_ticket;

  // The provider, through its breaker (Guard() of circuit_breaker.hpp, with the provider's own
  // account of what failed as the reason).
  std::optional<AiAnswer> answer;
  const char* failed = nullptr;
  if (!breaker_.TryAcquirePermission()) {
    failed = reason::kCircuitOpen;
  } else {
    AiFailure failure = AiFailure::kNone;
    const std::int64_t start = breaker_.clock().NowMillis();
    Result<AiAnswer> asked_answer = Status::Error(ErrorCode::kAiUnavailable);
    try {
      asked_answer = provider_.Ask(Scope(context), asked, failure);
    } catch (...) {
      breaker_.ReleasePermission();
      throw;
    }
    const std::int64_t duration = breaker_.clock().NowMillis() - start;
    if (asked_answer.ok()) {
      breaker_.OnSuccess(duration);
      answer = std::move(asked_answer).value();
    } else if (CountsAsFailure(asked_answer.status())) {
      breaker_.OnFailure(duration);
      failed = ReachedSlowCallDuration(breaker_, duration) ? reason::kTimeout : FailureReason(failure);
      Log().warn("ai.chat: {} failed ({}), answering from search (trace {})", provider_.name(),
                 asked_answer.status().detail(), context.trace_id);
    } else {
      breaker_.OnSuccess(duration);  // it answered: the question itself was refused
      return asked_answer.status();
    }
  }

  if (answer) {
    answer->confidence = Round2(std::isfinite(answer->confidence) ? answer->confidence : 0.0);
    MapToLocalIds(answer->related_articles, retrieval->articles);
    if (answer->related_articles.empty()) answer->related_articles = RelatedFromHits(retrieval->articles, request.max_results);
    if (static_cast<int>(answer->related_articles.size()) > request.max_results) {
      answer->related_articles.resize(static_cast<std::size_t>(request.max_results));
    }
    for (auto& article : answer->related_articles) {
      article.relevance = Round2(std::isfinite(article.relevance) ? article.relevance : 0.0);
    }
    if (!request.include_recommendations) answer->follow_up_questions.clear();
    reply.backend = std::string(provider_.name());
    if (answer->confidence < request.confidence_threshold || answer->answer.empty()) {
      // Spec 5.1: not sure enough, so the search results instead of the answer.
      reply.mode = ChatReply::Mode::kSearchResults;
      reply.fallback_reason = reason::kLowConfidence;
      const double confidence = answer->confidence;
      reply.answer = AiAnswer{};
      reply.answer.confidence = confidence;
      reply.answer.related_articles = RelatedFromHits(retrieval->articles, request.max_results);
    } else {
      reply.answer = std::move(*answer);
    }
  } else {
    // Spec 2.3 / 8.1: the AI is out, keyword search answers, unless the tenant has none.
    auto config = store_.portal_configs().Find(Scope(context), context.customer_id);
    if (config.ok() && *config && !(*config)->enabled_features.empty() &&
        std::find((*config)->enabled_features.begin(), (*config)->enabled_features.end(), "faq_search") ==
            (*config)->enabled_features.end()) {
      return Status::Error(ErrorCode::kAiUnavailable);
    }
    reply.mode = ChatReply::Mode::kSearchResults;
    reply.backend = "search";
    reply.degraded = true;
    reply.fallback_reason = failed;
    reply.answer.confidence = Round2(retrieval->confidence);
    reply.answer.related_articles = RelatedFromHits(retrieval->articles, request.max_results);
  }

  // The record: one interaction per question, with what the customer was shown.
  Interaction interaction;
  interaction.session_id = session->session_id;
  interaction.interaction_type =
      reply.mode == ChatReply::Mode::kAnswer ? InteractionType::answer : InteractionType::recommendation;
  interaction.user_input = question;
  interaction.system_response = ClipText(reply.mode == ChatReply::Mode::kAnswer
                                             ? reply.answer.answer
                                             : TitlesText(reply.answer.related_articles));
  interaction.ai_confidence = reply.answer.confidence;
  for (const auto& article : reply.answer.related_articles) {
    if (article.id) interaction.knowledge_article_ids.push_back(*article.id);
  }
  reply.response_time_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                               std::chrono::steady_clock::now() - started)
                               .count();
  interaction.response_time = reply.response_time_ms;
  if (session->state == SessionState::not_started) {
    // A session opened empty by sessions.start: this question starts it.
    Interaction first;
    first.session_id = session->session_id;
    first.interaction_type = InteractionType::question;
    first.user_input = question;
    if (auto started_session = sessions_.AddInteraction(context, std::move(first)); !started_session.ok()) {
      return started_session.status();
    }
  }
  auto recorded = sessions_.AddInteraction(context, std::move(interaction));
  if (!recorded.ok()) return recorded.status();
  reply.interaction_id = recorded->appended.empty() ? 0 : recorded->appended.front().id;

  // Questions feed the tenant's trending queries like searches do; the answer matters more.
  if (Status event = RecordSearchEvent(events_, context, ActionType::search, question,
                                       "results:" + std::to_string(retrieval->total), clock_.NowMillis(), "/ai-chat");
      !event.ok()) {
    Log().warn("ai.chat event not recorded: {}", event.detail());
  }
  return reply;
}

Result<Page<Session>> AiEngine::Conversations(const RequestContext& context, PageRequest page) {
  SessionFilter filter;
  filter.session_type = SessionType::ai_chat;
  filter.user_id = context.user_id;
  return sessions_.List(context, filter, page);
}

Result<Page<Interaction>> AiEngine::Conversation(const RequestContext& context, const std::string& session_id,
                                                 PageRequest page) {
  auto session = sessions_.Get(context, session_id);
  if (!session.ok()) return session.status();
  // Another user's conversation is not there for this caller, whatever their role sees.
  if (session->session_type != SessionType::ai_chat || session->user_id != context.user_id) {
    return Status::NotFound("conversation");
  }
  return sessions_.ListInteractions(context, session_id, page);
}

Result<ChatFeedbackOutcome> AiEngine::Feedback(const RequestContext& context, std::int64_t interaction_id, int rating,
                                               std::optional<std::string> comment) {
  FieldChecker check;
  check.Range("helpful_rating", rating, 1, 5);
  check.MaxBytes("comment", comment, 65535);
  if (auto errors = check.Take(); !errors.empty()) return Status::Invalid(std::move(errors));
  const Scope scope(context);
  auto rated = store_.sessions().RateInteraction(scope, interaction_id, rating);
  if (!rated.ok()) return rated.status();
  ChatFeedbackOutcome outcome;
  outcome.rated = rated->interaction;
  const Interaction& answer = rated->interaction;

  // The verdict as its own interaction, so the conversation shows it.
  Interaction verdict;
  verdict.session_id = answer.session_id;
  verdict.interaction_type = InteractionType::feedback;
  verdict.user_input = comment;
  verdict.helpful_rating = rating;
  verdict.knowledge_article_ids = answer.knowledge_article_ids;
  if (auto added = sessions_.AddInteraction(context, std::move(verdict)); !added.ok()) {
    // A closed conversation takes no more interactions; the rating itself is stored.
    Log().info("ai.feedback: verdict not added to the conversation: {}", added.status().detail());
  }

  // The first verdict on an answer votes on its article: the helpfulness prior of search ranking.
  if (!rated->previous_rating && rating != 3 && !answer.knowledge_article_ids.empty()) {
    const bool helpful = rating >= 4;
    auto article = knowledge_.Vote(context, answer.knowledge_article_ids.front(), helpful);
    if (article.ok()) {
      outcome.voted_article = article->id;
      if (source_ != nullptr) source_->Forward(context, *article, helpful);
    } else {
      Log().info("ai.feedback: no vote on article {}: {}", answer.knowledge_article_ids.front(),
                 article.status().detail());
    }
  }

  LearningFeedback learning;
  // One key per verdict: a retry of this one is recognised, a later change of mind is not lost.
  learning.idempotency_key = "ai-feedback-" + std::to_string(answer.id) + "-" + std::to_string(clock_.NowMillis());
  learning.interaction_id = std::to_string(answer.id);
  learning.session_id = answer.session_id;
  learning.question = answer.user_input.value_or("");
  learning.answer = answer.system_response.value_or("");
  learning.helpful_rating = rating;
  learning.comment = comment;
  for (auto id : answer.knowledge_article_ids) learning.article_ids.push_back(std::to_string(id));
  std::string not_sent;
  Status sent = SendLearning(breaker_, provider_, scope, learning, not_sent);
  outcome.learning_feedback_sent = sent.ok();
  if (!sent.ok()) {
    outcome.learning_feedback_reason = not_sent;
    if (CountsAsFailure(sent)) {
      // Fire and forget, but never lost: the outbox retries it (outbox.deliver).
      auto queued = outbox_.Enqueue(context, kLearningFeedbackTopic, learning.idempotency_key, FeedbackPayload(learning));
      outcome.learning_feedback_queued = queued.ok();
      if (!queued.ok()) Log().warn("ai.feedback: learning feedback not queued: {}", queued.status().detail());
    } else {
      Log().warn("ai.feedback: learning feedback refused: {}", sent.detail());
    }
  }
  return outcome;
}

Result<ChatRecommendations> AiEngine::Recommend(const RequestContext& context, ArticleLang lang, int size) {
  FieldChecker check;
  check.Range("size", size, 1, 20);
  if (auto errors = check.Take(); !errors.empty()) return Status::Invalid(std::move(errors));
  ChatRecommendations out;
  auto add = [&](std::string text, const char* source) {
    if (static_cast<int>(out.questions.size()) >= size || text.empty()) return;
    const bool known = std::any_of(out.questions.begin(), out.questions.end(), [&](const auto& q) {
      return Normalise(q.text) == Normalise(text);
    });
    if (!known) out.questions.push_back(ChatRecommendations::Question{std::move(text), source});
  };

  // The user's latest conversation first: what they were after is what they come back for.
  SessionFilter mine;
  mine.session_type = SessionType::ai_chat;
  mine.user_id = context.user_id;
  if (auto recent = sessions_.List(context, mine, PageRequest{1, 3}); recent.ok()) {
    for (const auto& session : recent->items) {
      if (session.resolution_status != ResolutionStatus::resolved) add(session.initial_question, "recent");
    }
  }
  // The provider's own recommendations, when it has any and is up.
  if (breaker_.TryAcquirePermission()) {
    const std::int64_t start = breaker_.clock().NowMillis();
    auto recommended = provider_.RecommendedQuestions(Scope(context), lang, size);
    const std::int64_t duration = breaker_.clock().NowMillis() - start;
    if (CountsAsFailure(recommended.status())) {
      breaker_.OnFailure(duration);
    } else {
      breaker_.OnSuccess(duration);
      if (recommended.ok()) {
        for (auto& text : *recommended) add(std::move(text), "ai");
      }
    }
  }
  // What the tenant asks most this week.
  TrendQuery trend;
  trend.now = Timestamp{clock_.NowMillis()};
  trend.since = Timestamp{trend.now.millis - 7LL * 24 * 3600 * 1000};
  trend.limit = size;
  if (auto trending = store_.analytics().TopSearches(Scope(context), trend); trending.ok()) {
    for (auto& item : *trending) {
      if (QuestionLang(item.keywords, context.locale) == lang) add(std::move(item.keywords), "trending");
    }
  }

  KnowledgeFilter popular;
  popular.lang = lang;
  popular.status = PublicationStatus::published;
  popular.order = KnowledgeOrder::kMostViewed;
  auto articles = store_.knowledge().List(Scope(context), popular, PageRequest{1, size});
  if (!articles.ok()) return articles.status();
  out.articles = std::move(articles->items);
  return out;
}

}  // namespace selfservice

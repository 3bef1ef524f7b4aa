// AiEngine: ai.chat's flow (session, context, retrieval, confidence check, record), the fallback to
// keyword search for every kind of provider failure and the breaker in front of the provider,
// ai.feedback (rating, vote, learning feedback), ai.history and ai.recommendations, with a
// scripted provider on a private in-memory store.

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "engine/engine_test_support.hpp"
#include "support/temp_dir.hpp"

namespace selfservice {
namespace {

using test::CustomerAdmin;
using test::Describe;
using test::kSecond;
using test::kStart;
using test::PlatformAdmin;
using test::User;

// A provider that answers what the test scripts, remembers what it was asked, and takes
// `duration_ms` of the clock's time per call.
class ScriptedProvider final : public AiProvider {
 public:
  explicit ScriptedProvider(ManualClock& clock) : clock_(clock) {}

  std::string_view name() const override { return "scripted"; }

  Result<AiAnswer> Ask(const Scope&, const AiQuestion& question, AiFailure& failure) override {
    asked.push_back(question);
    clock_.Advance(duration_ms);
    failure = failure_;
    if (failure_ != AiFailure::kNone) return Status::Error(ErrorCode::kAiUnavailable, "scripted failure", true);
    if (!refusal.ok()) return refusal;
    AiAnswer answer;
    answer.answer = "Restart the service.";
    answer.confidence = confidence;
    if (!question.retrieved.empty()) answer.source_article_id = question.retrieved.front().hit.id;
    for (const auto& item : question.retrieved) {
      answer.related_articles.push_back(
          AiRelatedArticle{item.hit.id, item.hit.external_id, item.hit.title, item.hit.url, 0.9, item.hit.category});
    }
    answer.suggested_actions.push_back(AiSuggestedAction{"Restart", 1, "systemctl restart nginx"});
    answer.follow_up_questions.push_back("How do I read the logs?");
    return answer;
  }

  Status SendLearningFeedback(const Scope&, const LearningFeedback& feedback) override {
    feedback_sent.push_back(feedback);
    return learning_status;
  }

  Result<std::vector<std::string>> RecommendedQuestions(const Scope&, ArticleLang, int) override {
    return recommended;
  }

  Result<std::optional<double>> AnalyzeSentiment(const Scope&, std::string_view, ArticleLang) override {
    return std::optional<double>{};
  }

  void Fail(AiFailure failure) { failure_ = failure; }

  std::vector<AiQuestion> asked;
  std::vector<LearningFeedback> feedback_sent;
  double confidence = 0.9;
  std::int64_t duration_ms = 0;
  Status refusal;
  Status learning_status;
  std::vector<std::string> recommended;

 private:
  ManualClock& clock_;
  AiFailure failure_ = AiFailure::kNone;
};

ChatRequest Ask(std::string question) {
  ChatRequest request;
  request.question = std::move(question);
  return request;
}

class AiEngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto breaker = CircuitBreaker::Create("ai.test", CircuitBreakerOptions{}, clock_);
    ASSERT_TRUE(breaker.ok());
    breaker_ = std::move(breaker).value();
    engine_ = std::make_unique<AiEngine>(*store_, store_->search(), store_->knowledge(), provider_, *breaker_,
                                         nullptr, outbox_, events_, *clock_);
    nginx_ = Article("ext-nginx", "nginx fails to start", "Check the configuration with nginx -t.", "en");
    wifi_ = Article("ext-wifi", "Wireless connection keeps dropping", "Disable power saving.", "en");
    zh_ = Article("ext-zh", "服务器连不上怎么办", "检查网络和防火墙。", "zh");
  }

  std::int64_t Article(const char* external_id, const char* title, const char* body, const char* lang,
                       std::int64_t tenant = 1) {
    KnowledgeArticle article;
    article.tenant_id = tenant;
    article.external_id = external_id;
    article.title = title;
    article.body = body;
    article.lang = *ParseEnum<ArticleLang>(lang);
    article.category = "Basics";
    article.updated_at = Timestamp{kStart};
    auto stored = store_->knowledge().UpsertMany(Scope(PlatformAdmin(tenant, 10, 100)), {article});
    EXPECT_TRUE(stored.ok()) << Describe(stored);
    return stored.ok() ? stored->front().article.id : 0;
  }

  ChatReply Chat(const std::string& question, const RequestContext& who = User(1, 10, 101),
                 std::optional<std::string> session_id = std::nullopt) {
    ChatRequest request;
    request.question = question;
    request.session_id = std::move(session_id);
    auto reply = engine_->Chat(who, std::move(request));
    EXPECT_TRUE(reply.ok()) << Describe(reply);
    return reply.ok() ? std::move(reply).value() : ChatReply{};
  }

  Status ChatStatus(ChatRequest request, const RequestContext& who = User(1, 10, 101)) {
    return engine_->Chat(who, std::move(request)).status();
  }

  std::shared_ptr<ManualClock> clock_ = std::make_shared<ManualClock>(kStart);
  std::unique_ptr<Store> store_ = test::OpenMemoryStore();
  ScriptedProvider provider_{*clock_};
  std::unique_ptr<CircuitBreaker> breaker_;
  OutboxRelay outbox_{*store_, *clock_, OutboxPolicy{}, [] { return 0.5; }};
  EventRecorder events_{*store_, std::chrono::milliseconds(0)};
  std::unique_ptr<AiEngine> engine_;
  std::int64_t nginx_ = 0, wifi_ = 0, zh_ = 0;
};

// --- ai.chat: the answer and its record -----------------------------------------------------------

TEST_F(AiEngineTest, AnswersStartAnAiChatSessionAndRecordTheInteraction) {
  const ChatReply reply = Chat("  nginx   fails to start  ");
  EXPECT_EQ(reply.mode, ChatReply::Mode::kAnswer);
  EXPECT_EQ(reply.answer.answer, "Restart the service.");
  EXPECT_DOUBLE_EQ(reply.answer.confidence, 0.9);
  EXPECT_EQ(reply.backend, "scripted");
  EXPECT_FALSE(reply.degraded);
  EXPECT_FALSE(reply.fallback_reason.has_value());
  ASSERT_FALSE(reply.answer.related_articles.empty());
  EXPECT_EQ(reply.answer.related_articles.front().id, nginx_);
  EXPECT_EQ(reply.answer.related_articles.front().external_id, "ext-nginx");
  ASSERT_EQ(provider_.asked.size(), 1u);
  EXPECT_EQ(provider_.asked[0].question, "nginx fails to start");  // normalised
  EXPECT_EQ(provider_.asked[0].lang, ArticleLang::en);
  EXPECT_TRUE(provider_.asked[0].previous_questions.empty());
  ASSERT_FALSE(provider_.asked[0].retrieved.empty());
  EXPECT_EQ(provider_.asked[0].retrieved.front().hit.id, nginx_);
  EXPECT_EQ(provider_.asked[0].retrieved.front().body, "Check the configuration with nginx -t.");
  EXPECT_GT(provider_.asked[0].retrieval_confidence, 0.0);

  auto session = store_->sessions().Get(Scope(User(1, 10, 101)), reply.session_id);
  ASSERT_TRUE(session.ok()) << Describe(session);
  EXPECT_EQ(session->session_type, SessionType::ai_chat);
  EXPECT_EQ(session->state, SessionState::in_progress);
  EXPECT_EQ(session->initial_question, "nginx fails to start");
  EXPECT_EQ(session->interaction_count, 1);
  auto interactions = store_->sessions().ListInteractions(Scope(User(1, 10, 101)), reply.session_id, PageRequest{1, 10});
  ASSERT_TRUE(interactions.ok());
  ASSERT_EQ(interactions->items.size(), 1u);
  const Interaction& recorded = interactions->items[0];
  EXPECT_EQ(recorded.id, reply.interaction_id);
  EXPECT_EQ(recorded.interaction_type, InteractionType::answer);
  EXPECT_EQ(recorded.user_input, "nginx fails to start");
  EXPECT_EQ(recorded.system_response, "Restart the service.");
  EXPECT_DOUBLE_EQ(recorded.ai_confidence.value_or(-1), 0.9);
  EXPECT_EQ(recorded.response_time, reply.response_time_ms);
  ASSERT_FALSE(recorded.knowledge_article_ids.empty());
  EXPECT_EQ(recorded.knowledge_article_ids.front(), nginx_);

  // The question counts as a search of the tenant (trending, analytics).
  auto events = store_->analytics().List(Scope(PlatformAdmin(1, 10, 100)), BehaviorFilter{}, PageRequest{1, 10});
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->items.size(), 1u);
  EXPECT_EQ(events->items[0].page_path, "/ai-chat");
  EXPECT_EQ(events->items[0].search_keywords, "nginx fails to start");
}

TEST_F(AiEngineTest, TheQuestionsScriptChoosesTheLanguageAndTheLocaleDecidesOtherwise) {
  Chat("服务器连不上");
  Chat("wifi keeps dropping");
  RequestContext english = User(1, 10, 101);
  english.locale = Locale::kEnUS;
  Chat("12345 ???", english);
  ASSERT_EQ(provider_.asked.size(), 3u);
  EXPECT_EQ(provider_.asked[0].lang, ArticleLang::zh);
  EXPECT_EQ(provider_.asked[0].retrieved.front().hit.id, zh_);
  EXPECT_EQ(provider_.asked[1].lang, ArticleLang::en);
  EXPECT_EQ(provider_.asked[2].lang, ArticleLang::en);
}

TEST_F(AiEngineTest, ContinuingASessionGivesTheProviderItsEarlierQuestions) {
  const ChatReply first = Chat("nginx fails to start");
  const ChatReply second = Chat("and after an upgrade?", User(1, 10, 101), first.session_id);
  EXPECT_EQ(second.session_id, first.session_id);
  EXPECT_NE(second.interaction_id, first.interaction_id);
  ASSERT_EQ(provider_.asked.size(), 2u);
  EXPECT_EQ(provider_.asked[1].previous_questions, std::vector<std::string>{"nginx fails to start"});
  auto session = store_->sessions().Get(Scope(User(1, 10, 101)), first.session_id);
  ASSERT_TRUE(session.ok());
  EXPECT_EQ(session->interaction_count, 2);
}

TEST_F(AiEngineTest, AnEmptySessionFromSessionsStartIsStartedByTheQuestion) {
  SessionEngine sessions(*store_, *clock_);
  auto empty = sessions.Start(User(1, 10, 101), SessionType::ai_chat, "", std::nullopt);
  ASSERT_TRUE(empty.ok()) << Describe(empty);
  const ChatReply reply = Chat("nginx fails to start", User(1, 10, 101), empty->session_id);
  auto session = store_->sessions().Get(Scope(User(1, 10, 101)), reply.session_id);
  ASSERT_TRUE(session.ok());
  EXPECT_EQ(session->state, SessionState::in_progress);
  EXPECT_EQ(session->initial_question, "nginx fails to start");
  EXPECT_EQ(session->interaction_count, 1);
}

TEST_F(AiEngineTest, TheCallersPreviousQuestionsAreUsedForANewSession) {
  ChatRequest request;
  request.question = "what next?";
  request.previous_questions = {"nginx fails to start"};
  ASSERT_TRUE(engine_->Chat(User(1, 10, 101), request).ok());
  ASSERT_EQ(provider_.asked.size(), 1u);
  EXPECT_EQ(provider_.asked[0].previous_questions, std::vector<std::string>{"nginx fails to start"});
  // "what next?" alone finds nothing; with the earlier question the search finds the nginx article.
  ASSERT_FALSE(provider_.asked[0].retrieved.empty());
  EXPECT_EQ(provider_.asked[0].retrieved.front().hit.id, nginx_);
}

// --- ai.chat: bad input -----------------------------------------------------------------------------

TEST_F(AiEngineTest, BadQuestionsAndOptionsAnswer10001WithTheField) {
  auto field_of = [](const Status& status) {
    return status.field_errors().empty() ? std::string() : status.field_errors().front().field;
  };
  ChatRequest blank;
  blank.question = " \t\n ";
  Status status = ChatStatus(blank);
  EXPECT_EQ(status.code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(field_of(status), "question");

  ChatRequest too_long;
  for (int i = 0; i < 2001; ++i) too_long.question += "问";
  status = ChatStatus(too_long);
  EXPECT_EQ(status.code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(field_of(status), "question");
  ASSERT_FALSE(status.field_errors().empty());
  EXPECT_EQ(status.field_errors().front().code, field_code::kTooLong);

  ChatRequest longest;  // exactly 2,000 characters is allowed
  for (int i = 0; i < 2000; ++i) longest.question += "问";
  EXPECT_TRUE(ChatStatus(longest).ok());

  ChatRequest bad_options;
  bad_options.question = "nginx";
  bad_options.max_results = 0;
  bad_options.confidence_threshold = std::numeric_limits<double>::quiet_NaN();
  status = ChatStatus(bad_options);
  EXPECT_EQ(status.code(), ErrorCode::kInvalidArgument);
  ASSERT_EQ(status.field_errors().size(), 2u);
  EXPECT_EQ(status.field_errors()[0].field, "options.max_results");
  EXPECT_EQ(status.field_errors()[1].field, "options.confidence_threshold");
  EXPECT_EQ(provider_.asked.size(), 1u);  // only the valid 2,000-character question reached it
}

TEST_F(AiEngineTest, SessionsOfOthersOfOtherTenantsOrOtherTypesAreRefused) {
  const ChatReply mine = Chat("nginx fails to start");
  ChatRequest request;
  request.question = "again";
  request.session_id = mine.session_id;
  EXPECT_EQ(ChatStatus(request, User(1, 10, 102)).code(), ErrorCode::kNotFound);  // another user
  EXPECT_EQ(ChatStatus(request, User(2, 10, 101)).code(), ErrorCode::kNotFound);  // another tenant
  request.session_id = "sess_nosuchsession";
  EXPECT_EQ(ChatStatus(request).code(), ErrorCode::kNotFound);

  SessionEngine sessions(*store_, *clock_);
  auto search_session = sessions.Start(User(1, 10, 101), SessionType::search, "printer", std::nullopt);
  ASSERT_TRUE(search_session.ok());
  request.session_id = search_session->session_id;
  const Status wrong_type = ChatStatus(request);
  EXPECT_EQ(wrong_type.code(), ErrorCode::kInvalidArgument);
  ASSERT_FALSE(wrong_type.field_errors().empty());
  EXPECT_EQ(wrong_type.field_errors().front().field, "session_id");

  TransitionRequest resolve;
  resolve.session_id = mine.session_id;
  resolve.to = SessionState::resolved;
  ASSERT_TRUE(sessions.Transition(User(1, 10, 101), resolve).ok());
  request.session_id = mine.session_id;
  EXPECT_EQ(ChatStatus(request).code(), ErrorCode::kTransitionNotAllowed);
  auto session = store_->sessions().Get(Scope(User(1, 10, 101)), mine.session_id);
  ASSERT_TRUE(session.ok());
  EXPECT_EQ(session->interaction_count, 1);  // nothing was recorded for the refused questions
}

TEST_F(AiEngineTest, AQuestionTheProviderRefusesIsTheCallersError) {
  provider_.refusal = Status::InvalidField("question", field_code::kTooLong);
  const Status status = ChatStatus(Ask("nginx fails to start"));
  EXPECT_EQ(status.code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(breaker_->metrics().failed_calls, 0);
}

// --- ai.chat: the confidence check and the fallback -----------------------------------------------

TEST_F(AiEngineTest, AnUnsureAnswerGivesTheSearchResultsInstead) {
  provider_.confidence = 0.4;
  const ChatReply reply = Chat("nginx fails to start");
  EXPECT_EQ(reply.mode, ChatReply::Mode::kSearchResults);
  EXPECT_EQ(reply.fallback_reason, "low_confidence");
  EXPECT_FALSE(reply.degraded);
  EXPECT_EQ(reply.backend, "scripted");
  EXPECT_TRUE(reply.answer.answer.empty());
  EXPECT_DOUBLE_EQ(reply.answer.confidence, 0.4);
  EXPECT_TRUE(reply.answer.suggested_actions.empty());
  ASSERT_FALSE(reply.answer.related_articles.empty());
  EXPECT_EQ(reply.answer.related_articles.front().id, nginx_);
  EXPECT_DOUBLE_EQ(reply.answer.related_articles.front().relevance, 1.0);

  // A lower threshold of the caller's own accepts the same answer.
  ChatRequest lenient = Ask("nginx fails to start");
  lenient.confidence_threshold = 0.3;
  auto accepted = engine_->Chat(User(1, 10, 101), lenient);
  ASSERT_TRUE(accepted.ok());
  EXPECT_EQ(accepted->mode, ChatReply::Mode::kAnswer);
}

TEST_F(AiEngineTest, EveryKindOfProviderFailureFallsBackToSearchWithItsReason) {
  const std::pair<AiFailure, const char*> cases[] = {{AiFailure::kUnavailable, "unavailable"},
                                                     {AiFailure::kTimeout, "timeout"},
                                                     {AiFailure::kBadResponse, "bad_response"}};
  for (const auto& [failure, reason] : cases) {
    provider_.Fail(failure);
    const ChatReply reply = Chat("nginx fails to start");
    EXPECT_EQ(reply.mode, ChatReply::Mode::kSearchResults) << reason;
    EXPECT_TRUE(reply.degraded) << reason;
    EXPECT_EQ(reply.fallback_reason, reason);
    EXPECT_EQ(reply.backend, "search");
    ASSERT_FALSE(reply.answer.related_articles.empty()) << reason;
    EXPECT_EQ(reply.answer.related_articles.front().id, nginx_);
    EXPECT_EQ(reply.answer.related_articles.front().external_id, "ext-nginx");
    EXPECT_GE(reply.answer.confidence, 0.0);
    EXPECT_NE(reply.interaction_id, 0);  // the fallback is recorded too
  }
}

TEST_F(AiEngineTest, ACallSlowerThanTheSlowCallDurationIsATimeout) {
  provider_.Fail(AiFailure::kUnavailable);
  provider_.duration_ms = CircuitBreakerOptions{}.slow_call_duration_threshold_ms;
  EXPECT_EQ(Chat("nginx fails to start").fallback_reason, "timeout");
}

TEST_F(AiEngineTest, ADeadProviderOpensTheBreakerWithinFiveCallsAndIsThenNotCalled) {
  provider_.Fail(AiFailure::kUnavailable);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(Chat("nginx fails to start").fallback_reason, "unavailable");
  EXPECT_EQ(breaker_->state(), CircuitBreaker::State::kOpen);
  const std::size_t calls = provider_.asked.size();
  const ChatReply cut_off = Chat("nginx fails to start");
  EXPECT_EQ(cut_off.fallback_reason, "circuit_open");
  EXPECT_TRUE(cut_off.degraded);
  EXPECT_EQ(provider_.asked.size(), calls);

  // After the wait, probes go through and a healthy provider closes the breaker again.
  provider_.Fail(AiFailure::kNone);
  clock_->Advance(CircuitBreakerOptions{}.wait_duration_in_open_state_ms);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(Chat("nginx fails to start").mode, ChatReply::Mode::kAnswer);
  EXPECT_EQ(breaker_->state(), CircuitBreaker::State::kClosed);
}

TEST_F(AiEngineTest, WithoutKeywordSearchAnOutageIs20001) {
  PortalConfigEngine configs(*store_, *clock_);
  ASSERT_TRUE(configs.Update(CustomerAdmin(1, 10, 100), 10, test::JsonObject(R"({"enabled_features": ["ai_chat"]})")).ok());
  provider_.Fail(AiFailure::kUnavailable);
  EXPECT_EQ(ChatStatus(Ask("nginx fails to start")).code(), ErrorCode::kAiUnavailable);
  // Another customer of the tenant keeps its search.
  EXPECT_TRUE(ChatStatus(Ask("nginx fails to start"), User(1, 11, 111)).ok());
}

// --- ai.feedback ----------------------------------------------------------------------------------

TEST_F(AiEngineTest, FeedbackRatesTheAnswerVotesOnceAndSendsLearningFeedback) {
  const ChatReply reply = Chat("nginx fails to start");
  auto outcome = engine_->Feedback(User(1, 10, 101), reply.interaction_id, 5, std::string("fixed it"));
  ASSERT_TRUE(outcome.ok()) << Describe(outcome);
  EXPECT_EQ(outcome->rated.helpful_rating, 5);
  EXPECT_EQ(outcome->voted_article, nginx_);
  EXPECT_TRUE(outcome->learning_feedback_sent);
  ASSERT_EQ(provider_.feedback_sent.size(), 1u);
  EXPECT_EQ(provider_.feedback_sent[0].interaction_id, std::to_string(reply.interaction_id));
  EXPECT_EQ(provider_.feedback_sent[0].question, "nginx fails to start");
  EXPECT_EQ(provider_.feedback_sent[0].comment, "fixed it");
  auto article = store_->knowledge().Get(Scope(User(1, 10, 101)), nginx_);
  ASSERT_TRUE(article.ok());
  EXPECT_EQ(article->helpful_votes, 1);

  // Changing one's mind changes the rating, not the votes.
  auto again = engine_->Feedback(User(1, 10, 101), reply.interaction_id, 1, std::nullopt);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->voted_article.has_value());
  article = store_->knowledge().Get(Scope(User(1, 10, 101)), nginx_);
  EXPECT_EQ(article->helpful_votes, 1);
  EXPECT_EQ(article->unhelpful_votes, 0);

  // The verdicts are in the conversation.
  auto conversation = engine_->Conversation(User(1, 10, 101), reply.session_id, PageRequest{1, 10});
  ASSERT_TRUE(conversation.ok());
  ASSERT_EQ(conversation->items.size(), 3u);
  EXPECT_EQ(conversation->items[0].helpful_rating, 1);
  EXPECT_EQ(conversation->items[1].interaction_type, InteractionType::feedback);
  EXPECT_EQ(conversation->items[1].user_input, "fixed it");
}

TEST_F(AiEngineTest, ANeutralRatingVotesNothingAndAnUnhelpfulOneVotesDown) {
  const ChatReply first = Chat("nginx fails to start");
  auto neutral = engine_->Feedback(User(1, 10, 101), first.interaction_id, 3, std::nullopt);
  ASSERT_TRUE(neutral.ok());
  EXPECT_FALSE(neutral->voted_article.has_value());
  const ChatReply second = Chat("nginx fails to start");
  auto down = engine_->Feedback(User(1, 10, 101), second.interaction_id, 2, std::nullopt);
  ASSERT_TRUE(down.ok());
  EXPECT_EQ(down->voted_article, nginx_);
  auto article = store_->knowledge().Get(Scope(User(1, 10, 101)), nginx_);
  EXPECT_EQ(article->unhelpful_votes, 1);
}

TEST_F(AiEngineTest, FeedbackOnSomeoneElsesOrAMissingInteractionIs10004AndBadRatingsAre10001) {
  const ChatReply reply = Chat("nginx fails to start");
  EXPECT_EQ(engine_->Feedback(User(1, 10, 102), reply.interaction_id, 5, std::nullopt).status().code(),
            ErrorCode::kNotFound);
  EXPECT_EQ(engine_->Feedback(User(2, 10, 101), reply.interaction_id, 5, std::nullopt).status().code(),
            ErrorCode::kNotFound);
  EXPECT_EQ(engine_->Feedback(User(1, 10, 101), reply.interaction_id + 100, 5, std::nullopt).status().code(),
            ErrorCode::kNotFound);
  for (int rating : {0, 6, -1}) {
    const Status status = engine_->Feedback(User(1, 10, 101), reply.interaction_id, rating, std::nullopt).status();
    EXPECT_EQ(status.code(), ErrorCode::kInvalidArgument) << rating;
  }
  auto interactions = store_->sessions().ListInteractions(Scope(User(1, 10, 101)), reply.session_id, PageRequest{1, 10});
  ASSERT_TRUE(interactions.ok());
  ASSERT_EQ(interactions->items.size(), 1u);
  EXPECT_FALSE(interactions->items[0].helpful_rating.has_value());  // nothing was stored
  // The customer's administrator sees the customer's conversations and may rate them.
  EXPECT_TRUE(engine_->Feedback(CustomerAdmin(1, 10, 100), reply.interaction_id, 4, std::nullopt).ok());
}

TEST_F(AiEngineTest, LearningFeedbackThatCannotBeSentGoesToTheOutboxAndIsDeliveredLater) {
  const ChatReply reply = Chat("nginx fails to start");
  provider_.learning_status = Status::Error(ErrorCode::kAiUnavailable, "down", true);
  auto outcome = engine_->Feedback(User(1, 10, 101), reply.interaction_id, 4, std::string("ok"));
  ASSERT_TRUE(outcome.ok()) << Describe(outcome);  // the customer's rating stands
  EXPECT_FALSE(outcome->learning_feedback_sent);
  EXPECT_TRUE(outcome->learning_feedback_queued);
  EXPECT_EQ(outcome->learning_feedback_reason, "unavailable");
  EXPECT_EQ(outcome->rated.helpful_rating, 4);
  ASSERT_EQ(provider_.feedback_sent.size(), 1u);
  const std::string key = provider_.feedback_sent[0].idempotency_key;
  EXPECT_FALSE(key.empty());

  // Still down: the relay retries, and the item waits for its backoff.
  const RequestContext relay = PlatformAdmin(1, 10, 100);
  auto report = outbox_.Deliver(relay, 10);
  ASSERT_TRUE(report.ok()) << Describe(report);
  EXPECT_EQ(report->retried, 1);
  EXPECT_EQ(report->counts.pending, 1);
  report = outbox_.Deliver(relay, 10);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->retried, 0);  // not due yet
  EXPECT_EQ(provider_.feedback_sent.size(), 2u);

  // Up again: delivered once, with the same key as every attempt before.
  provider_.learning_status = Status::Ok();
  clock_->Advance(OutboxPolicy{}.max_delay_ms);
  report = outbox_.Deliver(relay, 10);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->delivered, 1);
  EXPECT_EQ(report->counts.pending, 0);
  EXPECT_EQ(report->counts.delivered, 1);
  ASSERT_EQ(provider_.feedback_sent.size(), 3u);
  for (const auto& sent : provider_.feedback_sent) EXPECT_EQ(sent.idempotency_key, key);
  EXPECT_EQ(provider_.feedback_sent[2].comment, "ok");
  EXPECT_EQ(provider_.feedback_sent[2].helpful_rating, 4);
  EXPECT_EQ(provider_.feedback_sent[2].interaction_id, std::to_string(reply.interaction_id));
  clock_->Advance(OutboxPolicy{}.max_delay_ms);
  report = outbox_.Deliver(relay, 10);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->delivered, 0);
  EXPECT_EQ(provider_.feedback_sent.size(), 3u);
}

TEST_F(AiEngineTest, AVerdictTheProviderRefusesIsNotQueued) {
  const ChatReply reply = Chat("nginx fails to start");
  provider_.learning_status = Status::InvalidField("helpful_rating", field_code::kOutOfRange);
  auto outcome = engine_->Feedback(User(1, 10, 101), reply.interaction_id, 4, std::nullopt);
  ASSERT_TRUE(outcome.ok());
  EXPECT_FALSE(outcome->learning_feedback_sent);
  EXPECT_FALSE(outcome->learning_feedback_queued);
  EXPECT_EQ(outcome->learning_feedback_reason, "rejected");
  auto counts = outbox_.Counts(PlatformAdmin(1, 10, 100));
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts->pending, 0);
}

// --- The outbox ------------------------------------------------------------------------------------

TEST(OutboxRelayTest, BackoffDoublesFromTheBaseUpToTheCapWithJitterInTheUpperHalf) {
  auto store = test::OpenMemoryStore();
  ManualClock clock(kStart);
  OutboxRelay relay(*store, clock);
  EXPECT_EQ(relay.Backoff(1, 0.0), 500);
  EXPECT_EQ(relay.Backoff(1, 0.999), 999);
  EXPECT_EQ(relay.Backoff(2, 0.0), 1000);
  EXPECT_EQ(relay.Backoff(3, 1.0), 4000);
  EXPECT_EQ(relay.Backoff(40, 1.0), OutboxPolicy{}.max_delay_ms);
  EXPECT_EQ(relay.Backoff(40, 0.0), OutboxPolicy{}.max_delay_ms / 2);
}

TEST(OutboxRelayTest, ItemsAreAbandonedWhenRefusedOrOutOfAttemptsAndOtherTenantsAreUntouched) {
  auto store = test::OpenMemoryStore();
  ManualClock clock(kStart);
  OutboxPolicy policy;
  policy.max_attempts = 3;
  OutboxRelay relay(*store, clock, policy, [] { return 0.0; });
  std::vector<std::string> seen;
  relay.Register("refused", [&](const Scope&, const OutboxItem& item) {
    seen.push_back(item.idempotency_key);
    return Status::InvalidField("payload", field_code::kInvalid);
  });
  relay.Register("flaky", [&](const Scope&, const OutboxItem& item) {
    seen.push_back(item.idempotency_key);
    return Status::Error(ErrorCode::kAiUnavailable, "down", true);
  });
  const RequestContext tenant1 = PlatformAdmin(1, 10, 100);
  const RequestContext tenant2 = PlatformAdmin(2, 10, 100);
  ASSERT_TRUE(relay.Enqueue(tenant1, "refused", "k1", "{}").ok());
  ASSERT_TRUE(relay.Enqueue(tenant1, "flaky", "k2", "{}").ok());
  ASSERT_TRUE(relay.Enqueue(tenant1, "unknown-topic", "k3", "{}").ok());
  ASSERT_TRUE(relay.Enqueue(tenant2, "flaky", "k4", "{}").ok());
  auto again = relay.Enqueue(tenant1, "flaky", "k2", R"({"other":1})");  // the same key: nothing new
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->created);
  EXPECT_EQ(again->item.payload, "{}");

  for (int round = 0; round < 5; ++round) {
    ASSERT_TRUE(relay.Deliver(tenant1, 10).ok());
    clock.Advance(policy.max_delay_ms);
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"k1", "k2", "k2", "k2"}));  // tenant 2's k4 never
  auto counts = relay.Counts(tenant1);
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts->abandoned, 2);
  EXPECT_EQ(counts->pending, 1);  // the topic nobody delivers waits
  auto other = relay.Counts(tenant2);
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(other->pending, 1);
  EXPECT_EQ(relay.Deliver(tenant1, 0).status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(relay.Deliver(tenant1, 1001).status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(relay.Enqueue(tenant1, "", "k", "{}").status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(relay.Enqueue(tenant1, "t", std::string(201, 'k'), "{}").status().code(), ErrorCode::kInvalidArgument);
}

TEST(OutboxRelayTest, AfterARestartExactlyTheUndeliveredItemsAreDelivered) {
  test::TempDir dir;
  const std::string uri = "sqlite:" + dir.File("portal.db");
  ManualClock clock(kStart);
  const RequestContext admin = PlatformAdmin(1, 10, 100);
  {
    auto store = OpenStore(uri);
    ASSERT_TRUE(store.ok()) << Describe(store);
    OutboxRelay relay(**store, clock);
    relay.Register("t", [](const Scope&, const OutboxItem& item) {
      return item.idempotency_key == "a" ? Status::Ok() : Status::Error(ErrorCode::kAiUnavailable, "down", true);
    });
    for (const char* key : {"a", "b", "c"}) ASSERT_TRUE(relay.Enqueue(admin, "t", key, "{}").ok());
    auto report = relay.Deliver(admin, 10);
    ASSERT_TRUE(report.ok());
    EXPECT_EQ(report->delivered, 1);
    EXPECT_EQ(report->retried, 2);
  }  // the process goes away
  clock.Advance(OutboxPolicy{}.max_delay_ms);
  auto store = OpenStore(uri);
  ASSERT_TRUE(store.ok()) << Describe(store);
  OutboxRelay relay(**store, clock);
  std::vector<std::string> delivered;
  relay.Register("t", [&](const Scope&, const OutboxItem& item) {
    delivered.push_back(item.idempotency_key);
    EXPECT_EQ(item.attempts, 1);
    return Status::Ok();
  });
  auto report = relay.Deliver(admin, 10);
  ASSERT_TRUE(report.ok());
  std::sort(delivered.begin(), delivered.end());  // retried in the order their random backoffs end
  EXPECT_EQ(delivered, (std::vector<std::string>{"b", "c"}));
  EXPECT_EQ(report->counts.delivered, 3);
  EXPECT_EQ(report->counts.pending, 0);
}

// --- ai.history and ai.recommendations ------------------------------------------------------------

TEST_F(AiEngineTest, HistoryListsOnlyTheCallersOwnConversations) {
  const ChatReply mine = Chat("nginx fails to start");
  Chat("wifi keeps dropping", User(1, 10, 102));
  Chat("nginx fails to start", User(2, 10, 101));
  SessionEngine sessions(*store_, *clock_);
  ASSERT_TRUE(sessions.Start(User(1, 10, 101), SessionType::search, "printer", std::nullopt).ok());

  auto listed = engine_->Conversations(User(1, 10, 101), PageRequest{1, 10});
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->total, 1);
  EXPECT_EQ(listed->items[0].session_id, mine.session_id);
  // Even the customer's administrator sees only their own conversations here.
  auto admin = engine_->Conversations(CustomerAdmin(1, 10, 100), PageRequest{1, 10});
  ASSERT_TRUE(admin.ok());
  EXPECT_EQ(admin->total, 0);
  EXPECT_EQ(engine_->Conversation(CustomerAdmin(1, 10, 100), mine.session_id, PageRequest{1, 10}).status().code(),
            ErrorCode::kNotFound);
  EXPECT_EQ(engine_->Conversation(User(1, 10, 102), mine.session_id, PageRequest{1, 10}).status().code(),
            ErrorCode::kNotFound);
}

TEST_F(AiEngineTest, RecommendationsMixRecentTrendingAndProviderQuestionsWithPopularArticles) {
  ASSERT_TRUE(store_->knowledge().RecordView(Scope(User(1, 10, 101)), wifi_).ok());
  ASSERT_TRUE(store_->knowledge().RecordView(Scope(User(1, 10, 101)), wifi_).ok());
  Chat("nginx fails to start");                      // the user's own, recent
  Chat("wifi keeps dropping", User(1, 11, 111));      // asked by two customers: trending
  Chat("wifi keeps dropping", User(1, 12, 121));
  provider_.recommended = {"How do I reset my password?"};

  auto recommended = engine_->Recommend(User(1, 10, 101), ArticleLang::en, 5);
  ASSERT_TRUE(recommended.ok()) << Describe(recommended);
  std::vector<std::pair<std::string, std::string>> got;
  for (const auto& q : recommended->questions) got.emplace_back(q.text, q.source);
  const std::vector<std::pair<std::string, std::string>> expected = {{"nginx fails to start", "recent"},
                                                                     {"How do I reset my password?", "ai"},
                                                                     {"wifi keeps dropping", "trending"}};
  EXPECT_EQ(got, expected);
  ASSERT_FALSE(recommended->articles.empty());
  EXPECT_EQ(recommended->articles.front().id, wifi_);  // the most viewed
  for (const auto& article : recommended->articles) EXPECT_EQ(article.lang, ArticleLang::en);

  EXPECT_EQ(engine_->Recommend(User(1, 10, 101), ArticleLang::en, 0).status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(engine_->Recommend(User(1, 10, 101), ArticleLang::en, 21).status().code(), ErrorCode::kInvalidArgument);
  // Another tenant sees none of it (the provider's own list aside).
  provider_.recommended.clear();
  auto other = engine_->Recommend(User(2, 10, 101), ArticleLang::en, 5);
  ASSERT_TRUE(other.ok());
  EXPECT_TRUE(other->questions.empty());
  EXPECT_TRUE(other->articles.empty());
}

}  // namespace
}  // namespace selfservice

// FeedbackEngine: submitting feedback (rule 3.3.3) and its processing lifecycle (spec 5.2), with
// who may make which move.

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "engine/engine_test_support.hpp"

namespace selfservice {
namespace {

using F = FeedbackState;
using test::Describe;
using test::kSecond;
using test::kStart;
using test::PlatformAdmin;
using test::User;

const F kAllStates[] = {F::pending, F::processing, F::processed, F::closed, F::needs_info, F::reprocessing};

// The moves of the diagram in spec 5.2, written out again rather than read from lifecycle.hpp.
const std::set<std::pair<F, F>> kDiagramMoves = {
    {F::pending, F::processing},     {F::processing, F::processed}, {F::processing, F::needs_info},
    {F::needs_info, F::processing},  {F::processed, F::closed},     {F::processed, F::reprocessing},
    {F::reprocessing, F::processing}};

// The moves a customer makes on their own feedback: supplying information, accepting or rejecting.
const std::set<std::pair<F, F>> kCustomerMoves = {
    {F::needs_info, F::processing}, {F::processed, F::closed}, {F::processed, F::reprocessing}};

// A sentiment service whose answers the test scripts.
class ScriptedSentiment final : public AiProvider {
 public:
  std::string_view name() const override { return "scripted"; }
  Result<AiAnswer> Ask(const Scope&, const AiQuestion&, AiFailure& failure) override {
    failure = AiFailure::kUnavailable;
    return Status::Error(ErrorCode::kAiUnavailable, "no answers here", true);
  }
  Status SendLearningFeedback(const Scope&, const LearningFeedback&) override { return Status::Ok(); }
  Result<std::vector<std::string>> RecommendedQuestions(const Scope&, ArticleLang, int) override {
    return std::vector<std::string>{};
  }
  Result<std::optional<double>> AnalyzeSentiment(const Scope&, std::string_view text, ArticleLang) override {
    texts.emplace_back(text);
    if (!answer.ok()) return answer.status();
    return answer.value();
  }

  Result<std::optional<double>> answer = std::optional<double>(0.5);
  std::vector<std::string> texts;
};

class FeedbackEngineTest : public test::EngineTest {
 protected:
  static Feedback Draft() {
    Feedback draft;
    draft.feedback_type = FeedbackType::feature;
    draft.related_type = RelatedType::ticket;
    draft.related_id = "T-1001";
    draft.rating = 4;
    draft.feedback_content = "希望支持导出";
    draft.suggestions = "CSV please";
    draft.contact_required = true;
    draft.priority_level = 1;
    return draft;
  }

  Feedback Submit(const RequestContext& who) {
    auto submitted = engine_.Submit(who, Draft());
    EXPECT_TRUE(submitted.ok()) << Describe(submitted);
    return submitted.ok() ? submitted.value() : Feedback{};
  }

  // A new feedback of customer_ driven along the diagram (by staff) to `state`.
  Feedback InState(F state) {
    const std::map<F, std::vector<F>> paths = {
        {F::pending, {}},
        {F::processing, {F::processing}},
        {F::processed, {F::processing, F::processed}},
        {F::needs_info, {F::processing, F::needs_info}},
        {F::reprocessing, {F::processing, F::processed, F::reprocessing}},
        {F::closed, {F::processing, F::processed, F::closed}}};
    Feedback feedback = Submit(customer_);
    for (F step : paths.at(state)) {
      auto moved = engine_.Transition(staff_, feedback.id, step, std::nullopt);
      EXPECT_TRUE(moved.ok()) << EnumName(step) << ": " << Describe(moved);
      if (moved.ok()) feedback = moved.value();
    }
    EXPECT_EQ(feedback.state, state);
    return feedback;
  }

  Feedback Stored(std::int64_t id) {
    auto found = store_->feedback().Get(Scope(PlatformAdmin(1, 1, 1)), id);
    EXPECT_TRUE(found.ok()) << Describe(found);
    return found.ok() ? found.value() : Feedback{};
  }

  std::int64_t StoredCount() {
    auto listed = store_->feedback().List(Scope(PlatformAdmin(1, 1, 1)), FeedbackFilter{}, PageRequest{});
    EXPECT_TRUE(listed.ok());
    return listed.ok() ? listed->total : -1;
  }

  const RequestContext customer_ = User(1, 10, 100);
  const RequestContext staff_ = PlatformAdmin(1, 1, 9001);
  std::unique_ptr<AiProvider> local_ = CreateExtractiveAnswerer();  // no sentiment service: the lexicon scores
  std::unique_ptr<CircuitBreaker> breaker_ =
      CircuitBreaker::Create("ai.test", CircuitBreakerOptions{}, std::shared_ptr<Clock>(&clock_, [](Clock*) {})).value();
  OutboxRelay outbox_{*store_, clock_, OutboxPolicy{}, [] { return 0.0; }};
  FeedbackEngine engine_{*store_, *local_, *breaker_, outbox_, clock_};
  SessionEngine sessions_{*store_, clock_};
};

// --- Submit ------------------------------------------------------------------------------------------

TEST_F(FeedbackEngineTest, SubmitStoresThePendingFeedbackOfTheCaller) {
  const Feedback submitted = Submit(customer_);
  EXPECT_GT(submitted.id, 0);
  EXPECT_EQ(submitted.tenant_id, 1);
  EXPECT_EQ(submitted.customer_id, 10);
  EXPECT_EQ(submitted.user_id, 100);
  EXPECT_EQ(submitted.state, F::pending);
  EXPECT_EQ(FeedbackStatusCode(submitted.state), 1);
  EXPECT_EQ(submitted.created_at.millis, kStart);
  EXPECT_EQ(submitted.updated_at.millis, kStart);
  EXPECT_EQ(submitted.feedback_type, FeedbackType::feature);
  EXPECT_EQ(submitted.related_id, "T-1001");
  EXPECT_EQ(submitted.related_type, RelatedType::ticket);
  EXPECT_EQ(submitted.rating, 4);
  EXPECT_EQ(submitted.feedback_content, "希望支持导出");
  EXPECT_EQ(submitted.suggestions, "CSV please");
  EXPECT_TRUE(submitted.contact_required);  // asked for, whatever the rating says
  EXPECT_EQ(submitted.priority_level, 3);   // derived: rated 4, neutral text
  EXPECT_EQ(submitted.sentiment_score, 0.0);
  EXPECT_EQ(submitted.sentiment_source, "lexicon");
  EXPECT_EQ(ToJson(Stored(submitted.id)), ToJson(submitted));
  EXPECT_EQ(ToJson(Stored(submitted.id)).as_object().at("status"), 1);
}

TEST_F(FeedbackEngineTest, SubmitIgnoresWhatTheServerOwns) {
  Feedback draft = Draft();
  draft.id = 777;
  draft.tenant_id = 2;
  draft.customer_id = 20;
  draft.user_id = 200;
  draft.state = F::closed;
  draft.processed_by = 5;
  draft.processed_at = Timestamp{123};
  draft.response_content = "already handled";
  draft.sentiment_score = 0.9;
  draft.created_at = draft.updated_at = Timestamp{42};
  auto submitted = engine_.Submit(customer_, draft);
  ASSERT_TRUE(submitted.ok()) << Describe(submitted);
  const Feedback stored = Stored(submitted->id);
  EXPECT_NE(stored.id, 777);
  EXPECT_EQ(stored.tenant_id, 1);
  EXPECT_EQ(stored.customer_id, 10);
  EXPECT_EQ(stored.user_id, 100);
  EXPECT_EQ(stored.state, F::pending);
  EXPECT_FALSE(stored.processed_by.has_value());
  EXPECT_FALSE(stored.processed_at.has_value());
  EXPECT_FALSE(stored.response_content.has_value());
  EXPECT_EQ(stored.sentiment_score, 0.0);  // the lexicon's, not the customer's 0.9
  EXPECT_EQ(stored.created_at.millis, kStart);
  EXPECT_EQ(stored.updated_at.millis, kStart);
}

TEST_F(FeedbackEngineTest, InvalidFeedbackIsRefusedAndNotStored) {
  Feedback out_of_range = Draft();
  out_of_range.rating = 9;
  Feedback unrelated = Draft();
  unrelated.related_type.reset();
  unrelated.related_id.reset();
  Feedback bad_dimension = Draft();
  bad_dimension.ratings = {{"speed", 6}};
  Feedback unknown_dimension = Draft();
  unknown_dimension.ratings = {{"price", 3}};
  for (const auto& [draft, field] : {std::pair(out_of_range, "rating"), std::pair(unrelated, "related_type"),
                                     std::pair(bad_dimension, "ratings.speed"),
                                     std::pair(unknown_dimension, "ratings")}) {
    auto submitted = engine_.Submit(customer_, draft);
    ASSERT_EQ(submitted.status().code(), ErrorCode::kInvalidArgument) << field;
    bool named = false;
    for (const auto& error : submitted.status().field_errors()) named = named || error.field == field;
    EXPECT_TRUE(named) << field << ": " << Describe(submitted);
  }
  EXPECT_EQ(StoredCount(), 0);
}

TEST_F(FeedbackEngineTest, FeedbackOnAVisibleSessionIsAccepted) {
  auto session = sessions_.Start(customer_, SessionType::ai_chat, "q", std::nullopt);
  ASSERT_TRUE(session.ok());
  Feedback draft = Draft();
  draft.related_type = RelatedType::session;
  draft.related_id = session->session_id;
  auto submitted = engine_.Submit(customer_, draft);
  ASSERT_TRUE(submitted.ok()) << Describe(submitted);
  EXPECT_EQ(submitted->related_id, session->session_id);
  // A customer admin sees the sessions of the whole customer.
  auto by_admin = engine_.Submit(test::CustomerAdmin(1, 10, 555), draft);
  EXPECT_TRUE(by_admin.ok()) << Describe(by_admin);
}

TEST_F(FeedbackEngineTest, FeedbackOnAnInvisibleOrMissingSessionAnswersNotFound) {
  auto colleagues = sessions_.Start(User(1, 10, 101), SessionType::search, "q", std::nullopt);
  auto other_tenants = sessions_.Start(User(2, 10, 100), SessionType::search, "q", std::nullopt);
  ASSERT_TRUE(colleagues.ok() && other_tenants.ok());
  for (const std::string& id :
       {colleagues->session_id, other_tenants->session_id, std::string("sess_000000000000000000000000")}) {
    Feedback draft = Draft();
    draft.related_type = RelatedType::session;
    draft.related_id = id;
    auto submitted = engine_.Submit(customer_, draft);
    EXPECT_EQ(submitted.status().code(), ErrorCode::kNotFound) << id;
  }
  EXPECT_EQ(StoredCount(), 0);
}

// --- Transitions -------------------------------------------------------------------------------------

TEST_F(FeedbackEngineTest, EveryMoveOfTheDiagramIsAllowedToStaffAndEveryOtherRefused) {
  for (F from : kAllStates) {
    for (F to : kAllStates) {
      const Feedback feedback = InState(from);
      const Feedback before = Stored(feedback.id);
      auto moved = engine_.Transition(staff_, feedback.id, to, std::nullopt);
      const std::string move = std::string(EnumName(from)) + " -> " + std::string(EnumName(to));
      if (kDiagramMoves.count({from, to}) != 0) {
        ASSERT_TRUE(moved.ok()) << move << ": " << Describe(moved);
        EXPECT_EQ(moved->state, to) << move;
        EXPECT_EQ(Stored(feedback.id).state, to) << move;
      } else {
        ASSERT_FALSE(moved.ok()) << move;
        EXPECT_EQ(moved.status().code(), ErrorCode::kTransitionNotAllowed) << move;
        EXPECT_EQ(ToJson(Stored(feedback.id)), ToJson(before)) << move;
      }
    }
  }
}

TEST_F(FeedbackEngineTest, ACustomerMakesOnlyTheCustomersMovesOnTheirOwnFeedback) {
  for (const auto& [from, to] : kDiagramMoves) {
    const Feedback feedback = InState(from);
    const Feedback before = Stored(feedback.id);
    auto moved = engine_.Transition(customer_, feedback.id, to, std::nullopt);
    const std::string move = std::string(EnumName(from)) + " -> " + std::string(EnumName(to));
    if (kCustomerMoves.count({from, to}) != 0) {
      ASSERT_TRUE(moved.ok()) << move << ": " << Describe(moved);
      EXPECT_EQ(Stored(feedback.id).state, to) << move;
    } else {
      EXPECT_EQ(moved.status().code(), ErrorCode::kPermissionDenied) << move;
      EXPECT_EQ(ToJson(Stored(feedback.id)), ToJson(before)) << move;
    }
  }
}

TEST_F(FeedbackEngineTest, AMoveOutsideTheDiagramIsATransitionErrorEvenForACustomer) {
  const Feedback closed = InState(F::closed);
  EXPECT_EQ(engine_.Transition(customer_, closed.id, F::processing, std::nullopt).status().code(),
            ErrorCode::kTransitionNotAllowed);
  const Feedback pending = InState(F::pending);
  EXPECT_EQ(engine_.Transition(customer_, pending.id, F::closed, std::nullopt).status().code(),
            ErrorCode::kTransitionNotAllowed);
}

TEST_F(FeedbackEngineTest, NobodyMovesFeedbackTheyCannotSee) {
  const Feedback feedback = InState(F::processed);
  for (const RequestContext& who : {User(1, 10, 101), User(1, 20, 100), PlatformAdmin(2, 1, 9001)}) {
    EXPECT_EQ(engine_.Transition(who, feedback.id, F::closed, std::nullopt).status().code(),
              ErrorCode::kNotFound);
    EXPECT_EQ(engine_.Get(who, feedback.id).status().code(), ErrorCode::kNotFound);
  }
  EXPECT_EQ(engine_.Transition(staff_, 424242, F::processing, std::nullopt).status().code(),
            ErrorCode::kNotFound);
  EXPECT_EQ(Stored(feedback.id).state, F::processed);
}

TEST_F(FeedbackEngineTest, ProcessingRecordsWhoProcessedItAndWhen) {
  const Feedback feedback = InState(F::processing);
  EXPECT_FALSE(feedback.processed_by.has_value());
  EXPECT_FALSE(feedback.processed_at.has_value());
  clock_.Advance(10 * kSecond);
  auto processed = engine_.Transition(staff_, feedback.id, F::processed, std::string("已修复"));
  ASSERT_TRUE(processed.ok()) << Describe(processed);
  EXPECT_EQ(processed->processed_by, 9001);
  ASSERT_TRUE(processed->processed_at.has_value());
  EXPECT_EQ(processed->processed_at->millis, kStart + 10 * kSecond);
  EXPECT_EQ(processed->updated_at.millis, kStart + 10 * kSecond);
  EXPECT_EQ(processed->response_content, "已修复");
  EXPECT_EQ(processed->created_at.millis, kStart);
  EXPECT_EQ(ToJson(Stored(feedback.id)), ToJson(*processed));

  // The customer's reply keeps the record of the processing.
  clock_.Advance(10 * kSecond);
  auto closed = engine_.Transition(customer_, feedback.id, F::closed, std::nullopt);
  ASSERT_TRUE(closed.ok()) << Describe(closed);
  EXPECT_EQ(closed->processed_by, 9001);
  EXPECT_EQ(closed->processed_at->millis, kStart + 10 * kSecond);
  EXPECT_EQ(closed->response_content, "已修复");
  EXPECT_EQ(closed->updated_at.millis, kStart + 20 * kSecond);
}

TEST_F(FeedbackEngineTest, OtherMovesDoNotClaimTheProcessing) {
  Feedback feedback = InState(F::pending);
  for (F step : {F::processing, F::needs_info}) {
    auto moved = engine_.Transition(staff_, feedback.id, step, std::nullopt);
    ASSERT_TRUE(moved.ok()) << Describe(moved);
    EXPECT_FALSE(moved->processed_by.has_value()) << EnumName(step);
    EXPECT_FALSE(moved->processed_at.has_value()) << EnumName(step);
  }
}

TEST_F(FeedbackEngineTest, ListFollowsScopeAndFilters) {
  InState(F::pending);
  InState(F::processing);
  Submit(User(1, 10, 101));
  auto mine = engine_.List(customer_, FeedbackFilter{}, PageRequest{});
  ASSERT_TRUE(mine.ok());
  EXPECT_EQ(mine->total, 2);
  auto pending = engine_.List(staff_, FeedbackFilter{F::pending, {}}, PageRequest{});
  ASSERT_TRUE(pending.ok());
  EXPECT_EQ(pending->total, 2);
  auto features = engine_.List(staff_, FeedbackFilter{{}, FeedbackType::feature}, PageRequest{});
  ASSERT_TRUE(features.ok());
  EXPECT_EQ(features->total, 3);
}

// --- Sentiment, derived fields, statistics --------------------------------------------------------------

TEST(FeedbackDerivedFieldsTest, PriorityAndCallbackFollowRatingAndSentiment) {
  using E = FeedbackEngine;
  EXPECT_EQ(E::PriorityLevel(2, 0.9), 1);
  EXPECT_EQ(E::PriorityLevel(5, -0.5), 1);
  EXPECT_EQ(E::PriorityLevel(4, 0.0), 3);
  EXPECT_EQ(E::PriorityLevel(5, std::nullopt), 3);
  EXPECT_EQ(E::PriorityLevel(4, -0.1), 2);
  EXPECT_EQ(E::PriorityLevel(3, 0.8), 2);
  EXPECT_EQ(E::PriorityLevel(std::nullopt, std::nullopt), 2);
  EXPECT_TRUE(E::NeedsContact(1, std::nullopt));
  EXPECT_TRUE(E::NeedsContact(5, -0.6));
  EXPECT_FALSE(E::NeedsContact(3, -0.59));
  EXPECT_FALSE(E::NeedsContact(std::nullopt, std::nullopt));
}

class FeedbackSentimentTest : public FeedbackEngineTest {
 protected:
  Feedback Unhappy() {
    Feedback draft = Draft();
    draft.rating = 3;
    draft.contact_required = false;
    draft.feedback_content = "处理太慢了，非常失望";
    draft.suggestions.reset();
    return draft;
  }

  ScriptedSentiment remote_;
  // Its own relay: a topic has one deliverer per relay, and engine_ registered the local one.
  OutboxRelay remote_outbox_{*store_, clock_, OutboxPolicy{}, [] { return 0.0; }};
  FeedbackEngine remote_engine_{*store_, remote_, *breaker_, remote_outbox_, clock_};
};

TEST_F(FeedbackSentimentTest, TheProvidersScoreIsStoredWithItsSourceAndDrivesThePriority) {
  remote_.answer = std::optional<double>(-0.7);
  auto submitted = remote_engine_.Submit(customer_, Unhappy());
  ASSERT_TRUE(submitted.ok()) << Describe(submitted);
  EXPECT_EQ(submitted->sentiment_score, -0.7);
  EXPECT_EQ(submitted->sentiment_source, "scripted");
  EXPECT_EQ(submitted->priority_level, 1);
  EXPECT_TRUE(submitted->contact_required);
  ASSERT_EQ(remote_.texts.size(), 1u);
  EXPECT_EQ(remote_.texts[0], "处理太慢了，非常失望");
  EXPECT_EQ(ToJson(Stored(submitted->id)), ToJson(*submitted));
}

TEST_F(FeedbackSentimentTest, AFailedAnalysisIsScoredByTheLexiconAndQueuedUntilTheProviderAnswers) {
  remote_.answer = Status::Error(ErrorCode::kAiUnavailable, "down", true);
  auto submitted = remote_engine_.Submit(customer_, Unhappy());
  ASSERT_TRUE(submitted.ok()) << Describe(submitted);
  EXPECT_EQ(submitted->sentiment_source, "lexicon");
  ASSERT_TRUE(submitted->sentiment_score.has_value());
  EXPECT_LE(*submitted->sentiment_score, -0.6);
  EXPECT_EQ(submitted->priority_level, 1);
  EXPECT_TRUE(submitted->contact_required);
  auto counts = outbox_.Counts(staff_, std::string(FeedbackEngine::kSentimentTopic));
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts->pending, 1);

  auto failed_again = remote_outbox_.Deliver(staff_, 10);
  ASSERT_TRUE(failed_again.ok());
  EXPECT_EQ(failed_again->retried, 1);

  remote_.answer = std::optional<double>(0.2);
  clock_.Advance(test::kMinute);
  auto delivered = remote_outbox_.Deliver(staff_, 10);
  ASSERT_TRUE(delivered.ok()) << Describe(delivered);
  EXPECT_EQ(delivered->delivered, 1);
  const Feedback stored = Stored(submitted->id);
  EXPECT_EQ(stored.sentiment_score, 0.2);
  EXPECT_EQ(stored.sentiment_source, "scripted");
  EXPECT_EQ(stored.priority_level, 2);
  EXPECT_TRUE(stored.contact_required);  // a callback once required stays
}

TEST_F(FeedbackSentimentTest, ARefusalIsScoredByTheLexiconAndNotRetried) {
  remote_.answer = Status::Error(ErrorCode::kAiUnavailable, "text too long", false);
  auto submitted = remote_engine_.Submit(customer_, Unhappy());
  ASSERT_TRUE(submitted.ok()) << Describe(submitted);
  EXPECT_EQ(submitted->sentiment_source, "lexicon");
  auto counts = outbox_.Counts(staff_);
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts->pending, 0);
}

TEST_F(FeedbackSentimentTest, FeedbackWithoutTextHasNoSentiment) {
  Feedback draft = Draft();
  draft.feedback_content.reset();
  draft.suggestions.reset();
  auto submitted = remote_engine_.Submit(customer_, draft);
  ASSERT_TRUE(submitted.ok()) << Describe(submitted);
  EXPECT_FALSE(submitted->sentiment_score.has_value());
  EXPECT_FALSE(submitted->sentiment_source.has_value());
  EXPECT_TRUE(remote_.texts.empty());
}

TEST_F(FeedbackEngineTest, StatsSumTheWindowByTypeWeekAndDimension) {
  // kStart is Tuesday 2023-11-14 (ISO week 46).
  auto submit = [&](const RequestContext& who, FeedbackType type, std::optional<int> rating,
                    std::map<std::string, int> ratings, bool contact) {
    Feedback draft = Draft();
    draft.feedback_type = type;
    draft.rating = rating;
    draft.ratings = std::move(ratings);
    draft.contact_required = contact;
    auto submitted = engine_.Submit(who, draft);
    ASSERT_TRUE(submitted.ok()) << Describe(submitted);
  };
  submit(customer_, FeedbackType::service, 5, {{"speed", 5}, {"attitude", 4}}, false);
  submit(customer_, FeedbackType::bug, 1, {{"speed", 2}}, false);  // rating 1: a callback
  clock_.Advance(7 * 24 * 60 * test::kMinute);
  submit(customer_, FeedbackType::service, 4, {}, true);
  submit(customer_, FeedbackType::service, std::nullopt, {}, false);
  submit(User(1, 11, 110), FeedbackType::bug, 2, {}, false);  // another customer
  submit(User(2, 20, 200), FeedbackType::bug, 1, {}, false);  // another tenant

  auto stats = engine_.Stats(staff_, std::nullopt, std::nullopt);
  ASSERT_TRUE(stats.ok()) << Describe(stats);
  EXPECT_EQ(stats->total, 5);
  EXPECT_EQ(stats->rated, 4);
  EXPECT_EQ(stats->average_rating, 3.0);
  EXPECT_EQ(stats->distribution[0], 1);
  EXPECT_EQ(stats->distribution[1], 1);
  EXPECT_EQ(stats->distribution[3], 1);
  EXPECT_EQ(stats->distribution[4], 1);
  EXPECT_EQ(stats->contact_required, 3);
  EXPECT_EQ(stats->contact_required_share, 0.6);
  ASSERT_EQ(stats->by_type.size(), 2u);
  EXPECT_EQ(stats->by_type[0].key, "bug");
  EXPECT_EQ(stats->by_type[0].count, 2);
  EXPECT_EQ(stats->by_type[0].average_rating, 1.5);
  EXPECT_EQ(stats->by_type[1].key, "service");
  EXPECT_EQ(stats->by_type[1].average_rating, 4.5);
  ASSERT_EQ(stats->by_week.size(), 2u);
  EXPECT_EQ(stats->by_week[0].key, "2023-W46");
  EXPECT_EQ(stats->by_week[0].count, 2);
  EXPECT_EQ(stats->by_week[1].key, "2023-W47");
  EXPECT_EQ(stats->by_week[1].count, 3);
  ASSERT_EQ(stats->dimensions.size(), 2u);
  EXPECT_EQ(stats->dimensions[0].name, "attitude");
  EXPECT_EQ(stats->dimensions[1].name, "speed");
  EXPECT_EQ(stats->dimensions[1].count, 2);
  EXPECT_EQ(stats->dimensions[1].average, 3.5);

  auto own_customer = engine_.Stats(test::CustomerAdmin(1, 10, 101), std::nullopt, std::nullopt);
  ASSERT_TRUE(own_customer.ok());
  EXPECT_EQ(own_customer->total, 4);
  auto first_week = engine_.Stats(staff_, Timestamp{kStart}, Timestamp{kStart + 1});
  ASSERT_TRUE(first_week.ok());
  EXPECT_EQ(first_week->total, 2);
  EXPECT_EQ(engine_.Stats(staff_, Timestamp{kStart}, Timestamp{kStart}).status().code(), ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace selfservice

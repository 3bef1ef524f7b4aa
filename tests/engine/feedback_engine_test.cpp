// FeedbackEngine: submitting feedback (rule 3.3.3) and its processing lifecycle (spec 5.2), with
// who may make which move.

#include <map>
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
  FeedbackEngine engine_{*store_, clock_};
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
  EXPECT_TRUE(submitted.contact_required);
  EXPECT_EQ(submitted.priority_level, 1);
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
  EXPECT_FALSE(stored.sentiment_score.has_value());
  EXPECT_EQ(stored.created_at.millis, kStart);
  EXPECT_EQ(stored.updated_at.millis, kStart);
}

TEST_F(FeedbackEngineTest, InvalidFeedbackIsRefusedAndNotStored) {
  Feedback out_of_range = Draft();
  out_of_range.rating = 9;
  Feedback unrelated = Draft();
  unrelated.related_type.reset();
  unrelated.related_id.reset();
  Feedback bad_priority = Draft();
  bad_priority.priority_level = 4;
  for (const auto& [draft, field] : {std::pair(out_of_range, "rating"), std::pair(unrelated, "related_type"),
                                     std::pair(bad_priority, "priority_level")}) {
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

}  // namespace
}  // namespace selfservice

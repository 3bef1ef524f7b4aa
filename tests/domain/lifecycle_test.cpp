// The state machines of spec 5.2, move by move.

#include <gtest/gtest.h>

#include "domain/lifecycle.hpp"

namespace selfservice {
namespace {

TEST(SessionLifecycle, AllowsExactlyTheDiagramsMoves) {
  using S = SessionState;
  const std::vector<std::pair<S, S>> allowed = {
      {S::not_started, S::in_progress}, {S::in_progress, S::resolved}, {S::in_progress, S::escalated},
      {S::in_progress, S::paused},      {S::paused, S::in_progress},   {S::paused, S::timed_out},
      {S::resolved, S::rated},          {S::escalated, S::closed}};
  const S all[] = {S::not_started, S::in_progress, S::paused, S::resolved,
                   S::escalated,   S::timed_out,   S::rated,  S::closed};
  for (S from : all) {
    for (S to : all) {
      const bool expected = std::find(allowed.begin(), allowed.end(), std::pair(from, to)) != allowed.end();
      EXPECT_EQ(SessionTransitionAllowed(from, to), expected) << EnumName(from) << " -> " << EnumName(to);
    }
  }
}

TEST(FeedbackLifecycle, AllowsExactlyTheDiagramsMoves) {
  using F = FeedbackState;
  const std::vector<std::pair<F, F>> allowed = {
      {F::pending, F::processing},   {F::processing, F::processed}, {F::processing, F::needs_info},
      {F::needs_info, F::processing}, {F::processed, F::closed},     {F::processed, F::reprocessing},
      {F::reprocessing, F::processing}};
  const F all[] = {F::pending, F::processing, F::processed, F::closed, F::needs_info, F::reprocessing};
  for (F from : all) {
    for (F to : all) {
      const bool expected = std::find(allowed.begin(), allowed.end(), std::pair(from, to)) != allowed.end();
      EXPECT_EQ(FeedbackTransitionAllowed(from, to), expected) << EnumName(from) << " -> " << EnumName(to);
    }
  }
}

TEST(SessionLifecycle, EndedAtIsSetOnceOnEnteringAnEndState) {
  Session session;
  session.state = SessionState::in_progress;
  session.created_at = Timestamp{1'000};
  ASSERT_TRUE(ApplySessionTransition(session, SessionState::resolved, 61'000).ok());
  ASSERT_TRUE(session.ended_at.has_value());
  EXPECT_EQ(session.ended_at->millis, 61'000);
  EXPECT_EQ(session.session_duration, 60);
  EXPECT_EQ(session.resolution_status, ResolutionStatus::resolved);
  ASSERT_TRUE(ApplySessionTransition(session, SessionState::rated, 99'000).ok());
  EXPECT_EQ(session.ended_at->millis, 61'000);
  EXPECT_EQ(session.session_duration, 60);
  EXPECT_EQ(session.resolution_status, ResolutionStatus::resolved);
}

TEST(SessionLifecycle, RefusedMoveLeavesSessionUnchanged) {
  Session session;
  session.state = SessionState::in_progress;
  const Status status = ApplySessionTransition(session, SessionState::rated, 5'000);
  EXPECT_EQ(status.code(), ErrorCode::kTransitionNotAllowed);
  EXPECT_EQ(session.state, SessionState::in_progress);
  EXPECT_FALSE(session.ended_at.has_value());
}

}  // namespace
}  // namespace selfservice

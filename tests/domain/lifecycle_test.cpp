// The state machines of spec 5.2, move by move.

#include <algorithm>
#include <vector>

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
      {F::pending, F::processing},     {F::processing, F::processed}, {F::processing, F::needs_info},
      {F::needs_info, F::processing},  {F::processed, F::closed},     {F::processed, F::reprocessing},
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

TEST(SessionLifecycle, RefusedMoveNamesBothStates) {
  Session session;
  const Status status = ApplySessionTransition(session, SessionState::closed, 5'000);
  ASSERT_EQ(status.field_errors().size(), 1u);
  EXPECT_EQ(status.field_errors()[0].code, field_code::kTransition);
  EXPECT_EQ(status.field_errors()[0].args,
            (std::vector<std::pair<std::string, std::string>>{{"from", "not_started"}, {"to", "closed"}}));
  EXPECT_EQ(session.updated_at.millis, 0);
}

TEST(SessionLifecycle, RatedClosedAndTimedOutAreFinal) {
  using S = SessionState;
  for (S state : {S::not_started, S::in_progress, S::paused, S::resolved, S::escalated, S::timed_out,
                  S::rated, S::closed}) {
    const bool final_state = state == S::rated || state == S::closed || state == S::timed_out;
    EXPECT_EQ(IsFinal(state), final_state) << EnumName(state);
  }
}

TEST(SessionLifecycle, ResolutionFollowsTheState) {
  using S = SessionState;
  using R = ResolutionStatus;
  const std::pair<S, R> expected[] = {{S::not_started, R::pending}, {S::in_progress, R::pending},
                                      {S::paused, R::pending},      {S::resolved, R::resolved},
                                      {S::rated, R::resolved},      {S::escalated, R::escalated},
                                      {S::closed, R::escalated},    {S::timed_out, R::pending}};
  for (const auto& [state, resolution] : expected)
    EXPECT_EQ(ResolutionFor(state), resolution) << EnumName(state);
}

TEST(SessionLifecycle, OnlyOpenSessionsAcceptInteractions) {
  using S = SessionState;
  for (S state : {S::not_started, S::in_progress, S::paused})
    EXPECT_TRUE(AcceptsInteractions(state)) << EnumName(state);
  for (S state : {S::resolved, S::escalated, S::timed_out, S::rated, S::closed}) {
    EXPECT_FALSE(AcceptsInteractions(state)) << EnumName(state);
  }
}

TEST(SessionLifecycle, EscalationEndsTheSessionAndClosingKeepsTheEnd) {
  Session session;
  session.state = SessionState::in_progress;
  session.created_at = Timestamp{10'000};
  ASSERT_TRUE(ApplySessionTransition(session, SessionState::escalated, 70'500).ok());
  EXPECT_EQ(session.resolution_status, ResolutionStatus::escalated);
  ASSERT_TRUE(session.ended_at.has_value());
  EXPECT_EQ(session.ended_at->millis, 70'500);
  EXPECT_EQ(session.session_duration, 60);
  ASSERT_TRUE(ApplySessionTransition(session, SessionState::closed, 99'000).ok());
  EXPECT_EQ(session.ended_at->millis, 70'500);
  EXPECT_EQ(session.updated_at.millis, 99'000);
  EXPECT_EQ(session.resolution_status, ResolutionStatus::escalated);
}

TEST(SessionLifecycle, TimingOutEndsThePausedSession) {
  Session session;
  session.state = SessionState::paused;
  ASSERT_TRUE(ApplySessionTransition(session, SessionState::timed_out, 1'800'000).ok());
  ASSERT_TRUE(session.ended_at.has_value());
  EXPECT_EQ(session.session_duration, 1'800);
  EXPECT_EQ(session.resolution_status, ResolutionStatus::pending);
}

TEST(SessionLifecycle, PausingAndResumingDoNotEndTheSession) {
  Session session;
  session.state = SessionState::in_progress;
  ASSERT_TRUE(ApplySessionTransition(session, SessionState::paused, 1'000).ok());
  ASSERT_TRUE(ApplySessionTransition(session, SessionState::in_progress, 2'000).ok());
  EXPECT_FALSE(session.ended_at.has_value());
  EXPECT_EQ(session.updated_at.millis, 2'000);
  EXPECT_EQ(session.resolution_status, ResolutionStatus::pending);
}

TEST(SessionLifecycle, DurationIsNeverNegativeWhenTheClockIsBehindCreation) {
  Session session;
  session.state = SessionState::in_progress;
  session.created_at = Timestamp{10'000};
  ASSERT_TRUE(ApplySessionTransition(session, SessionState::resolved, 4'000).ok());
  EXPECT_EQ(session.session_duration, 0);
}

TEST(TicketLifecycle, AllowsExactlyTheTablesMoves) {
  using T = TicketStatus;
  const std::vector<std::pair<T, T>> allowed = {
      {T::new_, T::open},           {T::open, T::in_progress},           {T::in_progress, T::pending_customer},
      {T::in_progress, T::resolved}, {T::pending_customer, T::in_progress}, {T::pending_customer, T::resolved},
      {T::resolved, T::closed},     {T::resolved, T::reopened},          {T::reopened, T::in_progress}};
  const T all[] = {T::new_, T::open, T::in_progress, T::pending_customer, T::resolved, T::closed, T::reopened};
  for (T from : all) {
    for (T to : all) {
      const bool expected = std::find(allowed.begin(), allowed.end(), std::pair(from, to)) != allowed.end();
      EXPECT_EQ(TicketTransitionAllowed(from, to), expected) << EnumName(from) << " -> " << EnumName(to);
    }
  }
}

TEST(TicketLifecycle, PathsFollowTheTablesShortestWay) {
  using T = TicketStatus;
  using Path = std::vector<T>;
  EXPECT_EQ(TicketPath(T::new_, T::open), (Path{T::open}));
  EXPECT_EQ(TicketPath(T::new_, T::resolved), (Path{T::open, T::in_progress, T::resolved}));
  EXPECT_EQ(TicketPath(T::new_, T::closed), (Path{T::open, T::in_progress, T::resolved, T::closed}));
  EXPECT_EQ(TicketPath(T::resolved, T::in_progress), (Path{T::reopened, T::in_progress}));
  EXPECT_EQ(TicketPath(T::pending_customer, T::closed), (Path{T::resolved, T::closed}));
  EXPECT_EQ(TicketPath(T::reopened, T::pending_customer), (Path{T::in_progress, T::pending_customer}));
  EXPECT_TRUE(TicketPath(T::open, T::open).empty());
  EXPECT_TRUE(TicketPath(T::closed, T::open).empty());  // closed is final
  EXPECT_TRUE(TicketPath(T::open, T::new_).empty());    // nothing leads back to new
  // Every step of every path is a move of the table.
  const T all[] = {T::new_, T::open, T::in_progress, T::pending_customer, T::resolved, T::closed, T::reopened};
  for (T from : all) {
    for (T to : all) {
      T at = from;
      for (T step : TicketPath(from, to)) {
        EXPECT_TRUE(TicketTransitionAllowed(at, step)) << EnumName(from) << " -> " << EnumName(to);
        at = step;
      }
    }
  }
}

TEST(TicketLifecycle, OnlyClosedIsFinal) {
  using T = TicketStatus;
  for (T status : {T::new_, T::open, T::in_progress, T::pending_customer, T::resolved, T::reopened}) {
    EXPECT_FALSE(IsFinal(status)) << EnumName(status);
  }
  EXPECT_TRUE(IsFinal(T::closed));
}

TEST(TicketLifecycle, CustomersMayOnlyCloseOrReopenAResolvedTicket) {
  using T = TicketStatus;
  const T all[] = {T::new_, T::open, T::in_progress, T::pending_customer, T::resolved, T::closed, T::reopened};
  for (T from : all) {
    for (T to : all) {
      const bool expected = from == T::resolved && (to == T::closed || to == T::reopened);
      EXPECT_EQ(CustomerMayMoveTicket(from, to), expected) << EnumName(from) << " -> " << EnumName(to);
    }
  }
}

TEST(TicketLifecycle, ClosingSetsClosedAtAndUpdatedAt) {
  Ticket ticket;
  ticket.status = TicketStatus::resolved;
  ASSERT_TRUE(ApplyTicketTransition(ticket, TicketStatus::closed, 5000).ok());
  EXPECT_EQ(ticket.status, TicketStatus::closed);
  EXPECT_EQ(ticket.updated_at, Timestamp{5000});
  EXPECT_EQ(ticket.closed_at, Timestamp{5000});
}

TEST(TicketLifecycle, OtherMovesLeaveClosedAtUnset) {
  Ticket ticket;
  ASSERT_TRUE(ApplyTicketTransition(ticket, TicketStatus::open, 7000).ok());
  EXPECT_EQ(ticket.updated_at, Timestamp{7000});
  EXPECT_FALSE(ticket.closed_at.has_value());
}

TEST(TicketLifecycle, RefusedMoveLeavesTicketUnchangedAndNamesBothStatuses) {
  Ticket ticket;
  ticket.status = TicketStatus::closed;
  ticket.updated_at = Timestamp{1};
  const Status refused = ApplyTicketTransition(ticket, TicketStatus::reopened, 9000);
  EXPECT_EQ(refused.code(), ErrorCode::kTransitionNotAllowed);
  ASSERT_EQ(refused.field_errors().size(), 1u);
  EXPECT_EQ(refused.field_errors()[0].args,
            (std::vector<std::pair<std::string, std::string>>{{"from", "closed"}, {"to", "reopened"}}));
  EXPECT_EQ(ticket.status, TicketStatus::closed);
  EXPECT_EQ(ticket.updated_at, Timestamp{1});
}

}  // namespace
}  // namespace selfservice

// SessionEngine: the session lifecycle of REQ-019 5.2 and the derived fields of rule 3.3.2.

#include <atomic>
#include <functional>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <boost/json/serialize.hpp>

#include "engine/engine_test_support.hpp"

namespace selfservice {
namespace {

using S = SessionState;
using test::Describe;
using test::kMinute;
using test::kSecond;
using test::kStart;
using test::PlatformAdmin;
using test::User;

const S kAllStates[] = {S::not_started, S::in_progress, S::paused, S::resolved,
                        S::escalated,   S::timed_out,   S::rated,  S::closed};

// The moves of the diagram in spec 5.2, written out again rather than read from lifecycle.hpp.
const std::set<std::pair<S, S>> kDiagramMoves = {
    {S::not_started, S::in_progress}, {S::in_progress, S::resolved}, {S::in_progress, S::escalated},
    {S::in_progress, S::paused},      {S::paused, S::in_progress},   {S::paused, S::timed_out},
    {S::resolved, S::rated},          {S::escalated, S::closed}};

const std::map<S, ResolutionStatus> kResolutionOf = {
    {S::not_started, ResolutionStatus::pending}, {S::in_progress, ResolutionStatus::pending},
    {S::paused, ResolutionStatus::pending},      {S::timed_out, ResolutionStatus::pending},
    {S::resolved, ResolutionStatus::resolved},   {S::rated, ResolutionStatus::resolved},
    {S::escalated, ResolutionStatus::escalated}, {S::closed, ResolutionStatus::escalated}};

// The session repository of `inner`, except that `between` runs once right after the first
// ListIdlePaused: what a user who comes back while a sweep is under way looks like to the sweep.
class ComeBackDuringListing final : public SessionRepository {
 public:
  ComeBackDuringListing(SessionRepository& inner, std::function<void()> between)
      : inner_(inner), between_(std::move(between)) {}
  Result<Session> Create(const Scope& scope, Session session) override {
    return inner_.Create(scope, session);
  }
  Result<Session> Get(const Scope& scope, std::string_view id) override { return inner_.Get(scope, id); }
  Result<Page<Session>> List(const Scope& scope, const SessionFilter& filter, PageRequest page) override {
    return inner_.List(scope, filter, page);
  }
  Result<SessionUpdate> Update(const Scope& scope, std::string_view id, const Mutation& mutate) override {
    return inner_.Update(scope, id, mutate);
  }
  Result<Page<Interaction>> ListInteractions(const Scope& scope, std::string_view id,
                                             PageRequest page) override {
    return inner_.ListInteractions(scope, id, page);
  }
  Result<Rated> RateInteraction(const Scope& scope, std::int64_t id, int rating) override {
    return inner_.RateInteraction(scope, id, rating);
  }
  Result<std::vector<std::string>> ListIdlePaused(const Scope& scope, Timestamp idle_since,
                                                  int limit) override {
    auto ids = inner_.ListIdlePaused(scope, idle_since, limit);
    if (between_) std::exchange(between_, nullptr)();
    return ids;
  }

 private:
  SessionRepository& inner_;
  std::function<void()> between_;
};

class SessionEngineTest : public test::EngineTest {
 protected:
  Session Start(const RequestContext& who, std::string question = "怎么开发票？",
                std::optional<boost::json::value> context = std::nullopt) {
    auto started = engine_.Start(who, SessionType::ai_chat, std::move(question), std::move(context));
    EXPECT_TRUE(started.ok()) << Describe(started);
    return started.ok() ? started.value() : Session{};
  }
  Session Start(std::string question = "怎么开发票？") { return Start(user_, std::move(question)); }

  // A request that carries whatever the move needs, so only the move itself can be refused.
  static TransitionRequest Move(const std::string& id, S to) {
    TransitionRequest request;
    request.session_id = id;
    request.to = to;
    if (to == S::in_progress) request.initial_question = boost::json::value("the question");
    if (to == S::rated) request.score = boost::json::value(5);
    return request;
  }

  // The customer by default; the platform (the host) for the moves reserved to it.
  Result<Session> Transition(const std::string& id, S to, const RequestContext* who = nullptr) {
    const bool system_move = to == S::timed_out || to == S::closed;
    return engine_.Transition(who ? *who : (system_move ? platform_ : user_), Move(id, to));
  }

  // A new session of user_ driven along the diagram to `state`.
  Session InState(S state) {
    const std::map<S, std::vector<S>> paths = {{S::not_started, {}},
                                               {S::in_progress, {}},
                                               {S::paused, {S::paused}},
                                               {S::resolved, {S::resolved}},
                                               {S::escalated, {S::escalated}},
                                               {S::timed_out, {S::paused, S::timed_out}},
                                               {S::rated, {S::resolved, S::rated}},
                                               {S::closed, {S::escalated, S::closed}}};
    Session session = Start(state == S::not_started ? "" : "the question");
    for (S step : paths.at(state)) {
      auto moved = Transition(session.session_id, step);
      EXPECT_TRUE(moved.ok()) << EnumName(step) << ": " << Describe(moved);
      if (moved.ok()) session = moved.value();
    }
    EXPECT_EQ(session.state, state);
    return session;
  }

  // The session exactly as stored, without the engine's live duration.
  Session Stored(const std::string& id) {
    auto found = store_->sessions().Get(Scope(PlatformAdmin(user_.tenant_id, 1, 1)), id);
    EXPECT_TRUE(found.ok()) << Describe(found);
    return found.ok() ? found.value() : Session{};
  }

  std::int64_t InteractionCount(const std::string& id) {
    auto listed =
        store_->sessions().ListInteractions(Scope(PlatformAdmin(user_.tenant_id, 1, 1)), id, PageRequest{});
    EXPECT_TRUE(listed.ok()) << Describe(listed);
    return listed.ok() ? listed->total : -1;
  }

  Result<SessionUpdate> Ask(const std::string& id, InteractionType type = InteractionType::question,
                            const RequestContext* who = nullptr) {
    Interaction interaction;
    interaction.session_id = id;
    interaction.interaction_type = type;
    interaction.user_input = "还有一个问题";
    return engine_.AddInteraction(who ? *who : user_, interaction);
  }

  const RequestContext user_ = User(1, 10, 100);
  const RequestContext platform_ = PlatformAdmin(1, 99, 999);
  SessionEngine engine_{*store_, clock_};
};

// --- Start -----------------------------------------------------------------------------------------

TEST_F(SessionEngineTest, StartWithAQuestionIsInProgress) {
  const Session session = Start(user_, "怎么开发票？", test::Json(R"({"page":"/billing"})"));
  EXPECT_EQ(session.state, S::in_progress);
  EXPECT_EQ(session.initial_question, "怎么开发票？");
  EXPECT_EQ(session.resolution_status, ResolutionStatus::pending);
  EXPECT_EQ(session.session_type, SessionType::ai_chat);
  EXPECT_EQ(session.session_context, test::Json(R"({"page":"/billing"})"));
  EXPECT_EQ(session.interaction_count, 0);
  EXPECT_EQ(session.session_duration, 0);
  EXPECT_FALSE(session.ended_at.has_value());
  EXPECT_EQ(session.created_at.millis, kStart);
  EXPECT_EQ(session.updated_at.millis, kStart);
  EXPECT_EQ(session.tenant_id, 1);
  EXPECT_EQ(session.customer_id, 10);
  EXPECT_EQ(session.user_id, 100);
  EXPECT_GT(session.id, 0);
  EXPECT_EQ(ToJson(Stored(session.session_id)), ToJson(session));
}

TEST_F(SessionEngineTest, StartWithoutAQuestionIsNotStarted) {
  const Session session = Start("");
  EXPECT_EQ(session.state, S::not_started);
  EXPECT_EQ(session.initial_question, "");
  EXPECT_EQ(session.resolution_status, ResolutionStatus::pending);
  EXPECT_EQ(Stored(session.session_id).state, S::not_started);
}

TEST_F(SessionEngineTest, SessionIdsAreSessPrefixAnd24HexDigitsAndUnique) {
  const std::regex format("^sess_[0-9a-f]{24}$");
  std::set<std::string> ids;
  for (int i = 0; i < 100; ++i) {
    const Session session = Start();
    EXPECT_TRUE(std::regex_match(session.session_id, format)) << session.session_id;
    ids.insert(session.session_id);
  }
  EXPECT_EQ(ids.size(), 100u);
}

TEST_F(SessionEngineTest, StartWithAnInvalidContextStoresNothing) {
  auto started = engine_.Start(user_, SessionType::search, "q", test::Json("[1, 2]"));
  ASSERT_FALSE(started.ok());
  EXPECT_EQ(started.status().code(), ErrorCode::kInvalidArgument);
  ASSERT_EQ(started.status().field_errors().size(), 1u);
  EXPECT_EQ(started.status().field_errors()[0].field, "session_context");
  EXPECT_EQ(store_->sessions().List(Scope(user_), SessionFilter{}, PageRequest{})->total, 0);
}

// --- Interactions ----------------------------------------------------------------------------------

TEST_F(SessionEngineTest, FirstQuestionOfANotStartedSessionBecomesItsInitialQuestion) {
  const Session session = Start("");
  clock_.Advance(5 * kSecond);
  auto asked = Ask(session.session_id);
  ASSERT_TRUE(asked.ok()) << Describe(asked);
  EXPECT_EQ(asked->session.state, S::in_progress);
  EXPECT_EQ(asked->session.initial_question, "还有一个问题");
  EXPECT_EQ(asked->session.interaction_count, 0);
  EXPECT_EQ(asked->session.updated_at.millis, kStart + 5 * kSecond);
  EXPECT_TRUE(asked->appended.empty());
  EXPECT_EQ(InteractionCount(session.session_id), 0);
  const Session stored = Stored(session.session_id);
  EXPECT_EQ(stored.state, S::in_progress);
  EXPECT_EQ(stored.initial_question, "还有一个问题");
  EXPECT_EQ(stored.interaction_count, 0);

  // The next question is an interaction.
  auto second = Ask(session.session_id);
  ASSERT_TRUE(second.ok()) << Describe(second);
  EXPECT_EQ(second->session.interaction_count, 1);
  EXPECT_EQ(second->session.initial_question, "还有一个问题");
  EXPECT_EQ(InteractionCount(session.session_id), 1);
}

TEST_F(SessionEngineTest, ANotStartedSessionStartsOnlyWithAQuestion) {
  const Session session = Start("");
  const Session before = Stored(session.session_id);
  auto answered = Ask(session.session_id, InteractionType::answer);
  ASSERT_FALSE(answered.ok());
  EXPECT_EQ(answered.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(ToJson(Stored(session.session_id)), ToJson(before));
}

TEST_F(SessionEngineTest, InteractionsAreCountedExactlyAndListedOldestFirst) {
  const Session session = Start();
  const InteractionType types[] = {InteractionType::question, InteractionType::answer,
                                   InteractionType::recommendation, InteractionType::feedback,
                                   InteractionType::question};
  for (InteractionType type : types) {
    clock_.Advance(kSecond);
    auto added = Ask(session.session_id, type);
    ASSERT_TRUE(added.ok()) << Describe(added);
    ASSERT_EQ(added->appended.size(), 1u);
    EXPECT_EQ(added->appended[0].interaction_type, type);
    EXPECT_EQ(added->appended[0].created_at.millis, clock_.NowMillis());
    EXPECT_GT(added->appended[0].id, 0);
  }
  const Session stored = Stored(session.session_id);
  EXPECT_EQ(stored.interaction_count, 5);
  EXPECT_EQ(stored.updated_at.millis, kStart + 5 * kSecond);
  auto listed = engine_.ListInteractions(user_, session.session_id, PageRequest{1, 10});
  ASSERT_TRUE(listed.ok()) << Describe(listed);
  EXPECT_EQ(listed->total, 5);
  ASSERT_EQ(listed->items.size(), 5u);
  for (std::size_t i = 0; i < 5; ++i) {
    EXPECT_EQ(listed->items[i].interaction_type, types[i]);
    EXPECT_EQ(listed->items[i].created_at.millis, kStart + static_cast<std::int64_t>(i + 1) * kSecond);
  }
}

TEST_F(SessionEngineTest, ServerOwnsTheInteractionsTenantIdAndTime) {
  const Session session = Start();
  Interaction interaction;
  interaction.session_id = session.session_id;
  interaction.interaction_type = InteractionType::answer;
  interaction.system_response = "答案";
  interaction.ai_confidence = 0.9;
  interaction.knowledge_article_ids = {7, 8};
  interaction.id = 555;
  interaction.tenant_id = 2;
  interaction.created_at = Timestamp{1};
  auto added = engine_.AddInteraction(user_, interaction);
  ASSERT_TRUE(added.ok()) << Describe(added);
  ASSERT_EQ(added->appended.size(), 1u);
  const Interaction& stored = added->appended[0];
  EXPECT_NE(stored.id, 555);
  EXPECT_EQ(stored.tenant_id, 1);
  EXPECT_EQ(stored.created_at.millis, kStart);
  EXPECT_EQ(stored.system_response, "答案");
  EXPECT_EQ(stored.ai_confidence, 0.9);
  EXPECT_EQ(stored.knowledge_article_ids, (std::vector<std::int64_t>{7, 8}));
}

TEST_F(SessionEngineTest, AnInvalidInteractionIsRefusedBeforeTouchingTheSession) {
  const Session session = Start();
  Interaction interaction;
  interaction.session_id = session.session_id;
  interaction.interaction_type = InteractionType::question;  // a question needs user_input
  interaction.helpful_rating = 6;
  auto added = engine_.AddInteraction(user_, interaction);
  ASSERT_FALSE(added.ok());
  EXPECT_EQ(added.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(Stored(session.session_id).interaction_count, 0);
  EXPECT_EQ(InteractionCount(session.session_id), 0);
}

TEST_F(SessionEngineTest, AnInteractionResumesAPausedSession) {
  const Session session = InState(S::paused);
  clock_.Advance(kMinute);
  auto added = Ask(session.session_id);
  ASSERT_TRUE(added.ok()) << Describe(added);
  EXPECT_EQ(added->session.state, S::in_progress);
  EXPECT_EQ(added->session.resolution_status, ResolutionStatus::pending);
  EXPECT_EQ(added->session.interaction_count, 1);
  EXPECT_FALSE(added->session.ended_at.has_value());
  const Session stored = Stored(session.session_id);
  EXPECT_EQ(stored.state, S::in_progress);
  EXPECT_EQ(stored.updated_at.millis, kStart + kMinute);
  EXPECT_EQ(InteractionCount(session.session_id), 1);
}

TEST_F(SessionEngineTest, AnEndedSessionTakesNoInteraction) {
  for (S ended : {S::resolved, S::escalated, S::timed_out, S::rated, S::closed}) {
    const Session session = InState(ended);
    const Session before = Stored(session.session_id);
    auto added = Ask(session.session_id);
    ASSERT_FALSE(added.ok()) << EnumName(ended);
    EXPECT_EQ(added.status().code(), ErrorCode::kTransitionNotAllowed) << EnumName(ended);
    EXPECT_EQ(ToJson(Stored(session.session_id)), ToJson(before)) << EnumName(ended);
    EXPECT_EQ(InteractionCount(session.session_id), 0) << EnumName(ended);
  }
}

TEST_F(SessionEngineTest, InteractionsOnInvisibleSessionsAnswerNotFound) {
  const Session session = Start();
  const RequestContext colleague = User(1, 10, 101);
  const RequestContext stranger = User(2, 10, 100);
  for (const RequestContext* who : {&colleague, &stranger}) {
    auto added = Ask(session.session_id, InteractionType::question, who);
    EXPECT_EQ(added.status().code(), ErrorCode::kNotFound);
  }
  EXPECT_EQ(Ask("sess_000000000000000000000000").status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(Stored(session.session_id).interaction_count, 0);
}

// --- Transitions -----------------------------------------------------------------------------------

TEST_F(SessionEngineTest, TimingOutAndClosingAreReservedToThePlatform) {
  const Session paused = InState(S::paused);
  const Session escalated = InState(S::escalated);
  for (const auto& [session, to] : {std::pair(paused, S::timed_out), std::pair(escalated, S::closed)}) {
    auto refused = Transition(session.session_id, to, &user_);
    EXPECT_EQ(refused.status().code(), ErrorCode::kPermissionDenied) << EnumName(to);
    EXPECT_EQ(Stored(session.session_id).state, session.state);
    auto moved = Transition(session.session_id, to, &platform_);
    ASSERT_TRUE(moved.ok()) << Describe(moved);
    EXPECT_EQ(moved->state, to);
  }
}

TEST_F(SessionEngineTest, AReservedMoveOutOfOrderIsStillATransitionError) {
  const Session in_progress = InState(S::in_progress);
  EXPECT_EQ(Transition(in_progress.session_id, S::closed, &user_).status().code(),
            ErrorCode::kTransitionNotAllowed);
}

TEST_F(SessionEngineTest, EveryMoveOfTheDiagramIsAllowedAndEveryOtherRefused) {
  for (S from : kAllStates) {
    for (S to : kAllStates) {
      const Session session = InState(from);
      const Session before = Stored(session.session_id);
      auto moved = Transition(session.session_id, to);
      const std::string move = std::string(EnumName(from)) + " -> " + std::string(EnumName(to));
      if (kDiagramMoves.count({from, to}) != 0) {
        ASSERT_TRUE(moved.ok()) << move << ": " << Describe(moved);
        EXPECT_EQ(moved->state, to) << move;
        EXPECT_EQ(moved->resolution_status, kResolutionOf.at(to)) << move;
        EXPECT_EQ(Stored(session.session_id).state, to) << move;
      } else {
        ASSERT_FALSE(moved.ok()) << move;
        EXPECT_EQ(moved.status().code(), ErrorCode::kTransitionNotAllowed) << move;
        ASSERT_EQ(moved.status().field_errors().size(), 1u) << move;
        EXPECT_EQ(moved.status().field_errors()[0].code, field_code::kTransition) << move;
        EXPECT_EQ(ToJson(Stored(session.session_id)), ToJson(before)) << move;
      }
    }
  }
}

TEST_F(SessionEngineTest, TheMoveIsCheckedBeforeTheFieldsItCarries) {
  const Session rated = InState(S::rated);
  TransitionRequest request = Move(rated.session_id, S::rated);
  request.score = boost::json::value(9);
  EXPECT_EQ(engine_.Transition(user_, request).status().code(), ErrorCode::kTransitionNotAllowed);

  const Session resolved = InState(S::resolved);
  const Session before = Stored(resolved.session_id);
  request.session_id = resolved.session_id;
  auto refused = engine_.Transition(user_, request);
  ASSERT_EQ(refused.status().code(), ErrorCode::kInvalidArgument) << Describe(refused);
  ASSERT_EQ(refused.status().field_errors().size(), 1u);
  EXPECT_EQ(refused.status().field_errors()[0].field, "score");
  EXPECT_EQ(refused.status().field_errors()[0].code, field_code::kOutOfRange);
  EXPECT_EQ(ToJson(Stored(resolved.session_id)), ToJson(before));

  const Session not_started = InState(S::not_started);
  TransitionRequest resolve = Move(not_started.session_id, S::resolved);
  resolve.resolution_status = boost::json::value("nonsense");
  EXPECT_EQ(engine_.Transition(user_, resolve).status().code(), ErrorCode::kTransitionNotAllowed);

  const Session closed = InState(S::closed);
  TransitionRequest reopen;
  reopen.session_id = closed.session_id;
  reopen.to = S::in_progress;  // and no initial_question either
  EXPECT_EQ(engine_.Transition(user_, reopen).status().code(), ErrorCode::kTransitionNotAllowed);
}

TEST_F(SessionEngineTest, RatingNeedsAScoreFromOneToFive) {
  const Session resolved = InState(S::resolved);
  const Session before = Stored(resolved.session_id);
  const std::vector<std::pair<std::optional<boost::json::value>, const char*>> bad = {
      {std::nullopt, field_code::kRequired},
      {boost::json::value(nullptr), field_code::kRequired},
      {boost::json::value("5"), field_code::kInvalid},
      {boost::json::value(4.5), field_code::kInvalid},
      {boost::json::value(0), field_code::kOutOfRange},
      {boost::json::value(6), field_code::kOutOfRange}};
  for (const auto& [score, code] : bad) {
    TransitionRequest request = Move(resolved.session_id, S::rated);
    request.score = score;
    auto refused = engine_.Transition(user_, request);
    ASSERT_EQ(refused.status().code(), ErrorCode::kInvalidArgument) << code;
    ASSERT_EQ(refused.status().field_errors().size(), 1u);
    EXPECT_EQ(refused.status().field_errors()[0].field, "score");
    EXPECT_EQ(refused.status().field_errors()[0].code, code);
  }
  EXPECT_EQ(ToJson(Stored(resolved.session_id)), ToJson(before));
}

TEST_F(SessionEngineTest, RatingStoresTheScoreAndComment) {
  const Session resolved = InState(S::resolved);
  TransitionRequest request = Move(resolved.session_id, S::rated);
  request.score = boost::json::value(4);
  request.comment = boost::json::value("很有帮助");
  auto rated = engine_.Transition(user_, request);
  ASSERT_TRUE(rated.ok()) << Describe(rated);
  const Session stored = Stored(resolved.session_id);
  EXPECT_EQ(stored.satisfaction_score, 4);
  EXPECT_EQ(stored.feedback_content, "很有帮助");
  EXPECT_EQ(stored.resolution_status, ResolutionStatus::resolved);
}

TEST_F(SessionEngineTest, ACommentTooLongIsRefused) {
  const Session resolved = InState(S::resolved);
  const Session before = Stored(resolved.session_id);
  TransitionRequest request = Move(resolved.session_id, S::rated);
  request.comment = boost::json::value(std::string(65536, 'x'));
  auto refused = engine_.Transition(user_, request);
  ASSERT_EQ(refused.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(refused.status().field_errors().at(0).field, "comment");
  EXPECT_EQ(ToJson(Stored(resolved.session_id)), ToJson(before));
}

TEST_F(SessionEngineTest, StartingANotStartedSessionByTransitionNeedsTheQuestion) {
  const Session session = InState(S::not_started);
  const Session before = Stored(session.session_id);
  for (const std::optional<boost::json::value>& question :
       {std::optional<boost::json::value>(), std::optional(boost::json::value("")),
        std::optional(boost::json::value(3))}) {
    TransitionRequest request;
    request.session_id = session.session_id;
    request.to = S::in_progress;
    request.initial_question = question;
    auto refused = engine_.Transition(user_, request);
    ASSERT_EQ(refused.status().code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(refused.status().field_errors().at(0).field, "initial_question");
  }
  EXPECT_EQ(ToJson(Stored(session.session_id)), ToJson(before));
  auto started = Transition(session.session_id, S::in_progress);
  ASSERT_TRUE(started.ok()) << Describe(started);
  EXPECT_EQ(started->initial_question, "the question");
  EXPECT_EQ(started->interaction_count, 0);
}

TEST_F(SessionEngineTest, ARequestedResolutionStatusMustAgreeWithTheTarget) {
  struct Case {
    S to;
    boost::json::value requested;
    bool accepted;
  };
  const std::vector<Case> cases = {{S::resolved, boost::json::value("resolved"), true},
                                   {S::resolved, boost::json::value("escalated"), false},
                                   {S::resolved, boost::json::value("pending"), false},
                                   {S::escalated, boost::json::value("escalated"), true},
                                   {S::escalated, boost::json::value("resolved"), false},
                                   {S::paused, boost::json::value("pending"), true},
                                   {S::paused, boost::json::value("resolved"), false},
                                   {S::resolved, boost::json::value(1), false},
                                   {S::resolved, boost::json::value("RESOLVED"), false},
                                   {S::resolved, boost::json::value(nullptr), true}};
  for (const Case& c : cases) {
    const Session session = InState(S::in_progress);
    const Session before = Stored(session.session_id);
    TransitionRequest request = Move(session.session_id, c.to);
    request.resolution_status = c.requested;
    auto moved = engine_.Transition(user_, request);
    const std::string label = std::string(EnumName(c.to)) + " with " + boost::json::serialize(c.requested);
    if (c.accepted) {
      ASSERT_TRUE(moved.ok()) << label << ": " << Describe(moved);
      EXPECT_EQ(moved->resolution_status, kResolutionOf.at(c.to)) << label;
    } else {
      ASSERT_EQ(moved.status().code(), ErrorCode::kInvalidArgument) << label;
      EXPECT_EQ(moved.status().field_errors().at(0).field, "resolution_status") << label;
      EXPECT_EQ(ToJson(Stored(session.session_id)), ToJson(before)) << label;
    }
  }
}

TEST_F(SessionEngineTest, TransitionsOfInvisibleSessionsAnswerNotFound) {
  const Session session = Start();
  const RequestContext colleague = User(1, 10, 101);
  const RequestContext stranger = PlatformAdmin(2, 10, 100);
  EXPECT_EQ(Transition(session.session_id, S::paused, &colleague).status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(Transition(session.session_id, S::paused, &stranger).status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(Transition("sess_missing", S::paused).status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(Stored(session.session_id).state, S::in_progress);
  const RequestContext admin = test::CustomerAdmin(1, 10, 999);
  EXPECT_TRUE(Transition(session.session_id, S::paused, &admin).ok());
}

// --- ended_at and session_duration -------------------------------------------------------------------

TEST_F(SessionEngineTest, EndedAtIsSetOnResolvingAndNeverChangedByRating) {
  const Session session = Start();
  clock_.Advance(90 * kSecond);
  auto resolved = Transition(session.session_id, S::resolved);
  ASSERT_TRUE(resolved.ok()) << Describe(resolved);
  ASSERT_TRUE(resolved->ended_at.has_value());
  EXPECT_EQ(resolved->ended_at->millis, kStart + 90 * kSecond);
  EXPECT_EQ(resolved->session_duration, 90);

  clock_.Advance(3600 * kSecond);
  auto rated = Transition(session.session_id, S::rated);
  ASSERT_TRUE(rated.ok()) << Describe(rated);
  EXPECT_EQ(rated->ended_at->millis, kStart + 90 * kSecond);
  EXPECT_EQ(rated->session_duration, 90);
  EXPECT_EQ(rated->updated_at.millis, kStart + 3690 * kSecond);

  clock_.Advance(3600 * kSecond);
  auto got = engine_.Get(user_, session.session_id);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->session_duration, 90);
  EXPECT_EQ(got->ended_at->millis, kStart + 90 * kSecond);
  const Session stored = Stored(session.session_id);
  EXPECT_EQ(stored.session_duration, 90);
  EXPECT_EQ(stored.ended_at->millis, kStart + 90 * kSecond);
}

TEST_F(SessionEngineTest, EndedAtIsSetOnEscalatingAndNeverChangedByClosing) {
  const Session session = Start();
  clock_.Advance(30 * kSecond);
  ASSERT_TRUE(Transition(session.session_id, S::escalated).ok());
  clock_.Advance(600 * kSecond);
  auto closed = Transition(session.session_id, S::closed);
  ASSERT_TRUE(closed.ok()) << Describe(closed);
  ASSERT_TRUE(closed->ended_at.has_value());
  EXPECT_EQ(closed->ended_at->millis, kStart + 30 * kSecond);
  EXPECT_EQ(closed->session_duration, 30);
  EXPECT_EQ(closed->resolution_status, ResolutionStatus::escalated);
}

TEST_F(SessionEngineTest, EndedAtIsSetOnTimingOut) {
  const Session session = Start();
  ASSERT_TRUE(Transition(session.session_id, S::paused).ok());
  clock_.Advance(45 * kSecond);
  auto timed_out = Transition(session.session_id, S::timed_out);
  ASSERT_TRUE(timed_out.ok()) << Describe(timed_out);
  ASSERT_TRUE(timed_out->ended_at.has_value());
  EXPECT_EQ(timed_out->ended_at->millis, kStart + 45 * kSecond);
  EXPECT_EQ(timed_out->session_duration, 45);
  EXPECT_EQ(timed_out->resolution_status, ResolutionStatus::pending);
}

TEST_F(SessionEngineTest, PausingAndResumingDoNotEndTheSession) {
  const Session session = Start();
  clock_.Advance(kSecond);
  auto paused = Transition(session.session_id, S::paused);
  ASSERT_TRUE(paused.ok());
  EXPECT_FALSE(paused->ended_at.has_value());
  clock_.Advance(kSecond);
  auto resumed = Transition(session.session_id, S::in_progress);
  ASSERT_TRUE(resumed.ok());
  EXPECT_FALSE(resumed->ended_at.has_value());
  EXPECT_EQ(resumed->initial_question, session.initial_question);
  EXPECT_FALSE(Stored(session.session_id).ended_at.has_value());
}

TEST_F(SessionEngineTest, DurationOfAnOpenSessionGrowsWithTheClock) {
  const Session session = Start();
  clock_.Advance(42 * kSecond);
  auto got = engine_.Get(user_, session.session_id);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->session_duration, 42);
  auto listed = engine_.List(user_, SessionFilter{}, PageRequest{});
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->items.size(), 1u);
  EXPECT_EQ(listed->items[0].session_duration, 42);
  clock_.Advance(500);  // whole seconds only
  EXPECT_EQ(engine_.Get(user_, session.session_id)->session_duration, 42);
  auto asked = Ask(session.session_id);
  ASSERT_TRUE(asked.ok());
  EXPECT_EQ(asked->session.session_duration, 42);
}

// --- Get and List ------------------------------------------------------------------------------------

TEST_F(SessionEngineTest, GetAndListFollowTheCallersScope) {
  const Session mine = Start();
  const Session colleagues = Start(User(1, 10, 101));
  Start(User(2, 10, 100));
  EXPECT_EQ(engine_.Get(user_, colleagues.session_id).status().code(), ErrorCode::kNotFound);
  EXPECT_TRUE(engine_.Get(user_, mine.session_id).ok());
  auto listed = engine_.List(user_, SessionFilter{}, PageRequest{});
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(listed->total, 1);
  auto all = engine_.List(test::CustomerAdmin(1, 10, 1), SessionFilter{}, PageRequest{});
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->total, 2);
  EXPECT_EQ(engine_.ListInteractions(user_, colleagues.session_id, PageRequest{}).status().code(),
            ErrorCode::kNotFound);
}

// --- Sweep -------------------------------------------------------------------------------------------

TEST_F(SessionEngineTest, SweepTimesOutOnlyPausedSessionsIdleAtLeastTheTimeout) {
  constexpr std::int64_t kTimeout = 30 * 60;
  const Session idle = InState(S::paused);       // paused at kStart
  const Session busy = InState(S::in_progress);  // open but not paused
  const Session fresh = InState(S::not_started);
  clock_.Advance(1);
  const Session recent = InState(S::paused);  // paused 1 ms later
  clock_.Set(kStart + kTimeout * kSecond);    // idle exactly the timeout

  auto swept = engine_.Sweep(PlatformAdmin(1, 1, 1), kTimeout);
  ASSERT_TRUE(swept.ok()) << Describe(swept);
  EXPECT_EQ(*swept, 1);
  const Session timed_out = Stored(idle.session_id);
  EXPECT_EQ(timed_out.state, S::timed_out);
  EXPECT_EQ(timed_out.resolution_status, ResolutionStatus::pending);
  ASSERT_TRUE(timed_out.ended_at.has_value());
  EXPECT_EQ(timed_out.ended_at->millis, kStart + kTimeout * kSecond);
  EXPECT_EQ(timed_out.session_duration, kTimeout);
  EXPECT_EQ(Stored(recent.session_id).state, S::paused);
  EXPECT_EQ(Stored(busy.session_id).state, S::in_progress);
  EXPECT_EQ(Stored(fresh.session_id).state, S::not_started);

  // A second sweep finds nothing new; the timed-out session keeps its end.
  swept = engine_.Sweep(PlatformAdmin(1, 1, 1), kTimeout);
  ASSERT_TRUE(swept.ok());
  EXPECT_EQ(*swept, 0);
  clock_.Advance(kSecond);
  swept = engine_.Sweep(PlatformAdmin(1, 1, 1), kTimeout);
  ASSERT_TRUE(swept.ok());
  EXPECT_EQ(*swept, 1);
  EXPECT_EQ(Stored(recent.session_id).state, S::timed_out);
  EXPECT_EQ(Stored(idle.session_id).ended_at->millis, kStart + kTimeout * kSecond);
}

TEST_F(SessionEngineTest, SweepStaysInsideTheCallersScope) {
  const Session mine = Start();
  const Session colleagues = Start(User(1, 10, 101));
  const Session other_tenants = Start(User(2, 10, 100));
  for (const auto& [session, owner] : {std::pair(mine, user_), std::pair(colleagues, User(1, 10, 101)),
                                       std::pair(other_tenants, User(2, 10, 100))}) {
    ASSERT_TRUE(Transition(session.session_id, S::paused, &owner).ok());
  }
  clock_.Advance(kMinute);

  auto swept = engine_.Sweep(user_, 1);
  ASSERT_TRUE(swept.ok()) << Describe(swept);
  EXPECT_EQ(*swept, 1);
  EXPECT_EQ(Stored(mine.session_id).state, S::timed_out);
  EXPECT_EQ(Stored(colleagues.session_id).state, S::paused);

  swept = engine_.Sweep(PlatformAdmin(1, 1, 1), 1);
  ASSERT_TRUE(swept.ok());
  EXPECT_EQ(*swept, 1);
  EXPECT_EQ(Stored(colleagues.session_id).state, S::timed_out);

  auto theirs = store_->sessions().Get(Scope(PlatformAdmin(2, 1, 1)), other_tenants.session_id);
  ASSERT_TRUE(theirs.ok());
  EXPECT_EQ(theirs->state, S::paused);
  swept = engine_.Sweep(PlatformAdmin(2, 1, 1), 1);
  ASSERT_TRUE(swept.ok());
  EXPECT_EQ(*swept, 1);
}

TEST_F(SessionEngineTest, SweepTimesOutMoreSessionsThanOneListing) {
  constexpr int kPaused = 600;  // more than the sweep's batch of 500
  for (int i = 0; i < kPaused; ++i) InState(S::paused);
  clock_.Advance(kMinute);
  auto swept = engine_.Sweep(PlatformAdmin(1, 1, 1), 60);
  ASSERT_TRUE(swept.ok()) << Describe(swept);
  EXPECT_EQ(*swept, kPaused);
  auto left =
      store_->sessions().List(Scope(PlatformAdmin(1, 1, 1)), SessionFilter{S::paused, {}, {}}, PageRequest{});
  ASSERT_TRUE(left.ok());
  EXPECT_EQ(left->total, 0);
}

TEST_F(SessionEngineTest, SweepSparesASessionResumedAfterTheListing) {
  const Session returning = InState(S::paused);
  const Session gone = InState(S::paused);
  clock_.Advance(kMinute);
  ComeBackDuringListing racing(store_->sessions(), [&] { ASSERT_TRUE(Ask(returning.session_id).ok()); });
  test::ForwardingStore store(*store_);
  store.sessions_override = &racing;
  SessionEngine sweeper(store, clock_);

  auto swept = sweeper.Sweep(PlatformAdmin(1, 1, 1), 60);
  ASSERT_TRUE(swept.ok()) << Describe(swept);
  EXPECT_EQ(*swept, 1);
  const Session resumed = Stored(returning.session_id);
  EXPECT_EQ(resumed.state, S::in_progress);
  EXPECT_FALSE(resumed.ended_at.has_value());
  EXPECT_EQ(resumed.interaction_count, 1);
  EXPECT_EQ(Stored(gone.session_id).state, S::timed_out);
}

TEST_F(SessionEngineTest, ConcurrentInteractionsAreAllCounted) {
  const Session session = Start();
  constexpr int kThreads = 8;
  constexpr int kEach = 20;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kEach; ++i) {
        if (!Ask(session.session_id).ok()) ++failures;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(Stored(session.session_id).interaction_count, kThreads * kEach);
  EXPECT_EQ(InteractionCount(session.session_id), kThreads * kEach);
}

}  // namespace
}  // namespace selfservice

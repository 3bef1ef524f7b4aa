// sessions.*, sessions.interactions.* and satisfaction.submit through the API: bad input, other
// tenants' sessions and the session state machine of spec 5.2.

#include "harness.hpp"

namespace selfservice::test {
namespace {

class SessionsTest : public PortalTest {
 protected:
  json::object Get(const std::string& id, const Caller& caller = User()) {
    return Call("sessions.get", caller, json::object{{"session_id", id}});
  }
  std::string StateOf(const std::string& id) {
    const json::object answer = Get(id, PlatformAdmin());
    EXPECT_TRUE(IsSuccess(answer));
    return IsSuccess(answer) ? std::string(answer.at("data").at("state").as_string()) : std::string();
  }
  std::int64_t InteractionsOf(const std::string& id) {
    return Total("sessions.interactions.list", PlatformAdmin(), json::object{{"session_id", id}});
  }
  json::object AddQuestion(const std::string& id, const Caller& caller = User()) {
    return Call(
        "sessions.interactions.add", caller,
        json::object{{"session_id", id}, {"interaction_type", "question"}, {"user_input", "still broken"}});
  }
};

TEST_F(SessionsTest, StartWithAQuestionIsInProgress) {
  const json::object answer = Call("sessions.start", User(),
                                   json::object{{"session_type", "ai_chat"},
                                                {"initial_question", "VPN down"},
                                                {"session_context", json::object{{"page", "/faq"}}}});
  ASSERT_TRUE(IsSuccess(answer));
  const json::object& data = answer.at("data").as_object();
  EXPECT_EQ(data.at("state"), "in_progress");
  EXPECT_EQ(data.at("session_type"), "ai_chat");
  EXPECT_EQ(data.at("tenant_id"), 1);
  EXPECT_EQ(data.at("user_id"), 100);
  EXPECT_EQ(json::serialize(data.at("session_context")), R"({"page":"/faq"})");
  EXPECT_EQ(std::string(data.at("session_id").as_string()).substr(0, 5), "sess_");
}

TEST_F(SessionsTest, StartWithoutAQuestionIsNotStarted) {
  const json::object answer = Call("sessions.start", User(), json::object{{"session_context", nullptr}});
  ASSERT_TRUE(IsSuccess(answer));
  EXPECT_EQ(answer.at("data").at("state"), "not_started");
  EXPECT_EQ(answer.at("data").at("session_type"), "search");
}

TEST_F(SessionsTest, StartRefusesAnUnknownSessionType) {
  for (std::string_view type : {"bogus", "AI_CHAT", ""}) {
    const json::object answer = Call("sessions.start", User(), json::object{{"session_type", type}});
    ASSERT_TRUE(IsError(answer, 10001)) << type;
    EXPECT_TRUE(HasFieldError(answer, "session_type", "VALUE_NOT_ALLOWED")) << type;
    const std::string message(answer.at("errors").at(0).at("message").as_string());
    EXPECT_NE(message.find("search, ai_chat, ticket"), std::string::npos) << message;
  }
  const json::object number = Call("sessions.start", User(), json::object{{"session_type", 3}});
  ASSERT_TRUE(IsError(number, 10001));
  EXPECT_TRUE(HasFieldError(number, "session_type", "FIELD_INVALID"));
  EXPECT_EQ(Total("sessions.list", User()), 0);
}

TEST_F(SessionsTest, StartRefusesASessionContextThatIsNotAnObject) {
  for (const json::value& context :
       {json::value("ctx"), json::value(json::array{1}), json::value(4), json::value(true)}) {
    const json::object answer =
        Call("sessions.start", User(), json::object{{"initial_question", "x"}, {"session_context", context}});
    ASSERT_TRUE(IsError(answer, 10001)) << context;
    EXPECT_TRUE(HasFieldError(answer, "session_context", "FIELD_INVALID")) << context;
  }
  EXPECT_EQ(Total("sessions.list", User()), 0);
}

TEST_F(SessionsTest, StartListsEveryBadFieldAtOnce) {
  const json::object answer =
      Call("sessions.start", User(), json::object{{"session_type", "bogus"}, {"session_context", "ctx"}});
  ASSERT_TRUE(IsError(answer, 10001));
  EXPECT_TRUE(HasFieldError(answer, "session_type", "VALUE_NOT_ALLOWED"));
  EXPECT_TRUE(HasFieldError(answer, "session_context", "FIELD_INVALID"));
}

TEST_F(SessionsTest, StartRefusesAnOversizedQuestion) {
  const json::object answer =
      Call("sessions.start", User(), json::object{{"initial_question", std::string(65536, 'q')}});
  ASSERT_TRUE(IsError(answer, 10001));
  EXPECT_TRUE(HasFieldError(answer, "initial_question", "FIELD_TOO_LONG"));
  EXPECT_EQ(Total("sessions.list", User()), 0);
}

TEST_F(SessionsTest, UnknownOrMalformedSessionIdIsNotFoundOrInvalid) {
  EXPECT_TRUE(IsError(Get("sess_000000000000000000000000"), 10004));
  EXPECT_TRUE(HasFieldError(Get(std::string(65, 'a')), "session_id", "FIELD_TOO_LONG"));
  EXPECT_TRUE(HasFieldError(Get("   "), "session_id", "FIELD_REQUIRED"));
  EXPECT_TRUE(HasFieldError(Get(""), "session_id", "FIELD_REQUIRED"));
}

TEST_F(SessionsTest, AnotherTenantsSessionIsNotFoundForEveryMethod) {
  const std::string id = StartSession(User());
  Transition(User(), id, "paused");
  for (const Caller& other : {User(2, 10, 100), CustomerAdmin(2, 10, 100), PlatformAdmin(2)}) {
    EXPECT_TRUE(IsError(Get(id, other), 10004));
    EXPECT_TRUE(IsError(
        Call("sessions.transition", other, json::object{{"session_id", id}, {"to", "in_progress"}}), 10004));
    EXPECT_TRUE(IsError(AddQuestion(id, other), 10004));
    EXPECT_TRUE(IsError(Call("sessions.interactions.list", other, json::object{{"session_id", id}}), 10004));
    EXPECT_TRUE(
        IsError(Call("satisfaction.submit", other, json::object{{"session_id", id}, {"score", 5}}), 10004));
    EXPECT_EQ(Total("sessions.list", other), 0);
  }
  EXPECT_EQ(StateOf(id), "paused");
  EXPECT_EQ(InteractionsOf(id), 0);
  EXPECT_TRUE(IsSuccess(Call("sessions.sweep", PlatformAdmin(2), json::object{{"idle_timeout_seconds", 0}})));
  EXPECT_EQ(StateOf(id), "paused");
}

TEST_F(SessionsTest, TransitionRefusesAnUnknownTarget) {
  const std::string id = StartSession(User());
  for (std::string_view to : {"done", "In_Progress", ""}) {
    const json::object answer =
        Call("sessions.transition", User(), json::object{{"session_id", id}, {"to", to}});
    ASSERT_TRUE(IsError(answer, 10001)) << to;
    EXPECT_TRUE(HasFieldError(answer, "to", "VALUE_NOT_ALLOWED")) << to;
  }
  const json::object number =
      Call("sessions.transition", User(), json::object{{"session_id", id}, {"to", 1}});
  ASSERT_TRUE(IsError(number, 10001));
  EXPECT_TRUE(HasFieldError(number, "to", "FIELD_INVALID"));
  EXPECT_EQ(StateOf(id), "in_progress");
}

TEST_F(SessionsTest, IllegalMoveIsRefusedOnTheFieldTo) {
  const std::string id = StartSession(User());
  for (std::string_view to : {"rated", "closed", "timed_out", "not_started", "in_progress"}) {
    const json::object answer =
        Call("sessions.transition", User(), json::object{{"session_id", id}, {"to", to}});
    ASSERT_TRUE(IsError(answer, 10006)) << to;
    EXPECT_TRUE(HasFieldError(answer, "to", "TRANSITION_NOT_ALLOWED")) << to;
    const std::string message(answer.at("errors").at(0).at("message").as_string());
    EXPECT_NE(message.find("in_progress"), std::string::npos) << message;
    EXPECT_NE(message.find(to), std::string::npos) << message;
  }
  EXPECT_EQ(StateOf(id), "in_progress");
}

TEST_F(SessionsTest, WalksTheDiagram) {
  const std::string id = StartSession(User());
  Transition(User(), id, "paused");
  EXPECT_TRUE(IsError(
      Call("sessions.transition", User(), json::object{{"session_id", id}, {"to", "resolved"}}), 10006));
  Transition(User(), id, "in_progress");
  const json::object resolved =
      Transition(User(), id, "resolved", json::object{{"resolution_status", "resolved"}});
  EXPECT_EQ(resolved.at("data").at("resolution_status"), "resolved");
  EXPECT_FALSE(resolved.at("data").at("ended_at").is_null());
  EXPECT_TRUE(IsError(
      Call("sessions.transition", User(), json::object{{"session_id", id}, {"to", "escalated"}}), 10006));
  const json::object rated =
      Call("satisfaction.submit", User(), json::object{{"session_id", id}, {"score", 5}});
  ASSERT_TRUE(IsSuccess(rated));
  EXPECT_EQ(rated.at("data").at("state"), "rated");
  EXPECT_EQ(rated.at("data").at("satisfaction_score"), 5);

  const std::string other = StartSession(User());
  Transition(User(), other, "escalated");
  EXPECT_TRUE(IsError(
      Call("sessions.transition", User(), json::object{{"session_id", other}, {"to", "closed"}}), 10003));
  const json::object closed = Transition(PlatformAdmin(), other, "closed");
  EXPECT_EQ(closed.at("data").at("resolution_status"), "escalated");
}

TEST_F(SessionsTest, TransitionRefusesAResolutionStatusThatDisagrees) {
  const std::string id = StartSession(User());
  for (const json::value& status : {json::value("escalated"), json::value("nonsense"), json::value(1)}) {
    const json::object answer =
        Call("sessions.transition", User(),
             json::object{{"session_id", id}, {"to", "resolved"}, {"resolution_status", status}});
    ASSERT_TRUE(IsError(answer, 10001)) << status;
    EXPECT_TRUE(HasFieldError(answer, "resolution_status", "FIELD_INVALID"));
  }
  EXPECT_EQ(StateOf(id), "in_progress");
}

TEST_F(SessionsTest, StartingANotStartedSessionNeedsTheQuestion) {
  const json::object started = Call("sessions.start", User(), json::object{});
  const std::string id(started.at("data").at("session_id").as_string());
  for (const json::value& question : {json::value(nullptr), json::value("")}) {
    const json::object answer =
        Call("sessions.transition", User(),
             json::object{{"session_id", id}, {"to", "in_progress"}, {"initial_question", question}});
    ASSERT_TRUE(IsError(answer, 10001)) << question;
    EXPECT_TRUE(HasFieldError(answer, "initial_question", "FIELD_REQUIRED"));
  }
  EXPECT_EQ(StateOf(id), "not_started");
  Transition(User(), id, "in_progress", json::object{{"initial_question", "why?"}});
  EXPECT_EQ(StateOf(id), "in_progress");
}

TEST_F(SessionsTest, InteractionConfidenceOutOfRangeIsRefused) {
  const std::string id = StartSession(User());
  for (double confidence : {7.0, -0.1, 1.01}) {
    const json::object answer = Call("sessions.interactions.add", User(),
                                     json::object{{"session_id", id},
                                                  {"interaction_type", "question"},
                                                  {"user_input", "x"},
                                                  {"ai_confidence", confidence}});
    ASSERT_TRUE(IsError(answer, 10001)) << confidence;
    EXPECT_TRUE(HasFieldError(answer, "ai_confidence", "OUT_OF_RANGE")) << confidence;
  }
  const json::object seven =
      Call("sessions.interactions.add", User(),
           json::object{{"session_id", id}, {"interaction_type", "question"}, {"ai_confidence", 7}});
  ASSERT_TRUE(IsError(seven, 10001));
  EXPECT_TRUE(HasFieldError(seven, "ai_confidence", "OUT_OF_RANGE"));
  EXPECT_EQ(InteractionsOf(id), 0);
  EXPECT_EQ(Get(id).at("data").at("interaction_count"), 0);
}

TEST_F(SessionsTest, InteractionFieldRulesAreChecked) {
  const std::string id = StartSession(User());
  const std::pair<json::object, FieldError> cases[] = {
      {json::object{{"interaction_type", "question"}}, {"user_input", "FIELD_REQUIRED", {}}},
      {json::object{{"interaction_type", "answer"}, {"helpful_rating", 6}},
       {"helpful_rating", "OUT_OF_RANGE", {}}},
      {json::object{{"interaction_type", "answer"}, {"response_time", -1}},
       {"response_time", "OUT_OF_RANGE", {}}},
      {json::object{{"interaction_type", "answer"}, {"knowledge_article_ids", json::array{1, 0}}},
       {"knowledge_article_ids", "FIELD_INVALID", {}}},
      {json::object{{"interaction_type", "answer"}, {"knowledge_article_ids", json::array{"a"}}},
       {"knowledge_article_ids", "FIELD_INVALID", {}}},
      {json::object{{"interaction_type", "chat"}}, {"interaction_type", "VALUE_NOT_ALLOWED", {}}},
  };
  for (auto [request, error] : cases) {
    request["session_id"] = id;
    const json::object answer = Call("sessions.interactions.add", User(), request);
    ASSERT_TRUE(IsError(answer, 10001)) << request;
    EXPECT_TRUE(HasFieldError(answer, error.field, error.code)) << request;
  }
  EXPECT_EQ(InteractionsOf(id), 0);
}

TEST_F(SessionsTest, InteractionServerFieldsCannotBeForged) {
  const std::string id = StartSession(User());
  const json::object answer = Call("sessions.interactions.add", User(),
                                   json::object{{"session_id", id},
                                                {"interaction_type", "question"},
                                                {"user_input", "x"},
                                                {"tenant_id", 2},
                                                {"id", 999}});
  ASSERT_TRUE(IsSuccess(answer));
  EXPECT_EQ(answer.at("data").at("interaction").at("tenant_id"), 1);
  EXPECT_NE(answer.at("data").at("interaction").at("id"), 999);
  EXPECT_TRUE(
      IsError(Call("sessions.interactions.list", PlatformAdmin(2), json::object{{"session_id", id}}), 10004));
  EXPECT_EQ(InteractionsOf(id), 1);
}

TEST_F(SessionsTest, InteractionsCountAndResumeAPausedSession) {
  const std::string id = StartSession(User());
  ASSERT_TRUE(IsSuccess(AddQuestion(id)));
  Transition(User(), id, "paused");
  const json::object resumed = AddQuestion(id);
  ASSERT_TRUE(IsSuccess(resumed));
  EXPECT_EQ(resumed.at("data").at("session").at("state"), "in_progress");
  EXPECT_EQ(resumed.at("data").at("session").at("interaction_count"), 2);
  EXPECT_EQ(InteractionsOf(id), 2);
}

TEST_F(SessionsTest, FirstQuestionStartsANotStartedSession) {
  const std::string id(
      Call("sessions.start", User(), json::object{}).at("data").at("session_id").as_string());
  const json::object answer_first = Call("sessions.interactions.add", User(),
                                         json::object{{"session_id", id}, {"interaction_type", "answer"}});
  ASSERT_TRUE(IsError(answer_first, 10001));
  EXPECT_TRUE(HasFieldError(answer_first, "interaction_type", "VALUE_NOT_ALLOWED"));
  const json::object question = AddQuestion(id);
  ASSERT_TRUE(IsSuccess(question));
  EXPECT_TRUE(question.at("data").at("interaction").is_null());
  EXPECT_EQ(question.at("data").at("session").at("state"), "in_progress");
  EXPECT_EQ(question.at("data").at("session").at("initial_question"), "still broken");
}

TEST_F(SessionsTest, EndedSessionTakesNoInteractions) {
  const std::string id = StartSession(User());
  Transition(User(), id, "resolved");
  const json::object answer = AddQuestion(id);
  ASSERT_TRUE(IsError(answer, 10006));
  EXPECT_TRUE(HasFieldError(answer, "to", "TRANSITION_NOT_ALLOWED"));
  EXPECT_EQ(InteractionsOf(id), 0);
}

TEST_F(SessionsTest, SatisfactionScoreOutOfRangeOnAResolvedSessionIsInvalid) {
  const std::string id = StartSession(User());
  Transition(User(), id, "resolved");
  for (const json::value& score : {json::value(9), json::value(0), json::value(-1)}) {
    const json::object answer =
        Call("satisfaction.submit", User(), json::object{{"session_id", id}, {"score", score}});
    ASSERT_TRUE(IsError(answer, 10001)) << score;
    EXPECT_TRUE(HasFieldError(answer, "score", "OUT_OF_RANGE")) << score;
  }
  for (const json::value& score : {json::value("5"), json::value(4.5), json::value(true)}) {
    const json::object answer =
        Call("satisfaction.submit", User(), json::object{{"session_id", id}, {"score", score}});
    ASSERT_TRUE(IsError(answer, 10001)) << score;
    EXPECT_TRUE(HasFieldError(answer, "score", "FIELD_INVALID")) << score;
  }
  const json::object missing = Call("satisfaction.submit", User(), json::object{{"session_id", id}});
  EXPECT_TRUE(HasFieldError(missing, "score", "FIELD_REQUIRED"));
  const json::object comment =
      Call("satisfaction.submit", User(), json::object{{"session_id", id}, {"score", 4}, {"comment", 12}});
  EXPECT_TRUE(HasFieldError(comment, "comment", "FIELD_INVALID"));
  EXPECT_EQ(StateOf(id), "resolved");
  EXPECT_TRUE(Get(id).at("data").at("satisfaction_score").is_null());
}

TEST_F(SessionsTest, SatisfactionOnASessionThatCannotBeRatedIsATransitionError) {
  const std::string id = StartSession(User());
  for (const json::value& score : {json::value(9), json::value(5)}) {
    const json::object answer =
        Call("satisfaction.submit", User(), json::object{{"session_id", id}, {"score", score}});
    ASSERT_TRUE(IsError(answer, 10006)) << score;
    EXPECT_TRUE(HasFieldError(answer, "to", "TRANSITION_NOT_ALLOWED"));
  }
  EXPECT_EQ(StateOf(id), "in_progress");
  Transition(User(), id, "resolved");
  ASSERT_TRUE(IsSuccess(Call("satisfaction.submit", User(),
                             json::object{{"session_id", id}, {"score", 3}, {"comment", "ok"}})));
  EXPECT_TRUE(
      IsError(Call("satisfaction.submit", User(), json::object{{"session_id", id}, {"score", 5}}), 10006));
  EXPECT_EQ(Get(id).at("data").at("satisfaction_score"), 3);
  EXPECT_EQ(Get(id).at("data").at("feedback_content"), "ok");
}

TEST_F(SessionsTest, SweepNeedsAPlatformAdmin) {
  const std::string id = StartSession(User());
  Transition(User(), id, "paused");
  for (const Caller& caller : {User(), CustomerAdmin()}) {
    EXPECT_TRUE(IsError(Call("sessions.sweep", caller, json::object{{"idle_timeout_seconds", 0}}), 10003));
  }
  EXPECT_EQ(StateOf(id), "paused");
}

TEST_F(SessionsTest, SweepRefusesABadTimeout) {
  for (const json::value& idle : {json::value(-1), json::value(365LL * 24 * 3600 + 1)}) {
    const json::object answer =
        Call("sessions.sweep", PlatformAdmin(), json::object{{"idle_timeout_seconds", idle}});
    ASSERT_TRUE(IsError(answer, 10001)) << idle;
    EXPECT_TRUE(HasFieldError(answer, "idle_timeout_seconds", "OUT_OF_RANGE")) << idle;
  }
  for (const json::value& idle : {json::value("60"), json::value(1.5), json::value(json::array{})}) {
    const json::object answer =
        Call("sessions.sweep", PlatformAdmin(), json::object{{"idle_timeout_seconds", idle}});
    ASSERT_TRUE(IsError(answer, 10001)) << idle;
    EXPECT_TRUE(HasFieldError(answer, "idle_timeout_seconds", "FIELD_INVALID")) << idle;
  }
}

TEST_F(SessionsTest, SweepWithZeroTimesOutEveryPausedSession) {
  const std::string paused = StartSession(User());
  const std::string active = StartSession(User());
  Transition(User(), paused, "paused");
  const json::object answer =
      Call("sessions.sweep", PlatformAdmin(), json::object{{"idle_timeout_seconds", 0}});
  ASSERT_TRUE(IsSuccess(answer));
  EXPECT_EQ(answer.at("data").at("timed_out"), 1);
  EXPECT_EQ(answer.at("data").at("idle_timeout_seconds"), 0);
  EXPECT_EQ(StateOf(paused), "timed_out");
  EXPECT_EQ(StateOf(active), "in_progress");
  EXPECT_FALSE(Get(paused).at("data").at("ended_at").is_null());
}

TEST_F(SessionsTest, SweepWaitsForTheConfiguredIdleTime) {
  const std::string id = StartSession(User());
  Transition(User(), id, "paused");
  const json::object early = Call("sessions.sweep", PlatformAdmin(), json::object{});
  ASSERT_TRUE(IsSuccess(early));
  EXPECT_EQ(early.at("data").at("timed_out"), 0);
  EXPECT_EQ(early.at("data").at("idle_timeout_seconds"), 1800);
  clock_->Advance(1800 * 1000);
  const json::object late =
      Call("sessions.sweep", PlatformAdmin(), json::object{{"idle_timeout_seconds", nullptr}});
  ASSERT_TRUE(IsSuccess(late));
  EXPECT_EQ(late.at("data").at("timed_out"), 1);
  EXPECT_EQ(StateOf(id), "timed_out");
}

TEST_F(SessionsTest, ListFiltersMustBeKnownValues) {
  StartSession(User());
  for (const auto& [field, value] : {std::pair("state", "done"), std::pair("session_type", "phone")}) {
    const json::object answer = Call("sessions.list", User(), json::object{{field, value}});
    ASSERT_TRUE(IsError(answer, 10001)) << field;
    EXPECT_TRUE(HasFieldError(answer, field, "VALUE_NOT_ALLOWED")) << field;
  }
  EXPECT_EQ(Total("sessions.list", User(), json::object{{"state", "in_progress"}}), 1);
  EXPECT_EQ(Total("sessions.list", User(), json::object{{"state", "paused"}}), 0);
  EXPECT_EQ(Total("sessions.list", User(), json::object{{"session_type", "ai_chat"}}), 1);
}

}  // namespace
}  // namespace selfservice::test

// feedback.* through the API: bad input, scope, and the feedback state machine of spec 5.2 with
// who may make which move.

#include "harness.hpp"

namespace selfservice::test {
namespace {

class FeedbackTest : public PortalTest {
 protected:
  json::object Submit(json::object request, const Caller& caller = User()) {
    return Call("feedback.submit", caller, request);
  }
  json::object Move(std::int64_t id, std::string_view to, const Caller& caller) {
    return Call("feedback.transition", caller, json::object{{"id", id}, {"to", to}});
  }
  std::string StateOf(std::int64_t id) {
    const json::object answer = Call("feedback.get", PlatformAdmin(), json::object{{"id", id}});
    EXPECT_TRUE(IsSuccess(answer));
    return IsSuccess(answer) ? std::string(answer.at("data").at("state").as_string()) : std::string();
  }
};

TEST_F(FeedbackTest, SubmitStoresPendingFeedbackOfTheCaller) {
  const std::int64_t id = SubmitFeedback(User());
  const json::object answer = Call("feedback.get", User(), json::object{{"id", id}});
  ASSERT_TRUE(IsSuccess(answer));
  const json::object& data = answer.at("data").as_object();
  EXPECT_EQ(data.at("state"), "pending");
  EXPECT_EQ(data.at("status"), 1);
  EXPECT_EQ(data.at("tenant_id"), 1);
  EXPECT_EQ(data.at("customer_id"), 10);
  EXPECT_EQ(data.at("user_id"), 100);
  EXPECT_EQ(data.at("rating"), 4);
}

TEST_F(FeedbackTest, SubmitWithoutARelatedObjectIsInvalid) {
  const json::object answer = Submit(json::object{{"feedback_type", "service"}, {"rating", 4}});
  ASSERT_TRUE(IsError(answer, 10001));
  EXPECT_TRUE(HasFieldError(answer, "related_type", "FIELD_REQUIRED"));
  EXPECT_TRUE(HasFieldError(answer, "related_id", "FIELD_REQUIRED"));
  const json::object no_id = Submit(json::object{{"feedback_type", "service"}, {"related_type", "ticket"}});
  EXPECT_TRUE(HasFieldError(no_id, "related_id", "FIELD_REQUIRED"));
  const json::object empty_id =
      Submit(json::object{{"feedback_type", "service"}, {"related_type", "ticket"}, {"related_id", ""}});
  EXPECT_TRUE(HasFieldError(empty_id, "related_id", "FIELD_REQUIRED"));
  EXPECT_EQ(Total("feedback.list", PlatformAdmin()), 0);
}

TEST_F(FeedbackTest, SubmitRefusesARatingOutOfRange) {
  for (int rating : {6, 0, -5}) {
    const json::object answer = Submit(json::object{{"feedback_type", "service"},
                                                    {"related_type", "knowledge"},
                                                    {"related_id", "KB-1"},
                                                    {"rating", rating}});
    ASSERT_TRUE(IsError(answer, 10001)) << rating;
    EXPECT_TRUE(HasFieldError(answer, "rating", "OUT_OF_RANGE")) << rating;
  }
  EXPECT_EQ(Total("feedback.list", PlatformAdmin()), 0);
}

TEST_F(FeedbackTest, SubmitRefusesAnUnknownFeedbackType) {
  for (const json::value& type : {json::value("nonsense"), json::value("Service"), json::value(1)}) {
    const json::object answer = Submit(json::object{
        {"feedback_type", type}, {"related_type", "knowledge"}, {"related_id", "KB-1"}, {"rating", 3}});
    ASSERT_TRUE(IsError(answer, 10001)) << type;
    EXPECT_TRUE(
        HasFieldError(answer, "feedback_type", type.is_string() ? "VALUE_NOT_ALLOWED" : "FIELD_INVALID"))
        << type;
  }
  const json::object related =
      Submit(json::object{{"feedback_type", "bug"}, {"related_type", "order"}, {"related_id", "1"}});
  EXPECT_TRUE(HasFieldError(related, "related_type", "VALUE_NOT_ALLOWED"));
  EXPECT_EQ(Total("feedback.list", PlatformAdmin()), 0);
}

TEST_F(FeedbackTest, SubmitAboutASessionNeedsAVisibleSession) {
  const std::string own = StartSession(User());
  const std::string foreign = StartSession(User(2, 10, 100));
  const auto about = [](const std::string& id) {
    return json::object{
        {"feedback_type", "service"}, {"related_type", "session"}, {"related_id", id}, {"rating", 5}};
  };
  EXPECT_TRUE(IsError(Submit(about(foreign)), 10004));
  EXPECT_TRUE(IsError(Submit(about("sess_nosuchsession")), 10004));
  EXPECT_TRUE(IsError(Submit(about(own), User(1, 10, 999)), 10004));
  EXPECT_EQ(Total("feedback.list", PlatformAdmin()), 0);
  EXPECT_TRUE(IsSuccess(Submit(about(own))));
}

TEST_F(FeedbackTest, SubmitIgnoresServerOwnedFields) {
  const json::object answer = Submit(json::object{{"feedback_type", "feature"},
                                                  {"related_type", "ticket"},
                                                  {"related_id", "T-1"},
                                                  {"state", "closed"},
                                                  {"processed_by", 1},
                                                  {"response_content", "done"},
                                                  {"sentiment_score", 0.9},
                                                  {"tenant_id", 2},
                                                  {"user_id", 7}});
  ASSERT_TRUE(IsSuccess(answer));
  const json::object& data = answer.at("data").as_object();
  EXPECT_EQ(data.at("state"), "pending");
  EXPECT_TRUE(data.at("processed_by").is_null());
  EXPECT_TRUE(data.at("response_content").is_null());
  EXPECT_TRUE(data.at("sentiment_score").is_null());
  EXPECT_EQ(data.at("tenant_id"), 1);
  EXPECT_EQ(data.at("user_id"), 100);
}

TEST_F(FeedbackTest, GetRefusesAMalformedId) {
  for (const json::value& id : {json::value("abc"), json::value(0), json::value(-1), json::value("1"),
                                json::value(1.5), json::value(nullptr), json::value(json::array{1})}) {
    const json::object answer = Call("feedback.get", User(), json::object{{"id", id}});
    ASSERT_TRUE(IsError(answer, 10001)) << id;
    EXPECT_TRUE(HasFieldError(answer, "id", id.is_null() ? "FIELD_REQUIRED" : "FIELD_INVALID")) << id;
  }
}

TEST_F(FeedbackTest, GetOfAnotherTenantsOrUnknownFeedbackIsNotFound) {
  const std::int64_t id = SubmitFeedback(User());
  for (const Caller& other : {User(2, 10, 100), CustomerAdmin(2, 10), PlatformAdmin(2)}) {
    EXPECT_TRUE(IsError(Call("feedback.get", other, json::object{{"id", id}}), 10004));
  }
  EXPECT_TRUE(IsError(Call("feedback.get", User(), json::object{{"id", id + 1000}}), 10004));
}

TEST_F(FeedbackTest, CustomerUserCannotAssignFeedback) {
  const std::int64_t id = SubmitFeedback(User());
  for (const Caller& caller : {User(), CustomerAdmin()}) {
    const json::object answer = Move(id, "processing", caller);
    ASSERT_TRUE(IsError(answer, 10003));
  }
  EXPECT_EQ(StateOf(id), "pending");
  const json::object moved = Move(id, "processing", PlatformAdmin());
  ASSERT_TRUE(IsSuccess(moved));
  EXPECT_EQ(moved.at("data").at("state"), "processing");
  EXPECT_EQ(moved.at("data").at("status"), 2);
}

TEST_F(FeedbackTest, IllegalMoveIsRefusedOnTheFieldTo) {
  const std::int64_t id = SubmitFeedback(User());
  for (std::string_view to : {"processed", "closed", "needs_info", "reprocessing", "pending"}) {
    const json::object answer = Move(id, to, PlatformAdmin());
    ASSERT_TRUE(IsError(answer, 10006)) << to;
    EXPECT_TRUE(HasFieldError(answer, "to", "TRANSITION_NOT_ALLOWED")) << to;
  }
  const json::object unknown = Move(id, "archived", PlatformAdmin());
  ASSERT_TRUE(IsError(unknown, 10001));
  EXPECT_TRUE(HasFieldError(unknown, "to", "VALUE_NOT_ALLOWED"));
  EXPECT_EQ(StateOf(id), "pending");
}

TEST_F(FeedbackTest, WalksTheDiagramWithTheRightRoles) {
  const std::int64_t id = SubmitFeedback(User());
  ASSERT_TRUE(IsSuccess(Move(id, "processing", PlatformAdmin())));
  ASSERT_TRUE(IsSuccess(Move(id, "needs_info", PlatformAdmin())));
  ASSERT_TRUE(IsSuccess(Move(id, "processing", User())));  // the customer supplied the information
  EXPECT_TRUE(IsError(Move(id, "processed", User()), 10003));
  const json::object processed =
      Call("feedback.transition", PlatformAdmin(),
           json::object{{"id", id}, {"to", "processed"}, {"response_content", "fixed"}});
  ASSERT_TRUE(IsSuccess(processed));
  EXPECT_EQ(processed.at("data").at("processed_by"), 1);
  EXPECT_EQ(processed.at("data").at("response_content"), "fixed");
  EXPECT_FALSE(processed.at("data").at("processed_at").is_null());
  ASSERT_TRUE(IsSuccess(Move(id, "reprocessing", User())));
  ASSERT_TRUE(IsSuccess(Move(id, "processing", PlatformAdmin())));
  ASSERT_TRUE(IsSuccess(Move(id, "processed", PlatformAdmin())));
  ASSERT_TRUE(IsSuccess(Move(id, "closed", User())));
  EXPECT_TRUE(IsError(Move(id, "processing", PlatformAdmin()), 10006));
  EXPECT_EQ(StateOf(id), "closed");
}

TEST_F(FeedbackTest, TransitionOfAnotherTenantsFeedbackIsNotFound) {
  const std::int64_t id = SubmitFeedback(User());
  EXPECT_TRUE(IsError(Move(id, "processing", PlatformAdmin(2)), 10004));
  EXPECT_EQ(StateOf(id), "pending");
}

TEST_F(FeedbackTest, TransitionRefusesAnOversizedResponse) {
  const std::int64_t id = SubmitFeedback(User());
  const json::object answer =
      Call("feedback.transition", PlatformAdmin(),
           json::object{{"id", id}, {"to", "processing"}, {"response_content", std::string(65536, 'r')}});
  ASSERT_TRUE(IsError(answer, 10001));
  EXPECT_TRUE(HasFieldError(answer, "response_content", "FIELD_TOO_LONG"));
  EXPECT_EQ(StateOf(id), "pending");
}

TEST_F(FeedbackTest, ListFiltersMustBeKnownValues) {
  SubmitFeedback(User());
  for (const auto& [field, value] : {std::pair("state", "done"), std::pair("feedback_type", "praise")}) {
    const json::object answer = Call("feedback.list", User(), json::object{{field, value}});
    ASSERT_TRUE(IsError(answer, 10001)) << field;
    EXPECT_TRUE(HasFieldError(answer, field, "VALUE_NOT_ALLOWED")) << field;
  }
  EXPECT_EQ(Total("feedback.list", User(), json::object{{"state", "pending"}}), 1);
  EXPECT_EQ(Total("feedback.list", User(), json::object{{"feedback_type", "bug"}}), 0);
}

}  // namespace
}  // namespace selfservice::test

// Row-level scope through the API (spec 7.2): a customer_user sees what they created, a
// customer_admin their customer's, a platform_admin their tenant's; no one sees another tenant.

#include "harness.hpp"

namespace selfservice::test {
namespace {

class ScopeTest : public PortalTest {
 protected:
  void SetUp() override {
    PortalTest::SetUp();
    a_session_ = StartSession(alice_);
    b_session_ = StartSession(bob_);
    StartSession(bob_);
    carol_session_ = StartSession(carol_);
    a_feedback_ = SubmitFeedback(alice_);
    b_feedback_ = SubmitFeedback(bob_);
    SubmitFeedback(carol_);
  }

  // Tenant 1: alice and bob are users of customer 10, carol of customer 11.
  const Caller alice_ = User(1, 10, 100);
  const Caller bob_ = User(1, 10, 200);
  const Caller carol_ = User(1, 11, 300);
  std::string a_session_, b_session_, carol_session_;
  std::int64_t a_feedback_ = 0, b_feedback_ = 0;
};

TEST_F(ScopeTest, CustomerUserCannotReachAnotherUsersSession) {
  EXPECT_TRUE(IsError(Call("sessions.get", alice_, json::object{{"session_id", b_session_}}), 10004));
  EXPECT_TRUE(
      IsError(Call("sessions.transition", alice_, json::object{{"session_id", b_session_}, {"to", "paused"}}),
              10004));
  EXPECT_TRUE(IsError(
      Call("sessions.interactions.add", alice_,
           json::object{{"session_id", b_session_}, {"interaction_type", "question"}, {"user_input", "x"}}),
      10004));
  EXPECT_TRUE(
      IsError(Call("sessions.interactions.list", alice_, json::object{{"session_id", b_session_}}), 10004));
  EXPECT_TRUE(IsSuccess(Call("sessions.get", bob_, json::object{{"session_id", b_session_}})));
  EXPECT_EQ(Call("sessions.get", bob_, json::object{{"session_id", b_session_}}).at("data").at("state"),
            "in_progress");
}

TEST_F(ScopeTest, CustomerUserListsOnlyOwnSessionsAndFeedback) {
  const json::object sessions = Call("sessions.list", alice_, json::object{});
  ASSERT_TRUE(IsSuccess(sessions));
  EXPECT_EQ(sessions.at("pagination").at("total"), 1);
  ASSERT_EQ(sessions.at("data").as_array().size(), 1U);
  EXPECT_EQ(sessions.at("data").at(0).at("session_id").as_string(), a_session_);
  EXPECT_EQ(Total("sessions.list", bob_), 2);
  EXPECT_EQ(Total("feedback.list", alice_), 1);
  EXPECT_TRUE(IsError(Call("feedback.get", alice_, json::object{{"id", b_feedback_}}), 10004));
}

TEST_F(ScopeTest, CustomerAdminSeesTheCustomers) {
  const Caller admin = CustomerAdmin(1, 10, 999);
  EXPECT_EQ(Total("sessions.list", admin), 3);
  EXPECT_EQ(Total("feedback.list", admin), 2);
  EXPECT_TRUE(IsSuccess(Call("sessions.get", admin, json::object{{"session_id", b_session_}})));
  EXPECT_TRUE(IsSuccess(Call("feedback.get", admin, json::object{{"id", a_feedback_}})));
  EXPECT_TRUE(IsError(Call("sessions.get", admin, json::object{{"session_id", carol_session_}}), 10004));
}

TEST_F(ScopeTest, PlatformAdminSeesTheTenants) {
  EXPECT_EQ(Total("sessions.list", PlatformAdmin()), 4);
  EXPECT_EQ(Total("feedback.list", PlatformAdmin()), 3);
  EXPECT_TRUE(IsSuccess(Call("sessions.get", PlatformAdmin(), json::object{{"session_id", carol_session_}})));
}

TEST_F(ScopeTest, AnotherTenantSeesNothing) {
  for (const Caller& caller : {User(2, 10, 100), CustomerAdmin(2, 10, 100), PlatformAdmin(2)}) {
    EXPECT_EQ(Total("sessions.list", caller), 0);
    EXPECT_EQ(Total("feedback.list", caller), 0);
    EXPECT_TRUE(IsError(Call("sessions.get", caller, json::object{{"session_id", a_session_}}), 10004));
    EXPECT_TRUE(IsError(Call("feedback.get", caller, json::object{{"id", a_feedback_}}), 10004));
  }
}

TEST_F(ScopeTest, TheSameIdsInAnotherTenantAreAnotherCaller) {
  const Caller twin = User(2, 10, 100);  // alice's ids, but tenant 2
  StartSession(twin);
  EXPECT_EQ(Total("sessions.list", twin), 1);
  EXPECT_EQ(Total("sessions.list", alice_), 1);
  EXPECT_EQ(Total("sessions.list", PlatformAdmin()), 4);
}

}  // namespace
}  // namespace selfservice::test

// The caller's context (10002), the request text (10001) and the method name (10004), before any
// handler runs.

#include "harness.hpp"

namespace selfservice::test {
namespace {

using ContextTest = PortalTest;

const char* const kValidRequest = R"({"initial_question": "x"})";

TEST_F(ContextTest, MissingContextIsUnauthenticated) {
  EXPECT_TRUE(IsError(CallText("sessions.start", std::nullopt, kValidRequest), 10002));
}

TEST_F(ContextTest, ContextThatIsNotAJsonObjectIsUnauthenticated) {
  for (std::string_view context : {"", "{", "{tenant_id: 1}", "[]", "[1, 2, 3]", "1", "\"user\"", "null",
                                   "true", R"({"tenant_id": 1, "customer_id": 1, "user_id": 1} trailing)"}) {
    EXPECT_TRUE(IsError(CallText("sessions.start", context, kValidRequest), 10002)) << context;
  }
}

TEST_F(ContextTest, EachIdMustBeAPositiveInteger) {
  for (std::string_view key : {"tenant_id", "customer_id", "user_id"}) {
    const json::value bad_values[] = {nullptr, 0, -1, "1", 1.5, true, json::array{1}, json::object{}};
    for (const auto& bad : bad_values) {
      json::object context = User().ToJson();
      context[key] = bad;
      EXPECT_TRUE(IsError(CallText("sessions.start", json::serialize(context), kValidRequest), 10002))
          << key << " = " << json::serialize(bad);
    }
    json::object context = User().ToJson();
    context.erase(key);
    EXPECT_TRUE(IsError(CallText("sessions.start", json::serialize(context), kValidRequest), 10002))
        << key << " missing";
  }
}

TEST_F(ContextTest, IdBeyondInt64IsUnauthenticated) {
  EXPECT_TRUE(
      IsError(CallText("sessions.list",
                       R"({"tenant_id": 18446744073709551615, "customer_id": 1, "user_id": 1})", "{}"),
              10002));
}

TEST_F(ContextTest, RolesMustBeANonEmptyListOfKnownRoles) {
  const json::value bad_roles[] = {json::array{},
                                   json::array{"root"},
                                   json::array{"customer_user", "god"},
                                   json::array{1},
                                   json::array{nullptr},
                                   "customer_user",
                                   json::object{{"a", 1}},
                                   5};
  for (const auto& roles : bad_roles) {
    json::object context = User().ToJson();
    context["roles"] = roles;
    EXPECT_TRUE(IsError(CallText("sessions.list", json::serialize(context), "{}"), 10002))
        << json::serialize(roles);
  }
}

TEST_F(ContextTest, AbsentRolesMeanCustomerUser) {
  json::object context = User().ToJson();
  context.erase("roles");
  EXPECT_TRUE(IsSuccess(CallText("sessions.list", json::serialize(context), "{}")));
  EXPECT_TRUE(IsError(CallText("sessions.sweep", json::serialize(context), "{}"), 10003));
}

TEST_F(ContextTest, TraceIdMustBeAPrintableString) {
  const json::value bad_traces[] = {42, true,        json::array{"a"}, json::object{},
                                    "", "has space", "quote\"",        json::string(129, 'a')};
  for (const auto& trace : bad_traces) {
    json::object context = User().ToJson();
    context["trace_id"] = trace;
    EXPECT_TRUE(IsError(CallText("sessions.list", json::serialize(context), "{}"), 10002))
        << json::serialize(trace);
  }
  json::object context = User().ToJson();
  context["trace_id"] = json::string(128, 'a');
  EXPECT_TRUE(IsSuccess(CallText("sessions.list", json::serialize(context), "{}")));
}

TEST_F(ContextTest, RefusedContextStoresNothing) {
  const std::string before = Snapshot();
  CallText("sessions.start", R"({"tenant_id": 1, "customer_id": 10})", kValidRequest);
  CallText("sessions.start", R"({"tenant_id": 1, "customer_id": 10, "user_id": 100, "roles": []})",
           kValidRequest);
  EXPECT_EQ(Snapshot(), before);
}

TEST_F(ContextTest, MissingRequestIsInvalid) {
  const json::object answer = CallText("sessions.start", json::serialize(User().ToJson()), std::nullopt);
  ASSERT_TRUE(IsError(answer, 10001));
  EXPECT_TRUE(HasFieldError(answer, "request_json", "FIELD_REQUIRED"));
}

TEST_F(ContextTest, RequestThatIsNotAJsonObjectIsInvalid) {
  for (std::string_view request : {"", "{oops", "[]", R"([{"initial_question": "x"}])", "42", "\"text\"",
                                   "null", "{} {}", "{\"a\": \"\xff\"}"}) {
    const json::object answer = CallWithText("sessions.start", User(), request);
    ASSERT_TRUE(IsError(answer, 10001)) << request;
    EXPECT_TRUE(HasFieldError(answer, "request_json", "FIELD_INVALID")) << request;
  }
  EXPECT_EQ(Total("sessions.list", User()), 0);
}

TEST_F(ContextTest, DeeplyNestedRequestIsInvalidNotACrash) {
  const std::string deep = R"({"session_context":)" + std::string(10000, '[') + std::string(10000, ']') + "}";
  EXPECT_TRUE(IsError(CallWithText("sessions.start", User(), deep), 10001));
}

TEST_F(ContextTest, ContextIsCheckedBeforeTheRequest) {
  EXPECT_TRUE(IsError(CallText("sessions.start", "{", "{"), 10002));
  EXPECT_TRUE(IsError(CallText("no.such.method", std::nullopt, std::nullopt), 10002));
}

TEST_F(ContextTest, UnknownMethodIsNotFound) {
  const std::string_view methods[] = {"no.such.method",
                                      "",
                                      "sessions",
                                      "sessions.start.",
                                      "SESSIONS.START",
                                      "sessions.start ",
                                      std::string_view("sessions.start\0x", 16)};
  for (std::string_view method : methods) {
    const json::object answer = Call(method, User(), json::object{});
    ASSERT_TRUE(IsError(answer, 10004)) << method;
    EXPECT_TRUE(answer.at("errors").as_array().empty());
  }
}

TEST_F(ContextTest, ParsedContextWithoutIdsIsUnauthenticated) {
  // The C++ overload takes a RequestContext the host built; a default one names no tenant.
  RequestContext context;
  EXPECT_EQ(portal_->Invoke("sessions.start", context, json::object{}).at("code"), 10002);
  context.tenant_id = 1;
  context.customer_id = 1;
  context.user_id = 1;
  context.roles = 0;
  EXPECT_EQ(portal_->Invoke("sessions.list", context, json::object{}).at("code"), 10002);
  context.roles = static_cast<unsigned>(Role::kCustomerUser);
  EXPECT_EQ(portal_->Invoke("sessions.list", context, json::object{}).at("code"), 200);
  EXPECT_EQ(Total("sessions.list", PlatformAdmin()), 0);
}

}  // namespace
}  // namespace selfservice::test

// audit.list and audit.verify through the portal (docs/API.md): who may call them, what each
// caller sees, the filters and their field errors, and the chain's verification; and the engine's
// AuditLog recording into the same store.

#include <spdlog/sinks/ostream_sink.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "core/logging.hpp"
#include "engine/audit_log.hpp"
#include "harness.hpp"
#include "selfservice/repository.hpp"

namespace selfservice::test {
namespace {

class AuditMethods : public PortalTest {
 protected:
  // Appends straight to the store (the engines' AuditLog is not reachable from here).
  std::int64_t Append(std::int64_t tenant, std::optional<std::int64_t> customer, std::optional<std::int64_t> actor,
                      std::string action, std::int64_t at = kStartMillis) {
    RequestContext context;
    context.tenant_id = tenant;
    context.roles = static_cast<unsigned>(Role::kPlatformAdmin);
    AuditEntry entry;
    entry.customer_id = customer;
    entry.actor_user_id = actor;
    entry.action = std::move(action);
    entry.target = "user:42";
    entry.details = json::object{{"roles", json::array{"customer_admin"}}};
    entry.ip_address = "198.51.100.23";
    entry.trace_id = "trace-audit";
    entry.at = Timestamp{at};
    auto appended = portal_->store().audit().Append(Scope(context), std::move(entry));
    EXPECT_TRUE(appended.ok()) << appended.status().detail();
    return appended.ok() ? appended->id : 0;
  }

  std::vector<std::int64_t> ListedIds(const Caller& caller, json::object request = {}) {
    const json::object answer = Call("audit.list", caller, request);
    EXPECT_TRUE(IsSuccess(answer)) << answer;
    std::vector<std::int64_t> ids;
    if (!IsSuccess(answer)) return ids;
    for (const auto& item : answer.at("data").as_array()) ids.push_back(item.at("id").as_int64());
    return ids;
  }
};

TEST_F(AuditMethods, ACustomerAdminListsTheirCustomersEntriesOnlyNewestFirst) {
  const auto first = Append(1, 10, 100, "auth.login");
  Append(1, 20, 200, "auth.login");
  Append(1, std::nullopt, std::nullopt, "auth.login.failed");
  const auto second = Append(1, 10, 101, "users.roles.set");
  EXPECT_EQ(ListedIds(CustomerAdmin(1, 10, 101)), (std::vector<std::int64_t>{second, first}));
  EXPECT_EQ(Total("audit.list", CustomerAdmin(1, 10, 101)), 2);
}

TEST_F(AuditMethods, APlatformAdminListsTheWholeTenant) {
  Append(1, 10, 100, "auth.login");
  Append(1, 20, 200, "auth.login");
  Append(1, std::nullopt, std::nullopt, "auth.login.failed");
  EXPECT_EQ(Total("audit.list", PlatformAdmin()), 3);
}

TEST_F(AuditMethods, AnItemCarriesEveryFieldWithItsTimeInIso8601AndThePlaintextAddress) {
  const auto id = Append(1, 10, 100, "auth.login", kStartMillis);
  const json::object answer = Call("audit.list", CustomerAdmin(), json::object{});
  ASSERT_TRUE(IsSuccess(answer)) << answer;
  const json::object& item = answer.at("data").as_array().at(0).as_object();
  EXPECT_EQ(item.at("id").as_int64(), id);
  EXPECT_EQ(item.at("tenant_id").as_int64(), 1);
  EXPECT_EQ(item.at("customer_id").as_int64(), 10);
  EXPECT_EQ(item.at("actor_user_id").as_int64(), 100);
  EXPECT_EQ(item.at("action").as_string(), "auth.login");
  EXPECT_EQ(item.at("outcome").as_string(), "success");
  EXPECT_EQ(item.at("target").as_string(), "user:42");
  EXPECT_EQ(item.at("details"), Json(R"({"roles":["customer_admin"]})"));
  EXPECT_EQ(item.at("ip_address").as_string(), "198.51.100.23");
  EXPECT_EQ(item.at("trace_id").as_string(), "trace-audit");
  EXPECT_EQ(item.at("at").as_string(), "2025-08-15T10:00:00.000Z");
  EXPECT_EQ(item.at("prev_hash").as_string(), std::string(64, '0'));
  EXPECT_EQ(item.at("hash").as_string().size(), 64u);
}

TEST_F(AuditMethods, AnAnonymousEntryShowsNullsForWhoItHasNot) {
  Append(1, std::nullopt, std::nullopt, "auth.login.failed");
  const json::object answer = Call("audit.list", PlatformAdmin(), json::object{});
  ASSERT_TRUE(IsSuccess(answer)) << answer;
  const json::object& item = answer.at("data").as_array().at(0).as_object();
  EXPECT_TRUE(item.at("customer_id").is_null());
  EXPECT_TRUE(item.at("actor_user_id").is_null());
}

TEST_F(AuditMethods, ACustomerUserIsRefused) {
  Append(1, 10, 100, "auth.login");
  EXPECT_TRUE(IsError(Call("audit.list", User(), json::object{}), 10003));
}

TEST_F(AuditMethods, TheActionFilterIsExactOrAPrefixEndingInADot) {
  const auto login = Append(1, 10, 100, "auth.login");
  const auto failed = Append(1, 10, 100, "auth.login.failed");
  Append(1, 10, 100, "users.roles.set");
  EXPECT_EQ(ListedIds(CustomerAdmin(), json::object{{"action", "auth.login"}}), (std::vector<std::int64_t>{login}));
  EXPECT_EQ(ListedIds(CustomerAdmin(), json::object{{"action", "auth."}}), (std::vector<std::int64_t>{failed, login}));
}

TEST_F(AuditMethods, TheActorAndTimeFiltersNarrowTheList) {
  Append(1, 10, 100, "auth.login", kStartMillis - 1000);
  const auto inside = Append(1, 10, 100, "auth.login", kStartMillis);
  Append(1, 10, 102, "auth.login", kStartMillis);
  Append(1, 10, 100, "auth.login", kStartMillis + 3'600'000);
  EXPECT_EQ(ListedIds(CustomerAdmin(), json::object{{"actor_user_id", 100},
                                                    {"from", "2025-08-15T10:00:00Z"},
                                                    {"to", "2025-08-15T11:00:00Z"}}),
            (std::vector<std::int64_t>{inside}));
}

TEST_F(AuditMethods, TheListIsPaginated) {
  for (int i = 0; i < 3; ++i) Append(1, 10, 100, "auth.login");
  const json::object answer = Call("audit.list", CustomerAdmin(), json::object{{"page", 2}, {"size", 2}});
  ASSERT_TRUE(IsSuccess(answer)) << answer;
  EXPECT_EQ(answer.at("data").as_array().size(), 1u);
  const json::object& pagination = answer.at("pagination").as_object();
  EXPECT_EQ(pagination.at("page").as_int64(), 2);
  EXPECT_EQ(pagination.at("size").as_int64(), 2);
  EXPECT_EQ(pagination.at("total").as_int64(), 3);
}

TEST_F(AuditMethods, BadFiltersAnswer10001NamingEachField) {
  const json::object answer = Call("audit.list", CustomerAdmin(),
                                   json::object{{"action", 7},
                                                {"actor_user_id", "me"},
                                                {"from", "yesterday"},
                                                {"to", 1755252000000},
                                                {"page", 0},
                                                {"size", 500}});
  ASSERT_TRUE(IsError(answer, 10001)) << answer;
  EXPECT_TRUE(HasFieldError(answer, "action", "FIELD_INVALID")) << answer;
  EXPECT_TRUE(HasFieldError(answer, "actor_user_id", "FIELD_INVALID")) << answer;
  EXPECT_TRUE(HasFieldError(answer, "from", "FIELD_INVALID")) << answer;
  EXPECT_TRUE(HasFieldError(answer, "to", "FIELD_INVALID")) << answer;
  EXPECT_TRUE(HasFieldError(answer, "page", "OUT_OF_RANGE")) << answer;
  EXPECT_TRUE(HasFieldError(answer, "size", "OUT_OF_RANGE")) << answer;
}

TEST_F(AuditMethods, AnActionFilterOutsideTheAlphabetOrTooLongAnswers10001) {
  EXPECT_TRUE(HasFieldError(Call("audit.list", CustomerAdmin(), json::object{{"action", "Auth.*"}}), "action",
                            "FIELD_INVALID"));
  EXPECT_TRUE(HasFieldError(Call("audit.list", CustomerAdmin(), json::object{{"action", std::string(65, 'a')}}),
                            "action", "FIELD_TOO_LONG"));
  EXPECT_TRUE(HasFieldError(Call("audit.list", CustomerAdmin(), json::object{{"actor_user_id", 0}}), "actor_user_id",
                            "FIELD_INVALID"));
}

TEST_F(AuditMethods, APlatformAdminVerifiesAnIntactChain) {
  for (int i = 0; i < 4; ++i) Append(1, 10, 100, "auth.login");
  Append(2, 10, 100, "auth.login");
  const json::object answer = Call("audit.verify", PlatformAdmin(), json::object{});
  ASSERT_TRUE(IsSuccess(answer)) << answer;
  const json::object& data = answer.at("data").as_object();
  EXPECT_EQ(data.at("entries").as_int64(), 4);
  EXPECT_TRUE(data.at("intact").as_bool());
  EXPECT_TRUE(data.at("first_broken_id").is_null());
}

TEST_F(AuditMethods, OnlyAPlatformAdminMayVerify) {
  EXPECT_TRUE(IsError(Call("audit.verify", CustomerAdmin(), json::object{}), 10003));
  EXPECT_TRUE(IsError(Call("audit.verify", User(), json::object{}), 10003));
}

TEST_F(AuditMethods, AnotherTenantSeesNothing) {
  Append(1, 10, 100, "auth.login");
  Append(1, 10, 101, "users.roles.set");
  EXPECT_TRUE(ListedIds(CustomerAdmin(2, 10, 101)).empty());
  EXPECT_TRUE(ListedIds(PlatformAdmin(2)).empty());
  const json::object answer = Call("audit.verify", PlatformAdmin(2), json::object{});
  ASSERT_TRUE(IsSuccess(answer)) << answer;
  EXPECT_EQ(answer.at("data").at("entries").as_int64(), 0);
  EXPECT_TRUE(answer.at("data").at("intact").as_bool());
}

// --- AuditLog: what the engines record -----------------------------------------------------------

RequestContext Signed(std::int64_t customer, std::int64_t user, std::string client_ip) {
  RequestContext context;
  context.tenant_id = 1;
  context.customer_id = customer;
  context.user_id = user;
  context.roles = static_cast<unsigned>(Role::kCustomerAdmin);
  context.trace_id = "trace-record";
  context.client_ip = std::move(client_ip);
  return context;
}

AuditEvent Event(std::string action, bool success = true) {
  AuditEvent event;
  event.action = std::move(action);
  event.success = success;
  event.target = "user:7";
  event.details = json::object{{"roles", json::array{"customer_user"}}};
  return event;
}

class AuditLogRecording : public AuditMethods {
 protected:
  json::object OnlyItem() {
    const json::object answer = Call("audit.list", PlatformAdmin(), json::object{});
    EXPECT_TRUE(IsSuccess(answer)) << answer;
    const auto& items = answer.at("data").as_array();
    EXPECT_EQ(items.size(), 1u) << answer;
    return items.empty() ? json::object{} : items.front().as_object();
  }
};

TEST_F(AuditLogRecording, RecordTakesWhoWhereAndWhenFromTheContextAndTheClock) {
  clock_->Set(kStartMillis + 5'000);
  AuditLog log(portal_->store(), *clock_);
  log.Record(Signed(10, 101, "203.0.113.5"), Event("users.roles.set", false));
  const json::object item = OnlyItem();
  EXPECT_EQ(item.at("tenant_id").as_int64(), 1);
  EXPECT_EQ(item.at("customer_id").as_int64(), 10);
  EXPECT_EQ(item.at("actor_user_id").as_int64(), 101);
  EXPECT_EQ(item.at("action").as_string(), "users.roles.set");
  EXPECT_EQ(item.at("outcome").as_string(), "failure");
  EXPECT_EQ(item.at("target").as_string(), "user:7");
  EXPECT_EQ(item.at("details"), Json(R"({"roles":["customer_user"]})"));
  EXPECT_EQ(item.at("ip_address").as_string(), "203.0.113.5");
  EXPECT_EQ(item.at("trace_id").as_string(), "trace-record");
  EXPECT_EQ(item.at("at").as_string(), "2025-08-15T10:00:05.000Z");
}

TEST_F(AuditLogRecording, RecordAnonymousIgnoresTheCallersUserAndCustomer) {
  AuditLog log(portal_->store(), *clock_);
  log.RecordAnonymous(Signed(10, 101, "203.0.113.5"), 20, Event("auth.login.failed", false));
  const json::object item = OnlyItem();
  EXPECT_EQ(item.at("customer_id").as_int64(), 20);
  EXPECT_TRUE(item.at("actor_user_id").is_null());
  EXPECT_EQ(item.at("ip_address").as_string(), "203.0.113.5");
}

TEST_F(AuditLogRecording, RecordAnonymousWithoutACustomerRecordsNone) {
  AuditLog log(portal_->store(), *clock_);
  log.RecordAnonymous(Signed(10, 101, ""), std::nullopt, Event("auth.login.failed", false));
  const json::object item = OnlyItem();
  EXPECT_TRUE(item.at("customer_id").is_null());
  EXPECT_TRUE(item.at("ip_address").is_null());
}

TEST_F(AuditLogRecording, AClientAddressThatIsNoAddressIsLeftOutNotTheEntry) {
  AuditLog log(portal_->store(), *clock_);
  log.Record(Signed(10, 101, "unknown"), Event("auth.login"));
  EXPECT_TRUE(OnlyItem().at("ip_address").is_null());
}

TEST_F(AuditLogRecording, AnEntryTheStoreRefusesIsLoggedByItsActionWithoutItsDetails) {
  std::ostringstream captured;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(captured);
  Log().sinks().push_back(sink);
  AuditLog log(portal_->store(), *clock_);
  AuditEvent event = Event("users.roles.set!");
  event.details = json::object{{"note", "marker-7f3a"}};
  log.Record(Signed(10, 101, "203.0.113.5"), std::move(event));
  Log().sinks().pop_back();
  EXPECT_NE(captured.str().find("users.roles.set!"), std::string::npos) << captured.str();
  EXPECT_EQ(captured.str().find("marker-7f3a"), std::string::npos) << captured.str();
  EXPECT_EQ(Total("audit.list", PlatformAdmin()), 0);
}

}  // namespace
}  // namespace selfservice::test

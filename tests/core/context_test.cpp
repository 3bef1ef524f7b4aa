// Scope: the tenant and row-level visibility a request context grants (REQ-019 7.2), and the
// clocks.

#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "selfservice/clock.hpp"
#include "selfservice/context.hpp"

namespace selfservice {
namespace {

RequestContext Caller(unsigned roles) {
  RequestContext context;
  context.tenant_id = 1;
  context.customer_id = 10;
  context.user_id = 100;
  context.roles = roles;
  return context;
}

constexpr unsigned kUser = static_cast<unsigned>(Role::kCustomerUser);
constexpr unsigned kCustomerAdmin = static_cast<unsigned>(Role::kCustomerAdmin);
constexpr unsigned kPlatformAdmin = static_cast<unsigned>(Role::kPlatformAdmin);

TEST(RequestContext, DefaultsToACustomerUserInChinese) {
  const RequestContext context;
  EXPECT_TRUE(context.has(Role::kCustomerUser));
  EXPECT_FALSE(context.has(Role::kCustomerAdmin));
  EXPECT_FALSE(context.has(Role::kPlatformAdmin));
  EXPECT_EQ(context.locale, Locale::kZhCN);
}

TEST(RequestContext, HasEachRoleOfItsSet) {
  const RequestContext context = Caller(kUser | kPlatformAdmin);
  EXPECT_TRUE(context.has(Role::kCustomerUser));
  EXPECT_FALSE(context.has(Role::kCustomerAdmin));
  EXPECT_TRUE(context.has(Role::kPlatformAdmin));
}

TEST(Scope, CopiesTheCallersIds) {
  const Scope scope(Caller(kUser));
  EXPECT_EQ(scope.tenant_id(), 1);
  EXPECT_EQ(scope.customer_id(), 10);
  EXPECT_EQ(scope.user_id(), 100);
}

TEST(Scope, CustomerUserSeesOwnRows) {
  EXPECT_EQ(Scope(Caller(kUser)).visibility(), Visibility::kOwn);
}

TEST(Scope, CustomerAdminSeesTheCustomer) {
  EXPECT_EQ(Scope(Caller(kCustomerAdmin)).visibility(), Visibility::kCustomer);
}

TEST(Scope, PlatformAdminSeesTheTenant) {
  EXPECT_EQ(Scope(Caller(kPlatformAdmin)).visibility(), Visibility::kTenant);
}

TEST(Scope, StrongestRoleWins) {
  EXPECT_EQ(Scope(Caller(kUser | kCustomerAdmin)).visibility(), Visibility::kCustomer);
  EXPECT_EQ(Scope(Caller(kUser | kPlatformAdmin)).visibility(), Visibility::kTenant);
  EXPECT_EQ(Scope(Caller(kCustomerAdmin | kPlatformAdmin)).visibility(), Visibility::kTenant);
  EXPECT_EQ(Scope(Caller(kUser | kCustomerAdmin | kPlatformAdmin)).visibility(), Visibility::kTenant);
}

TEST(Scope, NoRoleSeesOnlyOwnRows) {
  EXPECT_EQ(Scope(Caller(0)).visibility(), Visibility::kOwn);
}

TEST(Scope, UnknownRoleBitsGrantNothingMore) {
  EXPECT_EQ(Scope(Caller(kUser | 0x80u)).visibility(), Visibility::kOwn);
}

TEST(Scope, CustomerUserSeesOnlyWhatTheyCreated) {
  const Scope scope(Caller(kUser));
  EXPECT_TRUE(scope.Sees(10, 100));
  EXPECT_FALSE(scope.Sees(10, 101));
  EXPECT_FALSE(scope.Sees(11, 100));
  EXPECT_FALSE(scope.Sees(11, 101));
}

TEST(Scope, CustomerAdminSeesEveryUserOfTheCustomer) {
  const Scope scope(Caller(kCustomerAdmin));
  EXPECT_TRUE(scope.Sees(10, 100));
  EXPECT_TRUE(scope.Sees(10, 101));
  EXPECT_FALSE(scope.Sees(11, 100));
}

TEST(Scope, PlatformAdminSeesEveryCustomerOfTheTenant) {
  const Scope scope(Caller(kPlatformAdmin));
  EXPECT_TRUE(scope.Sees(10, 100));
  EXPECT_TRUE(scope.Sees(11, 101));
  EXPECT_TRUE(scope.Sees(999, 999));
}

TEST(ManualClock, StartsWhereToldAndMovesOnlyWhenTold) {
  ManualClock clock(1'000);
  EXPECT_EQ(clock.NowMillis(), 1'000);
  EXPECT_EQ(clock.NowMillis(), 1'000);
  clock.Advance(500);
  EXPECT_EQ(clock.NowMillis(), 1'500);
  clock.Set(-20);
  EXPECT_EQ(clock.NowMillis(), -20);
}

TEST(SystemClock, IsSharedAndReadsTheSystemTime) {
  const auto clock = Clock::System();
  EXPECT_EQ(clock, Clock::System());
  const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  EXPECT_NEAR(static_cast<double>(clock->NowMillis()), static_cast<double>(now), 5'000.0);
}

}  // namespace
}  // namespace selfservice

namespace selfservice {
namespace {

TEST(IsTraceId, AcceptsPrintableAsciiUpTo128Characters) {
  EXPECT_TRUE(IsTraceId("0123456789abcdef0123456789abcdef"));
  EXPECT_TRUE(IsTraceId("req-42/edge:a.b_c"));
  EXPECT_TRUE(IsTraceId(std::string(128, 'x')));
}

TEST(IsTraceId, RefusesWhatCouldBreakALogLineOrAHeader) {
  EXPECT_FALSE(IsTraceId(""));
  EXPECT_FALSE(IsTraceId(std::string(129, 'x')));
  EXPECT_FALSE(IsTraceId("two words"));
  EXPECT_FALSE(IsTraceId("a\"b"));
  EXPECT_FALSE(IsTraceId("a\\b"));
  EXPECT_FALSE(IsTraceId("line\nbreak"));
  EXPECT_FALSE(IsTraceId("\x7f"));
  EXPECT_FALSE(IsTraceId("追踪"));
}

}  // namespace
}  // namespace selfservice

// The "rate_limits" option: token buckets per tenant, user and method class in front of every
// method (docs/SECURITY.md, "Rate limiting"); 10005 with retry_after when a bucket is empty.

#include <set>
#include <string>

#include "harness.hpp"

namespace selfservice::test {
namespace {

// A portal whose buckets never refill within a test (one token per 1,000 s).
std::unique_ptr<Portal> OpenLimited(std::string_view limits) {
  auto options = PortalOptions::FromJson(R"({"log_level": "off", "rate_limits": )" + std::string(limits) + "}");
  EXPECT_TRUE(options.ok()) << options.status().detail();
  if (!options.ok()) return nullptr;
  auto portal = Portal::Open(std::move(options).value());
  EXPECT_TRUE(portal.ok()) << portal.status().detail();
  return portal.ok() ? std::move(portal).value() : nullptr;
}

json::object Call(Portal& portal, std::string_view method, const Caller& caller, std::string_view request = "{}") {
  return json::parse(portal.Invoke(method, json::serialize(caller.ToJson()), request)).as_object();
}

TEST(RateLimits, OverItsBurstACallAnswers10005WithRetryAfter) {
  auto portal = OpenLimited(R"({"default": {"rate_per_second": 0.001, "burst": 2}})");
  ASSERT_NE(portal, nullptr);
  EXPECT_TRUE(IsSuccess(Call(*portal, "portal.config.get", User())));
  EXPECT_TRUE(IsSuccess(Call(*portal, "portal.config.get", User())));
  const json::object refused = Call(*portal, "portal.config.get", User().WithLocale("en-US"));
  EXPECT_TRUE(IsError(refused, 10005)) << refused;
  EXPECT_EQ(refused.at("message"), "Too many requests");
  ASSERT_TRUE(refused.contains("retry_after")) << refused;
  EXPECT_GE(refused.at("retry_after").as_int64(), 999);  // a token per 1,000 s
  EXPECT_LE(refused.at("retry_after").as_int64(), 1000);
  EXPECT_EQ(HttpStatus(ErrorCode::kRateLimited), 429);
}

TEST(RateLimits, EachTenantAndUserHasItsOwnBucket) {
  auto portal = OpenLimited(R"({"default": {"rate_per_second": 0.001, "burst": 1}})");
  ASSERT_NE(portal, nullptr);
  EXPECT_TRUE(IsSuccess(Call(*portal, "portal.config.get", User(1, 10, 100))));
  EXPECT_TRUE(IsError(Call(*portal, "portal.config.get", User(1, 10, 100)), 10005));
  EXPECT_TRUE(IsSuccess(Call(*portal, "portal.config.get", User(1, 10, 101))));  // a colleague
  EXPECT_TRUE(IsSuccess(Call(*portal, "portal.config.get", User(2, 10, 100))));  // the same ids in another tenant
}

TEST(RateLimits, MethodClassesHaveTheirOwnBuckets) {
  auto portal = OpenLimited(
      R"({"default": {"rate_per_second": 0.001, "burst": 1}, "classes": {"read": {"burst": 3}}})");
  ASSERT_NE(portal, nullptr);
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(IsSuccess(Call(*portal, "portal.config.get", User()))) << i;
  EXPECT_TRUE(IsError(Call(*portal, "portal.config.get", User()), 10005));
  // Writes keep their own (default) bucket of 1, and searches theirs.
  const std::string question = R"({"session_type": "search", "initial_question": "VPN 连不上"})";
  EXPECT_TRUE(IsSuccess(Call(*portal, "sessions.start", User(), question)));
  EXPECT_TRUE(IsError(Call(*portal, "sessions.start", User(), question), 10005));
  EXPECT_TRUE(IsSuccess(Call(*portal, "search.query", User(), R"({"q": "VPN"})")));
}

TEST(RateLimits, TheBinaryUploadDrawsFromTheWriteBucket) {
  auto portal = OpenLimited(R"({"default": {"rate_per_second": 0.001, "burst": 1}})");
  ASSERT_NE(portal, nullptr);
  const std::string context = json::serialize(User().ToJson());
  // The first call spends the token (and finds no such upload); the second is refused before.
  EXPECT_TRUE(IsError(json::parse(portal->UploadChunk(context, "upl_missing", 0, "x")).as_object(), 10004));
  EXPECT_TRUE(IsError(json::parse(portal->UploadChunk(context, "upl_missing", 0, "x")).as_object(), 10005));
}

TEST(RateLimits, WithoutTheOptionNothingIsLimited) {
  auto options = PortalOptions::FromJson(R"({"log_level": "off"})");
  ASSERT_TRUE(options.ok());
  auto portal = Portal::Open(std::move(options).value());
  ASSERT_TRUE(portal.ok());
  for (int i = 0; i < 200; ++i) ASSERT_TRUE(IsSuccess(Call(**portal, "portal.config.get", User()))) << i;
}

TEST(RateLimits, BadOptionsAreNamedByTheirPath) {
  const auto field_of = [](std::string_view text) {
    auto options = PortalOptions::FromJson(text);
    EXPECT_FALSE(options.ok()) << text;
    return options.ok() || options.status().field_errors().empty() ? std::string()
                                                                   : options.status().field_errors()[0].field;
  };
  EXPECT_EQ(field_of(R"({"rate_limits": {"classes": {"reed": {"burst": 5}}}})"), "rate_limits.classes.reed");
  EXPECT_EQ(field_of(R"({"rate_limits": {"default": {"burst": 0}}})"), "rate_limits.default.burst");
  EXPECT_EQ(field_of(R"({"rate_limits": {"default": {"rate_per_second": -1}}})"),
            "rate_limits.default.rate_per_second");
  EXPECT_EQ(field_of(R"({"rate_limits": 5})"), "rate_limits");
}

TEST(RateLimits, EveryMethodHasOneOfTheFiveClasses) {
  const std::set<std::string_view> classes = {"auth", "ai", "search", "read", "write"};
  for (const MethodInfo& method : Portal::Methods()) {
    EXPECT_TRUE(classes.contains(method.rate_class)) << method.name << ": '" << method.rate_class << "'";
    if (std::string_view(method.name).starts_with("ai.")) {
      EXPECT_EQ(method.rate_class, "ai");
    }
  }
}

}  // namespace
}  // namespace selfservice::test

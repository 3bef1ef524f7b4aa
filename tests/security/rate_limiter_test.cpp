// RateLimiter: token buckets per (tenant, user, method class) on a hand-driven clock.

#include "security/rate_limiter.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include <boost/json.hpp>

namespace selfservice::security {
namespace {

using std::chrono::milliseconds;
using TimePoint = RateLimiter::TimePoint;

const TimePoint kStart = TimePoint(std::chrono::hours(1000));
const RateLimitKey kAlice{"tenant-1", "alice", "search"};

RateLimitOptions Config(double rate, double burst) {
  RateLimitOptions config;
  config.default_limit = {rate, burst};
  return config;
}

int AllowedOf(RateLimiter& limiter, const RateLimitKey& key, int attempts, TimePoint now) {
  int allowed = 0;
  for (int i = 0; i < attempts; ++i) allowed += limiter.Check(key, now).allowed ? 1 : 0;
  return allowed;
}

TEST(RateLimiter, AllowsABurstThenRefuses) {
  RateLimiter limiter(Config(1, 5));
  EXPECT_EQ(AllowedOf(limiter, kAlice, 5, kStart), 5);
  const RateDecision refused = limiter.Check(kAlice, kStart);
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.retry_after_seconds, 1);
}

TEST(RateLimiter, AllowedChecksHaveNoRetryAfter) {
  RateLimiter limiter(Config(1, 5));
  const RateDecision allowed = limiter.Check(kAlice, kStart);
  EXPECT_TRUE(allowed.allowed);
  EXPECT_EQ(allowed.retry_after_seconds, 0);
}

TEST(RateLimiter, RefillsOverTime) {
  RateLimiter limiter(Config(2, 4));
  EXPECT_EQ(AllowedOf(limiter, kAlice, 4, kStart), 4);
  EXPECT_FALSE(limiter.Check(kAlice, kStart + milliseconds(499)).allowed);
  EXPECT_TRUE(limiter.Check(kAlice, kStart + milliseconds(500)).allowed);
  EXPECT_FALSE(limiter.Check(kAlice, kStart + milliseconds(500)).allowed);
  // Two seconds at 2/s refill the 4 tokens of the burst, never more.
  EXPECT_EQ(AllowedOf(limiter, kAlice, 10, kStart + milliseconds(60'000)), 4);
}

TEST(RateLimiter, RetryAfterRoundsTheWaitUp) {
  RateLimiter slow(Config(0.25, 1));  // a token every 4 s
  ASSERT_TRUE(slow.Check(kAlice, kStart).allowed);
  EXPECT_EQ(slow.Check(kAlice, kStart).retry_after_seconds, 4);
  EXPECT_EQ(slow.Check(kAlice, kStart + milliseconds(1)).retry_after_seconds, 4);
  EXPECT_EQ(slow.Check(kAlice, kStart + milliseconds(1000)).retry_after_seconds, 3);
  EXPECT_EQ(slow.Check(kAlice, kStart + milliseconds(3999)).retry_after_seconds, 1);
  EXPECT_TRUE(slow.Check(kAlice, kStart + milliseconds(4000)).allowed);

  RateLimiter fast(Config(100, 1));  // 10 ms to the next token: still at least one second
  ASSERT_TRUE(fast.Check(kAlice, kStart).allowed);
  EXPECT_EQ(fast.Check(kAlice, kStart).retry_after_seconds, 1);
}

TEST(RateLimiter, KeysAreIndependent) {
  RateLimiter limiter(Config(1, 2));
  EXPECT_EQ(AllowedOf(limiter, kAlice, 5, kStart), 2);
  EXPECT_EQ(AllowedOf(limiter, {"tenant-1", "bob", "search"}, 5, kStart), 2);
  EXPECT_EQ(AllowedOf(limiter, {"tenant-2", "alice", "search"}, 5, kStart), 2);
  EXPECT_EQ(AllowedOf(limiter, {"tenant-1", "alice", "write"}, 5, kStart), 2);
}

TEST(RateLimiter, KeyPartsDoNotRunTogether) {
  RateLimiter limiter(Config(1, 1));
  EXPECT_TRUE(limiter.Check({"ab", "c", "x"}, kStart).allowed);
  EXPECT_TRUE(limiter.Check({"a", "bc", "x"}, kStart).allowed);
  EXPECT_TRUE(limiter.Check({"a", "b", "cx"}, kStart).allowed);
}

TEST(RateLimiter, EmptyKeyPartsAreKeysToo) {
  RateLimiter limiter(Config(1, 1));
  EXPECT_TRUE(limiter.Check({"", "", ""}, kStart).allowed);
  EXPECT_FALSE(limiter.Check({"", "", ""}, kStart).allowed);
  EXPECT_TRUE(limiter.Check({"", "", "auth"}, kStart).allowed);
}

TEST(RateLimiter, ClassesHaveTheirOwnLimits) {
  RateLimitOptions config = Config(10, 20);
  config.classes = {{"auth", {0.1, 3}}, {"write", {1, 5}}};
  RateLimiter limiter(config);
  EXPECT_EQ(AllowedOf(limiter, {"t", "u", "auth"}, 50, kStart), 3);
  EXPECT_EQ(AllowedOf(limiter, {"t", "u", "write"}, 50, kStart), 5);
  EXPECT_EQ(AllowedOf(limiter, {"t", "u", "search"}, 50, kStart), 20);
  EXPECT_EQ(limiter.Check({"t", "u", "auth"}, kStart).retry_after_seconds, 10);
}

TEST(RateLimiter, TimeGoingBackwardsRefillsNothing) {
  RateLimiter limiter(Config(1, 2));
  EXPECT_EQ(AllowedOf(limiter, kAlice, 2, kStart + milliseconds(5000)), 2);
  EXPECT_FALSE(limiter.Check(kAlice, kStart).allowed);
  EXPECT_FALSE(limiter.Check(kAlice, kStart + milliseconds(5500)).allowed);
  EXPECT_TRUE(limiter.Check(kAlice, kStart + milliseconds(6000)).allowed);
}

TEST(RateLimiter, MemoryStaysBoundedWithManyKeys) {
  RateLimitOptions config = Config(1, 5);
  config.max_entries = 1600;
  RateLimiter limiter(config);
  for (int i = 0; i < 50'000; ++i) {
    const std::string user = "user-" + std::to_string(i);
    (void)limiter.Check({"t", user, "search"}, kStart + milliseconds(i));
  }
  EXPECT_LE(limiter.size(), 1600u);
}

TEST(RateLimiter, EvictionKeepsDrainedBucketsAndDropsRefilledOnes) {
  RateLimitOptions config = Config(1, 3);
  config.max_entries = 16 * 8;  // 8 per shard
  RateLimiter limiter(config);
  // A drained bucket, then enough idle keys to fill every shard many times over; the idle ones
  // are full again by the time their shard needs room, so the drained bucket survives.
  EXPECT_EQ(AllowedOf(limiter, kAlice, 5, kStart), 3);
  const TimePoint later = kStart + milliseconds(100);
  for (int i = 0; i < 1000; ++i) {
    const std::string user = "idle-" + std::to_string(i);
    (void)limiter.Check({"t", user, "search"}, later);
    // Each idle key spent one token; after 1 s it is full again.
  }
  const TimePoint much_later = later + milliseconds(1500);
  for (int i = 1000; i < 2000; ++i) {
    const std::string user = "idle-" + std::to_string(i);
    (void)limiter.Check({"t", user, "search"}, much_later);
  }
  EXPECT_LE(limiter.size(), 16u * 8u);
  // 1.6 s after draining, alice has 1.6 tokens, not a fresh burst of 3.
  EXPECT_EQ(AllowedOf(limiter, kAlice, 5, much_later), 1);
}

TEST(RateLimiter, ConcurrentChecksNeverExceedBurstPlusRefill) {
  constexpr double kRate = 100;
  constexpr double kBurst = 50;
  constexpr int kThreads = 4;
  constexpr int kChecksPerThread = 20'000;
  constexpr int kStepMicros = 10;  // each thread's clock moves 10 µs per check: 0.2 s in all
  RateLimiter limiter(Config(kRate, kBurst));
  std::atomic<int> allowed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kChecksPerThread; ++i) {
        const TimePoint now = kStart + std::chrono::microseconds(i * kStepMicros + t);
        if (limiter.Check(kAlice, now).allowed) allowed.fetch_add(1);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  const double elapsed_seconds = (kChecksPerThread * kStepMicros + kThreads) * 1e-6;
  EXPECT_LE(allowed.load(), static_cast<int>(kBurst + kRate * elapsed_seconds));
  EXPECT_GE(allowed.load(), static_cast<int>(kBurst));
}

TEST(RateLimiter, ChecksWithoutATimeUseTheSteadyClock) {
  RateLimiter limiter(Config(0.001, 1));
  EXPECT_TRUE(limiter.Check(kAlice).allowed);
  EXPECT_FALSE(limiter.Check(kAlice).allowed);
}

TEST(ParseRateLimits, ReadsDefaultClassesAndMaxEntries) {
  const auto config = ParseRateLimits(boost::json::parse(R"({
      "classes": {"auth": {"rate_per_second": 0.5, "burst": 5}, "search": {"burst": 30}},
      "default": {"rate_per_second": 7, "burst": 14},
      "max_entries": 5000})"));
  ASSERT_TRUE(config.ok());
  EXPECT_EQ(config->default_limit.rate_per_second, 7);
  EXPECT_EQ(config->default_limit.burst, 14);
  ASSERT_EQ(config->classes.size(), 2u);
  EXPECT_EQ(config->classes[0].first, "auth");
  EXPECT_EQ(config->classes[0].second.rate_per_second, 0.5);
  EXPECT_EQ(config->classes[0].second.burst, 5);
  EXPECT_EQ(config->classes[1].first, "search");
  EXPECT_EQ(config->classes[1].second.burst, 30);
  EXPECT_EQ(config->classes[1].second.rate_per_second, 7);  // inherited from "default"
  EXPECT_EQ(config->max_entries, 5000u);
}

TEST(ParseRateLimits, AnEmptyObjectGivesTheDefaults) {
  const auto config = ParseRateLimits(boost::json::parse("{}"));
  ASSERT_TRUE(config.ok());
  EXPECT_EQ(config->default_limit.rate_per_second, 10);
  EXPECT_EQ(config->default_limit.burst, 20);
  EXPECT_TRUE(config->classes.empty());
  EXPECT_EQ(config->max_entries, 100'000u);
}

TEST(ParseRateLimits, RefusesZeroNegativeAndAbsurdValues) {
  const auto config = ParseRateLimits(boost::json::parse(R"({
      "default": {"rate_per_second": 0, "burst": -1},
      "classes": {"auth": {"rate_per_second": 1e9, "burst": 0.5}},
      "max_entries": 0})"));
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().code(), ErrorCode::kInvalidArgument);
  const std::vector<std::pair<std::string, std::string>> rate_range{{"min", "0.001"}, {"max", "1000000"}};
  const std::vector<std::pair<std::string, std::string>> burst_range{{"min", "1"}, {"max", "1000000"}};
  EXPECT_EQ(config.status().field_errors(),
            (std::vector<FieldError>{
                {"default.rate_per_second", field_code::kOutOfRange, rate_range},
                {"default.burst", field_code::kOutOfRange, burst_range},
                {"classes.auth.rate_per_second", field_code::kOutOfRange, rate_range},
                {"classes.auth.burst", field_code::kOutOfRange, burst_range},
                {"max_entries", field_code::kOutOfRange, {{"min", "16"}, {"max", "100000000"}}}}));
}

TEST(ParseRateLimits, RefusesValuesOfTheWrongType) {
  const auto config = ParseRateLimits(boost::json::parse(R"({
      "default": [], "classes": {"auth": {"rate_per_second": "10"}, "": {}}, "max_entries": 1.5})"));
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().field_errors(),
            (std::vector<FieldError>{{"default", field_code::kInvalid, {}},
                                     {"classes.auth.rate_per_second", field_code::kInvalid, {}},
                                     {"classes.", field_code::kInvalid, {}},
                                     {"max_entries", field_code::kInvalid, {}}}));
  EXPECT_FALSE(ParseRateLimits(boost::json::parse(R"({"classes": []})")).ok());
  EXPECT_FALSE(ParseRateLimits(boost::json::parse("[]")).ok());
}

TEST(ParseRateLimits, IgnoresUnknownKeys) {
  const auto config =
      ParseRateLimits(boost::json::parse(R"({"defualt": {}, "default": {"brust": 1}})"));
  ASSERT_TRUE(config.ok());
  EXPECT_EQ(config->default_limit.burst, 20);
}

}  // namespace
}  // namespace selfservice::security

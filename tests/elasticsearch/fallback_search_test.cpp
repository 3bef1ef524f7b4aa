// FallbackSearch: Elasticsearch behind the circuit breaker, the local engine in its place when it
// fails, is slow, or is cut off; first with scripted engines on a ManualClock, then with the real
// adapter against the stand-in node.

#include "search/fallback_search.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <utility>

#include "elasticsearch/es_responses.hpp"
#include "selfservice/circuit_breaker.hpp"
#include "selfservice/clock.hpp"
#include "selfservice/elasticsearch.hpp"
#include "support/callers.hpp"
#include "support/fake_http_server.hpp"

namespace selfservice {
namespace {

using State = CircuitBreaker::State;
using search::FallbackSearch;
using test::Describe;
using test::Reply;

constexpr std::int64_t kStart = 1'700'000'000'000;
constexpr std::int64_t kTimeoutMs = 2000;  // the primary's timeout, and the breaker's slow-call duration

const Scope& TenantScope() {
  static const Scope scope(test::User(7, 70, 700));
  return scope;
}

SearchQuery Query() {
  SearchQuery query;
  query.text = "nginx 起不来";
  return query;
}

// An engine that answers one hit (its id) or a scripted status, taking `takes_ms` on `clock`.
class ScriptedEngine final : public SearchBackend {
 public:
  ScriptedEngine(std::string name, std::int64_t hit_id, ManualClock& clock)
      : name_(std::move(name)), hit_id_(hit_id), clock_(clock) {}

  std::string_view name() const override { return name_; }

  Result<SearchResult> Search(const Scope&, const SearchQuery&) override {
    ++calls;
    clock_.Advance(takes_ms);
    if (!answer.ok()) return answer;
    SearchResult result;
    result.backend = name_;
    SearchHit hit;
    hit.id = hit_id_;
    result.hits.push_back(hit);
    result.total = 1;
    return result;
  }

  Status answer;
  std::int64_t takes_ms = 5;
  int calls = 0;

 private:
  std::string name_;
  std::int64_t hit_id_;
  ManualClock& clock_;
};

Status Down() {
  return Status::Error(ErrorCode::kSearchUnavailable, "connection refused", true);
}

class FallbackSearchTest : public ::testing::Test {
 protected:
  static std::unique_ptr<CircuitBreaker> MakeBreaker(std::shared_ptr<Clock> clock) {
    CircuitBreakerOptions options;  // the project's defaults: 5 calls, 30 s open, 3 probes
    options.slow_call_duration_threshold_ms = kTimeoutMs;
    return std::move(CircuitBreaker::Create("search.elasticsearch", options, std::move(clock))).value();
  }

  Result<SearchResult> Ask() { return search_.Search(TenantScope(), Query()); }

  // A search answered by the local engine for `reason`.
  void ExpectLocal(const Result<SearchResult>& result, const char* reason) {
    ASSERT_TRUE(result.ok()) << Describe(result);
    EXPECT_TRUE(result->degraded);
    EXPECT_EQ(result->backend, "local");
    EXPECT_EQ(result->fallback_reason, reason);
    ASSERT_EQ(result->hits.size(), 1u);
    EXPECT_EQ(result->hits[0].id, 2);
  }

  std::shared_ptr<ManualClock> clock_ = std::make_shared<ManualClock>(kStart);
  std::unique_ptr<CircuitBreaker> breaker_ = MakeBreaker(clock_);
  ScriptedEngine elasticsearch_{"elasticsearch", 1, *clock_};
  ScriptedEngine local_{"local", 2, *clock_};
  FallbackSearch search_{elasticsearch_, local_, *breaker_};
};

TEST_F(FallbackSearchTest, IsNamedAfterThePrimary) {
  EXPECT_EQ(search_.name(), "elasticsearch");
}

TEST_F(FallbackSearchTest, HealthyPrimaryAnswers) {
  Result<SearchResult> result = Ask();
  ASSERT_TRUE(result.ok()) << Describe(result);
  EXPECT_FALSE(result->degraded);
  EXPECT_EQ(result->backend, "elasticsearch");
  EXPECT_EQ(result->fallback_reason, std::nullopt);
  ASSERT_EQ(result->hits.size(), 1u);
  EXPECT_EQ(result->hits[0].id, 1);
  EXPECT_EQ(local_.calls, 0);
}

TEST_F(FallbackSearchTest, FailingPrimaryIsReplacedByTheLocalEngineForReasonError) {
  elasticsearch_.answer = Down();
  ExpectLocal(Ask(), fallback_reason::kError);
  EXPECT_EQ(elasticsearch_.calls, 1);
}

TEST_F(FallbackSearchTest, RefusedCredentialsFallBackToo) {
  elasticsearch_.answer = Status::Error(ErrorCode::kSearchUnavailable, "HTTP 401", false);
  ExpectLocal(Ask(), fallback_reason::kError);
}

TEST_F(FallbackSearchTest, FailureAfterTheTimeoutIsReportedAsSlow) {
  elasticsearch_.answer = Down();
  elasticsearch_.takes_ms = kTimeoutMs;
  ExpectLocal(Ask(), fallback_reason::kSlow);
}

TEST_F(FallbackSearchTest, FiveFailuresOpenTheBreakerAndThePrimaryIsNoLongerCalled) {
  elasticsearch_.answer = Down();
  for (int i = 0; i < 5; ++i) ExpectLocal(Ask(), fallback_reason::kError);
  EXPECT_EQ(breaker_->state(), State::kOpen);

  ExpectLocal(Ask(), fallback_reason::kBreakerOpen);
  ExpectLocal(Ask(), fallback_reason::kBreakerOpen);
  EXPECT_EQ(elasticsearch_.calls, 5);
}

TEST_F(FallbackSearchTest, AfterTheWaitHalfOpenProbesFindTheRecoveredPrimaryAndClose) {
  local_.takes_ms = 0;  // the wait counts from the 5th failure; keep the clock where it left it
  elasticsearch_.answer = Down();
  for (int i = 0; i < 5; ++i) (void)Ask();
  ASSERT_EQ(breaker_->state(), State::kOpen);

  elasticsearch_.answer = Status::Ok();
  clock_->Advance(breaker_->options().wait_duration_in_open_state_ms - 1);
  ExpectLocal(Ask(), fallback_reason::kBreakerOpen);
  clock_->Advance(1);
  for (int probe = 0; probe < 3; ++probe) {
    Result<SearchResult> result = Ask();
    ASSERT_TRUE(result.ok()) << Describe(result);
    EXPECT_FALSE(result->degraded) << "probe " << probe;
    EXPECT_EQ(result->backend, "elasticsearch");
  }
  EXPECT_EQ(breaker_->state(), State::kClosed);
  EXPECT_EQ(elasticsearch_.calls, 8);
}

TEST_F(FallbackSearchTest, FailedProbesOpenTheBreakerAgain) {
  elasticsearch_.answer = Down();
  for (int i = 0; i < 5; ++i) (void)Ask();
  clock_->Advance(breaker_->options().wait_duration_in_open_state_ms);
  for (int probe = 0; probe < 3; ++probe) ExpectLocal(Ask(), fallback_reason::kError);
  EXPECT_EQ(breaker_->state(), State::kOpen);
  ExpectLocal(Ask(), fallback_reason::kBreakerOpen);
}

TEST_F(FallbackSearchTest, CallersMistakeIsReturnedNotHiddenByTheFallback) {
  elasticsearch_.answer = Status::InvalidField("page", field_code::kOutOfRange);
  Result<SearchResult> result = Ask();
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(local_.calls, 0);
}

TEST_F(FallbackSearchTest, WhenTheFallbackFailsTooItsStatusIsTheAnswer) {
  elasticsearch_.answer = Down();
  local_.answer = Status::DatabaseUnavailable("disk I/O error", true);
  Result<SearchResult> result = Ask();
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), ErrorCode::kDatabaseUnavailable);
}

// --- With the real adapter and a stand-in node -------------------------------------------------

class FallbackToLocalTest : public ::testing::Test {
 protected:
  std::unique_ptr<ElasticsearchSearch> Elasticsearch(std::string url) {
    ElasticsearchOptions options;
    options.urls = {std::move(url)};
    options.request_timeout_ms = 300;
    return std::move(ElasticsearchSearch::Create(options)).value();
  }
  std::unique_ptr<CircuitBreaker> Breaker() {
    CircuitBreakerOptions options;
    options.slow_call_duration_threshold_ms = 300;  // the adapter's timeout
    return std::move(CircuitBreaker::Create("search.elasticsearch", options)).value();
  }

  test::FakeHttpServer server_;
  ManualClock unused_clock_{kStart};
  ScriptedEngine local_{"local", 2, unused_clock_};
};

TEST_F(FallbackToLocalTest, HealthyClusterAnswers) {
  server_.AlwaysReply({200, test::es::SearchAnswer()});
  std::unique_ptr<ElasticsearchSearch> elasticsearch = Elasticsearch(server_.url());
  std::unique_ptr<CircuitBreaker> breaker = Breaker();
  FallbackSearch search(*elasticsearch, local_, *breaker);
  Result<SearchResult> result = search.Search(TenantScope(), Query());
  ASSERT_TRUE(result.ok()) << Describe(result);
  EXPECT_EQ(result->backend, "elasticsearch");
  EXPECT_FALSE(result->degraded);
  EXPECT_EQ(result->hits.size(), 2u);
}

TEST_F(FallbackToLocalTest, ServerErrorFallsBackForReasonError) {
  server_.AlwaysReply({503, test::es::AllShardsFailed()});
  std::unique_ptr<ElasticsearchSearch> elasticsearch = Elasticsearch(server_.url());
  std::unique_ptr<CircuitBreaker> breaker = Breaker();
  FallbackSearch search(*elasticsearch, local_, *breaker);
  Result<SearchResult> result = search.Search(TenantScope(), Query());
  ASSERT_TRUE(result.ok()) << Describe(result);
  EXPECT_TRUE(result->degraded);
  EXPECT_EQ(result->backend, "local");
  EXPECT_EQ(result->fallback_reason, "error");
}

TEST_F(FallbackToLocalTest, TimeoutFallsBackForReasonSlow) {
  Reply late{200, test::es::SearchAnswer()};
  late.delay_ms = 1500;
  server_.AlwaysReply(late);
  std::unique_ptr<ElasticsearchSearch> elasticsearch = Elasticsearch(server_.url());
  std::unique_ptr<CircuitBreaker> breaker = Breaker();
  FallbackSearch search(*elasticsearch, local_, *breaker);
  Result<SearchResult> result = search.Search(TenantScope(), Query());
  ASSERT_TRUE(result.ok()) << Describe(result);
  EXPECT_TRUE(result->degraded);
  EXPECT_EQ(result->fallback_reason, "slow");
}

TEST_F(FallbackToLocalTest, DeadClusterOpensTheBreakerWithinFiveCalls) {
  std::unique_ptr<ElasticsearchSearch> elasticsearch = Elasticsearch(test::ClosedPortUrl());
  std::unique_ptr<CircuitBreaker> breaker = Breaker();
  FallbackSearch search(*elasticsearch, local_, *breaker);
  for (int i = 0; i < 5; ++i) {
    Result<SearchResult> result = search.Search(TenantScope(), Query());
    ASSERT_TRUE(result.ok()) << Describe(result);
    EXPECT_EQ(result->fallback_reason, "error") << i;
  }
  EXPECT_EQ(breaker->state(), State::kOpen);
  Result<SearchResult> result = search.Search(TenantScope(), Query());
  ASSERT_TRUE(result.ok()) << Describe(result);
  EXPECT_EQ(result->backend, "local");
  EXPECT_EQ(result->fallback_reason, "breaker_open");
}

}  // namespace
}  // namespace selfservice

// The circuit breaker (resilience4j semantics, this project's defaults) and the Guard decorator.

#include "selfservice/circuit_breaker.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <latch>
#include <limits>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "selfservice/clock.hpp"
#include "selfservice/status.hpp"

namespace selfservice {
namespace {

using State = CircuitBreaker::State;

constexpr std::int64_t kStart = 1'700'000'000'000;
constexpr std::int64_t kFast = 10;  // ms, well below the default slow-call duration

struct Transition {
  State from;
  State to;
  friend bool operator==(const Transition&, const Transition&) = default;
};

class CircuitBreakerTest : public ::testing::Test {
 protected:
  std::unique_ptr<CircuitBreaker> Make(const CircuitBreakerOptions& options = {}) {
    Result<std::unique_ptr<CircuitBreaker>> created = CircuitBreaker::Create("test", options, clock_);
    EXPECT_TRUE(created.ok());
    return std::move(created).value();
  }

  // `n` permitted calls that fail (or succeed) quickly.
  static void Fail(CircuitBreaker& breaker, int n, std::int64_t duration_ms = kFast) {
    for (int i = 0; i < n; ++i) {
      ASSERT_TRUE(breaker.TryAcquirePermission()) << "call " << i;
      breaker.OnFailure(duration_ms);
    }
  }
  static void Succeed(CircuitBreaker& breaker, int n, std::int64_t duration_ms = kFast) {
    for (int i = 0; i < n; ++i) {
      ASSERT_TRUE(breaker.TryAcquirePermission()) << "call " << i;
      breaker.OnSuccess(duration_ms);
    }
  }

  // Opens a default breaker and lets its wait pass, so the next permission goes half-open.
  std::unique_ptr<CircuitBreaker> OpenAndWait(const CircuitBreakerOptions& options = {}) {
    std::unique_ptr<CircuitBreaker> breaker = Make(options);
    Fail(*breaker, options.minimum_number_of_calls);
    EXPECT_EQ(breaker->state(), State::kOpen);
    clock_->Advance(options.wait_duration_in_open_state_ms);
    return breaker;
  }

  static void Record(CircuitBreaker& breaker, std::vector<Transition>& seen) {
    breaker.SetStateListener([&seen](const CircuitBreaker&, State from, State to) {
      seen.push_back({from, to});
    });
  }

  std::shared_ptr<ManualClock> clock_ = std::make_shared<ManualClock>(kStart);
};

// Options

TEST_F(CircuitBreakerTest, DefaultsAreTheProjectsTighterOnes) {
  const CircuitBreakerOptions options;
  EXPECT_EQ(options.sliding_window_size, 20);
  EXPECT_EQ(options.minimum_number_of_calls, 5);
  EXPECT_EQ(options.failure_rate_threshold, 50.0);
  EXPECT_EQ(options.slow_call_rate_threshold, 100.0);
  EXPECT_EQ(options.slow_call_duration_threshold_ms, 5000);
  EXPECT_EQ(options.wait_duration_in_open_state_ms, 30'000);
  EXPECT_EQ(options.permitted_number_of_calls_in_half_open_state, 3);
  EXPECT_TRUE(Validate(options).empty());
}

TEST_F(CircuitBreakerTest, ValidateNamesEveryFieldOutOfRange) {
  CircuitBreakerOptions options;
  options.sliding_window_size = 0;
  options.minimum_number_of_calls = 0;
  options.failure_rate_threshold = 0;
  options.slow_call_rate_threshold = 100.5;
  options.slow_call_duration_threshold_ms = 0;
  options.wait_duration_in_open_state_ms = -1;
  options.permitted_number_of_calls_in_half_open_state = 0;
  std::vector<std::string> fields;
  for (const FieldError& error : Validate(options)) {
    EXPECT_EQ(error.code, field_code::kOutOfRange) << error.field;
    fields.push_back(error.field);
  }
  EXPECT_EQ(fields, (std::vector<std::string>{
                        "sliding_window_size", "minimum_number_of_calls", "failure_rate_threshold",
                        "slow_call_rate_threshold", "slow_call_duration_threshold_ms",
                        "wait_duration_in_open_state_ms", "permitted_number_of_calls_in_half_open_state"}));
}

TEST_F(CircuitBreakerTest, ValidateRejectsAMinimumLargerThanTheWindow) {
  CircuitBreakerOptions options;
  options.sliding_window_size = 4;
  options.minimum_number_of_calls = 5;
  const std::vector<FieldError> errors = Validate(options);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].field, "minimum_number_of_calls");
  EXPECT_EQ(errors[0].args, (std::vector<std::pair<std::string, std::string>>{{"min", "1"}, {"max", "4"}}));
}

TEST_F(CircuitBreakerTest, ValidateRejectsANotANumberThreshold) {
  CircuitBreakerOptions options;
  options.failure_rate_threshold = std::numeric_limits<double>::quiet_NaN();
  ASSERT_EQ(Validate(options).size(), 1u);
}

TEST_F(CircuitBreakerTest, CreateRefusesInvalidOptionsAsInvalidArgument) {
  CircuitBreakerOptions options;
  options.sliding_window_size = 0;
  Result<std::unique_ptr<CircuitBreaker>> created = CircuitBreaker::Create("search", options, clock_);
  ASSERT_FALSE(created.ok());
  EXPECT_EQ(created.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_FALSE(created.status().field_errors().empty());
}

TEST_F(CircuitBreakerTest, CreateWithoutAClockUsesTheSystemClock) {
  Result<std::unique_ptr<CircuitBreaker>> created = CircuitBreaker::Create("search", {});
  ASSERT_TRUE(created.ok());
  EXPECT_EQ(&(*created)->clock(), Clock::System().get());
  EXPECT_EQ((*created)->name(), "search");
  EXPECT_EQ((*created)->state(), State::kClosed);
}

// CLOSED

TEST_F(CircuitBreakerTest, DeadDependencyOpensWithinFiveCallsWithDefaults) {
  std::unique_ptr<CircuitBreaker> breaker = Make();
  Fail(*breaker, 4);
  EXPECT_EQ(breaker->state(), State::kClosed);
  Fail(*breaker, 1);
  EXPECT_EQ(breaker->state(), State::kOpen);
}

TEST_F(CircuitBreakerTest, StaysClosedBelowTheMinimumNumberOfCalls) {
  std::unique_ptr<CircuitBreaker> breaker = Make();
  Fail(*breaker, 4);
  EXPECT_EQ(breaker->state(), State::kClosed);
  const CircuitBreaker::Metrics metrics = breaker->metrics();
  EXPECT_EQ(metrics.buffered_calls, 4);
  EXPECT_EQ(metrics.failed_calls, 4);
  EXPECT_EQ(metrics.failure_rate, -1);
  EXPECT_EQ(metrics.slow_call_rate, -1);
}

TEST_F(CircuitBreakerTest, FailureRateExactlyAtTheThresholdOpens) {
  CircuitBreakerOptions options;
  options.sliding_window_size = 10;
  options.minimum_number_of_calls = 10;
  std::unique_ptr<CircuitBreaker> breaker = Make(options);
  Succeed(*breaker, 5);
  Fail(*breaker, 4);
  EXPECT_EQ(breaker->state(), State::kClosed);
  Fail(*breaker, 1);  // 5 of 10: 50 %
  EXPECT_EQ(breaker->state(), State::kOpen);
  EXPECT_EQ(breaker->metrics().failure_rate, 50.0);
}

TEST_F(CircuitBreakerTest, FailureRateJustBelowTheThresholdStaysClosed) {
  CircuitBreakerOptions options;
  options.sliding_window_size = 10;
  options.minimum_number_of_calls = 10;
  std::unique_ptr<CircuitBreaker> breaker = Make(options);
  Succeed(*breaker, 6);
  Fail(*breaker, 4);  // 40 %
  EXPECT_EQ(breaker->state(), State::kClosed);
  EXPECT_EQ(breaker->metrics().failure_rate, 40.0);
}

TEST_F(CircuitBreakerTest, SlowSuccessesOpenWhenAllCallsAreSlow) {
  std::unique_ptr<CircuitBreaker> breaker = Make();
  Succeed(*breaker, 4, 5000);
  EXPECT_EQ(breaker->state(), State::kClosed);
  Succeed(*breaker, 1, 5000);
  EXPECT_EQ(breaker->state(), State::kOpen);
  const CircuitBreaker::Metrics metrics = breaker->metrics();
  EXPECT_EQ(metrics.slow_call_rate, 100.0);
  EXPECT_EQ(metrics.failure_rate, 0.0);
  EXPECT_EQ(metrics.slow_calls, 5);
  EXPECT_EQ(metrics.slow_failed_calls, 0);
}

TEST_F(CircuitBreakerTest, OneFastCallAmongSlowOnesKeepsItClosedAtTheDefaultSlowRate) {
  std::unique_ptr<CircuitBreaker> breaker = Make();
  Succeed(*breaker, 1);
  Succeed(*breaker, 4, 5000);  // 80 % slow
  EXPECT_EQ(breaker->state(), State::kClosed);
  EXPECT_EQ(breaker->metrics().slow_call_rate, 80.0);
}

TEST_F(CircuitBreakerTest, ACallJustUnderTheSlowDurationIsNotSlow) {
  std::unique_ptr<CircuitBreaker> breaker = Make();
  Succeed(*breaker, 5, 4999);
  EXPECT_EQ(breaker->state(), State::kClosed);
  EXPECT_EQ(breaker->metrics().slow_calls, 0);
}

TEST_F(CircuitBreakerTest, SlowFailuresCountAsBothFailedAndSlow) {
  std::unique_ptr<CircuitBreaker> breaker = Make();
  Fail(*breaker, 2, 6000);
  const CircuitBreaker::Metrics metrics = breaker->metrics();
  EXPECT_EQ(metrics.failed_calls, 2);
  EXPECT_EQ(metrics.slow_calls, 2);
  EXPECT_EQ(metrics.slow_failed_calls, 2);
}

TEST_F(CircuitBreakerTest, NegativeDurationsCountAsZero) {
  CircuitBreakerOptions options;
  options.slow_call_duration_threshold_ms = 1;
  std::unique_ptr<CircuitBreaker> breaker = Make(options);
  Succeed(*breaker, 1, -5000);
  EXPECT_EQ(breaker->metrics().slow_calls, 0);
}

TEST_F(CircuitBreakerTest, TheSlidingWindowForgetsOldOutcomes) {
  CircuitBreakerOptions options;
  options.sliding_window_size = 5;
  std::unique_ptr<CircuitBreaker> breaker = Make(options);
  Fail(*breaker, 2);
  Succeed(*breaker, 3);  // F F S S S: 40 %
  Succeed(*breaker, 2);  // both failures slide out
  EXPECT_EQ(breaker->metrics().buffered_calls, 5);
  EXPECT_EQ(breaker->metrics().failed_calls, 0);
  Fail(*breaker, 2);  // 2 of the last 5, though 4 of all 9
  EXPECT_EQ(breaker->state(), State::kClosed);
  EXPECT_EQ(breaker->metrics().failure_rate, 40.0);
}

TEST_F(CircuitBreakerTest, ReleasingAPermissionInClosedRecordsNothing) {
  std::unique_ptr<CircuitBreaker> breaker = Make();
  ASSERT_TRUE(breaker->TryAcquirePermission());
  breaker->ReleasePermission();
  EXPECT_EQ(breaker->metrics().buffered_calls, 0);
}

// OPEN

TEST_F(CircuitBreakerTest, OpenRefusesCallsAndCountsThemAsNotPermitted) {
  std::unique_ptr<CircuitBreaker> breaker = Make();
  Fail(*breaker, 5);
  EXPECT_FALSE(breaker->TryAcquirePermission());
  EXPECT_FALSE(breaker->TryAcquirePermission());
  EXPECT_EQ(breaker->metrics().not_permitted_calls, 2);
  EXPECT_EQ(breaker->state(), State::kOpen);
}

TEST_F(CircuitBreakerTest, OpenKeepsRefusingUntilTheWaitHasPassed) {
  std::unique_ptr<CircuitBreaker> breaker = Make();
  Fail(*breaker, 5);
  clock_->Advance(29'999);
  EXPECT_FALSE(breaker->TryAcquirePermission());
  EXPECT_EQ(breaker->state(), State::kOpen);
}

TEST_F(CircuitBreakerTest, OpenKeepsTheWindowThatOpenedItAsEvidence) {
  std::unique_ptr<CircuitBreaker> breaker = Make();
  Succeed(*breaker, 1);
  Fail(*breaker, 4);
  const CircuitBreaker::Metrics metrics = breaker->metrics();
  EXPECT_EQ(metrics.state, State::kOpen);
  EXPECT_EQ(metrics.buffered_calls, 5);
  EXPECT_EQ(metrics.failure_rate, 80.0);
}

TEST_F(CircuitBreakerTest, OutcomesOfCallsPermittedBeforeOpeningAreDropped) {
  std::unique_ptr<CircuitBreaker> breaker = Make();
  ASSERT_TRUE(breaker->TryAcquirePermission());  // a call still running when the breaker opens
  Fail(*breaker, 5);
  breaker->OnSuccess(kFast);
  EXPECT_EQ(breaker->metrics().buffered_calls, 5);
  EXPECT_EQ(breaker->metrics().failed_calls, 5);
}

TEST_F(CircuitBreakerTest, AWallClockSteppedBackwardsRestartsTheWaitInsteadOfStretchingIt) {
  std::unique_ptr<CircuitBreaker> breaker = Make();
  Fail(*breaker, 5);
  clock_->Advance(-3'600'000);  // an NTP step of an hour back
  EXPECT_FALSE(breaker->TryAcquirePermission());
  clock_->Advance(30'000);
  EXPECT_TRUE(breaker->TryAcquirePermission());
  EXPECT_EQ(breaker->state(), State::kHalfOpen);
}

// HALF_OPEN

TEST_F(CircuitBreakerTest, AfterTheWaitTheNextCallGoesHalfOpenAsTheFirstProbe) {
  std::unique_ptr<CircuitBreaker> breaker = OpenAndWait();
  EXPECT_EQ(breaker->state(), State::kOpen);  // no call has asked yet
  EXPECT_TRUE(breaker->TryAcquirePermission());
  EXPECT_EQ(breaker->state(), State::kHalfOpen);
  EXPECT_EQ(breaker->metrics().buffered_calls, 0);
}

TEST_F(CircuitBreakerTest, HalfOpenPermitsExactlyThreeCallsAndRefusesTheFourth) {
  std::unique_ptr<CircuitBreaker> breaker = OpenAndWait();
  const std::int64_t refused_before = breaker->metrics().not_permitted_calls;
  EXPECT_TRUE(breaker->TryAcquirePermission());
  EXPECT_TRUE(breaker->TryAcquirePermission());
  EXPECT_TRUE(breaker->TryAcquirePermission());
  EXPECT_FALSE(breaker->TryAcquirePermission());
  EXPECT_EQ(breaker->metrics().not_permitted_calls, refused_before + 1);
  EXPECT_EQ(breaker->state(), State::kHalfOpen);
}

TEST_F(CircuitBreakerTest, HalfOpenCountsCompletedProbesAgainstThePermittedNumber) {
  std::unique_ptr<CircuitBreaker> breaker = OpenAndWait();
  Succeed(*breaker, 2);
  EXPECT_TRUE(breaker->TryAcquirePermission());
  EXPECT_FALSE(breaker->TryAcquirePermission());
}

TEST_F(CircuitBreakerTest, HalfOpenGivesAReleasedProbeSlotBack) {
  std::unique_ptr<CircuitBreaker> breaker = OpenAndWait();
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(breaker->TryAcquirePermission());
  breaker->ReleasePermission();
  EXPECT_TRUE(breaker->TryAcquirePermission());
  EXPECT_FALSE(breaker->TryAcquirePermission());
}

TEST_F(CircuitBreakerTest, HalfOpenDecidesOnlyWhenAllProbesHaveCompleted) {
  std::unique_ptr<CircuitBreaker> breaker = OpenAndWait();
  Fail(*breaker, 2);
  EXPECT_EQ(breaker->state(), State::kHalfOpen);
  EXPECT_EQ(breaker->metrics().failure_rate, -1);
  Succeed(*breaker, 1);
  EXPECT_EQ(breaker->state(), State::kOpen);  // 2 of 3 failed
}

TEST_F(CircuitBreakerTest, HalfOpenSuccessClosesWithAFreshWindow) {
  std::unique_ptr<CircuitBreaker> breaker = OpenAndWait();
  Succeed(*breaker, 2);
  Fail(*breaker, 1);  // 33 %: below the threshold
  EXPECT_EQ(breaker->state(), State::kClosed);
  EXPECT_EQ(breaker->metrics().buffered_calls, 0);
  Fail(*breaker, 4);  // the fresh window needs 5 outcomes again
  EXPECT_EQ(breaker->state(), State::kClosed);
  Fail(*breaker, 1);
  EXPECT_EQ(breaker->state(), State::kOpen);
}

TEST_F(CircuitBreakerTest, HalfOpenFailureOpensAgainWithAFreshWait) {
  std::unique_ptr<CircuitBreaker> breaker = OpenAndWait();
  clock_->Advance(1000);  // the probes start a second after the wait ended
  Fail(*breaker, 3);
  EXPECT_EQ(breaker->state(), State::kOpen);
  clock_->Advance(29'999);
  EXPECT_FALSE(breaker->TryAcquirePermission());
  clock_->Advance(1);
  EXPECT_TRUE(breaker->TryAcquirePermission());
  EXPECT_EQ(breaker->state(), State::kHalfOpen);
}

TEST_F(CircuitBreakerTest, HalfOpenSlowProbesOpenAgain) {
  std::unique_ptr<CircuitBreaker> breaker = OpenAndWait();
  Succeed(*breaker, 3, 5000);
  EXPECT_EQ(breaker->state(), State::kOpen);
  EXPECT_EQ(breaker->metrics().slow_call_rate, 100.0);
}

// The listener

TEST_F(CircuitBreakerTest, TheListenerSeesEveryTransitionInOrder) {
  std::unique_ptr<CircuitBreaker> breaker = Make();
  std::vector<Transition> seen;
  Record(*breaker, seen);
  Fail(*breaker, 5);
  clock_->Advance(30'000);
  Fail(*breaker, 3);
  clock_->Advance(30'000);
  Succeed(*breaker, 3);
  EXPECT_EQ(seen, (std::vector<Transition>{{State::kClosed, State::kOpen},
                                           {State::kOpen, State::kHalfOpen},
                                           {State::kHalfOpen, State::kOpen},
                                           {State::kOpen, State::kHalfOpen},
                                           {State::kHalfOpen, State::kClosed}}));
}

TEST_F(CircuitBreakerTest, TheListenerRunsOutsideTheLockAndMayCallTheBreaker) {
  std::unique_ptr<CircuitBreaker> breaker = Make();
  std::vector<State> states;
  std::vector<std::int64_t> refused;
  breaker->SetStateListener([&](const CircuitBreaker& b, State, State) {
    states.push_back(b.state());
    refused.push_back(b.metrics().not_permitted_calls);
  });
  Fail(*breaker, 5);
  EXPECT_EQ(states, std::vector<State>{State::kOpen});
  EXPECT_EQ(refused, std::vector<std::int64_t>{0});
}

TEST_F(CircuitBreakerTest, ATransitionCausedByTheListenerIsDeliveredAfterTheCurrentOne) {
  std::unique_ptr<CircuitBreaker> breaker = Make();
  CircuitBreaker* const mutable_breaker = breaker.get();
  std::vector<Transition> seen;
  breaker->SetStateListener([&](const CircuitBreaker&, State from, State to) {
    seen.push_back({from, to});
    if (to == State::kOpen && seen.size() == 1) {
      clock_->Advance(30'000);
      EXPECT_TRUE(mutable_breaker->TryAcquirePermission());  // goes half-open from inside the listener
      seen.push_back({State::kClosed, State::kClosed});      // marks where the nested call returned
    }
  });
  Fail(*breaker, 5);
  EXPECT_EQ(seen, (std::vector<Transition>{{State::kClosed, State::kOpen},
                                           {State::kClosed, State::kClosed},
                                           {State::kOpen, State::kHalfOpen}}));
}

TEST_F(CircuitBreakerTest, AThrowingListenerDoesNotBreakTheBreaker) {
  std::unique_ptr<CircuitBreaker> breaker = Make();
  int calls = 0;
  breaker->SetStateListener([&calls](const CircuitBreaker&, State, State) {
    ++calls;
    throw std::runtime_error("host bug");
  });
  Fail(*breaker, 5);
  clock_->Advance(30'000);
  EXPECT_TRUE(breaker->TryAcquirePermission());
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(breaker->state(), State::kHalfOpen);
}

TEST_F(CircuitBreakerTest, AnEmptyListenerRemovesTheListener) {
  std::unique_ptr<CircuitBreaker> breaker = Make();
  std::vector<Transition> seen;
  Record(*breaker, seen);
  breaker->SetStateListener(nullptr);
  Fail(*breaker, 5);
  EXPECT_TRUE(seen.empty());
}

// Names and the failure rule

TEST(StateName, GivesTheWireNames) {
  EXPECT_EQ(StateName(State::kClosed), "closed");
  EXPECT_EQ(StateName(State::kOpen), "open");
  EXPECT_EQ(StateName(State::kHalfOpen), "half_open");
}

TEST(CountsAsFailure, RetryableStatusesAndServiceCodesAreFailures) {
  EXPECT_TRUE(CountsAsFailure(Status::Error(ErrorCode::kSearchUnavailable)));
  EXPECT_TRUE(CountsAsFailure(Status::Error(ErrorCode::kAiUnavailable)));
  EXPECT_TRUE(CountsAsFailure(Status::DatabaseUnavailable("locked", false)));
  EXPECT_TRUE(CountsAsFailure(Status::Error(ErrorCode::kRateLimited, "429 from upstream", true)));
}

TEST(CountsAsFailure, CallerErrorsAndOkAreNot) {
  EXPECT_FALSE(CountsAsFailure(Status::Ok()));
  EXPECT_FALSE(CountsAsFailure(Status::InvalidField("q", field_code::kTooLong)));
  EXPECT_FALSE(CountsAsFailure(Status::NotFound()));
  EXPECT_FALSE(CountsAsFailure(Status::PermissionDenied()));
}

// Guard

class GuardTest : public CircuitBreakerTest {
 protected:
  // A primary that takes `duration_ms` on the manual clock and answers `answer`.
  auto Primary(Result<std::string> answer, std::int64_t duration_ms = kFast) {
    return [this, answer = std::move(answer), duration_ms] {
      ++primary_calls_;
      clock_->Advance(duration_ms);
      return answer;
    };
  }
  auto Fallback(Result<std::string> answer = std::string("local")) {
    return [this, answer = std::move(answer)] {
      ++fallback_calls_;
      return answer;
    };
  }

  int primary_calls_ = 0;
  int fallback_calls_ = 0;
};

TEST_F(GuardTest, ReturnsThePrimarysValueWhenHealthy) {
  std::unique_ptr<CircuitBreaker> breaker = Make();
  Result<Guarded<std::string>> answer = Guard(*breaker, Primary(std::string("es")), Fallback());
  ASSERT_TRUE(answer.ok());
  EXPECT_EQ(answer->value, "es");
  EXPECT_FALSE(answer->degraded);
  EXPECT_EQ(answer->fallback_reason, "");
  EXPECT_EQ(fallback_calls_, 0);
  EXPECT_EQ(breaker->metrics().buffered_calls, 1);
  EXPECT_EQ(breaker->metrics().failed_calls, 0);
}

TEST_F(GuardTest, FallsBackWithoutCallingThePrimaryWhenOpen) {
  std::unique_ptr<CircuitBreaker> breaker = Make();
  Fail(*breaker, 5);
  Result<Guarded<std::string>> answer = Guard(*breaker, Primary(std::string("es")), Fallback());
  ASSERT_TRUE(answer.ok());
  EXPECT_EQ(answer->value, "local");
  EXPECT_TRUE(answer->degraded);
  EXPECT_EQ(answer->fallback_reason, fallback_reason::kBreakerOpen);
  EXPECT_EQ(primary_calls_, 0);
  EXPECT_EQ(breaker->metrics().not_permitted_calls, 1);
}

TEST_F(GuardTest, FallsBackAndRecordsAFailureWhenThePrimaryFails) {
  std::unique_ptr<CircuitBreaker> breaker = Make();
  Result<Guarded<std::string>> answer =
      Guard(*breaker, Primary(Status::Error(ErrorCode::kSearchUnavailable, "connection refused", true)),
            Fallback());
  ASSERT_TRUE(answer.ok());
  EXPECT_EQ(answer->value, "local");
  EXPECT_TRUE(answer->degraded);
  EXPECT_EQ(answer->fallback_reason, fallback_reason::kError);
  EXPECT_EQ(breaker->metrics().failed_calls, 1);
}

TEST_F(GuardTest, FallsBackAsSlowWhenThePrimaryFailsAfterTheSlowDuration) {
  std::unique_ptr<CircuitBreaker> breaker = Make();
  Result<Guarded<std::string>> answer = Guard(
      *breaker, Primary(Status::Error(ErrorCode::kSearchUnavailable, "timeout", true), 5000), Fallback());
  ASSERT_TRUE(answer.ok());
  EXPECT_TRUE(answer->degraded);
  EXPECT_EQ(answer->fallback_reason, fallback_reason::kSlow);
  EXPECT_EQ(breaker->metrics().slow_failed_calls, 1);
}

TEST_F(GuardTest, ReturnsASlowSuccessUndegradedButRecordsItAsSlow) {
  std::unique_ptr<CircuitBreaker> breaker = Make();
  Result<Guarded<std::string>> answer = Guard(*breaker, Primary(std::string("es"), 7000), Fallback());
  ASSERT_TRUE(answer.ok());
  EXPECT_EQ(answer->value, "es");
  EXPECT_FALSE(answer->degraded);
  EXPECT_EQ(fallback_calls_, 0);
  EXPECT_EQ(breaker->metrics().slow_calls, 1);
}

TEST_F(GuardTest, ReturnsCallerErrorsAsTheyAreWithoutFallingBack) {
  std::unique_ptr<CircuitBreaker> breaker = Make();
  Result<Guarded<std::string>> answer =
      Guard(*breaker, Primary(Status::InvalidField("q", field_code::kInvalid)), Fallback());
  ASSERT_FALSE(answer.ok());
  EXPECT_EQ(answer.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(answer.status().field_errors().at(0).field, "q");
  EXPECT_EQ(fallback_calls_, 0);
}

TEST_F(GuardTest, CallerErrorsCountAsSuccessesForTheBreaker) {
  std::unique_ptr<CircuitBreaker> breaker = Make();
  for (int i = 0; i < 10; ++i) {
    (void)Guard(*breaker, Primary(Status::InvalidField("q", field_code::kInvalid)), Fallback());
  }
  EXPECT_EQ(breaker->state(), State::kClosed);
  EXPECT_EQ(breaker->metrics().buffered_calls, 10);
  EXPECT_EQ(breaker->metrics().failed_calls, 0);
}

TEST_F(GuardTest, ReturnsTheFallbacksStatusWhenTheFallbackFailsToo) {
  std::unique_ptr<CircuitBreaker> breaker = Make();
  Result<Guarded<std::string>> answer =
      Guard(*breaker, Primary(Status::Error(ErrorCode::kSearchUnavailable, "down", true)),
            Fallback(Status::DatabaseUnavailable("disk full", false)));
  ASSERT_FALSE(answer.ok());
  EXPECT_EQ(answer.status().code(), ErrorCode::kDatabaseUnavailable);
}

TEST_F(GuardTest, OpensTheBreakerAfterFiveFailingCallsAndThenStopsCallingThePrimary) {
  std::unique_ptr<CircuitBreaker> breaker = Make();
  for (int i = 0; i < 8; ++i) {
    Result<Guarded<std::string>> answer =
        Guard(*breaker, Primary(Status::Error(ErrorCode::kSearchUnavailable, "down", true)), Fallback());
    ASSERT_TRUE(answer.ok());
    EXPECT_TRUE(answer->degraded);
  }
  EXPECT_EQ(primary_calls_, 5);
  EXPECT_EQ(fallback_calls_, 8);
}

TEST_F(GuardTest, GivesThePermissionBackWhenThePrimaryThrows) {
  std::unique_ptr<CircuitBreaker> breaker = OpenAndWait();
  for (int i = 0; i < 3; ++i) {
    EXPECT_THROW((void)Guard(
                     *breaker, []() -> Result<std::string> { throw std::runtime_error("bug"); }, Fallback()),
                 std::runtime_error);
  }
  EXPECT_EQ(breaker->state(), State::kHalfOpen);
  EXPECT_TRUE(breaker->TryAcquirePermission());  // all three probe slots came back
}

TEST_F(GuardTest, WorksWithMoveOnlyValues) {
  std::unique_ptr<CircuitBreaker> breaker = Make();
  Result<Guarded<std::unique_ptr<int>>> answer = Guard(
      *breaker, [] { return Result<std::unique_ptr<int>>(std::make_unique<int>(7)); },
      [] { return Result<std::unique_ptr<int>>(std::make_unique<int>(0)); });
  ASSERT_TRUE(answer.ok());
  EXPECT_EQ(*answer->value, 7);
}

// Concurrency (run under -fsanitize=thread as well)

TEST_F(CircuitBreakerTest, ConcurrentOutcomesAreNeverLost) {
  constexpr int kThreads = 8;
  constexpr int kCalls = 1000;
  CircuitBreakerOptions options;
  options.sliding_window_size = kThreads * kCalls;
  options.minimum_number_of_calls = kThreads * kCalls;
  options.failure_rate_threshold = 100;  // half the calls fail: stays closed
  std::unique_ptr<CircuitBreaker> breaker = Make(options);
  std::latch start(kThreads);  // all threads begin together, so their calls interleave
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&breaker, &start] {
      start.arrive_and_wait();
      for (int i = 0; i < kCalls; ++i) {
        if (!breaker->TryAcquirePermission()) continue;
        if (i % 2 == 0) {
          breaker->OnFailure(kFast);
        } else {
          breaker->OnSuccess(6000);
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  const CircuitBreaker::Metrics metrics = breaker->metrics();
  EXPECT_EQ(metrics.state, State::kClosed);
  EXPECT_EQ(metrics.buffered_calls, kThreads * kCalls);
  EXPECT_EQ(metrics.failed_calls, kThreads * kCalls / 2);
  EXPECT_EQ(metrics.slow_calls, kThreads * kCalls / 2);
  EXPECT_EQ(metrics.not_permitted_calls, 0);
  EXPECT_EQ(metrics.failure_rate, 50.0);
}

TEST_F(CircuitBreakerTest, ConcurrentCallsThroughEveryStateKeepCountsAndTransitionsConsistent) {
  constexpr int kThreads = 8;
  constexpr int kCalls = 1000;
  CircuitBreakerOptions options;
  options.wait_duration_in_open_state_ms = 50;
  std::unique_ptr<CircuitBreaker> breaker = Make(options);
  std::mutex seen_mu;
  std::vector<Transition> seen;
  breaker->SetStateListener([&](const CircuitBreaker&, State from, State to) {
    std::lock_guard lock(seen_mu);
    seen.push_back({from, to});
  });
  std::atomic<std::int64_t> refused{0};
  std::latch start(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      start.arrive_and_wait();
      for (int i = 0; i < kCalls; ++i) {
        clock_->Advance(1);
        if (!breaker->TryAcquirePermission()) {
          refused.fetch_add(1);
          continue;
        }
        // Mostly failures, with enough successes for some half-open rounds to close.
        if ((i + t) % 3 == 0) {
          breaker->OnSuccess(kFast);
        } else {
          breaker->OnFailure(kFast);
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(breaker->metrics().not_permitted_calls, refused.load());
  EXPECT_GT(refused.load(), 0);
  std::lock_guard lock(seen_mu);
  ASSERT_GE(seen.size(), 3u);
  EXPECT_EQ(seen.front(), (Transition{State::kClosed, State::kOpen}));
  for (std::size_t i = 1; i < seen.size(); ++i) {
    EXPECT_EQ(seen[i].from, seen[i - 1].to) << "transition " << i;
  }
  EXPECT_EQ(seen.back().to, breaker->state());
}

}  // namespace
}  // namespace selfservice

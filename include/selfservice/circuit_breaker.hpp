// CircuitBreaker: stops calling a dependency that is failing or slow, and lets a few probe calls
// through after a pause to find out whether it has recovered (resilience4j's semantics with a
// count-based window; docs/RESILIENCE.md explains every rule and default).
//
// CLOSED records the outcome of the last `sliding_window_size` calls and opens when, with at least
// `minimum_number_of_calls` outcomes recorded, the failure rate or the slow-call rate reaches its
// threshold. OPEN refuses every call for `wait_duration_in_open_state_ms`, then the next request
// for permission moves it to HALF_OPEN, which permits exactly
// `permitted_number_of_calls_in_half_open_state` probe calls and, once all have completed, closes
// (with an empty window) or opens again (with a fresh wait) by the same thresholds.
//
// Guard() is the decorator the adapters use: it runs a primary call through a breaker and falls
// back to a second call when the breaker refuses or the primary fails, reporting the degradation
// as data on the result rather than as an error.
//
// Thread safety: a CircuitBreaker is safe to use from many threads at once, and none of its
// methods throws. The state listener runs outside the breaker's lock.

#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "selfservice/clock.hpp"
#include "selfservice/status.hpp"

namespace selfservice {

// The defaults are this project's, tighter than resilience4j's (100 calls) so that a dead
// dependency opens the breaker within 5 calls instead of 100.
struct CircuitBreakerOptions {
  int sliding_window_size = 20;             // outcomes of the last N calls, in CLOSED
  int minimum_number_of_calls = 5;          // no rate is computed, and nothing opens, before this many
  double failure_rate_threshold = 50.0;     // percent, in (0, 100]; opens when the rate is >= it
  double slow_call_rate_threshold = 100.0;  // percent, in (0, 100]; opens when the rate is >= it
  // A call taking at least this long is slow. Set it to the guarded call's own timeout, so that
  // a call cut off by its timeout counts as slow.
  std::int64_t slow_call_duration_threshold_ms = 5000;
  std::int64_t wait_duration_in_open_state_ms = 30'000;
  int permitted_number_of_calls_in_half_open_state = 3;
};

// The problems of `options`, one FieldError (OUT_OF_RANGE, with "min" and "max") per bad field
// named as the option is; empty when the options are usable.
std::vector<FieldError> Validate(const CircuitBreakerOptions& options);

class CircuitBreaker {
 public:
  enum class State { kClosed, kOpen, kHalfOpen };

  // A consistent snapshot, taken under the breaker's lock.
  struct Metrics {
    State state = State::kClosed;
    // Percent of the recorded outcomes that failed / were slow, or -1 while fewer outcomes than
    // needed are recorded (minimum_number_of_calls in CLOSED, all probes in HALF_OPEN).
    double failure_rate = -1;
    double slow_call_rate = -1;
    int buffered_calls = 0;                // outcomes in the current window (in OPEN: the one that opened it)
    int failed_calls = 0;                  // of those, failures
    int slow_calls = 0;                    // of those, slow ones, whether they failed or not
    int slow_failed_calls = 0;             // of those, slow failures
    std::int64_t not_permitted_calls = 0;  // refusals since the breaker was created
  };

  using StateListener = std::function<void(const CircuitBreaker& breaker, State from, State to)>;

  // A breaker in CLOSED, or kInvalidArgument with the field errors of Validate(). `name` is for
  // diagnostics ("search.elasticsearch"); a null clock means Clock::System().
  static Result<std::unique_ptr<CircuitBreaker>> Create(std::string name,
                                                        const CircuitBreakerOptions& options,
                                                        std::shared_ptr<Clock> clock = nullptr);

  CircuitBreaker(const CircuitBreaker&) = delete;
  CircuitBreaker& operator=(const CircuitBreaker&) = delete;
  ~CircuitBreaker();

  // Whether a call may go ahead. Every true must be followed by exactly one OnSuccess(),
  // OnFailure() or ReleasePermission(); a false is counted in not_permitted_calls. In OPEN, the
  // first request after the wait moves the breaker to HALF_OPEN and is its first probe.
  bool TryAcquirePermission() noexcept;

  // The outcome of a permitted call and how long it took (negative durations count as 0).
  // An outcome reported while OPEN (a call permitted before the breaker opened) is dropped: the
  // window that opened the breaker stays as the evidence for it.
  void OnSuccess(std::int64_t duration_ms) noexcept;
  void OnFailure(std::int64_t duration_ms) noexcept;

  // A permitted call that ended without an outcome (cancelled, abandoned): in HALF_OPEN its probe
  // slot is given back, elsewhere nothing is recorded.
  void ReleasePermission() noexcept;

  State state() const noexcept;
  Metrics metrics() const noexcept;
  std::string_view name() const noexcept;
  const CircuitBreakerOptions& options() const noexcept;
  // The clock the breaker times its wait with; Guard() times calls with it too.
  Clock& clock() const noexcept;

  // Replaces the listener (an empty function removes it). Every transition is delivered exactly
  // once and in the order the transitions happened, outside the breaker's lock, on the thread
  // that caused it or on one already delivering earlier transitions; the listener may call the
  // breaker. An exception thrown by the listener is swallowed.
  void SetStateListener(StateListener listener) noexcept;

 private:
  struct Impl;
  explicit CircuitBreaker(std::unique_ptr<Impl> impl);
  void Record(bool failed, std::int64_t duration_ms) noexcept;
  void Deliver() noexcept;  // hands queued transitions to the listener, outside the lock

  std::unique_ptr<Impl> impl_;
};

// The wire names of the states: "closed", "open", "half_open".
std::string_view StateName(CircuitBreaker::State state) noexcept;

// Whether an outcome counts as a failure of the dependency: a retryable status or a service code
// (2000x). Any other status (1000x: the request itself was wrong, not found, refused) proves the
// dependency answered, so it counts as a success, as exceptions outside resilience4j's
// recordExceptions do. Adapters must therefore report the dependency's own trouble (including
// its refusal of our credentials) as a 2000x code.
inline bool CountsAsFailure(const Status& status) {
  const int code = static_cast<int>(status.code());
  return !status.ok() && (status.retryable() || (code >= 20000 && code < 30000));
}

// Whether a failed call ran into the guarded call's timeout (the slow-call duration): what a
// fallback reports as "slow" or "timeout". The two clock readings are whole milliseconds, so a call
// cut off at exactly its timeout can measure one millisecond short of it; that millisecond is
// allowed.
inline bool ReachedSlowCallDuration(const CircuitBreaker& breaker, std::int64_t duration_ms) {
  return duration_ms + 1 >= breaker.options().slow_call_duration_threshold_ms;
}

// Why a Guard() answer came from the fallback.
namespace fallback_reason {
// The breaker refused the call, so the primary was not called.
inline constexpr const char* kBreakerOpen = "breaker_open";
// The primary failed.
inline constexpr const char* kError = "error";
// The primary failed after the slow-call duration: it hit its timeout.
inline constexpr const char* kSlow = "slow";
}  // namespace fallback_reason

// A value and whether it is the degraded answer of a fallback.
template <typename T>
struct Guarded {
  T value;
  bool degraded = false;
  std::string fallback_reason;  // one of fallback_reason::*, empty when not degraded
};

namespace internal {
template <typename R>
struct ResultValue;
template <typename T>
struct ResultValue<Result<T>> {
  using type = T;
};
}  // namespace internal

// Runs `primary` (returning Result<T>) through `breaker`, timing it on the breaker's clock, and
// answers with its value when it succeeds. Falls back to `fallback` (returning Result<T>) when the
// breaker refuses or the primary fails (CountsAsFailure), marking the answer degraded with the
// reason. A primary's status that is not a failure (a caller error such as 10001) is returned as
// is: the fallback would only hide the caller's mistake. A slow success is returned, not degraded:
// its answer is already paid for, and only the breaker needs to know it was slow. When the
// fallback fails too, its status is returned. Never leaves a permission unaccounted for, even if
// `primary` throws.
template <typename Primary, typename Fallback,
          typename R = std::remove_cvref_t<std::invoke_result_t<Primary&>>,
          typename T = typename internal::ResultValue<R>::type>
Result<Guarded<T>> Guard(CircuitBreaker& breaker, Primary&& primary, Fallback&& fallback) {
  static_assert(std::is_same_v<std::remove_cvref_t<std::invoke_result_t<Fallback&>>, R>,
                "the fallback must answer the same Result<T> as the primary");
  auto degrade = [&fallback](const char* reason) -> Result<Guarded<T>> {
    R answer = fallback();
    if (!answer.ok()) return answer.status();
    return Guarded<T>{std::move(answer).value(), true, reason};
  };
  if (!breaker.TryAcquirePermission()) return degrade(fallback_reason::kBreakerOpen);

  // Gives the permission back if `primary` throws before an outcome is recorded.
  struct Permit {
    CircuitBreaker* breaker;
    ~Permit() {
      if (breaker != nullptr) breaker->ReleasePermission();
    }
  } permit{&breaker};

  const std::int64_t start = breaker.clock().NowMillis();
  R answer = primary();
  const std::int64_t duration = breaker.clock().NowMillis() - start;
  permit.breaker = nullptr;
  if (CountsAsFailure(answer.status())) {
    breaker.OnFailure(duration);
    const bool slow = ReachedSlowCallDuration(breaker, duration);
    return degrade(slow ? fallback_reason::kSlow : fallback_reason::kError);
  }
  breaker.OnSuccess(duration);
  if (!answer.ok()) return answer.status();
  return Guarded<T>{std::move(answer).value(), false, {}};
}

}  // namespace selfservice

#include "selfservice/circuit_breaker.hpp"

#include <algorithm>
#include <mutex>
#include <string>
#include <utility>

namespace selfservice {

namespace {

// Upper bounds that keep a mistyped option from allocating gigabytes or waiting for years.
constexpr int kMaxCalls = 100'000;
constexpr std::int64_t kMaxDurationMs = 24LL * 60 * 60 * 1000;  // a day

constexpr std::uint8_t kFailedBit = 1;
constexpr std::uint8_t kSlowBit = 2;

// Outcomes of the last `capacity` calls in a ring, with running counts.
class Window {
 public:
  explicit Window(int max_capacity) : slots_(static_cast<std::size_t>(max_capacity), 0) {}

  void Reset(int capacity) noexcept {
    capacity_ = capacity;
    next_ = size_ = failed_ = slow_ = slow_failed_ = 0;
  }

  void Record(bool failed, bool slow) noexcept {
    std::uint8_t& slot = slots_[static_cast<std::size_t>(next_)];
    if (size_ == capacity_) {  // the oldest outcome leaves the window
      failed_ -= slot & kFailedBit;
      slow_ -= (slot & kSlowBit) >> 1;
      slow_failed_ -= slot == (kFailedBit | kSlowBit) ? 1 : 0;
    } else {
      ++size_;
    }
    slot = static_cast<std::uint8_t>((failed ? kFailedBit : 0) | (slow ? kSlowBit : 0));
    failed_ += failed ? 1 : 0;
    slow_ += slow ? 1 : 0;
    slow_failed_ += failed && slow ? 1 : 0;
    next_ = next_ + 1 == capacity_ ? 0 : next_ + 1;
  }

  int size() const noexcept { return size_; }
  int failed() const noexcept { return failed_; }
  int slow() const noexcept { return slow_; }
  int slow_failed() const noexcept { return slow_failed_; }
  // Only meaningful when size() > 0.
  double FailureRate() const noexcept { return 100.0 * failed_ / size_; }
  double SlowCallRate() const noexcept { return 100.0 * slow_ / size_; }

 private:
  std::vector<std::uint8_t> slots_;  // bit 0: failed, bit 1: slow
  int capacity_ = 0;
  int next_ = 0;
  int size_ = 0;
  int failed_ = 0;
  int slow_ = 0;
  int slow_failed_ = 0;
};

struct Transition {
  CircuitBreaker::State from;
  CircuitBreaker::State to;
};

}  // namespace

std::vector<FieldError> Validate(const CircuitBreakerOptions& options) {
  std::vector<FieldError> errors;
  auto out_of_range = [&errors](const char* field, std::string min, std::string max) {
    errors.push_back(
        FieldError{field, field_code::kOutOfRange, {{"min", std::move(min)}, {"max", std::move(max)}}});
  };
  auto check_count = [&out_of_range](const char* field, int value, int max) {
    if (value < 1 || value > max) out_of_range(field, "1", std::to_string(max));
  };
  // A rate threshold of 0 would open on a window without a single failure; NaN compares false.
  auto check_rate = [&out_of_range](const char* field, double value) {
    if (!(value > 0.0 && value <= 100.0)) out_of_range(field, "0 (exclusive)", "100");
  };
  // A zero slow-call duration would make every call slow; a zero wait would never refuse a call.
  auto check_duration = [&out_of_range](const char* field, std::int64_t value) {
    if (value < 1 || value > kMaxDurationMs) out_of_range(field, "1", std::to_string(kMaxDurationMs));
  };

  check_count("sliding_window_size", options.sliding_window_size, kMaxCalls);
  // More than the window could ever hold would keep the breaker closed forever.
  check_count("minimum_number_of_calls", options.minimum_number_of_calls,
              std::clamp(options.sliding_window_size, 1, kMaxCalls));
  check_rate("failure_rate_threshold", options.failure_rate_threshold);
  check_rate("slow_call_rate_threshold", options.slow_call_rate_threshold);
  check_duration("slow_call_duration_threshold_ms", options.slow_call_duration_threshold_ms);
  check_duration("wait_duration_in_open_state_ms", options.wait_duration_in_open_state_ms);
  check_count("permitted_number_of_calls_in_half_open_state",
              options.permitted_number_of_calls_in_half_open_state, kMaxCalls);
  return errors;
}

std::string_view StateName(CircuitBreaker::State state) noexcept {
  switch (state) {
    case CircuitBreaker::State::kClosed: return "closed";
    case CircuitBreaker::State::kOpen: return "open";
    case CircuitBreaker::State::kHalfOpen: return "half_open";
  }
  return "closed";
}

// Everything below `mu` is guarded by it; the members above it never change after construction.
struct CircuitBreaker::Impl {
  using State = CircuitBreaker::State;

  Impl(std::string name_in, const CircuitBreakerOptions& options_in, std::shared_ptr<Clock> clock_in)
      : name(std::move(name_in)),
        options(options_in),
        clock(std::move(clock_in)),
        window(std::max(options.sliding_window_size, options.permitted_number_of_calls_in_half_open_state)) {
    window.Reset(options.sliding_window_size);
  }

  // Whether the window's rates reach a threshold.
  bool Tripped() const noexcept {
    return window.FailureRate() >= options.failure_rate_threshold ||
           window.SlowCallRate() >= options.slow_call_rate_threshold;
  }

  // Moves to `to`, sets up that state, and queues the event for the listener.
  void TransitionTo(State to) noexcept {
    try {
      pending.push_back(Transition{state, to});
    } catch (...) {  // out of memory: the listener misses this transition, the breaker still makes it
    }
    state = to;
    switch (to) {
      case State::kClosed: window.Reset(options.sliding_window_size); break;
      case State::kOpen:
        opened_at_ms = clock->NowMillis();  // the window is kept: it is the evidence for opening
        break;
      case State::kHalfOpen: window.Reset(options.permitted_number_of_calls_in_half_open_state); break;
    }
    half_open_in_flight = 0;
  }

  bool TryAcquire() noexcept {
    switch (state) {
      case State::kClosed: return true;
      case State::kOpen: {
        const std::int64_t now = clock->NowMillis();
        // A wall clock stepped backwards restarts the wait instead of stretching it by the step.
        if (now < opened_at_ms) opened_at_ms = now;
        if (now - opened_at_ms < options.wait_duration_in_open_state_ms) return false;
        TransitionTo(State::kHalfOpen);
        ++half_open_in_flight;
        return true;
      }
      case State::kHalfOpen:
        if (window.size() + half_open_in_flight >= options.permitted_number_of_calls_in_half_open_state) {
          return false;
        }
        ++half_open_in_flight;
        return true;
    }
    return false;
  }

  void Record(bool failed, bool slow) noexcept {
    switch (state) {
      case State::kClosed:
        window.Record(failed, slow);
        if (window.size() >= options.minimum_number_of_calls && Tripped()) TransitionTo(State::kOpen);
        break;
      case State::kOpen: break;
      case State::kHalfOpen:
        if (half_open_in_flight > 0) --half_open_in_flight;
        window.Record(failed, slow);
        if (window.size() >= options.permitted_number_of_calls_in_half_open_state) {
          TransitionTo(Tripped() ? State::kOpen : State::kClosed);
        }
        break;
    }
  }

  bool MustDeliver() const noexcept { return !pending.empty() && !delivering; }

  const std::string name;
  const CircuitBreakerOptions options;
  const std::shared_ptr<Clock> clock;

  mutable std::mutex mu;
  State state = State::kClosed;
  Window window;
  std::int64_t opened_at_ms = 0;  // when OPEN began, on `clock`
  int half_open_in_flight = 0;    // probes permitted and not yet completed
  std::int64_t not_permitted = 0;
  std::shared_ptr<const StateListener> listener;
  std::vector<Transition> pending;  // transitions not yet delivered, oldest first
  bool delivering = false;          // a thread is handing `pending` to the listener
};

Result<std::unique_ptr<CircuitBreaker>> CircuitBreaker::Create(std::string name,
                                                               const CircuitBreakerOptions& options,
                                                               std::shared_ptr<Clock> clock) {
  std::vector<FieldError> errors = Validate(options);
  if (!errors.empty()) return Status::Invalid(std::move(errors));
  if (clock == nullptr) clock = Clock::System();
  return std::unique_ptr<CircuitBreaker>(
      new CircuitBreaker(std::make_unique<Impl>(std::move(name), options, std::move(clock))));
}

CircuitBreaker::CircuitBreaker(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

CircuitBreaker::~CircuitBreaker() = default;

bool CircuitBreaker::TryAcquirePermission() noexcept {
  bool permitted = false;
  bool deliver = false;
  {
    std::lock_guard lock(impl_->mu);
    permitted = impl_->TryAcquire();
    if (!permitted) ++impl_->not_permitted;
    deliver = impl_->MustDeliver();
  }
  if (deliver) Deliver();
  return permitted;
}

void CircuitBreaker::OnSuccess(std::int64_t duration_ms) noexcept {
  Record(false, duration_ms);
}

void CircuitBreaker::OnFailure(std::int64_t duration_ms) noexcept {
  Record(true, duration_ms);
}

void CircuitBreaker::Record(bool failed, std::int64_t duration_ms) noexcept {
  const bool slow = std::max<std::int64_t>(duration_ms, 0) >= impl_->options.slow_call_duration_threshold_ms;
  bool deliver = false;
  {
    std::lock_guard lock(impl_->mu);
    impl_->Record(failed, slow);
    deliver = impl_->MustDeliver();
  }
  if (deliver) Deliver();
}

void CircuitBreaker::ReleasePermission() noexcept {
  std::lock_guard lock(impl_->mu);
  if (impl_->state == State::kHalfOpen && impl_->half_open_in_flight > 0) --impl_->half_open_in_flight;
}

void CircuitBreaker::Deliver() noexcept {
  std::unique_lock lock(impl_->mu);
  // A thread already delivering also delivers what this one queued, after what it queued itself.
  if (!impl_->MustDeliver()) return;
  impl_->delivering = true;
  while (!impl_->pending.empty()) {
    std::vector<Transition> batch;
    batch.swap(impl_->pending);
    const std::shared_ptr<const StateListener> listener = impl_->listener;
    lock.unlock();
    if (listener != nullptr && *listener) {
      for (const Transition& transition : batch) {
        try {
          (*listener)(*this, transition.from, transition.to);
        } catch (...) {  // a host's listener must not break the breaker
        }
      }
    }
    lock.lock();
  }
  impl_->delivering = false;
}

CircuitBreaker::State CircuitBreaker::state() const noexcept {
  std::lock_guard lock(impl_->mu);
  return impl_->state;
}

CircuitBreaker::Metrics CircuitBreaker::metrics() const noexcept {
  const CircuitBreakerOptions& options = impl_->options;
  std::lock_guard lock(impl_->mu);
  const Window& window = impl_->window;
  Metrics m;
  m.state = impl_->state;
  // An OPEN window always held enough outcomes to trip, whichever state it was recorded in.
  const int needed = m.state == State::kClosed     ? options.minimum_number_of_calls
                     : m.state == State::kHalfOpen ? options.permitted_number_of_calls_in_half_open_state
                                                   : 1;
  if (window.size() >= needed) {
    m.failure_rate = window.FailureRate();
    m.slow_call_rate = window.SlowCallRate();
  }
  m.buffered_calls = window.size();
  m.failed_calls = window.failed();
  m.slow_calls = window.slow();
  m.slow_failed_calls = window.slow_failed();
  m.not_permitted_calls = impl_->not_permitted;
  return m;
}

std::string_view CircuitBreaker::name() const noexcept {
  return impl_->name;
}

const CircuitBreakerOptions& CircuitBreaker::options() const noexcept {
  return impl_->options;
}

Clock& CircuitBreaker::clock() const noexcept {
  return *impl_->clock;
}

void CircuitBreaker::SetStateListener(StateListener listener) noexcept {
  std::shared_ptr<const StateListener> shared;
  try {
    shared = std::make_shared<const StateListener>(std::move(listener));
  } catch (...) {  // out of memory: keep the current listener rather than throw
    return;
  }
  std::lock_guard lock(impl_->mu);
  impl_->listener = std::move(shared);
}

}  // namespace selfservice

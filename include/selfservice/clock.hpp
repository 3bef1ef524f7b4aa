// Clock: where the library reads the time, so tests and hosts can control it.
//
// Thread safety: implementations must be safe to call from many threads and must not throw.

#pragma once

#include <atomic>
#include <cstdint>
#include <memory>

namespace selfservice {

class Clock {
 public:
  Clock() = default;
  Clock(const Clock&) = delete;
  Clock& operator=(const Clock&) = delete;
  virtual ~Clock() = default;

  // Milliseconds since the Unix epoch, UTC.
  virtual std::int64_t NowMillis() const noexcept = 0;

  // The system clock, shared and never destroyed.
  static std::shared_ptr<Clock> System();
};

// A clock that moves only when told to; for tests and simulations.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(std::int64_t start_millis) : now_(start_millis) {}
  std::int64_t NowMillis() const noexcept override { return now_.load(); }
  void Set(std::int64_t millis) { now_.store(millis); }
  void Advance(std::int64_t millis) { now_.fetch_add(millis); }

 private:
  std::atomic<std::int64_t> now_;
};

}  // namespace selfservice

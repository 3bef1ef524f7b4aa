// RateLimiter: token buckets per (tenant, user, method class), the 10005 "rate limited" guard.
//
// Each key owns a bucket holding up to `burst` tokens that refills at `rate_per_second`; a call
// spends one token or is refused with the seconds after which one will be there. Method classes
// ("auth", "search", "write", ...) have their own limits; other classes use the default.
//
// Time is a steady-clock time point the caller passes (the wall clock of selfservice::Clock can
// jump, which would hand out or withhold tokens), so tests drive time by hand.
//
// Memory is bounded: buckets live in shards of at most max_entries / kShards entries. A bucket
// that has refilled to full carries no state (a new bucket starts full), so a shard at its cap
// first drops every full bucket, losing nothing. Only if more than three quarters of the shard is
// still active are the fullest remaining buckets dropped too, down to three quarters; those keys
// start again with a full bucket, a bounded leniency accepted so an attacker cycling through keys
// cannot grow memory. Either way the next sweep is at least a quarter of a shard's inserts away,
// so a sweep costs O(1) amortised per new key.
//
// Thread safety: Check may be called from many threads at once; keys hash to kShards shards,
// each with its own mutex, so threads rarely wait for each other.

#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/json/fwd.hpp>

#include "selfservice/rate_limit.hpp"
#include "selfservice/status.hpp"

namespace selfservice::security {

// The options from an object such as {"default": {"rate_per_second": 10, "burst": 20},
// "classes": {"auth": {"rate_per_second": 1, "burst": 5}}, "max_entries": 100000}; every member
// is optional, and a class inherits the members it leaves out from "default". Status::Invalid
// with FIELD_INVALID for a value of the wrong type and OUT_OF_RANGE (args min, max) for a number
// outside its range, on paths such as "classes.auth.burst" (relative: the caller prefixes where
// the object sits; the path is empty when `value` is not an object). Unknown keys are logged by
// name and ignored, as for the other portal options.
Result<RateLimitOptions> ParseRateLimits(const boost::json::value& value);

// Which bucket a call draws from. The views need only live for the call.
struct RateLimitKey {
  std::string_view tenant;
  std::string_view user;
  std::string_view method_class;
};

struct RateDecision {
  bool allowed = false;
  // 0 when allowed; else the whole seconds (rounded up, at least 1) until a token is available.
  std::int64_t retry_after_seconds = 0;
};

class RateLimiter {
 public:
  static constexpr std::size_t kShards = 16;
  using TimePoint = std::chrono::steady_clock::time_point;

  // `config` must be valid (as ParseRateLimits returns it, or with values in the documented ranges).
  explicit RateLimiter(RateLimitOptions config);
  ~RateLimiter();
  RateLimiter(const RateLimiter&) = delete;
  RateLimiter& operator=(const RateLimiter&) = delete;

  // Spends one token of `key`'s bucket at `now`, or says when to retry. A `now` earlier than the
  // bucket's last check (threads racing) refills nothing. Never allocates for a known key.
  RateDecision Check(const RateLimitKey& key, TimePoint now);
  RateDecision Check(const RateLimitKey& key) { return Check(key, std::chrono::steady_clock::now()); }

  // Buckets held in memory now (for tests and metrics).
  std::size_t size() const;

 private:
  struct Shard;
  const RateLimit& LimitOf(std::string_view method_class) const;

  RateLimitOptions config_;
  std::size_t shard_capacity_;
  std::unique_ptr<Shard[]> shards_;
};

}  // namespace selfservice::security

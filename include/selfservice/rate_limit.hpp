// Rate limits: token buckets per tenant, user and method class (the "rate_limits" portal option;
// docs/SECURITY.md). Over its limit a call answers 10005 with retry_after.
//
// Thread safety: values; safe to copy and move between threads.

#pragma once

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

namespace selfservice {

struct RateLimit {
  double rate_per_second = 10;  // [0.001, 1e6]: tokens added per second
  double burst = 20;            // [1, 1e6]: tokens a full bucket holds
};

struct RateLimitOptions {
  RateLimit default_limit;
  // Limits of method classes (MethodInfo::rate_class: "auth", "ai", "search", "read", "write");
  // a class not named here has the default limit.
  std::vector<std::pair<std::string, RateLimit>> classes;
  // Upper bound on buckets kept in memory: [16, 1e8].
  std::size_t max_entries = 100'000;
};

}  // namespace selfservice

#include "security/rate_limiter.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <mutex>
#include <unordered_map>

#include <boost/json.hpp>

#include "core/logging.hpp"

namespace selfservice::security {
namespace {

namespace json = boost::json;

// Beyond a million a second a limit limits nothing; below one token in about 17 minutes it is
// a typo for a ban.
constexpr double kMinRate = 0.001;
constexpr double kMinBurst = 1;
constexpr double kMaxLimit = 1e6;
constexpr std::size_t kMinEntries = RateLimiter::kShards;
constexpr std::size_t kMaxEntries = 100'000'000;
constexpr std::size_t kMaxClassName = 64;

std::size_t HashKey(const RateLimitKey& key) {
  const std::hash<std::string_view> hash;
  std::size_t h = hash(key.tenant);
  for (std::string_view part : {key.user, key.method_class})
    h = (h ^ hash(part)) * 0x100000001B3ULL + (h >> 29);
  return h;
}

// A key as stored: owns its strings and caches its hash, so rehashing the map is cheap.
struct StoredKey {
  std::string tenant;
  std::string user;
  std::string method_class;
  std::size_t hash;
};

// What Check looks a bucket up with: the caller's views and their hash, so finding a known key
// allocates nothing and hashes the strings once (for the shard and the map together).
struct Probe {
  const RateLimitKey& key;
  std::size_t hash;
};

struct KeyHash {
  using is_transparent = void;
  std::size_t operator()(const StoredKey& key) const { return key.hash; }
  std::size_t operator()(const Probe& probe) const { return probe.hash; }
};

struct KeyEqual {
  using is_transparent = void;
  bool operator()(const StoredKey& a, const StoredKey& b) const {
    return a.tenant == b.tenant && a.user == b.user && a.method_class == b.method_class;
  }
  bool operator()(const Probe& p, const StoredKey& s) const {
    return p.key.tenant == s.tenant && p.key.user == s.user && p.key.method_class == s.method_class;
  }
  bool operator()(const StoredKey& s, const Probe& p) const { return (*this)(p, s); }
};

struct Bucket {
  RateLimit limit;
  double tokens;
  std::int64_t last_nanos;

  // Tokens at `now_nanos`, without spending; time before the last check adds nothing.
  double LevelAt(std::int64_t now_nanos) const {
    if (now_nanos <= last_nanos) return tokens;
    const double refill = static_cast<double>(now_nanos - last_nanos) * 1e-9 * limit.rate_per_second;
    return std::min(limit.burst, tokens + refill);
  }
};

std::int64_t Nanos(RateLimiter::TimePoint time) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(time.time_since_epoch()).count();
}

// Reads {"rate_per_second", "burst"} at `path` over `into`'s defaults.
void ReadLimit(const json::value& value, const std::string& path, RateLimit& into,
               std::vector<FieldError>& errors) {
  const json::object* object = value.if_object();
  if (object == nullptr) {
    errors.push_back(FieldError{path, field_code::kInvalid, {}});
    return;
  }
  const auto read = [&](std::string_view name, double& field, double min, const char* min_text) {
    const json::value* member = object->if_contains(name);
    if (member == nullptr) return;
    const std::string member_path = path + "." + std::string(name);
    if (!member->is_number()) {
      errors.push_back(FieldError{member_path, field_code::kInvalid, {}});
      return;
    }
    const double number = member->to_number<double>();
    if (!(number >= min && number <= kMaxLimit)) {
      errors.push_back(
          FieldError{member_path, field_code::kOutOfRange, {{"min", min_text}, {"max", "1000000"}}});
      return;
    }
    field = number;
  };
  read("rate_per_second", into.rate_per_second, kMinRate, "0.001");
  read("burst", into.burst, kMinBurst, "1");
  for (const auto& [key, item] : *object) {
    if (key != "rate_per_second" && key != "burst") {
      Log().warn("rate limits: ignoring unknown key '{}.{}'", path, std::string_view(key));
    }
  }
}

}  // namespace

Result<RateLimitOptions> ParseRateLimits(const json::value& value) {
  const json::object* object = value.if_object();
  if (object == nullptr) return Status::InvalidField("", field_code::kInvalid);
  RateLimitOptions config;
  std::vector<FieldError> errors;
  // "default" first, wherever it sits in the text: classes inherit the members they leave out.
  if (const json::value* limit = object->if_contains("default")) {
    ReadLimit(*limit, "default", config.default_limit, errors);
  }
  for (const auto& [key, item] : *object) {
    if (key == "default") continue;
    if (key == "classes") {
      const json::object* classes = item.if_object();
      if (classes == nullptr) {
        errors.push_back(FieldError{"classes", field_code::kInvalid, {}});
        continue;
      }
      for (const auto& [name, limit] : *classes) {
        const std::string path = "classes." + std::string(name);
        if (name.empty() || name.size() > kMaxClassName) {
          errors.push_back(FieldError{path, field_code::kInvalid, {}});
          continue;
        }
        RateLimit parsed = config.default_limit;
        ReadLimit(limit, path, parsed, errors);
        config.classes.emplace_back(std::string(name), parsed);
      }
    } else if (key == "max_entries") {
      const auto count = item.if_int64();
      if (count == nullptr) {
        errors.push_back(FieldError{"max_entries", field_code::kInvalid, {}});
      } else if (*count < static_cast<std::int64_t>(kMinEntries) ||
                 *count > static_cast<std::int64_t>(kMaxEntries)) {
        errors.push_back(
            FieldError{"max_entries",
                       field_code::kOutOfRange,
                       {{"min", std::to_string(kMinEntries)}, {"max", std::to_string(kMaxEntries)}}});
      } else {
        config.max_entries = static_cast<std::size_t>(*count);
      }
    } else {
      Log().warn("rate limits: ignoring unknown key '{}'", std::string_view(key));
    }
  }
  if (!errors.empty()) return Status::Invalid(std::move(errors));
  return config;
}

struct alignas(64) RateLimiter::Shard {
  std::mutex mutex;
  std::unordered_map<StoredKey, Bucket, KeyHash, KeyEqual> buckets;

  // Makes room for one more bucket in a shard at `capacity` (see the header): drops full
  // buckets, then the fullest others down to three quarters of the capacity. Needs the mutex.
  void Evict(std::size_t capacity, std::int64_t now_nanos) {
    std::erase_if(buckets, [&](const auto& entry) {
      return entry.second.LevelAt(now_nanos) >= entry.second.limit.burst;
    });
    const std::size_t target = capacity * 3 / 4;
    if (buckets.size() <= target) return;
    using Entry = std::pair<double, decltype(buckets)::iterator>;
    std::vector<Entry> by_fullness;
    by_fullness.reserve(buckets.size());
    for (auto it = buckets.begin(); it != buckets.end(); ++it) {
      by_fullness.emplace_back(it->second.LevelAt(now_nanos) / it->second.limit.burst, it);
    }
    const std::size_t excess = buckets.size() - target;
    std::nth_element(by_fullness.begin(), by_fullness.begin() + static_cast<std::ptrdiff_t>(excess),
                     by_fullness.end(), [](const Entry& a, const Entry& b) { return a.first > b.first; });
    for (std::size_t i = 0; i < excess; ++i) buckets.erase(by_fullness[i].second);
  }
};

RateLimiter::RateLimiter(RateLimitOptions config)
    : config_(std::move(config)),
      shard_capacity_(std::max<std::size_t>(1, config_.max_entries / kShards)),
      shards_(std::make_unique<Shard[]>(kShards)) {}

RateLimiter::~RateLimiter() = default;

const RateLimit& RateLimiter::LimitOf(std::string_view method_class) const {
  for (const auto& [name, limit] : config_.classes) {
    if (name == method_class) return limit;
  }
  return config_.default_limit;
}

RateDecision RateLimiter::Check(const RateLimitKey& key, TimePoint now) {
  const std::int64_t now_nanos = Nanos(now);
  const std::size_t hash = HashKey(key);
  // The top bits pick the shard; the map's buckets use the low bits, so the two stay independent.
  Shard& shard = shards_[(hash * 0x9E3779B97F4A7C15ULL) >> 60];
  static_assert(kShards == 16, "the shard index takes the top 4 bits of the hash");

  std::lock_guard lock(shard.mutex);
  auto it = shard.buckets.find(Probe{key, hash});
  if (it == shard.buckets.end()) {
    if (shard.buckets.size() >= shard_capacity_) shard.Evict(shard_capacity_, now_nanos);
    const RateLimit& limit = LimitOf(key.method_class);
    it = shard.buckets
             .emplace(StoredKey{std::string(key.tenant), std::string(key.user), std::string(key.method_class),
                                hash},
                      Bucket{limit, limit.burst, now_nanos})
             .first;
  }
  Bucket& bucket = it->second;
  bucket.tokens = bucket.LevelAt(now_nanos);
  bucket.last_nanos = std::max(bucket.last_nanos, now_nanos);
  if (bucket.tokens >= 1) {
    bucket.tokens -= 1;
    return RateDecision{true, 0};
  }
  // The epsilon keeps an exact whole number of seconds from rounding up past itself.
  const double wait = (1 - bucket.tokens) / bucket.limit.rate_per_second;
  return RateDecision{false, std::max<std::int64_t>(1, static_cast<std::int64_t>(std::ceil(wait - 1e-9)))};
}

std::size_t RateLimiter::size() const {
  std::size_t total = 0;
  for (std::size_t i = 0; i < kShards; ++i) {
    std::lock_guard lock(shards_[i].mutex);
    total += shards_[i].buckets.size();
  }
  return total;
}

}  // namespace selfservice::security

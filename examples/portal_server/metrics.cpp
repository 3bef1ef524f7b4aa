#include "metrics.hpp"

#include <charconv>
#include <cmath>
#include <system_error>

namespace selfservice::server {

// The counters of one method label. Buckets count each request once, in the first bucket whose
// bound it does not exceed (the last one is +Inf); Render sums them up into Prometheus's
// cumulative buckets, so that a request is one increment whatever its duration. Aligned so that
// two methods recorded from two threads never share a cache line.
struct alignas(64) Metrics::Slot {
  std::array<std::atomic<std::uint64_t>, kStatuses.size() + 1> statuses{};  // the last: "other"
  std::array<std::atomic<std::uint64_t>, kDurationBuckets.size() + 1> buckets{};
  std::atomic<std::uint64_t> sum_nanoseconds{0};
};

namespace {

constexpr double kMaxSeconds = 1e6;
constexpr std::memory_order kRelaxed = std::memory_order_relaxed;

std::size_t StatusIndex(int http_status) {
  for (std::size_t i = 0; i < Metrics::kStatuses.size(); ++i) {
    if (Metrics::kStatuses[i] == http_status) return i;
  }
  return Metrics::kStatuses.size();
}

std::size_t BucketIndex(double seconds) {
  for (std::size_t i = 0; i < Metrics::kDurationBuckets.size(); ++i) {
    if (seconds <= Metrics::kDurationBuckets[i]) return i;
  }
  return Metrics::kDurationBuckets.size();
}

// The shortest decimal that reads back as `value`, never in exponent form ("0.0005", "10").
std::string FormatDouble(double value) {
  std::array<char, 64> buffer{};
  auto [end, error] = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value, std::chars_format::fixed);
  if (error != std::errc()) return "0";
  return std::string(buffer.data(), end);
}

// A label value with \, " and line feed escaped as the text format requires.
std::string EscapeLabelValue(std::string_view value) {
  std::string escaped;
  escaped.reserve(value.size());
  for (char c : value) {
    switch (c) {
      case '\\': escaped += "\\\\"; break;
      case '"': escaped += "\\\""; break;
      case '\n': escaped += "\\n"; break;
      default: escaped.push_back(c);
    }
  }
  return escaped;
}

void AppendHeader(std::string& out, std::string_view name, std::string_view type, std::string_view help) {
  out.append("# HELP ").append(name).append(" ").append(help).append("\n");
  out.append("# TYPE ").append(name).append(" ").append(type).append("\n");
}

// One sample line; `labels` is already escaped and joined ("method=\"x\",code=\"200\"") or empty.
void AppendSample(std::string& out, std::string_view name, std::string_view labels, std::string_view value) {
  out.append(name);
  if (!labels.empty()) out.append("{").append(labels).append("}");
  out.append(" ").append(value).append("\n");
}

std::string Label(std::string_view key, std::string_view value) {
  return std::string(key) + "=\"" + EscapeLabelValue(value) + "\"";
}

int BreakerStateValue(CircuitBreaker::State state) {
  switch (state) {
    case CircuitBreaker::State::kClosed: return 0;
    case CircuitBreaker::State::kOpen: return 1;
    case CircuitBreaker::State::kHalfOpen: return 2;
  }
  return 0;
}

}  // namespace

Metrics::Metrics(const std::vector<MethodInfo>& methods) {
  names_.reserve(methods.size() + 1);
  for (const MethodInfo& method : methods) names_.emplace_back(method.name);
  names_.emplace_back(kUnmatchedLabel);
  slots_ = std::make_unique<Slot[]>(names_.size());
}

Metrics::~Metrics() = default;

void Metrics::RecordRequest(std::size_t method_index, int http_status, double seconds) noexcept {
  // The unmatched slot is the last one; kUnmatched and any other out-of-range index land there.
  const std::size_t slot_index = method_index < names_.size() - 1 ? method_index : names_.size() - 1;
  Slot& slot = slots_[slot_index];
  if (!(seconds > 0)) seconds = 0;  // also NaN
  if (seconds > kMaxSeconds) seconds = kMaxSeconds;
  slot.statuses[StatusIndex(http_status)].fetch_add(1, kRelaxed);
  slot.buckets[BucketIndex(seconds)].fetch_add(1, kRelaxed);
  slot.sum_nanoseconds.fetch_add(static_cast<std::uint64_t>(std::llround(seconds * 1e9)), kRelaxed);
}

void Metrics::ConnectionOpened() noexcept { connections_.fetch_add(1, kRelaxed); }
void Metrics::ConnectionClosed() noexcept { connections_.fetch_sub(1, kRelaxed); }
void Metrics::WebSocketOpened() noexcept { websockets_.fetch_add(1, kRelaxed); }
void Metrics::WebSocketClosed() noexcept { websockets_.fetch_sub(1, kRelaxed); }
void Metrics::WebSocketEventSent() noexcept { websocket_events_.fetch_add(1, kRelaxed); }

std::string Metrics::Render(const PortalHealth& health) const {
  std::string out;
  out.reserve(4096);

  AppendHeader(out, "portal_http_requests_total", "counter",
               "HTTP requests answered, by method of the dispatch table and HTTP status code.");
  for (std::size_t m = 0; m < names_.size(); ++m) {
    const std::string method = Label("method", names_[m]);
    for (std::size_t s = 0; s <= kStatuses.size(); ++s) {
      const std::uint64_t count = slots_[m].statuses[s].load(kRelaxed);
      if (count == 0) continue;
      const std::string code = s < kStatuses.size() ? std::to_string(kStatuses[s]) : "other";
      AppendSample(out, "portal_http_requests_total", method + "," + Label("code", code), std::to_string(count));
    }
  }

  AppendHeader(out, "portal_http_request_duration_seconds", "histogram",
               "Time from a request's first byte read to its response written, by method.");
  for (std::size_t m = 0; m < names_.size(); ++m) {
    std::array<std::uint64_t, kDurationBuckets.size() + 1> counts{};
    std::uint64_t total = 0;
    for (std::size_t b = 0; b < counts.size(); ++b) {
      counts[b] = slots_[m].buckets[b].load(kRelaxed);
      total += counts[b];
    }
    if (total == 0) continue;
    const std::string method = Label("method", names_[m]);
    std::uint64_t cumulative = 0;
    for (std::size_t b = 0; b < kDurationBuckets.size(); ++b) {
      cumulative += counts[b];
      AppendSample(out, "portal_http_request_duration_seconds_bucket",
                   method + "," + Label("le", FormatDouble(kDurationBuckets[b])), std::to_string(cumulative));
    }
    AppendSample(out, "portal_http_request_duration_seconds_bucket", method + "," + Label("le", "+Inf"),
                 std::to_string(total));
    const double sum = static_cast<double>(slots_[m].sum_nanoseconds.load(kRelaxed)) / 1e9;
    AppendSample(out, "portal_http_request_duration_seconds_sum", method, FormatDouble(sum));
    AppendSample(out, "portal_http_request_duration_seconds_count", method, std::to_string(total));
  }

  AppendHeader(out, "portal_http_connections_open", "gauge", "HTTP connections open now.");
  AppendSample(out, "portal_http_connections_open", "", std::to_string(connections_.load(kRelaxed)));
  AppendHeader(out, "portal_http_websockets_open", "gauge", "WebSockets open now.");
  AppendSample(out, "portal_http_websockets_open", "", std::to_string(websockets_.load(kRelaxed)));
  AppendHeader(out, "portal_http_websocket_events_total", "counter", "Event frames pushed to WebSocket clients.");
  AppendSample(out, "portal_http_websocket_events_total", "", std::to_string(websocket_events_.load(kRelaxed)));

  AppendHeader(out, "selfservice_circuit_breaker_state", "gauge",
               "State of each circuit breaker: 0 closed, 1 open, 2 half open.");
  for (const PortalHealth::Breaker& breaker : health.breakers) {
    AppendSample(out, "selfservice_circuit_breaker_state", Label("breaker", breaker.name),
                 std::to_string(BreakerStateValue(breaker.state)));
  }
  AppendHeader(out, "selfservice_circuit_breaker_open", "gauge", "1 while a circuit breaker is open, else 0.");
  for (const PortalHealth::Breaker& breaker : health.breakers) {
    AppendSample(out, "selfservice_circuit_breaker_open", Label("breaker", breaker.name),
                 breaker.state == CircuitBreaker::State::kOpen ? "1" : "0");
  }
  AppendHeader(out, "selfservice_database_up", "gauge", "1 when the store answered a query just now, else 0.");
  AppendSample(out, "selfservice_database_up", "", health.database_ok ? "1" : "0");
  AppendHeader(out, "selfservice_outbox_pending", "gauge",
               "Outbox items of all tenants neither delivered nor abandoned.");
  AppendSample(out, "selfservice_outbox_pending", "", std::to_string(health.outbox_pending));
  AppendHeader(out, "selfservice_outbox_oldest_pending_age_seconds", "gauge",
               "Age of the oldest pending outbox item; 0 when none is pending.");
  AppendSample(out, "selfservice_outbox_oldest_pending_age_seconds", "",
               std::to_string(health.outbox_oldest_pending_age_seconds.value_or(0)));
  AppendHeader(out, "selfservice_subscriptions", "gauge", "Live ticket status subscriptions.");
  AppendSample(out, "selfservice_subscriptions", "", std::to_string(health.subscriptions));
  return out;
}

}  // namespace selfservice::server

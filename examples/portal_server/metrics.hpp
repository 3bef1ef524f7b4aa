// Prometheus metrics of portal_server (GET /metrics), in the text exposition format 0.0.4
// (Content-Type "text/plain; version=0.0.4").
//
// Every label set is fixed when the registry is built (one slot per method of the dispatch table,
// one per HTTP status the server answers), so recording a request allocates nothing and takes no
// lock: relaxed atomic increments only.
//
// Thread safety: every member may be called from any thread at once. Render reads the counters
// one by one while others may be recording, so it shows a state that each counter passed through;
// within one histogram the +Inf bucket always equals _count.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "selfservice/portal.hpp"

namespace selfservice::server {

class Metrics {
 public:
  // The upper bounds (seconds) of the request duration histogram, ascending; +Inf follows.
  static constexpr std::array<double, 14> kDurationBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                              0.1,    0.25,  0.5,    1,     2.5,  5,     10};
  // The statuses counted under their own code label (101: a WebSocket upgrade); any other counts
  // as code="other".
  static constexpr std::array<int, 19> kStatuses = {101, 200, 201, 204, 400, 401, 403, 404, 405, 408,
                                                    409, 413, 415, 422, 429, 500, 502, 503, 504};
  // The method index of a request that matched no method (a 404, /healthz, /metrics, ...).
  static constexpr std::size_t kUnmatched = static_cast<std::size_t>(-1);
  // The method label of those requests.
  static constexpr std::string_view kUnmatchedLabel = "(none)";

  // One slot per entry of `methods` (normally Portal::Methods()), whose names become the method
  // label; their index in `methods` is the index RecordRequest takes.
  explicit Metrics(const std::vector<MethodInfo>& methods);
  ~Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // One HTTP request answered: the index of its method in the constructor's `methods`
  // (kUnmatched, or any index out of range, counts as unmatched), its HTTP status and how long it
  // took. A negative or NaN duration counts as 0, one beyond 10^6 s as 10^6 s. Wait-free.
  void RecordRequest(std::size_t method_index, int http_status, double seconds) noexcept;

  // The open connections (TLS or plain, before any upgrade) and WebSockets: each Opened is paired
  // with one Closed.
  void ConnectionOpened() noexcept;
  void ConnectionClosed() noexcept;
  void WebSocketOpened() noexcept;
  void WebSocketClosed() noexcept;
  // One event frame pushed to a WebSocket client.
  void WebSocketEventSent() noexcept;

  // The exposition text: portal_http_requests_total{method,code} (only the codes seen),
  // portal_http_request_duration_seconds{method} (only the methods seen), the connection and
  // WebSocket gauges and event counter, and the portal's state from `health`:
  // selfservice_circuit_breaker_state{breaker} (0 closed, 1 open, 2 half open),
  // selfservice_circuit_breaker_open{breaker} (0 or 1), selfservice_database_up (0 or 1),
  // selfservice_outbox_pending, selfservice_outbox_oldest_pending_age_seconds (0 when none is
  // pending) and selfservice_subscriptions. Label values are escaped (\\, \", \n).
  std::string Render(const PortalHealth& health) const;

 private:
  struct Slot;
  std::vector<std::string> names_;      // method labels; the last is kUnmatchedLabel
  std::unique_ptr<Slot[]> slots_;       // names_.size() of them
  std::atomic<std::int64_t> connections_{0};
  std::atomic<std::int64_t> websockets_{0};
  std::atomic<std::uint64_t> websocket_events_{0};
};

}  // namespace selfservice::server

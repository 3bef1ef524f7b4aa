#include <algorithm>
#include <random>

#include "core/logging.hpp"
#include "engine/engines.hpp"

namespace selfservice {
namespace {

constexpr int kMaxDeliverLimit = 1000;

double RandomJitter() {
  thread_local std::mt19937_64 engine{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(engine);
}

}  // namespace

OutboxRelay::OutboxRelay(Store& store, const Clock& clock, OutboxPolicy policy, Jitter jitter)
    : store_(store), clock_(clock), policy_(policy), jitter_(jitter ? std::move(jitter) : Jitter(RandomJitter)) {}

void OutboxRelay::Register(std::string topic, Deliverer deliverer) {
  deliverers_.emplace_back(std::move(topic), std::move(deliverer));
}

Result<OutboxRepository::Enqueued> OutboxRelay::Enqueue(const RequestContext& context, std::string topic,
                                                        std::string idempotency_key, std::string payload) {
  OutboxItem item;
  item.topic = std::move(topic);
  item.idempotency_key = std::move(idempotency_key);
  item.payload = std::move(payload);
  item.created_at = item.next_attempt_at = Timestamp{clock_.NowMillis()};
  return store_.outbox().Enqueue(Scope(context), std::move(item));
}

std::int64_t OutboxRelay::Backoff(int attempts, double jitter) const {
  // Exponential, capped; the first half of the wait is fixed and the second half random ("equal
  // jitter"), so retries of many items spread out but none comes back too soon.
  std::int64_t delay = policy_.base_delay_ms;
  for (int i = 1; i < attempts && delay < policy_.max_delay_ms; ++i) delay *= 2;
  delay = std::min(delay, policy_.max_delay_ms);
  const double spread = std::clamp(jitter, 0.0, 1.0);
  return delay / 2 + static_cast<std::int64_t>(static_cast<double>(delay - delay / 2) * spread);
}

Result<OutboxReport> OutboxRelay::Deliver(const RequestContext& context, int limit) {
  if (limit < 1 || limit > kMaxDeliverLimit) {
    return Status::InvalidField("limit", field_code::kOutOfRange, {{"min", "1"}, {"max", std::to_string(kMaxDeliverLimit)}});
  }
  const Scope scope(context);
  const std::int64_t now = clock_.NowMillis();
  auto items = store_.outbox().Lease(scope, Timestamp{now}, Timestamp{now + policy_.lease_ms}, limit);
  if (!items.ok()) return items.status();
  OutboxReport report;
  for (const auto& item : *items) {
    auto found = std::find_if(deliverers_.begin(), deliverers_.end(),
                              [&](const auto& entry) { return entry.first == item.topic; });
    if (found == deliverers_.end()) continue;  // due again when the lease ends
    Status delivered;
    try {
      delivered = found->second(scope, item);
    } catch (const std::exception& error) {
      delivered = Status::Error(ErrorCode::kDatabaseUnavailable, error.what(), true);
    }
    Status marked;
    if (delivered.ok()) {
      marked = store_.outbox().MarkDelivered(scope, item.id, Timestamp{clock_.NowMillis()});
      if (marked.ok()) ++report.delivered;
    } else {
      const int attempts = item.attempts + 1;
      const bool give_up = !CountsAsFailure(delivered) || attempts >= policy_.max_attempts;
      const std::int64_t next = clock_.NowMillis() + (give_up ? 0 : Backoff(attempts, jitter_()));
      marked = store_.outbox().MarkFailed(scope, item.id, Timestamp{next}, delivered.detail(), give_up);
      if (marked.ok()) ++(give_up ? report.abandoned : report.retried);
      Log().info("outbox: {} item {} attempt {} failed ({}){}", item.topic, item.id, attempts, delivered.detail(),
                 give_up ? ", abandoned" : "");
    }
    if (!marked.ok()) return marked;
  }
  auto counts = store_.outbox().Counts(scope, std::nullopt);
  if (!counts.ok()) return counts.status();
  report.counts = *counts;
  return report;
}

}  // namespace selfservice

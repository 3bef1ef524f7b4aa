#include "notify/notification_dispatcher.hpp"

#include <random>
#include <utility>

#include "core/logging.hpp"
#include "notify/notification_json.hpp"
#include "selfservice/circuit_breaker.hpp"

namespace selfservice::notify {
namespace {

double RandomJitter() {
  thread_local std::mt19937_64 engine{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(engine);
}

// The relay's view of a tenant: the whole tenant, as outbox.deliver (platform_admin) sees it.
RequestContext TenantContext(std::int64_t tenant_id) {
  RequestContext context;
  context.tenant_id = tenant_id;
  context.roles = static_cast<unsigned>(Role::kPlatformAdmin);
  return context;
}

Status SendCatching(Notifier& channel, const TicketNotification& notification) {
  try {
    return channel.Send(notification);
  } catch (const std::exception& error) {
    return Status::Error(ErrorCode::kDatabaseUnavailable, error.what(), true);
  } catch (...) {
    return Status::Error(ErrorCode::kDatabaseUnavailable, "the channel threw", true);
  }
}

}  // namespace

NotificationDispatcher::NotificationDispatcher(Store& store, OutboxRelay& outbox, const Clock& clock,
                                               std::vector<std::shared_ptr<Notifier>> channels)
    : store_(store), outbox_(outbox), clock_(clock), channels_(std::move(channels)) {
  for (const auto& channel : channels_) {
    outbox_.Register(Topic(channel->name()), [target = channel](const Scope&, const OutboxItem& item) -> Status {
      auto notification = FromPayload(item.payload, item.idempotency_key);
      if (!notification.ok()) return notification.status();  // not ours to retry: abandoned
      return SendCatching(*target, *notification);
    });
  }
  thread_ = std::thread([this] { Run(); });
}

NotificationDispatcher::~NotificationDispatcher() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void NotificationDispatcher::AddOutboxItems(const TicketChange& change, std::vector<OutboxItem>& items) const {
  for (const auto& channel : channels_) {
    TicketNotification notification = FromChange(change);
    if (!channel->Wants(notification)) continue;
    // Leased for the dispatcher's first attempt right after the commit, so outbox.deliver leaves
    // it alone meanwhile; if the process dies first, the relay takes it when the lease ends.
    items.push_back(ItemFor(*channel, change, notification, Timestamp{change.at.millis + OutboxPolicy().lease_ms}));
  }
}

void NotificationDispatcher::OnTicketChanged(const TicketChange& change) noexcept {
  try {
    {
      std::lock_guard lock(mutex_);
      if (channels_.empty() || stop_) return;
      queue_.push_back(change);
    }
    wake_.notify_one();
  } catch (...) {
    Log().error("notifications: could not queue the change of ticket {}", change.ticket_id);
  }
}

OutboxItem NotificationDispatcher::ItemFor(const Notifier& channel, const TicketChange& change,
                                           TicketNotification& notification, Timestamp next_attempt_at) {
  notification.idempotency_key = "ticket-" + std::to_string(change.ticket_id) + "-" + std::to_string(change.at.millis) +
                                 "-" + std::string(EnumName(change.to)) + "-" + std::string(channel.name());
  OutboxItem item;
  item.topic = Topic(channel.name());
  item.idempotency_key = notification.idempotency_key;
  item.payload = ToPayload(notification);
  item.created_at = change.at;
  item.next_attempt_at = next_attempt_at;
  return item;
}

void NotificationDispatcher::Drain() {
  std::unique_lock lock(mutex_);
  idle_.wait(lock, [&] { return (queue_.empty() && !busy_) || stop_; });
}

void NotificationDispatcher::Run() {
  std::unique_lock lock(mutex_);
  while (true) {
    wake_.wait(lock, [&] { return stop_ || !queue_.empty(); });
    if (queue_.empty()) break;  // stopping with nothing left
    TicketChange change = std::move(queue_.front());
    queue_.pop_front();
    busy_ = true;
    const bool attempt = !stop_;  // when stopping, what is left waits in the outbox
    lock.unlock();
    if (attempt) Attempt(change);
    lock.lock();
    busy_ = false;
    if (queue_.empty()) idle_.notify_all();
  }
  idle_.notify_all();
}

void NotificationDispatcher::Attempt(const TicketChange& change) {
  const Scope scope(TenantContext(change.tenant_id));
  for (const auto& channel : channels_) {
    try {
      TicketNotification notification = FromChange(change);
      if (!channel->Wants(notification)) continue;
      // The change's transaction stored the item (AddOutboxItems); this finds it, or stores it
      // for a change that came without one.
      OutboxItem item = ItemFor(*channel, change, notification, Timestamp{clock_.NowMillis() + OutboxPolicy().lease_ms});
      auto stored = store_.outbox().Enqueue(scope, std::move(item));
      if (!stored.ok()) {
        Log().error("notifications: could not store the {} notification of ticket {}: {}", channel->name(),
                    change.ticket_id, stored.status().detail());
        continue;
      }
      const OutboxItem& held = stored->item;
      // Tried before (a repeated change), or delivered or abandoned: the outbox has it.
      if (held.attempts > 0 || held.delivered_at || held.abandoned) continue;
      const Status sent = SendCatching(*channel, notification);
      Status marked;
      if (sent.ok()) {
        marked = store_.outbox().MarkDelivered(scope, held.id, Timestamp{clock_.NowMillis()});
      } else {
        const bool give_up = !CountsAsFailure(sent);
        const std::int64_t next = clock_.NowMillis() + (give_up ? 0 : outbox_.Backoff(1, RandomJitter()));
        marked = store_.outbox().MarkFailed(scope, held.id, Timestamp{next}, sent.detail(), give_up);
        Log().warn("notifications: {} of ticket {} failed ({}){}", channel->name(), change.ticket_id, sent.detail(),
                   give_up ? ", abandoned" : ", retried by outbox.deliver");
      }
      if (!marked.ok()) {
        Log().error("notifications: could not record the {} attempt of ticket {}: {}", channel->name(),
                    change.ticket_id, marked.detail());
      }
    } catch (const std::exception& error) {
      Log().error("notifications: {} of ticket {} failed: {}", channel->name(), change.ticket_id, error.what());
    }
  }
}

}  // namespace selfservice::notify

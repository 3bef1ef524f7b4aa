// Feeds the notification channels (spec 5.1 "NS", 8.2) from the ticket engine's changes.
//
// Inside a change's transaction, AddOutboxItems owes one outbox item per channel that wants the
// change (topic "notify.<channel>", idempotency key "ticket-<id>-<at millis>-<to>-<channel>",
// payload notify::ToPayload), leased for the relay's lease time, so a crash after the commit loses
// no notification. OnTicketChanged then only queues the change, and the dispatcher's own thread
// makes the first attempt at once: delivered, or failed with the relay's backoff (abandoned at once
// when the receiver refused it). Later attempts are outbox.deliver's, through the deliverers the
// dispatcher registers; the outbox keeps attempts and last_error. Changes still queued when the
// dispatcher is destroyed wait in the outbox, which delivers them once their lease ends.
//
// Thread safety: OnTicketChanged may be called from any thread; it never blocks beyond a mutex.

#pragma once

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "engine/engines.hpp"
#include "engine/ticket_events.hpp"
#include "selfservice/clock.hpp"
#include "selfservice/notifier.hpp"
#include "selfservice/repository.hpp"

namespace selfservice::notify {

class NotificationDispatcher final : public TicketObserver {
 public:
  // None of the references is owned; each must outlive the dispatcher. Registers one deliverer
  // per channel with `outbox` (before any outbox.deliver may run). Channels need distinct names.
  NotificationDispatcher(Store& store, OutboxRelay& outbox, const Clock& clock,
                         std::vector<std::shared_ptr<Notifier>> channels);
  ~NotificationDispatcher() override;

  void AddOutboxItems(const TicketChange& change, std::vector<OutboxItem>& items) const override;
  void OnTicketChanged(const TicketChange& change) noexcept override;

  // Returns once every change queued before the call has been stored and tried (tests, benchmarks).
  void Drain();

  static std::string Topic(std::string_view channel) { return "notify." + std::string(channel); }

 private:
  void Run();
  // The outbox item of `notification` (FromChange(change)) for `channel`; sets its idempotency key.
  static OutboxItem ItemFor(const Notifier& channel, const TicketChange& change, TicketNotification& notification,
                            Timestamp next_attempt_at);
  // The first attempt of each of the change's items that nobody tried yet.
  void Attempt(const TicketChange& change);

  Store& store_;
  OutboxRelay& outbox_;
  const Clock& clock_;
  std::vector<std::shared_ptr<Notifier>> channels_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable idle_;
  std::deque<TicketChange> queue_;
  bool busy_ = false;
  bool stop_ = false;
  std::thread thread_;  // last: starts once everything above exists
};

}  // namespace selfservice::notify

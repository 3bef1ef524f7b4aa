// Live ticket status (Portal::Subscribe, selfservice_subscribe): the hub hears every committed
// ticket change (TicketObserver) and hands it, as event JSON, to the subscriptions whose topic
// matches, on one library thread of its own.
//
// Threading contract (docs/API.md, "Subscriptions"):
//   - OnTicketChanged only copies the change into a queue under a mutex; it never waits for a
//     callback. A full queue (kMaxQueued) drops the oldest event, with a warning.
//   - Callbacks run on the hub's thread, one at a time, in the order of the changes, and never
//     while a lock of the hub (or of the portal) is held: a callback may call Subscribe or
//     Unsubscribe, even for itself.
//   - After Unsubscribe(id) returns, no callback of `id` starts; when it is called on another
//     thread while that callback runs, it waits for the callback to return. When called from a
//     callback (on the hub's thread), it does not wait: the running callback finishes, and no
//     other call of `id` follows.
//   - A subscription's callback object is destroyed exactly once, after its last call: by
//     Unsubscribe before it returns, or (unsubscribed from its own callback) on the hub's thread
//     right after that callback returns, or by the hub's destructor for the subscriptions left.
//   - The destructor stops the thread (events not yet delivered are dropped) and then destroys the
//     callbacks left. It must not be called from a callback.
//
// Thread safety: every method may be called from any thread.

#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "engine/ticket_events.hpp"
#include "selfservice/status.hpp"

namespace selfservice {

// Which changes a subscription hears: always one tenant's, narrowed by the fields given.
struct TicketTopic {
  std::int64_t tenant_id = 0;
  std::optional<std::int64_t> customer_id;
  std::optional<std::int64_t> user_id;
  std::optional<std::int64_t> ticket_id;

  bool Matches(const TicketChange& change) const;

  // {"type": "ticket.status" (optional), "tenant_id": 1, "customer_id"?, "user_id"?,
  //  "ticket_id"?}: positive integers, tenant_id required; anything else is 10001 naming the
  // field ("topic_json" when the text is not a JSON object; unknown keys are refused too, so a
  // misspelt filter never widens a subscription silently).
  static Result<TicketTopic> Parse(std::string_view json);
};

class SubscriptionHub final : public TicketObserver {
 public:
  using Callback = std::function<void(std::string_view event_json)>;
  static constexpr std::size_t kMaxQueued = 10000;

  SubscriptionHub();
  ~SubscriptionHub() override;

  // A new subscription's id (positive, never reused by this hub). 10001 for a null callback.
  // The subscription hears changes made after Subscribe returns.
  Result<std::int64_t> Subscribe(TicketTopic topic, Callback callback);
  // 10004 when `id` is not a live subscription (never was, or already unsubscribed).
  Status Unsubscribe(std::int64_t id);

  void OnTicketChanged(const TicketChange& change) noexcept override;

  // The number of live subscriptions.
  std::size_t size() const;

 private:
  struct Subscription {
    std::int64_t id = 0;
    TicketTopic topic;
    Callback callback;
    bool removed = false;
    bool release_after_call = false;  // unsubscribed from its own callback
  };

  void Run();
  void Deliver(const TicketChange& change);

  mutable std::mutex mutex_;
  std::condition_variable wake_;      // the queue has work, or stop
  std::condition_variable returned_;  // a callback returned
  std::deque<TicketChange> queue_;
  std::map<std::int64_t, std::shared_ptr<Subscription>> subscriptions_;
  const Subscription* in_flight_ = nullptr;
  std::int64_t next_id_ = 1;
  bool stop_ = false;
  std::thread thread_;  // last: starts once everything above exists
};

}  // namespace selfservice

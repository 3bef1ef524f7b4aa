#include "engine/subscription_hub.hpp"

#include <utility>
#include <vector>

#include <boost/json/parse.hpp>

#include "core/logging.hpp"
#include "notify/notification_json.hpp"

namespace selfservice {
namespace json = boost::json;

bool TicketTopic::Matches(const TicketChange& change) const {
  return change.tenant_id == tenant_id && (!customer_id || *customer_id == change.customer_id) &&
         (!user_id || *user_id == change.user_id) && (!ticket_id || *ticket_id == change.ticket_id);
}

Result<TicketTopic> TicketTopic::Parse(std::string_view text) {
  boost::system::error_code ec;
  json::value value = json::parse(text, ec);
  if (ec || !value.is_object()) return Status::InvalidField("topic_json", field_code::kInvalid);
  TicketTopic topic;
  std::vector<FieldError> errors;
  auto id = [&](const json::value& item, std::string_view key) -> std::optional<std::int64_t> {
    if (item.is_int64() && item.get_int64() > 0) return item.get_int64();
    errors.push_back(FieldError{std::string(key), field_code::kInvalid, {}});
    return std::nullopt;
  };
  bool has_tenant = false;
  for (const auto& [key, item] : value.get_object()) {
    if (key == "type") {
      if (!item.is_string() || item.get_string() != "ticket.status")
        errors.push_back(FieldError{"type", field_code::kNotAllowed, {{"allowed", "ticket.status"}}});
    } else if (key == "tenant_id") {
      has_tenant = true;
      topic.tenant_id = id(item, key).value_or(0);
    } else if (key == "customer_id") {
      topic.customer_id = id(item, key);
    } else if (key == "user_id") {
      topic.user_id = id(item, key);
    } else if (key == "ticket_id") {
      topic.ticket_id = id(item, key);
    } else {
      errors.push_back(FieldError{std::string(key), field_code::kNotAllowed,
                                  {{"allowed", "type, tenant_id, customer_id, user_id, ticket_id"}}});
    }
  }
  if (!has_tenant) errors.push_back(FieldError{"tenant_id", field_code::kRequired, {}});
  if (!errors.empty()) return Status::Invalid(std::move(errors));
  return topic;
}

SubscriptionHub::SubscriptionHub() : thread_([this] { Run(); }) {}

SubscriptionHub::~SubscriptionHub() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  thread_.join();
  std::map<std::int64_t, std::shared_ptr<Subscription>> left;
  {
    std::lock_guard lock(mutex_);
    left.swap(subscriptions_);
  }
  left.clear();  // the callbacks' destructors (a C host's destroy), outside the lock
}

Result<std::int64_t> SubscriptionHub::Subscribe(TicketTopic topic, Callback callback) {
  if (!callback) return Status::InvalidField("callback", field_code::kRequired);
  auto subscription = std::make_shared<Subscription>();
  subscription->topic = std::move(topic);
  subscription->callback = std::move(callback);
  std::lock_guard lock(mutex_);
  subscription->id = next_id_++;
  subscriptions_.emplace(subscription->id, subscription);
  return subscription->id;
}

Status SubscriptionHub::Unsubscribe(std::int64_t id) {
  Callback released;
  {
    std::unique_lock lock(mutex_);
    auto found = subscriptions_.find(id);
    if (found == subscriptions_.end()) return Status::NotFound("subscription");
    std::shared_ptr<Subscription> subscription = std::move(found->second);
    subscriptions_.erase(found);
    subscription->removed = true;
    if (in_flight_ == subscription.get()) {
      if (std::this_thread::get_id() == thread_.get_id()) {
        subscription->release_after_call = true;  // Deliver destroys it once the callback returns
        return Status::Ok();
      }
      returned_.wait(lock, [&] { return in_flight_ != subscription.get(); });
    }
    released = std::exchange(subscription->callback, nullptr);
  }
  released = nullptr;  // the callback's destructor runs here, outside the lock, exactly once
  return Status::Ok();
}

void SubscriptionHub::OnTicketChanged(const TicketChange& change) noexcept {
  try {
    bool dropped = false;
    {
      std::lock_guard lock(mutex_);
      if (subscriptions_.empty() || stop_) return;  // nobody listens: nothing to queue
      if (queue_.size() >= kMaxQueued) {
        queue_.pop_front();
        dropped = true;
      }
      queue_.push_back(change);
    }
    wake_.notify_one();
    if (dropped) Log().warn("subscriptions: queue full ({} events), dropped the oldest", kMaxQueued);
  } catch (const std::exception& error) {
    Log().error("subscriptions: could not queue the change of ticket {}: {}", change.ticket_id, error.what());
  } catch (...) {
    Log().error("subscriptions: could not queue the change of ticket {}", change.ticket_id);
  }
}

std::size_t SubscriptionHub::size() const {
  std::lock_guard lock(mutex_);
  return subscriptions_.size();
}

void SubscriptionHub::Run() {
  std::unique_lock lock(mutex_);
  while (true) {
    wake_.wait(lock, [&] { return stop_ || !queue_.empty(); });
    if (stop_) return;
    TicketChange change = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    try {
      Deliver(change);
    } catch (const std::exception& error) {
      Log().error("subscriptions: delivery of a change of ticket {} failed: {}", change.ticket_id, error.what());
    }
    lock.lock();
  }
}

void SubscriptionHub::Deliver(const TicketChange& change) {
  std::vector<std::shared_ptr<Subscription>> matching;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [id, subscription] : subscriptions_) {
      if (subscription->topic.Matches(change)) matching.push_back(subscription);
    }
  }
  if (matching.empty()) return;
  const std::string event = TicketEventJson(notify::FromChange(change));
  for (const auto& subscription : matching) {
    {
      std::lock_guard lock(mutex_);
      if (subscription->removed || stop_) continue;
      in_flight_ = subscription.get();
    }
    try {
      subscription->callback(event);
    } catch (const std::exception& error) {
      Log().error("subscriptions: the callback of subscription {} threw: {}", subscription->id, error.what());
    } catch (...) {
      Log().error("subscriptions: the callback of subscription {} threw", subscription->id);
    }
    Callback released;
    {
      std::lock_guard lock(mutex_);
      in_flight_ = nullptr;
      if (subscription->release_after_call) released = std::exchange(subscription->callback, nullptr);
    }
    returned_.notify_all();
    released = nullptr;
  }
}

}  // namespace selfservice

// SubscriptionHub: delivery of ticket changes to matching subscriptions on the hub's thread,
// tenant isolation and narrower filters, and the unsubscribe / destroy guarantees.

#include "engine/subscription_hub.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <boost/json/parse.hpp>

namespace selfservice {
namespace {

using namespace std::chrono_literals;

TicketChange Change(std::int64_t tenant, std::int64_t customer, std::int64_t user, std::int64_t ticket,
                    std::optional<TicketStatus> from = TicketStatus::open, TicketStatus to = TicketStatus::in_progress) {
  TicketChange change;
  change.tenant_id = tenant;
  change.customer_id = customer;
  change.user_id = user;
  change.ticket_id = ticket;
  change.title = "VPN 断线";
  change.from = from;
  change.to = to;
  change.actor_id = 7;
  change.at = Timestamp{1'700'000'000'000};
  change.contact_email = "alice@example.com";
  return change;
}

// Collects the events a callback hears, and waits for them.
class Inbox {
 public:
  SubscriptionHub::Callback Callback() {
    return [this](std::string_view event) {
      std::lock_guard lock(mutex_);
      events_.emplace_back(event);
      threads_.push_back(std::this_thread::get_id());
      arrived_.notify_all();
    };
  }
  bool WaitFor(std::size_t count, std::chrono::milliseconds timeout = 5s) {
    std::unique_lock lock(mutex_);
    return arrived_.wait_for(lock, timeout, [&] { return events_.size() >= count; });
  }
  std::vector<std::string> events() {
    std::lock_guard lock(mutex_);
    return events_;
  }
  std::vector<std::thread::id> threads() {
    std::lock_guard lock(mutex_);
    return threads_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable arrived_;
  std::vector<std::string> events_;
  std::vector<std::thread::id> threads_;
};

// Counts its own destruction: stands for a C host's destroy(user_data).
struct DestroyCounter {
  explicit DestroyCounter(std::atomic<int>& count) : count_(count) {}
  ~DestroyCounter() { ++count_; }
  std::atomic<int>& count_;
};

TicketTopic Tenant(std::int64_t tenant) {
  TicketTopic topic;
  topic.tenant_id = tenant;
  return topic;
}

// Returns once every change reported before has been delivered: the hub delivers in order, so a
// change of a tenant nobody else listens to arrives after them.
void Barrier(SubscriptionHub& hub) {
  constexpr std::int64_t kBarrierTenant = 999'999;
  Inbox inbox;
  auto id = hub.Subscribe(Tenant(kBarrierTenant), inbox.Callback());
  ASSERT_TRUE(id.ok());
  hub.OnTicketChanged(Change(kBarrierTenant, 1, 1, 1));
  ASSERT_TRUE(inbox.WaitFor(1));
  ASSERT_TRUE(hub.Unsubscribe(*id).ok());
}

TEST(TicketTopicTest, ParsesTenantAndOptionalFilters) {
  auto topic = TicketTopic::Parse(R"({"type": "ticket.status", "tenant_id": 1, "customer_id": 10, "ticket_id": 5})");
  ASSERT_TRUE(topic.ok());
  EXPECT_EQ(topic->tenant_id, 1);
  EXPECT_EQ(topic->customer_id, 10);
  EXPECT_FALSE(topic->user_id.has_value());
  EXPECT_EQ(topic->ticket_id, 5);
}

TEST(TicketTopicTest, RequiresTheTenant) {
  auto topic = TicketTopic::Parse(R"({"customer_id": 10})");
  ASSERT_FALSE(topic.ok());
  EXPECT_EQ(topic.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(topic.status().field_errors().at(0).field, "tenant_id");
  EXPECT_EQ(topic.status().field_errors().at(0).code, field_code::kRequired);
}

TEST(TicketTopicTest, RefusesMalformedTextBadIdsUnknownKeysAndOtherTypes) {
  EXPECT_EQ(TicketTopic::Parse("{not json").status().field_errors().at(0).field, "topic_json");
  EXPECT_EQ(TicketTopic::Parse("[1]").status().field_errors().at(0).field, "topic_json");
  EXPECT_EQ(TicketTopic::Parse(R"({"tenant_id": 0})").status().field_errors().at(0).field, "tenant_id");
  EXPECT_EQ(TicketTopic::Parse(R"({"tenant_id": "1"})").status().field_errors().at(0).field, "tenant_id");
  EXPECT_EQ(TicketTopic::Parse(R"({"tenant_id": 1, "user_id": -3})").status().field_errors().at(0).field, "user_id");
  EXPECT_EQ(TicketTopic::Parse(R"({"tenant_id": 1, "custmer_id": 3})").status().field_errors().at(0).field,
            "custmer_id");
  EXPECT_EQ(TicketTopic::Parse(R"({"tenant_id": 1, "type": "ticket.comment"})").status().field_errors().at(0).field,
            "type");
}

TEST(SubscriptionHubTest, DeliversTheEventJsonOnTheHubsThread) {
  SubscriptionHub hub;
  Inbox inbox;
  ASSERT_TRUE(hub.Subscribe(Tenant(1), inbox.Callback()).ok());
  TicketChange change = Change(1, 10, 100, 5);
  change.external_id = "INC-5";
  change.comment = "已分配";
  hub.OnTicketChanged(change);
  ASSERT_TRUE(inbox.WaitFor(1));
  EXPECT_NE(inbox.threads().at(0), std::this_thread::get_id());
  const boost::json::object event = boost::json::parse(inbox.events().at(0)).as_object();
  EXPECT_EQ(event.at("type"), "ticket.status");
  EXPECT_EQ(event.at("tenant_id"), 1);
  EXPECT_EQ(event.at("customer_id"), 10);
  EXPECT_EQ(event.at("user_id"), 100);
  EXPECT_EQ(event.at("ticket_id"), 5);
  EXPECT_EQ(event.at("external_id"), "INC-5");
  EXPECT_EQ(event.at("title"), "VPN 断线");
  EXPECT_EQ(event.at("from"), "open");
  EXPECT_EQ(event.at("to"), "in_progress");
  EXPECT_EQ(event.at("comment"), "已分配");
  EXPECT_EQ(event.at("actor_id"), 7);
  EXPECT_EQ(event.at("at"), "2023-11-14T22:13:20.000Z");
  EXPECT_FALSE(event.contains("contact_email"));  // personal data stays out of the event
}

TEST(SubscriptionHubTest, ACreatedTicketHasNoFromStatus) {
  SubscriptionHub hub;
  Inbox inbox;
  ASSERT_TRUE(hub.Subscribe(Tenant(1), inbox.Callback()).ok());
  hub.OnTicketChanged(Change(1, 10, 100, 5, std::nullopt, TicketStatus::open));
  ASSERT_TRUE(inbox.WaitFor(1));
  const boost::json::object event = boost::json::parse(inbox.events().at(0)).as_object();
  EXPECT_TRUE(event.at("from").is_null());
  EXPECT_EQ(event.at("to"), "open");
}

TEST(SubscriptionHubTest, DeliversChangesInTheirOrder) {
  SubscriptionHub hub;
  Inbox inbox;
  ASSERT_TRUE(hub.Subscribe(Tenant(1), inbox.Callback()).ok());
  for (int ticket = 1; ticket <= 50; ++ticket) hub.OnTicketChanged(Change(1, 10, 100, ticket));
  ASSERT_TRUE(inbox.WaitFor(50));
  const auto events = inbox.events();
  for (int i = 0; i < 50; ++i) {
    EXPECT_EQ(boost::json::parse(events[i]).at("ticket_id"), i + 1);
  }
}

TEST(SubscriptionHubTest, NeverDeliversAnotherTenantsChanges) {
  SubscriptionHub hub;
  Inbox tenant1;
  Inbox tenant2;
  ASSERT_TRUE(hub.Subscribe(Tenant(1), tenant1.Callback()).ok());
  ASSERT_TRUE(hub.Subscribe(Tenant(2), tenant2.Callback()).ok());
  hub.OnTicketChanged(Change(2, 10, 100, 5));
  hub.OnTicketChanged(Change(1, 10, 100, 6));
  ASSERT_TRUE(tenant1.WaitFor(1));
  ASSERT_TRUE(tenant2.WaitFor(1));
  Barrier(hub);
  ASSERT_EQ(tenant1.events().size(), 1u);
  EXPECT_EQ(boost::json::parse(tenant1.events()[0]).at("ticket_id"), 6);
  ASSERT_EQ(tenant2.events().size(), 1u);
  EXPECT_EQ(boost::json::parse(tenant2.events()[0]).at("ticket_id"), 5);
}

TEST(SubscriptionHubTest, FiltersByCustomerUserAndTicket) {
  SubscriptionHub hub;
  Inbox by_customer;
  Inbox by_user;
  Inbox by_ticket;
  TicketTopic customer = Tenant(1);
  customer.customer_id = 10;
  TicketTopic user = Tenant(1);
  user.user_id = 100;
  TicketTopic ticket = Tenant(1);
  ticket.ticket_id = 5;
  ASSERT_TRUE(hub.Subscribe(customer, by_customer.Callback()).ok());
  ASSERT_TRUE(hub.Subscribe(user, by_user.Callback()).ok());
  ASSERT_TRUE(hub.Subscribe(ticket, by_ticket.Callback()).ok());
  hub.OnTicketChanged(Change(1, 10, 100, 5));  // all three
  hub.OnTicketChanged(Change(1, 10, 101, 6));  // the customer's
  hub.OnTicketChanged(Change(1, 11, 100, 7));  // the user's (ids are per tenant, not per customer)
  hub.OnTicketChanged(Change(1, 11, 102, 8));  // nobody's
  Barrier(hub);
  EXPECT_EQ(by_customer.events().size(), 2u);
  EXPECT_EQ(by_user.events().size(), 2u);
  EXPECT_EQ(by_ticket.events().size(), 1u);
}

TEST(SubscriptionHubTest, HearsOnlyChangesAfterSubscribing) {
  SubscriptionHub hub;
  hub.OnTicketChanged(Change(1, 10, 100, 5));  // nobody listens: not even queued
  Inbox inbox;
  ASSERT_TRUE(hub.Subscribe(Tenant(1), inbox.Callback()).ok());
  hub.OnTicketChanged(Change(1, 10, 100, 6));
  Barrier(hub);
  ASSERT_EQ(inbox.events().size(), 1u);
  EXPECT_EQ(boost::json::parse(inbox.events()[0]).at("ticket_id"), 6);
}

TEST(SubscriptionHubTest, RefusesANullCallback) {
  SubscriptionHub hub;
  auto id = hub.Subscribe(Tenant(1), nullptr);
  ASSERT_FALSE(id.ok());
  EXPECT_EQ(id.status().code(), ErrorCode::kInvalidArgument);
}

TEST(SubscriptionHubTest, IdsArePositiveAndNeverReused) {
  SubscriptionHub hub;
  Inbox inbox;
  auto first = hub.Subscribe(Tenant(1), inbox.Callback());
  ASSERT_TRUE(first.ok());
  EXPECT_GT(*first, 0);
  ASSERT_TRUE(hub.Unsubscribe(*first).ok());
  auto second = hub.Subscribe(Tenant(1), inbox.Callback());
  ASSERT_TRUE(second.ok());
  EXPECT_NE(*first, *second);
}

TEST(SubscriptionHubTest, UnsubscribingAnUnknownOrEndedIdIsNotFound) {
  SubscriptionHub hub;
  EXPECT_EQ(hub.Unsubscribe(42).code(), ErrorCode::kNotFound);
  Inbox inbox;
  auto id = hub.Subscribe(Tenant(1), inbox.Callback());
  ASSERT_TRUE(id.ok());
  EXPECT_TRUE(hub.Unsubscribe(*id).ok());
  EXPECT_EQ(hub.Unsubscribe(*id).code(), ErrorCode::kNotFound);
}

TEST(SubscriptionHubTest, NoCallbackAfterUnsubscribeReturns) {
  SubscriptionHub hub;
  std::atomic<bool> ended{false};
  std::atomic<int> late{0};
  auto id = hub.Subscribe(Tenant(1), [&](std::string_view) {
    if (ended) ++late;
    std::this_thread::sleep_for(1ms);
  });
  ASSERT_TRUE(id.ok());
  std::thread producer([&] {
    for (int i = 0; i < 200; ++i) hub.OnTicketChanged(Change(1, 10, 100, i));
  });
  std::this_thread::sleep_for(20ms);  // callbacks are running now
  ASSERT_TRUE(hub.Unsubscribe(*id).ok());
  ended = true;
  producer.join();
  Barrier(hub);
  EXPECT_EQ(late, 0);
}

TEST(SubscriptionHubTest, UnsubscribeWaitsForTheRunningCallback) {
  SubscriptionHub hub;
  std::atomic<bool> inside{false};
  std::atomic<bool> finished{false};
  auto id = hub.Subscribe(Tenant(1), [&](std::string_view) {
    inside = true;
    std::this_thread::sleep_for(100ms);
    finished = true;
  });
  ASSERT_TRUE(id.ok());
  hub.OnTicketChanged(Change(1, 10, 100, 5));
  while (!inside) std::this_thread::sleep_for(1ms);
  ASSERT_TRUE(hub.Unsubscribe(*id).ok());
  EXPECT_TRUE(finished);
}

TEST(SubscriptionHubTest, DestroysTheCallbackOnceWhenUnsubscribed) {
  std::atomic<int> destroyed{0};
  SubscriptionHub hub;
  auto counter = std::make_shared<DestroyCounter>(destroyed);
  auto id = hub.Subscribe(Tenant(1), [counter](std::string_view) {});
  counter.reset();
  ASSERT_TRUE(id.ok());
  hub.OnTicketChanged(Change(1, 10, 100, 5));
  Barrier(hub);
  EXPECT_EQ(destroyed, 0);
  ASSERT_TRUE(hub.Unsubscribe(*id).ok());
  EXPECT_EQ(destroyed, 1);  // before Unsubscribe returned
  EXPECT_FALSE(hub.Unsubscribe(*id).ok());
  EXPECT_EQ(destroyed, 1);
}

TEST(SubscriptionHubTest, DestroysTheCallbacksLeftWhenTheHubGoes) {
  std::atomic<int> destroyed{0};
  {
    SubscriptionHub hub;
    for (int i = 0; i < 3; ++i) {
      auto counter = std::make_shared<DestroyCounter>(destroyed);
      ASSERT_TRUE(hub.Subscribe(Tenant(1), [counter](std::string_view) {}).ok());
    }
    hub.OnTicketChanged(Change(1, 10, 100, 5));
  }
  EXPECT_EQ(destroyed, 3);
}

TEST(SubscriptionHubTest, ACallbackMayUnsubscribeItselfAndIsDestroyedRightAfterIt) {
  std::atomic<int> destroyed{0};
  std::atomic<int> calls{0};
  std::atomic<int> destroyed_during_call{-1};
  SubscriptionHub hub;
  auto id = std::make_shared<std::atomic<std::int64_t>>(0);
  auto counter = std::make_shared<DestroyCounter>(destroyed);
  Inbox after;
  auto subscribed = hub.Subscribe(Tenant(1), [&hub, &calls, &destroyed, &destroyed_during_call, id,
                                              counter](std::string_view) {
    ++calls;
    EXPECT_TRUE(hub.Unsubscribe(*id).ok());  // must not deadlock
    destroyed_during_call = destroyed.load();
  });
  counter.reset();
  ASSERT_TRUE(subscribed.ok());
  *id = *subscribed;
  ASSERT_TRUE(hub.Subscribe(Tenant(1), after.Callback()).ok());
  hub.OnTicketChanged(Change(1, 10, 100, 5));
  hub.OnTicketChanged(Change(1, 10, 100, 6));
  ASSERT_TRUE(after.WaitFor(2));
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(destroyed_during_call, 0);  // not destroyed while it ran
  EXPECT_EQ(destroyed, 1);
}

TEST(SubscriptionHubTest, ACallbackMaySubscribeAndUnsubscribeOthersWithoutDeadlock) {
  SubscriptionHub hub;
  Inbox inner;
  std::atomic<std::int64_t> inner_id{0};
  std::atomic<bool> unsubscribed{false};
  ASSERT_TRUE(hub.Subscribe(Tenant(1), [&](std::string_view event) {
                   const std::int64_t ticket = boost::json::parse(event).at("ticket_id").as_int64();
                   if (ticket == 5) {
                     auto id = hub.Subscribe(Tenant(1), inner.Callback());
                     inner_id = id.ok() ? *id : -1;
                   } else if (ticket == 6) {
                     unsubscribed = hub.Unsubscribe(inner_id).ok();
                   }
                 }).ok());
  hub.OnTicketChanged(Change(1, 10, 100, 5));  // subscribes inner, which does not hear this one
  hub.OnTicketChanged(Change(1, 10, 100, 6));  // the outer subscription (older) ends inner first
  hub.OnTicketChanged(Change(1, 10, 100, 7));
  Barrier(hub);
  EXPECT_GT(inner_id, 0);
  EXPECT_TRUE(unsubscribed);
  EXPECT_TRUE(inner.events().empty());
  EXPECT_EQ(hub.size(), 1u);
}

TEST(SubscriptionHubTest, NoLockIsHeldWhileACallbackRuns) {
  // The callback waits for another thread that subscribes, unsubscribes and reports a change:
  // each would block for good if the hub held its lock around the callback.
  SubscriptionHub hub;
  std::atomic<bool> other_done{false};
  std::atomic<bool> once{false};
  ASSERT_TRUE(hub.Subscribe(Tenant(1), [&](std::string_view) {
                   if (once.exchange(true)) return;
                   std::thread other([&] {
                     auto id = hub.Subscribe(Tenant(1), [](std::string_view) {});
                     if (id.ok()) (void)hub.Unsubscribe(*id);
                     hub.OnTicketChanged(Change(1, 10, 100, 9));
                     (void)hub.size();
                     other_done = true;
                   });
                   other.join();
                 }).ok());
  hub.OnTicketChanged(Change(1, 10, 100, 5));
  for (int i = 0; i < 500 && !other_done; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_TRUE(other_done);
}

TEST(SubscriptionHubTest, ACallbackThatThrowsKeepsItsSubscription) {
  SubscriptionHub hub;
  std::atomic<int> calls{0};
  ASSERT_TRUE(hub.Subscribe(Tenant(1), [&](std::string_view) {
                   ++calls;
                   throw std::runtime_error("host bug");
                 }).ok());
  hub.OnTicketChanged(Change(1, 10, 100, 5));
  hub.OnTicketChanged(Change(1, 10, 100, 6));
  Barrier(hub);
  EXPECT_EQ(calls, 2);
}

TEST(SubscriptionHubTest, ManyThreadsSubscribeReportAndUnsubscribeAtOnce) {
  std::atomic<int> destroyed{0};
  std::atomic<int> created{0};
  {
    SubscriptionHub hub;
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < 100; ++i) {
          auto counter = std::make_shared<DestroyCounter>(destroyed);
          ++created;
          auto id = hub.Subscribe(Tenant(1 + t % 2), [counter](std::string_view) {});
          counter.reset();
          hub.OnTicketChanged(Change(1 + t % 2, 10, 100, i));
          if (id.ok() && i % 3 != 0) {
            EXPECT_TRUE(hub.Unsubscribe(*id).ok());
          }
        }
      });
    }
    for (auto& thread : threads) thread.join();
  }
  EXPECT_EQ(destroyed, created);
}

}  // namespace
}  // namespace selfservice

// NotificationDispatcher: one outbox item per channel and change, tried at once on the
// dispatcher's thread, retried by the outbox relay (server down, then up), refusals abandoned,
// failures recorded, secrets never logged; and the whole path through a Portal (tickets.create /
// tickets.transition to subscriptions and channels).

#include "notify/notification_dispatcher.hpp"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <sstream>
#include <thread>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "core/logging.hpp"
#include "selfservice/portal.hpp"
#include "support/callers.hpp"
#include "support/fake_http_server.hpp"
#include "support/fake_smtp_server.hpp"

namespace selfservice {
namespace {

using namespace std::chrono_literals;
using test::Describe;

constexpr std::int64_t kStart = 1'700'000'000'000;

TicketChange Change(std::int64_t ticket, std::optional<TicketStatus> from, TicketStatus to) {
  TicketChange change;
  change.tenant_id = 1;
  change.customer_id = 10;
  change.user_id = 100;
  change.ticket_id = ticket;
  change.title = "打印机卡纸";
  change.from = from;
  change.to = to;
  change.actor_id = 900;
  change.at = Timestamp{kStart};
  change.contact_email = "alice@example.com";
  return change;
}

std::unique_ptr<Store> MemoryStore() {
  auto store = OpenStore("sqlite::memory:");
  if (!store.ok()) throw std::runtime_error(Describe(store));
  return std::move(store).value();
}

WebhookOptions Webhook(const std::string& url) {
  WebhookOptions options;
  options.url = url + "/hook";
  options.secret = "whsec-never-logged";
  options.timeout_ms = 1000;
  return options;
}

class DispatcherTest : public ::testing::Test {
 protected:
  std::shared_ptr<Notifier> MakeWebhook(const std::string& url) {
    auto webhook = CreateWebhookNotifier(Webhook(url));
    if (!webhook.ok()) throw std::runtime_error(Describe(webhook));
    return std::shared_ptr<Notifier>(std::move(webhook).value());
  }
  // The tenant's pending items, without disturbing them for long (a lease of 1 ms).
  std::vector<OutboxItem> Pending() {
    const Scope scope(test::PlatformAdmin(1, 1, 900));
    auto items = store_->outbox().Lease(scope, Timestamp{kStart + 365LL * 24 * 3600 * 1000},
                                        Timestamp{clock_.NowMillis()}, 100);
    return items.ok() ? *items : std::vector<OutboxItem>{};
  }
  // What the ticket engine does with a change: the items the dispatcher owes stored with it (in
  // its transaction), then the committed change announced.
  void Commit(notify::NotificationDispatcher& dispatcher, const TicketChange& change) {
    std::vector<OutboxItem> items;
    dispatcher.AddOutboxItems(change, items);
    for (OutboxItem& item : items) {
      ASSERT_TRUE(store_->outbox().Enqueue(Scope(test::PlatformAdmin(1, 1, 900)), std::move(item)).ok());
    }
    dispatcher.OnTicketChanged(change);
  }
  OutboxCounts Counts(const std::string& topic) {
    auto counts = relay_.Counts(test::PlatformAdmin(1, 1, 900), topic);
    return counts.ok() ? *counts : OutboxCounts{};
  }

  ManualClock clock_{kStart};
  std::unique_ptr<Store> store_ = MemoryStore();
  OutboxRelay relay_{*store_, clock_, OutboxPolicy{}, [] { return 0.0; }};
};

TEST_F(DispatcherTest, SendsEachChangeAtOnceOnItsOwnThread) {
  std::mutex mutex;
  std::vector<std::thread::id> threads;
  std::vector<std::string> keys;
  auto host = std::shared_ptr<Notifier>(CreateCallbackNotifier([&](const TicketNotification& n) {
    std::lock_guard lock(mutex);
    threads.push_back(std::this_thread::get_id());
    keys.push_back(n.idempotency_key);
    return Status::Ok();
  }));
  notify::NotificationDispatcher dispatcher(*store_, relay_, clock_, {host});
  Commit(dispatcher, Change(5, std::nullopt, TicketStatus::new_));
  Commit(dispatcher, Change(5, TicketStatus::new_, TicketStatus::open));
  dispatcher.Drain();
  std::lock_guard lock(mutex);
  ASSERT_EQ(keys.size(), 2u);
  EXPECT_EQ(keys[0], "ticket-5-1700000000000-new-host");
  EXPECT_EQ(keys[1], "ticket-5-1700000000000-open-host");
  EXPECT_NE(threads[0], std::this_thread::get_id());
  EXPECT_EQ(Counts("notify.host").delivered, 2);
}

TEST_F(DispatcherTest, OneItemPerChannelAndEmailOnlyWithAContact) {
  test::FakeHttpServer http;
  test::FakeSmtpServer smtp;
  EmailOptions email_options;
  email_options.smtp_url = smtp.url();
  email_options.from = "portal@example.com";
  auto email = CreateEmailNotifier(email_options);
  ASSERT_TRUE(email.ok());
  notify::NotificationDispatcher dispatcher(*store_, relay_, clock_,
                                            {MakeWebhook(http.url()), std::shared_ptr<Notifier>(std::move(*email))});
  Commit(dispatcher, Change(5, std::nullopt, TicketStatus::new_));
  TicketChange no_contact = Change(6, std::nullopt, TicketStatus::new_);
  no_contact.contact_email.reset();
  Commit(dispatcher, no_contact);
  dispatcher.Drain();
  EXPECT_EQ(http.requests().size(), 2u);
  ASSERT_EQ(smtp.messages().size(), 1u);
  EXPECT_EQ(smtp.messages()[0].rcpt_to.at(0), "alice@example.com");
  EXPECT_EQ(Counts("notify.webhook").delivered, 2);
  EXPECT_EQ(Counts("notify.email").delivered, 1);
  EXPECT_EQ(Counts("notify.email").pending + Counts("notify.email").abandoned, 0);
}

TEST_F(DispatcherTest, ARepeatedChangeIsSentOnce) {
  test::FakeHttpServer http;
  notify::NotificationDispatcher dispatcher(*store_, relay_, clock_, {MakeWebhook(http.url())});
  Commit(dispatcher, Change(5, TicketStatus::open, TicketStatus::in_progress));
  Commit(dispatcher, Change(5, TicketStatus::open, TicketStatus::in_progress));
  dispatcher.Drain();
  EXPECT_EQ(http.requests().size(), 1u);
  EXPECT_EQ(Counts("notify.webhook").delivered, 1);
}

TEST_F(DispatcherTest, AFailedFirstAttemptIsRetriedByTheOutboxOnceTheServerIsBack) {
  test::FakeHttpServer http;
  http.AlwaysReply(test::Reply{503, "{}"});
  notify::NotificationDispatcher dispatcher(*store_, relay_, clock_, {MakeWebhook(http.url())});
  Commit(dispatcher, Change(5, TicketStatus::in_progress, TicketStatus::resolved));
  dispatcher.Drain();
  ASSERT_EQ(http.requests().size(), 1u);
  auto pending = Pending();
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_EQ(pending[0].attempts, 1);
  EXPECT_EQ(pending[0].last_error.value_or(""), "webhook answered HTTP 503");
  EXPECT_GE(pending[0].next_attempt_at.millis, kStart + 500);  // the relay's first backoff, 0.5-1 s
  EXPECT_LT(pending[0].next_attempt_at.millis, kStart + 1000);

  // Still down at the next attempt: the relay keeps it with a longer wait.
  clock_.Advance(2000);
  auto report = relay_.Deliver(test::PlatformAdmin(1, 1, 900), 10);
  ASSERT_TRUE(report.ok()) << Describe(report);
  EXPECT_EQ(report->retried, 1);

  http.AlwaysReply(test::Reply{200, "{}"});
  clock_.Advance(5000);
  report = relay_.Deliver(test::PlatformAdmin(1, 1, 900), 10);
  ASSERT_TRUE(report.ok()) << Describe(report);
  EXPECT_EQ(report->delivered, 1);
  const auto requests = http.requests();
  ASSERT_EQ(requests.size(), 3u);
  for (const auto& request : requests) {
    EXPECT_EQ(request.header("idempotency-key"), "ticket-5-1700000000000-resolved-webhook");
    EXPECT_EQ(request.body, requests[0].body);
  }
  EXPECT_EQ(Counts("notify.webhook").delivered, 1);
  EXPECT_EQ(Counts("notify.webhook").pending, 0);
}

TEST_F(DispatcherTest, AnUnreachableReceiverIsKeptForTheOutbox) {
  notify::NotificationDispatcher dispatcher(*store_, relay_, clock_, {MakeWebhook(test::ClosedPortUrl())});
  Commit(dispatcher, Change(5, TicketStatus::in_progress, TicketStatus::resolved));
  dispatcher.Drain();
  auto pending = Pending();
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_EQ(pending[0].attempts, 1);
  EXPECT_TRUE(pending[0].last_error.has_value());
}

TEST_F(DispatcherTest, ARefusalIsAbandonedAtOnceWithItsReason) {
  test::FakeHttpServer http;
  http.AlwaysReply(test::Reply{400, "{}"});
  notify::NotificationDispatcher dispatcher(*store_, relay_, clock_, {MakeWebhook(http.url())});
  Commit(dispatcher, Change(5, TicketStatus::in_progress, TicketStatus::resolved));
  dispatcher.Drain();
  EXPECT_EQ(Counts("notify.webhook").abandoned, 1);
  EXPECT_EQ(Counts("notify.webhook").pending, 0);
}

TEST_F(DispatcherTest, ChangesLeftAtShutdownWaitInTheOutbox) {
  std::atomic<int> calls{0};
  std::promise<void> open;
  const std::shared_future<void> gate = open.get_future().share();  // the first Send waits here
  auto host = std::shared_ptr<Notifier>(CreateCallbackNotifier([&](const TicketNotification&) {
    if (calls++ == 0) gate.wait();
    return Status::Ok();
  }));
  {
    notify::NotificationDispatcher dispatcher(*store_, relay_, clock_, {host});
    for (int ticket = 1; ticket <= 5; ++ticket) Commit(dispatcher, Change(ticket, std::nullopt, TicketStatus::new_));
    while (calls == 0) std::this_thread::sleep_for(1ms);
    std::thread release([&] {
      std::this_thread::sleep_for(50ms);
      open.set_value();
    });
    release.join();
  }  // destroyed with changes still queued
  const OutboxCounts counts = Counts("notify.host");
  EXPECT_EQ(counts.delivered + counts.pending, 5);
  EXPECT_EQ(counts.delivered, calls.load());
}

TEST_F(DispatcherTest, ANotificationWhoseFirstAttemptNeverCameIsSentByTheOutboxOnceItsLeaseEnds) {
  std::atomic<int> calls{0};
  auto host = std::shared_ptr<Notifier>(CreateCallbackNotifier([&](const TicketNotification&) {
    ++calls;
    return Status::Ok();
  }));
  {
    notify::NotificationDispatcher dispatcher(*store_, relay_, clock_, {host});
    // The change committed with its item, and the process died before announcing it.
    std::vector<OutboxItem> items;
    dispatcher.AddOutboxItems(Change(5, TicketStatus::in_progress, TicketStatus::resolved), items);
    ASSERT_EQ(items.size(), 1u);
    ASSERT_TRUE(store_->outbox().Enqueue(Scope(test::PlatformAdmin(1, 1, 900)), items[0]).ok());
  }
  notify::NotificationDispatcher restarted(*store_, relay_, clock_, {host});
  auto early = relay_.Deliver(test::PlatformAdmin(1, 1, 900), 10);
  ASSERT_TRUE(early.ok()) << Describe(early);
  EXPECT_EQ(early->delivered, 0);  // still leased for the first attempt that never came
  clock_.Advance(OutboxPolicy().lease_ms);
  auto late = relay_.Deliver(test::PlatformAdmin(1, 1, 900), 10);
  ASSERT_TRUE(late.ok()) << Describe(late);
  EXPECT_EQ(late->delivered, 1);
  EXPECT_EQ(calls.load(), 1);
}

TEST_F(DispatcherTest, SecretsNeverReachTheLog) {
  std::ostringstream captured;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(captured);
  Log().sinks().push_back(sink);
  const auto level = Log().level();
  Log().set_level(spdlog::level::trace);
  {
    test::FakeSmtpServer smtp;
    smtp.SetUnavailable(true);
    EmailOptions email_options;
    email_options.smtp_url = smtp.url();
    email_options.from = "portal@example.com";
    email_options.username = "mailer";
    email_options.password = "smtp-password-never-logged";
    auto email = CreateEmailNotifier(email_options);
    ASSERT_TRUE(email.ok());
    notify::NotificationDispatcher dispatcher(
        *store_, relay_, clock_, {MakeWebhook(test::ClosedPortUrl()), std::shared_ptr<Notifier>(std::move(*email))});
    Commit(dispatcher, Change(5, TicketStatus::in_progress, TicketStatus::resolved));
    dispatcher.Drain();
    clock_.Advance(3600 * 1000);
    (void)relay_.Deliver(test::PlatformAdmin(1, 1, 900), 10);

    const std::string options = R"({"log_level": "trace", "notifications": {"webhook": {"url": "http://127.0.0.1:1/x",
        "secret": "whsec-never-logged", "unknown": "x"}, "email": {"smtp_url": "smtp://127.0.0.1:1", "from": "a@b.c",
        "password": "smtp-password-never-logged", "pasword": "smtp-password-never-logged"}}})";
    (void)PortalOptions::FromJson(options);
  }
  Log().set_level(level);
  Log().sinks().pop_back();
  const std::string log = captured.str();
  EXPECT_NE(log.find("retried by outbox.deliver"), std::string::npos) << log;  // the failures were logged
  EXPECT_EQ(log.find("whsec-never-logged"), std::string::npos) << log;
  EXPECT_EQ(log.find("smtp-password-never-logged"), std::string::npos) << log;
}

// --- Through a Portal ---------------------------------------------------------------------------

RequestContext Customer() {
  RequestContext context = test::User(1, 10, 100);
  context.locale = Locale::kEnUS;
  return context;
}

class PortalNotificationsTest : public ::testing::Test {
 protected:
  void Open(PortalOptions options = {}) {
    options.log_level = "off";
    auto portal = Portal::Open(std::move(options));
    ASSERT_TRUE(portal.ok()) << Describe(portal);
    portal_ = std::move(portal).value();
  }
  std::int64_t CreateTicket(const RequestContext& who) {
    const auto answer = portal_->Invoke("tickets.create", who,
                                        boost::json::parse(R"({"title": "VPN down", "description": "since 9:00",
                                            "category": "network", "priority": 2, "contact": {"email": "alice@example.com"}})")
                                            .as_object());
    EXPECT_EQ(answer.at("code"), 200) << boost::json::serialize(answer);
    return answer.at("data").at("id").as_int64();
  }
  void Transition(std::int64_t id, const char* to) {
    boost::json::object request{{"id", id}, {"to", to}};
    const auto answer = portal_->Invoke("tickets.transition", test::PlatformAdmin(1, 1, 900), request);
    EXPECT_EQ(answer.at("code"), 200) << boost::json::serialize(answer);
  }

  std::unique_ptr<Portal> portal_;
};

TEST_F(PortalNotificationsTest, SubscribersHearTheirTicketsCreationAndMoves) {
  Open();
  std::mutex mutex;
  std::condition_variable arrived;
  std::vector<std::string> events;
  auto id = portal_->Subscribe(R"({"type": "ticket.status", "tenant_id": 1, "customer_id": 10})",
                               [&](std::string_view event) {
                                 std::lock_guard lock(mutex);
                                 events.emplace_back(event);
                                 arrived.notify_all();
                               });
  ASSERT_TRUE(id.ok()) << Describe(id);
  CreateTicket(test::User(1, 11, 110));  // another customer's: not heard
  const std::int64_t ticket = CreateTicket(Customer());
  Transition(ticket, "open");
  std::unique_lock lock(mutex);
  ASSERT_TRUE(arrived.wait_for(lock, 5s, [&] { return events.size() >= 2; }));
  const auto created = boost::json::parse(events[0]).as_object();
  EXPECT_EQ(created.at("ticket_id"), ticket);
  EXPECT_TRUE(created.at("from").is_null());
  EXPECT_EQ(created.at("to"), "new");
  const auto opened = boost::json::parse(events[1]).as_object();
  EXPECT_EQ(opened.at("from"), "new");
  EXPECT_EQ(opened.at("to"), "open");
  EXPECT_EQ(opened.at("actor_id"), 900);
  lock.unlock();
  EXPECT_TRUE(portal_->Unsubscribe(*id).ok());
  EXPECT_EQ(portal_->Unsubscribe(*id).code(), ErrorCode::kNotFound);
}

TEST_F(PortalNotificationsTest, ABadTopicIsRefusedNamingItsField) {
  Open();
  auto id = portal_->Subscribe(R"({"customer_id": 10})", [](std::string_view) {});
  ASSERT_FALSE(id.ok());
  EXPECT_EQ(id.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(id.status().field_errors().at(0).field, "tenant_id");
}

TEST_F(PortalNotificationsTest, TheHostChannelAndTheWebhookHearEveryChange) {
  test::FakeHttpServer http;
  std::atomic<int> host_calls{0};
  PortalOptions options;
  options.notifications.host = std::shared_ptr<Notifier>(CreateCallbackNotifier([&](const TicketNotification&) {
    ++host_calls;
    return Status::Ok();
  }));
  options.notifications.webhook = Webhook(http.url());
  Open(std::move(options));
  const std::int64_t ticket = CreateTicket(Customer());
  Transition(ticket, "open");
  for (int i = 0; i < 500 && (host_calls < 2 || http.requests().size() < 2); ++i) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(host_calls, 2);
  EXPECT_EQ(http.requests().size(), 2u);
  portal_.reset();  // stops the threads cleanly
}

TEST_F(PortalNotificationsTest, NotificationsSpeakTheOwnersLanguageWhoeverMovesTheTicket) {
  std::mutex mutex;
  std::vector<Locale> locales;
  PortalOptions options;
  options.notifications.host = std::shared_ptr<Notifier>(CreateCallbackNotifier([&](const TicketNotification& n) {
    std::lock_guard lock(mutex);
    locales.push_back(n.locale);
    return Status::Ok();
  }));
  Open(std::move(options));
  const std::int64_t english = CreateTicket(Customer());
  const std::int64_t chinese = CreateTicket(test::User(1, 10, 101));
  Transition(english, "open");  // the agent's context is zh-CN
  Transition(chinese, "open");
  for (int i = 0; i < 500; ++i) {
    {
      std::lock_guard lock(mutex);
      if (locales.size() >= 4) break;
    }
    std::this_thread::sleep_for(10ms);
  }
  std::lock_guard lock(mutex);
  EXPECT_EQ(locales, (std::vector<Locale>{Locale::kEnUS, Locale::kZhCN, Locale::kEnUS, Locale::kZhCN}));
}

TEST(NotificationOptionsTest, ReadsTheChannelsAndNamesBadFieldsByPath) {
  auto options = PortalOptions::FromJson(R"({"notifications": {"webhook": {"url": "https://hooks.example.com/t",
      "secret": "s", "timeout_ms": 3000}, "email": {"smtp_url": "smtps://mail.example.com", "from": "p@example.com",
      "username": "u", "password": "p"}}})");
  ASSERT_TRUE(options.ok()) << Describe(options);
  ASSERT_TRUE(options->notifications.webhook.has_value());
  EXPECT_EQ(options->notifications.webhook->timeout_ms, 3000);
  ASSERT_TRUE(options->notifications.email.has_value());
  EXPECT_EQ(options->notifications.email->password, "p");

  auto bad = PortalOptions::FromJson(R"({"notifications": {"webhook": {"url": "ftp://x"}, "email": {"from": 3}}})");
  ASSERT_FALSE(bad.ok());
  std::vector<std::string> fields;
  for (const auto& error : bad.status().field_errors()) fields.push_back(error.field);
  EXPECT_EQ(fields, std::vector<std::string>{"notifications.email.from"});  // type errors first

  bad = PortalOptions::FromJson(R"({"notifications": {"webhook": {"url": "ftp://x"}}})");
  ASSERT_FALSE(bad.ok());
  fields.clear();
  for (const auto& error : bad.status().field_errors()) fields.push_back(error.field);
  EXPECT_EQ(fields, (std::vector<std::string>{"notifications.webhook.url", "notifications.webhook.secret"}));
  EXPECT_FALSE(PortalOptions::FromJson(R"({"notifications": []})").ok());
}

}  // namespace
}  // namespace selfservice

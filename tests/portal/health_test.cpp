// Portal::Health: what a host's /healthz and /metrics read (the store answering, breakers, the
// outbox backlog of all tenants, live subscriptions), and never a tenant's data.

#include "harness.hpp"

namespace selfservice::test {
namespace {

class HealthTest : public PortalTest {
 protected:
  // An outbox item of `tenant_id` that no deliverer takes (its topic has none), created at `millis`.
  void Enqueue(std::int64_t tenant_id, std::string key, std::int64_t millis) {
    OutboxItem item;
    item.topic = "health.test";
    item.idempotency_key = std::move(key);
    item.payload = "{}";
    item.next_attempt_at = item.created_at = Timestamp{millis};
    RequestContext owner;
    owner.tenant_id = tenant_id;
    owner.customer_id = 1;
    owner.user_id = 900;
    owner.roles = static_cast<unsigned>(Role::kPlatformAdmin);
    ASSERT_TRUE(portal_->store().outbox().Enqueue(Scope(owner), std::move(item)).ok());
  }
};

TEST_F(HealthTest, AFreshPortalIsHealthyWithItsAiBreakerClosed) {
  const PortalHealth health = portal_->Health();
  EXPECT_TRUE(health.database_ok);
  EXPECT_TRUE(health.database_error.empty());
  ASSERT_EQ(health.breakers.size(), 1u);  // no remote system configured: the AI's breaker only
  EXPECT_EQ(health.breakers[0].name, "ai.local");
  EXPECT_EQ(health.breakers[0].state, CircuitBreaker::State::kClosed);
  EXPECT_EQ(health.outbox_pending, 0);
  EXPECT_FALSE(health.outbox_oldest_pending_age_seconds.has_value());
  EXPECT_EQ(health.subscriptions, 0);
}

TEST_F(HealthTest, TheOutboxBacklogCountsEveryTenantAndAgesItsOldestItem) {
  Enqueue(1, "a", kStartMillis - 90'000);
  Enqueue(2, "b", kStartMillis - 30'000);
  const PortalHealth health = portal_->Health();
  EXPECT_EQ(health.outbox_pending, 2);
  ASSERT_TRUE(health.outbox_oldest_pending_age_seconds.has_value());
  EXPECT_EQ(*health.outbox_oldest_pending_age_seconds, 90);
}

TEST_F(HealthTest, LiveSubscriptionsAreCountedUntilTheyEnd) {
  auto first = portal_->Subscribe(R"({"type":"ticket.status","tenant_id":1})", [](std::string_view) {});
  auto second = portal_->Subscribe(R"({"type":"ticket.status","tenant_id":2})", [](std::string_view) {});
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(portal_->Health().subscriptions, 2);
  ASSERT_TRUE(portal_->Unsubscribe(*first).ok());
  EXPECT_EQ(portal_->Health().subscriptions, 1);
}

TEST(HealthJsonTest, AnOpenBreakerDegradesAndAFailedDatabaseIsDown) {
  PortalHealth health;
  health.database_ok = true;
  health.breakers = {{"ai.local", CircuitBreaker::State::kClosed}, {"search.elasticsearch", CircuitBreaker::State::kOpen}};
  health.outbox_pending = 3;
  health.outbox_oldest_pending_age_seconds = 42;
  health.subscriptions = 2;
  EXPECT_EQ(json::serialize(HealthJson(health)),
            R"({"status":"degraded","components":{"database":{"status":"up"},)"
            R"("breakers":{"ai.local":"closed","search.elasticsearch":"open"},)"
            R"("outbox":{"pending":3,"oldest_pending_age_seconds":42},"subscriptions":2}})");
  health.database_ok = false;
  health.database_error = "disk I/O error";
  const json::object down = HealthJson(health);
  EXPECT_EQ(down.at("status"), "down");
  EXPECT_EQ(down.at("components").at("database"), json::parse(R"({"status":"down","error":"disk I/O error"})"));
}

}  // namespace
}  // namespace selfservice::test

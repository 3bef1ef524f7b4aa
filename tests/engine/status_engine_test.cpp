// StatusEngine: components and their status from incidents, Alertmanager alerts opening and
// resolving incidents by fingerprint, maintenance windows moving with time, and daily uptime.

#include <string>

#include <gtest/gtest.h>

#include "engine/engine_test_support.hpp"
#include "engine/status_engine.hpp"

namespace selfservice {
namespace {

using test::Describe;
using test::kMinute;
using test::kStart;
using test::PlatformAdmin;
using test::User;

constexpr std::int64_t kHour = 60 * kMinute;
constexpr std::int64_t kDay = 24 * kHour;

boost::json::object Alert(std::string status, std::string fingerprint, std::string component,
                          std::string severity = "critical") {
  return boost::json::object{
      {"status", status},
      {"labels", boost::json::object{{"alertname", "ApiDown"}, {"component", component}, {"severity", severity}}},
      {"annotations", boost::json::object{{"summary", "API is down"}, {"description", "probe failed"}}},
      {"startsAt", "2023-11-14T22:00:00.123456789+00:00"},
      {"endsAt", "0001-01-01T00:00:00Z"},
      {"generatorURL", "http://prometheus.example.org:9090/graph?g0.expr=up"},
      {"fingerprint", fingerprint}};
}

boost::json::object Webhook(boost::json::array alerts) {
  return boost::json::object{{"version", "4"}, {"status", "firing"}, {"receiver", "portal"},
                             {"alerts", std::move(alerts)}, {"truncatedAlerts", 0}};
}

class StatusEngineTest : public test::EngineTest {
 protected:
  ServiceComponent Component(std::string name, const RequestContext& who) {
    ComponentPatch patch;
    patch.name = std::move(name);
    auto saved = engine_.UpsertComponent(who, patch);
    EXPECT_TRUE(saved.ok()) << Describe(saved);
    return saved.ok() ? saved.value() : ServiceComponent{};
  }
  ServiceComponent Component(std::string name) { return Component(std::move(name), admin_); }

  ComponentStatus StatusOf(std::int64_t id, const RequestContext& who) {
    auto components = engine_.Components(who);
    EXPECT_TRUE(components.ok()) << Describe(components);
    for (const auto& component : *components) {
      if (component.id == id) return component.status;
    }
    ADD_FAILURE() << "no component " << id;
    return ComponentStatus::operational;
  }
  ComponentStatus StatusOf(std::int64_t id) { return StatusOf(id, customer_); }

  AlertIngestReport Ingest(const boost::json::object& payload) {
    auto report = engine_.IngestAlertmanager(admin_, payload);
    EXPECT_TRUE(report.ok()) << Describe(report);
    return report.ok() ? report.value() : AlertIngestReport{};
  }

  const RequestContext admin_ = PlatformAdmin(1, 1, 9001);
  const RequestContext customer_ = User(1, 10, 100);
  StatusEngine engine_{*store_, clock_};
};

TEST_F(StatusEngineTest, AFiringAlertOpensAnIncidentAndItsResolutionRecoversTheComponent) {
  const ServiceComponent api = Component("api");
  const AlertIngestReport fired = Ingest(Webhook({Alert("firing", "fp-1", "api")}));
  EXPECT_EQ(fired.opened, 1);
  EXPECT_EQ(StatusOf(api.id), ComponentStatus::major_outage);
  auto open = engine_.Incidents(customer_, IncidentFilter{true, std::nullopt}, PageRequest{});
  ASSERT_TRUE(open.ok());
  ASSERT_EQ(open->total, 1);
  const Incident& incident = open->items.front();
  EXPECT_EQ(incident.source, "alertmanager");
  EXPECT_EQ(incident.fingerprint, "fp-1");
  EXPECT_EQ(incident.title, "API is down");
  EXPECT_EQ(incident.started_at.millis, ParseTimestamp("2023-11-14T22:00:00.123Z")->millis);
  ASSERT_EQ(incident.updates.size(), 1u);
  EXPECT_EQ(incident.updates[0].body, "probe failed");

  clock_.Advance(10 * kMinute);
  const AlertIngestReport repeated = Ingest(Webhook({Alert("firing", "fp-1", "api")}));
  EXPECT_EQ(repeated.unchanged, 1);
  clock_.Advance(10 * kMinute);
  const AlertIngestReport resolved = Ingest(Webhook({Alert("resolved", "fp-1", "api")}));
  EXPECT_EQ(resolved.resolved, 1);
  EXPECT_EQ(StatusOf(api.id), ComponentStatus::operational);
  auto stored = engine_.Incidents(customer_, IncidentFilter{false, std::nullopt}, PageRequest{});
  ASSERT_TRUE(stored.ok());
  ASSERT_EQ(stored->total, 1);
  EXPECT_EQ(stored->items[0].status, IncidentStatus::resolved);
  EXPECT_EQ(stored->items[0].resolved_at->millis, kStart + 20 * kMinute);
}

TEST_F(StatusEngineTest, AComponentRecoversOnlyWhenNoFiringAlertRemains) {
  const ServiceComponent db = Component("db");
  Ingest(Webhook({Alert("firing", "fp-a", "db", "warning"), Alert("firing", "fp-b", "db", "critical")}));
  EXPECT_EQ(StatusOf(db.id), ComponentStatus::major_outage);
  Ingest(Webhook({Alert("resolved", "fp-b", "db", "critical")}));
  EXPECT_EQ(StatusOf(db.id), ComponentStatus::degraded_performance);
  Ingest(Webhook({Alert("resolved", "fp-a", "db", "warning")}));
  EXPECT_EQ(StatusOf(db.id), ComponentStatus::operational);
}

TEST_F(StatusEngineTest, AnAlertForAnUnknownComponentCreatesItAndOneWithoutALabelIsUnmapped) {
  boost::json::object unlabelled = Alert("firing", "fp-x", "ignored");
  unlabelled["labels"] = boost::json::object{{"alertname", "Disk"}};
  const AlertIngestReport report = Ingest(Webhook({Alert("firing", "fp-1", "search"), unlabelled}));
  EXPECT_EQ(report.components_created, 1);
  EXPECT_EQ(report.unmapped, 1);
  auto found = store_->service_status().FindComponent(Scope(admin_), "search");
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->status, ComponentStatus::major_outage);
}

TEST_F(StatusEngineTest, TheMappingChoosesTheLabelAndTheSeverities) {
  const ServiceComponent web = Component("web");
  boost::json::object alert = Alert("firing", "fp-1", "ignored", "P1");
  alert["labels"].as_object()["app"] = "web";
  boost::json::object payload = Webhook({alert});
  payload["mapping"] = boost::json::object{{"component_labels", boost::json::array{"app"}},
                                           {"severities", boost::json::object{{"P1", "partial_outage"}}}};
  Ingest(payload);
  EXPECT_EQ(StatusOf(web.id), ComponentStatus::partial_outage);
}

TEST_F(StatusEngineTest, ABadPayloadNamesEveryFieldAndStoresNothing) {
  boost::json::object bad = Webhook({Alert("exploded", "fp-1", "api"), boost::json::value(3)});
  bad["version"] = "3";
  auto report = engine_.IngestAlertmanager(admin_, bad);
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(Describe(report), "10001 " + report.status().detail() +
                                  " [version:VALUE_NOT_ALLOWED] [alerts[0].status:VALUE_NOT_ALLOWED] [alerts[1]:FIELD_INVALID]");
  auto components = engine_.Components(admin_);
  ASSERT_TRUE(components.ok());
  EXPECT_TRUE(components->empty());
}

TEST_F(StatusEngineTest, ManualIncidentsDriveTheirComponentsUntilResolved) {
  const ServiceComponent mail = Component("mail");
  IncidentPatch create;
  create.title = "Mail delayed";
  create.body = "We are looking into it";
  create.impact = ComponentStatus::degraded_performance;
  create.component_ids = std::vector<std::int64_t>{mail.id};
  auto incident = engine_.CreateIncident(admin_, create);
  ASSERT_TRUE(incident.ok()) << Describe(incident);
  EXPECT_EQ(StatusOf(mail.id), ComponentStatus::degraded_performance);

  IncidentPatch resolve;
  resolve.status = IncidentStatus::resolved;
  resolve.body = "Fixed";
  auto resolved = engine_.UpdateIncident(admin_, incident->id, resolve);
  ASSERT_TRUE(resolved.ok()) << Describe(resolved);
  EXPECT_EQ(resolved->updates.size(), 2u);
  EXPECT_EQ(StatusOf(mail.id), ComponentStatus::operational);

  IncidentPatch reopen;
  reopen.status = IncidentStatus::investigating;
  reopen.body = "again";
  EXPECT_EQ(engine_.UpdateIncident(admin_, incident->id, reopen).status().code(), ErrorCode::kTransitionNotAllowed);
}

TEST_F(StatusEngineTest, AnIncidentNamingAnUnknownComponentIsRefused) {
  IncidentPatch create;
  create.title = "x";
  create.body = "y";
  create.component_ids = std::vector<std::int64_t>{999};
  auto refused = engine_.CreateIncident(admin_, create);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(Describe(refused), "10001  [component_ids:FIELD_INVALID]");
}

TEST_F(StatusEngineTest, MaintenanceWindowsMoveWithTimeAndShowTheirComponentsUnderMaintenance) {
  const ServiceComponent api = Component("api");
  MaintenanceWindow window;
  window.title = "Database upgrade";
  window.component_ids = {api.id};
  window.starts_at = Timestamp{kStart + kHour};
  window.ends_at = Timestamp{kStart + 3 * kHour};
  auto scheduled = engine_.ScheduleMaintenance(admin_, window);
  ASSERT_TRUE(scheduled.ok()) << Describe(scheduled);
  EXPECT_EQ(scheduled->status, MaintenanceStatus::scheduled);
  EXPECT_EQ(StatusOf(api.id), ComponentStatus::operational);

  clock_.Advance(2 * kHour);
  auto live = engine_.Maintenance(customer_, std::nullopt, std::nullopt, std::nullopt);
  ASSERT_TRUE(live.ok());
  ASSERT_EQ(live->size(), 1u);
  EXPECT_EQ(live->front().status, MaintenanceStatus::in_progress);
  EXPECT_EQ(StatusOf(api.id), ComponentStatus::under_maintenance);

  MaintenancePatch complete;
  complete.status = MaintenanceStatus::completed;
  auto completed = engine_.UpdateMaintenance(admin_, scheduled->id, complete);
  ASSERT_TRUE(completed.ok()) << Describe(completed);
  EXPECT_EQ(completed->ends_at.millis, kStart + 2 * kHour);
  EXPECT_EQ(StatusOf(api.id), ComponentStatus::operational);
  MaintenancePatch restart;
  restart.status = MaintenanceStatus::in_progress;
  EXPECT_EQ(engine_.UpdateMaintenance(admin_, scheduled->id, restart).status().code(),
            ErrorCode::kTransitionNotAllowed);
}

TEST_F(StatusEngineTest, UptimeCountsOperationalAndDegradedAsUpAndLeavesMaintenanceOut) {
  // Day 0 starts at midnight (UTC) of kStart's day; the component exists from kStart.
  const std::int64_t midnight = kStart / kDay * kDay;
  const ServiceComponent api = Component("api");
  clock_.Set(midnight + kDay);  // day 1, 00:00
  Ingest(Webhook({Alert("firing", "fp-1", "api", "critical")}));
  clock_.Advance(6 * kHour);
  Ingest(Webhook({Alert("resolved", "fp-1", "api", "critical")}));
  MaintenanceWindow window;
  window.title = "upgrade";
  window.component_ids = {api.id};
  window.starts_at = Timestamp{midnight + kDay + 12 * kHour};
  window.ends_at = Timestamp{midnight + kDay + 18 * kHour};
  ASSERT_TRUE(engine_.ScheduleMaintenance(admin_, window).ok());
  clock_.Set(midnight + 2 * kDay + 12 * kHour);  // day 2, noon

  auto report = engine_.Uptime(customer_, 3, std::nullopt);
  ASSERT_TRUE(report.ok()) << Describe(report);
  ASSERT_EQ(report->components.size(), 1u);
  const ComponentUptime& uptime = report->components[0];
  ASSERT_EQ(uptime.days.size(), 3u);
  // Day 0: no data before kStart, operational after it.
  EXPECT_EQ(uptime.days[0].no_data_millis, kStart - midnight);
  EXPECT_EQ(uptime.days[0].uptime_percent, 100.0);
  // Day 1: 6 h down, 6 h maintenance, 12 h up: 12 / 18 up.
  EXPECT_EQ(uptime.days[1].millis.at(ComponentStatus::major_outage), 6 * kHour);
  EXPECT_EQ(uptime.days[1].millis.at(ComponentStatus::under_maintenance), 6 * kHour);
  EXPECT_EQ(uptime.days[1].millis.at(ComponentStatus::operational), 12 * kHour);
  EXPECT_EQ(uptime.days[1].uptime_percent, 66.66);
  // Day 2: up until now, nothing after.
  EXPECT_EQ(uptime.days[2].millis.at(ComponentStatus::operational), 12 * kHour);
  EXPECT_EQ(uptime.days[2].no_data_millis, 12 * kHour);
  EXPECT_EQ(uptime.days[2].uptime_percent, 100.0);
  EXPECT_FALSE(engine_.Uptime(customer_, 91, std::nullopt).ok());
}

TEST_F(StatusEngineTest, StatusIsTheTenantsOwn) {
  const ServiceComponent api = Component("api");
  Ingest(Webhook({Alert("firing", "fp-1", "api")}));
  const RequestContext other = User(2, 20, 200);
  auto components = engine_.Components(other);
  ASSERT_TRUE(components.ok());
  EXPECT_TRUE(components->empty());
  auto incidents = engine_.Incidents(other, IncidentFilter{}, PageRequest{});
  ASSERT_TRUE(incidents.ok());
  EXPECT_EQ(incidents->total, 0);
  EXPECT_EQ(engine_.Uptime(other, 90, api.id).status().code(), ErrorCode::kNotFound);
  // The same fingerprint in another tenant is another incident.
  auto report = engine_.IngestAlertmanager(PlatformAdmin(2, 1, 1), Webhook({Alert("firing", "fp-1", "api")}));
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->opened, 1);
  EXPECT_EQ(report->components_created, 1);
}

TEST(ParseRfc3339Test, ReadsAlertmanagerTimes) {
  EXPECT_EQ(ParseRfc3339("2023-02-06T13:08:45.828Z")->millis, ParseTimestamp("2023-02-06T13:08:45.828Z")->millis);
  EXPECT_EQ(ParseRfc3339("2018-08-03T09:52:26.739266876+02:00")->millis,
            ParseTimestamp("2018-08-03T07:52:26.739Z")->millis);
  EXPECT_FALSE(ParseRfc3339("0001-01-01T00:00:00Z").has_value());
  EXPECT_FALSE(ParseRfc3339("yesterday").has_value());
}

}  // namespace
}  // namespace selfservice

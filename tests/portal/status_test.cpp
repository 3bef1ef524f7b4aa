// status.* through the string API: a real Prometheus Alertmanager webhook (version 4) opening and
// resolving an incident that customers see, the platform's manual updates, maintenance windows,
// uptime ready for a chart, roles and tenant isolation.

#include <string>

#include "harness.hpp"

namespace selfservice::test {
namespace {

// A webhook as Alertmanager 0.2x sends it (the sample payload of the alertmanager-webhook-types
// crate, with a `service` label naming the component).
std::string Webhook(std::string_view status) {
  return R"({
  "receiver": "portal",
  "status": ")" + std::string(status) + R"(",
  "alerts": [
    {
      "status": ")" + std::string(status) + R"(",
      "labels": {
        "alertname": "ProbeFailure",
        "instance": "https://server.example.org",
        "job": "http_checks",
        "monitor": "master",
        "service": "website",
        "severity": "critical"
      },
      "annotations": {
        "description": "Instance https://server.example.org has been down for over 5m. Job: http_checks",
        "summary": "BlackBox Probe Failure: https://server.example.org"
      },
      "startsAt": "2025-08-15T09:58:45.828Z",
      "endsAt": ")" + std::string(status == "resolved" ? "2025-08-15T10:20:00.000Z" : "0001-01-01T00:00:00Z") + R"(",
      "generatorURL": "http://prometheus.example.org:9090/graph?g0.expr=probe_success+%3D%3D+0&g0.tab=1",
      "fingerprint": "1a30ba71cca2921f"
    }
  ],
  "groupLabels": {"alertname": "ProbeFailure"},
  "commonLabels": {"alertname": "ProbeFailure", "job": "http_checks", "severity": "critical"},
  "commonAnnotations": {"summary": "BlackBox Probe Failure: https://server.example.org"},
  "externalURL": "http://prometheus.example.org:9093",
  "version": "4",
  "groupKey": "{}/{severity=\"critical\"}:{alertname=\"ProbeFailure\"}",
  "truncatedAlerts": 0
})";
}

class StatusTest : public PortalTest {
 protected:
  json::object Data(std::string_view method, const Caller& caller, const json::value& request) {
    json::object answer = Call(method, caller, request);
    EXPECT_TRUE(IsSuccess(answer)) << method << " " << answer;
    const json::value* data = answer.if_contains("data");
    return data != nullptr && data->is_object() ? data->get_object() : json::object{};
  }
  json::object Ingest(std::string_view status) {
    json::object answer = CallWithText("status.ingest.alertmanager", PlatformAdmin(), Webhook(status));
    EXPECT_TRUE(IsSuccess(answer)) << answer;
    return answer.at("data").as_object();
  }
};

TEST_F(StatusTest, AnAlertmanagerWebhookOpensAnIncidentCustomersSeeAndItsResolutionClosesIt) {
  const json::object fired = Ingest("firing");
  EXPECT_EQ(fired.at("received"), 1);
  EXPECT_EQ(fired.at("opened"), 1);
  EXPECT_EQ(fired.at("components_created"), 1);

  const json::object summary = Data("status.summary", User(), json::object{});
  EXPECT_EQ(summary.at("status"), "major_outage");
  ASSERT_EQ(summary.at("components").as_array().size(), 1u);
  EXPECT_EQ(summary.at("components").at(0).at("name"), "website");
  ASSERT_EQ(summary.at("open_incidents").as_array().size(), 1u);
  const json::value& incident = summary.at("open_incidents").at(0);
  EXPECT_EQ(incident.at("title"), "BlackBox Probe Failure: https://server.example.org");
  EXPECT_EQ(incident.at("status"), "investigating");
  EXPECT_EQ(incident.at("impact"), "major_outage");
  EXPECT_EQ(incident.at("source"), "alertmanager");
  EXPECT_EQ(incident.at("fingerprint"), "1a30ba71cca2921f");
  EXPECT_EQ(incident.at("started_at"), "2025-08-15T09:58:45.828Z");
  EXPECT_EQ(incident.at("updates").at(0).at("body"),
            "Instance https://server.example.org has been down for over 5m. Job: http_checks");

  // Alertmanager repeats a firing group until it resolves: nothing new.
  EXPECT_EQ(Ingest("firing").at("unchanged"), 1);
  clock_->Advance(30 * 60 * 1000);
  EXPECT_EQ(Ingest("resolved").at("resolved"), 1);
  EXPECT_EQ(Data("status.summary", User(), json::object{}).at("status"), "operational");
  const json::object resolved = Call("status.incidents", User(), json::object{{"open", false}});
  ASSERT_TRUE(IsSuccess(resolved));
  EXPECT_EQ(resolved.at("pagination").at("total"), 1);
  EXPECT_EQ(resolved.at("data").at(0).at("resolved_at"), "2025-08-15T10:20:00.000Z");
  EXPECT_EQ(resolved.at("data").at(0).at("updates").as_array().size(), 2u);
}

TEST_F(StatusTest, OnlyThePlatformWritesTheStatus) {
  EXPECT_TRUE(IsError(CallWithText("status.ingest.alertmanager", CustomerAdmin(), Webhook("firing")), 10003));
  EXPECT_TRUE(IsError(Call("status.components.upsert", CustomerAdmin(), json::object{{"name", "api"}}), 10003));
  EXPECT_TRUE(IsError(Call("status.incidents.create", User(), json::object{{"title", "x"}, {"body", "y"}}), 10003));
  EXPECT_TRUE(Data("status.components", User(), json::object{}).at("items").as_array().empty());
}

TEST_F(StatusTest, ThePlatformPostsIncidentsAndMaintenanceByHand) {
  const std::int64_t api = Data("status.components.upsert", PlatformAdmin(),
                                json::object{{"name", "api"}, {"group_name", "Core"}, {"description", "REST API"}})
                               .at("id")
                               .as_int64();
  const json::object renamed =
      Data("status.components.upsert", PlatformAdmin(), json::object{{"id", api}, {"name", "public-api"}});
  EXPECT_EQ(renamed.at("group_name"), "Core");
  EXPECT_EQ(renamed.at("status"), "operational");

  const json::object created = Data("status.incidents.create", PlatformAdmin(),
                                    json::object{{"title", "Slow responses"}, {"body", "Investigating latency"},
                                                 {"impact", "degraded_performance"}, {"component_ids", json::array{api}}});
  EXPECT_EQ(Data("status.components", User(), json::object{}).at("items").at(0).at("status"), "degraded_performance");
  const json::object updated =
      Data("status.incidents.update", PlatformAdmin(),
           json::object{{"id", created.at("id")}, {"status", "resolved"}, {"body", "Cache node replaced"}});
  EXPECT_EQ(updated.at("status"), "resolved");
  EXPECT_EQ(updated.at("updates").as_array().size(), 2u);
  EXPECT_EQ(Data("status.components", User(), json::object{}).at("items").at(0).at("status"), "operational");
  const json::object refused = Call("status.incidents.create", PlatformAdmin(),
                                    json::object{{"title", "x"}, {"body", "y"}, {"impact", "operational"}});
  EXPECT_TRUE(HasFieldError(refused, "impact", "VALUE_NOT_ALLOWED"));

  const json::object window = Data("status.maintenance.schedule", PlatformAdmin(),
                                   json::object{{"title", "Database upgrade"}, {"component_ids", json::array{api}},
                                                {"starts_at", "2025-08-15T12:00:00Z"}, {"ends_at", "2025-08-15T14:00:00Z"}});
  EXPECT_EQ(window.at("status"), "scheduled");
  EXPECT_EQ(Data("status.summary", User(), json::object{}).at("upcoming_maintenance").as_array().size(), 1u);
  clock_->Set(ParseTimestamp("2025-08-15T13:00:00Z")->millis);
  const json::object summary = Data("status.summary", User(), json::object{});
  EXPECT_EQ(summary.at("status"), "under_maintenance");
  EXPECT_EQ(summary.at("active_maintenance").at(0).at("status"), "in_progress");
  const json::object listed = Data("status.maintenance", User(), json::object{{"status", "in_progress"}});
  EXPECT_EQ(listed.at("items").as_array().size(), 1u);
  const json::object completed =
      Data("status.maintenance.update", PlatformAdmin(), json::object{{"id", window.at("id")}, {"status", "completed"}});
  EXPECT_EQ(completed.at("ends_at"), "2025-08-15T13:00:00.000Z");
  EXPECT_TRUE(IsError(
      Call("status.maintenance.update", PlatformAdmin(), json::object{{"id", window.at("id")}, {"status", "scheduled"}}),
      10006));
}

TEST_F(StatusTest, UptimeIsChartReady) {
  Ingest("firing");
  clock_->Advance(60 * 60 * 1000);
  Ingest("resolved");
  const json::object uptime = Data("status.uptime", User(), json::object{});
  EXPECT_EQ(uptime.at("days"), 90);
  EXPECT_EQ(uptime.at("to"), "2025-08-15");
  const json::object& chart = uptime.at("chart").as_object();
  ASSERT_EQ(chart.at("labels").as_array().size(), 90u);
  EXPECT_EQ(chart.at("labels").at(89), "2025-08-15");
  ASSERT_EQ(chart.at("series").as_array().size(), 1u);
  const json::array& data = chart.at("series").at(0).at("data").as_array();
  EXPECT_TRUE(data.at(0).is_null());  // before the component existed
  // Down from 10:00 to 11:00, up for no time after (the clock stands at the resolution).
  EXPECT_EQ(data.at(89), 0.0);
  const json::value& today = uptime.at("components").at(0).at("days").at(89);
  EXPECT_EQ(today.at("seconds").at("major_outage"), 3600);
  EXPECT_EQ(today.at("seconds").at("no_data"), 23 * 3600);
  EXPECT_TRUE(IsError(Call("status.uptime", User(), json::object{{"days", 91}}), 10001));
}

TEST_F(StatusTest, EachTenantSeesOnlyItsOwnStatus) {
  Ingest("firing");
  EXPECT_TRUE(Data("status.components", User(2, 20, 200), json::object{}).at("items").as_array().empty());
  EXPECT_EQ(Data("status.summary", User(2, 20, 200), json::object{}).at("status"), "operational");
  const json::object incidents = Call("status.incidents", User(2, 20, 200), json::object{});
  EXPECT_EQ(incidents.at("pagination").at("total"), 0);
  const json::object mine = Call("status.incidents", User(), json::object{});
  const json::value incident_id = mine.at("data").at(0).at("id");
  EXPECT_TRUE(IsError(Call("status.incidents.update", PlatformAdmin(2, 1, 1),
                           json::object{{"id", incident_id}, {"body", "not yours"}}),
                      10004));
}

}  // namespace
}  // namespace selfservice::test

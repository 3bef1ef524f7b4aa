// Service status (REQ-019-007; docs/STATUS.md): the tenant's components with their current status,
// incidents with their updates, maintenance windows, daily uptime over up to 90 days, fed by the
// Prometheus Alertmanager webhook and by the platform's manual updates.
//
// A component's stored status is the worst impact of the open incidents naming it, recomputed
// whenever one of them changes (operational when none is left), or what an administrator set last.
// What readers see adds the maintenance windows in progress: a component in one that is not worse
// than degraded shows under_maintenance.
//
// Thread safety: stateless beyond references to the store and the clock.

#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "selfservice/clock.hpp"
#include "selfservice/context.hpp"
#include "selfservice/model.hpp"
#include "selfservice/repository.hpp"

namespace selfservice {

// How alerts name their component and how bad they are (status.ingest.alertmanager `mapping`).
struct AlertmanagerMapping {
  // The first of these labels an alert (or the group's commonLabels) carries names its component.
  std::vector<std::string> component_labels = {"component", "service"};
  std::string severity_label = "severity";
  // Severity label value -> the impact on the component; other values (or none) are partial_outage.
  std::map<std::string, ComponentStatus> severities = {{"critical", ComponentStatus::major_outage},
                                                       {"error", ComponentStatus::partial_outage},
                                                       {"warning", ComponentStatus::degraded_performance},
                                                       {"info", ComponentStatus::degraded_performance}};
};

// What one webhook did.
struct AlertIngestReport {
  std::int64_t received = 0;
  std::int64_t opened = 0;     // new incidents
  std::int64_t updated = 0;    // open incidents whose impact or components changed
  std::int64_t unchanged = 0;  // a firing alert repeated as it was
  std::int64_t resolved = 0;
  std::int64_t ignored = 0;   // resolved alerts without an open incident
  std::int64_t unmapped = 0;  // alerts without a component label
  std::int64_t components_created = 0;
  std::int64_t truncated_alerts = 0;  // as Alertmanager reported: alerts it left out of the payload
  std::vector<std::int64_t> incident_ids;  // touched, in the order of the alerts
};

// A change to a component (status.components.upsert): what is absent stays as stored.
struct ComponentPatch {
  std::optional<std::int64_t> id;
  std::optional<std::string> name;
  std::optional<std::string> description;
  std::optional<std::string> group_name;
  std::optional<ComponentStatus> status;
};

struct IncidentPatch {
  std::optional<std::string> title;
  std::optional<IncidentStatus> status;
  std::optional<ComponentStatus> impact;
  std::optional<std::vector<std::int64_t>> component_ids;
  std::string body;  // the update's message, required
  std::optional<Timestamp> started_at;  // on create only
};

struct MaintenancePatch {
  std::optional<std::string> title;
  std::optional<std::optional<std::string>> description;
  std::optional<std::vector<std::int64_t>> component_ids;
  std::optional<Timestamp> starts_at;
  std::optional<Timestamp> ends_at;
  std::optional<MaintenanceStatus> status;
};

struct StatusSummary {
  ComponentStatus status = ComponentStatus::operational;  // the worst shown status of any component
  std::vector<ServiceComponent> components;               // as shown (maintenance applied)
  std::vector<Incident> open_incidents;
  std::vector<MaintenanceWindow> active_maintenance;
  std::vector<MaintenanceWindow> upcoming_maintenance;
};

// Milliseconds per status of one UTC day, and its uptime.
struct DayUptime {
  std::int64_t day = 0;  // days since 1970-01-01
  std::map<ComponentStatus, std::int64_t> millis;  // every status, 0 when absent
  std::int64_t no_data_millis = 0;  // before the component existed, or in the future
  std::optional<double> uptime_percent;  // null when nothing counts
};

struct ComponentUptime {
  ServiceComponent component;
  std::vector<DayUptime> days;  // oldest first
  std::optional<double> uptime_percent;  // over the whole window
};

struct UptimeReport {
  std::int64_t first_day = 0;
  int days = 0;
  std::vector<ComponentUptime> components;
};

class StatusEngine {
 public:
  static constexpr int kMaxUptimeDays = 90;
  static constexpr int kMaxMaintenance = 500;

  StatusEngine(Store& store, const Clock& clock) : store_(store), clock_(clock) {}

  // --- Reads: everyone in the tenant ---
  // Upcoming maintenance is what starts within `upcoming_days` (1-90).
  Result<StatusSummary> Summary(const RequestContext& context, int upcoming_days);
  // By group, then name; of `group` only when given.
  Result<std::vector<ServiceComponent>> Components(const RequestContext& context,
                                                   const std::optional<std::string>& group = std::nullopt);
  Result<Page<Incident>> Incidents(const RequestContext& context, const IncidentFilter& filter, PageRequest page);
  // Windows overlapping [from, to] (default: 30 days back, 90 ahead) with their status as of now,
  // of `status` only when given.
  Result<std::vector<MaintenanceWindow>> Maintenance(const RequestContext& context, std::optional<Timestamp> from,
                                                     std::optional<Timestamp> to,
                                                     std::optional<MaintenanceStatus> status);
  // The last `days` UTC days, today included, of every component (or of one).
  Result<UptimeReport> Uptime(const RequestContext& context, int days, std::optional<std::int64_t> component_id);

  // --- Writes: the platform ---
  // A Prometheus Alertmanager webhook payload (version "4") as received, optionally with our own
  // member "mapping" ({component_labels, severity_label, severities}) changing the defaults of
  // AlertmanagerMapping. Nothing is stored when any field is wrong.
  Result<AlertIngestReport> IngestAlertmanager(const RequestContext& context, const boost::json::object& payload);
  Result<ServiceComponent> UpsertComponent(const RequestContext& context, const ComponentPatch& patch);
  Result<Incident> CreateIncident(const RequestContext& context, const IncidentPatch& patch);
  Result<Incident> UpdateIncident(const RequestContext& context, std::int64_t id, const IncidentPatch& patch);
  Result<MaintenanceWindow> ScheduleMaintenance(const RequestContext& context, MaintenanceWindow window);
  Result<MaintenanceWindow> UpdateMaintenance(const RequestContext& context, std::int64_t id,
                                              const MaintenancePatch& patch);

  // The status a window has at `now`: its stored status, moved on by time (scheduled -> in_progress
  // -> completed); cancelled and completed stay.
  static MaintenanceStatus LiveStatus(const MaintenanceWindow& window, Timestamp now);

 private:
  Status CheckComponents(const Scope& scope, const std::vector<std::int64_t>& ids);
  Status Refresh(const Scope& scope, const std::vector<std::int64_t>& ids, Timestamp at);

  Store& store_;
  const Clock& clock_;
};

// Parses an RFC 3339 time as Alertmanager writes it ("2023-02-06T13:08:45.828Z",
// "2018-08-03T09:52:26.739266876+02:00"); nullopt when malformed or before 1970 (Alertmanager's
// "0001-01-01T00:00:00Z" means "not set").
std::optional<Timestamp> ParseRfc3339(std::string_view text);

}  // namespace selfservice

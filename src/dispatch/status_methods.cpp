#include "dispatch/status_methods.hpp"

#include <string>
#include <utility>
#include <vector>

#include "dispatch/request_reader.hpp"

namespace selfservice {
namespace json = boost::json;
namespace {

constexpr std::int64_t kDayMillis = 86'400'000;

// Reads what RequestReader has no word for (times, id lists, flags) into its own checker; Finish()
// answers every field error of both at once.
class Fields {
 public:
  explicit Fields(const json::object& request) : reader(request), request_(request) {}

  RequestReader reader;  // for what it has a word for

  std::optional<Timestamp> Time(std::string_view field, bool required = false) {
    const json::value* value = Present(field, required);
    if (value == nullptr) return std::nullopt;
    if (value->is_int64()) return Timestamp{value->get_int64()};
    if (value->is_string()) {
      if (auto parsed = ParseTimestamp(std::string_view(value->get_string()))) return parsed;
    }
    check_.Add(field, field_code::kInvalid);
    return std::nullopt;
  }

  std::optional<std::vector<std::int64_t>> Ids(std::string_view field) {
    const json::value* value = Present(field, false);
    if (value == nullptr) return std::nullopt;
    std::vector<std::int64_t> ids;
    if (value->is_array()) {
      for (const auto& item : value->get_array()) {
        if (!item.is_int64() || item.get_int64() <= 0) break;
        ids.push_back(item.get_int64());
      }
      if (ids.size() == value->get_array().size()) return ids;
    }
    check_.Add(field, field_code::kInvalid);
    return std::nullopt;
  }

  std::optional<bool> Bool(std::string_view field) {
    const json::value* value = Present(field, false);
    if (value == nullptr) return std::nullopt;
    if (value->is_bool()) return value->get_bool();
    check_.Add(field, field_code::kInvalid);
    return std::nullopt;
  }

  std::optional<int> Integer(std::string_view field, int min, int max) {
    const json::value* value = Present(field, false);
    if (value == nullptr) return std::nullopt;
    if (!value->is_int64()) {
      check_.Add(field, field_code::kInvalid);
      return std::nullopt;
    }
    if (value->get_int64() < min || value->get_int64() > max) {
      check_.Add(field, field_code::kOutOfRange, {{"min", std::to_string(min)}, {"max", std::to_string(max)}});
      return std::nullopt;
    }
    return static_cast<int>(value->get_int64());
  }

  // A string that may be null to clear it: absent is nullopt, null is an empty optional inside.
  std::optional<std::optional<std::string>> Clearable(std::string_view field) {
    const json::value* value = request_.if_contains(field);
    if (value == nullptr) return std::nullopt;
    if (value->is_null()) return std::optional<std::string>();
    return reader.OptionalString(field, kTextBytes);
  }

  Status Finish() {
    std::vector<FieldError> errors = check_.Take();
    Status read = reader.Finish();
    for (const auto& error : read.field_errors()) errors.push_back(error);
    return errors.empty() ? Status::Ok() : Status::Invalid(std::move(errors));
  }

 private:
  const json::value* Present(std::string_view field, bool required) {
    const json::value* value = request_.if_contains(field);
    if (value == nullptr || value->is_null()) {
      if (required) check_.Add(field, field_code::kRequired);
      return nullptr;
    }
    return value;
  }

  const json::object& request_;
  FieldChecker check_;
};

json::value Optional(const std::optional<std::string>& value) {
  return value ? json::value(*value) : json::value(nullptr);
}

json::value Optional(const std::optional<Timestamp>& value) {
  return value ? json::value(FormatTimestamp(*value)) : json::value(nullptr);
}

json::value Percent(const std::optional<double>& value) { return value ? json::value(*value) : json::value(nullptr); }

json::array IdsJson(const std::vector<std::int64_t>& ids) {
  json::array out;
  for (auto id : ids) out.emplace_back(id);
  return out;
}

json::object IncidentJson(const Incident& incident) {
  json::array updates;
  for (const auto& update : incident.updates) {
    updates.push_back(json::object{{"id", update.id},
                                   {"status", EnumName(update.status)},
                                   {"body", update.body},
                                   {"created_at", FormatTimestamp(update.created_at)}});
  }
  return json::object{{"id", incident.id},
                      {"title", incident.title},
                      {"status", EnumName(incident.status)},
                      {"impact", EnumName(incident.impact)},
                      {"component_ids", IdsJson(incident.component_ids)},
                      {"source", incident.source},
                      {"fingerprint", Optional(incident.fingerprint)},
                      {"external_url", Optional(incident.external_url)},
                      {"started_at", FormatTimestamp(incident.started_at)},
                      {"resolved_at", Optional(incident.resolved_at)},
                      {"created_at", FormatTimestamp(incident.created_at)},
                      {"updated_at", FormatTimestamp(incident.updated_at)},
                      {"updates", std::move(updates)}};
}

template <typename T>
json::array Array(const std::vector<T>& values) {
  json::array out;
  for (const auto& value : values) out.push_back(ToJson(value));
  return out;
}

json::array IncidentsJson(const std::vector<Incident>& incidents) {
  json::array out;
  for (const auto& incident : incidents) out.push_back(IncidentJson(incident));
  return out;
}

std::string DayLabel(std::int64_t day) { return FormatTimestamp(Timestamp{day * kDayMillis}).substr(0, 10); }

}  // namespace

// --- Reads -------------------------------------------------------------------------------------------

Result<Reply> StatusSummaryMethod(Engines& e, const RequestContext& c, const json::object& r) {
  Fields fields(r);
  const int upcoming = fields.Integer("upcoming_days", 1, StatusEngine::kMaxUptimeDays).value_or(30);
  if (Status status = fields.Finish(); !status.ok()) return status;
  auto summary = e.status.Summary(c, upcoming);
  if (!summary.ok()) return summary.status();
  return Reply{json::object{{"status", EnumName(summary->status)},
                            {"components", Array(summary->components)},
                            {"open_incidents", IncidentsJson(summary->open_incidents)},
                            {"active_maintenance", Array(summary->active_maintenance)},
                            {"upcoming_maintenance", Array(summary->upcoming_maintenance)}},
               std::nullopt};
}

Result<Reply> StatusComponentsMethod(Engines& e, const RequestContext& c, const json::object& r) {
  Fields fields(r);
  const auto group = fields.reader.OptionalString("group_name", 400);
  if (Status status = fields.Finish(); !status.ok()) return status;
  auto components = e.status.Components(c, group);
  if (!components.ok()) return components.status();
  return Reply{json::object{{"items", Array(*components)}}, std::nullopt};
}

Result<Reply> StatusIncidentsMethod(Engines& e, const RequestContext& c, const json::object& r) {
  Fields fields(r);
  IncidentFilter filter;
  filter.open = fields.Bool("open");
  filter.since = fields.Time("since");
  const PageRequest page = fields.reader.Page();
  if (Status status = fields.Finish(); !status.ok()) return status;
  auto incidents = e.status.Incidents(c, filter, page);
  if (!incidents.ok()) return incidents.status();
  return Reply{IncidentsJson(incidents->items), Pagination{page.page, page.size, incidents->total}};
}

Result<Reply> StatusMaintenanceMethod(Engines& e, const RequestContext& c, const json::object& r) {
  Fields fields(r);
  const auto from = fields.Time("from");
  const auto to = fields.Time("to");
  const auto status = fields.reader.OptionalEnum<MaintenanceStatus>("status");
  if (Status read = fields.Finish(); !read.ok()) return read;
  auto windows = e.status.Maintenance(c, from, to, status);
  if (!windows.ok()) return windows.status();
  return Reply{json::object{{"items", Array(*windows)}}, std::nullopt};
}

Result<Reply> StatusUptimeMethod(Engines& e, const RequestContext& c, const json::object& r) {
  Fields fields(r);
  const int days = fields.Integer("days", 1, StatusEngine::kMaxUptimeDays).value_or(StatusEngine::kMaxUptimeDays);
  const auto component_id = fields.reader.OptionalId("component_id");
  if (Status status = fields.Finish(); !status.ok()) return status;
  auto report = e.status.Uptime(c, days, component_id);
  if (!report.ok()) return report.status();
  json::array labels;
  for (int i = 0; i < report->days; ++i) labels.emplace_back(DayLabel(report->first_day + i));
  json::array components;
  json::array series;
  for (const auto& uptime : report->components) {
    json::array days_json;
    json::array data;
    for (const auto& day : uptime.days) {
      json::object seconds;
      for (const auto& [status, millis] : day.millis) seconds[EnumName(status)] = millis / 1000;
      seconds["no_data"] = day.no_data_millis / 1000;
      days_json.push_back(json::object{
          {"date", DayLabel(day.day)}, {"uptime_percent", Percent(day.uptime_percent)}, {"seconds", std::move(seconds)}});
      data.push_back(Percent(day.uptime_percent));
    }
    components.push_back(json::object{{"component_id", uptime.component.id},
                                      {"name", uptime.component.name},
                                      {"uptime_percent", Percent(uptime.uptime_percent)},
                                      {"days", std::move(days_json)}});
    series.push_back(json::object{
        {"component_id", uptime.component.id}, {"name", uptime.component.name}, {"data", std::move(data)}});
  }
  return Reply{json::object{{"from", DayLabel(report->first_day)},
                            {"to", DayLabel(report->first_day + report->days - 1)},
                            {"days", report->days},
                            {"components", std::move(components)},
                            {"chart", json::object{{"labels", std::move(labels)}, {"series", std::move(series)}}}},
               std::nullopt};
}

// --- Writes ------------------------------------------------------------------------------------------

Result<Reply> StatusIngestAlertmanagerMethod(Engines& e, const RequestContext& c, const json::object& r) {
  auto report = e.status.IngestAlertmanager(c, r);
  if (!report.ok()) return report.status();
  return Reply{json::object{{"received", report->received},
                            {"opened", report->opened},
                            {"updated", report->updated},
                            {"unchanged", report->unchanged},
                            {"resolved", report->resolved},
                            {"ignored", report->ignored},
                            {"unmapped", report->unmapped},
                            {"components_created", report->components_created},
                            {"truncated_alerts", report->truncated_alerts},
                            {"incident_ids", IdsJson(report->incident_ids)}},
               std::nullopt};
}

Result<Reply> StatusComponentUpsertMethod(Engines& e, const RequestContext& c, const json::object& r) {
  Fields fields(r);
  ComponentPatch patch;
  patch.id = fields.reader.OptionalId("id");
  patch.name = fields.reader.OptionalString("name", 400);
  patch.description = fields.reader.OptionalString("description", kTextBytes);
  patch.group_name = fields.reader.OptionalString("group_name", 400);
  patch.status = fields.reader.OptionalEnum<ComponentStatus>("status");
  if (Status status = fields.Finish(); !status.ok()) return status;
  auto component = e.status.UpsertComponent(c, patch);
  if (!component.ok()) return component.status();
  return Reply{ToJson(*component), std::nullopt};
}

namespace {

// The fields an incident update shares with a new incident.
void ReadIncidentFields(Fields& fields, IncidentPatch& patch) {
  patch.status = fields.reader.OptionalEnum<IncidentStatus>("status");
  patch.impact = fields.reader.OptionalEnum<ComponentStatus>("impact");
  patch.component_ids = fields.Ids("component_ids");
}

}  // namespace

Result<Reply> StatusIncidentCreateMethod(Engines& e, const RequestContext& c, const json::object& r) {
  Fields fields(r);
  IncidentPatch patch;
  patch.title = fields.reader.RequiredString("title", 200);
  patch.body = fields.reader.RequiredString("body", kTextBytes);
  ReadIncidentFields(fields, patch);
  patch.started_at = fields.Time("started_at");
  if (Status status = fields.Finish(); !status.ok()) return status;
  auto incident = e.status.CreateIncident(c, patch);
  if (!incident.ok()) return incident.status();
  return Reply{IncidentJson(*incident), std::nullopt};
}

Result<Reply> StatusIncidentUpdateMethod(Engines& e, const RequestContext& c, const json::object& r) {
  Fields fields(r);
  const std::int64_t id = fields.reader.RequiredId("id");
  IncidentPatch patch;
  patch.body = fields.reader.RequiredString("body", kTextBytes);
  patch.title = fields.reader.OptionalString("title", 800);
  ReadIncidentFields(fields, patch);
  if (Status status = fields.Finish(); !status.ok()) return status;
  auto incident = e.status.UpdateIncident(c, id, patch);
  if (!incident.ok()) return incident.status();
  return Reply{IncidentJson(*incident), std::nullopt};
}

Result<Reply> StatusMaintenanceScheduleMethod(Engines& e, const RequestContext& c, const json::object& r) {
  Fields fields(r);
  MaintenanceWindow window;
  window.title = fields.reader.RequiredString("title", 200);
  window.description = fields.reader.OptionalString("description", kTextBytes);
  window.component_ids = fields.Ids("component_ids").value_or(std::vector<std::int64_t>{});
  window.starts_at = fields.Time("starts_at", true).value_or(Timestamp{});
  window.ends_at = fields.Time("ends_at", true).value_or(Timestamp{});
  if (Status status = fields.Finish(); !status.ok()) return status;
  auto scheduled = e.status.ScheduleMaintenance(c, std::move(window));
  if (!scheduled.ok()) return scheduled.status();
  return Reply{ToJson(*scheduled), std::nullopt};
}

Result<Reply> StatusMaintenanceUpdateMethod(Engines& e, const RequestContext& c, const json::object& r) {
  Fields fields(r);
  const std::int64_t id = fields.reader.RequiredId("id");
  MaintenancePatch patch;
  patch.title = fields.reader.OptionalString("title", 800);
  patch.description = fields.Clearable("description");
  patch.component_ids = fields.Ids("component_ids");
  patch.starts_at = fields.Time("starts_at");
  patch.ends_at = fields.Time("ends_at");
  patch.status = fields.reader.OptionalEnum<MaintenanceStatus>("status");
  if (Status status = fields.Finish(); !status.ok()) return status;
  auto updated = e.status.UpdateMaintenance(c, id, patch);
  if (!updated.ok()) return updated.status();
  return Reply{ToJson(*updated), std::nullopt};
}

}  // namespace selfservice

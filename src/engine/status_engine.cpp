#include "engine/status_engine.hpp"

#include <algorithm>
#include <cmath>
#include <set>
#include <string>
#include <utility>

#include "domain/rules.hpp"

namespace selfservice {
namespace json = boost::json;
namespace {

constexpr std::int64_t kDayMillis = 86'400'000;
constexpr std::size_t kMaxFingerprint = 200;
constexpr std::size_t kMaxUrl = 1000;
constexpr std::size_t kMaxAlerts = 1000;

const ComponentStatus kStatuses[] = {ComponentStatus::operational, ComponentStatus::degraded_performance,
                                     ComponentStatus::partial_outage, ComponentStatus::major_outage,
                                     ComponentStatus::under_maintenance};

int Severity(ComponentStatus status) {
  switch (status) {
    case ComponentStatus::operational: return 0;
    case ComponentStatus::under_maintenance: return 1;
    case ComponentStatus::degraded_performance: return 2;
    case ComponentStatus::partial_outage: return 3;
    case ComponentStatus::major_outage: return 4;
  }
  return 0;
}

bool IsImpact(ComponentStatus status) {
  return status == ComponentStatus::degraded_performance || status == ComponentStatus::partial_outage ||
         status == ComponentStatus::major_outage;
}

bool Contains(const std::vector<std::int64_t>& ids, std::int64_t id) {
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

// FNV-1a 64 in hex: a stable fingerprint for an alert that carries none (Alertmanager before 0.19).
std::string Fnv1a(std::string_view text) {
  std::uint64_t hash = 14695981039346656037ULL;
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 1099511628211ULL;
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i, hash >>= 4) out[static_cast<std::size_t>(i)] = kHex[hash & 0xF];
  return out;
}

const json::object* ObjectMember(const json::object& object, std::string_view key) {
  const json::value* value = object.if_contains(key);
  return value != nullptr && value->is_object() ? &value->get_object() : nullptr;
}

std::optional<std::string> StringMember(const json::object* object, std::string_view key) {
  if (object == nullptr) return std::nullopt;
  const json::value* value = object->if_contains(key);
  if (value == nullptr || !value->is_string() || value->get_string().empty()) return std::nullopt;
  return std::string(value->get_string());
}

// One alert of the payload, read and checked.
struct Alert {
  bool firing = true;
  std::string fingerprint;
  std::optional<std::string> component;
  ComponentStatus impact = ComponentStatus::partial_outage;
  std::string title;
  std::string body;
  std::optional<std::string> url;
  std::optional<Timestamp> starts_at;
  std::optional<Timestamp> ends_at;
};

Alert ReadAlert(const json::object& alert, const json::object* common_labels, const AlertmanagerMapping& mapping,
                const std::string& path, FieldChecker& check) {
  Alert out;
  const json::value* status = alert.if_contains("status");
  if (status == nullptr || status->is_null()) {
    check.Add(path + ".status", field_code::kRequired);
  } else if (!status->is_string()) {
    check.Add(path + ".status", field_code::kInvalid);
  } else if (status->get_string() == "firing" || status->get_string() == "resolved") {
    out.firing = status->get_string() == "firing";
  } else {
    check.Add(path + ".status", field_code::kNotAllowed, {{"allowed", "firing, resolved"}});
  }
  const json::value* labels_value = alert.if_contains("labels");
  const json::object* labels = nullptr;
  if (labels_value != nullptr && !labels_value->is_null()) {
    if (labels_value->is_object()) {
      labels = &labels_value->get_object();
    } else {
      check.Add(path + ".labels", field_code::kInvalid);
    }
  }
  const json::object* annotations = ObjectMember(alert, "annotations");
  for (const auto& label : mapping.component_labels) {
    out.component = StringMember(labels, label);
    if (!out.component) out.component = StringMember(common_labels, label);
    if (out.component) break;
  }
  if (out.component && Utf8Length(*out.component) > 100) out.component = Utf8Prefix(*out.component, 100);
  if (auto severity = StringMember(labels, mapping.severity_label)) {
    auto found = mapping.severities.find(*severity);
    if (found != mapping.severities.end()) out.impact = found->second;
  }
  if (auto fingerprint = StringMember(&alert, "fingerprint")) {
    out.fingerprint = Utf8Prefix(*fingerprint, kMaxFingerprint);
  } else {
    // Alertmanager's own fingerprint is a hash of the label set; so is this one, of the sorted labels.
    std::vector<std::pair<std::string, std::string>> pairs;
    if (labels != nullptr) {
      for (const auto& [key, value] : *labels) {
        pairs.emplace_back(std::string(key), value.is_string() ? std::string(value.get_string()) : "");
      }
    }
    std::sort(pairs.begin(), pairs.end());
    std::string text;
    for (const auto& [key, value] : pairs) text += key + "=" + value + "\n";
    out.fingerprint = "labels:" + Fnv1a(text);
  }
  const std::string alertname = StringMember(labels, "alertname").value_or("Alert");
  out.title = StringMember(annotations, "summary")
                  .value_or(out.component ? alertname + " on " + *out.component : alertname);
  out.title = Utf8Prefix(out.title, 200);
  out.body = StringMember(annotations, "description").value_or(out.title);
  if (out.body.size() > kTextBytes) out.body = Utf8Prefix(out.body, kTextBytes / 4);
  if (auto url = StringMember(&alert, "generatorURL"); url && url->size() <= kMaxUrl && IsHttpUrl(*url)) {
    out.url = std::move(url);
  }
  if (auto starts = StringMember(&alert, "startsAt")) out.starts_at = ParseRfc3339(*starts);
  if (auto ends = StringMember(&alert, "endsAt")) out.ends_at = ParseRfc3339(*ends);
  return out;
}

AlertmanagerMapping ReadMapping(const json::object& payload, FieldChecker& check) {
  AlertmanagerMapping mapping;
  const json::value* value = payload.if_contains("mapping");
  if (value == nullptr || value->is_null()) return mapping;
  if (!value->is_object()) {
    check.Add("mapping", field_code::kInvalid);
    return mapping;
  }
  const json::object& given = value->get_object();
  auto label_name = [](const json::value& item) {
    return item.is_string() && !item.get_string().empty() && item.get_string().size() <= 100;
  };
  if (const json::value* labels = given.if_contains("component_labels"); labels != nullptr && !labels->is_null()) {
    if (!labels->is_array() || labels->get_array().empty() || labels->get_array().size() > 10 ||
        !std::all_of(labels->get_array().begin(), labels->get_array().end(), label_name)) {
      check.Add("mapping.component_labels", field_code::kInvalid);
    } else {
      mapping.component_labels.clear();
      for (const auto& label : labels->get_array()) mapping.component_labels.emplace_back(label.get_string());
    }
  }
  if (const json::value* label = given.if_contains("severity_label"); label != nullptr && !label->is_null()) {
    if (!label_name(*label)) {
      check.Add("mapping.severity_label", field_code::kInvalid);
    } else {
      mapping.severity_label = std::string(label->get_string());
    }
  }
  if (const json::value* severities = given.if_contains("severities"); severities != nullptr && !severities->is_null()) {
    if (!severities->is_object()) {
      check.Add("mapping.severities", field_code::kInvalid);
      return mapping;
    }
    for (const auto& [severity, impact] : severities->get_object()) {
      const auto parsed = impact.is_string() ? ParseEnum<ComponentStatus>(std::string_view(impact.get_string()))
                                             : std::nullopt;
      if (!parsed || !IsImpact(*parsed)) {
        check.Add("mapping.severities", field_code::kNotAllowed,
                  {{"allowed", "degraded_performance, partial_outage, major_outage"}});
        break;
      }
      mapping.severities[std::string(severity)] = *parsed;
    }
  }
  return mapping;
}

std::optional<std::string> OptionalText(const std::optional<std::string>& text) {
  if (!text || IsBlank(*text)) return std::nullopt;
  return text;
}

}  // namespace

std::optional<Timestamp> ParseRfc3339(std::string_view text) {
  std::int64_t offset_minutes = 0;
  std::string utc(text);
  if (!utc.empty() && (utc.back() == 'Z' || utc.back() == 'z')) {
    utc.back() = 'Z';
  } else if (utc.size() > 6 && (utc[utc.size() - 6] == '+' || utc[utc.size() - 6] == '-') &&
             utc[utc.size() - 3] == ':') {
    const std::string_view zone = std::string_view(utc).substr(utc.size() - 5);
    auto digit = [&](std::size_t i) { return zone[i] >= '0' && zone[i] <= '9' ? zone[i] - '0' : -1; };
    const int h1 = digit(0), h2 = digit(1), m1 = digit(3), m2 = digit(4);
    if (h1 < 0 || h2 < 0 || m1 < 0 || m2 < 0) return std::nullopt;
    offset_minutes = (h1 * 10 + h2) * 60 + m1 * 10 + m2;
    if (utc[utc.size() - 6] == '-') offset_minutes = -offset_minutes;
    utc.resize(utc.size() - 6);
    utc.push_back('Z');
  } else {
    return std::nullopt;
  }
  auto parsed = ParseTimestamp(utc);
  if (!parsed) return std::nullopt;
  parsed->millis -= offset_minutes * 60'000;
  if (parsed->millis < 0) return std::nullopt;
  return parsed;
}

MaintenanceStatus StatusEngine::LiveStatus(const MaintenanceWindow& window, Timestamp now) {
  if (window.status == MaintenanceStatus::cancelled || window.status == MaintenanceStatus::completed) {
    return window.status;
  }
  if (now >= window.ends_at) return MaintenanceStatus::completed;
  if (now >= window.starts_at) return MaintenanceStatus::in_progress;
  return MaintenanceStatus::scheduled;
}

// --- Reads -----------------------------------------------------------------------------------------

Result<std::vector<ServiceComponent>> StatusEngine::Components(const RequestContext& context,
                                                               const std::optional<std::string>& group) {
  const Scope scope(context);
  const Timestamp now{clock_.NowMillis()};
  auto components = store_.service_status().ListComponents(scope);
  if (!components.ok()) return components.status();
  if (group) {
    std::erase_if(*components, [&](const ServiceComponent& component) { return component.group_name != group; });
  }
  auto windows = store_.service_status().ListMaintenance(scope, now, now, kMaxMaintenance);
  if (!windows.ok()) return windows.status();
  for (auto& component : *components) {
    const bool in_maintenance = std::any_of(windows->begin(), windows->end(), [&](const MaintenanceWindow& window) {
      return LiveStatus(window, now) == MaintenanceStatus::in_progress && Contains(window.component_ids, component.id);
    });
    if (in_maintenance && Severity(component.status) <= Severity(ComponentStatus::degraded_performance)) {
      component.status = ComponentStatus::under_maintenance;
    }
  }
  return components;
}

Result<StatusSummary> StatusEngine::Summary(const RequestContext& context, int upcoming_days) {
  if (upcoming_days < 1 || upcoming_days > kMaxUptimeDays) {
    return Status::InvalidField("upcoming_days", field_code::kOutOfRange,
                                {{"min", "1"}, {"max", std::to_string(kMaxUptimeDays)}});
  }
  const Scope scope(context);
  const Timestamp now{clock_.NowMillis()};
  StatusSummary summary;
  auto components = Components(context);
  if (!components.ok()) return components.status();
  summary.components = std::move(components).value();
  for (const auto& component : summary.components) {
    if (Severity(component.status) > Severity(summary.status)) summary.status = component.status;
  }
  IncidentFilter open;
  open.open = true;
  auto incidents = store_.service_status().ListIncidents(scope, open, PageRequest{1, 100});
  if (!incidents.ok()) return incidents.status();
  summary.open_incidents = std::move(incidents->items);
  auto windows = store_.service_status().ListMaintenance(scope, now, Timestamp{now.millis + upcoming_days * kDayMillis},
                                                         kMaxMaintenance);
  if (!windows.ok()) return windows.status();
  for (auto& window : *windows) {
    const MaintenanceStatus live = LiveStatus(window, now);
    window.status = live;
    if (live == MaintenanceStatus::in_progress) summary.active_maintenance.push_back(window);
    if (live == MaintenanceStatus::scheduled) summary.upcoming_maintenance.push_back(window);
  }
  return summary;
}

Result<Page<Incident>> StatusEngine::Incidents(const RequestContext& context, const IncidentFilter& filter,
                                               PageRequest page) {
  return store_.service_status().ListIncidents(Scope(context), filter, page);
}

Result<std::vector<MaintenanceWindow>> StatusEngine::Maintenance(const RequestContext& context,
                                                                 std::optional<Timestamp> from,
                                                                 std::optional<Timestamp> to,
                                                                 std::optional<MaintenanceStatus> status) {
  const Timestamp now{clock_.NowMillis()};
  const Timestamp start = from.value_or(Timestamp{now.millis - 30 * kDayMillis});
  const Timestamp end = to.value_or(Timestamp{now.millis + 90 * kDayMillis});
  if (end < start) return Status::InvalidField("to", field_code::kOutOfRange, {{"min", "from"}, {"max", "-"}});
  auto windows = store_.service_status().ListMaintenance(Scope(context), start, end, kMaxMaintenance);
  if (!windows.ok()) return windows.status();
  std::vector<MaintenanceWindow> out;
  for (auto& window : *windows) {
    window.status = LiveStatus(window, now);
    if (!status || window.status == *status) out.push_back(std::move(window));
  }
  return out;
}

Result<UptimeReport> StatusEngine::Uptime(const RequestContext& context, int days,
                                          std::optional<std::int64_t> component_id) {
  if (days < 1 || days > kMaxUptimeDays) {
    return Status::InvalidField("days", field_code::kOutOfRange, {{"min", "1"}, {"max", std::to_string(kMaxUptimeDays)}});
  }
  const Scope scope(context);
  const std::int64_t now = clock_.NowMillis();
  UptimeReport report;
  report.days = days;
  report.first_day = now / kDayMillis - (days - 1);
  const std::int64_t window_start = report.first_day * kDayMillis;
  const std::int64_t window_end = (report.first_day + days) * kDayMillis;  // the end of today

  std::vector<ServiceComponent> components;
  if (component_id) {
    auto component = store_.service_status().GetComponent(scope, *component_id);
    if (!component.ok()) return component.status();
    components.push_back(std::move(component).value());
  } else {
    auto listed = store_.service_status().ListComponents(scope);
    if (!listed.ok()) return listed.status();
    components = std::move(listed).value();
  }
  auto changes = store_.service_status().Changes(scope, Timestamp{window_start}, Timestamp{now});
  if (!changes.ok()) return changes.status();
  auto windows = store_.service_status().ListMaintenance(scope, Timestamp{window_start}, Timestamp{now}, kMaxMaintenance);
  if (!windows.ok()) return windows.status();

  for (auto& component : components) {
    // The status segments [at, next change) of this component, clipped to the window and to now.
    struct Segment {
      std::int64_t from, to;
      ComponentStatus status;
    };
    std::vector<Segment> segments;
    std::vector<ComponentStatusChange> mine;
    for (const auto& change : *changes) {
      if (change.component_id == component.id) mine.push_back(change);
    }
    for (std::size_t i = 0; i < mine.size(); ++i) {
      const std::int64_t from = std::max(mine[i].at.millis, window_start);
      const std::int64_t to = std::min(i + 1 < mine.size() ? mine[i + 1].at.millis : now, now);
      if (from < to) segments.push_back({from, to, mine[i].status});
    }
    // Planned maintenance of this component: never counted against its uptime.
    std::vector<std::pair<std::int64_t, std::int64_t>> planned;
    for (const auto& window : *windows) {
      if (window.status == MaintenanceStatus::cancelled || !Contains(window.component_ids, component.id)) continue;
      const std::int64_t from = std::max(window.starts_at.millis, window_start);
      const std::int64_t to = std::min(window.ends_at.millis, now);
      if (from < to) planned.emplace_back(from, to);
    }
    std::vector<std::int64_t> cuts = {window_start, window_end};
    for (const auto& segment : segments) {
      cuts.push_back(segment.from);
      cuts.push_back(segment.to);
    }
    for (const auto& [from, to] : planned) {
      cuts.push_back(from);
      cuts.push_back(to);
    }
    for (std::int64_t day = 1; day < days; ++day) cuts.push_back(window_start + day * kDayMillis);
    std::sort(cuts.begin(), cuts.end());
    cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());

    ComponentUptime uptime;
    uptime.component = component;
    uptime.days.resize(static_cast<std::size_t>(days));
    for (int i = 0; i < days; ++i) {
      uptime.days[static_cast<std::size_t>(i)].day = report.first_day + i;
      for (auto status : kStatuses) uptime.days[static_cast<std::size_t>(i)].millis[status] = 0;
    }
    std::size_t segment = 0;
    for (std::size_t i = 0; i + 1 < cuts.size(); ++i) {
      const std::int64_t from = cuts[i], to = cuts[i + 1];
      if (from < window_start || to > window_end) continue;
      DayUptime& day = uptime.days[static_cast<std::size_t>(from / kDayMillis - report.first_day)];
      while (segment < segments.size() && segments[segment].to <= from) ++segment;
      if (segment == segments.size() || segments[segment].from > from) {
        day.no_data_millis += to - from;
        continue;
      }
      const bool in_maintenance = std::any_of(planned.begin(), planned.end(),
                                              [&](const auto& window) { return window.first <= from && from < window.second; });
      day.millis[in_maintenance ? ComponentStatus::under_maintenance : segments[segment].status] += to - from;
    }
    // Up: operational and degraded; down: partial and major outages; maintenance counts neither.
    auto percent = [](std::int64_t up, std::int64_t down) -> std::optional<double> {
      if (up + down == 0) return std::nullopt;
      // Rounded down to two decimals, so that any downtime shows below 100.
      return std::floor(static_cast<double>(up) * 10000.0 / static_cast<double>(up + down)) / 100.0;
    };
    std::int64_t total_up = 0, total_down = 0;
    for (auto& day : uptime.days) {
      const std::int64_t up = day.millis[ComponentStatus::operational] + day.millis[ComponentStatus::degraded_performance];
      const std::int64_t down = day.millis[ComponentStatus::partial_outage] + day.millis[ComponentStatus::major_outage];
      day.uptime_percent = percent(up, down);
      total_up += up;
      total_down += down;
    }
    uptime.uptime_percent = percent(total_up, total_down);
    report.components.push_back(std::move(uptime));
  }
  return report;
}

// --- Writes ----------------------------------------------------------------------------------------

Status StatusEngine::CheckComponents(const Scope& scope, const std::vector<std::int64_t>& ids) {
  if (ids.size() > 100) return Status::InvalidField("component_ids", field_code::kTooLong, {{"max", "100"}});
  for (auto id : ids) {
    if (id <= 0) return Status::InvalidField("component_ids", field_code::kInvalid);
    auto found = store_.service_status().GetComponent(scope, id);
    if (found.status().code() == ErrorCode::kNotFound) return Status::InvalidField("component_ids", field_code::kInvalid);
    if (!found.ok()) return found.status();
  }
  return Status::Ok();
}

Status StatusEngine::Refresh(const Scope& scope, const std::vector<std::int64_t>& ids, Timestamp at) {
  for (auto id : ids) {
    auto refreshed = store_.service_status().RefreshComponent(scope, id, at);
    if (!refreshed.ok() && refreshed.status().code() != ErrorCode::kNotFound) return refreshed.status();
  }
  return Status::Ok();
}

Result<ServiceComponent> StatusEngine::UpsertComponent(const RequestContext& context, const ComponentPatch& patch) {
  const Scope scope(context);
  ServiceComponent component;
  if (patch.id) {
    auto stored = store_.service_status().GetComponent(scope, *patch.id);
    if (!stored.ok()) return stored.status();
    component = std::move(stored).value();
  } else if (patch.name) {
    auto stored = store_.service_status().FindComponent(scope, *patch.name);
    if (!stored.ok()) return stored.status();
    if (*stored) component = std::move(**stored);
  }
  if (component.id == 0 && !patch.name) return Status::InvalidField("name", field_code::kRequired);
  if (patch.name) component.name = *patch.name;
  if (patch.description) component.description = OptionalText(patch.description);
  if (patch.group_name) component.group_name = OptionalText(patch.group_name);
  if (patch.status) component.status = *patch.status;
  component.tenant_id = context.tenant_id;
  component.updated_at = Timestamp{clock_.NowMillis()};
  if (auto errors = Validate(component); !errors.empty()) return Status::Invalid(std::move(errors));
  return store_.service_status().SaveComponent(scope, std::move(component));
}

Result<Incident> StatusEngine::CreateIncident(const RequestContext& context, const IncidentPatch& patch) {
  const Scope scope(context);
  const Timestamp now{clock_.NowMillis()};
  FieldChecker check;
  Incident incident;
  incident.tenant_id = context.tenant_id;
  incident.title = patch.title.value_or("");
  check.Required("title", incident.title, 200);
  check.RequiredText("body", patch.body, kTextBytes);
  incident.status = patch.status.value_or(IncidentStatus::investigating);
  incident.impact = patch.impact.value_or(ComponentStatus::major_outage);
  if (!IsImpact(incident.impact)) {
    check.Add("impact", field_code::kNotAllowed, {{"allowed", "degraded_performance, partial_outage, major_outage"}});
  }
  incident.component_ids = patch.component_ids.value_or(std::vector<std::int64_t>{});
  incident.started_at = patch.started_at.value_or(now);
  if (incident.started_at > now) check.Add("started_at", field_code::kOutOfRange, {{"min", "-"}, {"max", "now"}});
  if (auto errors = check.Take(); !errors.empty()) return Status::Invalid(std::move(errors));
  if (Status checked = CheckComponents(scope, incident.component_ids); !checked.ok()) return checked;
  if (incident.status == IncidentStatus::resolved) incident.resolved_at = now;
  incident.created_at = incident.updated_at = now;
  incident.updates.push_back(IncidentUpdate{0, 0, incident.status, patch.body, now});
  auto created = store_.service_status().CreateIncident(scope, std::move(incident));
  if (!created.ok()) return created;
  if (Status refreshed = Refresh(scope, created->component_ids, now); !refreshed.ok()) return refreshed;
  return created;
}

Result<Incident> StatusEngine::UpdateIncident(const RequestContext& context, std::int64_t id,
                                              const IncidentPatch& patch) {
  const Scope scope(context);
  const Timestamp now{clock_.NowMillis()};
  FieldChecker check;
  check.RequiredText("body", patch.body, kTextBytes);
  if (patch.title) check.Required("title", *patch.title, 200);
  if (patch.impact && !IsImpact(*patch.impact)) {
    check.Add("impact", field_code::kNotAllowed, {{"allowed", "degraded_performance, partial_outage, major_outage"}});
  }
  if (auto errors = check.Take(); !errors.empty()) return Status::Invalid(std::move(errors));
  if (patch.component_ids) {
    if (Status checked = CheckComponents(scope, *patch.component_ids); !checked.ok()) return checked;
  }
  std::vector<std::int64_t> touched;
  auto updated = store_.service_status().UpdateIncident(scope, id, [&](Incident& incident) -> Status {
    if (incident.status == IncidentStatus::resolved && patch.status && *patch.status != IncidentStatus::resolved) {
      return Status::TransitionNotAllowed(EnumName(incident.status), EnumName(*patch.status));
    }
    touched = incident.component_ids;
    if (patch.title) incident.title = *patch.title;
    if (patch.impact) incident.impact = *patch.impact;
    if (patch.component_ids) incident.component_ids = *patch.component_ids;
    if (patch.status) incident.status = *patch.status;
    if (incident.status == IncidentStatus::resolved && !incident.resolved_at) incident.resolved_at = now;
    incident.updated_at = now;
    incident.updates.push_back(IncidentUpdate{0, incident.id, incident.status, patch.body, now});
    return Status::Ok();
  });
  if (!updated.ok()) return updated;
  for (auto component : updated->component_ids) {
    if (!Contains(touched, component)) touched.push_back(component);
  }
  if (Status refreshed = Refresh(scope, touched, now); !refreshed.ok()) return refreshed;
  return updated;
}

Result<MaintenanceWindow> StatusEngine::ScheduleMaintenance(const RequestContext& context, MaintenanceWindow window) {
  const Scope scope(context);
  window.id = 0;
  window.tenant_id = context.tenant_id;
  window.status = MaintenanceStatus::scheduled;
  window.created_at = Timestamp{clock_.NowMillis()};
  window.description = OptionalText(window.description);
  if (auto errors = Validate(window); !errors.empty()) return Status::Invalid(std::move(errors));
  if (Status checked = CheckComponents(scope, window.component_ids); !checked.ok()) return checked;
  return store_.service_status().CreateMaintenance(scope, std::move(window));
}

Result<MaintenanceWindow> StatusEngine::UpdateMaintenance(const RequestContext& context, std::int64_t id,
                                                          const MaintenancePatch& patch) {
  const Scope scope(context);
  const Timestamp now{clock_.NowMillis()};
  if (patch.component_ids) {
    if (Status checked = CheckComponents(scope, *patch.component_ids); !checked.ok()) return checked;
  }
  auto updated = store_.service_status().UpdateMaintenance(scope, id, [&](MaintenanceWindow& window) -> Status {
    const MaintenanceStatus live = LiveStatus(window, now);
    if (patch.status && *patch.status != live) {
      // Completed and cancelled windows are final; a window ends early by completing it, starts
      // early by moving it in_progress, and never goes back to scheduled.
      const bool final = live == MaintenanceStatus::completed || live == MaintenanceStatus::cancelled;
      const bool allowed = !final && (*patch.status == MaintenanceStatus::cancelled ||
                                      *patch.status == MaintenanceStatus::in_progress ||
                                      (*patch.status == MaintenanceStatus::completed && live == MaintenanceStatus::in_progress));
      if (!allowed) return Status::TransitionNotAllowed(EnumName(live), EnumName(*patch.status));
    }
    if (patch.title) window.title = *patch.title;
    if (patch.description) window.description = OptionalText(*patch.description);
    if (patch.component_ids) window.component_ids = *patch.component_ids;
    if (patch.starts_at) window.starts_at = *patch.starts_at;
    if (patch.ends_at) window.ends_at = *patch.ends_at;
    if (patch.status && *patch.status != live) {
      if (*patch.status == MaintenanceStatus::in_progress) window.starts_at = std::min(window.starts_at, now);
      if (*patch.status == MaintenanceStatus::completed) window.ends_at = std::min(window.ends_at, now);
      window.status = *patch.status;
    }
    if (auto errors = Validate(window); !errors.empty()) return Status::Invalid(std::move(errors));
    return Status::Ok();
  });
  if (!updated.ok()) return updated;
  updated->status = LiveStatus(*updated, now);
  return updated;
}

Result<AlertIngestReport> StatusEngine::IngestAlertmanager(const RequestContext& context, const json::object& payload) {
  FieldChecker check;
  const AlertmanagerMapping mapping = ReadMapping(payload, check);
  if (const json::value* version = payload.if_contains("version"); version != nullptr && !version->is_null()) {
    if (!version->is_string()) {
      check.Add("version", field_code::kInvalid);
    } else if (version->get_string() != "4") {
      check.Add("version", field_code::kNotAllowed, {{"allowed", "4"}});
    }
  }
  const json::array* alerts = nullptr;
  if (const json::value* value = payload.if_contains("alerts"); value == nullptr || value->is_null()) {
    check.Add("alerts", field_code::kRequired);
  } else if (!value->is_array()) {
    check.Add("alerts", field_code::kInvalid);
  } else if (value->get_array().size() > kMaxAlerts) {
    check.Add("alerts", field_code::kTooLong, {{"max", std::to_string(kMaxAlerts)}});
  } else {
    alerts = &value->get_array();
  }
  AlertIngestReport report;
  if (const json::value* truncated = payload.if_contains("truncatedAlerts"); truncated != nullptr && truncated->is_int64()) {
    report.truncated_alerts = truncated->get_int64();
  }
  const json::object* common_labels = ObjectMember(payload, "commonLabels");
  std::vector<Alert> read;
  if (alerts != nullptr) {
    for (std::size_t i = 0; i < alerts->size(); ++i) {
      const std::string path = "alerts[" + std::to_string(i) + "]";
      if (!(*alerts)[i].is_object()) {
        check.Add(path, field_code::kInvalid);
        continue;
      }
      read.push_back(ReadAlert((*alerts)[i].get_object(), common_labels, mapping, path, check));
    }
  }
  if (auto errors = check.Take(); !errors.empty()) return Status::Invalid(std::move(errors));

  const Scope scope(context);
  const Timestamp now{clock_.NowMillis()};
  auto& repository = store_.service_status();
  for (const Alert& alert : read) {
    ++report.received;
    auto found = repository.FindOpenIncident(scope, alert.fingerprint);
    if (!found.ok()) return found.status();
    if (!alert.firing) {
      if (!*found) {
        ++report.ignored;
        continue;
      }
      const Timestamp resolved_at =
          alert.ends_at && *alert.ends_at <= now && *alert.ends_at >= (*found)->started_at ? *alert.ends_at : now;
      auto resolved = repository.UpdateIncident(scope, (*found)->id, [&](Incident& incident) -> Status {
        incident.status = IncidentStatus::resolved;
        incident.resolved_at = resolved_at;
        incident.updated_at = now;
        incident.updates.push_back(IncidentUpdate{0, incident.id, IncidentStatus::resolved, alert.body, now});
        return Status::Ok();
      });
      if (!resolved.ok()) return resolved.status();
      ++report.resolved;
      report.incident_ids.push_back(resolved->id);
      if (Status refreshed = Refresh(scope, resolved->component_ids, now); !refreshed.ok()) return refreshed;
      continue;
    }
    if (!alert.component) {
      ++report.unmapped;
      continue;
    }
    auto component = repository.FindComponent(scope, *alert.component);
    if (!component.ok()) return component.status();
    if (!*component) {
      ServiceComponent created;
      created.tenant_id = context.tenant_id;
      created.name = *alert.component;
      created.updated_at = now;
      if (auto errors = Validate(created); !errors.empty()) {
        ++report.unmapped;  // a label value no component can be named after (blank)
        continue;
      }
      auto saved = repository.SaveComponent(scope, std::move(created));
      if (!saved.ok()) return saved.status();
      *component = std::move(saved).value();
      ++report.components_created;
    }
    const std::int64_t component_id = (*component)->id;
    std::int64_t incident_id = 0;
    if (!*found) {
      Incident incident;
      incident.tenant_id = context.tenant_id;
      incident.title = alert.title;
      incident.impact = alert.impact;
      incident.component_ids = {component_id};
      incident.source = "alertmanager";
      incident.fingerprint = alert.fingerprint;
      incident.external_url = alert.url;
      incident.started_at = alert.starts_at && *alert.starts_at <= now ? *alert.starts_at : now;
      incident.created_at = incident.updated_at = now;
      incident.updates.push_back(IncidentUpdate{0, 0, IncidentStatus::investigating, alert.body, now});
      auto created = repository.CreateIncident(scope, std::move(incident));
      if (!created.ok()) return created.status();
      incident_id = created->id;
      ++report.opened;
    } else if ((*found)->impact != alert.impact || !Contains((*found)->component_ids, component_id)) {
      auto updated = repository.UpdateIncident(scope, (*found)->id, [&](Incident& incident) -> Status {
        incident.impact = alert.impact;
        if (!Contains(incident.component_ids, component_id)) incident.component_ids.push_back(component_id);
        incident.updated_at = now;
        incident.updates.push_back(IncidentUpdate{0, incident.id, incident.status, alert.body, now});
        return Status::Ok();
      });
      if (!updated.ok()) return updated.status();
      incident_id = updated->id;
      ++report.updated;
    } else {
      incident_id = (*found)->id;
      ++report.unchanged;
    }
    report.incident_ids.push_back(incident_id);
    if (Status refreshed = Refresh(scope, {component_id}, now); !refreshed.ok()) return refreshed;
  }
  return report;
}

}  // namespace selfservice

#include "storage/sqlite/status_repository.hpp"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include <boost/json.hpp>

#include "storage/sqlite/rows.hpp"

namespace selfservice::sqlite {
namespace {

// How bad a component status is, for "the worst impact": maintenance ranks below any trouble.
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

std::string IdArrayText(const std::vector<std::int64_t>& ids) {
  boost::json::array array;
  for (auto id : ids) array.emplace_back(id);
  return boost::json::serialize(array);
}

std::vector<std::int64_t> IdArrayColumn(const Statement& stmt, int column) {
  std::vector<std::int64_t> out;
  if (auto parsed = ParseJsonColumn(stmt.OptionalText(column)); parsed && parsed->is_array()) {
    for (const auto& item : parsed->get_array()) {
      if (item.is_int64()) out.push_back(item.get_int64());
    }
  }
  return out;
}

// --- Components ------------------------------------------------------------------------------------

#define COMPONENT_COLUMNS "id, tenant_id, name, description, group_name, status, updated_at"

ServiceComponent ReadComponent(const Statement& s) {
  ServiceComponent v;
  v.id = s.Int(0);
  v.tenant_id = s.Int(1);
  v.name = s.Text(2);
  v.description = s.OptionalText(3);
  v.group_name = s.OptionalText(4);
  v.status = EnumColumn(s, 5, ComponentStatus::operational);
  v.updated_at = Timestamp{s.Int(6)};
  return v;
}

std::optional<ServiceComponent> FindComponentById(Connection& db, const Scope& scope, std::int64_t id) {
  Statement s = db.Prepare("SELECT " COMPONENT_COLUMNS " FROM service_components WHERE tenant_id = ?1 AND id = ?2");
  s.Bind(1, scope.tenant_id()).Bind(2, id);
  if (!s.Step()) return std::nullopt;
  return ReadComponent(s);
}

void RecordChange(Connection& db, const Scope& scope, std::int64_t component_id, ComponentStatus status,
                  Timestamp at) {
  Statement s = db.Prepare(
      "INSERT INTO service_status_changes (tenant_id, component_id, status, changed_at) VALUES (?1, ?2, ?3, ?4)");
  s.Bind(1, scope.tenant_id()).Bind(2, component_id).Bind(3, EnumName(status)).Bind(4, at.millis);
  s.Run();
}

// --- Incidents -------------------------------------------------------------------------------------

#define INCIDENT_COLUMNS                                                                               \
  "id, tenant_id, title, status, impact, component_ids, source, fingerprint, external_url, started_at, " \
  "resolved_at, created_at, updated_at"

Incident ReadIncident(const Statement& s) {
  Incident v;
  v.id = s.Int(0);
  v.tenant_id = s.Int(1);
  v.title = s.Text(2);
  v.status = EnumColumn(s, 3, IncidentStatus::investigating);
  v.impact = EnumColumn(s, 4, ComponentStatus::major_outage);
  v.component_ids = IdArrayColumn(s, 5);
  v.source = s.Text(6);
  v.fingerprint = s.OptionalText(7);
  v.external_url = s.OptionalText(8);
  v.started_at = Timestamp{s.Int(9)};
  v.resolved_at = OptionalTime(s, 10);
  v.created_at = Timestamp{s.Int(11)};
  v.updated_at = Timestamp{s.Int(12)};
  return v;
}

void LoadUpdates(Connection& db, Incident& incident) {
  Statement s = db.Prepare(
      "SELECT id, incident_id, status, body, created_at FROM service_incident_updates "
      "WHERE incident_id = ?1 ORDER BY created_at, id");
  s.Bind(1, incident.id);
  incident.updates.clear();
  while (s.Step()) {
    IncidentUpdate update;
    update.id = s.Int(0);
    update.incident_id = s.Int(1);
    update.status = EnumColumn(s, 2, IncidentStatus::investigating);
    update.body = s.Text(3);
    update.created_at = Timestamp{s.Int(4)};
    incident.updates.push_back(std::move(update));
  }
}

std::optional<Incident> FindIncidentById(Connection& db, const Scope& scope, std::int64_t id) {
  Statement s = db.Prepare("SELECT " INCIDENT_COLUMNS " FROM service_incidents WHERE tenant_id = ?1 AND id = ?2");
  s.Bind(1, scope.tenant_id()).Bind(2, id);
  if (!s.Step()) return std::nullopt;
  Incident incident = ReadIncident(s);
  LoadUpdates(db, incident);
  return incident;
}

void InsertUpdates(Connection& db, const Scope& scope, Incident& incident) {
  for (auto& update : incident.updates) {
    if (update.id != 0) continue;
    Statement s = db.Prepare(
        "INSERT INTO service_incident_updates (tenant_id, incident_id, status, body, created_at) "
        "VALUES (?1, ?2, ?3, ?4, ?5)");
    s.Bind(1, scope.tenant_id())
        .Bind(2, incident.id)
        .Bind(3, EnumName(update.status))
        .Bind(4, update.body)
        .Bind(5, update.created_at.millis);
    s.Run();
    update.id = db.LastInsertRowId();
    update.incident_id = incident.id;
  }
}

// --- Maintenance -----------------------------------------------------------------------------------

#define MAINTENANCE_COLUMNS "id, tenant_id, title, description, component_ids, starts_at, ends_at, status, created_at"

MaintenanceWindow ReadMaintenance(const Statement& s) {
  MaintenanceWindow v;
  v.id = s.Int(0);
  v.tenant_id = s.Int(1);
  v.title = s.Text(2);
  v.description = s.OptionalText(3);
  v.component_ids = IdArrayColumn(s, 4);
  v.starts_at = Timestamp{s.Int(5)};
  v.ends_at = Timestamp{s.Int(6)};
  v.status = EnumColumn(s, 7, MaintenanceStatus::scheduled);
  v.created_at = Timestamp{s.Int(8)};
  return v;
}

std::optional<MaintenanceWindow> FindMaintenanceById(Connection& db, const Scope& scope, std::int64_t id) {
  Statement s = db.Prepare("SELECT " MAINTENANCE_COLUMNS " FROM service_maintenance WHERE tenant_id = ?1 AND id = ?2");
  s.Bind(1, scope.tenant_id()).Bind(2, id);
  if (!s.Step()) return std::nullopt;
  return ReadMaintenance(s);
}

class SqliteServiceStatus final : public ServiceStatusRepository {
 public:
  explicit SqliteServiceStatus(Database& db) : db_(db) {}

  Result<ServiceComponent> SaveComponent(const Scope& scope, ServiceComponent v) override {
    v.tenant_id = scope.tenant_id();
    return db_.Write([&](Connection& db) -> Result<ServiceComponent> {
      {
        Statement s = db.Prepare("SELECT id FROM service_components WHERE tenant_id = ?1 AND name = ?2 AND id <> ?3");
        s.Bind(1, v.tenant_id).Bind(2, v.name).Bind(3, v.id);
        if (s.Step()) return Status::InvalidField("name", field_code::kNotAllowed);
      }
      if (v.id == 0) {
        Statement s = db.Prepare(
            "INSERT INTO service_components (tenant_id, name, description, group_name, status, created_at, "
            "updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)");
        s.Bind(1, v.tenant_id)
            .Bind(2, v.name)
            .Bind(3, v.description)
            .Bind(4, v.group_name)
            .Bind(5, EnumName(v.status))
            .Bind(6, v.updated_at.millis);
        s.Run();
        v.id = db.LastInsertRowId();
        RecordChange(db, scope, v.id, v.status, v.updated_at);
        return v;
      }
      auto stored = FindComponentById(db, scope, v.id);
      if (!stored) return Status::NotFound("service component");
      Statement s = db.Prepare(
          "UPDATE service_components SET name = ?3, description = ?4, group_name = ?5, status = ?6, updated_at = ?7 "
          "WHERE tenant_id = ?1 AND id = ?2");
      s.Bind(1, v.tenant_id)
          .Bind(2, v.id)
          .Bind(3, v.name)
          .Bind(4, v.description)
          .Bind(5, v.group_name)
          .Bind(6, EnumName(v.status))
          .Bind(7, v.updated_at.millis);
      s.Run();
      if (stored->status != v.status) RecordChange(db, scope, v.id, v.status, v.updated_at);
      return v;
    });
  }

  Result<ServiceComponent> GetComponent(const Scope& scope, std::int64_t id) override {
    return db_.Read([&](Connection& db) -> Result<ServiceComponent> {
      auto found = FindComponentById(db, scope, id);
      if (!found) return Status::NotFound("service component");
      return std::move(*found);
    });
  }

  Result<std::optional<ServiceComponent>> FindComponent(const Scope& scope, std::string_view name) override {
    return db_.Read([&](Connection& db) -> Result<std::optional<ServiceComponent>> {
      Statement s =
          db.Prepare("SELECT " COMPONENT_COLUMNS " FROM service_components WHERE tenant_id = ?1 AND name = ?2");
      s.Bind(1, scope.tenant_id()).Bind(2, name);
      if (!s.Step()) return std::optional<ServiceComponent>();
      return std::optional<ServiceComponent>(ReadComponent(s));
    });
  }

  Result<std::vector<ServiceComponent>> ListComponents(const Scope& scope) override {
    return db_.Read([&](Connection& db) -> Result<std::vector<ServiceComponent>> {
      Statement s = db.Prepare("SELECT " COMPONENT_COLUMNS
                               " FROM service_components WHERE tenant_id = ?1 ORDER BY coalesce(group_name, ''), "
                               "name, id");
      s.Bind(1, scope.tenant_id());
      std::vector<ServiceComponent> out;
      while (s.Step()) out.push_back(ReadComponent(s));
      return out;
    });
  }

  Result<ServiceComponent> RefreshComponent(const Scope& scope, std::int64_t id, Timestamp at) override {
    return db_.Write([&](Connection& db) -> Result<ServiceComponent> {
      auto component = FindComponentById(db, scope, id);
      if (!component) return Status::NotFound("service component");
      ComponentStatus worst = ComponentStatus::operational;
      {
        Statement s = db.Prepare(
            "SELECT impact FROM service_incidents i WHERE tenant_id = ?1 AND resolved_at IS NULL "
            "AND EXISTS (SELECT 1 FROM json_each(i.component_ids) WHERE value = ?2)");
        s.Bind(1, scope.tenant_id()).Bind(2, id);
        while (s.Step()) {
          const ComponentStatus impact = EnumColumn(s, 0, ComponentStatus::major_outage);
          if (Severity(impact) > Severity(worst)) worst = impact;
        }
      }
      if (worst == component->status) return std::move(*component);
      Statement s = db.Prepare(
          "UPDATE service_components SET status = ?3, updated_at = ?4 WHERE tenant_id = ?1 AND id = ?2");
      s.Bind(1, scope.tenant_id()).Bind(2, id).Bind(3, EnumName(worst)).Bind(4, at.millis);
      s.Run();
      RecordChange(db, scope, id, worst, at);
      component->status = worst;
      component->updated_at = at;
      return std::move(*component);
    });
  }

  Result<std::vector<ComponentStatusChange>> Changes(const Scope& scope, Timestamp from, Timestamp to) override {
    return db_.Read([&](Connection& db) -> Result<std::vector<ComponentStatusChange>> {
      std::vector<ComponentStatusChange> out;
      auto read = [&](Statement& s) {
        while (s.Step()) {
          out.push_back({s.Int(0), EnumColumn(s, 1, ComponentStatus::operational), Timestamp{s.Int(2)}});
        }
      };
      {
        Statement s = db.Prepare(
            "SELECT component_id, status, changed_at FROM (SELECT component_id, status, changed_at, id, "
            "row_number() OVER (PARTITION BY component_id ORDER BY changed_at DESC, id DESC) AS n "
            "FROM service_status_changes WHERE tenant_id = ?1 AND changed_at < ?2) WHERE n = 1 "
            "ORDER BY changed_at, id");
        s.Bind(1, scope.tenant_id()).Bind(2, from.millis);
        read(s);
      }
      Statement s = db.Prepare(
          "SELECT component_id, status, changed_at FROM service_status_changes "
          "WHERE tenant_id = ?1 AND changed_at BETWEEN ?2 AND ?3 ORDER BY changed_at, id");
      s.Bind(1, scope.tenant_id()).Bind(2, from.millis).Bind(3, to.millis);
      read(s);
      return out;
    });
  }

  Result<Incident> CreateIncident(const Scope& scope, Incident v) override {
    if (v.updates.empty()) return Status::InvalidField("updates", field_code::kRequired);
    v.tenant_id = scope.tenant_id();
    return db_.Write([&](Connection& db) -> Result<Incident> {
      Statement s = db.Prepare(
          "INSERT INTO service_incidents (tenant_id, title, status, impact, component_ids, source, fingerprint, "
          "external_url, started_at, resolved_at, created_at, updated_at) "
          "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)");
      s.Bind(1, v.tenant_id)
          .Bind(2, v.title)
          .Bind(3, EnumName(v.status))
          .Bind(4, EnumName(v.impact))
          .Bind(5, IdArrayText(v.component_ids))
          .Bind(6, v.source)
          .Bind(7, v.fingerprint)
          .Bind(8, v.external_url)
          .Bind(9, v.started_at.millis)
          .Bind(10, v.resolved_at ? std::optional(v.resolved_at->millis) : std::nullopt)
          .Bind(11, v.created_at.millis)
          .Bind(12, v.updated_at.millis);
      s.Run();
      v.id = db.LastInsertRowId();
      for (auto& update : v.updates) update.id = 0;
      InsertUpdates(db, scope, v);
      return v;
    });
  }

  Result<Incident> GetIncident(const Scope& scope, std::int64_t id) override {
    return db_.Read([&](Connection& db) -> Result<Incident> {
      auto found = FindIncidentById(db, scope, id);
      if (!found) return Status::NotFound("incident");
      return std::move(*found);
    });
  }

  Result<std::optional<Incident>> FindOpenIncident(const Scope& scope, std::string_view fingerprint) override {
    return db_.Read([&](Connection& db) -> Result<std::optional<Incident>> {
      std::int64_t id = 0;
      {
        Statement s = db.Prepare(
            "SELECT id FROM service_incidents WHERE tenant_id = ?1 AND fingerprint = ?2 AND resolved_at IS NULL");
        s.Bind(1, scope.tenant_id()).Bind(2, fingerprint);
        if (!s.Step()) return std::optional<Incident>();
        id = s.Int(0);
      }
      return FindIncidentById(db, scope, id);
    });
  }

  Result<Incident> UpdateIncident(const Scope& scope, std::int64_t id,
                                  const std::function<Status(Incident&)>& mutate) override {
    return db_.Write([&](Connection& db) -> Result<Incident> {
      auto stored = FindIncidentById(db, scope, id);
      if (!stored) return Status::NotFound("incident");
      Incident v = *stored;
      if (Status status = mutate(v); !status.ok()) return status;
      v.id = stored->id;
      v.tenant_id = stored->tenant_id;
      v.source = stored->source;
      v.fingerprint = stored->fingerprint;
      v.created_at = stored->created_at;
      Statement s = db.Prepare(
          "UPDATE service_incidents SET title = ?3, status = ?4, impact = ?5, component_ids = ?6, external_url = ?7, "
          "started_at = ?8, resolved_at = ?9, updated_at = ?10 WHERE tenant_id = ?1 AND id = ?2");
      s.Bind(1, v.tenant_id)
          .Bind(2, v.id)
          .Bind(3, v.title)
          .Bind(4, EnumName(v.status))
          .Bind(5, EnumName(v.impact))
          .Bind(6, IdArrayText(v.component_ids))
          .Bind(7, v.external_url)
          .Bind(8, v.started_at.millis)
          .Bind(9, v.resolved_at ? std::optional(v.resolved_at->millis) : std::nullopt)
          .Bind(10, v.updated_at.millis);
      s.Run();
      InsertUpdates(db, scope, v);
      return v;
    });
  }

  Result<Page<Incident>> ListIncidents(const Scope& scope, const IncidentFilter& filter, PageRequest page) override {
    return db_.Read([&](Connection& db) -> Result<Page<Incident>> {
      std::optional<std::int64_t> open;
      if (filter.open) open = *filter.open ? 1 : 0;
      std::optional<std::int64_t> since;
      if (filter.since) since = filter.since->millis;
      Page<Incident> out;
      {
        Statement s = db.Prepare(
            "SELECT count(*) FROM service_incidents WHERE tenant_id = ?1 "
            "AND (?2 IS NULL OR (resolved_at IS NULL) = ?2) AND (?3 IS NULL OR started_at >= ?3)");
        s.Bind(1, scope.tenant_id()).Bind(2, open).Bind(3, since);
        s.Step();
        out.total = s.Int(0);
      }
      {
        Statement s = db.Prepare("SELECT " INCIDENT_COLUMNS
                                 " FROM service_incidents WHERE tenant_id = ?1 "
                                 "AND (?2 IS NULL OR (resolved_at IS NULL) = ?2) AND (?3 IS NULL OR started_at >= ?3) "
                                 "ORDER BY started_at DESC, id DESC LIMIT ?4 OFFSET ?5");
        s.Bind(1, scope.tenant_id()).Bind(2, open).Bind(3, since);
        BindPage(s, 4, page);
        while (s.Step()) out.items.push_back(ReadIncident(s));
      }
      for (auto& incident : out.items) LoadUpdates(db, incident);
      return out;
    });
  }

  Result<MaintenanceWindow> CreateMaintenance(const Scope& scope, MaintenanceWindow v) override {
    v.tenant_id = scope.tenant_id();
    return db_.Write([&](Connection& db) -> Result<MaintenanceWindow> {
      Statement s = db.Prepare(
          "INSERT INTO service_maintenance (tenant_id, title, description, component_ids, starts_at, ends_at, "
          "status, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
      s.Bind(1, v.tenant_id)
          .Bind(2, v.title)
          .Bind(3, v.description)
          .Bind(4, IdArrayText(v.component_ids))
          .Bind(5, v.starts_at.millis)
          .Bind(6, v.ends_at.millis)
          .Bind(7, EnumName(v.status))
          .Bind(8, v.created_at.millis);
      s.Run();
      v.id = db.LastInsertRowId();
      return v;
    });
  }

  Result<MaintenanceWindow> UpdateMaintenance(const Scope& scope, std::int64_t id,
                                              const std::function<Status(MaintenanceWindow&)>& mutate) override {
    return db_.Write([&](Connection& db) -> Result<MaintenanceWindow> {
      auto stored = FindMaintenanceById(db, scope, id);
      if (!stored) return Status::NotFound("maintenance window");
      MaintenanceWindow v = *stored;
      if (Status status = mutate(v); !status.ok()) return status;
      v.id = stored->id;
      v.tenant_id = stored->tenant_id;
      v.created_at = stored->created_at;
      Statement s = db.Prepare(
          "UPDATE service_maintenance SET title = ?3, description = ?4, component_ids = ?5, starts_at = ?6, "
          "ends_at = ?7, status = ?8 WHERE tenant_id = ?1 AND id = ?2");
      s.Bind(1, v.tenant_id)
          .Bind(2, v.id)
          .Bind(3, v.title)
          .Bind(4, v.description)
          .Bind(5, IdArrayText(v.component_ids))
          .Bind(6, v.starts_at.millis)
          .Bind(7, v.ends_at.millis)
          .Bind(8, EnumName(v.status));
      s.Run();
      return v;
    });
  }

  Result<std::vector<MaintenanceWindow>> ListMaintenance(const Scope& scope, Timestamp from, Timestamp to,
                                                         int limit) override {
    return db_.Read([&](Connection& db) -> Result<std::vector<MaintenanceWindow>> {
      Statement s = db.Prepare("SELECT " MAINTENANCE_COLUMNS
                               " FROM service_maintenance WHERE tenant_id = ?1 AND ends_at >= ?2 AND starts_at <= ?3 "
                               "ORDER BY starts_at, id LIMIT ?4");
      s.Bind(1, scope.tenant_id()).Bind(2, from.millis).Bind(3, to.millis).Bind(4, limit);
      std::vector<MaintenanceWindow> out;
      while (s.Step()) out.push_back(ReadMaintenance(s));
      return out;
    });
  }

 private:
  Database& db_;
};

}  // namespace

std::unique_ptr<ServiceStatusRepository> MakeServiceStatusRepository(Database& db) {
  return std::make_unique<SqliteServiceStatus>(db);
}

}  // namespace selfservice::sqlite

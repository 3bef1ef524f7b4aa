#include "storage/sqlite/audit_repository.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>

#include "core/sha256.hpp"
#include "domain/rules.hpp"
#include "storage/sqlite/rows.hpp"

namespace selfservice::sqlite {
namespace {
namespace json = boost::json;

constexpr std::size_t kMaxAction = 64;
constexpr std::size_t kMaxTarget = 128;  // characters
constexpr std::size_t kMaxDetails = 8 * 1024;  // serialized bytes
constexpr std::size_t kMaxTraceId = 128;  // characters
constexpr int kMaxPageSize = 1000;
constexpr const char* kIpColumn = "audit_log.ip_address";
constexpr std::string_view kGenesis = "0000000000000000000000000000000000000000000000000000000000000000";

#define AUDIT_COLUMNS                                                                                       \
  "id, tenant_id, customer_id, actor_user_id, action, outcome, target, details, ip_address, trace_id, at, " \
  "prev_hash, hash"

json::value OptionalValue(const std::optional<std::int64_t>& value) {
  return value ? json::value(*value) : json::value(nullptr);
}

json::value OptionalValue(const std::optional<std::string>& value) {
  return value ? json::value(*value) : json::value(nullptr);
}

// The bytes an entry's hash covers, defined once for Append and Verify: the JSON array
//   [prev_hash, tenant_id, customer_id, actor_user_id, action, outcome, target, details, ip_address,
//    trace_id, at]
// as Boost.JSON serializes it (no white space; strings as their UTF-8 bytes with only '"', '\'
// and control characters escaped; integers in decimal), null for an absent optional, `details` as
// a JSON string holding its stored text (so the hash never depends on how a parser re-serializes
// an object), ip_address in plaintext (so re-encrypting it leaves the chain intact) and `at` in
// milliseconds since the epoch. Each field has its own typed position, so no two different entries
// serialize alike, as they could if the fields were simply concatenated ("a|b" + "c", "a" + "b|c").
std::string ChainHash(std::string_view prev_hash, const AuditEntry& e, std::string_view details_text) {
  const json::array canonical{json::string(prev_hash),    e.tenant_id,
                              OptionalValue(e.customer_id), OptionalValue(e.actor_user_id),
                              json::string(e.action),     json::string(e.outcome),
                              OptionalValue(e.target),    json::string(details_text),
                              OptionalValue(e.ip_address), json::string(e.trace_id),
                              e.at.millis};
  return Sha256Hex(json::serialize(canonical));
}

bool IsActionChar(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_'; }

// 1 to 64 of [a-z0-9._]: FIELD_REQUIRED, FIELD_TOO_LONG or FIELD_INVALID under `field`.
void CheckAction(FieldChecker& check, std::string_view field, std::string_view action) {
  if (action.empty()) {
    check.Add(field, field_code::kRequired);
  } else if (action.size() > kMaxAction) {
    check.Add(field, field_code::kTooLong, {{"max", std::to_string(kMaxAction)}});
  } else {
    bool ok = true;
    for (char c : action) ok = ok && IsActionChar(c);
    check.Format(field, ok);
  }
}

void CheckPositive(FieldChecker& check, std::string_view field, const std::optional<std::int64_t>& id) {
  if (id && *id <= 0) check.Add(field, field_code::kInvalid);
}

// Ok, or 10001 naming every bad field of `entry` as Append will store it: null details become {},
// whose serialized text is left in `details_text`. The schema's CHECKs would refuse most of these
// too, but as a database error; they are the caller's.
Status CheckEntry(const Scope& scope, AuditEntry& entry, std::string& details_text) {
  FieldChecker check;
  if (scope.tenant_id() <= 0) check.Add("tenant_id", field_code::kInvalid);
  CheckPositive(check, "customer_id", entry.customer_id);
  CheckPositive(check, "actor_user_id", entry.actor_user_id);
  CheckAction(check, "action", entry.action);
  if (entry.outcome != "success" && entry.outcome != "failure") {
    check.Add("outcome", field_code::kNotAllowed, {{"allowed", "success, failure"}});
  }
  if (entry.target) {
    if (entry.target->empty()) {
      check.Add("target", field_code::kInvalid);
    } else {
      check.MaxChars("target", entry.target, kMaxTarget);
    }
  }
  if (entry.details.is_null()) entry.details = json::object();
  if (!entry.details.is_object()) {
    check.Add("details", field_code::kInvalid);
  } else {
    details_text = json::serialize(entry.details);
    check.MaxBytes("details", details_text, kMaxDetails);
  }
  check.Format("ip_address", entry.ip_address, IsIpAddress);
  check.MaxChars("trace_id", entry.trace_id, kMaxTraceId);
  std::vector<FieldError> errors = check.Take();
  return errors.empty() ? Status::Ok() : Status::Invalid(std::move(errors));
}

// --- The list's SQL ---------------------------------------------------------------------------
//
// One statement per shape of filter, so that each visibility and filter meets its own index (the
// "?2 IS NULL OR customer_id = ?2" form would keep SQLite from using any index beyond the
// tenant's). Parameters: ?1 tenant, ?2 customer, ?3 user (the scope), ?4 the exact action or the
// prefix, ?5 the end of the prefix's range, ?6 actor, ?7 and ?8 the time range, ?9 and ?10 limit
// and offset.

enum class ActionMode { kAny, kExact, kPrefix };

struct ListShape {
  Visibility visibility = Visibility::kTenant;
  ActionMode action = ActionMode::kAny;
  bool actor = false;
};

std::string ListSql(bool count, const ListShape& shape) {
  std::string sql = count ? "SELECT count(*) FROM audit_log WHERE tenant_id = ?1"
                          : "SELECT " AUDIT_COLUMNS " FROM audit_log WHERE tenant_id = ?1";
  if (shape.visibility != Visibility::kTenant) sql += " AND customer_id = ?2";
  if (shape.visibility == Visibility::kOwn) sql += " AND actor_user_id = ?3";
  if (shape.action == ActionMode::kExact) sql += " AND action = ?4";
  if (shape.action == ActionMode::kPrefix) sql += " AND action >= ?4 AND action < ?5";
  if (shape.actor) sql += " AND actor_user_id = ?6";
  sql += " AND at >= ?7 AND at < ?8";
  if (!count) sql += " ORDER BY id DESC LIMIT ?9 OFFSET ?10";
  return sql;
}

// Every shape's text, made once (ShapedSql).
const char* CachedListSql(bool count, const ListShape& shape) {
  static const ShapedSql<2, 3, 3, 2> kSql([](const auto& d) {
    return ListSql(d[0] != 0, ListShape{static_cast<Visibility>(d[1]), static_cast<ActionMode>(d[2]), d[3] != 0});
  });
  return kSql.Get({count, static_cast<std::size_t>(shape.visibility), static_cast<std::size_t>(shape.action),
                   shape.actor});
}

void BindList(Statement& s, const Scope& scope, const ListShape& shape, const AuditFilter& filter) {
  s.Bind(1, scope.tenant_id());
  if (shape.visibility != Visibility::kTenant) s.Bind(2, scope.customer_id());
  if (shape.visibility == Visibility::kOwn) s.Bind(3, scope.user_id());
  if (shape.action == ActionMode::kExact) s.Bind(4, *filter.action);
  if (shape.action == ActionMode::kPrefix) {
    s.Bind(4, *filter.action);
    // A valid prefix ends in '.', never in 0xFF, so its range always has an end.
    s.Bind(5, FirstAfterPrefix(*filter.action).value_or(std::string()));
  }
  if (shape.actor) s.Bind(6, *filter.actor_user_id);
  s.Bind(7, filter.from ? filter.from->millis : std::numeric_limits<std::int64_t>::min());
  s.Bind(8, filter.to ? filter.to->millis : std::numeric_limits<std::int64_t>::max());
}

Status CheckList(const AuditFilter& filter, PageRequest page) {
  FieldChecker check;
  if (filter.action) CheckAction(check, "action", *filter.action);
  CheckPositive(check, "actor_user_id", filter.actor_user_id);
  check.Range("page", page.page, 1, std::numeric_limits<int>::max());
  check.Range("size", page.size, 1, kMaxPageSize);
  std::vector<FieldError> errors = check.Take();
  return errors.empty() ? Status::Ok() : Status::Invalid(std::move(errors));
}

// A row as stored: ip_address still sealed, details as text.
struct StoredRow {
  AuditEntry entry;
  std::string details_text;
  std::optional<std::string> sealed_ip;
};

StoredRow ReadRow(const Statement& s) {
  StoredRow row;
  AuditEntry& e = row.entry;
  e.id = s.Int(0);
  e.tenant_id = s.Int(1);
  e.customer_id = s.OptionalInt(2);
  e.actor_user_id = s.OptionalInt(3);
  e.action = s.Text(4);
  e.outcome = s.Text(5);
  e.target = s.OptionalText(6);
  row.details_text = s.Text(7);
  row.sealed_ip = s.OptionalText(8);
  e.trace_id = s.Text(9);
  e.at = Timestamp{s.Int(10)};
  e.prev_hash = s.Text(11);
  e.hash = s.Text(12);
  return row;
}

class SqliteAudit final : public AuditRepository {
 public:
  explicit SqliteAudit(Database& db) : db_(db) {}

  Result<AuditEntry> Append(const Scope& scope, AuditEntry entry) override {
    std::string details_text;
    if (Status checked = CheckEntry(scope, entry, details_text); !checked.ok()) return checked;
    entry.tenant_id = scope.tenant_id();
    const std::optional<std::string> sealed_ip = db_.sealed().SealOptional(entry.tenant_id, kIpColumn, entry.ip_address);
    // Reading the tenant's last hash and inserting after it in one write transaction chains
    // concurrent appends (of this process or another) one after the other.
    return db_.Write([&](Connection& db) -> Result<AuditEntry> {
      {
        Statement s = db.Prepare("SELECT hash FROM audit_log WHERE tenant_id = ?1 ORDER BY id DESC LIMIT 1");
        s.Bind(1, entry.tenant_id);
        entry.prev_hash = s.Step() ? s.Text(0) : std::string(kGenesis);
      }
      entry.hash = ChainHash(entry.prev_hash, entry, details_text);
      Statement s = db.Prepare(
          "INSERT INTO audit_log (tenant_id, customer_id, actor_user_id, action, outcome, target, details, "
          "ip_address, trace_id, at, prev_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)");
      s.Bind(1, entry.tenant_id)
          .Bind(2, entry.customer_id)
          .Bind(3, entry.actor_user_id)
          .Bind(4, entry.action)
          .Bind(5, entry.outcome)
          .Bind(6, entry.target)
          .Bind(7, details_text)
          .Bind(8, sealed_ip)
          .Bind(9, entry.trace_id)
          .Bind(10, entry.at.millis)
          .Bind(11, entry.prev_hash)
          .Bind(12, entry.hash);
      s.Run();
      entry.id = db.LastInsertRowId();
      return std::move(entry);
    });
  }

  Result<Page<AuditEntry>> List(const Scope& scope, const AuditFilter& filter, PageRequest page) override {
    if (Status checked = CheckList(filter, page); !checked.ok()) return checked;
    ListShape shape;
    shape.visibility = scope.visibility();
    if (filter.action) shape.action = filter.action->ends_with('.') ? ActionMode::kPrefix : ActionMode::kExact;
    shape.actor = filter.actor_user_id.has_value();
    return db_.Read([&](Connection& db) -> Result<Page<AuditEntry>> {
      Page<AuditEntry> out;
      {
        Statement s = db.Prepare(CachedListSql(true, shape));
        BindList(s, scope, shape, filter);
        s.Step();
        out.total = s.Int(0);
      }
      Statement s = db.Prepare(CachedListSql(false, shape));
      BindList(s, scope, shape, filter);
      BindPage(s, 9, page);
      while (s.Step()) {
        StoredRow row = ReadRow(s);
        auto ip = db_.sealed().UnsealOptional(row.entry.tenant_id, kIpColumn, row.sealed_ip);
        if (!ip.ok()) return ip.status();
        row.entry.ip_address = std::move(ip).value();
        // The schema holds details to valid JSON; anything but an object was put there by hand.
        auto details = ParseJsonColumn(row.details_text);
        row.entry.details = details && details->is_object() ? std::move(*details) : json::value(json::object());
        out.items.push_back(std::move(row.entry));
      }
      return out;
    });
  }

  // Streams the tenant's entries in id order from one read snapshot, holding one row at a time.
  // An entry breaks the chain when its prev_hash is not the hash of the entry before it (an
  // entry removed or moved), or its hash is not the hash of its fields after that one (an entry
  // edited); an ip_address that no key opens cannot be shown to hold, so it breaks it too.
  // Removing the newest entries leaves a chain that holds: only an anchor kept outside the store
  // (the newest hash, published elsewhere) shows that.
  Result<AuditVerification> Verify(const Scope& scope) override {
    return db_.Read([&](Connection& db) -> Result<AuditVerification> {
      AuditVerification out;
      std::string expected_prev(kGenesis);
      Statement s = db.Prepare("SELECT " AUDIT_COLUMNS " FROM audit_log WHERE tenant_id = ?1 ORDER BY id");
      s.Bind(1, scope.tenant_id());
      while (s.Step()) {
        StoredRow row = ReadRow(s);
        ++out.entries;
        if (out.first_broken_id) continue;
        auto ip = db_.sealed().UnsealOptional(row.entry.tenant_id, kIpColumn, row.sealed_ip);
        bool holds = ip.ok() && row.entry.prev_hash == expected_prev;
        if (holds) {
          row.entry.ip_address = std::move(ip).value();
          holds = ChainHash(expected_prev, row.entry, row.details_text) == row.entry.hash;
        }
        if (!holds) out.first_broken_id = row.entry.id;
        expected_prev = std::move(row.entry.hash);
      }
      return out;
    });
  }

 private:
  Database& db_;
};

}  // namespace

std::unique_ptr<AuditRepository> MakeAuditRepository(Database& db) { return std::make_unique<SqliteAudit>(db); }

}  // namespace selfservice::sqlite

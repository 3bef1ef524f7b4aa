#include "storage/sqlite/reencryption.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "security/field_cipher.hpp"

namespace selfservice::sqlite {
namespace {

// Rows per write transaction: short enough that the repositories' writers, queued on the one
// writer connection, wait for a few milliseconds at most while the pass runs.
constexpr int kBatchRows = 256;

// One sealed column. Its values are in `sealed`; `legacy` (or nullptr) is the plaintext column of
// migrations 1, 11 and 12 the pass moves values out of (migrations 22 and 23), which then holds
// `cleared` (NULL, or '' for a NOT NULL column, whose '' counts as empty); `index` (or nullptr)
// holds the keyed blind index of the lowercased value. `name` is SealedFields' "<table>.<column>".
struct SealedColumn {
  const char* table;
  const char* name;
  const char* sealed;
  const char* legacy;
  const char* index;
  bool keyed_by_id;  // a WITHOUT ROWID table, keyed by (tenant_id, id)
  const char* cleared = "NULL";
};

// Every sealed column of the store. The tables of migrations 20 and 21 may be missing from a
// database (or a build) that does not have them; the pass skips what pragma_table_info lacks.
constexpr SealedColumn kColumns[] = {
    {"customer_portal_configs", "customer_portal_configs.contact_info", "contact_info_sealed", "contact_info",
     nullptr, false},
    {"customer_portal_configs", "customer_portal_configs.sso_config", "sso_config_sealed", "sso_config", nullptr,
     false},
    {"customer_portal_configs", "customer_portal_configs.security_settings", "security_settings_sealed",
     "security_settings", nullptr, false},
    {"user_behavior_analytics", "user_behavior_analytics.ip_address", "ip_address_sealed", "ip_address", nullptr,
     false},
    {"user_behavior_analytics", "user_behavior_analytics.user_agent", "user_agent_sealed", "user_agent", nullptr,
     false},
    {"tickets", "tickets.contact_email", "contact_email_sealed", "contact_email", nullptr, false},
    {"tickets", "tickets.contact_phone", "contact_phone_sealed", "contact_phone", nullptr, false},
    {"ticket_drafts", "ticket_drafts.contact_email", "contact_email_sealed", "contact_email", nullptr, false},
    {"ticket_drafts", "ticket_drafts.contact_phone", "contact_phone_sealed", "contact_phone", nullptr, false},
    {"users", "users.email", "email", nullptr, "email_index", false},
    {"users", "users.phone", "phone", nullptr, nullptr, false},
    {"users", "users.totp_secret", "totp_secret", nullptr, nullptr, false},
    {"login_sessions", "login_sessions.ip_address", "ip_address", nullptr, nullptr, true},
    {"login_sessions", "login_sessions.user_agent", "user_agent", nullptr, nullptr, true},
    {"audit_log", "audit_log.ip_address", "ip_address", nullptr, nullptr, false},
    {"outbox", "outbox.payload", "payload_sealed", "payload", nullptr, false, "''"},
};
constexpr std::size_t kColumnCount = sizeof kColumns / sizeof kColumns[0];

// A row's place: ?1 rowid, or ?1 tenant_id and ?2 id for a table keyed by id.
struct RowKey {
  std::int64_t tenant_id = std::numeric_limits<std::int64_t>::min();
  std::int64_t rowid = std::numeric_limits<std::int64_t>::min();
  std::string id;
};

// The statements of one column. Made once: statements are cached by the address of their text.
struct ColumnSql {
  std::string select;   // the batch after the key ?1(, ?2), at most ?3 rows
  std::string rewrite;  // ?3 into the sealed column (and the legacy column cleared) at the key
  std::string reindex;  // ?3 into the index column at the key
};

ColumnSql MakeSql(const SealedColumn& c) {
  const std::string table = c.table;
  const std::string after = c.keyed_by_id ? " WHERE (tenant_id, id) > (?1, ?2) ORDER BY tenant_id, id LIMIT ?3"
                                          : " WHERE rowid > ?1 ORDER BY rowid LIMIT ?3";
  const std::string at = c.keyed_by_id ? " WHERE tenant_id = ?1 AND id = ?2" : " WHERE rowid = ?1";
  ColumnSql sql;
  sql.select = std::string("SELECT tenant_id, ") + (c.keyed_by_id ? "id" : "rowid") + ", " + c.sealed + ", " +
               (c.legacy ? "nullif(" + std::string(c.legacy) + ", '')" : std::string("NULL")) + ", " +
               (c.index ? c.index : "NULL") + " FROM " + table + after;
  sql.rewrite = "UPDATE " + table + " SET " + c.sealed + " = ?3" +
                (c.legacy ? std::string(", ") + c.legacy + " = " + c.cleared : std::string()) + at;
  if (c.index) sql.reindex = "UPDATE " + table + " SET " + c.index + " = ?3" + at;
  return sql;
}

const std::array<ColumnSql, kColumnCount>& Sql() {
  static const std::array<ColumnSql, kColumnCount> kSql = [] {
    std::array<ColumnSql, kColumnCount> all;
    for (std::size_t i = 0; i < kColumnCount; ++i) all[i] = MakeSql(kColumns[i]);
    return all;
  }();
  return kSql;
}

bool HasColumn(Connection& db, const char* table, const char* column) {
  Statement s = db.Prepare("SELECT 1 FROM pragma_table_info(?1) WHERE name = ?2");
  s.Bind(1, table).Bind(2, column);
  return s.Step();
}

// Whether the database has `c`, and whether it has the column of c's index.
struct Presence {
  bool column = false;
  bool index = false;
};

Result<Presence> Present(Database& db, const SealedColumn& c) {
  return db.Read([&](Connection& connection) -> Result<Presence> {
    Presence presence;
    presence.column = HasColumn(connection, c.table, "tenant_id") && HasColumn(connection, c.table, c.sealed) &&
                      (c.legacy == nullptr || HasColumn(connection, c.table, c.legacy)) &&
                      (!c.keyed_by_id || HasColumn(connection, c.table, "id"));
    presence.index = presence.column && c.index != nullptr && HasColumn(connection, c.table, c.index);
    return presence;
  });
}

void BindKey(Statement& s, const SealedColumn& c, const RowKey& key) {
  if (c.keyed_by_id) {
    s.Bind(1, key.tenant_id).Bind(2, key.id);
  } else {
    s.Bind(1, key.rowid);
  }
}

struct Row {
  RowKey key;
  std::optional<std::string> sealed;
  std::optional<std::string> legacy;
  std::optional<std::string> index;
};

// E-mail addresses are indexed by their lowercase in ASCII, as the user repository looks them up.
std::string AsciiLower(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return lower;
}

// Rewrites one row of `c` as needed, counting into `report`; a value no key opens stays as it is.
void RewriteRow(Connection& db, const SealedFields& fields, const SealedColumn& c, const ColumnSql& sql,
                bool with_index, const Row& row, Store::ReencryptionReport& report) {
  const std::optional<std::string>& value = row.sealed ? row.sealed : row.legacy;
  if (!value) return;
  const bool move = !row.sealed;
  const bool rewrite = move || fields.NeedsRewrite(*value);
  const bool reindex = with_index && (!row.index || fields.IndexIsStale(*row.index));
  if (!rewrite && !reindex) return;
  auto plaintext = fields.Unseal(row.key.tenant_id, c.name, *value);
  if (!plaintext.ok()) {
    ++report.unreadable;
    return;
  }
  if (rewrite) {
    Statement s = db.Prepare(sql.rewrite.c_str());
    BindKey(s, c, row.key);
    s.Bind(3, fields.Seal(row.key.tenant_id, c.name, plaintext.value()));
    s.Run();
    ++(security::FieldCipher::IsEncrypted(*value) ? report.reencrypted : report.encrypted);
  }
  if (reindex) {
    Statement s = db.Prepare(sql.reindex.c_str());
    BindKey(s, c, row.key);
    s.Bind(3, fields.Index(row.key.tenant_id, c.name, AsciiLower(plaintext.value())));
    s.Run();
    ++report.reindexed;
  }
}

// One batch of `c` after `cursor`, in a write transaction of its own; moves the cursor to the
// batch's last row. Whether rows may follow.
Result<bool> RewriteBatch(Database& db, const SealedColumn& c, const ColumnSql& sql, bool with_index,
                          RowKey& cursor, Store::ReencryptionReport& report) {
  Store::ReencryptionReport counted;
  auto more = db.Write([&](Connection& connection) -> Result<bool> {
    std::vector<Row> rows;
    {
      Statement s = connection.Prepare(sql.select.c_str());
      BindKey(s, c, cursor);
      s.Bind(3, kBatchRows);
      while (s.Step()) {
        Row row;
        row.key.tenant_id = s.Int(0);
        if (c.keyed_by_id) {
          row.key.id = s.Text(1);
        } else {
          row.key.rowid = s.Int(1);
        }
        row.sealed = s.OptionalText(2);
        row.legacy = s.OptionalText(3);
        row.index = s.OptionalText(4);
        rows.push_back(std::move(row));
      }
    }
    for (const Row& row : rows) RewriteRow(connection, db.sealed(), c, sql, with_index, row, counted);
    if (!rows.empty()) cursor = rows.back().key;
    return rows.size() == static_cast<std::size_t>(kBatchRows);
  });
  if (!more.ok()) return more.status();
  // Counted only once the batch is committed.
  report.reencrypted += counted.reencrypted;
  report.encrypted += counted.encrypted;
  report.reindexed += counted.reindexed;
  report.unreadable += counted.unreadable;
  return more;
}

}  // namespace

Result<Store::ReencryptionReport> ReencryptSensitiveFields(Database& db) {
  Store::ReencryptionReport report;
  for (std::size_t i = 0; i < kColumnCount; ++i) {
    const SealedColumn& c = kColumns[i];
    auto presence = Present(db, c);
    if (!presence.ok()) return presence.status();
    if (!presence.value().column) continue;
    RowKey cursor;
    for (;;) {
      auto more = RewriteBatch(db, c, Sql()[i], presence.value().index, cursor, report);
      if (!more.ok()) return more.status();
      if (!more.value()) break;
    }
  }
  return report;
}

}  // namespace selfservice::sqlite

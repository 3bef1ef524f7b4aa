#include "storage/sqlite/erasure.hpp"

#include <memory>
#include <set>
#include <string>
#include <vector>

#include <boost/json/parse.hpp>

#include "storage/sqlite/rows.hpp"

namespace selfservice::sqlite {
namespace {

constexpr const char* kErased = "[erased]";

// Columns of `table` whose name starts with `prefix` (contact_email, contact_email_sealed, ...):
// read from the schema, so a sealed twin added by a later migration is cleared too.
std::vector<std::string> ColumnsStartingWith(Connection& db, const char* table, std::string_view prefix) {
  std::vector<std::string> columns;
  Statement s = db.Prepare("SELECT name FROM pragma_table_info(?1)");
  s.Bind(1, std::string_view(table));
  while (s.Step()) {
    std::string name = s.Text(0);
    if (name.starts_with(prefix)) columns.push_back(std::move(name));
  }
  return columns;
}

std::int64_t Run(Connection& db, const char* sql, std::int64_t tenant_id, std::int64_t user_id) {
  Statement s = db.Prepare(sql);
  s.Bind(1, tenant_id).Bind(2, user_id);
  s.Step();
  return sqlite3_changes(db.handle());
}

// Run() for SQL built at run time, which the connection's statement cache (keyed by the text's
// address) must not keep.
std::int64_t RunOnce(Connection& db, const std::string& sql, std::int64_t tenant_id, std::int64_t user_id) {
  sqlite3_stmt* raw = nullptr;
  int rc = sqlite3_prepare_v2(db.handle(), sql.c_str(), static_cast<int>(sql.size()), &raw, nullptr);
  std::unique_ptr<sqlite3_stmt, decltype(&sqlite3_finalize)> statement(raw, &sqlite3_finalize);
  if (rc == SQLITE_OK) rc = sqlite3_bind_int64(raw, 1, tenant_id);
  if (rc == SQLITE_OK) rc = sqlite3_bind_int64(raw, 2, user_id);
  if (rc == SQLITE_OK) rc = sqlite3_step(raw);
  if (rc != SQLITE_DONE) throw SqliteError(rc, sqlite3_errmsg(db.handle()));
  return sqlite3_changes(db.handle());
}

void Collect(Connection& db, const char* sql, std::int64_t tenant_id, std::int64_t user_id,
             std::vector<std::string>& into) {
  Statement s = db.Prepare(sql);
  s.Bind(1, tenant_id).Bind(2, user_id);
  while (s.Step()) into.push_back(s.Text(0));
}

}  // namespace

Result<Store::ErasureReport> EraseUser(Database& db, const Scope& scope, std::int64_t user_id) {
  if (user_id <= 0) return Status::InvalidField("id", field_code::kInvalid);
  return db.Write([&](Connection& c) -> Result<Store::ErasureReport> {
    {
      Statement s = c.Prepare("SELECT customer_id FROM users WHERE tenant_id = ?1 AND id = ?2");
      s.Bind(1, scope.tenant_id()).Bind(2, user_id);
      if (!s.Step() || !scope.Sees(s.Int(0), user_id)) return Status::NotFound("user");
    }
    const std::int64_t tenant = scope.tenant_id();
    Store::ErasureReport report;

    // Files first: their keys leave with the rows.
    Collect(c, "SELECT part_key FROM uploads WHERE tenant_id = ?1 AND user_id = ?2", tenant, user_id, report.blob_keys);
    Collect(c,
            "SELECT blob_key FROM ticket_attachments WHERE tenant_id = ?1 AND (user_id = ?2 OR ticket_id IN "
            "(SELECT id FROM tickets WHERE tenant_id = ?1 AND user_id = ?2))",
            tenant, user_id, report.blob_keys);
    report.deleted += Run(c, "DELETE FROM uploads WHERE tenant_id = ?1 AND user_id = ?2", tenant, user_id);
    report.deleted += Run(c,
                          "DELETE FROM ticket_attachments WHERE tenant_id = ?1 AND (user_id = ?2 OR ticket_id IN "
                          "(SELECT id FROM tickets WHERE tenant_id = ?1 AND user_id = ?2))",
                          tenant, user_id);

    // Self-service sessions and what was said in them.
    report.deleted += Run(c,
                          "DELETE FROM session_interactions WHERE tenant_id = ?1 AND session_id IN "
                          "(SELECT session_id FROM self_service_sessions WHERE tenant_id = ?1 AND user_id = ?2)",
                          tenant, user_id);
    report.deleted += Run(c, "DELETE FROM self_service_sessions WHERE tenant_id = ?1 AND user_id = ?2", tenant, user_id);
    // Behaviour and search events (spec 3.2 user_behavior_analytics).
    report.deleted +=
        Run(c, "DELETE FROM user_behavior_analytics WHERE tenant_id = ?1 AND user_id = ?2", tenant, user_id);
    report.deleted += Run(c, "DELETE FROM ticket_drafts WHERE tenant_id = ?1 AND user_id = ?2", tenant, user_id);

    // Tickets stay for the agents who worked on them, without the user's words or contacts.
    std::string tickets = "UPDATE tickets SET title = '" + std::string(kErased) + "', description = '" + kErased +
                          "', session_id = NULL";
    for (const auto& column : ColumnsStartingWith(c, "tickets", "contact_")) tickets += ", " + column + " = NULL";
    tickets += " WHERE tenant_id = ?1 AND user_id = ?2";
    report.anonymised += RunOnce(c, tickets, tenant, user_id);
    report.anonymised += Run(c,
                             "UPDATE ticket_events SET comment = NULL WHERE tenant_id = ?1 AND comment IS NOT NULL "
                             "AND ticket_id IN (SELECT id FROM tickets WHERE tenant_id = ?1 AND user_id = ?2)",
                             tenant, user_id);
    // Feedback keeps its ratings for the statistics, not its text.
    report.anonymised += Run(c,
                             "UPDATE customer_feedback SET feedback_content = NULL, suggestions = NULL, "
                             "response_content = NULL WHERE tenant_id = ?1 AND user_id = ?2",
                             tenant, user_id);
    // Outbox items about the user: notifications name the user, ticket mirrors (REQ-003) the
    // ticket. Their payloads are sealed, so each is opened to be read; one that does not open is
    // left, as everywhere.
    {
      std::set<std::int64_t> tickets_of_user;
      {
        Statement s = c.Prepare("SELECT id FROM tickets WHERE tenant_id = ?1 AND user_id = ?2");
        s.Bind(1, tenant).Bind(2, user_id);
        while (s.Step()) tickets_of_user.insert(s.Int(0));
      }
      auto concerns_user = [&](const boost::json::object& payload) {
        const boost::json::value* user = payload.if_contains("user_id");
        const boost::json::value* ticket = payload.if_contains("ticket_id");
        return (user != nullptr && user->is_int64() && user->get_int64() == user_id) ||
               (ticket != nullptr && ticket->is_int64() && tickets_of_user.count(ticket->get_int64()) > 0);
      };
      std::vector<std::int64_t> items;
      Statement s = c.Prepare("SELECT id, coalesce(payload_sealed, payload) FROM outbox WHERE tenant_id = ?1");
      s.Bind(1, tenant);
      while (s.Step()) {
        auto payload = db.sealed().Unseal(tenant, "outbox.payload", s.Text(1));
        if (!payload.ok()) continue;
        boost::system::error_code ec;
        const boost::json::value value = boost::json::parse(*payload, ec);
        if (!ec && value.is_object() && concerns_user(value.get_object())) items.push_back(s.Int(0));
      }
      for (const std::int64_t id : items) {
        Statement erase = c.Prepare("DELETE FROM outbox WHERE tenant_id = ?1 AND id = ?2");
        erase.Bind(1, tenant).Bind(2, id);
        erase.Run();
        ++report.deleted;
      }
    }

    // Logins, failure counters, single-use tokens.
    report.deleted += Run(c, "DELETE FROM login_sessions WHERE tenant_id = ?1 AND user_id = ?2", tenant, user_id);
    report.deleted += Run(c, "DELETE FROM one_time_tokens WHERE tenant_id = ?1 AND user_id = ?2", tenant, user_id);
    {
      // Failure keys are stored as blind indexes (SessionStore, user_repository.cpp).
      Statement s = c.Prepare("DELETE FROM login_failures WHERE tenant_id = ?1 AND failure_key = ?2");
      s.Bind(1, tenant).Bind(2, db.sealed().Index(tenant, "login_failures.failure_key",
                                                  "user:" + std::to_string(user_id)));
      s.Run();
      report.deleted += sqlite3_changes(c.handle());
    }

    // The account: an id that resolves to nobody.
    report.anonymised += Run(c,
                             "UPDATE users SET username = 'erased-' || id, username_key = 'erased-' || id, "
                             "email = NULL, email_index = NULL, phone = NULL, display_name = 'erased-' || id, "
                             "password_hash = '', mfa_method = NULL, mfa_enabled = 0, totp_secret = NULL, "
                             "totp_last_step = -1, recovery_code_hashes = '[]', sso_subject = NULL, "
                             "status = 'erased' WHERE tenant_id = ?1 AND id = ?2",
                             tenant, user_id);
    return report;
  });
}

}  // namespace selfservice::sqlite

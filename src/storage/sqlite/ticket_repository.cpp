#include "storage/sqlite/ticket_repository.hpp"

#include <array>
#include <cstddef>
#include <limits>
#include <string>
#include <vector>

#include "domain/rules.hpp"
#include "storage/sqlite/outbox_repository.hpp"
#include "storage/sqlite/rows.hpp"

namespace selfservice::sqlite {
namespace {

// A keyword this long is found through the trigram index; a shorter one has no trigram and is
// matched with LIKE over the rows the other criteria leave.
constexpr std::size_t kTrigramChars = 3;

// The contact columns are sealed (migration 22, SealedFields): a row stored since holds them in
// the *_sealed columns; a row stored before holds plaintext in the old ones until the re-encryption
// pass moves it. Reads take whichever is set; writes fill the sealed column and clear the old one.
constexpr const char* kTicketEmail = "tickets.contact_email";
constexpr const char* kTicketPhone = "tickets.contact_phone";
constexpr const char* kDraftEmail = "ticket_drafts.contact_email";
constexpr const char* kDraftPhone = "ticket_drafts.contact_phone";

#define TICKET_COLUMNS                                                                              \
  "id, tenant_id, customer_id, user_id, external_id, session_id, title, description, category, "   \
  "priority, status, coalesce(contact_email_sealed, contact_email), "                               \
  "coalesce(contact_phone_sealed, contact_phone), created_at, updated_at, closed_at, locale, remote_updated_at"

Result<Ticket> ReadTicket(const Statement& s, const SealedFields& sealed) {
  Ticket t;
  t.id = s.Int(0);
  t.tenant_id = s.Int(1);
  t.customer_id = s.Int(2);
  t.user_id = s.Int(3);
  t.external_id = s.OptionalText(4);
  t.session_id = s.OptionalText(5);
  t.title = s.Text(6);
  t.description = s.Text(7);
  t.category = s.OptionalText(8);
  t.priority = static_cast<int>(s.Int(9));
  t.status = EnumColumn(s, 10, TicketStatus::new_);
  Status failure;
  if (!UnsealColumn(s, 11, sealed, t.tenant_id, kTicketEmail, t.contact_email, failure) ||
      !UnsealColumn(s, 12, sealed, t.tenant_id, kTicketPhone, t.contact_phone, failure)) {
    return failure;
  }
  t.created_at = Timestamp{s.Int(13)};
  t.updated_at = Timestamp{s.Int(14)};
  t.closed_at = OptionalTime(s, 15);
  if (auto locale = s.OptionalText(16)) t.locale = *locale == "en-US" ? Locale::kEnUS : Locale::kZhCN;
  t.remote_updated_at = OptionalTime(s, 17);
  return t;
}

#define EVENT_COLUMNS "id, tenant_id, ticket_id, event_type, from_status, to_status, comment, actor_id, created_at"

std::optional<TicketStatus> OptionalStatus(const Statement& s, int column) {
  auto text = s.OptionalText(column);
  return text ? ParseEnum<TicketStatus>(*text) : std::nullopt;
}

TicketEvent ReadEvent(const Statement& s) {
  TicketEvent e;
  e.id = s.Int(0);
  e.tenant_id = s.Int(1);
  e.ticket_id = s.Int(2);
  e.event_type = EnumColumn(s, 3, TicketEventType::created);
  e.from_status = OptionalStatus(s, 4);
  e.to_status = OptionalStatus(s, 5);
  e.comment = s.OptionalText(6);
  e.actor_id = s.OptionalInt(7);
  e.created_at = Timestamp{s.Int(8)};
  return e;
}

#define DRAFT_COLUMNS                                                                                \
  "id, tenant_id, customer_id, user_id, title, description, category, priority, "                   \
  "coalesce(contact_email_sealed, contact_email), coalesce(contact_phone_sealed, contact_phone), "   \
  "session_id, created_at, updated_at"

Result<TicketDraft> ReadDraft(const Statement& s, const SealedFields& sealed) {
  TicketDraft d;
  d.id = s.Int(0);
  d.tenant_id = s.Int(1);
  d.customer_id = s.Int(2);
  d.user_id = s.Int(3);
  d.title = s.OptionalText(4);
  d.description = s.OptionalText(5);
  d.category = s.OptionalText(6);
  d.priority = OptionalSmallInt(s, 7);
  Status failure;
  if (!UnsealColumn(s, 8, sealed, d.tenant_id, kDraftEmail, d.contact_email, failure) ||
      !UnsealColumn(s, 9, sealed, d.tenant_id, kDraftPhone, d.contact_phone, failure)) {
    return failure;
  }
  d.session_id = s.OptionalText(10);
  d.created_at = Timestamp{s.Int(11)};
  d.updated_at = Timestamp{s.Int(12)};
  return d;
}

std::optional<std::string_view> StatusText(const std::optional<TicketStatus>& status) {
  return status ? std::optional(EnumName(*status)) : std::nullopt;
}

// The ticket, NotFound, or 20004 when its contact does not open.
Result<Ticket> FindTicket(Connection& db, const SealedFields& sealed, const Scope& scope, std::int64_t id) {
  Statement s = db.Prepare("SELECT " TICKET_COLUMNS " FROM tickets WHERE id = ?4 AND" SCOPE_WHERE);
  BindScope(s, scope);
  s.Bind(4, id);
  if (!s.Step()) return Status::NotFound("ticket");
  return ReadTicket(s, sealed);
}

void InsertEvent(Connection& db, TicketEvent& e) {
  Statement s = db.Prepare(
      "INSERT INTO ticket_events (tenant_id, ticket_id, event_type, from_status, to_status, comment, actor_id, "
      "created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
  s.Bind(1, e.tenant_id)
      .Bind(2, e.ticket_id)
      .Bind(3, EnumName(e.event_type))
      .Bind(4, StatusText(e.from_status))
      .Bind(5, StatusText(e.to_status))
      .Bind(6, e.comment)
      .Bind(7, e.actor_id)
      .Bind(8, e.created_at.millis);
  s.Run();
  e.id = db.LastInsertRowId();
}

// --- The list's SQL ---------------------------------------------------------------------------
//
// One statement per shape of filter, so that each visibility and filter meets its own index: the
// scope's "?2 IS NULL OR customer_id = ?2" form would keep SQLite from using any index beyond the
// tenant. Parameters: ?1 tenant, ?2 customer, ?3 user, ?4 status, ?5 category, ?6 and ?7 the
// creation range, ?8 the keyword, ?9 and ?10 limit and offset.

enum class KeywordMode { kNone, kTrigram, kLike };

struct ListShape {
  Visibility visibility = Visibility::kTenant;
  bool status = false;
  bool category = false;
  KeywordMode keyword = KeywordMode::kNone;
};

std::string ListSql(bool count, const ListShape& shape) {
  // A keyword's page counts its matches in the same pass (column 16), so the index is searched once.
  std::string sql = count ? "SELECT count(*) FROM tickets WHERE tenant_id = ?1"
                    : shape.keyword == KeywordMode::kTrigram
                        ? "SELECT " TICKET_COLUMNS ", count(*) OVER () FROM tickets WHERE tenant_id = ?1"
                        : "SELECT " TICKET_COLUMNS " FROM tickets WHERE tenant_id = ?1";
  if (shape.visibility != Visibility::kTenant) sql += " AND customer_id = ?2";
  if (shape.visibility == Visibility::kOwn) sql += " AND user_id = ?3";
  if (shape.status) sql += " AND status = ?4";
  if (shape.category) sql += " AND category = ?5";
  sql += " AND created_at BETWEEN ?6 AND ?7";
  if (shape.keyword == KeywordMode::kTrigram) {
    sql += " AND id IN (SELECT rowid FROM tickets_fts WHERE tickets_fts MATCH ?8)";
  } else if (shape.keyword == KeywordMode::kLike) {
    sql += " AND (title LIKE ?8 ESCAPE '\\' OR description LIKE ?8 ESCAPE '\\')";
  }
  if (!count) sql += " ORDER BY created_at DESC, id DESC LIMIT ?9 OFFSET ?10";
  return sql;
}

// Every shape's text, made once (ShapedSql).
const char* CachedListSql(bool count, const ListShape& shape) {
  static const ShapedSql<2, 3, 2, 2, 3> kSql([](const auto& d) {
    return ListSql(d[0] != 0, ListShape{static_cast<Visibility>(d[1]), d[2] != 0, d[3] != 0,
                                        static_cast<KeywordMode>(d[4])});
  });
  return kSql.Get({count, static_cast<std::size_t>(shape.visibility), shape.status, shape.category,
                   static_cast<std::size_t>(shape.keyword)});
}

// The exact count of a filter of visibility and status alone, from ticket_counts (migration 17):
// one row per user and status of the scope instead of one index entry per ticket. Parameters as
// the list's (?1-?4).
const char* CountsSql(Visibility visibility, bool status) {
  static const std::array<std::string, 6> kSql = [] {
    std::array<std::string, 6> all;
    std::size_t i = 0;
    for (Visibility v : {Visibility::kOwn, Visibility::kCustomer, Visibility::kTenant}) {
      for (bool by_status : {false, true}) {
        std::string sql = "SELECT coalesce(sum(tickets), 0) FROM ticket_counts WHERE tenant_id = ?1";
        if (v != Visibility::kTenant) sql += " AND customer_id = ?2";
        if (v == Visibility::kOwn) sql += " AND user_id = ?3";
        if (by_status) sql += " AND status = ?4";
        all[i++] = std::move(sql);
      }
    }
    return all;
  }();
  return kSql[static_cast<std::size_t>(visibility) * 2 + static_cast<std::size_t>(status)].c_str();
}

// A phrase query of FTS5: the keyword as one string, its quotes doubled.
std::string FtsPhrase(std::string_view keyword) {
  std::string phrase = "\"";
  for (char c : keyword) {
    phrase += c;
    if (c == '"') phrase += '"';
  }
  return phrase + "\"";
}

// A LIKE pattern for "contains `keyword`", with \ escaping the pattern's own characters.
std::string LikePattern(std::string_view keyword) {
  std::string pattern = "%";
  for (char c : keyword) {
    if (c == '%' || c == '_' || c == '\\') pattern += '\\';
    pattern += c;
  }
  return pattern + "%";
}

// Binds ?1-?5: the scope, the status and the category the shape uses.
void BindScopeFilters(Statement& s, const Scope& scope, const ListShape& shape, const TicketFilter& filter) {
  s.Bind(1, scope.tenant_id());
  if (shape.visibility != Visibility::kTenant) s.Bind(2, scope.customer_id());
  if (shape.visibility == Visibility::kOwn) s.Bind(3, scope.user_id());
  if (shape.status) s.Bind(4, EnumName(*filter.status));
  if (shape.category) s.Bind(5, *filter.category);
}

void BindList(Statement& s, const Scope& scope, const ListShape& shape, const TicketFilter& filter,
              const std::string& keyword) {
  BindScopeFilters(s, scope, shape, filter);
  s.Bind(6, filter.created_from ? filter.created_from->millis : std::numeric_limits<std::int64_t>::min());
  s.Bind(7, filter.created_to ? filter.created_to->millis : std::numeric_limits<std::int64_t>::max());
  if (shape.keyword != KeywordMode::kNone) s.Bind(8, keyword);
}

Status StoreOutbox(Connection& db, const SealedFields& sealed, const Scope& scope,
                   const TicketRepository::OutboxItems& outbox, const TicketUpdate& stored) {
  if (!outbox) return Status::Ok();
  for (OutboxItem& item : outbox(stored)) {
    auto queued = InsertOutboxItem(db, sealed, scope.tenant_id(), std::move(item));
    if (!queued.ok()) return queued.status();
  }
  return Status::Ok();
}

class SqliteTickets final : public TicketRepository {
 public:
  explicit SqliteTickets(Database& db) : db_(db) {}

  Result<Created> Create(const Scope& scope, Ticket ticket, const std::optional<std::string>& idempotency_key,
                         const OutboxItems& outbox) override {
    if (ticket.tenant_id != scope.tenant_id()) return Status::NotFound("tenant mismatch");
    if (!scope.Sees(ticket.customer_id, ticket.user_id)) return Status::NotFound("owner outside the scope");
    const SealedFields& sealed = db_.sealed();
    return db_.Write([&](Connection& db) -> Result<Created> {
      std::optional<std::int64_t> id;
      {
        Statement s = db.Prepare(
            "INSERT INTO tickets (tenant_id, customer_id, user_id, external_id, session_id, title, description, "
            "category, priority, status, contact_email_sealed, contact_phone_sealed, idempotency_key, created_at, "
            "updated_at, "
            "closed_at, locale) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17) "
            "ON CONFLICT DO NOTHING RETURNING id");
        s.Bind(1, ticket.tenant_id)
            .Bind(2, ticket.customer_id)
            .Bind(3, ticket.user_id)
            .Bind(4, ticket.external_id)
            .Bind(5, ticket.session_id)
            .Bind(6, ticket.title)
            .Bind(7, ticket.description)
            .Bind(8, ticket.category)
            .Bind(9, ticket.priority)
            .Bind(10, EnumName(ticket.status))
            .Bind(11, sealed.SealOptional(ticket.tenant_id, kTicketEmail, ticket.contact_email))
            .Bind(12, sealed.SealOptional(ticket.tenant_id, kTicketPhone, ticket.contact_phone))
            .Bind(13, idempotency_key)
            .Bind(14, ticket.created_at.millis)
            .Bind(15, ticket.updated_at.millis)
            .Bind(16, ticket.closed_at ? std::optional(ticket.closed_at->millis) : std::nullopt)
            .Bind(17, ticket.locale ? std::optional(LocaleName(*ticket.locale)) : std::nullopt);
        if (s.Step()) id = s.Int(0);
      }
      if (!id) {
        // The key was used before: answer the ticket it created.
        Statement s = db.Prepare("SELECT " TICKET_COLUMNS
                                 " FROM tickets WHERE tenant_id = ?1 AND user_id = ?2 AND idempotency_key = ?3");
        s.Bind(1, ticket.tenant_id).Bind(2, ticket.user_id).Bind(3, idempotency_key);
        if (!s.Step()) return Status::DatabaseUnavailable("ticket insert ignored without a conflict", false);
        auto existing = ReadTicket(s, sealed);
        if (!existing.ok()) return existing.status();
        return Created{TicketUpdate{std::move(existing).value(), {}}, false};
      }
      ticket.id = *id;
      TicketEvent created;
      created.tenant_id = ticket.tenant_id;
      created.ticket_id = ticket.id;
      created.event_type = TicketEventType::created;
      created.to_status = ticket.status;
      created.actor_id = ticket.user_id;
      created.created_at = ticket.created_at;
      InsertEvent(db, created);
      Created result{TicketUpdate{std::move(ticket), {std::move(created)}}, true};
      if (Status queued = StoreOutbox(db, db_.sealed(), scope, outbox, result.stored); !queued.ok()) return queued;
      return result;
    });
  }

  Result<Ticket> Get(const Scope& scope, std::int64_t id) override {
    return db_.Read([&](Connection& db) -> Result<Ticket> { return FindTicket(db, db_.sealed(), scope, id); });
  }

  Result<Ticket> FindByExternalId(const Scope& scope, std::string_view external_id) override {
    return db_.Read([&](Connection& db) -> Result<Ticket> {
      Statement s = db.Prepare("SELECT " TICKET_COLUMNS " FROM tickets WHERE external_id = ?4 AND" SCOPE_WHERE);
      BindScope(s, scope);
      s.Bind(4, external_id);
      if (!s.Step()) return Status::NotFound("ticket");
      return ReadTicket(s, db_.sealed());
    });
  }

  Result<Page<Ticket>> List(const Scope& scope, const TicketFilter& filter, PageRequest page) override {
    ListShape shape{scope.visibility(), filter.status.has_value(), filter.category.has_value(), KeywordMode::kNone};
    std::string keyword;
    if (filter.keyword && !filter.keyword->empty()) {
      const bool trigram = Utf8Length(*filter.keyword) >= kTrigramChars;
      shape.keyword = trigram ? KeywordMode::kTrigram : KeywordMode::kLike;
      keyword = trigram ? FtsPhrase(*filter.keyword) : LikePattern(*filter.keyword);
    }
    return db_.Read([&](Connection& db) -> Result<Page<Ticket>> {
      Page<Ticket> out;
      const bool counted_by_status = shape.keyword == KeywordMode::kNone && !shape.category &&
                                     !filter.created_from && !filter.created_to;
      const auto count = [&] {
        Statement s = db.Prepare(counted_by_status ? CountsSql(shape.visibility, shape.status)
                                                   : CachedListSql(true, shape));
        if (counted_by_status) {
          BindScopeFilters(s, scope, shape, filter);
        } else {
          BindList(s, scope, shape, filter, keyword);
        }
        s.Step();
        out.total = s.Int(0);
      };
      const bool counted_with_page = shape.keyword == KeywordMode::kTrigram;
      if (!counted_with_page) {
        count();
        if (out.total == 0) return out;
      }
      {
        Statement s = db.Prepare(CachedListSql(false, shape));
        BindList(s, scope, shape, filter, keyword);
        BindPage(s, 9, page);
        // One row that does not open fails the page: answering it without that row would be a
        // silently wrong list.
        while (s.Step()) {
          auto ticket = ReadTicket(s, db_.sealed());
          if (!ticket.ok()) return ticket.status();
          out.items.push_back(std::move(ticket).value());
          if (counted_with_page) out.total = s.Int(18);
        }
      }
      if (counted_with_page && out.items.empty()) count();  // a page past the end
      return out;
    });
  }

  Result<TicketUpdate> Update(const Scope& scope, std::int64_t id, const Mutation& mutate,
                              const OutboxItems& outbox) override {
    return db_.Write([&](Connection& db) -> Result<TicketUpdate> {
      // A contact that does not open fails the update here, before anything is written over it.
      auto found = FindTicket(db, db_.sealed(), scope, id);
      if (!found.ok()) return found.status();
      TicketUpdate update{found.value(), {}};
      if (Status status = mutate(update.ticket, update.appended); !status.ok()) return status;
      Ticket& t = update.ticket;
      t.id = found->id;
      t.tenant_id = found->tenant_id;
      t.customer_id = found->customer_id;
      t.user_id = found->user_id;
      t.created_at = found->created_at;
      Statement s = db.Prepare(
          "UPDATE tickets SET external_id = ?2, session_id = ?3, title = ?4, description = ?5, category = ?6, "
          "priority = ?7, status = ?8, contact_email = NULL, contact_phone = NULL, contact_email_sealed = ?9, "
          "contact_phone_sealed = ?10, updated_at = ?11, closed_at = ?12, remote_updated_at = ?13 WHERE id = ?1");
      s.Bind(1, t.id)
          .Bind(2, t.external_id)
          .Bind(3, t.session_id)
          .Bind(4, t.title)
          .Bind(5, t.description)
          .Bind(6, t.category)
          .Bind(7, t.priority)
          .Bind(8, EnumName(t.status))
          .Bind(9, db_.sealed().SealOptional(t.tenant_id, kTicketEmail, t.contact_email))
          .Bind(10, db_.sealed().SealOptional(t.tenant_id, kTicketPhone, t.contact_phone))
          .Bind(11, t.updated_at.millis)
          .Bind(12, t.closed_at ? std::optional(t.closed_at->millis) : std::nullopt)
          .Bind(13, t.remote_updated_at ? std::optional(t.remote_updated_at->millis) : std::nullopt);
      s.Run();
      for (TicketEvent& event : update.appended) {
        event.tenant_id = t.tenant_id;
        event.ticket_id = t.id;
        InsertEvent(db, event);
      }
      if (Status queued = StoreOutbox(db, db_.sealed(), scope, outbox, update); !queued.ok()) return queued;
      return update;
    });
  }

  Result<Page<TicketEvent>> History(const Scope& scope, std::int64_t id, PageRequest page) override {
    return db_.Read([&](Connection& db) -> Result<Page<TicketEvent>> {
      {
        Statement s = db.Prepare("SELECT 1 FROM tickets WHERE id = ?4 AND" SCOPE_WHERE);
        BindScope(s, scope);
        s.Bind(4, id);
        if (!s.Step()) return Status::NotFound("ticket");
      }
      Page<TicketEvent> out;
      {
        Statement s = db.Prepare("SELECT count(*) FROM ticket_events WHERE ticket_id = ?1");
        s.Bind(1, id);
        s.Step();
        out.total = s.Int(0);
      }
      Statement s = db.Prepare("SELECT " EVENT_COLUMNS
                               " FROM ticket_events WHERE ticket_id = ?1 ORDER BY id LIMIT ?2 OFFSET ?3");
      s.Bind(1, id);
      BindPage(s, 2, page);
      while (s.Step()) out.items.push_back(ReadEvent(s));
      return out;
    });
  }

  Result<TicketStatusView> StatusOf(const Scope& scope, std::int64_t id) override {
    return db_.Read([&](Connection& db) -> Result<TicketStatusView> {
      Statement s = db.Prepare("SELECT status, updated_at FROM tickets WHERE id = ?4 AND" SCOPE_WHERE);
      BindScope(s, scope);
      s.Bind(4, id);
      if (!s.Step()) return Status::NotFound("ticket");
      return TicketStatusView{id, EnumColumn(s, 0, TicketStatus::new_), Timestamp{s.Int(1)}};
    });
  }

  Result<TicketDraft> SaveDraft(const Scope& scope, TicketDraft d) override {
    return db_.Write([&](Connection& db) -> Result<TicketDraft> {
      if (d.id == 0) {
        Statement s = db.Prepare(
            "INSERT INTO ticket_drafts (tenant_id, customer_id, user_id, title, description, category, priority, "
            "contact_email_sealed, contact_phone_sealed, session_id, created_at, updated_at) "
            "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11) RETURNING id");
        BindDraft(s, db_.sealed(), scope, d);
        s.Step();
        d.id = s.Int(0);
      } else {
        Statement s = db.Prepare(
            "UPDATE ticket_drafts SET title = ?4, description = ?5, category = ?6, priority = ?7, "
            "contact_email = NULL, contact_phone = NULL, contact_email_sealed = ?8, contact_phone_sealed = ?9, "
            "session_id = ?10, updated_at = ?11 "
            "WHERE id = ?12 AND tenant_id = ?1 AND customer_id = ?2 AND user_id = ?3 RETURNING id");
        BindDraft(s, db_.sealed(), scope, d);
        s.Bind(12, d.id);
        if (!s.Step()) return Status::NotFound("ticket draft");
      }
      {
        Statement s = db.Prepare(
            "DELETE FROM ticket_drafts WHERE tenant_id = ?1 AND customer_id = ?2 AND user_id = ?3 AND id NOT IN "
            "(SELECT id FROM ticket_drafts WHERE tenant_id = ?1 AND customer_id = ?2 AND user_id = ?3 "
            "ORDER BY updated_at DESC, id DESC LIMIT ?4)");
        s.Bind(1, scope.tenant_id()).Bind(2, scope.customer_id()).Bind(3, scope.user_id()).Bind(4, kMaxDrafts);
        s.Run();
      }
      auto stored = FindDraft(db, db_.sealed(), scope, d.id);
      if (!stored.ok() && stored.status().code() == ErrorCode::kNotFound) {
        return Status::DatabaseUnavailable("saved draft not found", false);
      }
      return stored;
    });
  }

  Result<TicketDraft> GetDraft(const Scope& scope, std::int64_t id) override {
    return db_.Read([&](Connection& db) -> Result<TicketDraft> { return FindDraft(db, db_.sealed(), scope, id); });
  }

  Result<Page<TicketDraft>> ListDrafts(const Scope& scope, PageRequest page) override {
    return db_.Read([&](Connection& db) -> Result<Page<TicketDraft>> {
      Page<TicketDraft> out;
      {
        Statement s = db.Prepare(
            "SELECT count(*) FROM ticket_drafts WHERE tenant_id = ?1 AND customer_id = ?2 AND user_id = ?3");
        s.Bind(1, scope.tenant_id()).Bind(2, scope.customer_id()).Bind(3, scope.user_id());
        s.Step();
        out.total = s.Int(0);
      }
      Statement s = db.Prepare("SELECT " DRAFT_COLUMNS
                               " FROM ticket_drafts WHERE tenant_id = ?1 AND customer_id = ?2 AND user_id = ?3 "
                               "ORDER BY updated_at DESC, id DESC LIMIT ?4 OFFSET ?5");
      s.Bind(1, scope.tenant_id()).Bind(2, scope.customer_id()).Bind(3, scope.user_id());
      BindPage(s, 4, page);
      while (s.Step()) {
        auto draft = ReadDraft(s, db_.sealed());
        if (!draft.ok()) return draft.status();
        out.items.push_back(std::move(draft).value());
      }
      return out;
    });
  }

  Status DeleteDraft(const Scope& scope, std::int64_t id) override {
    return db_.Write([&](Connection& db) -> Status {
      Statement s = db.Prepare(
          "DELETE FROM ticket_drafts WHERE id = ?4 AND tenant_id = ?1 AND customer_id = ?2 AND user_id = ?3 "
          "RETURNING id");
      s.Bind(1, scope.tenant_id()).Bind(2, scope.customer_id()).Bind(3, scope.user_id()).Bind(4, id);
      return s.Step() ? Status::Ok() : Status::NotFound("ticket draft");
    });
  }

 private:
  static void BindDraft(Statement& s, const SealedFields& sealed, const Scope& scope, const TicketDraft& d) {
    s.Bind(1, scope.tenant_id())
        .Bind(2, scope.customer_id())
        .Bind(3, scope.user_id())
        .Bind(4, d.title)
        .Bind(5, d.description)
        .Bind(6, d.category)
        .Bind(7, d.priority)
        .Bind(8, sealed.SealOptional(scope.tenant_id(), kDraftEmail, d.contact_email))
        .Bind(9, sealed.SealOptional(scope.tenant_id(), kDraftPhone, d.contact_phone))
        .Bind(10, d.session_id)
        .Bind(11, d.updated_at.millis);
  }

  // The draft, NotFound, or 20004 when its contact does not open.
  static Result<TicketDraft> FindDraft(Connection& db, const SealedFields& sealed, const Scope& scope,
                                       std::int64_t id) {
    Statement s = db.Prepare("SELECT " DRAFT_COLUMNS
                             " FROM ticket_drafts WHERE id = ?4 AND tenant_id = ?1 AND customer_id = ?2 "
                             "AND user_id = ?3");
    s.Bind(1, scope.tenant_id()).Bind(2, scope.customer_id()).Bind(3, scope.user_id()).Bind(4, id);
    if (!s.Step()) return Status::NotFound("ticket draft");
    return ReadDraft(s, sealed);
  }

  Database& db_;
};

}  // namespace

std::unique_ptr<TicketRepository> MakeTicketRepository(Database& db) { return std::make_unique<SqliteTickets>(db); }

}  // namespace selfservice::sqlite

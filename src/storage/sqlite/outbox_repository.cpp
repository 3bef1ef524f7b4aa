#include "storage/sqlite/outbox_repository.hpp"

#include <cstddef>
#include <string>
#include <vector>

#include "storage/sqlite/rows.hpp"

namespace selfservice::sqlite {
namespace {

constexpr std::size_t kMaxTopic = 64;
constexpr std::size_t kMaxKey = 200;
constexpr std::size_t kMaxPayload = 64 * 1024;
constexpr std::size_t kMaxError = 1000;

// Payloads carry what the remote system is told (a ticket's title, a contact e-mail): they are
// sealed in payload_sealed (migration 23); rows stored before keep theirs in payload.
constexpr const char* kPayloadColumn = "outbox.payload";

#define OUTBOX_COLUMNS                                                                               \
  "id, tenant_id, topic, idempotency_key, coalesce(payload_sealed, payload), attempts, next_attempt_at, " \
  "last_error, created_at, delivered_at, abandoned"

// The row as an item; 20004 when its payload does not open.
Result<OutboxItem> ReadItem(const Statement& s, const SealedFields& sealed) {
  OutboxItem item;
  item.id = s.Int(0);
  item.tenant_id = s.Int(1);
  item.topic = s.Text(2);
  item.idempotency_key = s.Text(3);
  auto payload = sealed.Unseal(item.tenant_id, kPayloadColumn, s.Text(4));
  if (!payload.ok()) return payload.status();
  item.payload = std::move(payload).value();
  item.attempts = static_cast<int>(s.Int(5));
  item.next_attempt_at = Timestamp{s.Int(6)};
  item.last_error = s.OptionalText(7);
  item.created_at = Timestamp{s.Int(8)};
  if (auto delivered = s.OptionalInt(9)) item.delivered_at = Timestamp{*delivered};
  item.abandoned = s.Int(10) != 0;
  return item;
}

// The schema's CHECKs would refuse these too, but as a database error; they are the caller's.
// Lengths are checked in bytes, which bounds the characters the schema counts.
Status Check(const OutboxItem& item) {
  std::vector<FieldError> errors;
  auto bounded = [&](const char* field, const std::string& value, std::size_t max) {
    if (value.empty()) {
      errors.push_back({field, field_code::kRequired, {}});
    } else if (value.size() > max) {
      errors.push_back({field, field_code::kTooLong, {{"max", std::to_string(max)}}});
    }
  };
  bounded("topic", item.topic, kMaxTopic);
  bounded("idempotency_key", item.idempotency_key, kMaxKey);
  if (item.payload.size() > kMaxPayload) {
    errors.push_back({"payload", field_code::kTooLong, {{"max", std::to_string(kMaxPayload)}}});
  }
  return errors.empty() ? Status::Ok() : Status::Invalid(std::move(errors));
}

}  // namespace

Result<OutboxRepository::Enqueued> InsertOutboxItem(Connection& db, const SealedFields& sealed, std::int64_t tenant_id,
                                                    OutboxItem item) {
  if (Status checked = Check(item); !checked.ok()) return checked;
  item.tenant_id = tenant_id;
  bool created = false;
  {
    Statement s = db.Prepare(
        "INSERT INTO outbox (tenant_id, topic, idempotency_key, payload, payload_sealed, attempts, "
        "next_attempt_at, created_at, abandoned) VALUES (?1, ?2, ?3, '', ?4, 0, ?5, ?6, 0) "
        "ON CONFLICT (tenant_id, topic, idempotency_key) DO NOTHING RETURNING id");
    s.Bind(1, item.tenant_id)
        .Bind(2, item.topic)
        .Bind(3, item.idempotency_key)
        .Bind(4, sealed.Seal(item.tenant_id, kPayloadColumn, item.payload))
        .Bind(5, item.next_attempt_at.millis)
        .Bind(6, item.created_at.millis);
    created = s.Step();
  }
  Statement s = db.Prepare("SELECT " OUTBOX_COLUMNS
                           " FROM outbox WHERE tenant_id = ?1 AND topic = ?2 AND idempotency_key = ?3");
  s.Bind(1, item.tenant_id).Bind(2, item.topic).Bind(3, item.idempotency_key);
  s.Step();
  auto stored = ReadItem(s, sealed);
  if (!stored.ok()) return stored.status();
  return OutboxRepository::Enqueued{std::move(stored).value(), created};
}

namespace {

class SqliteOutbox final : public OutboxRepository {
 public:
  explicit SqliteOutbox(Database& db) : db_(db) {}

  Result<Enqueued> Enqueue(const Scope& scope, OutboxItem item) override {
    if (Status checked = Check(item); !checked.ok()) return checked;
    return db_.Write(
        [&](Connection& db) { return InsertOutboxItem(db, db_.sealed(), scope.tenant_id(), std::move(item)); });
  }

  Result<std::vector<OutboxItem>> Lease(const Scope& scope, Timestamp now, Timestamp lease_until,
                                        int limit) override {
    if (limit < 1) return Status::InvalidField("limit", field_code::kOutOfRange, {{"min", "1"}});
    return db_.Write([&](Connection& db) -> Result<std::vector<OutboxItem>> {
      std::vector<OutboxItem> items;
      std::vector<std::int64_t> unreadable;
      {
        Statement s = db.Prepare("SELECT " OUTBOX_COLUMNS
                                 " FROM outbox WHERE tenant_id = ?1 AND delivered_at IS NULL AND abandoned = 0 "
                                 "AND next_attempt_at <= ?2 ORDER BY next_attempt_at, id LIMIT ?3");
        s.Bind(1, scope.tenant_id()).Bind(2, now.millis).Bind(3, limit);
        while (s.Step()) {
          auto item = ReadItem(s, db_.sealed());
          if (item.ok()) {
            items.push_back(std::move(item).value());
          } else {
            unreadable.push_back(s.Int(0));
          }
        }
      }
      for (const auto& item : items) {
        Statement s = db.Prepare("UPDATE outbox SET next_attempt_at = ?3 WHERE tenant_id = ?1 AND id = ?2");
        s.Bind(1, scope.tenant_id()).Bind(2, item.id).Bind(3, lease_until.millis);
        s.Run();
      }
      // An item whose payload no key opens can never be delivered: it is given up with its reason
      // instead of blocking the relay at the head of the queue.
      for (const std::int64_t id : unreadable) {
        Statement s = db.Prepare(
            "UPDATE outbox SET abandoned = 1, last_error = 'the payload cannot be decrypted' "
            "WHERE tenant_id = ?1 AND id = ?2");
        s.Bind(1, scope.tenant_id()).Bind(2, id);
        s.Run();
      }
      return items;
    });
  }

  Status MarkDelivered(const Scope& scope, std::int64_t id, Timestamp at) override {
    return db_.Write([&](Connection& db) -> Status {
      Statement s = db.Prepare(
          "UPDATE outbox SET delivered_at = ?3 WHERE tenant_id = ?1 AND id = ?2 AND delivered_at IS NULL "
          "RETURNING id");
      s.Bind(1, scope.tenant_id()).Bind(2, id).Bind(3, at.millis);
      return s.Step() ? Status::Ok() : Status::NotFound("outbox item");
    });
  }

  Status MarkFailed(const Scope& scope, std::int64_t id, Timestamp next_attempt_at, std::string error,
                    bool give_up) override {
    if (error.size() > kMaxError) error.resize(kMaxError);  // a diagnostic; a cut character is harmless here
    return db_.Write([&](Connection& db) -> Status {
      Statement s = db.Prepare(
          "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?3, last_error = ?4, abandoned = ?5 "
          "WHERE tenant_id = ?1 AND id = ?2 AND delivered_at IS NULL AND abandoned = 0 RETURNING id");
      s.Bind(1, scope.tenant_id()).Bind(2, id).Bind(3, next_attempt_at.millis).Bind(4, error).Bind(5, give_up ? 1 : 0);
      return s.Step() ? Status::Ok() : Status::NotFound("pending outbox item");
    });
  }

  Result<OutboxCounts> Counts(const Scope& scope, const std::optional<std::string>& topic) override {
    return db_.Read([&](Connection& db) -> Result<OutboxCounts> {
      Statement s = db.Prepare(
          "SELECT count(*) FILTER (WHERE delivered_at IS NULL AND abandoned = 0), "
          "count(*) FILTER (WHERE delivered_at IS NOT NULL), count(*) FILTER (WHERE abandoned = 1), "
          "min(created_at) FILTER (WHERE delivered_at IS NULL AND abandoned = 0) FROM outbox "
          "WHERE tenant_id = ?1 AND (?2 IS NULL OR topic = ?2)");
      s.Bind(1, scope.tenant_id()).Bind(2, topic);
      s.Step();
      OutboxCounts counts;
      counts.pending = s.Int(0);
      counts.delivered = s.Int(1);
      counts.abandoned = s.Int(2);
      if (auto oldest = s.OptionalInt(3)) counts.oldest_pending = Timestamp{*oldest};
      return counts;
    });
  }

 private:
  Database& db_;
};

}  // namespace

std::unique_ptr<OutboxRepository> MakeOutboxRepository(Database& db) { return std::make_unique<SqliteOutbox>(db); }

}  // namespace selfservice::sqlite

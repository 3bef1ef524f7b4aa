#include "storage/sqlite/remote_state_repository.hpp"

#include <cstddef>
#include <string>
#include <vector>

#include "storage/sqlite/rows.hpp"

namespace selfservice::sqlite {
namespace {

constexpr std::size_t kMaxExternalId = 100;  // as knowledge_articles.external_id
constexpr std::size_t kMaxSource = 64;
constexpr std::size_t kMaxCursor = 4096;

// The schema's CHECKs would refuse these too, but as a database error; they are the caller's.
Status CheckMiss(const SearchIndexMiss& miss) {
  std::vector<FieldError> errors;
  if (miss.removed_id && *miss.removed_id <= 0) errors.push_back({"removed_id", field_code::kOutOfRange, {}});
  if (miss.removed_external_id) {
    if (miss.removed_external_id->empty()) {
      errors.push_back({"removed_external_id", field_code::kRequired, {}});
    } else if (miss.removed_external_id->size() > kMaxExternalId) {
      errors.push_back(
          {"removed_external_id", field_code::kTooLong, {{"max", std::to_string(kMaxExternalId)}}});
    }
  }
  return errors.empty() ? Status::Ok() : Status::Invalid(std::move(errors));
}

// Lengths are checked in bytes, which bounds the characters the schema counts.
Status CheckSource(std::string_view source) {
  if (source.empty()) return Status::InvalidField("source", field_code::kRequired);
  if (source.size() > kMaxSource)
    return Status::InvalidField("source", field_code::kTooLong, {{"max", std::to_string(kMaxSource)}});
  return Status::Ok();
}

class SqliteRemoteState final : public RemoteStateRepository {
 public:
  explicit SqliteRemoteState(Database& db) : db_(db) {}

  Result<SearchIndexMarks> FindSearchIndexMarks(const Scope& scope) override {
    return db_.Read([&](Connection& db) -> Result<SearchIndexMarks> {
      SearchIndexMarks marks;
      {
        Statement s = db.Prepare("SELECT behind, misses FROM search_index_state WHERE tenant_id = ?1");
        s.Bind(1, scope.tenant_id());
        if (s.Step()) {
          marks.behind = s.Int(0) != 0;
          marks.misses = s.Int(1);
        }
      }
      Statement s = db.Prepare(
          "SELECT article_id, external_id FROM search_index_pending_deletions WHERE tenant_id = ?1 "
          "ORDER BY article_id, external_id");
      s.Bind(1, scope.tenant_id());
      while (s.Step()) {
        if (auto id = s.OptionalInt(0)) marks.removed_ids.push_back(*id);
        if (auto id = s.OptionalText(1)) marks.removed_external_ids.push_back(std::move(*id));
      }
      return marks;
    });
  }

  Status MarkSearchIndexBehind(const Scope& scope, const SearchIndexMiss& miss) override {
    if (Status checked = CheckMiss(miss); !checked.ok()) return checked;
    return db_.Write([&](Connection& db) -> Status {
      std::int64_t misses = 0;
      {
        Statement s = db.Prepare(
            "INSERT INTO search_index_state (tenant_id, behind, misses, updated_at) VALUES (?1, 1, 1, ?2) "
            "ON CONFLICT (tenant_id) DO UPDATE SET behind = 1, misses = misses + 1, updated_at = ?2 "
            "RETURNING misses");
        s.Bind(1, scope.tenant_id()).Bind(2, miss.at.millis);
        s.Step();
        misses = s.Int(0);
      }
      // A deletion remembered again (an external id deleted, pulled, deleted) takes the newer miss,
      // so a reindex that started before it does not forget it.
      if (miss.removed_id) {
        Statement s = db.Prepare(
            "INSERT INTO search_index_pending_deletions (tenant_id, article_id, miss) VALUES (?1, ?2, ?3) "
            "ON CONFLICT (tenant_id, article_id) WHERE article_id IS NOT NULL DO UPDATE SET miss = ?3");
        s.Bind(1, scope.tenant_id()).Bind(2, *miss.removed_id).Bind(3, misses);
        s.Run();
      }
      if (miss.removed_external_id) {
        Statement s = db.Prepare(
            "INSERT INTO search_index_pending_deletions (tenant_id, external_id, miss) VALUES (?1, ?2, ?3) "
            "ON CONFLICT (tenant_id, external_id) WHERE external_id IS NOT NULL DO UPDATE SET miss = ?3");
        s.Bind(1, scope.tenant_id()).Bind(2, *miss.removed_external_id).Bind(3, misses);
        s.Run();
      }
      return Status::Ok();
    });
  }

  Status ClearSearchIndexMarks(const Scope& scope, std::int64_t misses, Timestamp at) override {
    if (misses < 0) return Status::InvalidField("misses", field_code::kOutOfRange);
    return db_.Write([&](Connection& db) -> Status {
      {
        Statement s =
            db.Prepare("DELETE FROM search_index_pending_deletions WHERE tenant_id = ?1 AND miss <= ?2");
        s.Bind(1, scope.tenant_id()).Bind(2, misses);
        s.Run();
      }
      Statement s = db.Prepare(
          "UPDATE search_index_state SET behind = 0, updated_at = ?3 "
          "WHERE tenant_id = ?1 AND misses = ?2 AND behind = 1");
      s.Bind(1, scope.tenant_id()).Bind(2, misses).Bind(3, at.millis);
      s.Run();
      return Status::Ok();
    });
  }

  Result<std::optional<SyncCursor>> FindSyncCursor(const Scope& scope, std::string_view source) override {
    if (Status checked = CheckSource(source); !checked.ok()) return checked;
    return db_.Read([&](Connection& db) -> Result<std::optional<SyncCursor>> {
      Statement s = db.Prepare(
          "SELECT cursor, updated_at FROM knowledge_sync_cursors WHERE tenant_id = ?1 AND source = ?2");
      s.Bind(1, scope.tenant_id()).Bind(2, source);
      if (!s.Step()) return std::optional<SyncCursor>();
      return std::optional<SyncCursor>(SyncCursor{std::string(source), s.Text(0), Timestamp{s.Int(1)}});
    });
  }

  Status SaveSyncCursor(const Scope& scope, const SyncCursor& cursor) override {
    if (Status checked = CheckSource(cursor.source); !checked.ok()) return checked;
    if (cursor.cursor.size() > kMaxCursor)
      return Status::InvalidField("cursor", field_code::kTooLong, {{"max", std::to_string(kMaxCursor)}});
    return db_.Write([&](Connection& db) -> Status {
      Statement s = db.Prepare(
          "INSERT INTO knowledge_sync_cursors (tenant_id, source, cursor, updated_at) VALUES (?1, ?2, ?3, "
          "?4) "
          "ON CONFLICT (tenant_id, source) DO UPDATE SET cursor = ?3, updated_at = ?4");
      s.Bind(1, scope.tenant_id())
          .Bind(2, cursor.source)
          .Bind(3, cursor.cursor)
          .Bind(4, cursor.updated_at.millis);
      s.Run();
      return Status::Ok();
    });
  }

 private:
  Database& db_;
};

}  // namespace

std::unique_ptr<RemoteStateRepository> MakeRemoteStateRepository(Database& db) {
  return std::make_unique<SqliteRemoteState>(db);
}

}  // namespace selfservice::sqlite

#include "storage/sqlite/attachment_repository.hpp"

#include <string>
#include <utility>
#include <vector>

#include "storage/sqlite/rows.hpp"

namespace selfservice::sqlite {
namespace {

#define UPLOAD_COLUMNS                                                                                      \
  "upload_id, tenant_id, customer_id, user_id, target, ticket_id, file_name, content_type, size_bytes, " \
  "committed_bytes, sha256, status, part_key, attachment_id, created_at, updated_at, expires_at"

Upload ReadUpload(const Statement& s) {
  Upload u;
  u.upload_id = s.Text(0);
  u.tenant_id = s.Int(1);
  u.customer_id = s.Int(2);
  u.user_id = s.Int(3);
  u.target = s.Text(4) == "document" ? UploadTarget::document : UploadTarget::ticket;
  u.ticket_id = s.OptionalInt(5);
  u.file_name = s.Text(6);
  u.content_type = s.Text(7);
  u.size_bytes = s.Int(8);
  u.committed_bytes = s.Int(9);
  u.sha256 = s.Text(10);
  u.status = EnumColumn(s, 11, UploadStatus::failed);
  u.part_key = s.Text(12);
  u.attachment_id = s.OptionalInt(13);
  u.created_at = Timestamp{s.Int(14)};
  u.updated_at = Timestamp{s.Int(15)};
  u.expires_at = Timestamp{s.Int(16)};
  return u;
}

#define ATTACHMENT_COLUMNS                                                                                 \
  "id, tenant_id, ticket_id, customer_id, user_id, uploaded_by, file_name, content_type, size_bytes, " \
  "sha256, blob_key, created_at"

StoredAttachment ReadAttachment(const Statement& s) {
  StoredAttachment a;
  a.attachment.id = s.Int(0);
  a.attachment.tenant_id = s.Int(1);
  a.attachment.ticket_id = s.Int(2);
  a.customer_id = s.Int(3);
  a.user_id = s.Int(4);
  a.uploaded_by = s.Int(5);
  a.attachment.file_name = s.Text(6);
  a.attachment.content_type = s.Text(7);
  a.attachment.size_bytes = s.Int(8);
  a.attachment.uploaded_bytes = a.attachment.size_bytes;
  a.attachment.sha256 = s.Text(9);
  a.attachment.status = UploadStatus::complete;
  a.blob_key = s.Text(10);
  a.attachment.created_at = Timestamp{s.Int(11)};
  return a;
}

std::optional<Upload> FindUpload(Connection& db, const Scope& scope, std::string_view upload_id) {
  Statement s = db.Prepare("SELECT " UPLOAD_COLUMNS " FROM uploads WHERE" SCOPE_WHERE "AND upload_id = ?4");
  BindScope(s, scope);
  s.Bind(4, upload_id);
  if (!s.Step()) return std::nullopt;
  return ReadUpload(s);
}

class SqliteAttachments final : public AttachmentRepository {
 public:
  explicit SqliteAttachments(Database& db) : db_(db) {}

  Result<Upload> CreateUpload(const Scope& scope, Upload u) override {
    if (u.tenant_id != scope.tenant_id()) return Status::NotFound("tenant mismatch");
    return db_.Write([&](Connection& db) -> Result<Upload> {
      Statement s = db.Prepare(
          "INSERT INTO uploads (upload_id, tenant_id, customer_id, user_id, target, ticket_id, file_name, "
          "content_type, size_bytes, committed_bytes, sha256, status, part_key, attachment_id, created_at, "
          "updated_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)");
      s.Bind(1, u.upload_id)
          .Bind(2, u.tenant_id)
          .Bind(3, u.customer_id)
          .Bind(4, u.user_id)
          .Bind(5, u.target == UploadTarget::document ? "document" : "ticket")
          .Bind(6, u.ticket_id)
          .Bind(7, u.file_name)
          .Bind(8, u.content_type)
          .Bind(9, u.size_bytes)
          .Bind(10, u.committed_bytes)
          .Bind(11, u.sha256)
          .Bind(12, EnumName(u.status))
          .Bind(13, u.part_key)
          .Bind(14, u.attachment_id)
          .Bind(15, u.created_at.millis)
          .Bind(16, u.updated_at.millis)
          .Bind(17, u.expires_at.millis);
      s.Run();
      return u;
    });
  }

  Result<Upload> GetUpload(const Scope& scope, std::string_view upload_id) override {
    return db_.Read([&](Connection& db) -> Result<Upload> {
      auto found = FindUpload(db, scope, upload_id);
      if (!found) return Status::NotFound("upload");
      return *found;
    });
  }

  Result<Upload> CommitChunk(const Scope& scope, std::string_view upload_id, std::int64_t from, std::int64_t to,
                             Timestamp at, Timestamp expires_at) override {
    return db_.Write([&](Connection& db) -> Result<Upload> {
      auto found = FindUpload(db, scope, upload_id);
      if (!found) return Status::NotFound("upload");
      if (found->status != UploadStatus::uploading || found->committed_bytes != from || to < from ||
          to > found->size_bytes) {
        return Status::TransitionNotAllowed(std::to_string(found->committed_bytes), std::to_string(to));
      }
      Statement s = db.Prepare(
          "UPDATE uploads SET committed_bytes = ?3, updated_at = ?4, expires_at = ?5 "
          "WHERE tenant_id = ?1 AND upload_id = ?2");
      s.Bind(1, scope.tenant_id()).Bind(2, upload_id).Bind(3, to).Bind(4, at.millis).Bind(5, expires_at.millis);
      s.Run();
      found->committed_bytes = to;
      found->updated_at = at;
      found->expires_at = expires_at;
      return *found;
    });
  }

  Result<Upload> FailUpload(const Scope& scope, std::string_view upload_id, Timestamp at) override {
    return db_.Write([&](Connection& db) -> Result<Upload> {
      auto found = FindUpload(db, scope, upload_id);
      if (!found) return Status::NotFound("upload");
      if (found->status != UploadStatus::uploading) {
        return Status::TransitionNotAllowed(EnumName(found->status), EnumName(UploadStatus::failed));
      }
      Statement s = db.Prepare(
          "UPDATE uploads SET status = 'failed', updated_at = ?3 WHERE tenant_id = ?1 AND upload_id = ?2");
      s.Bind(1, scope.tenant_id()).Bind(2, upload_id).Bind(3, at.millis);
      s.Run();
      found->status = UploadStatus::failed;
      found->updated_at = at;
      return *found;
    });
  }

  Status DeleteUpload(const Scope& scope, std::string_view upload_id) override {
    return db_.Write([&](Connection& db) -> Status {
      Statement s = db.Prepare("DELETE FROM uploads WHERE" SCOPE_WHERE "AND upload_id = ?4 RETURNING id");
      BindScope(s, scope);
      s.Bind(4, upload_id);
      return s.Step() ? Status::Ok() : Status::NotFound("upload");
    });
  }

  Result<std::vector<Upload>> ListExpired(const Scope& scope, Timestamp now, int limit) override {
    return db_.Read([&](Connection& db) -> Result<std::vector<Upload>> {
      Statement s = db.Prepare("SELECT " UPLOAD_COLUMNS
                               " FROM uploads WHERE tenant_id = ?1 AND (status <> 'complete' OR target = 'document') "
                               "AND expires_at <= ?2 "
                               "ORDER BY expires_at, id LIMIT ?3");
      s.Bind(1, scope.tenant_id()).Bind(2, now.millis).Bind(3, limit);
      std::vector<Upload> out;
      while (s.Step()) out.push_back(ReadUpload(s));
      return out;
    });
  }

  Result<Completed> CompleteUpload(const Scope& scope, std::string_view upload_id,
                                   std::optional<StoredAttachment> attachment,
                                   const std::function<Status(std::int64_t attachments)>& admit,
                                   Timestamp at) override {
    return db_.Write([&](Connection& db) -> Result<Completed> {
      auto found = FindUpload(db, scope, upload_id);
      if (!found) return Status::NotFound("upload");
      if (found->status != UploadStatus::uploading || found->committed_bytes != found->size_bytes) {
        return Status::TransitionNotAllowed(EnumName(found->status), EnumName(UploadStatus::complete));
      }
      if (attachment) {
        std::int64_t existing = 0;
        {
          Statement s = db.Prepare("SELECT count(*) FROM ticket_attachments WHERE tenant_id = ?1 AND ticket_id = ?2");
          s.Bind(1, scope.tenant_id()).Bind(2, attachment->attachment.ticket_id);
          s.Step();
          existing = s.Int(0);
        }
        if (Status admitted = admit(existing); !admitted.ok()) return admitted;
        StoredAttachment& a = *attachment;
        a.attachment.tenant_id = scope.tenant_id();
        Statement s = db.Prepare(
            "INSERT INTO ticket_attachments (tenant_id, ticket_id, customer_id, user_id, uploaded_by, file_name, "
            "content_type, size_bytes, sha256, blob_key, created_at) "
            "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)");
        s.Bind(1, a.attachment.tenant_id)
            .Bind(2, a.attachment.ticket_id)
            .Bind(3, a.customer_id)
            .Bind(4, a.user_id)
            .Bind(5, a.uploaded_by)
            .Bind(6, a.attachment.file_name)
            .Bind(7, a.attachment.content_type)
            .Bind(8, a.attachment.size_bytes)
            .Bind(9, a.attachment.sha256.value_or(""))
            .Bind(10, a.blob_key)
            .Bind(11, a.attachment.created_at.millis);
        s.Run();
        a.attachment.id = db.LastInsertRowId();
        a.attachment.status = UploadStatus::complete;
        a.attachment.uploaded_bytes = a.attachment.size_bytes;
        found->attachment_id = a.attachment.id;
      }
      Statement s = db.Prepare(
          "UPDATE uploads SET status = 'complete', attachment_id = ?3, updated_at = ?4 "
          "WHERE tenant_id = ?1 AND upload_id = ?2");
      s.Bind(1, scope.tenant_id()).Bind(2, upload_id).Bind(3, found->attachment_id).Bind(4, at.millis);
      s.Run();
      found->status = UploadStatus::complete;
      found->updated_at = at;
      return Completed{std::move(*found), std::move(attachment)};
    });
  }

  Result<Page<StoredAttachment>> ListAttachments(const Scope& scope, std::optional<std::int64_t> ticket_id,
                                                 PageRequest page) override {
    return db_.Read([&](Connection& db) -> Result<Page<StoredAttachment>> {
      Page<StoredAttachment> out;
      {
        Statement s = db.Prepare("SELECT count(*) FROM ticket_attachments WHERE" SCOPE_WHERE
                                 "AND (?4 IS NULL OR ticket_id = ?4)");
        BindScope(s, scope);
        s.Bind(4, ticket_id);
        s.Step();
        out.total = s.Int(0);
      }
      Statement s = db.Prepare("SELECT " ATTACHMENT_COLUMNS " FROM ticket_attachments WHERE" SCOPE_WHERE
                               "AND (?4 IS NULL OR ticket_id = ?4) ORDER BY created_at DESC, id DESC LIMIT ?5 OFFSET ?6");
      BindScope(s, scope);
      s.Bind(4, ticket_id);
      BindPage(s, 5, page);
      while (s.Step()) out.items.push_back(ReadAttachment(s));
      return out;
    });
  }

  Result<StoredAttachment> GetAttachment(const Scope& scope, std::int64_t id) override {
    return db_.Read([&](Connection& db) -> Result<StoredAttachment> {
      Statement s = db.Prepare("SELECT " ATTACHMENT_COLUMNS " FROM ticket_attachments WHERE" SCOPE_WHERE "AND id = ?4");
      BindScope(s, scope);
      s.Bind(4, id);
      if (!s.Step()) return Status::NotFound("attachment");
      return ReadAttachment(s);
    });
  }

 private:
  Database& db_;
};

}  // namespace

std::unique_ptr<AttachmentRepository> MakeAttachmentRepository(Database& db) {
  return std::make_unique<SqliteAttachments>(db);
}

}  // namespace selfservice::sqlite

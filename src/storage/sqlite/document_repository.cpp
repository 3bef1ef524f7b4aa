#include "storage/sqlite/document_repository.hpp"

#include <string>
#include <utility>
#include <vector>

#include "storage/sqlite/rows.hpp"

namespace selfservice::sqlite {
namespace {

#define DOCUMENT_COLUMNS                                                                                    \
  "id, tenant_id, customer_id, title, description, category, file_name, content_type, size_bytes, version, " \
  "lang, download_count, status, sha256, blob_key, min_role, feature, published_by, created_at, updated_at"

// ?1 tenant, ?2 the scope's customer (NULL: the whole tenant).
#define DOCUMENT_SCOPE " tenant_id = ?1 AND (?2 IS NULL OR customer_id IS NULL OR customer_id = ?2) "
// ?3 category, ?4 lang, ?5 title fragment, ?6 status, ?7 max role, ?8 enabled features (JSON array).
#define DOCUMENT_FILTER                                                                             \
  " AND (?3 IS NULL OR category = ?3) AND (?4 IS NULL OR lang = ?4) "                               \
  "AND (?5 IS NULL OR instr(lower(title), lower(?5)) > 0) AND (?6 IS NULL OR status = ?6) "         \
  "AND min_role <= ?7 AND (feature IS NULL OR ?8 IS NULL OR feature IN (SELECT value FROM json_each(?8))) "

StoredDocument ReadDocument(const Statement& s) {
  StoredDocument d;
  Document& v = d.document;
  v.id = s.Int(0);
  v.tenant_id = s.Int(1);
  v.customer_id = s.OptionalInt(2);
  v.title = s.Text(3);
  v.description = s.OptionalText(4);
  v.category = s.OptionalText(5);
  v.file_name = s.Text(6);
  v.content_type = s.Text(7);
  v.size_bytes = s.Int(8);
  v.version = s.Text(9);
  if (auto lang = s.OptionalText(10)) v.lang = ParseEnum<ArticleLang>(*lang);
  v.download_count = s.Int(11);
  v.status = EnumColumn(s, 12, PublicationStatus::draft);
  d.sha256 = s.Text(13);
  d.blob_key = s.Text(14);
  d.min_role = static_cast<int>(s.Int(15));
  d.feature = s.OptionalText(16);
  d.published_by = s.Int(17);
  v.created_at = Timestamp{s.Int(18)};
  v.updated_at = Timestamp{s.Int(19)};
  return d;
}

void BindDocumentScope(Statement& s, const Scope& scope) {
  s.Bind(1, scope.tenant_id());
  if (scope.visibility() == Visibility::kTenant) {
    s.BindNull(2);
  } else {
    s.Bind(2, scope.customer_id());
  }
}

void BindFilter(Statement& s, const DocumentFilter& filter, bool with_title) {
  s.Bind(3, filter.category);
  if (filter.lang) {
    s.Bind(4, EnumName(*filter.lang));
  } else {
    s.BindNull(4);
  }
  if (with_title) {
    s.Bind(5, filter.title_contains);
  } else {
    s.BindNull(5);
  }
  if (filter.status) {
    s.Bind(6, EnumName(*filter.status));
  } else {
    s.BindNull(6);
  }
  s.Bind(7, filter.max_role);
  if (filter.enabled_features) {
    s.Bind(8, StringArrayText(*filter.enabled_features));
  } else {
    s.BindNull(8);
  }
}

std::optional<StoredDocument> FindDocument(Connection& db, const Scope& scope, std::int64_t id) {
  Statement s = db.Prepare("SELECT " DOCUMENT_COLUMNS " FROM documents WHERE" DOCUMENT_SCOPE "AND id = ?3");
  BindDocumentScope(s, scope);
  s.Bind(3, id);
  if (!s.Step()) return std::nullopt;
  return ReadDocument(s);
}

class SqliteDocuments final : public DocumentRepository {
 public:
  explicit SqliteDocuments(Database& db) : db_(db) {}

  Result<StoredDocument> Create(const Scope& scope, StoredDocument d) override {
    Document& v = d.document;
    if (v.tenant_id != scope.tenant_id()) return Status::NotFound("tenant mismatch");
    if (scope.visibility() != Visibility::kTenant && v.customer_id && *v.customer_id != scope.customer_id()) {
      return Status::NotFound("customer");
    }
    return db_.Write([&](Connection& db) -> Result<StoredDocument> {
      Statement s = db.Prepare(
          "INSERT INTO documents (tenant_id, customer_id, title, description, category, file_name, content_type, "
          "size_bytes, version, lang, download_count, status, sha256, blob_key, min_role, feature, published_by, "
          "created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, "
          "?17, ?18, ?19)");
      s.Bind(1, v.tenant_id)
          .Bind(2, v.customer_id)
          .Bind(3, v.title)
          .Bind(4, v.description)
          .Bind(5, v.category)
          .Bind(6, v.file_name)
          .Bind(7, v.content_type)
          .Bind(8, v.size_bytes)
          .Bind(9, v.version)
          .Bind(10, v.lang ? std::optional<std::string_view>(EnumName(*v.lang)) : std::nullopt)
          .Bind(11, v.download_count)
          .Bind(12, EnumName(v.status))
          .Bind(13, d.sha256)
          .Bind(14, d.blob_key)
          .Bind(15, d.min_role)
          .Bind(16, d.feature)
          .Bind(17, d.published_by)
          .Bind(18, v.created_at.millis)
          .Bind(19, v.updated_at.millis);
      s.Run();
      v.id = db.LastInsertRowId();
      return d;
    });
  }

  Result<StoredDocument> Get(const Scope& scope, std::int64_t id) override {
    return db_.Read([&](Connection& db) -> Result<StoredDocument> {
      auto found = FindDocument(db, scope, id);
      if (!found) return Status::NotFound("document");
      return *found;
    });
  }

  Result<Page<StoredDocument>> List(const Scope& scope, const DocumentFilter& filter, PageRequest page) override {
    return db_.Read([&](Connection& db) -> Result<Page<StoredDocument>> {
      Page<StoredDocument> out;
      {
        Statement s = db.Prepare("SELECT count(*) FROM documents WHERE" DOCUMENT_SCOPE DOCUMENT_FILTER);
        BindDocumentScope(s, scope);
        BindFilter(s, filter, true);
        s.Step();
        out.total = s.Int(0);
      }
      Statement s = db.Prepare("SELECT " DOCUMENT_COLUMNS " FROM documents WHERE" DOCUMENT_SCOPE DOCUMENT_FILTER
                               "ORDER BY updated_at DESC, id DESC LIMIT ?9 OFFSET ?10");
      BindDocumentScope(s, scope);
      BindFilter(s, filter, true);
      BindPage(s, 9, page);
      while (s.Step()) out.items.push_back(ReadDocument(s));
      return out;
    });
  }

  Result<StoredDocument> RecordDownload(const Scope& scope, std::int64_t id) override {
    return db_.Write([&](Connection& db) -> Result<StoredDocument> {
      if (!FindDocument(db, scope, id)) return Status::NotFound("document");
      Statement s = db.Prepare("UPDATE documents SET download_count = download_count + 1 WHERE tenant_id = ?1 AND id = ?2");
      s.Bind(1, scope.tenant_id()).Bind(2, id);
      s.Run();
      return FindDocument(db, scope, id).value();
    });
  }

  Result<DocumentStats> Stats(const Scope& scope, const DocumentFilter& filter) override {
    return db_.Read([&](Connection& db) -> Result<DocumentStats> {
      DocumentStats stats;
      {
        Statement s = db.Prepare("SELECT count(*), coalesce(sum(download_count), 0), coalesce(sum(size_bytes), 0) "
                                 "FROM documents WHERE" DOCUMENT_SCOPE DOCUMENT_FILTER);
        BindDocumentScope(s, scope);
        BindFilter(s, filter, false);
        s.Step();
        stats.documents = s.Int(0);
        stats.downloads = s.Int(1);
        stats.bytes = s.Int(2);
      }
      {
        Statement s = db.Prepare("SELECT category, count(*) AS n FROM documents WHERE" DOCUMENT_SCOPE DOCUMENT_FILTER
                                 "AND category IS NOT NULL GROUP BY category ORDER BY n DESC, category");
        BindDocumentScope(s, scope);
        BindFilter(s, filter, false);
        while (s.Step()) stats.by_category.push_back(LabelCount{s.Text(0), s.Int(1)});
      }
      Statement s = db.Prepare("SELECT " DOCUMENT_COLUMNS " FROM documents WHERE" DOCUMENT_SCOPE DOCUMENT_FILTER
                               "ORDER BY download_count DESC, id DESC LIMIT 10");
      BindDocumentScope(s, scope);
      BindFilter(s, filter, false);
      while (s.Step()) stats.most_downloaded.push_back(ReadDocument(s));
      return stats;
    });
  }

 private:
  Database& db_;
};

}  // namespace

std::unique_ptr<DocumentRepository> MakeDocumentRepository(Database& db) {
  return std::make_unique<SqliteDocuments>(db);
}

}  // namespace selfservice::sqlite

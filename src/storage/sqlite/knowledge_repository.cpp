#include "storage/sqlite/knowledge_repository.hpp"

#include <algorithm>

#include "domain/describe.hpp"
#include "storage/sqlite/rows.hpp"
#include "storage/sqlite/title_index.hpp"

namespace selfservice::sqlite {
namespace {

#define ARTICLE_COLUMNS                                                                       \
  "id, tenant_id, external_id, title, body, category, tags, lang, source, url, status, "      \
  "helpful_votes, unhelpful_votes, views, updated_at"

// The article's tags include every tag of the JSON array `wanted`, which holds no duplicates.
#define HAS_ALL_TAGS(wanted)                                                                        \
  "AND (SELECT count(DISTINCT t.value) FROM json_each(tags) t WHERE t.value IN (SELECT value FROM " \
  "json_each(" wanted "))) = json_array_length(" wanted ")"

// Rows of (label, count).
std::vector<LabelCount> ReadCounts(Statement& s) {
  std::vector<LabelCount> out;
  while (s.Step()) out.push_back(LabelCount{s.Text(0), s.Int(1)});
  return out;
}

KnowledgeArticle ReadArticle(const Statement& s) {
  KnowledgeArticle v;
  v.id = s.Int(0);
  v.tenant_id = s.Int(1);
  v.external_id = s.OptionalText(2);
  v.title = s.Text(3);
  v.body = s.Text(4);
  v.category = s.OptionalText(5);
  v.tags = StringArrayColumn(s, 6);
  v.lang = EnumColumn(s, 7, ArticleLang::zh);
  v.source = s.OptionalText(8);
  v.url = s.OptionalText(9);
  v.status = EnumColumn(s, 10, PublicationStatus::published);
  v.helpful_votes = s.Int(11);
  v.unhelpful_votes = s.Int(12);
  v.views = s.Int(13);
  v.updated_at = Timestamp{s.Int(14)};
  return v;
}

std::optional<KnowledgeArticle> FindById(Connection& db, const Scope& scope, std::int64_t id) {
  Statement s = db.Prepare("SELECT " ARTICLE_COLUMNS " FROM knowledge_articles WHERE tenant_id = ?1 AND id = ?2");
  s.Bind(1, scope.tenant_id()).Bind(2, id);
  if (!s.Step()) return std::nullopt;
  return ReadArticle(s);
}

std::optional<std::int64_t> IdOfExternal(Connection& db, const Scope& scope, const std::string& external_id) {
  Statement s = db.Prepare("SELECT id FROM knowledge_articles WHERE tenant_id = ?1 AND external_id = ?2");
  s.Bind(1, scope.tenant_id()).Bind(2, external_id);
  if (!s.Step()) return std::nullopt;
  return s.Int(0);
}

// Binds the caller-owned fields ?2..?11 (title ... updated_at); ?1 is the tenant.
void BindContent(Statement& s, const KnowledgeArticle& v) {
  s.Bind(2, v.external_id)
      .Bind(3, v.title)
      .Bind(4, v.body)
      .Bind(5, v.category)
      .Bind(6, StringArrayText(v.tags))
      .Bind(7, EnumName(v.lang))
      .Bind(8, v.source)
      .Bind(9, v.url)
      .Bind(10, EnumName(v.status))
      .Bind(11, v.updated_at.millis);
}

// Titles of one tenant, language (or both) and status that contain a fragment, for
// TitlesContaining(), each group most viewed first, then by title:
//  - those that start with it are one range of knowledge_articles_tenant_status_lower_title,
//    read whole (as many rows as articles whose title starts with the fragment);
//  - those that contain it only further on are listed by the title index (title_index.hpp, one
//    entry per distinct title) and read and ranked when they are few; when they are many, the
//    titles are walked most viewed first (knowledge_articles_tenant_status_views) and the first
//    that contain it taken, which is quick precisely because such titles are common. Should the
//    walk still find too few within kWalkRows rows, the listed titles are read after all.
class TitleSearch {
 public:
  TitleSearch(Connection& db, const Scope& scope, std::string_view fragment, std::optional<ArticleLang> lang,
              PublicationStatus status)
      : db_(db),
        tenant_id_(scope.tenant_id()),
        lowered_(LowerAscii(fragment)),
        lang_(lang ? std::optional(EnumName(*lang)) : std::nullopt),
        status_(EnumName(status)) {
    const auto add = [&](ArticleLang each) {
      if (!contains_.empty()) contains_ += " OR ";
      contains_ += TitlePhrase(TitleScope(tenant_id_, each, status), fragment);
    };
    if (lang) {
      add(*lang);
    } else {
      boost::mp11::mp_for_each<boost::describe::describe_enumerators<ArticleLang>>(
          [&](auto d) { add(d.value); });
    }
  }

  // At most `want` distinct titles that start with the fragment.
  std::vector<std::string> Starting(int want) const {
    // SQLite's lower() folds ASCII letters only, as LowerAscii() and the title index do: the
    // promised case-insensitivity. Every text sorts before a blob: x'' ends a range that has no end.
    Statement s = db_.Prepare(
        "SELECT title, max(views) AS most FROM knowledge_articles WHERE tenant_id = ?1 AND status = ?2 "
        "AND lower(title) >= ?3 AND lower(title) < coalesce(?4, x'') AND (?5 IS NULL OR lang = ?5) "
        "GROUP BY title ORDER BY most DESC, title LIMIT ?6");
    s.Bind(1, tenant_id_)
        .Bind(2, status_)
        .Bind(3, lowered_)
        .Bind(4, FirstAfterPrefix(lowered_))
        .Bind(5, lang_)
        .Bind(6, want);
    return ReadTitles(s);
  }

  // At most `want` distinct titles that contain the fragment but do not start with it.
  std::vector<std::string> ContainingLater(int want) const {
    if (Listed() <= kFewListed) return ReadListed(want);
    auto walked = WalkMostViewed(want);
    return walked ? std::move(*walked) : ReadListed(want);
  }

 private:
  // Reading a listed title costs about as much as walking five, and the walk finds `want` titles
  // in about want * titles / matches rows: beyond this many listed, the walk is expected to be
  // cheaper (for 100,000 titles).
  static constexpr int kFewListed = 250;
  static constexpr int kWalkRows = 3000;

  static std::string LowerAscii(std::string_view text) {
    std::string out(text);
    for (char& c : out) {
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return out;
  }

  static std::vector<std::string> ReadTitles(Statement& s) {
    std::vector<std::string> out;
    while (s.Step()) out.push_back(s.Text(0));
    return out;
  }

  // The number of titles the title index lists, counted up to kFewListed + 1.
  int Listed() const {
    Statement s = db_.Prepare(
        "SELECT count(*) FROM (SELECT rowid FROM knowledge_title_fts WHERE knowledge_title_fts MATCH ?1 "
        "LIMIT ?2)");
    s.Bind(1, contains_).Bind(2, kFewListed + 1);
    s.Step();
    return static_cast<int>(s.Int(0));
  }

  std::vector<std::string> ReadListed(int want) const {
    // CROSS JOIN: the listed titles drive the loop, one lookup each, rather than a walk of every
    // title of the tenant testing each against the list. A title's views are the most of its
    // articles', a short range of the lower(title) index.
    Statement s = db_.Prepare(
        "SELECT t.title, max((SELECT max(a.views) FROM knowledge_articles AS a WHERE a.tenant_id = "
        "t.tenant_id "
        "AND a.status = t.status AND lower(a.title) = lower(t.title) AND a.title = t.title AND a.lang = "
        "t.lang)) "
        "AS most FROM (SELECT rowid AS id FROM knowledge_title_fts WHERE knowledge_title_fts MATCH ?1) AS "
        "listed "
        "CROSS JOIN knowledge_titles AS t ON t.id = listed.id "
        "WHERE t.tenant_id = ?2 AND t.status = ?3 AND (?4 IS NULL OR t.lang = ?4) AND instr(lower(t.title), "
        "?5) > 1 "
        "GROUP BY t.title ORDER BY most DESC, t.title LIMIT ?6");
    s.Bind(1, contains_).Bind(2, tenant_id_).Bind(3, status_).Bind(4, lang_).Bind(5, lowered_).Bind(6, want);
    return ReadTitles(s);
  }

  // The first `want` distinct titles that contain the fragment further on, walking the titles
  // most viewed first (the first row of a title carries its most views); nullopt when kWalkRows
  // rows were not enough. The test is made here, so that the rows walked are counted.
  std::optional<std::vector<std::string>> WalkMostViewed(int want) const {
    Statement s = db_.Prepare(
        "SELECT title FROM knowledge_articles WHERE tenant_id = ?1 AND status = ?2 AND (?3 IS NULL OR "
        "lang = ?3) ORDER BY views DESC, title");
    s.Bind(1, tenant_id_).Bind(2, status_).Bind(3, lang_);
    std::vector<std::string> out;
    for (int rows = 0; out.size() < static_cast<std::size_t>(want); ++rows) {
      if (rows == kWalkRows) return std::nullopt;
      if (!s.Step()) break;
      std::string title = s.Text(0);
      const std::size_t at = LowerAscii(title).find(lowered_);
      if (at != std::string::npos && at > 0 && std::find(out.begin(), out.end(), title) == out.end()) {
        out.push_back(std::move(title));
      }
    }
    return out;
  }

  Connection& db_;
  std::int64_t tenant_id_;
  std::string lowered_;
  std::optional<std::string_view> lang_;
  std::string_view status_;
  std::string contains_;  // the FTS5 query of the title index
};

class SqliteKnowledge final : public KnowledgeRepository {
 public:
  explicit SqliteKnowledge(Database& db) : db_(db) {}

  Result<std::vector<UpsertOutcome>> UpsertMany(const Scope& scope,
                                                std::vector<KnowledgeArticle> articles) override {
    return db_.Write([&](Connection& db) -> Result<std::vector<UpsertOutcome>> {
      std::vector<UpsertOutcome> outcomes;
      outcomes.reserve(articles.size());
      for (KnowledgeArticle& article : articles) {
        article.tenant_id = scope.tenant_id();
        std::optional<std::int64_t> existing;
        if (article.external_id) {
          existing = IdOfExternal(db, scope, *article.external_id);
        } else if (article.id > 0) {
          if (!FindById(db, scope, article.id)) return Status::NotFound("knowledge article");
          existing = article.id;
        }
        if (existing) {
          // A replacement by id alone keeps the external_id: clearing it would make the next import
          // of the source's record a second article.
          Statement s = db.Prepare(
              "UPDATE knowledge_articles SET external_id = coalesce(?2, external_id), title = ?3, body = ?4, "
              "category = ?5, tags = ?6, lang = ?7, source = ?8, url = ?9, status = ?10, updated_at = ?11 "
              "WHERE tenant_id = ?1 AND id = ?12");
          s.Bind(1, scope.tenant_id());
          BindContent(s, article);
          s.Bind(12, *existing);
          s.Run();
        } else {
          Statement s = db.Prepare(
              "INSERT INTO knowledge_articles (tenant_id, external_id, title, body, category, tags, lang, source, "
              "url, status, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)");
          s.Bind(1, scope.tenant_id());
          BindContent(s, article);
          s.Run();
        }
        const std::int64_t id = existing ? *existing : db.LastInsertRowId();
        outcomes.push_back(UpsertOutcome{FindById(db, scope, id).value(), !existing});
      }
      return outcomes;
    });
  }

  Result<KnowledgeArticle> Get(const Scope& scope, std::int64_t id) override {
    return db_.Read([&](Connection& db) -> Result<KnowledgeArticle> {
      auto found = FindById(db, scope, id);
      if (!found) return Status::NotFound("knowledge article");
      return std::move(*found);
    });
  }

  Status Delete(const Scope& scope, std::int64_t id) override {
    return db_.Write([&](Connection& db) -> Status {
      Statement s = db.Prepare("DELETE FROM knowledge_articles WHERE tenant_id = ?1 AND id = ?2");
      s.Bind(1, scope.tenant_id()).Bind(2, id);
      s.Run();
      return sqlite3_changes(db.handle()) == 0 ? Status::NotFound("knowledge article") : Status::Ok();
    });
  }

  Status DeleteByExternalId(const Scope& scope, std::string_view external_id) override {
    return db_.Write([&](Connection& db) -> Status {
      Statement s = db.Prepare("DELETE FROM knowledge_articles WHERE tenant_id = ?1 AND external_id = ?2");
      s.Bind(1, scope.tenant_id()).Bind(2, external_id);
      s.Run();
      return sqlite3_changes(db.handle()) == 0 ? Status::NotFound("knowledge article") : Status::Ok();
    });
  }

  Result<Page<KnowledgeArticle>> List(const Scope& scope, const KnowledgeFilter& filter, PageRequest page) override {
    return db_.Read([&](Connection& db) -> Result<Page<KnowledgeArticle>> {
      const std::optional<std::string_view> lang = filter.lang ? std::optional(EnumName(*filter.lang)) : std::nullopt;
      const std::optional<std::string_view> status =
          filter.status ? std::optional(EnumName(*filter.status)) : std::nullopt;
      Page<KnowledgeArticle> out;
      {
        Statement s = db.Prepare(
            "SELECT count(*) FROM knowledge_articles WHERE tenant_id = ?1 AND (?2 IS NULL OR lang = ?2) "
            "AND (?3 IS NULL OR category = ?3) AND (?4 IS NULL OR status = ?4)");
        s.Bind(1, scope.tenant_id()).Bind(2, lang).Bind(3, filter.category).Bind(4, status);
        s.Step();
        out.total = s.Int(0);
      }
#define LIST_ARTICLES(ORDER)                                                                   \
  "SELECT " ARTICLE_COLUMNS " FROM knowledge_articles WHERE tenant_id = ?1 AND (?2 IS NULL OR lang = ?2) " \
  "AND (?3 IS NULL OR category = ?3) AND (?4 IS NULL OR status = ?4) ORDER BY " ORDER " LIMIT ?5 OFFSET ?6"
      Statement s = db.Prepare(filter.order == KnowledgeOrder::kMostViewed ? LIST_ARTICLES("views DESC, id DESC")
                                                                           : LIST_ARTICLES("updated_at DESC, id DESC"));
#undef LIST_ARTICLES
      s.Bind(1, scope.tenant_id()).Bind(2, lang).Bind(3, filter.category).Bind(4, status);
      BindPage(s, 5, page);
      while (s.Step()) out.items.push_back(ReadArticle(s));
      return out;
    });
  }

  Result<KnowledgeArticle> Vote(const Scope& scope, std::int64_t id, bool helpful) override {
    return Increment(scope, id,
                     helpful ? "UPDATE knowledge_articles SET helpful_votes = helpful_votes + 1 "
                               "WHERE tenant_id = ?1 AND id = ?2"
                             : "UPDATE knowledge_articles SET unhelpful_votes = unhelpful_votes + 1 "
                               "WHERE tenant_id = ?1 AND id = ?2");
  }

  Result<KnowledgeArticle> RecordView(const Scope& scope, std::int64_t id) override {
    return Increment(scope, id, "UPDATE knowledge_articles SET views = views + 1 WHERE tenant_id = ?1 AND id = ?2");
  }

  Result<Page<KnowledgeArticle>> ListTagged(const Scope& scope, const std::vector<std::string>& tags,
                                            const KnowledgeFilter& filter, PageRequest page) override {
    std::vector<std::string> wanted = tags;
    std::sort(wanted.begin(), wanted.end());
    wanted.erase(std::unique(wanted.begin(), wanted.end()), wanted.end());
    const std::string wanted_json = StringArrayText(wanted);
    return db_.Read([&](Connection& db) -> Result<Page<KnowledgeArticle>> {
      const std::optional<std::string_view> lang = filter.lang ? std::optional(EnumName(*filter.lang)) : std::nullopt;
      const std::optional<std::string_view> status =
          filter.status ? std::optional(EnumName(*filter.status)) : std::nullopt;
      Page<KnowledgeArticle> out;
      {
        Statement s = db.Prepare(
            "SELECT count(*) FROM knowledge_articles WHERE tenant_id = ?1 AND (?2 IS NULL OR lang = ?2) "
            "AND (?3 IS NULL OR category = ?3) AND (?4 IS NULL OR status = ?4) " HAS_ALL_TAGS("?5"));
        s.Bind(1, scope.tenant_id()).Bind(2, lang).Bind(3, filter.category).Bind(4, status).Bind(5, wanted_json);
        s.Step();
        out.total = s.Int(0);
      }
      Statement s = db.Prepare("SELECT " ARTICLE_COLUMNS
                               " FROM knowledge_articles WHERE tenant_id = ?1 AND (?2 IS NULL OR lang = ?2) "
                               "AND (?3 IS NULL OR category = ?3) AND (?4 IS NULL OR status = ?4) " HAS_ALL_TAGS(
                                   "?5") " ORDER BY updated_at DESC, id DESC LIMIT ?6 OFFSET ?7");
      s.Bind(1, scope.tenant_id()).Bind(2, lang).Bind(3, filter.category).Bind(4, status).Bind(5, wanted_json);
      BindPage(s, 6, page);
      while (s.Step()) out.items.push_back(ReadArticle(s));
      return out;
    });
  }

  Result<std::vector<LabelCount>> CategoryCounts(const Scope& scope, std::optional<ArticleLang> lang,
                                                 PublicationStatus status) override {
    return db_.Read([&](Connection& db) -> Result<std::vector<LabelCount>> {
      Statement s = db.Prepare(
          "SELECT category, count(*) FROM knowledge_articles WHERE tenant_id = ?1 AND (?2 IS NULL OR lang = ?2) "
          "AND status = ?3 AND category IS NOT NULL GROUP BY category ORDER BY 2 DESC, 1");
      s.Bind(1, scope.tenant_id()).Bind(2, lang ? std::optional(EnumName(*lang)) : std::nullopt).Bind(3, EnumName(status));
      return ReadCounts(s);
    });
  }

  Result<std::vector<LabelCount>> TagCounts(const Scope& scope, std::optional<ArticleLang> lang,
                                            PublicationStatus status, int limit) override {
    return db_.Read([&](Connection& db) -> Result<std::vector<LabelCount>> {
      // count(DISTINCT ...): an article that lists a tag twice carries it once.
      Statement s = db.Prepare(
          "SELECT t.value, count(DISTINCT a.id) FROM knowledge_articles a, json_each(a.tags) t "
          "WHERE a.tenant_id = ?1 AND (?2 IS NULL OR a.lang = ?2) AND a.status = ?3 AND t.type = 'text' "
          "GROUP BY t.value ORDER BY 2 DESC, 1 LIMIT ?4");
      s.Bind(1, scope.tenant_id())
          .Bind(2, lang ? std::optional(EnumName(*lang)) : std::nullopt)
          .Bind(3, EnumName(status))
          .Bind(4, limit);
      return ReadCounts(s);
    });
  }

  Result<std::vector<std::string>> TitlesContaining(const Scope& scope, std::string_view fragment,
                                                    std::optional<ArticleLang> lang, PublicationStatus status,
                                                    int limit) override {
    if (fragment.empty() || limit <= 0) return std::vector<std::string>{};
    return db_.Read([&](Connection& db) -> Result<std::vector<std::string>> {
      const TitleSearch search(db, scope, fragment, lang, status);
      std::vector<std::string> out = search.Starting(limit);
      if (out.size() < static_cast<std::size_t>(limit)) {
        for (std::string& title : search.ContainingLater(limit - static_cast<int>(out.size())))
          out.push_back(std::move(title));
      }
      return out;
    });
  }

  Status SetSynonyms(const Scope& scope, const SynonymEntry& entry) override {
    return db_.Write([&](Connection& db) -> Status {
      if (entry.synonyms.empty()) {
        Statement s = db.Prepare("DELETE FROM search_synonyms WHERE tenant_id = ?1 AND term = ?2");
        s.Bind(1, scope.tenant_id()).Bind(2, entry.term);
        s.Run();
        return Status::Ok();
      }
      Statement s = db.Prepare(
          "INSERT INTO search_synonyms (tenant_id, term, synonyms, updated_at) VALUES (?1, ?2, ?3, ?4) "
          "ON CONFLICT (tenant_id, term) DO UPDATE SET synonyms = ?3, updated_at = ?4");
      s.Bind(1, scope.tenant_id()).Bind(2, entry.term).Bind(3, StringArrayText(entry.synonyms)).Bind(4, entry.updated_at.millis);
      s.Run();
      return Status::Ok();
    });
  }

  Result<Page<SynonymEntry>> ListSynonyms(const Scope& scope, PageRequest page) override {
    return db_.Read([&](Connection& db) -> Result<Page<SynonymEntry>> {
      Page<SynonymEntry> out;
      {
        Statement s = db.Prepare("SELECT count(*) FROM search_synonyms WHERE tenant_id = ?1");
        s.Bind(1, scope.tenant_id());
        s.Step();
        out.total = s.Int(0);
      }
      Statement s = db.Prepare(
          "SELECT term, synonyms, updated_at FROM search_synonyms WHERE tenant_id = ?1 ORDER BY term LIMIT ?2 OFFSET ?3");
      s.Bind(1, scope.tenant_id());
      BindPage(s, 2, page);
      while (s.Step()) out.items.push_back(SynonymEntry{s.Text(0), StringArrayColumn(s, 1), Timestamp{s.Int(2)}});
      return out;
    });
  }

 private:
  // Votes and views do not touch updated_at: they are not edits of the article.
  Result<KnowledgeArticle> Increment(const Scope& scope, std::int64_t id, const char* sql) {
    return db_.Write([&](Connection& db) -> Result<KnowledgeArticle> {
      Statement s = db.Prepare(sql);
      s.Bind(1, scope.tenant_id()).Bind(2, id);
      s.Run();
      if (sqlite3_changes(db.handle()) == 0) return Status::NotFound("knowledge article");
      return FindById(db, scope, id).value();
    });
  }

  Database& db_;
};

}  // namespace

std::unique_ptr<KnowledgeRepository> MakeKnowledgeRepository(Database& db) {
  return std::make_unique<SqliteKnowledge>(db);
}

}  // namespace selfservice::sqlite

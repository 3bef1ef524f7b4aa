// KnowledgeEngine: upserting articles (validation, server-owned fields), who sees drafts, views and
// votes, and bulk import from JSON Lines or an array with per-line errors and progress.

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>

#include "engine/engine_test_support.hpp"
#include "support/temp_dir.hpp"

namespace selfservice {
namespace {

namespace json = boost::json;
using test::CustomerAdmin;
using test::Describe;
using test::Json;
using test::JsonObject;
using test::kSecond;
using test::kStart;
using test::PlatformAdmin;
using test::User;

constexpr const char* kCorpus = "/work/shared/data/kb/debian-docs.jsonl";

// One line of the shared corpus format.
std::string Line(const std::string& id, const std::string& title = "Title", const std::string& lang = "en") {
  return json::serialize(json::object{{"id", id},
                                      {"lang", lang},
                                      {"source", "debian-faq"},
                                      {"title", title},
                                      {"body", "Body of " + id},
                                      {"category", "Basics"},
                                      {"tags", json::array{"Basics"}},
                                      {"url", "basics.en.html#" + id}});
}

class KnowledgeEngineTest : public test::EngineTest {
 protected:
  // Upserts `fields` as the customer administrator and expects success.
  UpsertOutcome Upsert(const json::object& fields, const RequestContext& who = CustomerAdmin(1, 10, 101)) {
    auto outcome = engine_.Upsert(who, fields);
    EXPECT_TRUE(outcome.ok()) << Describe(outcome);
    return outcome.ok() ? outcome.value() : UpsertOutcome{};
  }

  // A stored article with this status, created by the administrator.
  KnowledgeArticle Article(const char* status = "published", const char* external_id = nullptr) {
    json::object fields{{"title", "VPN drops"}, {"body", "Reconnect."}, {"lang", "en"}, {"status", status}};
    if (external_id != nullptr) fields["external_id"] = external_id;
    return Upsert(fields).article;
  }

  // The stored article, read without counting a view.
  KnowledgeArticle Stored(std::int64_t id) {
    auto found = store_->knowledge().Get(Scope(staff_), id);
    EXPECT_TRUE(found.ok()) << Describe(found);
    return found.ok() ? found.value() : KnowledgeArticle{};
  }

  std::int64_t Count(const RequestContext& who = PlatformAdmin(1, 1, 1), KnowledgeFilter filter = {}) {
    auto page = engine_.List(who, std::move(filter), PageRequest{1, 1});
    EXPECT_TRUE(page.ok()) << Describe(page);
    return page.ok() ? page->total : -1;
  }

  std::string WriteFile(const std::string& name, const std::string& content) {
    const std::string path = dir_.File(name);
    std::ofstream(path, std::ios::binary) << content;
    return path;
  }

  ImportReport ImportFile(const std::string& path, const Progress& progress = nullptr) {
    auto report = engine_.ImportFile(admin_, path, progress);
    EXPECT_TRUE(report.ok()) << Describe(report);
    return report.ok() ? report.value() : ImportReport{};
  }

  ImportReport ImportArticles(const json::array& articles, const Progress& progress = nullptr) {
    auto report = engine_.ImportArticles(admin_, articles, progress);
    EXPECT_TRUE(report.ok()) << Describe(report);
    return report.ok() ? report.value() : ImportReport{};
  }

  // The stored article with this external id.
  std::optional<KnowledgeArticle> ByExternalId(const std::string& external_id) {
    for (int page = 1;; ++page) {
      auto listed = store_->knowledge().List(Scope(staff_), {}, PageRequest{page, 100});
      if (!listed.ok() || listed->items.empty()) return std::nullopt;
      for (const auto& article : listed->items) {
        if (article.external_id == external_id) return article;
      }
    }
  }

  const RequestContext admin_ = CustomerAdmin(1, 10, 101);
  const RequestContext user_ = User(1, 10, 100);
  const RequestContext staff_ = PlatformAdmin(1, 1, 1);
  const RequestContext other_tenant_ = CustomerAdmin(2, 20, 201);
  EventRecorder events_{*store_, std::chrono::milliseconds(0)};
  KnowledgeEngine engine_{*store_, store_->knowledge(), events_, clock_};
  test::TempDir dir_;
};

// The field errors of a failed result, as "field:CODE".
template <typename T>
std::vector<std::string> FieldErrors(const Result<T>& result) {
  std::vector<std::string> out;
  for (const auto& error : result.status().field_errors()) out.push_back(error.field + ":" + error.code);
  return out;
}

std::vector<std::string> FieldErrors(const std::vector<FieldError>& errors) {
  std::vector<std::string> out;
  for (const auto& error : errors) out.push_back(error.field + ":" + error.code);
  return out;
}

// --- Upsert --------------------------------------------------------------------------------------

TEST_F(KnowledgeEngineTest, UpsertCreatesAPublishedArticleOfTheCallersTenant) {
  const UpsertOutcome outcome = Upsert(JsonObject(
      R"({"title": "主机名解析", "body": "NSS", "lang": "zh", "category": "网络设置", "tags": ["网络"],
          "url": "/kb/1001", "source": "manual", "external_id": "kb-1001"})"));
  EXPECT_TRUE(outcome.created);
  const KnowledgeArticle stored = Stored(outcome.article.id);
  EXPECT_EQ(stored.tenant_id, 1);
  EXPECT_EQ(stored.title, "主机名解析");
  EXPECT_EQ(stored.external_id, "kb-1001");
  EXPECT_EQ(stored.tags, std::vector<std::string>{"网络"});
  EXPECT_EQ(stored.status, PublicationStatus::published);
  EXPECT_EQ(stored.updated_at, Timestamp{kStart});
}

TEST_F(KnowledgeEngineTest, UpsertWithoutATitleIsInvalidAndStoresNothing) {
  for (const char* fields : {R"({"body": "x", "lang": "en"})", R"({"title": "  ", "body": "x"})",
                             R"({"title": null, "body": "x"})"}) {
    auto outcome = engine_.Upsert(admin_, JsonObject(fields));
    ASSERT_FALSE(outcome.ok()) << fields;
    EXPECT_EQ(outcome.status().code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(FieldErrors(outcome), std::vector<std::string>{"title:FIELD_REQUIRED"}) << fields;
  }
  EXPECT_EQ(Count(), 0);
}

TEST_F(KnowledgeEngineTest, UpsertWithAnUnknownLanguageIsInvalid) {
  auto outcome = engine_.Upsert(admin_, JsonObject(R"({"title": "t", "body": "b", "lang": "fr"})"));
  ASSERT_FALSE(outcome.ok());
  EXPECT_EQ(outcome.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(FieldErrors(outcome), std::vector<std::string>{"lang:VALUE_NOT_ALLOWED"});
  EXPECT_EQ(Count(), 0);
}

TEST_F(KnowledgeEngineTest, UpsertWithAScriptUrlIsInvalid) {
  for (const char* url : {"javascript:x", "//evil.example/x", "/a b"}) {
    json::object fields{{"title", "t"}, {"body", "b"}, {"url", url}};
    auto outcome = engine_.Upsert(admin_, fields);
    ASSERT_FALSE(outcome.ok()) << url;
    EXPECT_EQ(FieldErrors(outcome), std::vector<std::string>{"url:FIELD_INVALID"}) << url;
  }
  EXPECT_EQ(Count(), 0);
}

TEST_F(KnowledgeEngineTest, UpsertWithMoreThan50TagsIsInvalid) {
  json::array tags;
  for (int i = 0; i < 51; ++i) tags.emplace_back("tag " + std::to_string(i));
  auto outcome = engine_.Upsert(admin_, json::object{{"title", "t"}, {"body", "b"}, {"tags", tags}});
  ASSERT_FALSE(outcome.ok());
  EXPECT_EQ(FieldErrors(outcome), std::vector<std::string>{"tags:FIELD_TOO_LONG"});
  EXPECT_EQ(Count(), 0);
}

TEST_F(KnowledgeEngineTest, UpsertWithAnEmptyExternalIdIsInvalid) {
  for (const char* fields : {R"({"title": "t", "body": "b", "external_id": ""})",
                             R"({"title": "t", "body": "b", "external_id": "\u0000"})"}) {
    auto outcome = engine_.Upsert(admin_, JsonObject(fields));
    ASSERT_FALSE(outcome.ok()) << fields;
    EXPECT_EQ(outcome.status().code(), ErrorCode::kInvalidArgument) << fields;
    EXPECT_EQ(FieldErrors(outcome), std::vector<std::string>{"external_id:FIELD_INVALID"}) << fields;
  }
  EXPECT_EQ(Count(), 0);
}

TEST_F(KnowledgeEngineTest, UpsertWithATitleStartingWithNulIsInvalid) {
  auto outcome = engine_.Upsert(admin_, JsonObject(R"({"title": "\u0000VPN", "body": "b"})"));
  ASSERT_FALSE(outcome.ok());
  EXPECT_EQ(FieldErrors(outcome), std::vector<std::string>{"title:FIELD_INVALID"});
  EXPECT_EQ(Count(), 0);
}

TEST_F(KnowledgeEngineTest, UpsertIgnoresServerOwnedFields) {
  const UpsertOutcome outcome = Upsert(JsonObject(
      R"({"title": "t", "body": "b", "external_id": "kb-9", "id": 4242, "helpful_votes": 99,
          "unhelpful_votes": 7, "views": 1000, "tenant_id": 2, "updated_at": "2001-01-01T00:00:00Z"})"));
  EXPECT_TRUE(outcome.created);
  EXPECT_NE(outcome.article.id, 4242);  // an id is an update only without an external_id
  const KnowledgeArticle stored = Stored(outcome.article.id);
  EXPECT_EQ(stored.tenant_id, 1);
  EXPECT_EQ(stored.helpful_votes, 0);
  EXPECT_EQ(stored.unhelpful_votes, 0);
  EXPECT_EQ(stored.views, 0);
  EXPECT_EQ(stored.updated_at, Timestamp{kStart});
  EXPECT_EQ(Count(other_tenant_), 0);
}

TEST_F(KnowledgeEngineTest, UpsertDoesNotReadServerOwnedFieldsOfTheWrongType) {
  const UpsertOutcome outcome = Upsert(JsonObject(
      R"({"title": "t", "body": "b", "views": "many", "helpful_votes": -3, "tenant_id": "x",
          "updated_at": "yesterday"})"));
  EXPECT_TRUE(outcome.created);
  EXPECT_EQ(Stored(outcome.article.id).views, 0);
}

TEST_F(KnowledgeEngineTest, UpsertWithoutAPositiveIdCreates) {
  for (int id : {0, -5}) {
    json::object fields{{"title", "t"}, {"body", "b"}, {"id", id}};
    const UpsertOutcome outcome = Upsert(fields);
    EXPECT_TRUE(outcome.created) << id;
    EXPECT_GT(outcome.article.id, 0) << id;
  }
  EXPECT_EQ(Count(), 2);
}

TEST_F(KnowledgeEngineTest, UpsertByExternalIdUpdatesAndKeepsVotesAndViews) {
  const KnowledgeArticle first = Article("published", "kb-1");
  ASSERT_TRUE(engine_.Vote(user_, first.id, true).ok());
  ASSERT_TRUE(engine_.Get(user_, first.id).ok());
  clock_.Advance(5 * kSecond);
  const UpsertOutcome second = Upsert(
      JsonObject(R"({"external_id": "kb-1", "title": "VPN drops often", "body": "Reconnect twice."})"));
  EXPECT_FALSE(second.created);
  EXPECT_EQ(second.article.id, first.id);
  EXPECT_EQ(second.article.title, "VPN drops often");
  EXPECT_EQ(second.article.helpful_votes, 1);
  EXPECT_EQ(second.article.views, 1);
  EXPECT_EQ(second.article.updated_at, Timestamp{kStart + 5 * kSecond});
  EXPECT_EQ(Count(), 1);
}

TEST_F(KnowledgeEngineTest, UpsertByIdReplacesTheArticle) {
  const KnowledgeArticle first = Article();
  json::object fields{{"id", first.id}, {"title", "new"}, {"body", "new body"}, {"lang", "zh"}};
  const UpsertOutcome outcome = Upsert(fields);
  EXPECT_FALSE(outcome.created);
  EXPECT_EQ(Stored(first.id).title, "new");
  EXPECT_EQ(Stored(first.id).lang, ArticleLang::zh);
}

TEST_F(KnowledgeEngineTest, EditingAnImportedArticleByIdDoesNotDuplicateItOnReimport) {
  const std::string path = WriteFile("kb.jsonl", Line("kb-1") + "\n");
  ImportFile(path);
  const std::int64_t id = ByExternalId("kb-1")->id;
  json::object edit{{"id", id}, {"title", "Edited by an administrator"}, {"body", "b"}, {"lang", "en"}};
  EXPECT_FALSE(Upsert(edit).created);
  const ImportReport again = ImportFile(path);
  EXPECT_EQ(again.updated, 1);
  EXPECT_EQ(again.imported, 0);
  EXPECT_EQ(Count(), 1);
}

TEST_F(KnowledgeEngineTest, UpsertByIdOfAnotherTenantsArticleIsNotFound) {
  const KnowledgeArticle mine = Article();
  json::object fields{{"id", mine.id}, {"title", "hijacked"}, {"body", "b"}};
  auto outcome = engine_.Upsert(other_tenant_, fields);
  ASSERT_FALSE(outcome.ok());
  EXPECT_EQ(outcome.status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(Stored(mine.id).title, "VPN drops");
}

// --- Reading, visibility, votes ------------------------------------------------------------------

TEST_F(KnowledgeEngineTest, GetCountsAView) {
  const KnowledgeArticle article = Article();
  auto first = engine_.Get(user_, article.id);
  ASSERT_TRUE(first.ok()) << Describe(first);
  EXPECT_EQ(first->views, 1);
  auto second = engine_.Get(user_, article.id);
  ASSERT_TRUE(second.ok()) << Describe(second);
  EXPECT_EQ(second->views, 2);
  EXPECT_EQ(second->updated_at, article.updated_at);
}

TEST_F(KnowledgeEngineTest, DraftsAndArchivedArticlesAreNotFoundForCustomerUsers) {
  for (const char* status : {"draft", "archived"}) {
    const KnowledgeArticle article = Article(status);
    auto got = engine_.Get(user_, article.id);
    ASSERT_FALSE(got.ok()) << status;
    EXPECT_EQ(got.status().code(), ErrorCode::kNotFound) << status;
    EXPECT_EQ(Stored(article.id).views, 0) << status;
  }
}

TEST_F(KnowledgeEngineTest, AdministratorsSeeDraftsAndArchivedArticles) {
  for (const char* status : {"draft", "archived"}) {
    const KnowledgeArticle article = Article(status);
    for (const RequestContext& who : {admin_, staff_}) {
      auto got = engine_.Get(who, article.id);
      EXPECT_TRUE(got.ok()) << status << ": " << Describe(got);
    }
  }
}

TEST_F(KnowledgeEngineTest, CustomerUsersListOnlyPublishedArticles) {
  Article("published");
  Article("draft");
  Article("archived");
  EXPECT_EQ(Count(user_), 1);
  EXPECT_EQ(Count(user_, {{}, {}, PublicationStatus::published}), 1);
  EXPECT_EQ(Count(admin_), 3);
}

TEST_F(KnowledgeEngineTest, CustomerUsersAskingForDraftsListNothing) {
  Article("draft");
  Article("archived");
  for (PublicationStatus status : {PublicationStatus::draft, PublicationStatus::archived}) {
    auto page = engine_.List(user_, {{}, {}, status}, PageRequest{1, 20});
    ASSERT_TRUE(page.ok()) << Describe(page);
    EXPECT_TRUE(page->items.empty());
    EXPECT_EQ(page->total, 0);
  }
}

TEST_F(KnowledgeEngineTest, AdministratorsListDraftsByStatus) {
  Article("published");
  const KnowledgeArticle draft = Article("draft");
  auto page = engine_.List(staff_, {{}, {}, PublicationStatus::draft}, PageRequest{1, 20});
  ASSERT_TRUE(page.ok()) << Describe(page);
  ASSERT_EQ(page->items.size(), 1u);
  EXPECT_EQ(page->items[0].id, draft.id);
}

TEST_F(KnowledgeEngineTest, VoteCountsHelpfulAndUnhelpful) {
  const KnowledgeArticle article = Article();
  ASSERT_TRUE(engine_.Vote(user_, article.id, true).ok());
  ASSERT_TRUE(engine_.Vote(user_, article.id, true).ok());
  auto voted = engine_.Vote(user_, article.id, false);
  ASSERT_TRUE(voted.ok()) << Describe(voted);
  EXPECT_EQ(voted->helpful_votes, 2);
  EXPECT_EQ(voted->unhelpful_votes, 1);
}

TEST_F(KnowledgeEngineTest, VoteOnAnUnpublishedArticleByACustomerUserIsNotFound) {
  const KnowledgeArticle draft = Article("draft");
  auto voted = engine_.Vote(user_, draft.id, true);
  ASSERT_FALSE(voted.ok());
  EXPECT_EQ(voted.status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(Stored(draft.id).helpful_votes, 0);
}

TEST_F(KnowledgeEngineTest, AnotherTenantGetsNotFoundForGetVoteAndDelete) {
  const KnowledgeArticle mine = Article();
  EXPECT_EQ(engine_.Get(other_tenant_, mine.id).status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(engine_.Vote(other_tenant_, mine.id, true).status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(engine_.Delete(other_tenant_, mine.id).code(), ErrorCode::kNotFound);
  const KnowledgeArticle stored = Stored(mine.id);
  EXPECT_EQ(stored.views, 0);
  EXPECT_EQ(stored.helpful_votes, 0);
}

TEST_F(KnowledgeEngineTest, DeleteRemovesTheArticle) {
  const KnowledgeArticle article = Article();
  ASSERT_TRUE(engine_.Delete(admin_, article.id).ok());
  EXPECT_EQ(engine_.Get(admin_, article.id).status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(Count(), 0);
}

// --- ImportFile ----------------------------------------------------------------------------------

TEST_F(KnowledgeEngineTest, ImportFileReportsBadLinesWithTheirNumbersAndImportsTheRest) {
  const std::string path = WriteFile("kb.jsonl", Line("kb-1") + "\n" +                          // 1
                                                     "{\"id\": \"kb-2\", oops\n" +              // 2
                                                     R"({"id": "kb-3", "body": "no title"})" +  // 3
                                                     "\n\n" +                                   // 4: blank
                                                     Line("kb-5") + "\n" +                      // 5
                                                     "[1, 2]\n");                               // 6
  const ImportReport report = ImportFile(path);
  EXPECT_EQ(report.imported, 2);
  EXPECT_EQ(report.updated, 0);
  EXPECT_EQ(report.failed, 3);
  ASSERT_EQ(report.errors.size(), 3u);
  EXPECT_EQ(report.errors[0].line, 2);
  EXPECT_EQ(report.errors[0].external_id, std::nullopt);
  EXPECT_EQ(FieldErrors(report.errors[0].errors), std::vector<std::string>{"line:FIELD_INVALID"});
  EXPECT_EQ(report.errors[1].line, 3);
  EXPECT_EQ(report.errors[1].external_id, "kb-3");
  EXPECT_EQ(FieldErrors(report.errors[1].errors), std::vector<std::string>{"title:FIELD_REQUIRED"});
  EXPECT_EQ(report.errors[2].line, 6);
  EXPECT_TRUE(ByExternalId("kb-1").has_value());
  EXPECT_TRUE(ByExternalId("kb-5").has_value());
  EXPECT_EQ(Count(), 2);
}

TEST_F(KnowledgeEngineTest, ImportFileMapsTheLinesIdToExternalId) {
  const ImportReport report =
      ImportFile(WriteFile("kb.jsonl", Line("dfaq-en-1.1", "What is this FAQ?") + "\n"));
  EXPECT_EQ(report.imported, 1);
  const auto article = ByExternalId("dfaq-en-1.1");
  ASSERT_TRUE(article.has_value());
  EXPECT_EQ(article->title, "What is this FAQ?");
  EXPECT_EQ(article->source, "debian-faq");
  EXPECT_EQ(article->url, "basics.en.html#dfaq-en-1.1");
  EXPECT_EQ(article->status, PublicationStatus::published);
}

TEST_F(KnowledgeEngineTest, ReimportingAFileUpdatesInsteadOfDuplicating) {
  const std::string path = WriteFile("kb.jsonl", Line("kb-1") + "\n" + Line("kb-2") + "\n");
  ASSERT_EQ(ImportFile(path).imported, 2);
  const std::int64_t id = ByExternalId("kb-1")->id;
  const ImportReport again = ImportFile(path);
  EXPECT_EQ(again.imported, 0);
  EXPECT_EQ(again.updated, 2);
  EXPECT_EQ(again.failed, 0);
  EXPECT_EQ(ByExternalId("kb-1")->id, id);
  EXPECT_EQ(Count(), 2);
}

TEST_F(KnowledgeEngineTest, ImportFileOfTheSharedCorpusImportsEveryArticleAndReimportUpdatesThem) {
  if (!std::filesystem::exists(kCorpus)) GTEST_SKIP() << kCorpus << " is not here";
  const ImportReport first = ImportFile(kCorpus);
  EXPECT_EQ(first.imported, 1853);
  EXPECT_EQ(first.updated, 0);
  EXPECT_EQ(first.failed, 0);
  EXPECT_TRUE(first.errors.empty()) << "line " << (first.errors.empty() ? 0 : first.errors[0].line);
  EXPECT_EQ(Count(), 1853);
  EXPECT_EQ(Count(staff_, {ArticleLang::en, {}, {}}), 990);
  EXPECT_EQ(Count(staff_, {ArticleLang::zh, {}, {}}), 863);

  const ImportReport second = ImportFile(kCorpus);
  EXPECT_EQ(second.imported, 0);
  EXPECT_EQ(second.updated, 1853);
  EXPECT_EQ(second.failed, 0);
  EXPECT_EQ(Count(), 1853);
}

TEST_F(KnowledgeEngineTest, ImportFileEncodesRawSpacesInUrls) {
  json::object record = JsonObject(Line("kb-1").c_str());
  record["url"] = "x.html#a b c";
  ImportFile(WriteFile("kb.jsonl", json::serialize(record) + "\n"));
  const auto article = ByExternalId("kb-1");
  ASSERT_TRUE(article.has_value());
  EXPECT_EQ(article->url, "x.html#a%20b%20c");
}

TEST_F(KnowledgeEngineTest, ImportFileNeedsAnAbsolutePathToARegularFile) {
  const std::string fifo = dir_.File("kb.fifo");  // opening it for reading would wait for a writer
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  for (const std::string& path :
       {std::string("kb.jsonl"), std::string(), dir_.File("missing.jsonl"), dir_.path().string(), fifo}) {
    auto report = engine_.ImportFile(admin_, path, nullptr);
    ASSERT_FALSE(report.ok()) << path;
    EXPECT_EQ(report.status().code(), ErrorCode::kInvalidArgument) << path;
    EXPECT_EQ(FieldErrors(report), std::vector<std::string>{"path:FIELD_INVALID"}) << path;
  }
}

TEST_F(KnowledgeEngineTest, ImportFileReportsProgressUpToTheFileSize) {
  std::string content;
  for (int i = 0; i < 1200; ++i) content += Line("kb-" + std::to_string(i)) + "\n";
  const std::string path = WriteFile("kb.jsonl", content);
  std::vector<std::pair<std::int64_t, std::int64_t>> calls;
  ImportFile(path, [&](std::int64_t done, std::int64_t total) {
    calls.emplace_back(done, total);
    return true;
  });
  ASSERT_GE(calls.size(), 3u);  // after each batch of 500, and at the end
  for (std::size_t i = 0; i < calls.size(); ++i) {
    EXPECT_EQ(calls[i].second, static_cast<std::int64_t>(content.size()));
    EXPECT_GE(calls[i].first, 0);
    if (i > 0) {
      EXPECT_GE(calls[i].first, calls[i - 1].first);
    }
  }
  EXPECT_EQ(calls.back().first, calls.back().second);
}

TEST_F(KnowledgeEngineTest, ImportFileProgressNeverGoesBackWhenTheLastLineEndsABatch) {
  std::string content;
  for (std::size_t i = 0; i < KnowledgeEngine::kBatch; ++i) {
    if (i > 0) content += "\n";
    content += Line("kb-" + std::to_string(i));  // no newline after the last line
  }
  std::vector<std::int64_t> done;
  const ImportReport report =
      ImportFile(WriteFile("kb.jsonl", content), [&](std::int64_t d, std::int64_t) {
        done.push_back(d);
        return true;
      });
  EXPECT_EQ(report.imported, static_cast<std::int64_t>(KnowledgeEngine::kBatch));
  // The batch's call is already the end: it is not repeated.
  EXPECT_EQ(done, std::vector<std::int64_t>{static_cast<std::int64_t>(content.size())});
}

TEST_F(KnowledgeEngineTest, ImportFileOfNothingReportsZeroOfZero) {
  std::vector<std::pair<std::int64_t, std::int64_t>> calls;
  ImportFile(WriteFile("kb.jsonl", ""), [&](std::int64_t done, std::int64_t total) {
    calls.emplace_back(done, total);
    return true;
  });
  EXPECT_EQ(calls, (std::vector<std::pair<std::int64_t, std::int64_t>>{{0, 0}}));
}

TEST_F(KnowledgeEngineTest, ImportFileStopsAfterTheBatchWhoseProgressAnswersFalse) {
  std::string content;
  for (int i = 0; i < 1200; ++i) content += Line("kb-" + std::to_string(i)) + "\n";
  int calls = 0;
  const ImportReport report = ImportFile(WriteFile("kb.jsonl", content), [&](std::int64_t, std::int64_t) {
    ++calls;
    return false;
  });
  EXPECT_EQ(calls, 1);
  EXPECT_TRUE(report.cancelled);
  EXPECT_EQ(report.imported, static_cast<std::int64_t>(KnowledgeEngine::kBatch));
  EXPECT_EQ(Count(), static_cast<std::int64_t>(KnowledgeEngine::kBatch));
  EXPECT_TRUE(ByExternalId("kb-499").has_value());
  EXPECT_FALSE(ByExternalId("kb-500").has_value());
}

TEST_F(KnowledgeEngineTest, ImportFileIsNotCancelledByAStopAfterItsLastLine) {
  std::string content;
  for (std::size_t i = 0; i < KnowledgeEngine::kBatch; ++i) content += Line("kb-" + std::to_string(i)) + "\n";
  const ImportReport report =
      ImportFile(WriteFile("kb.jsonl", content), [](std::int64_t, std::int64_t) { return false; });
  EXPECT_FALSE(report.cancelled);
  EXPECT_EQ(report.imported, static_cast<std::int64_t>(KnowledgeEngine::kBatch));
}

TEST_F(KnowledgeEngineTest, ImportFileAcceptsAByteOrderMarkAndCrLfLineEnds) {
  const ImportReport report =
      ImportFile(WriteFile("kb.jsonl", "\xEF\xBB\xBF" + Line("kb-1") + "\r\n" + Line("kb-2") + "\r\n"));
  EXPECT_EQ(report.imported, 2);
  EXPECT_EQ(report.failed, 0);
}

TEST_F(KnowledgeEngineTest, ImportFileReportsAnEmptyIdUnderIdAndImportsTheRestOfItsBatch) {
  json::object empty_id = JsonObject(Line("x").c_str());
  empty_id["id"] = "";
  const ImportReport report = ImportFile(
      WriteFile("kb.jsonl", Line("kb-1") + "\n" + json::serialize(empty_id) + "\n" + Line("kb-3") + "\n"));
  EXPECT_EQ(report.imported, 2);
  EXPECT_EQ(report.failed, 1);
  ASSERT_EQ(report.errors.size(), 1u);
  EXPECT_EQ(report.errors[0].line, 2);
  EXPECT_EQ(FieldErrors(report.errors[0].errors), std::vector<std::string>{"id:FIELD_INVALID"});
}

TEST_F(KnowledgeEngineTest, ImportDoesNotReadServerOwnedFieldsOfARecord) {
  json::object record = JsonObject(Line("kb-1").c_str());
  record["views"] = 77;
  record["helpful_votes"] = "lots";
  record["tenant_id"] = 2;
  record["updated_at"] = "2001-01-01T00:00:00Z";
  const ImportReport report = ImportFile(WriteFile("kb.jsonl", json::serialize(record) + "\n"));
  EXPECT_EQ(report.imported, 1);
  const auto article = ByExternalId("kb-1");
  ASSERT_TRUE(article.has_value());
  EXPECT_EQ(article->views, 0);
  EXPECT_EQ(article->tenant_id, 1);
  EXPECT_EQ(article->updated_at, Timestamp{kStart});
}

TEST_F(KnowledgeEngineTest, ImportBelongsToTheCallersTenant) {
  auto report = engine_.ImportFile(other_tenant_, WriteFile("kb.jsonl", Line("kb-1") + "\n"), nullptr);
  ASSERT_TRUE(report.ok()) << Describe(report);
  EXPECT_EQ(report->imported, 1);
  EXPECT_EQ(Count(staff_), 0);
  EXPECT_EQ(Count(PlatformAdmin(2, 1, 1)), 1);
}

// --- ImportArticles ------------------------------------------------------------------------------

TEST_F(KnowledgeEngineTest, ImportArticlesImportsTheGoodEntriesAndReportsTheBadOnes) {
  const json::array articles = Json(R"([
      {"id": "kb-1", "title": "One", "body": "b", "lang": "en"},
      42,
      {"external_id": "kb-3", "body": "no title"},
      {"id": "kb-4", "title": "Four", "body": "b", "lang": "xx"},
      {"id": "kb-5", "title": "Five", "body": "b", "lang": "zh"}])")
                                   .as_array();
  const ImportReport report = ImportArticles(articles);
  EXPECT_EQ(report.imported, 2);
  EXPECT_EQ(report.failed, 3);
  ASSERT_EQ(report.errors.size(), 3u);
  EXPECT_EQ(report.errors[0].line, 2);
  EXPECT_EQ(report.errors[0].external_id, std::nullopt);
  EXPECT_EQ(FieldErrors(report.errors[0].errors), std::vector<std::string>{"article:FIELD_INVALID"});
  EXPECT_EQ(report.errors[1].line, 3);
  EXPECT_EQ(report.errors[1].external_id, "kb-3");
  EXPECT_EQ(FieldErrors(report.errors[1].errors), std::vector<std::string>{"title:FIELD_REQUIRED"});
  EXPECT_EQ(report.errors[2].line, 4);
  EXPECT_EQ(report.errors[2].external_id, "kb-4");
  EXPECT_EQ(FieldErrors(report.errors[2].errors), std::vector<std::string>{"lang:VALUE_NOT_ALLOWED"});
  EXPECT_TRUE(ByExternalId("kb-1").has_value());
  EXPECT_TRUE(ByExternalId("kb-5").has_value());
}

TEST_F(KnowledgeEngineTest, ImportArticlesReportsProgressInArticles) {
  json::array articles;
  for (int i = 0; i < 1001; ++i) articles.push_back(JsonObject(Line("kb-" + std::to_string(i)).c_str()));
  std::vector<std::pair<std::int64_t, std::int64_t>> calls;
  const ImportReport report = ImportArticles(articles, [&](std::int64_t done, std::int64_t total) {
    calls.emplace_back(done, total);
    return true;
  });
  EXPECT_EQ(report.imported, 1001);
  EXPECT_FALSE(report.cancelled);
  const std::vector<std::pair<std::int64_t, std::int64_t>> expected = {
      {500, 1001}, {1000, 1001}, {1001, 1001}};
  EXPECT_EQ(calls, expected);
}

TEST_F(KnowledgeEngineTest, ImportArticlesReportsTheEndOnceWhenItEndsABatch) {
  json::array articles;
  for (std::size_t i = 0; i < 2 * KnowledgeEngine::kBatch; ++i) {
    articles.push_back(JsonObject(Line("kb-" + std::to_string(i)).c_str()));
  }
  std::vector<std::int64_t> done;
  ImportArticles(articles, [&](std::int64_t d, std::int64_t) {
    done.push_back(d);
    return true;
  });
  EXPECT_EQ(done, (std::vector<std::int64_t>{500, 1000}));
}

TEST_F(KnowledgeEngineTest, ImportArticlesStopsAfterTheBatchWhoseProgressAnswersFalse) {
  json::array articles;
  for (int i = 0; i < 1200; ++i) articles.push_back(JsonObject(Line("kb-" + std::to_string(i)).c_str()));
  articles.push_back(42);  // after the stop: never read, so never reported
  std::vector<std::int64_t> done;
  const ImportReport report = ImportArticles(articles, [&](std::int64_t d, std::int64_t) {
    done.push_back(d);
    return d < 1000;
  });
  EXPECT_EQ(done, (std::vector<std::int64_t>{500, 1000}));
  EXPECT_TRUE(report.cancelled);
  EXPECT_EQ(report.imported, 1000);
  EXPECT_EQ(report.failed, 0);
  EXPECT_EQ(Count(), 1000);
}

TEST_F(KnowledgeEngineTest, ImportCountsEveryFailureButListsAtMostkMaxReportedErrors) {
  json::array articles;
  const std::size_t bad = KnowledgeEngine::kMaxReportedErrors + 50;
  for (std::size_t i = 0; i < bad; ++i) {
    articles.push_back(json::object{{"id", "bad-" + std::to_string(i)}, {"body", "no title"}});
  }
  articles.push_back(JsonObject(Line("good").c_str()));
  const ImportReport report = ImportArticles(articles);
  EXPECT_EQ(report.imported, 1);
  EXPECT_EQ(report.failed, static_cast<std::int64_t>(bad));
  ASSERT_EQ(report.errors.size(), KnowledgeEngine::kMaxReportedErrors);
  EXPECT_EQ(report.errors.front().line, 1);
  EXPECT_EQ(report.errors.back().line, static_cast<std::int64_t>(KnowledgeEngine::kMaxReportedErrors));
}

}  // namespace
}  // namespace selfservice

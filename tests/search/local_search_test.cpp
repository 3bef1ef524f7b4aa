// The embedded engine's candidate stage and statistics (src/search/local_search.cpp), through
// Store::search() on the SQLite store: what a large index does differently from a small one, and
// that what a search knows about the index follows every write, from any connection.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "selfservice/repository.hpp"
#include "selfservice/search.hpp"
#include "support/callers.hpp"
#include "support/temp_dir.hpp"

namespace selfservice {
namespace {

using test::Describe;

const RequestContext kAdmin = test::CustomerAdmin(1, 10, 100);

KnowledgeArticle Article(std::string title, std::string body) {
  KnowledgeArticle a;
  a.title = std::move(title);
  a.body = std::move(body);
  a.lang = ArticleLang::en;
  a.status = PublicationStatus::published;
  a.updated_at = Timestamp{1'700'000'000'000};
  return a;
}

class LocalSearchTest : public ::testing::Test {
 protected:
  void SetUp() override { store_ = Open(); }

  std::unique_ptr<Store> Open() {
    auto opened = OpenStore("sqlite:" + dir_.File("portal.db"));
    EXPECT_TRUE(opened.ok()) << Describe(opened);
    return opened.ok() ? std::move(opened).value() : nullptr;
  }

  // `count` articles titled "<title> <i>" with `body`.
  void AddMany(const std::string& title, const std::string& body, int count, Store* store = nullptr) {
    std::vector<KnowledgeArticle> batch;
    for (int i = 0; i < count; ++i) batch.push_back(Article(title + " " + std::to_string(i), body));
    auto stored = (store ? store : store_.get())->knowledge().UpsertMany(Scope(kAdmin), std::move(batch));
    ASSERT_TRUE(stored.ok()) << Describe(stored);
  }

  SearchResult Search(const std::string& text, int size = 10, Store* store = nullptr) {
    SearchQuery query;
    query.text = text;
    query.lang = ArticleLang::en;
    query.size = size;
    auto result = (store ? store : store_.get())->search().Search(Scope(kAdmin), query);
    EXPECT_TRUE(result.ok()) << Describe(result);
    return result.ok() ? std::move(result).value() : SearchResult{};
  }

  test::TempDir dir_;
  std::unique_ptr<Store> store_;
};

// More articles hold "server" than the candidate stage ranks; the ones that also hold the rare
// "zebra" are the candidates, enough to fill the page.
TEST_F(LocalSearchTest, OnALargeIndexOnlyArticlesHoldingTheRarerTermsAreRanked) {
  AddMany("server log", "the server writes a log", 1100);
  AddMany("zebra server", "a zebra server answers", 12);
  const SearchResult result = Search("server zebra");
  ASSERT_EQ(result.hits.size(), 10u);
  EXPECT_EQ(result.total, 12);
  for (const auto& hit : result.hits) EXPECT_NE(hit.title.find("zebra"), std::string::npos) << hit.title;
  EXPECT_FALSE(result.suggest_ticket);
}

// Too few hold "zebra" to fill the page: the page is filled from the wider set, zebras first.
TEST_F(LocalSearchTest, APageTheRarerTermsCannotFillIsFilledFromWiderCandidates) {
  AddMany("server log", "the server writes a log", 1100);
  AddMany("zebra server", "a zebra server answers", 2);
  const SearchResult result = Search("server zebra");
  ASSERT_EQ(result.hits.size(), 10u);
  EXPECT_EQ(result.total, 1102);
  for (int i = 0; i < 2; ++i) EXPECT_EQ(result.hits[i].title.rfind("zebra server", 0), 0u) << result.hits[i].title;
}

// Every term is common: the articles holding both come first.
TEST_F(LocalSearchTest, WhenEveryTermIsCommonArticlesHoldingTheTwoRarestAreRanked) {
  AddMany("server log", "the server writes a log", 1100);
  AddMany("restart daemon", "restart the daemon", 1050);
  AddMany("restart server", "restart the server", 12);
  const SearchResult result = Search("restart server");
  EXPECT_EQ(result.total, 12);
  ASSERT_EQ(result.hits.size(), 10u);
  for (const auto& hit : result.hits) EXPECT_EQ(hit.title.rfind("restart server", 0), 0u) << hit.title;
}

// ... unless too few hold both to fill the page: then every article holding the rarest is ranked.
TEST_F(LocalSearchTest, WhenTooFewHoldEveryCommonTermTheRarestAloneFindsTheCandidates) {
  AddMany("server log", "the server writes a log", 1100);
  AddMany("restart daemon", "restart the daemon", 1050);
  AddMany("restart server", "restart the server", 3);
  const SearchResult result = Search("restart server");
  EXPECT_EQ(result.total, 1053);  // "restart", the rarer of the two
  ASSERT_EQ(result.hits.size(), 10u);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(result.hits[i].title.rfind("restart server", 0), 0u) << result.hits[i].title;
}

// Frequencies count every language: a Chinese synonym rarer than the customer's English word must
// not pick the candidates of an English search, or the language filter leaves none.
TEST_F(LocalSearchTest, AChineseSynonymNeverPicksTheCandidatesOfAnEnglishSearch) {
  AddMany("printer queue", "the printer prints", 1100);
  std::vector<KnowledgeArticle> zh;
  for (int i = 0; i < 3; ++i) {
    KnowledgeArticle a = Article("打印机 " + std::to_string(i), "打印机无法打印");
    a.lang = ArticleLang::zh;
    zh.push_back(std::move(a));
  }
  ASSERT_TRUE(store_->knowledge().UpsertMany(Scope(kAdmin), std::move(zh)).ok());
  SearchQuery query;
  query.text = "printer";
  query.lang = ArticleLang::en;
  query.expansions = {"打印机"};
  auto result = store_->search().Search(Scope(kAdmin), query);
  ASSERT_TRUE(result.ok()) << Describe(result);
  EXPECT_EQ(result->hits.size(), 10u);
  EXPECT_EQ(result->total, 1100);
}

// The rarer terms fill no page in the language asked for: wider candidate sets are tried.
TEST_F(LocalSearchTest, WhenTheRarerTermsFillNoPageWiderCandidatesAreRanked) {
  AddMany("printer queue", "the printer prints", 1100);
  KnowledgeArticle zh = Article("nginx 配置", "nginx 的配置");
  zh.lang = ArticleLang::zh;
  ASSERT_TRUE(store_->knowledge().UpsertMany(Scope(kAdmin), {zh}).ok());
  const SearchResult result = Search("nginx printer");
  EXPECT_EQ(result.hits.size(), 10u);
  EXPECT_EQ(result.total, 1100);
}

// Tags name what an article is about, as a title does (a section's tags are often the titles of
// the sections around it): an article tagged with the query outranks one that only mentions it in
// its body, more often and side by side.
TEST_F(LocalSearchTest, TagsHoldingTheQueryCountTowardsTheHeadingBonus) {
  KnowledgeArticle tagged = Article("Recommended procedure", "read the release notes first, then begin");
  tagged.tags = {"zebra migration"};
  KnowledgeArticle mentions = Article("Field notes", "zebra migration, then another zebra migration");
  ASSERT_TRUE(store_->knowledge().UpsertMany(Scope(kAdmin), {tagged, mentions}).ok());
  AddMany("printer", "the printer prints", 20);
  const SearchResult result = Search("zebra migration");
  ASSERT_EQ(result.hits.size(), 2u);
  EXPECT_EQ(result.hits[0].title, "Recommended procedure");
}

// A Chinese term is weighed by how common it is among the Chinese articles, the only ones that can
// hold it: 配置, in half of them, is a common word there, however many English articles there are,
// and weighs less than nginx, in one Chinese article of ten (and in a few English ones).
TEST_F(LocalSearchTest, AChineseTermIsWeighedAmongTheChineseArticles) {
  std::vector<KnowledgeArticle> zh;
  const auto add_zh = [&](const std::string& title, const std::string& body) {
    KnowledgeArticle a = Article(title, body);
    a.lang = ArticleLang::zh;
    zh.push_back(std::move(a));
  };
  add_zh("nginx 说明", "nginx 的说明");
  for (int i = 0; i < 5; ++i) add_zh("配置说明 " + std::to_string(i), "配置的说明");
  for (int i = 0; i < 4; ++i) add_zh("其他说明 " + std::to_string(i), "其他的说明");
  ASSERT_TRUE(store_->knowledge().UpsertMany(Scope(kAdmin), std::move(zh)).ok());
  AddMany("nginx server", "nginx serves pages", 9);
  AddMany("printer", "the printer prints", 81);
  SearchQuery query;
  query.text = "nginx 配置";
  query.lang = ArticleLang::zh;
  auto result = store_->search().Search(Scope(kAdmin), query);
  ASSERT_TRUE(result.ok()) << Describe(result);
  ASSERT_EQ(result->hits.size(), 6u);
  EXPECT_EQ(result->hits[0].title, "nginx 说明");
}

// The engine keeps the index's statistics between searches; a write must reach the next search.
TEST_F(LocalSearchTest, ASearchSeesEveryWriteBeforeIt) {
  EXPECT_TRUE(Search("quokka").hits.empty());
  AddMany("quokka care", "feeding a quokka", 1);
  SearchResult found = Search("quokka");
  ASSERT_EQ(found.hits.size(), 1u);
  EXPECT_EQ(found.hits[0].snippet, "feeding a <mark>quokka</mark>");
  ASSERT_TRUE(store_->knowledge().Delete(Scope(kAdmin), found.hits[0].id).ok());
  EXPECT_TRUE(Search("quokka").hits.empty());
}

// ... also a write of another connection (another store on the same file, as another process).
TEST_F(LocalSearchTest, ASearchSeesWritesOfAnotherStoreOnTheSameFile) {
  EXPECT_TRUE(Search("wombat").hits.empty());
  std::unique_ptr<Store> other = Open();
  ASSERT_NE(other, nullptr);
  AddMany("wombat burrow", "a wombat digs", 1, other.get());
  EXPECT_EQ(Search("wombat").hits.size(), 1u);
}

// Twenty articles (a word in none of them weighs ln 42 = 3.74 as idf, the rarest possible): 19
// about disks, one about passwords (idf ln 14 = 2.64).
// A word no article holds and no misspelling of one ("outlook") names what the question is about:
// it weighs twice the rarest idf against the best article, whose share of the query falls to
// 2.64 / (2.64 + 7.48) = 0.26, below 0.3. Counted once, the share would be 0.41 and answered.
TEST_F(LocalSearchTest, AnUnknownWordThatIsNoMisspellingSuggestsATicket) {
  AddMany("disk", "a disk fills up", 19);
  AddMany("password", "reset a forgotten password", 1);
  const SearchResult result = Search("outlook password");
  EXPECT_FALSE(result.hits.empty());
  EXPECT_TRUE(result.suggest_ticket);
}

// Five of twenty articles hold "backup" and "automatically" (idf 1.34 each). "automaticaly" is one
// letter from "automatically": a misspelling, which says nothing about what the knowledge base
// covers, so the best article holds the whole query. Counted as unknown, it would leave it
// 1.34 / (1.34 + 7.48) = 0.15.
TEST_F(LocalSearchTest, AMisspeltWordDoesNotSuggestATicket) {
  AddMany("disk", "a disk fills up", 15);
  AddMany("backup", "run the backup automatically", 5);
  const SearchResult result = Search("automaticaly backup");
  EXPECT_FALSE(result.hits.empty());
  EXPECT_FALSE(result.suggest_ticket);
}

// A word of three letters is one edit from too many words to be taken for a misspelling: "mfa" is
// unknown although "mta" is known.
TEST_F(LocalSearchTest, AShortUnknownWordIsNeverTakenForAMisspelling) {
  AddMany("disk", "a disk fills up", 15);
  AddMany("mail", "reset the mta", 5);
  const SearchResult result = Search("mfa reset");
  EXPECT_FALSE(result.hits.empty());
  EXPECT_TRUE(result.suggest_ticket);
}

// Deleting the "e" of "eating" gives "ating", which the stemmer cuts to "at": a neighbour whose stem
// keeps fewer than three letters is no evidence of a misspelling, so "eating" stays unknown.
TEST_F(LocalSearchTest, ANeighbourWithAStemOfTwoLettersIsNoEvidenceOfAMisspelling) {
  AddMany("disk", "a disk fills up", 15);
  AddMany("backup", "the backup runs at night", 5);
  const SearchResult result = Search("eating backup");
  EXPECT_FALSE(result.hits.empty());
  EXPECT_TRUE(result.suggest_ticket);
}

}  // namespace
}  // namespace selfservice

// Knowledge repository conformance: the KnowledgeRepository contract of repository.hpp, run
// against every storage adapter (each URI of kStorageUris), as repository_conformance_test.cpp
// does for the other repositories.

#include <cctype>
#include <cstdint>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "selfservice/repository.hpp"
#include "storage/storage_test_support.hpp"

namespace selfservice {
namespace {

using test::CustomerAdmin;
using test::Describe;
using test::PlatformAdmin;

constexpr std::int64_t kT0 = 1'700'000'000'000;


// Every field set, optionals included, so a column that is not stored or read back shows up.
KnowledgeArticle FullArticle(std::string external_id, std::int64_t updated_millis) {
  KnowledgeArticle v;
  v.external_id = std::move(external_id);
  v.title = "主机名解析 \"hostname\" resolution";
  v.body = "主机名解析，目前也是由 NSS 完成。\nLine two with 'quotes', a tab\tand a backslash \\.";
  v.category = "网络设置";
  v.tags = {"网络设置", "基本网络架构", "with \"quote\"", "ü"};
  v.lang = ArticleLang::en;
  v.source = "debian-reference";
  v.url = "ch05.zh-cn.html#_the_hostname_resolution";
  v.status = PublicationStatus::draft;
  v.updated_at = Timestamp{updated_millis};
  return v;
}

// Only the required fields; every optional absent.
KnowledgeArticle MinimalArticle(std::int64_t updated_millis) {
  KnowledgeArticle v;
  v.title = "VPN";
  v.body = "Reconnect.";
  v.updated_at = Timestamp{updated_millis};
  return v;
}

class KnowledgeConformance : public test::AdapterTest {
 protected:
  KnowledgeRepository& knowledge() { return store_->knowledge(); }

  // Upserts `articles` for `who` and expects success.
  std::vector<UpsertOutcome> Upsert(const RequestContext& who, std::vector<KnowledgeArticle> articles) {
    auto outcomes = knowledge().UpsertMany(Scope(who), std::move(articles));
    EXPECT_TRUE(outcomes.ok()) << Describe(outcomes);
    return outcomes.ok() ? outcomes.value() : std::vector<UpsertOutcome>{};
  }

  // One stored article: an external id, a language, category, status and time of its own.
  KnowledgeArticle Add(const RequestContext& who, const std::string& external_id, std::int64_t updated_millis,
                       ArticleLang lang = ArticleLang::zh, std::optional<std::string> category = std::nullopt,
                       PublicationStatus status = PublicationStatus::published) {
    KnowledgeArticle v = MinimalArticle(updated_millis);
    v.external_id = external_id;
    v.title = "title of " + external_id;
    v.lang = lang;
    v.category = std::move(category);
    v.status = status;
    auto outcomes = Upsert(who, {v});
    return outcomes.empty() ? v : outcomes.front().article;
  }

  KnowledgeArticle Get(const RequestContext& who, std::int64_t id) {
    auto found = knowledge().Get(Scope(who), id);
    EXPECT_TRUE(found.ok()) << Describe(found);
    return found.ok() ? found.value() : KnowledgeArticle{};
  }

  std::vector<std::string> ListedExternalIds(const RequestContext& who, const KnowledgeFilter& filter,
                                             PageRequest page = {1, 100}) {
    auto listed = knowledge().List(Scope(who), filter, page);
    EXPECT_TRUE(listed.ok()) << Describe(listed);
    std::vector<std::string> ids;
    if (listed.ok()) {
      for (const auto& article : listed->items) ids.push_back(article.external_id.value_or("-"));
    }
    return ids;
  }

  std::int64_t Total(const RequestContext& who, const KnowledgeFilter& filter = {}) {
    auto listed = knowledge().List(Scope(who), filter, PageRequest{1, 1});
    EXPECT_TRUE(listed.ok()) << Describe(listed);
    return listed.ok() ? listed->total : -1;
  }

  const RequestContext admin_ = CustomerAdmin(1, 10, 101);
  const RequestContext other_tenant_ = PlatformAdmin(2, 20, 201);
};

// --- Upsert --------------------------------------------------------------------------------------

TEST_P(KnowledgeConformance, UpsertManyInsertsNewArticlesWithDistinctIdsInTheGivenOrder) {
  KnowledgeArticle a = MinimalArticle(kT0);
  a.title = "first";
  KnowledgeArticle b = MinimalArticle(kT0);
  b.title = "second";
  const auto outcomes = Upsert(admin_, {a, b});
  ASSERT_EQ(outcomes.size(), 2u);
  EXPECT_TRUE(outcomes[0].created);
  EXPECT_TRUE(outcomes[1].created);
  EXPECT_EQ(outcomes[0].article.title, "first");
  EXPECT_EQ(outcomes[1].article.title, "second");
  EXPECT_GT(outcomes[0].article.id, 0);
  EXPECT_NE(outcomes[0].article.id, outcomes[1].article.id);
  EXPECT_EQ(Total(admin_), 2);
}

TEST_P(KnowledgeConformance, EveryFieldRoundTrips) {
  KnowledgeArticle full = FullArticle("dref-zh-5.1.1", kT0 + 123);
  const auto outcomes = Upsert(admin_, {full});
  ASSERT_EQ(outcomes.size(), 1u);
  full.id = outcomes[0].article.id;
  full.tenant_id = 1;
  EXPECT_EQ(ToJson(outcomes[0].article), ToJson(full));
  EXPECT_EQ(ToJson(Get(admin_, full.id)), ToJson(full));
}

TEST_P(KnowledgeConformance, ArticleWithoutOptionalFieldsRoundTrips) {
  KnowledgeArticle minimal = MinimalArticle(kT0);
  const auto outcomes = Upsert(admin_, {minimal});
  ASSERT_EQ(outcomes.size(), 1u);
  const KnowledgeArticle got = Get(admin_, outcomes[0].article.id);
  minimal.id = got.id;
  minimal.tenant_id = 1;
  EXPECT_EQ(ToJson(got), ToJson(minimal));
  EXPECT_FALSE(got.external_id.has_value());
  EXPECT_FALSE(got.category.has_value());
  EXPECT_FALSE(got.source.has_value());
  EXPECT_FALSE(got.url.has_value());
  EXPECT_TRUE(got.tags.empty());
}

TEST_P(KnowledgeConformance, UpsertByExternalIdReplacesTheContentAndKeepsIdVotesAndViews) {
  const KnowledgeArticle first = Add(admin_, "kb-1", kT0);
  ASSERT_TRUE(knowledge().Vote(Scope(admin_), first.id, true).ok());
  ASSERT_TRUE(knowledge().Vote(Scope(admin_), first.id, false).ok());
  ASSERT_TRUE(knowledge().RecordView(Scope(admin_), first.id).ok());

  KnowledgeArticle again = FullArticle("kb-1", kT0 + 5'000);
  again.helpful_votes = 0;  // an import never knows the counters
  const auto outcomes = Upsert(admin_, {again});
  ASSERT_EQ(outcomes.size(), 1u);
  EXPECT_FALSE(outcomes[0].created);
  const KnowledgeArticle stored = Get(admin_, first.id);
  EXPECT_EQ(stored.id, first.id);
  EXPECT_EQ(stored.title, again.title);
  EXPECT_EQ(stored.tags, again.tags);
  EXPECT_EQ(stored.status, PublicationStatus::draft);
  EXPECT_EQ(stored.updated_at, Timestamp{kT0 + 5'000});
  EXPECT_EQ(stored.helpful_votes, 1);
  EXPECT_EQ(stored.unhelpful_votes, 1);
  EXPECT_EQ(stored.views, 1);
  EXPECT_EQ(Total(admin_), 1);
}

TEST_P(KnowledgeConformance, UpsertByIdReplacesThatArticle) {
  const KnowledgeArticle first = Upsert(admin_, {MinimalArticle(kT0)}).at(0).article;
  ASSERT_TRUE(knowledge().Vote(Scope(admin_), first.id, true).ok());
  KnowledgeArticle replacement = FullArticle("kb-new", kT0 + 1);
  replacement.external_id.reset();
  replacement.id = first.id;
  const auto outcomes = Upsert(admin_, {replacement});
  ASSERT_EQ(outcomes.size(), 1u);
  EXPECT_FALSE(outcomes[0].created);
  EXPECT_EQ(outcomes[0].article.id, first.id);
  const KnowledgeArticle stored = Get(admin_, first.id);
  EXPECT_EQ(stored.title, replacement.title);
  EXPECT_EQ(stored.category, replacement.category);
  EXPECT_EQ(stored.helpful_votes, 1);
  EXPECT_EQ(Total(admin_), 1);
}

TEST_P(KnowledgeConformance, UpsertByIdAloneKeepsTheExternalId) {
  const KnowledgeArticle imported = Add(admin_, "kb-1", kT0);
  KnowledgeArticle edit = MinimalArticle(kT0 + 1);
  edit.id = imported.id;
  edit.title = "edited";
  Upsert(admin_, {edit});
  EXPECT_EQ(Get(admin_, imported.id).external_id, "kb-1");
  const auto reimport = Upsert(admin_, {FullArticle("kb-1", kT0 + 2)});
  ASSERT_EQ(reimport.size(), 1u);
  EXPECT_FALSE(reimport[0].created);
  EXPECT_EQ(reimport[0].article.id, imported.id);
  EXPECT_EQ(Total(admin_), 1);
}

TEST_P(KnowledgeConformance, AnExternalIdIdentifiesTheArticleWhateverIdIsGiven) {
  const KnowledgeArticle a = Add(admin_, "kb-a", kT0);
  const KnowledgeArticle b = Add(admin_, "kb-b", kT0);
  KnowledgeArticle update = MinimalArticle(kT0 + 1);
  update.external_id = "kb-b";
  update.id = a.id;
  update.title = "new title of b";
  const auto outcomes = Upsert(admin_, {update});
  ASSERT_EQ(outcomes.size(), 1u);
  EXPECT_EQ(outcomes[0].article.id, b.id);
  EXPECT_EQ(Get(admin_, b.id).title, "new title of b");
  EXPECT_EQ(Get(admin_, a.id).title, "title of kb-a");
}

TEST_P(KnowledgeConformance, UpsertWithAnUnknownIdIsNotFoundAndWritesNothingOfTheBatch) {
  KnowledgeArticle fresh = MinimalArticle(kT0);
  fresh.external_id = "kb-fresh";
  KnowledgeArticle unknown = MinimalArticle(kT0);
  unknown.id = 987'654;
  auto outcomes = knowledge().UpsertMany(Scope(admin_), {fresh, unknown});
  ASSERT_FALSE(outcomes.ok());
  EXPECT_EQ(outcomes.status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(Total(admin_), 0);
}

TEST_P(KnowledgeConformance, ABatchTheSchemaRefusesWritesNothing) {
  const KnowledgeArticle kept = Add(admin_, "kb-kept", kT0);
  KnowledgeArticle update = MinimalArticle(kT0 + 1);
  update.external_id = "kb-kept";
  update.title = "changed";
  KnowledgeArticle untitled = MinimalArticle(kT0);
  untitled.title.clear();  // CHECK (length(title) BETWEEN 1 AND 255)
  auto outcomes = knowledge().UpsertMany(Scope(admin_), {update, untitled});
  ASSERT_FALSE(outcomes.ok());
  EXPECT_EQ(outcomes.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(Get(admin_, kept.id).title, "title of kb-kept");
  EXPECT_EQ(Total(admin_), 1);
}

TEST_P(KnowledgeConformance, AnArticleIsCreatedAgainAfterItsDeletion) {
  const KnowledgeArticle first = Add(admin_, "kb-1", kT0);
  ASSERT_TRUE(knowledge().Vote(Scope(admin_), first.id, true).ok());
  ASSERT_TRUE(knowledge().Delete(Scope(admin_), first.id).ok());
  KnowledgeArticle again = MinimalArticle(kT0 + 1);
  again.external_id = "kb-1";
  const auto outcomes = Upsert(admin_, {again});
  ASSERT_EQ(outcomes.size(), 1u);
  EXPECT_TRUE(outcomes[0].created);
  EXPECT_EQ(outcomes[0].article.helpful_votes, 0);
  EXPECT_EQ(Total(admin_), 1);
}

// --- Tenant isolation ----------------------------------------------------------------------------

TEST_P(KnowledgeConformance, AnotherTenantsArticleIsNotFoundForGetDeleteVoteAndView) {
  const KnowledgeArticle mine = Add(admin_, "kb-1", kT0);
  const Scope theirs(other_tenant_);
  EXPECT_EQ(knowledge().Get(theirs, mine.id).status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(knowledge().Delete(theirs, mine.id).code(), ErrorCode::kNotFound);
  EXPECT_EQ(knowledge().Vote(theirs, mine.id, true).status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(knowledge().RecordView(theirs, mine.id).status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(ToJson(Get(admin_, mine.id)), ToJson(mine));
}

TEST_P(KnowledgeConformance, ListShowsOnlyTheCallersTenant) {
  Add(admin_, "kb-1", kT0);
  Add(admin_, "kb-2", kT0);
  Add(other_tenant_, "kb-3", kT0);
  EXPECT_EQ(ListedExternalIds(admin_, {}), (std::vector<std::string>{"kb-2", "kb-1"}));
  EXPECT_EQ(ListedExternalIds(other_tenant_, {}), (std::vector<std::string>{"kb-3"}));
  EXPECT_EQ(Total(PlatformAdmin(3, 30, 301)), 0);
}

TEST_P(KnowledgeConformance, UpsertByIdOfAnotherTenantsArticleIsNotFoundAndLeavesItUnchanged) {
  const KnowledgeArticle mine = Add(admin_, "kb-1", kT0);
  KnowledgeArticle hijack = MinimalArticle(kT0 + 1);
  hijack.id = mine.id;
  hijack.title = "hijacked";
  auto outcomes = knowledge().UpsertMany(Scope(other_tenant_), {hijack});
  ASSERT_FALSE(outcomes.ok());
  EXPECT_EQ(outcomes.status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(ToJson(Get(admin_, mine.id)), ToJson(mine));
  EXPECT_EQ(Total(other_tenant_), 0);
}

TEST_P(KnowledgeConformance, TheSameExternalIdInTwoTenantsIsTwoArticles) {
  const KnowledgeArticle mine = Add(admin_, "kb-1", kT0);
  KnowledgeArticle theirs = MinimalArticle(kT0 + 1);
  theirs.external_id = "kb-1";
  theirs.title = "theirs";
  const auto outcomes = Upsert(other_tenant_, {theirs});
  ASSERT_EQ(outcomes.size(), 1u);
  EXPECT_TRUE(outcomes[0].created);
  EXPECT_NE(outcomes[0].article.id, mine.id);
  EXPECT_EQ(outcomes[0].article.tenant_id, 2);
  EXPECT_EQ(Get(admin_, mine.id).title, "title of kb-1");
  EXPECT_EQ(Get(other_tenant_, outcomes[0].article.id).title, "theirs");
}

// --- List ----------------------------------------------------------------------------------------

TEST_P(KnowledgeConformance, ListFiltersByLanguage) {
  Add(admin_, "zh-1", kT0, ArticleLang::zh);
  Add(admin_, "en-1", kT0 + 1, ArticleLang::en);
  Add(admin_, "zh-2", kT0 + 2, ArticleLang::zh);
  EXPECT_EQ(ListedExternalIds(admin_, {ArticleLang::zh, {}, {}}), (std::vector<std::string>{"zh-2", "zh-1"}));
  EXPECT_EQ(ListedExternalIds(admin_, {ArticleLang::en, {}, {}}), (std::vector<std::string>{"en-1"}));
  EXPECT_EQ(Total(admin_, {ArticleLang::zh, {}, {}}), 2);
}

TEST_P(KnowledgeConformance, ListFiltersByCategory) {
  Add(admin_, "net-1", kT0, ArticleLang::zh, "网络设置");
  Add(admin_, "pkg-1", kT0 + 1, ArticleLang::zh, "Package management");
  Add(admin_, "none", kT0 + 2);
  EXPECT_EQ(ListedExternalIds(admin_, {{}, "网络设置", {}}), (std::vector<std::string>{"net-1"}));
  EXPECT_EQ(Total(admin_, {{}, "Package management", {}}), 1);
  EXPECT_EQ(Total(admin_, {{}, "network", {}}), 0);
}

TEST_P(KnowledgeConformance, ListFiltersByStatus) {
  Add(admin_, "pub", kT0, ArticleLang::zh, {}, PublicationStatus::published);
  Add(admin_, "draft", kT0 + 1, ArticleLang::zh, {}, PublicationStatus::draft);
  Add(admin_, "old", kT0 + 2, ArticleLang::zh, {}, PublicationStatus::archived);
  EXPECT_EQ(ListedExternalIds(admin_, {{}, {}, PublicationStatus::published}),
            (std::vector<std::string>{"pub"}));
  EXPECT_EQ(ListedExternalIds(admin_, {{}, {}, PublicationStatus::draft}),
            (std::vector<std::string>{"draft"}));
  EXPECT_EQ(ListedExternalIds(admin_, {{}, {}, PublicationStatus::archived}),
            (std::vector<std::string>{"old"}));
  EXPECT_EQ(Total(admin_), 3);
}

TEST_P(KnowledgeConformance, ListFiltersCombine) {
  Add(admin_, "hit", kT0, ArticleLang::en, "Networking", PublicationStatus::published);
  Add(admin_, "zh", kT0, ArticleLang::zh, "Networking", PublicationStatus::published);
  Add(admin_, "other-category", kT0, ArticleLang::en, "Packages", PublicationStatus::published);
  Add(admin_, "draft", kT0, ArticleLang::en, "Networking", PublicationStatus::draft);
  EXPECT_EQ(ListedExternalIds(admin_, {ArticleLang::en, "Networking", PublicationStatus::published}),
            (std::vector<std::string>{"hit"}));
}

TEST_P(KnowledgeConformance, ListPagesNewestFirstWithTheTotalOnEveryPage) {
  for (int i = 1; i <= 5; ++i) Add(admin_, "kb-" + std::to_string(i), kT0 + i * 1000);
  auto page = [&](int n) { return ListedExternalIds(admin_, {}, PageRequest{n, 2}); };
  EXPECT_EQ(page(1), (std::vector<std::string>{"kb-5", "kb-4"}));
  EXPECT_EQ(page(2), (std::vector<std::string>{"kb-3", "kb-2"}));
  EXPECT_EQ(page(3), (std::vector<std::string>{"kb-1"}));
  EXPECT_TRUE(page(4).empty());
  auto listed = knowledge().List(Scope(admin_), {}, PageRequest{3, 2});
  ASSERT_TRUE(listed.ok()) << Describe(listed);
  EXPECT_EQ(listed->total, 5);
}

TEST_P(KnowledgeConformance, ListOrdersByLastUpdateNotByCreation) {
  Add(admin_, "kb-1", kT0);
  Add(admin_, "kb-2", kT0 + 1000);
  Add(admin_, "kb-1", kT0 + 2000);  // re-imported later
  EXPECT_EQ(ListedExternalIds(admin_, {}), (std::vector<std::string>{"kb-1", "kb-2"}));
}

TEST_P(KnowledgeConformance, ListBreaksTiesOfUpdateTimeByNewestId) {
  for (const char* id : {"a", "b", "c"}) Add(admin_, id, kT0);
  EXPECT_EQ(ListedExternalIds(admin_, {}), (std::vector<std::string>{"c", "b", "a"}));
}

// --- Delete, votes and views ---------------------------------------------------------------------

TEST_P(KnowledgeConformance, DeleteThenGetIsNotFound) {
  const KnowledgeArticle article = Add(admin_, "kb-1", kT0);
  ASSERT_TRUE(knowledge().Delete(Scope(admin_), article.id).ok());
  EXPECT_EQ(knowledge().Get(Scope(admin_), article.id).status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(knowledge().Delete(Scope(admin_), article.id).code(), ErrorCode::kNotFound);
  EXPECT_EQ(Total(admin_), 0);
}

TEST_P(KnowledgeConformance, VotesCountHelpfulAndUnhelpfulSeparatelyAndAreNotEdits) {
  const KnowledgeArticle article = Add(admin_, "kb-1", kT0);
  ASSERT_TRUE(knowledge().Vote(Scope(admin_), article.id, true).ok());
  auto voted = knowledge().Vote(Scope(admin_), article.id, false);
  ASSERT_TRUE(voted.ok()) << Describe(voted);
  EXPECT_EQ(voted->helpful_votes, 1);
  EXPECT_EQ(voted->unhelpful_votes, 1);
  EXPECT_EQ(voted->views, 0);
  EXPECT_EQ(voted->updated_at, article.updated_at);
}

TEST_P(KnowledgeConformance, RecordViewCountsOneViewAndIsNotAnEdit) {
  const KnowledgeArticle article = Add(admin_, "kb-1", kT0);
  ASSERT_TRUE(knowledge().RecordView(Scope(admin_), article.id).ok());
  auto viewed = knowledge().RecordView(Scope(admin_), article.id);
  ASSERT_TRUE(viewed.ok()) << Describe(viewed);
  EXPECT_EQ(viewed->views, 2);
  EXPECT_EQ(viewed->helpful_votes, 0);
  EXPECT_EQ(viewed->updated_at, article.updated_at);
}

TEST_P(KnowledgeConformance, ConcurrentVotesAreAllCounted) {
  const KnowledgeArticle article = Add(admin_, "kb-1", kT0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 100; ++i) {
        auto voted = knowledge().Vote(Scope(admin_), article.id, t % 2 == 0);
        EXPECT_TRUE(voted.ok()) << Describe(voted);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  const KnowledgeArticle stored = Get(admin_, article.id);
  EXPECT_EQ(stored.helpful_votes, 400);
  EXPECT_EQ(stored.unhelpful_votes, 400);
}

TEST_P(KnowledgeConformance, ConcurrentViewsAreAllCounted) {
  const KnowledgeArticle article = Add(admin_, "kb-1", kT0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 100; ++i) {
        auto viewed = knowledge().RecordView(Scope(admin_), article.id);
        EXPECT_TRUE(viewed.ok()) << Describe(viewed);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(Get(admin_, article.id).views, 800);
}

TEST_P(KnowledgeConformance, VotesCastDuringReimportsAreKept) {
  const KnowledgeArticle article = Add(admin_, "kb-1", kT0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 100; ++i) {
        EXPECT_TRUE(knowledge().Vote(Scope(admin_), article.id, true).ok());
      }
    });
  }
  threads.emplace_back([&] {
    for (int i = 0; i < 100; ++i) {
      KnowledgeArticle again = MinimalArticle(kT0 + i);
      again.external_id = "kb-1";
      EXPECT_TRUE(knowledge().UpsertMany(Scope(admin_), {again}).ok());
    }
  });
  for (auto& thread : threads) thread.join();
  const KnowledgeArticle stored = Get(admin_, article.id);
  EXPECT_EQ(stored.helpful_votes, 400);
  EXPECT_EQ(Total(admin_), 1);
}


INSTANTIATE_TEST_SUITE_P(Adapters, KnowledgeConformance, ::testing::ValuesIn(test::kStorageUris), test::AdapterName);

}  // namespace
}  // namespace selfservice

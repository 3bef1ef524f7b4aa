// The browsing and trending functions of the storage ports (KnowledgeRepository::ListTagged,
// CategoryCounts, TagCounts, TitlesContaining; AnalyticsRepository::TopSearches), run against
// every storage adapter.

#include <cmath>
#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "selfservice/repository.hpp"
#include "storage/storage_test_support.hpp"

namespace selfservice {
namespace {

using test::CustomerAdmin;
using test::Describe;
using test::PlatformAdmin;
using test::User;

constexpr std::int64_t kT0 = 1'700'000'000'000;
constexpr std::int64_t kHour = 3600LL * 1000;
constexpr auto kPublished = PublicationStatus::published;


using Counts = std::vector<std::pair<std::string, std::int64_t>>;

Counts Pairs(const std::vector<LabelCount>& counts) {
  Counts out;
  for (const auto& count : counts) out.emplace_back(count.label, count.count);
  return out;
}

class SearchStorage : public test::AdapterTest {
 protected:
  // Stores one article of `who`'s tenant; its id.
  std::int64_t Add(const RequestContext& who, std::string title, std::optional<std::string> category,
                   std::vector<std::string> tags, ArticleLang lang = ArticleLang::en,
                   PublicationStatus status = kPublished) {
    KnowledgeArticle v;
    v.title = std::move(title);
    v.body = "body";
    v.category = std::move(category);
    v.tags = std::move(tags);
    v.lang = lang;
    v.status = status;
    v.updated_at = Timestamp{kT0 + static_cast<std::int64_t>(++added_)};
    auto outcomes = store_->knowledge().UpsertMany(Scope(who), {v});
    EXPECT_TRUE(outcomes.ok()) << Describe(outcomes);
    return outcomes.ok() ? outcomes->front().article.id : 0;
  }

  // One search event of `who`, made at `millis`.
  void Searched(const RequestContext& who, std::optional<std::string> keywords, std::int64_t millis,
                std::optional<std::string> target = "results:3", ActionType action = ActionType::search) {
    BehaviorEvent e;
    e.tenant_id = who.tenant_id;
    e.customer_id = who.customer_id;
    e.user_id = who.user_id;
    e.page_path = "/search";
    e.action_type = action;
    e.search_keywords = std::move(keywords);
    e.action_target = std::move(target);
    e.created_at = Timestamp{millis};
    ASSERT_TRUE(store_->analytics().Append(Scope(who), {e}).ok());
  }

  std::vector<std::string> Titles(const RequestContext& who, std::string_view fragment,
                                  std::optional<ArticleLang> lang = std::nullopt, int limit = 10) {
    auto titles = store_->knowledge().TitlesContaining(Scope(who), fragment, lang, kPublished, limit);
    EXPECT_TRUE(titles.ok()) << Describe(titles);
    return titles.ok() ? titles.value() : std::vector<std::string>{};
  }

  std::vector<SearchTrend> Top(const RequestContext& who, TrendQuery query) {
    auto top = store_->analytics().TopSearches(Scope(who), query);
    EXPECT_TRUE(top.ok()) << Describe(top);
    return top.ok() ? top.value() : std::vector<SearchTrend>{};
  }

  static std::vector<std::string> Keywords(const std::vector<SearchTrend>& trends) {
    std::vector<std::string> out;
    for (const auto& trend : trends) out.push_back(trend.keywords);
    return out;
  }

  // A week up to kT0 + 10 h, half-life one day.
  static TrendQuery Week() {
    TrendQuery query;
    query.now = Timestamp{kT0 + 10 * kHour};
    query.since = Timestamp{query.now.millis - 7 * 24 * kHour};
    query.half_life_millis = 24 * kHour;
    return query;
  }

  int added_ = 0;
  const RequestContext admin_ = CustomerAdmin(1, 10, 100);
  const RequestContext user_ = User(1, 10, 101);
  const RequestContext neighbour_ = User(1, 20, 200);
  const RequestContext other_tenant_ = CustomerAdmin(2, 10, 100);
};

// --- ListTagged ----------------------------------------------------------------------------------

TEST_P(SearchStorage, ListTaggedFindsArticlesCarryingEveryTagNewestFirst) {
  const std::int64_t a = Add(admin_, "a", "c", {"nginx", "启动"});
  const std::int64_t b = Add(admin_, "b", "c", {"nginx", "启动", "extra"});
  Add(admin_, "c", "c", {"nginx"});
  Add(other_tenant_, "d", "c", {"nginx", "启动"});
  auto page =
      store_->knowledge().ListTagged(Scope(user_), {"启动", "nginx", "nginx"}, {}, PageRequest{1, 10});
  ASSERT_TRUE(page.ok()) << Describe(page);
  ASSERT_EQ(page->items.size(), 2u);
  EXPECT_EQ(page->items[0].id, b);
  EXPECT_EQ(page->items[1].id, a);
  EXPECT_EQ(page->total, 2);
}

TEST_P(SearchStorage, ListTaggedAppliesTheFilterAndThePage) {
  Add(admin_, "zh", "c", {"t"}, ArticleLang::zh);
  const std::int64_t en1 = Add(admin_, "en1", "c", {"t"});
  Add(admin_, "draft", "c", {"t"}, ArticleLang::en, PublicationStatus::draft);
  const std::int64_t en2 = Add(admin_, "en2", "other", {"t"});
  KnowledgeFilter filter{ArticleLang::en, std::nullopt, kPublished};
  auto first = store_->knowledge().ListTagged(Scope(user_), {"t"}, filter, PageRequest{1, 1});
  auto second = store_->knowledge().ListTagged(Scope(user_), {"t"}, filter, PageRequest{2, 1});
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(first->total, 2);
  ASSERT_EQ(first->items.size(), 1u);
  ASSERT_EQ(second->items.size(), 1u);
  EXPECT_EQ(first->items[0].id, en2);
  EXPECT_EQ(second->items[0].id, en1);
  auto category = store_->knowledge().ListTagged(
      Scope(user_), {"t"}, KnowledgeFilter{std::nullopt, "other", std::nullopt}, PageRequest{1, 10});
  ASSERT_TRUE(category.ok());
  EXPECT_EQ(category->total, 1);
}

// --- CategoryCounts and TagCounts ----------------------------------------------------------------

TEST_P(SearchStorage, CategoryCountsCountArticlesOfTheStatusMostFirstThenByName) {
  Add(admin_, "1", "网络", {});
  Add(admin_, "2", "Network", {});
  Add(admin_, "3", "Network", {});
  Add(admin_, "4", "Apps", {});
  Add(admin_, "5", std::nullopt, {});
  Add(admin_, "6", "Drafts", {}, ArticleLang::en, PublicationStatus::draft);
  Add(admin_, "7", "网络", {}, ArticleLang::zh);
  Add(other_tenant_, "8", "Elsewhere", {});
  auto counts = store_->knowledge().CategoryCounts(Scope(user_), std::nullopt, kPublished);
  ASSERT_TRUE(counts.ok()) << Describe(counts);
  EXPECT_EQ(Pairs(*counts), (Counts{{"Network", 2}, {"网络", 2}, {"Apps", 1}}));
  auto zh = store_->knowledge().CategoryCounts(Scope(user_), ArticleLang::zh, kPublished);
  ASSERT_TRUE(zh.ok());
  EXPECT_EQ(Pairs(*zh), (Counts{{"网络", 1}}));
  auto drafts = store_->knowledge().CategoryCounts(Scope(user_), std::nullopt, PublicationStatus::draft);
  ASSERT_TRUE(drafts.ok());
  EXPECT_EQ(Pairs(*drafts), (Counts{{"Drafts", 1}}));
}

TEST_P(SearchStorage, TagCountsCountEachArticleOncePerTagUpToTheLimit) {
  Add(admin_, "1", "c", {"vpn", "vpn", "网络"});
  Add(admin_, "2", "c", {"vpn", "wifi"});
  Add(admin_, "3", "c", {"wifi", "dns"});
  Add(admin_, "4", "c", {"vpn"}, ArticleLang::en, PublicationStatus::archived);
  Add(other_tenant_, "5", "c", {"vpn"});
  auto counts = store_->knowledge().TagCounts(Scope(user_), std::nullopt, kPublished, 3);
  ASSERT_TRUE(counts.ok()) << Describe(counts);
  EXPECT_EQ(Pairs(*counts), (Counts{{"vpn", 2}, {"wifi", 2}, {"dns", 1}}));
  auto other = store_->knowledge().TagCounts(Scope(CustomerAdmin(3, 1, 1)), std::nullopt, kPublished, 50);
  ASSERT_TRUE(other.ok());
  EXPECT_TRUE(other->empty());
}

// --- TitlesContaining ----------------------------------------------------------------------------

TEST_P(SearchStorage, TitlesStartingWithTheFragmentComeFirstThenTheMostViewed) {
  const std::int64_t viewed = Add(admin_, "Restart NGINX", "c", {});
  Add(admin_, "nginx fails to start", "c", {});
  Add(admin_, "Nginx logs", "c", {});
  Add(admin_, "Nginx logs", "c", {}, ArticleLang::zh);  // the same title once
  Add(admin_, "Nginx draft", "c", {}, ArticleLang::en, PublicationStatus::draft);
  Add(admin_, "Apache", "c", {});
  Add(other_tenant_, "nginx elsewhere", "c", {});
  ASSERT_TRUE(store_->knowledge().RecordView(Scope(user_), viewed).ok());
  ASSERT_TRUE(store_->knowledge().RecordView(Scope(user_), viewed).ok());
  EXPECT_EQ(Titles(user_, "NGinx"),
            (std::vector<std::string>{"Nginx logs", "nginx fails to start", "Restart NGINX"}));
  EXPECT_EQ(Titles(user_, "nginx", std::nullopt, 2),
            (std::vector<std::string>{"Nginx logs", "nginx fails to start"}));
  EXPECT_EQ(Titles(user_, "nginx", ArticleLang::zh), (std::vector<std::string>{"Nginx logs"}));
  EXPECT_TRUE(Titles(user_, "100%").empty());
}

TEST_P(SearchStorage, TitlesMatchChineseText) {
  Add(admin_, "服务器连不上怎么办", "c", {}, ArticleLang::zh);
  Add(admin_, "Nginx 起不来", "c", {}, ArticleLang::zh);
  EXPECT_EQ(Titles(user_, "服务器"), (std::vector<std::string>{"服务器连不上怎么办"}));
  EXPECT_EQ(Titles(user_, "起不"), (std::vector<std::string>{"Nginx 起不来"}));
}

TEST_P(SearchStorage, TitlesMatchAFragmentInsideAWord) {
  Add(admin_, "Restart nginx", "c", {});
  Add(admin_, "Search engine tuning", "c", {});
  Add(admin_, "Apache", "c", {});
  EXPECT_EQ(Titles(user_, "ngin"), (std::vector<std::string>{"Restart nginx", "Search engine tuning"}));
  EXPECT_EQ(Titles(user_, "x"), (std::vector<std::string>{"Restart nginx"}));
}

TEST_P(SearchStorage, TitlesMatchASingleChineseCharacterAndTwoCharacters) {
  Add(admin_, "配置文件在哪里", "c", {}, ArticleLang::zh);
  Add(admin_, "网络配置", "c", {}, ArticleLang::zh);
  Add(admin_, "重启网络", "c", {}, ArticleLang::zh);
  EXPECT_EQ(Titles(user_, "配置"), (std::vector<std::string>{"配置文件在哪里", "网络配置"}));
  EXPECT_EQ(Titles(user_, "配"), (std::vector<std::string>{"配置文件在哪里", "网络配置"}));
  EXPECT_EQ(Titles(user_, "网"), (std::vector<std::string>{"网络配置", "重启网络"}));
  EXPECT_TRUE(Titles(user_, "钉").empty());
}

TEST_P(SearchStorage, TitlesIgnoreTheCaseOfAsciiLettersOnly) {
  Add(admin_, "ÉCOLE Wifi", "c", {});
  EXPECT_EQ(Titles(user_, "wIFI"), (std::vector<std::string>{"ÉCOLE Wifi"}));
  EXPECT_TRUE(Titles(user_, "école").empty());
  EXPECT_EQ(Titles(user_, "ÉcOLE"), (std::vector<std::string>{"ÉCOLE Wifi"}));
}

TEST_P(SearchStorage, TitlesTakeQuotesAndQuerySyntaxLiterally) {
  Add(admin_, R"(Say "hello" to the NEAR(a b) OR * ^ printer)", "c", {});
  Add(admin_, "hello world", "c", {});
  EXPECT_EQ(Titles(user_, R"("hello")"),
            (std::vector<std::string>{R"(Say "hello" to the NEAR(a b) OR * ^ printer)"}));
  EXPECT_EQ(Titles(user_, "NEAR(a b) OR *"),
            (std::vector<std::string>{R"(Say "hello" to the NEAR(a b) OR * ^ printer)"}));
  EXPECT_EQ(Titles(user_, "^"), (std::vector<std::string>{R"(Say "hello" to the NEAR(a b) OR * ^ printer)"}));
  EXPECT_TRUE(Titles(user_, "hello OR printer").empty());
}

TEST_P(SearchStorage, TitlesFollowEditsStatusChangesAndDeletes) {
  const std::int64_t id = Add(admin_, "Old printer title", "c", {});
  Add(admin_, "Another printer", "c", {});
  KnowledgeArticle edited = store_->knowledge().Get(Scope(admin_), id).value();
  edited.title = "Renamed scanner title";
  ASSERT_TRUE(store_->knowledge().UpsertMany(Scope(admin_), {edited}).ok());
  EXPECT_EQ(Titles(user_, "printer"), (std::vector<std::string>{"Another printer"}));
  EXPECT_EQ(Titles(user_, "scanner"), (std::vector<std::string>{"Renamed scanner title"}));
  edited.status = PublicationStatus::archived;
  ASSERT_TRUE(store_->knowledge().UpsertMany(Scope(admin_), {edited}).ok());
  EXPECT_TRUE(Titles(user_, "scanner").empty());
  edited.status = kPublished;
  edited.lang = ArticleLang::zh;
  ASSERT_TRUE(store_->knowledge().UpsertMany(Scope(admin_), {edited}).ok());
  EXPECT_TRUE(Titles(user_, "scanner", ArticleLang::en).empty());
  EXPECT_EQ(Titles(user_, "scanner", ArticleLang::zh), (std::vector<std::string>{"Renamed scanner title"}));
  ASSERT_TRUE(store_->knowledge().Delete(Scope(admin_), id).ok());
  EXPECT_TRUE(Titles(user_, "scanner").empty());
}

TEST_P(SearchStorage, TitlesOfAnotherTenantOrStatusAreNotCompletions) {
  Add(other_tenant_, "Printer of tenant two", "c", {});
  Add(admin_, "Printer draft", "c", {}, ArticleLang::en, PublicationStatus::draft);
  EXPECT_TRUE(Titles(user_, "printer").empty());
  auto drafts = store_->knowledge().TitlesContaining(Scope(user_), "printer", std::nullopt,
                                                     PublicationStatus::draft, 10);
  ASSERT_TRUE(drafts.ok());
  EXPECT_EQ(*drafts, (std::vector<std::string>{"Printer draft"}));
}

// Enough titles contain the fragment that they are found walking the titles most viewed first,
// rather than read from the title index: the order must be the same.
TEST_P(SearchStorage, ManyTitlesContainingTheFragmentAreRankedTheSameWay) {
  std::vector<KnowledgeArticle> articles;
  for (int i = 0; i < 1500; ++i) {
    KnowledgeArticle v;
    v.title = "Guide " + std::to_string(10000 + i) + " for the printer";
    v.body = "body";
    v.lang = ArticleLang::en;
    v.updated_at = Timestamp{kT0};
    articles.push_back(std::move(v));
  }
  auto stored = store_->knowledge().UpsertMany(Scope(admin_), std::move(articles));
  ASSERT_TRUE(stored.ok()) << Describe(stored);
  const std::int64_t viewed = (*stored)[700].article.id;
  ASSERT_TRUE(store_->knowledge().RecordView(Scope(user_), viewed).ok());
  Add(admin_, "Printer basics", "c", {});
  EXPECT_EQ(Titles(user_, "printer", std::nullopt, 4),
            (std::vector<std::string>{"Printer basics", "Guide 10700 for the printer",
                                      "Guide 10000 for the printer", "Guide 10001 for the printer"}));
  EXPECT_EQ(Titles(user_, "guide 1070", std::nullopt, 3),
            (std::vector<std::string>{"Guide 10700 for the printer", "Guide 10701 for the printer",
                                      "Guide 10702 for the printer"}));
}

// Thousands of articles share a few titles (imports of copies): the walk cannot find enough
// distinct titles and the candidates are read instead; each title still comes once.
TEST_P(SearchStorage, ManyArticlesWithFewTitlesGiveEachTitleOnce) {
  std::vector<KnowledgeArticle> articles;
  for (int i = 0; i < 4000; ++i) {
    KnowledgeArticle v;
    v.title = i % 3 == 0   ? "Fix the printer"
              : i % 3 == 1 ? "Reset a printer"
                           : "Unrelated " + std::to_string(i);
    v.body = "body";
    v.lang = ArticleLang::en;
    v.updated_at = Timestamp{kT0};
    articles.push_back(std::move(v));
  }
  ASSERT_TRUE(store_->knowledge().UpsertMany(Scope(admin_), std::move(articles)).ok());
  EXPECT_EQ(Titles(user_, "printer"), (std::vector<std::string>{"Fix the printer", "Reset a printer"}));
}

// --- TopSearches ---------------------------------------------------------------------------------

TEST_P(SearchStorage, TopSearchesWeighEverySearchByItsAge) {
  const TrendQuery week = Week();
  Searched(user_, "vpn", week.now.millis);
  Searched(user_, "vpn", week.now.millis - 24 * kHour);
  Searched(user_, "wifi", week.now.millis - 12 * kHour);
  Searched(user_, "wifi", week.now.millis - 12 * kHour);
  Searched(user_, "wifi", week.now.millis - 12 * kHour);
  const auto top = Top(user_, week);
  ASSERT_EQ(top.size(), 2u);
  EXPECT_EQ(top[0].keywords, "wifi");
  EXPECT_NEAR(top[0].weight, 3 * std::sqrt(0.5), 1e-9);
  EXPECT_EQ(top[0].count, 3);
  EXPECT_EQ(top[1].keywords, "vpn");
  EXPECT_NEAR(top[1].weight, 1.5, 1e-9);
  EXPECT_EQ(top[1].count, 2);
}

TEST_P(SearchStorage, TopSearchesReadOnlyTheWindow) {
  const TrendQuery week = Week();
  Searched(user_, "at start", week.since.millis);
  Searched(user_, "before", week.since.millis - 1);
  Searched(user_, "at now", week.now.millis);
  Searched(user_, "future", week.now.millis + 1);
  EXPECT_EQ(Keywords(Top(user_, week)), (std::vector<std::string>{"at now", "at start"}));
}

TEST_P(SearchStorage, TopSearchesGroupNormalisedKeywords) {
  const TrendQuery week = Week();
  Searched(user_, "  VPN\t Timeout ", week.now.millis);
  Searched(user_, "vpn timeout", week.now.millis);
  Searched(user_, "vpn\xE3\x80\x80timeout", week.now.millis);
  Searched(user_, "  ", week.now.millis);
  const auto top = Top(user_, week);
  ASSERT_EQ(top.size(), 1u);
  EXPECT_EQ(top[0].keywords, "vpn timeout");
  EXPECT_EQ(top[0].count, 3);
}

TEST_P(SearchStorage, TopSearchesSkipSearchesThatFoundNothingAndOtherEvents) {
  const TrendQuery week = Week();
  Searched(user_, "nothing", week.now.millis, "results:0");
  Searched(user_, "tracked", week.now.millis, std::nullopt);
  Searched(user_, "clicked", week.now.millis, "results:3", ActionType::click);
  Searched(user_, std::nullopt, week.now.millis);
  EXPECT_EQ(Keywords(Top(user_, week)), (std::vector<std::string>{"tracked"}));
}

TEST_P(SearchStorage, TopSearchesFilterByPrefixAndLimit) {
  const TrendQuery week = Week();
  for (int i = 0; i < 3; ++i) Searched(user_, "VPN  keeps dropping", week.now.millis);
  for (int i = 0; i < 2; ++i) Searched(user_, "vpn slow", week.now.millis);
  Searched(user_, "my vpn", week.now.millis);
  TrendQuery prefixed = week;
  prefixed.prefix = "vpn k";
  EXPECT_EQ(Keywords(Top(user_, prefixed)), (std::vector<std::string>{"vpn keeps dropping"}));
  prefixed.prefix = "vpn";
  EXPECT_EQ(Keywords(Top(user_, prefixed)), (std::vector<std::string>{"vpn keeps dropping", "vpn slow"}));
  prefixed.limit = 1;
  EXPECT_EQ(Keywords(Top(user_, prefixed)), (std::vector<std::string>{"vpn keeps dropping"}));
}

TEST_P(SearchStorage, TopSearchesWithAPrefixFindKeywordsTypedWithLeadingSpaceOrOtherCase) {
  const TrendQuery week = Week();
  Searched(user_, "  VPN\tkeeps dropping", week.now.millis);
  Searched(user_, "\xE3\x80\x80vpn keeps dropping", week.now.millis);
  Searched(user_, "Vpn keeps dropping", week.now.millis);
  Searched(user_, "vpnkeeps", week.now.millis);
  Searched(user_, "wifi vpn keeps", week.now.millis);
  TrendQuery prefixed = week;
  prefixed.prefix = "vpn keeps";
  const auto top = Top(user_, prefixed);
  ASSERT_EQ(top.size(), 1u);
  EXPECT_EQ(top[0].keywords, "vpn keeps dropping");
  EXPECT_EQ(top[0].count, 3);
  prefixed.prefix = "配置";
  Searched(user_, "配置 nginx", week.now.millis);
  Searched(user_, "配", week.now.millis);
  EXPECT_EQ(Keywords(Top(user_, prefixed)), (std::vector<std::string>{"配置 nginx"}));
}

TEST_P(SearchStorage, TopSearchesOfOneCustomerAreHiddenFromOtherCustomers) {
  const TrendQuery week = Week();
  Searched(user_, "invoice 4711", week.now.millis);
  EXPECT_EQ(Keywords(Top(admin_, week)), (std::vector<std::string>{"invoice 4711"}));  // the same customer
  EXPECT_TRUE(Top(neighbour_, week).empty());
  EXPECT_EQ(Keywords(Top(PlatformAdmin(1, 1, 1), week)), (std::vector<std::string>{"invoice 4711"}));
  Searched(neighbour_, "Invoice 4711", week.now.millis);
  EXPECT_EQ(Keywords(Top(User(1, 30, 300), week)), (std::vector<std::string>{"invoice 4711"}));
}

TEST_P(SearchStorage, TopSearchesStayInTheirTenant) {
  const TrendQuery week = Week();
  Searched(user_, "vpn", week.now.millis);
  Searched(neighbour_, "vpn", week.now.millis);
  EXPECT_TRUE(Top(PlatformAdmin(2, 1, 1), week).empty());
}

// Searches are counted per hour since the epoch (created_at / 3,600,000): those of one hour weigh
// as if all were made at their mean time, those of different hours each by their own age.
TEST_P(SearchStorage, TopSearchesWeighTheSearchesOfOneHourByTheirMeanTime) {
  TrendQuery query = Week();
  query.half_life_millis = kHour;
  const std::int64_t hour = (query.now.millis / kHour - 2) * kHour;  // two hours before now's
  Searched(user_, "vpn", hour);
  Searched(user_, "vpn", hour + kHour - 1);
  Searched(user_, "vpn", hour + 3 * kHour / 4);
  Searched(user_, "wifi", hour);
  Searched(user_, "wifi", hour + kHour);  // the next hour
  const auto top = Top(user_, query);
  ASSERT_EQ(top.size(), 2u);
  const double vpn_mean = static_cast<double>(hour) + (0.0 + (kHour - 1) + 3 * kHour / 4) / 3;
  EXPECT_EQ(top[0].keywords, "vpn");
  EXPECT_NEAR(top[0].weight, 3 * std::exp2(-(static_cast<double>(query.now.millis) - vpn_mean) / kHour), 1e-12);
  EXPECT_EQ(top[0].count, 3);
  EXPECT_EQ(top[1].keywords, "wifi");
  EXPECT_NEAR(top[1].weight,
              std::exp2(-static_cast<double>(query.now.millis - hour) / kHour) +
                  std::exp2(-static_cast<double>(query.now.millis - hour - kHour) / kHour),
              1e-12);
  EXPECT_EQ(top[1].count, 2);
}

// The window's ends fall inside hours (Week() ends 13 min 20 s into one); the searches of such an
// hour are taken one by one, so only those in the window count, each weighed by its own age.
TEST_P(SearchStorage, TopSearchesCountExactlyTheSearchesOfAnHourCutByTheWindow) {
  const TrendQuery week = Week();
  ASSERT_NE(week.since.millis % kHour, 0);
  Searched(user_, "vpn", week.since.millis - 1);
  Searched(user_, "vpn", week.since.millis);
  Searched(user_, "vpn", week.since.millis + 60 * 1000);
  Searched(user_, "vpn", week.now.millis - 60 * 1000);
  Searched(user_, "vpn", week.now.millis + 1);
  const auto top = Top(user_, week);
  ASSERT_EQ(top.size(), 1u);
  EXPECT_EQ(top[0].count, 3);
  const auto weight = [&](std::int64_t at) {
    return std::exp2(-static_cast<double>(week.now.millis - at) / static_cast<double>(week.half_life_millis));
  };
  EXPECT_NEAR(top[0].weight, weight(week.since.millis) + weight(week.since.millis + 60 * 1000) +
                                 weight(week.now.millis - 60 * 1000), 1e-12);
}

TEST_P(SearchStorage, TopSearchesCountOnlyTheCustomersWhoSearchedInTheWindow) {
  const TrendQuery week = Week();
  Searched(neighbour_, "invoice 4711", week.since.millis - 1);  // the same hour, before the window
  Searched(user_, "invoice 4711", week.since.millis + 1);
  EXPECT_TRUE(Top(User(1, 30, 300), week).empty());
  EXPECT_TRUE(Top(neighbour_, week).empty());
  EXPECT_EQ(Keywords(Top(admin_, week)), (std::vector<std::string>{"invoice 4711"}));
  Searched(neighbour_, "invoice 4711", week.now.millis - 2 * kHour);
  EXPECT_EQ(Keywords(Top(User(1, 30, 300), week)), (std::vector<std::string>{"invoice 4711"}));
}

TEST_P(SearchStorage, TopSearchesCountEveryEventOfABatch) {
  const TrendQuery week = Week();
  std::vector<BehaviorEvent> events;
  for (int i = 0; i < 120; ++i) {
    BehaviorEvent e;
    e.tenant_id = 1;
    e.customer_id = 10 + i % 2 * 10;
    e.user_id = 101;
    e.page_path = "/search";
    e.action_type = ActionType::search;
    e.search_keywords = i % 3 == 0 ? "VPN" : "vpn";
    e.action_target = i % 4 == 0 ? "results:0" : "results:2";
    e.created_at = Timestamp{week.now.millis - i * kHour};
    events.push_back(std::move(e));
  }
  ASSERT_TRUE(store_->analytics().Append(Scope(admin_), events).ok());
  const auto top = Top(User(1, 30, 300), week);
  ASSERT_EQ(top.size(), 1u);
  EXPECT_EQ(top[0].keywords, "vpn");
  EXPECT_EQ(top[0].count, 90);
}

// --- TopSearches by the keyword scores (migration 10) ----------------------------------------------
// Half-lives of 24 h and 7 days are answered from the running scores, weighing only the keywords
// that can still enter; any other half-life scans every row of the window. Both must agree.

// search.suggestions' lookup: 30 days up to kT0 + 10 h 13 min, half-life 7 days.
TrendQuery Month(std::string prefix = "") {
  TrendQuery query;
  query.now = Timestamp{kT0 + 10 * kHour + 13 * 60 * 1000};
  query.since = Timestamp{query.now.millis - 30 * 24 * kHour};
  query.half_life_millis = 7 * 24 * kHour;
  query.prefix = std::move(prefix);
  return query;
}

TEST_P(SearchStorage, TopSearchesOverAMonthWeighEverySearchByItsAge) {
  TrendQuery month = Month("vpn");
  const std::int64_t now = month.now.millis;
  for (int i = 0; i < 4; ++i) Searched(user_, "VPN", now - 21 * 24 * kHour);        // 4 × 1/8
  Searched(neighbour_, "vpn slow", now - 60 * 1000);                                // 1 × ~1
  Searched(user_, "vpn slow", now - 7 * 24 * kHour);                                // 1 × 1/2
  for (int i = 0; i < 100; ++i) Searched(user_, "vpn old", month.since.millis - 1);  // before the window
  Searched(user_, "vpn later", now + 1);                                            // after it
  Searched(user_, "wifi", now);                                                     // another prefix
  const auto weight = [&](std::int64_t at) {
    return std::exp2(-static_cast<double>(now - at) / static_cast<double>(month.half_life_millis));
  };
  const auto top = Top(admin_, month);
  ASSERT_EQ(Keywords(top), (std::vector<std::string>{"vpn slow", "vpn"}));
  EXPECT_NEAR(top[0].weight, weight(now - 60 * 1000) + 0.5, 1e-9);
  EXPECT_EQ(top[0].count, 2);
  EXPECT_NEAR(top[1].weight, 0.5, 1e-9);
  EXPECT_EQ(top[1].count, 4);
  month.limit = 1;
  EXPECT_EQ(Keywords(Top(admin_, month)), (std::vector<std::string>{"vpn slow"}));
  // "vpn" was searched by one customer only: hidden from another.
  month.limit = 10;
  EXPECT_EQ(Keywords(Top(User(1, 30, 300), month)), (std::vector<std::string>{"vpn slow"}));
}

// Keywords searched very often long ago have the greatest scores; they must neither be answered
// for the searches of the window nor keep lighter keywords out of it.
TEST_P(SearchStorage, TopSearchesAreNotMisledByKeywordsPopularBeforeTheWindow) {
  // search.trending's default (no prefix: the keywords in order of score) and search.suggestions'.
  const TrendQuery week = Week();
  const TrendQuery month = Month("m ");
  for (const auto& [query, tag, age] : {std::tuple{week, std::string("w "), 10 * 24 * kHour},
                                        std::tuple{month, std::string("m "), 35 * 24 * kHour}}) {
    const std::int64_t now = query.now.millis;
    std::vector<BehaviorEvent> events;
    for (int i = 0; i < 3000; ++i) {
      BehaviorEvent e = test::MinimalEvent(i % 2 == 0 ? user_ : neighbour_, now - age + i);
      e.action_type = ActionType::search;
      e.search_keywords = tag + (i < 1500 ? "old favourite" : "gone");
      e.action_target = "results:1";
      events.push_back(std::move(e));
    }
    ASSERT_TRUE(store_->analytics().Append(Scope(admin_), events).ok());
    Searched(user_, tag + "old favourite", now);
    Searched(user_, tag + "new", now);
    Searched(user_, tag + "new", now);
    Searched(neighbour_, tag + "new", now);
  }
  for (const auto& [base, tag] : {std::pair{week, std::string("w ")}, std::pair{month, std::string("m ")}}) {
    TrendQuery query = base;
    query.limit = 1;
    EXPECT_EQ(Keywords(Top(admin_, query)), (std::vector<std::string>{tag + "new"}));
    query.limit = 10;
    const auto top = Top(admin_, query);
    ASSERT_EQ(Keywords(top), (std::vector<std::string>{tag + "new", tag + "old favourite"}));
    EXPECT_EQ(top[0].count, 3);
    EXPECT_EQ(top[1].count, 1);
    EXPECT_NEAR(top[1].weight, 1.0, 1e-9);
  }
}

TEST_P(SearchStorage, TopSearchesByScoreStayInTheirTenant) {
  const TrendQuery week = Week();
  const RequestContext other_user = User(2, 10, 101);
  for (int i = 0; i < 10; ++i) Searched(other_user, "vpn", week.now.millis - i);
  Searched(User(2, 20, 200), "vpn", week.now.millis);
  Searched(User(2, 20, 200), "wifi", week.now.millis);
  Searched(user_, "wifi", week.now.millis);
  Searched(user_, "wifi", week.now.millis);
  Searched(user_, "vpn", week.now.millis);
  for (const TrendQuery& base : {week, Month()}) {
    for (const std::string prefix : {"", "v"}) {
      TrendQuery query = base;
      query.prefix = prefix;
      const auto top = Top(admin_, query);
      const auto expected = prefix.empty() ? std::vector<std::string>{"wifi", "vpn"} : std::vector<std::string>{"vpn"};
      ASSERT_EQ(Keywords(top), expected) << prefix;
      EXPECT_EQ(top.back().count, 1);  // tenant 2's eleven searches of "vpn" are not counted
      EXPECT_TRUE(Top(PlatformAdmin(3, 1, 1), query).empty());
      // Tenant 2's "wifi", searched by two of its customers, is not one of tenant 1's.
      EXPECT_EQ(Keywords(Top(User(1, 30, 300), query)), std::vector<std::string>{}) << prefix;
    }
  }
}

TEST_P(SearchStorage, TopSearchesAnswerNothingForEmptyOrInvertedRequests) {
  const TrendQuery week = Week();
  Searched(user_, "vpn", week.now.millis);
  Searched(neighbour_, "vpn", week.now.millis);
  for (TrendQuery query : {week, Month()}) {
    query.limit = 0;
    EXPECT_TRUE(Top(admin_, query).empty());
    query.limit = -5;
    EXPECT_TRUE(Top(admin_, query).empty());
    query.limit = 10;
    std::swap(query.since, query.now);
    EXPECT_TRUE(Top(admin_, query).empty());
    query.since = query.now = week.now;  // a window of one instant, when the searches were made
    EXPECT_EQ(Keywords(Top(admin_, query)), (std::vector<std::string>{"vpn"}));
    for (const std::string prefix : {"\xFF\xFF", "%", "_", "vpn\xFF", "vpn '; DROP TABLE search_counts; --"}) {
      query.prefix = prefix;
      EXPECT_TRUE(Top(admin_, query).empty()) << prefix;
    }
  }
  TrendQuery odd = week;
  odd.half_life_millis = 0;  // taken as 1 ms: only searches made at `now` weigh anything
  EXPECT_EQ(Keywords(Top(admin_, odd)), (std::vector<std::string>{"vpn"}));
  odd.half_life_millis = -kHour;
  EXPECT_EQ(Keywords(Top(admin_, odd)), (std::vector<std::string>{"vpn"}));
}

// Random searches over 40 days (written out of order, some before and after the window, in
// several tenants, some keywords by one customer only): the scored answers equal those of a scan of
// every row (a half-life one millisecond longer, which has no score column), weights within what
// that millisecond, and for 7 days the day rows, change.
TEST_P(SearchStorage, TopSearchesByScoreAgreeWithAFullScan) {
  std::uint64_t state = 12345;
  const auto next = [&](std::uint64_t bound) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (state >> 33) % bound;
  };
  const TrendQuery month = Month();
  const char* const words[] = {"vpn", "wifi", "vpn slow", "printer", "vpn drops", "mail", "配置", "login"};
  std::vector<BehaviorEvent> events;
  for (int i = 0; i < 3000; ++i) {
    const int tenant = next(10) == 0 ? 2 : 1;
    const std::int64_t customer = 10 + static_cast<std::int64_t>(next(4)) * 10;
    const std::uint64_t rank = next(8) * next(8) / 8;  // some keywords more often than others
    BehaviorEvent e = test::MinimalEvent(User(tenant, customer, customer * 10),
                                         month.now.millis + 2 * 24 * kHour -
                                             static_cast<std::int64_t>(next(40ULL * 24 * kHour)));
    e.action_type = ActionType::search;
    e.search_keywords = std::string(words[rank]) + (next(3) == 0 ? " " + std::to_string(next(40)) : "");
    e.action_target = next(20) == 0 ? "results:0" : "results:1";
    events.push_back(std::move(e));
  }
  for (const std::int64_t tenant : {1, 2}) {
    std::vector<BehaviorEvent> batch;
    for (const auto& e : events) {
      if (e.tenant_id != tenant) continue;
      batch.push_back(e);
      if (batch.size() == 100) {
        ASSERT_TRUE(store_->analytics().Append(Scope(PlatformAdmin(tenant, 1, 1)), batch).ok());
        batch.clear();
      }
    }
    ASSERT_TRUE(store_->analytics().Append(Scope(PlatformAdmin(tenant, 1, 1)), batch).ok());
  }
  TrendQuery week = Week();
  week.now = month.now;
  week.since = Timestamp{month.now.millis - 7 * 24 * kHour};
  for (const TrendQuery& base : {week, month}) {
    const double tolerance = base.half_life_millis == week.half_life_millis ? 1e-6 : 2.5e-3;
    for (const std::string prefix : {"", "v", "vpn ", "配", "zzz"}) {
      for (const RequestContext& who : {admin_, user_, User(1, 30, 300), PlatformAdmin(2, 1, 1)}) {
        TrendQuery scored = base;
        scored.prefix = prefix;
        scored.limit = 1000;
        TrendQuery scanned = scored;
        scanned.half_life_millis += 1;
        const auto all = Top(who, scored);
        const auto reference = Top(who, scanned);
        ASSERT_EQ(all.size(), reference.size()) << prefix;
        std::map<std::string, const SearchTrend*> by_keywords;
        for (const auto& trend : reference) by_keywords[trend.keywords] = &trend;
        for (const auto& trend : all) {
          ASSERT_TRUE(by_keywords.contains(trend.keywords)) << trend.keywords;
          EXPECT_EQ(trend.count, by_keywords[trend.keywords]->count) << trend.keywords;
          EXPECT_NEAR(trend.weight, by_keywords[trend.keywords]->weight, tolerance * trend.weight) << trend.keywords;
        }
        for (int limit : {1, 3}) {
          scored.limit = limit;
          const auto top = Top(who, scored);
          ASSERT_EQ(top.size(), std::min<std::size_t>(static_cast<std::size_t>(limit), all.size()));
          for (std::size_t i = 0; i < top.size(); ++i) {
            EXPECT_EQ(top[i].keywords, all[i].keywords) << prefix << " " << limit;
            EXPECT_EQ(top[i].weight, all[i].weight);
          }
          if (tolerance < 1e-5) {
            for (std::size_t i = 0; i < top.size(); ++i) EXPECT_EQ(top[i].keywords, reference[i].keywords);
          }
        }
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Adapters, SearchStorage, ::testing::ValuesIn(test::kStorageUris), test::AdapterName);

}  // namespace
}  // namespace selfservice

// search.category, search.tags, search.suggestions, search.trending and knowledge.recommendations
// through the API: what they find, that customers see published articles of their own tenant only,
// the time decay of trending queries, and bad input.

#include <cmath>
#include <set>
#include <string>
#include <vector>

#include "harness.hpp"

namespace selfservice::test {
namespace {

constexpr std::int64_t kHour = 3600LL * 1000;

class SearchMethodsTest : public PortalTest {
 protected:
  void SetUp() override {
    PortalTest::SetUp();
    nginx_zh_ = Upsert("zh-1", "Nginx 起不来怎么办", "zh", "服务器", {"nginx", "启动"});
    network_zh_ = Upsert("zh-2", "服务器连不上怎么办", "zh", "网络", {"网络", "连接"});
    nginx_en_ = Upsert("en-1", "Nginx fails to start", "en", "Servers", {"nginx", "startup"});
    wifi_en_ = Upsert("en-2", "WiFi keeps dropping", "en", "Network", {"wifi", "network"});
    vpn_en_ = Upsert("en-3", "VPN connection refused", "en", "Network", {"vpn", "network"});
    restart_en_ = Upsert("en-4", "Restart nginx after a configuration change", "en", "Servers", {"nginx"});
    draft_ = Upsert("en-5", "Nginx secret draft", "en", "Servers", {"nginx", "startup"}, "draft");
  }

  // Stores one article as the customer administrator, a minute after the one before; its id.
  std::int64_t Upsert(std::string external_id, std::string title, std::string lang, std::string category,
                      std::vector<std::string> tags, std::string status = "published",
                      const Caller& admin = CustomerAdmin()) {
    clock_->Advance(60'000);
    json::array tag_array;
    for (auto& tag : tags) tag_array.emplace_back(tag);
    const json::object answer = Call("knowledge.upsert", admin,
                                     json::object{{"external_id", external_id},
                                                  {"title", title},
                                                  {"body", title + " — " + title},
                                                  {"lang", lang},
                                                  {"category", category},
                                                  {"tags", std::move(tag_array)},
                                                  {"status", status}});
    EXPECT_TRUE(IsSuccess(answer)) << answer;
    return IsSuccess(answer) ? answer.at("data").at("id").as_int64() : 0;
  }

  // Searches as `caller` through search.query, which records the search.
  void Search(std::string_view q, const Caller& caller = User()) {
    ASSERT_TRUE(IsSuccess(Call("search.query", caller, json::object{{"q", q}})));
  }

  json::object Data(std::string_view method, const json::object& request, const Caller& caller = User()) {
    const json::object answer = Call(method, caller, request);
    EXPECT_TRUE(IsSuccess(answer)) << method << " " << answer;
    return IsSuccess(answer) ? answer.at("data").as_object() : json::object{};
  }

  static std::vector<std::int64_t> Ids(const json::value& items) {
    std::vector<std::int64_t> ids;
    for (const auto& item : items.as_array()) ids.push_back(item.at("id").as_int64());
    return ids;
  }

  static std::vector<std::string> Strings(const json::value& items) {
    std::vector<std::string> out;
    for (const auto& item : items.as_array()) out.emplace_back(item.as_string());
    return out;
  }

  // [(label, count)] of a counts array whose label member is `label`.
  static std::vector<std::pair<std::string, std::int64_t>> Counts(const json::value& counts,
                                                                  std::string_view label) {
    std::vector<std::pair<std::string, std::int64_t>> out;
    for (const auto& entry : counts.as_array()) {
      out.emplace_back(std::string(entry.at(label).as_string()), entry.at("count").as_int64());
    }
    return out;
  }

  // The keywords search.trending answers, heaviest first.
  std::vector<std::string> TrendingKeywords(const json::object& request = {}, const Caller& caller = User()) {
    std::vector<std::string> out;
    const json::object data = Data("search.trending", request, caller);
    for (const auto& item : data.at("items").as_array()) {
      out.emplace_back(item.at("keywords").as_string());
    }
    return out;
  }

  std::int64_t nginx_zh_ = 0, network_zh_ = 0, nginx_en_ = 0, wifi_en_ = 0, vpn_en_ = 0, restart_en_ = 0,
               draft_ = 0;
};

// --- search.category -----------------------------------------------------------------------------

TEST_F(SearchMethodsTest, CategoryListsItsPublishedArticlesNewestFirst) {
  const json::object answer = Call("search.category", User(), json::object{{"category", "Servers"}});
  ASSERT_TRUE(IsSuccess(answer));
  const json::object& data = answer.at("data").as_object();
  EXPECT_EQ(data.at("category"), "Servers");
  EXPECT_EQ(Ids(data.at("items")), (std::vector<std::int64_t>{restart_en_, nginx_en_}));
  EXPECT_EQ(answer.at("pagination").at("total"), 2);
  // The item format of knowledge.list.
  const json::object listed = Call("knowledge.list", User(), json::object{{"category", "Servers"}});
  ASSERT_TRUE(IsSuccess(listed));
  EXPECT_EQ(data.at("items"), listed.at("data"));
}

TEST_F(SearchMethodsTest, CategoryCountsPublishedArticlesPerCategoryMostFirst) {
  const json::object data = Data("search.category", {});
  EXPECT_EQ(data.at("category"), nullptr);
  EXPECT_TRUE(data.at("items").as_array().empty());
  EXPECT_EQ(Counts(data.at("categories"), "category"),
            (std::vector<std::pair<std::string, std::int64_t>>{
                {"Network", 2}, {"Servers", 2}, {"服务器", 1}, {"网络", 1}}));
}

TEST_F(SearchMethodsTest, CategoryCountsFollowTheLanguage) {
  const json::object data = Data("search.category", json::object{{"lang", "zh"}, {"category", "Servers"}});
  EXPECT_TRUE(data.at("items").as_array().empty());
  EXPECT_EQ(Counts(data.at("categories"), "category"),
            (std::vector<std::pair<std::string, std::int64_t>>{{"服务器", 1}, {"网络", 1}}));
}

TEST_F(SearchMethodsTest, CategoryPaginates) {
  const json::object answer =
      Call("search.category", User(), json::object{{"category", "Network"}, {"page", 2}, {"size", 1}});
  ASSERT_TRUE(IsSuccess(answer));
  EXPECT_EQ(Ids(answer.at("data").at("items")), (std::vector<std::int64_t>{wifi_en_}));
  EXPECT_EQ(answer.at("pagination").at("total"), 2);
  EXPECT_EQ(answer.at("pagination").at("pages"), 2);
}

// --- search.tags ---------------------------------------------------------------------------------

TEST_F(SearchMethodsTest, TagsFindPublishedArticlesCarryingEveryTag) {
  const json::object nginx = Data("search.tags", json::object{{"tags", json::array{"nginx"}}});
  EXPECT_EQ(Ids(nginx.at("items")), (std::vector<std::int64_t>{restart_en_, nginx_en_, nginx_zh_}));
  const json::object both = Data("search.tags", json::object{{"tags", json::array{"nginx", "startup"}}});
  EXPECT_EQ(Ids(both.at("items")), (std::vector<std::int64_t>{nginx_en_}));
  EXPECT_EQ(both.at("tags"), (json::array{"nginx", "startup"}));
  const json::object zh = Data("search.tags", json::object{{"tags", json::array{"nginx"}}, {"lang", "zh"}});
  EXPECT_EQ(Ids(zh.at("items")), (std::vector<std::int64_t>{nginx_zh_}));
  EXPECT_TRUE(Data("search.tags", json::object{{"tags", json::array{"nginx", "wifi"}}})
                  .at("items")
                  .as_array()
                  .empty());
}

TEST_F(SearchMethodsTest, TagCountsCountPublishedArticlesMostFirst) {
  const json::object data = Data("search.tags", json::object{{"tags", json::array{"vpn"}}});
  const auto counts = Counts(data.at("tag_counts"), "tag");
  ASSERT_GE(counts.size(), 3u);
  EXPECT_EQ(counts[0], (std::pair<std::string, std::int64_t>{"nginx", 3}));  // the draft is not counted
  EXPECT_EQ(counts[1], (std::pair<std::string, std::int64_t>{"network", 2}));
  EXPECT_EQ(counts.size(), 8u);  // nginx network startup vpn wifi 启动 网络 连接
}

TEST_F(SearchMethodsTest, TagsPaginate) {
  const json::object answer =
      Call("search.tags", User(), json::object{{"tags", json::array{"nginx"}}, {"page", 2}, {"size", 2}});
  ASSERT_TRUE(IsSuccess(answer));
  EXPECT_EQ(Ids(answer.at("data").at("items")), (std::vector<std::int64_t>{nginx_zh_}));
  EXPECT_EQ(answer.at("pagination").at("total"), 3);
}

TEST_F(SearchMethodsTest, TagsRefuseNoneTooManyBlankAndLongTags) {
  EXPECT_TRUE(HasFieldError(Call("search.tags", User(), json::object{{"tags", json::array{}}}), "tags",
                            "FIELD_REQUIRED"));
  json::array eleven;
  for (int i = 0; i < 11; ++i) eleven.emplace_back("t" + std::to_string(i));
  EXPECT_TRUE(
      HasFieldError(Call("search.tags", User(), json::object{{"tags", eleven}}), "tags", "FIELD_TOO_LONG"));
  const json::object answer =
      Call("search.tags", User(), json::object{{"tags", json::array{"ok", " ", std::string(101, 'x')}}});
  ASSERT_TRUE(IsError(answer, 10001));
  EXPECT_TRUE(HasFieldError(answer, "tags[1]", "FIELD_REQUIRED"));
  EXPECT_TRUE(HasFieldError(answer, "tags[2]", "FIELD_TOO_LONG"));
  EXPECT_TRUE(HasFieldError(Call("search.tags", User(), json::object{{"tags", json::array{1}}}), "tags",
                            "FIELD_INVALID"));
}

// --- search.suggestions --------------------------------------------------------------------------

TEST_F(SearchMethodsTest, SuggestionsOfferTitlesStartingWithThePrefixFirstThenTheMostViewed) {
  // Two views make the Chinese article the most viewed of those starting with "nginx".
  for (int i = 0; i < 2; ++i)
    ASSERT_TRUE(IsSuccess(Call("knowledge.get", User(), json::object{{"id", nginx_zh_}})));
  const json::object data = Data("search.suggestions", json::object{{"prefix", "NGINX"}});
  EXPECT_EQ(Strings(data.at("items")),
            (std::vector<std::string>{"Nginx 起不来怎么办", "Nginx fails to start",
                                      "Restart nginx after a configuration change"}));
}

TEST_F(SearchMethodsTest, SuggestionsMatchChineseTitles) {
  EXPECT_EQ(Strings(Data("search.suggestions", json::object{{"prefix", "服务器"}}).at("items")),
            (std::vector<std::string>{"服务器连不上怎么办"}));
  EXPECT_EQ(Strings(Data("search.suggestions", json::object{{"prefix", "起不来"}}).at("items")),
            (std::vector<std::string>{"Nginx 起不来怎么办"}));
}

TEST_F(SearchMethodsTest, SuggestionsCompleteAPartialWordOrASingleChineseCharacter) {
  EXPECT_EQ(Strings(Data("search.suggestions", json::object{{"prefix", "ngin"}}).at("items")),
            (std::vector<std::string>{"Nginx fails to start", "Nginx 起不来怎么办",
                                      "Restart nginx after a configuration change"}));
  EXPECT_EQ(Strings(Data("search.suggestions", json::object{{"prefix", "服"}}).at("items")),
            (std::vector<std::string>{"服务器连不上怎么办"}));
  EXPECT_EQ(Strings(Data("search.suggestions", json::object{{"prefix", "器"}}).at("items")),
            (std::vector<std::string>{"服务器连不上怎么办"}));
}

TEST_F(SearchMethodsTest, SuggestionsFollowTheLanguage) {
  EXPECT_EQ(
      Strings(Data("search.suggestions", json::object{{"prefix", "nginx"}, {"lang", "zh"}}).at("items")),
      (std::vector<std::string>{"Nginx 起不来怎么办"}));
}

TEST_F(SearchMethodsTest, SuggestionsAddPopularPastQueriesAfterTitlesWithoutRepeating) {
  Search("vpn keeps timing out");
  Search("VPN  keeps timing out ", User(1, 20, 200));
  Search("vpn connection refused");  // the same as a title
  Search("vpn slow");
  const json::object data = Data("search.suggestions", json::object{{"prefix", "vpn"}});
  EXPECT_EQ(Strings(data.at("items")),
            (std::vector<std::string>{"VPN connection refused", "vpn keeps timing out", "vpn slow"}));
}

TEST_F(SearchMethodsTest, SuggestionsAreAtMostTen) {
  for (int i = 0; i < 12; ++i)
    Upsert("many-" + std::to_string(i), "Printer issue " + std::to_string(i), "en", "Print", {});
  EXPECT_EQ(Data("search.suggestions", json::object{{"prefix", "printer"}}).at("items").as_array().size(),
            10u);
}

TEST_F(SearchMethodsTest, SuggestionsRefuseABlankOrLongPrefix) {
  EXPECT_TRUE(HasFieldError(Call("search.suggestions", User(), json::object{{"prefix", "  "}}), "prefix",
                            "FIELD_REQUIRED"));
  EXPECT_TRUE(
      HasFieldError(Call("search.suggestions", User(), json::object{{"prefix", std::string(101, 'a')}}),
                    "prefix", "FIELD_TOO_LONG"));
}

// --- search.trending -----------------------------------------------------------------------------

TEST_F(SearchMethodsTest, TrendingWeighsSearchesByTheirAge) {
  for (int i = 0; i < 3; ++i) Search("nginx");
  clock_->Advance(72 * kHour);
  for (int i = 0; i < 2; ++i) Search("wifi");
  const json::object data = Data("search.trending", {});
  EXPECT_EQ(data.at("window_hours"), 168);
  EXPECT_EQ(data.at("half_life_hours"), 24);
  const json::array& items = data.at("items").as_array();
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[0].at("keywords"), "wifi");
  EXPECT_DOUBLE_EQ(items[0].at("weight").as_double(), 2.0);
  EXPECT_EQ(items[0].at("count"), 2);
  EXPECT_EQ(items[1].at("keywords"), "nginx");
  EXPECT_NEAR(items[1].at("weight").as_double(), 3 * 0.125, 1e-3);  // three half-lives old
  EXPECT_EQ(items[1].at("count"), 3);
  // With a month's half-life the older, more frequent query leads.
  EXPECT_EQ(TrendingKeywords(json::object{{"half_life_hours", 720}}),
            (std::vector<std::string>{"nginx", "wifi"}));
}

TEST_F(SearchMethodsTest, TrendingLooksOnlyAtTheWindow) {
  Search("nginx");
  clock_->Advance(8 * 24 * kHour);
  Search("wifi");
  EXPECT_EQ(TrendingKeywords(), (std::vector<std::string>{"wifi"}));
  EXPECT_EQ(TrendingKeywords(json::object{{"window_hours", 9 * 24}}),
            (std::vector<std::string>{"wifi", "nginx"}));
}

TEST_F(SearchMethodsTest, TrendingCountsOneQueryHoweverItWasTyped) {
  Search("  VPN   Connection ");
  Search("vpn connection");
  Search("vpn\u3000connection");
  const json::array items = Data("search.trending", {}).at("items").as_array();
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].at("keywords"), "vpn connection");
  EXPECT_EQ(items[0].at("count"), 3);
}

TEST_F(SearchMethodsTest, TrendingLeavesOutSearchesThatFoundNothing) {
  Search("qqqzzz");
  Search("nginx");
  EXPECT_EQ(TrendingKeywords(), (std::vector<std::string>{"nginx"}));
}

TEST_F(SearchMethodsTest, TrendingAnswersAtMostSize) {
  for (const char* q : {"nginx", "wifi", "vpn"}) Search(q);
  EXPECT_EQ(TrendingKeywords(json::object{{"size", 2}}).size(), 2u);
}

TEST_F(SearchMethodsTest, TrendingShowsAQueryOfOneCustomerOnlyToThatCustomer) {
  Search("nginx 12345", User(1, 10, 100));
  EXPECT_EQ(TrendingKeywords({}, User(1, 10, 101)), (std::vector<std::string>{"nginx 12345"}));
  EXPECT_TRUE(TrendingKeywords({}, User(1, 20, 200)).empty());
  EXPECT_EQ(TrendingKeywords({}, PlatformAdmin()), (std::vector<std::string>{"nginx 12345"}));
  Search("nginx 12345", User(1, 20, 200));
  EXPECT_EQ(TrendingKeywords({}, User(1, 30, 300)), (std::vector<std::string>{"nginx 12345"}));
}

TEST_F(SearchMethodsTest, TrendingRefusesWindowsOutOfRange) {
  for (const auto& [field, value] :
       {std::pair("window_hours", 0), std::pair("window_hours", 2161), std::pair("half_life_hours", 0),
        std::pair("half_life_hours", 721), std::pair("size", 0), std::pair("size", 51)}) {
    EXPECT_TRUE(
        HasFieldError(Call("search.trending", User(), json::object{{field, value}}), field, "OUT_OF_RANGE"))
        << field << "=" << value;
  }
}

// --- search.query ranking -----------------------------------------------------------------------

TEST_F(SearchMethodsTest, QueryReportsATooLargePageTogetherWithTheOtherBadFields) {
  const json::object answer = Call("search.query", User(), json::object{{"q", ""}, {"size", 51}});
  EXPECT_TRUE(HasFieldError(answer, "q", "FIELD_REQUIRED")) << json::serialize(answer);
  EXPECT_TRUE(HasFieldError(answer, "size", "OUT_OF_RANGE")) << json::serialize(answer);
}

TEST_F(SearchMethodsTest, QueryHitsCarryASnippetWithTheMatchedTermsMarked) {
  const json::object answer = Call("search.query", User(), json::object{{"q", "nginx"}, {"lang", "en"}});
  const json::array& hits = answer.at("data").at("hits").as_array();
  ASSERT_FALSE(hits.empty()) << json::serialize(answer);
  EXPECT_NE(hits[0].at("snippet").as_string().find("<mark>"), json::string::npos) << json::serialize(hits[0]);
}


TEST_F(SearchMethodsTest, QueryRanksAnArticleWithTheQueryWordsSideBySideFirst) {
  const std::string filler = " alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron ";
  const auto store = [&](std::string external_id, std::string title, std::string body) {
    const json::object answer = Call("knowledge.upsert", CustomerAdmin(),
                                     json::object{{"external_id", external_id},
                                                  {"title", title},
                                                  {"body", body},
                                                  {"lang", "en"},
                                                  {"status", "published"}});
    EXPECT_TRUE(IsSuccess(answer)) << answer;
    return IsSuccess(answer) ? answer.at("data").at("id").as_int64() : 0;
  };
  // The same words as often, in articles of the same length; only their distance differs.
  const std::int64_t apart = store("far", "Notes one", "quantum" + filler + "flux");
  const std::int64_t together = store("near", "Notes two", "quantum flux" + filler);
  const json::object data = Data("search.query", json::object{{"q", "quantum flux"}, {"lang", "en"}});
  EXPECT_EQ(Ids(data.at("hits")), (std::vector<std::int64_t>{together, apart}));
}

// --- knowledge.recommendations ------------------------------------------------------------------

TEST_F(SearchMethodsTest, RecommendationsForAnArticleAreOthersInItsLanguage) {
  const json::object data = Data("knowledge.recommendations", json::object{{"article_id", nginx_en_}});
  const std::vector<std::int64_t> ids = Ids(data.at("items"));
  ASSERT_FALSE(ids.empty());
  EXPECT_EQ(ids.front(), restart_en_);
  for (const auto& item : data.at("items").as_array()) {
    EXPECT_NE(item.at("id"), nginx_en_);
    EXPECT_EQ(item.at("lang"), "en");
  }
}

TEST_F(SearchMethodsTest, RecommendationsForAQueryAreItsBestHitsInTheHitFormat) {
  const std::int64_t events = StoredEvents();
  const json::object data = Data("knowledge.recommendations", json::object{{"q", "nginx"}, {"size", 2}});
  ASSERT_EQ(data.at("items").as_array().size(), 2u);
  const json::object query = Data("search.query", json::object{{"q", "nginx"}, {"size", 2}});
  EXPECT_EQ(data.at("items"), query.at("hits"));
  EXPECT_EQ(StoredEvents(), events + 1);  // search.query's own event; recommendations record none
}

TEST_F(SearchMethodsTest, RecommendationsOfAnUnpublishedArticleAreForAdministrators) {
  EXPECT_TRUE(
      IsError(Call("knowledge.recommendations", User(), json::object{{"article_id", draft_}}), 10004));
  EXPECT_TRUE(
      IsSuccess(Call("knowledge.recommendations", CustomerAdmin(), json::object{{"article_id", draft_}})));
  EXPECT_TRUE(
      IsError(Call("knowledge.recommendations", User(), json::object{{"article_id", 999999}}), 10004));
}

TEST_F(SearchMethodsTest, RecommendationsTakeArticleIdOrQButNotBoth) {
  EXPECT_TRUE(HasFieldError(
      Call("knowledge.recommendations", User(), json::object{{"article_id", nginx_en_}, {"q", "nginx"}}), "q",
      "FIELD_INVALID"));
  EXPECT_TRUE(
      HasFieldError(Call("knowledge.recommendations", User(), json::object{{"q", "nginx"}, {"size", 21}}),
                    "size", "OUT_OF_RANGE"));
  EXPECT_TRUE(HasFieldError(Call("knowledge.recommendations", User(), json::object{{"q", " "}}), "q",
                            "FIELD_REQUIRED"));
}

// --- Drafts and tenants --------------------------------------------------------------------------

TEST_F(SearchMethodsTest, DraftsNeverAppear) {
  const auto has_draft = [&](const json::value& items) {
    for (const auto& item : items.as_array()) {
      if (item.is_object() && item.at("id") == draft_) return true;
      if (item.is_string() && item.as_string() == "Nginx secret draft") return true;
    }
    return false;
  };
  for (const Caller& caller : {User(), CustomerAdmin(), PlatformAdmin()}) {
    EXPECT_FALSE(
        has_draft(Data("search.category", json::object{{"category", "Servers"}}, caller).at("items")));
    EXPECT_FALSE(
        has_draft(Data("search.tags", json::object{{"tags", json::array{"startup"}}}, caller).at("items")));
    EXPECT_FALSE(
        has_draft(Data("search.suggestions", json::object{{"prefix", "nginx secret"}}, caller).at("items")));
    EXPECT_FALSE(has_draft(
        Data("knowledge.recommendations", json::object{{"q", "nginx secret draft"}}, caller).at("items")));
    EXPECT_FALSE(has_draft(
        Data("knowledge.recommendations", json::object{{"article_id", nginx_en_}}, caller).at("items")));
  }
}

TEST_F(SearchMethodsTest, AnotherTenantSeesNothingOfTheseArticlesAndSearches) {
  for (const char* q : {"nginx", "wifi"}) {
    Search(q, User(1, 10, 100));
    Search(q, User(1, 20, 200));
  }
  const Caller other = User(2, 10, 100);
  const json::object category = Data("search.category", json::object{{"category", "Servers"}}, other);
  EXPECT_TRUE(category.at("items").as_array().empty());
  EXPECT_TRUE(category.at("categories").as_array().empty());
  const json::object tags = Data("search.tags", json::object{{"tags", json::array{"nginx"}}}, other);
  EXPECT_TRUE(tags.at("items").as_array().empty());
  EXPECT_TRUE(tags.at("tag_counts").as_array().empty());
  EXPECT_TRUE(
      Data("search.suggestions", json::object{{"prefix", "n"}}, other).at("items").as_array().empty());
  EXPECT_TRUE(Data("search.trending", {}, other).at("items").as_array().empty());
  EXPECT_TRUE(TrendingKeywords({}, PlatformAdmin(2, 1, 1)).empty());
  EXPECT_TRUE(
      Data("knowledge.recommendations", json::object{{"q", "nginx"}}, other).at("items").as_array().empty());
  EXPECT_TRUE(
      IsError(Call("knowledge.recommendations", other, json::object{{"article_id", nginx_en_}}), 10004));
}

}  // namespace
}  // namespace selfservice::test

namespace selfservice::test {
namespace {

TEST_F(SearchMethodsTest, OpeningAResultFromASearchRecordsAClickWithItsKeywords) {
  ASSERT_TRUE(IsSuccess(Call("search.query", User(), json::object{{"q", "nginx"}, {"lang", "en"}})));
  const json::object opened =
      Call("knowledge.get", User(), json::object{{"id", nginx_en_}, {"from_search", "nginx"}});
  ASSERT_TRUE(IsSuccess(opened)) << opened;
  RequestContext context;
  context.tenant_id = 1;
  context.customer_id = 10;
  context.user_id = 100;
  BehaviorFilter clicks;
  clicks.action_type = ActionType::click;
  auto page = portal_->store().analytics().List(Scope(context), clicks, PageRequest{1, 10});
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->items.size(), 1u);
  EXPECT_EQ(page->items[0].search_keywords, "nginx");
  EXPECT_EQ(page->items[0].action_target, "article:" + std::to_string(nginx_en_));
}

TEST_F(SearchMethodsTest, OpeningAnArticleDirectlyRecordsNoClick) {
  ASSERT_TRUE(IsSuccess(Call("knowledge.get", User(), json::object{{"id", nginx_en_}})));
  RequestContext context;
  context.tenant_id = 1;
  context.customer_id = 10;
  context.user_id = 100;
  BehaviorFilter clicks;
  clicks.action_type = ActionType::click;
  auto page = portal_->store().analytics().List(Scope(context), clicks, PageRequest{1, 10});
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->total, 0);
}

TEST_F(SearchMethodsTest, AFromSearchThatIsNotAStringIsRefusedAndNothingIsRecorded) {
  const json::object answer = Call("knowledge.get", User(), json::object{{"id", nginx_en_}, {"from_search", 7}});
  ASSERT_TRUE(IsError(answer, 10001));
  EXPECT_TRUE(HasFieldError(answer, "from_search", "FIELD_INVALID"));
}

}  // namespace
}  // namespace selfservice::test

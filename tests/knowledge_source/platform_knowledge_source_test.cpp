// The REQ-005 adapter against a stand-in platform on 127.0.0.1: requests on the wire, the reading
// of the unified envelope and its articles, paging by cursor, and error mapping.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include <boost/json/parse.hpp>

#include "knowledge_source/platform_knowledge_json.hpp"
#include "selfservice/circuit_breaker.hpp"
#include "selfservice/knowledge_source.hpp"
#include "support/callers.hpp"
#include "support/fake_http_server.hpp"

namespace selfservice {
namespace {

using test::Describe;
using test::FakeHttpServer;
using test::RecordedRequest;
using test::Reply;

constexpr const char* kToken = "s3cr3t-token-value";

std::string Envelope(const std::string& data, int page = 1, int size = 20, int total = -1, int pages = 1) {
  std::string out = R"({"code":200,"message":"success","timestamp":"2025-08-15T10:00:00Z","data":)" + data;
  if (total >= 0) {
    out += R"(,"pagination":{"page":)" + std::to_string(page) + R"(,"size":)" + std::to_string(size) +
           R"(,"total":)" + std::to_string(total) + R"(,"pages":)" + std::to_string(pages) + "}";
  }
  return out + "}";
}

std::string Article(const std::string& id, const std::string& updated_at, const std::string& title = "T") {
  return R"({"id":)" + id + R"(,"title":")" + title + R"(","content":"body","lang":"en","updated_at":")" +
         updated_at + R"("})";
}

class PlatformKnowledgeSourceTest : public ::testing::Test {
 protected:
  std::unique_ptr<KnowledgeSource> Source(std::string url, std::int64_t timeout_ms = 1000) {
    PlatformKnowledgeOptions options;
    options.base_url = std::move(url);
    options.api_token = kToken;
    options.timeout_ms = timeout_ms;
    auto source = CreatePlatformKnowledgeSource(options);
    EXPECT_TRUE(source.ok()) << Describe(source);
    return std::move(source).value();
  }
  std::unique_ptr<KnowledgeSource> Source() { return Source(server_.url() + "/"); }

  Scope scope_{test::PlatformAdmin(7, 1, 1)};
  FakeHttpServer server_;
};

TEST_F(PlatformKnowledgeSourceTest, ChangesAsksTheSearchEndpointWithTenantTokenAndPaging) {
  server_.AlwaysReply({200, Envelope("[]", 1, 50, 0, 0)});
  auto batch = Source()->Changes(scope_, "2025-08-15T10:00:00.000Z", 50);
  ASSERT_TRUE(batch.ok()) << Describe(batch);
  const std::vector<RecordedRequest> requests = server_.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "GET");
  EXPECT_EQ(requests[0].target,
            "/api/v1/knowledge/search?sort=updated_at&order=asc&page=1&size=50"
            "&updated_since=2025-08-15T10%3A00%3A00.000Z");
  EXPECT_EQ(requests[0].header("x-tenant-id"), "7");
  EXPECT_EQ(requests[0].header("authorization"), std::string("Bearer ") + kToken);
}

TEST_F(PlatformKnowledgeSourceTest, AFirstPullHasNoUpdatedSince) {
  server_.AlwaysReply({200, Envelope("[]")});
  ASSERT_TRUE(Source()->Changes(scope_, std::nullopt, 10).ok());
  EXPECT_EQ(server_.requests()[0].target.find("updated_since"), std::string::npos);
}

TEST_F(PlatformKnowledgeSourceTest, MapsEveryArticleField) {
  server_.AlwaysReply({200, Envelope(R"({"items":[{"id":1001,"title":"服务器连接故障排查指南",
      "content":"先检查网络连接","category":"网络故障","tags":["网络","服务器"],"lang":"zh-CN",
      "url":"/knowledge/1001","status":"published","updated_at":"2025-08-15T18:00:00+08:00",
      "author":{"name":"ignored"},"views":99}]})")});
  auto batch = Source()->Changes(scope_, std::nullopt, 10);
  ASSERT_TRUE(batch.ok()) << Describe(batch);
  ASSERT_EQ(batch->articles.size(), 1u);
  const KnowledgeArticle& article = batch->articles[0];
  EXPECT_EQ(article.tenant_id, 7);
  EXPECT_EQ(article.id, 0);
  EXPECT_EQ(article.external_id, "1001");
  EXPECT_EQ(article.title, "服务器连接故障排查指南");
  EXPECT_EQ(article.body, "先检查网络连接");
  EXPECT_EQ(article.category, "网络故障");
  EXPECT_EQ(article.tags, (std::vector<std::string>{"网络", "服务器"}));
  EXPECT_EQ(article.lang, ArticleLang::zh);
  EXPECT_EQ(article.url, "/knowledge/1001");
  EXPECT_EQ(article.status, PublicationStatus::published);
  EXPECT_EQ(article.source, "req-005");
  EXPECT_EQ(article.views, 0);  // the platform's counters are its own
  EXPECT_EQ(FormatTimestamp(article.updated_at), "2025-08-15T10:00:00.000Z");
  EXPECT_TRUE(batch->errors.empty());
}

TEST_F(PlatformKnowledgeSourceTest, BodyFallsBackToBodyAndLanguageToTheScript) {
  server_.AlwaysReply({200, Envelope(R"([
      {"id":"a","title":"Nginx fails to start","body":"check the port","updated_at":"2025-08-15T10:00:00Z"},
      {"id":"b","title":"nginx 起不来","updated_at":"2025-08-15T10:00:00Z"}])")});
  auto batch = Source()->Changes(scope_, std::nullopt, 10);
  ASSERT_TRUE(batch.ok()) << Describe(batch);
  ASSERT_EQ(batch->articles.size(), 2u);
  EXPECT_EQ(batch->articles[0].body, "check the port");
  EXPECT_EQ(batch->articles[0].lang, ArticleLang::en);
  EXPECT_EQ(batch->articles[1].body, "");
  EXPECT_EQ(batch->articles[1].lang, ArticleLang::zh);
}

TEST_F(PlatformKnowledgeSourceTest, ABadItemIsReportedAndTheOthersAreKept) {
  server_.AlwaysReply({200, Envelope("[" + Article("1", "2025-08-15T10:00:00Z") + R"(,
      {"id":"2","title":"no time"},
      {"id":"3","title":42,"updated_at":"2025-08-15T10:00:01Z"},
      {"id":"4","title":"t","tags":"not-a-list","updated_at":"2025-08-15T10:00:01Z"},
      {"id":"5","title":"t","lang":"fr","updated_at":"2025-08-15T10:00:01Z"},
      {"title":"no id","updated_at":"2025-08-15T10:00:01Z"},
      "not an object",
      )" + Article("6", "2025-08-15T10:00:02Z") +
                                     "]")});
  auto batch = Source()->Changes(scope_, std::nullopt, 10);
  ASSERT_TRUE(batch.ok()) << Describe(batch);
  ASSERT_EQ(batch->articles.size(), 2u);
  EXPECT_EQ(batch->articles[0].external_id, "1");
  EXPECT_EQ(batch->articles[1].external_id, "6");
  ASSERT_EQ(batch->errors.size(), 6u);
  EXPECT_EQ(batch->errors[0].external_id, "2");
  EXPECT_NE(batch->errors[0].reason.find("updated_at"), std::string::npos);
  EXPECT_EQ(batch->errors[1].external_id, "3");
  EXPECT_EQ(batch->errors[4].external_id, "");
}

TEST_F(PlatformKnowledgeSourceTest, DeletedItemsAreDeletions) {
  server_.AlwaysReply({200, Envelope(R"([{"id":"9","deleted":true,"updated_at":"2025-08-15T10:00:00Z"},
      {"id":10,"status":"deleted"}])")});
  auto batch = Source()->Changes(scope_, std::nullopt, 10);
  ASSERT_TRUE(batch.ok()) << Describe(batch);
  EXPECT_TRUE(batch->articles.empty());
  EXPECT_EQ(batch->deleted, (std::vector<std::string>{"9", "10"}));
}

TEST_F(PlatformKnowledgeSourceTest, PagesThroughChangesWithCursors) {
  // Three changes, two per page; the feed honours updated_since (inclusive) and the page number.
  const std::vector<std::pair<std::string, std::string>> feed = {{"1", "2025-08-15T10:00:00.000Z"},
                                                                 {"2", "2025-08-15T10:00:01.000Z"},
                                                                 {"3", "2025-08-15T10:00:02.000Z"}};
  server_.SetHandler([feed](const RecordedRequest& request) {
    const std::size_t at = request.target.find("updated_since=");
    const std::string since =
        at == std::string::npos ? "" : request.target.substr(at + 14, 28);  // encoded ISO time
    std::vector<std::string> items;
    for (const auto& [id, time] : feed) {
      std::string encoded = time;
      for (std::size_t colon = encoded.find(':'); colon != std::string::npos; colon = encoded.find(':'))
        encoded.replace(colon, 1, "%3A");
      if (encoded >= since) items.push_back(Article(id, time));
    }
    const int page = request.target.find("page=2") != std::string::npos ? 2 : 1;
    const std::size_t first = static_cast<std::size_t>(page - 1) * 2;
    std::string data = "[";
    for (std::size_t i = first; i < std::min(items.size(), first + 2); ++i)
      data += (i > first ? "," : "") + items[i];
    const int total = static_cast<int>(items.size());
    return Reply{200, Envelope(data + "]", page, 2, total, (total + 1) / 2)};
  });
  auto source = Source();
  auto first = source->Changes(scope_, std::nullopt, 2);
  ASSERT_TRUE(first.ok()) << Describe(first);
  ASSERT_EQ(first->articles.size(), 2u);
  EXPECT_TRUE(first->more);
  EXPECT_EQ(first->next_cursor, "2025-08-15T10:00:01.000Z");

  auto second = source->Changes(scope_, first->next_cursor, 2);
  ASSERT_TRUE(second.ok()) << Describe(second);
  ASSERT_EQ(second->articles.size(), 2u);  // "2" again (same millisecond, inclusive), then "3"
  EXPECT_EQ(second->articles[1].external_id, "3");
  EXPECT_FALSE(second->more);
  EXPECT_EQ(second->next_cursor, "2025-08-15T10:00:02.000Z");
}

TEST_F(PlatformKnowledgeSourceTest, APageThatSharesTheCursorsTimeMovesThePageOn) {
  server_.AlwaysReply({200, Envelope("[" + Article("1", "2025-08-15T10:00:00Z") + "," +
                                         Article("2", "2025-08-15T10:00:00Z") + "]",
                                     1, 2, 5, 3)});
  auto batch = Source()->Changes(scope_, "2025-08-15T10:00:00.000Z", 2);
  ASSERT_TRUE(batch.ok()) << Describe(batch);
  EXPECT_TRUE(batch->more);
  EXPECT_EQ(batch->next_cursor, "2025-08-15T10:00:00.000Z#2");
  ASSERT_TRUE(Source()->Changes(scope_, batch->next_cursor, 2).ok());
  EXPECT_NE(server_.requests()[1].target.find("page=2&"), std::string::npos);
}

TEST_F(PlatformKnowledgeSourceTest, AnUnreadableCursorIsTheCallersMistake) {
  auto batch = Source()->Changes(scope_, "yesterday", 10);
  EXPECT_EQ(batch.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_TRUE(server_.requests().empty());
}

TEST_F(PlatformKnowledgeSourceTest, RecommendationsForAnArticleOrAQuery) {
  server_.AlwaysReply({200, Envelope("[" + Article("1", "2025-08-15T10:00:00Z", "Related") + R"(,
      {"id":"2","title":"draft","status":"draft","updated_at":"2025-08-15T10:00:00Z"},{"oops":1}])")});
  auto source = Source();
  auto by_article = source->Recommendations(scope_, {"1001", "", 5});
  ASSERT_TRUE(by_article.ok()) << Describe(by_article);
  ASSERT_EQ(by_article->size(), 1u);
  EXPECT_EQ((*by_article)[0].title, "Related");
  ASSERT_TRUE(source->Recommendations(scope_, {"", "服务器 连不上", 3}).ok());
  const std::vector<RecordedRequest> requests = server_.requests();
  EXPECT_EQ(requests[0].target, "/api/v1/knowledge/recommendations?size=5&article_id=1001");
  EXPECT_EQ(
      requests[1].target,
      "/api/v1/knowledge/recommendations?size=3&q=%E6%9C%8D%E5%8A%A1%E5%99%A8%20%E8%BF%9E%E4%B8%8D%E4%B8%8A");
}

TEST_F(PlatformKnowledgeSourceTest, FeedbackPostsTheArticleIdAndTheVote) {
  server_.AlwaysReply({200, R"({"code":200,"message":"success","data":null})"});
  auto source = Source();
  ASSERT_TRUE(source->SendFeedback(scope_, "1001", true).ok());
  ASSERT_TRUE(source->SendFeedback(scope_, "kb-7", false).ok());
  const std::vector<RecordedRequest> requests = server_.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].method, "POST");
  EXPECT_EQ(requests[0].target, "/api/v1/knowledge/feedback");
  EXPECT_EQ(boost::json::parse(requests[0].body),
            boost::json::parse(R"({"article_id":1001,"helpful":true})"));
  EXPECT_EQ(boost::json::parse(requests[1].body),
            boost::json::parse(R"({"article_id":"kb-7","helpful":false})"));
  EXPECT_EQ(requests[0].header("authorization"), std::string("Bearer ") + kToken);
}

TEST_F(PlatformKnowledgeSourceTest, FeedbackOnAnArticleThePlatformDoesNotKnowIsNotFound) {
  server_.AlwaysReply({404, R"({"code":10004,"message":"article not found"})"});
  const Status status = Source()->SendFeedback(scope_, "404", true);
  EXPECT_EQ(status.code(), ErrorCode::kNotFound) << Describe(status);
  EXPECT_FALSE(CountsAsFailure(status));
}

struct ErrorCase {
  const char* name;
  Reply reply;
  bool retryable;
};

class ErrorMappingTest : public PlatformKnowledgeSourceTest,
                         public ::testing::WithParamInterface<ErrorCase> {};

TEST_P(ErrorMappingTest, ThePlatformsTroubleIsA20002) {
  server_.AlwaysReply(GetParam().reply);
  auto batch = Source(server_.url(), 300)->Changes(scope_, std::nullopt, 10);
  ASSERT_FALSE(batch.ok());
  EXPECT_EQ(batch.status().code(), ErrorCode::kSearchUnavailable) << Describe(batch);
  EXPECT_EQ(batch.status().retryable(), GetParam().retryable) << Describe(batch);
  EXPECT_TRUE(CountsAsFailure(batch.status()));
  EXPECT_EQ(batch.status().detail().find(kToken), std::string::npos) << Describe(batch);
}

INSTANTIATE_TEST_SUITE_P(
    Answers, ErrorMappingTest,
    ::testing::Values(ErrorCase{"http500", {500, R"({"code":20004,"message":"db down"})"}, true},
                      ErrorCase{"http503", {503, "<html>busy</html>"}, true},
                      ErrorCase{"http429", {429, R"({"code":10005,"message":"slow down"})"}, true},
                      ErrorCase{"timeout", {200, Envelope("[]"), "application/json", 1000}, true},
                      ErrorCase{"truncated", {200, Envelope("[]"), "application/json", 0, true}, true},
                      ErrorCase{"garbage", {200, "<html>not json"}, true},
                      ErrorCase{"no_items", {200, R"({"code":200,"data":{"nothing":1}})"}, true},
                      ErrorCase{
                          "envelope_error", {200, R"({"code":20002,"message":"index rebuilding"})"}, true},
                      ErrorCase{"http401", {401, R"({"code":10002,"message":"bad token"})"}, false},
                      ErrorCase{"http403", {403, "{}"}, false},
                      ErrorCase{"envelope_401", {200, R"({"code":10002,"message":"bad token"})"}, false},
                      ErrorCase{"http404", {404, "{}"}, false}),
    [](const ::testing::TestParamInfo<ErrorCase>& param) { return std::string(param.param.name); });

TEST_F(PlatformKnowledgeSourceTest, AClosedPortIsARetryable20002) {
  auto batch = Source(test::ClosedPortUrl())->Changes(scope_, std::nullopt, 10);
  EXPECT_EQ(batch.status().code(), ErrorCode::kSearchUnavailable);
  EXPECT_TRUE(batch.status().retryable());
}

TEST_F(PlatformKnowledgeSourceTest, TheTokenNeverAppearsInADetailEvenWhenEchoed) {
  server_.AlwaysReply({500, std::string(R"({"code":20004,"message":"rejected Bearer )") + kToken + R"("})"});
  const Status status = Source()->SendFeedback(scope_, "1", true);
  EXPECT_EQ(status.code(), ErrorCode::kSearchUnavailable);
  EXPECT_EQ(status.detail().find(kToken), std::string::npos) << status.detail();
  EXPECT_NE(status.detail().find("***"), std::string::npos) << status.detail();
}

TEST(PlatformKnowledgeOptionsTest, RefusesUnusableOptions) {
  PlatformKnowledgeOptions options;
  options.base_url = "http://user:pw@host";
  options.api_token = "two words";
  options.timeout_ms = 0;
  const std::vector<FieldError> errors = Validate(options);
  ASSERT_EQ(errors.size(), 3u);
  EXPECT_EQ(errors[0].field, "base_url");
  EXPECT_EQ(errors[1].field, "api_token");
  EXPECT_EQ(errors[2].field, "timeout_ms");
  EXPECT_EQ(CreatePlatformKnowledgeSource(options).status().code(), ErrorCode::kInvalidArgument);
  EXPECT_TRUE(
      Validate(PlatformKnowledgeOptions{"https://platform.example.com/", "", 2000, 1000, ""}).empty());
}

TEST(PlatformKnowledgeJsonTest, CursorsRoundTripAndAcceptAPlainTimestamp) {
  using knowledge_source::Cursor;
  using knowledge_source::FormatCursor;
  using knowledge_source::ParseCursor;
  EXPECT_EQ(FormatCursor(*ParseCursor("2025-08-15T10:00:00Z")), "2025-08-15T10:00:00.000Z");
  EXPECT_EQ(FormatCursor(*ParseCursor("2025-08-15T10:00:00.000Z#3")), "2025-08-15T10:00:00.000Z#3");
  EXPECT_EQ(FormatCursor(*ParseCursor("#2")), "#2");
  EXPECT_FALSE(ParseCursor("2025-08-15T10:00:00Z#0"));
  EXPECT_FALSE(ParseCursor("2025-08-15T10:00:00Z#x"));
  EXPECT_EQ(knowledge_source::ParseIsoTimestamp("2025-08-15T05:30:00-04:30")->millis,
            ParseTimestamp("2025-08-15T10:00:00Z")->millis);
}

}  // namespace
}  // namespace selfservice

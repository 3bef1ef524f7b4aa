// The Elasticsearch adapter against a local stand-in node (fake_elasticsearch.hpp) answering in
// the shapes of the Elasticsearch 8 reference (es_responses.hpp): the requests it sends, how it
// reads hits, and how it maps every kind of trouble to 20002.

#include "selfservice/elasticsearch.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <atomic>
#include <chrono>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "elasticsearch/es_responses.hpp"
#include "selfservice/circuit_breaker.hpp"
#include "support/callers.hpp"
#include "support/fake_http_server.hpp"

namespace selfservice {
namespace {

namespace json = boost::json;
using test::Describe;
using test::FakeHttpServer;
using test::RecordedRequest;
using test::Reply;

constexpr std::int64_t kTenant = 7;

const Scope& TenantScope() {
  static const Scope scope(test::User(kTenant, 70, 700));
  return scope;
}

SearchQuery Query(std::string text) {
  SearchQuery query;
  query.text = std::move(text);
  return query;
}

KnowledgeArticle Article(std::int64_t id, ArticleLang lang = ArticleLang::zh) {
  KnowledgeArticle article;
  article.id = id;
  article.tenant_id = kTenant;
  article.external_id = "kb-" + std::to_string(id);
  article.title = lang == ArticleLang::zh ? "nginx 无法启动" : "Nginx fails to start";
  article.body = lang == ArticleLang::zh ? "检查配置文件" : "Check the configuration";
  article.category = "server";
  article.tags = {"nginx", "web"};
  article.lang = lang;
  article.url = "/kb/" + std::to_string(id);
  article.updated_at = Timestamp{1'700'000'000'000};
  return article;
}

std::vector<json::value> NdjsonLines(const std::string& body) {
  std::vector<json::value> lines;
  std::istringstream in(body);
  for (std::string line; std::getline(in, line);) lines.push_back(json::parse(line));
  return lines;
}

// Whether `array` holds an element equal to `value`.
bool Contains(const json::array& array, const json::value& value) {
  for (const auto& item : array) {
    if (item == value) return true;
  }
  return false;
}

json::value Term(const char* field, json::value value) {
  return {{"term", {{field, std::move(value)}}}};
}

class ElasticsearchSearchTest : public ::testing::Test {
 protected:
  ElasticsearchOptions Options() const {
    ElasticsearchOptions options;
    options.urls = {server_.url()};
    options.request_timeout_ms = 500;
    return options;
  }

  std::unique_ptr<ElasticsearchSearch> Make(const ElasticsearchOptions& options) {
    Result<std::unique_ptr<ElasticsearchSearch>> created = ElasticsearchSearch::Create(options);
    EXPECT_TRUE(created.ok()) << Describe(created);
    return created.ok() ? std::move(created).value() : nullptr;
  }
  std::unique_ptr<ElasticsearchSearch> Make() { return Make(Options()); }

  // The body of the one _search request sent so far.
  json::object SentSearch() const {
    std::vector<RecordedRequest> requests = server_.requests();
    EXPECT_EQ(requests.size(), 1u);
    if (requests.empty()) return {};
    return json::parse(requests.front().body).as_object();
  }

  // The failure of a search answered with `reply`.
  Status SearchFailure(Reply reply) {
    server_.AlwaysReply(std::move(reply));
    Result<SearchResult> result = Make()->Search(TenantScope(), Query("nginx"));
    EXPECT_FALSE(result.ok());
    return result.status();
  }

  FakeHttpServer server_;
};

// --- Options ---------------------------------------------------------------------------------

TEST_F(ElasticsearchSearchTest, DefaultsAreTheDocumentedOnes) {
  const ElasticsearchOptions options;
  EXPECT_EQ(options.index, "selfservice-knowledge");
  EXPECT_EQ(options.request_timeout_ms, 2000);
  EXPECT_EQ(options.suggest_ticket_below_score, 0);
}

TEST_F(ElasticsearchSearchTest, CreateRefusesMissingUrlsAndCredentialsInUrls) {
  ElasticsearchOptions options;
  Result<std::unique_ptr<ElasticsearchSearch>> none = ElasticsearchSearch::Create(options);
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(none.status().field_errors().front().field, "urls");

  options.urls = {"http://elastic:changeme@es:9200"};
  EXPECT_FALSE(ElasticsearchSearch::Create(options).ok());
  options.urls = {"ftp://es:9200"};
  EXPECT_FALSE(ElasticsearchSearch::Create(options).ok());
}

TEST_F(ElasticsearchSearchTest, ValidateNamesEveryBadOption) {
  ElasticsearchOptions options = Options();
  options.index = "Knowledge Base";
  options.request_timeout_ms = 0;
  options.bulk_batch_size = 0;
  options.api_key = "key";
  options.username = "elastic";
  std::vector<std::string> fields;
  for (const auto& error : Validate(options)) fields.push_back(error.field);
  EXPECT_EQ(fields, (std::vector<std::string>{"index", "api_key", "request_timeout_ms", "bulk_batch_size"}));
  EXPECT_TRUE(Validate(Options()).empty());
}

// --- The search request ----------------------------------------------------------------------

TEST_F(ElasticsearchSearchTest, SearchPostsToTheIndexRoutedByTenant) {
  server_.AlwaysReply({200, test::es::EmptySearchAnswer()});
  ASSERT_TRUE(Make()->Search(TenantScope(), Query("nginx")).ok());
  std::vector<RecordedRequest> requests = server_.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "POST");
  EXPECT_EQ(requests[0].target, "/selfservice-knowledge/_search?routing=7");
  EXPECT_EQ(requests[0].header("content-type"), "application/json");
}

TEST_F(ElasticsearchSearchTest, SearchAlwaysFiltersOnTheTenantAndPublishedArticles) {
  server_.AlwaysReply({200, test::es::EmptySearchAnswer()});
  ASSERT_TRUE(Make()->Search(TenantScope(), Query("nginx 起不来")).ok());
  const json::object body = SentSearch();
  const json::array& filter = body.at("query").at("bool").at("filter").as_array();
  EXPECT_EQ(filter.size(), 2u);
  EXPECT_TRUE(Contains(filter, Term("tenant_id", kTenant)));
  EXPECT_TRUE(Contains(filter, Term("status", "published")));
}

TEST_F(ElasticsearchSearchTest, SearchIsABestFieldsMultiMatchWithTitleOverTagsOverCategoryOverBody) {
  server_.AlwaysReply({200, test::es::EmptySearchAnswer()});
  ASSERT_TRUE(Make()->Search(TenantScope(), Query("nginx 起不来")).ok());
  const json::object body = SentSearch();
  const json::object& multi_match =
      body.at("query").at("bool").at("must").at(0).at("multi_match").as_object();
  EXPECT_EQ(multi_match.at("query"), "nginx 起不来");
  EXPECT_EQ(multi_match.at("type"), "best_fields");
  EXPECT_EQ(multi_match.at("fields"), json::parse(R"(["title_zh^4", "tags_zh^2", "category_zh^1.5", "body_zh",
                                                     "title_en^4", "tags_en^2", "category_en^1.5", "body_en"])"));
}

TEST_F(ElasticsearchSearchTest, ExpansionsMatchAsPhrasesBesideTheText) {
  server_.AlwaysReply({200, test::es::EmptySearchAnswer()});
  SearchQuery query = Query("nginx 起不来");
  query.lang = ArticleLang::zh;
  query.expansions = {"无法启动", "fails to start"};
  ASSERT_TRUE(Make()->Search(TenantScope(), query).ok());
  const json::object body = SentSearch();
  const json::object& any = body.at("query").at("bool").at("must").at(0).at("bool").as_object();
  EXPECT_EQ(any.at("minimum_should_match"), 1);
  const json::array& should = any.at("should").as_array();
  ASSERT_EQ(should.size(), 3u);
  EXPECT_EQ(should[0].at("multi_match").at("query"), "nginx 起不来");
  EXPECT_EQ(should[0].at("multi_match").at("type"), "best_fields");
  EXPECT_EQ(should[1].at("multi_match").at("query"), "无法启动");
  EXPECT_EQ(should[1].at("multi_match").at("type"), "phrase");
  EXPECT_EQ(should[2].at("multi_match").at("query"), "fails to start");
  EXPECT_EQ(should[2].at("multi_match").at("fields"),
            json::parse(R"(["title_zh^4", "tags_zh^2", "category_zh^1.5", "body_zh"])"));
}

TEST_F(ElasticsearchSearchTest, LanguageCategoryAndTagsBecomeFiltersAndTheLanguageNarrowsTheFields) {
  server_.AlwaysReply({200, test::es::EmptySearchAnswer()});
  SearchQuery query = Query("wifi keeps dropping");
  query.lang = ArticleLang::en;
  query.category = "network";
  query.tags = {"wifi", "laptop"};
  ASSERT_TRUE(Make()->Search(TenantScope(), query).ok());
  const json::object body = SentSearch();
  const json::array& filter = body.at("query").at("bool").at("filter").as_array();
  EXPECT_EQ(filter.size(), 6u);
  EXPECT_TRUE(Contains(filter, Term("tenant_id", kTenant)));
  EXPECT_TRUE(Contains(filter, Term("lang", "en")));
  EXPECT_TRUE(Contains(filter, Term("category", "network")));
  EXPECT_TRUE(Contains(filter, Term("tags", "wifi")));
  EXPECT_TRUE(Contains(filter, Term("tags", "laptop")));
  EXPECT_EQ(body.at("query").at("bool").at("must").at(0).at("multi_match").at("fields"),
            json::parse(R"(["title_en^4", "tags_en^2", "category_en^1.5", "body_en"])"));
}

TEST_F(ElasticsearchSearchTest, PageAndSizeBecomeFromAndSize) {
  server_.AlwaysReply({200, test::es::EmptySearchAnswer()});
  SearchQuery query = Query("nginx");
  query.page = 3;
  query.size = 5;
  ASSERT_TRUE(Make()->Search(TenantScope(), query).ok());
  const json::object body = SentSearch();
  EXPECT_EQ(body.at("from"), 10);
  EXPECT_EQ(body.at("size"), 5);
}

TEST_F(ElasticsearchSearchTest, HighlightMarksMatchesInTheBodyAndBodiesStayOutOfSource) {
  server_.AlwaysReply({200, test::es::EmptySearchAnswer()});
  ASSERT_TRUE(Make()->Search(TenantScope(), Query("nginx")).ok());
  const json::object body = SentSearch();
  const json::object& highlight = body.at("highlight").as_object();
  EXPECT_EQ(highlight.at("pre_tags"), json::parse(R"(["<mark>"])"));
  EXPECT_EQ(highlight.at("post_tags"), json::parse(R"(["</mark>"])"));
  EXPECT_TRUE(highlight.at("fields").as_object().contains("body_zh"));
  EXPECT_TRUE(highlight.at("fields").as_object().contains("body_en"));
  EXPECT_EQ(body.at("_source").at("excludes"), json::parse(R"(["body_zh", "body_en"])"));
}

TEST_F(ElasticsearchSearchTest, ApiKeyIsSentAsAnAuthorizationHeader) {
  server_.AlwaysReply({200, test::es::EmptySearchAnswer()});
  ElasticsearchOptions options = Options();
  options.api_key = "VnVhQ2ZHY0JDZGJrUW0tZTVhT3g6dWkybHAyYXhUTm1zeWFrdzl0dk5udw==";
  ASSERT_TRUE(Make(options)->Search(TenantScope(), Query("nginx")).ok());
  EXPECT_EQ(server_.requests().at(0).header("authorization"), "ApiKey " + options.api_key);
}

TEST_F(ElasticsearchSearchTest, UserAndPasswordAreSentAsBasicAuthentication) {
  server_.AlwaysReply({200, test::es::EmptySearchAnswer()});
  ElasticsearchOptions options = Options();
  options.username = "elastic";
  options.password = "changeme";
  ASSERT_TRUE(Make(options)->Search(TenantScope(), Query("nginx")).ok());
  EXPECT_EQ(server_.requests().at(0).header("authorization"), "Basic ZWxhc3RpYzpjaGFuZ2VtZQ==");
}

TEST_F(ElasticsearchSearchTest, BlankQuerySuggestsATicketWithoutAskingTheCluster) {
  Result<SearchResult> result = Make()->Search(TenantScope(), Query("  "));
  ASSERT_TRUE(result.ok()) << Describe(result);
  EXPECT_TRUE(result->suggest_ticket);
  EXPECT_TRUE(result->hits.empty());
  EXPECT_TRUE(server_.requests().empty());
}

TEST_F(ElasticsearchSearchTest, PageBelowOneIsTheCallersError) {
  SearchQuery query = Query("nginx");
  query.page = 0;
  Result<SearchResult> result = Make()->Search(TenantScope(), query);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_FALSE(CountsAsFailure(result.status()));
}

// --- Reading the hits ------------------------------------------------------------------------

TEST_F(ElasticsearchSearchTest, HitsAreReadFromSourceScoreAndHighlight) {
  server_.AlwaysReply({200, test::es::SearchAnswer()});
  Result<SearchResult> result = Make()->Search(TenantScope(), Query("nginx 起不来"));
  ASSERT_TRUE(result.ok()) << Describe(result);
  EXPECT_EQ(result->backend, "elasticsearch");
  EXPECT_FALSE(result->degraded);
  EXPECT_EQ(result->total, 12);
  EXPECT_FALSE(result->suggest_ticket);
  ASSERT_EQ(result->hits.size(), 2u);

  const SearchHit& zh = result->hits[0];
  EXPECT_EQ(zh.id, 101);
  EXPECT_EQ(zh.external_id, "kb-nginx-start");
  EXPECT_EQ(zh.title, "nginx 无法启动怎么办");
  EXPECT_EQ(zh.snippet, "检查配置后 <mark>nginx</mark> 仍然<mark>起不</mark>来时，查看错误日志");
  EXPECT_EQ(zh.category, "服务器");
  EXPECT_EQ(zh.tags, (std::vector<std::string>{"nginx", "启动"}));
  EXPECT_EQ(zh.url, "/kb/nginx-start");
  EXPECT_EQ(zh.lang, ArticleLang::zh);
  EXPECT_DOUBLE_EQ(zh.score, 7.25);

  const SearchHit& en = result->hits[1];
  EXPECT_EQ(en.id, 102);
  EXPECT_EQ(en.external_id, std::nullopt);
  EXPECT_EQ(en.title, "Nginx fails to start");
  EXPECT_EQ(en.snippet, "");
  EXPECT_EQ(en.category, std::nullopt);
  EXPECT_EQ(en.lang, ArticleLang::en);
  EXPECT_DOUBLE_EQ(en.score, 3.0);
}

TEST_F(ElasticsearchSearchTest, HitWithoutArticleIdTakesItFromTheDocumentId) {
  server_.AlwaysReply({200, R"({"took": 1, "timed_out": false,
    "_shards": {"total": 1, "successful": 1, "skipped": 0, "failed": 0},
    "hits": {"total": {"value": 1, "relation": "eq"}, "max_score": 1.5, "hits": [
      {"_index": "selfservice-knowledge", "_id": "7-55", "_score": 1.5,
       "_source": {"tenant_id": 7, "lang": "en", "title_en": "Written by hand"}}]}})"});
  Result<SearchResult> result = Make()->Search(TenantScope(), Query("hand"));
  ASSERT_TRUE(result.ok()) << Describe(result);
  ASSERT_EQ(result->hits.size(), 1u);
  EXPECT_EQ(result->hits[0].id, 55);
}

TEST_F(ElasticsearchSearchTest, ManyThreadsCanSearchAtOnce) {
  server_.AlwaysReply({200, test::es::SearchAnswer()});
  std::unique_ptr<ElasticsearchSearch> search = Make();
  std::atomic<int> answered{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 5; ++i) {
        if (search->Search(TenantScope(), Query("nginx")).ok()) ++answered;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(answered.load(), 20);
  EXPECT_EQ(server_.requests().size(), 20u);
}

TEST_F(ElasticsearchSearchTest, NoHitSuggestsATicket) {
  server_.AlwaysReply({200, test::es::EmptySearchAnswer()});
  Result<SearchResult> result = Make()->Search(TenantScope(), Query("打印机卡纸"));
  ASSERT_TRUE(result.ok()) << Describe(result);
  EXPECT_TRUE(result->hits.empty());
  EXPECT_EQ(result->total, 0);
  EXPECT_TRUE(result->suggest_ticket);
}

TEST_F(ElasticsearchSearchTest, TopScoreBelowTheThresholdSuggestsATicket) {
  ElasticsearchOptions options = Options();
  options.suggest_ticket_below_score = 2.0;
  server_.AlwaysReply({200, test::es::OneHitAnswer("1.2")});
  Result<SearchResult> weak = Make(options)->Search(TenantScope(), Query("wifi"));
  ASSERT_TRUE(weak.ok()) << Describe(weak);
  EXPECT_EQ(weak->hits.size(), 1u);
  EXPECT_TRUE(weak->suggest_ticket);

  server_.AlwaysReply({200, test::es::OneHitAnswer("2.5")});
  Result<SearchResult> strong = Make(options)->Search(TenantScope(), Query("wifi"));
  ASSERT_TRUE(strong.ok()) << Describe(strong);
  EXPECT_FALSE(strong->suggest_ticket);
}

// --- Errors: every trouble of the cluster is 20002 -------------------------------------------

TEST_F(ElasticsearchSearchTest, ClosedPortIsRetryable) {
  ElasticsearchOptions options = Options();
  options.urls = {test::ClosedPortUrl()};
  Result<SearchResult> result = Make(options)->Search(TenantScope(), Query("nginx"));
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), ErrorCode::kSearchUnavailable);
  EXPECT_TRUE(result.status().retryable());
}

TEST_F(ElasticsearchSearchTest, ServerErrorsAreRetryable) {
  for (int status : {500, 502, 503}) {
    Status failure = SearchFailure({status, test::es::AllShardsFailed()});
    EXPECT_EQ(failure.code(), ErrorCode::kSearchUnavailable) << status;
    EXPECT_TRUE(failure.retryable()) << status;
  }
}

TEST_F(ElasticsearchSearchTest, TooManyRequestsIsRetryable) {
  Status failure = SearchFailure({429, test::es::TooManyRequests()});
  EXPECT_EQ(failure.code(), ErrorCode::kSearchUnavailable);
  EXPECT_TRUE(failure.retryable());
  EXPECT_NE(failure.detail().find("es_rejected_execution_exception"), std::string::npos) << failure.detail();
}

TEST_F(ElasticsearchSearchTest, RefusedCredentialsAreTheClustersTroubleNotTheCallers) {
  for (const Reply& reply : {Reply{401, test::es::Unauthenticated()}, Reply{403, test::es::Forbidden()}}) {
    Status failure = SearchFailure(reply);
    EXPECT_EQ(failure.code(), ErrorCode::kSearchUnavailable) << reply.status;
    EXPECT_FALSE(failure.retryable()) << reply.status;
    EXPECT_TRUE(CountsAsFailure(failure)) << reply.status;
  }
}

TEST_F(ElasticsearchSearchTest, CredentialsNeverAppearInStatusDetails) {
  ElasticsearchOptions options = Options();
  options.username = "elastic";
  options.password = "s3cret-Passw0rd";
  server_.AlwaysReply({401, test::es::Unauthenticated()});
  Result<SearchResult> basic = Make(options)->Search(TenantScope(), Query("nginx"));
  ASSERT_FALSE(basic.ok());
  EXPECT_EQ(basic.status().detail().find("s3cret"), std::string::npos) << basic.status().detail();

  options.username.clear();
  options.password.clear();
  options.api_key = "c2VjcmV0LWFwaS1rZXk=";
  Result<SearchResult> key = Make(options)->Search(TenantScope(), Query("nginx"));
  ASSERT_FALSE(key.ok());
  EXPECT_EQ(key.status().detail().find(options.api_key), std::string::npos) << key.status().detail();
}

TEST_F(ElasticsearchSearchTest, RejectedQueryIsNotRetryable) {
  Status failure = SearchFailure({400, test::es::QueryRejected()});
  EXPECT_EQ(failure.code(), ErrorCode::kSearchUnavailable);
  EXPECT_FALSE(failure.retryable());
  EXPECT_NE(failure.detail().find("parsing_exception"), std::string::npos) << failure.detail();
}

TEST_F(ElasticsearchSearchTest, MissingIndexIsNotRetryable) {
  Status failure = SearchFailure({404, test::es::IndexNotFound()});
  EXPECT_EQ(failure.code(), ErrorCode::kSearchUnavailable);
  EXPECT_FALSE(failure.retryable());
}

TEST_F(ElasticsearchSearchTest, GarbageIsRetryable) {
  for (const char* body :
       {"<html><body>502 Bad Gateway</body></html>", R"({"hits": {"total": {"value": 1}, "hi)",
        R"({"took": 1, "timed_out": false})", "[]"}) {
    Status failure = SearchFailure({200, body});
    EXPECT_EQ(failure.code(), ErrorCode::kSearchUnavailable) << body;
    EXPECT_TRUE(failure.retryable()) << body;
  }
}

TEST_F(ElasticsearchSearchTest, TruncatedAnswerIsRetryable) {
  Reply reply{200, test::es::SearchAnswer()};
  reply.truncated = true;
  Status failure = SearchFailure(reply);
  EXPECT_EQ(failure.code(), ErrorCode::kSearchUnavailable);
  EXPECT_TRUE(failure.retryable());
}

TEST_F(ElasticsearchSearchTest, AnswerLaterThanTheTimeoutIsRetryableAndCutOffAtTheTimeout) {
  Reply reply{200, test::es::SearchAnswer()};
  reply.delay_ms = 3000;
  const auto start = std::chrono::steady_clock::now();
  Status failure = SearchFailure(reply);  // request_timeout_ms = 500
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(failure.code(), ErrorCode::kSearchUnavailable);
  EXPECT_TRUE(failure.retryable());
  EXPECT_GE(elapsed, std::chrono::milliseconds(450));
  EXPECT_LT(elapsed, std::chrono::milliseconds(2000));
}

TEST_F(ElasticsearchSearchTest, NodeThatRefusesConnectionsIsSkippedForTheNextOne) {
  ElasticsearchOptions options = Options();
  options.urls = {test::ClosedPortUrl(), server_.url()};
  server_.AlwaysReply({200, test::es::EmptySearchAnswer()});
  std::unique_ptr<ElasticsearchSearch> search = Make(options);
  for (int i = 0; i < 2; ++i) {  // starting at either node
    Result<SearchResult> result = search->Search(TenantScope(), Query("nginx"));
    EXPECT_TRUE(result.ok()) << Describe(result);
  }
  EXPECT_EQ(server_.requests().size(), 2u);
}

// --- The index -------------------------------------------------------------------------------

TEST_F(ElasticsearchSearchTest, EnsureIndexCreatesAMissingIndexWithTheMapping) {
  server_.SetHandler([](const RecordedRequest& request) {
    if (request.method == "HEAD") return Reply{404, ""};
    return Reply{200, test::es::IndexCreated()};
  });
  Status status = Make()->EnsureIndex();
  ASSERT_TRUE(status.ok()) << Describe(status);
  std::vector<RecordedRequest> requests = server_.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].method, "HEAD");
  EXPECT_EQ(requests[0].target, "/selfservice-knowledge");
  EXPECT_EQ(requests[1].method, "PUT");
  EXPECT_EQ(requests[1].target, "/selfservice-knowledge");

  const json::value mapping = json::parse(requests[1].body);
  const json::object& properties = mapping.at("mappings").at("properties").as_object();
  for (const char* field : {"title", "tags", "category", "body"}) {
    EXPECT_EQ(properties.at(std::string(field) + "_zh"),
              json::parse(R"({"type": "text", "analyzer": "cjk"})"));
    EXPECT_EQ(properties.at(std::string(field) + "_en"),
              json::parse(R"({"type": "text", "analyzer": "english"})"));
  }
  for (const char* field : {"lang", "status", "external_id", "url", "category", "tags"}) {
    EXPECT_EQ(properties.at(field).at("type"), "keyword") << field;
  }
  EXPECT_EQ(properties.at("tenant_id").at("type"), "long");
  EXPECT_EQ(properties.at("article_id").at("type"), "long");
}

TEST_F(ElasticsearchSearchTest, EnsureIndexLeavesAnExistingIndexAloneAndAsksOnce) {
  server_.AlwaysReply({200, ""});
  std::unique_ptr<ElasticsearchSearch> search = Make();
  ASSERT_TRUE(search->EnsureIndex().ok());
  ASSERT_TRUE(search->EnsureIndex().ok());
  std::vector<RecordedRequest> requests = server_.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "HEAD");
}

TEST_F(ElasticsearchSearchTest, EnsureIndexAcceptsAnIndexCreatedMeanwhileByAnotherWriter) {
  server_.SetHandler([](const RecordedRequest& request) {
    if (request.method == "HEAD") return Reply{404, ""};
    return Reply{400, test::es::IndexAlreadyExists()};
  });
  Status status = Make()->EnsureIndex();
  EXPECT_TRUE(status.ok()) << Describe(status);
}

TEST_F(ElasticsearchSearchTest, EnsureIndexReportsRefusedCredentials) {
  server_.AlwaysReply({401, test::es::Unauthenticated()});
  Status status = Make()->EnsureIndex();
  EXPECT_EQ(status.code(), ErrorCode::kSearchUnavailable);
  EXPECT_FALSE(status.retryable());
}

// Answers HEAD with "exists" and _bulk with `bulk`.
FakeHttpServer::Handler ExistingIndexAnd(Reply bulk) {
  return [bulk](const RecordedRequest& request) { return request.method == "HEAD" ? Reply{200, ""} : bulk; };
}

TEST_F(ElasticsearchSearchTest, IndexSendsNdjsonBulkRoutedByTenant) {
  server_.SetHandler(ExistingIndexAnd({200, test::es::BulkCreated()}));
  Status status = Make()->Index(TenantScope(), {Article(12), Article(13, ArticleLang::en)});
  ASSERT_TRUE(status.ok()) << Describe(status);
  std::vector<RecordedRequest> requests = server_.requests();
  ASSERT_EQ(requests.size(), 2u);
  const RecordedRequest& bulk = requests[1];
  EXPECT_EQ(bulk.method, "POST");
  EXPECT_EQ(bulk.target, "/selfservice-knowledge/_bulk");
  EXPECT_EQ(bulk.header("content-type"), "application/x-ndjson");
  EXPECT_EQ(bulk.body.back(), '\n');

  std::vector<json::value> lines = NdjsonLines(bulk.body);
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0], json::parse(R"({"index": {"_id": "7-12", "routing": "7"}})"));
  const json::object& zh = lines[1].as_object();
  EXPECT_EQ(zh.at("article_id"), 12);
  EXPECT_EQ(zh.at("tenant_id"), kTenant);
  EXPECT_EQ(zh.at("external_id"), "kb-12");
  EXPECT_EQ(zh.at("lang"), "zh");
  EXPECT_EQ(zh.at("status"), "published");
  EXPECT_EQ(zh.at("title_zh"), "nginx 无法启动");
  EXPECT_EQ(zh.at("body_zh"), "检查配置文件");
  EXPECT_EQ(zh.at("tags"), json::parse(R"(["nginx", "web"])"));
  EXPECT_FALSE(zh.contains("title_en"));
  EXPECT_EQ(lines[2], json::parse(R"({"index": {"_id": "7-13", "routing": "7"}})"));
  EXPECT_EQ(lines[3].at("title_en"), "Nginx fails to start");
  EXPECT_FALSE(lines[3].as_object().contains("title_zh"));
}

TEST_F(ElasticsearchSearchTest, IndexCreatesTheIndexOnFirstUse) {
  server_.SetHandler([](const RecordedRequest& request) {
    if (request.method == "HEAD") return Reply{404, ""};
    if (request.method == "PUT") return Reply{200, test::es::IndexCreated()};
    return Reply{200, test::es::BulkCreated()};
  });
  std::unique_ptr<ElasticsearchSearch> search = Make();
  ASSERT_TRUE(search->Index(TenantScope(), {Article(1)}).ok());
  ASSERT_TRUE(search->Index(TenantScope(), {Article(2)}).ok());
  std::vector<std::string> methods;
  for (const auto& request : server_.requests()) methods.push_back(request.method);
  EXPECT_EQ(methods, (std::vector<std::string>{"HEAD", "PUT", "POST", "POST"}));
}

TEST_F(ElasticsearchSearchTest, IndexRefusesArticlesOfAnotherTenantAndSendsNothing) {
  KnowledgeArticle stranger = Article(3);
  stranger.tenant_id = 8;
  Status status = Make()->Index(TenantScope(), {Article(1), stranger});
  EXPECT_EQ(status.code(), ErrorCode::kInvalidArgument);
  EXPECT_TRUE(server_.requests().empty());
}

TEST_F(ElasticsearchSearchTest, IndexSendsBatchesOfTheConfiguredSize) {
  server_.SetHandler(ExistingIndexAnd({200, test::es::BulkCreated()}));
  ElasticsearchOptions options = Options();
  options.bulk_batch_size = 2;
  std::vector<KnowledgeArticle> articles;
  for (int id = 1; id <= 5; ++id) articles.push_back(Article(id));
  ASSERT_TRUE(Make(options)->Index(TenantScope(), articles).ok());
  std::vector<RecordedRequest> requests = server_.requests();
  ASSERT_EQ(requests.size(), 4u);  // HEAD + 3 batches
  EXPECT_EQ(NdjsonLines(requests[1].body).size(), 4u);
  EXPECT_EQ(NdjsonLines(requests[3].body).size(), 2u);
}

TEST_F(ElasticsearchSearchTest, BulkItemRejectedForLoadIsRetryable) {
  server_.SetHandler(ExistingIndexAnd({200, test::es::BulkItemRejected()}));
  Status status = Make()->Index(TenantScope(), {Article(1), Article(2)});
  EXPECT_EQ(status.code(), ErrorCode::kSearchUnavailable);
  EXPECT_TRUE(status.retryable());
  EXPECT_NE(status.detail().find("7-2"), std::string::npos) << status.detail();
}

TEST_F(ElasticsearchSearchTest, BulkItemRejectedAsMalformedIsNotRetryable) {
  server_.SetHandler(ExistingIndexAnd({200, test::es::BulkItemMalformed()}));
  Status status = Make()->Index(TenantScope(), {Article(1)});
  EXPECT_EQ(status.code(), ErrorCode::kSearchUnavailable);
  EXPECT_FALSE(status.retryable());
  EXPECT_NE(status.detail().find("document_parsing_exception"), std::string::npos) << status.detail();
}

TEST_F(ElasticsearchSearchTest, RemoveSendsDeleteActionsAndIgnoresArticlesNotIndexed) {
  server_.SetHandler(ExistingIndexAnd({200, test::es::BulkDeletedOneMissingOne()}));
  Status status = Make()->Remove(TenantScope(), {1, 2});
  ASSERT_TRUE(status.ok()) << Describe(status);
  std::vector<RecordedRequest> requests = server_.requests();
  ASSERT_EQ(requests.size(), 2u);
  std::vector<json::value> lines = NdjsonLines(requests[1].body);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0], json::parse(R"({"delete": {"_id": "7-1", "routing": "7"}})"));
  EXPECT_EQ(lines[1], json::parse(R"({"delete": {"_id": "7-2", "routing": "7"}})"));
}

TEST_F(ElasticsearchSearchTest, RemoveByExternalIdDeletesByQueryWithinTheTenant) {
  server_.SetHandler(ExistingIndexAnd({200, test::es::DeletedByQuery()}));
  Status status = Make()->RemoveByExternalId(TenantScope(), {"kb-1", "kb-2"});
  ASSERT_TRUE(status.ok()) << Describe(status);
  std::vector<RecordedRequest> requests = server_.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[1].method, "POST");
  EXPECT_EQ(requests[1].target, "/selfservice-knowledge/_delete_by_query?routing=7&conflicts=proceed");
  EXPECT_EQ(json::parse(requests[1].body), json::parse(R"({"query": {"bool": {"filter": [
      {"term": {"tenant_id": 7}}, {"terms": {"external_id": ["kb-1", "kb-2"]}}]}}})"));
}

TEST_F(ElasticsearchSearchTest, RemoveByExternalIdWithNoIdsSendsNothing) {
  EXPECT_TRUE(Make()->RemoveByExternalId(TenantScope(), {}).ok());
  EXPECT_TRUE(server_.requests().empty());
}

TEST_F(ElasticsearchSearchTest, RemoveByExternalIdFailuresAreTheClustersTrouble) {
  server_.SetHandler(ExistingIndexAnd({200, test::es::DeleteByQueryFailed()}));
  Status status = Make()->RemoveByExternalId(TenantScope(), {"kb-1"});
  EXPECT_EQ(status.code(), ErrorCode::kSearchUnavailable);
  EXPECT_TRUE(status.retryable());
  server_.SetHandler(ExistingIndexAnd({200, "{}"}));
  status = Make()->RemoveByExternalId(TenantScope(), {"kb-1"});
  EXPECT_EQ(status.code(), ErrorCode::kSearchUnavailable);
}

}  // namespace
}  // namespace selfservice

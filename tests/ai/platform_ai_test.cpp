// The REQ-013 adapter against a stand-in platform on 127.0.0.1: the spec 4.2 request on the wire,
// the reading of its answer, recommendations, sentiment and learning feedback, and the mapping of
// every failure to 20001 with its AiFailure.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include <boost/json/parse.hpp>

#include "selfservice/ai.hpp"
#include "selfservice/circuit_breaker.hpp"
#include "support/callers.hpp"
#include "support/fake_http_server.hpp"

namespace selfservice {
namespace {

using test::Describe;
using test::FakeHttpServer;
using test::RecordedRequest;
using test::Reply;

constexpr const char* kKey = "req013-s3cr3t-key";

std::string Envelope(const std::string& data) {
  return R"({"code":200,"message":"问答成功","timestamp":"2025-08-15T10:00:00Z","data":)" + data + "}";
}

// The answer of spec 4.2.
const std::string kSpecAnswer = R"({
  "answer": "服务器连接问题可能由以下原因导致：1. 网络连接异常 2. 服务器服务停止 3. 防火墙阻拦。",
  "confidence": 0.92, "session_id": "sess_123456", "interaction_id": "int_789012", "response_time": 2850,
  "related_articles": [{"id": 1001, "title": "服务器连接故障排查指南", "url": "/knowledge/1001",
                        "relevance": 0.95, "category": "网络故障"}],
  "suggested_actions": [{"action": "检查网络连接", "priority": 1, "description": "使用ping命令测试网络连通性"},
                        {"action": "查看服务器状态", "priority": 2, "description": "检查服务器运行状态和资源使用情况"}],
  "follow_up_questions": ["网络连接正常但仍无法访问怎么办？", "如何检查服务器服务状态？"]})";

AiQuestion SpecQuestion() {
  AiQuestion question;
  question.question = "服务器连接不上怎么办？";
  question.session_id = "sess_123456";
  question.previous_questions = {"网络问题", "服务器状态"};
  question.user_role = "IT管理员";
  question.customer_context =
      boost::json::parse(R"({"industry":"金融","system_type":"核心业务系统"})").as_object();
  question.include_recommendations = true;
  question.max_results = 5;
  question.confidence_threshold = 0.7;
  return question;
}

class PlatformAiTest : public ::testing::Test {
 protected:
  std::unique_ptr<AiProvider> Provider(std::string url, std::string key = kKey,
                                       std::int64_t timeout_ms = 2000) {
    PlatformAiOptions options;
    options.base_url = std::move(url);
    options.api_key = std::move(key);
    options.timeout_ms = timeout_ms;
    auto provider = CreatePlatformAi(options);
    EXPECT_TRUE(provider.ok()) << Describe(provider);
    return std::move(provider).value();
  }
  std::unique_ptr<AiProvider> Provider() { return Provider(server_.url() + "/"); }

  Result<AiAnswer> Ask(AiProvider& provider, const AiQuestion& question = SpecQuestion()) {
    failure_ = AiFailure::kNone;
    return provider.Ask(scope_, question, failure_);
  }

  Scope scope_{test::User(7, 3, 42)};
  FakeHttpServer server_;
  AiFailure failure_ = AiFailure::kNone;
};

TEST_F(PlatformAiTest, AsksTheChatEndpointWithTheSpecRequest) {
  server_.AlwaysReply({200, Envelope(kSpecAnswer)});
  auto provider = Provider();
  EXPECT_EQ(provider->name(), "req013");
  auto answer = Ask(*provider);
  ASSERT_TRUE(answer.ok()) << Describe(answer);
  EXPECT_EQ(failure_, AiFailure::kNone);

  const std::vector<RecordedRequest> requests = server_.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "POST");
  EXPECT_EQ(requests[0].target, "/api/v1/ai/chat");
  EXPECT_EQ(requests[0].header("authorization"), std::string("Bearer ") + kKey);
  EXPECT_EQ(requests[0].header("content-type"), "application/json");
  EXPECT_EQ(requests[0].header("accept-language"), "zh-CN");
  EXPECT_EQ(requests[0].header("x-tenant-id"), "7");
  EXPECT_EQ(requests[0].header("x-user-id"), "42");
  EXPECT_EQ(boost::json::parse(requests[0].body), boost::json::parse(R"({
    "question": "服务器连接不上怎么办？",
    "context": {"session_id": "sess_123456", "previous_questions": ["网络问题", "服务器状态"],
                "user_role": "IT管理员", "customer_context": {"industry": "金融", "system_type": "核心业务系统"}},
    "options": {"include_recommendations": true, "max_results": 5, "confidence_threshold": 0.7}})"));
}

TEST_F(PlatformAiTest, ReadsTheSpecAnswerWithThePlatformsIdsAsExternalIds) {
  server_.AlwaysReply({200, Envelope(kSpecAnswer)});
  auto answer = Ask(*Provider());
  ASSERT_TRUE(answer.ok()) << Describe(answer);
  EXPECT_NE(answer->answer.find("防火墙阻拦"), std::string::npos);
  EXPECT_DOUBLE_EQ(answer->confidence, 0.92);
  ASSERT_EQ(answer->related_articles.size(), 1u);
  const AiRelatedArticle& article = answer->related_articles[0];
  EXPECT_FALSE(article.id.has_value());  // the portal maps the platform's ids itself
  EXPECT_EQ(article.external_id, "1001");
  EXPECT_EQ(article.title, "服务器连接故障排查指南");
  EXPECT_EQ(article.url, "/knowledge/1001");
  EXPECT_DOUBLE_EQ(article.relevance, 0.95);
  EXPECT_EQ(article.category, "网络故障");
  ASSERT_EQ(answer->suggested_actions.size(), 2u);
  EXPECT_EQ(answer->suggested_actions[1].action, "查看服务器状态");
  EXPECT_EQ(answer->suggested_actions[1].priority, 2);
  EXPECT_EQ(answer->suggested_actions[1].description, "检查服务器运行状态和资源使用情况");
  EXPECT_EQ(answer->follow_up_questions,
            (std::vector<std::string>{"网络连接正常但仍无法访问怎么办？", "如何检查服务器服务状态？"}));
  EXPECT_FALSE(answer->source_article_id.has_value());
}

TEST_F(PlatformAiTest, WithoutAKeyNoAuthorizationIsSentAndEnglishIsAskedFor) {
  server_.AlwaysReply({200, Envelope(kSpecAnswer)});
  AiQuestion question = SpecQuestion();
  question.lang = ArticleLang::en;
  ASSERT_TRUE(Ask(*Provider(server_.url(), ""), question).ok());
  const RecordedRequest request = server_.requests().at(0);
  EXPECT_EQ(request.headers.count("authorization"), 0u);
  EXPECT_EQ(request.header("accept-language"), "en-US");
}

TEST_F(PlatformAiTest, ABareDataObjectIsAcceptedToo) {
  server_.AlwaysReply({200, R"({"answer":"Restart the agent.","confidence":0.8,"related_articles":[
      {"id":"kb-7","title":"Agent restarts"}]})"});
  auto answer = Ask(*Provider());
  ASSERT_TRUE(answer.ok()) << Describe(answer);
  EXPECT_EQ(answer->answer, "Restart the agent.");
  ASSERT_EQ(answer->related_articles.size(), 1u);
  EXPECT_EQ(answer->related_articles[0].external_id, "kb-7");
  EXPECT_TRUE(answer->suggested_actions.empty());
}

TEST_F(PlatformAiTest, ConfidenceAndRelevanceAreClampedAndUnreadableItemsLeftOut) {
  server_.AlwaysReply({200, Envelope(R"({"answer":"a","confidence":7,"related_articles":[
      {"id":1,"title":"one","relevance":-3},{"id":2},"junk",{"id":3,"title":"three","relevance":1.5},
      {"id":4,"title":"four"}],"suggested_actions":[{"description":"no action"},{"action":"do it"}],
      "follow_up_questions":["ok",5,""]})")});
  AiQuestion question = SpecQuestion();
  question.max_results = 2;
  auto answer = Ask(*Provider(), question);
  ASSERT_TRUE(answer.ok()) << Describe(answer);
  EXPECT_DOUBLE_EQ(answer->confidence, 1.0);
  ASSERT_EQ(answer->related_articles.size(), 2u);  // max_results
  EXPECT_DOUBLE_EQ(answer->related_articles[0].relevance, 0.0);
  EXPECT_EQ(answer->related_articles[1].external_id, "3");
  EXPECT_DOUBLE_EQ(answer->related_articles[1].relevance, 1.0);
  ASSERT_EQ(answer->suggested_actions.size(), 1u);
  EXPECT_EQ(answer->suggested_actions[0].priority, 1);
  EXPECT_EQ(answer->follow_up_questions, (std::vector<std::string>{"ok"}));
}

struct ErrorCase {
  const char* name;
  Reply reply;
  AiFailure failure;
  bool retryable;
};

class PlatformAiErrorTest : public PlatformAiTest, public ::testing::WithParamInterface<ErrorCase> {};

TEST_P(PlatformAiErrorTest, EveryFailureIsA20001OfItsKind) {
  server_.AlwaysReply(GetParam().reply);
  auto answer = Ask(*Provider(server_.url(), kKey, 200));
  ASSERT_FALSE(answer.ok());
  EXPECT_EQ(answer.status().code(), ErrorCode::kAiUnavailable) << Describe(answer);
  EXPECT_EQ(failure_, GetParam().failure) << Describe(answer);
  EXPECT_EQ(answer.status().retryable(), GetParam().retryable) << Describe(answer);
  EXPECT_TRUE(CountsAsFailure(answer.status()));
  EXPECT_NE(answer.status().detail().find("req013 chat"), std::string::npos) << Describe(answer);
  EXPECT_EQ(answer.status().detail().find(kKey), std::string::npos) << Describe(answer);
}

INSTANTIATE_TEST_SUITE_P(
    Answers, PlatformAiErrorTest,
    ::testing::Values(
        ErrorCase{
            "timeout", {200, Envelope(kSpecAnswer), "application/json", 1000}, AiFailure::kTimeout, true},
        ErrorCase{
            "http500", {500, R"({"code":20001,"message":"model crashed"})"}, AiFailure::kUnavailable, true},
        ErrorCase{"http503", {503, "<html>busy</html>"}, AiFailure::kUnavailable, true},
        ErrorCase{"http429", {429, R"({"code":10005,"message":"slow down"})"}, AiFailure::kUnavailable, true},
        ErrorCase{"http401", {401, R"({"code":10002,"message":"bad key"})"}, AiFailure::kUnavailable, false},
        ErrorCase{"http403", {403, "{}"}, AiFailure::kUnavailable, false},
        ErrorCase{"http404", {404, "{}"}, AiFailure::kUnavailable, false},
        ErrorCase{"envelope_20001",
                  {200, R"({"code":20001,"message":"AI服务不可用"})"},
                  AiFailure::kUnavailable,
                  true},
        ErrorCase{
            "envelope_10002", {200, R"({"code":10002,"message":"bad key"})"}, AiFailure::kUnavailable, false},
        ErrorCase{"malformed", {200, "<html>not json"}, AiFailure::kBadResponse, true},
        ErrorCase{"truncated",
                  {200, Envelope(kSpecAnswer), "application/json", 0, true},
                  AiFailure::kBadResponse,
                  true},
        ErrorCase{"empty", {200, ""}, AiFailure::kBadResponse, true},
        ErrorCase{"confidence_string",
                  {200, Envelope(R"({"answer":"a","confidence":"0.9"})")},
                  AiFailure::kBadResponse,
                  true},
        ErrorCase{"no_confidence", {200, Envelope(R"({"answer":"a"})")}, AiFailure::kBadResponse, true},
        ErrorCase{"empty_answer",
                  {200, Envelope(R"({"answer":" ","confidence":0.9})")},
                  AiFailure::kBadResponse,
                  true},
        ErrorCase{"articles_not_a_list",
                  {200, Envelope(R"({"answer":"a","confidence":0.9,"related_articles":{"id":1}})")},
                  AiFailure::kBadResponse,
                  true},
        ErrorCase{"data_not_an_object", {200, Envelope("[1,2]")}, AiFailure::kBadResponse, true},
        ErrorCase{"code_not_a_number", {200, R"({"code":"200","data":{}})"}, AiFailure::kBadResponse, true}),
    [](const ::testing::TestParamInfo<ErrorCase>& param) { return std::string(param.param.name); });

TEST_F(PlatformAiTest, AClosedPortIsUnavailableAndRetryable) {
  auto answer = Ask(*Provider(test::ClosedPortUrl()));
  EXPECT_EQ(answer.status().code(), ErrorCode::kAiUnavailable);
  EXPECT_TRUE(answer.status().retryable());
  EXPECT_EQ(failure_, AiFailure::kUnavailable);
}

TEST_F(PlatformAiTest, TheKeyNeverAppearsInADetailEvenWhenEchoed) {
  server_.AlwaysReply({500, std::string(R"({"code":20001,"message":"rejected Bearer )") + kKey + R"("})"});
  auto answer = Ask(*Provider());
  EXPECT_EQ(answer.status().detail().find(kKey), std::string::npos) << answer.status().detail();
  EXPECT_NE(answer.status().detail().find("***"), std::string::npos) << answer.status().detail();
}

TEST_F(PlatformAiTest, LearningFeedbackIsPostedWithTheInteractionAsIdempotencyKey) {
  server_.AlwaysReply({200, R"({"code":200,"message":"success","data":null})"});
  LearningFeedback feedback;
  feedback.interaction_id = "int_789012";
  feedback.session_id = "sess_123456";
  feedback.question = "服务器连接不上怎么办？";
  feedback.answer = "检查网络";
  feedback.helpful_rating = 4;
  feedback.comment = "有用";
  feedback.article_ids = {"1001", "42"};
  const Status status = Provider()->SendLearningFeedback(scope_, feedback);
  ASSERT_TRUE(status.ok()) << Describe(status);
  const RecordedRequest request = server_.requests().at(0);
  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(request.target, "/api/v1/ai/learning-feedback");
  EXPECT_EQ(request.header("idempotency-key"), "int_789012");
  EXPECT_EQ(request.header("authorization"), std::string("Bearer ") + kKey);
  EXPECT_EQ(boost::json::parse(request.body), boost::json::parse(R"({"interaction_id":"int_789012",
      "session_id":"sess_123456","question":"服务器连接不上怎么办？","answer":"检查网络","helpful_rating":4,
      "comment":"有用","article_ids":["1001","42"]})"));

  // A verdict with its own key (what the portal's outbox sends) is sent with that key.
  feedback.idempotency_key = "ai-feedback-789012-1700000000000";
  ASSERT_TRUE(Provider()->SendLearningFeedback(scope_, feedback).ok());
  EXPECT_EQ(server_.requests().at(1).header("idempotency-key"), "ai-feedback-789012-1700000000000");
  feedback.idempotency_key = "bad\r\nkey";
  EXPECT_EQ(Provider()->SendLearningFeedback(scope_, feedback).code(), ErrorCode::kInvalidArgument);
}

TEST_F(PlatformAiTest, LearningFeedbackAcceptsAnEmptyAnswerAndReportsFailuresAsRetryable) {
  LearningFeedback feedback;
  feedback.interaction_id = "int_1";
  feedback.helpful_rating = 5;
  server_.AlwaysReply({202, ""});
  EXPECT_TRUE(Provider()->SendLearningFeedback(scope_, feedback).ok());
  server_.AlwaysReply({503, "{}"});
  const Status status = Provider()->SendLearningFeedback(scope_, feedback);
  EXPECT_EQ(status.code(), ErrorCode::kAiUnavailable);
  EXPECT_TRUE(status.retryable());
}

TEST_F(PlatformAiTest, LearningFeedbackWithoutAnInteractionOrWithABadRatingIsRefused) {
  LearningFeedback feedback;
  feedback.helpful_rating = 3;
  EXPECT_EQ(Provider()->SendLearningFeedback(scope_, feedback).code(), ErrorCode::kInvalidArgument);
  feedback.interaction_id = "int_1";
  feedback.helpful_rating = 6;
  const Status status = Provider()->SendLearningFeedback(scope_, feedback);
  ASSERT_EQ(status.field_errors().size(), 1u);
  EXPECT_EQ(status.field_errors()[0].field, "helpful_rating");
  EXPECT_TRUE(server_.requests().empty());
}

TEST_F(PlatformAiTest, RecommendedQuestionsAreReadFromSeveralShapes) {
  auto provider = Provider();
  server_.AlwaysReply({200, Envelope(R"({"questions":["如何重置密码？","如何申请VPN？","第三个"]})")});
  auto questions = provider->RecommendedQuestions(scope_, ArticleLang::zh, 2);
  ASSERT_TRUE(questions.ok()) << Describe(questions);
  EXPECT_EQ(*questions, (std::vector<std::string>{"如何重置密码？", "如何申请VPN？"}));
  const RecordedRequest request = server_.requests().at(0);
  EXPECT_EQ(request.method, "GET");
  EXPECT_EQ(request.target, "/api/v1/ai/recommendations?lang=zh&limit=2");
  EXPECT_EQ(request.header("x-user-id"), "42");

  server_.AlwaysReply(
      {200, Envelope(R"([{"question":"How do I reset my password?"},"Where is my invoice?",7])")});
  questions = provider->RecommendedQuestions(scope_, ArticleLang::en, 5);
  ASSERT_TRUE(questions.ok()) << Describe(questions);
  EXPECT_EQ(*questions, (std::vector<std::string>{"How do I reset my password?", "Where is my invoice?"}));
  EXPECT_EQ(server_.requests().at(1).target, "/api/v1/ai/recommendations?lang=en&limit=5");
}

TEST_F(PlatformAiTest, RecommendedQuestionsWithoutAListAreABadAnswer) {
  server_.AlwaysReply({200, Envelope(R"({"questions":"not a list"})")});
  auto questions = Provider()->RecommendedQuestions(scope_, ArticleLang::zh, 5);
  EXPECT_EQ(questions.status().code(), ErrorCode::kAiUnavailable);
  EXPECT_TRUE(questions.status().retryable());
  EXPECT_EQ(Provider()->RecommendedQuestions(scope_, ArticleLang::zh, 0).status().code(),
            ErrorCode::kInvalidArgument);
}

TEST_F(PlatformAiTest, SentimentIsPostedAndClamped) {
  auto provider = Provider();
  server_.AlwaysReply({200, Envelope(R"({"sentiment_score":-0.6,"label":"negative"})")});
  auto score = provider->AnalyzeSentiment(scope_, "太慢了，一直连不上", ArticleLang::zh);
  ASSERT_TRUE(score.ok()) << Describe(score);
  ASSERT_TRUE(score->has_value());
  EXPECT_DOUBLE_EQ(**score, -0.6);
  const RecordedRequest request = server_.requests().at(0);
  EXPECT_EQ(request.target, "/api/v1/ai/sentiment-analysis");
  EXPECT_EQ(boost::json::parse(request.body),
            boost::json::parse(R"({"text":"太慢了，一直连不上","lang":"zh"})"));

  server_.AlwaysReply({200, Envelope(R"({"score":3})")});
  score = provider->AnalyzeSentiment(scope_, "great", ArticleLang::en);
  ASSERT_TRUE(score.ok()) << Describe(score);
  EXPECT_DOUBLE_EQ(score->value(), 1.0);
}

TEST_F(PlatformAiTest, SentimentWithoutAScoreIsABadAnswer) {
  server_.AlwaysReply({200, Envelope(R"({"sentiment_score":"negative"})")});
  auto score = Provider()->AnalyzeSentiment(scope_, "bad", ArticleLang::en);
  EXPECT_EQ(score.status().code(), ErrorCode::kAiUnavailable);
  EXPECT_TRUE(score.status().retryable());
}

TEST(PlatformAiOptionsTest, RefusesUnusableOptions) {
  PlatformAiOptions options;
  options.api_key = "two words";
  options.timeout_ms = 0;
  options.connect_timeout_ms = 600'001;
  const std::vector<FieldError> errors = Validate(options);
  ASSERT_EQ(errors.size(), 4u);
  EXPECT_EQ(errors[0], (FieldError{"base_url", field_code::kRequired, {}}));
  EXPECT_EQ(errors[1], (FieldError{"api_key", field_code::kInvalid, {}}));
  EXPECT_EQ(errors[2],
            (FieldError{"timeout_ms", field_code::kOutOfRange, {{"min", "1"}, {"max", "600000"}}}));
  EXPECT_EQ(errors[3].field, "connect_timeout_ms");
  EXPECT_EQ(CreatePlatformAi(options).status().code(), ErrorCode::kInvalidArgument);

  options = PlatformAiOptions{};
  options.base_url = "ftp://platform.example.com";
  ASSERT_EQ(Validate(options).size(), 1u);
  EXPECT_EQ(Validate(options)[0], (FieldError{"base_url", field_code::kInvalid, {}}));
  options.base_url = "https://platform.example.com/";
  EXPECT_TRUE(Validate(options).empty());
}

}  // namespace
}  // namespace selfservice

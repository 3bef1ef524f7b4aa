// The OpenAI-compatible adapter against a stand-in chat-completions server on 127.0.0.1: the
// prompt built from the retrieved articles, citations mapped to related articles, the confidence,
// and the mapping of every failure to 20001 with its AiFailure.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "ai/openai_prompt.hpp"
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

constexpr const char* kKey = "sk-openai-s3cr3t-key";

// A chat-completions answer whose first choice says `content`.
std::string Completion(const std::string& content, const std::string& finish_reason = "stop") {
  boost::json::object message{{"role", "assistant"}, {"content", content}};
  boost::json::object choice{{"index", 0}, {"message", message}, {"finish_reason", finish_reason}};
  boost::json::object body{
      {"id", "chatcmpl-1"}, {"object", "chat.completion"}, {"choices", boost::json::array{choice}}};
  return boost::json::serialize(body);
}

RetrievedArticle Article(std::int64_t id, std::string title, std::string body, double coverage) {
  RetrievedArticle article;
  article.hit.id = id;
  article.hit.external_id = "kb-" + std::to_string(id);
  article.hit.title = std::move(title);
  article.hit.url = "/knowledge/" + std::to_string(id);
  article.hit.category = "网络故障";
  article.hit.score = coverage * 10;
  article.hit.coverage = coverage;
  article.body = std::move(body);
  return article;
}

AiQuestion Question(ArticleLang lang = ArticleLang::zh) {
  AiQuestion question;
  question.lang = lang;
  question.question = lang == ArticleLang::zh ? "服务器连接不上怎么办？" : "The server cannot be reached";
  question.previous_questions = {"网络问题", "服务器状态"};
  question.retrieved = {Article(101, "服务器连接故障排查指南", "1. 用 ping 检查网络。2. 检查防火墙。", 0.8),
                        Article(102, "防火墙配置", "开放 443 端口。", 0.4),
                        Article(103, "VPN 常见问题", "重新登录 VPN 客户端。", 0.2),
                        Article(104, "第四篇", "不进提示词。", 0.1)};
  question.retrieval_confidence = 0.6;
  return question;
}

boost::json::object SentBody(const RecordedRequest& request) {
  return boost::json::parse(request.body).as_object();
}
std::string SystemPrompt(const RecordedRequest& request) {
  return std::string(SentBody(request).at("messages").as_array().at(0).at("content").as_string());
}
std::string UserPrompt(const RecordedRequest& request) {
  return std::string(SentBody(request).at("messages").as_array().at(1).at("content").as_string());
}

class OpenAiChatTest : public ::testing::Test {
 protected:
  OpenAiOptions Options(std::string url) {
    OpenAiOptions options;
    options.base_url = std::move(url);
    options.api_key = kKey;
    options.model = "qwen2.5-7b-instruct";
    options.timeout_ms = 2000;
    return options;
  }
  std::unique_ptr<AiProvider> Provider(const OpenAiOptions& options) {
    auto provider = CreateOpenAiChat(options);
    EXPECT_TRUE(provider.ok()) << Describe(provider);
    return std::move(provider).value();
  }
  std::unique_ptr<AiProvider> Provider() { return Provider(Options(server_.url() + "/v1/")); }

  Result<AiAnswer> Ask(AiProvider& provider, const AiQuestion& question = Question()) {
    failure_ = AiFailure::kNone;
    return provider.Ask(scope_, question, failure_);
  }

  Scope scope_{test::User(7, 3, 42)};
  FakeHttpServer server_;
  AiFailure failure_ = AiFailure::kNone;
};

TEST_F(OpenAiChatTest, PostsAChatCompletionWithTheArticlesInAChinesePrompt) {
  server_.AlwaysReply({200, Completion("先用 ping 检查网络 [#101]。")});
  auto provider = Provider();
  EXPECT_EQ(provider->name(), "openai");
  auto answer = Ask(*provider);
  ASSERT_TRUE(answer.ok()) << Describe(answer);

  const RecordedRequest request = server_.requests().at(0);
  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(request.target, "/v1/chat/completions");
  EXPECT_EQ(request.header("authorization"), std::string("Bearer ") + kKey);
  EXPECT_EQ(request.header("content-type"), "application/json");
  const boost::json::object body = SentBody(request);
  EXPECT_EQ(body.at("model"), "qwen2.5-7b-instruct");
  EXPECT_EQ(body.at("stream"), false);
  EXPECT_EQ(body.at("max_tokens"), 512);
  EXPECT_EQ(body.at("temperature").to_number<double>(), 0.0);
  const boost::json::array& messages = body.at("messages").as_array();
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(messages[0].at("role"), "system");
  EXPECT_EQ(messages[1].at("role"), "user");

  const std::string system = SystemPrompt(request);
  EXPECT_NE(system.find("只根据"), std::string::npos) << system;
  EXPECT_NE(system.find("[#123]"), std::string::npos) << system;
  EXPECT_NE(system.find(ai::openai::kNoAnswerMarker), std::string::npos) << system;
  const std::string user = UserPrompt(request);
  EXPECT_NE(user.find("知识库文章"), std::string::npos) << user;
  EXPECT_NE(user.find("[#101] 服务器连接故障排查指南"), std::string::npos) << user;
  EXPECT_NE(user.find("1. 用 ping 检查网络。"), std::string::npos) << user;
  EXPECT_NE(user.find("[#102]"), std::string::npos) << user;
  EXPECT_NE(user.find("[#103]"), std::string::npos) << user;
  EXPECT_EQ(user.find("[#104]"), std::string::npos) << user;  // context_articles = 3
  EXPECT_NE(user.find("- 网络问题"), std::string::npos) << user;
  EXPECT_NE(user.find("客户的问题：服务器连接不上怎么办？"), std::string::npos) << user;
}

TEST_F(OpenAiChatTest, AnEnglishQuestionGetsAnEnglishPromptAndNoKeyNoAuthorization) {
  server_.AlwaysReply({200, Completion("Check the network [#101].")});
  OpenAiOptions options = Options(server_.url() + "/v1");
  options.api_key.clear();
  options.context_articles = 1;
  options.temperature = 0.3;
  options.max_tokens = 64;
  ASSERT_TRUE(Ask(*Provider(options), Question(ArticleLang::en)).ok());
  const RecordedRequest request = server_.requests().at(0);
  EXPECT_EQ(request.headers.count("authorization"), 0u);
  EXPECT_NE(SystemPrompt(request).find("using only the knowledge base articles"), std::string::npos);
  const std::string user = UserPrompt(request);
  EXPECT_NE(user.find("Customer's question: The server cannot be reached"), std::string::npos) << user;
  EXPECT_NE(user.find("[#101]"), std::string::npos) << user;
  EXPECT_EQ(user.find("[#102]"), std::string::npos) << user;
  EXPECT_EQ(SentBody(request).at("max_tokens"), 64);
  EXPECT_DOUBLE_EQ(SentBody(request).at("temperature").to_number<double>(), 0.3);
}

TEST_F(OpenAiChatTest, LongBodiesAreCutOnACharacterBoundary) {
  server_.AlwaysReply({200, Completion("很长 [#101]")});
  AiQuestion question = Question();
  question.retrieved[0].body.clear();
  for (int i = 0; i < 2000; ++i) question.retrieved[0].body += "长";  // 3 bytes each
  ASSERT_TRUE(Ask(*Provider(), question).ok());
  const std::string user = UserPrompt(server_.requests().at(0));  // parsing proves it is valid UTF-8
  EXPECT_LT(user.size(), 3 * ai::openai::kArticleBytes);
  EXPECT_NE(user.find("长…"), std::string::npos);
}

TEST_F(OpenAiChatTest, CitedArticlesComeFirstAndTheMarkersAreRemoved) {
  server_.AlwaysReply(
      {200, Completion("开放 443 端口 [#102]，然后用 ping 检查 [#101, #999]。再看 [#102]。")});
  auto answer = Ask(*Provider());
  ASSERT_TRUE(answer.ok()) << Describe(answer);
  EXPECT_EQ(failure_, AiFailure::kNone);
  EXPECT_EQ(answer->answer, "开放 443 端口，然后用 ping 检查。再看。");
  ASSERT_EQ(answer->related_articles.size(), 4u);
  EXPECT_EQ(answer->related_articles[0].id, 102);
  EXPECT_EQ(answer->related_articles[1].id, 101);
  EXPECT_EQ(answer->related_articles[2].id, 103);
  EXPECT_EQ(answer->related_articles[3].id, 104);
  EXPECT_EQ(answer->related_articles[0].external_id, "kb-102");
  EXPECT_EQ(answer->related_articles[0].url, "/knowledge/102");
  EXPECT_GT(answer->related_articles[1].relevance, answer->related_articles[2].relevance);
  EXPECT_EQ(answer->source_article_id, 102);
  // r + (1 − r)·0.5·s with r = 0.6 and s = 0.8 (article 101's coverage).
  EXPECT_DOUBLE_EQ(answer->confidence, 0.6 + 0.4 * 0.5 * 0.8);
}

TEST_F(OpenAiChatTest, UnknownIdsAreIgnoredAndAnAnswerWithoutCitationsIsLessSure) {
  server_.AlwaysReply({200, Completion("Restart the server [#555].")});
  auto answer = Ask(*Provider());
  ASSERT_TRUE(answer.ok()) << Describe(answer);
  EXPECT_EQ(answer->answer, "Restart the server.");
  EXPECT_FALSE(answer->source_article_id.has_value());
  EXPECT_EQ(answer->related_articles.at(0).id, 101);  // retrieval order
  EXPECT_DOUBLE_EQ(answer->confidence, 0.5 * 0.6);
}

TEST_F(OpenAiChatTest, TheNoAnswerMarkerLowersConfidenceStrongly) {
  server_.AlwaysReply({200, Completion(std::string(ai::openai::kNoAnswerMarker))});
  auto answer = Ask(*Provider());
  ASSERT_TRUE(answer.ok()) << Describe(answer);
  EXPECT_EQ(failure_, AiFailure::kNone);
  EXPECT_EQ(answer->answer, "抱歉，知识库中没有找到这个问题的答案。");
  EXPECT_DOUBLE_EQ(answer->confidence, 0.1 * 0.6);
  EXPECT_FALSE(answer->source_article_id.has_value());
  EXPECT_EQ(answer->related_articles.size(), 4u);  // the search results are still worth showing
}

TEST_F(OpenAiChatTest, AnAnswerCutAtMaxTokensIsKeptButLessSure) {
  server_.AlwaysReply({200, Completion("1. 用 ping 检查网络 [#101]\n2. 检查", "length")});
  auto answer = Ask(*Provider());
  ASSERT_TRUE(answer.ok()) << Describe(answer);
  EXPECT_EQ(answer->answer, "1. 用 ping 检查网络\n2. 检查");
  EXPECT_DOUBLE_EQ(answer->confidence, 0.8 * (0.6 + 0.4 * 0.5 * 0.8));
}

TEST_F(OpenAiChatTest, AReasoningBlockIsNotPartOfTheAnswer) {
  server_.AlwaysReply({200, Completion("<think>the user wants [#103]</think>\n\n检查防火墙 [#102]。")});
  auto answer = Ask(*Provider());
  ASSERT_TRUE(answer.ok()) << Describe(answer);
  EXPECT_EQ(answer->answer, "检查防火墙。");
  EXPECT_EQ(answer->source_article_id, 102);
}

TEST_F(OpenAiChatTest, WithoutRetrievedArticlesTheModelIsNotAsked) {
  AiQuestion question = Question(ArticleLang::en);
  question.retrieved.clear();
  auto answer = Ask(*Provider(), question);
  ASSERT_TRUE(answer.ok()) << Describe(answer);
  EXPECT_EQ(answer->confidence, 0.0);
  EXPECT_TRUE(server_.requests().empty());
}

struct ErrorCase {
  const char* name;
  Reply reply;
  AiFailure failure;
  bool retryable;
  const char* in_detail;
};

class OpenAiErrorTest : public OpenAiChatTest, public ::testing::WithParamInterface<ErrorCase> {};

TEST_P(OpenAiErrorTest, EveryFailureIsA20001OfItsKind) {
  server_.AlwaysReply(GetParam().reply);
  OpenAiOptions options = Options(server_.url() + "/v1");
  options.timeout_ms = 200;
  auto answer = Ask(*Provider(options));
  ASSERT_FALSE(answer.ok());
  EXPECT_EQ(answer.status().code(), ErrorCode::kAiUnavailable) << Describe(answer);
  EXPECT_EQ(failure_, GetParam().failure) << Describe(answer);
  EXPECT_EQ(answer.status().retryable(), GetParam().retryable) << Describe(answer);
  EXPECT_TRUE(CountsAsFailure(answer.status()));
  EXPECT_NE(answer.status().detail().find(GetParam().in_detail), std::string::npos) << Describe(answer);
  EXPECT_EQ(answer.status().detail().find(kKey), std::string::npos) << Describe(answer);
}

INSTANTIATE_TEST_SUITE_P(
    Answers, OpenAiErrorTest,
    ::testing::Values(
        ErrorCase{"timeout",
                  {200, Completion("late [#101]"), "application/json", 1000},
                  AiFailure::kTimeout,
                  true,
                  "openai chat"},
        ErrorCase{"http500",
                  {500, R"({"error":{"message":"CUDA out of memory","type":"server_error"}})"},
                  AiFailure::kUnavailable,
                  true,
                  "CUDA out of memory"},
        ErrorCase{"http503", {503, "<html>loading model</html>"}, AiFailure::kUnavailable, true, "HTTP 503"},
        ErrorCase{
            "http429",
            {429,
             R"({"error":{"message":"Rate limit reached","type":"requests","code":"rate_limit_exceeded"}})"},
            AiFailure::kUnavailable,
            true,
            "Rate limit reached"},
        ErrorCase{
            "http401",
            {401,
             R"({"error":{"message":"Incorrect API key provided: sk-ope***key","type":"invalid_request_error"}})"},
            AiFailure::kUnavailable,
            false,
            "refuses our API key"},
        ErrorCase{"http403", {403, "{}"}, AiFailure::kUnavailable, false, "HTTP 403"},
        ErrorCase{"context_too_long",
                  {400, R"({"error":{"message":"This model's maximum context length is 4096 tokens.",
                      "type":"invalid_request_error","code":"context_length_exceeded"}})"},
                  AiFailure::kUnavailable,
                  false,
                  "too long"},
        ErrorCase{"llama_context_too_long",
                  {400, R"({"error":{"code":400,"message":"the request exceeds the available context size",
                      "type":"exceed_context_size_error"}})"},
                  AiFailure::kUnavailable,
                  false,
                  "too long"},
        ErrorCase{"ollama_no_model",
                  {404, R"({"error":"model 'qwen2.5-7b-instruct' not found"})"},
                  AiFailure::kUnavailable,
                  false,
                  "not found"},
        ErrorCase{"malformed", {200, "<html>not json"}, AiFailure::kBadResponse, true, "not JSON"},
        ErrorCase{"truncated",
                  {200, Completion("先检查网络 [#101]"), "application/json", 0, true},
                  AiFailure::kBadResponse,
                  true,
                  "openai chat"},
        ErrorCase{
            "no_choices", {200, R"({"id":"x","choices":[]})"}, AiFailure::kBadResponse, true, "no choices"},
        ErrorCase{"choices_missing", {200, R"({"id":"x"})"}, AiFailure::kBadResponse, true, "no choices"},
        ErrorCase{"content_not_a_string",
                  {200, R"({"choices":[{"message":{"content":42}}]})"},
                  AiFailure::kBadResponse,
                  true,
                  "content"},
        ErrorCase{"empty_content", {200, Completion("  ")}, AiFailure::kBadResponse, true, "empty"},
        ErrorCase{"only_citations", {200, Completion("[#101]")}, AiFailure::kBadResponse, true, "citations"},
        ErrorCase{"unfinished_reasoning",
                  {200, Completion("<think>hmm", "length")},
                  AiFailure::kBadResponse,
                  true,
                  "empty"}),
    [](const ::testing::TestParamInfo<ErrorCase>& param) { return std::string(param.param.name); });

TEST_F(OpenAiChatTest, AClosedPortIsUnavailableAndRetryable) {
  auto answer = Ask(*Provider(Options(test::ClosedPortUrl() + "/v1")));
  EXPECT_EQ(answer.status().code(), ErrorCode::kAiUnavailable);
  EXPECT_TRUE(answer.status().retryable());
  EXPECT_EQ(failure_, AiFailure::kUnavailable);
}

TEST_F(OpenAiChatTest, TheKeyNeverAppearsInADetailEvenWhenEchoed) {
  server_.AlwaysReply({500, std::string(R"({"error":{"message":"bad header Bearer )") + kKey + R"("}})"});
  auto answer = Ask(*Provider());
  EXPECT_EQ(answer.status().detail().find(kKey), std::string::npos) << answer.status().detail();
  EXPECT_NE(answer.status().detail().find("***"), std::string::npos) << answer.status().detail();
}

TEST_F(OpenAiChatTest, TheServicesItDoesNotOfferAnswerEmpty) {
  auto provider = Provider();
  EXPECT_TRUE(provider->SendLearningFeedback(scope_, LearningFeedback{}).ok());
  auto questions = provider->RecommendedQuestions(scope_, ArticleLang::zh, 5);
  ASSERT_TRUE(questions.ok());
  EXPECT_TRUE(questions->empty());
  auto sentiment = provider->AnalyzeSentiment(scope_, "great", ArticleLang::en);
  ASSERT_TRUE(sentiment.ok());
  EXPECT_FALSE(sentiment->has_value());
  EXPECT_TRUE(server_.requests().empty());
}

TEST(OpenAiOptionsTest, RefusesUnusableOptions) {
  OpenAiOptions options;
  options.base_url = "http://user:pw@127.0.0.1:8080/v1";
  options.timeout_ms = 600'001;
  options.max_tokens = 0;
  options.temperature = 2.5;
  options.context_articles = 11;
  const std::vector<FieldError> errors = Validate(options);
  std::vector<std::string> fields;
  for (const FieldError& error : errors) fields.push_back(error.field);
  EXPECT_EQ(fields, (std::vector<std::string>{"base_url", "timeout_ms", "model", "max_tokens", "temperature",
                                              "context_articles"}));
  EXPECT_EQ(errors[2].code, field_code::kRequired);
  EXPECT_EQ(errors[3], (FieldError{"max_tokens", field_code::kOutOfRange, {{"min", "1"}, {"max", "32768"}}}));
  EXPECT_EQ(errors[4], (FieldError{"temperature", field_code::kOutOfRange, {{"min", "0"}, {"max", "2"}}}));
  EXPECT_EQ(CreateOpenAiChat(options).status().code(), ErrorCode::kInvalidArgument);

  options = OpenAiOptions{};
  options.base_url = "http://127.0.0.1:8080/v1";
  options.model = "llama3";
  EXPECT_TRUE(Validate(options).empty());
  options.temperature = -0.1;
  EXPECT_EQ(Validate(options).at(0).field, "temperature");
}

TEST(OpenAiReplyTest, ReadsEveryCitationForm) {
  const ai::openai::Reply reply =
      ai::openai::ReadReply("A [#3][#1]; B 【#2】, C [#1，#4] D [#x] [1]", {1, 2, 3});
  EXPECT_EQ(reply.cited, (std::vector<std::int64_t>{3, 1, 2}));
  EXPECT_EQ(reply.text, "A; B, C D [#x] [1]");
  EXPECT_FALSE(reply.no_answer);
}

}  // namespace
}  // namespace selfservice

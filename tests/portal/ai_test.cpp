// ai.* through the string API, with each provider the options can name: the embedded answerer, and
// the platform's AI (REQ-013) and an OpenAI-compatible server impersonated by a stand-in server on
// 127.0.0.1. Whatever the provider does (answers, is slow, fails, answers garbage, is not there),
// the customer gets an answer or the search results with the reason, never an error; the
// breaker opens within 5 calls; learning feedback that cannot be sent waits in the outbox.

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "remote_test_support.hpp"
#include "support/fake_http_server.hpp"

namespace selfservice::test {
namespace {

constexpr std::string_view kKey = "ai-secret-key";

// What the platform's AI (REQ-013) answers to POST /api/v1/ai/chat: spec 4.2's response, naming
// the knowledge base's article "kb-nginx" (which the portal holds under that external id) and one
// it does not hold.
std::string PlatformAnswer(double confidence = 0.92) {
  return R"({"code":200,"message":"问答成功","data":{"answer":"Free port 80, then start nginx again.",
    "confidence":)" +
         std::to_string(confidence) + R"(,"related_articles":[{"id":"kb-nginx","title":"Nginx fails to start",
    "url":"/knowledge/kb-nginx","relevance":0.95,"category":"web"},{"id":"kb-elsewhere","title":"Elsewhere",
    "relevance":0.4}],"suggested_actions":[{"action":"Check the port","priority":1,"description":"ss -ltnp"}],
    "follow_up_questions":["How do I read nginx logs?"]}})";
}

std::string OpenAiAnswer(const std::string& content) {
  json::object message{{"role", "assistant"}, {"content", content}};
  json::object choice{{"index", 0}, {"message", message}, {"finish_reason", "stop"}};
  return json::serialize(json::object{{"id", "chatcmpl-1"}, {"object", "chat.completion"},
                                      {"choices", json::array{choice}}});
}

struct FailureCase {
  const char* name;
  Reply reply;
  const char* reason;
};

// Every way a provider fails, as its stand-in answers it (timeout_ms is 300 in these portals).
std::vector<FailureCase> Failures() {
  return {{"slow", {200, "{}", "application/json", 1000, false}, "timeout"},
          {"500", {500, R"({"code":20001,"message":"model crashed"})"}, "unavailable"},
          {"429", {429, R"({"code":10005,"message":"slow down"})"}, "unavailable"},
          {"malformed", {200, R"({"code":200,"data":{"answer":)"}, "bad_response"},
          {"truncated", {200, std::string(2000, ' ') + "{}", "application/json", 0, true}, "bad_response"},
          {"wrong shape", {200, R"({"code":200,"data":{"answer":42,"choices":7}})"}, "bad_response"}};
}

class AiTest : public ::testing::Test {
 protected:
  // A portal with `ai` as its "ai" option (empty: none, the embedded answerer), holding three
  // articles.
  void Open(const std::string& ai) {
    std::string options = R"({"log_level": "off")";
    if (!ai.empty()) options += R"(, "ai": )" + ai;
    options += "}";
    portal_ = std::make_unique<OptionsPortal>(options);
    ASSERT_TRUE(portal_->ok());
    json::array articles{
        json::object{{"id", "kb-nginx"}, {"lang", "en"}, {"title", "Nginx fails to start"},
                     {"body", "When nginx fails to start, another program holds port 80. Find it with ss -ltnp "
                              "and stop it, then run systemctl restart nginx."},
                     {"category", "web"}, {"tags", json::array{"nginx"}}, {"url", "/kb/nginx"}},
        json::object{{"id", "kb-wifi"}, {"lang", "en"}, {"title", "Wireless connection keeps dropping"},
                     {"body", "Disable wireless power saving with iw dev wlan0 set power_save off."},
                     {"category", "network"}},
        json::object{{"id", "kb-zh"}, {"lang", "zh"}, {"title", "服务器连不上怎么办"},
                     {"body", "先用 ping 检查网络，再检查防火墙是否放行端口。"}, {"category", "网络"}}};
    const json::object imported =
        portal_->Data("knowledge.import", CustomerAdmin(), json::object{{"articles", articles}});
    ASSERT_EQ(imported.at("imported").as_int64(), 3);
  }

  std::string Req013(const std::string& url) const {
    return R"({"provider": "req013", "base_url": ")" + url + R"(", "api_key": ")" + std::string(kKey) +
           R"(", "timeout_ms": 300})";
  }
  std::string OpenAi(const std::string& url) const {
    return R"({"provider": "openai", "base_url": ")" + url + R"(/v1", "model": "tiny", "timeout_ms": 300})";
  }

  json::object Ask(std::string_view question, const Caller& caller = User().WithLocale("en-US")) {
    return portal_->Data("ai.chat", caller, json::object{{"question", question}});
  }

  std::int64_t ArticleId(std::string_view external_id) {
    const json::object listed = portal_->Call("knowledge.list", CustomerAdmin(), json::object{{"size", 100}});
    for (const auto& item : listed.at("data").as_array()) {
      if (item.at("external_id") == json::value(external_id)) return item.at("id").as_int64();
    }
    return 0;
  }

  // The data of a search_results answer that stood in for a failed provider.
  void ExpectFallback(const json::object& data, std::string_view reason, const std::string& label) {
    EXPECT_EQ(data.at("mode"), "search_results") << label;
    EXPECT_EQ(data.at("degraded"), true) << label;
    EXPECT_EQ(data.at("fallback_reason"), json::value(reason)) << label;
    EXPECT_EQ(data.at("backend"), "search") << label;
    EXPECT_TRUE(data.at("answer").is_null()) << label;
    EXPECT_TRUE(data.at("confidence").is_number()) << label;
    ASSERT_FALSE(data.at("related_articles").as_array().empty()) << label;
    const json::value& first = data.at("related_articles").at(0);
    EXPECT_EQ(first.at("external_id"), "kb-nginx") << label;
    EXPECT_EQ(first.at("id").as_int64(), ArticleId("kb-nginx")) << label;
    EXPECT_GT(data.at("interaction_id").as_int64(), 0) << label;
  }

  FakeHttpServer server_;
  std::unique_ptr<OptionsPortal> portal_;
};

// --- The embedded answerer ------------------------------------------------------------------------

TEST_F(AiTest, TheEmbeddedAnswererAnswersFromTheBestArticleWithEverySpecField) {
  Open("");
  const json::object data = Ask("nginx fails to start");
  EXPECT_EQ(data.at("mode"), "answer") << data;
  EXPECT_EQ(data.at("backend"), "local");
  EXPECT_EQ(data.at("degraded"), false);
  EXPECT_TRUE(data.at("fallback_reason").is_null());
  EXPECT_NE(std::string(data.at("answer").as_string()).find("port 80"), std::string::npos) << data;
  EXPECT_GE(data.at("confidence").as_double(), 0.7);
  EXPECT_EQ(data.at("source_article_id").as_int64(), ArticleId("kb-nginx"));
  EXPECT_TRUE(std::string(data.at("session_id").as_string()).starts_with("sess_"));
  EXPECT_GT(data.at("interaction_id").as_int64(), 0);
  EXPECT_GE(data.at("response_time").as_int64(), 0);
  EXPECT_EQ(data.at("related_articles").at(0).at("external_id"), "kb-nginx");
  EXPECT_TRUE(data.at("suggested_actions").is_array());
  EXPECT_TRUE(data.at("follow_up_questions").is_array());
  EXPECT_TRUE(data.at("suggest_ticket").is_bool());

  // The conversation goes on in the same session, and ai.history shows it.
  const json::object next = portal_->Data(
      "ai.chat", User().WithLocale("en-US"),
      json::object{{"question", "and the wifi?"}, {"context", json::object{{"session_id", data.at("session_id")}}}});
  EXPECT_EQ(next.at("session_id"), data.at("session_id"));
  const json::object history = portal_->Call("ai.history", User(), json::object{{"session_id", data.at("session_id")}});
  ASSERT_TRUE(IsSuccess(history));
  EXPECT_EQ(history.at("data").as_array().size(), 2u);
  EXPECT_EQ(history.at("pagination").at("total").as_int64(), 2);
  const json::object sessions = portal_->Call("ai.history", User(), json::object{});
  ASSERT_TRUE(IsSuccess(sessions));
  EXPECT_EQ(sessions.at("data").as_array().size(), 1u);
  EXPECT_EQ(portal_->Call("ai.history", User(1, 10, 999), json::object{{"session_id", data.at("session_id")}})
                .at("code"),
            10004);
}

TEST_F(AiTest, AQuestionTheKnowledgeDoesNotCoverGetsTheSearchResults) {
  Open("");
  const json::object data = Ask("oracle listener ORA-12541 after kubernetes upgrade");
  EXPECT_EQ(data.at("mode"), "search_results") << data;
  EXPECT_EQ(data.at("fallback_reason"), "low_confidence");
  EXPECT_EQ(data.at("degraded"), false);
  EXPECT_LT(data.at("confidence").as_double(), 0.7);
}

TEST_F(AiTest, BadRequestsAnswer10001WithTheFieldAndStoreNothing) {
  Open("");
  json::object answer = portal_->Call("ai.chat", User(), json::object{{"question", std::string(2001, 'a')}});
  EXPECT_TRUE(IsError(answer, 10001));
  EXPECT_TRUE(HasFieldError(answer, "question", "FIELD_TOO_LONG"));
  answer = portal_->Call("ai.chat", User(), json::object{{"question", "  "}});
  EXPECT_TRUE(HasFieldError(answer, "question", "FIELD_REQUIRED"));
  answer = portal_->Call("ai.chat", User(),
                         json::object{{"question", "nginx"}, {"options", json::object{{"max_results", 21},
                                                                                      {"confidence_threshold", 2}}}});
  EXPECT_TRUE(HasFieldError(answer, "options.max_results", "OUT_OF_RANGE"));
  EXPECT_TRUE(HasFieldError(answer, "options.confidence_threshold", "OUT_OF_RANGE"));
  answer = portal_->Call("ai.chat", User(),
                         json::object{{"question", "nginx"}, {"context", json::object{{"session_id", "sess_none"}}}});
  EXPECT_TRUE(IsError(answer, 10004));
  answer = portal_->Call("ai.feedback", User(), json::object{{"interaction_id", 1}, {"helpful_rating", 6}});
  EXPECT_TRUE(HasFieldError(answer, "helpful_rating", "OUT_OF_RANGE"));
  EXPECT_EQ(portal_->Call("ai.history", User(), json::object{}).at("pagination").at("total").as_int64(), 0);
}

// --- The platform's AI (REQ-013) ------------------------------------------------------------------

TEST_F(AiTest, TheRequest013AnswerIsUsedAndItsArticlesMappedToThePortals) {
  server_.AlwaysReply({200, PlatformAnswer()});
  Open(Req013(server_.url()));
  const json::object data = Ask("nginx fails to start");
  EXPECT_EQ(data.at("mode"), "answer") << data;
  EXPECT_EQ(data.at("backend"), "req013");
  EXPECT_EQ(data.at("answer"), "Free port 80, then start nginx again.");
  EXPECT_DOUBLE_EQ(data.at("confidence").as_double(), 0.92);
  const json::array& related = data.at("related_articles").as_array();
  ASSERT_EQ(related.size(), 2u);
  EXPECT_EQ(related[0].at("external_id"), "kb-nginx");
  EXPECT_EQ(related[0].at("id").as_int64(), ArticleId("kb-nginx"));
  EXPECT_EQ(related[1].at("external_id"), "kb-elsewhere");
  EXPECT_TRUE(related[1].at("id").is_null());  // the portal does not hold it
  const RecordedRequest sent = server_.requests().at(0);
  EXPECT_EQ(sent.target, "/api/v1/ai/chat");
  EXPECT_EQ(sent.header("authorization"), "Bearer " + std::string(kKey));
  EXPECT_EQ(json::parse(sent.body).at("question"), "nginx fails to start");
}

TEST_F(AiTest, EveryRequest013FailureFallsBackToSearchWithItsReason) {
  for (const auto& failure : Failures()) {
    FakeHttpServer server;
    server.AlwaysReply(failure.reply);
    Open(Req013(server.url()));
    ExpectFallback(Ask("nginx fails to start"), failure.reason, failure.name);
  }
  Open(Req013(ClosedPortUrl()));
  ExpectFallback(Ask("nginx fails to start"), "unavailable", "connection refused");
}

TEST_F(AiTest, AnUnsureRequest013AnswerGivesTheSearchResults) {
  server_.AlwaysReply({200, PlatformAnswer(0.35)});
  Open(Req013(server_.url()));
  const json::object data = Ask("nginx fails to start");
  EXPECT_EQ(data.at("mode"), "search_results");
  EXPECT_EQ(data.at("fallback_reason"), "low_confidence");
  EXPECT_EQ(data.at("degraded"), false);
  EXPECT_EQ(data.at("backend"), "req013");
  EXPECT_DOUBLE_EQ(data.at("confidence").as_double(), 0.35);
  EXPECT_EQ(data.at("related_articles").at(0).at("external_id"), "kb-nginx");
}

TEST_F(AiTest, ADeadPlatformOpensTheBreakerWithinFiveCallsAndIsThenLeftAlone) {
  server_.AlwaysReply({503, "{}"});
  Open(Req013(server_.url()));
  for (int i = 0; i < 5; ++i) ExpectFallback(Ask("nginx fails to start"), "unavailable", "call " + std::to_string(i));
  const std::size_t sent = server_.requests().size();
  ExpectFallback(Ask("nginx fails to start"), "circuit_open", "breaker open");
  EXPECT_EQ(server_.requests().size(), sent);
}

TEST_F(AiTest, LearningFeedbackWaitsInTheOutboxUntilThePlatformIsBack) {
  bool down = false;
  server_.SetHandler([&](const RecordedRequest& request) -> Reply {
    if (request.target.starts_with("/api/v1/ai/learning-feedback")) {
      return down ? Reply{503, "{}"} : Reply{200, R"({"code":200,"message":"success"})"};
    }
    return {200, PlatformAnswer()};
  });
  Open(Req013(server_.url()));
  const json::object answer = Ask("nginx fails to start");
  down = true;
  const json::object rated = portal_->Data(
      "ai.feedback", User(), json::object{{"interaction_id", answer.at("interaction_id")}, {"helpful_rating", 5}});
  EXPECT_EQ(rated.at("interaction").at("helpful_rating"), 5);
  EXPECT_EQ(rated.at("voted_article_id").as_int64(), ArticleId("kb-nginx"));
  EXPECT_EQ(rated.at("learning_feedback").at("sent"), false);
  EXPECT_EQ(rated.at("learning_feedback").at("queued"), true);
  EXPECT_EQ(rated.at("learning_feedback").at("reason"), "unavailable");
  EXPECT_EQ(portal_->Data("outbox.status", PlatformAdmin(), json::object{}).at("pending").as_int64(), 1);
  EXPECT_TRUE(IsError(portal_->Call("outbox.deliver", User(), json::object{}), 10003));

  down = false;
  // The backoff of the first retry is at most a second.
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  const json::object delivered = portal_->Data("outbox.deliver", PlatformAdmin(), json::object{});
  EXPECT_EQ(delivered.at("delivered").as_int64(), 1) << delivered;
  EXPECT_EQ(delivered.at("outbox").at("pending").as_int64(), 0);
  std::vector<std::string> keys;
  for (const auto& request : server_.requests()) {
    if (request.target.starts_with("/api/v1/ai/learning-feedback")) keys.push_back(request.header("idempotency-key"));
  }
  ASSERT_EQ(keys.size(), 2u);  // the failed attempt and the delivery, with one key
  EXPECT_EQ(keys[0], keys[1]);
  EXPECT_FALSE(keys[0].empty());
}

TEST_F(AiTest, WhenTheCustomerHasNoKeywordSearchAnAiOutageIs20001) {
  Open(Req013(ClosedPortUrl()));
  portal_->Data("portal.config.update", CustomerAdmin(), json::object{{"enabled_features", json::array{"ai_chat"}}});
  const json::object answer = portal_->Call("ai.chat", User(), json::object{{"question", "nginx fails to start"}});
  EXPECT_TRUE(IsError(answer, 20001)) << answer;
}

// --- OpenAI-compatible servers --------------------------------------------------------------------

TEST_F(AiTest, AnOpenAiCompatibleServerAnswersFromTheRetrievedArticlesAndCitesThem) {
  Open(OpenAi(server_.url()));
  const std::int64_t reopened = ArticleId("kb-nginx");
  server_.AlwaysReply({200, OpenAiAnswer("Stop whatever holds port 80, then restart nginx [#" +
                                         std::to_string(reopened) + "].")});
  const json::object data = Ask("nginx fails to start");
  EXPECT_EQ(data.at("mode"), "answer") << data;
  EXPECT_EQ(data.at("backend"), "openai");
  EXPECT_EQ(data.at("source_article_id").as_int64(), reopened);
  EXPECT_EQ(data.at("related_articles").at(0).at("id").as_int64(), reopened);
  const RecordedRequest sent = server_.requests().back();
  EXPECT_EQ(sent.target, "/v1/chat/completions");
  EXPECT_TRUE(sent.header("authorization").empty());  // no api_key, no Authorization
  EXPECT_NE(sent.body.find("[#" + std::to_string(reopened) + "]"), std::string::npos);
}

TEST_F(AiTest, EveryOpenAiFailureFallsBackToSearchWithItsReason) {
  for (const auto& failure : Failures()) {
    FakeHttpServer server;
    server.AlwaysReply(failure.reply);
    Open(OpenAi(server.url()));
    ExpectFallback(Ask("nginx fails to start"), failure.reason, failure.name);
  }
  Open(OpenAi(ClosedPortUrl()));
  ExpectFallback(Ask("nginx fails to start"), "unavailable", "connection refused");
}

// --- Options --------------------------------------------------------------------------------------

TEST_F(AiTest, BadAiOptionsKeepThePortalClosedAndNameEachField) {
  auto has = [](const Status& status, std::string_view field, std::string_view code) {
    for (const auto& error : status.field_errors()) {
      if (error.field == field && error.code == code) return true;
    }
    return false;
  };
  auto open = [](std::string_view options) -> Status {
    auto parsed = PortalOptions::FromJson(options);
    if (!parsed.ok()) return parsed.status();
    return Portal::Open(std::move(parsed).value()).status();
  };
  Status status = open(R"({"ai": {"provider": "gpt"}})");
  EXPECT_TRUE(has(status, "ai.provider", "VALUE_NOT_ALLOWED"));
  status = open(R"({"ai": {"provider": "req013"}})");
  EXPECT_TRUE(has(status, "ai.base_url", "FIELD_REQUIRED"));
  status = open(R"({"ai": {"provider": "openai", "base_url": "http://127.0.0.1:1/v1"}})");
  EXPECT_TRUE(has(status, "ai.model", "FIELD_REQUIRED"));
  status = open(R"({"ai": {"provider": "req013", "base_url": "ftp://x", "timeout_ms": 0}})");
  EXPECT_TRUE(has(status, "ai.base_url", "FIELD_INVALID"));
  EXPECT_TRUE(has(status, "ai.timeout_ms", "OUT_OF_RANGE"));
  status = open(R"({"ai": {"provider": "local", "breaker": {"minimum_number_of_calls": 0}}})");
  EXPECT_TRUE(has(status, "ai.breaker.minimum_number_of_calls", "OUT_OF_RANGE"));
  status = open(R"({"ai": "local"})");
  EXPECT_TRUE(has(status, "ai", "FIELD_INVALID"));
  EXPECT_TRUE(open(R"({"ai": {"provider": "local"}})").ok());
}

}  // namespace
}  // namespace selfservice::test

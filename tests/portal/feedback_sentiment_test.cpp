// feedback.submit's sentiment through the string API, with the platform's AI (REQ-013) played by a
// stand-in server: its score when it answers; the local lexicon when it fails, with a re-analysis
// waiting in the outbox until outbox.deliver finds the platform back (spec 8.2); multi-dimensional
// ratings; and feedback.stats.

#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "remote_test_support.hpp"
#include "support/fake_http_server.hpp"

namespace selfservice::test {
namespace {

std::string SentimentAnswer(double score) {
  return R"({"code":200,"message":"success","data":{"sentiment_score":)" + std::to_string(score) +
         R"(,"label":"negative"}})";
}

json::object Complaint() {
  return json::object{{"feedback_type", "service"},
                      {"related_type", "ticket"},
                      {"related_id", "T-1001"},
                      {"rating", 3},
                      {"ratings", json::object{{"speed", 1}, {"attitude", 4}}},
                      {"feedback_content", "处理太慢了，一直连不上，非常失望"}};
}

class FeedbackSentimentTest : public ::testing::Test {
 protected:
  void Open(bool with_platform) {
    std::string options = R"({"log_level": "off")";
    if (with_platform) {
      options += R"(, "ai": {"provider": "req013", "base_url": ")" + server_.url() + R"(", "timeout_ms": 300})";
    }
    portal_ = std::make_unique<OptionsPortal>(options + "}");
    ASSERT_TRUE(portal_->ok());
  }

  std::int64_t SentimentRequests() const {
    std::int64_t count = 0;
    for (const auto& request : server_.requests()) count += request.target == "/api/v1/ai/sentiment-analysis";
    return count;
  }

  FakeHttpServer server_;
  std::unique_ptr<OptionsPortal> portal_;
};

TEST_F(FeedbackSentimentTest, ThePlatformsScoreIsStoredAndDerivesPriorityAndCallback) {
  server_.AlwaysReply({200, SentimentAnswer(-0.8)});
  Open(true);
  const json::object feedback = portal_->Data("feedback.submit", User(), Complaint());
  EXPECT_EQ(feedback.at("sentiment_score"), -0.8);
  EXPECT_EQ(feedback.at("sentiment_source"), "req013");
  EXPECT_EQ(feedback.at("priority_level"), 1);
  EXPECT_EQ(feedback.at("contact_required"), true);
  EXPECT_EQ(feedback.at("ratings"), (json::object{{"attitude", 4}, {"speed", 1}}));
  EXPECT_EQ(SentimentRequests(), 1);
  const json::value body = json::parse(server_.requests().back().body);
  EXPECT_EQ(body.at("text"), "处理太慢了，一直连不上，非常失望");
}

TEST_F(FeedbackSentimentTest, AFailingPlatformLeavesTheLexiconsScoreAndTheOutboxSendsItLater) {
  bool down = true;
  server_.SetHandler([&](const RecordedRequest&) -> Reply {
    return down ? Reply{503, R"({"code":20001,"message":"down"})"} : Reply{200, SentimentAnswer(-0.3)};
  });
  Open(true);
  const json::object feedback = portal_->Data("feedback.submit", User(), Complaint());
  EXPECT_EQ(feedback.at("sentiment_source"), "lexicon");
  EXPECT_LE(feedback.at("sentiment_score").as_double(), -0.6);
  EXPECT_EQ(feedback.at("priority_level"), 1);
  EXPECT_EQ(feedback.at("contact_required"), true);
  const json::object queued =
      portal_->Data("outbox.status", PlatformAdmin(), json::object{{"topic", "feedback.sentiment"}});
  EXPECT_EQ(queued.at("pending"), 1);

  down = false;
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));  // the first retry's backoff is at most 1 s
  const json::object delivered = portal_->Data("outbox.deliver", PlatformAdmin(), json::object{});
  EXPECT_EQ(delivered.at("delivered"), 1) << delivered;
  const json::object stored = portal_->Data("feedback.get", User(), json::object{{"id", feedback.at("id")}});
  EXPECT_EQ(stored.at("sentiment_score"), -0.3);
  EXPECT_EQ(stored.at("sentiment_source"), "req013");
  EXPECT_EQ(stored.at("priority_level"), 2);
  EXPECT_EQ(stored.at("contact_required"), true);
  EXPECT_EQ(SentimentRequests(), 2);
}

TEST_F(FeedbackSentimentTest, WithoutAPlatformTheLexiconScoresAndNothingIsQueued) {
  Open(false);
  json::object praise = Complaint();
  praise["rating"] = 5;
  praise["feedback_content"] = "The engineer was very helpful, thanks!";
  const json::object feedback = portal_->Data("feedback.submit", User(), praise);
  EXPECT_EQ(feedback.at("sentiment_source"), "lexicon");
  EXPECT_GT(feedback.at("sentiment_score").as_double(), 0.5);
  EXPECT_EQ(feedback.at("priority_level"), 3);
  EXPECT_EQ(feedback.at("contact_required"), false);
  EXPECT_EQ(portal_->Data("outbox.status", PlatformAdmin(), json::object{}).at("pending"), 0);
}

TEST_F(FeedbackSentimentTest, RatingsOutsideTheDimensionsOrTheScaleAreRefused) {
  Open(false);
  json::object unknown = Complaint();
  unknown["ratings"] = json::object{{"price", 3}};
  const json::object refused = portal_->Call("feedback.submit", User(), unknown);
  EXPECT_TRUE(HasFieldError(refused, "ratings", "VALUE_NOT_ALLOWED")) << refused;
  json::object high = Complaint();
  high["ratings"] = json::object{{"speed", 6}};
  EXPECT_TRUE(HasFieldError(portal_->Call("feedback.submit", User(), high), "ratings.speed", "OUT_OF_RANGE"));
  json::object wrong = Complaint();
  wrong["ratings"] = json::array{5};
  EXPECT_TRUE(HasFieldError(portal_->Call("feedback.submit", User(), wrong), "ratings", "FIELD_INVALID"));
}

TEST_F(FeedbackSentimentTest, StatsAreForAdministratorsOverWhatTheySee) {
  Open(false);
  portal_->Data("feedback.submit", User(), Complaint());
  json::object praise = Complaint();
  praise["rating"] = 5;
  praise["ratings"] = json::object{{"speed", 5}};
  praise["feedback_content"] = "great";
  portal_->Data("feedback.submit", User(1, 11, 110), praise);
  portal_->Data("feedback.submit", User(2, 20, 200), praise);

  EXPECT_TRUE(IsError(portal_->Call("feedback.stats", User(), json::object{}), 10003));
  const json::object tenant = portal_->Data("feedback.stats", PlatformAdmin(), json::object{});
  EXPECT_EQ(tenant.at("total"), 2);
  EXPECT_EQ(tenant.at("average_rating"), 4.0);
  EXPECT_EQ(tenant.at("distribution"), (json::object{{"1", 0}, {"2", 0}, {"3", 1}, {"4", 0}, {"5", 1}}));
  EXPECT_EQ(tenant.at("contact_required_share"), 0.5);
  EXPECT_EQ(tenant.at("by_type").at(0).at("feedback_type"), "service");
  // This portal runs on the system clock: the week is this one, "YYYY-Www".
  const std::string week(tenant.at("by_week").at(0).at("week").as_string());
  EXPECT_EQ(week.size(), 8u);
  EXPECT_EQ(week.substr(4, 2), "-W");
  EXPECT_EQ(tenant.at("by_week").at(0).at("count"), 2);
  EXPECT_EQ(tenant.at("dimensions").at(1), (json::object{{"dimension", "speed"}, {"count", 2}, {"average", 3.0}}));
  const json::object customer = portal_->Data("feedback.stats", CustomerAdmin(), json::object{});
  EXPECT_EQ(customer.at("total"), 1);
}

}  // namespace
}  // namespace selfservice::test

// A portal whose options configure the platform's knowledge base (REQ-005), against a stand-in
// platform: knowledge.sync pulls articles into the local store (searchable at once) from a cursor
// kept per tenant, and knowledge.vote forwards votes through the breaker without ever failing
// because of the platform. Without the option, knowledge.sync is NOT_CONFIGURED.

#include <string>
#include <vector>

#include "core/logging.hpp"
#include "remote_test_support.hpp"
#include "storage/sqlite/database.hpp"
#include "support/fake_http_server.hpp"
#include "support/temp_dir.hpp"

namespace selfservice::test {
namespace {

constexpr std::string_view kToken = "req005-secret-token";

std::string Item(const std::string& id, const std::string& title, const std::string& body, const std::string& lang,
                 const std::string& updated_at) {
  return R"({"id":")" + id + R"(","title":")" + title + R"(","content":")" + body + R"(","lang":")" + lang +
         R"(","category":"网络故障","tags":["网络"],"status":"published","updated_at":")" + updated_at + R"("})";
}

// One page of the platform's envelope (spec 4.2) holding `items`, the last one.
std::string Page(const std::vector<std::string>& items) {
  std::string data;
  for (const auto& item : items) data += (data.empty() ? "" : ",") + item;
  return R"({"code":200,"message":"success","data":[)" + data + R"(],"pagination":{"page":1,"size":100,"total":)" +
         std::to_string(items.size()) + R"(,"pages":1}})";
}

class KnowledgeSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Serve();
    portal_ = std::make_unique<OptionsPortal>(Options("sqlite::memory:"));
    ASSERT_TRUE(portal_->ok());
  }

  std::string Options(std::string_view storage, std::string_view log_level = "off") const {
    return R"({"log_level": ")" + std::string(log_level) + R"(", "storage": ")" + std::string(storage) +
           R"(", "knowledge_source": {"base_url": ")" + platform_.url() + R"(", "api_token": ")" +
           std::string(kToken) + R"(", "timeout_ms": 300}})";
  }

  // Closes the portal and opens a new one on the file `db_`, as a restarted host would.
  void Reopen(std::string_view log_level = "off") {
    portal_.reset();
    portal_ = std::make_unique<OptionsPortal>(Options("sqlite:" + db_, log_level));
    ASSERT_TRUE(portal_->ok());
  }

  // A platform with two articles, which accepts feedback.
  void Serve() {
    platform_.SetHandler([](const RecordedRequest& request) -> Reply {
      if (request.target.starts_with("/api/v1/knowledge/feedback")) return {200, R"({"code":200,"message":"success"})"};
      return {200, Page({Item("kb-1", "服务器连接故障排查指南", "服务器连不上时先检查网络连接和防火墙。", "zh",
                              "2025-08-15T10:00:00Z"),
                         Item("kb-2", "Nginx fails to start", "Check whether port 80 is already in use.", "en",
                              "2025-08-15T10:00:01Z")})};
    });
  }

  std::vector<RecordedRequest> Sent(std::string_view prefix) const {
    std::vector<RecordedRequest> out;
    for (auto& request : platform_.requests()) {
      if (request.target.starts_with(prefix)) out.push_back(request);
    }
    return out;
  }

  // The id of the pulled article kb-1.
  std::int64_t SyncAndFindKb1() {
    portal_->Data("knowledge.sync", CustomerAdmin(), json::object{});
    const json::object data = portal_->Data("search.query", User(), json::object{{"q", "服务器连不上"}});
    if (data.at("hits").as_array().empty()) return 0;
    return data.at("hits").at(0).at("id").as_int64();
  }

  FakeHttpServer platform_;
  TempDir dir_;
  const std::string db_ = dir_.File("portal.db");
  std::unique_ptr<OptionsPortal> portal_;
};

TEST_F(KnowledgeSourceTest, SyncPullsArticlesThatAreSearchableAtOnce) {
  const json::object report = portal_->Data("knowledge.sync", CustomerAdmin(), json::object{});
  EXPECT_EQ(report.at("fetched"), 2);
  EXPECT_EQ(report.at("created"), 2);
  EXPECT_EQ(report.at("updated"), 0);
  EXPECT_EQ(report.at("failed"), 0);
  EXPECT_EQ(report.at("more"), false);
  EXPECT_TRUE(report.at("interrupted_by").is_null());
  EXPECT_EQ(report.at("next_cursor"), "2025-08-15T10:00:01.000Z");  // the newest change, inclusive

  json::object found = portal_->Data("search.query", User(), json::object{{"q", "服务器连不上"}});
  ASSERT_FALSE(found.at("hits").as_array().empty());
  EXPECT_EQ(found.at("hits").at(0).at("external_id"), "kb-1");
  found = portal_->Data("search.query", User(), json::object{{"q", "nginx port"}, {"lang", "en"}});
  ASSERT_FALSE(found.at("hits").as_array().empty());
  EXPECT_EQ(found.at("hits").at(0).at("external_id"), "kb-2");

  const std::vector<RecordedRequest> pulls = Sent("/api/v1/knowledge/search");
  ASSERT_EQ(pulls.size(), 1u);
  EXPECT_EQ(pulls[0].header("authorization"), "Bearer " + std::string(kToken));
  EXPECT_EQ(pulls[0].header("x-tenant-id"), "1");
}

TEST_F(KnowledgeSourceTest, TheNextSyncContinuesFromTheTenantsCursorAndUpdates) {
  const json::object first = portal_->Data("knowledge.sync", CustomerAdmin(), json::object{});
  const json::object second = portal_->Data("knowledge.sync", CustomerAdmin(), json::object{});
  EXPECT_EQ(second.at("created"), 0);
  EXPECT_EQ(second.at("updated"), 2);
  const std::vector<RecordedRequest> pulls = Sent("/api/v1/knowledge/search");
  ASSERT_EQ(pulls.size(), 2u);
  EXPECT_EQ(pulls[0].target.find("updated_since="), std::string::npos) << pulls[0].target;
  EXPECT_NE(pulls[1].target.find("updated_since="), std::string::npos) << pulls[1].target;

  // Another tenant has a cursor of its own.
  portal_->Data("knowledge.sync", CustomerAdmin(2, 20, 201), json::object{});
  EXPECT_EQ(Sent("/api/v1/knowledge/search").back().target.find("updated_since="), std::string::npos);
}

TEST_F(KnowledgeSourceTest, AGivenCursorWins) {
  portal_->Data("knowledge.sync", CustomerAdmin(), json::object{});
  portal_->Data("knowledge.sync", CustomerAdmin(), json::object{{"cursor", ""}});
  EXPECT_EQ(Sent("/api/v1/knowledge/search").back().target.find("updated_since="), std::string::npos);
  portal_->Data("knowledge.sync", CustomerAdmin(), json::object{{"cursor", "2025-08-15T10:00:00Z"}});
  EXPECT_NE(Sent("/api/v1/knowledge/search").back().target.find("updated_since=2025-08-15T10"), std::string::npos);
}

TEST_F(KnowledgeSourceTest, ARestartedPortalContinuesFromTheStoredCursor) {
  Reopen();
  portal_->Data("knowledge.sync", CustomerAdmin(), json::object{});
  Reopen();
  const json::object second = portal_->Data("knowledge.sync", CustomerAdmin(), json::object{});
  EXPECT_EQ(second.at("created"), 0);
  EXPECT_EQ(second.at("updated"), 2);
  const std::vector<RecordedRequest> pulls = Sent("/api/v1/knowledge/search");
  ASSERT_EQ(pulls.size(), 2u);
  EXPECT_NE(pulls[1].target.find("updated_since=2025-08-15T10%3A00%3A01"), std::string::npos) << pulls[1].target;

  // Another tenant's first sync after the restart still starts from the beginning.
  Reopen();
  portal_->Data("knowledge.sync", CustomerAdmin(2, 20, 201), json::object{});
  EXPECT_EQ(Sent("/api/v1/knowledge/search").back().target.find("updated_since="), std::string::npos);
}

TEST_F(KnowledgeSourceTest, AGivenCursorWinsOverTheStoredOneAndReplacesIt) {
  Reopen();
  portal_->Data("knowledge.sync", CustomerAdmin(), json::object{});
  Reopen();
  portal_->Data("knowledge.sync", CustomerAdmin(), json::object{{"cursor", "2025-08-15T09:00:00Z"}});
  EXPECT_NE(Sent("/api/v1/knowledge/search").back().target.find("updated_since=2025-08-15T09"), std::string::npos);
  // The sync's own next cursor is what the next one continues from.
  Reopen();
  portal_->Data("knowledge.sync", CustomerAdmin(), json::object{});
  EXPECT_NE(Sent("/api/v1/knowledge/search").back().target.find("updated_since=2025-08-15T10"), std::string::npos);
}

TEST_F(KnowledgeSourceTest, AFailedSyncKeepsTheStoredCursor) {
  Reopen();
  portal_->Data("knowledge.sync", CustomerAdmin(), json::object{});
  platform_.AlwaysReply({503, "busy"});
  EXPECT_TRUE(IsError(portal_->Call("knowledge.sync", CustomerAdmin(), json::object{}), 20002));
  Serve();
  Reopen();
  portal_->Data("knowledge.sync", CustomerAdmin(), json::object{});
  EXPECT_NE(Sent("/api/v1/knowledge/search").back().target.find("updated_since=2025-08-15T10"), std::string::npos);
}

TEST_F(KnowledgeSourceTest, ACursorTheStoreCannotKeepIsKeptInMemory) {
  Reopen("error");
  sqlite::Connection(db_, 1000).Exec(
      "CREATE TRIGGER refuse_cursors BEFORE INSERT ON knowledge_sync_cursors BEGIN SELECT RAISE(ABORT, 'disk full'); END");
  ::testing::internal::CaptureStderr();
  const json::object first = portal_->Data("knowledge.sync", CustomerAdmin(), json::object{});
  const std::string log = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(first.at("created"), 2);
  EXPECT_NE(log.find("kept in memory only"), std::string::npos) << log;
  ::testing::internal::CaptureStderr();
  portal_->Data("knowledge.sync", CustomerAdmin(), json::object{});
  ::testing::internal::GetCapturedStderr();
  EXPECT_NE(Sent("/api/v1/knowledge/search").back().target.find("updated_since="), std::string::npos);
}

TEST_F(KnowledgeSourceTest, AnUnreadableCursorIsInvalid) {
  const json::object answer = portal_->Call("knowledge.sync", CustomerAdmin(), json::object{{"cursor", "yesterday"}});
  ASSERT_TRUE(IsError(answer, 10001));
  EXPECT_TRUE(HasFieldError(answer, "cursor", "FIELD_INVALID"));
  EXPECT_TRUE(Sent("/api/v1/knowledge/search").empty());
}

TEST_F(KnowledgeSourceTest, SyncWithThePlatformDownIsASearchError) {
  platform_.AlwaysReply({503, "busy"});
  EXPECT_TRUE(IsError(portal_->Call("knowledge.sync", PlatformAdmin(), json::object{}), 20002));
}

TEST_F(KnowledgeSourceTest, SyncIsForAdministrators) {
  EXPECT_TRUE(IsError(portal_->Call("knowledge.sync", User(), json::object{}), 10003));
}

TEST_F(KnowledgeSourceTest, VoteOnAPulledArticleIsForwarded) {
  const std::int64_t id = SyncAndFindKb1();
  ASSERT_GT(id, 0);
  const json::object data =
      portal_->Data("knowledge.vote", User(), json::object{{"article_id", id}, {"helpful", true}});
  EXPECT_EQ(data.at("helpful_votes"), 1);
  EXPECT_EQ(data.at("forwarded"), true);
  EXPECT_TRUE(data.at("forward_reason").is_null());
  const std::vector<RecordedRequest> feedback = Sent("/api/v1/knowledge/feedback");
  ASSERT_EQ(feedback.size(), 1u);
  EXPECT_EQ(json::parse(feedback[0].body), json::parse(R"({"article_id": "kb-1", "helpful": true})"));
}

TEST_F(KnowledgeSourceTest, VoteWithThePlatformDownIsStoredAndNotForwarded) {
  const std::int64_t id = SyncAndFindKb1();
  ASSERT_GT(id, 0);
  platform_.AlwaysReply({503, "busy"});
  // Every vote is stored and none is forwarded; the breaker opens within five failed forwards,
  // after which nothing more is sent.
  int failed_forwards = 0;
  for (int vote = 1; vote <= 6; ++vote) {
    const std::size_t sent = Sent("/api/v1/knowledge/feedback").size();
    const json::object data =
        portal_->Data("knowledge.vote", User(), json::object{{"article_id", id}, {"helpful", false}});
    EXPECT_EQ(data.at("unhelpful_votes"), vote);
    EXPECT_EQ(data.at("forwarded"), false);
    if (data.at("forward_reason") == "breaker_open") {
      EXPECT_EQ(Sent("/api/v1/knowledge/feedback").size(), sent);
    } else {
      EXPECT_EQ(data.at("forward_reason"), "error");
      ++failed_forwards;
    }
  }
  EXPECT_GE(failed_forwards, 1);
  EXPECT_LE(failed_forwards, 5);
}

TEST_F(KnowledgeSourceTest, VoteOnALocalArticleIsNotForwarded) {
  const json::object article = portal_->Data("knowledge.upsert", CustomerAdmin(),
                                             json::object{{"title", "本地文章"}, {"body", "正文"}, {"lang", "zh"}});
  const json::object data = portal_->Data("knowledge.vote", User(),
                                          json::object{{"article_id", article.at("id")}, {"helpful", true}});
  EXPECT_EQ(data.at("forwarded"), false);
  EXPECT_EQ(data.at("forward_reason"), "not_from_source");
  EXPECT_TRUE(Sent("/api/v1/knowledge/feedback").empty());
}

TEST_F(KnowledgeSourceTest, TheTokenNeverReachesTheLog) {
  OptionsPortal logging(R"({"log_level": "warn", "knowledge_source": {"base_url": ")" + platform_.url() +
                        R"(", "api_token": ")" + std::string(kToken) + R"(", "timeout_ms": 300}})");
  ASSERT_TRUE(logging.ok());
  platform_.AlwaysReply({401, std::string(R"({"code":10002,"message":"bad token )") + std::string(kToken) + "\"}"});
  ::testing::internal::CaptureStderr();
  logging.Call("knowledge.sync", CustomerAdmin(), json::object{});
  const std::string log = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(log.find(kToken), std::string::npos) << log;
}

TEST_F(KnowledgeSourceTest, UnknownOptionsAreLoggedByNameOnly) {
  SetLogLevel("warn");  // FromJson logs before the options it reads can set the level
  ::testing::internal::CaptureStderr();
  OptionsPortal logging(R"({"log_level": "warn", "knowledge_source": {"base_url": ")" + platform_.url() +
                        R"(", "api_token": ")" + std::string(kToken) + R"(", "api_tokn": "typo-secret"}})");
  const std::string log = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(log.find("knowledge_source.api_tokn"), std::string::npos) << log;
  EXPECT_EQ(log.find("typo-secret"), std::string::npos) << log;
  EXPECT_EQ(log.find(kToken), std::string::npos) << log;
}

// --- A portal without a knowledge_source -------------------------------------------------------

using WithoutKnowledgeSourceTest = PortalTest;

TEST_F(WithoutKnowledgeSourceTest, SyncIsNotConfigured) {
  const json::object answer = Call("knowledge.sync", CustomerAdmin().WithLocale("en-US"), json::object{});
  ASSERT_TRUE(IsError(answer, 10004));
  ASSERT_TRUE(HasFieldError(answer, "knowledge_source", "NOT_CONFIGURED"));
  EXPECT_EQ(answer.at("errors").at(0).at("message"), "knowledge_source is not configured in the portal options");
}

TEST_F(WithoutKnowledgeSourceTest, VoteAnswersAsBefore) {
  const json::object article = Call("knowledge.upsert", CustomerAdmin(),
                                    json::object{{"title", "本地文章"}, {"body", "正文"}, {"lang", "zh"}});
  ASSERT_TRUE(IsSuccess(article));
  const json::object answer =
      Call("knowledge.vote", User(), json::object{{"article_id", article.at("data").at("id")}, {"helpful", true}});
  ASSERT_TRUE(IsSuccess(answer));
  EXPECT_FALSE(answer.at("data").as_object().contains("forwarded"));
  EXPECT_FALSE(answer.at("data").as_object().contains("forward_reason"));
}

TEST_F(WithoutKnowledgeSourceTest, ReindexIsNotConfiguredWithTheLocalBackend) {
  const json::object answer = Call("search.reindex", CustomerAdmin(), json::object{});
  ASSERT_TRUE(IsError(answer, 10004));
  EXPECT_TRUE(HasFieldError(answer, "search.elasticsearch", "NOT_CONFIGURED"));
}

TEST_F(WithoutKnowledgeSourceTest, SearchStaysLocal) {
  const json::object answer = Call("search.query", User(), json::object{{"q", "nginx"}});
  ASSERT_TRUE(IsSuccess(answer));
  EXPECT_EQ(answer.at("data").at("backend"), "local");
  EXPECT_EQ(answer.at("data").at("degraded"), false);
}

}  // namespace
}  // namespace selfservice::test

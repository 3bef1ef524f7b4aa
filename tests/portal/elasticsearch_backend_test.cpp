// A portal whose options choose the Elasticsearch backend, against a stand-in node answering in
// the shapes of the Elasticsearch 8 reference: search.query through the breaker with the local
// fallback, knowledge writes mirrored to the index, and search.reindex catching it up.

#include <sstream>
#include <string>
#include <vector>

#include "elasticsearch/es_responses.hpp"
#include "remote_test_support.hpp"
#include "storage/sqlite/database.hpp"
#include "support/fake_http_server.hpp"
#include "support/temp_dir.hpp"

namespace selfservice::test {
namespace {

constexpr std::string_view kApiKey = "es-secret-key-42";

std::vector<json::value> NdjsonLines(const std::string& body) {
  std::vector<json::value> lines;
  std::istringstream in(body);
  for (std::string line; std::getline(in, line);) lines.push_back(json::parse(line));
  return lines;
}

class ElasticsearchBackendTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Healthy();
    portal_ = std::make_unique<OptionsPortal>(Options("off"));
    ASSERT_TRUE(portal_->ok());
  }

  std::string Options(std::string_view log_level, std::string_view storage = "sqlite::memory:") const {
    return R"({"log_level": ")" + std::string(log_level) + R"(", "storage": ")" + std::string(storage) +
           R"(", "search": {"backend": "elasticsearch", "elasticsearch": {"urls": [")" + es_.url() +
           R"("], "request_timeout_ms": 300, "api_key": ")" + std::string(kApiKey) + R"("}}})";
  }

  // Closes the portal and opens a new one on the file `db_`, as a restarted host would.
  void Reopen(std::string_view log_level = "off") {
    portal_.reset();
    portal_ = std::make_unique<OptionsPortal>(Options(log_level, "sqlite:" + db_));
    ASSERT_TRUE(portal_->ok());
  }

  // A healthy node: the index exists, bulk and delete-by-query succeed, searches answer `search`.
  void Healthy(std::string search = es::SearchAnswer()) {
    es_.SetHandler([search](const RecordedRequest& request) -> Reply {
      if (request.method == "HEAD") return {200, ""};
      if (request.target.find("/_bulk") != std::string::npos) return {200, es::BulkCreated()};
      if (request.target.find("/_delete_by_query") != std::string::npos) return {200, es::DeletedByQuery()};
      if (request.target.find("/_search") != std::string::npos) return {200, search};
      return {404, es::IndexNotFound()};
    });
  }

  // Requests sent so far whose target contains `part`.
  std::vector<RecordedRequest> Sent(std::string_view part) const {
    std::vector<RecordedRequest> out;
    for (auto& request : es_.requests()) {
      if (request.target.find(part) != std::string::npos) out.push_back(request);
    }
    return out;
  }

  std::int64_t Upsert(std::string_view title, std::string_view body) {
    const json::object data = portal_->Data(
        "knowledge.upsert", CustomerAdmin(), json::object{{"title", title}, {"body", body}, {"lang", "zh"}});
    return data.contains("id") ? data.at("id").as_int64() : 0;
  }

  json::object Search(std::string_view q) {
    return portal_->Data("search.query", User(), json::object{{"q", q}});
  }

  FakeHttpServer es_;
  TempDir dir_;
  const std::string db_ = dir_.File("portal.db");
  std::unique_ptr<OptionsPortal> portal_;
};

TEST_F(ElasticsearchBackendTest, SearchAnswersFromElasticsearchWhenItIsUp) {
  const json::object data = Search("nginx 起不来");
  EXPECT_EQ(data.at("backend"), "elasticsearch");
  EXPECT_EQ(data.at("degraded"), false);
  EXPECT_TRUE(data.at("fallback_reason").is_null());
  ASSERT_EQ(data.at("hits").as_array().size(), 2u);
  EXPECT_EQ(data.at("hits").at(0).at("id"), 101);
  EXPECT_EQ(data.at("hits").at(0).at("title"), "nginx 无法启动怎么办");
  const std::vector<RecordedRequest> searches = Sent("/_search");
  ASSERT_EQ(searches.size(), 1u);
  EXPECT_EQ(searches[0].target, "/selfservice-knowledge/_search?routing=1");
  EXPECT_EQ(searches[0].header("authorization"), "ApiKey " + std::string(kApiKey));
  EXPECT_NE(searches[0].body.find(R"({"term":{"tenant_id":1}})"), std::string::npos) << searches[0].body;
}

TEST_F(ElasticsearchBackendTest, FailingElasticsearchFallsBackToTheLocalEngine) {
  const std::int64_t id = Upsert("服务器无法连接的排查", "先用 ping 检查网络，再查看防火墙。");
  es_.AlwaysReply({503, es::AllShardsFailed()});
  const json::object data = Search("服务器连不上");
  EXPECT_EQ(data.at("backend"), "local");
  EXPECT_EQ(data.at("degraded"), true);
  EXPECT_EQ(data.at("fallback_reason"), "error");
  ASSERT_FALSE(data.at("hits").as_array().empty());
  EXPECT_EQ(data.at("hits").at(0).at("id"), id);
}

TEST_F(ElasticsearchBackendTest, GarbageFromElasticsearchFallsBackToTheLocalEngine) {
  es_.AlwaysReply({200, "<html>proxy error</html>", "text/html"});
  const json::object data = Search("服务器连不上");
  EXPECT_EQ(data.at("backend"), "local");
  EXPECT_EQ(data.at("degraded"), true);
  EXPECT_EQ(data.at("fallback_reason"), "error");
}

TEST_F(ElasticsearchBackendTest, SlowElasticsearchFallsBackAsSlow) {
  es_.AlwaysReply({200, es::SearchAnswer(), "application/json", 800});
  const json::object data = Search("nginx");
  EXPECT_EQ(data.at("backend"), "local");
  EXPECT_EQ(data.at("degraded"), true);
  EXPECT_EQ(data.at("fallback_reason"), "slow");
}

TEST_F(ElasticsearchBackendTest, DeadElasticsearchOpensTheBreakerWithinFiveCalls) {
  es_.AlwaysReply({503, es::AllShardsFailed()});
  for (int call = 1; call <= 5; ++call) EXPECT_EQ(Search("nginx").at("fallback_reason"), "error") << call;
  const json::object data = Search("nginx");
  EXPECT_EQ(data.at("fallback_reason"), "breaker_open");
  EXPECT_EQ(data.at("backend"), "local");
  EXPECT_EQ(Sent("/_search").size(), 5u);
}

TEST_F(ElasticsearchBackendTest, UpsertIsBulkIndexed) {
  const std::int64_t id = Upsert("打印机无法打印", "检查打印机驱动。");
  const std::vector<RecordedRequest> bulks = Sent("/_bulk");
  ASSERT_EQ(bulks.size(), 1u);
  EXPECT_EQ(bulks[0].target, "/selfservice-knowledge/_bulk");
  const std::vector<json::value> lines = NdjsonLines(bulks[0].body);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0], json::parse(R"({"index": {"_id": "1-)" + std::to_string(id) + R"(", "routing": "1"}})"));
  EXPECT_EQ(lines[1].at("title_zh"), "打印机无法打印");
  EXPECT_EQ(lines[1].at("tenant_id"), 1);
}

TEST_F(ElasticsearchBackendTest, DeleteRemovesTheDocument) {
  const std::int64_t id = Upsert("打印机无法打印", "检查打印机驱动。");
  ASSERT_TRUE(IsSuccess(portal_->Call("knowledge.delete", CustomerAdmin(), json::object{{"id", id}})));
  const std::vector<RecordedRequest> bulks = Sent("/_bulk");
  ASSERT_EQ(bulks.size(), 2u);
  EXPECT_EQ(NdjsonLines(bulks[1].body),
            std::vector<json::value>{json::parse(R"({"delete": {"_id": "1-)" + std::to_string(id) +
                                                 R"(", "routing": "1"}})")});
}

TEST_F(ElasticsearchBackendTest, ImportIsOneBulkRequestPerBatch) {
  json::array articles;
  for (int i = 1; i <= 3; ++i) {
    articles.push_back(json::object{{"id", "kb-" + std::to_string(i)},
                                    {"title", "Article " + std::to_string(i)},
                                    {"body", "Body text"},
                                    {"lang", "en"}});
  }
  const json::object data =
      portal_->Data("knowledge.import", CustomerAdmin(), json::object{{"articles", std::move(articles)}});
  EXPECT_EQ(data.at("imported"), 3);
  const std::vector<RecordedRequest> bulks = Sent("/_bulk");
  ASSERT_EQ(bulks.size(), 1u);
  const std::vector<json::value> lines = NdjsonLines(bulks[0].body);
  ASSERT_EQ(lines.size(), 6u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(lines[2 * i].as_object().contains("index"));
    EXPECT_EQ(lines[2 * i + 1].at("external_id"), json::value("kb-" + std::to_string(i + 1)));
    EXPECT_EQ(lines[2 * i + 1].at("title_en"), json::value("Article " + std::to_string(i + 1)));
  }
}

TEST_F(ElasticsearchBackendTest, WritesSucceedWhileElasticsearchIsDownAndReindexCatchesUp) {
  es_.AlwaysReply({503, es::AllShardsFailed()});
  const std::int64_t id = Upsert("打印机无法打印", "检查打印机驱动。");
  ASSERT_GT(id, 0);
  EXPECT_TRUE(IsSuccess(portal_->Call("knowledge.get", CustomerAdmin(), json::object{{"id", id}})));

  Healthy();
  const std::size_t before = Sent("/_bulk").size();
  json::object data = portal_->Data("search.reindex", CustomerAdmin(), json::object{{"only_if_behind", true}});
  EXPECT_EQ(data.at("reindexed"), true);
  EXPECT_EQ(data.at("was_behind"), true);
  EXPECT_EQ(data.at("indexed"), 1);
  const std::vector<RecordedRequest> bulks = Sent("/_bulk");
  ASSERT_EQ(bulks.size(), before + 1);
  EXPECT_EQ(NdjsonLines(bulks.back().body).at(1).at("title_zh"), "打印机无法打印");

  data = portal_->Data("search.reindex", CustomerAdmin(), json::object{{"only_if_behind", true}});
  EXPECT_EQ(data.at("reindexed"), false);
  EXPECT_EQ(Sent("/_bulk").size(), before + 1);
}

TEST_F(ElasticsearchBackendTest, ReindexSendsDeletionsMadeWhileElasticsearchWasDown) {
  const std::int64_t gone = Upsert("打印机无法打印", "检查打印机驱动。");
  const std::int64_t kept = Upsert("服务器无法连接", "检查网络。");
  es_.AlwaysReply({503, es::AllShardsFailed()});
  ASSERT_TRUE(IsSuccess(portal_->Call("knowledge.delete", CustomerAdmin(), json::object{{"id", gone}})));

  Healthy();
  const std::size_t before = Sent("/_bulk").size();
  const json::object data = portal_->Data("search.reindex", CustomerAdmin(), json::object{});
  EXPECT_EQ(data.at("removed"), 1);
  EXPECT_EQ(data.at("indexed"), 1);
  const std::vector<RecordedRequest> bulks = Sent("/_bulk");
  ASSERT_EQ(bulks.size(), before + 2);
  EXPECT_EQ(NdjsonLines(bulks[before].body).at(0),
            json::parse(R"({"delete": {"_id": "1-)" + std::to_string(gone) + R"(", "routing": "1"}})"));
  EXPECT_EQ(NdjsonLines(bulks[before + 1].body).at(0),
            json::parse(R"({"index": {"_id": "1-)" + std::to_string(kept) + R"(", "routing": "1"}})"));
}

TEST_F(ElasticsearchBackendTest, ReindexAgainstADeadClusterIsASearchError) {
  Upsert("打印机无法打印", "检查打印机驱动。");
  es_.AlwaysReply({503, es::AllShardsFailed()});
  EXPECT_TRUE(IsError(portal_->Call("search.reindex", CustomerAdmin(), json::object{}), 20002));
}

TEST_F(ElasticsearchBackendTest, ReindexIsForAdministrators) {
  EXPECT_TRUE(IsError(portal_->Call("search.reindex", User(), json::object{}), 10003));
}

TEST_F(ElasticsearchBackendTest, TheApiKeyNeverReachesTheLog) {
  OptionsPortal logging(Options("warn"));
  ASSERT_TRUE(logging.ok());
  es_.AlwaysReply({401, es::Unauthenticated()});
  ::testing::internal::CaptureStderr();
  logging.Data("knowledge.upsert", CustomerAdmin(), json::object{{"title", "t"}, {"body", "b"}, {"lang", "en"}});
  logging.Data("search.query", User(), json::object{{"q", "nginx"}});
  const std::string log = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(log.find("not mirrored"), std::string::npos) << log;
  EXPECT_EQ(log.find(kApiKey), std::string::npos) << log;
}

TEST_F(ElasticsearchBackendTest, SyncedArticlesAndDeletionsReachTheIndex) {
  FakeHttpServer platform;
  platform.SetHandler([](const RecordedRequest& request) -> Reply {
    if (request.target.find("updated_since") == std::string::npos) {
      return {200, R"({"code":200,"message":"success","data":[{"id":"kb-1","title":"服务器连接故障排查指南",
          "content":"服务器连不上时先检查网络。","lang":"zh","updated_at":"2025-08-15T10:00:00Z"}],
          "pagination":{"page":1,"size":100,"total":1,"pages":1}})"};
    }
    return {200, R"({"code":200,"message":"success","data":[{"id":"kb-1","deleted":true,
        "updated_at":"2025-08-15T10:00:05Z"}],"pagination":{"page":1,"size":100,"total":1,"pages":1}})"};
  });
  OptionsPortal both(R"({"log_level": "off", "search": {"backend": "elasticsearch", "elasticsearch": {"urls": [")" +
                     es_.url() + R"("]}}, "knowledge_source": {"base_url": ")" + platform.url() +
                     R"(", "api_token": "t"}})");
  ASSERT_TRUE(both.ok());

  EXPECT_EQ(both.Data("knowledge.sync", CustomerAdmin(), json::object{}).at("created"), 1);
  const std::vector<RecordedRequest> bulks = Sent("/_bulk");
  ASSERT_EQ(bulks.size(), 1u);
  const std::vector<json::value> lines = NdjsonLines(bulks[0].body);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[1].at("external_id"), "kb-1");
  EXPECT_EQ(lines[1].at("title_zh"), "服务器连接故障排查指南");

  EXPECT_EQ(both.Data("knowledge.sync", CustomerAdmin(), json::object{}).at("deleted"), 1);
  const std::vector<RecordedRequest> deletions = Sent("/_delete_by_query");
  ASSERT_EQ(deletions.size(), 1u);
  EXPECT_EQ(deletions[0].target, "/selfservice-knowledge/_delete_by_query?routing=1&conflicts=proceed");
  EXPECT_EQ(json::parse(deletions[0].body),
            json::parse(R"({"query": {"bool": {"filter": [{"term": {"tenant_id": 1}},
                                                           {"terms": {"external_id": ["kb-1"]}}]}}})"));
}

TEST_F(ElasticsearchBackendTest, ATenantBehindStaysBehindAcrossARestartUntilAReindex) {
  Reopen();
  es_.AlwaysReply({503, es::AllShardsFailed()});
  ASSERT_GT(Upsert("打印机无法打印", "检查打印机驱动。"), 0);

  Healthy();
  Reopen();
  const std::size_t before = Sent("/_bulk").size();
  json::object data = portal_->Data("search.reindex", CustomerAdmin(), json::object{{"only_if_behind", true}});
  EXPECT_EQ(data.at("reindexed"), true);
  EXPECT_EQ(data.at("was_behind"), true);
  EXPECT_EQ(data.at("indexed"), 1);
  ASSERT_EQ(Sent("/_bulk").size(), before + 1);
  EXPECT_EQ(NdjsonLines(Sent("/_bulk").back().body).at(1).at("title_zh"), "打印机无法打印");

  // The reindex cleared the stored mark too.
  Reopen();
  data = portal_->Data("search.reindex", CustomerAdmin(), json::object{{"only_if_behind", true}});
  EXPECT_EQ(data.at("reindexed"), false);
  EXPECT_EQ(Sent("/_bulk").size(), before + 1);
}

TEST_F(ElasticsearchBackendTest, AFailedReindexLeavesTheTenantBehindAcrossARestart) {
  Reopen();
  es_.AlwaysReply({503, es::AllShardsFailed()});
  ASSERT_GT(Upsert("打印机无法打印", "检查打印机驱动。"), 0);
  EXPECT_TRUE(IsError(portal_->Call("search.reindex", CustomerAdmin(), json::object{}), 20002));

  Healthy();
  Reopen();
  EXPECT_EQ(portal_->Data("search.reindex", CustomerAdmin(), json::object{{"only_if_behind", true}}).at("reindexed"),
            true);
}

TEST_F(ElasticsearchBackendTest, OnlyTheTenantBehindIsBehindAfterARestart) {
  Reopen();
  es_.AlwaysReply({503, es::AllShardsFailed()});
  ASSERT_GT(Upsert("打印机无法打印", "检查打印机驱动。"), 0);
  Healthy();
  Reopen();
  const json::object data =
      portal_->Data("search.reindex", CustomerAdmin(2, 20, 201), json::object{{"only_if_behind", true}});
  EXPECT_EQ(data.at("reindexed"), false);
}

TEST_F(ElasticsearchBackendTest, DeletionsMissedBeforeARestartAreSentByTheNextReindex) {
  Reopen();
  const std::int64_t gone = Upsert("打印机无法打印", "检查打印机驱动。");
  const std::int64_t kept = Upsert("服务器无法连接", "检查网络。");
  es_.AlwaysReply({503, es::AllShardsFailed()});
  ASSERT_TRUE(IsSuccess(portal_->Call("knowledge.delete", CustomerAdmin(), json::object{{"id", gone}})));

  Healthy();
  Reopen();
  const std::size_t before = Sent("/_bulk").size();
  json::object data = portal_->Data("search.reindex", CustomerAdmin(), json::object{{"only_if_behind", true}});
  EXPECT_EQ(data.at("removed"), 1);
  EXPECT_EQ(data.at("indexed"), 1);
  const std::vector<RecordedRequest> bulks = Sent("/_bulk");
  ASSERT_EQ(bulks.size(), before + 2);
  EXPECT_EQ(NdjsonLines(bulks[before].body).at(0),
            json::parse(R"({"delete": {"_id": "1-)" + std::to_string(gone) + R"(", "routing": "1"}})"));
  EXPECT_EQ(NdjsonLines(bulks[before + 1].body).at(0),
            json::parse(R"({"index": {"_id": "1-)" + std::to_string(kept) + R"(", "routing": "1"}})"));

  // Sent once: the next reindex after another restart has no deletion left.
  Reopen();
  data = portal_->Data("search.reindex", CustomerAdmin(), json::object{});
  EXPECT_EQ(data.at("removed"), 0);
  EXPECT_EQ(data.at("was_behind"), false);
}

TEST_F(ElasticsearchBackendTest, AMarkTheStoreCannotKeepFailsNoWriteAndIsKeptInMemory) {
  Reopen("error");
  sqlite::Connection(db_, 1000).Exec("DROP TABLE search_index_state");
  es_.AlwaysReply({503, es::AllShardsFailed()});
  ::testing::internal::CaptureStderr();
  const std::int64_t id = Upsert("打印机无法打印", "检查打印机驱动。");
  const std::string log = ::testing::internal::GetCapturedStderr();
  ASSERT_GT(id, 0);
  EXPECT_NE(log.find("kept in memory only"), std::string::npos) << log;

  Healthy();
  ::testing::internal::CaptureStderr();
  const json::object data =
      portal_->Data("search.reindex", CustomerAdmin(), json::object{{"only_if_behind", true}});
  ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(data.at("reindexed"), true);
  EXPECT_EQ(data.at("was_behind"), true);
  EXPECT_EQ(data.at("indexed"), 1);
}

TEST_F(ElasticsearchBackendTest, SyncedDeletionsMissedBeforeARestartAreSentByTheNextReindex) {
  FakeHttpServer platform;
  platform.SetHandler([](const RecordedRequest& request) -> Reply {
    if (request.target.find("updated_since") == std::string::npos) {
      return {200, R"({"code":200,"message":"success","data":[{"id":"kb-1","title":"服务器连接故障排查指南",
          "content":"服务器连不上时先检查网络。","lang":"zh","updated_at":"2025-08-15T10:00:00Z"}],
          "pagination":{"page":1,"size":100,"total":1,"pages":1}})"};
    }
    return {200, R"({"code":200,"message":"success","data":[{"id":"kb-1","deleted":true,
        "updated_at":"2025-08-15T10:00:05Z"}],"pagination":{"page":1,"size":100,"total":1,"pages":1}})"};
  });
  const std::string options = R"({"log_level": "off", "storage": "sqlite:)" + db_ +
                              R"(", "search": {"backend": "elasticsearch", "elasticsearch": {"urls": [")" +
                              es_.url() + R"("]}}, "knowledge_source": {"base_url": ")" + platform.url() +
                              R"(", "api_token": "t"}})";
  {
    OptionsPortal both(options);
    ASSERT_TRUE(both.ok());
    EXPECT_EQ(both.Data("knowledge.sync", CustomerAdmin(), json::object{}).at("created"), 1);
    es_.AlwaysReply({503, es::AllShardsFailed()});
    EXPECT_EQ(both.Data("knowledge.sync", CustomerAdmin(), json::object{}).at("deleted"), 1);
  }
  Healthy();
  OptionsPortal both(options);
  ASSERT_TRUE(both.ok());
  const json::object data = both.Data("search.reindex", CustomerAdmin(), json::object{{"only_if_behind", true}});
  EXPECT_EQ(data.at("removed"), 1);
  EXPECT_EQ(data.at("indexed"), 0);
  const std::vector<RecordedRequest> deletions = Sent("/_delete_by_query");
  ASSERT_FALSE(deletions.empty());
  EXPECT_EQ(json::parse(deletions.back().body),
            json::parse(R"({"query": {"bool": {"filter": [{"term": {"tenant_id": 1}},
                                                           {"terms": {"external_id": ["kb-1"]}}]}}})"));
}

}  // namespace
}  // namespace selfservice::test

// KnowledgeSync into a real SQLite store (and its FTS5 index) from a stand-in platform, and
// ForwardVote through a circuit breaker.

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "selfservice/circuit_breaker.hpp"
#include "selfservice/clock.hpp"
#include "selfservice/knowledge_source.hpp"
#include "selfservice/repository.hpp"
#include "support/callers.hpp"
#include "support/fake_http_server.hpp"

namespace selfservice {
namespace {

using test::Describe;
using test::FakeHttpServer;
using test::RecordedRequest;
using test::Reply;

std::string Item(const std::string& id, const std::string& title, const std::string& body,
                 const std::string& lang, const std::string& updated_at) {
  return R"({"id":")" + id + R"(","title":")" + title + R"(","content":")" + body + R"(","lang":")" + lang +
         R"(","category":"网络故障","tags":["网络"],"status":"published","updated_at":")" + updated_at +
         R"("})";
}

std::string Page(const std::vector<std::string>& items, int page, int pages) {
  std::string data;
  for (const auto& item : items) data += (data.empty() ? "" : ",") + item;
  return R"({"code":200,"message":"success","data":[)" + data + R"(],"pagination":{"page":)" +
         std::to_string(page) + R"(,"size":2,"total":)" + std::to_string(pages * 2) + R"(,"pages":)" +
         std::to_string(pages) + "}}";
}

class KnowledgeSyncTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = OpenStore("sqlite::memory:");
    ASSERT_TRUE(opened.ok()) << Describe(opened);
    store_ = std::move(opened).value();
    PlatformKnowledgeOptions options;
    options.base_url = server_.url();
    options.api_token = "token";
    options.timeout_ms = 300;
    auto source = CreatePlatformKnowledgeSource(options);
    ASSERT_TRUE(source.ok()) << Describe(source);
    source_ = std::move(source).value();
  }

  // Serves page 1 (two Chinese articles) when no updated_since is given, else page 2 (one English
  // article, a deletion and a bad item), keyed on the cursor the first page produced.
  void ServeTwoPages() {
    server_.SetHandler([](const RecordedRequest& request) {
      if (request.target.find("updated_since") == std::string::npos) {
        return Reply{
            200,
            Page({Item("kb-1", "服务器连接故障排查指南", "服务器连不上时先检查网络连接和防火墙。", "zh",
                       "2025-08-15T10:00:00Z"),
                  Item("kb-2", "打印机无法打印", "检查打印机驱动和纸张。", "zh", "2025-08-15T10:00:01Z")},
                 1, 2)};
      }
      return Reply{200, Page({Item("kb-3", "Nginx fails to start", "Check whether port 80 is already in use.",
                                   "en", "2025-08-15T10:00:02Z"),
                              R"({"id":"kb-old","deleted":true,"updated_at":"2025-08-15T10:00:03Z"})",
                              R"({"id":"kb-bad","updated_at":"2025-08-15T10:00:03Z"})"},
                             2, 2)};
    });
  }

  Result<SearchResult> Search(const std::string& text) {
    SearchQuery query;
    query.text = text;
    return store_->search().Search(scope_, query);
  }

  Scope scope_{test::PlatformAdmin(3, 1, 1)};
  FakeHttpServer server_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<KnowledgeSource> source_;
};

TEST_F(KnowledgeSyncTest, PullsEveryPageIntoTheStoreAndItsIndex) {
  ServeTwoPages();
  auto report = KnowledgeSync().SyncOnce(scope_, *source_, store_->knowledge(), std::nullopt);
  ASSERT_TRUE(report.ok()) << Describe(report);
  EXPECT_EQ(report->fetched, 5);
  EXPECT_EQ(report->created, 3);
  EXPECT_EQ(report->updated, 0);
  EXPECT_EQ(report->failed, 1);
  ASSERT_EQ(report->errors.size(), 1u);
  EXPECT_EQ(report->errors[0].external_id, "kb-bad");
  EXPECT_EQ(report->next_cursor, "2025-08-15T10:00:03.000Z");
  EXPECT_FALSE(report->more);
  EXPECT_TRUE(report->interrupted_by.ok());
  EXPECT_EQ(server_.requests().size(), 2u);

  auto chinese = Search("服务器连不上");
  ASSERT_TRUE(chinese.ok()) << Describe(chinese);
  ASSERT_FALSE(chinese->hits.empty());
  EXPECT_EQ(chinese->hits[0].external_id, "kb-1");
  auto english = Search("nginx port");
  ASSERT_TRUE(english.ok()) << Describe(english);
  ASSERT_FALSE(english->hits.empty());
  EXPECT_EQ(english->hits[0].external_id, "kb-3");
}

TEST_F(KnowledgeSyncTest, ADeletionOfAnArticleNeverPulledIsANoOp) {
  ServeTwoPages();
  auto report = KnowledgeSync().SyncOnce(scope_, *source_, store_->knowledge(), std::nullopt);
  ASSERT_TRUE(report.ok()) << Describe(report);
  EXPECT_EQ(report->deleted, 0);
}

TEST_F(KnowledgeSyncTest, ADeletionAtTheSourceRemovesThePulledArticle) {
  KnowledgeArticle old;
  old.external_id = "kb-old";
  old.title = "Old article";
  old.body = "To be removed at the source.";
  old.lang = ArticleLang::en;
  ASSERT_TRUE(store_->knowledge().UpsertMany(scope_, {old}).ok());
  ServeTwoPages();
  auto report = KnowledgeSync().SyncOnce(scope_, *source_, store_->knowledge(), std::nullopt);
  ASSERT_TRUE(report.ok()) << Describe(report);
  EXPECT_EQ(report->deleted, 1);
  auto listed = store_->knowledge().List(scope_, KnowledgeFilter{}, PageRequest{1, 100});
  ASSERT_TRUE(listed.ok());
  for (const auto& article : listed->items) EXPECT_NE(article.external_id, "kb-old");
}

TEST_F(KnowledgeSyncTest, ASecondSyncUpdatesByExternalIdKeepingVotes) {
  ServeTwoPages();
  KnowledgeSync sync;
  auto first = sync.SyncOnce(scope_, *source_, store_->knowledge(), std::nullopt);
  ASSERT_TRUE(first.ok()) << Describe(first);
  auto listed = store_->knowledge().List(scope_, {}, {1, 10});
  ASSERT_TRUE(listed.ok());
  std::int64_t kb3 = 0;
  for (const auto& article : listed->items) {
    if (article.external_id == "kb-3") kb3 = article.id;
  }
  ASSERT_TRUE(store_->knowledge().Vote(scope_, kb3, true).ok());

  server_.AlwaysReply({200, Page({Item("kb-3", "Nginx fails to start after an upgrade", "Check port 80.",
                                       "en", "2025-08-15T11:00:00Z")},
                                 1, 1)});
  auto second = sync.SyncOnce(scope_, *source_, store_->knowledge(), first->next_cursor);
  ASSERT_TRUE(second.ok()) << Describe(second);
  EXPECT_EQ(second->created, 0);
  EXPECT_EQ(second->updated, 1);
  EXPECT_NE(server_.requests().back().target.find("updated_since=2025-08-15T10%3A00%3A03.000Z"),
            std::string::npos);
  auto stored = store_->knowledge().Get(scope_, kb3);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->title, "Nginx fails to start after an upgrade");
  EXPECT_EQ(stored->helpful_votes, 1);
}

TEST_F(KnowledgeSyncTest, AnInvalidArticleIsSkippedAndCounted) {
  const std::string too_long(300, 'x');
  server_.AlwaysReply({200, Page({Item("ok", "Fine", "body", "en", "2025-08-15T10:00:00Z"),
                                  Item("long", too_long, "body", "en", "2025-08-15T10:00:00Z")},
                                 1, 1)});
  auto report = KnowledgeSync().SyncOnce(scope_, *source_, store_->knowledge(), std::nullopt);
  ASSERT_TRUE(report.ok()) << Describe(report);
  EXPECT_EQ(report->created, 1);
  EXPECT_EQ(report->failed, 1);
  ASSERT_EQ(report->errors.size(), 1u);
  EXPECT_EQ(report->errors[0].external_id, "long");
  EXPECT_NE(report->errors[0].reason.find("title"), std::string::npos);
}

TEST_F(KnowledgeSyncTest, StopsAfterMaxPagesAndSaysThereIsMore) {
  int served = 0;
  server_.SetHandler([&served](const RecordedRequest&) {
    ++served;
    const std::string time = "2025-08-15T10:00:0" + std::to_string(served) + "Z";
    return Reply{200, Page({Item("kb-" + std::to_string(served), "Article", "body", "en", time)}, 1, 9)};
  });
  SyncOptions options;
  options.max_pages = 3;
  auto report = KnowledgeSync(options).SyncOnce(scope_, *source_, store_->knowledge(), std::nullopt);
  ASSERT_TRUE(report.ok()) << Describe(report);
  EXPECT_EQ(served, 3);
  EXPECT_TRUE(report->more);
  EXPECT_EQ(report->created, 3);
  EXPECT_EQ(report->next_cursor, "2025-08-15T10:00:03.000Z");
  server_.SetHandler({});
}

TEST_F(KnowledgeSyncTest, AFailureOnTheFirstPageFailsTheSync) {
  server_.AlwaysReply({503, "{}"});
  auto report = KnowledgeSync().SyncOnce(scope_, *source_, store_->knowledge(), "2025-08-15T10:00:00Z");
  EXPECT_EQ(report.status().code(), ErrorCode::kSearchUnavailable);
  EXPECT_TRUE(report.status().retryable());
}

TEST_F(KnowledgeSyncTest, AFailureOnALaterPageKeepsWhatWasApplied) {
  server_.SetHandler([](const RecordedRequest& request) {
    if (request.target.find("updated_since") == std::string::npos) {
      return Reply{200, Page({Item("kb-1", "First", "body", "en", "2025-08-15T10:00:00Z")}, 1, 2)};
    }
    return Reply{500, "{}"};
  });
  auto report = KnowledgeSync().SyncOnce(scope_, *source_, store_->knowledge(), std::nullopt);
  ASSERT_TRUE(report.ok()) << Describe(report);
  EXPECT_EQ(report->created, 1);
  EXPECT_EQ(report->next_cursor, "2025-08-15T10:00:00.000Z");
  EXPECT_EQ(report->interrupted_by.code(), ErrorCode::kSearchUnavailable);
}

TEST_F(KnowledgeSyncTest, RefusesBadOptions) {
  SyncOptions options;
  options.page_size = 0;
  auto report = KnowledgeSync(options).SyncOnce(scope_, *source_, store_->knowledge(), std::nullopt);
  EXPECT_EQ(report.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_TRUE(server_.requests().empty());
}

// --- ForwardVote --------------------------------------------------------------------------------

class ForwardVoteTest : public KnowledgeSyncTest {
 protected:
  void SetUp() override {
    KnowledgeSyncTest::SetUp();
    CircuitBreakerOptions options;
    options.slow_call_duration_threshold_ms = 300;
    auto breaker = CircuitBreaker::Create("knowledge.req005", options, clock_);
    ASSERT_TRUE(breaker.ok());
    breaker_ = std::move(breaker).value();
    article_.tenant_id = 3;
    article_.external_id = "1001";
    article_.source = std::string(source_->name());
    article_.title = "t";
  }

  std::shared_ptr<ManualClock> clock_ = std::make_shared<ManualClock>(1'000'000);
  std::unique_ptr<CircuitBreaker> breaker_;
  KnowledgeArticle article_;
};

TEST_F(ForwardVoteTest, ForwardsAVoteOnAPulledArticle) {
  server_.AlwaysReply({200, R"({"code":200,"message":"success","data":null})"});
  const VoteForwarding forwarding = ForwardVote(*breaker_, *source_, scope_, article_, true);
  EXPECT_TRUE(forwarding.forwarded);
  EXPECT_EQ(forwarding.reason, "");
  EXPECT_EQ(server_.requests().size(), 1u);
}

TEST_F(ForwardVoteTest, ALocalArticleIsNotForwarded) {
  article_.source = "debian-faq";
  EXPECT_EQ(ForwardVote(*breaker_, *source_, scope_, article_, true).reason, forward_reason::kNotFromSource);
  article_.source = std::string(source_->name());
  article_.external_id.reset();
  EXPECT_EQ(ForwardVote(*breaker_, *source_, scope_, article_, true).reason, forward_reason::kNotFromSource);
  EXPECT_TRUE(server_.requests().empty());
}

TEST_F(ForwardVoteTest, AnArticleThePlatformDoesNotKnowIsRejectedWithoutCountingAgainstIt) {
  server_.AlwaysReply({404, R"({"code":10004,"message":"no such article"})"});
  const VoteForwarding forwarding = ForwardVote(*breaker_, *source_, scope_, article_, false);
  EXPECT_FALSE(forwarding.forwarded);
  EXPECT_EQ(forwarding.reason, forward_reason::kRejected);
  EXPECT_EQ(breaker_->metrics().failed_calls, 0);
}

TEST_F(ForwardVoteTest, FiveFailedForwardsOpenTheBreakerAndTheVoteStillStands) {
  auto stored = store_->knowledge().UpsertMany(scope_, {article_});
  ASSERT_TRUE(stored.ok()) << Describe(stored);
  const std::int64_t id = (*stored)[0].article.id;
  server_.AlwaysReply({500, "{}"});
  for (int i = 0; i < 5; ++i) {
    // What the vote path does: store the customer's vote, then forward it.
    auto voted = store_->knowledge().Vote(scope_, id, true);
    ASSERT_TRUE(voted.ok()) << Describe(voted);
    const VoteForwarding forwarding = ForwardVote(*breaker_, *source_, scope_, *voted, true);
    EXPECT_FALSE(forwarding.forwarded);
    EXPECT_EQ(forwarding.reason, fallback_reason::kError);
  }
  EXPECT_EQ(breaker_->state(), CircuitBreaker::State::kOpen);

  auto voted = store_->knowledge().Vote(scope_, id, true);
  ASSERT_TRUE(voted.ok()) << Describe(voted);
  const VoteForwarding refused = ForwardVote(*breaker_, *source_, scope_, *voted, true);
  EXPECT_FALSE(refused.forwarded);
  EXPECT_EQ(refused.reason, fallback_reason::kBreakerOpen);
  EXPECT_EQ(server_.requests().size(), 5u);  // the open breaker spares the platform
  EXPECT_EQ(voted->helpful_votes, 6);
}

TEST_F(ForwardVoteTest, AForwardThatTimesOutIsSlow) {
  server_.AlwaysReply({200, "{}", "application/json", 1000});
  // A breaker on the system clock, so the call's real duration (the 300 ms timeout) is measured.
  CircuitBreakerOptions options;
  options.slow_call_duration_threshold_ms = 250;
  auto timed = CircuitBreaker::Create("knowledge.req005", options, Clock::System());
  ASSERT_TRUE(timed.ok());
  const VoteForwarding forwarding = ForwardVote(**timed, *source_, scope_, article_, true);
  EXPECT_FALSE(forwarding.forwarded);
  EXPECT_EQ(forwarding.reason, fallback_reason::kSlow);
}

}  // namespace
}  // namespace selfservice

// Portal::Invoke with a progress callback: knowledge.import reports its progress from a file and
// from an array, a callback can stop it between transactions, a callback that throws is contained,
// and methods that report nothing never call it.

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "harness.hpp"
#include "support/temp_dir.hpp"

namespace selfservice::test {
namespace {

using Calls = std::vector<std::pair<std::int64_t, std::int64_t>>;

// One valid record of the shared corpus's format.
json::object Record(int i) {
  return json::object{{"id", "kb-" + std::to_string(i)},
                      {"title", "Article " + std::to_string(i)},
                      {"body", "How to fix problem " + std::to_string(i)},
                      {"lang", "en"}};
}

json::object Articles(int count) {
  json::array articles;
  for (int i = 0; i < count; ++i) articles.push_back(Record(i));
  return json::object{{"articles", std::move(articles)}};
}

// The calls of a callback that records them and always goes on.
class Recorder {
 public:
  ProgressCallback Callback() {
    return [this](std::int64_t done, std::int64_t total) {
      calls.emplace_back(done, total);
      return true;
    };
  }
  Calls calls;
};

// done never goes back, never passes total, total is fixed, and the last call is (total, total).
::testing::AssertionResult RunsUpToTotal(const Calls& calls, std::int64_t total) {
  if (calls.empty()) return ::testing::AssertionFailure() << "no call";
  for (std::size_t i = 0; i < calls.size(); ++i) {
    const auto [done, reported_total] = calls[i];
    if (reported_total != total)
      return ::testing::AssertionFailure() << "call " << i << " total " << reported_total;
    if (done < 0 || done > total) return ::testing::AssertionFailure() << "call " << i << " done " << done;
    if (i > 0 && done < calls[i - 1].first)
      return ::testing::AssertionFailure() << "call " << i << " goes back";
  }
  if (calls.back().first != total) return ::testing::AssertionFailure() << "ends at " << calls.back().first;
  return ::testing::AssertionSuccess();
}

class ProgressTest : public PortalTest {
 protected:
  // The string API's call with a progress callback, as the C ABI makes it.
  json::object CallWithProgress(std::string_view method, const Caller& caller, const json::value& request,
                                const ProgressCallback& progress) {
    const std::string answer =
        portal_->Invoke(method, json::serialize(caller.ToJson()), json::serialize(request), progress);
    return json::parse(answer).as_object();
  }

  // A JSON Lines file of `count` records; returns its path.
  std::string WriteFile(int count) {
    const std::string path = dir_.File("kb.jsonl");
    std::ofstream out(path, std::ios::binary);
    for (int i = 0; i < count; ++i) out << json::serialize(Record(i)) << "\n";
    return path;
  }

  TempDir dir_;
};

TEST_F(ProgressTest, FileImportReportsBytesUpToTheFileSize) {
  const std::string path = WriteFile(1200);
  Recorder recorder;
  const json::object answer = CallWithProgress("knowledge.import", PlatformAdmin(),
                                               json::object{{"path", path}}, recorder.Callback());
  ASSERT_TRUE(IsSuccess(answer)) << answer;
  EXPECT_EQ(answer.at("data").at("imported"), 1200);
  EXPECT_EQ(answer.at("data").at("cancelled"), false);
  EXPECT_EQ(recorder.calls.size(), 3u);  // after the transactions of 500, 500 and 200 records
  EXPECT_TRUE(RunsUpToTotal(recorder.calls, static_cast<std::int64_t>(std::filesystem::file_size(path))));
}

TEST_F(ProgressTest, ArticlesImportReportsRecordsUpToTheirNumber) {
  Recorder recorder;
  const json::object answer =
      CallWithProgress("knowledge.import", CustomerAdmin(), Articles(1001), recorder.Callback());
  ASSERT_TRUE(IsSuccess(answer)) << answer;
  EXPECT_EQ(answer.at("data").at("imported"), 1001);
  EXPECT_EQ(recorder.calls, (Calls{{500, 1001}, {1000, 1001}, {1001, 1001}}));
}

TEST_F(ProgressTest, TheTypedInvokeReportsProgressToo) {
  RequestContext context;
  context.tenant_id = 1;
  context.customer_id = 10;
  context.user_id = 101;
  context.roles = static_cast<unsigned>(Role::kCustomerAdmin);
  Recorder recorder;
  const json::object answer =
      portal_->Invoke("knowledge.import", context, Articles(600), recorder.Callback());
  ASSERT_TRUE(IsSuccess(answer)) << answer;
  EXPECT_EQ(recorder.calls, (Calls{{500, 600}, {600, 600}}));
}

TEST_F(ProgressTest, AnEmptyImportReportsZeroOfZero) {
  Recorder recorder;
  ASSERT_TRUE(
      IsSuccess(CallWithProgress("knowledge.import", CustomerAdmin(), Articles(0), recorder.Callback())));
  EXPECT_EQ(recorder.calls, (Calls{{0, 0}}));
}

TEST_F(ProgressTest, FalseStopsTheImportAfterTheTransactionJustCommitted) {
  int calls = 0;
  const json::object answer =
      CallWithProgress("knowledge.import", CustomerAdmin(), Articles(1200), [&](std::int64_t, std::int64_t) {
        ++calls;
        return false;
      });
  ASSERT_TRUE(IsSuccess(answer)) << answer;
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(answer.at("data").at("cancelled"), true);
  EXPECT_EQ(answer.at("data").at("imported"), 500);
  EXPECT_EQ(answer.at("data").at("failed"), 0);
  EXPECT_EQ(Total("knowledge.list", PlatformAdmin()), 500);
}

TEST_F(ProgressTest, FalseStopsAFileImportToo) {
  const std::string path = WriteFile(1200);
  const json::object answer =
      CallWithProgress("knowledge.import", PlatformAdmin(), json::object{{"path", path}},
                       [](std::int64_t, std::int64_t) { return false; });
  ASSERT_TRUE(IsSuccess(answer)) << answer;
  EXPECT_EQ(answer.at("data").at("cancelled"), true);
  EXPECT_EQ(answer.at("data").at("imported"), 500);
  EXPECT_EQ(Total("knowledge.list", PlatformAdmin()), 500);
  // Importing the file again picks up where it stopped, updating the first 500.
  const json::object again = Call("knowledge.import", PlatformAdmin(), json::object{{"path", path}});
  EXPECT_EQ(again.at("data").at("imported"), 700);
  EXPECT_EQ(again.at("data").at("updated"), 500);
}

TEST_F(ProgressTest, FalseAtTheEndCancelsNothing) {
  const json::object answer =
      CallWithProgress("knowledge.import", CustomerAdmin(), Articles(700),
                       [](std::int64_t done, std::int64_t total) { return done < total; });
  ASSERT_TRUE(IsSuccess(answer)) << answer;
  EXPECT_EQ(answer.at("data").at("cancelled"), false);
  EXPECT_EQ(answer.at("data").at("imported"), 700);
}

TEST_F(ProgressTest, ACallbackThatThrowsStopsTheImportAndNeverEscapes) {
  int calls = 0;
  const json::object answer = CallWithProgress("knowledge.import", CustomerAdmin(), Articles(1200),
                                               [&](std::int64_t, std::int64_t) -> bool {
                                                 ++calls;
                                                 throw std::runtime_error("the host's progress bar is gone");
                                               });
  ASSERT_TRUE(IsSuccess(answer)) << answer;
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(answer.at("data").at("cancelled"), true);
  EXPECT_EQ(answer.at("data").at("imported"), 500);
  EXPECT_EQ(Total("knowledge.list", PlatformAdmin()), 500);
}

TEST_F(ProgressTest, ACallbackThatThrowsANonStandardExceptionIsContainedToo) {
  const json::object answer = CallWithProgress("knowledge.import", CustomerAdmin(), Articles(600),
                                               [](std::int64_t, std::int64_t) -> bool { throw 42; });
  ASSERT_TRUE(IsSuccess(answer)) << answer;
  EXPECT_EQ(answer.at("data").at("cancelled"), true);
  EXPECT_EQ(answer.at("data").at("imported"), 500);
}

TEST_F(ProgressTest, ANullCallbackAnswersAsInvokeWithout) {
  json::object request = Articles(3);
  request["articles"].as_array().push_back(7);
  const json::object with = CallWithProgress("knowledge.import", CustomerAdmin(1), request, nullptr);
  const json::object without = Call("knowledge.import", CustomerAdmin(2), request);
  ASSERT_TRUE(IsSuccess(with));
  EXPECT_EQ(with.at("data"), without.at("data"));
  EXPECT_EQ(with.at("data").at("imported"), 3);
  EXPECT_EQ(with.at("data").at("failed"), 1);
  EXPECT_EQ(with.at("data").at("cancelled"), false);
}

TEST_F(ProgressTest, MethodsThatReportNothingNeverCallIt) {
  Recorder recorder;
  EXPECT_TRUE(IsSuccess(CallWithProgress(
      "knowledge.upsert", CustomerAdmin(),
      json::object{{"external_id", "kb-1"}, {"title", "VPN"}, {"body", "b"}}, recorder.Callback())));
  EXPECT_TRUE(IsSuccess(CallWithProgress(
      "sessions.start", User(), json::object{{"session_type", "ai_chat"}, {"initial_question", "VPN"}},
      recorder.Callback())));
  EXPECT_TRUE(recorder.calls.empty());
}

TEST_F(ProgressTest, ACallThatFailsNeverCallsIt) {
  Recorder recorder;
  EXPECT_TRUE(
      IsError(CallWithProgress("knowledge.import", User(), Articles(600), recorder.Callback()), 10003));
  EXPECT_TRUE(IsError(
      CallWithProgress("knowledge.import", CustomerAdmin(), json::object{}, recorder.Callback()), 10001));
  EXPECT_TRUE(
      IsError(CallWithProgress("knowledge.import", PlatformAdmin(),
                               json::object{{"path", dir_.File("missing.jsonl")}}, recorder.Callback()),
              10001));
  EXPECT_TRUE(IsError(
      CallWithProgress("no.such.method", PlatformAdmin(), json::object{}, recorder.Callback()), 10004));
  const std::string bad_context = portal_->Invoke("knowledge.import", std::string_view("{oops"),
                                                  std::string_view("{}"), recorder.Callback());
  EXPECT_TRUE(IsError(json::parse(bad_context).as_object(), 10002));
  EXPECT_TRUE(recorder.calls.empty());
}

TEST_F(ProgressTest, ItRunsOnTheInvokingThreadAndMayCallThePortal) {
  const std::thread::id invoking = std::this_thread::get_id();
  std::vector<std::int64_t> listed;
  const json::object answer =
      CallWithProgress("knowledge.import", CustomerAdmin(), Articles(1001), [&](std::int64_t, std::int64_t) {
        EXPECT_EQ(std::this_thread::get_id(), invoking);
        // Each call follows a committed transaction, which other calls already see.
        listed.push_back(Total("knowledge.list", PlatformAdmin()));
        return true;
      });
  ASSERT_TRUE(IsSuccess(answer)) << answer;
  EXPECT_EQ(listed, (std::vector<std::int64_t>{500, 1000, 1001}));
}

}  // namespace
}  // namespace selfservice::test

// One Portal called from many threads at once, on each storage kind.

#include <atomic>
#include <filesystem>
#include <thread>

#include "core/random.hpp"
#include "harness.hpp"

namespace selfservice::test {
namespace {

constexpr int kThreads = 8;
constexpr int kSessionsPerThread = 100;

// Removes a SQLite database file and its journals when the test ends.
class TempDatabase {
 public:
  TempDatabase()
      : path_(std::filesystem::temp_directory_path() / ("selfservice-portal-test-" + RandomHex(8) + ".db")) {}
  ~TempDatabase() {
    std::error_code ignored;
    for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
      std::filesystem::remove(path_.string() + suffix, ignored);
    }
  }
  TempDatabase(const TempDatabase&) = delete;
  TempDatabase& operator=(const TempDatabase&) = delete;
  std::string uri() const { return "sqlite:" + path_.string(); }

 private:
  std::filesystem::path path_;
};

json::object Answer(Portal& portal, std::string_view method, const Caller& caller,
                    const json::object& request) {
  const std::string text = portal.Invoke(method, json::serialize(caller.ToJson()), json::serialize(request));
  boost::system::error_code ec;
  json::value parsed = json::parse(text, ec);
  return !ec && parsed.is_object() ? std::move(parsed.get_object()) : json::object{};
}

// kThreads users each start kSessionsPerThread sessions, add one interaction to each and read it back.
void StartAndInteractFromManyThreads(Portal& portal) {
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&portal, &failures, t] {
      const Caller caller = User(1, 10, 1000 + t);
      for (int i = 0; i < kSessionsPerThread; ++i) {
        const json::object started =
            Answer(portal, "sessions.start", caller,
                   json::object{{"session_type", "search"}, {"initial_question", "q" + std::to_string(i)}});
        if (CodeOf(started) != 200) {
          ++failures;
          continue;
        }
        const json::object added = Answer(portal, "sessions.interactions.add", caller,
                                          json::object{{"session_id", started.at("data").at("session_id")},
                                                       {"interaction_type", "answer"},
                                                       {"system_response", "try ping"},
                                                       {"ai_confidence", 0.5}});
        if (CodeOf(added) != 200) ++failures;
        const json::object read = Answer(portal, "sessions.get", caller,
                                         json::object{{"session_id", started.at("data").at("session_id")}});
        if (CodeOf(read) != 200 || read.at("data").at("interaction_count") != 1) ++failures;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);

  for (int t = 0; t < kThreads; ++t) {
    const json::object own =
        Answer(portal, "sessions.list", User(1, 10, 1000 + t), json::object{{"size", 1}});
    ASSERT_EQ(CodeOf(own), 200);
    EXPECT_EQ(own.at("pagination").at("total"), kSessionsPerThread) << "user " << t;
  }
  std::int64_t sessions = 0;
  std::int64_t interactions = 0;
  for (std::int64_t page = 1;; ++page) {
    const json::object answer =
        Answer(portal, "sessions.list", PlatformAdmin(), json::object{{"page", page}, {"size", 100}});
    ASSERT_EQ(CodeOf(answer), 200);
    for (const auto& session : answer.at("data").as_array()) {
      ++sessions;
      interactions += session.at("interaction_count").as_int64();
    }
    if (page >= answer.at("pagination").at("pages").as_int64()) break;
  }
  EXPECT_EQ(sessions, kThreads * kSessionsPerThread);
  EXPECT_EQ(interactions, kThreads * kSessionsPerThread);
}

TEST(PortalConcurrency, ManyThreadsOnAMemoryStore) {
  auto portal = Portal::Open(PortalOptions{});
  ASSERT_TRUE(portal.ok());
  StartAndInteractFromManyThreads(**portal);
}

TEST(PortalConcurrency, ManyThreadsOnAFileStore) {
  TempDatabase database;
  PortalOptions options;
  options.storage = database.uri();
  {
    auto portal = Portal::Open(options);
    ASSERT_TRUE(portal.ok()) << portal.status().detail();
    StartAndInteractFromManyThreads(**portal);
  }
  // What was committed is still there for the next portal on the same file.
  auto reopened = Portal::Open(options);
  ASSERT_TRUE(reopened.ok());
  const json::object answer = Answer(**reopened, "sessions.list", PlatformAdmin(), json::object{{"size", 1}});
  EXPECT_EQ(answer.at("pagination").at("total"), kThreads * kSessionsPerThread);
}

}  // namespace
}  // namespace selfservice::test

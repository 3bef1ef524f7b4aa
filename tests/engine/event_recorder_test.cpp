// EventRecorder: behaviour events written within the call, or queued and written behind in one
// transaction per tenant, never lost on destruction, never written into another tenant.

#include <gtest/gtest.h>

#include <chrono>
#include <thread>
#include <vector>

#include "engine/event_recorder.hpp"
#include "engine_test_support.hpp"

namespace selfservice {
namespace {

using namespace std::chrono_literals;

BehaviorEvent SearchEvent(const RequestContext& who, std::string keywords) {
  BehaviorEvent event;
  event.tenant_id = who.tenant_id;
  event.customer_id = who.customer_id;
  event.user_id = who.user_id;
  event.page_path = "/search";
  event.action_type = ActionType::search;
  event.search_keywords = std::move(keywords);
  event.created_at = Timestamp{test::kStart};
  return event;
}

class EventRecorderTest : public ::testing::Test {
 protected:
  std::int64_t Stored(const RequestContext& who) {
    auto page = store_->analytics().List(Scope(who), BehaviorFilter{}, PageRequest{1, 100});
    EXPECT_TRUE(page.ok());
    return page.ok() ? page->total : -1;
  }

  std::unique_ptr<Store> store_ = test::OpenMemoryStore();
  const RequestContext alice_ = test::PlatformAdmin(1, 10, 100);
  const RequestContext bob_ = test::PlatformAdmin(2, 20, 200);
};

TEST_F(EventRecorderTest, WithoutAnIntervalEachEventIsWrittenWithinItsCall) {
  EventRecorder recorder(*store_, 0ms);
  ASSERT_TRUE(recorder.Record(alice_, SearchEvent(alice_, "vpn")).ok());
  EXPECT_EQ(Stored(alice_), 1);
}

TEST_F(EventRecorderTest, WithoutAnIntervalAnEventOfAnotherTenantIsRefused) {
  EventRecorder recorder(*store_, 0ms);
  EXPECT_FALSE(recorder.Record(alice_, SearchEvent(bob_, "vpn")).ok());
  EXPECT_EQ(Stored(alice_), 0);
  EXPECT_EQ(Stored(bob_), 0);
}

TEST_F(EventRecorderTest, WrittenBehindEventsWaitForTheIntervalOrAFlush) {
  EventRecorder recorder(*store_, 10s);  // longer than the test: only Flush writes
  ASSERT_TRUE(recorder.Record(alice_, SearchEvent(alice_, "vpn")).ok());
  ASSERT_TRUE(recorder.Record(bob_, SearchEvent(bob_, "wifi")).ok());
  EXPECT_EQ(Stored(alice_), 0);
  recorder.Flush();
  EXPECT_EQ(Stored(alice_), 1);
  EXPECT_EQ(Stored(bob_), 1);
}

TEST_F(EventRecorderTest, TheWriterThreadWritesQueuedEvents) {
  EventRecorder recorder(*store_, 1ms);
  ASSERT_TRUE(recorder.Record(alice_, SearchEvent(alice_, "vpn")).ok());
  // Waits for the writer without asserting on time: polls until the event is there.
  for (int i = 0; i < 5000 && Stored(alice_) == 0; ++i) std::this_thread::sleep_for(1ms);
  EXPECT_EQ(Stored(alice_), 1);
}

TEST_F(EventRecorderTest, DestructionWritesWhatIsQueued) {
  {
    EventRecorder recorder(*store_, 10s);
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(recorder.Record(alice_, SearchEvent(alice_, "vpn")).ok());
  }
  EXPECT_EQ(Stored(alice_), 3);
}

TEST_F(EventRecorderTest, AFullQueueIsWrittenByTheCallerThatFillsIt) {
  EventRecorder recorder(*store_, 10s);
  for (int i = 0; i < 4096; ++i) ASSERT_TRUE(recorder.Record(alice_, SearchEvent(alice_, "q")).ok());
  auto page = store_->analytics().List(Scope(alice_), BehaviorFilter{}, PageRequest{1, 1});
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->total, 4096);
}

TEST_F(EventRecorderTest, ConcurrentRecordersLoseNothing) {
  {
    EventRecorder recorder(*store_, 1ms);
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&, t] {
        const RequestContext& who = t % 2 == 0 ? alice_ : bob_;
        for (int i = 0; i < 250; ++i) EXPECT_TRUE(recorder.Record(who, SearchEvent(who, "q")).ok());
      });
    }
    for (auto& thread : threads) thread.join();
  }
  auto alice = store_->analytics().List(Scope(alice_), BehaviorFilter{}, PageRequest{1, 1});
  auto bob = store_->analytics().List(Scope(bob_), BehaviorFilter{}, PageRequest{1, 1});
  ASSERT_TRUE(alice.ok() && bob.ok());
  EXPECT_EQ(alice->total, 500);
  EXPECT_EQ(bob->total, 500);
}

TEST_F(EventRecorderTest, AnEventOfAnotherTenantQueuedBehindIsNeverWrittenIntoTheCaller) {
  EventRecorder recorder(*store_, 10s);
  ASSERT_TRUE(recorder.Record(alice_, SearchEvent(bob_, "smuggled")).ok());  // queued: checked when written
  recorder.Flush();
  EXPECT_EQ(Stored(alice_), 0);
  EXPECT_EQ(Stored(bob_), 0);
}

}  // namespace
}  // namespace selfservice

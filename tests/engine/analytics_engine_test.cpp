// AnalyticsEngine: behaviour events are validated one by one and stored all together or not at all.

#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <boost/json/object.hpp>

#include "engine/engine_test_support.hpp"

namespace selfservice {
namespace {

using test::Describe;
using test::JsonObject;
using test::kMinute;
using test::kStart;
using test::PlatformAdmin;
using test::User;

class AnalyticsEngineTest : public test::EngineTest {
 protected:
  Result<std::size_t> Track(const std::vector<boost::json::object>& events, bool as_batch = true) {
    std::vector<const boost::json::object*> pointers;
    for (const auto& event : events) pointers.push_back(&event);
    return engine_.Track(user_, pointers, as_batch);
  }

  Page<BehaviorEvent> Stored() {
    auto listed =
        store_->analytics().List(Scope(PlatformAdmin(1, 1, 1)), BehaviorFilter{}, PageRequest{1, 100});
    EXPECT_TRUE(listed.ok()) << Describe(listed);
    return listed.ok() ? listed.value() : Page<BehaviorEvent>{};
  }

  static boost::json::object View(const std::string& path) {
    boost::json::object event;
    event["page_path"] = path;
    event["action_type"] = "view";
    return event;
  }

  static std::vector<std::string> Fields(const Status& status) {
    std::vector<std::string> fields;
    for (const auto& error : status.field_errors()) fields.push_back(error.field);
    return fields;
  }

  const RequestContext user_ = User(1, 10, 100);
  AnalyticsEngine engine_{*store_, clock_};
};

TEST_F(AnalyticsEngineTest, ABatchOfNEventsStoresN) {
  auto tracked = Track({View("/a"), View("/b"), View("/c")});
  ASSERT_TRUE(tracked.ok()) << Describe(tracked);
  EXPECT_EQ(*tracked, 3u);
  const auto stored = Stored();
  EXPECT_EQ(stored.total, 3);
  for (const auto& event : stored.items) {
    EXPECT_EQ(event.tenant_id, 1);
    EXPECT_EQ(event.customer_id, 10);
    EXPECT_EQ(event.user_id, 100);
    EXPECT_EQ(event.created_at.millis, kStart);
  }
}

TEST_F(AnalyticsEngineTest, EveryClientFieldIsReadAndTheOwnerComesFromTheCaller) {
  auto tracked = Track({JsonObject(R"({
      "id": 99, "tenant_id": 2, "customer_id": 20, "user_id": 200,
      "session_id": "sess_0123456789abcdef01234567", "page_path": "/kb/search",
      "action_type": "search", "action_target": "search-box", "search_keywords": "发票 invoice",
      "stay_duration": 12, "device_type": "mobile", "browser_info": "Safari 17",
      "ip_address": "192.0.2.7", "user_agent": "Mozilla/5.0", "referrer_url": "https://example.com/"})")});
  ASSERT_TRUE(tracked.ok()) << Describe(tracked);
  const auto stored = Stored();
  ASSERT_EQ(stored.items.size(), 1u);
  const BehaviorEvent& event = stored.items[0];
  EXPECT_NE(event.id, 99);
  EXPECT_EQ(event.tenant_id, 1);
  EXPECT_EQ(event.customer_id, 10);
  EXPECT_EQ(event.user_id, 100);
  EXPECT_EQ(event.session_id, "sess_0123456789abcdef01234567");
  EXPECT_EQ(event.page_path, "/kb/search");
  EXPECT_EQ(event.action_type, ActionType::search);
  EXPECT_EQ(event.action_target, "search-box");
  EXPECT_EQ(event.search_keywords, "发票 invoice");
  EXPECT_EQ(event.stay_duration, 12);
  EXPECT_EQ(event.device_type, DeviceType::mobile);
  EXPECT_EQ(event.browser_info, "Safari 17");
  EXPECT_EQ(event.ip_address, "192.0.2.7");
  EXPECT_EQ(event.user_agent, "Mozilla/5.0");
  EXPECT_EQ(event.referrer_url, "https://example.com/");
}

TEST_F(AnalyticsEngineTest, OneInvalidEventRejectsTheWholeBatchNamingIt) {
  auto bad = View("/b");
  bad["action_type"] = "fly";
  auto tracked = Track({View("/a"), bad, View("/c")});
  ASSERT_EQ(tracked.status().code(), ErrorCode::kInvalidArgument) << Describe(tracked);
  ASSERT_EQ(tracked.status().field_errors().size(), 1u);
  EXPECT_EQ(tracked.status().field_errors()[0].field, "events[1].action_type");
  EXPECT_EQ(tracked.status().field_errors()[0].code, field_code::kNotAllowed);
  EXPECT_EQ(Stored().total, 0);
}

TEST_F(AnalyticsEngineTest, EveryInvalidEventOfABatchIsReported) {
  boost::json::object no_path;
  no_path["action_type"] = "click";
  auto bad_ip = View("/c");
  bad_ip["ip_address"] = "999.1.1.1";
  auto tracked = Track({no_path, View("/b"), bad_ip});
  ASSERT_EQ(tracked.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(Fields(tracked.status()),
            (std::vector<std::string>{"events[0].page_path", "events[2].ip_address"}));
  EXPECT_EQ(Stored().total, 0);
}

TEST_F(AnalyticsEngineTest, ASingleEventNamesItsFieldsPlainly) {
  auto bad = View("/a");
  bad["stay_duration"] = -5;
  auto tracked = Track({bad}, false);
  ASSERT_EQ(tracked.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(Fields(tracked.status()), std::vector<std::string>{"stay_duration"});
}

TEST_F(AnalyticsEngineTest, AnEmptyBatchIsRefused) {
  auto tracked = Track({});
  ASSERT_EQ(tracked.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(Fields(tracked.status()), std::vector<std::string>{"events"});
}

TEST_F(AnalyticsEngineTest, ABatchOfMoreThanTheMaximumIsRefused) {
  std::vector<boost::json::object> events(AnalyticsEngine::kMaxBatch + 1, View("/x"));
  auto tracked = Track(events);
  ASSERT_EQ(tracked.status().code(), ErrorCode::kInvalidArgument);
  ASSERT_EQ(tracked.status().field_errors().size(), 1u);
  EXPECT_EQ(tracked.status().field_errors()[0].field, "events");
  EXPECT_EQ(tracked.status().field_errors()[0].code, field_code::kTooLong);
  EXPECT_EQ(Stored().total, 0);
}

TEST_F(AnalyticsEngineTest, ABatchOfExactlyTheMaximumIsStored) {
  std::vector<boost::json::object> events(AnalyticsEngine::kMaxBatch, View("/x"));
  auto tracked = Track(events);
  ASSERT_TRUE(tracked.ok()) << Describe(tracked);
  EXPECT_EQ(*tracked, AnalyticsEngine::kMaxBatch);
  EXPECT_EQ(Stored().total, static_cast<std::int64_t>(AnalyticsEngine::kMaxBatch));
}

TEST_F(AnalyticsEngineTest, ClientTimestampsAreKept) {
  auto iso = View("/iso");
  iso["created_at"] = "2023-11-14T21:00:00.250Z";
  auto millis = View("/millis");
  millis["created_at"] = kStart - 3 * 24 * 60 * kMinute;
  auto edge = View("/edge");
  edge["created_at"] = kStart + 5 * kMinute;  // the allowed clock skew, exactly
  ASSERT_TRUE(Track({iso, millis, edge}).ok());
  std::map<std::string, std::int64_t> times;
  for (const auto& event : Stored().items) times[event.page_path] = event.created_at.millis;
  EXPECT_EQ(times["/iso"], 1'699'995'600'250);
  EXPECT_EQ(times["/millis"], kStart - 3 * 24 * 60 * kMinute);
  EXPECT_EQ(times["/edge"], kStart + 5 * kMinute);
}

TEST_F(AnalyticsEngineTest, TimestampsFurtherInTheFutureThanTheSkewAreRefused) {
  auto future = View("/future");
  future["created_at"] = kStart + 5 * kMinute + 1;
  auto tracked = Track({View("/now"), future});
  ASSERT_EQ(tracked.status().code(), ErrorCode::kInvalidArgument);
  ASSERT_EQ(tracked.status().field_errors().size(), 1u);
  EXPECT_EQ(tracked.status().field_errors()[0].field, "events[1].created_at");
  EXPECT_EQ(tracked.status().field_errors()[0].code, field_code::kOutOfRange);
  EXPECT_EQ(Stored().total, 0);
}

TEST_F(AnalyticsEngineTest, TimestampsAtOrBeforeTheEpochAreRefused) {
  for (std::int64_t millis : {std::int64_t{0}, std::int64_t{-1000}}) {
    auto old = View("/old");
    old["created_at"] = millis;
    auto tracked = Track({old});
    ASSERT_EQ(tracked.status().code(), ErrorCode::kInvalidArgument) << millis;
    EXPECT_EQ(Fields(tracked.status()), std::vector<std::string>{"events[0].created_at"});
  }
  EXPECT_EQ(Stored().total, 0);
}

}  // namespace
}  // namespace selfservice

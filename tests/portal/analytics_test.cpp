// analytics.track through the API: one event or a batch, stored all together or not at all.

#include "harness.hpp"

namespace selfservice::test {
namespace {

using AnalyticsTest = PortalTest;

json::object Event(std::string_view action = "search") {
  return json::object{
      {"page_path", "/faq"}, {"action_type", action}, {"search_keywords", "vpn"}, {"device_type", "desktop"}};
}

json::object Batch(std::size_t count) {
  json::array events;
  events.reserve(count);
  for (std::size_t i = 0; i < count; ++i) events.push_back(Event());
  return json::object{{"events", std::move(events)}};
}

TEST_F(AnalyticsTest, TracksASingleEvent) {
  const json::object answer = Call("analytics.track", User(), Event());
  ASSERT_TRUE(IsSuccess(answer));
  EXPECT_EQ(answer.at("data").at("accepted"), 1);
  EXPECT_EQ(StoredEvents(), 1);
  EXPECT_EQ(StoredEvents(2), 0);
}

TEST_F(AnalyticsTest, TracksABatch) {
  const json::object answer = Call("analytics.track", User(), Batch(3));
  ASSERT_TRUE(IsSuccess(answer));
  EXPECT_EQ(answer.at("data").at("accepted"), 3);
  EXPECT_EQ(StoredEvents(), 3);
}

TEST_F(AnalyticsTest, BadActionTypeOfASingleEventIsInvalid) {
  const json::object answer = Call("analytics.track", User(), Event("teleport"));
  ASSERT_TRUE(IsError(answer, 10001));
  EXPECT_TRUE(HasFieldError(answer, "action_type", "VALUE_NOT_ALLOWED"));
  EXPECT_EQ(StoredEvents(), 0);
}

TEST_F(AnalyticsTest, BadEventOfABatchIsNamedAndNothingIsStored) {
  json::object request = Batch(3);
  request["events"].as_array()[1].as_object()["action_type"] = "teleport";
  request["events"].as_array()[2].as_object().erase("page_path");
  const json::object answer = Call("analytics.track", User(), request);
  ASSERT_TRUE(IsError(answer, 10001));
  EXPECT_TRUE(HasFieldError(answer, "events[1].action_type", "VALUE_NOT_ALLOWED"));
  EXPECT_TRUE(HasFieldError(answer, "events[2].page_path", "FIELD_REQUIRED"));
  EXPECT_EQ(answer.at("errors").as_array().size(), 2U);
  EXPECT_EQ(StoredEvents(), 0);
}

TEST_F(AnalyticsTest, EmptyBatchIsInvalid) {
  const json::object answer = Call("analytics.track", User(), json::object{{"events", json::array{}}});
  ASSERT_TRUE(IsError(answer, 10001));
  EXPECT_TRUE(HasFieldError(answer, "events", "FIELD_REQUIRED"));
}

TEST_F(AnalyticsTest, BatchOfMoreThan5000IsInvalid) {
  const json::object answer = Call("analytics.track", User(), Batch(5001));
  ASSERT_TRUE(IsError(answer, 10001));
  EXPECT_TRUE(HasFieldError(answer, "events", "FIELD_TOO_LONG"));
  EXPECT_EQ(StoredEvents(), 0);
}

TEST_F(AnalyticsTest, BatchOf5000IsAccepted) {
  const json::object answer = Call("analytics.track", User(), Batch(5000));
  ASSERT_TRUE(IsSuccess(answer));
  EXPECT_EQ(answer.at("data").at("accepted"), 5000);
  EXPECT_EQ(StoredEvents(), 5000);
}

TEST_F(AnalyticsTest, EventsMustBeAnArrayOfObjects) {
  for (const json::value& events :
       {json::value("many"), json::value(3), json::value(nullptr), json::value(json::object{})}) {
    const json::object answer = Call("analytics.track", User(), json::object{{"events", events}});
    ASSERT_TRUE(IsError(answer, 10001)) << events;
    EXPECT_TRUE(HasFieldError(answer, "events", "FIELD_INVALID")) << events;
  }
  const json::object answer =
      Call("analytics.track", User(), json::object{{"events", json::array{Event(), "event", Event(), 4}}});
  ASSERT_TRUE(IsError(answer, 10001));
  EXPECT_TRUE(HasFieldError(answer, "events[1]", "FIELD_INVALID"));
  EXPECT_TRUE(HasFieldError(answer, "events[3]", "FIELD_INVALID"));
  EXPECT_EQ(StoredEvents(), 0);
}

TEST_F(AnalyticsTest, EventTimeMayNotLieInTheFuture) {
  json::object future = Event();
  future["created_at"] = "2025-08-15T11:00:00Z";
  const json::object answer = Call("analytics.track", User(), future);
  ASSERT_TRUE(IsError(answer, 10001));
  EXPECT_TRUE(HasFieldError(answer, "created_at", "OUT_OF_RANGE"));
  json::object past = Event();
  past["created_at"] = "2025-08-15T09:00:00Z";
  EXPECT_TRUE(IsSuccess(Call("analytics.track", User(), past)));
}

TEST_F(AnalyticsTest, FieldFormatsAreChecked) {
  const std::pair<std::string, json::value> cases[] = {
      {"ip_address", "999.1.1.1"}, {"referrer_url", "not a url"},
      {"stay_duration", -1},       {"device_type", "watch"},
      {"page_path", ""},           {"page_path", json::string(256, 'p')},
  };
  for (const auto& [field, value] : cases) {
    json::object event = Event();
    event[field] = value;
    const json::object answer = Call("analytics.track", User(), event);
    ASSERT_TRUE(IsError(answer, 10001)) << field << " = " << value;
    EXPECT_EQ(answer.at("errors").at(0).at("field").as_string(), field) << answer;
  }
  EXPECT_EQ(StoredEvents(), 0);
}

TEST_F(AnalyticsTest, OwnerComesFromTheContext) {
  json::object event = Event();
  event["tenant_id"] = 2;
  event["user_id"] = 7;
  ASSERT_TRUE(IsSuccess(Call("analytics.track", User(), event)));
  EXPECT_EQ(StoredEvents(1), 1);
  EXPECT_EQ(StoredEvents(2), 0);
}

}  // namespace
}  // namespace selfservice::test

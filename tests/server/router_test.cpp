// portal_server's Router: routes from the dispatch table, literal segments before parameters,
// 405 with the verbs a path has, and URL values typed for the methods that read them.

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "router.hpp"

namespace selfservice::server {
namespace {

namespace json = boost::json;

const Router& TheRouter() {
  static const Router router(Portal::Methods());
  return router;
}

std::string_view Found(std::string_view verb, std::string_view path) {
  const Router::Lookup lookup = TheRouter().Find(verb, path);
  if (lookup.outcome != Router::Outcome::kMatched) return {};
  return TheRouter().method(lookup.match.method_index).name;
}

TEST(RouterTest, EveryMethodOfTheTableIsFoundAtItsOwnRoute) {
  for (const MethodInfo& method : Portal::Methods()) {
    std::string path(method.route);
    // Fills each {parameter} with a value no literal segment has.
    for (std::size_t open = path.find('{'); open != std::string::npos; open = path.find('{')) {
      path.replace(open, path.find('}', open) - open + 1, "7");
    }
    EXPECT_EQ(Found(method.http_method, path), method.name) << path;
  }
}

TEST(RouterTest, ALiteralSegmentBeatsAParameter) {
  EXPECT_EQ(Found("POST", "/api/v1/customer-portal/sessions/sweep"), "sessions.sweep");
  EXPECT_EQ(Found("GET", "/api/v1/customer-portal/sessions/sess_1"), "sessions.get");
  EXPECT_EQ(Found("POST", "/api/v1/customer-portal/attachments/uploads/sweep"), "tickets.attachments.sweep");
}

TEST(RouterTest, PathParametersArePercentDecoded) {
  const Router::Lookup lookup = TheRouter().Find("GET", "/api/v1/customer-portal/sessions/sess%5F42");
  ASSERT_EQ(lookup.outcome, Router::Outcome::kMatched);
  ASSERT_EQ(lookup.match.parameters.size(), 1u);
  EXPECT_EQ(lookup.match.parameters[0].first, "session_id");
  EXPECT_EQ(lookup.match.parameters[0].second, "sess_42");
}

TEST(RouterTest, ExtraSlashesAreIgnored) {
  EXPECT_EQ(Found("GET", "//api/v1/customer-portal/tickets/"), "tickets.list");
}

TEST(RouterTest, AnUnknownPathIsNoRoute) {
  EXPECT_EQ(TheRouter().Find("GET", "/api/v1/customer-portal/nothing").outcome, Router::Outcome::kNoRoute);
  EXPECT_EQ(TheRouter().Find("GET", "/").outcome, Router::Outcome::kNoRoute);
  EXPECT_EQ(TheRouter().Find("GET", "").outcome, Router::Outcome::kNoRoute);
  EXPECT_EQ(TheRouter().Find("GET", "/api/v1/customer-portal/tickets/1/status/extra").outcome,
            Router::Outcome::kNoRoute);
}

TEST(RouterTest, AnUndecodableParameterIsNoRoute) {
  EXPECT_EQ(TheRouter().Find("GET", "/api/v1/customer-portal/tickets/%zz").outcome, Router::Outcome::kNoRoute);
  EXPECT_EQ(TheRouter().Find("GET", "/api/v1/customer-portal/tickets/%00").outcome, Router::Outcome::kNoRoute);
}

TEST(RouterTest, AKnownPathWithAnotherVerbListsTheVerbsItHas) {
  const Router::Lookup lookup = TheRouter().Find("PATCH", "/api/v1/customer-portal/tickets/5");
  ASSERT_EQ(lookup.outcome, Router::Outcome::kWrongVerb);
  EXPECT_NE(lookup.allowed_verbs.find("GET"), std::string::npos);
  EXPECT_NE(lookup.allowed_verbs.find("PUT"), std::string::npos);
  EXPECT_EQ(TheRouter().Find("get", "/api/v1/customer-portal/tickets/5").outcome, Router::Outcome::kWrongVerb);
}

TEST(PercentDecodeTest, DecodesEscapesAndPlusOnlyWhenAsked) {
  EXPECT_EQ(PercentDecode("a%20b+c", true), "a b c");
  EXPECT_EQ(PercentDecode("a%20b+c", false), "a b+c");
  EXPECT_EQ(PercentDecode("%E5%AF%86%E7%A0%81", true), "密码");
  EXPECT_EQ(PercentDecode("", true), "");
}

TEST(PercentDecodeTest, RefusesBadEscapesAndNul) {
  EXPECT_FALSE(PercentDecode("%", true));
  EXPECT_FALSE(PercentDecode("%4", true));
  EXPECT_FALSE(PercentDecode("%g1", true));
  EXPECT_FALSE(PercentDecode("a%00b", true));
}

TEST(GuessTypeTest, CanonicalIntegersAndBooleansAreTyped) {
  EXPECT_EQ(GuessType("42"), json::value(42));
  EXPECT_EQ(GuessType("-7"), json::value(-7));
  EXPECT_EQ(GuessType("0"), json::value(0));
  EXPECT_EQ(GuessType("true"), json::value(true));
  EXPECT_EQ(GuessType("false"), json::value(false));
}

TEST(GuessTypeTest, EverythingElseStaysText) {
  for (std::string_view text : {"007", "-0", "1.5", "1e3", "", "-", "sess_1", "TRUE", "9999999999999999999"}) {
    EXPECT_TRUE(GuessType(text).is_string()) << text;
  }
}

TEST(QueryFieldsTest, FieldsAreDecodedTypedAndRepeatedOnesListed) {
  json::object request;
  std::vector<std::string> names;
  EXPECT_FALSE(AddQueryFields("q=vpn+drops&page=2&tags=a&tags=b&&empty=", request, names));
  EXPECT_EQ(request.at("q"), "vpn drops");
  EXPECT_EQ(request.at("page"), 2);
  EXPECT_EQ(request.at("tags"), json::array({"a", "b"}));
  EXPECT_EQ(request.at("empty"), "");
  EXPECT_EQ(names, (std::vector<std::string>{"q", "page", "tags", "empty"}));
}

TEST(QueryFieldsTest, AnUndecodableFieldIsNamed) {
  json::object request;
  std::vector<std::string> names;
  EXPECT_EQ(AddQueryFields("q=ok&bad=%zz", request, names), "bad");
  EXPECT_EQ(AddQueryFields("=value", request, names), "");
}

TEST(RetypeUrlFieldTest, NumbersAndBooleansGoBackToTextAndTextBecomesAList) {
  json::object request{{"q", 2024}, {"flag", true}, {"tags", "vpn"}, {"list", json::array{"a"}}};
  EXPECT_TRUE(RetypeUrlField(request, "q"));
  EXPECT_EQ(request.at("q"), "2024");
  EXPECT_TRUE(RetypeUrlField(request, "flag"));
  EXPECT_EQ(request.at("flag"), "true");
  EXPECT_TRUE(RetypeUrlField(request, "tags"));
  EXPECT_EQ(request.at("tags"), json::array({"vpn"}));
  EXPECT_FALSE(RetypeUrlField(request, "list"));
  EXPECT_FALSE(RetypeUrlField(request, "absent"));
}

}  // namespace
}  // namespace selfservice::server

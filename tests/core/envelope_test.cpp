// The unified envelopes of REQ-019 4.2 (success) and 4.3 (failure).

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>
#include <string>

#include <boost/json.hpp>

#include "core/envelope.hpp"

namespace selfservice {
namespace {

namespace json = boost::json;

constexpr std::int64_t kAug15 = 1'755'252'000'000;  // 2025-08-15T10:00:00.000Z
constexpr std::string_view kHelp = "https://docs.example.com/api/errors/";

std::vector<std::string> KeysInOrder(const json::object& object) {
  std::vector<std::string> keys;
  for (const auto& item : object) keys.emplace_back(item.key());
  return keys;
}

// --- EnvelopeTimestamp --------------------------------------------------------------------------

TEST(EnvelopeTimestamp, IsIsoUtcToTheSecond) {
  EXPECT_EQ(EnvelopeTimestamp(kAug15), "2025-08-15T10:00:00Z");
}

TEST(EnvelopeTimestamp, DropsMilliseconds) {
  EXPECT_EQ(EnvelopeTimestamp(kAug15 + 999), "2025-08-15T10:00:00Z");
}

TEST(EnvelopeTimestamp, WritesTheEpoch) {
  EXPECT_EQ(EnvelopeTimestamp(0), "1970-01-01T00:00:00Z");
}

TEST(EnvelopeTimestamp, RoundsTimesBefore1970DownToTheSecond) {
  EXPECT_EQ(EnvelopeTimestamp(-1), "1969-12-31T23:59:59Z");
  EXPECT_EQ(EnvelopeTimestamp(-999), "1969-12-31T23:59:59Z");
  EXPECT_EQ(EnvelopeTimestamp(-1000), "1969-12-31T23:59:59Z");
  EXPECT_EQ(EnvelopeTimestamp(-1001), "1969-12-31T23:59:58Z");
}

// --- SuccessEnvelope ----------------------------------------------------------------------------

TEST(SuccessEnvelope, HasTheSpecsFieldsInTheSpecsOrder) {
  const json::object out =
      SuccessEnvelope(json::object{{"id", 1}}, std::nullopt, "abc123def456", Locale::kEnUS, kAug15);
  EXPECT_THAT(KeysInOrder(out), ::testing::ElementsAre("code", "message", "data", "timestamp", "trace_id"));
}

TEST(SuccessEnvelope, CarriesCodeMessageDataTimestampAndTraceId) {
  const json::object out = SuccessEnvelope(json::object{{"answer", "ok"}}, std::nullopt, "abc123def456",
                                           Locale::kEnUS, kAug15 + 42);
  EXPECT_EQ(out.at("code").as_int64(), 200);
  EXPECT_EQ(out.at("message"), "success");
  EXPECT_EQ(out.at("data"), (json::object{{"answer", "ok"}}));
  EXPECT_EQ(out.at("timestamp"), "2025-08-15T10:00:00Z");
  EXPECT_EQ(out.at("trace_id"), "abc123def456");
}

TEST(SuccessEnvelope, MessageFollowsTheLocale) {
  EXPECT_EQ(SuccessEnvelope(nullptr, std::nullopt, "t", Locale::kZhCN, kAug15).at("message"), "成功");
}

TEST(SuccessEnvelope, KeepsNullAndArrayData) {
  EXPECT_TRUE(SuccessEnvelope(nullptr, std::nullopt, "t", Locale::kZhCN, kAug15).at("data").is_null());
  EXPECT_EQ(SuccessEnvelope(json::array{1, 2}, std::nullopt, "t", Locale::kZhCN, kAug15).at("data"),
            (json::array{1, 2}));
}

TEST(SuccessEnvelope, HasNoPaginationWithoutOne) {
  EXPECT_FALSE(SuccessEnvelope(nullptr, std::nullopt, "t", Locale::kZhCN, kAug15).contains("pagination"));
}

TEST(SuccessEnvelope, PaginationHasPageSizeTotalAndPages) {
  const json::object out = SuccessEnvelope(json::array{}, Pagination{1, 20, 100}, "t", Locale::kZhCN, kAug15);
  ASSERT_TRUE(out.contains("pagination"));
  EXPECT_EQ(out.at("pagination"), (json::object{{"page", 1}, {"size", 20}, {"total", 100}, {"pages", 5}}));
  EXPECT_EQ(KeysInOrder(out).back(), "pagination");
}

TEST(SuccessEnvelope, PagesRoundUp) {
  auto pages = [](Pagination p) {
    return SuccessEnvelope(nullptr, p, "t", Locale::kZhCN, kAug15).at("pagination").at("pages").as_int64();
  };
  EXPECT_EQ(pages({1, 20, 101}), 6);
  EXPECT_EQ(pages({1, 20, 99}), 5);
  EXPECT_EQ(pages({1, 20, 1}), 1);
  EXPECT_EQ(pages({3, 7, 15}), 3);
}

TEST(SuccessEnvelope, NoResultsMeanNoPages) {
  EXPECT_EQ(
      SuccessEnvelope(nullptr, Pagination{1, 20, 0}, "t", Locale::kZhCN, kAug15).at("pagination").at("pages"),
      0);
}

TEST(SuccessEnvelope, ZeroPageSizeGivesNoPagesInsteadOfDividingByZero) {
  EXPECT_EQ(
      SuccessEnvelope(nullptr, Pagination{1, 0, 10}, "t", Locale::kZhCN, kAug15).at("pagination").at("pages"),
      0);
}

TEST(SuccessEnvelope, PagesOfAHugeTotal) {
  const std::int64_t total = std::int64_t{1} << 40;
  EXPECT_EQ(SuccessEnvelope(nullptr, Pagination{1, 100, total}, "t", Locale::kZhCN, kAug15)
                .at("pagination")
                .at("pages"),
            (total + 99) / 100);
}

// --- FailureEnvelope ----------------------------------------------------------------------------

TEST(FailureEnvelope, HasTheSpecsFieldsInTheSpecsOrder) {
  const json::object out = FailureEnvelope(Status::NotFound(), "t", Locale::kZhCN, kAug15, kHelp);
  EXPECT_THAT(KeysInOrder(out),
              ::testing::ElementsAre("code", "message", "errors", "timestamp", "trace_id", "help_url"));
}

TEST(FailureEnvelope, MatchesTheSpecsExample) {
  const Status status =
      Status::Invalid({{"question", field_code::kRequired, {}}, {"customer_id", field_code::kInvalid, {}}});
  const json::object out = FailureEnvelope(status, "abc123def456", Locale::kZhCN, kAug15, kHelp);
  EXPECT_EQ(out.at("code").as_int64(), 10001);
  EXPECT_EQ(out.at("message"), "请求参数错误");
  EXPECT_EQ(
      out.at("errors"),
      (json::array{
          json::object{{"field", "question"}, {"message", "question 不能为空"}, {"code", "FIELD_REQUIRED"}},
          json::object{
              {"field", "customer_id"}, {"message", "customer_id 格式不正确"}, {"code", "FIELD_INVALID"}}}));
  EXPECT_EQ(out.at("timestamp"), "2025-08-15T10:00:00Z");
  EXPECT_EQ(out.at("trace_id"), "abc123def456");
  EXPECT_EQ(out.at("help_url"), "https://docs.example.com/api/errors/10001");
}

TEST(FailureEnvelope, ErrorsIsEmptyWithoutFieldErrors) {
  const json::object out = FailureEnvelope(Status::Unauthenticated(), "t", Locale::kZhCN, kAug15, kHelp);
  EXPECT_EQ(out.at("code").as_int64(), 10002);
  EXPECT_EQ(out.at("errors"), json::array{});
}

TEST(FailureEnvelope, MessagesFollowTheLocale) {
  const json::object out =
      FailureEnvelope(Status::InvalidField("rating", field_code::kOutOfRange, {{"min", "1"}, {"max", "5"}}),
                      "t", Locale::kEnUS, kAug15, kHelp);
  EXPECT_EQ(out.at("message"), "Invalid request parameters");
  EXPECT_EQ(out.at("errors").at(0).at("message"), "rating must be between 1 and 5");
  EXPECT_EQ(out.at("errors").at(0).at("code"), "OUT_OF_RANGE");
}

TEST(FailureEnvelope, HelpUrlEndsWithTheCode) {
  for (ErrorCode code : {ErrorCode::kRateLimited, ErrorCode::kTransitionNotAllowed, ErrorCode::kAiUnavailable,
                         ErrorCode::kDatabaseUnavailable}) {
    const json::object out = FailureEnvelope(Status::Error(code), "t", Locale::kZhCN, kAug15, "https://h/");
    EXPECT_EQ(std::string_view(out.at("help_url").as_string()),
              "https://h/" + std::to_string(static_cast<int>(code)));
    EXPECT_EQ(out.at("code").as_int64(), static_cast<int>(code));
  }
}

TEST(FailureEnvelope, NeverCarriesTheDeveloperDetail) {
  const json::object out =
      FailureEnvelope(Status::DatabaseUnavailable("sqlite: disk I/O error at /var/db", true), "t",
                      Locale::kEnUS, kAug15, kHelp);
  EXPECT_EQ(out.at("message"), "Database unavailable");
  EXPECT_EQ(json::serialize(out).find("disk I/O"), std::string::npos);
}

TEST(FailureEnvelope, TransitionErrorExplainsTheMove) {
  const json::object out = FailureEnvelope(Status::TransitionNotAllowed("closed", "processing"), "t",
                                           Locale::kZhCN, kAug15, kHelp);
  EXPECT_EQ(out.at("code").as_int64(), 10006);
  EXPECT_EQ(out.at("errors").at(0).at("message"), "不能从 closed 流转到 processing");
  EXPECT_EQ(out.at("errors").at(0).at("code"), "TRANSITION_NOT_ALLOWED");
}

}  // namespace
}  // namespace selfservice

// PortalOptions::FromJson and Portal::Open with bad options.

#include "harness.hpp"

namespace selfservice::test {
namespace {

bool HasError(const Status& status, std::string_view field, std::string_view code) {
  return std::any_of(status.field_errors().begin(), status.field_errors().end(),
                     [&](const FieldError& error) { return error.field == field && error.code == code; });
}

TEST(PortalOptionsFromJson, ReadsEveryKey) {
  auto options = PortalOptions::FromJson(
      R"({"storage": "sqlite:/tmp/x.db", "pool_size": 8, "session_idle_timeout_seconds": 60,
          "help_url_base": "https://help.example.org/", "log_level": "error"})");
  ASSERT_TRUE(options.ok());
  EXPECT_EQ(options->storage, "sqlite:/tmp/x.db");
  EXPECT_EQ(options->pool_size, 8);
  EXPECT_EQ(options->session_idle_timeout_seconds, 60);
  EXPECT_EQ(options->help_url_base, "https://help.example.org/");
  EXPECT_EQ(options->log_level, "error");
}

TEST(PortalOptionsFromJson, EmptyObjectGivesTheDefaults) {
  auto options = PortalOptions::FromJson("{}");
  ASSERT_TRUE(options.ok());
  const PortalOptions defaults;
  EXPECT_EQ(options->storage, defaults.storage);
  EXPECT_EQ(options->pool_size, defaults.pool_size);
  EXPECT_EQ(options->session_idle_timeout_seconds, defaults.session_idle_timeout_seconds);
  EXPECT_EQ(options->log_level, defaults.log_level);
}

TEST(PortalOptionsFromJson, MalformedJsonIsInvalid) {
  for (std::string_view text : {"", "{not json", "[]", "42", "null", "\"sqlite::memory:\"", "{} x"}) {
    auto options = PortalOptions::FromJson(text);
    ASSERT_FALSE(options.ok()) << text;
    EXPECT_EQ(options.status().code(), ErrorCode::kInvalidArgument) << text;
    EXPECT_TRUE(HasError(options.status(), "options_json", "FIELD_INVALID")) << text;
  }
}

TEST(PortalOptionsFromJson, BadPoolSizeIsInvalid) {
  for (std::string_view text : {R"({"pool_size": 0})", R"({"pool_size": -1})", R"({"pool_size": 65})"}) {
    auto options = PortalOptions::FromJson(text);
    ASSERT_FALSE(options.ok()) << text;
    EXPECT_EQ(options.status().code(), ErrorCode::kInvalidArgument);
    EXPECT_TRUE(HasError(options.status(), "pool_size", "OUT_OF_RANGE")) << text;
  }
  for (std::string_view text : {R"({"pool_size": "4"})", R"({"pool_size": 2.5})", R"({"pool_size": null})"}) {
    auto options = PortalOptions::FromJson(text);
    ASSERT_FALSE(options.ok()) << text;
    EXPECT_TRUE(HasError(options.status(), "pool_size", "FIELD_INVALID")) << text;
  }
}

TEST(PortalOptionsFromJson, BadLogLevelIsInvalid) {
  for (std::string_view text :
       {R"({"log_level": "loud"})", R"({"log_level": "WARN"})", R"({"log_level": ""})"}) {
    auto options = PortalOptions::FromJson(text);
    ASSERT_FALSE(options.ok()) << text;
    EXPECT_EQ(options.status().code(), ErrorCode::kInvalidArgument);
    EXPECT_TRUE(HasError(options.status(), "log_level", "VALUE_NOT_ALLOWED")) << text;
  }
  for (std::string_view text :
       {R"({"log_level": 3})", R"({"log_level": null})", R"({"log_level": ["warn"]})"}) {
    auto options = PortalOptions::FromJson(text);
    ASSERT_FALSE(options.ok()) << text;
    EXPECT_TRUE(HasError(options.status(), "log_level", "FIELD_INVALID")) << text;
  }
}

TEST(PortalOptionsFromJson, OtherBadValuesAreInvalid) {
  const std::pair<std::string_view, std::string_view> cases[] = {
      {R"({"storage": ""})", "storage"},
      {R"({"storage": 1})", "storage"},
      {R"({"session_idle_timeout_seconds": -1})", "session_idle_timeout_seconds"},
      {R"({"session_idle_timeout_seconds": "60"})", "session_idle_timeout_seconds"},
      {R"({"help_url_base": false})", "help_url_base"},
  };
  for (const auto& [text, field] : cases) {
    auto options = PortalOptions::FromJson(text);
    ASSERT_FALSE(options.ok()) << text;
    ASSERT_EQ(options.status().field_errors().size(), 1U) << text;
    EXPECT_EQ(options.status().field_errors().front().field, field) << text;
  }
}

TEST(PortalOptionsFromJson, EveryBadKeyIsReported) {
  auto options = PortalOptions::FromJson(R"({"pool_size": 0, "log_level": "loud", "storage": ""})");
  ASSERT_FALSE(options.ok());
  EXPECT_EQ(options.status().field_errors().size(), 3U);
}

TEST(PortalOptionsFromJson, UnknownKeysAreIgnored) {
  auto options = PortalOptions::FromJson(R"({"pool_size": 2, "colour": "blue", "nested": {"a": [1, 2]}})");
  ASSERT_TRUE(options.ok());
  EXPECT_EQ(options->pool_size, 2);
}

TEST(PortalOpen, UnknownStorageSchemeIsInvalid) {
  PortalOptions options;
  options.storage = "mongodb://localhost";
  auto portal = Portal::Open(options);
  ASSERT_FALSE(portal.ok());
  EXPECT_EQ(portal.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_TRUE(HasError(portal.status(), "storage", "VALUE_NOT_ALLOWED"));
}

TEST(PortalOpen, ErrorEnvelopeWithoutAPortal) {
  const json::value answer =
      json::parse(ErrorEnvelope(Status::InvalidField("options_json", "FIELD_INVALID"), Locale::kEnUS));
  EXPECT_EQ(answer.at("code"), 10001);
  EXPECT_EQ(answer.at("message"), "Invalid request parameters");
  EXPECT_EQ(answer.at("errors").at(0).at("field"), "options_json");
  EXPECT_EQ(answer.at("help_url"), "https://docs.example.com/api/errors/10001");
  EXPECT_EQ(answer.at("trace_id").as_string().size(), 32U);
}

}  // namespace
}  // namespace selfservice::test

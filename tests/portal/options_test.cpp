// PortalOptions::FromJson and Portal::Open with bad options.

#include <tuple>

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

TEST(PortalOptionsFromJson, AnalyticsWriteBehindIsReadAndUnsetByDefault) {
  EXPECT_FALSE(PortalOptions::FromJson("{}")->analytics_write_behind_ms.has_value());
  auto options = PortalOptions::FromJson(R"({"analytics": {"write_behind_ms": 50}})");
  ASSERT_TRUE(options.ok());
  EXPECT_EQ(options->analytics_write_behind_ms, 50);
  EXPECT_FALSE(PortalOptions::FromJson(R"({"analytics": {}})")->analytics_write_behind_ms.has_value());
}

TEST(PortalOptionsFromJson, BadAnalyticsWriteBehindIsInvalid) {
  const std::tuple<std::string_view, std::string_view, std::string_view> cases[] = {
      {R"({"analytics": 50})", "analytics", "FIELD_INVALID"},
      {R"({"analytics": null})", "analytics", "FIELD_INVALID"},
      {R"({"analytics": {"write_behind_ms": "50"}})", "analytics.write_behind_ms", "FIELD_INVALID"},
      {R"({"analytics": {"write_behind_ms": 2.5}})", "analytics.write_behind_ms", "FIELD_INVALID"},
      {R"({"analytics": {"write_behind_ms": -1}})", "analytics.write_behind_ms", "OUT_OF_RANGE"},
      {R"({"analytics": {"write_behind_ms": 10001}})", "analytics.write_behind_ms", "OUT_OF_RANGE"},
  };
  for (const auto& [text, field, code] : cases) {
    auto options = PortalOptions::FromJson(text);
    ASSERT_FALSE(options.ok()) << text;
    EXPECT_EQ(options.status().code(), ErrorCode::kInvalidArgument) << text;
    EXPECT_TRUE(HasError(options.status(), field, code)) << text;
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

// --- search and knowledge_source ------------------------------------------------------------------

TEST(PortalOptionsFromJson, ReadsTheElasticsearchBackendAndItsBreaker) {
  auto options = PortalOptions::FromJson(R"({"search": {"backend": "elasticsearch",
      "elasticsearch": {"urls": ["http://es1:9200", "https://es2:9200"], "index": "kb-v2", "api_key": "k",
                        "request_timeout_ms": 1500, "connect_timeout_ms": 500, "ca_file": "/etc/ca.pem",
                        "suggest_ticket_below_score": 2.5, "bulk_batch_size": 100},
      "breaker": {"sliding_window_size": 10, "minimum_number_of_calls": 4, "failure_rate_threshold": 60,
                  "slow_call_rate_threshold": 80.5, "wait_duration_in_open_state_ms": 10000,
                  "permitted_number_of_calls_in_half_open_state": 2}}})");
  ASSERT_TRUE(options.ok()) << options.status().detail();
  ASSERT_TRUE(options->elasticsearch.has_value());
  const ElasticsearchOptions& es = *options->elasticsearch;
  EXPECT_EQ(es.urls, (std::vector<std::string>{"http://es1:9200", "https://es2:9200"}));
  EXPECT_EQ(es.index, "kb-v2");
  EXPECT_EQ(es.api_key, "k");
  EXPECT_EQ(es.request_timeout_ms, 1500);
  EXPECT_EQ(es.connect_timeout_ms, 500);
  EXPECT_EQ(es.ca_file, "/etc/ca.pem");
  EXPECT_EQ(es.suggest_ticket_below_score, 2.5);
  EXPECT_EQ(es.bulk_batch_size, 100);
  const CircuitBreakerOptions& breaker = options->search_breaker;
  EXPECT_EQ(breaker.sliding_window_size, 10);
  EXPECT_EQ(breaker.minimum_number_of_calls, 4);
  EXPECT_EQ(breaker.failure_rate_threshold, 60.0);
  EXPECT_EQ(breaker.slow_call_rate_threshold, 80.5);
  EXPECT_EQ(breaker.slow_call_duration_threshold_ms, 1500);  // the request timeout, unless named
  EXPECT_EQ(breaker.wait_duration_in_open_state_ms, 10000);
  EXPECT_EQ(breaker.permitted_number_of_calls_in_half_open_state, 2);
}

TEST(PortalOptionsFromJson, ReadsTheKnowledgeSourceItsBreakerAndSync) {
  auto options = PortalOptions::FromJson(R"({"knowledge_source": {"base_url": "https://platform.internal",
      "api_token": "t0ken", "timeout_ms": 800, "connect_timeout_ms": 200, "ca_file": "/ca.pem",
      "breaker": {"slow_call_duration_threshold_ms": 700}, "sync": {"page_size": 50, "max_pages": 5}}})");
  ASSERT_TRUE(options.ok()) << options.status().detail();
  ASSERT_TRUE(options->knowledge_source.has_value());
  EXPECT_EQ(options->knowledge_source->base_url, "https://platform.internal");
  EXPECT_EQ(options->knowledge_source->api_token, "t0ken");
  EXPECT_EQ(options->knowledge_source->timeout_ms, 800);
  EXPECT_EQ(options->knowledge_source->connect_timeout_ms, 200);
  EXPECT_EQ(options->knowledge_source->ca_file, "/ca.pem");
  EXPECT_EQ(options->knowledge_source_breaker.slow_call_duration_threshold_ms, 700);
  EXPECT_EQ(options->knowledge_source_breaker.sliding_window_size, 20);
  EXPECT_EQ(options->knowledge_sync.page_size, 50);
  EXPECT_EQ(options->knowledge_sync.max_pages, 5);
  EXPECT_FALSE(options->elasticsearch.has_value());
}

TEST(PortalOptionsFromJson, LocalIsTheDefaultBackend) {
  for (std::string_view text : {R"({})", R"({"search": {}})", R"({"search": {"backend": "local"}})",
                                R"({"search": {"backend": "local", "elasticsearch": {"urls": ["http://es:9200"]}}})"}) {
    auto options = PortalOptions::FromJson(text);
    ASSERT_TRUE(options.ok()) << text;
    EXPECT_FALSE(options->elasticsearch.has_value()) << text;
    EXPECT_FALSE(options->knowledge_source.has_value()) << text;
  }
}

TEST(PortalOptionsFromJson, BadSearchAndKnowledgeSourceValuesAreInvalid) {
  const std::string es = R"({"search": {"backend": "elasticsearch", "elasticsearch": {"urls": ["http://es:9200"], )";
  const std::string ks = R"({"knowledge_source": {"base_url": "https://p.example", )";
  const std::string breaker = R"({"search": {"backend": "elasticsearch", "elasticsearch": {"urls": ["http://es:9200"]}, )";
  const std::tuple<std::string, std::string_view, std::string_view> cases[] = {
      {R"({"search": "elasticsearch"})", "search", "FIELD_INVALID"},
      {R"({"search": {"backend": "solr"}})", "search.backend", "VALUE_NOT_ALLOWED"},
      {R"({"search": {"backend": 1}})", "search.backend", "FIELD_INVALID"},
      {R"({"search": {"backend": "elasticsearch"}})", "search.elasticsearch", "FIELD_REQUIRED"},
      {R"({"search": {"backend": "elasticsearch", "elasticsearch": []}})", "search.elasticsearch", "FIELD_INVALID"},
      {R"({"search": {"backend": "elasticsearch", "elasticsearch": {}}})", "search.elasticsearch.urls", "FIELD_REQUIRED"},
      {R"({"search": {"backend": "elasticsearch", "elasticsearch": {"urls": "http://es:9200"}}})",
       "search.elasticsearch.urls", "FIELD_INVALID"},
      {R"({"search": {"backend": "elasticsearch", "elasticsearch": {"urls": ["ftp://es"]}}})",
       "search.elasticsearch.urls", "FIELD_INVALID"},
      {R"({"search": {"backend": "elasticsearch", "elasticsearch": {"urls": ["http://u:pw@es:9200"]}}})",
       "search.elasticsearch.urls", "FIELD_INVALID"},
      {R"({"search": {"backend": "elasticsearch", "elasticsearch": {"urls": [1]}}})", "search.elasticsearch.urls",
       "FIELD_INVALID"},
      {es + R"("index": "Upper"}}})", "search.elasticsearch.index", "FIELD_INVALID"},
      {es + R"("api_key": 5}}})", "search.elasticsearch.api_key", "FIELD_INVALID"},
      {es + R"("api_key": "k", "username": "u"}}})", "search.elasticsearch.api_key", "VALUE_NOT_ALLOWED"},
      {es + R"("password": "p"}}})", "search.elasticsearch.username", "FIELD_REQUIRED"},
      {es + R"("request_timeout_ms": 0}}})", "search.elasticsearch.request_timeout_ms", "OUT_OF_RANGE"},
      {es + R"("request_timeout_ms": "1000"}}})", "search.elasticsearch.request_timeout_ms", "FIELD_INVALID"},
      {es + R"("connect_timeout_ms": -1}}})", "search.elasticsearch.connect_timeout_ms", "OUT_OF_RANGE"},
      {es + R"("suggest_ticket_below_score": -1}}})", "search.elasticsearch.suggest_ticket_below_score",
       "OUT_OF_RANGE"},
      {es + R"("suggest_ticket_below_score": "high"}}})", "search.elasticsearch.suggest_ticket_below_score",
       "FIELD_INVALID"},
      {es + R"("bulk_batch_size": 0}}})", "search.elasticsearch.bulk_batch_size", "OUT_OF_RANGE"},
      {es + R"("bulk_batch_size": 1000000000000}}})", "search.elasticsearch.bulk_batch_size", "OUT_OF_RANGE"},
      {es + R"("ca_file": false}}})", "search.elasticsearch.ca_file", "FIELD_INVALID"},
      {es + R"("username": ["u"]}}})", "search.elasticsearch.username", "FIELD_INVALID"},
      {es + R"("password": 1}}})", "search.elasticsearch.password", "FIELD_INVALID"},
      {breaker + R"("breaker": "fast"}})", "search.breaker", "FIELD_INVALID"},
      {breaker + R"("breaker": {"sliding_window_size": 0, "minimum_number_of_calls": 1}}})", "search.breaker.sliding_window_size", "OUT_OF_RANGE"},
      {breaker + R"("breaker": {"sliding_window_size": 5, "minimum_number_of_calls": 6}}})",
       "search.breaker.minimum_number_of_calls", "OUT_OF_RANGE"},
      {breaker + R"("breaker": {"failure_rate_threshold": 0}}})", "search.breaker.failure_rate_threshold",
       "OUT_OF_RANGE"},
      {breaker + R"("breaker": {"failure_rate_threshold": 101}}})", "search.breaker.failure_rate_threshold",
       "OUT_OF_RANGE"},
      {breaker + R"("breaker": {"slow_call_rate_threshold": "50"}}})", "search.breaker.slow_call_rate_threshold",
       "FIELD_INVALID"},
      {breaker + R"("breaker": {"slow_call_duration_threshold_ms": 0}}})",
       "search.breaker.slow_call_duration_threshold_ms", "OUT_OF_RANGE"},
      {breaker + R"("breaker": {"wait_duration_in_open_state_ms": -5}}})",
       "search.breaker.wait_duration_in_open_state_ms", "OUT_OF_RANGE"},
      {breaker + R"("breaker": {"permitted_number_of_calls_in_half_open_state": 0}}})",
       "search.breaker.permitted_number_of_calls_in_half_open_state", "OUT_OF_RANGE"},
      {breaker + R"("breaker": {"minimum_number_of_calls": 2.5}}})", "search.breaker.minimum_number_of_calls",
       "FIELD_INVALID"},
      {R"({"knowledge_source": "https://p.example"})", "knowledge_source", "FIELD_INVALID"},
      {R"({"knowledge_source": null})", "knowledge_source", "FIELD_INVALID"},
      {R"({"knowledge_source": {}})", "knowledge_source.base_url", "FIELD_REQUIRED"},
      {R"({"knowledge_source": {"base_url": "platform.internal"}})", "knowledge_source.base_url", "FIELD_INVALID"},
      {R"({"knowledge_source": {"base_url": 7}})", "knowledge_source.base_url", "FIELD_INVALID"},
      {ks + R"("api_token": "two words"}})", "knowledge_source.api_token", "FIELD_INVALID"},
      {ks + R"("api_token": 12345}})", "knowledge_source.api_token", "FIELD_INVALID"},
      {ks + R"("timeout_ms": 0}})", "knowledge_source.timeout_ms", "OUT_OF_RANGE"},
      {ks + R"("timeout_ms": "2s"}})", "knowledge_source.timeout_ms", "FIELD_INVALID"},
      {ks + R"("connect_timeout_ms": 0}})", "knowledge_source.connect_timeout_ms", "OUT_OF_RANGE"},
      {ks + R"("ca_file": 1}})", "knowledge_source.ca_file", "FIELD_INVALID"},
      {ks + R"("breaker": []}})", "knowledge_source.breaker", "FIELD_INVALID"},
      {ks + R"("breaker": {"sliding_window_size": 100001}}})", "knowledge_source.breaker.sliding_window_size",
       "OUT_OF_RANGE"},
      {ks + R"("sync": 1}})", "knowledge_source.sync", "FIELD_INVALID"},
      {ks + R"("sync": {"page_size": 0}}})", "knowledge_source.sync.page_size", "OUT_OF_RANGE"},
      {ks + R"("sync": {"page_size": 1001}}})", "knowledge_source.sync.page_size", "OUT_OF_RANGE"},
      {ks + R"("sync": {"max_pages": "all"}}})", "knowledge_source.sync.max_pages", "FIELD_INVALID"},
      {ks + R"("sync": {"max_pages": 0}}})", "knowledge_source.sync.max_pages", "OUT_OF_RANGE"},
  };
  for (const auto& [text, field, code] : cases) {
    auto options = PortalOptions::FromJson(text);
    ASSERT_FALSE(options.ok()) << text;
    EXPECT_EQ(options.status().code(), ErrorCode::kInvalidArgument) << text;
    ASSERT_EQ(options.status().field_errors().size(), 1U) << text << " " << options.status().field_errors().front().field;
    EXPECT_TRUE(HasError(options.status(), field, code)) << text << " got " << options.status().field_errors().front().field
                                                          << " " << options.status().field_errors().front().code;
  }
}

TEST(PortalOptionsFromJson, SecretsNeverAppearInTheErrors) {
  auto options = PortalOptions::FromJson(R"({
      "search": {"backend": "elasticsearch",
                 "elasticsearch": {"urls": ["http://es:9200"], "api_key": "api-s3cret", "username": "u",
                                   "password": "pw-s3cret", "request_timeout_ms": 0}},
      "knowledge_source": {"base_url": "https://p.example", "api_token": "tok s3cret"}})");
  ASSERT_FALSE(options.ok());
  std::string everything = options.status().detail();
  for (const auto& error : options.status().field_errors()) {
    everything += " " + error.field + " " + error.code;
    for (const auto& [name, value] : error.args) everything += " " + name + "=" + value;
  }
  EXPECT_EQ(everything.find("s3cret"), std::string::npos) << everything;
  EXPECT_TRUE(HasError(options.status(), "search.elasticsearch.api_key", "VALUE_NOT_ALLOWED"));
  EXPECT_TRUE(HasError(options.status(), "search.elasticsearch.request_timeout_ms", "OUT_OF_RANGE"));
  EXPECT_TRUE(HasError(options.status(), "knowledge_source.api_token", "FIELD_INVALID"));
}

TEST(PortalOpen, RefusesBadRemoteOptionsOfACppHost) {
  PortalOptions options;
  options.elasticsearch = ElasticsearchOptions{};  // no urls
  options.knowledge_source = PlatformKnowledgeOptions{};
  options.knowledge_sync.page_size = 0;
  auto portal = Portal::Open(options);
  ASSERT_FALSE(portal.ok());
  EXPECT_EQ(portal.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_TRUE(HasError(portal.status(), "search.elasticsearch.urls", "FIELD_REQUIRED"));
  EXPECT_TRUE(HasError(portal.status(), "knowledge_source.base_url", "FIELD_REQUIRED"));
  EXPECT_TRUE(HasError(portal.status(), "knowledge_source.sync.page_size", "OUT_OF_RANGE"));
}

TEST(PortalOpen, OpensWithRemoteSystemsThatAreDown) {
  auto options = PortalOptions::FromJson(
      R"({"search": {"backend": "elasticsearch", "elasticsearch": {"urls": ["http://127.0.0.1:9"]}},
          "knowledge_source": {"base_url": "http://127.0.0.1:9"}})");
  ASSERT_TRUE(options.ok());
  EXPECT_TRUE(Portal::Open(std::move(options).value()).ok());
}

}  // namespace
}  // namespace selfservice::test

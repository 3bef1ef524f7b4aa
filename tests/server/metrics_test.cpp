// Prometheus metrics of portal_server: counters per method and status code, cumulative duration
// histograms, exact counts under concurrent recording, escaped labels, the portal's health as
// gauges, and text that a Prometheus parser accepts line by line.

#include "metrics.hpp"

#include <cstdlib>
#include <limits>
#include <map>
#include <optional>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace selfservice::server {
namespace {

const std::vector<MethodInfo> kMethods = {
    MethodInfo{"tickets.status", "GET", "/api/v1/customer-portal/tickets/{id}/status", "tickets", "read", "customer_user", ""},
    MethodInfo{"auth.login", "POST", "/api/v1/customer-portal/auth/login", "", "auth", "anyone", ""},
};
constexpr std::size_t kTicketsStatus = 0;
constexpr std::size_t kAuthLogin = 1;

// One sample line, split into its parts.
struct Sample {
  std::string name;
  std::map<std::string, std::string> labels;  // values unescaped
  std::string value;
};

// Reads one `name{label="value",...} value` line as the text format 0.0.4 defines it (label
// values escaped with \\, \" and \n); nullopt when the line is not one.
std::optional<Sample> ParseSample(const std::string& line) {
  static const std::regex kName("^[a-zA-Z_:][a-zA-Z0-9_:]*");
  static const std::regex kLabelName("^[a-zA-Z_][a-zA-Z0-9_]*");
  static const std::regex kValue(R"(^ ([-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?|[-+]Inf|NaN)$)");
  Sample sample;
  std::smatch match;
  if (!std::regex_search(line, match, kName)) return std::nullopt;
  sample.name = match.str();
  std::size_t at = sample.name.size();
  if (at < line.size() && line[at] == '{') {
    ++at;
    while (at < line.size() && line[at] != '}') {
      const std::string rest = line.substr(at);
      if (!std::regex_search(rest, match, kLabelName)) return std::nullopt;
      const std::string key = match.str();
      at += key.size();
      if (line.compare(at, 2, "=\"") != 0) return std::nullopt;
      at += 2;
      std::string value;
      for (; at < line.size() && line[at] != '"'; ++at) {
        if (line[at] != '\\') {
          value.push_back(line[at]);
          continue;
        }
        if (++at >= line.size()) return std::nullopt;
        if (line[at] == 'n') value.push_back('\n');
        else if (line[at] == '\\' || line[at] == '"') value.push_back(line[at]);
        else return std::nullopt;
      }
      if (at >= line.size()) return std::nullopt;
      ++at;  // the closing quote
      if (!sample.labels.emplace(key, value).second) return std::nullopt;
      if (at < line.size() && line[at] == ',') ++at;
    }
    if (at >= line.size()) return std::nullopt;
    ++at;  // the closing brace
  }
  const std::string rest = line.substr(at);
  if (!std::regex_match(rest, match, kValue)) return std::nullopt;
  sample.value = rest.substr(1);
  return sample;
}

// Every sample of `text`; fails the test on a line that is neither a sample nor a HELP/TYPE
// comment, or on text that does not end with a line feed.
std::vector<Sample> ParseExposition(const std::string& text) {
  std::vector<Sample> samples;
  EXPECT_TRUE(!text.empty() && text.back() == '\n');
  std::size_t start = 0;
  while (start < text.size()) {
    const std::size_t end = text.find('\n', start);
    const std::string line = text.substr(start, end - start);
    start = end == std::string::npos ? text.size() : end + 1;
    if (line.rfind("# HELP ", 0) == 0) continue;
    if (line.rfind("# TYPE ", 0) == 0) {
      EXPECT_TRUE(std::regex_match(line, std::regex("# TYPE [a-zA-Z_:][a-zA-Z0-9_:]* (counter|gauge|histogram)")))
          << line;
      continue;
    }
    const std::optional<Sample> sample = ParseSample(line);
    EXPECT_TRUE(sample.has_value()) << "not a sample: " << line;
    if (sample) samples.push_back(*sample);
  }
  return samples;
}

// The value of the one sample named `name` with exactly `labels`; nullopt when there is none.
std::optional<std::string> Value(const std::vector<Sample>& samples, const std::string& name,
                                 const std::map<std::string, std::string>& labels = {}) {
  for (const Sample& sample : samples) {
    if (sample.name == name && sample.labels == labels) return sample.value;
  }
  return std::nullopt;
}

std::vector<Sample> Render(const Metrics& metrics, const PortalHealth& health = {}) {
  return ParseExposition(metrics.Render(health));
}

TEST(MetricsTest, CountsRequestsByMethodAndStatusCode) {
  Metrics metrics(kMethods);
  for (int i = 0; i < 5; ++i) metrics.RecordRequest(kTicketsStatus, 200, 0.001);
  for (int i = 0; i < 2; ++i) metrics.RecordRequest(kTicketsStatus, 404, 0.001);
  metrics.RecordRequest(kAuthLogin, 401, 0.2);
  const auto samples = Render(metrics);
  EXPECT_EQ(Value(samples, "portal_http_requests_total", {{"method", "tickets.status"}, {"code", "200"}}), "5");
  EXPECT_EQ(Value(samples, "portal_http_requests_total", {{"method", "tickets.status"}, {"code", "404"}}), "2");
  EXPECT_EQ(Value(samples, "portal_http_requests_total", {{"method", "auth.login"}, {"code", "401"}}), "1");
}

TEST(MetricsTest, ShowsOnlyTheStatusCodesAndMethodsSeen) {
  Metrics metrics(kMethods);
  metrics.RecordRequest(kTicketsStatus, 200, 0.001);
  const auto samples = Render(metrics);
  EXPECT_EQ(Value(samples, "portal_http_requests_total", {{"method", "tickets.status"}, {"code", "500"}}), std::nullopt);
  EXPECT_EQ(Value(samples, "portal_http_request_duration_seconds_count", {{"method", "auth.login"}}), std::nullopt);
}

TEST(MetricsTest, HistogramBucketsAreCumulativeAndEndWithInfEqualToCount) {
  Metrics metrics(kMethods);
  for (const double seconds : {0.0001, 0.003, 0.003, 0.7, 42.0}) metrics.RecordRequest(kTicketsStatus, 200, seconds);
  const auto samples = Render(metrics);
  std::vector<std::pair<std::string, std::string>> buckets;
  for (const Sample& sample : samples) {
    if (sample.name == "portal_http_request_duration_seconds_bucket" && sample.labels.at("method") == "tickets.status") {
      buckets.emplace_back(sample.labels.at("le"), sample.value);
    }
  }
  ASSERT_EQ(buckets.size(), Metrics::kDurationBuckets.size() + 1);
  EXPECT_EQ(buckets.front(), (std::pair<std::string, std::string>{"0.0005", "1"}));
  EXPECT_EQ(buckets.back(), (std::pair<std::string, std::string>{"+Inf", "5"}));
  long previous = 0;
  for (std::size_t i = 0; i < buckets.size(); ++i) {
    const long count = std::stol(buckets[i].second);
    EXPECT_GE(count, previous) << buckets[i].first;
    previous = count;
    if (i + 1 < buckets.size()) {
      EXPECT_DOUBLE_EQ(std::stod(buckets[i].first), Metrics::kDurationBuckets[i]);
    }
  }
  const std::map<std::string, std::string> by_le(buckets.begin(), buckets.end());
  EXPECT_EQ(by_le.at("0.005"), "3");
  EXPECT_EQ(by_le.at("1"), "4");
  EXPECT_EQ(by_le.at("10"), "4");
  EXPECT_EQ(Value(samples, "portal_http_request_duration_seconds_count", {{"method", "tickets.status"}}), "5");
}

TEST(MetricsTest, ABucketCountsDurationsEqualToItsBound) {
  Metrics metrics(kMethods);
  metrics.RecordRequest(kTicketsStatus, 200, 0.25);
  const auto samples = Render(metrics);
  EXPECT_EQ(Value(samples, "portal_http_request_duration_seconds_bucket", {{"method", "tickets.status"}, {"le", "0.25"}}),
            "1");
  EXPECT_EQ(Value(samples, "portal_http_request_duration_seconds_bucket", {{"method", "tickets.status"}, {"le", "0.1"}}),
            "0");
}

TEST(MetricsTest, SumAddsUpTheDurations) {
  Metrics metrics(kMethods);
  for (const double seconds : {0.25, 0.5, 1.0, 0.125}) metrics.RecordRequest(kAuthLogin, 200, seconds);
  const auto samples = Render(metrics);
  const auto sum = Value(samples, "portal_http_request_duration_seconds_sum", {{"method", "auth.login"}});
  ASSERT_TRUE(sum.has_value());
  EXPECT_DOUBLE_EQ(std::stod(*sum), 1.875);
}

TEST(MetricsTest, NegativeNanAndHugeDurationsAreClampedNotFatal) {
  Metrics metrics(kMethods);
  metrics.RecordRequest(kAuthLogin, 200, -3.0);
  metrics.RecordRequest(kAuthLogin, 200, std::numeric_limits<double>::quiet_NaN());
  metrics.RecordRequest(kAuthLogin, 200, std::numeric_limits<double>::infinity());
  const auto samples = Render(metrics);
  EXPECT_EQ(Value(samples, "portal_http_request_duration_seconds_bucket", {{"method", "auth.login"}, {"le", "0.0005"}}),
            "2");
  EXPECT_EQ(Value(samples, "portal_http_request_duration_seconds_bucket", {{"method", "auth.login"}, {"le", "+Inf"}}),
            "3");
  EXPECT_DOUBLE_EQ(std::stod(*Value(samples, "portal_http_request_duration_seconds_sum", {{"method", "auth.login"}})), 1e6);
}

TEST(MetricsTest, ConcurrentRecordsFromEightThreadsAddUpExactly) {
  Metrics metrics(kMethods);
  constexpr int kThreads = 8;
  constexpr int kPerThread = 20000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&metrics, t] {
      for (int i = 0; i < kPerThread; ++i) {
        metrics.RecordRequest(t % 2 == 0 ? kTicketsStatus : Metrics::kUnmatched, i % 2 == 0 ? 200 : 429, 0.002);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  const auto samples = Render(metrics);
  const std::string half = std::to_string(kThreads / 2 * kPerThread / 2);
  EXPECT_EQ(Value(samples, "portal_http_requests_total", {{"method", "tickets.status"}, {"code", "200"}}), half);
  EXPECT_EQ(Value(samples, "portal_http_requests_total", {{"method", "tickets.status"}, {"code", "429"}}), half);
  EXPECT_EQ(Value(samples, "portal_http_requests_total", {{"method", "(none)"}, {"code", "429"}}), half);
  const std::string all = std::to_string(kThreads / 2 * kPerThread);
  EXPECT_EQ(Value(samples, "portal_http_request_duration_seconds_count", {{"method", "tickets.status"}}), all);
  EXPECT_EQ(Value(samples, "portal_http_request_duration_seconds_count", {{"method", "(none)"}}), all);
  EXPECT_DOUBLE_EQ(std::stod(*Value(samples, "portal_http_request_duration_seconds_sum", {{"method", "tickets.status"}})),
                   0.002 * kThreads / 2 * kPerThread);
}

TEST(MetricsTest, UnmatchedAndOutOfRangeIndexesCountAsNone) {
  Metrics metrics(kMethods);
  metrics.RecordRequest(Metrics::kUnmatched, 404, 0.001);
  metrics.RecordRequest(kMethods.size(), 404, 0.001);
  metrics.RecordRequest(12345, 200, 0.001);
  const auto samples = Render(metrics);
  EXPECT_EQ(Value(samples, "portal_http_requests_total", {{"method", "(none)"}, {"code", "404"}}), "2");
  EXPECT_EQ(Value(samples, "portal_http_requests_total", {{"method", "(none)"}, {"code", "200"}}), "1");
  EXPECT_EQ(Value(samples, "portal_http_requests_total", {{"method", "tickets.status"}, {"code", "404"}}), std::nullopt);
}

TEST(MetricsTest, AnEmptyMethodTableStillCountsUnmatchedRequests) {
  Metrics metrics({});
  metrics.RecordRequest(0, 200, 0.001);
  const auto samples = Render(metrics);
  EXPECT_EQ(Value(samples, "portal_http_requests_total", {{"method", "(none)"}, {"code", "200"}}), "1");
}

TEST(MetricsTest, CountsWebSocketUpgradesUnderTheirOwnCode) {
  Metrics metrics(kMethods);
  metrics.RecordRequest(Metrics::kUnmatched, 101, 0.001);
  const auto samples = Render(metrics);
  EXPECT_EQ(Value(samples, "portal_http_requests_total", {{"method", "(none)"}, {"code", "101"}}), "1");
}

TEST(MetricsTest, UnknownStatusCodesCountAsOther) {
  Metrics metrics(kMethods);
  metrics.RecordRequest(kTicketsStatus, 418, 0.001);
  metrics.RecordRequest(kTicketsStatus, 0, 0.001);
  metrics.RecordRequest(kTicketsStatus, -1, 0.001);
  const auto samples = Render(metrics);
  EXPECT_EQ(Value(samples, "portal_http_requests_total", {{"method", "tickets.status"}, {"code", "other"}}), "3");
  EXPECT_EQ(Value(samples, "portal_http_requests_total", {{"method", "tickets.status"}, {"code", "418"}}), std::nullopt);
}

TEST(MetricsTest, EscapesBackslashQuoteAndNewlineInLabelValues) {
  const std::vector<MethodInfo> methods = {MethodInfo{"odd\\\"name\n", "GET", "/x", "", "read", "customer_user", ""}};
  Metrics metrics(methods);
  metrics.RecordRequest(0, 200, 0.001);
  PortalHealth health;
  health.breakers.push_back({"quote\"back\\slash\nline", CircuitBreaker::State::kClosed});
  const std::string text = metrics.Render(health);
  EXPECT_NE(text.find(R"(method="odd\\\"name\n")"), std::string::npos) << text;
  EXPECT_NE(text.find(R"(breaker="quote\"back\\slash\nline")"), std::string::npos) << text;
  const auto samples = ParseExposition(text);
  EXPECT_EQ(Value(samples, "selfservice_circuit_breaker_state", {{"breaker", "quote\"back\\slash\nline"}}), "0");
  EXPECT_EQ(Value(samples, "portal_http_requests_total", {{"method", "odd\\\"name\n"}, {"code", "200"}}), "1");
}

TEST(MetricsTest, RendersThePortalsHealth) {
  Metrics metrics(kMethods);
  PortalHealth health;
  health.database_ok = true;
  health.breakers.push_back({"search.elasticsearch", CircuitBreaker::State::kOpen});
  health.breakers.push_back({"ai.local", CircuitBreaker::State::kClosed});
  health.breakers.push_back({"tickets.req003", CircuitBreaker::State::kHalfOpen});
  health.outbox_pending = 17;
  health.outbox_oldest_pending_age_seconds = 95;
  health.subscriptions = 3;
  const auto samples = Render(metrics, health);
  EXPECT_EQ(Value(samples, "selfservice_circuit_breaker_state", {{"breaker", "search.elasticsearch"}}), "1");
  EXPECT_EQ(Value(samples, "selfservice_circuit_breaker_state", {{"breaker", "ai.local"}}), "0");
  EXPECT_EQ(Value(samples, "selfservice_circuit_breaker_state", {{"breaker", "tickets.req003"}}), "2");
  EXPECT_EQ(Value(samples, "selfservice_circuit_breaker_open", {{"breaker", "search.elasticsearch"}}), "1");
  EXPECT_EQ(Value(samples, "selfservice_circuit_breaker_open", {{"breaker", "ai.local"}}), "0");
  EXPECT_EQ(Value(samples, "selfservice_circuit_breaker_open", {{"breaker", "tickets.req003"}}), "0");
  EXPECT_EQ(Value(samples, "selfservice_database_up"), "1");
  EXPECT_EQ(Value(samples, "selfservice_outbox_pending"), "17");
  EXPECT_EQ(Value(samples, "selfservice_outbox_oldest_pending_age_seconds"), "95");
  EXPECT_EQ(Value(samples, "selfservice_subscriptions"), "3");
}

TEST(MetricsTest, RendersADownDatabaseAndNoPendingOutboxAsZero) {
  Metrics metrics(kMethods);
  PortalHealth health;
  health.database_ok = false;
  health.database_error = "disk I/O error";
  const std::string text = metrics.Render(health);
  const auto samples = ParseExposition(text);
  EXPECT_EQ(Value(samples, "selfservice_database_up"), "0");
  EXPECT_EQ(Value(samples, "selfservice_outbox_oldest_pending_age_seconds"), "0");
  EXPECT_EQ(text.find("disk I/O error"), std::string::npos);
}

TEST(MetricsTest, TracksOpenConnectionsWebSocketsAndEventsSent) {
  Metrics metrics(kMethods);
  metrics.ConnectionOpened();
  metrics.ConnectionOpened();
  metrics.ConnectionOpened();
  metrics.ConnectionClosed();
  metrics.WebSocketOpened();
  metrics.WebSocketOpened();
  metrics.WebSocketClosed();
  for (int i = 0; i < 4; ++i) metrics.WebSocketEventSent();
  const auto samples = Render(metrics);
  EXPECT_EQ(Value(samples, "portal_http_connections_open"), "2");
  EXPECT_EQ(Value(samples, "portal_http_websockets_open"), "1");
  EXPECT_EQ(Value(samples, "portal_http_websocket_events_total"), "4");
}

TEST(MetricsTest, EveryLineIsAHelpOrTypeCommentOrASample) {
  Metrics metrics(Portal::Methods());
  for (std::size_t i = 0; i < Portal::Methods().size(); ++i) metrics.RecordRequest(i, 200, 0.01 * static_cast<double>(i));
  metrics.RecordRequest(Metrics::kUnmatched, 404, 0.0);
  PortalHealth health;
  health.breakers.push_back({"search.elasticsearch", CircuitBreaker::State::kOpen});
  const std::string text = metrics.Render(health);
  const auto samples = ParseExposition(text);
  EXPECT_FALSE(samples.empty());
  // Each metric family has exactly one TYPE line.
  std::map<std::string, int> types;
  for (std::size_t at = text.find("# TYPE "); at != std::string::npos; at = text.find("# TYPE ", at + 1)) {
    const std::size_t name_end = text.find(' ', at + 7);
    ++types[text.substr(at + 7, name_end - at - 7)];
  }
  for (const auto& [name, count] : types) EXPECT_EQ(count, 1) << name;
}

TEST(MetricsTest, TheParserOfThisTestRejectsMalformedLines) {
  EXPECT_FALSE(ParseSample("no_value").has_value());
  EXPECT_FALSE(ParseSample("m{a=\"unterminated} 1").has_value());
  EXPECT_FALSE(ParseSample("m{a=\"bad\\escape\"} 1").has_value());
  EXPECT_FALSE(ParseSample("1m 1").has_value());
  EXPECT_TRUE(ParseSample("m{a=\"x\",b=\"y\"} 1.5").has_value());
}

}  // namespace
}  // namespace selfservice::server

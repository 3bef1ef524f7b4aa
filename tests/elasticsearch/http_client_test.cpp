// net::HttpClient: methods and bodies on the wire, and how transport trouble becomes a Status.

#include "net/http_client.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support/callers.hpp"
#include "support/fake_http_server.hpp"

namespace selfservice::net {
namespace {

using test::Describe;
using test::FakeHttpServer;
using test::RecordedRequest;
using test::Reply;

HttpClient Client(std::int64_t timeout_ms = 500) {
  HttpClientOptions options;
  options.timeout_ms = timeout_ms;
  options.failure_code = ErrorCode::kAiUnavailable;  // any 2000x code the adapter chooses
  return HttpClient(options);
}

HttpRequest Request(std::string method, std::string url, std::string body = {}) {
  HttpRequest request;
  request.method = std::move(method);
  request.url = std::move(url);
  request.body = std::move(body);
  return request;
}

TEST(HttpClientTest, PutAndDeleteCarryTheirMethodAndBody) {
  FakeHttpServer server;
  HttpClient client = Client();
  ASSERT_TRUE(client.Send(Request("PUT", server.url() + "/a", R"({"x":1})")).ok());
  ASSERT_TRUE(client.Send(Request("DELETE", server.url() + "/b")).ok());
  ASSERT_TRUE(client.Send(Request("POST", server.url() + "/c")).ok());
  std::vector<RecordedRequest> requests = server.requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[0].method, "PUT");
  EXPECT_EQ(requests[0].target, "/a");
  EXPECT_EQ(requests[0].body, R"({"x":1})");
  EXPECT_EQ(requests[0].header("content-type"), "application/json");
  EXPECT_EQ(requests[1].method, "DELETE");
  EXPECT_EQ(requests[1].body, "");
  EXPECT_EQ(requests[2].method, "POST");
  EXPECT_EQ(requests[2].header("content-length"), "0");
}

TEST(HttpClientTest, AnyHttpStatusIsAResponseNotAnError) {
  FakeHttpServer server;
  server.AlwaysReply({500, R"({"error":"boom"})"});
  Result<HttpResponse> response = Client().Send(Request("GET", server.url() + "/"));
  ASSERT_TRUE(response.ok()) << Describe(response);
  EXPECT_EQ(response->status, 500);
  EXPECT_EQ(response->body, R"({"error":"boom"})");
}

TEST(HttpClientTest, HeadAnswersTheStatusWithoutABody) {
  FakeHttpServer server;
  server.AlwaysReply({404, "ignored"});
  Result<HttpResponse> response = Client().Send(Request("HEAD", server.url() + "/index"));
  ASSERT_TRUE(response.ok()) << Describe(response);
  EXPECT_EQ(response->status, 404);
  EXPECT_EQ(response->body, "");
}

TEST(HttpClientTest, RefusedConnectionIsARetryableConnectFailureWithTheConfiguredCode) {
  TransportError error = TransportError::kNone;
  Result<HttpResponse> response = Client().Send(Request("GET", test::ClosedPortUrl() + "/"), &error);
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), ErrorCode::kAiUnavailable);
  EXPECT_TRUE(response.status().retryable());
  EXPECT_EQ(error, TransportError::kConnect);
}

TEST(HttpClientTest, LateAnswerIsARetryableTimeout) {
  FakeHttpServer server;
  Reply late;
  late.delay_ms = 2000;
  server.AlwaysReply(late);
  TransportError error = TransportError::kNone;
  Result<HttpResponse> response = Client(200).Send(Request("GET", server.url() + "/"), &error);
  ASSERT_FALSE(response.ok());
  EXPECT_TRUE(response.status().retryable());
  EXPECT_EQ(error, TransportError::kTimeout);
}

TEST(HttpClientTest, OversizedAnswerIsNotRetryable) {
  FakeHttpServer server;
  server.AlwaysReply({200, std::string(4096, 'x')});
  HttpClientOptions options;
  options.max_response_bytes = 1024;
  Result<HttpResponse> response = HttpClient(options).Send(Request("GET", server.url() + "/"));
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), ErrorCode::kSearchUnavailable);
  EXPECT_FALSE(response.status().retryable());
}

TEST(HttpClientTest, OtherSchemesAndMethodsAreRefusedWithoutRetry) {
  Result<HttpResponse> scheme = Client().Send(Request("GET", "file:///etc/passwd"));
  ASSERT_FALSE(scheme.ok());
  EXPECT_FALSE(scheme.status().retryable());
  Result<HttpResponse> method = Client().Send(Request("TRACE", "http://127.0.0.1:1/"));
  ASSERT_FALSE(method.ok());
  EXPECT_FALSE(method.status().retryable());
}

}  // namespace
}  // namespace selfservice::net

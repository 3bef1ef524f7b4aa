// Redact and the library's logger: secrets and personal data never reach a log line.

#include "core/redaction.hpp"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>

#include <sstream>
#include <string>

#include "core/logging.hpp"

namespace selfservice {
namespace {

// A real HS256 token (RFC 7519 section 3.1's example header and claims).
constexpr const char* kJwt =
    "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9."
    "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFt"
    "cGxlLmNvbS9pc19yb290Ijp0cnVlfQ.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

TEST(Redact, MasksJsonSecretValues) {
  EXPECT_EQ(Redact(R"({"user":"alice","password":"hunter2","n":1})"),
            R"({"user":"alice","password":"***","n":1})");
  EXPECT_EQ(Redact(R"({"secret" : "a \"quoted\" secret"})"), R"({"secret" : "***"})");
  EXPECT_EQ(Redact(R"({"otp": 123456})"), R"({"otp": ***})");
  EXPECT_EQ(Redact(R"({"key_base64":"AAAA/+==","id":"k1"})"), R"({"key_base64":"***","id":"k1"})");
}

TEST(Redact, MasksEveryNamedSecretKey) {
  for (const char* key : {"password", "passwd", "secret", "token", "access_token", "refresh_token", "api_key",
                          "API-KEY", "authorization", "mfa_code", "otp", "key_base64", "client_secret",
                          "smtp.password", "Webhook-Secret"}) {
    EXPECT_EQ(Redact(std::string(key) + "=s3cr3t-value"), std::string(key) + "=***") << key;
  }
}

TEST(Redact, MasksKeyValueForms) {
  EXPECT_EQ(Redact("login failed password=hunter2 user=alice"), "login failed password=*** user=alice");
  EXPECT_EQ(Redact("GET /cb?code=1&access_token=abc.def&state=x"), "GET /cb?code=1&access_token=***&state=x");
  EXPECT_EQ(Redact("token: abc123, retry"), "token: ***, retry");
  EXPECT_EQ(Redact("passwd='two words'"), "passwd='***'");
  EXPECT_EQ(Redact("api_key = \"k\""), "api_key = \"***\"");
}

TEST(Redact, MasksJsonQuotedInsideAString) {
  EXPECT_EQ(Redact(R"(body="{\"password\":\"hunter2\"}")"), R"(body="{\"password\":\"***\"}")");
}

TEST(Redact, KeepsTheAuthorizationScheme) {
  EXPECT_EQ(Redact("Authorization: Basic dXNlcjpwYXNz"), "Authorization: Basic ***");
  EXPECT_EQ(Redact(R"({"authorization":"Bearer abc.def"})"), R"({"authorization":"Bearer ***"})");
}

TEST(Redact, MasksBearerTokens) {
  EXPECT_EQ(Redact("header Bearer abc-123_x.y~z+/= sent"), "header Bearer *** sent");
  EXPECT_EQ(Redact("bearer  opaque"), "bearer  ***");
}

TEST(Redact, MasksJwts) {
  EXPECT_EQ(Redact(std::string("id_hint ") + kJwt + " expired"), "id_hint *** expired");
  EXPECT_EQ(Redact("unsecured eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0."), "unsecured ***");
  EXPECT_EQ(Redact(std::string("(") + kJwt + ")"), "(***)");
}

TEST(Redact, MasksUrlPasswords) {
  EXPECT_EQ(Redact("connecting smtp://mailer:p%40ss@mail.example.com:587"),
            "connecting smtp://mailer:***@mail.example.com:587");
}

TEST(Redact, MasksTheLocalPartOfEmailAddresses) {
  EXPECT_EQ(Redact("sent to zhang.wei+cn@example.com.cn."), "sent to ***@example.com.cn.");
  EXPECT_EQ(Redact("<a@b.io>"), "<***@b.io>");
}

TEST(Redact, MasksChineseMobileNumbers) {
  EXPECT_EQ(Redact("phone 13800138000 verified"), "phone <phone> verified");
  EXPECT_EQ(Redact("电话13912345678。"), "电话<phone>。");
  EXPECT_EQ(Redact("call 138-0013-8000 or 186 1234 5678"), "call <phone> or <phone>");
}

TEST(Redact, MasksInternationalNumbers) {
  EXPECT_EQ(Redact("sms to +8613800138000 queued"), "sms to <phone> queued");
  EXPECT_EQ(Redact("call +1 (415) 555-2671 now"), "call <phone> now");
  EXPECT_EQ(Redact("tel:+44 20 7946 0958"), "tel:<phone>");
}

TEST(Redact, MasksIpv4Addresses) {
  EXPECT_EQ(Redact("from 203.0.113.7:51234"), "from <ip>:51234");
  EXPECT_EQ(Redact("http://127.0.0.1:1/x"), "http://<ip>:1/x");
  EXPECT_EQ(Redact("client_ip=10.0.0.1"), "client_ip=<ip>");
  EXPECT_EQ(Redact("net 192.168.0.0/16."), "net <ip>/16.");
}

TEST(Redact, MasksIpv6Addresses) {
  EXPECT_EQ(Redact("from 2001:db8::8a2e:370:7334 ok"), "from <ip> ok");
  EXPECT_EQ(Redact("http://[::1]:8080/"), "http://[<ip>]:8080/");
  EXPECT_EQ(Redact("peer fe80::1ff:fe23:4567:890a, done"), "peer <ip>, done");
  EXPECT_EQ(Redact("full 2001:0db8:85a3:0000:0000:8a2e:0370:7334"), "full <ip>");
  EXPECT_EQ(Redact("mapped ::ffff:192.0.2.128."), "mapped <ip>.");
}

TEST(Redact, LeavesOrdinaryTextAlone) {
  for (const char* line : {
           "tickets.create: ticket 1234567 created for tenant 42 in 150ms",
           "2026-11-26 01:54:07.123 [warn] retried by outbox.deliver after 2.5s",
           "timestamps 1764121447 and 1764121447000 are not phone numbers",
           "version 1.2.3 and 10.4 and 3.14159",
           "times 12:30:45 and 01:54 and ratios 3:2",
           "C++ names selfservice::Log and std::string stay",
           "invalid password for user, token expired, secret rotated",
           "portal options: ignoring unknown key 'pasword'",
           "ids a1b2c3d4e5 deadbeef cafe:babe 00:1a:2b:3c:4d:5e",
           "order +5 items, +12 more, -13800",
           "eyJ but not a token, eyJabc.def",
           "user@localhost is not an address",
           "中文日志：工单已创建",
           "",
       }) {
    EXPECT_EQ(Redact(line), line);
  }
}

TEST(Redact, TakesFourPartDottedNumbersForAddresses) {
  EXPECT_EQ(Redact("version 1.2.3.4"), "version <ip>");
  EXPECT_EQ(Redact("version v1.2.3.4"), "version v1.2.3.4");
  EXPECT_EQ(Redact("oid 1.2.3.4.5 and 300.1.1.1"), "oid 1.2.3.4.5 and 300.1.1.1");
}

TEST(Redact, KeepsLongNumbersThatAreNotPhones) {
  EXPECT_EQ(Redact("ticket 138001380001 and 23800138000 and +1234567"),
            "ticket 138001380001 and 23800138000 and +1234567");
}

TEST(Redact, StaysLinearOnPathologicalLines) {
  std::string dotted;
  for (int i = 0; i < 200'000; ++i) dotted += "a.";
  EXPECT_EQ(Redact(dotted), dotted);
  std::string jwtish;
  for (int i = 0; i < 100'000; ++i) jwtish += "eyJ-";
  EXPECT_EQ(Redact(jwtish), jwtish);
}

TEST(Redact, MasksAnUnterminatedValueToTheEndOfTheLine) {
  EXPECT_EQ(Redact(R"(truncated {"password":"hunter2 and more)"), R"(truncated {"password":"***)");
  EXPECT_EQ(Redact("password="), "password=");
  EXPECT_EQ(Redact(R"({"token":""})"), R"({"token":""})");
}

TEST(Redact, PassesBinaryAndInvalidUtf8Through) {
  using namespace std::string_literals;
  const std::string junk = "\xff\xfe\0 :: @ . eyJ. + \x80password\x80=\xc3"s;
  EXPECT_EQ(Redact(junk), junk);
  EXPECT_EQ(Redact("a\0b 13800138000"s), "a\0b <phone>"s);
  EXPECT_EQ(Redact("\xff\xfe\xfd"), "\xff\xfe\xfd");
}

TEST(Redact, MasksEverythingInOneLine) {
  EXPECT_EQ(Redact("login alice@example.com from 198.51.100.4 phone 13800138000 password=x token=y"),
            "login ***@example.com from <ip> phone <phone> password=*** token=***");
}

// The end-to-end promise: whatever a message holds, the library's logger writes no secret.
TEST(RedactingLogger, NothingSecretReachesASink) {
  std::ostringstream captured;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(captured);
  Log().sinks().push_back(sink);
  const auto level = Log().level();
  Log().set_level(spdlog::level::info);
  Log().warn("login for {} from {} ({}) failed: password={} token {}", "zhang.wei@example.com", "203.0.113.9",
             "13800138000", "hunter2-secret", std::string("Bearer ") + kJwt);
  Log().info(R"(request {{"api_key":"{}","ip":"2001:db8::1"}})", "ak-live-12345");
  Log().set_level(level);
  Log().sinks().pop_back();

  const std::string log = captured.str();
  EXPECT_NE(log.find("login for ***@example.com from <ip> (<phone>) failed: password=*** token Bearer ***"),
            std::string::npos)
      << log;
  for (const char* secret :
       {"zhang.wei", "203.0.113.9", "13800138000", "hunter2-secret", "eyJ", "ak-live-12345", "2001:db8::1"}) {
    EXPECT_EQ(log.find(secret), std::string::npos) << secret << " in " << log;
  }
}

TEST(RedactingLogger, ClonesRedactToo) {
  std::ostringstream captured;
  auto clone = Log().clone("selfservice-clone");
  clone->sinks().clear();
  clone->sinks().push_back(std::make_shared<spdlog::sinks::ostream_sink_mt>(captured));
  clone->set_level(spdlog::level::info);
  clone->info("password=hunter2");
  EXPECT_EQ(captured.str().find("hunter2"), std::string::npos) << captured.str();
  EXPECT_NE(captured.str().find("password=***"), std::string::npos) << captured.str();
}

}  // namespace
}  // namespace selfservice

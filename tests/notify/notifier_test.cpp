// The notification channels on their own: the webhook (signature checked here with OpenSSL)
// against FakeHttpServer, e-mail against FakeSmtpServer, and how each reports failures.

#include "selfservice/notifier.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cstdlib>
#include <string>

#include <boost/json/parse.hpp>

#include "selfservice/circuit_breaker.hpp"
#include "support/callers.hpp"
#include "support/fake_http_server.hpp"
#include "support/fake_smtp_server.hpp"

namespace selfservice {
namespace {

using test::Describe;

TicketNotification Resolved() {
  TicketNotification n;
  n.idempotency_key = "ticket-5-1700000000000-resolved-webhook";
  n.tenant_id = 1;
  n.customer_id = 10;
  n.user_id = 100;
  n.ticket_id = 5;
  n.external_id = "INC-0005";
  n.title = "VPN 连接频繁断开";
  n.from = TicketStatus::in_progress;
  n.to = TicketStatus::resolved;
  n.comment = "已更换证书";
  n.actor_id = 7;
  n.at = Timestamp{1'700'000'000'000};
  n.contact_email = "alice@example.com";
  return n;
}

// An independent HMAC-SHA256 (OpenSSL's EVP_MAC interface, not the library's function).
std::string ReferenceHmac(const std::string& key, const std::string& message) {
  EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  EVP_MAC_CTX* context = EVP_MAC_CTX_new(mac);
  char digest_name[] = "SHA256";
  OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string("digest", digest_name, 0), OSSL_PARAM_construct_end()};
  unsigned char out[32];
  size_t length = 0;
  EVP_MAC_init(context, reinterpret_cast<const unsigned char*>(key.data()), key.size(), params);
  EVP_MAC_update(context, reinterpret_cast<const unsigned char*>(message.data()), message.size());
  EVP_MAC_final(context, out, &length, sizeof out);
  EVP_MAC_CTX_free(context);
  EVP_MAC_free(mac);
  std::string hex;
  static const char* kHex = "0123456789abcdef";
  for (size_t i = 0; i < length; ++i) {
    hex += kHex[out[i] >> 4];
    hex += kHex[out[i] & 15];
  }
  return hex;
}

std::string DecodeBase64(const std::string& text) {
  std::string out(text.size(), '\0');
  const int length = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                     reinterpret_cast<const unsigned char*>(text.data()), static_cast<int>(text.size()));
  const std::size_t padding = text.size() - text.find_last_not_of('=') - 1;  // decoded as zeros
  out.resize(static_cast<std::size_t>(length) - padding);
  return out;
}

// The header `name` of an RFC 5322 message, unfolded.
std::string Header(const std::string& message, const std::string& name) {
  std::size_t at = message.find(name + ": ");
  if (at == std::string::npos) return {};
  at += name.size() + 2;
  std::string value;
  while (true) {
    const std::size_t end = message.find("\r\n", at);
    value += message.substr(at, end - at);
    if (message.compare(end + 2, 1, " ") != 0) return value;
    at = end + 3;
    value += " ";
  }
}

// The text of RFC 2047 "=?UTF-8?B?...?=" words separated by spaces.
std::string DecodeWords(const std::string& value) {
  std::string text;
  std::size_t at = 0;
  while ((at = value.find("=?UTF-8?B?", at)) != std::string::npos) {
    at += 10;
    const std::size_t end = value.find("?=", at);
    text += DecodeBase64(value.substr(at, end - at));
    at = end + 2;
  }
  return text;
}

std::string Body(const std::string& message) {
  std::string encoded = message.substr(message.find("\r\n\r\n") + 4);
  std::string joined;
  for (char c : encoded) {
    if (c != '\r' && c != '\n') joined += c;
  }
  return DecodeBase64(joined);
}

// --- HMAC -----------------------------------------------------------------------------------------

TEST(HmacTest, MatchesRfc4231TestCase2) {
  EXPECT_EQ(HmacSha256Hex("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(HmacTest, MatchesAnIndependentComputation) {
  EXPECT_EQ(HmacSha256Hex("s3cret", "1700000000.{\"a\":1}"), ReferenceHmac("s3cret", "1700000000.{\"a\":1}"));
}

// --- Webhook --------------------------------------------------------------------------------------

WebhookOptions Webhook(const std::string& url) {
  WebhookOptions options;
  options.url = url + "/hooks/tickets?source=portal";
  options.secret = "whsec-test-secret";
  options.timeout_ms = 2000;
  return options;
}

TEST(WebhookNotifierTest, PostsTheEventSignedWithTheSharedSecret) {
  test::FakeHttpServer server;
  server.AlwaysReply(test::Reply{204, ""});
  auto webhook = CreateWebhookNotifier(Webhook(server.url()));
  ASSERT_TRUE(webhook.ok()) << Describe(webhook);
  EXPECT_EQ((*webhook)->name(), "webhook");
  const Status sent = (*webhook)->Send(Resolved());
  ASSERT_TRUE(sent.ok()) << Describe(sent);

  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 1u);
  const auto& request = requests[0];
  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(request.target, "/hooks/tickets?source=portal");
  EXPECT_EQ(request.header("content-type"), "application/json");
  EXPECT_EQ(request.header("idempotency-key"), "ticket-5-1700000000000-resolved-webhook");
  const std::string timestamp = request.header("x-selfservice-timestamp");
  ASSERT_FALSE(timestamp.empty());
  EXPECT_LE(std::llabs(std::strtoll(timestamp.c_str(), nullptr, 10) - static_cast<long long>(std::time(nullptr))), 60);
  EXPECT_EQ(request.header("x-selfservice-signature"),
            "sha256=" + ReferenceHmac("whsec-test-secret", timestamp + "." + request.body));
  EXPECT_EQ(request.body, TicketEventJson(Resolved()));
  const auto event = boost::json::parse(request.body).as_object();
  EXPECT_EQ(event.at("to"), "resolved");
  EXPECT_FALSE(event.contains("contact_email"));
}

TEST(WebhookNotifierTest, AServerErrorOrTimeoutIsRetryable) {
  test::FakeHttpServer server;
  server.AlwaysReply(test::Reply{503, "{}"});
  auto webhook = CreateWebhookNotifier(Webhook(server.url()));
  ASSERT_TRUE(webhook.ok());
  const Status sent = (*webhook)->Send(Resolved());
  EXPECT_FALSE(sent.ok());
  EXPECT_TRUE(CountsAsFailure(sent)) << Describe(sent);
  EXPECT_NE(sent.detail().find("503"), std::string::npos);

  server.AlwaysReply(test::Reply{429, "{}"});
  EXPECT_TRUE(CountsAsFailure((*webhook)->Send(Resolved())));

  WebhookOptions slow = Webhook(server.url());
  slow.timeout_ms = 100;
  server.AlwaysReply(test::Reply{200, "{}", "application/json", 500});
  auto impatient = CreateWebhookNotifier(slow);
  ASSERT_TRUE(impatient.ok());
  EXPECT_TRUE(CountsAsFailure((*impatient)->Send(Resolved())));
}

TEST(WebhookNotifierTest, AnUnreachableReceiverIsRetryable) {
  auto webhook = CreateWebhookNotifier(Webhook(test::ClosedPortUrl()));
  ASSERT_TRUE(webhook.ok());
  const Status sent = (*webhook)->Send(Resolved());
  EXPECT_TRUE(CountsAsFailure(sent)) << Describe(sent);
}

TEST(WebhookNotifierTest, ARefusalIsFinal) {
  test::FakeHttpServer server;
  server.AlwaysReply(test::Reply{400, "{}"});
  auto webhook = CreateWebhookNotifier(Webhook(server.url()));
  ASSERT_TRUE(webhook.ok());
  const Status sent = (*webhook)->Send(Resolved());
  EXPECT_FALSE(sent.ok());
  EXPECT_FALSE(CountsAsFailure(sent)) << Describe(sent);
}

TEST(WebhookNotifierTest, TheSecretNeverAppearsInAFailure) {
  auto webhook = CreateWebhookNotifier(Webhook(test::ClosedPortUrl()));
  ASSERT_TRUE(webhook.ok());
  EXPECT_EQ((*webhook)->Send(Resolved()).detail().find("whsec-test-secret"), std::string::npos);
}

TEST(WebhookNotifierTest, OptionsNeedAnHttpUrlAndASecret) {
  WebhookOptions options;
  options.timeout_ms = 0;
  auto errors = Validate(options);
  ASSERT_EQ(errors.size(), 3u);
  EXPECT_EQ(errors[0].field, "url");
  EXPECT_EQ(errors[1].field, "secret");
  EXPECT_EQ(errors[2].field, "timeout_ms");
  options = Webhook("ftp://example.com");
  EXPECT_EQ(Validate(options).at(0).field, "url");
  options = Webhook("https://user:pw@example.com");
  EXPECT_EQ(Validate(options).at(0).code, field_code::kInvalid);
  EXPECT_TRUE(Validate(Webhook("https://example.com")).empty());
  EXPECT_FALSE(CreateWebhookNotifier(WebhookOptions{}).ok());
}

// --- E-mail ---------------------------------------------------------------------------------------

EmailOptions Email(const std::string& url) {
  EmailOptions options;
  options.smtp_url = url;
  options.from = "portal@example.com";
  options.timeout_ms = 3000;
  return options;
}

TEST(EmailNotifierTest, SendsAMessageToTheContactEmail) {
  test::FakeSmtpServer server;
  auto email = CreateEmailNotifier(Email(server.url()));
  ASSERT_TRUE(email.ok()) << Describe(email);
  EXPECT_EQ((*email)->name(), "email");
  const Status sent = (*email)->Send(Resolved());
  ASSERT_TRUE(sent.ok()) << Describe(sent);
  const auto messages = server.messages();
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].mail_from, "portal@example.com");
  ASSERT_EQ(messages[0].rcpt_to.size(), 1u);
  EXPECT_EQ(messages[0].rcpt_to[0], "alice@example.com");
  EXPECT_EQ(messages[0].data, EmailMessage(Resolved(), "portal@example.com"));
}

TEST(EmailNotifierTest, TheMessageIsUtf8WithAnRfc2047SubjectInChinese) {
  const std::string message = EmailMessage(Resolved(), "portal@example.com");
  EXPECT_EQ(Header(message, "From"), "<portal@example.com>");
  EXPECT_EQ(Header(message, "To"), "<alice@example.com>");
  EXPECT_EQ(Header(message, "Date"), "Tue, 14 Nov 2023 22:13:20 +0000");
  EXPECT_EQ(Header(message, "Message-ID"), "<ticket-5-1700000000000-resolved-webhook@selfservice>");
  EXPECT_EQ(Header(message, "Content-Type"), "text/plain; charset=UTF-8");
  EXPECT_EQ(DecodeWords(Header(message, "Subject")), "工单状态更新：INC-0005 VPN 连接频繁断开");
  const std::string body = Body(message);
  EXPECT_NE(body.find("「处理中」变更为「已解决」"), std::string::npos) << body;
  EXPECT_NE(body.find("已更换证书"), std::string::npos);
  for (std::size_t start = 0, end; (end = message.find("\r\n", start)) != std::string::npos; start = end + 2) {
    EXPECT_LE(end - start, 78u) << message.substr(start, end - start);  // RFC 5322 2.1.1
    for (std::size_t i = start; i < end; ++i) EXPECT_LT(static_cast<unsigned char>(message[i]), 128);
  }
}

TEST(EmailNotifierTest, EnglishWhenTheLocaleIsEnglish) {
  TicketNotification n = Resolved();
  n.locale = Locale::kEnUS;
  n.from.reset();
  n.to = TicketStatus::open;
  const std::string message = EmailMessage(n, "portal@example.com");
  EXPECT_EQ(DecodeWords(Header(message, "Subject")), "Ticket created: INC-0005 VPN 连接频繁断开");
  EXPECT_NE(Body(message).find("has been created. Status: Open."), std::string::npos);
}

TEST(EmailNotifierTest, ALongSubjectIsSplitIntoWholeCharacterWords) {
  TicketNotification n = Resolved();
  n.title = std::string(40 * 3, 'x');
  for (int i = 0; i < 40; ++i) n.title += "断";
  n.title += "\r\nBcc: evil@example.com";  // no header injection
  const std::string message = EmailMessage(n, "portal@example.com");
  const std::string subject = Header(message, "Subject");
  EXPECT_EQ(DecodeWords(subject).find("\r"), std::string::npos);
  EXPECT_NE(DecodeWords(subject).find(std::string(40 * 3, 'x')), std::string::npos);
  EXPECT_EQ(message.find("\r\nBcc:"), std::string::npos);
  std::size_t at = 0;
  while ((at = subject.find("=?UTF-8?B?", at)) != std::string::npos) {
    const std::size_t end = subject.find("?=", at + 10) + 2;
    EXPECT_LE(end - at, 75u);
    at = end;
  }
}

TEST(EmailNotifierTest, LogsInWithAuthPlainWhenGivenCredentials) {
  test::FakeSmtpServer server;
  EmailOptions options = Email(server.url());
  options.username = "mailer";
  options.password = "smtp-password";
  auto email = CreateEmailNotifier(options);
  ASSERT_TRUE(email.ok());
  ASSERT_TRUE((*email)->Send(Resolved()).ok());
  ASSERT_EQ(server.messages().size(), 1u);
  EXPECT_EQ(DecodeBase64(server.messages()[0].auth), std::string("\0mailer\0smtp-password", 21));
}

TEST(EmailNotifierTest, AnUnavailableServerIsRetryable) {
  test::FakeSmtpServer server;
  server.SetUnavailable(true);
  auto email = CreateEmailNotifier(Email(server.url()));
  ASSERT_TRUE(email.ok());
  const Status sent = (*email)->Send(Resolved());
  EXPECT_FALSE(sent.ok());
  EXPECT_TRUE(CountsAsFailure(sent)) << Describe(sent);

  auto unreachable = CreateEmailNotifier(Email("smtp://127.0.0.1:" + test::ClosedPortUrl().substr(17)));
  ASSERT_TRUE(unreachable.ok());
  EXPECT_TRUE(CountsAsFailure((*unreachable)->Send(Resolved())));
}

TEST(EmailNotifierTest, ARefusedRecipientIsFinal) {
  test::FakeSmtpServer server;
  server.SetRcptReply("550 5.1.1 no such user");
  auto email = CreateEmailNotifier(Email(server.url()));
  ASSERT_TRUE(email.ok());
  const Status sent = (*email)->Send(Resolved());
  EXPECT_FALSE(sent.ok());
  EXPECT_FALSE(CountsAsFailure(sent)) << Describe(sent);
  EXPECT_TRUE(server.messages().empty());
}

TEST(EmailNotifierTest, WantsOnlyTicketsWithAContactEmail) {
  auto email = CreateEmailNotifier(Email("smtp://127.0.0.1:25"));
  ASSERT_TRUE(email.ok());
  TicketNotification n = Resolved();
  EXPECT_TRUE((*email)->Wants(n));
  n.contact_email.reset();
  EXPECT_FALSE((*email)->Wants(n));
  n.contact_email = "not an address";
  EXPECT_FALSE(CountsAsFailure((*email)->Send(n)));
}

TEST(EmailNotifierTest, OptionsNeedAnSmtpUrlAndASender) {
  auto errors = Validate(EmailOptions{});
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0].field, "smtp_url");
  EXPECT_EQ(errors[1].field, "from");
  EXPECT_EQ(Validate(Email("http://mail.example.com")).at(0).field, "smtp_url");
  EXPECT_EQ(Validate(Email("smtp://user:pw@mail.example.com")).at(0).field, "smtp_url");
  EmailOptions bad_from = Email("smtps://mail.example.com:465");
  bad_from.from = "portal";
  EXPECT_EQ(Validate(bad_from).at(0).field, "from");
  EXPECT_TRUE(Validate(Email("smtps://mail.example.com:465")).empty());
}

// --- The host's channel ---------------------------------------------------------------------------

TEST(CallbackNotifierTest, CallsTheHostAndTurnsAThrowIntoARetryableFailure) {
  int calls = 0;
  auto host = CreateCallbackNotifier([&](const TicketNotification& n) {
    ++calls;
    if (n.ticket_id == 6) throw std::runtime_error("host down");
    return Status::Ok();
  });
  EXPECT_EQ(host->name(), "host");
  EXPECT_TRUE(host->Send(Resolved()).ok());
  TicketNotification other = Resolved();
  other.ticket_id = 6;
  EXPECT_TRUE(CountsAsFailure(host->Send(other)));
  EXPECT_EQ(calls, 2);
}

}  // namespace
}  // namespace selfservice

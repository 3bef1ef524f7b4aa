// Notifications of ticket changes (REQ-019 5.1 "NS", 8.2 "通知发送失败：多渠道重试"): the Notifier
// port and the channels the library ships (a host callback, a signed webhook, e-mail over SMTP).
//
// The portal feeds every configured channel with each ticket creation and status change, through
// the outbox: one item per channel and change, tried once at once on a library thread, then by
// outbox.deliver with backoff until it is delivered or abandoned; each failure is kept as the
// item's last_error (docs/NOTIFICATIONS.md).
//
// Thread safety: a Notifier is called from library threads (the portal's notification worker and
// whichever thread runs outbox.deliver), possibly at the same time, so Send must be safe to call
// concurrently. Send must not throw.

#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "selfservice/context.hpp"
#include "selfservice/model.hpp"
#include "selfservice/status.hpp"

namespace selfservice {

// One ticket change as a channel sends it: the same fields as the live status event
// (Portal::Subscribe), plus where an e-mail goes and in which language.
struct TicketNotification {
  std::string idempotency_key;  // the same on every attempt of this change on this channel
  std::int64_t tenant_id = 0;
  std::int64_t customer_id = 0;
  std::int64_t user_id = 0;
  std::int64_t ticket_id = 0;
  std::optional<std::string> external_id;
  std::string title;
  std::optional<TicketStatus> from;  // absent: the ticket was created
  TicketStatus to = TicketStatus::open;
  std::optional<std::string> comment;
  std::int64_t actor_id = 0;
  Timestamp at;
  std::optional<std::string> contact_email;  // never part of the event JSON
  Locale locale = Locale::kZhCN;
};

// The event JSON of a change, as subscribers and webhooks receive it:
// {"type": "ticket.status", "tenant_id", "customer_id", "user_id", "ticket_id", "external_id",
//  "title", "from", "to", "comment", "actor_id", "at"}; absent values are null ("from" is null for
// a ticket just created), "at" is ISO-8601 UTC with milliseconds.
std::string TicketEventJson(const TicketNotification& notification);

// A message about a user's own account: a password-reset token or a one-time sign-in code
// (auth.password.reset.request, e-mail MFA). It is sent at once, never through the outbox, so the
// secret is stored nowhere in clear; a channel must not log `secret`.
struct AccountMessage {
  enum class Kind { kPasswordReset, kSignInCode };
  Kind kind = Kind::kPasswordReset;
  std::int64_t tenant_id = 0;
  std::int64_t customer_id = 0;
  std::int64_t user_id = 0;
  std::string username;
  std::optional<std::string> email;
  std::optional<std::string> phone;  // for a host channel that sends SMS
  std::string secret;                // the reset token or the code
  std::int64_t expires_in_seconds = 0;
  Timestamp at;
  Locale locale = Locale::kZhCN;
};

// A channel. Send returns OK once the receiver took the notification. Failures: a retryable
// status (the receiver is down, slow or answered 5xx/408/429), tried again later through the
// outbox; or a non-retryable one (the receiver refused this notification, e.g. 4xx, or it cannot
// be sent at all, e.g. no contact e-mail), which abandons it. The detail is kept in the outbox
// and the log: it never contains a secret.
class Notifier {
 public:
  Notifier() = default;
  Notifier(const Notifier&) = delete;
  Notifier& operator=(const Notifier&) = delete;
  virtual ~Notifier() = default;

  // The channel's name ("host", "webhook", "email"): its outbox topic is "notify.<name>".
  virtual std::string_view name() const = 0;
  // Whether the channel sends `notification` at all (e-mail: only with a contact e-mail); the
  // portal stores nothing for a channel that does not.
  virtual bool Wants(const TicketNotification& /*notification*/) const { return true; }
  virtual Status Send(const TicketNotification& notification) noexcept = 0;
  // Sends an account message to its user. The portal tries its channels in order (host, then
  // e-mail) until one answers OK. Channels that do not send account messages keep this default.
  virtual Status SendAccountMessage(const AccountMessage& /*message*/) noexcept {
    return Status::NotConfigured("account messages");
  }
};

// --- The host's own channel -----------------------------------------------------------------------

// A channel that calls `send` (name() "host") and, for account messages, `send_account` when
// given (an SMS gateway of the host, say). An exception thrown by either counts as a retryable
// failure.
std::unique_ptr<Notifier> CreateCallbackNotifier(
    std::function<Status(const TicketNotification&)> send,
    std::function<Status(const AccountMessage&)> send_account = nullptr);

// --- Webhook --------------------------------------------------------------------------------------

// POSTs the event JSON to `url` with
//   X-Selfservice-Signature: sha256=<lowercase hex HMAC-SHA256(secret, timestamp + "." + body)>
//   X-Selfservice-Timestamp: <unix seconds of the attempt>
//   Idempotency-Key: <idempotency_key>
// (docs/NOTIFICATIONS.md, "Verifying a webhook"). A 2xx answer is delivery.
struct WebhookOptions {
  std::string url;                         // http(s), no credentials
  std::string secret;                      // the shared signing secret; never logged
  std::int64_t timeout_ms = 5000;          // the whole call
  std::int64_t connect_timeout_ms = 1000;  // capped at timeout_ms
  std::string ca_file;                     // PEM bundle for https; empty: the system's
};

std::vector<FieldError> Validate(const WebhookOptions& options);
// The channel (name() "webhook"), or 10001 with the errors of Validate(). Creating it sends nothing.
Result<std::unique_ptr<Notifier>> CreateWebhookNotifier(WebhookOptions options);

// HMAC-SHA256 of `message` with `key`, as lowercase hex: what the webhook signs with.
std::string HmacSha256Hex(std::string_view key, std::string_view message);

// --- E-mail ---------------------------------------------------------------------------------------

// Sends a short text message (UTF-8, subject per RFC 2047) to the ticket's contact e-mail through
// an SMTP server, in the notification's locale (zh-CN unless known otherwise).
struct EmailOptions {
  std::string smtp_url;  // smtp://host[:port] or smtps://host[:port]
  std::string from;      // the envelope and header sender, an address
  std::string username;  // SMTP AUTH when not empty
  std::string password;  // never logged
  std::int64_t timeout_ms = 10000;
  std::int64_t connect_timeout_ms = 2000;  // capped at timeout_ms
  std::string ca_file;                     // PEM bundle for smtps; empty: the system's
};

std::vector<FieldError> Validate(const EmailOptions& options);
// The channel (name() "email"), or 10001 with the errors of Validate(). Creating it sends nothing.
Result<std::unique_ptr<Notifier>> CreateEmailNotifier(EmailOptions options);

// The RFC 5322 message the e-mail channel sends for `notification` (CRLF line ends), for hosts
// and tests that want to see it.
std::string EmailMessage(const TicketNotification& notification, std::string_view from);
// The same for an account message (to its e-mail address).
std::string EmailMessage(const AccountMessage& message, std::string_view from);

// The channels a portal feeds ("notifications" in the portal options, docs/API.md).
struct NotificationOptions {
  std::optional<WebhookOptions> webhook;
  std::optional<EmailOptions> email;
  // The host's own channel (C++ only; C hosts use selfservice_subscribe).
  std::shared_ptr<Notifier> host;
};

}  // namespace selfservice

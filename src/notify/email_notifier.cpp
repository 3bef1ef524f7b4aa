// The e-mail channel: a short text message to the ticket's contact e-mail, over SMTP through
// libcurl (smtp:// or smtps://), in the notification's locale.

#include <curl/curl.h>
#include <openssl/evp.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <utility>

#include "selfservice/notifier.hpp"

namespace selfservice {
namespace {

std::string Base64(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int length = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                     reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(length));
  return out;
}

// RFC 2047 encoded-words ("=?UTF-8?B?...?="), each at most 75 characters and cut only between
// whole UTF-8 characters, folded onto continuation lines.
std::string EncodedWords(std::string_view text) {
  // 56 base64 characters + 12 of the word's frame: with "Subject: " the first line stays within
  // the 78 characters of RFC 5322 2.1.1, as do the continuation lines.
  constexpr std::size_t kMaxBytes = 42;
  std::string out;
  while (!text.empty()) {
    std::size_t cut = std::min(kMaxBytes, text.size());
    while (cut < text.size() && cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
    if (!out.empty()) out += "\r\n ";
    out += "=?UTF-8?B?" + Base64(text.substr(0, cut)) + "?=";
    text.remove_prefix(cut);
  }
  return out;
}

// A header value on one line: line breaks become spaces.
std::string OneLine(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c == '\r' || c == '\n') c = ' ';
  }
  return out;
}

// An addr-spec we can put between angle brackets: something@something, no spaces, brackets or
// line breaks.
bool IsUsableAddress(std::string_view address) {
  const std::size_t at = address.find('@');
  return at != std::string_view::npos && at > 0 && at + 1 < address.size() && address.size() <= 254 &&
         address.find_first_of(" \t\r\n<>,;\"") == std::string_view::npos;
}

std::string_view StatusText(TicketStatus status, Locale locale) {
  const bool zh = locale == Locale::kZhCN;
  switch (status) {
    case TicketStatus::new_: return zh ? "新建" : "New";
    case TicketStatus::open: return zh ? "待处理" : "Open";
    case TicketStatus::in_progress: return zh ? "处理中" : "In progress";
    case TicketStatus::pending_customer: return zh ? "等待您的回复" : "Waiting for your reply";
    case TicketStatus::resolved: return zh ? "已解决" : "Resolved";
    case TicketStatus::closed: return zh ? "已关闭" : "Closed";
    case TicketStatus::reopened: return zh ? "已重新打开" : "Reopened";
  }
  return "";
}

std::string TicketNumber(const TicketNotification& n) {
  return n.external_id ? *n.external_id : "#" + std::to_string(n.ticket_id);
}

std::string Subject(const TicketNotification& n) {
  const bool zh = n.locale == Locale::kZhCN;
  std::string subject = n.from ? (zh ? "工单状态更新：" : "Ticket status update: ") : (zh ? "工单已创建：" : "Ticket created: ");
  return subject + TicketNumber(n) + " " + OneLine(n.title);
}

std::string Body(const TicketNotification& n) {
  const bool zh = n.locale == Locale::kZhCN;
  std::string body = zh ? "您好，\r\n\r\n" : "Hello,\r\n\r\n";
  const std::string ticket = TicketNumber(n);
  if (!n.from) {
    body += zh ? "您的工单 " + ticket + "「" + n.title + "」已创建，当前状态：" + std::string(StatusText(n.to, n.locale)) + "。\r\n"
               : "Your ticket " + ticket + " \"" + n.title + "\" has been created. Status: " +
                     std::string(StatusText(n.to, n.locale)) + ".\r\n";
  } else {
    body += zh ? "您的工单 " + ticket + "「" + n.title + "」状态已由「" + std::string(StatusText(*n.from, n.locale)) +
                     "」变更为「" + std::string(StatusText(n.to, n.locale)) + "」。\r\n"
               : "The status of your ticket " + ticket + " \"" + n.title + "\" changed from " +
                     std::string(StatusText(*n.from, n.locale)) + " to " + std::string(StatusText(n.to, n.locale)) +
                     ".\r\n";
  }
  if (n.comment && !n.comment->empty()) body += (zh ? "备注：" : "Comment: ") + *n.comment + "\r\n";
  body += (zh ? "时间：" : "Time: ") + FormatTimestamp(n.at) + "\r\n\r\n";
  body += zh ? "此邮件由系统自动发送，请勿直接回复。\r\n" : "This message was sent automatically; please do not reply.\r\n";
  return body;
}

std::string DateHeader(Timestamp at) {
  const std::time_t seconds = static_cast<std::time_t>(at.millis / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  char text[64];
  std::snprintf(text, sizeof text, "%s, %02d %s %04d %02d:%02d:%02d +0000", kDays[utc.tm_wday], utc.tm_mday,
                kMonths[utc.tm_mon], utc.tm_year + 1900, utc.tm_hour, utc.tm_min, utc.tm_sec);
  return text;
}

// The body as base64 lines of 76 characters (RFC 2045), so no line is ever too long for SMTP.
std::string Base64Lines(std::string_view bytes) {
  const std::string encoded = Base64(bytes);
  std::string out;
  for (std::size_t i = 0; i < encoded.size(); i += 76) out += encoded.substr(i, 76) + "\r\n";
  return out;
}

struct Upload {
  const std::string* message;
  std::size_t sent = 0;
};

size_t Read(char* buffer, size_t size, size_t count, void* user) {
  auto* upload = static_cast<Upload*>(user);
  const std::size_t bytes = std::min(size * count, upload->message->size() - upload->sent);
  std::memcpy(buffer, upload->message->data() + upload->sent, bytes);
  upload->sent += bytes;
  return bytes;
}

class EmailNotifier final : public Notifier {
 public:
  explicit EmailNotifier(EmailOptions options) : options_(std::move(options)) {}

  std::string_view name() const override { return "email"; }

  bool Wants(const TicketNotification& notification) const override {
    return notification.contact_email && !notification.contact_email->empty();
  }

  Status Send(const TicketNotification& notification) noexcept override {
    if (!notification.contact_email || !IsUsableAddress(*notification.contact_email)) {
      return Status::Error(ErrorCode::kInvalidArgument, "no usable contact e-mail", false);
    }
    return Deliver(*notification.contact_email, [&] { return EmailMessage(notification, options_.from); });
  }

  Status SendAccountMessage(const AccountMessage& message) noexcept override {
    if (!message.email || !IsUsableAddress(*message.email)) {
      return Status::Error(ErrorCode::kInvalidArgument, "no usable e-mail", false);
    }
    return Deliver(*message.email, [&] { return EmailMessage(message, options_.from); });
  }

 private:
  // Sends the message `compose` writes to `to` over SMTP.
  template <typename Compose>
  Status Deliver(const std::string& to, const Compose& compose) noexcept {
    try {
      const std::string message = compose();
      static const bool initialized = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
      CURL* curl = initialized ? curl_easy_init() : nullptr;
      if (curl == nullptr) return Status::Error(ErrorCode::kDatabaseUnavailable, "smtp: libcurl unavailable", true);
      const std::string from = "<" + options_.from + ">";
      curl_slist* recipients = curl_slist_append(nullptr, ("<" + to + ">").c_str());
      Upload upload{&message};
      curl_easy_setopt(curl, CURLOPT_URL, options_.smtp_url.c_str());
      curl_easy_setopt(curl, CURLOPT_MAIL_FROM, from.c_str());
      curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, recipients);
      curl_easy_setopt(curl, CURLOPT_READFUNCTION, Read);
      curl_easy_setopt(curl, CURLOPT_READDATA, &upload);
      curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
      curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
      // smtp:// upgrades with STARTTLS when the server offers it; smtps:// is TLS from the start.
      curl_easy_setopt(curl, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_TRY));
      curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.timeout_ms));
      curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                       static_cast<long>(std::min(options_.connect_timeout_ms, options_.timeout_ms)));
      if (!options_.username.empty()) {
        curl_easy_setopt(curl, CURLOPT_USERNAME, options_.username.c_str());
        curl_easy_setopt(curl, CURLOPT_PASSWORD, options_.password.c_str());
      }
      if (!options_.ca_file.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, options_.ca_file.c_str());
      const CURLcode code = curl_easy_perform(curl);
      long reply = 0;
      curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &reply);
      curl_slist_free_all(recipients);
      curl_easy_cleanup(curl);
      if (code == CURLE_OK) return Status::Ok();
      const std::string detail =
          "smtp: " + std::string(curl_easy_strerror(code)) + (reply != 0 ? " (reply " + std::to_string(reply) + ")" : "");
      // A permanent SMTP refusal (5xx) of this message is final; anything else may pass later.
      if (reply >= 500 && reply < 600 && code != CURLE_LOGIN_DENIED) {
        return Status::Error(ErrorCode::kInvalidArgument, detail, false);
      }
      return Status::Error(ErrorCode::kDatabaseUnavailable, detail, true);
    } catch (const std::exception& error) {
      return Status::Error(ErrorCode::kDatabaseUnavailable, error.what(), true);
    }
  }

  EmailOptions options_;
};

}  // namespace

std::string EmailMessage(const TicketNotification& n, std::string_view from) {
  std::string message;
  message += "Date: " + DateHeader(n.at) + "\r\n";
  message += "From: <" + std::string(from) + ">\r\n";
  message += "To: <" + n.contact_email.value_or("") + ">\r\n";
  message += "Subject: " + EncodedWords(Subject(n)) + "\r\n";
  message += "Message-ID: <" + n.idempotency_key + "@selfservice>\r\n";
  message += "MIME-Version: 1.0\r\n";
  message += "Content-Type: text/plain; charset=UTF-8\r\n";
  message += "Content-Transfer-Encoding: base64\r\n";
  message += "\r\n";
  message += Base64Lines(Body(n));
  return message;
}

std::string EmailMessage(const AccountMessage& m, std::string_view from) {
  const bool zh = m.locale == Locale::kZhCN;
  const bool reset = m.kind == AccountMessage::Kind::kPasswordReset;
  const std::string minutes = std::to_string((m.expires_in_seconds + 59) / 60);
  std::string subject = reset ? (zh ? "重置密码" : "Reset your password") : (zh ? "登录验证码" : "Your sign-in code");
  std::string body;
  body += (zh ? "您好，" : "Hello ") + m.username + (zh ? "：\r\n\r\n" : ",\r\n\r\n");
  if (reset) {
    body += zh ? "我们收到了重置您密码的请求。请在门户中使用以下重置令牌设置新密码：\r\n\r\n"
               : "We received a request to reset your password. Use this reset token in the portal to set a new one:\r\n\r\n";
  } else {
    body += zh ? "您的登录验证码是：\r\n\r\n" : "Your sign-in code is:\r\n\r\n";
  }
  body += "    " + m.secret + "\r\n\r\n";
  body += zh ? "有效期 " + minutes + " 分钟，仅可使用一次。如非本人操作，请忽略此邮件并联系管理员。\r\n"
             : "It is valid for " + minutes + " minutes and can be used once. If this was not you, ignore this message and tell your administrator.\r\n";
  std::string message;
  message += "Date: " + DateHeader(m.at) + "\r\n";
  message += "From: <" + std::string(from) + ">\r\n";
  message += "To: <" + m.email.value_or("") + ">\r\n";
  message += "Subject: " + EncodedWords(subject) + "\r\n";
  message += "MIME-Version: 1.0\r\n";
  message += "Content-Type: text/plain; charset=UTF-8\r\n";
  message += "Content-Transfer-Encoding: base64\r\n";
  message += "\r\n";
  message += Base64Lines(body);
  return message;
}

std::vector<FieldError> Validate(const EmailOptions& options) {
  std::vector<FieldError> errors;
  const std::string_view url = options.smtp_url;
  if (url.empty()) {
    errors.push_back(FieldError{"smtp_url", field_code::kRequired, {}});
  } else if (!(url.starts_with("smtp://") || url.starts_with("smtps://")) ||
             url.find_first_of(" \t\r\n@") != std::string_view::npos) {
    errors.push_back(FieldError{"smtp_url", field_code::kInvalid, {}});
  }
  if (options.from.empty()) {
    errors.push_back(FieldError{"from", field_code::kRequired, {}});
  } else if (!IsUsableAddress(options.from)) {
    errors.push_back(FieldError{"from", field_code::kInvalid, {}});
  }
  if (options.timeout_ms < 1 || options.timeout_ms > 600000)
    errors.push_back(FieldError{"timeout_ms", field_code::kOutOfRange, {{"min", "1"}, {"max", "600000"}}});
  if (options.connect_timeout_ms < 1 || options.connect_timeout_ms > 600000)
    errors.push_back(FieldError{"connect_timeout_ms", field_code::kOutOfRange, {{"min", "1"}, {"max", "600000"}}});
  return errors;
}

Result<std::unique_ptr<Notifier>> CreateEmailNotifier(EmailOptions options) {
  if (std::vector<FieldError> errors = Validate(options); !errors.empty()) return Status::Invalid(std::move(errors));
  return std::unique_ptr<Notifier>(std::make_unique<EmailNotifier>(std::move(options)));
}

}  // namespace selfservice

// The webhook channel: the event JSON POSTed to the host's URL, signed with HMAC-SHA256.

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <chrono>
#include <utility>

#include "net/http_client.hpp"
#include "selfservice/notifier.hpp"

namespace selfservice {
namespace {

// 408 and 429 say "later", 5xx "not now"; any other refusal is about this notification.
bool RetryableHttpStatus(int status) { return status == 408 || status == 429 || status >= 500; }

class WebhookNotifier final : public Notifier {
 public:
  explicit WebhookNotifier(WebhookOptions options)
      : options_(std::move(options)), client_([&] {
          net::HttpClientOptions http;
          http.timeout_ms = options_.timeout_ms;
          http.connect_timeout_ms = options_.connect_timeout_ms;
          http.ca_file = options_.ca_file;
          http.max_response_bytes = 64 * 1024;
          http.failure_code = ErrorCode::kDatabaseUnavailable;
          return http;
        }()) {}

  std::string_view name() const override { return "webhook"; }

  Status Send(const TicketNotification& notification) noexcept override {
    try {
      net::HttpRequest request;
      request.method = "POST";
      request.url = options_.url;
      request.body = TicketEventJson(notification);
      const std::string timestamp = std::to_string(
          std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
              .count());
      request.headers = {
          "X-Selfservice-Timestamp: " + timestamp,
          "X-Selfservice-Signature: sha256=" + HmacSha256Hex(options_.secret, timestamp + "." + request.body),
          "Idempotency-Key: " + notification.idempotency_key,
          "X-Selfservice-Event: ticket.status",
      };
      auto response = client_.Send(request);
      if (!response.ok()) return response.status();  // transport: retryable unless a configuration fault
      if (net::IsSuccessStatus(response->status)) return Status::Ok();
      std::string detail = "webhook answered HTTP " + std::to_string(response->status);
      if (RetryableHttpStatus(response->status)) return Status::Error(ErrorCode::kDatabaseUnavailable, detail, true);
      return Status::Error(ErrorCode::kInvalidArgument, detail, false);
    } catch (const std::exception& error) {
      return Status::Error(ErrorCode::kDatabaseUnavailable, error.what(), true);
    }
  }

 private:
  WebhookOptions options_;
  net::HttpClient client_;
};

}  // namespace

std::string HmacSha256Hex(std::string_view key, std::string_view message) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(message.data()), message.size(), digest, &length) == nullptr) {
    return {};
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(length * 2);
  for (unsigned int i = 0; i < length; ++i) {
    hex += kHex[digest[i] >> 4];
    hex += kHex[digest[i] & 0x0f];
  }
  return hex;
}

std::vector<FieldError> Validate(const WebhookOptions& options) {
  std::vector<FieldError> errors;
  if (options.url.empty()) {
    errors.push_back(FieldError{"url", field_code::kRequired, {}});
  } else if (!net::IsUsableUrl(options.url, true)) {
    errors.push_back(FieldError{"url", field_code::kInvalid, {}});
  }
  if (options.secret.empty()) errors.push_back(FieldError{"secret", field_code::kRequired, {}});
  if (options.timeout_ms < 1 || options.timeout_ms > 600000)
    errors.push_back(FieldError{"timeout_ms", field_code::kOutOfRange, {{"min", "1"}, {"max", "600000"}}});
  if (options.connect_timeout_ms < 1 || options.connect_timeout_ms > 600000)
    errors.push_back(FieldError{"connect_timeout_ms", field_code::kOutOfRange, {{"min", "1"}, {"max", "600000"}}});
  return errors;
}

Result<std::unique_ptr<Notifier>> CreateWebhookNotifier(WebhookOptions options) {
  if (std::vector<FieldError> errors = Validate(options); !errors.empty()) return Status::Invalid(std::move(errors));
  return std::unique_ptr<Notifier>(std::make_unique<WebhookNotifier>(std::move(options)));
}

}  // namespace selfservice

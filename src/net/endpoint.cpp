#include "net/endpoint.hpp"

#include <algorithm>
#include <cstdio>

#include "net/http_client.hpp"

namespace selfservice::net {
namespace {
constexpr std::int64_t kMaxTimeoutMs = 600'000;
}  // namespace

void ValidateEndpoint(std::string_view base_url, std::string_view secret_field, std::string_view secret,
                      std::int64_t timeout_ms, std::int64_t connect_timeout_ms, std::vector<FieldError>& errors) {
  if (base_url.empty()) {
    errors.push_back(FieldError{"base_url", field_code::kRequired, {}});
  } else if (!IsUsableBaseUrl(base_url)) {
    errors.push_back(FieldError{"base_url", field_code::kInvalid, {}});
  }
  if (!UsableHeaderValue(secret)) errors.push_back(FieldError{std::string(secret_field), field_code::kInvalid, {}});
  if (timeout_ms < 1 || timeout_ms > kMaxTimeoutMs) errors.push_back(OutOfRange("timeout_ms", 1, kMaxTimeoutMs));
  if (connect_timeout_ms < 1 || connect_timeout_ms > kMaxTimeoutMs) {
    errors.push_back(OutOfRange("connect_timeout_ms", 1, kMaxTimeoutMs));
  }
}

bool UsableHeaderValue(std::string_view value) {
  return std::all_of(value.begin(), value.end(), [](char c) { return c > ' ' && c != 0x7F; });
}

FieldError OutOfRange(std::string field, std::int64_t min, std::int64_t max) {
  return FieldError{std::move(field), field_code::kOutOfRange, {{"min", std::to_string(min)}, {"max", std::to_string(max)}}};
}

std::string PercentEncode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if ((byte >= 'A' && byte <= 'Z') || (byte >= 'a' && byte <= 'z') || (byte >= '0' && byte <= '9') || c == '-' ||
        c == '.' || c == '_' || c == '~') {
      out += c;
    } else {
      char hex[4];
      std::snprintf(hex, sizeof hex, "%%%02X", byte);
      out += hex;
    }
  }
  return out;
}

Status ScrubSecret(const Status& status, std::string_view secret) {
  if (status.ok() || secret.empty() || status.detail().find(secret) == std::string::npos) return status;
  std::string detail = status.detail();
  for (std::size_t at = detail.find(secret); at != std::string::npos; at = detail.find(secret, at + 3)) {
    detail.replace(at, secret.size(), "***");
  }
  return Status::Error(status.code(), std::move(detail), status.retryable());
}

}  // namespace selfservice::net

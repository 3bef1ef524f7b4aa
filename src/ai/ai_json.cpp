#include "ai/ai_json.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <cstdint>
#include <utility>

#include <boost/json/parse.hpp>

namespace selfservice::ai {
namespace json = boost::json;
namespace {

constexpr std::size_t kMaxResponseBytes = std::size_t{4} << 20;

}  // namespace

Status Unavailable(std::string detail, bool retryable) {
  return Status::Error(ErrorCode::kAiUnavailable, std::move(detail), retryable);
}

AiFailure TransportFailure(net::TransportError error, const Status& status) {
  switch (error) {
    case net::TransportError::kTimeout: return AiFailure::kTimeout;
    case net::TransportError::kOther: {
      // HttpClient names libcurl's reason in the detail; these reasons mean a response started
      // arriving and was not a usable one, the others that no exchange took place.
      for (const CURLcode broken : {CURLE_PARTIAL_FILE, CURLE_WRITE_ERROR, CURLE_WEIRD_SERVER_REPLY,
                                    CURLE_BAD_CONTENT_ENCODING, CURLE_FILESIZE_EXCEEDED}) {
        if (status.detail().find(curl_easy_strerror(broken)) != std::string::npos)
          return AiFailure::kBadResponse;
      }
      return AiFailure::kUnavailable;
    }
    case net::TransportError::kConnect:
    case net::TransportError::kNone: break;
  }
  return AiFailure::kUnavailable;
}

net::HttpClientOptions ClientOptions(std::int64_t timeout_ms, std::int64_t connect_timeout_ms,
                                     const std::string& ca_file) {
  net::HttpClientOptions client;
  client.timeout_ms = timeout_ms;
  client.connect_timeout_ms = connect_timeout_ms;
  client.ca_file = ca_file;
  client.max_response_bytes = kMaxResponseBytes;
  client.failure_code = ErrorCode::kAiUnavailable;
  return client;
}


bool RetryableHttpStatus(int status) {
  return status == 408 || status == 429 || status >= 500;
}

std::optional<json::value> ParseJson(std::string_view body, std::string& error) {
  boost::system::error_code ec;
  json::value parsed = json::parse(json::string_view(body.data(), body.size()), ec);
  if (ec) {
    error = ec.message();
    return std::nullopt;
  }
  return parsed;
}

std::optional<double> ReadNumber(const json::value* value) {
  if (value == nullptr) return std::nullopt;
  if (value->is_double()) return value->get_double();
  if (value->is_int64()) return static_cast<double>(value->get_int64());
  if (value->is_uint64()) return static_cast<double>(value->get_uint64());
  return std::nullopt;
}

std::optional<std::int64_t> ReadInteger(const json::value* value) {
  if (value == nullptr) return std::nullopt;
  if (value->is_int64()) return value->get_int64();
  if (value->is_uint64() && value->get_uint64() <= static_cast<std::uint64_t>(INT64_MAX))
    return static_cast<std::int64_t>(value->get_uint64());
  return std::nullopt;
}

std::optional<std::string> ReadText(const json::value* value) {
  if (value == nullptr || !value->is_string()) return std::nullopt;
  return std::string(value->get_string());
}

std::optional<std::string> ReadId(const json::value* value) {
  if (value == nullptr) return std::nullopt;
  if (value->is_string() && !value->get_string().empty()) return std::string(value->get_string());
  if (value->is_int64()) return std::to_string(value->get_int64());
  if (value->is_uint64()) return std::to_string(value->get_uint64());
  return std::nullopt;
}

json::value JsonText(std::string_view text) {
  return json::value(json::string_view(text.data(), text.size()));
}

std::string_view LanguageTag(ArticleLang lang) {
  return lang == ArticleLang::en ? "en-US" : "zh-CN";
}

std::string_view Trim(std::string_view text) {
  constexpr std::string_view kSpace = " \t\r\n\f\v";
  const std::size_t first = text.find_first_not_of(kSpace);
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(kSpace) - first + 1);
}

}  // namespace selfservice::ai

// What the remote AI adapters (REQ-013 and OpenAI-compatible) share: how their failures become a
// 20001 with an AiFailure, and tolerant readers for the JSON they receive. Pure functions; the
// rules are listed in docs/AI.md.

#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/value.hpp>

#include "net/endpoint.hpp"
#include "net/http_client.hpp"
#include "selfservice/ai.hpp"
#include "selfservice/status.hpp"

namespace selfservice::ai {

// 20001 (kAiUnavailable) with `detail`, which names the provider and the call ("req013 chat: …").
Status Unavailable(std::string detail, bool retryable);

// The kind of a transport failure of HttpClient::Send(): no connection (refused, unresolvable,
// TLS handshake or certificate refused) is kUnavailable, running out of time kTimeout, and an
// answer that broke off or cannot be an answer (truncated, garbled, oversized) kBadResponse.
AiFailure TransportFailure(net::TransportError error, const Status& status);

// The HttpClient options of an adapter: its timeouts and CA bundle, failures coded 20001, answers
// bounded to a few MiB (a chat answer is small).
net::HttpClientOptions ClientOptions(std::int64_t timeout_ms, std::int64_t connect_timeout_ms,
                                     const std::string& ca_file);

// Whether a non-2xx HTTP status may succeed later: 408, 429 and 5xx.
bool RetryableHttpStatus(int status);

// The body parsed as JSON, or nullopt with the parser's reason in `error`.
std::optional<boost::json::value> ParseJson(std::string_view body, std::string& error);

// A JSON number (integer or floating point) as a double; nullopt for anything else or absence.
std::optional<double> ReadNumber(const boost::json::value* value);
// A JSON integer that fits in int64; nullopt otherwise.
std::optional<std::int64_t> ReadInteger(const boost::json::value* value);
// A JSON string; nullopt for anything else or absence.
std::optional<std::string> ReadText(const boost::json::value* value);
// An id as a string: a non-empty JSON string, or an integer written in decimal.
std::optional<std::string> ReadId(const boost::json::value* value);

// A JSON string value of `text`.
boost::json::value JsonText(std::string_view text);

// "zh-CN" or "en-US": the Accept-Language of a request answered in `lang`.
std::string_view LanguageTag(ArticleLang lang);

// `text` without leading and trailing ASCII whitespace.
std::string_view Trim(std::string_view text);

}  // namespace selfservice::ai

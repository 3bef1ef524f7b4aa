// What the Portal tests share: a portal on a manual clock, callers of every role, a call through
// the string API (as the C ABI makes it), and assertions on the unified envelope.

#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "selfservice/clock.hpp"
#include "selfservice/portal.hpp"

namespace selfservice::test {
namespace json = boost::json;

// 2025-08-15T10:00:00Z, the spec's example time.
inline constexpr std::int64_t kStartMillis = 1'755'252'000'000;

// A context_json object: the caller's ids, roles and optionally locale and trace_id.
struct Caller {
  std::int64_t tenant_id = 1;
  std::int64_t customer_id = 10;
  std::int64_t user_id = 100;
  std::vector<std::string> roles = {"customer_user"};
  std::optional<std::string> locale;
  std::optional<std::string> trace_id;

  json::object ToJson() const;
  Caller WithLocale(std::string name) const;
  Caller WithTrace(std::string id) const;
};

Caller User(std::int64_t tenant_id = 1, std::int64_t customer_id = 10, std::int64_t user_id = 100);
Caller CustomerAdmin(std::int64_t tenant_id = 1, std::int64_t customer_id = 10, std::int64_t user_id = 101);
Caller PlatformAdmin(std::int64_t tenant_id = 1, std::int64_t customer_id = 1, std::int64_t user_id = 1);

// `size` bytes that pass for a PDF: its magic number, then letters.
std::string PdfBytes(std::size_t size);

// Parses a JSON text the test wrote itself.
json::value Json(std::string_view text);

// A Portal on "sqlite::memory:" and a ManualClock at kStartMillis, called through the string API.
class PortalTest : public ::testing::Test {
 protected:
  void SetUp() override;

  // Invoke(method, context_json, request_json) with the texts as given; the answer parsed.
  json::object CallText(std::string_view method, std::optional<std::string_view> context_json,
                        std::optional<std::string_view> request_json);
  json::object Call(std::string_view method, const Caller& caller, const json::value& request);
  json::object CallWithText(std::string_view method, const Caller& caller, std::string_view request_json);

  // Fixtures made through the API; each asserts success.
  std::string StartSession(const Caller& caller, std::string_view question = "服务器连接不上怎么办？");
  json::object Transition(const Caller& caller, std::string_view session_id, std::string_view to,
                          json::object extra = {});
  std::int64_t SubmitFeedback(const Caller& caller, std::string_view related_id = "KB-1001");
  // pagination.total of a list method's answer (which must succeed).
  std::int64_t Total(std::string_view list_method, const Caller& caller, json::object request = {});
  // Stored analytics events of one tenant, read from the store directly.
  std::int64_t StoredEvents(std::int64_t tenant_id = 1);
  // Everything tenant 1 has stored that the API can show: sessions with their interactions,
  // feedback, the configuration of customer 10 and the number of analytics events.
  std::string Snapshot();

  std::shared_ptr<ManualClock> clock_;
  std::unique_ptr<Portal> portal_;
};

// The answer's code (0 when it has none).
std::int64_t CodeOf(const json::object& answer);

// code 200 with the success envelope's members.
::testing::AssertionResult IsSuccess(const json::object& answer);
// `code` with the failure envelope's members.
::testing::AssertionResult IsError(const json::object& answer, std::int64_t code);
// An entry {field, message, code} of errors[] with this field and code.
::testing::AssertionResult HasFieldError(const json::object& answer, std::string_view field,
                                         std::string_view code);

}  // namespace selfservice::test

#include "harness.hpp"

#include <algorithm>

#include "selfservice/context.hpp"
#include "selfservice/repository.hpp"

namespace selfservice::test {

json::object Caller::ToJson() const {
  json::array role_names;
  for (const auto& role : roles) role_names.emplace_back(role);
  json::object out{{"tenant_id", tenant_id},
                   {"customer_id", customer_id},
                   {"user_id", user_id},
                   {"roles", std::move(role_names)}};
  if (locale) out["locale"] = *locale;
  if (trace_id) out["trace_id"] = *trace_id;
  return out;
}

Caller Caller::WithLocale(std::string name) const {
  Caller copy = *this;
  copy.locale = std::move(name);
  return copy;
}

Caller Caller::WithTrace(std::string id) const {
  Caller copy = *this;
  copy.trace_id = std::move(id);
  return copy;
}

Caller User(std::int64_t tenant_id, std::int64_t customer_id, std::int64_t user_id) {
  return Caller{tenant_id, customer_id, user_id, {"customer_user"}, std::nullopt, std::nullopt};
}

Caller CustomerAdmin(std::int64_t tenant_id, std::int64_t customer_id, std::int64_t user_id) {
  return Caller{tenant_id, customer_id, user_id, {"customer_admin"}, std::nullopt, std::nullopt};
}

Caller PlatformAdmin(std::int64_t tenant_id, std::int64_t customer_id, std::int64_t user_id) {
  return Caller{tenant_id, customer_id, user_id, {"platform_admin"}, std::nullopt, std::nullopt};
}

json::value Json(std::string_view text) {
  return json::parse(text);
}

std::string PdfBytes(std::size_t size) {
  std::string bytes = "%PDF-1.7\n";
  for (std::size_t i = 0; bytes.size() < size; ++i) bytes += static_cast<char>('a' + i % 26);
  bytes.resize(size);
  return bytes;
}

void PortalTest::SetUp() {
  clock_ = std::make_shared<ManualClock>(kStartMillis);
  PortalOptions options;
  options.clock = clock_;
  auto portal = Portal::Open(std::move(options));
  ASSERT_TRUE(portal.ok()) << portal.status().detail();
  portal_ = std::move(portal).value();
}

json::object PortalTest::CallText(std::string_view method, std::optional<std::string_view> context_json,
                                  std::optional<std::string_view> request_json) {
  const std::string answer = portal_->Invoke(method, context_json, request_json);
  boost::system::error_code ec;
  json::value parsed = json::parse(answer, ec);
  EXPECT_FALSE(ec) << "not JSON: " << answer;
  EXPECT_TRUE(parsed.is_object()) << "not an object: " << answer;
  return parsed.is_object() ? std::move(parsed.get_object()) : json::object{};
}

json::object PortalTest::Call(std::string_view method, const Caller& caller, const json::value& request) {
  return CallText(method, json::serialize(caller.ToJson()), json::serialize(request));
}

json::object PortalTest::CallWithText(std::string_view method, const Caller& caller,
                                      std::string_view request_json) {
  return CallText(method, json::serialize(caller.ToJson()), request_json);
}

std::string PortalTest::StartSession(const Caller& caller, std::string_view question) {
  const json::object answer = Call("sessions.start", caller,
                                   json::object{{"session_type", "ai_chat"}, {"initial_question", question}});
  EXPECT_TRUE(IsSuccess(answer));
  const json::value* id =
      answer.contains("data") ? answer.at("data").as_object().if_contains("session_id") : nullptr;
  return id != nullptr && id->is_string() ? std::string(id->get_string()) : std::string();
}

json::object PortalTest::Transition(const Caller& caller, std::string_view session_id, std::string_view to,
                                    json::object extra) {
  extra["session_id"] = session_id;
  extra["to"] = to;
  json::object answer = Call("sessions.transition", caller, extra);
  EXPECT_TRUE(IsSuccess(answer)) << "to " << to;
  return answer;
}

std::int64_t PortalTest::SubmitFeedback(const Caller& caller, std::string_view related_id) {
  const json::object answer = Call("feedback.submit", caller,
                                   json::object{{"feedback_type", "service"},
                                                {"related_type", "knowledge"},
                                                {"related_id", related_id},
                                                {"rating", 4},
                                                {"feedback_content", "helpful"}});
  EXPECT_TRUE(IsSuccess(answer));
  if (!answer.contains("data")) return 0;
  const json::value* id = answer.at("data").as_object().if_contains("id");
  return id != nullptr && id->is_int64() ? id->get_int64() : 0;
}

std::int64_t PortalTest::Total(std::string_view list_method, const Caller& caller, json::object request) {
  const json::object answer = Call(list_method, caller, request);
  EXPECT_TRUE(IsSuccess(answer)) << list_method;
  const json::value* pagination = answer.if_contains("pagination");
  if (pagination == nullptr || !pagination->is_object()) return -1;
  return pagination->as_object().at("total").as_int64();
}

std::int64_t PortalTest::StoredEvents(std::int64_t tenant_id) {
  RequestContext context;
  context.tenant_id = tenant_id;
  context.customer_id = 1;
  context.user_id = 1;
  context.roles = static_cast<unsigned>(Role::kPlatformAdmin);
  auto page = portal_->store().analytics().List(Scope(context), BehaviorFilter{}, PageRequest{1, 1});
  EXPECT_TRUE(page.ok());
  return page.ok() ? page->total : -1;
}

std::string PortalTest::Snapshot() {
  const Caller admin = PlatformAdmin();
  json::array sessions;
  for (std::int64_t page = 1;; ++page) {
    const json::object answer = Call("sessions.list", admin, json::object{{"page", page}, {"size", 100}});
    if (!IsSuccess(answer)) break;
    for (const auto& session : answer.at("data").as_array()) {
      const json::value id = session.as_object().at("session_id");
      const json::object interactions =
          Call("sessions.interactions.list", admin, json::object{{"session_id", id}, {"size", 100}});
      sessions.push_back(json::object{{"session", session}, {"interactions", interactions.at("data")}});
    }
    if (page >= answer.at("pagination").as_object().at("pages").as_int64()) break;
  }
  const json::object feedback = Call("feedback.list", admin, json::object{{"size", 100}});
  const json::object config = Call("portal.config.get", admin, json::object{{"customer_id", 10}});
  return json::serialize(json::object{{"sessions", sessions},
                                      {"feedback", feedback.at("data")},
                                      {"config", config.at("data")},
                                      {"events", StoredEvents()}});
}

std::int64_t CodeOf(const json::object& answer) {
  const json::value* code = answer.if_contains("code");
  return code != nullptr && code->is_int64() ? code->get_int64() : 0;
}

namespace {

::testing::AssertionResult HasMembers(const json::object& answer,
                                      std::initializer_list<std::string_view> keys) {
  for (auto key : keys) {
    if (!answer.contains(key)) {
      return ::testing::AssertionFailure() << "no '" << key << "' in " << json::serialize(answer);
    }
  }
  return ::testing::AssertionSuccess();
}

}  // namespace

::testing::AssertionResult IsSuccess(const json::object& answer) {
  if (CodeOf(answer) != 200)
    return ::testing::AssertionFailure() << "expected 200, got " << json::serialize(answer);
  return HasMembers(answer, {"message", "data", "timestamp", "trace_id"});
}

::testing::AssertionResult IsError(const json::object& answer, std::int64_t code) {
  if (CodeOf(answer) != code) {
    return ::testing::AssertionFailure() << "expected " << code << ", got " << json::serialize(answer);
  }
  return HasMembers(answer, {"message", "errors", "timestamp", "trace_id", "help_url"});
}

::testing::AssertionResult HasFieldError(const json::object& answer, std::string_view field,
                                         std::string_view code) {
  const json::value* errors = answer.if_contains("errors");
  if (errors == nullptr || !errors->is_array()) {
    return ::testing::AssertionFailure() << "no errors[] in " << json::serialize(answer);
  }
  const auto& list = errors->get_array();
  const bool found = std::any_of(list.begin(), list.end(), [&](const json::value& error) {
    const json::object* entry = error.if_object();
    if (entry == nullptr || !entry->contains("message")) return false;
    const json::value* name = entry->if_contains("field");
    const json::value* kind = entry->if_contains("code");
    return name != nullptr && name->is_string() && name->get_string() == field && kind != nullptr &&
           kind->is_string() && kind->get_string() == code;
  });
  if (!found) {
    return ::testing::AssertionFailure()
           << "no error {" << field << ", " << code << "} in " << json::serialize(answer);
  }
  return ::testing::AssertionSuccess();
}

}  // namespace selfservice::test

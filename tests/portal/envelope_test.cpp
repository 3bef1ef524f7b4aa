// The unified envelope of REQ-019 4.2 (success) and 4.3 (failure), as the string API returns it.

#include <algorithm>
#include <regex>
#include <set>
#include <string_view>
#include <vector>

#include "harness.hpp"

namespace selfservice::test {
namespace {

const std::regex kTimestamp(R"(^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$)");
const std::regex kGeneratedTrace("^[0-9a-f]{32}$");

std::set<std::string> Keys(const json::object& object) {
  std::set<std::string> keys;
  for (const auto& [key, value] : object) keys.emplace(key);
  return keys;
}

std::string Text(const json::object& answer, std::string_view key) {
  const json::value* value = answer.if_contains(key);
  return value != nullptr && value->is_string() ? std::string(value->get_string()) : std::string();
}

bool HasCjk(std::string_view text) {
  // Every CJK unified ideograph is encoded in UTF-8 with a lead byte 0xE4..0xE9.
  return std::any_of(text.begin(), text.end(), [](char c) {
    const auto byte = static_cast<unsigned char>(c);
    return byte >= 0xE4 && byte <= 0xE9;
  });
}

using EnvelopeTest = PortalTest;

TEST_F(EnvelopeTest, SuccessHasExactlyTheSpecsMembers) {
  const json::object answer = Call("sessions.start", User(), json::object{{"initial_question", "VPN down"}});
  ASSERT_TRUE(IsSuccess(answer));
  EXPECT_EQ(Keys(answer), (std::set<std::string>{"code", "message", "data", "timestamp", "trace_id"}));
  EXPECT_TRUE(answer.at("data").is_object());
}

TEST_F(EnvelopeTest, SuccessMessageFollowsTheLocale) {
  EXPECT_EQ(Text(Call("portal.config.get", User(), json::object{}), "message"), "成功");
  EXPECT_EQ(Text(Call("portal.config.get", User().WithLocale("zh-CN"), json::object{}), "message"), "成功");
  EXPECT_EQ(Text(Call("portal.config.get", User().WithLocale("en-US"), json::object{}), "message"),
            "success");
}

TEST_F(EnvelopeTest, TimestampIsUtcToTheSecond) {
  clock_->Set(kStartMillis + 999);
  const json::object answer = Call("portal.config.get", User(), json::object{});
  EXPECT_TRUE(std::regex_match(Text(answer, "timestamp"), kTimestamp)) << Text(answer, "timestamp");
  EXPECT_EQ(Text(answer, "timestamp"), "2025-08-15T10:00:00Z");
  const json::object error = Call("sessions.get", User(), json::object{});
  EXPECT_EQ(Text(error, "timestamp"), "2025-08-15T10:00:00Z");
}

TEST_F(EnvelopeTest, TraceIdIsEchoedFromTheContext) {
  const Caller caller = User().WithTrace("abc123def456");
  EXPECT_EQ(Text(Call("portal.config.get", caller, json::object{}), "trace_id"), "abc123def456");
  EXPECT_EQ(Text(Call("sessions.get", caller, json::object{}), "trace_id"), "abc123def456");
  EXPECT_EQ(Text(Call("no.such.method", caller, json::object{}), "trace_id"), "abc123def456");
  EXPECT_EQ(Text(Call("sessions.sweep", caller, json::object{}), "trace_id"), "abc123def456");
}

TEST_F(EnvelopeTest, TraceIdIsGeneratedWhenTheContextHasNone) {
  const std::string first = Text(Call("portal.config.get", User(), json::object{}), "trace_id");
  const std::string second = Text(Call("sessions.get", User(), json::object{}), "trace_id");
  EXPECT_TRUE(std::regex_match(first, kGeneratedTrace)) << first;
  EXPECT_TRUE(std::regex_match(second, kGeneratedTrace)) << second;
  EXPECT_NE(first, second);
  const std::string unauthenticated = Text(CallText("portal.config.get", std::nullopt, "{}"), "trace_id");
  EXPECT_TRUE(std::regex_match(unauthenticated, kGeneratedTrace)) << unauthenticated;
}

TEST_F(EnvelopeTest, TraceIdOfARefusedContextIsStillEchoed) {
  const json::object answer = CallText(
      "portal.config.get", R"({"tenant_id": 0, "customer_id": 1, "user_id": 1, "trace_id": "t-42"})", "{}");
  ASSERT_TRUE(IsError(answer, 10002));
  EXPECT_EQ(Text(answer, "trace_id"), "t-42");
}

TEST_F(EnvelopeTest, ErrorHasExactlyTheSpecsMembers) {
  const json::object answer = Call("sessions.get", User(), json::object{});
  ASSERT_TRUE(IsError(answer, 10001));
  EXPECT_EQ(Keys(answer),
            (std::set<std::string>{"code", "message", "errors", "timestamp", "trace_id", "help_url"}));
  ASSERT_FALSE(answer.at("errors").as_array().empty());
  for (const auto& error : answer.at("errors").as_array()) {
    EXPECT_EQ(Keys(error.as_object()), (std::set<std::string>{"field", "message", "code"}));
    for (const auto& [key, value] : error.as_object()) EXPECT_TRUE(value.is_string()) << key;
  }
  EXPECT_TRUE(HasFieldError(answer, "session_id", "FIELD_REQUIRED"));
}

TEST_F(EnvelopeTest, HelpUrlEndsWithTheCode) {
  const std::pair<json::object, std::int64_t> cases[] = {
      {Call("sessions.get", User(), json::object{}), 10001},
      {CallText("sessions.get", std::nullopt, "{}"), 10002},
      {Call("sessions.sweep", User(), json::object{}), 10003},
      {Call("no.such.method", User(), json::object{}), 10004},
  };
  for (const auto& [answer, code] : cases) {
    ASSERT_TRUE(IsError(answer, code));
    EXPECT_EQ(Text(answer, "help_url"), "https://docs.example.com/api/errors/" + std::to_string(code));
    EXPECT_TRUE(std::regex_match(Text(answer, "timestamp"), kTimestamp));
  }
}

TEST_F(EnvelopeTest, HelpUrlBaseComesFromTheOptions) {
  PortalOptions options;
  options.help_url_base = "https://help.example.org/e/";
  auto portal = Portal::Open(options);
  ASSERT_TRUE(portal.ok());
  const std::string answer = (*portal)->Invoke("no.such.method", json::serialize(User().ToJson()), "{}");
  EXPECT_EQ(json::parse(answer).at("help_url"), "https://help.example.org/e/10004");
}

TEST_F(EnvelopeTest, ErrorMessagesComeFromTheCatalogOfTheLocale) {
  struct Case {
    std::int64_t code;
    std::string zh;
    std::string en;
  };
  const std::string id = StartSession(User());
  const Case cases[] = {{10001, "请求参数错误", "Invalid request parameters"},
                        {10003, "权限不足", "Permission denied"},
                        {10004, "资源不存在", "Resource not found"},
                        {10006, "状态流转不允许", "State transition not allowed"}};
  for (const auto& test : cases) {
    for (const auto& locale : {std::string(), std::string("zh-CN"), std::string("en-US")}) {
      const Caller caller = locale.empty() ? User() : User().WithLocale(locale);
      json::object answer;
      switch (test.code) {
        case 10001: answer = Call("sessions.get", caller, json::object{}); break;
        case 10003: answer = Call("sessions.sweep", caller, json::object{}); break;
        case 10004: answer = Call("no.such.method", caller, json::object{}); break;
        default:
          answer = Call("sessions.transition", caller, json::object{{"session_id", id}, {"to", "rated"}});
      }
      ASSERT_TRUE(IsError(answer, test.code)) << locale;
      EXPECT_EQ(Text(answer, "message"), locale == "en-US" ? test.en : test.zh) << test.code << " " << locale;
    }
  }
}

TEST_F(EnvelopeTest, UnauthenticatedMessageFollowsTheLocaleOfTheRefusedContext) {
  const json::object zh = CallText("sessions.list", R"({"user_id": 1})", "{}");
  const json::object en = CallText("sessions.list", R"({"user_id": 1, "locale": "en-US"})", "{}");
  ASSERT_TRUE(IsError(zh, 10002));
  ASSERT_TRUE(IsError(en, 10002));
  EXPECT_EQ(Text(zh, "message"), "认证失败");
  EXPECT_EQ(Text(en, "message"), "Authentication failed");
}

TEST_F(EnvelopeTest, FieldMessagesAreRenderedInTheLocale) {
  const json::object zh = Call("sessions.start", User(), json::object{{"session_type", "bogus"}});
  const json::object en =
      Call("sessions.start", User().WithLocale("en-US"), json::object{{"session_type", "bogus"}});
  ASSERT_TRUE(HasFieldError(zh, "session_type", "VALUE_NOT_ALLOWED"));
  ASSERT_TRUE(HasFieldError(en, "session_type", "VALUE_NOT_ALLOWED"));
  const std::string zh_text(zh.at("errors").as_array().at(0).at("message").as_string());
  const std::string en_text(en.at("errors").as_array().at(0).at("message").as_string());
  EXPECT_TRUE(HasCjk(zh_text)) << zh_text;
  EXPECT_FALSE(HasCjk(en_text)) << en_text;
  EXPECT_NE(en_text.find("session_type"), std::string::npos) << en_text;
  EXPECT_NE(en_text.find("search, ai_chat, ticket"), std::string::npos) << en_text;
  EXPECT_FALSE(HasCjk(Text(en, "message")));
}

TEST_F(EnvelopeTest, AnyEnglishLocaleSelectsEnglishAndAnythingElseChinese) {
  EXPECT_EQ(Text(Call("portal.config.get", User().WithLocale("en-GB"), json::object{}), "message"),
            "success");
  EXPECT_EQ(Text(Call("portal.config.get", User().WithLocale("fr-FR"), json::object{}), "message"), "成功");
  EXPECT_EQ(
      Text(CallText("portal.config.get", R"({"tenant_id":1,"customer_id":1,"user_id":1,"locale":7})", "{}"),
           "message"),
      "成功");
}

TEST_F(EnvelopeTest, EveryListMethodAnswersWithPagination) {
  const Caller user = User();
  const std::string id = StartSession(user);
  ASSERT_TRUE(IsSuccess(
      Call("sessions.interactions.add", user,
           json::object{{"session_id", id}, {"interaction_type", "question"}, {"user_input", "a"}})));
  SubmitFeedback(user);
  ASSERT_TRUE(IsSuccess(
      Call("knowledge.upsert", CustomerAdmin(), json::object{{"title", "VPN"}, {"body", "Reconnect."}})));
  ASSERT_TRUE(IsSuccess(Call("search.synonyms.set", CustomerAdmin(),
                             json::object{{"term", "VPN"}, {"synonyms", json::array{"remote access"}}})));
  // One ticket with one attachment (a text file of 4 bytes), and one document.
  const json::object ticket = Call("tickets.create", user,
                                   json::object{{"title", "VPN"}, {"description", "down"}, {"category", "network"},
                                                {"priority", 2}});
  ASSERT_TRUE(IsSuccess(ticket)) << ticket;
  const json::object upload =
      Call("tickets.attachments.begin", user,
           json::object{{"ticket_id", ticket.at("data").at("id")}, {"filename", "a.txt"}, {"size", 4},
                        {"content_type", "text/plain"},
                        {"sha256", "982d9e3eb996f559e633f4d194def3761d909f5a3b647d1a851fead67c32c9d1"}});
  ASSERT_TRUE(IsSuccess(upload)) << upload;
  ASSERT_TRUE(IsSuccess(Call("tickets.attachments.append", user,
                             json::object{{"upload_id", upload.at("data").at("upload_id")}, {"offset", 0},
                                          {"data_base64", "dGV4dA=="}})));
  ASSERT_TRUE(IsSuccess(Call("tickets.attachments.complete", user,
                             json::object{{"upload_id", upload.at("data").at("upload_id")}})));
  ASSERT_TRUE(IsSuccess(Call("documents.publish", PlatformAdmin(),
                             json::object{{"title", "Guide"}, {"filename", "g.txt"}, {"content_type", "text/plain"},
                                          {"data_base64", "dGV4dA=="}})));
  // One account of the customer, stored directly so that the audit log holds only the synonyms' entry.
  RequestContext customer_admin;
  customer_admin.tenant_id = 1;
  customer_admin.customer_id = 10;
  customer_admin.user_id = 101;
  customer_admin.roles = static_cast<unsigned>(Role::kCustomerAdmin);
  selfservice::User account;
  account.customer_id = 10;
  account.username = "listed";
  account.display_name = "Listed";
  ASSERT_TRUE(portal_->store().users().Create(Scope(customer_admin), account).ok());
  // Drafts are their user's own: the customer_admin keeps one.
  ASSERT_TRUE(IsSuccess(Call("tickets.drafts.save", CustomerAdmin(), json::object{{"title", "draft"}})));
  // A customer_admin of the user's customer may call every list and sees exactly one item in each.
  const Caller admin = CustomerAdmin();
  int lists = 0;
  for (const auto& method : Portal::Methods()) {
    const std::string_view name = method.name;
    if (name.size() < 5 || name.substr(name.size() - 5) != ".list") continue;
    ++lists;
    const json::object answer = Call(name, admin, json::object{{"session_id", id}, {"page", 1}, {"size", 1}});
    ASSERT_TRUE(IsSuccess(answer)) << name;
    ASSERT_TRUE(answer.contains("pagination")) << name;
    const json::object& pagination = answer.at("pagination").as_object();
    EXPECT_EQ(Keys(pagination), (std::set<std::string>{"page", "size", "total", "pages"})) << name;
    EXPECT_EQ(pagination.at("page"), 1) << name;
    EXPECT_EQ(pagination.at("size"), 1) << name;
    EXPECT_EQ(pagination.at("total"), 1) << name;
    EXPECT_EQ(pagination.at("pages"), 1) << name;
    EXPECT_TRUE(answer.at("data").is_array()) << name;
  }
  EXPECT_GE(lists, 3);
}

// An HTTP host routes by method and path: no path may fit two methods' routes, whatever router it
// uses ("{x}" matches any one segment, a literal only itself).
TEST(MethodTable, NoTwoMethodsShareAPath) {
  const auto segments = [](std::string_view route) {
    std::vector<std::string_view> out;
    for (std::size_t start = 0; start <= route.size();) {
      const std::size_t end = std::min(route.find('/', start), route.size());
      out.push_back(route.substr(start, end - start));
      start = end + 1;
    }
    return out;
  };
  const auto& methods = Portal::Methods();
  for (std::size_t i = 0; i < methods.size(); ++i) {
    for (std::size_t j = i + 1; j < methods.size(); ++j) {
      if (methods[i].http_method != methods[j].http_method) continue;
      const auto a = segments(methods[i].route);
      const auto b = segments(methods[j].route);
      bool overlap = a.size() == b.size();
      for (std::size_t k = 0; overlap && k < a.size(); ++k) {
        overlap = a[k] == b[k] || a[k].starts_with('{') || b[k].starts_with('{');
      }
      EXPECT_FALSE(overlap) << methods[i].name << " " << methods[i].route << " ~ " << methods[j].name << " "
                            << methods[j].route;
    }
  }
}

TEST_F(EnvelopeTest, PaginationCountsPages) {
  const Caller user = User();
  for (int i = 0; i < 5; ++i) StartSession(user);
  const json::object answer = Call("sessions.list", user, json::object{{"page", 2}, {"size", 2}});
  ASSERT_TRUE(IsSuccess(answer));
  EXPECT_EQ(json::serialize(answer.at("pagination")), R"({"page":2,"size":2,"total":5,"pages":3})");
  EXPECT_EQ(answer.at("data").as_array().size(), 2U);
  const json::object defaults = Call("sessions.list", user, json::object{});
  EXPECT_EQ(json::serialize(defaults.at("pagination")), R"({"page":1,"size":20,"total":5,"pages":1})");
  const json::object beyond = Call("sessions.list", user, json::object{{"page", 9}});
  ASSERT_TRUE(IsSuccess(beyond));
  EXPECT_TRUE(beyond.at("data").as_array().empty());
}

TEST_F(EnvelopeTest, NonListMethodsHaveNoPagination) {
  EXPECT_FALSE(Call("portal.config.get", User(), json::object{}).contains("pagination"));
  EXPECT_FALSE(Call("sessions.start", User(), json::object{}).contains("pagination"));
}

}  // namespace
}  // namespace selfservice::test

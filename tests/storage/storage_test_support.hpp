// Helpers shared by the storage tests: fully populated domain objects whose every field a round
// trip must keep (callers and temporary directories come from tests/support).

#pragma once

#include <gtest/gtest.h>

#include <cctype>
#include <cstdint>
#include <memory>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <system_error>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "selfservice/context.hpp"
#include "selfservice/model.hpp"
#include "selfservice/repository.hpp"
#include "selfservice/status.hpp"
#include "support/callers.hpp"
#include "support/temp_dir.hpp"

namespace selfservice::test {

// Every storage adapter the repository tests run against; "{dir}" is the test's own temporary
// directory. A new adapter joins every suite by adding its URI here.
inline constexpr const char* kStorageUris[] = {"sqlite::memory:", "sqlite:{dir}/portal.db"};

// The URI's letters and digits, as the test name's suffix: "sqlitememory", "sqlitedirportaldb".
inline std::string AdapterName(const ::testing::TestParamInfo<const char*>& info) {
  std::string name;
  for (const char* c = info.param; *c != '\0'; ++c) {
    if (std::isalnum(static_cast<unsigned char>(*c))) name += *c;
  }
  return name;
}

// A fresh store of the adapter the test is parameterised with (one of kStorageUris).
class AdapterTest : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override {
    uri_ = GetParam();
    if (auto at = uri_.find("{dir}"); at != std::string::npos) uri_.replace(at, 5, dir_.path().string());
    auto opened = OpenStore(uri_);
    ASSERT_TRUE(opened.ok()) << uri_ << ": " << Describe(opened);
    store_ = std::move(opened).value();
  }

  TempDir dir_;  // declared first: it outlives the store
  std::string uri_;
  std::unique_ptr<Store> store_;
};

inline boost::json::value Json(const char* text) {
  return boost::json::parse(text);
}

// Every field set, optionals included, so a column that is not stored or read back shows up.
inline Session FullSession(const RequestContext& owner, std::string session_id, std::int64_t created_millis) {
  Session v;
  v.session_id = std::move(session_id);
  v.tenant_id = owner.tenant_id;
  v.customer_id = owner.customer_id;
  v.user_id = owner.user_id;
  v.session_type = SessionType::ai_chat;
  v.initial_question = "如何重置密码？ how do I reset my password?";
  v.session_context = Json(R"({"page":"/help","tags":["a","b"],"depth":{"n":1.5,"ok":true}})");
  v.state = SessionState::rated;
  v.resolution_status = ResolutionStatus::resolved;
  v.satisfaction_score = 4;
  v.feedback_content = "很好 great";
  v.session_duration = 90;
  v.interaction_count = 7;
  v.created_at = Timestamp{created_millis};
  v.updated_at = Timestamp{created_millis + 60'123};
  v.ended_at = Timestamp{created_millis + 90'456};
  return v;
}

// Only the required fields; every optional absent.
inline Session MinimalSession(const RequestContext& owner, std::string session_id,
                              std::int64_t created_millis) {
  Session v;
  v.session_id = std::move(session_id);
  v.tenant_id = owner.tenant_id;
  v.customer_id = owner.customer_id;
  v.user_id = owner.user_id;
  v.created_at = v.updated_at = Timestamp{created_millis};
  return v;
}

inline Interaction FullInteraction(std::int64_t created_millis) {
  Interaction v;
  v.interaction_type = InteractionType::answer;
  v.user_input = "问题 question";
  v.system_response = "回答 answer";
  v.ai_confidence = 0.87;
  v.response_time = 1234;
  v.knowledge_article_ids = {3, 1, 4'000'000'000'001};
  v.helpful_rating = 5;
  v.created_at = Timestamp{created_millis};
  return v;
}

inline Feedback FullFeedback(const RequestContext& owner, std::int64_t created_millis) {
  Feedback v;
  v.tenant_id = owner.tenant_id;
  v.customer_id = owner.customer_id;
  v.user_id = owner.user_id;
  v.feedback_type = FeedbackType::bug;
  v.related_id = "TICKET-42";
  v.related_type = RelatedType::ticket;
  v.rating = 2;
  v.feedback_content = "页面打不开 page broken";
  v.suggestions = "fix it";
  v.contact_required = true;
  v.priority_level = 1;
  v.sentiment_score = -0.75;
  v.state = FeedbackState::processed;
  v.processed_by = 9001;
  v.processed_at = Timestamp{created_millis + 5'000};
  v.response_content = "fixed";
  v.created_at = Timestamp{created_millis};
  v.updated_at = Timestamp{created_millis + 5'001};
  return v;
}

inline Feedback MinimalFeedback(const RequestContext& owner, std::int64_t created_millis) {
  Feedback v;
  v.tenant_id = owner.tenant_id;
  v.customer_id = owner.customer_id;
  v.user_id = owner.user_id;
  v.related_id = "kb-1";
  v.related_type = RelatedType::knowledge;
  v.created_at = v.updated_at = Timestamp{created_millis};
  return v;
}

inline BehaviorEvent FullEvent(const RequestContext& owner, std::int64_t created_millis) {
  BehaviorEvent v;
  v.tenant_id = owner.tenant_id;
  v.customer_id = owner.customer_id;
  v.user_id = owner.user_id;
  v.session_id = "sess_0123456789abcdef01234567";
  v.page_path = "/kb/articles/42";
  v.action_type = ActionType::download;
  v.action_target = "manual.pdf";
  v.search_keywords = "密码 password";
  v.stay_duration = 37;
  v.device_type = DeviceType::tablet;
  v.browser_info = "Firefox 120";
  v.ip_address = "2001:db8::1";
  v.user_agent = "Mozilla/5.0 (X11; Linux x86_64)";
  v.referrer_url = "https://example.com/start?q=1";
  v.created_at = Timestamp{created_millis};
  return v;
}

inline BehaviorEvent MinimalEvent(const RequestContext& owner, std::int64_t created_millis) {
  BehaviorEvent v;
  v.tenant_id = owner.tenant_id;
  v.customer_id = owner.customer_id;
  v.user_id = owner.user_id;
  v.page_path = "/";
  v.created_at = Timestamp{created_millis};
  return v;
}

inline PortalConfig FullConfig(std::int64_t created_millis) {
  PortalConfig c;
  c.portal_domain = "support.example.com";
  c.portal_title = "ACME 支持";
  c.logo_url = "https://cdn.example.com/logo.png";
  c.theme_color = "#123abc";
  c.welcome_message = "欢迎 welcome";
  c.contact_info = Json(R"({"email":"help@example.com","phone":"+86 10 1234 5678","hours":"9-18"})");
  c.enabled_features = {"faq_search", "tickets", "feedback"};
  c.custom_css = "body { color: #333; }";
  c.sso_config = Json(R"({"provider":"saml","idp":{"url":"https://idp.example.com","certs":[1,2]}})");
  c.security_settings = Json(R"({"mfa":true,"session_minutes":30})");
  c.status = 2;
  c.created_at = Timestamp{created_millis};
  c.updated_at = Timestamp{created_millis + 1};
  c.created_by = 77;
  c.updated_by = 78;
  return c;
}

}  // namespace selfservice::test

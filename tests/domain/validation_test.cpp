// Validate() for every entity of model.hpp: the single-object rules of REQ-019 3.2 and 3.3.
//
// Each entity has a valid example; every test changes one field of it and states exactly which
// errors Validate() reports. VARCHAR(n) limits count characters (Chinese text proves it), TEXT
// limits count bytes.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <type_traits>

#include <boost/json.hpp>

#include "selfservice/model.hpp"

namespace selfservice {
namespace {

using ::testing::IsEmpty;
using Errors = std::vector<FieldError>;

constexpr std::size_t kText = 65535;

std::string Repeat(std::string_view unit, std::size_t times) {
  std::string out;
  out.reserve(unit.size() * times);
  for (std::size_t i = 0; i < times; ++i) out += unit;
  return out;
}

// A valid domain name of exactly `length` (>= 52) characters.
std::string DomainOfLength(std::size_t length) {
  std::string out;
  while (length - out.size() > 50) out += std::string(49, 'a') + ".";
  out += std::string(length - out.size(), 'b');
  return out;
}

// A valid e-mail address of exactly `length` (>= 117) characters.
std::string EmailOfLength(std::size_t length) {
  return std::string(64, 'u') + "@" + DomainOfLength(length - 65);
}

Errors One(std::string field, const char* code, std::vector<std::pair<std::string, std::string>> args = {}) {
  return {FieldError{std::move(field), code, std::move(args)}};
}

Errors TooLong(std::string field, std::size_t max) {
  return One(std::move(field), field_code::kTooLong, {{"max", std::to_string(max)}});
}

template <typename T>
struct Unwrap {
  using type = T;
};
template <typename T>
struct Unwrap<std::optional<T>> {
  using type = T;
};

// `at_limit` passes; `over_limit` gives exactly FIELD_TOO_LONG with the maximum.
template <typename T, typename M>
void ExpectLengthLimit(const T& valid, M T::*member, const std::string& field, const std::string& at_limit,
                       const std::string& over_limit, std::size_t max) {
  SCOPED_TRACE(field);
  T value = valid;
  value.*member = at_limit;
  EXPECT_THAT(Validate(value), IsEmpty()) << "at the limit";
  value.*member = over_limit;
  EXPECT_EQ(Validate(value), TooLong(field, max)) << "one over the limit";
}

// VARCHAR(max): `max` characters of `unit` pass, one more is too long.
template <typename T, typename M>
void ExpectCharLimit(const T& valid, M T::*member, const std::string& field, std::size_t max,
                     std::string_view unit = "中") {
  ExpectLengthLimit(valid, member, field, Repeat(unit, max), Repeat(unit, max + 1), max);
}

// TEXT: 65,535 bytes pass, 65,536 are too long.
template <typename T, typename M>
void ExpectTextLimit(const T& valid, M T::*member, const std::string& field) {
  ExpectLengthLimit(valid, member, field, std::string(kText, 'x'), std::string(kText + 1, 'x'), kText);
}

// `min` and `max` pass; one step outside either gives exactly OUT_OF_RANGE with both bounds.
template <typename T, typename M>
void ExpectRange(const T& valid, M T::*member, const std::string& field, std::int64_t min, std::int64_t max) {
  using V = typename Unwrap<M>::type;
  SCOPED_TRACE(field);
  const Errors out_of_range =
      One(field, field_code::kOutOfRange, {{"min", std::to_string(min)}, {"max", std::to_string(max)}});
  T value = valid;
  for (std::int64_t ok : {min, max}) {
    value.*member = static_cast<V>(ok);
    EXPECT_THAT(Validate(value), IsEmpty()) << ok;
  }
  for (std::int64_t bad : {min - 1, max + 1}) {
    value.*member = static_cast<V>(bad);
    EXPECT_EQ(Validate(value), out_of_range) << bad;
  }
}

// The field must not be negative.
template <typename T, typename M>
void ExpectNotNegative(const T& valid, M T::*member, const std::string& field) {
  SCOPED_TRACE(field);
  T value = valid;
  value.*member = 0;
  EXPECT_THAT(Validate(value), IsEmpty());
  value.*member = -1;
  const Errors errors = Validate(value);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].field, field);
  EXPECT_EQ(errors[0].code, field_code::kOutOfRange);
  EXPECT_EQ(errors[0].args.at(0), (std::pair<std::string, std::string>("min", "0")));
}

// A value outside the enumeration (only a cast makes one) gives VALUE_NOT_ALLOWED listing the names.
template <typename T, typename M>
void ExpectUndefinedEnumRejected(const T& valid, M T::*member, const std::string& field,
                                 const std::string& allowed) {
  using E = typename Unwrap<M>::type;
  SCOPED_TRACE(field);
  T value = valid;
  value.*member = static_cast<E>(97);
  EXPECT_EQ(Validate(value), One(field, field_code::kNotAllowed, {{"allowed", allowed}}));
}

template <typename T>
Errors ValidateWith(T value, void (*change)(T&)) {
  change(value);
  return Validate(value);
}

// --- PortalConfig -------------------------------------------------------------------------------

PortalConfig ValidPortalConfig() {
  PortalConfig c;
  c.id = 1;
  c.tenant_id = 10;
  c.customer_id = 20;
  c.portal_domain = "support.acme.example";
  c.portal_title = "ACME 客户服务门户";
  c.logo_url = "https://cdn.acme.example/logo.png";
  c.theme_color = "#1F6FEB";
  c.welcome_message = "欢迎使用自助服务";
  c.contact_info = boost::json::object{{"email", "support@acme.example"},
                                       {"phone", "+86 10 8888 6666"},
                                       {"address", "北京市朝阳区"},
                                       {"hours", "9:00-18:00"},
                                       {"url", "https://acme.example/contact"}};
  c.enabled_features = {"faq_search", "ai_chat", "tickets"};
  c.custom_css = ".portal-header { background: #1F6FEB; }";
  c.sso_config = boost::json::object{{"provider", "oidc"}};
  c.security_settings = boost::json::object{{"mfa_required", true}};
  c.created_by = 5;
  c.updated_by = 5;
  return c;
}

TEST(PortalConfigValidation, ValidConfigPasses) {
  EXPECT_THAT(Validate(ValidPortalConfig()), IsEmpty());
}

TEST(PortalConfigValidation, DefaultsPassOnceOwnerIsSet) {
  PortalConfig c;
  c.tenant_id = 1;
  c.customer_id = 2;
  EXPECT_THAT(Validate(c), IsEmpty());
}

TEST(PortalConfigValidation, RequiresTenantId) {
  EXPECT_EQ(ValidateWith<PortalConfig>(ValidPortalConfig(), [](auto& c) { c.tenant_id = 0; }),
            One("tenant_id", field_code::kRequired));
  EXPECT_EQ(ValidateWith<PortalConfig>(ValidPortalConfig(), [](auto& c) { c.tenant_id = -3; }),
            One("tenant_id", field_code::kRequired));
}

TEST(PortalConfigValidation, RequiresCustomerId) {
  EXPECT_EQ(ValidateWith<PortalConfig>(ValidPortalConfig(), [](auto& c) { c.customer_id = 0; }),
            One("customer_id", field_code::kRequired));
}

TEST(PortalConfigValidation, RequiresPortalTitle) {
  EXPECT_EQ(ValidateWith<PortalConfig>(ValidPortalConfig(), [](auto& c) { c.portal_title = ""; }),
            One("portal_title", field_code::kRequired));
}

TEST(PortalConfigValidation, BlankPortalTitleCountsAsMissing) {
  EXPECT_EQ(ValidateWith<PortalConfig>(ValidPortalConfig(), [](auto& c) { c.portal_title = " \t "; }),
            One("portal_title", field_code::kRequired));
}

TEST(PortalConfigValidation, PortalTitleHoldsAtMost100Characters) {
  ExpectCharLimit(ValidPortalConfig(), &PortalConfig::portal_title, "portal_title", 100);
}

TEST(PortalConfigValidation, PortalDomainHoldsAtMost100Characters) {
  ExpectLengthLimit(ValidPortalConfig(), &PortalConfig::portal_domain, "portal_domain", DomainOfLength(100),
                    DomainOfLength(101), 100);
}

TEST(PortalConfigValidation, PortalDomainMustBeADomainName) {
  for (const char* bad : {"acme", "https://acme.example", "acme.example/portal", "acme..example"}) {
    PortalConfig c = ValidPortalConfig();
    c.portal_domain = bad;
    EXPECT_EQ(Validate(c), One("portal_domain", field_code::kInvalid)) << bad;
  }
}

TEST(PortalConfigValidation, PortalDomainIsOptional) {
  EXPECT_THAT(ValidateWith<PortalConfig>(ValidPortalConfig(), [](auto& c) { c.portal_domain.reset(); }),
              IsEmpty());
}

TEST(PortalConfigValidation, LogoUrlHoldsAtMost255Characters) {
  const std::string prefix = "https://cdn.acme.example/";
  ExpectLengthLimit(ValidPortalConfig(), &PortalConfig::logo_url, "logo_url",
                    prefix + std::string(255 - prefix.size(), 'a'),
                    prefix + std::string(256 - prefix.size(), 'a'), 255);
}

TEST(PortalConfigValidation, LogoUrlMustBeHttpOrHttps) {
  for (const char* bad :
       {"javascript:alert(1)", "ftp://cdn.acme.example/logo.png", "/logo.png", "logo.png"}) {
    PortalConfig c = ValidPortalConfig();
    c.logo_url = bad;
    EXPECT_EQ(Validate(c), One("logo_url", field_code::kInvalid)) << bad;
  }
  PortalConfig c = ValidPortalConfig();
  c.logo_url = "http://cdn.acme.example/logo.png";
  EXPECT_THAT(Validate(c), IsEmpty());
}

TEST(PortalConfigValidation, ThemeColorAcceptsShortAndLongHex) {
  for (const char* ok : {"#409EFF", "#409eff", "#FFF", "#0a0"}) {
    PortalConfig c = ValidPortalConfig();
    c.theme_color = ok;
    EXPECT_THAT(Validate(c), IsEmpty()) << ok;
  }
}

TEST(PortalConfigValidation, ThemeColorRejectsOtherSpellings) {
  for (const char* bad : {"blue", "409EFF", "#409EF", "#409EFG", "#409EFF80", "rgb(0,0,0)"}) {
    PortalConfig c = ValidPortalConfig();
    c.theme_color = bad;
    EXPECT_EQ(Validate(c), One("theme_color", field_code::kInvalid)) << bad;
  }
}

TEST(PortalConfigValidation, ThemeColorLongerThan20IsTooLongRatherThanInvalid) {
  EXPECT_EQ(
      ValidateWith<PortalConfig>(ValidPortalConfig(), [](auto& c) { c.theme_color = std::string(21, 'f'); }),
      TooLong("theme_color", 20));
}

TEST(PortalConfigValidation, WelcomeMessageHoldsAtMost65535Bytes) {
  ExpectTextLimit(ValidPortalConfig(), &PortalConfig::welcome_message, "welcome_message");
}

TEST(PortalConfigValidation, WelcomeMessageCountsBytesNotCharacters) {
  // 21,845 three-byte characters are 65,535 bytes; one more is 65,538.
  ExpectLengthLimit(ValidPortalConfig(), &PortalConfig::welcome_message, "welcome_message",
                    Repeat("中", 21845), Repeat("中", 21846), kText);
}

TEST(PortalConfigValidation, ContactInfoMustBeAnObject) {
  EXPECT_EQ(
      ValidateWith<PortalConfig>(
          ValidPortalConfig(), [](auto& c) { c.contact_info = boost::json::value("support@acme.example"); }),
      One("contact_info", field_code::kInvalid));
  EXPECT_EQ(ValidateWith<PortalConfig>(ValidPortalConfig(),
                                       [](auto& c) { c.contact_info = boost::json::array{"a"}; }),
            One("contact_info", field_code::kInvalid));
}

TEST(PortalConfigValidation, ContactInfoMayBeAbsentOrEmpty) {
  EXPECT_THAT(ValidateWith<PortalConfig>(ValidPortalConfig(), [](auto& c) { c.contact_info.reset(); }),
              IsEmpty());
  EXPECT_THAT(ValidateWith<PortalConfig>(ValidPortalConfig(),
                                         [](auto& c) { c.contact_info = boost::json::object{}; }),
              IsEmpty());
}

TEST(PortalConfigValidation, ContactInfoRejectsUnknownKeys) {
  EXPECT_EQ(ValidateWith<PortalConfig>(
                ValidPortalConfig(), [](auto& c) { c.contact_info->as_object()["wechat"] = "acme_support"; }),
            One("contact_info.wechat", field_code::kNotAllowed,
                {{"allowed", "email, phone, address, hours, url"}}));
}

TEST(PortalConfigValidation, ContactInfoValuesMustBeStrings) {
  EXPECT_EQ(ValidateWith<PortalConfig>(ValidPortalConfig(),
                                       [](auto& c) { c.contact_info->as_object()["phone"] = 12345; }),
            One("contact_info.phone", field_code::kInvalid));
}

TEST(PortalConfigValidation, ContactInfoEmailMustBeAnEmailAddress) {
  EXPECT_EQ(ValidateWith<PortalConfig>(ValidPortalConfig(),
                                       [](auto& c) { c.contact_info->as_object()["email"] = "support"; }),
            One("contact_info.email", field_code::kInvalid));
}

TEST(PortalConfigValidation, ContactInfoPhoneMustBeAPhoneNumber) {
  EXPECT_EQ(ValidateWith<PortalConfig>(ValidPortalConfig(),
                                       [](auto& c) { c.contact_info->as_object()["phone"] = "call us"; }),
            One("contact_info.phone", field_code::kInvalid));
}

TEST(PortalConfigValidation, ContactInfoUrlMustBeHttpOrHttps) {
  EXPECT_EQ(
      ValidateWith<PortalConfig>(ValidPortalConfig(),
                                 [](auto& c) { c.contact_info->as_object()["url"] = "javascript:alert(1)"; }),
      One("contact_info.url", field_code::kInvalid));
}

TEST(PortalConfigValidation, ContactInfoValuesHoldAtMost255Characters) {
  PortalConfig c = ValidPortalConfig();
  c.contact_info->as_object()["address"] = Repeat("中", 255);
  EXPECT_THAT(Validate(c), IsEmpty());
  c.contact_info->as_object()["address"] = Repeat("中", 256);
  EXPECT_EQ(Validate(c), TooLong("contact_info.address", 255));
}

TEST(PortalConfigValidation, EnabledFeaturesAcceptsEveryKnownFeature) {
  PortalConfig c = ValidPortalConfig();
  c.enabled_features.assign(KnownFeatures().begin(), KnownFeatures().end());
  EXPECT_EQ(c.enabled_features.size(), 7u);
  EXPECT_THAT(Validate(c), IsEmpty());
}

TEST(PortalConfigValidation, EnabledFeaturesMayBeEmpty) {
  EXPECT_THAT(ValidateWith<PortalConfig>(ValidPortalConfig(), [](auto& c) { c.enabled_features.clear(); }),
              IsEmpty());
}

TEST(PortalConfigValidation, EnabledFeaturesRejectsUnknownFeatureListingTheKnownOnes) {
  EXPECT_EQ(
      ValidateWith<PortalConfig>(ValidPortalConfig(),
                                 [](auto& c) { c.enabled_features.push_back("chat_bot"); }),
      One("enabled_features", field_code::kNotAllowed,
          {{"allowed", "faq_search, ai_chat, tickets, documents, service_status, feedback, analytics"}}));
}

TEST(PortalConfigValidation, EnabledFeaturesReportsUnknownFeaturesOnce) {
  EXPECT_EQ(ValidateWith<PortalConfig>(ValidPortalConfig(),
                                       [](auto& c) {
                                         c.enabled_features = {"x", "y", "z"};
                                       })
                .size(),
            1u);
}

TEST(PortalConfigValidation, CustomCssHoldsAtMost65535Bytes) {
  ExpectTextLimit(ValidPortalConfig(), &PortalConfig::custom_css, "custom_css");
}

TEST(PortalConfigValidation, CustomCssRejectsMarkupAndScript) {
  for (const char* bad : {"</style><script>alert(1)</script>", "a { background: url(javascript:alert(1)) }",
                          "a { width: expression(alert(1)) }", "@import url(https://evil.example/x.css);"}) {
    PortalConfig c = ValidPortalConfig();
    c.custom_css = bad;
    EXPECT_EQ(Validate(c), One("custom_css", field_code::kInvalid)) << bad;
  }
}

TEST(PortalConfigValidation, SsoConfigMustBeAnObject) {
  EXPECT_EQ(
      ValidateWith<PortalConfig>(ValidPortalConfig(), [](auto& c) { c.sso_config = boost::json::value(1); }),
      One("sso_config", field_code::kInvalid));
}

TEST(PortalConfigValidation, SecuritySettingsMustBeAnObject) {
  EXPECT_EQ(ValidateWith<PortalConfig>(ValidPortalConfig(),
                                       [](auto& c) { c.security_settings = boost::json::array{}; }),
            One("security_settings", field_code::kInvalid));
}

TEST(PortalConfigValidation, StatusIsOneOrTwo) {
  ExpectRange(ValidPortalConfig(), &PortalConfig::status, "status", 1, 2);
}

TEST(PortalConfigValidation, ReportsEveryBrokenFieldAtOnce) {
  PortalConfig c = ValidPortalConfig();
  c.tenant_id = 0;
  c.portal_title = "";
  c.theme_color = "blue";
  c.status = 9;
  const Errors errors = Validate(c);
  std::vector<std::string> fields;
  for (const auto& e : errors) fields.push_back(e.field);
  EXPECT_THAT(fields, ::testing::UnorderedElementsAre("tenant_id", "portal_title", "theme_color", "status"));
}

// --- Session ------------------------------------------------------------------------------------

Session ValidSession() {
  Session s;
  s.id = 1;
  s.session_id = "sess_0123456789abcdef";
  s.tenant_id = 10;
  s.customer_id = 20;
  s.user_id = 30;
  s.session_type = SessionType::ai_chat;
  s.initial_question = "服务器连接不上怎么办？";
  s.session_context = boost::json::object{{"user_role", "IT管理员"}};
  s.state = SessionState::in_progress;
  s.satisfaction_score = 5;
  s.feedback_content = "很有帮助";
  s.session_duration = 120;
  s.interaction_count = 3;
  return s;
}

TEST(SessionValidation, ValidSessionPasses) {
  EXPECT_THAT(Validate(ValidSession()), IsEmpty());
}

TEST(SessionValidation, NotStartedSessionWithoutQuestionPasses) {
  Session s;
  s.session_id = "sess_1";
  s.tenant_id = 1;
  s.customer_id = 2;
  s.user_id = 3;
  EXPECT_THAT(Validate(s), IsEmpty());
}

TEST(SessionValidation, RequiresSessionId) {
  EXPECT_EQ(ValidateWith<Session>(ValidSession(), [](auto& s) { s.session_id = ""; }),
            One("session_id", field_code::kRequired));
}

TEST(SessionValidation, SessionIdHoldsAtMost64Characters) {
  ExpectCharLimit(ValidSession(), &Session::session_id, "session_id", 64, "a");
}

TEST(SessionValidation, RequiresTenantCustomerAndUser) {
  EXPECT_EQ(ValidateWith<Session>(ValidSession(), [](auto& s) { s.tenant_id = 0; }),
            One("tenant_id", field_code::kRequired));
  EXPECT_EQ(ValidateWith<Session>(ValidSession(), [](auto& s) { s.customer_id = 0; }),
            One("customer_id", field_code::kRequired));
  EXPECT_EQ(ValidateWith<Session>(ValidSession(), [](auto& s) { s.user_id = 0; }),
            One("user_id", field_code::kRequired));
}

TEST(SessionValidation, StartedSessionRequiresInitialQuestion) {
  for (SessionState state :
       {SessionState::in_progress, SessionState::paused, SessionState::resolved, SessionState::escalated,
        SessionState::timed_out, SessionState::rated, SessionState::closed}) {
    Session s = ValidSession();
    s.state = state;
    s.initial_question = "";
    EXPECT_EQ(Validate(s), One("initial_question", field_code::kRequired)) << EnumName(state);
  }
}

TEST(SessionValidation, InitialQuestionHoldsAtMost65535Bytes) {
  ExpectTextLimit(ValidSession(), &Session::initial_question, "initial_question");
}

TEST(SessionValidation, SessionContextMustBeAnObject) {
  EXPECT_EQ(
      ValidateWith<Session>(ValidSession(), [](auto& s) { s.session_context = boost::json::value("ctx"); }),
      One("session_context", field_code::kInvalid));
}

TEST(SessionValidation, SatisfactionScoreIsOneToFive) {
  ExpectRange(ValidSession(), &Session::satisfaction_score, "satisfaction_score", 1, 5);
}

TEST(SessionValidation, SatisfactionScoreIsOptional) {
  EXPECT_THAT(ValidateWith<Session>(ValidSession(), [](auto& s) { s.satisfaction_score.reset(); }),
              IsEmpty());
}

TEST(SessionValidation, FeedbackContentHoldsAtMost65535Bytes) {
  ExpectTextLimit(ValidSession(), &Session::feedback_content, "feedback_content");
}

TEST(SessionValidation, SessionDurationIsNotNegative) {
  ExpectNotNegative(ValidSession(), &Session::session_duration, "session_duration");
}

TEST(SessionValidation, InteractionCountIsNotNegative) {
  ExpectNotNegative(ValidSession(), &Session::interaction_count, "interaction_count");
}

TEST(SessionValidation, SessionTypeMustBeDefined) {
  ExpectUndefinedEnumRejected(ValidSession(), &Session::session_type, "session_type",
                              "search, ai_chat, ticket");
}

TEST(SessionValidation, StateMustBeDefined) {
  ExpectUndefinedEnumRejected(
      ValidSession(), &Session::state, "state",
      "not_started, in_progress, paused, resolved, escalated, timed_out, rated, closed");
}

TEST(SessionValidation, ResolutionStatusMustBeDefined) {
  ExpectUndefinedEnumRejected(ValidSession(), &Session::resolution_status, "resolution_status",
                              "pending, resolved, escalated");
}

// --- Interaction --------------------------------------------------------------------------------

Interaction ValidInteraction() {
  Interaction i;
  i.id = 1;
  i.session_id = "sess_0123456789abcdef";
  i.tenant_id = 10;
  i.interaction_type = InteractionType::question;
  i.user_input = "服务器连接不上怎么办？";
  i.system_response = "请先检查网络连接。";
  i.ai_confidence = 0.92;
  i.response_time = 2850;
  i.knowledge_article_ids = {1001, 1002};
  i.helpful_rating = 4;
  return i;
}

TEST(InteractionValidation, ValidInteractionPasses) {
  EXPECT_THAT(Validate(ValidInteraction()), IsEmpty());
}

TEST(InteractionValidation, RequiresSessionId) {
  EXPECT_EQ(ValidateWith<Interaction>(ValidInteraction(), [](auto& i) { i.session_id = ""; }),
            One("session_id", field_code::kRequired));
}

TEST(InteractionValidation, SessionIdHoldsAtMost64Characters) {
  ExpectCharLimit(ValidInteraction(), &Interaction::session_id, "session_id", 64, "a");
}

TEST(InteractionValidation, RequiresTenantId) {
  EXPECT_EQ(ValidateWith<Interaction>(ValidInteraction(), [](auto& i) { i.tenant_id = 0; }),
            One("tenant_id", field_code::kRequired));
}

TEST(InteractionValidation, QuestionRequiresUserInput) {
  EXPECT_EQ(ValidateWith<Interaction>(ValidInteraction(), [](auto& i) { i.user_input.reset(); }),
            One("user_input", field_code::kRequired));
  EXPECT_EQ(ValidateWith<Interaction>(ValidInteraction(), [](auto& i) { i.user_input = ""; }),
            One("user_input", field_code::kRequired));
}

TEST(InteractionValidation, AnswerNeedsNoUserInput) {
  EXPECT_THAT(ValidateWith<Interaction>(ValidInteraction(),
                                        [](auto& i) {
                                          i.interaction_type = InteractionType::answer;
                                          i.user_input.reset();
                                        }),
              IsEmpty());
}

TEST(InteractionValidation, UserInputHoldsAtMost65535Bytes) {
  ExpectTextLimit(ValidInteraction(), &Interaction::user_input, "user_input");
}

TEST(InteractionValidation, SystemResponseHoldsAtMost65535Bytes) {
  ExpectTextLimit(ValidInteraction(), &Interaction::system_response, "system_response");
}

TEST(InteractionValidation, AiConfidenceIsZeroToOne) {
  const Errors out_of_range = One("ai_confidence", field_code::kOutOfRange, {{"min", "0"}, {"max", "1"}});
  for (double ok : {0.0, 0.5, 1.0}) {
    Interaction i = ValidInteraction();
    i.ai_confidence = ok;
    EXPECT_THAT(Validate(i), IsEmpty()) << ok;
  }
  for (double bad : {-0.01, 1.01, std::nan("")}) {
    Interaction i = ValidInteraction();
    i.ai_confidence = bad;
    EXPECT_EQ(Validate(i), out_of_range) << bad;
  }
}

TEST(InteractionValidation, ResponseTimeIsNotNegative) {
  ExpectNotNegative(ValidInteraction(), &Interaction::response_time, "response_time");
}

TEST(InteractionValidation, HelpfulRatingIsOneToFive) {
  ExpectRange(ValidInteraction(), &Interaction::helpful_rating, "helpful_rating", 1, 5);
}

TEST(InteractionValidation, KnowledgeArticleIdsArePositive) {
  EXPECT_EQ(ValidateWith<Interaction>(ValidInteraction(),
                                      [](auto& i) {
                                        i.knowledge_article_ids = {1001, 0};
                                      }),
            One("knowledge_article_ids", field_code::kInvalid));
}

TEST(InteractionValidation, KnowledgeArticleIdsHoldAtMost100Entries) {
  Interaction i = ValidInteraction();
  i.knowledge_article_ids.assign(100, 7);
  EXPECT_THAT(Validate(i), IsEmpty());
  i.knowledge_article_ids.assign(101, 7);
  EXPECT_EQ(Validate(i), TooLong("knowledge_article_ids", 100));
}

TEST(InteractionValidation, InteractionTypeMustBeDefined) {
  ExpectUndefinedEnumRejected(ValidInteraction(), &Interaction::interaction_type, "interaction_type",
                              "question, answer, recommendation, feedback");
}

// --- Feedback -----------------------------------------------------------------------------------

Feedback ValidFeedback() {
  Feedback f;
  f.id = 1;
  f.tenant_id = 10;
  f.customer_id = 20;
  f.user_id = 30;
  f.feedback_type = FeedbackType::service;
  f.related_id = "sess_0123456789abcdef";
  f.related_type = RelatedType::session;
  f.rating = 5;
  f.feedback_content = "回答很准确";
  f.suggestions = "希望增加更多示例";
  f.contact_required = true;
  f.priority_level = 2;
  f.sentiment_score = 0.8;
  return f;
}

TEST(FeedbackValidation, ValidFeedbackPasses) {
  EXPECT_THAT(Validate(ValidFeedback()), IsEmpty());
}

TEST(FeedbackValidation, RequiresTenantCustomerAndUser) {
  EXPECT_EQ(ValidateWith<Feedback>(ValidFeedback(), [](auto& f) { f.tenant_id = 0; }),
            One("tenant_id", field_code::kRequired));
  EXPECT_EQ(ValidateWith<Feedback>(ValidFeedback(), [](auto& f) { f.customer_id = 0; }),
            One("customer_id", field_code::kRequired));
  EXPECT_EQ(ValidateWith<Feedback>(ValidFeedback(), [](auto& f) { f.user_id = 0; }),
            One("user_id", field_code::kRequired));
}

TEST(FeedbackValidation, RequiresRelatedType) {
  EXPECT_EQ(ValidateWith<Feedback>(ValidFeedback(), [](auto& f) { f.related_type.reset(); }),
            One("related_type", field_code::kRequired));
}

TEST(FeedbackValidation, RequiresRelatedId) {
  EXPECT_EQ(ValidateWith<Feedback>(ValidFeedback(), [](auto& f) { f.related_id.reset(); }),
            One("related_id", field_code::kRequired));
  EXPECT_EQ(ValidateWith<Feedback>(ValidFeedback(), [](auto& f) { f.related_id = ""; }),
            One("related_id", field_code::kRequired));
}

TEST(FeedbackValidation, RelatedIdHoldsAtMost100Characters) {
  ExpectCharLimit(ValidFeedback(), &Feedback::related_id, "related_id", 100);
}

TEST(FeedbackValidation, AcceptsEveryRelatedType) {
  for (RelatedType type : {RelatedType::ticket, RelatedType::knowledge, RelatedType::session}) {
    Feedback f = ValidFeedback();
    f.related_type = type;
    EXPECT_THAT(Validate(f), IsEmpty()) << EnumName(type);
  }
}

TEST(FeedbackValidation, RatingIsOneToFive) {
  ExpectRange(ValidFeedback(), &Feedback::rating, "rating", 1, 5);
}

TEST(FeedbackValidation, PriorityLevelIsOneToThree) {
  ExpectRange(ValidFeedback(), &Feedback::priority_level, "priority_level", 1, 3);
}

TEST(FeedbackValidation, SentimentScoreIsMinusOneToOne) {
  const Errors out_of_range = One("sentiment_score", field_code::kOutOfRange, {{"min", "-1"}, {"max", "1"}});
  for (double ok : {-1.0, 0.0, 1.0}) {
    Feedback f = ValidFeedback();
    f.sentiment_score = ok;
    EXPECT_THAT(Validate(f), IsEmpty()) << ok;
  }
  for (double bad : {-1.01, 1.01, std::nan("")}) {
    Feedback f = ValidFeedback();
    f.sentiment_score = bad;
    EXPECT_EQ(Validate(f), out_of_range) << bad;
  }
}

TEST(FeedbackValidation, FeedbackContentHoldsAtMost65535Bytes) {
  ExpectTextLimit(ValidFeedback(), &Feedback::feedback_content, "feedback_content");
}

TEST(FeedbackValidation, SuggestionsHoldAtMost65535Bytes) {
  ExpectTextLimit(ValidFeedback(), &Feedback::suggestions, "suggestions");
}

TEST(FeedbackValidation, ResponseContentHoldsAtMost65535Bytes) {
  ExpectTextLimit(ValidFeedback(), &Feedback::response_content, "response_content");
}

TEST(FeedbackValidation, FeedbackTypeMustBeDefined) {
  ExpectUndefinedEnumRejected(ValidFeedback(), &Feedback::feedback_type, "feedback_type",
                              "service, feature, bug, suggestion");
}

TEST(FeedbackValidation, RelatedTypeMustBeDefined) {
  ExpectUndefinedEnumRejected(ValidFeedback(), &Feedback::related_type, "related_type",
                              "ticket, knowledge, session");
}

TEST(FeedbackValidation, StateMustBeDefined) {
  ExpectUndefinedEnumRejected(ValidFeedback(), &Feedback::state, "state",
                              "pending, processing, processed, closed, needs_info, reprocessing");
}

// --- BehaviorEvent ------------------------------------------------------------------------------

BehaviorEvent ValidBehaviorEvent() {
  BehaviorEvent e;
  e.id = 1;
  e.tenant_id = 10;
  e.customer_id = 20;
  e.user_id = 30;
  e.session_id = "sess_0123456789abcdef";
  e.page_path = "/knowledge/1001";
  e.action_type = ActionType::search;
  e.action_target = "search-box";
  e.search_keywords = "服务器 连接";
  e.stay_duration = 35;
  e.device_type = DeviceType::desktop;
  e.browser_info = "Chrome 126";
  e.ip_address = "203.0.113.7";
  e.user_agent = "Mozilla/5.0";
  e.referrer_url = "https://www.acme.example/home";
  return e;
}

TEST(BehaviorEventValidation, ValidEventPasses) {
  EXPECT_THAT(Validate(ValidBehaviorEvent()), IsEmpty());
}

TEST(BehaviorEventValidation, RequiresTenantCustomerAndUser) {
  EXPECT_EQ(ValidateWith<BehaviorEvent>(ValidBehaviorEvent(), [](auto& e) { e.tenant_id = 0; }),
            One("tenant_id", field_code::kRequired));
  EXPECT_EQ(ValidateWith<BehaviorEvent>(ValidBehaviorEvent(), [](auto& e) { e.customer_id = 0; }),
            One("customer_id", field_code::kRequired));
  EXPECT_EQ(ValidateWith<BehaviorEvent>(ValidBehaviorEvent(), [](auto& e) { e.user_id = 0; }),
            One("user_id", field_code::kRequired));
}

TEST(BehaviorEventValidation, RequiresPagePath) {
  EXPECT_EQ(ValidateWith<BehaviorEvent>(ValidBehaviorEvent(), [](auto& e) { e.page_path = ""; }),
            One("page_path", field_code::kRequired));
}

TEST(BehaviorEventValidation, PagePathHoldsAtMost255Characters) {
  ExpectCharLimit(ValidBehaviorEvent(), &BehaviorEvent::page_path, "page_path", 255);
}

TEST(BehaviorEventValidation, SessionIdHoldsAtMost64Characters) {
  ExpectCharLimit(ValidBehaviorEvent(), &BehaviorEvent::session_id, "session_id", 64, "a");
}

TEST(BehaviorEventValidation, ActionTargetHoldsAtMost255Characters) {
  ExpectCharLimit(ValidBehaviorEvent(), &BehaviorEvent::action_target, "action_target", 255);
}

TEST(BehaviorEventValidation, SearchKeywordsHoldAtMost500Characters) {
  ExpectCharLimit(ValidBehaviorEvent(), &BehaviorEvent::search_keywords, "search_keywords", 500);
}

TEST(BehaviorEventValidation, StayDurationIsNotNegative) {
  ExpectNotNegative(ValidBehaviorEvent(), &BehaviorEvent::stay_duration, "stay_duration");
}

TEST(BehaviorEventValidation, BrowserInfoHoldsAtMost100Characters) {
  ExpectCharLimit(ValidBehaviorEvent(), &BehaviorEvent::browser_info, "browser_info", 100);
}

TEST(BehaviorEventValidation, IpAddressAcceptsIpv4AndIpv6) {
  for (const char* ok :
       {"203.0.113.7", "2001:db8::7", "::1", "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255"}) {
    BehaviorEvent e = ValidBehaviorEvent();
    e.ip_address = ok;
    EXPECT_THAT(Validate(e), IsEmpty()) << ok;
  }
}

TEST(BehaviorEventValidation, IpAddressRejectsOtherText) {
  for (const char* bad : {"203.0.113.256", "localhost", "2001:db8:::7", "1.2.3"}) {
    BehaviorEvent e = ValidBehaviorEvent();
    e.ip_address = bad;
    EXPECT_EQ(Validate(e), One("ip_address", field_code::kInvalid)) << bad;
  }
}

TEST(BehaviorEventValidation, IpAddressHoldsAtMost45Characters) {
  EXPECT_EQ(
      ValidateWith<BehaviorEvent>(ValidBehaviorEvent(), [](auto& e) { e.ip_address = std::string(46, '1'); }),
      TooLong("ip_address", 45));
}

TEST(BehaviorEventValidation, UserAgentHoldsAtMost65535Bytes) {
  ExpectTextLimit(ValidBehaviorEvent(), &BehaviorEvent::user_agent, "user_agent");
}

TEST(BehaviorEventValidation, ReferrerUrlHoldsAtMost500Characters) {
  const std::string prefix = "https://www.acme.example/";
  ExpectLengthLimit(ValidBehaviorEvent(), &BehaviorEvent::referrer_url, "referrer_url",
                    prefix + std::string(500 - prefix.size(), 'r'),
                    prefix + std::string(501 - prefix.size(), 'r'), 500);
}

TEST(BehaviorEventValidation, ReferrerUrlMustBeHttpOrHttps) {
  EXPECT_EQ(
      ValidateWith<BehaviorEvent>(ValidBehaviorEvent(), [](auto& e) { e.referrer_url = "android-app://x"; }),
      One("referrer_url", field_code::kInvalid));
}

TEST(BehaviorEventValidation, ActionTypeMustBeDefined) {
  ExpectUndefinedEnumRejected(ValidBehaviorEvent(), &BehaviorEvent::action_type, "action_type",
                              "view, search, click, download, submit");
}

TEST(BehaviorEventValidation, DeviceTypeMustBeDefined) {
  ExpectUndefinedEnumRejected(ValidBehaviorEvent(), &BehaviorEvent::device_type, "device_type",
                              "desktop, mobile, tablet");
}

// --- KnowledgeArticle ---------------------------------------------------------------------------

KnowledgeArticle ValidArticle() {
  KnowledgeArticle a;
  a.id = 1001;
  a.tenant_id = 10;
  a.external_id = "KB-1001";
  a.title = "服务器连接故障排查指南";
  a.body = "1. 检查网络连接 2. 查看服务器状态";
  a.category = "网络故障";
  a.tags = {"网络", "服务器"};
  a.lang = ArticleLang::zh;
  a.source = "REQ-005";
  a.url = "/knowledge/1001";
  a.helpful_votes = 3;
  return a;
}

TEST(KnowledgeArticleValidation, ValidArticlePasses) {
  EXPECT_THAT(Validate(ValidArticle()), IsEmpty());
}

TEST(KnowledgeArticleValidation, RequiresTenantId) {
  EXPECT_EQ(ValidateWith<KnowledgeArticle>(ValidArticle(), [](auto& a) { a.tenant_id = 0; }),
            One("tenant_id", field_code::kRequired));
}

TEST(KnowledgeArticleValidation, RequiresTitle) {
  EXPECT_EQ(ValidateWith<KnowledgeArticle>(ValidArticle(), [](auto& a) { a.title = ""; }),
            One("title", field_code::kRequired));
}

TEST(KnowledgeArticleValidation, TitleHoldsAtMost255Characters) {
  ExpectCharLimit(ValidArticle(), &KnowledgeArticle::title, "title", 255);
}

TEST(KnowledgeArticleValidation, ExternalIdHoldsAtMost100Characters) {
  ExpectCharLimit(ValidArticle(), &KnowledgeArticle::external_id, "external_id", 100, "a");
}

TEST(KnowledgeArticleValidation, BodyHoldsAtMostOneMebibyte) {
  ExpectLengthLimit(ValidArticle(), &KnowledgeArticle::body, "body", std::string(1 << 20, 'b'),
                    std::string((1 << 20) + 1, 'b'), 1 << 20);
}

TEST(KnowledgeArticleValidation, CategoryHoldsAtMost100Characters) {
  ExpectCharLimit(ValidArticle(), &KnowledgeArticle::category, "category", 100);
}

TEST(KnowledgeArticleValidation, HoldsAtMost50Tags) {
  KnowledgeArticle a = ValidArticle();
  a.tags.assign(50, "tag");
  EXPECT_THAT(Validate(a), IsEmpty());
  a.tags.assign(51, "tag");
  EXPECT_EQ(Validate(a), TooLong("tags", 50));
}

TEST(KnowledgeArticleValidation, TagsHoldAtMost100CharactersEach) {
  KnowledgeArticle a = ValidArticle();
  a.tags = {Repeat("标", 100)};
  EXPECT_THAT(Validate(a), IsEmpty());
  a.tags = {Repeat("标", 101)};
  EXPECT_EQ(Validate(a), One("tags", field_code::kInvalid));
}

TEST(KnowledgeArticleValidation, TagsAreNotEmpty) {
  EXPECT_EQ(ValidateWith<KnowledgeArticle>(ValidArticle(),
                                           [](auto& a) {
                                             a.tags = {"ok", ""};
                                           }),
            One("tags", field_code::kInvalid));
}

TEST(KnowledgeArticleValidation, SourceHoldsAtMost100Characters) {
  ExpectCharLimit(ValidArticle(), &KnowledgeArticle::source, "source", 100);
}

TEST(KnowledgeArticleValidation, UrlHoldsAtMost500Characters) {
  ExpectLengthLimit(ValidArticle(), &KnowledgeArticle::url, "url", "/" + std::string(499, 'k'),
                    "/" + std::string(500, 'k'), 500);
}

TEST(KnowledgeArticleValidation, UrlIsAnHttpUrlOrARelativeReference) {
  for (const char* ok : {"/knowledge/1001", "https://kb.acme.example/1001", "knowledge/1001",
                         "basic-defs.en.html#whatisfaq", "ch05.zh-cn.html#_the_hostname_resolution"}) {
    KnowledgeArticle a = ValidArticle();
    a.url = ok;
    EXPECT_THAT(Validate(a), IsEmpty()) << ok;
  }
  for (const char* bad : {"//evil.example/x", "/", "javascript:alert(1)", "/a b", "/<x>", "a\\b", "mailto:x@y.z"}) {
    KnowledgeArticle a = ValidArticle();
    a.url = bad;
    EXPECT_EQ(Validate(a), One("url", field_code::kInvalid)) << bad;
  }
}

TEST(KnowledgeArticleValidation, CountersAreNotNegative) {
  ExpectNotNegative(ValidArticle(), &KnowledgeArticle::helpful_votes, "helpful_votes");
  ExpectNotNegative(ValidArticle(), &KnowledgeArticle::unhelpful_votes, "unhelpful_votes");
  ExpectNotNegative(ValidArticle(), &KnowledgeArticle::views, "views");
}

TEST(KnowledgeArticleValidation, LangMustBeDefined) {
  ExpectUndefinedEnumRejected(ValidArticle(), &KnowledgeArticle::lang, "lang", "zh, en");
}

TEST(KnowledgeArticleValidation, StatusMustBeDefined) {
  ExpectUndefinedEnumRejected(ValidArticle(), &KnowledgeArticle::status, "status",
                              "draft, published, archived");
}

// --- Ticket -------------------------------------------------------------------------------------

Ticket ValidTicket() {
  Ticket t;
  t.id = 1;
  t.tenant_id = 10;
  t.customer_id = 20;
  t.user_id = 30;
  t.external_id = "INC-2025-0001";
  t.session_id = "sess_0123456789abcdef";
  t.title = "服务器无法连接";
  t.description = "从今天上午开始无法连接核心业务系统。";
  t.category = "网络故障";
  t.priority = 1;
  t.contact_email = "ops@acme.example";
  t.contact_phone = "+86 138 0013 8000";
  return t;
}

TEST(TicketValidation, ValidTicketPasses) {
  EXPECT_THAT(Validate(ValidTicket()), IsEmpty());
}

TEST(TicketValidation, RequiresTenantCustomerAndUser) {
  EXPECT_EQ(ValidateWith<Ticket>(ValidTicket(), [](auto& t) { t.tenant_id = 0; }),
            One("tenant_id", field_code::kRequired));
  EXPECT_EQ(ValidateWith<Ticket>(ValidTicket(), [](auto& t) { t.customer_id = 0; }),
            One("customer_id", field_code::kRequired));
  EXPECT_EQ(ValidateWith<Ticket>(ValidTicket(), [](auto& t) { t.user_id = 0; }),
            One("user_id", field_code::kRequired));
}

TEST(TicketValidation, RequiresTitle) {
  EXPECT_EQ(ValidateWith<Ticket>(ValidTicket(), [](auto& t) { t.title = "  "; }),
            One("title", field_code::kRequired));
}

TEST(TicketValidation, TitleHoldsAtMost200Characters) {
  ExpectCharLimit(ValidTicket(), &Ticket::title, "title", 200);
}

TEST(TicketValidation, RequiresDescription) {
  EXPECT_EQ(ValidateWith<Ticket>(ValidTicket(), [](auto& t) { t.description = ""; }),
            One("description", field_code::kRequired));
}

TEST(TicketValidation, DescriptionHoldsAtMost65535BytesAndSaysSoOnce) {
  ExpectTextLimit(ValidTicket(), &Ticket::description, "description");
}

TEST(TicketValidation, ExternalIdHoldsAtMost100Characters) {
  ExpectCharLimit(ValidTicket(), &Ticket::external_id, "external_id", 100, "a");
}

TEST(TicketValidation, SessionIdHoldsAtMost64Characters) {
  ExpectCharLimit(ValidTicket(), &Ticket::session_id, "session_id", 64, "a");
}

TEST(TicketValidation, CategoryHoldsAtMost100Characters) {
  ExpectCharLimit(ValidTicket(), &Ticket::category, "category", 100);
}

TEST(TicketValidation, PriorityIsOneToThree) {
  ExpectRange(ValidTicket(), &Ticket::priority, "priority", 1, 3);
}

TEST(TicketValidation, ContactEmailMustBeAnEmailAddress) {
  EXPECT_EQ(ValidateWith<Ticket>(ValidTicket(), [](auto& t) { t.contact_email = "ops.acme.example"; }),
            One("contact_email", field_code::kInvalid));
}

TEST(TicketValidation, ContactEmailHoldsAtMost255Characters) {
  // RFC 5321 caps an address at 254 octets, so 255 characters fit the column but not the format.
  ExpectLengthLimit(ValidTicket(), &Ticket::contact_email, "contact_email", EmailOfLength(254),
                    EmailOfLength(256), 255);
  EXPECT_EQ(ValidateWith<Ticket>(ValidTicket(), [](auto& t) { t.contact_email = EmailOfLength(255); }),
            One("contact_email", field_code::kInvalid));
}

TEST(TicketValidation, ContactPhoneMustBeAPhoneNumber) {
  EXPECT_EQ(ValidateWith<Ticket>(ValidTicket(), [](auto& t) { t.contact_phone = "ext. 42"; }),
            One("contact_phone", field_code::kInvalid));
}

TEST(TicketValidation, ContactPhoneHoldsAtMost20Characters) {
  ExpectLengthLimit(ValidTicket(), &Ticket::contact_phone, "contact_phone", "+86  (010) 8888-6666",
                    "+86   (010) 8888-6666", 20);
}

TEST(TicketValidation, StatusMustBeDefined) {
  ExpectUndefinedEnumRejected(ValidTicket(), &Ticket::status, "status",
                              "new, open, in_progress, pending_customer, resolved, closed, reopened");
}

// --- TicketEvent --------------------------------------------------------------------------------

TicketEvent ValidTicketEvent() {
  TicketEvent e;
  e.id = 1;
  e.tenant_id = 10;
  e.ticket_id = 7;
  e.event_type = TicketEventType::status_changed;
  e.from_status = TicketStatus::open;
  e.to_status = TicketStatus::in_progress;
  e.actor_id = 99;
  return e;
}

TEST(TicketEventValidation, ValidEventPasses) {
  EXPECT_THAT(Validate(ValidTicketEvent()), IsEmpty());
}

TEST(TicketEventValidation, RequiresTenantId) {
  EXPECT_EQ(ValidateWith<TicketEvent>(ValidTicketEvent(), [](auto& e) { e.tenant_id = 0; }),
            One("tenant_id", field_code::kRequired));
}

TEST(TicketEventValidation, RequiresTicketId) {
  EXPECT_EQ(ValidateWith<TicketEvent>(ValidTicketEvent(), [](auto& e) { e.ticket_id = 0; }),
            One("ticket_id", field_code::kRequired));
}

TEST(TicketEventValidation, StatusChangeRequiresTargetStatus) {
  EXPECT_EQ(ValidateWith<TicketEvent>(ValidTicketEvent(), [](auto& e) { e.to_status.reset(); }),
            One("to_status", field_code::kRequired));
}

TEST(TicketEventValidation, CommentEventRequiresComment) {
  TicketEvent e = ValidTicketEvent();
  e.event_type = TicketEventType::comment;
  EXPECT_EQ(Validate(e), One("comment", field_code::kRequired));
  e.comment = "";
  EXPECT_EQ(Validate(e), One("comment", field_code::kRequired));
  e.comment = "已联系网络组";
  EXPECT_THAT(Validate(e), IsEmpty());
}

TEST(TicketEventValidation, CommentHoldsAtMost65535Bytes) {
  ExpectTextLimit(ValidTicketEvent(), &TicketEvent::comment, "comment");
}

TEST(TicketEventValidation, EventTypeMustBeDefined) {
  ExpectUndefinedEnumRejected(ValidTicketEvent(), &TicketEvent::event_type, "event_type",
                              "created, status_changed, comment, attachment_added, assigned");
}

TEST(TicketEventValidation, StatusesMustBeDefined) {
  ExpectUndefinedEnumRejected(ValidTicketEvent(), &TicketEvent::from_status, "from_status",
                              "new, open, in_progress, pending_customer, resolved, closed, reopened");
  ExpectUndefinedEnumRejected(ValidTicketEvent(), &TicketEvent::to_status, "to_status",
                              "new, open, in_progress, pending_customer, resolved, closed, reopened");
}

// --- Attachment ---------------------------------------------------------------------------------

Attachment ValidAttachment() {
  Attachment a;
  a.id = 1;
  a.tenant_id = 10;
  a.ticket_id = 7;
  a.file_name = "网络拓扑.png";
  a.content_type = "image/png";
  a.size_bytes = 2048;
  a.uploaded_bytes = 1024;
  a.sha256 = std::string(64, 'a');
  return a;
}

TEST(AttachmentValidation, ValidAttachmentPasses) {
  EXPECT_THAT(Validate(ValidAttachment()), IsEmpty());
}

TEST(AttachmentValidation, RequiresTenantAndTicket) {
  EXPECT_EQ(ValidateWith<Attachment>(ValidAttachment(), [](auto& a) { a.tenant_id = 0; }),
            One("tenant_id", field_code::kRequired));
  EXPECT_EQ(ValidateWith<Attachment>(ValidAttachment(), [](auto& a) { a.ticket_id = 0; }),
            One("ticket_id", field_code::kRequired));
}

TEST(AttachmentValidation, RequiresFileName) {
  EXPECT_EQ(ValidateWith<Attachment>(ValidAttachment(), [](auto& a) { a.file_name = ""; }),
            One("file_name", field_code::kRequired));
}

TEST(AttachmentValidation, FileNameHoldsAtMost255Characters) {
  ExpectCharLimit(ValidAttachment(), &Attachment::file_name, "file_name", 255);
}

TEST(AttachmentValidation, FileNameHasNoPathOrControlCharacters) {
  for (const char* bad : {"../etc/passwd", "dir/file.png", "dir\\file.png", ".", "..", "a\nb.png"}) {
    Attachment a = ValidAttachment();
    a.file_name = bad;
    EXPECT_EQ(Validate(a), One("file_name", field_code::kInvalid)) << bad;
  }
}

TEST(AttachmentValidation, RequiresContentType) {
  EXPECT_EQ(ValidateWith<Attachment>(ValidAttachment(), [](auto& a) { a.content_type = ""; }),
            One("content_type", field_code::kRequired));
}

TEST(AttachmentValidation, ContentTypeHoldsAtMost100Characters) {
  ExpectLengthLimit(ValidAttachment(), &Attachment::content_type, "content_type",
                    "application/" + std::string(88, 'x'), "application/" + std::string(89, 'x'), 100);
}

TEST(AttachmentValidation, ContentTypeIsTypeSlashSubtype) {
  for (const char* ok : {"image/png", "application/vnd.ms-excel", "text/plain; charset=utf-8"}) {
    Attachment a = ValidAttachment();
    a.content_type = ok;
    EXPECT_THAT(Validate(a), IsEmpty()) << ok;
  }
  for (const char* bad : {"png", "/png", "image/", "image/<svg>"}) {
    Attachment a = ValidAttachment();
    a.content_type = bad;
    EXPECT_EQ(Validate(a), One("content_type", field_code::kInvalid)) << bad;
  }
}

TEST(AttachmentValidation, SizeIsNotNegative) {
  Attachment a = ValidAttachment();
  a.size_bytes = -1;
  a.uploaded_bytes = 0;
  const Errors errors = Validate(a);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].field, "size_bytes");
  EXPECT_EQ(errors[0].code, field_code::kOutOfRange);
}

TEST(AttachmentValidation, UploadedBytesIsBetweenZeroAndSize) {
  ExpectRange(ValidAttachment(), &Attachment::uploaded_bytes, "uploaded_bytes", 0, 2048);
}

TEST(AttachmentValidation, Sha256IsSixtyFourLowercaseHexDigits) {
  for (const std::string& bad :
       {std::string(63, 'a'), std::string(65, 'a'), std::string(64, 'A'), std::string(64, 'g')}) {
    Attachment a = ValidAttachment();
    a.sha256 = bad;
    EXPECT_EQ(Validate(a), One("sha256", field_code::kInvalid)) << bad;
  }
}

TEST(AttachmentValidation, StatusMustBeDefined) {
  ExpectUndefinedEnumRejected(ValidAttachment(), &Attachment::status, "status",
                              "uploading, complete, failed");
}

// --- Document -----------------------------------------------------------------------------------

Document ValidDocument() {
  Document d;
  d.id = 1;
  d.tenant_id = 10;
  d.customer_id = 20;
  d.title = "运维指南";
  d.description = "产品运维手册";
  d.category = "手册";
  d.file_name = "ops-guide.pdf";
  d.content_type = "application/pdf";
  d.size_bytes = 1 << 20;
  d.version = "2.1";
  d.lang = ArticleLang::zh;
  return d;
}

TEST(DocumentValidation, ValidDocumentPasses) {
  EXPECT_THAT(Validate(ValidDocument()), IsEmpty());
}

TEST(DocumentValidation, CustomerIdMayBeAbsentButNotZero) {
  EXPECT_THAT(ValidateWith<Document>(ValidDocument(), [](auto& d) { d.customer_id.reset(); }), IsEmpty());
  EXPECT_EQ(ValidateWith<Document>(ValidDocument(), [](auto& d) { d.customer_id = 0; }),
            One("customer_id", field_code::kInvalid));
}

TEST(DocumentValidation, RequiresTenantId) {
  EXPECT_EQ(ValidateWith<Document>(ValidDocument(), [](auto& d) { d.tenant_id = 0; }),
            One("tenant_id", field_code::kRequired));
}

TEST(DocumentValidation, RequiresTitle) {
  EXPECT_EQ(ValidateWith<Document>(ValidDocument(), [](auto& d) { d.title = ""; }),
            One("title", field_code::kRequired));
}

TEST(DocumentValidation, TitleHoldsAtMost200Characters) {
  ExpectCharLimit(ValidDocument(), &Document::title, "title", 200);
}

TEST(DocumentValidation, DescriptionHoldsAtMost65535Bytes) {
  ExpectTextLimit(ValidDocument(), &Document::description, "description");
}

TEST(DocumentValidation, CategoryHoldsAtMost100Characters) {
  ExpectCharLimit(ValidDocument(), &Document::category, "category", 100);
}

TEST(DocumentValidation, RequiresASafeFileName) {
  EXPECT_EQ(ValidateWith<Document>(ValidDocument(), [](auto& d) { d.file_name = ""; }),
            One("file_name", field_code::kRequired));
  EXPECT_EQ(ValidateWith<Document>(ValidDocument(), [](auto& d) { d.file_name = "../x.pdf"; }),
            One("file_name", field_code::kInvalid));
}

TEST(DocumentValidation, FileNameHoldsAtMost255Characters) {
  ExpectCharLimit(ValidDocument(), &Document::file_name, "file_name", 255);
}

TEST(DocumentValidation, RequiresAMediaType) {
  EXPECT_EQ(ValidateWith<Document>(ValidDocument(), [](auto& d) { d.content_type = ""; }),
            One("content_type", field_code::kRequired));
  EXPECT_EQ(ValidateWith<Document>(ValidDocument(), [](auto& d) { d.content_type = "pdf"; }),
            One("content_type", field_code::kInvalid));
}

TEST(DocumentValidation, SizeIsNotNegative) {
  ExpectNotNegative(ValidDocument(), &Document::size_bytes, "size_bytes");
}

TEST(DocumentValidation, RequiresVersion) {
  EXPECT_EQ(ValidateWith<Document>(ValidDocument(), [](auto& d) { d.version = ""; }),
            One("version", field_code::kRequired));
}

TEST(DocumentValidation, VersionHoldsAtMost20Characters) {
  ExpectCharLimit(ValidDocument(), &Document::version, "version", 20, "9");
}

TEST(DocumentValidation, DownloadCountIsNotNegative) {
  ExpectNotNegative(ValidDocument(), &Document::download_count, "download_count");
}

TEST(DocumentValidation, LangAndStatusMustBeDefined) {
  ExpectUndefinedEnumRejected(ValidDocument(), &Document::lang, "lang", "zh, en");
  ExpectUndefinedEnumRejected(ValidDocument(), &Document::status, "status", "draft, published, archived");
}

// --- ServiceComponent ---------------------------------------------------------------------------

ServiceComponent ValidComponent() {
  ServiceComponent c;
  c.id = 1;
  c.tenant_id = 10;
  c.name = "核心业务系统";
  c.description = "交易与结算";
  c.group_name = "生产环境";
  return c;
}

TEST(ServiceComponentValidation, ValidComponentPasses) {
  EXPECT_THAT(Validate(ValidComponent()), IsEmpty());
}

TEST(ServiceComponentValidation, RequiresTenantId) {
  EXPECT_EQ(ValidateWith<ServiceComponent>(ValidComponent(), [](auto& c) { c.tenant_id = 0; }),
            One("tenant_id", field_code::kRequired));
}

TEST(ServiceComponentValidation, RequiresName) {
  EXPECT_EQ(ValidateWith<ServiceComponent>(ValidComponent(), [](auto& c) { c.name = ""; }),
            One("name", field_code::kRequired));
}

TEST(ServiceComponentValidation, NameHoldsAtMost100Characters) {
  ExpectCharLimit(ValidComponent(), &ServiceComponent::name, "name", 100);
}

TEST(ServiceComponentValidation, DescriptionHoldsAtMost65535Bytes) {
  ExpectTextLimit(ValidComponent(), &ServiceComponent::description, "description");
}

TEST(ServiceComponentValidation, GroupNameHoldsAtMost100Characters) {
  ExpectCharLimit(ValidComponent(), &ServiceComponent::group_name, "group_name", 100);
}

TEST(ServiceComponentValidation, StatusMustBeDefined) {
  ExpectUndefinedEnumRejected(
      ValidComponent(), &ServiceComponent::status, "status",
      "operational, degraded_performance, partial_outage, major_outage, under_maintenance");
}

// --- MaintenanceWindow --------------------------------------------------------------------------

MaintenanceWindow ValidWindow() {
  MaintenanceWindow w;
  w.id = 1;
  w.tenant_id = 10;
  w.title = "数据库升级";
  w.description = "升级到 PostgreSQL 15.5";
  w.component_ids = {1, 2};
  w.starts_at = Timestamp{1'755'252'000'000};
  w.ends_at = Timestamp{1'755'259'200'000};
  return w;
}

TEST(MaintenanceWindowValidation, ValidWindowPasses) {
  EXPECT_THAT(Validate(ValidWindow()), IsEmpty());
}

TEST(MaintenanceWindowValidation, RequiresTenantId) {
  EXPECT_EQ(ValidateWith<MaintenanceWindow>(ValidWindow(), [](auto& w) { w.tenant_id = 0; }),
            One("tenant_id", field_code::kRequired));
}

TEST(MaintenanceWindowValidation, RequiresTitle) {
  EXPECT_EQ(ValidateWith<MaintenanceWindow>(ValidWindow(), [](auto& w) { w.title = ""; }),
            One("title", field_code::kRequired));
}

TEST(MaintenanceWindowValidation, TitleHoldsAtMost200Characters) {
  ExpectCharLimit(ValidWindow(), &MaintenanceWindow::title, "title", 200);
}

TEST(MaintenanceWindowValidation, DescriptionHoldsAtMost65535Bytes) {
  ExpectTextLimit(ValidWindow(), &MaintenanceWindow::description, "description");
}

TEST(MaintenanceWindowValidation, EndsAtMustBeAfterStartsAt) {
  MaintenanceWindow w = ValidWindow();
  w.ends_at = Timestamp{w.starts_at.millis + 1};
  EXPECT_THAT(Validate(w), IsEmpty());
  for (std::int64_t offset : {0, -1, -3'600'000}) {
    w.ends_at = Timestamp{w.starts_at.millis + offset};
    const Errors errors = Validate(w);
    ASSERT_EQ(errors.size(), 1u) << offset;
    EXPECT_EQ(errors[0].field, "ends_at");
    EXPECT_EQ(errors[0].code, field_code::kOutOfRange);
  }
}

TEST(MaintenanceWindowValidation, ComponentIdsArePositive) {
  EXPECT_EQ(ValidateWith<MaintenanceWindow>(ValidWindow(),
                                            [](auto& w) {
                                              w.component_ids = {1, -2};
                                            }),
            One("component_ids", field_code::kInvalid));
}

TEST(MaintenanceWindowValidation, StatusMustBeDefined) {
  ExpectUndefinedEnumRejected(ValidWindow(), &MaintenanceWindow::status, "status",
                              "scheduled, in_progress, completed, cancelled");
}

// --- UserAccount --------------------------------------------------------------------------------

UserAccount ValidAccount() {
  UserAccount u;
  u.id = 1;
  u.tenant_id = 10;
  u.customer_id = 20;
  u.username = "zhang.san_01-ops";
  u.email = "zhang.san@acme.example";
  u.phone = "+8613800138000";
  u.display_name = "张三";
  u.roles = {"customer_user"};
  return u;
}

TEST(UserAccountValidation, ValidAccountPasses) {
  EXPECT_THAT(Validate(ValidAccount()), IsEmpty());
}

TEST(UserAccountValidation, RequiresTenantAndCustomer) {
  EXPECT_EQ(ValidateWith<UserAccount>(ValidAccount(), [](auto& u) { u.tenant_id = 0; }),
            One("tenant_id", field_code::kRequired));
  EXPECT_EQ(ValidateWith<UserAccount>(ValidAccount(), [](auto& u) { u.customer_id = 0; }),
            One("customer_id", field_code::kRequired));
}

TEST(UserAccountValidation, RequiresUsername) {
  EXPECT_EQ(ValidateWith<UserAccount>(ValidAccount(), [](auto& u) { u.username = ""; }),
            One("username", field_code::kRequired));
}

TEST(UserAccountValidation, UsernameHoldsAtMost64Characters) {
  ExpectCharLimit(ValidAccount(), &UserAccount::username, "username", 64, "u");
}

TEST(UserAccountValidation, UsernameHoldsOnlyLettersDigitsDotUnderscoreHyphen) {
  for (const char* bad : {"zhang san", "zhang@acme", "zhang/san", "<script>"}) {
    UserAccount u = ValidAccount();
    u.username = bad;
    EXPECT_EQ(Validate(u), One("username", field_code::kInvalid)) << bad;
  }
}

TEST(UserAccountValidation, EmailMustBeAnEmailAddress) {
  EXPECT_EQ(ValidateWith<UserAccount>(ValidAccount(), [](auto& u) { u.email = "zhang.san"; }),
            One("email", field_code::kInvalid));
}

TEST(UserAccountValidation, EmailHoldsAtMost255Characters) {
  ExpectLengthLimit(ValidAccount(), &UserAccount::email, "email", EmailOfLength(254), EmailOfLength(256),
                    255);
}

TEST(UserAccountValidation, PhoneMustBeAPhoneNumber) {
  EXPECT_EQ(ValidateWith<UserAccount>(ValidAccount(), [](auto& u) { u.phone = "12-34"; }),
            One("phone", field_code::kInvalid));
}

TEST(UserAccountValidation, PhoneHoldsAtMost20Characters) {
  ExpectLengthLimit(ValidAccount(), &UserAccount::phone, "phone", "+86  (010) 8888-6666",
                    "+86   (010) 8888-6666", 20);
}

TEST(UserAccountValidation, DisplayNameHoldsAtMost100Characters) {
  ExpectCharLimit(ValidAccount(), &UserAccount::display_name, "display_name", 100);
}

TEST(UserAccountValidation, RequiresAtLeastOneRole) {
  EXPECT_EQ(ValidateWith<UserAccount>(ValidAccount(), [](auto& u) { u.roles.clear(); }),
            One("roles", field_code::kRequired));
}

TEST(UserAccountValidation, AcceptsTheThreeRoles) {
  EXPECT_THAT(ValidateWith<UserAccount>(ValidAccount(),
                                        [](auto& u) {
                                          u.roles = {"customer_user", "customer_admin", "platform_admin"};
                                        }),
              IsEmpty());
}

TEST(UserAccountValidation, RejectsUnknownRoleListingTheKnownOnes) {
  EXPECT_EQ(
      ValidateWith<UserAccount>(ValidAccount(),
                                [](auto& u) {
                                  u.roles = {"customer_user", "root"};
                                }),
      One("roles", field_code::kNotAllowed, {{"allowed", "customer_user, customer_admin, platform_admin"}}));
}

TEST(UserAccountValidation, StatusMustBeDefined) {
  ExpectUndefinedEnumRejected(ValidAccount(), &UserAccount::status, "status", "active, locked, disabled");
}

}  // namespace
}  // namespace selfservice

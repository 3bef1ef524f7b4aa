// The JSON form of the model: ToJson, MergeJson and the timestamp format.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <set>
#include <string>

#include <boost/json.hpp>

#include "selfservice/model.hpp"

namespace selfservice {
namespace {

namespace json = boost::json;
using ::testing::IsEmpty;
using Errors = std::vector<FieldError>;

constexpr std::int64_t kAug15 = 1'755'252'000'000;  // 2025-08-15T10:00:00.000Z

std::set<std::string> Keys(const json::value& value) {
  std::set<std::string> keys;
  for (const auto& item : value.as_object()) keys.emplace(item.key());
  return keys;
}

json::object Parse(std::string_view text) {
  return json::parse(text).as_object();
}

Errors One(std::string field, const char* code, std::vector<std::pair<std::string, std::string>> args = {}) {
  return {FieldError{std::move(field), code, std::move(args)}};
}

// --- ToJson: keys -------------------------------------------------------------------------------

TEST(ToJson, PortalConfigHasEverySpecColumn) {
  EXPECT_EQ(Keys(ToJson(PortalConfig{})),
            (std::set<std::string>{"id", "tenant_id", "customer_id", "portal_domain", "portal_title",
                                   "logo_url", "theme_color", "welcome_message", "contact_info",
                                   "enabled_features", "custom_css", "sso_config", "security_settings",
                                   "status", "created_at", "updated_at", "created_by", "updated_by"}));
}

TEST(ToJson, SessionHasEverySpecColumnAndItsState) {
  EXPECT_EQ(Keys(ToJson(Session{})),
            (std::set<std::string>{"id", "session_id", "tenant_id", "customer_id", "user_id", "session_type",
                                   "initial_question", "session_context", "state", "resolution_status",
                                   "satisfaction_score", "feedback_content", "session_duration",
                                   "interaction_count", "created_at", "updated_at", "ended_at"}));
}

TEST(ToJson, InteractionHasEverySpecColumn) {
  EXPECT_EQ(Keys(ToJson(Interaction{})),
            (std::set<std::string>{"id", "session_id", "tenant_id", "interaction_type", "user_input",
                                   "system_response", "ai_confidence", "response_time",
                                   "knowledge_article_ids", "helpful_rating", "created_at"}));
}

TEST(ToJson, FeedbackHasEverySpecColumnItsStateAndStatus) {
  EXPECT_EQ(Keys(ToJson(Feedback{})), (std::set<std::string>{"id",
                                                             "tenant_id",
                                                             "customer_id",
                                                             "user_id",
                                                             "feedback_type",
                                                             "related_id",
                                                             "related_type",
                                                             "rating",
                                                             "feedback_content",
                                                             "suggestions",
                                                             "contact_required",
                                                             "priority_level",
                                                             "sentiment_score",
                                                             "ratings",
                                                             "sentiment_source",
                                                             "state",
                                                             "status",
                                                             "processed_by",
                                                             "processed_at",
                                                             "response_content",
                                                             "created_at",
                                                             "updated_at"}));
}

TEST(ToJson, BehaviorEventHasEverySpecColumn) {
  EXPECT_EQ(Keys(ToJson(BehaviorEvent{})),
            (std::set<std::string>{"id", "tenant_id", "customer_id", "user_id", "session_id", "page_path",
                                   "action_type", "action_target", "search_keywords", "stay_duration",
                                   "device_type", "browser_info", "ip_address", "user_agent", "referrer_url",
                                   "created_at"}));
}

TEST(ToJson, KnowledgeArticleHasEveryField) {
  EXPECT_EQ(Keys(ToJson(KnowledgeArticle{})),
            (std::set<std::string>{"id", "tenant_id", "external_id", "title", "body", "category", "tags",
                                   "lang", "source", "url", "status", "helpful_votes", "unhelpful_votes",
                                   "views", "updated_at"}));
}

TEST(ToJson, TicketHasEveryField) {
  EXPECT_EQ(Keys(ToJson(Ticket{})),
            (std::set<std::string>{"id", "tenant_id", "customer_id", "user_id", "external_id", "session_id",
                                   "title", "description", "category", "priority", "status", "contact_email",
                                   "contact_phone", "created_at", "updated_at", "closed_at"}));
}

TEST(ToJson, TicketEventHasEveryField) {
  EXPECT_EQ(Keys(ToJson(TicketEvent{})),
            (std::set<std::string>{"id", "tenant_id", "ticket_id", "event_type", "from_status", "to_status",
                                   "comment", "actor_id", "created_at"}));
}

TEST(ToJson, AttachmentHasEveryField) {
  EXPECT_EQ(Keys(ToJson(Attachment{})),
            (std::set<std::string>{"id", "tenant_id", "ticket_id", "file_name", "content_type", "size_bytes",
                                   "uploaded_bytes", "sha256", "status", "created_at"}));
}

TEST(ToJson, DocumentHasEveryField) {
  EXPECT_EQ(Keys(ToJson(Document{})),
            (std::set<std::string>{"id", "tenant_id", "customer_id", "title", "description", "category",
                                   "file_name", "content_type", "size_bytes", "version", "lang",
                                   "download_count", "status", "created_at", "updated_at"}));
}

TEST(ToJson, ServiceComponentHasEveryField) {
  EXPECT_EQ(Keys(ToJson(ServiceComponent{})), (std::set<std::string>{"id", "tenant_id", "name", "description",
                                                                     "group_name", "status", "updated_at"}));
}

TEST(ToJson, MaintenanceWindowHasEveryField) {
  EXPECT_EQ(Keys(ToJson(MaintenanceWindow{})),
            (std::set<std::string>{"id", "tenant_id", "title", "description", "component_ids", "starts_at",
                                   "ends_at", "status", "created_at"}));
}

TEST(ToJson, UserAccountHasEveryField) {
  EXPECT_EQ(
      Keys(ToJson(UserAccount{})),
      (std::set<std::string>{"id", "tenant_id", "customer_id", "username", "email", "phone", "display_name",
                             "roles", "status", "mfa_enabled", "created_at", "updated_at", "last_login_at"}));
}

// --- ToJson: values -----------------------------------------------------------------------------

TEST(ToJson, WritesEnumsAsWireNames) {
  Session s;
  s.session_type = SessionType::ai_chat;
  s.state = SessionState::timed_out;
  s.resolution_status = ResolutionStatus::escalated;
  const json::object out = ToJson(s).as_object();
  EXPECT_EQ(out.at("session_type"), "ai_chat");
  EXPECT_EQ(out.at("state"), "timed_out");
  EXPECT_EQ(out.at("resolution_status"), "escalated");
}

TEST(ToJson, WritesOptionalEnumsAsWireNamesOrNull) {
  BehaviorEvent e;
  EXPECT_TRUE(ToJson(e).as_object().at("device_type").is_null());
  e.device_type = DeviceType::tablet;
  EXPECT_EQ(ToJson(e).as_object().at("device_type"), "tablet");
}

TEST(ToJson, WritesTimestampsAsIsoUtcWithMilliseconds) {
  Session s;
  s.created_at = Timestamp{kAug15 + 123};
  s.ended_at = Timestamp{kAug15 + 61'000};
  const json::object out = ToJson(s).as_object();
  EXPECT_EQ(out.at("created_at"), "2025-08-15T10:00:00.123Z");
  EXPECT_EQ(out.at("ended_at"), "2025-08-15T10:01:01.000Z");
  EXPECT_EQ(out.at("updated_at"), "1970-01-01T00:00:00.000Z");
}

TEST(ToJson, WritesAbsentOptionalsAsNull) {
  const json::object out = ToJson(PortalConfig{}).as_object();
  for (const char* key : {"id", "portal_domain", "logo_url", "welcome_message", "contact_info", "custom_css",
                          "sso_config", "security_settings", "created_by", "updated_by"}) {
    ASSERT_TRUE(out.contains(key)) << key;
    EXPECT_TRUE(out.at(key).is_null()) << key;
  }
}

TEST(ToJson, WritesSpecDefaultsOfPortalConfig) {
  const json::object out = ToJson(PortalConfig{}).as_object();
  EXPECT_EQ(out.at("portal_title"), "客户服务门户");
  EXPECT_EQ(out.at("theme_color"), "#409EFF");
  EXPECT_EQ(out.at("enabled_features"), json::array{});
  EXPECT_EQ(out.at("status"), 1);
}

TEST(ToJson, WritesNumbersBooleansArraysAndEmbeddedJson) {
  Feedback f;
  f.tenant_id = 9'007'199'254'740'993;  // beyond a double's exact range
  f.contact_required = true;
  f.sentiment_score = -0.25;
  f.rating = 4;
  const json::object feedback = ToJson(f).as_object();
  EXPECT_EQ(feedback.at("tenant_id").as_int64(), 9'007'199'254'740'993);
  EXPECT_EQ(feedback.at("contact_required"), true);
  EXPECT_EQ(feedback.at("sentiment_score").as_double(), -0.25);
  EXPECT_EQ(feedback.at("rating").as_int64(), 4);

  Interaction i;
  i.knowledge_article_ids = {1001, 1002};
  EXPECT_EQ(ToJson(i).as_object().at("knowledge_article_ids"), (json::array{1001, 1002}));

  PortalConfig c;
  c.contact_info = json::object{{"email", "support@acme.example"}};
  EXPECT_EQ(ToJson(c).as_object().at("contact_info"), (json::object{{"email", "support@acme.example"}}));
}

TEST(ToJson, KeepsUtf8TextIntact) {
  PortalConfig c;
  c.portal_title = "ACME 客户服务门户";
  EXPECT_EQ(ToJson(c).as_object().at("portal_title"), "ACME 客户服务门户");
}

TEST(ToJson, FeedbackStatusIsTheSpecsIntegerForEachState) {
  const std::pair<FeedbackState, int> expected[] = {
      {FeedbackState::pending, 1}, {FeedbackState::processing, 2}, {FeedbackState::processed, 3},
      {FeedbackState::closed, 4},  {FeedbackState::needs_info, 5}, {FeedbackState::reprocessing, 6}};
  for (const auto& [state, code] : expected) {
    Feedback f;
    f.state = state;
    const json::object out = ToJson(f).as_object();
    EXPECT_EQ(out.at("status").as_int64(), code) << EnumName(state);
    EXPECT_EQ(std::string_view(out.at("state").as_string()), EnumName(state));
    EXPECT_EQ(FeedbackStatusCode(state), code);
  }
}

// --- MergeJson ----------------------------------------------------------------------------------

TEST(MergeJson, OverwritesOnlyTheKeysPresent) {
  PortalConfig c;
  c.tenant_id = 1;
  c.customer_id = 2;
  c.logo_url = "https://cdn.acme.example/logo.png";
  const Errors errors = MergeJson(Parse(R"({"portal_title":"新标题","status":2})"), c);
  EXPECT_THAT(errors, IsEmpty());
  EXPECT_EQ(c.portal_title, "新标题");
  EXPECT_EQ(c.status, 2);
  EXPECT_EQ(c.tenant_id, 1);
  EXPECT_EQ(c.customer_id, 2);
  EXPECT_EQ(c.logo_url, "https://cdn.acme.example/logo.png");
  EXPECT_EQ(c.theme_color, "#409EFF");
}

TEST(MergeJson, EmptyObjectChangesNothing) {
  Ticket t;
  t.title = "原标题";
  EXPECT_THAT(MergeJson(json::object{}, t), IsEmpty());
  EXPECT_EQ(t.title, "原标题");
}

TEST(MergeJson, IgnoresUnknownKeys) {
  Session s;
  EXPECT_THAT(MergeJson(Parse(R"({"no_such_field":1,"sessionId":"x","initial_question":"q"})"), s),
              IsEmpty());
  EXPECT_EQ(s.initial_question, "q");
  EXPECT_EQ(s.session_id, "");
}

TEST(MergeJson, ReadsEnumWireNames) {
  Session s;
  EXPECT_THAT(MergeJson(Parse(R"({"session_type":"ticket","state":"paused"})"), s), IsEmpty());
  EXPECT_EQ(s.session_type, SessionType::ticket);
  EXPECT_EQ(s.state, SessionState::paused);
}

TEST(MergeJson, UnknownEnumNameIsNotAllowedAndListsTheNames) {
  Session s;
  EXPECT_EQ(MergeJson(Parse(R"({"session_type":"phone"})"), s),
            One("session_type", field_code::kNotAllowed, {{"allowed", "search, ai_chat, ticket"}}));
  EXPECT_EQ(s.session_type, SessionType::search);
}

TEST(MergeJson, EnumNamesAreCaseSensitive) {
  Session s;
  const Errors errors = MergeJson(Parse(R"({"session_type":"AI_CHAT"})"), s);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].code, field_code::kNotAllowed);
}

TEST(MergeJson, UnknownNameForOptionalEnumListsTheNames) {
  Feedback f;
  EXPECT_EQ(MergeJson(Parse(R"({"related_type":"order"})"), f),
            One("related_type", field_code::kNotAllowed, {{"allowed", "ticket, knowledge, session"}}));
}

TEST(MergeJson, EnumOfWrongJsonTypeIsInvalid) {
  Session s;
  EXPECT_EQ(MergeJson(Parse(R"({"session_type":1})"), s), One("session_type", field_code::kInvalid));
}

TEST(MergeJson, NullClearsAnOptionalEnum) {
  Feedback f;
  f.related_type = RelatedType::ticket;
  EXPECT_THAT(MergeJson(Parse(R"({"related_type":null})"), f), IsEmpty());
  EXPECT_FALSE(f.related_type.has_value());
}

TEST(MergeJson, NullClearsOptionals) {
  PortalConfig c;
  c.logo_url = "https://cdn.acme.example/logo.png";
  c.contact_info = json::object{{"email", "a@b.example"}};
  c.created_by = 5;
  EXPECT_THAT(MergeJson(Parse(R"({"logo_url":null,"contact_info":null,"created_by":null})"), c), IsEmpty());
  EXPECT_FALSE(c.logo_url.has_value());
  EXPECT_FALSE(c.contact_info.has_value());
  EXPECT_FALSE(c.created_by.has_value());
}

TEST(MergeJson, NullForARequiredStringIsRequired) {
  PortalConfig c;
  EXPECT_EQ(MergeJson(Parse(R"({"portal_title":null})"), c), One("portal_title", field_code::kRequired));
  EXPECT_EQ(c.portal_title, "客户服务门户");
}

TEST(MergeJson, NullForRequiredNumbersEnumsArraysAndTimestampsIsRequired) {
  PortalConfig c;
  const Errors errors =
      MergeJson(Parse(R"({"tenant_id":null,"enabled_features":null,"created_at":null,"status":null})"), c);
  EXPECT_THAT(errors,
              ::testing::UnorderedElementsAre(FieldError{"tenant_id", field_code::kRequired, {}},
                                              FieldError{"enabled_features", field_code::kRequired, {}},
                                              FieldError{"created_at", field_code::kRequired, {}},
                                              FieldError{"status", field_code::kRequired, {}}));
  Session s;
  EXPECT_EQ(MergeJson(Parse(R"({"state":null})"), s), One("state", field_code::kRequired));
}

TEST(MergeJson, StringForANumberIsInvalid) {
  PortalConfig c;
  EXPECT_EQ(MergeJson(Parse(R"({"tenant_id":"10"})"), c), One("tenant_id", field_code::kInvalid));
  EXPECT_EQ(c.tenant_id, 0);
}

TEST(MergeJson, FractionForAnIntegerIsInvalid) {
  Feedback f;
  EXPECT_EQ(MergeJson(Parse(R"({"rating":4.5})"), f), One("rating", field_code::kInvalid));
}

TEST(MergeJson, NumberForAStringIsInvalid) {
  Ticket t;
  EXPECT_EQ(MergeJson(Parse(R"({"title":42})"), t), One("title", field_code::kInvalid));
}

TEST(MergeJson, ObjectForAnArrayIsInvalid) {
  PortalConfig c;
  EXPECT_EQ(MergeJson(Parse(R"({"enabled_features":{"ai_chat":true}})"), c),
            One("enabled_features", field_code::kInvalid));
}

TEST(MergeJson, WrongElementTypeInAnArrayIsInvalid) {
  Interaction i;
  i.knowledge_article_ids = {7};
  EXPECT_EQ(MergeJson(Parse(R"({"knowledge_article_ids":[1,"2"]})"), i),
            One("knowledge_article_ids", field_code::kInvalid));
  EXPECT_EQ(i.knowledge_article_ids, (std::vector<std::int64_t>{7}));
}

TEST(MergeJson, NullElementInAnArrayIsInvalid) {
  UserAccount u;
  EXPECT_EQ(MergeJson(Parse(R"({"roles":["customer_user",null]})"), u), One("roles", field_code::kInvalid));
}

TEST(MergeJson, ReadsArrays) {
  UserAccount u;
  EXPECT_THAT(MergeJson(Parse(R"({"roles":["customer_user","customer_admin"]})"), u), IsEmpty());
  EXPECT_EQ(u.roles, (std::vector<std::string>{"customer_user", "customer_admin"}));
}

TEST(MergeJson, IntegerTooLargeForAnIntFieldIsOutOfRange) {
  PortalConfig c;
  EXPECT_EQ(MergeJson(Parse(R"({"status":2147483648})"), c), One("status", field_code::kOutOfRange));
  EXPECT_EQ(c.status, 1);
  Feedback f;
  EXPECT_EQ(MergeJson(Parse(R"({"rating":-2147483649})"), f), One("rating", field_code::kOutOfRange));
}

TEST(MergeJson, IntegerTooLargeForA64BitFieldIsOutOfRange) {
  PortalConfig c;
  EXPECT_EQ(MergeJson(Parse(R"({"tenant_id":18446744073709551615})"), c),
            One("tenant_id", field_code::kOutOfRange));
}

TEST(MergeJson, ReadsTheExtremesOfA64BitField) {
  PortalConfig c;
  EXPECT_THAT(MergeJson(Parse(R"({"tenant_id":9223372036854775807,"customer_id":-9223372036854775808})"), c),
              IsEmpty());
  EXPECT_EQ(c.tenant_id, std::numeric_limits<std::int64_t>::max());
  EXPECT_EQ(c.customer_id, std::numeric_limits<std::int64_t>::min());
}

TEST(MergeJson, ReadsBooleans) {
  Feedback f;
  EXPECT_THAT(MergeJson(Parse(R"({"contact_required":true})"), f), IsEmpty());
  EXPECT_TRUE(f.contact_required);
  EXPECT_THAT(MergeJson(Parse(R"({"contact_required":false})"), f), IsEmpty());
  EXPECT_FALSE(f.contact_required);
}

TEST(MergeJson, AcceptsZeroAndOneForBooleans) {
  Feedback f;
  EXPECT_THAT(MergeJson(Parse(R"({"contact_required":1})"), f), IsEmpty());
  EXPECT_TRUE(f.contact_required);
  EXPECT_THAT(MergeJson(Parse(R"({"contact_required":0})"), f), IsEmpty());
  EXPECT_FALSE(f.contact_required);
}

TEST(MergeJson, RejectsOtherValuesForBooleans) {
  for (const char* text : {R"({"mfa_enabled":2})", R"({"mfa_enabled":"true"})", R"({"mfa_enabled":1.0})"}) {
    UserAccount u;
    EXPECT_EQ(MergeJson(Parse(text), u), One("mfa_enabled", field_code::kInvalid)) << text;
  }
}

TEST(MergeJson, ReadsDoublesFromIntegersToo) {
  Interaction i;
  EXPECT_THAT(MergeJson(Parse(R"({"ai_confidence":1})"), i), IsEmpty());
  EXPECT_EQ(i.ai_confidence, 1.0);
  EXPECT_THAT(MergeJson(Parse(R"({"ai_confidence":0.92})"), i), IsEmpty());
  EXPECT_EQ(i.ai_confidence, 0.92);
}

TEST(MergeJson, StringForADoubleIsInvalid) {
  Feedback f;
  EXPECT_EQ(MergeJson(Parse(R"({"sentiment_score":"0.5"})"), f),
            One("sentiment_score", field_code::kInvalid));
}

TEST(MergeJson, ReadsTimestampsFromIsoStrings) {
  Session s;
  EXPECT_THAT(
      MergeJson(Parse(R"({"created_at":"2025-08-15T10:00:00.250Z","ended_at":"2025-08-15T10:00:00Z"})"), s),
      IsEmpty());
  EXPECT_EQ(s.created_at.millis, kAug15 + 250);
  ASSERT_TRUE(s.ended_at.has_value());
  EXPECT_EQ(s.ended_at->millis, kAug15);
}

TEST(MergeJson, ReadsTimestampsFromEpochMilliseconds) {
  Session s;
  EXPECT_THAT(MergeJson(Parse(R"({"created_at":1755252000000})"), s), IsEmpty());
  EXPECT_EQ(s.created_at.millis, kAug15);
}

TEST(MergeJson, MalformedTimestampIsInvalid) {
  MaintenanceWindow w;
  EXPECT_EQ(MergeJson(Parse(R"({"starts_at":"2025-13-01T00:00:00Z"})"), w),
            One("starts_at", field_code::kInvalid));
  EXPECT_EQ(MergeJson(Parse(R"({"starts_at":true})"), w), One("starts_at", field_code::kInvalid));
}

TEST(MergeJson, CopiesEmbeddedJsonAsIs) {
  PortalConfig c;
  EXPECT_THAT(MergeJson(Parse(R"({"sso_config":{"provider":"oidc","scopes":["openid"]}})"), c), IsEmpty());
  ASSERT_TRUE(c.sso_config.has_value());
  EXPECT_EQ(*c.sso_config, (json::object{{"provider", "oidc"}, {"scopes", json::array{"openid"}}}));
}

TEST(MergeJson, ReportsEveryBadKeyAndStillWritesTheGoodOnes) {
  Ticket t;
  const Errors errors = MergeJson(Parse(R"({"title":"网络故障","priority":"high","status":"pending"})"), t);
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(t.title, "网络故障");
  std::vector<std::string> fields{errors[0].field, errors[1].field};
  EXPECT_THAT(fields, ::testing::UnorderedElementsAre("priority", "status"));
}

TEST(MergeJson, IgnoresFeedbacksIntegerStatusInFavourOfState) {
  Feedback f;
  EXPECT_THAT(MergeJson(Parse(R"({"status":4})"), f), IsEmpty());
  EXPECT_EQ(f.state, FeedbackState::pending);
  EXPECT_THAT(MergeJson(Parse(R"({"state":"needs_info"})"), f), IsEmpty());
  EXPECT_EQ(f.state, FeedbackState::needs_info);
}

// ToJson then MergeJson into a fresh object gives the same JSON again.
template <typename T>
void ExpectRoundTrip(const T& original) {
  T copy{};
  const json::value written = ToJson(original);
  EXPECT_THAT(MergeJson(written.as_object(), copy), IsEmpty());
  EXPECT_EQ(ToJson(copy), written);
}

TEST(MergeJson, RoundTripsAPortalConfig) {
  PortalConfig c;
  c.id = 3;
  c.tenant_id = 10;
  c.customer_id = 20;
  c.portal_domain = "support.acme.example";
  c.portal_title = "ACME 门户";
  c.contact_info = json::object{{"email", "support@acme.example"}};
  c.enabled_features = {"ai_chat", "tickets"};
  c.status = 2;
  c.created_at = Timestamp{kAug15};
  c.updated_at = Timestamp{kAug15 + 1};
  c.updated_by = 8;
  ExpectRoundTrip(c);
}

TEST(MergeJson, RoundTripsASession) {
  Session s;
  s.session_id = "sess_abc";
  s.session_type = SessionType::ai_chat;
  s.state = SessionState::rated;
  s.resolution_status = ResolutionStatus::resolved;
  s.satisfaction_score = 5;
  s.session_context = json::object{{"k", json::array{1, 2}}};
  s.ended_at = Timestamp{-1};
  ExpectRoundTrip(s);
}

TEST(MergeJson, RoundTripsAnInteraction) {
  Interaction i;
  i.interaction_type = InteractionType::recommendation;
  i.ai_confidence = 0.75;
  i.knowledge_article_ids = {1, 2, 3};
  i.response_time = 2850;
  ExpectRoundTrip(i);
}

TEST(MergeJson, RoundTripsAFeedback) {
  Feedback f;
  f.related_type = RelatedType::knowledge;
  f.related_id = "1001";
  f.contact_required = true;
  f.sentiment_score = -0.5;
  f.state = FeedbackState::reprocessing;
  f.processed_at = Timestamp{kAug15};
  ExpectRoundTrip(f);
}

TEST(MergeJson, RoundTripsEveryOtherEntity) {
  BehaviorEvent e;
  e.device_type = DeviceType::mobile;
  e.action_type = ActionType::download;
  ExpectRoundTrip(e);
  KnowledgeArticle a;
  a.tags = {"网络"};
  a.lang = ArticleLang::en;
  ExpectRoundTrip(a);
  Ticket t;
  t.status = TicketStatus::in_progress;
  t.closed_at = Timestamp{kAug15};
  ExpectRoundTrip(t);
  TicketEvent te;
  te.from_status = TicketStatus::open;
  te.to_status = TicketStatus::closed;
  ExpectRoundTrip(te);
  Attachment at;
  at.status = UploadStatus::failed;
  ExpectRoundTrip(at);
  Document d;
  d.customer_id = 4;
  d.lang = ArticleLang::zh;
  ExpectRoundTrip(d);
  ServiceComponent sc;
  sc.status = ComponentStatus::partial_outage;
  ExpectRoundTrip(sc);
  MaintenanceWindow w;
  w.component_ids = {5, 6};
  w.status = MaintenanceStatus::cancelled;
  ExpectRoundTrip(w);
  UserAccount u;
  u.roles = {"platform_admin"};
  u.mfa_enabled = true;
  u.last_login_at = Timestamp{kAug15};
  ExpectRoundTrip(u);
}

// --- FormatTimestamp / ParseTimestamp -----------------------------------------------------------

TEST(FormatTimestamp, WritesTheEpoch) {
  EXPECT_EQ(FormatTimestamp(Timestamp{0}), "1970-01-01T00:00:00.000Z");
}

TEST(FormatTimestamp, WritesMilliseconds) {
  EXPECT_EQ(FormatTimestamp(Timestamp{kAug15 + 7}), "2025-08-15T10:00:00.007Z");
}

TEST(FormatTimestamp, WritesTimesBefore1970) {
  EXPECT_EQ(FormatTimestamp(Timestamp{-1}), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(FormatTimestamp(Timestamp{-1000}), "1969-12-31T23:59:59.000Z");
  EXPECT_EQ(FormatTimestamp(Timestamp{-14'182'940'000}), "1969-07-20T20:17:40.000Z");
  EXPECT_EQ(FormatTimestamp(Timestamp{-2'208'988'800'000}), "1900-01-01T00:00:00.000Z");
}

TEST(FormatTimestamp, WritesLeapDay) {
  EXPECT_EQ(FormatTimestamp(Timestamp{1'709'210'096'789}), "2024-02-29T12:34:56.789Z");
}

TEST(ParseTimestamp, ReadsWithMilliseconds) {
  EXPECT_EQ(ParseTimestamp("2025-08-15T10:00:00.123Z"), Timestamp{kAug15 + 123});
}

TEST(ParseTimestamp, ReadsWithoutFraction) {
  EXPECT_EQ(ParseTimestamp("2025-08-15T10:00:00Z"), Timestamp{kAug15});
}

TEST(ParseTimestamp, ReadsShortAndLongFractions) {
  EXPECT_EQ(ParseTimestamp("2025-08-15T10:00:00.5Z"), Timestamp{kAug15 + 500});
  EXPECT_EQ(ParseTimestamp("2025-08-15T10:00:00.12Z"), Timestamp{kAug15 + 120});
  EXPECT_EQ(ParseTimestamp("2025-08-15T10:00:00.123999Z"), Timestamp{kAug15 + 123});
}

TEST(ParseTimestamp, ReadsASpaceInsteadOfT) {
  EXPECT_EQ(ParseTimestamp("2025-08-15 10:00:00Z"), Timestamp{kAug15});
}

TEST(ParseTimestamp, ReadsTimesBefore1970) {
  EXPECT_EQ(ParseTimestamp("1969-12-31T23:59:59.999Z"), Timestamp{-1});
  EXPECT_EQ(ParseTimestamp("1900-01-01T00:00:00Z"), Timestamp{-2'208'988'800'000});
  EXPECT_EQ(ParseTimestamp("1600-03-01T00:00:00Z"), Timestamp{-11'670'912'000'000});
}

TEST(ParseTimestamp, ReadsLeapDays) {
  EXPECT_EQ(ParseTimestamp("2024-02-29T12:34:56.789Z"), Timestamp{1'709'210'096'789});
  EXPECT_EQ(ParseTimestamp("2000-02-29T00:00:00Z"), Timestamp{951'782'400'000});
}

TEST(ParseTimestamp, RejectsFebruary29OfCommonYears) {
  EXPECT_EQ(ParseTimestamp("2023-02-29T00:00:00Z"), std::nullopt);
  EXPECT_EQ(ParseTimestamp("1900-02-29T00:00:00Z"), std::nullopt);  // century, not divisible by 400
  EXPECT_EQ(ParseTimestamp("2024-02-30T00:00:00Z"), std::nullopt);
}

TEST(ParseTimestamp, RejectsBadMonths) {
  EXPECT_EQ(ParseTimestamp("2025-13-01T00:00:00Z"), std::nullopt);
  EXPECT_EQ(ParseTimestamp("2025-00-01T00:00:00Z"), std::nullopt);
}

TEST(ParseTimestamp, RejectsBadDays) {
  EXPECT_EQ(ParseTimestamp("2025-08-00T00:00:00Z"), std::nullopt);
  EXPECT_EQ(ParseTimestamp("2025-08-32T00:00:00Z"), std::nullopt);
  EXPECT_EQ(ParseTimestamp("2025-04-31T00:00:00Z"), std::nullopt);
}

TEST(ParseTimestamp, RejectsBadTimesOfDay) {
  EXPECT_EQ(ParseTimestamp("2025-08-15T24:00:00Z"), std::nullopt);
  EXPECT_EQ(ParseTimestamp("2025-08-15T10:60:00Z"), std::nullopt);
  EXPECT_EQ(ParseTimestamp("2025-08-15T10:00:61Z"), std::nullopt);
}

TEST(ParseTimestamp, RejectsMissingZ) {
  EXPECT_EQ(ParseTimestamp("2025-08-15T10:00:00"), std::nullopt);
  EXPECT_EQ(ParseTimestamp("2025-08-15T10:00:00.000"), std::nullopt);
}

TEST(ParseTimestamp, RejectsOffsetsOtherThanZ) {
  EXPECT_EQ(ParseTimestamp("2025-08-15T10:00:00+08:00"), std::nullopt);
  EXPECT_EQ(ParseTimestamp("2025-08-15T10:00:00z"), std::nullopt);
}

TEST(ParseTimestamp, RejectsLetters) {
  EXPECT_EQ(ParseTimestamp("2025-Aug-15T10:00:00Z"), std::nullopt);
  EXPECT_EQ(ParseTimestamp("YYYY-MM-DDTHH:MM:SSZ"), std::nullopt);
  EXPECT_EQ(ParseTimestamp("2025-08-15T1a:00:00Z"), std::nullopt);
}

TEST(ParseTimestamp, RejectsWrongSeparatorsAndShapes) {
  EXPECT_EQ(ParseTimestamp(""), std::nullopt);
  EXPECT_EQ(ParseTimestamp("2025-08-15"), std::nullopt);
  EXPECT_EQ(ParseTimestamp("2025/08/15T10:00:00Z"), std::nullopt);
  EXPECT_EQ(ParseTimestamp("2025-08-15T10-00-00Z"), std::nullopt);
  EXPECT_EQ(ParseTimestamp("2025-8-15T10:00:00Z"), std::nullopt);
  EXPECT_EQ(ParseTimestamp("2025-08-15T10:00:00.Z"), std::nullopt);
  EXPECT_EQ(ParseTimestamp("2025-08-15T10:00:00ZZ"), std::nullopt);
  EXPECT_EQ(ParseTimestamp(" 2025-08-15T10:00:00Z"), std::nullopt);
}

TEST(Timestamps, RoundTripThroughTheirTextForm) {
  for (std::int64_t millis :
       {std::int64_t{0}, std::int64_t{1}, std::int64_t{-1}, std::int64_t{-999}, std::int64_t{-1000},
        std::int64_t{-1001}, kAug15, kAug15 + 999, std::int64_t{1'709'210'096'789},
        std::int64_t{951'782'400'000}, std::int64_t{-2'208'988'800'000}, std::int64_t{-11'670'912'000'000},
        std::int64_t{-62'135'596'800'000}, std::int64_t{253'402'300'799'999}}) {
    const std::string text = FormatTimestamp(Timestamp{millis});
    EXPECT_EQ(ParseTimestamp(text), Timestamp{millis}) << text;
  }
}

TEST(Timestamps, RoundTripAcrossThreeCenturies) {
  constexpr std::int64_t kDay = 86'400'000;
  for (std::int64_t millis = -2'208'988'800'000; millis < 4'102'444'800'000; millis += kDay * 7 + 3'723'456) {
    const std::string text = FormatTimestamp(Timestamp{millis});
    ASSERT_EQ(ParseTimestamp(text), Timestamp{millis}) << text;
  }
}

}  // namespace
}  // namespace selfservice

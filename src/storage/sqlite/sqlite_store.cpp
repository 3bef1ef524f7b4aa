#include "storage/sqlite/sqlite_store.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <optional>
#include <queue>
#include <set>
#include <unordered_map>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "core/random.hpp"
#include "domain/keywords.hpp"
#include "storage/sqlite/attachment_repository.hpp"
#include "storage/sqlite/audit_repository.hpp"
#include "storage/sqlite/database.hpp"
#include "storage/sqlite/document_repository.hpp"
#include "storage/sqlite/erasure.hpp"
#include "search/local_search.hpp"
#include "storage/sqlite/knowledge_repository.hpp"
#include "storage/sqlite/outbox_repository.hpp"
#include "storage/sqlite/reencryption.hpp"
#include "storage/sqlite/remote_state_repository.hpp"
#include "storage/sqlite/status_repository.hpp"
#include "storage/sqlite/rows.hpp"
#include "storage/sqlite/ticket_repository.hpp"
#include "storage/sqlite/user_repository.hpp"

namespace selfservice::sqlite {
namespace json = boost::json;
namespace {

// Sensitive columns are sealed (migration 22, SealedFields): a row stored since holds them in the
// "<column>_sealed" columns, a row stored before holds plaintext in the old ones until the
// re-encryption pass moves it. Reads take whichever is set ("coalesce(...)"); writes fill the
// sealed column and clear the old one.

// --- Portal configs -----------------------------------------------------------------------------

constexpr const char* kContactInfo = "customer_portal_configs.contact_info";
constexpr const char* kSsoConfig = "customer_portal_configs.sso_config";
constexpr const char* kSecuritySettings = "customer_portal_configs.security_settings";

#define CONFIG_COLUMNS                                                                               \
  "id, tenant_id, customer_id, portal_domain, portal_title, logo_url, theme_color, welcome_message, " \
  "coalesce(contact_info_sealed, contact_info), enabled_features, custom_css, "                      \
  "coalesce(sso_config_sealed, sso_config), coalesce(security_settings_sealed, security_settings), " \
  "status, created_at, updated_at, created_by, updated_by"

// The JSON text of a sealed JSON column of `s` parsed into `out`.
bool UnsealJsonColumn(const Statement& s, int column, const SealedFields& sealed, std::int64_t tenant_id,
                      std::string_view name, std::optional<json::value>& out, Status& failure) {
  std::optional<std::string> text;
  if (!UnsealColumn(s, column, sealed, tenant_id, name, text, failure)) return false;
  out = ParseJsonColumn(text);
  return true;
}

Result<PortalConfig> ReadConfig(const Statement& s, const SealedFields& sealed) {
  PortalConfig c;
  c.id = s.Int(0);
  c.tenant_id = s.Int(1);
  c.customer_id = s.Int(2);
  c.portal_domain = s.OptionalText(3);
  c.portal_title = s.Text(4);
  c.logo_url = s.OptionalText(5);
  c.theme_color = s.OptionalText(6);
  c.welcome_message = s.OptionalText(7);
  c.enabled_features = StringArrayColumn(s, 9);
  c.custom_css = s.OptionalText(10);
  Status failure;
  if (!UnsealJsonColumn(s, 8, sealed, c.tenant_id, kContactInfo, c.contact_info, failure) ||
      !UnsealJsonColumn(s, 11, sealed, c.tenant_id, kSsoConfig, c.sso_config, failure) ||
      !UnsealJsonColumn(s, 12, sealed, c.tenant_id, kSecuritySettings, c.security_settings, failure)) {
    return failure;
  }
  c.status = static_cast<int>(s.Int(13));
  c.created_at = Timestamp{s.Int(14)};
  c.updated_at = Timestamp{s.Int(15)};
  c.created_by = s.OptionalInt(16);
  c.updated_by = s.OptionalInt(17);
  return c;
}

bool SeesCustomer(const Scope& scope, std::int64_t customer_id) {
  return scope.visibility() == Visibility::kTenant || customer_id == scope.customer_id();
}

// The config, none, or 20004 when one of its sealed columns does not open.
Result<std::optional<PortalConfig>> FindConfig(Connection& db, const SealedFields& sealed, const Scope& scope,
                                               std::int64_t customer_id) {
  Statement s = db.Prepare("SELECT " CONFIG_COLUMNS
                           " FROM customer_portal_configs WHERE tenant_id = ?1 AND customer_id = ?2");
  s.Bind(1, scope.tenant_id()).Bind(2, customer_id);
  if (!s.Step()) return std::optional<PortalConfig>();
  auto config = ReadConfig(s, sealed);
  if (!config.ok()) return config.status();
  return std::optional<PortalConfig>(std::move(config).value());
}

class SqlitePortalConfigs final : public PortalConfigRepository {
 public:
  explicit SqlitePortalConfigs(Database& db) : db_(db) {}

  Result<std::optional<PortalConfig>> Find(const Scope& scope, std::int64_t customer_id) override {
    if (!SeesCustomer(scope, customer_id)) return Status::NotFound("portal config");
    return db_.Read([&](Connection& db) -> Result<std::optional<PortalConfig>> {
      return FindConfig(db, db_.sealed(), scope, customer_id);
    });
  }

  Result<PortalConfig> Upsert(const Scope& scope, std::int64_t customer_id,
                              const std::function<Status(PortalConfig&)>& mutate) override {
    if (!SeesCustomer(scope, customer_id)) return Status::NotFound("portal config");
    return db_.Write([&](Connection& db) -> Result<PortalConfig> {
      // A sealed column that does not open fails the upsert here, before anything is written over it.
      auto stored = FindConfig(db, db_.sealed(), scope, customer_id);
      if (!stored.ok()) return stored.status();
      PortalConfig config = stored.value().value_or(PortalConfig{});
      config.tenant_id = scope.tenant_id();
      config.customer_id = customer_id;
      if (Status status = mutate(config); !status.ok()) return status;
      // The row's identity comes from the scope and the request, never from the mutation.
      config.tenant_id = scope.tenant_id();
      config.customer_id = customer_id;
      Statement s = db.Prepare(
          "INSERT INTO customer_portal_configs (tenant_id, customer_id, portal_domain, portal_title, "
          "logo_url, theme_color, welcome_message, contact_info_sealed, enabled_features, custom_css, "
          "sso_config_sealed, security_settings_sealed, status, created_at, updated_at, created_by, updated_by) "
          "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17) "
          "ON CONFLICT (tenant_id, customer_id) DO UPDATE SET portal_domain = ?3, portal_title = ?4, "
          "logo_url = ?5, theme_color = ?6, welcome_message = ?7, contact_info = NULL, contact_info_sealed = ?8, "
          "enabled_features = ?9, custom_css = ?10, sso_config = NULL, sso_config_sealed = ?11, "
          "security_settings = NULL, security_settings_sealed = ?12, status = ?13, updated_at = ?15, "
          "updated_by = ?17");
      const SealedFields& sealed = db_.sealed();
      s.Bind(1, config.tenant_id)
          .Bind(2, config.customer_id)
          .Bind(3, config.portal_domain)
          .Bind(4, config.portal_title)
          .Bind(5, config.logo_url)
          .Bind(6, config.theme_color)
          .Bind(7, config.welcome_message)
          .Bind(8, sealed.SealOptional(config.tenant_id, kContactInfo, JsonText(config.contact_info)))
          .Bind(9, StringArrayText(config.enabled_features))
          .Bind(10, config.custom_css)
          .Bind(11, sealed.SealOptional(config.tenant_id, kSsoConfig, JsonText(config.sso_config)))
          .Bind(12, sealed.SealOptional(config.tenant_id, kSecuritySettings, JsonText(config.security_settings)))
          .Bind(13, config.status)
          .Bind(14, config.created_at.millis)
          .Bind(15, config.updated_at.millis)
          .Bind(16, config.created_by)
          .Bind(17, config.updated_by);
      s.Run();
      auto written = FindConfig(db, sealed, scope, customer_id);
      if (!written.ok()) return written.status();
      return std::move(*written.value());
    });
  }

 private:
  Database& db_;
};

// --- Sessions and interactions ------------------------------------------------------------------

#define SESSION_COLUMNS                                                                        \
  "id, session_id, tenant_id, customer_id, user_id, session_type, initial_question, "          \
  "session_context, state, resolution_status, satisfaction_score, feedback_content, "          \
  "session_duration, interaction_count, created_at, updated_at, ended_at"

Session ReadSession(const Statement& s) {
  Session v;
  v.id = s.Int(0);
  v.session_id = s.Text(1);
  v.tenant_id = s.Int(2);
  v.customer_id = s.Int(3);
  v.user_id = s.Int(4);
  v.session_type = EnumColumn(s, 5, SessionType::search);
  v.initial_question = s.Text(6);
  v.session_context = ParseJsonColumn(s.OptionalText(7));
  v.state = EnumColumn(s, 8, SessionState::not_started);
  v.resolution_status = EnumColumn(s, 9, ResolutionStatus::pending);
  v.satisfaction_score = OptionalSmallInt(s, 10);
  v.feedback_content = s.OptionalText(11);
  v.session_duration = s.Int(12);
  v.interaction_count = s.Int(13);
  v.created_at = Timestamp{s.Int(14)};
  v.updated_at = Timestamp{s.Int(15)};
  v.ended_at = OptionalTime(s, 16);
  return v;
}

#define INTERACTION_COLUMNS                                                                    \
  "id, session_id, tenant_id, interaction_type, user_input, system_response, ai_confidence, "  \
  "response_time, knowledge_article_ids, helpful_rating, created_at"

Interaction ReadInteraction(const Statement& s) {
  Interaction v;
  v.id = s.Int(0);
  v.session_id = s.Text(1);
  v.tenant_id = s.Int(2);
  v.interaction_type = EnumColumn(s, 3, InteractionType::question);
  v.user_input = s.OptionalText(4);
  v.system_response = s.OptionalText(5);
  v.ai_confidence = s.OptionalDouble(6);
  v.response_time = s.OptionalInt(7);
  if (auto ids = ParseJsonColumn(s.OptionalText(8)); ids && ids->is_array()) {
    for (const auto& id : ids->get_array()) {
      if (id.is_int64()) v.knowledge_article_ids.push_back(id.get_int64());
    }
  }
  v.helpful_rating = OptionalSmallInt(s, 9);
  v.created_at = Timestamp{s.Int(10)};
  return v;
}

// A mutation changes a session's state, never which session it is, whose, or when it began: the
// row is written by its id and the answer must be what is stored.
void KeepIdentity(const Session& stored, Session& mutated) {
  mutated.id = stored.id;
  mutated.session_id = stored.session_id;
  mutated.tenant_id = stored.tenant_id;
  mutated.customer_id = stored.customer_id;
  mutated.user_id = stored.user_id;
  mutated.session_type = stored.session_type;
  mutated.created_at = stored.created_at;
}

std::optional<Session> FindSession(Connection& db, const Scope& scope, std::string_view session_id) {
  Statement s = db.Prepare("SELECT " SESSION_COLUMNS " FROM self_service_sessions WHERE" SCOPE_WHERE
                           "AND session_id = ?4");
  BindScope(s, scope);
  s.Bind(4, session_id);
  if (!s.Step()) return std::nullopt;
  return ReadSession(s);
}

void InsertInteraction(Connection& db, Interaction& v) {
  json::array ids;
  for (auto id : v.knowledge_article_ids) ids.emplace_back(id);
  Statement s = db.Prepare(
      "INSERT INTO session_interactions (session_id, tenant_id, interaction_type, user_input, "
      "system_response, ai_confidence, response_time, knowledge_article_ids, helpful_rating, created_at) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)");
  s.Bind(1, v.session_id)
      .Bind(2, v.tenant_id)
      .Bind(3, EnumName(v.interaction_type))
      .Bind(4, v.user_input)
      .Bind(5, v.system_response)
      .Bind(6, v.ai_confidence)
      .Bind(7, v.response_time)
      .Bind(8, json::serialize(ids))
      .Bind(9, v.helpful_rating)
      .Bind(10, v.created_at.millis);
  s.Run();
  v.id = db.LastInsertRowId();
}

class SqliteSessions final : public SessionRepository {
 public:
  explicit SqliteSessions(Database& db) : db_(db) {}

  Result<Session> Create(const Scope& scope, Session v) override {
    if (v.tenant_id != scope.tenant_id()) return Status::NotFound("tenant mismatch");
    return db_.Write([&](Connection& db) -> Result<Session> {
      Statement s = db.Prepare(
          "INSERT INTO self_service_sessions (session_id, tenant_id, customer_id, user_id, session_type, "
          "initial_question, session_context, state, resolution_status, satisfaction_score, "
          "feedback_content, session_duration, interaction_count, created_at, updated_at, ended_at) "
          "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)");
      s.Bind(1, v.session_id)
          .Bind(2, v.tenant_id)
          .Bind(3, v.customer_id)
          .Bind(4, v.user_id)
          .Bind(5, EnumName(v.session_type))
          .Bind(6, v.initial_question)
          .Bind(7, JsonText(v.session_context))
          .Bind(8, EnumName(v.state))
          .Bind(9, EnumName(v.resolution_status))
          .Bind(10, v.satisfaction_score)
          .Bind(11, v.feedback_content)
          .Bind(12, v.session_duration)
          .Bind(13, v.interaction_count)
          .Bind(14, v.created_at.millis)
          .Bind(15, v.updated_at.millis)
          .Bind(16, v.ended_at ? std::optional(v.ended_at->millis) : std::nullopt);
      s.Run();
      v.id = db.LastInsertRowId();
      return v;
    });
  }

  Result<Session> Get(const Scope& scope, std::string_view session_id) override {
    return db_.Read([&](Connection& db) -> Result<Session> {
      auto found = FindSession(db, scope, session_id);
      if (!found) return Status::NotFound("session");
      return std::move(*found);
    });
  }

  Result<Page<Session>> List(const Scope& scope, const SessionFilter& filter, PageRequest page) override {
    return db_.Read([&](Connection& db) -> Result<Page<Session>> {
      const std::optional<std::string_view> state =
          filter.state ? std::optional(EnumName(*filter.state)) : std::nullopt;
      const std::optional<std::string_view> type =
          filter.session_type ? std::optional(EnumName(*filter.session_type)) : std::nullopt;
      Page<Session> out;
      {
        Statement s = db.Prepare("SELECT count(*) FROM self_service_sessions WHERE" SCOPE_WHERE
                                 "AND (?4 IS NULL OR state = ?4) AND (?5 IS NULL OR session_type = ?5) "
                                 "AND (?8 IS NULL OR user_id = ?8)");
        BindScope(s, scope);
        s.Bind(4, state).Bind(5, type).Bind(8, filter.user_id);
        s.Step();
        out.total = s.Int(0);
      }
      Statement s = db.Prepare("SELECT " SESSION_COLUMNS " FROM self_service_sessions WHERE" SCOPE_WHERE
                               "AND (?4 IS NULL OR state = ?4) AND (?5 IS NULL OR session_type = ?5) "
                               "AND (?8 IS NULL OR user_id = ?8) "
                               "ORDER BY created_at DESC, id DESC LIMIT ?6 OFFSET ?7");
      BindScope(s, scope);
      s.Bind(4, state).Bind(5, type).Bind(8, filter.user_id);
      BindPage(s, 6, page);
      while (s.Step()) out.items.push_back(ReadSession(s));
      return out;
    });
  }

  Result<SessionUpdate> Update(const Scope& scope, std::string_view session_id,
                               const Mutation& mutate) override {
    return db_.Write([&](Connection& db) -> Result<SessionUpdate> {
      auto found = FindSession(db, scope, session_id);
      if (!found) return Status::NotFound("session");
      SessionUpdate update{*found, {}};
      if (Status status = mutate(update.session, update.appended); !status.ok()) return status;
      KeepIdentity(*found, update.session);
      const Session& v = update.session;
      Statement s = db.Prepare(
          "UPDATE self_service_sessions SET initial_question = ?2, session_context = ?3, state = ?4, "
          "resolution_status = ?5, satisfaction_score = ?6, feedback_content = ?7, session_duration = ?8, "
          "interaction_count = ?9, updated_at = ?10, ended_at = ?11 WHERE id = ?1");
      s.Bind(1, v.id)
          .Bind(2, v.initial_question)
          .Bind(3, JsonText(v.session_context))
          .Bind(4, EnumName(v.state))
          .Bind(5, EnumName(v.resolution_status))
          .Bind(6, v.satisfaction_score)
          .Bind(7, v.feedback_content)
          .Bind(8, v.session_duration)
          .Bind(9, v.interaction_count)
          .Bind(10, v.updated_at.millis)
          .Bind(11, v.ended_at ? std::optional(v.ended_at->millis) : std::nullopt);
      s.Run();
      for (Interaction& interaction : update.appended) {
        interaction.session_id = v.session_id;
        interaction.tenant_id = v.tenant_id;
        InsertInteraction(db, interaction);
      }
      return update;
    });
  }

  Result<Page<Interaction>> ListInteractions(const Scope& scope, std::string_view session_id,
                                             PageRequest page) override {
    return db_.Read([&](Connection& db) -> Result<Page<Interaction>> {
      if (!FindSession(db, scope, session_id)) return Status::NotFound("session");
      Page<Interaction> out;
      {
        Statement s = db.Prepare(
            "SELECT count(*) FROM session_interactions WHERE tenant_id = ?1 AND session_id = ?2");
        s.Bind(1, scope.tenant_id()).Bind(2, session_id);
        s.Step();
        out.total = s.Int(0);
      }
      Statement s = db.Prepare("SELECT " INTERACTION_COLUMNS
                               " FROM session_interactions WHERE tenant_id = ?1 AND session_id = ?2 "
                               "ORDER BY id LIMIT ?3 OFFSET ?4");
      s.Bind(1, scope.tenant_id()).Bind(2, session_id);
      BindPage(s, 3, page);
      while (s.Step()) out.items.push_back(ReadInteraction(s));
      return out;
    });
  }

  Result<Rated> RateInteraction(const Scope& scope, std::int64_t interaction_id, int rating) override {
    return db_.Write([&](Connection& db) -> Result<Rated> {
      // The interaction's session must be one the scope sees: a rating never reaches another
      // user's conversation.
      Statement find = db.Prepare("SELECT " INTERACTION_COLUMNS " FROM session_interactions "
                                  "WHERE id = ?4 AND tenant_id = ?1 AND session_id IN "
                                  "(SELECT session_id FROM self_service_sessions WHERE" SCOPE_WHERE ")");
      BindScope(find, scope);
      find.Bind(4, interaction_id);
      if (!find.Step()) return Status::NotFound("interaction");
      Rated rated{ReadInteraction(find), std::nullopt};
      rated.previous_rating = rated.interaction.helpful_rating;
      Statement update = db.Prepare("UPDATE session_interactions SET helpful_rating = ?2 WHERE id = ?1");
      update.Bind(1, interaction_id).Bind(2, rating);
      update.Run();
      rated.interaction.helpful_rating = rating;
      return rated;
    });
  }

  Result<std::vector<std::string>> ListIdlePaused(const Scope& scope, Timestamp idle_since, int limit) override {
    return db_.Read([&](Connection& db) -> Result<std::vector<std::string>> {
      Statement s = db.Prepare("SELECT session_id FROM self_service_sessions WHERE" SCOPE_WHERE
                               "AND state = 'paused' AND updated_at <= ?4 ORDER BY updated_at LIMIT ?5");
      BindScope(s, scope);
      s.Bind(4, idle_since.millis).Bind(5, limit);
      std::vector<std::string> ids;
      while (s.Step()) ids.push_back(s.Text(0));
      return ids;
    });
  }

 private:
  Database& db_;
};

// --- Feedback -----------------------------------------------------------------------------------

#define FEEDBACK_COLUMNS                                                                        \
  "id, tenant_id, customer_id, user_id, feedback_type, related_id, related_type, rating, "      \
  "feedback_content, suggestions, contact_required, priority_level, sentiment_score, status, "  \
  "processed_by, processed_at, response_content, created_at, updated_at, ratings, sentiment_source"

FeedbackState StateFromCode(std::int64_t code) {
  for (auto state : {FeedbackState::pending, FeedbackState::processing, FeedbackState::processed,
                     FeedbackState::closed, FeedbackState::needs_info, FeedbackState::reprocessing}) {
    if (FeedbackStatusCode(state) == code) return state;
  }
  return FeedbackState::pending;
}

Feedback ReadFeedback(const Statement& s) {
  Feedback v;
  v.id = s.Int(0);
  v.tenant_id = s.Int(1);
  v.customer_id = s.Int(2);
  v.user_id = s.Int(3);
  v.feedback_type = EnumColumn(s, 4, FeedbackType::service);
  v.related_id = s.OptionalText(5);
  v.related_type = ParseEnum<RelatedType>(s.Text(6));
  v.rating = OptionalSmallInt(s, 7);
  v.feedback_content = s.OptionalText(8);
  v.suggestions = s.OptionalText(9);
  v.contact_required = s.Int(10) != 0;
  v.priority_level = static_cast<int>(s.Int(11));
  v.sentiment_score = s.OptionalDouble(12);
  v.state = StateFromCode(s.Int(13));
  v.processed_by = s.OptionalInt(14);
  v.processed_at = OptionalTime(s, 15);
  v.response_content = s.OptionalText(16);
  v.created_at = Timestamp{s.Int(17)};
  v.updated_at = Timestamp{s.Int(18)};
  if (auto ratings = ParseJsonColumn(s.OptionalText(19)); ratings && ratings->is_object()) {
    for (const auto& [dimension, rating] : ratings->get_object()) {
      if (rating.is_int64()) v.ratings.emplace(std::string(dimension), static_cast<int>(rating.get_int64()));
    }
  }
  v.sentiment_source = s.OptionalText(20);
  return v;
}

std::string RatingsText(const std::map<std::string, int>& ratings) {
  json::object object;
  for (const auto& [dimension, rating] : ratings) object.emplace(dimension, rating);
  return json::serialize(object);
}

// As for sessions: what the feedback is about, whose it is and when it was given stay as stored.
void KeepIdentity(const Feedback& stored, Feedback& mutated) {
  mutated.id = stored.id;
  mutated.tenant_id = stored.tenant_id;
  mutated.customer_id = stored.customer_id;
  mutated.user_id = stored.user_id;
  mutated.feedback_type = stored.feedback_type;
  mutated.related_id = stored.related_id;
  mutated.related_type = stored.related_type;
  mutated.created_at = stored.created_at;
}

std::optional<Feedback> FindFeedback(Connection& db, const Scope& scope, std::int64_t id) {
  Statement s = db.Prepare("SELECT " FEEDBACK_COLUMNS " FROM customer_feedback WHERE" SCOPE_WHERE "AND id = ?4");
  BindScope(s, scope);
  s.Bind(4, id);
  if (!s.Step()) return std::nullopt;
  return ReadFeedback(s);
}

class SqliteFeedback final : public FeedbackRepository {
 public:
  explicit SqliteFeedback(Database& db) : db_(db) {}

  Result<Feedback> Create(const Scope& scope, Feedback v) override {
    if (v.tenant_id != scope.tenant_id()) return Status::NotFound("tenant mismatch");
    return db_.Write([&](Connection& db) -> Result<Feedback> {
      Statement s = db.Prepare(
          "INSERT INTO customer_feedback (tenant_id, customer_id, user_id, feedback_type, related_id, "
          "related_type, rating, feedback_content, suggestions, contact_required, priority_level, "
          "sentiment_score, status, processed_by, processed_at, response_content, created_at, updated_at, "
          "ratings, sentiment_source) "
          "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20)");
      s.Bind(1, v.tenant_id)
          .Bind(2, v.customer_id)
          .Bind(3, v.user_id)
          .Bind(4, EnumName(v.feedback_type))
          .Bind(5, v.related_id)
          .Bind(6, v.related_type ? std::optional(EnumName(*v.related_type)) : std::nullopt)
          .Bind(7, v.rating)
          .Bind(8, v.feedback_content)
          .Bind(9, v.suggestions)
          .Bind(10, v.contact_required ? 1 : 0)
          .Bind(11, v.priority_level)
          .Bind(12, v.sentiment_score)
          .Bind(13, FeedbackStatusCode(v.state))
          .Bind(14, v.processed_by)
          .Bind(15, v.processed_at ? std::optional(v.processed_at->millis) : std::nullopt)
          .Bind(16, v.response_content)
          .Bind(17, v.created_at.millis)
          .Bind(18, v.updated_at.millis)
          .Bind(19, RatingsText(v.ratings))
          .Bind(20, v.sentiment_source);
      s.Run();
      v.id = db.LastInsertRowId();
      return v;
    });
  }

  Result<Feedback> Get(const Scope& scope, std::int64_t id) override {
    return db_.Read([&](Connection& db) -> Result<Feedback> {
      auto found = FindFeedback(db, scope, id);
      if (!found) return Status::NotFound("feedback");
      return std::move(*found);
    });
  }

  Result<Page<Feedback>> List(const Scope& scope, const FeedbackFilter& filter, PageRequest page) override {
    return db_.Read([&](Connection& db) -> Result<Page<Feedback>> {
      std::optional<std::int64_t> status;
      if (filter.state) status = FeedbackStatusCode(*filter.state);
      const std::optional<std::string_view> type =
          filter.feedback_type ? std::optional(EnumName(*filter.feedback_type)) : std::nullopt;
      Page<Feedback> out;
      {
        Statement s = db.Prepare("SELECT count(*) FROM customer_feedback WHERE" SCOPE_WHERE
                                 "AND (?4 IS NULL OR status = ?4) AND (?5 IS NULL OR feedback_type = ?5)");
        BindScope(s, scope);
        s.Bind(4, status).Bind(5, type);
        s.Step();
        out.total = s.Int(0);
      }
      Statement s = db.Prepare("SELECT " FEEDBACK_COLUMNS " FROM customer_feedback WHERE" SCOPE_WHERE
                               "AND (?4 IS NULL OR status = ?4) AND (?5 IS NULL OR feedback_type = ?5) "
                               "ORDER BY created_at DESC, id DESC LIMIT ?6 OFFSET ?7");
      BindScope(s, scope);
      s.Bind(4, status).Bind(5, type);
      BindPage(s, 6, page);
      while (s.Step()) out.items.push_back(ReadFeedback(s));
      return out;
    });
  }

  Result<Feedback> Update(const Scope& scope, std::int64_t id,
                          const std::function<Status(Feedback&)>& mutate) override {
    return db_.Write([&](Connection& db) -> Result<Feedback> {
      auto found = FindFeedback(db, scope, id);
      if (!found) return Status::NotFound("feedback");
      Feedback v = *found;
      if (Status status = mutate(v); !status.ok()) return status;
      KeepIdentity(*found, v);
      Statement s = db.Prepare(
          "UPDATE customer_feedback SET rating = ?2, feedback_content = ?3, suggestions = ?4, "
          "contact_required = ?5, priority_level = ?6, sentiment_score = ?7, status = ?8, processed_by = ?9, "
          "processed_at = ?10, response_content = ?11, updated_at = ?12, ratings = ?13, sentiment_source = ?14 "
          "WHERE id = ?1");
      s.Bind(1, v.id)
          .Bind(2, v.rating)
          .Bind(3, v.feedback_content)
          .Bind(4, v.suggestions)
          .Bind(5, v.contact_required ? 1 : 0)
          .Bind(6, v.priority_level)
          .Bind(7, v.sentiment_score)
          .Bind(8, FeedbackStatusCode(v.state))
          .Bind(9, v.processed_by)
          .Bind(10, v.processed_at ? std::optional(v.processed_at->millis) : std::nullopt)
          .Bind(11, v.response_content)
          .Bind(12, v.updated_at.millis)
          .Bind(13, RatingsText(v.ratings))
          .Bind(14, v.sentiment_source);
      s.Run();
      return v;
    });
  }

  Result<FeedbackTotals> Totals(const Scope& scope, Timestamp from, Timestamp to) override {
    return db_.Read([&](Connection& db) -> Result<FeedbackTotals> {
      FeedbackTotals totals;
      auto group = [](const Statement& s, int first) {
        return FeedbackTotals::Group{s.Int(first), s.Int(first + 1), s.Int(first + 2), s.Int(first + 3)};
      };
#define FEEDBACK_SUMS "count(*), count(rating), coalesce(sum(rating), 0), coalesce(sum(contact_required), 0)"
#define FEEDBACK_WINDOW " FROM customer_feedback WHERE" SCOPE_WHERE "AND created_at >= ?4 AND created_at < ?5 "
      auto bind = [&](Statement& s) {
        BindScope(s, scope);
        s.Bind(4, from.millis).Bind(5, to.millis);
      };
      {
        Statement s = db.Prepare("SELECT " FEEDBACK_SUMS FEEDBACK_WINDOW);
        bind(s);
        s.Step();
        totals.all = group(s, 0);
      }
      {
        Statement s = db.Prepare("SELECT rating, count(*)" FEEDBACK_WINDOW "AND rating IS NOT NULL GROUP BY rating");
        bind(s);
        while (s.Step()) {
          const std::int64_t rating = s.Int(0);
          if (rating >= 1 && rating <= 5) totals.distribution[rating - 1] = s.Int(1);
        }
      }
      {
        Statement s = db.Prepare("SELECT feedback_type, " FEEDBACK_SUMS FEEDBACK_WINDOW
                                 "GROUP BY feedback_type ORDER BY feedback_type");
        bind(s);
        while (s.Step()) {
          if (auto type = ParseEnum<FeedbackType>(s.Text(0))) totals.by_type.emplace_back(*type, group(s, 1));
        }
      }
      {
        Statement s = db.Prepare("SELECT created_at / 86400000 AS day, " FEEDBACK_SUMS FEEDBACK_WINDOW
                                 "GROUP BY day ORDER BY day");
        bind(s);
        while (s.Step()) totals.by_day.emplace_back(s.Int(0), group(s, 1));
      }
      {
        Statement s = db.Prepare(
            "SELECT r.key, count(*), sum(r.value) FROM customer_feedback, json_each(customer_feedback.ratings) AS r "
            "WHERE" SCOPE_WHERE "AND created_at >= ?4 AND created_at < ?5 GROUP BY r.key ORDER BY r.key");
        bind(s);
        while (s.Step()) totals.dimensions.push_back({s.Text(0), s.Int(1), s.Int(2)});
      }
#undef FEEDBACK_WINDOW
#undef FEEDBACK_SUMS
      return totals;
    });
  }

 private:
  Database& db_;
};

// --- Behaviour analytics ------------------------------------------------------------------------

#define EVENT_COLUMNS                                                                           \
  "id, tenant_id, customer_id, user_id, session_id, page_path, action_type, action_target, "   \
  "search_keywords, stay_duration, device_type, browser_info, "                                 \
  "coalesce(ip_address_sealed, ip_address), coalesce(user_agent_sealed, user_agent), "           \
  "referrer_url, created_at"

constexpr const char* kEventIpAddress = "user_behavior_analytics.ip_address";
constexpr const char* kEventUserAgent = "user_behavior_analytics.user_agent";

Result<BehaviorEvent> ReadEvent(const Statement& s, const SealedFields& sealed) {
  BehaviorEvent v;
  v.id = s.Int(0);
  v.tenant_id = s.Int(1);
  v.customer_id = s.Int(2);
  v.user_id = s.Int(3);
  v.session_id = s.OptionalText(4);
  v.page_path = s.Text(5);
  v.action_type = EnumColumn(s, 6, ActionType::view);
  v.action_target = s.OptionalText(7);
  v.search_keywords = s.OptionalText(8);
  v.stay_duration = s.Int(9);
  v.device_type = ParseEnum<DeviceType>(s.Text(10));
  v.browser_info = s.OptionalText(11);
  Status failure;
  if (!UnsealColumn(s, 12, sealed, v.tenant_id, kEventIpAddress, v.ip_address, failure) ||
      !UnsealColumn(s, 13, sealed, v.tenant_id, kEventUserAgent, v.user_agent, failure)) {
    return failure;
  }
  v.referrer_url = s.OptionalText(14);
  v.created_at = Timestamp{s.Int(15)};
  return v;
}

constexpr int kEventParameters = 15;
// Events stored by one INSERT statement. Starting and ending a statement (its statement journal,
// reset and unbinding) cost about a fifth of a one-row insert; 50 rows of 15 parameters stay far
// below SQLite's limit of 32,766 parameters.
constexpr std::size_t kEventsPerInsert = 50;

// The INSERT of `rows` events, kEventParameters anonymous parameters per row.
std::string EventInsertSql(std::size_t rows) {
  std::string sql =
      "INSERT INTO user_behavior_analytics (tenant_id, customer_id, user_id, session_id, page_path, "
      "action_type, action_target, search_keywords, stay_duration, device_type, browser_info, "
      "ip_address_sealed, user_agent_sealed, referrer_url, created_at) VALUES ";
  for (std::size_t i = 0; i < rows; ++i) sql += i == 0 ? "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)" : ",(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
  return sql;
}

// Binds `e` to the parameters first + 1 ... first + kEventParameters of an EventInsertSql().
void BindEvent(Statement& s, const SealedFields& sealed, int first, const BehaviorEvent& e) {
  s.Bind(first + 1, e.tenant_id)
      .Bind(first + 2, e.customer_id)
      .Bind(first + 3, e.user_id)
      .Bind(first + 4, e.session_id)
      .Bind(first + 5, e.page_path)
      .Bind(first + 6, EnumName(e.action_type))
      .Bind(first + 7, e.action_target)
      .Bind(first + 8, e.search_keywords)
      .Bind(first + 9, e.stay_duration)
      .Bind(first + 10, e.device_type ? std::optional(EnumName(*e.device_type)) : std::nullopt)
      .Bind(first + 11, e.browser_info)
      .Bind(first + 12, sealed.SealOptional(e.tenant_id, kEventIpAddress, e.ip_address))
      .Bind(first + 13, sealed.SealOptional(e.tenant_id, kEventUserAgent, e.user_agent))
      .Bind(first + 14, e.referrer_url)
      .Bind(first + 15, e.created_at.millis);
}

// Search events are counted per (tenant, normalised keywords, hour) in search_counts (migration 8),
// so TopSearches reads rows in proportion to the keywords and hours of the window, not the events.
// Each row's searches are weighed as if made at their mean time: within an hour the decay varies
// by 2^(1 / half-life in hours), so the weight is off by at most 6 % at the least half-life the API
// allows (one hour; searches split between the hour's two ends) and by 0.01 % at a day. A row whose
// hour is cut by an end of the window is replaced by its events read one by one (the index of
// migration 8), so the window, the counts and the privacy rule stay exact.
constexpr std::int64_t kSearchCountBucketMillis = 3600LL * 1000;  // migration 8's hour

struct TrendTotal {
  double weight = 0;
  std::int64_t count = 0;
  std::int64_t min_customer = std::numeric_limits<std::int64_t>::max();
  std::int64_t max_customer = std::numeric_limits<std::int64_t>::min();
};

// Whether a scope that does not see the whole tenant may see a query these customers searched:
// two customers or more (the least and greatest differ), or the scope's own.
bool SharedOrOwn(const Scope& scope, const TrendTotal& total) {
  return scope.visibility() == Visibility::kTenant || total.min_customer != total.max_customer ||
         total.min_customer == scope.customer_id();
}

// The searches of some keywords in [from, to], read event by event: an hour of search_counts cut
// by an end of the window.
struct WindowEdge {
  std::int64_t from;
  std::int64_t to;
  std::set<std::string> keywords;
};

// --- Scored lookups (migration 10) ---
// search_keyword_scores keeps, per tenant and keywords, log2 of the sum over all their searches of
// 2^(created_at / half-life) for two half-lives: 24 h (search.trending's default) and 168 h
// (search.suggestions). At `now` that is 2^(score - now / half-life), the keywords' decayed weight
// over all time: at least their weight in any window, as TopSearches weighs it (a bucket's searches
// at their mean time weigh less than one by one, by convexity). The keywords are taken in order of
// that bound, each weighed exactly over the window (below), until the `limit`-th weight found is
// above the next bound: the answer is the full scan's. Keywords with no search in the window, or
// searched by one customer only that is not the caller's, are passed over unweighed.
constexpr std::int64_t kSearchCountDayMillis = 24 * kSearchCountBucketMillis;  // migration 10's day
// Day rows (search_counts_daily) stand in for hour rows at half-lives of 7 days or more: a day's
// searches weigh at their mean time, off by at most 0.12 % (searches split between the day's two
// ends) where an hour's are off by 2*10^-6. Shorter half-lives read hour rows as before.
constexpr std::int64_t kDayRowsMinHalfLifeMillis = 7 * kSearchCountDayMillis;

// The score column kept for `half_life_millis`, or nullptr.
const char* ScoreColumn(std::int64_t half_life_millis) {
  if (half_life_millis == kSearchCountDayMillis) return "day_score";
  if (half_life_millis == 7 * kSearchCountDayMillis) return "week_score";
  return nullptr;
}

// Scores filled by migration 10 from hour rows weigh each hour's searches at their mean time; a
// search read one by one at an end of the window may weigh up to one hour's decay more.
double ScoreSlack(double half_life) {
  return std::exp2(static_cast<double>(kSearchCountBucketMillis) / half_life) * (1 + 1e-9);
}

// Weighs one tenant's keywords over [since, now] exactly as the full scan does: rows of
// search_counts_daily (half-lives of 7 days or more) or search_counts wholly inside the window
// count, a day row cut by an end of it is replaced by the hour rows of that day, an hour row cut by
// an end by the searches of that hour read one by one. The searches of the hours at the window's
// ends are read once per call, for every keywords.
class WindowWeigher {
 public:
  WindowWeigher(Connection& db, std::int64_t tenant_id, std::int64_t since, std::int64_t now, double half_life)
      : db_(db), tenant_id_(tenant_id), since_(since), now_(now), half_life_(half_life) {}

  TrendTotal Weigh(const std::string& keywords) {
    TrendTotal total;
    const std::int64_t since_hour = since_ / kSearchCountBucketMillis;
    const std::int64_t now_hour = now_ / kSearchCountBucketMillis;
    if (half_life_ < static_cast<double>(kDayRowsMinHalfLifeMillis)) {
      AddHours(total, keywords, since_hour, now_hour);
      return total;
    }
    std::vector<std::pair<std::int64_t, std::int64_t>> cut_days;  // their hours in the window
    {
      Statement s = db_.Prepare(
          "SELECT day, searches, offset_sum, first_at, last_at, min_customer, max_customer FROM search_counts_daily "
          "WHERE tenant_id = ?1 AND keywords = ?2 AND day BETWEEN ?3 AND ?4");
      s.Bind(1, tenant_id_).Bind(2, keywords).Bind(3, since_ / kSearchCountDayMillis).Bind(4, now_ / kSearchCountDayMillis);
      while (s.Step()) {
        const std::int64_t first_at = s.Int(3);
        const std::int64_t last_at = s.Int(4);
        if (last_at < since_ || first_at > now_) continue;
        if (first_at < since_ || last_at > now_) {
          cut_days.emplace_back(std::max(first_at, since_) / kSearchCountBucketMillis,
                                std::min(last_at, now_) / kSearchCountBucketMillis);
          continue;
        }
        const std::int64_t searches = s.Int(1);
        Add(total, searches,
            static_cast<double>(s.Int(0) * kSearchCountDayMillis) +
                static_cast<double>(s.Int(2)) / static_cast<double>(searches),
            s.Int(5), s.Int(6));
      }
    }
    for (const auto& [from_hour, to_hour] : cut_days) AddHours(total, keywords, from_hour, to_hour);
    return total;
  }

 private:
  // A search and the customer who made it, at an end of the window.
  struct Search {
    std::int64_t customer;
    std::int64_t at;
  };
  using EdgeSearches = std::unordered_map<std::string, std::vector<Search>>;

  void Add(TrendTotal& total, std::int64_t searches, double mean_at, std::int64_t min_customer,
           std::int64_t max_customer) const {
    total.weight +=
        static_cast<double>(searches) * std::exp2(-(static_cast<double>(now_) - mean_at) / half_life_);
    total.count += searches;
    total.min_customer = std::min(total.min_customer, min_customer);
    total.max_customer = std::max(total.max_customer, max_customer);
  }

  void AddHours(TrendTotal& total, const std::string& keywords, std::int64_t from_hour, std::int64_t to_hour) {
    bool cut_at_start = false;
    bool cut_at_end = false;
    {
      Statement s = db_.Prepare(
          "SELECT hour, searches, offset_sum, first_at, last_at, min_customer, max_customer FROM search_counts "
          "WHERE tenant_id = ?1 AND keywords = ?2 AND hour BETWEEN ?3 AND ?4");
      s.Bind(1, tenant_id_).Bind(2, keywords).Bind(3, from_hour).Bind(4, to_hour);
      while (s.Step()) {
        const std::int64_t first_at = s.Int(3);
        const std::int64_t last_at = s.Int(4);
        if (last_at < since_ || first_at > now_) continue;
        if (first_at < since_) {
          cut_at_start = true;  // since's hour (and now's too when the window is within one hour)
        } else if (last_at > now_) {
          cut_at_end = true;
        } else {
          const std::int64_t searches = s.Int(1);
          Add(total, searches,
              static_cast<double>(s.Int(0) * kSearchCountBucketMillis) +
                  static_cast<double>(s.Int(2)) / static_cast<double>(searches),
              s.Int(5), s.Int(6));
        }
      }
    }
    for (const auto& [cut, edge] : {std::pair{cut_at_start, &start_}, std::pair{cut_at_end, &end_}}) {
      if (!cut) continue;
      if (!*edge) *edge = ReadEdge(edge == &start_);
      const auto found = (*edge)->find(keywords);
      if (found == (*edge)->end()) continue;
      for (const Search& search : found->second) {
        Add(total, 1, static_cast<double>(search.at), search.customer, search.customer);
      }
    }
  }

  // The searches of since's hour from since on (at_start), or of now's hour up to now, by keywords.
  EdgeSearches ReadEdge(bool at_start) {
    const std::int64_t hour = (at_start ? since_ : now_) / kSearchCountBucketMillis;
    const std::int64_t from = at_start ? since_ : std::max(since_, now_ - kSearchCountBucketMillis);
    const std::int64_t to = at_start ? std::min(now_, since_ + kSearchCountBucketMillis) : now_;
    EdgeSearches out;
    Statement s = db_.Prepare(
        "SELECT search_keywords, customer_id, created_at FROM user_behavior_analytics "
        "INDEXED BY user_behavior_analytics_tenant_searches "
        "WHERE tenant_id = ?1 AND action_type = 'search' AND search_keywords IS NOT NULL "
        "AND created_at BETWEEN ?2 AND ?3 AND (action_target IS NULL OR action_target <> 'results:0') "
        "AND created_at / 3600000 = ?4");
    s.Bind(1, tenant_id_).Bind(2, from).Bind(3, to).Bind(4, hour);
    while (s.Step()) {
      std::string keywords = NormalizeKeywords(s.Text(0));
      if (keywords.empty()) continue;
      out[std::move(keywords)].push_back(Search{s.Int(1), s.Int(2)});
    }
    return out;
  }

  Connection& db_;
  const std::int64_t tenant_id_;
  const std::int64_t since_;
  const std::int64_t now_;
  const double half_life_;
  std::optional<EdgeSearches> start_;
  std::optional<EdgeSearches> end_;
};

// One row of search_keyword_scores.
struct ScoredKeywords {
  std::string keywords;
  double score = 0;
  std::int64_t first_at = 0;
  std::int64_t last_at = 0;
  std::int64_t min_customer = 0;
  std::int64_t max_customer = 0;
};

ScoredKeywords ReadScored(const Statement& s) {
  return ScoredKeywords{s.Text(0), s.Double(1), s.Int(2), s.Int(3), s.Int(4), s.Int(5)};
}

class SqliteAnalytics final : public AnalyticsRepository {
 public:
  explicit SqliteAnalytics(Database& db) : db_(db) {}

  Status Append(const Scope& scope, const std::vector<BehaviorEvent>& events) override {
    for (const auto& e : events) {
      if (e.tenant_id != scope.tenant_id()) return Status::NotFound("tenant mismatch");
    }
    static const std::string kInsertOne = EventInsertSql(1);
    static const std::string kInsertMany = EventInsertSql(kEventsPerInsert);
    return db_.Write([&](Connection& db) -> Status {
      std::size_t next = 0;
      for (; events.size() - next >= kEventsPerInsert; next += kEventsPerInsert) {
        Statement s = db.Prepare(kInsertMany.c_str());
        for (std::size_t row = 0; row < kEventsPerInsert; ++row) {
          BindEvent(s, db_.sealed(), static_cast<int>(row) * kEventParameters, events[next + row]);
        }
        s.Run();
      }
      for (; next < events.size(); ++next) {
        Statement s = db.Prepare(kInsertOne.c_str());
        BindEvent(s, db_.sealed(), 0, events[next]);
        s.Run();
      }
      return Status::Ok();
    });
  }

  Result<Page<BehaviorEvent>> List(const Scope& scope, const BehaviorFilter& filter, PageRequest page) override {
    return db_.Read([&](Connection& db) -> Result<Page<BehaviorEvent>> {
      const std::optional<std::string_view> action =
          filter.action_type ? std::optional(EnumName(*filter.action_type)) : std::nullopt;
      Page<BehaviorEvent> out;
      {
        Statement s = db.Prepare("SELECT count(*) FROM user_behavior_analytics WHERE" SCOPE_WHERE
                                 "AND (?4 IS NULL OR action_type = ?4) AND (?5 IS NULL OR session_id = ?5)");
        BindScope(s, scope);
        s.Bind(4, action).Bind(5, filter.session_id);
        s.Step();
        out.total = s.Int(0);
      }
      Statement s = db.Prepare("SELECT " EVENT_COLUMNS " FROM user_behavior_analytics WHERE" SCOPE_WHERE
                               "AND (?4 IS NULL OR action_type = ?4) AND (?5 IS NULL OR session_id = ?5) "
                               "ORDER BY created_at DESC, id DESC LIMIT ?6 OFFSET ?7");
      BindScope(s, scope);
      s.Bind(4, action).Bind(5, filter.session_id);
      BindPage(s, 6, page);
      // One row that does not open fails the page rather than being left out of it silently.
      while (s.Step()) {
        auto event = ReadEvent(s, db_.sealed());
        if (!event.ok()) return event.status();
        out.items.push_back(std::move(event).value());
      }
      return out;
    });
  }

  Result<std::vector<SearchTrend>> TopSearches(const Scope& scope, const TrendQuery& query) override {
    if (query.limit <= 0 || query.since.millis > query.now.millis) return std::vector<SearchTrend>{};
    if (const char* column = ScoreColumn(query.half_life_millis)) return ScoredTopSearches(scope, query, column);
    return ScanTopSearches(scope, query);
  }

 private:
  // TopSearches by the running scores of migration 10 (see ScoredKeywords): the keywords most
  // likely to lead are weighed first, and the rest only while they could still enter.
  Result<std::vector<SearchTrend>> ScoredTopSearches(const Scope& scope, const TrendQuery& query,
                                                     std::string_view column) {
    const std::int64_t since = query.since.millis;
    const std::int64_t now = query.now.millis;
    const double half_life = static_cast<double>(query.half_life_millis);
    const double now_exponent = static_cast<double>(now) / half_life;
    const double slack = ScoreSlack(half_life);
    const auto limit = static_cast<std::size_t>(query.limit);
    return db_.Read([&](Connection& db) -> Result<std::vector<SearchTrend>> {
      WindowWeigher weigher(db, scope.tenant_id(), since, now, half_life);
      std::vector<SearchTrend> found;
      // The weights of the `limit` heaviest keywords found so far, least on top.
      std::priority_queue<double, std::vector<double>, std::greater<>> heaviest;
      // Weighs `candidate` unless it cannot enter; false when no later one can either.
      const auto consider = [&](const ScoredKeywords& candidate) {
        const double bound = std::exp2(candidate.score - now_exponent) * slack;
        if (heaviest.size() == limit && bound < heaviest.top()) return false;
        if (candidate.last_at < since || candidate.first_at > now) return true;
        if (scope.visibility() != Visibility::kTenant && candidate.min_customer == candidate.max_customer &&
            candidate.min_customer != scope.customer_id())
          return true;
        const TrendTotal total = weigher.Weigh(candidate.keywords);
        if (total.count == 0 || !SharedOrOwn(scope, total)) return true;
        found.push_back(SearchTrend{candidate.keywords, total.weight, total.count});
        heaviest.push(total.weight);
        if (heaviest.size() > limit) heaviest.pop();
        return true;
      };
      const bool day = column == "day_score";
      if (query.prefix.empty() && day) {
        // The index lists the tenant's keywords by score: read only as far as needed.
        Statement s = db.Prepare("SELECT keywords, day_score, first_at, last_at, min_customer, max_customer "
                                 "FROM search_keyword_scores INDEXED BY search_keyword_scores_tenant_day_score "
                                 "WHERE tenant_id = ?1 ORDER BY day_score DESC");
        s.Bind(1, scope.tenant_id());
        while (s.Step()) {
          if (!consider(ReadScored(s))) break;
        }
      } else {
        std::vector<ScoredKeywords> candidates;
        {
          // Keywords starting with the prefix are one range of the primary key. (Statements are
          // cached by the address of their text: literals only.)
#define SCORED_COLUMNS(score) "SELECT keywords, " score ", first_at, last_at, min_customer, max_customer "
#define SCORED_PREFIX "WHERE tenant_id = ?1 AND keywords >= ?2 AND keywords < coalesce(?3, x'')"
          const char* sql =
              query.prefix.empty()
                  ? (day ? SCORED_COLUMNS("day_score") "FROM search_keyword_scores WHERE tenant_id = ?1"
                         : SCORED_COLUMNS("week_score") "FROM search_keyword_scores WHERE tenant_id = ?1")
                  : (day ? SCORED_COLUMNS("day_score") "FROM search_keyword_scores " SCORED_PREFIX
                         : SCORED_COLUMNS("week_score") "FROM search_keyword_scores " SCORED_PREFIX);
#undef SCORED_PREFIX
#undef SCORED_COLUMNS
          Statement s = db.Prepare(sql);
          s.Bind(1, scope.tenant_id());
          if (!query.prefix.empty()) s.Bind(2, query.prefix).Bind(3, FirstAfterPrefix(query.prefix));
          while (s.Step()) candidates.push_back(ReadScored(s));
        }
        std::stable_sort(candidates.begin(), candidates.end(),
                         [](const ScoredKeywords& a, const ScoredKeywords& b) { return a.score > b.score; });
        for (const auto& candidate : candidates) {
          if (!consider(candidate)) break;
        }
      }
      std::sort(found.begin(), found.end(), [](const SearchTrend& a, const SearchTrend& b) {
        return a.weight != b.weight ? a.weight > b.weight : a.keywords < b.keywords;
      });
      if (found.size() > limit) found.resize(limit);
      return found;
    });
  }

  // TopSearches over every row of the window (half-lives without a score column).
  Result<std::vector<SearchTrend>> ScanTopSearches(const Scope& scope, const TrendQuery& query) {
    const std::int64_t since = query.since.millis;
    const std::int64_t now = query.now.millis;
    const double half_life = static_cast<double>(std::max<std::int64_t>(query.half_life_millis, 1));
    return db_.Read([&](Connection& db) -> Result<std::vector<SearchTrend>> {
      std::map<std::string, TrendTotal> totals;
      // Rows read by prefix come in keywords order: the last keywords' total is the next row's too.
      auto last = totals.end();
      const auto add = [&](const std::string& keywords, std::int64_t searches, double mean_at,
                           std::int64_t min_customer, std::int64_t max_customer) {
        if (last == totals.end() || last->first != keywords) last = totals.try_emplace(keywords).first;
        TrendTotal& total = last->second;
        total.weight += static_cast<double>(searches) * std::exp2(-(static_cast<double>(now) - mean_at) / half_life);
        total.count += searches;
        total.min_customer = std::min(total.min_customer, min_customer);
        total.max_customer = std::max(total.max_customer, max_customer);
      };
      WindowEdge start{since, std::numeric_limits<std::int64_t>::min(), {}};
      WindowEdge end{std::numeric_limits<std::int64_t>::max(), now, {}};
      {
        // Keywords starting with the prefix are one range of the primary key (the hour index is
        // kept out with "+hour"); without a prefix, the window's hours are one range of the other.
        // (Every text sorts before a blob: x'' ends a range that has no end.)
        Statement s = db.Prepare(
            query.prefix.empty()
                ? "SELECT keywords, hour, searches, offset_sum, first_at, last_at, min_customer, max_customer "
                  "FROM search_counts INDEXED BY search_counts_tenant_hour "
                  "WHERE tenant_id = ?1 AND hour BETWEEN ?2 AND ?3"
                : "SELECT keywords, hour, searches, offset_sum, first_at, last_at, min_customer, max_customer "
                  "FROM search_counts WHERE tenant_id = ?1 AND keywords >= ?4 AND keywords < coalesce(?5, x'') "
                  "AND +hour BETWEEN ?2 AND ?3 ORDER BY keywords");
        s.Bind(1, scope.tenant_id())
            .Bind(2, since / kSearchCountBucketMillis)
            .Bind(3, now / kSearchCountBucketMillis);
        if (!query.prefix.empty()) s.Bind(4, query.prefix).Bind(5, FirstAfterPrefix(query.prefix));
        while (s.Step()) {
          const std::int64_t first_at = s.Int(4);
          const std::int64_t last_at = s.Int(5);
          if (last_at < since || first_at > now) continue;
          if (first_at < since) {
            start.to = std::max(start.to, std::min(last_at, now));
            start.keywords.insert(s.Text(0));
          } else if (last_at > now) {
            end.from = std::min(end.from, first_at);
            end.keywords.insert(s.Text(0));
          } else {
            const std::int64_t searches = s.Int(2);
            const double mean_at = static_cast<double>(s.Int(1) * kSearchCountBucketMillis) +
                                   static_cast<double>(s.Int(3)) / static_cast<double>(searches);
            add(s.Text(0), searches, mean_at, s.Int(6), s.Int(7));
          }
        }
      }
      for (const WindowEdge* edge : {&start, &end}) {
        if (edge->keywords.empty()) continue;
        Statement s = db.Prepare(
            "SELECT search_keywords, customer_id, created_at FROM user_behavior_analytics "
            "INDEXED BY user_behavior_analytics_tenant_searches "
            "WHERE tenant_id = ?1 AND action_type = 'search' AND search_keywords IS NOT NULL "
            "AND created_at BETWEEN ?2 AND ?3 AND (action_target IS NULL OR action_target <> 'results:0')");
        s.Bind(1, scope.tenant_id()).Bind(2, edge->from).Bind(3, edge->to);
        while (s.Step()) {
          const std::string keywords = NormalizeKeywords(s.Text(0));
          if (!edge->keywords.contains(keywords)) continue;
          add(keywords, 1, static_cast<double>(s.Int(2)), s.Int(1), s.Int(1));
        }
      }
      std::vector<SearchTrend> out;
      for (auto& [keywords, total] : totals) {
        if (SharedOrOwn(scope, total)) out.push_back(SearchTrend{keywords, total.weight, total.count});
      }
      std::stable_sort(out.begin(), out.end(),
                       [](const SearchTrend& a, const SearchTrend& b) { return a.weight > b.weight; });
      const auto limit = static_cast<std::size_t>(std::max(query.limit, 0));
      if (out.size() > limit) out.resize(limit);
      return out;
    });
  }

  Database& db_;
};

class SqliteStore final : public Store {
 public:
  explicit SqliteStore(std::unique_ptr<Database> db)
      : db_(std::move(db)),
        configs_(*db_),
        sessions_(*db_),
        feedback_(*db_),
        analytics_(*db_),
        knowledge_(MakeKnowledgeRepository(*db_)),
        remote_state_(MakeRemoteStateRepository(*db_)),
        outbox_(MakeOutboxRepository(*db_)),
        service_status_(MakeServiceStatusRepository(*db_)),
        tickets_(MakeTicketRepository(*db_)),
        attachments_(MakeAttachmentRepository(*db_)),
        documents_(MakeDocumentRepository(*db_)),
        users_(MakeUserRepository(*db_)),
        login_sessions_(MakeSessionStore(*db_)),
        audit_(MakeAuditRepository(*db_)),
        search_(search::MakeLocalSearch(*db_)) {}

  std::string_view name() const override { return "sqlite"; }
  PortalConfigRepository& portal_configs() override { return configs_; }
  SessionRepository& sessions() override { return sessions_; }
  FeedbackRepository& feedback() override { return feedback_; }
  AnalyticsRepository& analytics() override { return analytics_; }
  KnowledgeRepository& knowledge() override { return *knowledge_; }
  RemoteStateRepository& remote_state() override { return *remote_state_; }
  OutboxRepository& outbox() override { return *outbox_; }
  ServiceStatusRepository& service_status() override { return *service_status_; }
  TicketRepository& tickets() override { return *tickets_; }
  AttachmentRepository& attachments() override { return *attachments_; }
  DocumentRepository& documents() override { return *documents_; }
  UserRepository& users() override { return *users_; }
  SessionStore& login_sessions() override { return *login_sessions_; }
  AuditRepository& audit() override { return *audit_; }
  SearchBackend& search() override { return *search_; }
  Result<BackupReport> Backup(const std::string& path) override { return db_->BackupTo(path); }
  Result<Vitals> ReadVitals() override {
    return db_->Read([](Connection& db) -> Result<Vitals> {
      // The partial index outbox_due covers exactly the pending rows, so this stays cheap however
      // many delivered items the outbox keeps.
      Statement s = db.Prepare(
          "SELECT count(*), min(created_at) FROM outbox WHERE delivered_at IS NULL AND abandoned = 0");
      s.Step();
      Vitals vitals;
      vitals.outbox_pending = s.Int(0);
      if (auto oldest = s.OptionalInt(1)) vitals.oldest_outbox_pending = Timestamp{*oldest};
      return vitals;
    });
  }
  Result<ReencryptionReport> ReencryptSensitiveFields() override { return sqlite::ReencryptSensitiveFields(*db_); }
  Result<ErasureReport> EraseUser(const Scope& scope, std::int64_t user_id) override {
    return sqlite::EraseUser(*db_, scope, user_id);
  }

 private:
  std::unique_ptr<Database> db_;
  SqlitePortalConfigs configs_;
  SqliteSessions sessions_;
  SqliteFeedback feedback_;
  SqliteAnalytics analytics_;
  std::unique_ptr<KnowledgeRepository> knowledge_;
  std::unique_ptr<RemoteStateRepository> remote_state_;
  std::unique_ptr<OutboxRepository> outbox_;
  std::unique_ptr<ServiceStatusRepository> service_status_;
  std::unique_ptr<TicketRepository> tickets_;
  std::unique_ptr<AttachmentRepository> attachments_;
  std::unique_ptr<DocumentRepository> documents_;
  std::unique_ptr<UserRepository> users_;
  std::unique_ptr<SessionStore> login_sessions_;
  std::unique_ptr<AuditRepository> audit_;
  std::unique_ptr<SearchBackend> search_;
};

}  // namespace

Result<std::unique_ptr<Store>> OpenSqliteStore(std::string_view uri, const StoreOptions& options) {
  constexpr std::string_view kScheme = "sqlite:";
  std::string_view target = uri.substr(kScheme.size());
  const bool memory = target == ":memory:";
  if (!memory && target.empty()) return Status::InvalidField("storage", field_code::kInvalid);
  // A memdb database whose name starts with "/" is shared by every connection of this process
  // that opens the same name; a random name keeps each portal's database private.
  const std::string filename = memory ? "file:/selfservice-" + RandomHex(16) + "?vfs=memdb" : std::string(target);
  auto db = Database::Open(filename, memory, options);
  if (!db.ok()) return db.status();
  return std::unique_ptr<Store>(std::make_unique<SqliteStore>(std::move(db).value()));
}

}  // namespace selfservice::sqlite

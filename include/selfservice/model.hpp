// The domain model of the customer self-service portal (REQ-019 section 3 and the entities its
// APIs imply), its validation rules and its JSON form.
//
// Field names are the spec's snake_case column names, and so are the JSON keys. Enumerators are
// spelled exactly as their wire values ("ai_chat", "in_progress") because the spec fixes those
// strings; one spelling everywhere beats a mapping table. Timestamps are UTC milliseconds since
// the Unix epoch in memory and ISO-8601 strings ending in "Z" in JSON.
//
// Validate() checks every constraint of spec 3.2/3.3 that a single object can check on its own:
// required fields, enumerations, ranges, lengths equal to the column sizes (VARCHAR(n) counts
// characters, TEXT holds 65,535 bytes) and formats (email, phone, URL, hex colour, domain name,
// IP address). Rules that need other objects or the stored state (state transitions, foreign
// objects) live in the engines.
//
// Thread safety: plain values.

#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "selfservice/context.hpp"
#include "selfservice/status.hpp"

namespace selfservice {

struct Timestamp {
  std::int64_t millis = 0;
  friend auto operator<=>(const Timestamp&, const Timestamp&) = default;
};

// --- Enumerations (wire spelling) -------------------------------------------------------------

enum class SessionType { search, ai_chat, ticket };
enum class SessionState { not_started, in_progress, paused, resolved, escalated, timed_out, rated, closed };
enum class ResolutionStatus { pending, resolved, escalated };
enum class InteractionType { question, answer, recommendation, feedback };
enum class FeedbackType { service, feature, bug, suggestion };
enum class RelatedType { ticket, knowledge, session };
enum class FeedbackState { pending, processing, processed, closed, needs_info, reprocessing };
enum class ActionType { view, search, click, download, submit };
enum class DeviceType { desktop, mobile, tablet };
enum class ArticleLang { zh, en };
enum class PublicationStatus { draft, published, archived };
// `new_` is the ticket status "new" on the wire and in storage: an enumerator that would be a C++
// keyword is spelled with a trailing underscore, which its wire name drops.
enum class TicketStatus { new_, open, in_progress, pending_customer, resolved, closed, reopened };
enum class TicketEventType { created, status_changed, comment, attachment_added, assigned };
enum class UploadStatus { uploading, complete, failed };
enum class ComponentStatus { operational, degraded_performance, partial_outage, major_outage, under_maintenance };
enum class MaintenanceStatus { scheduled, in_progress, completed, cancelled };
enum class IncidentStatus { investigating, identified, monitoring, resolved };
enum class AccountStatus { active, locked, disabled };

// The wire name of an enumerator, and the reverse; nullopt for an unknown name.
template <typename E> std::string_view EnumName(E value);
template <typename E> std::optional<E> ParseEnum(std::string_view name);

// The spec's integer for a feedback state (customer_feedback.status): pending 1, processing 2,
// processed 3, closed 4, needs_info 5, reprocessing 6.
int FeedbackStatusCode(FeedbackState state);

// --- Entities of spec 3.2 ---------------------------------------------------------------------

// customer_portal_configs: one per (tenant, customer).
struct PortalConfig {
  std::optional<std::int64_t> id;  // absent while the customer runs on defaults
  std::int64_t tenant_id = 0;
  std::int64_t customer_id = 0;
  std::optional<std::string> portal_domain;  // VARCHAR(100), a domain name
  std::string portal_title = "客户服务门户";     // VARCHAR(100) NOT NULL
  std::optional<std::string> logo_url;       // VARCHAR(255), http(s) URL
  std::optional<std::string> theme_color = std::string("#409EFF");  // VARCHAR(20), #RGB or #RRGGBB
  std::optional<std::string> welcome_message;                       // TEXT
  std::optional<boost::json::value> contact_info;  // JSON object: email, phone, address, hours, url
  std::vector<std::string> enabled_features;       // JSON NOT NULL; empty enables everything
  std::optional<std::string> custom_css;           // TEXT, no markup or script
  std::optional<boost::json::value> sso_config;        // JSON object
  std::optional<boost::json::value> security_settings;  // JSON object
  int status = 1;                                       // 1 enabled, 2 disabled
  Timestamp created_at;
  Timestamp updated_at;
  std::optional<std::int64_t> created_by;
  std::optional<std::int64_t> updated_by;
};

// The features a portal can enable (enabled_features entries).
const std::vector<std::string_view>& KnownFeatures();

// The dimensions a feedback may rate (Feedback::ratings keys): resolution, speed, attitude,
// knowledge, ease.
const std::vector<std::string_view>& FeedbackDimensions();

// self_service_sessions, with `state` as the lifecycle of spec 5.2.
struct Session {
  std::int64_t id = 0;
  std::string session_id;  // VARCHAR(64)
  std::int64_t tenant_id = 0;
  std::int64_t customer_id = 0;
  std::int64_t user_id = 0;
  SessionType session_type = SessionType::search;
  std::string initial_question;  // TEXT; empty while not_started
  std::optional<boost::json::value> session_context;
  SessionState state = SessionState::not_started;
  ResolutionStatus resolution_status = ResolutionStatus::pending;
  std::optional<int> satisfaction_score;  // 1-5
  std::optional<std::string> feedback_content;
  std::int64_t session_duration = 0;  // seconds from created_at to ended_at (or to now while open)
  std::int64_t interaction_count = 0;
  Timestamp created_at;
  Timestamp updated_at;
  std::optional<Timestamp> ended_at;
};

// session_interactions.
struct Interaction {
  std::int64_t id = 0;
  std::string session_id;
  std::int64_t tenant_id = 0;
  InteractionType interaction_type = InteractionType::question;
  std::optional<std::string> user_input;       // TEXT
  std::optional<std::string> system_response;  // TEXT
  std::optional<double> ai_confidence;         // DECIMAL(3,2), 0-1
  std::optional<std::int64_t> response_time;   // milliseconds, >= 0
  std::vector<std::int64_t> knowledge_article_ids;
  std::optional<int> helpful_rating;  // 1-5
  Timestamp created_at;
};

// customer_feedback, with `state` as the lifecycle of spec 5.2 (the column `status` is its code).
struct Feedback {
  std::int64_t id = 0;
  std::int64_t tenant_id = 0;
  std::int64_t customer_id = 0;
  std::int64_t user_id = 0;
  FeedbackType feedback_type = FeedbackType::service;
  std::optional<std::string> related_id;  // VARCHAR(100); required with related_type (rule 3)
  std::optional<RelatedType> related_type;
  std::optional<int> rating;  // 1-5
  std::optional<std::string> feedback_content;
  std::optional<std::string> suggestions;
  bool contact_required = false;
  int priority_level = 2;                // 1 high, 2 medium, 3 low
  std::optional<double> sentiment_score;  // DECIMAL(3,2), -1..1
  // Ratings per dimension (FeedbackDimensions()), each 1-5, beside the overall `rating`.
  std::map<std::string, int> ratings;
  // Who scored the sentiment: the AI provider's name ("req013") or "lexicon" (docs/API.md).
  std::optional<std::string> sentiment_source;
  FeedbackState state = FeedbackState::pending;
  std::optional<std::int64_t> processed_by;
  std::optional<Timestamp> processed_at;
  std::optional<std::string> response_content;
  Timestamp created_at;
  Timestamp updated_at;
};

// user_behavior_analytics: one behaviour event.
struct BehaviorEvent {
  std::int64_t id = 0;
  std::int64_t tenant_id = 0;
  std::int64_t customer_id = 0;
  std::int64_t user_id = 0;
  std::optional<std::string> session_id;  // VARCHAR(64)
  std::string page_path;                  // VARCHAR(255) NOT NULL
  ActionType action_type = ActionType::view;
  std::optional<std::string> action_target;    // VARCHAR(255)
  std::optional<std::string> search_keywords;  // VARCHAR(500)
  std::int64_t stay_duration = 0;              // seconds
  std::optional<DeviceType> device_type;
  std::optional<std::string> browser_info;  // VARCHAR(100)
  std::optional<std::string> ip_address;    // VARCHAR(45), IPv4 or IPv6
  std::optional<std::string> user_agent;    // TEXT
  std::optional<std::string> referrer_url;  // VARCHAR(500), URL
  Timestamp created_at;
};

// --- Entities the spec's APIs imply (stored by later capabilities) ------------------------------

struct KnowledgeArticle {
  std::int64_t id = 0;
  std::int64_t tenant_id = 0;
  std::optional<std::string> external_id;  // the source's own id, unique per tenant; 100 chars
  std::string title;                       // 255 chars
  std::string body;                        // up to 1 MiB
  std::optional<std::string> category;     // 100 chars
  std::vector<std::string> tags;           // each 100 chars, at most 50 tags
  ArticleLang lang = ArticleLang::zh;
  std::optional<std::string> source;  // 100 chars
  std::optional<std::string> url;     // 500 chars, URL or site-relative path
  PublicationStatus status = PublicationStatus::published;
  std::int64_t helpful_votes = 0;
  std::int64_t unhelpful_votes = 0;
  std::int64_t views = 0;
  Timestamp updated_at;
};

struct Ticket {
  std::int64_t id = 0;
  std::int64_t tenant_id = 0;
  std::int64_t customer_id = 0;
  std::int64_t user_id = 0;
  std::optional<std::string> external_id;  // id in the platform's ticket system; 100 chars
  std::optional<std::string> session_id;   // the self-service session it escalated
  std::string title;                       // 200 chars
  std::string description;                 // TEXT
  std::optional<std::string> category;     // 100 chars
  int priority = 2;                        // 1 high, 2 medium, 3 low
  TicketStatus status = TicketStatus::new_;
  std::optional<std::string> contact_email;
  std::optional<std::string> contact_phone;
  Timestamp created_at;
  Timestamp updated_at;
  std::optional<Timestamp> closed_at;
  // The owner's locale when the ticket was created: the language of its notifications.
  std::optional<Locale> locale;
  // The platform ticket service's updated_at of the newest state tickets.sync applied (REQ-003):
  // an older state arriving late is not applied over it.
  std::optional<Timestamp> remote_updated_at;
};

// One entry of a ticket's history.
struct TicketEvent {
  std::int64_t id = 0;
  std::int64_t tenant_id = 0;
  std::int64_t ticket_id = 0;
  TicketEventType event_type = TicketEventType::created;
  std::optional<TicketStatus> from_status;
  std::optional<TicketStatus> to_status;
  std::optional<std::string> comment;  // TEXT
  std::optional<std::int64_t> actor_id;
  Timestamp created_at;
};

struct Attachment {
  std::int64_t id = 0;
  std::int64_t tenant_id = 0;
  std::int64_t ticket_id = 0;
  std::string file_name;     // 255 chars, no path separators
  std::string content_type;  // 100 chars, type/subtype
  std::int64_t size_bytes = 0;
  std::int64_t uploaded_bytes = 0;  // <= size_bytes; resumable uploads continue from here
  std::optional<std::string> sha256;  // 64 lowercase hex digits
  UploadStatus status = UploadStatus::uploading;
  Timestamp created_at;
};

struct Document {
  std::int64_t id = 0;
  std::int64_t tenant_id = 0;
  std::optional<std::int64_t> customer_id;  // absent: for every customer of the tenant
  std::string title;                        // 200 chars
  std::optional<std::string> description;   // TEXT
  std::optional<std::string> category;      // 100 chars
  std::string file_name;                    // 255 chars
  std::string content_type;                 // 100 chars
  std::int64_t size_bytes = 0;
  std::string version = "1.0";  // 20 chars
  std::optional<ArticleLang> lang;
  std::int64_t download_count = 0;
  PublicationStatus status = PublicationStatus::published;
  Timestamp created_at;
  Timestamp updated_at;
};

struct ServiceComponent {
  std::int64_t id = 0;
  std::int64_t tenant_id = 0;
  std::string name;                        // 100 chars
  std::optional<std::string> description;  // TEXT
  std::optional<std::string> group_name;   // 100 chars
  ComponentStatus status = ComponentStatus::operational;
  Timestamp updated_at;
};

struct MaintenanceWindow {
  std::int64_t id = 0;
  std::int64_t tenant_id = 0;
  std::string title;                       // 200 chars
  std::optional<std::string> description;  // TEXT
  std::vector<std::int64_t> component_ids;
  Timestamp starts_at;
  Timestamp ends_at;  // after starts_at
  MaintenanceStatus status = MaintenanceStatus::scheduled;
  Timestamp created_at;
};

struct UserAccount {
  std::int64_t id = 0;
  std::int64_t tenant_id = 0;
  std::int64_t customer_id = 0;
  std::string username;                     // 64 chars: letters, digits, . _ -
  std::optional<std::string> email;         // 255 chars
  std::optional<std::string> phone;         // 20 chars, E.164-like
  std::optional<std::string> display_name;  // 100 chars
  std::vector<std::string> roles;           // customer_user, customer_admin, platform_admin
  AccountStatus status = AccountStatus::active;
  bool mfa_enabled = false;
  Timestamp created_at;
  Timestamp updated_at;
  std::optional<Timestamp> last_login_at;
};

// --- Validation -------------------------------------------------------------------------------

std::vector<FieldError> Validate(const PortalConfig& value);
std::vector<FieldError> Validate(const Session& value);
std::vector<FieldError> Validate(const Interaction& value);
std::vector<FieldError> Validate(const Feedback& value);
std::vector<FieldError> Validate(const BehaviorEvent& value);
std::vector<FieldError> Validate(const KnowledgeArticle& value);
std::vector<FieldError> Validate(const Ticket& value);
std::vector<FieldError> Validate(const TicketEvent& value);
std::vector<FieldError> Validate(const Attachment& value);
std::vector<FieldError> Validate(const Document& value);
std::vector<FieldError> Validate(const ServiceComponent& value);
std::vector<FieldError> Validate(const MaintenanceWindow& value);
std::vector<FieldError> Validate(const UserAccount& value);

// --- JSON -------------------------------------------------------------------------------------

// The JSON object of an entity, every field present (null where absent). Feedback adds its
// integer `status`.
boost::json::value ToJson(const PortalConfig& value);
boost::json::value ToJson(const Session& value);
boost::json::value ToJson(const Interaction& value);
boost::json::value ToJson(const Feedback& value);
boost::json::value ToJson(const BehaviorEvent& value);
boost::json::value ToJson(const KnowledgeArticle& value);
boost::json::value ToJson(const Ticket& value);
boost::json::value ToJson(const TicketEvent& value);
boost::json::value ToJson(const Attachment& value);
boost::json::value ToJson(const Document& value);
boost::json::value ToJson(const ServiceComponent& value);
boost::json::value ToJson(const MaintenanceWindow& value);
boost::json::value ToJson(const UserAccount& value);

// Overwrites the fields of `into` that `json` names, leaving the others as they are, and reports
// a field error for each key whose JSON type does not fit the field (unknown keys are ignored).
// On error, fields that did fit may already have been written: decode into a copy.
std::vector<FieldError> MergeJson(const boost::json::object& json, PortalConfig& into);
std::vector<FieldError> MergeJson(const boost::json::object& json, Session& into);
std::vector<FieldError> MergeJson(const boost::json::object& json, Interaction& into);
std::vector<FieldError> MergeJson(const boost::json::object& json, Feedback& into);
std::vector<FieldError> MergeJson(const boost::json::object& json, BehaviorEvent& into);
std::vector<FieldError> MergeJson(const boost::json::object& json, KnowledgeArticle& into);
std::vector<FieldError> MergeJson(const boost::json::object& json, Ticket& into);
std::vector<FieldError> MergeJson(const boost::json::object& json, TicketEvent& into);
std::vector<FieldError> MergeJson(const boost::json::object& json, Attachment& into);
std::vector<FieldError> MergeJson(const boost::json::object& json, Document& into);
std::vector<FieldError> MergeJson(const boost::json::object& json, ServiceComponent& into);
std::vector<FieldError> MergeJson(const boost::json::object& json, MaintenanceWindow& into);
std::vector<FieldError> MergeJson(const boost::json::object& json, UserAccount& into);

// "2025-08-15T10:00:00.000Z" (milliseconds) and the reverse; nullopt for a malformed string.
std::string FormatTimestamp(Timestamp t);
std::optional<Timestamp> ParseTimestamp(std::string_view text);

}  // namespace selfservice

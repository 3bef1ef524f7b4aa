// Boost.Describe reflection of the public model, so JSON conversion and enum names are written
// once, generically, instead of once per field. Private: hosts see only model.hpp.

#pragma once

#include <string_view>

#include <boost/describe.hpp>

#include "selfservice/model.hpp"

namespace selfservice {

// The wire name of a described enumerator: its name without the trailing underscore that spells a
// C++ keyword ("new_" is "new").
constexpr std::string_view WireName(std::string_view described) {
  return !described.empty() && described.back() == '_' ? described.substr(0, described.size() - 1) : described;
}

BOOST_DESCRIBE_ENUM(SessionType, search, ai_chat, ticket)
BOOST_DESCRIBE_ENUM(SessionState, not_started, in_progress, paused, resolved, escalated, timed_out,
                    rated, closed)
BOOST_DESCRIBE_ENUM(ResolutionStatus, pending, resolved, escalated)
BOOST_DESCRIBE_ENUM(InteractionType, question, answer, recommendation, feedback)
BOOST_DESCRIBE_ENUM(FeedbackType, service, feature, bug, suggestion)
BOOST_DESCRIBE_ENUM(RelatedType, ticket, knowledge, session)
BOOST_DESCRIBE_ENUM(FeedbackState, pending, processing, processed, closed, needs_info, reprocessing)
BOOST_DESCRIBE_ENUM(ActionType, view, search, click, download, submit)
BOOST_DESCRIBE_ENUM(DeviceType, desktop, mobile, tablet)
BOOST_DESCRIBE_ENUM(ArticleLang, zh, en)
BOOST_DESCRIBE_ENUM(PublicationStatus, draft, published, archived)
BOOST_DESCRIBE_ENUM(TicketStatus, new_, open, in_progress, pending_customer, resolved, closed, reopened)
BOOST_DESCRIBE_ENUM(TicketEventType, created, status_changed, comment, attachment_added, assigned)
BOOST_DESCRIBE_ENUM(UploadStatus, uploading, complete, failed)
BOOST_DESCRIBE_ENUM(ComponentStatus, operational, degraded_performance, partial_outage, major_outage,
                    under_maintenance)
BOOST_DESCRIBE_ENUM(MaintenanceStatus, scheduled, in_progress, completed, cancelled)
BOOST_DESCRIBE_ENUM(IncidentStatus, investigating, identified, monitoring, resolved)
BOOST_DESCRIBE_ENUM(AccountStatus, active, locked, disabled)

BOOST_DESCRIBE_STRUCT(PortalConfig, (),
                      (id, tenant_id, customer_id, portal_domain, portal_title, logo_url, theme_color,
                       welcome_message, contact_info, enabled_features, custom_css, sso_config,
                       security_settings, status, created_at, updated_at, created_by, updated_by))
BOOST_DESCRIBE_STRUCT(Session, (),
                      (id, session_id, tenant_id, customer_id, user_id, session_type, initial_question,
                       session_context, state, resolution_status, satisfaction_score, feedback_content,
                       session_duration, interaction_count, created_at, updated_at, ended_at))
BOOST_DESCRIBE_STRUCT(Interaction, (),
                      (id, session_id, tenant_id, interaction_type, user_input, system_response,
                       ai_confidence, response_time, knowledge_article_ids, helpful_rating, created_at))
BOOST_DESCRIBE_STRUCT(Feedback, (),
                      (id, tenant_id, customer_id, user_id, feedback_type, related_id, related_type,
                       rating, feedback_content, suggestions, contact_required, priority_level,
                       sentiment_score, ratings, sentiment_source, state, processed_by, processed_at, response_content, created_at,
                       updated_at))
BOOST_DESCRIBE_STRUCT(BehaviorEvent, (),
                      (id, tenant_id, customer_id, user_id, session_id, page_path, action_type,
                       action_target, search_keywords, stay_duration, device_type, browser_info,
                       ip_address, user_agent, referrer_url, created_at))
BOOST_DESCRIBE_STRUCT(KnowledgeArticle, (),
                      (id, tenant_id, external_id, title, body, category, tags, lang, source, url, status,
                       helpful_votes, unhelpful_votes, views, updated_at))
BOOST_DESCRIBE_STRUCT(Ticket, (),
                      (id, tenant_id, customer_id, user_id, external_id, session_id, title, description,
                       category, priority, status, contact_email, contact_phone, created_at, updated_at,
                       closed_at))
BOOST_DESCRIBE_STRUCT(TicketEvent, (),
                      (id, tenant_id, ticket_id, event_type, from_status, to_status, comment, actor_id,
                       created_at))
BOOST_DESCRIBE_STRUCT(Attachment, (),
                      (id, tenant_id, ticket_id, file_name, content_type, size_bytes, uploaded_bytes,
                       sha256, status, created_at))
BOOST_DESCRIBE_STRUCT(Document, (),
                      (id, tenant_id, customer_id, title, description, category, file_name, content_type,
                       size_bytes, version, lang, download_count, status, created_at, updated_at))
BOOST_DESCRIBE_STRUCT(ServiceComponent, (),
                      (id, tenant_id, name, description, group_name, status, updated_at))
BOOST_DESCRIBE_STRUCT(MaintenanceWindow, (),
                      (id, tenant_id, title, description, component_ids, starts_at, ends_at, status,
                       created_at))
BOOST_DESCRIBE_STRUCT(UserAccount, (),
                      (id, tenant_id, customer_id, username, email, phone, display_name, roles, status,
                       mfa_enabled, created_at, updated_at, last_login_at))

}  // namespace selfservice

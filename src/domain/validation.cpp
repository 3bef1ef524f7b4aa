// Validate(): the single-object constraints of REQ-019 3.2/3.3 for every entity of model.hpp.

#include <algorithm>
#include <iterator>
#include <type_traits>

#include "domain/enum_names.hpp"
#include "domain/rules.hpp"
#include "selfservice/model.hpp"

namespace selfservice {
namespace {

template <typename T> struct IsOptionalEnum : std::false_type {};
template <typename E> struct IsOptionalEnum<std::optional<E>> : std::is_enum<E> {};

constexpr std::size_t kMaxTags = 50;
// A tag may be a chapter or section title (the corpus tags articles with their heading path).
constexpr std::size_t kMaxTagChars = 100;
constexpr std::size_t kMaxArticleBytes = 1 << 20;

// An http(s) URL, or a relative reference (RFC 3986 4.2) such as "/kb/1001" or the corpus's
// "basic-defs.en.html#whatisfaq", resolved by the host against its document root. A reference
// with a scheme ("javascript:") or a network path ("//host") is refused.
bool IsUrlOrRelativeReference(std::string_view text) {
  if (IsHttpUrl(text)) return true;
  if (text.empty() || text == "/" || text.substr(0, 2) == "//") return false;
  const std::size_t colon = text.find(':');
  if (colon != std::string_view::npos && colon < text.find_first_of("/?#")) return false;
  return std::none_of(text.begin(), text.end(), [](char c) {
    return static_cast<unsigned char>(c) <= 0x20 || c == 0x7F || c == '"' || c == '<' || c == '>' || c == '\\';
  });
}

bool IsFileName(std::string_view text) {
  return !text.empty() && text != "." && text != ".." &&
         std::none_of(text.begin(), text.end(), [](char c) {
           return c == '/' || c == '\\' || static_cast<unsigned char>(c) < 0x20;
         });
}

bool IsMediaType(std::string_view text) {
  const std::size_t slash = text.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 == text.size()) return false;
  return std::all_of(text.begin(), text.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '/' || c == '.' || c == '+' || c == '-' ||
           c == '_' || c == ';' || c == '=' || c == ' ';
  });
}

bool IsSha256Hex(std::string_view text) {
  return text.size() == 64 &&
         std::all_of(text.begin(), text.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

bool IsUsername(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
  });
}

void CheckTenant(FieldChecker& check, std::int64_t tenant_id) {
  if (tenant_id <= 0) check.Add("tenant_id", field_code::kRequired);
}

void CheckOwner(FieldChecker& check, std::int64_t tenant_id, std::int64_t customer_id, std::int64_t user_id) {
  CheckTenant(check, tenant_id);
  if (customer_id <= 0) check.Add("customer_id", field_code::kRequired);
  if (user_id <= 0) check.Add("user_id", field_code::kRequired);
}

void CheckContactInfo(FieldChecker& check, const std::optional<boost::json::value>& contact) {
  static constexpr std::string_view kKeys[] = {"email", "phone", "address", "hours", "url"};
  check.JsonObject("contact_info", contact);
  if (!contact || !contact->is_object() || check.HasErrorFor("contact_info")) return;
  for (const auto& [key, value] : contact->get_object()) {
    const std::string field = "contact_info." + std::string(key);
    if (std::find(std::begin(kKeys), std::end(kKeys), std::string_view(key)) == std::end(kKeys)) {
      check.Add(field, field_code::kNotAllowed, {{"allowed", "email, phone, address, hours, url"}});
      continue;
    }
    if (!value.is_string()) {
      check.Add(field, field_code::kInvalid);
      continue;
    }
    const std::string_view text(value.get_string());
    if (Utf8Length(text) > 255) {
      check.Add(field, field_code::kTooLong, {{"max", "255"}});
    } else if (key == "email") {
      check.Format(field, IsEmail(text));
    } else if (key == "phone") {
      check.Format(field, IsPhone(text));
    } else if (key == "url") {
      check.Format(field, IsHttpUrl(text));
    }
  }
}

// VALUE_NOT_ALLOWED for every enumeration field holding a value that is not one of its
// enumerators (only a cast can produce one, for example from a C host or a damaged row).
template <typename T>
void CheckEnums(FieldChecker& check, const T& value) {
  boost::mp11::mp_for_each<boost::describe::describe_members<T, boost::describe::mod_public>>(
      [&](auto member) {
        using Field = std::remove_cvref_t<decltype(value.*member.pointer)>;
        if constexpr (std::is_enum_v<Field>) {
          if (EnumName(value.*member.pointer).empty()) {
            check.Add(member.name, field_code::kNotAllowed, {{"allowed", EnumNameList<Field>()}});
          }
        } else if constexpr (IsOptionalEnum<Field>::value) {
          const auto& field = value.*member.pointer;
          if (field && EnumName(*field).empty()) {
            check.Add(member.name, field_code::kNotAllowed,
                      {{"allowed", EnumNameList<typename Field::value_type>()}});
          }
        }
      });
}

}  // namespace

std::vector<FieldError> Validate(const PortalConfig& v) {
  FieldChecker check;
  CheckEnums(check, v);
  CheckTenant(check, v.tenant_id);
  if (v.customer_id <= 0) check.Add("customer_id", field_code::kRequired);
  check.MaxChars("portal_domain", v.portal_domain, 100);
  check.Format("portal_domain", v.portal_domain, IsDomainName);
  check.Required("portal_title", v.portal_title, 100);
  check.MaxChars("logo_url", v.logo_url, 255);
  check.Format("logo_url", v.logo_url, IsHttpUrl);
  check.MaxChars("theme_color", v.theme_color, 20);
  check.Format("theme_color", v.theme_color, IsHexColor);
  check.MaxBytes("welcome_message", v.welcome_message, kTextBytes);
  CheckContactInfo(check, v.contact_info);
  const auto& known = KnownFeatures();
  for (const auto& feature : v.enabled_features) {
    if (std::find(known.begin(), known.end(), feature) == known.end()) {
      std::string allowed;
      for (auto name : known) allowed += (allowed.empty() ? "" : ", ") + std::string(name);
      check.Add("enabled_features", field_code::kNotAllowed, {{"allowed", allowed}});
      break;
    }
  }
  check.MaxBytes("custom_css", v.custom_css, kTextBytes);
  check.Format("custom_css", v.custom_css, IsSafeCss);
  check.JsonObject("sso_config", v.sso_config);
  check.JsonObject("security_settings", v.security_settings);
  check.Range("status", v.status, 1, 2);
  return check.Take();
}

std::vector<FieldError> Validate(const Session& v) {
  FieldChecker check;
  CheckEnums(check, v);
  check.Required("session_id", v.session_id, 64);
  CheckOwner(check, v.tenant_id, v.customer_id, v.user_id);
  check.MaxBytes("initial_question", v.initial_question, kTextBytes);
  if (v.state != SessionState::not_started && IsBlank(v.initial_question)) {
    check.Add("initial_question", field_code::kRequired);
  }
  check.JsonObject("session_context", v.session_context);
  check.Range("satisfaction_score", v.satisfaction_score, 1, 5);
  check.MaxBytes("feedback_content", v.feedback_content, kTextBytes);
  check.Range("session_duration", v.session_duration, 0, INT32_MAX);
  check.Range("interaction_count", v.interaction_count, 0, INT32_MAX);
  return check.Take();
}

std::vector<FieldError> Validate(const Interaction& v) {
  FieldChecker check;
  CheckEnums(check, v);
  check.Required("session_id", v.session_id, 64);
  CheckTenant(check, v.tenant_id);
  check.MaxBytes("user_input", v.user_input, kTextBytes);
  check.MaxBytes("system_response", v.system_response, kTextBytes);
  check.Range("ai_confidence", v.ai_confidence, 0.0, 1.0);
  check.Range("response_time", v.response_time, 0, INT32_MAX);
  check.Range("helpful_rating", v.helpful_rating, 1, 5);
  if (v.knowledge_article_ids.size() > 100) check.Add("knowledge_article_ids", field_code::kTooLong, {{"max", "100"}});
  if (std::any_of(v.knowledge_article_ids.begin(), v.knowledge_article_ids.end(), [](auto id) { return id <= 0; })) {
    check.Add("knowledge_article_ids", field_code::kInvalid);
  }
  if (v.interaction_type == InteractionType::question && (!v.user_input || IsBlank(*v.user_input))) {
    check.Add("user_input", field_code::kRequired);
  }
  return check.Take();
}

std::vector<FieldError> Validate(const Feedback& v) {
  FieldChecker check;
  CheckEnums(check, v);
  CheckOwner(check, v.tenant_id, v.customer_id, v.user_id);
  // Rule 3 of spec 3.3: feedback is always about a ticket, an article or a session.
  if (!v.related_type) check.Add("related_type", field_code::kRequired);
  if (!v.related_id || v.related_id->empty()) {
    check.Add("related_id", field_code::kRequired);
  } else {
    check.MaxChars("related_id", v.related_id, 100);
  }
  check.Range("rating", v.rating, 1, 5);
  check.MaxBytes("feedback_content", v.feedback_content, kTextBytes);
  check.MaxBytes("suggestions", v.suggestions, kTextBytes);
  check.Range("priority_level", v.priority_level, 1, 3);
  check.Range("sentiment_score", v.sentiment_score, -1.0, 1.0);
  const auto& dimensions = FeedbackDimensions();
  for (const auto& [dimension, rating] : v.ratings) {
    if (std::find(dimensions.begin(), dimensions.end(), dimension) == dimensions.end()) {
      // Named "ratings", not after the key: a caller's key is not echoed into the answer.
      std::string allowed;
      for (auto name : dimensions) allowed += (allowed.empty() ? "" : ", ") + std::string(name);
      if (!check.HasErrorFor("ratings")) check.Add("ratings", field_code::kNotAllowed, {{"allowed", allowed}});
    } else {
      check.Range("ratings." + dimension, rating, 1, 5);
    }
  }
  check.MaxChars("sentiment_source", v.sentiment_source, 32);
  check.MaxBytes("response_content", v.response_content, kTextBytes);
  return check.Take();
}

std::vector<FieldError> Validate(const BehaviorEvent& v) {
  FieldChecker check;
  CheckEnums(check, v);
  CheckOwner(check, v.tenant_id, v.customer_id, v.user_id);
  check.MaxChars("session_id", v.session_id, 64);
  check.Required("page_path", v.page_path, 255);
  check.MaxChars("action_target", v.action_target, 255);
  check.MaxChars("search_keywords", v.search_keywords, 500);
  check.Range("stay_duration", v.stay_duration, 0, INT32_MAX);
  check.MaxChars("browser_info", v.browser_info, 100);
  check.MaxChars("ip_address", v.ip_address, 45);
  check.Format("ip_address", v.ip_address, IsIpAddress);
  check.MaxBytes("user_agent", v.user_agent, kTextBytes);
  check.MaxChars("referrer_url", v.referrer_url, 500);
  check.Format("referrer_url", v.referrer_url, IsHttpUrl);
  return check.Take();
}

std::vector<FieldError> Validate(const KnowledgeArticle& v) {
  FieldChecker check;
  CheckEnums(check, v);
  CheckTenant(check, v.tenant_id);
  check.MaxChars("external_id", v.external_id, 100);
  check.Required("title", v.title, 255);
  check.MaxBytes("body", v.body, kMaxArticleBytes);
  check.MaxChars("category", v.category, 100);
  if (v.tags.size() > kMaxTags) check.Add("tags", field_code::kTooLong, {{"max", std::to_string(kMaxTags)}});
  for (const auto& tag : v.tags) {
    if (tag.empty() || Utf8Length(tag) > kMaxTagChars) {
      check.Add("tags", field_code::kInvalid);
      break;
    }
  }
  check.MaxChars("source", v.source, 100);
  check.MaxChars("url", v.url, 500);
  check.Format("url", v.url, IsUrlOrRelativeReference);
  check.Range("helpful_votes", v.helpful_votes, 0, INT64_MAX);
  check.Range("unhelpful_votes", v.unhelpful_votes, 0, INT64_MAX);
  check.Range("views", v.views, 0, INT64_MAX);
  return check.Take();
}

std::vector<FieldError> Validate(const Ticket& v) {
  FieldChecker check;
  CheckEnums(check, v);
  CheckOwner(check, v.tenant_id, v.customer_id, v.user_id);
  check.MaxChars("external_id", v.external_id, 100);
  check.MaxChars("session_id", v.session_id, 64);
  check.Required("title", v.title, 200);
  check.RequiredText("description", v.description, kTextBytes);
  check.MaxChars("category", v.category, 100);
  check.Range("priority", v.priority, 1, 3);
  check.MaxChars("contact_email", v.contact_email, 255);
  check.Format("contact_email", v.contact_email, IsEmail);
  check.MaxChars("contact_phone", v.contact_phone, 20);
  check.Format("contact_phone", v.contact_phone, IsPhone);
  return check.Take();
}

std::vector<FieldError> Validate(const TicketEvent& v) {
  FieldChecker check;
  CheckEnums(check, v);
  CheckTenant(check, v.tenant_id);
  if (v.ticket_id <= 0) check.Add("ticket_id", field_code::kRequired);
  if (v.event_type == TicketEventType::status_changed && !v.to_status) check.Add("to_status", field_code::kRequired);
  check.MaxBytes("comment", v.comment, kTextBytes);
  if (v.event_type == TicketEventType::comment && (!v.comment || v.comment->empty())) {
    check.Add("comment", field_code::kRequired);
  }
  return check.Take();
}

std::vector<FieldError> Validate(const Attachment& v) {
  FieldChecker check;
  CheckEnums(check, v);
  CheckTenant(check, v.tenant_id);
  if (v.ticket_id <= 0) check.Add("ticket_id", field_code::kRequired);
  check.Required("file_name", v.file_name, 255);
  if (!check.HasErrorFor("file_name")) check.Format("file_name", IsFileName(v.file_name));
  check.Required("content_type", v.content_type, 100);
  if (!check.HasErrorFor("content_type")) check.Format("content_type", IsMediaType(v.content_type));
  check.Range("size_bytes", v.size_bytes, 0, INT64_MAX);
  check.Range("uploaded_bytes", v.uploaded_bytes, 0, std::max<std::int64_t>(v.size_bytes, 0));
  check.Format("sha256", v.sha256, IsSha256Hex);
  return check.Take();
}

std::vector<FieldError> Validate(const Document& v) {
  FieldChecker check;
  CheckEnums(check, v);
  CheckTenant(check, v.tenant_id);
  if (v.customer_id && *v.customer_id <= 0) check.Add("customer_id", field_code::kInvalid);
  check.Required("title", v.title, 200);
  check.MaxBytes("description", v.description, kTextBytes);
  check.MaxChars("category", v.category, 100);
  check.Required("file_name", v.file_name, 255);
  if (!check.HasErrorFor("file_name")) check.Format("file_name", IsFileName(v.file_name));
  check.Required("content_type", v.content_type, 100);
  if (!check.HasErrorFor("content_type")) check.Format("content_type", IsMediaType(v.content_type));
  check.Range("size_bytes", v.size_bytes, 0, INT64_MAX);
  check.Required("version", v.version, 20);
  check.Range("download_count", v.download_count, 0, INT64_MAX);
  return check.Take();
}

std::vector<FieldError> Validate(const ServiceComponent& v) {
  FieldChecker check;
  CheckEnums(check, v);
  CheckTenant(check, v.tenant_id);
  check.Required("name", v.name, 100);
  check.MaxBytes("description", v.description, kTextBytes);
  check.MaxChars("group_name", v.group_name, 100);
  return check.Take();
}

std::vector<FieldError> Validate(const MaintenanceWindow& v) {
  FieldChecker check;
  CheckEnums(check, v);
  CheckTenant(check, v.tenant_id);
  check.Required("title", v.title, 200);
  check.MaxBytes("description", v.description, kTextBytes);
  if (v.ends_at <= v.starts_at) check.Add("ends_at", field_code::kOutOfRange, {{"min", "starts_at"}, {"max", "-"}});
  if (std::any_of(v.component_ids.begin(), v.component_ids.end(), [](auto id) { return id <= 0; })) {
    check.Add("component_ids", field_code::kInvalid);
  }
  return check.Take();
}

std::vector<FieldError> Validate(const UserAccount& v) {
  FieldChecker check;
  CheckEnums(check, v);
  CheckTenant(check, v.tenant_id);
  if (v.customer_id <= 0) check.Add("customer_id", field_code::kRequired);
  check.Required("username", v.username, 64);
  if (!check.HasErrorFor("username")) check.Format("username", IsUsername(v.username));
  check.MaxChars("email", v.email, 255);
  check.Format("email", v.email, IsEmail);
  check.MaxChars("phone", v.phone, 20);
  check.Format("phone", v.phone, IsPhone);
  check.MaxChars("display_name", v.display_name, 100);
  if (v.roles.empty()) check.Add("roles", field_code::kRequired);
  for (const auto& role : v.roles) {
    if (role != "customer_user" && role != "customer_admin" && role != "platform_admin") {
      check.Add("roles", field_code::kNotAllowed, {{"allowed", "customer_user, customer_admin, platform_admin"}});
      break;
    }
  }
  return check.Take();
}

}  // namespace selfservice

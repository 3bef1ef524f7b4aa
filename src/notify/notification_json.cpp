#include "notify/notification_json.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace selfservice {
namespace json = boost::json;
namespace {

json::value OptionalString(const std::optional<std::string>& text) {
  return text ? json::value(*text) : json::value(nullptr);
}

json::object EventObject(const TicketNotification& n) {
  return json::object{
      {"type", "ticket.status"},
      {"tenant_id", n.tenant_id},
      {"customer_id", n.customer_id},
      {"user_id", n.user_id},
      {"ticket_id", n.ticket_id},
      {"external_id", OptionalString(n.external_id)},
      {"title", n.title},
      {"from", n.from ? json::value(EnumName(*n.from)) : json::value(nullptr)},
      {"to", EnumName(n.to)},
      {"comment", OptionalString(n.comment)},
      {"actor_id", n.actor_id},
      {"at", FormatTimestamp(n.at)},
  };
}

std::optional<std::string> StringOrNull(const json::object& object, std::string_view key, bool& ok) {
  const json::value* value = object.if_contains(key);
  if (value == nullptr || value->is_null()) return std::nullopt;
  if (!value->is_string()) {
    ok = false;
    return std::nullopt;
  }
  return std::string(value->get_string());
}

std::int64_t Integer(const json::object& object, std::string_view key, bool& ok) {
  const json::value* value = object.if_contains(key);
  if (value == nullptr || !value->is_int64()) {
    ok = false;
    return 0;
  }
  return value->get_int64();
}

}  // namespace

std::string TicketEventJson(const TicketNotification& notification) {
  return json::serialize(EventObject(notification));
}

namespace notify {

TicketNotification FromChange(const TicketChange& change) {
  TicketNotification n;
  n.tenant_id = change.tenant_id;
  n.customer_id = change.customer_id;
  n.user_id = change.user_id;
  n.ticket_id = change.ticket_id;
  n.external_id = change.external_id;
  n.title = change.title;
  n.from = change.from;
  n.to = change.to;
  n.comment = change.comment;
  n.actor_id = change.actor_id;
  n.at = change.at;
  n.contact_email = change.contact_email;
  n.locale = change.locale;
  return n;
}

std::string ToPayload(const TicketNotification& notification) {
  json::object payload = EventObject(notification);
  payload["contact_email"] = OptionalString(notification.contact_email);
  payload["locale"] = LocaleName(notification.locale);
  return json::serialize(payload);
}

Result<TicketNotification> FromPayload(std::string_view payload, std::string idempotency_key) {
  boost::system::error_code ec;
  json::value value = json::parse(payload, ec);
  if (ec || !value.is_object()) return Status::InvalidField("payload", field_code::kInvalid);
  const json::object& object = value.get_object();
  bool ok = true;
  TicketNotification n;
  n.idempotency_key = std::move(idempotency_key);
  n.tenant_id = Integer(object, "tenant_id", ok);
  n.customer_id = Integer(object, "customer_id", ok);
  n.user_id = Integer(object, "user_id", ok);
  n.ticket_id = Integer(object, "ticket_id", ok);
  n.actor_id = Integer(object, "actor_id", ok);
  n.external_id = StringOrNull(object, "external_id", ok);
  n.title = StringOrNull(object, "title", ok).value_or("");
  n.comment = StringOrNull(object, "comment", ok);
  n.contact_email = StringOrNull(object, "contact_email", ok);
  if (auto from = StringOrNull(object, "from", ok)) {
    n.from = ParseEnum<TicketStatus>(*from);
    if (!n.from) ok = false;
  }
  auto to = ParseEnum<TicketStatus>(StringOrNull(object, "to", ok).value_or(""));
  auto at = ParseTimestamp(StringOrNull(object, "at", ok).value_or(""));
  if (!to || !at) ok = false;
  if (!ok) return Status::InvalidField("payload", field_code::kInvalid);
  n.to = *to;
  n.at = *at;
  n.locale = StringOrNull(object, "locale", ok).value_or("zh-CN") == "en-US" ? Locale::kEnUS : Locale::kZhCN;
  return n;
}

}  // namespace notify
}  // namespace selfservice

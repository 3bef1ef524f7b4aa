#include "ticket_system/ticket_json.hpp"

#include <cstdint>
#include <utility>

#include "knowledge_source/platform_knowledge_json.hpp"

namespace selfservice::ticket_system {
namespace {

namespace json = boost::json;

constexpr std::size_t kMaxExternalId = 100;  // tickets.external_id

std::optional<std::string> OptionalText(const json::object& object, std::string_view key) {
  const json::value* value = object.if_contains(key);
  if (value == nullptr || !value->is_string()) return std::nullopt;
  return std::string(value->get_string());
}

std::optional<Timestamp> Time(const json::object& object, std::string_view key) {
  const json::value* value = object.if_contains(key);
  if (value == nullptr || !value->is_string()) return std::nullopt;
  return knowledge_source::ParseIsoTimestamp(std::string_view(value->get_string()));
}

}  // namespace

std::optional<std::string> ReadId(const json::value* value) {
  if (value == nullptr) return std::nullopt;
  std::string id;
  if (value->is_string()) {
    id = std::string(value->get_string());
  } else if (value->is_int64()) {
    id = std::to_string(value->get_int64());
  } else if (value->is_uint64()) {
    id = std::to_string(value->get_uint64());
  } else {
    return std::nullopt;
  }
  if (id.empty() || id.size() > kMaxExternalId) return std::nullopt;
  return id;
}

std::variant<RemoteTicketState, RemoteTicketError> ParseTicketState(const json::value& value) {
  const json::object* object = value.if_object();
  if (object == nullptr) return RemoteTicketError{"", "the item is not an object"};
  const json::value* id_value = object->if_contains("id");
  if (id_value == nullptr) id_value = object->if_contains("ticket_id");
  if (id_value == nullptr) id_value = object->if_contains("external_id");
  std::optional<std::string> id = ReadId(id_value);
  if (!id) return RemoteTicketError{"", "id is missing or malformed"};
  std::optional<std::string> status = OptionalText(*object, "status");
  if (!status || status->empty()) return RemoteTicketError{*id, "status is missing or malformed"};
  std::optional<Timestamp> updated_at = Time(*object, "updated_at");
  if (!updated_at) return RemoteTicketError{*id, "updated_at is missing or malformed"};
  RemoteTicketState state;
  state.external_id = std::move(*id);
  state.status = std::move(*status);
  state.updated_at = *updated_at;
  state.comment = OptionalText(*object, "comment");
  return state;
}

std::optional<RemoteTicketEvent> ParseTicketEvent(const json::value& value) {
  const json::object* object = value.if_object();
  if (object == nullptr) return std::nullopt;
  std::optional<std::string> type = OptionalText(*object, "event_type");
  std::optional<Timestamp> at = Time(*object, "created_at");
  if (!type || !at) return std::nullopt;
  RemoteTicketEvent event;
  event.event_type = std::move(*type);
  event.from_status = OptionalText(*object, "from_status");
  event.to_status = OptionalText(*object, "to_status");
  event.comment = OptionalText(*object, "comment");
  event.created_at = *at;
  return event;
}

}  // namespace selfservice::ticket_system

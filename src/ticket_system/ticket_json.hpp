// The wire format of the platform's ticket service (REQ-003) as the portal reads it: ticket states
// from GET /api/v1/tickets and from its webhooks (tickets.sync), history events, and the ids of
// created tickets. Pure functions, shared by the adapter and tickets.sync; the assumptions about
// REQ-003's fields are listed in docs/TICKETS.md.

#pragma once

#include <optional>
#include <string>
#include <variant>

#include <boost/json/value.hpp>

#include "selfservice/ticket_system.hpp"

namespace selfservice::ticket_system {

// What the adapter calls itself: the sync cursor's source name.
inline constexpr std::string_view kSourceName = "req-003";

// An id of the service: a string, or a number written in decimal; nullopt when neither (or empty,
// or longer than the 100 characters of tickets.external_id).
std::optional<std::string> ReadId(const boost::json::value* value);

// One ticket state: {"id" | "ticket_id" | "external_id", "status", "updated_at", "comment"?}.
// Unknown fields are ignored; a missing or malformed one makes it an error naming the field.
std::variant<RemoteTicketState, RemoteTicketError> ParseTicketState(const boost::json::value& value);

// One history event: {"event_type", "from_status"?, "to_status"?, "comment"?, "created_at"}.
std::optional<RemoteTicketEvent> ParseTicketEvent(const boost::json::value& value);

}  // namespace selfservice::ticket_system

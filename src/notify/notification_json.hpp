// A TicketNotification as the outbox keeps it (its payload) and as it is made from a committed
// TicketChange.

#pragma once

#include <string>
#include <string_view>

#include "engine/ticket_events.hpp"
#include "selfservice/notifier.hpp"

namespace selfservice::notify {

// The notification of `change` (no idempotency key yet), in the locale of the ticket's owner.
TicketNotification FromChange(const TicketChange& change);

// The outbox payload: the event JSON plus "contact_email" and "locale"; and the reverse, with the
// item's idempotency key (10001 for a payload that is not one).
std::string ToPayload(const TicketNotification& notification);
Result<TicketNotification> FromPayload(std::string_view payload, std::string idempotency_key);

}  // namespace selfservice::notify

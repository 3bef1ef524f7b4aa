// The handler of tickets.sync (docs/API.md, "tickets.sync"; docs/TICKETS.md, "The platform's ticket
// service (REQ-003)"); method_table.cpp lists it.

#pragma once

#include "dispatch/method_table.hpp"

namespace selfservice {

Result<Reply> TicketSyncMethod(Engines& e, const RequestContext& c, const boost::json::object& r);

}  // namespace selfservice

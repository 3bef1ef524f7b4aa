// The handlers of the tickets.* methods (docs/API.md, "Tickets"; docs/TICKETS.md); method_table.cpp
// lists them.

#pragma once

#include "dispatch/method_table.hpp"

namespace selfservice {

Result<Reply> TicketCreateMethod(Engines& e, const RequestContext& c, const boost::json::object& r);
Result<Reply> TicketListMethod(Engines& e, const RequestContext& c, const boost::json::object& r);
Result<Reply> TicketGetMethod(Engines& e, const RequestContext& c, const boost::json::object& r);
Result<Reply> TicketUpdateMethod(Engines& e, const RequestContext& c, const boost::json::object& r);
Result<Reply> TicketStatusMethod(Engines& e, const RequestContext& c, const boost::json::object& r);
Result<Reply> TicketHistoryMethod(Engines& e, const RequestContext& c, const boost::json::object& r);
Result<Reply> TicketTransitionMethod(Engines& e, const RequestContext& c, const boost::json::object& r);
Result<Reply> TicketDraftSaveMethod(Engines& e, const RequestContext& c, const boost::json::object& r);
Result<Reply> TicketDraftListMethod(Engines& e, const RequestContext& c, const boost::json::object& r);
Result<Reply> TicketDraftDeleteMethod(Engines& e, const RequestContext& c, const boost::json::object& r);

}  // namespace selfservice

// The state machines of REQ-019 5.2, as pure functions: which moves are allowed and what a move
// implies for the other fields. Engines call these before touching any field of the target.

#pragma once

#include <cstdint>
#include <vector>

#include "selfservice/model.hpp"

namespace selfservice {

// Session: not_started -> in_progress -> resolved | escalated | paused; paused -> in_progress |
// timed_out; resolved -> rated; escalated -> closed. rated, closed and timed_out are final.
bool SessionTransitionAllowed(SessionState from, SessionState to);
bool IsFinal(SessionState state);
// resolution_status follows the state: resolved and rated are resolved, escalated and closed are
// escalated, everything else is pending.
ResolutionStatus ResolutionFor(SessionState state);
// True while interactions may be added: the session has not ended.
bool AcceptsInteractions(SessionState state);

// Moves `session` to `to` at `now_millis`, keeping the derived fields exact: resolution_status,
// updated_at, and ended_at and session_duration, set once on entering resolved, escalated or
// timed_out (spec 3.3 rule 2). Returns kTransitionNotAllowed and leaves `session` unchanged for a
// move the diagram does not have.
Status ApplySessionTransition(Session& session, SessionState to, std::int64_t now_millis);

// Feedback: pending -> processing; processing -> processed | needs_info; needs_info -> processing;
// processed -> closed | reprocessing; reprocessing -> processing. closed is final.
bool FeedbackTransitionAllowed(FeedbackState from, FeedbackState to);

// Ticket: new -> open; open -> in_progress; in_progress -> pending_customer | resolved;
// pending_customer -> in_progress | resolved; resolved -> closed | reopened; reopened ->
// in_progress. closed is final. (docs/TICKETS.md)
bool TicketTransitionAllowed(TicketStatus from, TicketStatus to);
bool IsFinal(TicketStatus status);
// The statuses a ticket passes through on the shortest way from `from` to `to` by the table's
// moves, `to` last (new -> resolved: open, in_progress, resolved); empty when `from` is `to` or no
// way leads there (out of closed). The REQ-003 sync follows it when the service reports a status
// the ticket cannot reach in one move.
std::vector<TicketStatus> TicketPath(TicketStatus from, TicketStatus to);
// The moves a customer may make on their own ticket: accepting a resolution (resolved -> closed)
// or refusing it (resolved -> reopened). Every other move is the support side's.
bool CustomerMayMoveTicket(TicketStatus from, TicketStatus to);

// Moves `ticket` to `to` at `now_millis`: status, updated_at, and closed_at on entering closed.
// Returns kTransitionNotAllowed and leaves `ticket` unchanged for a move the table does not have.
Status ApplyTicketTransition(Ticket& ticket, TicketStatus to, std::int64_t now_millis);

}  // namespace selfservice

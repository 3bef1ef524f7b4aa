// TicketEngine: the customer's tickets (REQ-019-005/006; docs/TICKETS.md): creation with
// idempotency and the escalation of the session it comes from, the lifecycle and who may move it,
// history, updates, the fast status read, and drafts.
//
// Thread safety: stateless beyond references; safe to use from many threads.

#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/ticket_events.hpp"
#include "selfservice/clock.hpp"
#include "selfservice/context.hpp"
#include "selfservice/model.hpp"
#include "selfservice/repository.hpp"

namespace selfservice {

// What tickets.create was asked.
struct NewTicket {
  std::string title;
  std::string description;
  std::optional<std::string> category;
  int priority = 2;
  TicketContact contact;
  std::optional<std::string> session_id;  // the caller's session the ticket escalates
  std::optional<std::string> idempotency_key;
};

class TicketEngine {
 public:
  // `observer` (may be null) hears of every committed creation and status change, and is asked
  // for the outbox items of every change inside its transaction.
  TicketEngine(Store& store, const Clock& clock, TicketObserver* observer)
      : store_(store), clock_(clock), observer_(observer) {}

  // Creates a ticket of the caller in status new. With a session_id, the caller's own session is
  // escalated (in_progress, or paused by way of in_progress; an escalated one is linked as it is);
  // any other state answers 10006 and nothing is written. The same idempotency_key of the same
  // user answers the ticket it created, unchanged. When the store fails (20004) after the input
  // was found valid, the input is kept as a draft and the failure carries a DRAFT_SAVED entry.
  Result<Ticket> Create(const RequestContext& context, NewTicket request);
  Result<Ticket> Get(const RequestContext& context, std::int64_t id);
  Result<Page<Ticket>> List(const RequestContext& context, const TicketFilter& filter, PageRequest page);
  // A comment, priority or contact change; a closed ticket is immutable (10006).
  Result<TicketUpdate> Update(const RequestContext& context, std::int64_t id, const TicketPatch& patch);
  Result<TicketStatusView> StatusOf(const RequestContext& context, std::int64_t id);
  Result<Page<TicketEvent>> History(const RequestContext& context, std::int64_t id, PageRequest page);
  // Moves the ticket (10006 for a move the lifecycle does not have). platform_admin makes any
  // move; a customer only closes or reopens a resolved ticket (else 10003). Closing also closes
  // the ticket's escalated session.
  Result<TicketUpdate> Transition(const RequestContext& context, std::int64_t id, TicketStatus to,
                                  std::optional<std::string> comment);

  // The caller's drafts (id 0: a new one).
  Result<TicketDraft> SaveDraft(const RequestContext& context, TicketDraft draft);
  Result<Page<TicketDraft>> ListDrafts(const RequestContext& context, PageRequest page);
  Status DeleteDraft(const RequestContext& context, std::int64_t id);

 private:
  Status CheckEscalation(const RequestContext& context, const std::string& session_id);
  void Escalate(const RequestContext& context, const std::string& session_id, std::int64_t now);
  void CloseSession(const RequestContext& context, const std::string& session_id, std::int64_t now);
  std::vector<OutboxItem> OutboxItemsOf(const TicketChange& change) const;
  void Notify(const TicketChange& change) const;

  Store& store_;
  const Clock& clock_;
  TicketObserver* observer_;
};

}  // namespace selfservice

// TicketSyncEngine: the portal's tickets kept in step with the platform's ticket service (REQ-003;
// docs/TICKETS.md, "The platform's ticket service (REQ-003)").
//
// Outward, it is a TicketObserver: a ticket created on the portal, a status move made on the
// portal's side, and a comment, priority or contact change become outbox items (topics
// kCreateTopic and kUpdateTopic), written in the change's own transaction; their deliverers call
// the TicketSystem through its circuit breaker, with the item's idempotency key on every attempt,
// and a delivered creation stores the service's external_id on the local ticket. Inward, Apply() and Poll() (tickets.sync) move local
// tickets to the service's status through TicketEngine::Transition as the support side with
// actor_id 0, so history, session closing and the observers follow; changes with actor_id 0 are
// not sent back.
//
// Thread safety: holds no state beyond references; safe to use from many threads.

#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/engines.hpp"
#include "engine/ticket_engine.hpp"
#include "engine/ticket_events.hpp"
#include "selfservice/circuit_breaker.hpp"
#include "selfservice/clock.hpp"
#include "selfservice/repository.hpp"
#include "selfservice/ticket_system.hpp"

namespace selfservice {

// What one tickets.sync did.
struct TicketSyncReport {
  struct Error {
    std::string external_id;  // empty when the item has no usable id
    std::string code;         // UNKNOWN_STATUS, NOT_FOUND, TRANSITION_NOT_ALLOWED, INVALID_ITEM, FAILED
    std::string reason;       // developer-facing
  };
  std::int64_t applied = 0;  // tickets moved
  std::int64_t skipped = 0;  // tickets already in the reported status
  std::int64_t stale = 0;    // states older than one applied before (late webhooks), left alone
  std::int64_t failed = 0;
  std::vector<Error> errors;
  std::optional<std::string> next_cursor;  // poll only: where the next poll starts
  bool more = false;                       // poll only: the service holds more changes
};

class TicketSyncEngine final : public TicketObserver {
 public:
  static constexpr const char* kCreateTopic = "tickets.create";
  static constexpr const char* kUpdateTopic = "tickets.update";

  // None of the references is owned. The engine registers its deliverers in `outbox`.
  TicketSyncEngine(Store& store, TicketSystem& system, CircuitBreaker& breaker, OutboxRelay& outbox,
                   const Clock& clock);

  // Owes the ticket service the creation of a ticket made on the portal, and each status move
  // made on the portal's side (actor_id other than 0).
  void AddOutboxItems(const TicketChange& change, std::vector<OutboxItem>& items) const override;
  // Owes it what a tickets.update changed (its comment, priority, contact).
  void AddOutboxItems(const TicketUpdate& stored, const TicketPatch& patch,
                      std::vector<OutboxItem>& items) const override;
  // Nothing to do after the commit: the outbox items are all the sync owes a change.
  void OnTicketChanged(const TicketChange&) noexcept override {}

  // Applies ticket states the service reported (a webhook's body) to the caller's tenant, each
  // ticket on its own, through the lifecycle's shortest way to the reported status (TicketPath):
  // an unknown status, an unknown external id or a status no way leads to (out of closed) is an
  // error of its item and leaves that ticket as it was. A state older than the newest one applied
  // to its ticket is stale and ignored.
  TicketSyncReport Apply(const RequestContext& context, TicketEngine& tickets,
                         const std::vector<RemoteTicketState>& states);

  // Pulls the changes since the tenant's stored cursor page by page (at most kMaxPollPages of
  // kPollPageSize), applies them, and stores the cursor after each page. Fails when the service
  // fails on the first page; a later failure ends the poll with the earlier pages applied.
  Result<TicketSyncReport> Poll(const RequestContext& context, TicketEngine& tickets);

  static constexpr int kPollPageSize = 100;
  static constexpr int kMaxPollPages = 50;

 private:
  Status DeliverCreate(const Scope& scope, const OutboxItem& item);
  Status DeliverUpdate(const Scope& scope, const OutboxItem& item);
  void ApplyOne(const RequestContext& sync, TicketEngine& tickets, const RemoteTicketState& state,
                TicketSyncReport& report);

  Store& store_;
  TicketSystem& system_;
  CircuitBreaker& breaker_;
  OutboxRelay& outbox_;
  const Clock& clock_;
};

// The portal's status for a status word of the service: our own names, and the Chinese names of
// the lifecycle table (docs/TICKETS.md); nullopt for any other word.
std::optional<TicketStatus> MapRemoteStatus(std::string_view status);

}  // namespace selfservice

// What the ticket engine tells the rest of the portal about a ticket that changed: the live status
// subscriptions (Portal::Subscribe, selfservice_subscribe) and the notifications (spec 5.1 "NS")
// listen here, so the engine knows nothing of either.

#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "selfservice/model.hpp"

namespace selfservice {

// One committed change of one ticket: its creation (no `from`) or a move of its status.
struct TicketChange {
  std::int64_t tenant_id = 0;
  std::int64_t customer_id = 0;  // the ticket's owner
  std::int64_t user_id = 0;
  std::int64_t ticket_id = 0;
  std::optional<std::string> external_id;
  std::string title;
  std::optional<TicketStatus> from;  // absent when the ticket was created
  TicketStatus to = TicketStatus::open;
  std::optional<std::string> comment;
  std::int64_t actor_id = 0;  // who made the change (the REQ-003 sync: 0)
  Timestamp at;
  std::optional<std::string> contact_email;
  std::optional<std::string> contact_phone;
};

class TicketObserver {
 public:
  TicketObserver() = default;
  TicketObserver(const TicketObserver&) = delete;
  TicketObserver& operator=(const TicketObserver&) = delete;
  virtual ~TicketObserver() = default;

  // Called once per change after it is committed, on the thread that made it and with no lock of
  // the engine or the store held. Must not block: an observer queues its own work.
  virtual void OnTicketChanged(const TicketChange& change) noexcept = 0;
};

}  // namespace selfservice

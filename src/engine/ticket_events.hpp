// What the ticket engine tells the rest of the portal about a ticket that changed: the live status
// subscriptions (Portal::Subscribe, selfservice_subscribe), the notifications (spec 5.1 "NS") and
// the REQ-003 sync listen here, so the engine knows nothing of them.

#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "selfservice/context.hpp"
#include "selfservice/model.hpp"
#include "selfservice/repository.hpp"

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
  Locale locale = Locale::kZhCN;  // the owner's: the language its notifications speak
};

// A ticket's contact: both parts are replaced together.
struct TicketContact {
  std::optional<std::string> email;
  std::optional<std::string> phone;
};

// What tickets.update was asked; absent parts are left as they are.
struct TicketPatch {
  std::optional<std::string> comment;  // becomes a history event of type comment
  std::optional<int> priority;
  std::optional<TicketContact> contact;
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

  // Asked inside the transaction of a change, before it commits: the outbox items the observer
  // owes for it, stored atomically with it (TicketRepository::OutboxItems), so a crash loses
  // none. Must not use the store. The defaults owe nothing.
  virtual void AddOutboxItems(const TicketChange& change, std::vector<OutboxItem>& items) const {
    static_cast<void>(change), static_cast<void>(items);
  }
  // The same for a tickets.update: `stored` is the ticket as written with the events it appended
  // (a comment's event has its id).
  virtual void AddOutboxItems(const TicketUpdate& stored, const TicketPatch& patch,
                              std::vector<OutboxItem>& items) const {
    static_cast<void>(stored), static_cast<void>(patch), static_cast<void>(items);
  }
};

}  // namespace selfservice

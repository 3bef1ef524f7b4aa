// The one TicketObserver the ticket engine is given: it passes each change on to every observer
// of the portal (the live status subscriptions, the notifications, the REQ-003 sync), in order.

#pragma once

#include <utility>
#include <vector>

#include "engine/ticket_events.hpp"

namespace selfservice {

class TicketFanOut final : public TicketObserver {
 public:
  // None is owned; each must outlive the fan-out. Null entries are skipped.
  explicit TicketFanOut(std::vector<TicketObserver*> observers) : observers_(std::move(observers)) {}

  void OnTicketChanged(const TicketChange& change) noexcept override {
    for (TicketObserver* observer : observers_) {
      if (observer != nullptr) observer->OnTicketChanged(change);
    }
  }
  void AddOutboxItems(const TicketChange& change, std::vector<OutboxItem>& items) const override {
    for (const TicketObserver* observer : observers_) {
      if (observer != nullptr) observer->AddOutboxItems(change, items);
    }
  }
  void AddOutboxItems(const TicketUpdate& stored, const TicketPatch& patch,
                      std::vector<OutboxItem>& items) const override {
    for (const TicketObserver* observer : observers_) {
      if (observer != nullptr) observer->AddOutboxItems(stored, patch, items);
    }
  }

 private:
  std::vector<TicketObserver*> observers_;
};

}  // namespace selfservice

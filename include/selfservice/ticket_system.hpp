// TicketSystem: the port to the system of record for tickets, and the adapter for the platform's
// ticket service (REQ-003, spec 5.3) over its REST API (docs/TICKETS.md, "The platform's ticket
// service (REQ-003)").
//
// The embedded ticket store (TicketRepository) stays the portal's own record either way: with
// REQ-003 configured, tickets are mirrored to it through the durable outbox (creation and updates,
// each with an idempotency key, at least once) and the agents' status changes come back through
// tickets.sync. A customer's request never waits for REQ-003.
//
// Every failure of the ticket service, including its refusal of our credentials, is a 20004
// (kDatabaseUnavailable: the ticket service is the tickets' store of record, as the local database
// is; the spec has no code of its own for it), retryable when it may answer later (connection
// refused, timeout, 5xx, 408, 429, an answer that is not the envelope), so CountsAsFailure() counts
// it and the outbox tries again.
//
// Thread safety: a TicketSystem is safe to use from many threads at once. Nothing here throws.

#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "selfservice/context.hpp"
#include "selfservice/model.hpp"
#include "selfservice/status.hpp"

namespace selfservice {

// A ticket as the ticket service is asked to create it.
struct RemoteTicketDraft {
  std::int64_t local_id = 0;  // the portal's id, sent as source_ticket_id
  std::int64_t customer_id = 0;
  std::int64_t user_id = 0;
  std::string title;
  std::string description;
  std::optional<std::string> category;
  int priority = 2;
  std::optional<std::string> contact_email;
  std::optional<std::string> contact_phone;
};

// What an update asks of the ticket service; absent parts are left as they are.
struct RemoteTicketChanges {
  std::optional<std::string> comment;
  std::optional<int> priority;
  // Replaces both parts of the contact (an absent part is cleared) when set.
  struct Contact {
    std::optional<std::string> email;
    std::optional<std::string> phone;
  };
  std::optional<Contact> contact;
  std::optional<TicketStatus> status;  // a move made on the portal: a customer's close or reopen, ...
};

// A ticket as the ticket service reports it (a webhook's body or an item of GET /api/v1/tickets).
// `status` is the service's own word; tickets.sync maps it (docs/TICKETS.md).
struct RemoteTicketState {
  std::string external_id;
  std::string status;
  Timestamp updated_at;
  std::optional<std::string> comment;
};

// One item of a list that could not be read as a ticket state.
struct RemoteTicketError {
  std::string external_id;  // empty when the item has no usable id
  std::string reason;       // developer-facing
};

// The tickets changed at or after a cursor, oldest change first.
struct RemoteTicketBatch {
  std::vector<RemoteTicketState> tickets;
  std::vector<RemoteTicketError> errors;
  // Where the next call continues: the newest updated_at seen (ISO-8601), or the cursor given
  // when nothing changed. Changes at that very moment are fetched again, which is harmless.
  std::string next_cursor;
  bool more = false;  // the service holds more changes: call again with next_cursor
};

// One event of a remote ticket's history, as GET /api/v1/tickets/history reports it.
struct RemoteTicketEvent {
  std::string event_type;
  std::optional<std::string> from_status;
  std::optional<std::string> to_status;
  std::optional<std::string> comment;
  Timestamp created_at;
};

class TicketSystem {
 public:
  TicketSystem() = default;
  TicketSystem(const TicketSystem&) = delete;
  TicketSystem& operator=(const TicketSystem&) = delete;
  virtual ~TicketSystem() = default;

  // For diagnostics, and the sync cursor's source name ("req-003").
  virtual std::string_view name() const = 0;

  // Creates the ticket and answers its external id. Calls with the same idempotency key create
  // one ticket: a repeat answers the id of the first.
  virtual Result<std::string> CreateTicket(const Scope& scope, const RemoteTicketDraft& ticket,
                                           std::string_view idempotency_key) = 0;
  // Applies `changes` to the ticket `external_id` (10004 when the service does not know it).
  virtual Status UpdateTicket(const Scope& scope, std::string_view external_id,
                              const RemoteTicketChanges& changes, std::string_view idempotency_key) = 0;
  // At most `limit` (1 … 1000) tickets changed at or after `cursor` (ISO-8601; nullopt: all).
  virtual Result<RemoteTicketBatch> Changes(const Scope& scope, std::optional<std::string> cursor,
                                            int limit) = 0;
  // The history of one ticket, oldest first (10004 when the service does not know it).
  virtual Result<std::vector<RemoteTicketEvent>> History(const Scope& scope,
                                                         std::string_view external_id) = 0;
};

// --- The platform's ticket service (REQ-003) -----------------------------------------------------

struct PlatformTicketOptions {
  // The platform's API root ("https://platform.example.com"); /api/v1/tickets... is appended.
  // Credentials never go in the URL.
  std::string base_url;
  // Sent as "Authorization: Bearer <api_token>". Never logged, never put in a status detail.
  std::string api_token;
  // Bounds every request. Give the circuit breaker the same value as its slow-call duration.
  std::int64_t timeout_ms = 2000;
  std::int64_t connect_timeout_ms = 1000;  // capped at timeout_ms
  std::string ca_file;                     // PEM bundle for https; empty: the system's trusted CAs
};

// One FieldError per bad option, named as the option is; empty when the options are usable.
std::vector<FieldError> Validate(const PlatformTicketOptions& options);

// The adapter (name() "req-003"), or 10001 with the errors of Validate(). Creating it sends nothing.
Result<std::unique_ptr<TicketSystem>> CreatePlatformTicketSystem(PlatformTicketOptions options);

}  // namespace selfservice

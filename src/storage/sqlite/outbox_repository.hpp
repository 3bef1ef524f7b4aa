// The SQLite outbox (table outbox; migrations 11 and 23).

#pragma once

#include <memory>

#include "selfservice/repository.hpp"
#include "storage/sqlite/database.hpp"

namespace selfservice::sqlite {

std::unique_ptr<OutboxRepository> MakeOutboxRepository(Database& db);

// OutboxRepository::Enqueue's work inside a write transaction the caller holds, so a change and the
// outbox items it owes commit together (TicketRepository's `outbox`); the payload is sealed with
// `sealed`. 10001 for an invalid item.
Result<OutboxRepository::Enqueued> InsertOutboxItem(Connection& db, const SealedFields& sealed, std::int64_t tenant_id,
                                                    OutboxItem item);

}  // namespace selfservice::sqlite

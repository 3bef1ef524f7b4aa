// The SQLite tickets: tickets, ticket_events, ticket_drafts and the tickets_fts keyword index
// (migration 12), and ticket_counts, the exact totals by status (migration 17).

#pragma once

#include <memory>

#include "selfservice/repository.hpp"
#include "storage/sqlite/database.hpp"

namespace selfservice::sqlite {

std::unique_ptr<TicketRepository> MakeTicketRepository(Database& db);

}  // namespace selfservice::sqlite

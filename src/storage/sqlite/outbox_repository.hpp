// The SQLite outbox (table outbox; migration 11).

#pragma once

#include <memory>

#include "selfservice/repository.hpp"
#include "storage/sqlite/database.hpp"

namespace selfservice::sqlite {

std::unique_ptr<OutboxRepository> MakeOutboxRepository(Database& db);

}  // namespace selfservice::sqlite

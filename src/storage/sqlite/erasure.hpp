// Store::EraseUser for the SQLite store: every table that holds a user's personal data, in one
// write transaction.

#pragma once

#include "selfservice/repository.hpp"
#include "storage/sqlite/database.hpp"

namespace selfservice::sqlite {

Result<Store::ErasureReport> EraseUser(Database& db, const Scope& scope, std::int64_t user_id);

}  // namespace selfservice::sqlite

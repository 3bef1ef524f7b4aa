// The SQLite audit log (table audit_log; migration 21): append-only, hash-chained per tenant.

#pragma once

#include <memory>

#include "selfservice/repository.hpp"
#include "storage/sqlite/database.hpp"

namespace selfservice::sqlite {

std::unique_ptr<AuditRepository> MakeAuditRepository(Database& db);

}  // namespace selfservice::sqlite

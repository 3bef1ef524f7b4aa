// The re-encryption pass over every sensitive column of the SQLite store (Store::
// ReencryptSensitiveFields; docs/SECURITY.md).

#pragma once

#include "selfservice/repository.hpp"
#include "storage/sqlite/database.hpp"

namespace selfservice::sqlite {

Result<Store::ReencryptionReport> ReencryptSensitiveFields(Database& db);

}  // namespace selfservice::sqlite

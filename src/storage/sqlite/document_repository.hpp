// The SQLite document center (table documents; migration 14).

#pragma once

#include <memory>

#include "selfservice/repository.hpp"
#include "storage/sqlite/database.hpp"

namespace selfservice::sqlite {

std::unique_ptr<DocumentRepository> MakeDocumentRepository(Database& db);

}  // namespace selfservice::sqlite

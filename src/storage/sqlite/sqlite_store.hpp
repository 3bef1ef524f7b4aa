// The SQLite adapter of the storage ports: the embedded default.

#pragma once

#include <memory>
#include <string_view>

#include "selfservice/repository.hpp"

namespace selfservice::sqlite {

// Opens "sqlite::memory:" (a private in-memory database shared by the store's connections) or
// "sqlite:<path>" (a file in WAL mode).
Result<std::unique_ptr<Store>> OpenSqliteStore(std::string_view uri, const StoreOptions& options);

}  // namespace selfservice::sqlite

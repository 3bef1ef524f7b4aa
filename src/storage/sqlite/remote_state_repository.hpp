// The SQLite remote-state repository (search_index_state, search_index_pending_deletions,
// knowledge_sync_cursors; migration 9).

#pragma once

#include <memory>

#include "selfservice/repository.hpp"
#include "storage/sqlite/database.hpp"

namespace selfservice::sqlite {

std::unique_ptr<RemoteStateRepository> MakeRemoteStateRepository(Database& db);

}  // namespace selfservice::sqlite

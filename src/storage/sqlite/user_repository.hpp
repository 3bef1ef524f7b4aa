// The SQLite accounts and login state (tables users, login_sessions, login_failures,
// one_time_tokens; migration 20).

#pragma once

#include <memory>

#include "selfservice/repository.hpp"
#include "storage/sqlite/database.hpp"

namespace selfservice::sqlite {

std::unique_ptr<UserRepository> MakeUserRepository(Database& db);
std::unique_ptr<SessionStore> MakeSessionStore(Database& db);

}  // namespace selfservice::sqlite

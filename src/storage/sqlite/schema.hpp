// The SQLite schema and its versioned migrations (PRAGMA user_version).

#pragma once

#include "selfservice/status.hpp"

namespace selfservice::sqlite {

class Connection;

// The schema version this build writes.
int SchemaVersion();

// Brings the database to SchemaVersion(), one migration per transaction. A database newer than
// this build is refused rather than misread.
Status Migrate(Connection& connection);
// Brings the database to `target` (at most SchemaVersion()) only: how tests build the database an
// older library left, to check a later migration on it.
Status Migrate(Connection& connection, int target);

}  // namespace selfservice::sqlite

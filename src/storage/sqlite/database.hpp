// A small RAII layer over the SQLite C API for the SQLite adapter: connections with a cache of
// prepared statements, one writer and a pool of readers.
//
// Concurrency: SQLite allows one writer at a time per database. Inside one process the writer
// connection is guarded by a mutex, so writers queue in-process instead of spinning in SQLite's
// busy handler; other processes are waited for through busy_timeout. Readers each take a pooled
// connection and, on files in WAL mode, never block the writer. The WAL is checkpointed on a
// thread of its own (Checkpointer, database.cpp), not by the commit that fills it.
//
// Errors: SQLite failures inside Read()/Write() are raised as SqliteError and turned into a
// kDatabaseUnavailable Status at that boundary (retryable for SQLITE_BUSY / SQLITE_LOCKED), so
// repository code reads straight and no exception leaves the adapter.

#pragma once

#include <sqlite3.h>

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "selfservice/repository.hpp"
#include "selfservice/status.hpp"
#include "storage/sqlite/sealed_fields.hpp"

namespace selfservice::sqlite {

class SqliteError : public std::runtime_error {
 public:
  SqliteError(int code, const std::string& what) : std::runtime_error(what), code_(code) {}
  int code() const { return code_; }

 private:
  int code_;
};

// A prepared statement borrowed from a connection's cache; reset and unbound when it goes away.
class Statement {
 public:
  explicit Statement(sqlite3_stmt* stmt) : stmt_(stmt) {}
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  Statement& Bind(int index, std::int64_t value);
  Statement& Bind(int index, int value) { return Bind(index, static_cast<std::int64_t>(value)); }
  Statement& Bind(int index, double value);
  Statement& Bind(int index, std::string_view value);
  // Binds a NUL-terminated copy when `value` holds no NUL of its own: SQL functions that read C
  // strings (length() in the schema's CHECKs) would otherwise copy every such value once more.
  Statement& Bind(int index, const std::string& value);
  Statement& Bind(int index, const char* value) { return Bind(index, std::string_view(value)); }
  Statement& BindNull(int index);
  template <typename T>
  Statement& Bind(int index, const std::optional<T>& value) {
    return value ? Bind(index, *value) : BindNull(index);
  }

  // Advances to the next row; false when there is none.
  bool Step();
  // Runs a statement that returns no rows.
  void Run();

  bool IsNull(int column) const;
  std::int64_t Int(int column) const;
  double Double(int column) const;
  std::string Text(int column) const;
  std::optional<std::int64_t> OptionalInt(int column) const;
  std::optional<double> OptionalDouble(int column) const;
  std::optional<std::string> OptionalText(int column) const;

 private:
  void Check(int rc);
  sqlite3_stmt* stmt_;
};

class Connection {
 public:
  // Opens `filename` (a path or a "file:" URI) read-write, creating it when missing.
  Connection(const std::string& filename, int busy_timeout_millis);
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection();

  // The statement for `sql`, prepared once per connection. `sql` must be a string with static
  // storage (a literal): its address is the cache key.
  Statement Prepare(const char* sql);
  void Exec(const char* sql);
  std::int64_t LastInsertRowId() const;
  sqlite3* handle() const { return db_; }

 private:
  sqlite3* db_ = nullptr;
  std::unordered_map<const char*, sqlite3_stmt*> statements_;
};

class Checkpointer;

class Database {
 public:
  // `filename` is a path or a "file:" URI; `memory` marks an in-memory (memdb) database, which
  // has no WAL.
  static Result<std::unique_ptr<Database>> Open(const std::string& filename, bool memory,
                                                const StoreOptions& options);
  ~Database();

  // Runs `fn(Connection&)` on a reader connection. `fn` returns a Status or a Result.
  template <typename F>
  auto Read(F&& fn) -> decltype(fn(std::declval<Connection&>()));

  // Copies the database into the new file `path` (written beside it, synced, then renamed over
  // it) from one read snapshot of a pooled reader, so writers carry on meanwhile.
  Result<Store::BackupReport> BackupTo(const std::string& path);

  // The cipher of the sensitive columns (sealed_fields.hpp).
  const SealedFields& sealed() const { return *sealed_; }

  // Runs `fn(Connection&)` in a write transaction (BEGIN IMMEDIATE) that commits when `fn`
  // returns an ok Status or Result and rolls back otherwise.
  template <typename F>
  auto Write(F&& fn) -> decltype(fn(std::declval<Connection&>()));

 private:
  Database() = default;
  Connection& AcquireReader();
  void ReleaseReader(Connection& connection);
  static Status Translate(const std::exception& error);

  std::optional<SealedFields> sealed_;
  std::unique_ptr<Connection> writer_;
  std::mutex writer_mutex_;
  std::unique_ptr<Checkpointer> checkpointer_;  // file databases only
  std::vector<std::unique_ptr<Connection>> readers_;
  std::vector<Connection*> idle_readers_;
  std::mutex readers_mutex_;
  std::condition_variable reader_released_;
};

template <typename F>
auto Database::Read(F&& fn) -> decltype(fn(std::declval<Connection&>())) {
  Connection& connection = AcquireReader();
  try {
    auto result = fn(connection);
    ReleaseReader(connection);
    return result;
  } catch (const std::exception& error) {
    ReleaseReader(connection);
    return Translate(error);
  }
}

template <typename F>
auto Database::Write(F&& fn) -> decltype(fn(std::declval<Connection&>())) {
  std::lock_guard lock(writer_mutex_);
  Connection& connection = *writer_;
  try {
    connection.Exec("BEGIN IMMEDIATE");
  } catch (const std::exception& error) {
    return Translate(error);
  }
  try {
    auto result = fn(connection);
    connection.Exec(result.ok() ? "COMMIT" : "ROLLBACK");
    return result;
  } catch (const std::exception& error) {
    if (!sqlite3_get_autocommit(connection.handle())) {
      sqlite3_exec(connection.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
    }
    return Translate(error);
  }
}

}  // namespace selfservice::sqlite

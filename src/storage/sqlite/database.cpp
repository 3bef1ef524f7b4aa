#include "storage/sqlite/database.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <thread>

#include "core/logging.hpp"
#include "domain/keywords.hpp"
#include "search/fts5_ranking.hpp"
#include "search/fts5_tokenizer.hpp"
#include "storage/sqlite/schema.hpp"
#include "storage/sqlite/title_index.hpp"

namespace selfservice::sqlite {
namespace {

// selfservice_keywords(text): NormalizeKeywords() for SQL (NULL stays NULL); the search counts of
// migration 8 group events by it.
void KeywordsFunction(sqlite3_context* context, int /*argc*/, sqlite3_value** argv) {
  if (sqlite3_value_type(argv[0]) == SQLITE_NULL) return sqlite3_result_null(context);
  try {
    const auto* text = reinterpret_cast<const char*>(sqlite3_value_text(argv[0]));
    const std::string normalized =
        NormalizeKeywords(std::string_view(text ? text : "", static_cast<std::size_t>(sqlite3_value_bytes(argv[0]))));
    sqlite3_result_text(context, normalized.data(), static_cast<int>(normalized.size()), SQLITE_TRANSIENT);
  } catch (...) {
    sqlite3_result_error_nomem(context);
  }
}

int RegisterKeywordsFunction(sqlite3* db) {
  return sqlite3_create_function_v2(db, "selfservice_keywords", 1,
                                    SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, nullptr,
                                    KeywordsFunction, nullptr, nullptr, nullptr);
}

// selfservice_log2_add(a, b) = log2(2^a + 2^b), NULL standing for an empty sum (2^-inf), and the
// aggregate selfservice_log2_sum(x, n) = log2(sum of n * 2^x): the running decayed scores of
// migration 10 (search_keyword_scores), kept as exponents so that they never overflow and compare
// alike whatever the time they are read at.
double Log2Add(double a, double b) {
  const double high = std::max(a, b);
  return high + std::log2(1 + std::exp2(std::min(a, b) - high));
}

void Log2AddFunction(sqlite3_context* context, int /*argc*/, sqlite3_value** argv) {
  const bool a_null = sqlite3_value_type(argv[0]) == SQLITE_NULL;
  const bool b_null = sqlite3_value_type(argv[1]) == SQLITE_NULL;
  if (a_null && b_null) return sqlite3_result_null(context);
  if (a_null) return sqlite3_result_double(context, sqlite3_value_double(argv[1]));
  if (b_null) return sqlite3_result_double(context, sqlite3_value_double(argv[0]));
  sqlite3_result_double(context, Log2Add(sqlite3_value_double(argv[0]), sqlite3_value_double(argv[1])));
}

struct Log2Sum {
  bool any;
  double exponent;
};

void Log2SumStep(sqlite3_context* context, int /*argc*/, sqlite3_value** argv) {
  if (sqlite3_value_type(argv[0]) == SQLITE_NULL || sqlite3_value_type(argv[1]) == SQLITE_NULL) return;
  const double n = sqlite3_value_double(argv[1]);
  if (!(n > 0)) return;
  auto* sum = static_cast<Log2Sum*>(sqlite3_aggregate_context(context, sizeof(Log2Sum)));
  if (sum == nullptr) return sqlite3_result_error_nomem(context);
  const double term = sqlite3_value_double(argv[0]) + std::log2(n);
  sum->exponent = sum->any ? Log2Add(sum->exponent, term) : term;
  sum->any = true;
}

void Log2SumFinal(sqlite3_context* context) {
  auto* sum = static_cast<Log2Sum*>(sqlite3_aggregate_context(context, 0));
  if (sum == nullptr || !sum->any) return sqlite3_result_null(context);
  sqlite3_result_double(context, sum->exponent);
}

int RegisterScoreFunctions(sqlite3* db) {
  constexpr int kFlags = SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS;
  int rc = sqlite3_create_function_v2(db, "selfservice_log2_add", 2, kFlags, nullptr, Log2AddFunction, nullptr,
                                      nullptr, nullptr);
  if (rc == SQLITE_OK)
    rc = sqlite3_create_function_v2(db, "selfservice_log2_sum", 2, kFlags, nullptr, nullptr, Log2SumStep,
                                    Log2SumFinal, nullptr);
  return rc;
}

[[noreturn]] void Raise(sqlite3* db, int rc) {
  throw SqliteError(rc, db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
}

// Switching a file to WAL upgrades the statement's read lock to a write lock, and SQLite answers a
// busy upgrade with SQLITE_BUSY at once instead of calling the busy handler (waiting while holding
// a lock could deadlock). Between attempts nothing is held, so another opener that is migrating the
// file is waited for here, as any other lock is, for at most the busy timeout.
void EnableWal(Connection& connection, int busy_timeout_millis) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(busy_timeout_millis);
  while (true) {
    try {
      connection.Exec("PRAGMA journal_mode = WAL");
      return;
    } catch (const SqliteError& error) {
      if ((error.code() & 0xFF) != SQLITE_BUSY || std::chrono::steady_clock::now() >= deadline) throw;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

}  // namespace

// Copies the WAL back into the database file on a thread of its own. Left to SQLite, the commit
// that takes the WAL past 1,000 pages copies it and fsyncs the file on the writer's thread, and
// that commit is the tail of every write path (tickets.create: 2.1-2.7 ms p99 on a quiet machine
// against 85 µs p50; docs/PERFORMANCE.md "Tickets"). Here the writer connection's WAL hook only
// wakes this thread, which checkpoints from its own connection (PASSIVE: beside the writer,
// never waiting for it). Under back-to-back writes such a checkpoint never reaches the last frame,
// so the WAL would never restart and would grow without bound; once it holds kCatchUpPages, the
// thread runs passes until one is left with little to copy and makes that one holding the writer
// mutex (Checkpoint()): in-process writers wait for a short pass once every hundred commits or so
// instead of for a whole checkpoint at every thousandth page.
class Checkpointer {
 public:
  static constexpr int kStartPages = 1000;    // SQLite's own auto-checkpoint threshold
  static constexpr int kCatchUpPages = 2000;    // about 8 MiB of WAL
  static constexpr int kLockedPassPages = 256;  // what a pass holding the writers may have to copy
  static constexpr int kMaxUnlockedPasses = 3;  // a writer faster than the copy never leaves little
  static constexpr int kHardLimitPages = 8192;  // 32 MiB

  Checkpointer(const std::string& filename, int busy_timeout_millis, std::mutex& writer_mutex)
      : connection_(filename, busy_timeout_millis), writer_mutex_(writer_mutex), thread_([this] { Run(); }) {
    // A connection learns the file is in WAL mode from its first read; until then a checkpoint
    // from it does nothing. (Nothing asks for one before the writer's hook is installed.)
    connection_.Exec("SELECT count(*) FROM sqlite_schema");
  }

  ~Checkpointer() {
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
    }
    wake_.notify_one();
    thread_.join();
  }

  // The writer connection's WAL hook: called after each commit with the WAL's page count. Should
  // this thread fall behind so far that the WAL reaches kHardLimitPages (a machine too busy to
  // schedule it), the writer checkpoints itself with RESTART: unlike PASSIVE, which gives up at
  // once while this thread's pass holds the checkpoint lock, it waits (up to the busy timeout) for
  // that pass and for every reader to leave the WAL, copies every frame, and so makes sure the
  // next commit restarts the WAL: the bound holds whatever the scheduler does.
  static int OnCommit(void* self, sqlite3* db, const char* schema, int wal_pages) {
    if (wal_pages >= kHardLimitPages) {
      // SQLite answers a second checkpoint of the WAL with SQLITE_BUSY at once, without waiting:
      // wait for this thread's pass here instead. (Lock order: writer mutex, then pass mutex.)
      std::lock_guard pass(static_cast<Checkpointer*>(self)->pass_mutex_);
      sqlite3_wal_checkpoint_v2(db, schema, SQLITE_CHECKPOINT_RESTART, nullptr, nullptr);
    } else if (wal_pages >= kStartPages) {
      static_cast<Checkpointer*>(self)->Request();
    }
    return SQLITE_OK;
  }

 private:
  void Request() {
    {
      std::lock_guard lock(mutex_);
      if (requested_) return;
      requested_ = true;
    }
    wake_.notify_one();
  }

  void Run() {
    std::unique_lock lock(mutex_);
    while (true) {
      wake_.wait(lock, [&] { return requested_ || stop_; });
      if (stop_) return;
      requested_ = false;
      lock.unlock();
      Checkpoint();
      lock.lock();
    }
  }

  // One PASSIVE pass: copies the frames the WAL held when it started (`wal_pages`, of which
  // `copied` are now in the database file).
  int Pass(int& wal_pages, int& copied) {
    std::lock_guard pass(pass_mutex_);
    return sqlite3_wal_checkpoint_v2(connection_.handle(), nullptr, SQLITE_CHECKPOINT_PASSIVE, &wal_pages, &copied);
  }

  void Checkpoint() {
    int wal_pages = 0;
    int copied = 0;
    int rc = Pass(wal_pages, copied);
    // Each further pass copies what the writer added during the one before. Once that is little,
    // a last pass holds the writer mutex, so it reaches the last frame and the next commit
    // restarts the WAL, and writers wait only for that little (plus the file's sync).
    for (int pass = 1; rc == SQLITE_OK && wal_pages >= kCatchUpPages; ++pass) {
      const int copied_before = copied;
      rc = Pass(wal_pages, copied);
      if (rc != SQLITE_OK) break;
      if (wal_pages - copied_before <= kLockedPassPages || pass == kMaxUnlockedPasses) {
        std::lock_guard writers(writer_mutex_);
        rc = Pass(wal_pages, copied);
        break;
      }
    }
    // SQLITE_BUSY: another process checkpoints or holds the WAL; the next commit asks again.
    if (rc != SQLITE_OK && (rc & 0xFF) != SQLITE_BUSY) {
      Log().warn("sqlite: WAL checkpoint failed: {}", sqlite3_errmsg(connection_.handle()));
    }
  }

  Connection connection_;
  std::mutex& writer_mutex_;
  std::mutex pass_mutex_;  // held for each checkpoint of the WAL made in this process
  std::mutex mutex_;
  std::condition_variable wake_;
  bool requested_ = false;
  bool stop_ = false;
  std::thread thread_;  // last: starts once everything above exists
};

Statement::~Statement() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

void Statement::Check(int rc) {
  if (rc != SQLITE_OK) Raise(sqlite3_db_handle(stmt_), rc);
}

Statement& Statement::Bind(int index, std::int64_t value) {
  Check(sqlite3_bind_int64(stmt_, index, value));
  return *this;
}

Statement& Statement::Bind(int index, double value) {
  Check(sqlite3_bind_double(stmt_, index, value));
  return *this;
}

Statement& Statement::Bind(int index, std::string_view value) {
  Check(sqlite3_bind_text64(stmt_, index, value.data(), value.size(), SQLITE_TRANSIENT, SQLITE_UTF8));
  return *this;
}

Statement& Statement::Bind(int index, const std::string& value) {
  if (value.find('\0') != std::string::npos) return Bind(index, std::string_view(value));
  Check(sqlite3_bind_text(stmt_, index, value.c_str(), -1, SQLITE_TRANSIENT));
  return *this;
}

Statement& Statement::BindNull(int index) {
  Check(sqlite3_bind_null(stmt_, index));
  return *this;
}

bool Statement::Step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  Raise(sqlite3_db_handle(stmt_), rc);
}

void Statement::Run() {
  while (Step()) {
  }
}

bool Statement::IsNull(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }
std::int64_t Statement::Int(int column) const { return sqlite3_column_int64(stmt_, column); }
double Statement::Double(int column) const { return sqlite3_column_double(stmt_, column); }

std::string Statement::Text(int column) const {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
  return text ? std::string(text, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column))) : std::string();
}

std::optional<std::int64_t> Statement::OptionalInt(int column) const {
  return IsNull(column) ? std::nullopt : std::optional(Int(column));
}

std::optional<double> Statement::OptionalDouble(int column) const {
  return IsNull(column) ? std::nullopt : std::optional(Double(column));
}

std::optional<std::string> Statement::OptionalText(int column) const {
  return IsNull(column) ? std::nullopt : std::optional(Text(column));
}

Connection::Connection(const std::string& filename, int busy_timeout_millis) {
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX;
  const int rc = sqlite3_open_v2(filename.c_str(), &db_, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    sqlite3_close_v2(db_);
    db_ = nullptr;
    throw SqliteError(rc, message);
  }
  sqlite3_extended_result_codes(db_, 1);
  sqlite3_busy_timeout(db_, busy_timeout_millis);
  Exec("PRAGMA foreign_keys = ON");
  Exec("PRAGMA temp_store = MEMORY");
  // The knowledge index (migration 3) needs the tokenizer and ranking functions, the title index
  // (migration 6) its tokenizer, the search counts (migration 8) selfservice_keywords() and the
  // keyword scores (migration 10) selfservice_log2_add(), on every connection that writes articles
  // or events or searches them.
  int rc_search = search::RegisterFts5Tokenizer(db_);
  if (rc_search == SQLITE_OK) rc_search = search::RegisterFts5Ranking(db_);
  if (rc_search == SQLITE_OK) rc_search = RegisterTitleTokenizer(db_);
  if (rc_search == SQLITE_OK) rc_search = RegisterKeywordsFunction(db_);
  if (rc_search == SQLITE_OK) rc_search = RegisterScoreFunctions(db_);
  if (rc_search != SQLITE_OK) {
    const std::string message = std::string("FTS5 registration failed: ") + sqlite3_errstr(rc_search);
    sqlite3_close_v2(db_);
    db_ = nullptr;
    throw SqliteError(rc_search, message);
  }
}

Connection::~Connection() {
  for (auto& [sql, stmt] : statements_) sqlite3_finalize(stmt);
  sqlite3_close_v2(db_);
}

Statement Connection::Prepare(const char* sql) {
  auto found = statements_.find(sql);
  if (found != statements_.end()) return Statement(found->second);
  sqlite3_stmt* stmt = nullptr;
  const int rc = sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK) Raise(db_, rc);
  statements_.emplace(sql, stmt);
  return Statement(stmt);
}

void Connection::Exec(const char* sql) {
  const int rc = sqlite3_exec(db_, sql, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) Raise(db_, rc);
}

std::int64_t Connection::LastInsertRowId() const { return sqlite3_last_insert_rowid(db_); }

Result<std::unique_ptr<Database>> Database::Open(const std::string& filename, bool memory,
                                                 const StoreOptions& options) {
  std::unique_ptr<Database> db(new Database());
  auto sealed = SealedFields::Open(options, filename, memory);
  if (!sealed.ok()) return sealed.status();
  db->sealed_.emplace(std::move(sealed).value());
  try {
    db->writer_ = std::make_unique<Connection>(filename, options.busy_timeout_millis);
    if (!memory) {
      // WAL lets readers run beside the writer; NORMAL sync is durable across application
      // crashes and loses at most the last transactions on power loss, the usual WAL trade.
      EnableWal(*db->writer_, options.busy_timeout_millis);
      db->writer_->Exec("PRAGMA synchronous = NORMAL");
      // A WAL restarted after a large burst is cut back to this size instead of staying large.
      db->writer_->Exec("PRAGMA journal_size_limit = 33554432");
    }
    Status migrated = Migrate(*db->writer_);
    if (!migrated.ok()) return migrated;
    if (!memory) {
      // Replaces SQLite's auto-checkpoint on the writer (both are the connection's WAL hook).
      db->checkpointer_ = std::make_unique<Checkpointer>(filename, options.busy_timeout_millis, db->writer_mutex_);
      sqlite3_wal_hook(db->writer_->handle(), &Checkpointer::OnCommit, db->checkpointer_.get());
    }
    const int readers = std::max(1, options.pool_size);
    for (int i = 0; i < readers; ++i) {
      db->readers_.push_back(std::make_unique<Connection>(filename, options.busy_timeout_millis));
      if (!memory) {
        // Searches read the knowledge index page by page: keep a larger share of it cached per
        // connection. (Mapping the file instead, mmap_size, measured slower for search.query: its
        // search event's write makes every reader drop and fault its pages in again.)
        db->readers_.back()->Exec("PRAGMA cache_size = -32768");
      }
      db->idle_readers_.push_back(db->readers_.back().get());
    }
  } catch (const std::exception& error) {
    return Translate(error);
  }
  return db;
}

Database::~Database() {
  if (writer_) sqlite3_wal_hook(writer_->handle(), nullptr, nullptr);
  checkpointer_.reset();
  readers_.clear();
  writer_.reset();
}

Result<Store::BackupReport> Database::BackupTo(const std::string& path) {
  const std::string temp = path + ".part";
  std::error_code ignored;
  std::filesystem::remove(temp, ignored);
  sqlite3* copy = nullptr;
  int rc = sqlite3_open_v2(temp.c_str(), &copy, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  Store::BackupReport report;
  if (rc == SQLITE_OK) {
    Connection& source = AcquireReader();
    sqlite3_backup* backup = sqlite3_backup_init(copy, "main", source.handle(), "main");
    if (backup == nullptr) {
      rc = sqlite3_errcode(copy);
    } else {
      // Every page in one step: one read transaction, so one consistent moment of the database.
      rc = sqlite3_backup_step(backup, -1);
      report.pages = sqlite3_backup_pagecount(backup);
      const int finished = sqlite3_backup_finish(backup);
      if (rc == SQLITE_DONE) rc = finished;
    }
    ReleaseReader(source);
  }
  const std::string error = copy != nullptr ? sqlite3_errmsg(copy) : sqlite3_errstr(rc);
  if (copy != nullptr && sqlite3_close(copy) != SQLITE_OK && rc == SQLITE_OK) rc = SQLITE_ERROR;
  if (rc != SQLITE_OK) {
    std::filesystem::remove(temp, ignored);
    Log().error("sqlite: backup to {} failed: {}", path, error);
    return Status::DatabaseUnavailable("backup failed: " + error, false);
  }
  // The copy is complete on disk before it takes the name: a crash leaves the old file or the new.
  const int fd = ::open(temp.c_str(), O_RDONLY | O_CLOEXEC);
  const bool synced = fd >= 0 && ::fsync(fd) == 0;
  if (fd >= 0) ::close(fd);
  std::error_code renamed;
  if (synced) std::filesystem::rename(temp, path, renamed);
  if (!synced || renamed) {
    std::filesystem::remove(temp, ignored);
    return Status::DatabaseUnavailable("backup could not be stored", false);
  }
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  const int dir = ::open(parent.empty() ? "." : parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
  std::error_code sized;
  report.bytes = static_cast<std::int64_t>(std::filesystem::file_size(path, sized));
  return report;
}

Connection& Database::AcquireReader() {
  std::unique_lock lock(readers_mutex_);
  reader_released_.wait(lock, [&] { return !idle_readers_.empty(); });
  Connection* connection = idle_readers_.back();
  idle_readers_.pop_back();
  return *connection;
}

void Database::ReleaseReader(Connection& connection) {
  {
    std::lock_guard lock(readers_mutex_);
    idle_readers_.push_back(&connection);
  }
  reader_released_.notify_one();
}

Status Database::Translate(const std::exception& error) {
  const auto* sqlite_error = dynamic_cast<const SqliteError*>(&error);
  const int primary = sqlite_error ? (sqlite_error->code() & 0xFF) : SQLITE_ERROR;
  if (primary == SQLITE_CONSTRAINT) {
    // The schema's CHECK and UNIQUE constraints back up the engines' validation; reaching one
    // means a request slipped past it, which is still the caller's bad input.
    Log().warn("constraint violation: {}", error.what());
    return Status::Error(ErrorCode::kInvalidArgument, error.what());
  }
  Log().error("sqlite: {}", error.what());
  const bool retryable = primary == SQLITE_BUSY || primary == SQLITE_LOCKED;
  return Status::DatabaseUnavailable(error.what(), retryable);
}

}  // namespace selfservice::sqlite

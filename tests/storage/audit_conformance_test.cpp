// Audit log conformance: the AuditRepository contract of repository.hpp (append, visibility,
// filters, paging, validation, the per-tenant hash chain) against every storage adapter, and the
// SQLite adapter's own promises: triggers that refuse edits, a raw edit found by Verify at the
// right entry, concurrent appends that chain, and no plaintext IP address in the file.

#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "core/sha256.hpp"
#include "selfservice/repository.hpp"
#include "storage/storage_test_support.hpp"

namespace selfservice {
namespace {

using test::CustomerAdmin;
using test::Describe;
using test::PlatformAdmin;
using test::User;

constexpr std::int64_t kT0 = 1'755'252'000'000;
const std::string kGenesis(64, '0');

AuditEntry Entry(std::string action, std::optional<std::int64_t> customer, std::optional<std::int64_t> actor,
                 std::int64_t at = kT0) {
  AuditEntry e;
  e.customer_id = customer;
  e.actor_user_id = actor;
  e.action = std::move(action);
  e.target = "user:42";
  e.details = test::Json(R"({"roles":["customer_admin"],"n":1})");
  e.ip_address = "203.0.113.7";
  e.trace_id = "trace-0001";
  e.at = Timestamp{at};
  return e;
}

bool HasFieldError(const Status& status, const std::string& field, const std::string& code) {
  for (const auto& error : status.field_errors()) {
    if (error.field == field && error.code == code) return true;
  }
  return false;
}

class AuditConformance : public test::AdapterTest {
 protected:
  AuditRepository& audit() { return store_->audit(); }

  AuditEntry Append(const RequestContext& caller, AuditEntry entry) {
    auto appended = audit().Append(Scope(caller), std::move(entry));
    EXPECT_TRUE(appended.ok()) << Describe(appended);
    return appended.ok() ? *appended : AuditEntry{};
  }

  Page<AuditEntry> List(const RequestContext& caller, const AuditFilter& filter = {}, PageRequest page = {}) {
    auto listed = audit().List(Scope(caller), filter, page);
    EXPECT_TRUE(listed.ok()) << Describe(listed);
    return listed.ok() ? *listed : Page<AuditEntry>{};
  }

  std::vector<std::int64_t> Ids(const RequestContext& caller, const AuditFilter& filter = {}) {
    std::vector<std::int64_t> ids;
    for (const auto& e : List(caller, filter, PageRequest{1, 100}).items) ids.push_back(e.id);
    return ids;
  }

  AuditVerification Verify(const RequestContext& caller) {
    auto verified = audit().Verify(Scope(caller));
    EXPECT_TRUE(verified.ok()) << Describe(verified);
    return verified.ok() ? *verified : AuditVerification{};
  }

  Status AppendStatus(AuditEntry entry) { return audit().Append(Scope(PlatformAdmin(1, 1, 1)), std::move(entry)).status(); }
};

TEST_P(AuditConformance, AppendReturnsTheEntryAsStoredAndListReadsItBack) {
  AuditEntry entry = Entry("users.roles.set", 10, 101);
  entry.tenant_id = 99;  // the scope's tenant wins
  const AuditEntry stored = Append(CustomerAdmin(1, 10, 101), entry);
  EXPECT_GT(stored.id, 0);
  EXPECT_EQ(stored.tenant_id, 1);
  EXPECT_EQ(stored.prev_hash, kGenesis);
  EXPECT_EQ(stored.hash.size(), 64u);
  EXPECT_NE(stored.hash, kGenesis);

  const auto page = List(PlatformAdmin(1, 1, 1));
  ASSERT_EQ(page.total, 1);
  ASSERT_EQ(page.items.size(), 1u);
  const AuditEntry& read = page.items[0];
  EXPECT_EQ(read.id, stored.id);
  EXPECT_EQ(read.tenant_id, 1);
  EXPECT_EQ(read.customer_id, std::optional<std::int64_t>(10));
  EXPECT_EQ(read.actor_user_id, std::optional<std::int64_t>(101));
  EXPECT_EQ(read.action, "users.roles.set");
  EXPECT_EQ(read.outcome, "success");
  EXPECT_EQ(read.target, std::optional<std::string>("user:42"));
  EXPECT_EQ(read.details, entry.details);
  EXPECT_EQ(read.ip_address, std::optional<std::string>("203.0.113.7"));
  EXPECT_EQ(read.trace_id, "trace-0001");
  EXPECT_EQ(read.at.millis, kT0);
  EXPECT_EQ(read.prev_hash, stored.prev_hash);
  EXPECT_EQ(read.hash, stored.hash);
}

TEST_P(AuditConformance, AnEntryWithoutOptionalsAndWithNullDetailsIsStoredWithEmptyDetails) {
  AuditEntry entry;
  entry.action = "auth.login.failed";
  entry.outcome = "failure";
  const AuditEntry stored = Append(PlatformAdmin(1, 1, 1), entry);
  const auto page = List(PlatformAdmin(1, 1, 1));
  ASSERT_EQ(page.items.size(), 1u);
  const AuditEntry& read = page.items[0];
  EXPECT_EQ(read.id, stored.id);
  EXPECT_FALSE(read.customer_id);
  EXPECT_FALSE(read.actor_user_id);
  EXPECT_FALSE(read.target);
  EXPECT_FALSE(read.ip_address);
  EXPECT_EQ(read.details, boost::json::value(boost::json::object()));
  EXPECT_EQ(read.outcome, "failure");
}

TEST_P(AuditConformance, EachEntryChainsToTheTenantsPreviousOne) {
  const AuditEntry a = Append(PlatformAdmin(1, 1, 1), Entry("auth.login", 10, 100));
  const AuditEntry other = Append(PlatformAdmin(2, 1, 1), Entry("auth.login", 10, 100));
  const AuditEntry b = Append(PlatformAdmin(1, 1, 1), Entry("auth.logout", 10, 100));
  EXPECT_EQ(a.prev_hash, kGenesis);
  EXPECT_EQ(other.prev_hash, kGenesis);  // each tenant has a chain of its own
  EXPECT_EQ(b.prev_hash, a.hash);
  EXPECT_NE(a.hash, other.hash);
}

TEST_P(AuditConformance, ListIsNewestFirst) {
  std::vector<std::int64_t> appended;
  for (int i = 0; i < 3; ++i) appended.push_back(Append(PlatformAdmin(1, 1, 1), Entry("auth.login", 10, 100, kT0 + i)).id);
  EXPECT_EQ(Ids(PlatformAdmin(1, 1, 1)), (std::vector<std::int64_t>{appended[2], appended[1], appended[0]}));
}

TEST_P(AuditConformance, VisibilityFollowsTheCallersRole) {
  const auto own = Append(PlatformAdmin(1, 1, 1), Entry("auth.login", 10, 100)).id;
  const auto colleague = Append(PlatformAdmin(1, 1, 1), Entry("auth.login", 10, 102)).id;
  const auto other_customer = Append(PlatformAdmin(1, 1, 1), Entry("auth.login", 20, 200)).id;
  const auto anonymous = Append(PlatformAdmin(1, 1, 1), Entry("auth.login.failed", std::nullopt, std::nullopt)).id;
  EXPECT_EQ(Ids(PlatformAdmin(1, 1, 1)), (std::vector<std::int64_t>{anonymous, other_customer, colleague, own}));
  EXPECT_EQ(Ids(CustomerAdmin(1, 10, 101)), (std::vector<std::int64_t>{colleague, own}));
  EXPECT_EQ(Ids(User(1, 10, 100)), (std::vector<std::int64_t>{own}));
}

TEST_P(AuditConformance, AnotherTenantSeesNothingAndVerifiesItsOwnEmptyChain) {
  Append(PlatformAdmin(1, 1, 1), Entry("auth.login", 10, 100));
  const auto page = List(PlatformAdmin(2, 1, 1));
  EXPECT_EQ(page.total, 0);
  EXPECT_TRUE(page.items.empty());
  EXPECT_TRUE(List(CustomerAdmin(2, 10, 101)).items.empty());
  const AuditVerification verified = Verify(PlatformAdmin(2, 1, 1));
  EXPECT_EQ(verified.entries, 0);
  EXPECT_FALSE(verified.first_broken_id);
}

TEST_P(AuditConformance, FilterByExactActionMatchesOnlyThatAction) {
  const auto login = Append(PlatformAdmin(1, 1, 1), Entry("auth.login", 10, 100)).id;
  Append(PlatformAdmin(1, 1, 1), Entry("auth.login.failed", 10, 100));
  Append(PlatformAdmin(1, 1, 1), Entry("auth", 10, 100));
  AuditFilter filter;
  filter.action = "auth.login";
  EXPECT_EQ(Ids(PlatformAdmin(1, 1, 1), filter), (std::vector<std::int64_t>{login}));
}

TEST_P(AuditConformance, FilterByActionPrefixEndingInADotMatchesTheFamily) {
  const auto login = Append(PlatformAdmin(1, 1, 1), Entry("auth.login", 10, 100)).id;
  const auto failed = Append(PlatformAdmin(1, 1, 1), Entry("auth.login.failed", 10, 100)).id;
  Append(PlatformAdmin(1, 1, 1), Entry("authz.denied", 10, 100));
  Append(PlatformAdmin(1, 1, 1), Entry("users.roles.set", 10, 100));
  AuditFilter filter;
  filter.action = "auth.";
  EXPECT_EQ(Ids(PlatformAdmin(1, 1, 1), filter), (std::vector<std::int64_t>{failed, login}));
  EXPECT_EQ(List(PlatformAdmin(1, 1, 1), filter).total, 2);
}

TEST_P(AuditConformance, FilterByActorMatchesOnlyTheirEntries) {
  Append(PlatformAdmin(1, 1, 1), Entry("auth.login", 10, 100));
  const auto mine = Append(PlatformAdmin(1, 1, 1), Entry("auth.login", 10, 102)).id;
  AuditFilter filter;
  filter.actor_user_id = 102;
  EXPECT_EQ(Ids(CustomerAdmin(1, 10, 101), filter), (std::vector<std::int64_t>{mine}));
}

TEST_P(AuditConformance, FilterByTimeIsFromInclusiveToExclusive) {
  Append(PlatformAdmin(1, 1, 1), Entry("auth.login", 10, 100, kT0 - 1));
  const auto first = Append(PlatformAdmin(1, 1, 1), Entry("auth.login", 10, 100, kT0)).id;
  const auto second = Append(PlatformAdmin(1, 1, 1), Entry("auth.login", 10, 100, kT0 + 999)).id;
  Append(PlatformAdmin(1, 1, 1), Entry("auth.login", 10, 100, kT0 + 1000));
  AuditFilter filter;
  filter.from = Timestamp{kT0};
  filter.to = Timestamp{kT0 + 1000};
  EXPECT_EQ(Ids(PlatformAdmin(1, 1, 1), filter), (std::vector<std::int64_t>{second, first}));
}

TEST_P(AuditConformance, PagesSplitTheNewestFirstOrderAndCountTheWhole) {
  std::vector<std::int64_t> ids;
  for (int i = 0; i < 5; ++i) ids.push_back(Append(PlatformAdmin(1, 1, 1), Entry("auth.login", 10, 100)).id);
  const auto second = List(PlatformAdmin(1, 1, 1), {}, PageRequest{2, 2});
  EXPECT_EQ(second.total, 5);
  ASSERT_EQ(second.items.size(), 2u);
  EXPECT_EQ(second.items[0].id, ids[2]);
  EXPECT_EQ(second.items[1].id, ids[1]);
  const auto beyond = List(PlatformAdmin(1, 1, 1), {}, PageRequest{4, 2});
  EXPECT_EQ(beyond.total, 5);
  EXPECT_TRUE(beyond.items.empty());
}

TEST_P(AuditConformance, AppendRefusesABadActionNamingTheField) {
  for (const char* bad : {"", "Auth.Login", "auth login", "auth-login", "认证"}) {
    Status status = AppendStatus(Entry(bad, 10, 100));
    EXPECT_EQ(status.code(), ErrorCode::kInvalidArgument) << bad;
    EXPECT_TRUE(HasFieldError(status, "action", std::string(*bad ? field_code::kInvalid : field_code::kRequired)))
        << bad << ": " << Describe(status);
  }
  EXPECT_TRUE(HasFieldError(AppendStatus(Entry(std::string(65, 'a'), 10, 100)), "action", field_code::kTooLong));
  EXPECT_TRUE(AppendStatus(Entry(std::string(64, 'a'), 10, 100)).ok());
}

TEST_P(AuditConformance, AppendRefusesAnOutcomeOtherThanSuccessOrFailure) {
  AuditEntry entry = Entry("auth.login", 10, 100);
  entry.outcome = "ok";
  EXPECT_TRUE(HasFieldError(AppendStatus(entry), "outcome", field_code::kNotAllowed));
}

TEST_P(AuditConformance, AppendRefusesAnEmptyOrTooLongTarget) {
  AuditEntry entry = Entry("auth.login", 10, 100);
  entry.target = "";
  EXPECT_TRUE(HasFieldError(AppendStatus(entry), "target", field_code::kInvalid));
  entry.target = std::string(129, 'x');
  EXPECT_TRUE(HasFieldError(AppendStatus(entry), "target", field_code::kTooLong));
  entry.target = std::string(128, 'x');
  EXPECT_TRUE(AppendStatus(entry).ok());
}

TEST_P(AuditConformance, AppendRefusesDetailsThatAreNotAnObjectOrTooLarge) {
  AuditEntry entry = Entry("auth.login", 10, 100);
  entry.details = test::Json(R"(["a"])");
  EXPECT_TRUE(HasFieldError(AppendStatus(entry), "details", field_code::kInvalid));
  entry.details = boost::json::object{{"text", std::string(8 * 1024, 'x')}};
  EXPECT_TRUE(HasFieldError(AppendStatus(entry), "details", field_code::kTooLong));
}

TEST_P(AuditConformance, AppendRefusesAnIpAddressThatIsNoAddress) {
  AuditEntry entry = Entry("auth.login", 10, 100);
  entry.ip_address = "not-an-ip";
  EXPECT_TRUE(HasFieldError(AppendStatus(entry), "ip_address", field_code::kInvalid));
  entry.ip_address = "2001:db8::1";
  EXPECT_TRUE(AppendStatus(entry).ok());
}

TEST_P(AuditConformance, AppendRefusesATooLongTraceId) {
  AuditEntry entry = Entry("auth.login", 10, 100);
  entry.trace_id = std::string(129, 't');
  EXPECT_TRUE(HasFieldError(AppendStatus(entry), "trace_id", field_code::kTooLong));
}

TEST_P(AuditConformance, AppendRefusesIdsThatAreNotPositive) {
  Status status = AppendStatus(Entry("auth.login", 0, -1));
  EXPECT_TRUE(HasFieldError(status, "customer_id", field_code::kInvalid)) << Describe(status);
  EXPECT_TRUE(HasFieldError(status, "actor_user_id", field_code::kInvalid)) << Describe(status);
}

TEST_P(AuditConformance, AppendRefusesAScopeWithoutATenant) {
  auto appended = audit().Append(Scope(PlatformAdmin(0, 1, 1)), Entry("auth.login", 10, 100));
  EXPECT_TRUE(HasFieldError(appended.status(), "tenant_id", field_code::kInvalid)) << Describe(appended);
}

TEST_P(AuditConformance, ARefusedAppendStoresNothing) {
  AuditEntry entry = Entry("auth.login", 10, 100);
  entry.outcome = "maybe";
  EXPECT_FALSE(AppendStatus(entry).ok());
  EXPECT_EQ(List(PlatformAdmin(1, 1, 1)).total, 0);
}

TEST_P(AuditConformance, ListRefusesABadFilterOrPage) {
  AuditFilter filter;
  filter.action = "Auth*";
  filter.actor_user_id = 0;
  auto listed = audit().List(Scope(PlatformAdmin(1, 1, 1)), filter, PageRequest{0, 0});
  EXPECT_EQ(listed.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_TRUE(HasFieldError(listed.status(), "action", field_code::kInvalid)) << Describe(listed);
  EXPECT_TRUE(HasFieldError(listed.status(), "actor_user_id", field_code::kInvalid)) << Describe(listed);
  EXPECT_TRUE(HasFieldError(listed.status(), "page", field_code::kOutOfRange)) << Describe(listed);
  EXPECT_TRUE(HasFieldError(listed.status(), "size", field_code::kOutOfRange)) << Describe(listed);
  EXPECT_TRUE(HasFieldError(audit().List(Scope(PlatformAdmin(1, 1, 1)), {}, PageRequest{1, 1001}).status(), "size",
                            field_code::kOutOfRange));
}

TEST_P(AuditConformance, AnUntouchedChainVerifies) {
  for (int i = 0; i < 5; ++i) Append(PlatformAdmin(1, 1, 1), Entry("auth.login", 10, 100 + i, kT0 + i));
  Append(PlatformAdmin(2, 1, 1), Entry("auth.login", 10, 100));
  const AuditVerification verified = Verify(PlatformAdmin(1, 1, 1));
  EXPECT_EQ(verified.entries, 5);
  EXPECT_FALSE(verified.first_broken_id);
}

TEST_P(AuditConformance, ConcurrentAppendsFromSeveralThreadsFormOneChain) {
  constexpr int kThreads = 4;
  constexpr int kEach = 25;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        auto appended = audit().Append(Scope(PlatformAdmin(1, 1, 1)), Entry("auth.login", 10, 100 + t, kT0 + i));
        EXPECT_TRUE(appended.ok()) << Describe(appended);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  const AuditVerification verified = Verify(PlatformAdmin(1, 1, 1));
  EXPECT_EQ(verified.entries, kThreads * kEach);
  EXPECT_FALSE(verified.first_broken_id);
  // Every entry's predecessor is a distinct entry: no two appends chained to the same one.
  std::set<std::string> prevs;
  for (int page = 1; page <= 2; ++page) {
    for (const auto& e : List(PlatformAdmin(1, 1, 1), {}, PageRequest{page, 100}).items) prevs.insert(e.prev_hash);
  }
  EXPECT_EQ(prevs.size(), static_cast<std::size_t>(kThreads * kEach));
}

INSTANTIATE_TEST_SUITE_P(Adapters, AuditConformance, ::testing::ValuesIn(test::kStorageUris), test::AdapterName);

// --- The SQLite file: triggers, tampering, sealed addresses ----------------------------------------

// A second, raw connection to the store's file, as someone holding the file would have.
class RawFile {
 public:
  explicit RawFile(const std::string& path) {
    if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
      ADD_FAILURE() << "cannot open " << path;
    }
    sqlite3_busy_timeout(db_, 5000);
  }
  RawFile(const RawFile&) = delete;
  RawFile& operator=(const RawFile&) = delete;
  ~RawFile() { sqlite3_close_v2(db_); }

  // SQLITE_OK or the error's code; `error` gets its message.
  int Exec(const std::string& sql, std::string* error = nullptr) {
    char* message = nullptr;
    const int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message);
    if (error != nullptr && message != nullptr) *error = message;
    sqlite3_free(message);
    return rc;
  }

  // The first column of the first row, "" when there is none.
  std::string Query(const std::string& sql) {
    sqlite3_stmt* stmt = nullptr;
    std::string out;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK && sqlite3_step(stmt) == SQLITE_ROW &&
        sqlite3_column_text(stmt, 0) != nullptr) {
      out = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
    }
    sqlite3_finalize(stmt);
    return out;
  }

  void DropTriggers() {
    ASSERT_EQ(Exec("DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_ip_sealed_only; "
                   "DROP TRIGGER audit_log_no_delete"),
              SQLITE_OK);
  }

 private:
  sqlite3* db_ = nullptr;
};

class AuditFile : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = dir_.File("portal.db");
    auto opened = OpenStore("sqlite:" + path_);
    ASSERT_TRUE(opened.ok()) << Describe(opened);
    store_ = std::move(opened).value();
    for (int i = 0; i < 5; ++i) {
      auto appended = store_->audit().Append(Scope(PlatformAdmin(1, 1, 1)), Entry("auth.login", 10, 100 + i, kT0 + i));
      ASSERT_TRUE(appended.ok()) << Describe(appended);
      ids_.push_back(appended->id);
    }
    auto other = store_->audit().Append(Scope(PlatformAdmin(2, 1, 1)), Entry("auth.login", 10, 100));
    ASSERT_TRUE(other.ok()) << Describe(other);
    other_tenant_id_ = other->id;
  }

  AuditVerification Verify(std::int64_t tenant = 1) {
    auto verified = store_->audit().Verify(Scope(PlatformAdmin(tenant, 1, 1)));
    EXPECT_TRUE(verified.ok()) << Describe(verified);
    return verified.ok() ? *verified : AuditVerification{};
  }

  // Drops the triggers, runs `sql` (with ?ID standing for the id of the tenant's third entry) and
  // answers the id Verify finds broken first.
  std::optional<std::int64_t> BrokenAfter(std::string sql) {
    RawFile raw(path_);
    raw.DropTriggers();
    const std::string id = std::to_string(ids_[2]);
    for (auto at = sql.find("?ID"); at != std::string::npos; at = sql.find("?ID")) sql.replace(at, 3, id);
    std::string error;
    EXPECT_EQ(raw.Exec(sql, &error), SQLITE_OK) << error;
    return Verify().first_broken_id;
  }

  test::TempDir dir_;
  std::string path_;
  std::unique_ptr<Store> store_;
  std::vector<std::int64_t> ids_;
  std::int64_t other_tenant_id_ = 0;
};

TEST_F(AuditFile, TheTriggersRefuseUpdatesOfAnyFieldAndDeletes) {
  RawFile raw(path_);
  const std::string where = " WHERE id = " + std::to_string(ids_[2]);
  for (const char* set : {"details = '{}'", "action = 'auth.logout'", "at = at + 1", "hash = prev_hash",
                          "tenant_id = 3", "ip_address = NULL", "ip_address = '198.51.100.1'"}) {
    std::string error;
    EXPECT_EQ(raw.Exec(std::string("UPDATE audit_log SET ") + set + where, &error), SQLITE_CONSTRAINT) << set;
    EXPECT_NE(error.find("append-only"), std::string::npos) << error;
  }
  EXPECT_EQ(raw.Exec("DELETE FROM audit_log" + where), SQLITE_CONSTRAINT);
  EXPECT_EQ(Verify().entries, 5);
  EXPECT_FALSE(Verify().first_broken_id);
}

TEST_F(AuditFile, WritingASealedAddressIsAllowedAndKeepsTheChain) {
  RawFile raw(path_);
  const std::string id = std::to_string(ids_[2]);
  // Re-encryption writes a sealed value; the same ciphertext stands in for one here.
  EXPECT_EQ(raw.Exec("UPDATE audit_log SET ip_address = ip_address WHERE id = " + id), SQLITE_OK);
  EXPECT_FALSE(Verify().first_broken_id);
}

TEST_F(AuditFile, EditedDetailsBreakTheChainAtThatEntry) {
  EXPECT_EQ(BrokenAfter("UPDATE audit_log SET details = '{\"roles\":[]}' WHERE id = ?ID"), ids_[2]);
}

TEST_F(AuditFile, AnEditedActionBreaksTheChainAtThatEntry) {
  EXPECT_EQ(BrokenAfter("UPDATE audit_log SET action = 'auth.logout' WHERE id = ?ID"), ids_[2]);
}

TEST_F(AuditFile, AnEditedTimeBreaksTheChainAtThatEntry) {
  EXPECT_EQ(BrokenAfter("UPDATE audit_log SET at = at - 60000 WHERE id = ?ID"), ids_[2]);
}

TEST_F(AuditFile, AnEditOfAnyOtherFieldBreaksTheChainAtThatEntry) {
  RawFile raw(path_);
  raw.DropTriggers();
  const std::string where = " WHERE id = " + std::to_string(ids_[2]);
  const std::pair<const char*, const char*> edits[] = {
      {"customer_id", "11"},      {"actor_user_id", "NULL"}, {"outcome", "'failure'"},
      {"target", "'user:43'"},    {"trace_id", "'forged'"},  {"prev_hash", "hash"},
      {"ip_address", "'198.51.100.1'"}};
  for (const auto& [column, value] : edits) {
    const std::string original = raw.Query(std::string("SELECT quote(") + column + ") FROM audit_log" + where);
    ASSERT_EQ(raw.Exec(std::string("UPDATE audit_log SET ") + column + " = " + value + where), SQLITE_OK) << column;
    EXPECT_EQ(Verify().first_broken_id, std::optional<std::int64_t>(ids_[2])) << column;
    ASSERT_EQ(raw.Exec(std::string("UPDATE audit_log SET ") + column + " = " + original + where), SQLITE_OK) << column;
    EXPECT_FALSE(Verify().first_broken_id) << column << " restored";
  }
}

// The canonical form documented in audit_repository.cpp, computed independently.
std::string ExpectedHash(const std::string& prev_hash, const AuditEntry& e, const std::string& details_text) {
  auto optional_int = [](const std::optional<std::int64_t>& v) {
    return v ? boost::json::value(*v) : boost::json::value(nullptr);
  };
  auto optional_text = [](const std::optional<std::string>& v) {
    return v ? boost::json::value(boost::json::string(*v)) : boost::json::value(nullptr);
  };
  const boost::json::array canonical{boost::json::string(prev_hash),   e.tenant_id,
                                     optional_int(e.customer_id),      optional_int(e.actor_user_id),
                                     boost::json::string(e.action),    boost::json::string(e.outcome),
                                     optional_text(e.target),          boost::json::string(details_text),
                                     optional_text(e.ip_address),      boost::json::string(e.trace_id),
                                     e.at.millis};
  return Sha256Hex(boost::json::serialize(canonical));
}

TEST_F(AuditFile, TheHashIsSha256OfTheCanonicalArrayOverThePlaintextAddress) {
  auto page = store_->audit().List(Scope(PlatformAdmin(1, 1, 1)), {}, PageRequest{1, 100});
  ASSERT_TRUE(page.ok()) << Describe(page);
  const AuditEntry& first = page->items.back();
  EXPECT_EQ(first.hash, ExpectedHash(kGenesis, first, boost::json::serialize(first.details)));
}

TEST_F(AuditFile, AnEntryForgedWithARecomputedHashBreaksTheChainAtTheNextEntry) {
  // A tamperer who knows the algorithm rewrites an entry and its hash; its successor no longer
  // follows from it.
  auto page = store_->audit().List(Scope(PlatformAdmin(1, 1, 1)), {}, PageRequest{1, 100});
  ASSERT_TRUE(page.ok()) << Describe(page);
  const AuditEntry& forged = page->items[2];
  ASSERT_EQ(forged.id, ids_[2]);
  const std::string details = R"({"roles":[]})";
  const std::string hash = ExpectedHash(forged.prev_hash, forged, details);
  EXPECT_EQ(BrokenAfter("UPDATE audit_log SET details = '" + details + "', hash = '" + hash + "' WHERE id = ?ID"),
            ids_[3]);
}

TEST_F(AuditFile, ADeletedMiddleEntryBreaksTheChainAtItsSuccessor) {
  EXPECT_EQ(BrokenAfter("DELETE FROM audit_log WHERE id = ?ID"), ids_[3]);
  EXPECT_EQ(Verify().entries, 4);
}

TEST_F(AuditFile, SwappedEntriesBreakTheChainAtTheFirstOfThem) {
  const std::string a = std::to_string(ids_[1]);
  const std::string b = std::to_string(ids_[2]);
  EXPECT_EQ(BrokenAfter("UPDATE audit_log SET id = -1 WHERE id = " + a + "; UPDATE audit_log SET id = " + a +
                        " WHERE id = " + b + "; UPDATE audit_log SET id = " + b + " WHERE id = -1"),
            ids_[1]);
}

TEST_F(AuditFile, TamperingInOneTenantLeavesAnothersChainIntact) {
  EXPECT_EQ(BrokenAfter("DELETE FROM audit_log WHERE id = ?ID"), ids_[3]);
  const AuditVerification other = Verify(2);
  EXPECT_EQ(other.entries, 1);
  EXPECT_FALSE(other.first_broken_id);
}

TEST_F(AuditFile, TheStoredRowHoldsNoPlaintextAddress) {
  RawFile raw(path_);
  const std::string stored = raw.Query("SELECT ip_address FROM audit_log WHERE id = " + std::to_string(ids_[0]));
  EXPECT_TRUE(stored.starts_with("enc:v1:")) << stored;
  EXPECT_EQ(raw.Query("SELECT count(*) FROM audit_log WHERE instr(ip_address, '203.0.113.7') > 0"), "0");
}

TEST_F(AuditFile, AnAddressThatNoKeyOpensBreaksTheChainAndFailsTheList) {
  RawFile raw(path_);
  raw.DropTriggers();
  // The sealed address of another tenant's entry: it does not open under this tenant.
  ASSERT_EQ(raw.Exec("UPDATE audit_log SET ip_address = (SELECT ip_address FROM audit_log WHERE id = " +
                     std::to_string(other_tenant_id_) + ") WHERE id = " + std::to_string(ids_[2])),
            SQLITE_OK);
  EXPECT_EQ(Verify().first_broken_id, std::optional<std::int64_t>(ids_[2]));
  auto listed = store_->audit().List(Scope(PlatformAdmin(1, 1, 1)), {}, PageRequest{1, 100});
  EXPECT_EQ(listed.status().code(), ErrorCode::kDatabaseUnavailable);
}

TEST_F(AuditFile, TheChainStillVerifiesAfterTheStoreIsReopened) {
  store_.reset();
  auto reopened = OpenStore("sqlite:" + path_);
  ASSERT_TRUE(reopened.ok()) << Describe(reopened);
  store_ = std::move(reopened).value();
  const AuditVerification verified = Verify();
  EXPECT_EQ(verified.entries, 5);
  EXPECT_FALSE(verified.first_broken_id);
}

}  // namespace
}  // namespace selfservice

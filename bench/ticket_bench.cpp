// Tickets (REQ-019-005/006) through selfservice::Portal on file storage: tickets.create, the
// tickets.status poll (the C++ typed Invoke and the string API that selfservice_invoke wraps), and
// tickets.list with filters on 1,000,000 tickets.
//
// The data set is built once per run in a temporary folder: the portal creates the schema, then one
// transaction of prepared INSERTs straight into `tickets` (the FTS and count triggers index and
// count them as a creation would): tenant 1, 100 customers of 10 users, 1,000 tickets per user,
// statuses weighted as a year of work leaves them (half closed), 20 categories, created over 365
// days, and one of 1,000 error codes ("ERR-0417") in every description, so a code names 0.1 % of
// the tickets. Every call is timed with a steady clock after an untimed warm-up; p50/p99 (nearest
// rank) are counters in microseconds. docs/PERFORMANCE.md ("Tickets") has the figures.
//
// SELFSERVICE_BENCH_TICKETS_DB=<file> keeps (and reuses) the 1,000,000-ticket database.

#include <benchmark/benchmark.h>
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <unistd.h>

#include <boost/json.hpp>

#include "selfservice/selfservice.hpp"

namespace selfservice {
namespace {
namespace json = boost::json;

constexpr std::int64_t kDay = 24LL * 3600 * 1000;
constexpr std::int64_t kNow = 1767225600000LL;  // 2026-01-01T00:00:00Z
constexpr int kTickets = 1000000;
constexpr int kCustomers = 100;
constexpr int kUsersPerCustomer = 10;

std::filesystem::path TempFolder() {
  std::string pattern = (std::filesystem::temp_directory_path() / "ticket-bench-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) std::abort();
  return pattern;
}

RequestContext Context(std::int64_t customer, std::int64_t user, Role role) {
  RequestContext c;
  c.tenant_id = 1;
  c.customer_id = customer;
  c.user_id = user;
  c.roles = static_cast<unsigned>(role);
  c.trace_id = "bench";
  return c;
}

std::unique_ptr<Portal> OpenPortal(const std::string& path) {
  PortalOptions options;
  options.storage = "sqlite:" + path;
  options.log_level = "off";
  auto portal = Portal::Open(options);
  if (!portal.ok()) std::abort();
  return std::move(portal).value();
}

void Exec(sqlite3* db, const char* sql) {
  if (sqlite3_exec(db, sql, nullptr, nullptr, nullptr) != SQLITE_OK) {
    std::fprintf(stderr, "%s: %s\n", sql, sqlite3_errmsg(db));
    std::abort();
  }
}

void Fill(const std::string& path) {
  sqlite3* db = nullptr;
  if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) std::abort();
  Exec(db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = OFF; PRAGMA cache_size = -262144; BEGIN");
  sqlite3_stmt* insert = nullptr;
  sqlite3_prepare_v2(db,
                     "INSERT INTO tickets (tenant_id, customer_id, user_id, title, description, category, priority, "
                     "status, contact_email, created_at, updated_at, closed_at) VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, "
                     "'user@example.com', ?8, ?8, ?9)",
                     -1, &insert, nullptr);
  static const char* const kWords[] = {"VPN",  "打印机", "邮件",  "登录", "password", "wifi", "发票", "nginx",
                                       "disk", "慢",     "error", "更新", "服务器",   "连接", "证书", "backup"};
  static const char* const kStatuses[] = {"closed", "closed", "closed", "closed", "closed", "closed", "closed",
                                          "closed", "closed", "closed", "resolved", "resolved", "in_progress",
                                          "in_progress", "in_progress", "open", "open", "new", "pending_customer",
                                          "reopened"};
  std::mt19937_64 rng(42);
  for (int i = 0; i < kTickets; ++i) {
    const int user = i % (kCustomers * kUsersPerCustomer);
    const std::string title = std::string(kWords[rng() % 16]) + " " + kWords[rng() % 16] + " 问题 #" + std::to_string(i);
    char code[16];
    std::snprintf(code, sizeof code, "ERR-%04d", static_cast<int>(rng() % 1000));
    const std::string description = std::string("出现 ") + code + " " + kWords[rng() % 16] + " 无法使用";
    const std::string category = "cat-" + std::to_string(rng() % 20);
    const char* status = kStatuses[rng() % 20];
    const std::int64_t created = kNow - static_cast<std::int64_t>(rng() % (365 * kDay));
    sqlite3_bind_int64(insert, 1, 1 + user / kUsersPerCustomer);
    sqlite3_bind_int64(insert, 2, 1000 + user);
    sqlite3_bind_text(insert, 3, title.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(insert, 4, description.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(insert, 5, category.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(insert, 6, 1 + static_cast<int>(rng() % 3));
    sqlite3_bind_text(insert, 7, status, -1, SQLITE_STATIC);
    sqlite3_bind_int64(insert, 8, created);
    if (std::string_view(status) == "closed") {
      sqlite3_bind_int64(insert, 9, created + kDay);
    } else {
      sqlite3_bind_null(insert, 9);
    }
    if (sqlite3_step(insert) != SQLITE_DONE) std::abort();
    sqlite3_reset(insert);
  }
  sqlite3_finalize(insert);
  Exec(db, "COMMIT; ANALYZE; PRAGMA wal_checkpoint(TRUNCATE)");
  sqlite3_close(db);
}

struct Fixture {
  std::filesystem::path folder;  // removed at exit unless the database is kept
  std::string path;
  std::unique_ptr<Portal> portal;
  double build_seconds = 0;

  ~Fixture() {
    portal.reset();
    std::error_code ignored;
    if (!folder.empty()) std::filesystem::remove_all(folder, ignored);
  }
};

// The 1,000,000-ticket portal, built on first use.
Fixture& Million() {
  static const std::unique_ptr<Fixture> f = [] {
    auto fixture = std::make_unique<Fixture>();
    if (const char* kept = std::getenv("SELFSERVICE_BENCH_TICKETS_DB")) {
      fixture->path = kept;
    } else {
      fixture->folder = TempFolder();
      fixture->path = (fixture->folder / "tickets.db").string();
    }
    const bool exists = std::filesystem::exists(fixture->path);
    fixture->portal = OpenPortal(fixture->path);  // creates the schema
    if (!exists) {
      fixture->portal.reset();
      const auto start = std::chrono::steady_clock::now();
      Fill(fixture->path);
      fixture->build_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      std::fprintf(stderr, "built %d tickets in %.1f s\n", kTickets, fixture->build_seconds);
      fixture->portal = OpenPortal(fixture->path);
    }
    return fixture;
  }();
  return *f;
}

void Report(benchmark::State& state, std::vector<double> micros) {
  std::sort(micros.begin(), micros.end());
  auto rank = [&](double p) {
    return micros[static_cast<std::size_t>(p * static_cast<double>(micros.size() - 1) + 0.5)];
  };
  double sum = 0;
  for (double m : micros) sum += m;
  state.counters["calls"] = static_cast<double>(micros.size());
  state.counters["p50_us"] = rank(0.5);
  state.counters["p99_us"] = rank(0.99);
  state.counters["max_us"] = micros.back();
  state.SetIterationTime(sum / static_cast<double>(micros.size()) / 1e6);
}

template <typename F>
std::vector<double> Time(int calls, F&& call) {
  std::vector<double> micros;
  micros.reserve(static_cast<std::size_t>(calls));
  for (int i = 0; i < calls; ++i) {
    const auto start = std::chrono::steady_clock::now();
    call(i);
    micros.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count());
  }
  return micros;
}

void Expect200(const json::object& answer) {
  if (answer.at("code").as_int64() != 200) {
    std::fprintf(stderr, "%s\n", json::serialize(answer).c_str());
    std::abort();
  }
}

// tickets.create on a fresh file portal (WAL, synchronous NORMAL), each with its idempotency key.
void BM_TicketCreate(benchmark::State& state) {
  const std::filesystem::path folder = TempFolder();
  auto portal = OpenPortal((folder / "portal.db").string());
  const RequestContext user = Context(10, 100, Role::kCustomerUser);
  auto create = [&](int i) {
    json::object request{{"title", "VPN 每天早上断开 #" + std::to_string(i)},
                         {"description", "9 点左右 VPN 自动断开，重连后正常；出现 ERR-0417"},
                         {"category", "network"},
                         {"priority", 2},
                         {"contact", json::object{{"email", "li@example.com"}}},
                         {"idempotency_key", "form-" + std::to_string(i)}};
    Expect200(portal->Invoke("tickets.create", user, request));
  };
  for (int i = 0; i < 200; ++i) create(1'000'000 + i);
  for (auto _ : state) Report(state, Time(5000, create));
  portal.reset();
  std::filesystem::remove_all(folder);
}

// tickets.status of the caller's own tickets on the 1,000,000-ticket file portal: the typed C++
// Invoke (RequestContext + json::object) and the string API (what selfservice_invoke does).
void BM_TicketStatusTyped(benchmark::State& state) {
  Portal& portal = *Million().portal;
  const RequestContext user = Context(1, 1000, Role::kCustomerUser);
  // User 1000 owns tickets 1, 1001, 2001, ...
  auto call = [&](int i) {
    json::object request{{"id", 1 + static_cast<std::int64_t>(i % 1000) * 1000}};
    Expect200(portal.Invoke("tickets.status", user, request));
  };
  Time(2000, call);
  for (auto _ : state) Report(state, Time(20000, call));
}

void BM_TicketStatusString(benchmark::State& state) {
  Portal& portal = *Million().portal;
  const std::string context = R"({"tenant_id":1,"customer_id":1,"user_id":1000,"roles":["customer_user"],"trace_id":"bench"})";
  std::vector<std::string> requests;
  for (int i = 0; i < 1000; ++i) requests.push_back(R"({"id":)" + std::to_string(1 + i * 1000) + "}");
  auto call = [&](int i) {
    std::string answer = portal.Invoke("tickets.status", context, requests[static_cast<std::size_t>(i % 1000)]);
    if (answer.compare(0, 11, R"({"code":200)") != 0) std::abort();
  };
  Time(2000, call);
  for (auto _ : state) Report(state, Time(20000, call));
}

// tickets.list on 1,000,000 tickets, by case (the range argument):
//  0 a customer_user's own tickets with a status (1,000 of theirs)
//  1 a customer_admin's customer, one category, last 90 days (10,000 of theirs)
//  2 a platform_admin, one error code as keyword (about 1,000 in the tenant)
//  3 a platform_admin, one status and one category (about 7,500)
//  4 a platform_admin, one status: in_progress (about 150,000)
//  5 a customer_user, keyword of 2 characters (LIKE over their 1,000)
//  6 a platform_admin, no filter (the whole tenant; the total is summed from ticket_counts)
void BM_TicketList(benchmark::State& state) {
  Portal& portal = *Million().portal;
  const int which = static_cast<int>(state.range(0));
  std::mt19937 rng(7);
  auto call = [&](int i) {
    json::object request{{"size", 20}};
    RequestContext who = Context(1, 1000, Role::kCustomerUser);
    const int customer = 1 + static_cast<int>(rng() % kCustomers);
    switch (which) {
      case 0:
        who = Context(customer, 1000 + (customer - 1) * kUsersPerCustomer, Role::kCustomerUser);
        request["status"] = i % 2 ? "open" : "closed";
        break;
      case 1:
        who = Context(customer, 5, Role::kCustomerAdmin);
        request["category"] = "cat-" + std::to_string(rng() % 20);
        request["created_from"] = FormatTimestamp(Timestamp{kNow - 90 * kDay});
        break;
      case 2: {
        who = Context(1, 1, Role::kPlatformAdmin);
        char code[16];
        std::snprintf(code, sizeof code, "ERR-%04d", static_cast<int>(rng() % 1000));
        request["keyword"] = code;
        break;
      }
      case 3:
        who = Context(1, 1, Role::kPlatformAdmin);
        request["status"] = "resolved";
        request["category"] = "cat-" + std::to_string(rng() % 20);
        break;
      case 4:
        who = Context(1, 1, Role::kPlatformAdmin);
        request["status"] = "in_progress";
        break;
      case 5:
        who = Context(customer, 1000 + (customer - 1) * kUsersPerCustomer, Role::kCustomerUser);
        request["keyword"] = "证书";
        break;
      default:
        who = Context(1, 1, Role::kPlatformAdmin);
        break;
    }
    request["page"] = 1 + static_cast<int>(rng() % 3);
    Expect200(portal.Invoke("tickets.list", who, request));
  };
  Time(20, call);
  for (auto _ : state) Report(state, Time(which >= 4 ? 100 : 500, call));
}

BENCHMARK(BM_TicketCreate)->Iterations(1)->UseManualTime()->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_TicketStatusTyped)->Iterations(1)->UseManualTime()->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_TicketStatusString)->Iterations(1)->UseManualTime()->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_TicketList)->DenseRange(0, 6)->Iterations(1)->UseManualTime()->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace selfservice

BENCHMARK_MAIN();

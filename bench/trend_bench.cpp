// Popular past queries (AnalyticsRepository::TopSearches) on 1,000,000 search events: the prefix
// lookups search.suggestions makes when titles give fewer than 10 completions, and search.trending.
//
// One tenant's events in a file database in a temporary folder, appended in batches of 1,000
// through AnalyticsRepository::Append (what analytics.track and search.query do): 2,000 customers,
// 20,000 distinct queries of one to three words drawn from 400 words with Zipf-like popularity
// (query rank r asked in proportion to 1/r), typed with random case and extra spaces, 5 % of them
// recorded as finding nothing, spread evenly over the 30 days before "now". Every call is timed
// with a steady clock after one untimed warm-up pass; p50/p99 (nearest rank) are counters in
// microseconds. docs/PERFORMANCE.md ("Suggestions") has the figures.
//
// SELFSERVICE_BENCH_TREND_DB=<file> keeps the database for later runs; SELFSERVICE_BENCH_TREND_SLOWEST=N
// prints each case's N slowest calls.

#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include <unistd.h>

#include "selfservice/selfservice.hpp"
#include "support/callers.hpp"

namespace selfservice {
namespace {

constexpr std::int64_t kHour = 3600LL * 1000;
constexpr std::int64_t kNow = 1767225600000LL;  // 2026-01-01T00:00:00Z
constexpr int kEvents = 1000000;
constexpr int kQueries = 20000;
constexpr int kWords = 400;

std::string Word(int i) {
  static const char* const kStems[] = {"vpn",     "wifi",  "printer", "nginx", "password", "mail",
                                       "invoice", "login", "disk",    "slow",  "error",    "update",
                                       "配置",    "无法",  "连接",    "服务器"};
  return std::string(kStems[i % 16]) + (i < 16 ? "" : std::to_string(i / 16));
}

struct Fixture {
  std::filesystem::path folder;  // a temporary one, removed at exit
  std::unique_ptr<Store> store;
  std::vector<std::string> queries;  // by popularity rank

  Fixture() = default;
  Fixture(Fixture&&) = default;
  ~Fixture() {
    store.reset();
    std::error_code ignored;
    if (!folder.empty()) std::filesystem::remove_all(folder, ignored);
  }
};

Fixture& Data() {
  static Fixture fixture = [] {
    Fixture f;
    // SELFSERVICE_BENCH_TREND_DB=<file> keeps the database: the first run fills it, later runs
    // (of the same program) only query it. Without it, a fresh one in a temporary folder.
    const char* kept = std::getenv("SELFSERVICE_BENCH_TREND_DB");
    std::filesystem::path file;
    if (kept != nullptr && *kept != '\0') {
      file = kept;
    } else {
      f.folder = std::filesystem::temp_directory_path() / ("trend_bench_" + std::to_string(::getpid()));
      std::filesystem::create_directories(f.folder);
      file = f.folder / "db.sqlite";
    }
    const bool filled = std::filesystem::exists(file);
    auto opened = OpenStore("sqlite:" + file.string());
    if (!opened.ok()) std::abort();
    f.store = std::move(opened).value();
    std::mt19937_64 rng(42);
    for (int q = 0; q < kQueries; ++q) {
      std::string text = Word(static_cast<int>(rng() % 64));  // popular first words
      const int extra = static_cast<int>(rng() % 3);
      for (int w = 0; w < extra; ++w) text += " " + Word(static_cast<int>(rng() % kWords));
      f.queries.push_back(text);
    }
    if (filled) return f;
    std::vector<double> cumulative(kQueries);
    double total = 0;
    for (int q = 0; q < kQueries; ++q) cumulative[q] = total += 1.0 / (q + 1);
    std::uniform_real_distribution<double> pick(0, total);
    std::vector<BehaviorEvent> batch;
    for (int i = 0; i < kEvents; ++i) {
      const auto q = static_cast<std::size_t>(std::lower_bound(cumulative.begin(), cumulative.end(), pick(rng)) -
                                              cumulative.begin());
      BehaviorEvent e;
      e.tenant_id = 1;
      e.customer_id = 1 + static_cast<std::int64_t>(rng() % 2000);
      e.user_id = e.customer_id * 10;
      e.page_path = "/search";
      e.action_type = ActionType::search;
      std::string typed = f.queries[std::min<std::size_t>(q, kQueries - 1)];
      if (rng() % 4 == 0) typed[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(typed[0])));
      if (rng() % 8 == 0) typed = " " + typed + "  ";
      e.search_keywords = typed;
      e.action_target = rng() % 20 == 0 ? "results:0" : "results:" + std::to_string(1 + rng() % 10);
      e.created_at = Timestamp{kNow - static_cast<std::int64_t>(rng() % (30 * 24 * kHour))};
      batch.push_back(std::move(e));
      if (batch.size() == 1000) {
        if (!f.store->analytics().Append(Scope(test::PlatformAdmin(1, 1, 1)), batch).ok()) std::abort();
        batch.clear();
      }
    }
    return f;
  }();
  return fixture;
}

// SELFSERVICE_BENCH_TREND_SLOWEST=N prints the N slowest calls of each case and their prefix.
void PrintSlowest(const std::vector<std::pair<double, std::string>>& calls) {
  const char* env = std::getenv("SELFSERVICE_BENCH_TREND_SLOWEST");
  if (env == nullptr) return;
  auto sorted = calls;
  std::sort(sorted.begin(), sorted.end(), std::greater<>());
  const auto n = std::min<std::size_t>(sorted.size(), static_cast<std::size_t>(std::atoi(env)));
  for (std::size_t i = 0; i < n; ++i) std::fprintf(stderr, "  %10.1f us  '%s'\n", sorted[i].first, sorted[i].second.c_str());
}

void Report(benchmark::State& state, std::vector<double> micros, double results) {
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
  state.counters["results"] = results / static_cast<double>(micros.size());
  state.SetIterationTime(sum / static_cast<double>(micros.size()) / 1e6);
}

void Measure(benchmark::State& state, const std::vector<TrendQuery>& queries, const RequestContext& who) {
  Fixture& f = Data();
  for (const auto& q : queries) benchmark::DoNotOptimize(f.store->analytics().TopSearches(Scope(who), q));
  for (auto _ : state) {
    std::vector<double> micros;
    std::vector<std::pair<double, std::string>> calls;
    double results = 0;
    for (int repeat = 0; repeat < 5; ++repeat) {
      for (const auto& q : queries) {
        const auto start = std::chrono::steady_clock::now();
        auto top = f.store->analytics().TopSearches(Scope(who), q);
        const auto stop = std::chrono::steady_clock::now();
        if (!top.ok()) std::abort();
        results += static_cast<double>(top->size());
        micros.push_back(std::chrono::duration<double, std::micro>(stop - start).count());
        calls.emplace_back(micros.back(), q.prefix);
      }
    }
    PrintSlowest(calls);
    Report(state, std::move(micros), results);
  }
}

// search.suggestions' lookup: 30 days, half-life 7 days, at most 10, for the first one to four
// characters of the 200 most popular queries, asked by a customer (the privacy rule applies).
void BM_TopSearchesPrefix(benchmark::State& state) {
  Fixture& f = Data();
  std::vector<TrendQuery> queries;
  for (int i = 0; i < 200; ++i) {
    TrendQuery q;
    q.now = Timestamp{kNow + 60 * 1000};
    q.since = Timestamp{q.now.millis - 30 * 24 * kHour};
    q.half_life_millis = 7 * 24 * kHour;
    q.prefix = f.queries[static_cast<std::size_t>(i)].substr(0, 1 + i % 4);
    queries.push_back(q);
  }
  Measure(state, queries, test::User(1, 7, 70));
}

// search.trending with its defaults (168 hours, half-life 24 hours, 10 items) and over the
// longest window at the ends of which events were made (720 hours).
void BM_TopSearchesTrending(benchmark::State& state) {
  std::vector<TrendQuery> queries;
  for (int i = 0; i < 10; ++i) {
    TrendQuery q;
    q.now = Timestamp{kNow - i * 7 * 60 * 1000};
    q.since = Timestamp{q.now.millis - state.range(0) * kHour};
    q.half_life_millis = 24 * kHour;
    queries.push_back(q);
  }
  Measure(state, queries, test::User(1, 7, 70));
}

BENCHMARK(BM_TopSearchesPrefix)->Iterations(1)->UseManualTime()->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_TopSearchesTrending)->Arg(168)->Arg(720)->Iterations(1)->UseManualTime()->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace selfservice

BENCHMARK_MAIN();

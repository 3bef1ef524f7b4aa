// Knowledge search speed on a 100,000-article index, against the targets of issue 3 section 6:
// build <= 30 s, search.query p99 <= 10 ms single-threaded, search.suggestions p99 <= 2 ms; with
// the index size on disk and the peak RSS.
//
// The index is the bilingual corpus (../shared/data/kb/debian-docs.jsonl, 1,853 articles)
// replicated to 100,000 articles with distinct external ids ("<id>#<replica>") and lightly
// perturbed text (two pairs of sentences swapped, the replica's number appended as a word), so no two
// articles are byte-identical. It is imported through KnowledgeRepository::UpsertMany in batches of
// 500 into a file database in a temporary folder, as knowledge.import does.
//
// Completions (search.suggestions, the first word of each dev query) are also measured on a second
// index of 100,000 distinct titles (BM_SearchSuggestionsDistinctTitles, see DistinctTitles()).
//
// In the same run, on the same 100,000 texts, two others answer the same 60 dev queries:
//  - reference: SQLite FTS5 with its default tokenizer (unicode61) over (title, body), the query's
//    words OR-ed, ranked by bm25(), top 10;
//  - peer: Xapian (when CMake found xapian-core): title (wdf 3) and body through a TermGenerator
//    with the English stemmer and CJK n-grams, QueryParser with OR as default operator, top 10.
// Every engine filters by the query's language and answers 10 hits at most. Latencies are taken
// per call with a steady clock, the dev queries in turn, each up to 20 times (fewer when the engine
// is slow, see Repetitions()), after one untimed warm-up pass; p50/p99 are computed here over those
// calls (nearest rank) and reported as counters in microseconds. A summary with the ratios of ours
// to the reference and the peer is printed after the benchmarks. Each index is built by its own
// case, before the cases that search it; a --benchmark_filter that leaves a build case out builds
// that index untimed (--benchmark_filter=-Xapian leaves the peer out altogether).
//
// docs/PERFORMANCE.md ("Knowledge search") has the figures, the machine and how to read them.
// Set SELFSERVICE_KB_DIR to read the corpus from another folder than the one CMake recorded.

#include <benchmark/benchmark.h>
#include <sqlite3.h>
#include <sys/resource.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "corpus_index.hpp"
#include "support/temp_dir.hpp"
#include "selfservice/portal.hpp"

#ifdef SELFSERVICE_BENCH_XAPIAN
#include <xapian.h>
#endif

namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using Clock = std::chrono::steady_clock;

// The corpus, its replicas and the percentiles: bench/corpus_index.hpp.
using selfservice::bench::ChineseNumber;
using selfservice::bench::DataDir;
using selfservice::bench::DevQuery;
using selfservice::bench::EnglishNumber;
using selfservice::bench::ImportReplicas;
using selfservice::bench::kArticles;
using selfservice::bench::kBatch;
using selfservice::bench::KeptOursPath;
using selfservice::bench::Latency;
using selfservice::bench::LoadCorpus;
using selfservice::bench::LoadQueries;
using selfservice::bench::MakeReplica;
using selfservice::bench::Mix;
using selfservice::bench::Replica;
using selfservice::bench::Repetitions;
using selfservice::bench::Sentences;
using selfservice::bench::SourceArticle;
using selfservice::bench::Summarise;

constexpr int kTopK = 10;
constexpr double kMiB = 1024.0 * 1024.0;

// --- Measuring --------------------------------------------------------------------------------------

double PeakRssMiB() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
}

double FileBytes(const fs::path& path) {
  std::error_code missing;
  const auto size = fs::file_size(path, missing);
  return missing ? 0.0 : static_cast<double>(size);
}

// Figures the summary after the benchmarks prints, by case.
std::map<std::string, Latency> g_latency;
std::map<std::string, std::string> g_build_lines;

// Calls `search(i)` (answering the number of hits, or nullopt on failure) for every dev query i in
// turn: one untimed warm-up pass, then Repetitions() passes, each call timed on its own. The case
// is one benchmark iteration whose (manual) time is the mean call; the counters are the p50, p99,
// mean and max of the calls in µs, the number of calls and the mean number of hits.
void MeasureQueries(benchmark::State& state, const std::string& label, std::size_t queries,
                    const std::function<std::optional<std::size_t>(std::size_t)>& search) {
  const auto warm_up = Clock::now();
  for (std::size_t i = 0; i < queries; ++i) {
    if (!search(i)) {
      state.SkipWithError(("query " + std::to_string(i) + " failed in the warm-up pass").c_str());
      return;
    }
  }
  const std::size_t calls = queries * static_cast<std::size_t>(
                                          Repetitions(std::chrono::duration<double>(Clock::now() - warm_up).count()));
  std::vector<double> micros;
  micros.reserve(calls);
  double hits = 0;
  for (auto _ : state) {
    for (std::size_t i = 0; i < calls; ++i) {
      const auto start = Clock::now();
      const std::optional<std::size_t> found = search(i % queries);
      const auto elapsed = Clock::now() - start;
      if (!found) {
        state.SkipWithError(("query " + std::to_string(i % queries) + " failed").c_str());
        return;
      }
      micros.push_back(std::chrono::duration<double, std::micro>(elapsed).count());
      hits += static_cast<double>(*found);
    }
    const Latency latency = Summarise(micros);
    state.SetIterationTime(latency.mean_us / 1e6);
    g_latency[label] = latency;
    state.counters["p50_us"] = latency.p50_us;
    state.counters["p99_us"] = latency.p99_us;
    state.counters["mean_us"] = latency.mean_us;
    state.counters["max_us"] = latency.max_us;
  }
  state.counters["calls"] = static_cast<double>(calls);
  state.counters["hits"] = hits / static_cast<double>(calls);
}

using selfservice::test::TempDir;  // tests/support/temp_dir.hpp

// The data every case reads, loaded once before the benchmarks run.
struct Data {
  std::vector<SourceArticle> corpus = LoadCorpus();
  std::vector<DevQuery> queries = LoadQueries();
  TempDir dir;
};
std::unique_ptr<Data> g_data;

// --- SQLite, for the reference engine and for reading the index's size --------------------------------

class Sqlite {
 public:
  explicit Sqlite(const fs::path& path) {
    if (sqlite3_open(path.c_str(), &db_) != SQLITE_OK) {
      const std::string message = sqlite3_errmsg(db_);
      sqlite3_close(db_);
      throw std::runtime_error("sqlite3_open " + path.string() + ": " + message);
    }
  }
  Sqlite(const Sqlite&) = delete;
  Sqlite& operator=(const Sqlite&) = delete;
  ~Sqlite() { sqlite3_close(db_); }

  void Exec(const char* sql) {
    char* error = nullptr;
    if (sqlite3_exec(db_, sql, nullptr, nullptr, &error) != SQLITE_OK) {
      const std::string message = error != nullptr ? error : "?";
      sqlite3_free(error);
      throw std::runtime_error(std::string(sql) + ": " + message);
    }
  }
  sqlite3_stmt* Prepare(const char* sql) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db_, sql, -1, &stmt, nullptr) != SQLITE_OK) {
      throw std::runtime_error(std::string(sql) + ": " + sqlite3_errmsg(db_));
    }
    return stmt;
  }
  sqlite3* get() const { return db_; }

 private:
  sqlite3* db_ = nullptr;
};

struct Statement {
  sqlite3_stmt* stmt;
  ~Statement() { sqlite3_finalize(stmt); }
};

void BindText(sqlite3_stmt* stmt, int index, std::string_view text) {
  sqlite3_bind_text(stmt, index, text.data(), static_cast<int>(text.size()), SQLITE_STATIC);
}

// --- Ours: the library's index, built through UpsertMany, searched through Portal::Invoke -------------

selfservice::RequestContext UserContext() {
  selfservice::RequestContext context;
  context.tenant_id = 1;
  context.customer_id = 100;
  context.user_id = 1000;
  context.roles = static_cast<unsigned>(selfservice::Role::kCustomerUser);
  context.trace_id = "bench-trace-0001";
  return context;
}

constexpr const char* kUserContextJson =
    R"({"tenant_id":1,"customer_id":100,"user_id":1000,"roles":["customer_user"],)"
    R"("locale":"zh-CN","trace_id":"bench-trace-0001"})";

std::unique_ptr<selfservice::Portal> g_portal;

fs::path OursPath() { return KeptOursPath().value_or(g_data->dir.path() / "portal.db"); }

void OpenOurs() {
  selfservice::PortalOptions options;
  options.storage = "sqlite:" + OursPath().string();
  auto portal = selfservice::Portal::Open(std::move(options));
  if (!portal.ok()) throw std::runtime_error("Portal::Open: " + portal.status().detail());
  g_portal = std::move(portal).value();
}

void BuildOurs() {
  OpenOurs();
  ImportReplicas(*g_portal, selfservice::Scope(UserContext()), g_data->corpus);
}

// Sizes of the library's database after a checkpoint, read through a connection of our own (the
// portal keeps its connections open; idle ones do not hold the checkpoint back).
struct DiskSize {
  double database = 0;
  double wal = 0;
  double fts = 0;  // the knowledge_fts* shadow tables, from dbstat
};

DiskSize MeasureOurs() {
  Sqlite db(OursPath());
  db.Exec("PRAGMA wal_checkpoint(TRUNCATE)");
  DiskSize size{FileBytes(OursPath()), FileBytes(OursPath().string() + "-wal"), 0};
  Statement s{db.Prepare("SELECT coalesce(sum(pgsize), 0) FROM dbstat WHERE name LIKE 'knowledge_fts%'")};
  if (sqlite3_step(s.stmt) == SQLITE_ROW) size.fts = sqlite3_column_double(s.stmt, 0);
  return size;
}

void BM_BuildOurs(benchmark::State& state) {
  const double rss_before = PeakRssMiB();
  for (auto _ : state) {
    try {
      BuildOurs();
    } catch (const std::exception& e) {
      state.SkipWithError(e.what());
      return;
    }
  }
  const double rss_after = PeakRssMiB();
  const DiskSize size = MeasureOurs();
  state.counters["articles"] = kArticles;
  state.counters["db_MiB"] = size.database / kMiB;
  state.counters["wal_MiB"] = size.wal / kMiB;
  state.counters["fts_MiB"] = size.fts / kMiB;
  state.counters["peak_rss_MiB"] = rss_after;
  char line[256];
  std::snprintf(line, sizeof line,
                "database %.1f MiB + WAL %.1f MiB after a checkpoint; FTS5 tables %.1f MiB (%.0f %%); "
                "peak RSS %.1f MiB (%.1f MiB before the build)",
                size.database / kMiB, size.wal / kMiB, size.fts / kMiB, 100.0 * size.fts / size.database,
                rss_after, rss_before);
  g_build_lines["ours"] = line;
}

bool Succeeded(const json::object& envelope) {
  const json::value* code = envelope.if_contains("code");
  return code != nullptr && code->is_int64() && code->get_int64() == 200;
}

std::optional<std::size_t> HitCount(const json::object& envelope) {
  if (!Succeeded(envelope)) return std::nullopt;
  const json::value* data = envelope.if_contains("data");
  const json::value* hits = data != nullptr && data->is_object() ? data->get_object().if_contains("hits") : nullptr;
  if (hits == nullptr || !hits->is_array()) return std::nullopt;
  return hits->get_array().size();
}

json::object QueryRequest(const DevQuery& query) {
  return json::object{{"q", query.text}, {"lang", query.lang}, {"size", kTopK}};
}

// The index the query cases search; built (untimed) when a filter left BM_BuildOurs out.
selfservice::Portal& Ours() {
  if (g_portal) return *g_portal;
  if (KeptOursPath() && fs::exists(OursPath())) {
    OpenOurs();
  } else {
    BuildOurs();
  }
  return *g_portal;
}

void BM_SearchQueryCpp(benchmark::State& state) {
  selfservice::Portal& portal = Ours();
  const selfservice::RequestContext context = UserContext();
  std::vector<json::object> requests;
  for (const DevQuery& query : g_data->queries) requests.push_back(QueryRequest(query));
  MeasureQueries(state, "ours_cpp", requests.size(), [&](std::size_t i) {
    return HitCount(portal.Invoke("search.query", context, requests[i]));
  });
}

void BM_SearchQueryJsonText(benchmark::State& state) {
  selfservice::Portal& portal = Ours();
  std::vector<std::string> requests;
  for (const DevQuery& query : g_data->queries) requests.push_back(json::serialize(QueryRequest(query)));
  MeasureQueries(state, "ours_json", requests.size(), [&](std::size_t i) -> std::optional<std::size_t> {
    const std::string answer = portal.Invoke("search.query", kUserContextJson, requests[i]);
    json::value envelope = json::parse(answer);
    return envelope.is_object() ? HitCount(envelope.get_object()) : std::nullopt;
  });
}

// The engine alone: Store::search() without the method layer, the envelope and the search event.
void BM_StoreSearch(benchmark::State& state) {
  selfservice::SearchBackend& engine = Ours().store().search();
  const selfservice::Scope scope(UserContext());
  std::vector<selfservice::SearchQuery> queries;
  for (const DevQuery& query : g_data->queries) {
    selfservice::SearchQuery q;
    q.text = query.text;
    q.lang = query.lang == "en" ? selfservice::ArticleLang::en : selfservice::ArticleLang::zh;
    queries.push_back(std::move(q));
  }
  MeasureQueries(state, "ours_store", queries.size(), [&](std::size_t i) -> std::optional<std::size_t> {
    auto result = engine.Search(scope, queries[i]);
    if (!result.ok()) return std::nullopt;
    return result->hits.size();
  });
}

// A completion prefix per dev query: its first word, or its first two characters when that word is
// Chinese.
std::string SuggestionPrefix(const DevQuery& query) {
  std::string_view word = query.text;
  word = word.substr(0, word.find(' '));
  if (!word.empty() && static_cast<unsigned char>(word.front()) >= 0x80) word = word.substr(0, 6);
  return std::string(word);
}

void BM_SearchSuggestionsCpp(benchmark::State& state) {
  selfservice::Portal& portal = Ours();
  const selfservice::RequestContext context = UserContext();
  std::vector<json::object> requests;
  for (const DevQuery& query : g_data->queries) {
    requests.push_back(json::object{{"prefix", SuggestionPrefix(query)}, {"lang", query.lang}});
  }
  MeasureQueries(state, "ours_suggestions", requests.size(), [&](std::size_t i) -> std::optional<std::size_t> {
    const json::object envelope = portal.Invoke("search.suggestions", context, requests[i]);
    const json::value* data = envelope.if_contains("data");
    const json::value* items = data != nullptr && data->is_object() ? data->get_object().if_contains("items") : nullptr;
    if (!Succeeded(envelope) || items == nullptr || !items->is_array()) return std::nullopt;
    return items->get_array().size();
  });
}

// The same prefixes on an index of 100,000 distinct titles (the replicated index has only the
// corpus's 1,853): title k joins the first half of corpus title k mod N (its words in English, its
// characters in Chinese) to the second half of another title of that language chosen by k, and
// takes the replica's number as a last word when that pair was made before. Bodies are each
// article's first sentence: completions never read them. Built untimed, in its own database.
std::unique_ptr<selfservice::Portal> g_distinct_titles;

std::string DistinctTitle(const std::vector<const SourceArticle*>& same_lang, const SourceArticle& source,
                          int k) {
  if (k < static_cast<int>(g_data->corpus.size())) return source.title;
  const std::string& other = same_lang[Mix(static_cast<std::uint64_t>(k)) % same_lang.size()]->title;
  if (source.lang == "en") {
    const auto half = [](const std::string& title, bool first) {
      std::vector<std::string_view> words;
      for (std::size_t at = 0; at <= title.size();) {
        const std::size_t end = std::min(title.find(' ', at), title.size());
        words.emplace_back(std::string_view(title).substr(at, end - at));
        at = end + 1;
      }
      const std::size_t cut = first ? std::max<std::size_t>(1, words.size() / 2) : words.size() / 2;
      std::string out;
      for (std::size_t i = first ? 0 : cut; i < (first ? cut : words.size()); ++i) {
        if (!out.empty()) out += ' ';
        out += words[i];
      }
      return out;
    };
    return half(source.title, true) + " " + half(other, false);
  }
  // Chinese titles cut between UTF-8 characters.
  const auto cut = [](const std::string& title, bool first) {
    std::vector<std::size_t> starts;
    for (std::size_t i = 0; i < title.size(); ++i) {
      if ((static_cast<unsigned char>(title[i]) & 0xC0) != 0x80) starts.push_back(i);
    }
    const std::size_t index = first ? std::max<std::size_t>(1, starts.size() / 2) : starts.size() / 2;
    const std::size_t at = index < starts.size() ? starts[index] : title.size();
    return first ? title.substr(0, at) : title.substr(at);
  };
  return cut(source.title, true) + cut(other, false);
}

// SELFSERVICE_BENCH_DISTINCT_DB, like SELFSERVICE_BENCH_OURS_DB, keeps this database after the run
// and searches it without building when it exists.
selfservice::Portal& DistinctTitles() {
  if (g_distinct_titles) return *g_distinct_titles;
  const char* kept = std::getenv("SELFSERVICE_BENCH_DISTINCT_DB");
  const fs::path path =
      kept != nullptr && *kept != '\0' ? fs::path(kept) : g_data->dir.path() / "distinct-titles.db";
  const bool built = kept != nullptr && *kept != '\0' && fs::exists(path);
  selfservice::PortalOptions options;
  options.storage = "sqlite:" + path.string();
  auto portal = selfservice::Portal::Open(std::move(options));
  if (!portal.ok()) throw std::runtime_error("Portal::Open: " + portal.status().detail());
  g_distinct_titles = std::move(portal).value();
  if (built) return *g_distinct_titles;
  std::map<std::string, std::vector<const SourceArticle*>> by_lang;
  for (const SourceArticle& article : g_data->corpus) by_lang[article.lang].push_back(&article);
  std::set<std::string> made;
  const selfservice::Scope scope(UserContext());
  for (int first = 0; first < kArticles; first += kBatch) {
    std::vector<selfservice::KnowledgeArticle> batch;
    for (int k = first; k < std::min(kArticles, first + kBatch); ++k) {
      const SourceArticle& source = g_data->corpus[static_cast<std::size_t>(k) % g_data->corpus.size()];
      std::string title = DistinctTitle(by_lang[source.lang], source, k);
      if (!made.insert(title).second) {
        const int replica = k / static_cast<int>(g_data->corpus.size());
        title += source.lang == "en" ? " " + EnglishNumber(replica) : ChineseNumber(replica);
        made.insert(title);
      }
      selfservice::KnowledgeArticle article;
      article.tenant_id = scope.tenant_id();
      article.external_id = source.id + "#" + std::to_string(k);
      article.title = title.substr(0, 255);
      const std::vector<std::string_view> sentences = Sentences(source.body);
      article.body = sentences.empty() ? source.title : std::string(sentences.front());
      article.lang = source.lang == "en" ? selfservice::ArticleLang::en : selfservice::ArticleLang::zh;
      article.updated_at = selfservice::Timestamp{0};
      batch.push_back(std::move(article));
    }
    auto outcomes = g_distinct_titles->store().knowledge().UpsertMany(scope, std::move(batch));
    if (!outcomes.ok()) throw std::runtime_error("UpsertMany: " + outcomes.status().detail());
  }
  return *g_distinct_titles;
}

void BM_SearchSuggestionsDistinctTitles(benchmark::State& state) {
  selfservice::Portal* portal = nullptr;
  try {
    portal = &DistinctTitles();
  } catch (const std::exception& e) {
    state.SkipWithError(e.what());
    return;
  }
  const selfservice::RequestContext context = UserContext();
  std::vector<json::object> requests;
  for (const DevQuery& query : g_data->queries) {
    requests.push_back(json::object{{"prefix", SuggestionPrefix(query)}, {"lang", query.lang}});
  }
  MeasureQueries(
      state, "ours_suggestions_distinct", requests.size(), [&](std::size_t i) -> std::optional<std::size_t> {
        const json::object envelope = portal->Invoke("search.suggestions", context, requests[i]);
        const json::value* data = envelope.if_contains("data");
        const json::value* items =
            data != nullptr && data->is_object() ? data->get_object().if_contains("items") : nullptr;
        if (!Succeeded(envelope) || items == nullptr || !items->is_array()) return std::nullopt;
        return items->get_array().size();
      });
}

// --- Reference: SQLite FTS5 with the default tokenizer ---------------------------------------------

std::unique_ptr<Sqlite> g_reference;

fs::path ReferencePath() { return g_data->dir.path() / "reference.db"; }

// The query's words, each quoted, OR-ed.
std::string OrOfWords(std::string_view text) {
  std::string match;
  std::size_t at = 0;
  while (at < text.size()) {
    const std::size_t start = text.find_first_not_of(" \t", at);
    if (start == std::string_view::npos) break;
    const std::size_t end = std::min(text.find_first_of(" \t", start), text.size());
    if (!match.empty()) match += " OR ";
    match += '"';
    for (char c : text.substr(start, end - start)) {
      match += c;
      if (c == '"') match += '"';
    }
    match += '"';
    at = end;
  }
  return match;
}

void BuildReference() {
  g_reference = std::make_unique<Sqlite>(ReferencePath());
  Sqlite& db = *g_reference;
  db.Exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
          "CREATE VIRTUAL TABLE reference USING fts5(title, body, lang UNINDEXED)");
  Statement insert{db.Prepare("INSERT INTO reference (rowid, title, body, lang) VALUES (?1, ?2, ?3, ?4)")};
  for (int first = 0; first < kArticles; first += kBatch) {
    db.Exec("BEGIN");
    for (int k = first; k < std::min(kArticles, first + kBatch); ++k) {
      const Replica replica = MakeReplica(g_data->corpus, k);
      sqlite3_bind_int64(insert.stmt, 1, k + 1);
      BindText(insert.stmt, 2, replica.source->title);
      BindText(insert.stmt, 3, replica.body);
      BindText(insert.stmt, 4, replica.source->lang);
      if (sqlite3_step(insert.stmt) != SQLITE_DONE) throw std::runtime_error(sqlite3_errmsg(db.get()));
      sqlite3_reset(insert.stmt);
    }
    db.Exec("COMMIT");
  }
}

Sqlite& Reference() {
  if (!g_reference) BuildReference();
  return *g_reference;
}

void BM_BuildReference(benchmark::State& state) {
  for (auto _ : state) {
    try {
      BuildReference();
    } catch (const std::exception& e) {
      state.SkipWithError(e.what());
      return;
    }
  }
  g_reference->Exec("PRAGMA wal_checkpoint(TRUNCATE)");
  const double bytes = FileBytes(ReferencePath()) + FileBytes(ReferencePath().string() + "-wal");
  state.counters["db_MiB"] = bytes / kMiB;
  state.counters["peak_rss_MiB"] = PeakRssMiB();
  char line[128];
  std::snprintf(line, sizeof line, "database + WAL %.1f MiB after a checkpoint", bytes / kMiB);
  g_build_lines["reference"] = line;
}

void BM_ReferenceQuery(benchmark::State& state) {
  std::vector<std::string> matches;
  for (const DevQuery& query : g_data->queries) matches.push_back(OrOfWords(query.text));
  Statement s{Reference().Prepare(
      "SELECT rowid, title FROM reference WHERE reference MATCH ?1 AND lang = ?2 ORDER BY bm25(reference) LIMIT ?3")};
  MeasureQueries(state, "reference", matches.size(), [&](std::size_t i) -> std::optional<std::size_t> {
    BindText(s.stmt, 1, matches[i]);
    BindText(s.stmt, 2, g_data->queries[i].lang);
    sqlite3_bind_int(s.stmt, 3, kTopK);
    std::size_t hits = 0;
    int rc = SQLITE_ROW;
    while ((rc = sqlite3_step(s.stmt)) == SQLITE_ROW) {
      benchmark::DoNotOptimize(sqlite3_column_text(s.stmt, 1));
      ++hits;
    }
    sqlite3_reset(s.stmt);
    if (rc != SQLITE_DONE) return std::nullopt;
    return hits;
  });
}

// --- Peer: Xapian ---------------------------------------------------------------------------------

#ifdef SELFSERVICE_BENCH_XAPIAN

std::unique_ptr<Xapian::Database> g_xapian;

fs::path XapianPath() { return g_data->dir.path() / "xapian"; }

double DirectoryBytes(const fs::path& dir) {
  double bytes = 0;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file()) bytes += static_cast<double>(entry.file_size());
  }
  return bytes;
}

constexpr Xapian::termcount kTitleWdf = 3;

void BuildXapian() {
  {
    Xapian::WritableDatabase db(XapianPath().string(), Xapian::DB_CREATE_OR_OVERWRITE);
    Xapian::TermGenerator indexer;
    indexer.set_stemmer(Xapian::Stem("en"));
    indexer.set_flags(Xapian::TermGenerator::FLAG_CJK_NGRAM);
    for (int k = 0; k < kArticles; ++k) {
      const Replica replica = MakeReplica(g_data->corpus, k);
      Xapian::Document document;
      indexer.set_document(document);
      indexer.index_text(replica.source->title, kTitleWdf);
      indexer.increase_termpos();
      indexer.index_text(replica.body);
      document.add_boolean_term("L" + replica.source->lang);
      document.set_data(replica.external_id);
      db.add_document(document);
    }
    db.commit();
  }
  g_xapian = std::make_unique<Xapian::Database>(XapianPath().string());
}

Xapian::Database& XapianIndex() {
  if (!g_xapian) BuildXapian();
  return *g_xapian;
}

void BM_BuildXapian(benchmark::State& state) {
  for (auto _ : state) {
    try {
      BuildXapian();
    } catch (const Xapian::Error& e) {
      state.SkipWithError(e.get_description().c_str());
      return;
    }
  }
  const double bytes = DirectoryBytes(XapianPath());
  state.counters["db_MiB"] = bytes / kMiB;
  state.counters["peak_rss_MiB"] = PeakRssMiB();
  char line[128];
  std::snprintf(line, sizeof line, "database folder %.1f MiB", bytes / kMiB);
  g_build_lines["xapian"] = line;
}

// Xapian 1.4's QueryParser answers "parse error" for some mixes of Latin and CJK words with
// FLAG_CJK_NGRAM ("linux 上的 windows"); those queries are parsed word by word and the words OR-ed,
// which is what the default operator would have done.
Xapian::Query ParseQuery(Xapian::QueryParser& parser, const std::string& text, bool& by_word) {
  const unsigned flags = Xapian::QueryParser::FLAG_DEFAULT | Xapian::QueryParser::FLAG_CJK_NGRAM;
  try {
    return parser.parse_query(text, flags);
  } catch (const Xapian::QueryParserError&) {
    by_word = true;
  }
  std::vector<Xapian::Query> words;
  std::size_t at = 0;
  while ((at = text.find_first_not_of(' ', at)) != std::string::npos) {
    const std::size_t end = std::min(text.find(' ', at), text.size());
    words.push_back(parser.parse_query(text.substr(at, end - at), flags));
    at = end;
  }
  return Xapian::Query(Xapian::Query::OP_OR, words.begin(), words.end());
}

void BM_XapianQuery(benchmark::State& state) {
  Xapian::Database& db = XapianIndex();
  Xapian::QueryParser parser;
  parser.set_stemmer(Xapian::Stem("en"));
  parser.set_stemming_strategy(Xapian::QueryParser::STEM_SOME);
  parser.set_default_op(Xapian::Query::OP_OR);
  parser.set_database(db);
  std::vector<char> by_word(g_data->queries.size(), 0);
  MeasureQueries(state, "xapian", g_data->queries.size(), [&](std::size_t i) -> std::optional<std::size_t> {
    try {
      const DevQuery& query = g_data->queries[i];
      bool word_by_word = false;
      const Xapian::Query parsed = ParseQuery(parser, query.text, word_by_word);
      by_word[i] = word_by_word;
      Xapian::Enquire enquire(db);
      enquire.set_query(Xapian::Query(Xapian::Query::OP_FILTER, parsed, Xapian::Query("L" + query.lang)));
      const Xapian::MSet hits = enquire.get_mset(0, kTopK);
      for (auto it = hits.begin(); it != hits.end(); ++it) benchmark::DoNotOptimize(it.get_document().get_data());
      return static_cast<std::size_t>(hits.size());
    } catch (const Xapian::Error& e) {
      std::fprintf(stderr, "search_bench: Xapian query %zu: %s\n", i, e.get_description().c_str());
      return std::nullopt;
    }
  });
  state.counters["parsed_by_word"] = static_cast<double>(std::count(by_word.begin(), by_word.end(), 1));
}

#endif  // SELFSERVICE_BENCH_XAPIAN

// --- Registration and the summary -----------------------------------------------------------------

bool HasMethod(std::string_view name) {
  const auto& methods = selfservice::Portal::Methods();
  return std::any_of(methods.begin(), methods.end(), [&](const auto& m) { return m.name == name; });
}

void Register(bool with_suggestions) {
  const auto once = [](const char* name, void (*fn)(benchmark::State&)) {
    benchmark::RegisterBenchmark(name, fn)->Iterations(1)->Unit(benchmark::kSecond)->UseRealTime();
  };
  const auto queries = [&](const char* name, void (*fn)(benchmark::State&)) {
    benchmark::RegisterBenchmark(name, fn)->Iterations(1)->Unit(benchmark::kMicrosecond)->UseManualTime();
  };
  once("BM_BuildOurs/100k", BM_BuildOurs);
  queries("BM_SearchQueryCpp", BM_SearchQueryCpp);
  queries("BM_SearchQueryJsonText", BM_SearchQueryJsonText);
  queries("BM_StoreSearch", BM_StoreSearch);
  if (with_suggestions) queries("BM_SearchSuggestionsCpp", BM_SearchSuggestionsCpp);
  if (with_suggestions) queries("BM_SearchSuggestionsDistinctTitles", BM_SearchSuggestionsDistinctTitles);
  once("BM_BuildReferenceFts5/100k", BM_BuildReference);
  queries("BM_ReferenceFts5Query", BM_ReferenceQuery);
#ifdef SELFSERVICE_BENCH_XAPIAN
  once("BM_BuildXapian/100k", BM_BuildXapian);
  queries("BM_XapianQuery", BM_XapianQuery);
#endif
}

// Prints "<label>: p50 .. ms, p99 .. ms" and the ratios of ours to the reference and the peer.
void PrintSummary() {
  std::printf("\nsearch_bench summary: %d articles, %zu dev queries, single thread\n", kArticles,
              g_data->queries.size());
  for (const auto& [name, line] : g_build_lines) std::printf("  %-10s index: %s\n", name.c_str(), line.c_str());
  for (const auto& [name, latency] : g_latency) {
    std::printf("  %-16s p50 %8.3f ms  p99 %8.3f ms  mean %8.3f ms  max %8.3f ms\n", name.c_str(),
                latency.p50_us / 1000, latency.p99_us / 1000, latency.mean_us / 1000, latency.max_us / 1000);
  }
  for (const char* peer : {"reference", "xapian"}) {
    const auto other = g_latency.find(peer);
    if (other == g_latency.end()) continue;
    for (const char* ours : {"ours_cpp", "ours_json", "ours_store"}) {
      const auto mine = g_latency.find(ours);
      if (mine == g_latency.end()) continue;
      std::printf("  %-10s / %-9s p50 x%.3f  p99 x%.3f\n", ours, peer, mine->second.p50_us / other->second.p50_us,
                  mine->second.p99_us / other->second.p99_us);
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  try {
    g_data = std::make_unique<Data>();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "search_bench: %s\n", e.what());
    return 1;
  }
  const bool with_suggestions = HasMethod("search.suggestions");
  std::printf("search_bench: corpus %s (%zu articles, %zu dev queries), index files in %s\n",
              DataDir().c_str(), g_data->corpus.size(), g_data->queries.size(), g_data->dir.path().c_str());
  if (!with_suggestions) std::printf("search_bench: search.suggestions is not in Portal::Methods(): skipped\n");
#ifndef SELFSERVICE_BENCH_XAPIAN
  std::printf("search_bench: built without xapian-core (pkg-config did not find it): the Xapian peer is skipped\n");
#endif
  std::fflush(stdout);
  Register(with_suggestions);
  benchmark::RunSpecifiedBenchmarks();
  PrintSummary();
  benchmark::Shutdown();
  // Close every index before the temporary folder holding them goes.
  g_portal.reset();
  g_distinct_titles.reset();
  g_reference.reset();
#ifdef SELFSERVICE_BENCH_XAPIAN
  g_xapian.reset();
#endif
  g_data.reset();
  return 0;
}

// The 100,000-article knowledge index the benchmarks share (search_bench, ai_bench): the bilingual
// corpus (../shared/data/kb/debian-docs.jsonl, or $SELFSERVICE_KB_DIR) replicated with distinct
// external ids ("<id>#<replica>") and lightly perturbed text, imported through
// KnowledgeRepository::UpsertMany in batches of 500 as knowledge.import does; the dev queries; and
// the nearest-rank percentiles the benchmarks report. Each target defines SELFSERVICE_KB_DIR.

#pragma once

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>

#include "selfservice/portal.hpp"

namespace selfservice::bench {

namespace fs = std::filesystem;
namespace json = boost::json;

constexpr int kArticles = 100'000;
constexpr int kBatch = 500;       // articles per UpsertMany transaction, as knowledge.import

// --- The corpus and its replicas ------------------------------------------------------------------

struct SourceArticle {
  std::string id;
  std::string lang;  // "zh" or "en"
  std::string title;
  std::string body;
  std::optional<std::string> category;
  std::vector<std::string> tags;
  std::optional<std::string> source;
  std::optional<std::string> url;
};

struct DevQuery {
  std::string text;
  std::string lang;
};

inline fs::path DataDir() {
  if (const char* dir = std::getenv("SELFSERVICE_KB_DIR"); dir != nullptr && *dir != '\0') return dir;
  return SELFSERVICE_KB_DIR;
}

inline std::optional<std::string> OptionalString(const json::object& record, std::string_view key) {
  const json::value* value = record.if_contains(key);
  if (value == nullptr || !value->is_string()) return std::nullopt;
  return std::string(value->get_string());
}

inline std::string RequiredString(const json::object& record, std::string_view key) {
  auto value = OptionalString(record, key);
  if (!value) throw std::runtime_error("a record has no string \"" + std::string(key) + "\"");
  return std::move(*value);
}

// Every line of a JSON Lines file, parsed as an object.
inline std::vector<json::object> ReadJsonLines(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string() + " (set SELFSERVICE_KB_DIR)");
  std::vector<json::object> records;
  std::string line;
  while (std::getline(in, line)) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    records.push_back(json::parse(line).as_object());
  }
  return records;
}

inline std::vector<SourceArticle> LoadCorpus() {
  std::vector<SourceArticle> corpus;
  for (const json::object& record : ReadJsonLines(DataDir() / "debian-docs.jsonl")) {
    SourceArticle article{RequiredString(record, "id"),          RequiredString(record, "lang"),
                          RequiredString(record, "title"),       RequiredString(record, "body"),
                          OptionalString(record, "category"),    {},
                          OptionalString(record, "source"),      OptionalString(record, "url")};
    if (const json::value* tags = record.if_contains("tags"); tags != nullptr && tags->is_array()) {
      for (const json::value& tag : tags->get_array()) {
        if (tag.is_string()) article.tags.emplace_back(tag.get_string());
      }
    }
    corpus.push_back(std::move(article));
  }
  return corpus;
}

inline std::vector<DevQuery> LoadQueries() {
  std::vector<DevQuery> queries;
  for (const json::object& record : ReadJsonLines(DataDir() / "queries-dev.jsonl")) {
    queries.push_back(DevQuery{RequiredString(record, "query"), RequiredString(record, "lang")});
  }
  return queries;
}

// splitmix64: a fixed, portable sequence, so every run and every engine sees the same texts.
inline std::uint64_t Mix(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

// The body cut after each sentence end (". ", "? ", "! ", a Chinese full stop, question or
// exclamation mark) and each line break; the pieces keep their delimiters.
inline std::vector<std::string_view> Sentences(std::string_view text) {
  static constexpr std::array<std::string_view, 7> kEnds = {". ", "? ", "! ", "\n", "。", "？", "！"};
  std::vector<std::string_view> pieces;
  std::size_t start = 0;
  for (std::size_t at = 0; at < text.size(); ++at) {
    for (std::string_view end : kEnds) {
      if (text.substr(at, end.size()) == end) {
        at += end.size() - 1;
        pieces.push_back(text.substr(start, at + 1 - start));
        start = at + 1;
        break;
      }
    }
  }
  if (start < text.size()) pieces.push_back(text.substr(start));
  return pieces;
}

inline std::string EnglishNumber(int n) {
  static constexpr std::array<const char*, 20> kOnes = {
      "zero",    "one",     "two",       "three",    "four",     "five",    "six",
      "seven",   "eight",   "nine",      "ten",      "eleven",   "twelve",  "thirteen",
      "fourteen", "fifteen", "sixteen",  "seventeen", "eighteen", "nineteen"};
  static constexpr std::array<const char*, 10> kTens = {"",      "",      "twenty",  "thirty", "forty",
                                                        "fifty", "sixty", "seventy", "eighty", "ninety"};
  if (n < 20) return kOnes[static_cast<std::size_t>(n)];
  std::string word = kTens[static_cast<std::size_t>(n / 10)];
  if (n % 10 != 0) word += std::string("-") + kOnes[static_cast<std::size_t>(n % 10)];
  return word;
}

inline std::string ChineseNumber(int n) {
  static constexpr std::array<const char*, 10> kDigits = {"零", "一", "二", "三", "四", "五", "六", "七", "八", "九"};
  if (n < 10) return kDigits[static_cast<std::size_t>(n)];
  std::string word = n >= 20 ? kDigits[static_cast<std::size_t>(n / 10)] : "";
  word += "十";
  if (n % 10 != 0) word += kDigits[static_cast<std::size_t>(n % 10)];
  return word;
}

// Article `k` of the 100,000: corpus article k mod N in its replica k / N, with two pairs of
// sentences swapped (chosen by the replica's seed) and the replica's number appended.
struct Replica {
  const SourceArticle* source = nullptr;
  std::string external_id;
  std::string body;
};

inline Replica MakeReplica(const std::vector<SourceArticle>& corpus, int k) {
  const SourceArticle& source = corpus[static_cast<std::size_t>(k) % corpus.size()];
  const int replica = k / static_cast<int>(corpus.size());
  std::vector<std::string_view> pieces = Sentences(source.body);
  std::uint64_t seed = Mix(static_cast<std::uint64_t>(k));
  for (int swap = 0; swap < 2 && pieces.size() >= 2; ++swap) {
    const std::size_t a = seed % pieces.size();
    seed = Mix(seed);
    const std::size_t b = seed % pieces.size();
    seed = Mix(seed);
    std::swap(pieces[a], pieces[b]);
  }
  Replica out{&source, source.id + "#" + std::to_string(replica), {}};
  out.body.reserve(source.body.size() + 32);
  for (std::string_view piece : pieces) out.body += piece;
  out.body += source.lang == "en" ? "\nCopy " + EnglishNumber(replica) + "." : "\n副本" + ChineseNumber(replica) + "。";
  return out;
}

// Imports the kArticles replicas into `portal`'s store for `scope`'s tenant, kBatch per
// transaction, generated batch by batch (so the peak RSS is the library's, not the corpus's).
inline void ImportReplicas(Portal& portal, const Scope& scope, const std::vector<SourceArticle>& corpus) {
  const std::int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count();
  for (int first = 0; first < kArticles; first += kBatch) {
    std::vector<KnowledgeArticle> batch;
    batch.reserve(kBatch);
    for (int k = first; k < std::min(kArticles, first + kBatch); ++k) {
      Replica replica = MakeReplica(corpus, k);
      const SourceArticle& source = *replica.source;
      KnowledgeArticle article;
      article.tenant_id = scope.tenant_id();
      article.external_id = std::move(replica.external_id);
      article.title = source.title;
      article.body = std::move(replica.body);
      article.category = source.category;
      article.tags = source.tags;
      article.lang = source.lang == "en" ? ArticleLang::en : ArticleLang::zh;
      article.source = source.source;
      article.url = source.url;
      article.updated_at = Timestamp{now};
      batch.push_back(std::move(article));
    }
    auto outcomes = portal.store().knowledge().UpsertMany(scope, std::move(batch));
    if (!outcomes.ok()) throw std::runtime_error("UpsertMany: " + outcomes.status().detail());
  }
}

// SELFSERVICE_BENCH_OURS_DB names a database file to keep after the run, and to use without
// building when it already exists (for iterating on the query path; figures for
// docs/PERFORMANCE.md come from a fresh build).
inline std::optional<fs::path> KeptOursPath() {
  const char* path = std::getenv("SELFSERVICE_BENCH_OURS_DB");
  if (path == nullptr || *path == '\0') return std::nullopt;
  return fs::path(path);
}

// --- Measuring --------------------------------------------------------------------------------------

// Figures over a set of calls, in microseconds; p50 and p99 by nearest rank.
struct Latency {
  double p50_us = 0;
  double p99_us = 0;
  double mean_us = 0;
  double max_us = 0;
};

inline Latency Summarise(std::vector<double> micros) {
  Latency out;
  if (micros.empty()) return out;
  std::sort(micros.begin(), micros.end());
  const auto rank = [&](double q) {
    const auto index = static_cast<std::size_t>(std::ceil(q * static_cast<double>(micros.size())));
    return micros[std::clamp<std::size_t>(index, 1, micros.size()) - 1];
  };
  out.p50_us = rank(0.50);
  out.p99_us = rank(0.99);
  double sum = 0;
  for (double m : micros) sum += m;
  out.mean_us = sum / static_cast<double>(micros.size());
  out.max_us = micros.back();
  return out;
}

// How many timed calls each dev query gets: kMaxRepetitions when a pass over all queries is fast
// enough, fewer (at least kMinRepetitions) so that one case stays near kCaseBudgetSeconds; the
// environment variable SELFSERVICE_BENCH_REPETITIONS fixes the number instead.
constexpr int kMaxRepetitions = 20;
constexpr int kMinRepetitions = 3;
constexpr double kCaseBudgetSeconds = 12.0;

inline int Repetitions(double pass_seconds) {
  if (const char* fixed = std::getenv("SELFSERVICE_BENCH_REPETITIONS"); fixed != nullptr && std::atoi(fixed) > 0) {
    return std::atoi(fixed);
  }
  const double fit = pass_seconds > 0 ? kCaseBudgetSeconds / pass_seconds : kMaxRepetitions;
  return static_cast<int>(std::clamp(std::floor(fit), double{kMinRepetitions}, double{kMaxRepetitions}));
}

}  // namespace selfservice::bench

// search_eval: the search quality of libselfservice on a judged query set, beside two SQLite FTS5
// baselines measured in the same run (issue 3, section 5; docs/SEARCH.md explains the figures).
//
//   search_eval --corpus DIR/debian-docs.jsonl --queries DIR/queries-dev.jsonl --out-dir OUT
//               [--engine all|ours|fts5-default|fts5-trigram] [--python python3]
//
// Engines, each answering the top 10 articles of the query's language:
//   fts5-default  FTS5 with the unicode61 tokenizer; the query's words, quoted, OR-ed; bm25().
//   fts5-trigram  FTS5 with the trigram tokenizer; every trigram of the query's words, OR-ed; bm25().
//   ours          selfservice::Portal: knowledge.import of the corpus, then search.query. Its run
//                 run-ours.jsonl answers nothing when suggest_ticket is set (the "no answer" path);
//                 run-ours-ranked.jsonl always holds the hits, so ranking is measured on its own.
// Each run is written to OUT/run-<engine>.jsonl and scored by score.py (beside the queries file);
// the figures, with success@5 and the suggest_ticket rates computed here, go to stdout and to
// OUT/summary.json, which run_ratchet.py compares with ratchet.json.
//
// Exit status: 0 when every requested engine was measured or skipped for lack of the search
// methods, 1 on any failure, 2 on bad arguments.

#include <sqlite3.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/json.hpp>

#include "kb_eval.hpp"
#include "selfservice/portal.hpp"

namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using kb_eval::EvalError;
using kb_eval::Query;
using kb_eval::ReadJsonLines;
using kb_eval::StringField;

constexpr int kTopK = 10;
constexpr const char* kGroups[] = {"all", "zh", "en"};

struct Article {
  std::string id;
  std::string lang;
  std::string title;
  std::string body;
};

// One ranking per query, in the order of the queries file.
using Run = std::vector<std::vector<std::string>>;

std::vector<Article> LoadCorpus(const fs::path& path) {
  std::vector<Article> articles;
  for (const auto& line : ReadJsonLines(path)) {
    articles.push_back({StringField(line, "id"), StringField(line, "lang"), StringField(line, "title"),
                        StringField(line, "body")});
  }
  return articles;
}

// ---------------------------------------------------------------------------------------------
// The FTS5 baselines.

struct SqliteClose {
  void operator()(sqlite3* db) const { sqlite3_close(db); }
};
struct SqliteFinalize {
  void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
};
using Database = std::unique_ptr<sqlite3, SqliteClose>;
using Statement = std::unique_ptr<sqlite3_stmt, SqliteFinalize>;

Statement Prepare(sqlite3* db, std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr) != SQLITE_OK) {
    throw EvalError("sqlite: " + std::string(sqlite3_errmsg(db)) + " in: " + std::string(sql));
  }
  return Statement(stmt);
}

void Execute(sqlite3* db, std::string_view sql) {
  Statement stmt = Prepare(db, sql);
  if (sqlite3_step(stmt.get()) != SQLITE_DONE) throw EvalError("sqlite: " + std::string(sqlite3_errmsg(db)));
}

void BindText(sqlite3_stmt* stmt, int index, std::string_view text) {
  sqlite3_bind_text(stmt, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
}

// A tokenizer of the connection, called directly so that queries are split exactly as FTS5 splits
// documents: fts5_api (reached through "SELECT fts5(?1)", as the SQLite documentation describes)
// finds the tokenizer by name.
class Tokenizer {
 public:
  Tokenizer(sqlite3* db, const char* name) {
    fts5_api* api = nullptr;
    Statement stmt = Prepare(db, "SELECT fts5(?1)");
    sqlite3_bind_pointer(stmt.get(), 1, &api, "fts5_api_ptr", nullptr);
    sqlite3_step(stmt.get());
    void* user_data = nullptr;
    if (api == nullptr || api->xFindTokenizer(api, name, &user_data, &module_) != SQLITE_OK ||
        module_.xCreate(user_data, nullptr, 0, &tokenizer_) != SQLITE_OK) {
      throw EvalError(std::string("sqlite: no FTS5 tokenizer ") + name);
    }
  }
  ~Tokenizer() { module_.xDelete(tokenizer_); }
  Tokenizer(const Tokenizer&) = delete;
  Tokenizer& operator=(const Tokenizer&) = delete;

  struct Token {
    std::string text;       // as indexed (case-folded)
    std::string_view span;  // where it came from in the input
  };

  std::vector<Token> Split(std::string_view text) const {
    std::pair<std::vector<Token>, std::string_view> state{{}, text};
    module_.xTokenize(tokenizer_, &state, FTS5_TOKENIZE_QUERY, text.data(), static_cast<int>(text.size()),
                      &Tokenizer::Collect);
    return std::move(state.first);
  }

 private:
  static int Collect(void* context, int /*flags*/, const char* token, int size, int start, int end) {
    auto& [tokens, input] = *static_cast<std::pair<std::vector<Token>, std::string_view>*>(context);
    tokens.push_back({std::string(token, static_cast<std::size_t>(size)),
                      input.substr(static_cast<std::size_t>(start), static_cast<std::size_t>(end - start))});
    return SQLITE_OK;
  }

  fts5_tokenizer module_{};
  Fts5Tokenizer* tokenizer_ = nullptr;
};

// `terms` as an FTS5 query: each one a quoted string, OR-ed. A term typed twice stays twice (bm25()
// then counts it twice), as the query was typed.
std::string OrQuery(const std::vector<std::string>& terms) {
  std::string query;
  for (const auto& term : terms) {
    if (!query.empty()) query += " OR ";
    query += '"';
    for (char c : term) query += c == '"' ? std::string("\"\"") : std::string(1, c);
    query += '"';
  }
  return query;
}

// One FTS5 table over the whole corpus with one tokenizer, in a private in-memory database.
class Fts5Baseline {
 public:
  enum class Kind { kDefault, kTrigram };

  Fts5Baseline(Kind kind, const std::vector<Article>& articles) : kind_(kind) {
    sqlite3* db = nullptr;
    if (sqlite3_open(":memory:", &db) != SQLITE_OK) {
      sqlite3_close(db);
      throw EvalError("sqlite: cannot open an in-memory database");
    }
    db_.reset(db);
    Execute(db, std::string("CREATE VIRTUAL TABLE articles USING fts5(title, body, lang UNINDEXED, "
                            "article_id UNINDEXED, tokenize = '") +
                    (kind == Kind::kDefault ? "unicode61" : "trigram") + "')");
    Execute(db, "BEGIN");
    Statement insert =
        Prepare(db, "INSERT INTO articles(title, body, lang, article_id) VALUES (?1, ?2, ?3, ?4)");
    for (const auto& article : articles) {
      BindText(insert.get(), 1, article.title);
      BindText(insert.get(), 2, article.body);
      BindText(insert.get(), 3, article.lang);
      BindText(insert.get(), 4, article.id);
      if (sqlite3_step(insert.get()) != SQLITE_DONE)
        throw EvalError("sqlite: " + std::string(sqlite3_errmsg(db)));
      sqlite3_reset(insert.get());
    }
    Execute(db, "COMMIT");
    words_.emplace(db, "unicode61");
    if (kind == Kind::kTrigram) trigrams_.emplace(db, "trigram");
    search_ = Prepare(db,
                      "SELECT article_id FROM articles WHERE articles MATCH ?1 AND lang = ?2 "
                      "ORDER BY bm25(articles), rowid LIMIT " +
                          std::to_string(kTopK));
  }

  // The FTS5 query for `text`. Words are what unicode61 would index. For the trigram table each
  // word of at least three characters contributes its overlapping trigrams, as the trigram
  // tokenizer itself cuts them; shorter words can match no trigram and are dropped.
  std::string MatchExpression(std::string_view text) const {
    std::vector<std::string> terms;
    for (const auto& word : words_->Split(text)) {
      if (kind_ == Kind::kDefault) {
        terms.push_back(word.text);
        continue;
      }
      for (auto& trigram : trigrams_->Split(word.span)) terms.push_back(std::move(trigram.text));
    }
    return OrQuery(terms);
  }

  std::vector<std::string> Search(const Query& query) const {
    std::vector<std::string> ranked;
    const std::string match = MatchExpression(query.text);
    if (match.empty()) return ranked;
    sqlite3_stmt* stmt = search_.get();
    sqlite3_reset(stmt);
    BindText(stmt, 1, match);
    BindText(stmt, 2, query.lang);
    int rc = SQLITE_ROW;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
      ranked.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)));
    }
    if (rc != SQLITE_DONE) {
      throw EvalError("sqlite: " + std::string(sqlite3_errmsg(db_.get())) + " for " + query.qid + ": " +
                      match);
    }
    return ranked;
  }

 private:
  Kind kind_;
  Database db_;
  std::optional<Tokenizer> words_;
  std::optional<Tokenizer> trigrams_;
  Statement search_;
};

Run RunBaseline(Fts5Baseline::Kind kind, const std::vector<Article>& articles,
                const std::vector<Query>& queries) {
  const Fts5Baseline baseline(kind, articles);
  Run run;
  for (const auto& query : queries) run.push_back(baseline.Search(query));
  return run;
}

// ---------------------------------------------------------------------------------------------
// Our engine, through the Portal's method calls.

struct OursRuns {
  Run ranked;                        // the hits, always
  Run answered;                      // the hits, or nothing when suggest_ticket is set
  std::vector<bool> suggest_ticket;  // per query
};

bool HasMethod(std::string_view name) {
  for (const auto& method : selfservice::Portal::Methods()) {
    if (method.name == name) return true;
  }
  return false;
}

// nullopt when the portal has no search methods yet.
std::optional<OursRuns> RunOurs(const fs::path& corpus, const std::vector<Query>& queries) {
  if (!HasMethod("knowledge.import") || !HasMethod("search.query")) {
    std::cout << "ours: search methods not available yet\n";
    return std::nullopt;
  }
  auto portal = kb_eval::OpenMemoryPortal();
  const json::object imported = kb_eval::ImportCorpus(*portal, corpus, "search-eval-import");
  std::cout << "ours: knowledge.import " << json::serialize(imported) << '\n';

  // Searching is what a customer's end user does.
  OursRuns runs;
  for (const auto& query : queries) {
    const json::object request{{"q", query.text}, {"lang", query.lang}, {"page", 1}, {"size", kTopK}};
    const json::object envelope =
        portal->Invoke("search.query", kb_eval::CustomerUser(query, "search-eval-" + query.qid), request);
    const json::object& data = kb_eval::SuccessData(envelope, "search.query " + query.qid);
    std::vector<std::string> ranked;
    if (const json::value* hits = data.if_contains("hits"); hits != nullptr && hits->is_array()) {
      for (const auto& hit : hits->get_array()) {
        const json::value* id = hit.is_object() ? hit.get_object().if_contains("external_id") : nullptr;
        if (id == nullptr || !id->is_string())
          throw EvalError("search.query hit without external_id: " + json::serialize(hit));
        ranked.emplace_back(id->get_string());
      }
    }
    const json::value* suggest = data.if_contains("suggest_ticket");
    const bool suggest_ticket = suggest != nullptr && suggest->is_bool() && suggest->get_bool();
    runs.answered.push_back(suggest_ticket ? std::vector<std::string>{} : ranked);
    runs.ranked.push_back(std::move(ranked));
    runs.suggest_ticket.push_back(suggest_ticket);
  }
  return runs;
}

// ---------------------------------------------------------------------------------------------
// Scoring.

void WriteRun(const fs::path& path, const std::vector<Query>& queries, const Run& run) {
  std::ofstream out(path);
  for (std::size_t i = 0; i < queries.size(); ++i) {
    json::array ranked;
    for (const auto& id : run[i]) ranked.emplace_back(id);
    out << json::serialize(json::object{{"qid", queries[i].qid}, {"ranked", std::move(ranked)}}) << '\n';
  }
  if (!out) throw EvalError("cannot write " + path.string());
}

std::string ShellQuote(std::string_view text) {
  std::string quoted = "'";
  for (char c : text) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

// score.py's --json answer for one run: {"all"|"zh"|"en": {"P@1", "R@5", ...}}.
json::object ScoreRun(const std::string& python, const fs::path& scorer, const fs::path& queries,
                      const fs::path& run) {
  const std::string command = ShellQuote(python) + ' ' + ShellQuote(scorer.string()) + ' ' +
                              ShellQuote(queries.string()) + ' ' + ShellQuote(run.string()) + " --json";
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) throw EvalError("cannot run " + command);
  std::string output;
  char buffer[4096];
  for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;) output.append(buffer, n);
  if (pclose(pipe) != 0) throw EvalError("failed: " + command);
  boost::system::error_code ec;
  json::value scores = json::parse(output, ec);
  if (ec || !scores.is_object()) throw EvalError("not JSON from " + command + ": " + output);
  return std::move(scores.get_object());
}

bool InGroup(const Query& query, std::string_view group) {
  return group == "all" || query.lang == group;
}

// Share of the group's answerable queries with an article of grade >= 1 among the first five
// distinct ids (score.py counts duplicates once, so does this).
std::optional<double> SuccessAt5(const std::vector<Query>& queries, const Run& run, std::string_view group) {
  int answerable = 0;
  int found = 0;
  for (std::size_t i = 0; i < queries.size(); ++i) {
    if (!InGroup(queries[i], group) || !queries[i].answerable()) continue;
    ++answerable;
    std::set<std::string_view> seen;
    for (const auto& id : run[i]) {
      if (!seen.insert(id).second) continue;
      if (seen.size() > 5) break;
      if (auto grade = queries[i].relevant.find(id);
          grade != queries[i].relevant.end() && grade->second >= 1) {
        ++found;
        break;
      }
    }
  }
  if (answerable == 0) return std::nullopt;
  return static_cast<double>(found) / answerable;
}

// Share of the group's queries of one kind (answerable or not) for which suggest_ticket was set.
std::optional<double> SuggestRate(const std::vector<Query>& queries, const std::vector<bool>& suggest,
                                  std::string_view group, bool answerable) {
  int total = 0;
  int set = 0;
  for (std::size_t i = 0; i < queries.size(); ++i) {
    if (!InGroup(queries[i], group) || queries[i].answerable() != answerable) continue;
    ++total;
    if (suggest[i]) ++set;
  }
  if (total == 0) return std::nullopt;
  return static_cast<double>(set) / total;
}

json::value OrNull(std::optional<double> value) {
  return value ? json::value(*value) : json::value(nullptr);
}

// ---------------------------------------------------------------------------------------------
// Output.

std::string Figure(const json::object& group, std::string_view metric) {
  const json::value* value = group.if_contains(metric);
  if (value == nullptr || value->is_null()) return "-";
  std::ostringstream out;
  if (value->is_int64() || value->is_uint64()) {
    out << value->to_number<std::int64_t>();
  } else {
    out << std::fixed << std::setprecision(3) << value->to_number<double>();
  }
  return out.str();
}

void PrintTable(const json::object& engines) {
  constexpr const char* kColumns[] = {"P@1", "R@5", "MRR@10", "nDCG@10", "success@5", "no_answer_empty"};
  std::cout << '\n'
            << std::left << std::setw(14) << "engine" << std::setw(5) << "lang" << std::right << std::setw(6)
            << "n_ans" << std::setw(8) << "P@1" << std::setw(8) << "R@5" << std::setw(8) << "MRR@10"
            << std::setw(9) << "nDCG@10" << std::setw(11) << "success@5" << std::setw(10) << "na_empty"
            << '\n';
  for (const auto& [engine, figures] : engines) {
    for (const char* group_name : kGroups) {
      const json::object& group = figures.at("groups").at(group_name).get_object();
      std::cout << std::left << std::setw(14)
                << (std::string_view(group_name) == "all" ? std::string(engine) : "") << std::setw(5)
                << group_name << std::right << std::setw(6) << Figure(group, "n_answerable");
      constexpr int kWidths[] = {8, 8, 8, 9, 11, 10};
      for (std::size_t c = 0; c < std::size(kColumns); ++c) {
        std::cout << std::setw(kWidths[c]) << Figure(group, kColumns[c]);
      }
      std::cout << '\n';
    }
  }
  if (const json::value* ours = engines.if_contains("ours")) {
    std::cout << "\nsuggest_ticket of ours (share of queries)   no-answer   answerable\n";
    for (const char* group_name : kGroups) {
      const json::object& rates = ours->at("suggest_ticket").at(group_name).get_object();
      std::cout << "  " << std::left << std::setw(42) << group_name << std::right << std::setw(9)
                << Figure(rates, "no_answer") << std::setw(13) << Figure(rates, "answerable") << '\n';
    }
  }
}

struct Options {
  fs::path corpus;
  fs::path queries;
  fs::path out_dir;
  std::string engine = "all";
  std::string python = "python3";
};

constexpr const char* kUsage =
    "usage: search_eval --corpus FILE.jsonl --queries FILE.jsonl --out-dir DIR\n"
    "                   [--engine all|ours|fts5-default|fts5-trigram] [--python PYTHON3]\n";

std::optional<Options> ParseArguments(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    const std::string_view flag = argv[i];
    if (i + 1 >= argc) return std::nullopt;
    const std::string value = argv[++i];
    if (flag == "--corpus") {
      options.corpus = value;
    } else if (flag == "--queries") {
      options.queries = value;
    } else if (flag == "--out-dir") {
      options.out_dir = value;
    } else if (flag == "--engine") {
      options.engine = value;
    } else if (flag == "--python") {
      options.python = value;
    } else {
      return std::nullopt;
    }
  }
  const std::set<std::string> engines = {"all", "ours", "fts5-default", "fts5-trigram"};
  if (options.corpus.empty() || options.queries.empty() || options.out_dir.empty() ||
      !engines.contains(options.engine)) {
    return std::nullopt;
  }
  return options;
}

int Evaluate(const Options& options) {
  const auto wants = [&](std::string_view engine) {
    return options.engine == "all" || options.engine == engine;
  };
  const fs::path scorer = options.queries.parent_path() / "score.py";
  if (!fs::exists(scorer)) throw EvalError("no scorer beside the queries: " + scorer.string());
  const std::vector<Article> articles = LoadCorpus(options.corpus);
  const std::vector<Query> queries = kb_eval::LoadQueries(options.queries);
  fs::create_directories(options.out_dir);
  std::cout << "corpus: " << articles.size() << " articles, " << queries.size() << " queries, SQLite "
            << sqlite3_libversion() << '\n';

  std::vector<std::pair<std::string, Run>> runs;
  if (wants("fts5-default"))
    runs.emplace_back("fts5-default", RunBaseline(Fts5Baseline::Kind::kDefault, articles, queries));
  if (wants("fts5-trigram"))
    runs.emplace_back("fts5-trigram", RunBaseline(Fts5Baseline::Kind::kTrigram, articles, queries));
  std::optional<OursRuns> ours;
  if (wants("ours")) ours = RunOurs(options.corpus, queries);
  if (ours) {
    runs.emplace_back("ours", ours->answered);
    runs.emplace_back("ours-ranked", ours->ranked);
  }

  json::object engines;
  for (const auto& [engine, run] : runs) {
    const fs::path file = options.out_dir / ("run-" + engine + ".jsonl");
    WriteRun(file, queries, run);
    json::object scores = ScoreRun(options.python, scorer, options.queries, file);
    json::object groups;
    for (const char* group_name : kGroups) {
      json::object group = scores.at(group_name).get_object();
      group["success@5"] = OrNull(SuccessAt5(queries, run, group_name));
      groups[group_name] = std::move(group);
    }
    json::object figures{{"run", file.filename().string()}, {"groups", std::move(groups)}};
    if (engine == "ours") {
      json::object suggest;
      for (const char* group_name : kGroups) {
        suggest[group_name] = json::object{
            {"no_answer", OrNull(SuggestRate(queries, ours->suggest_ticket, group_name, false))},
            {"answerable", OrNull(SuggestRate(queries, ours->suggest_ticket, group_name, true))}};
      }
      figures["suggest_ticket"] = std::move(suggest);
    }
    engines[engine] = std::move(figures);
  }
  PrintTable(engines);

  const json::object summary{{"corpus", fs::absolute(options.corpus).string()},
                             {"queries", fs::absolute(options.queries).string()},
                             {"articles", articles.size()},
                             {"query_count", queries.size()},
                             {"sqlite_version", sqlite3_libversion()},
                             {"ours_available", ours.has_value()},
                             {"engines", std::move(engines)}};
  const fs::path summary_file = options.out_dir / "summary.json";
  std::ofstream out(summary_file);
  out << json::serialize(summary) << '\n';
  if (!out) throw EvalError("cannot write " + summary_file.string());
  std::cout << "\nwrote " << summary_file.string() << '\n';
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::optional<Options> options = ParseArguments(argc, argv);
  if (!options) {
    std::cerr << kUsage;
    return 2;
  }
  try {
    return Evaluate(*options);
  } catch (const std::exception& error) {
    std::cerr << "search_eval: " << error.what() << '\n';
    return 1;
  }
}

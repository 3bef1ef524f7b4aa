// ai_eval: the quality of ai.chat's answers with the embedded answerer ("local", the default
// provider) on the judged dev queries (issue 4, section 6; docs/SEARCH.md, "AI answers").
//
//   ai_eval --corpus DIR/debian-docs.jsonl --queries DIR/queries-dev.jsonl --out-dir OUT
//
// A Portal on sqlite::memory: with default options imports the corpus (knowledge.import, as the
// platform administrator), then each query is asked once through ai.chat {"question"} by a
// customer user in the query's locale (zh-CN or en-US), each in a new session. The portal's article
// ids are mapped to the corpus ids through knowledge.list (knowledge.get would count views, which
// the search ranking weighs). Per language and overall:
//   first_related_relevant    answerable queries whose related_articles[0] has grade >= 1
//   answer_from_grade2        answerable queries answered (mode "answer") from a grade-2 article
//                             (the source_article_id); search_results mode counts as not answered
//   answered_rate             answerable queries in mode "answer"
//   answer_relevance          among those, the share whose source article has grade >= 1 (the
//                             spec's "answer relevance > 80%")
//   no_answer_low_confidence  no-answer queries whose confidence is below the default threshold 0.7
// Every figure is a share of the group's queries of that kind, null when there are none.
// OUT/run-ai.jsonl holds one line per query, OUT/summary.json the figures, which run_ai_ratchet.py
// compares with ai_ratchet.json.
//
// Exit status: 0 when measured, 1 on any failure, 2 on bad arguments.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json.hpp>

#include "kb_eval.hpp"
#include "selfservice/portal.hpp"

namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using kb_eval::EvalError;
using kb_eval::Query;

constexpr double kDefaultConfidenceThreshold = 0.7;  // ai.chat's options.confidence_threshold default
constexpr const char* kGroups[] = {"all", "zh", "en"};

// What ai.chat answered to one query, in corpus ids.
struct Outcome {
  bool answered = false;  // mode "answer"
  double confidence = 0;
  std::vector<std::string> related;   // external ids of related_articles, in order
  std::optional<std::string> source;  // external id of source_article_id (answer mode only)
  std::string answer;
  std::string backend;          // "local", or "search" when the answerer failed (degraded)
  std::string fallback_reason;  // why search results stand in for an answer
};

// The portal's article id -> the corpus id, for every imported article.
std::map<std::int64_t, std::string> CorpusIds(selfservice::Portal& portal) {
  std::map<std::int64_t, std::string> ids;
  const selfservice::RequestContext admin = kb_eval::PlatformAdmin("ai-eval-list");
  constexpr int kPageSize = 100;
  for (int page = 1;; ++page) {
    const json::object envelope =
        portal.Invoke("knowledge.list", admin, json::object{{"page", page}, {"size", kPageSize}});
    const json::value* data = envelope.if_contains("data");
    if (envelope.at("code") != 200 || data == nullptr || !data->is_array())
      throw EvalError("knowledge.list failed: " + json::serialize(envelope));
    const json::array& items = data->get_array();
    for (const auto& item : items) {
      const json::value* external_id = item.get_object().if_contains("external_id");
      if (external_id != nullptr && external_id->is_string())
        ids.emplace(item.at("id").to_number<std::int64_t>(), std::string(external_id->get_string()));
    }
    if (items.size() < kPageSize) return ids;
  }
}

std::string TextOrEmpty(const json::object& data, std::string_view key) {
  const json::value* value = data.if_contains(key);
  return value != nullptr && value->is_string() ? std::string(value->get_string()) : std::string();
}

Outcome Ask(selfservice::Portal& portal, const Query& query,
            const std::map<std::int64_t, std::string>& corpus_ids) {
  const json::object envelope = portal.Invoke("ai.chat", kb_eval::CustomerUser(query, "ai-eval-" + query.qid),
                                              json::object{{"question", query.text}});
  const json::object& data = kb_eval::SuccessData(envelope, "ai.chat " + query.qid);
  Outcome outcome;
  outcome.answered = TextOrEmpty(data, "mode") == "answer";
  outcome.confidence = data.at("confidence").to_number<double>();
  outcome.answer = TextOrEmpty(data, "answer");
  outcome.backend = TextOrEmpty(data, "backend");
  outcome.fallback_reason = TextOrEmpty(data, "fallback_reason");
  for (const auto& article : data.at("related_articles").get_array()) {
    const json::value* id = article.get_object().if_contains("external_id");
    if (id == nullptr || !id->is_string())
      throw EvalError("related article without external_id: " + json::serialize(article));
    outcome.related.emplace_back(id->get_string());
  }
  if (const json::value& source = data.at("source_article_id"); !source.is_null()) {
    const auto found = corpus_ids.find(source.to_number<std::int64_t>());
    if (found == corpus_ids.end())
      throw EvalError("source_article_id of no imported article: " + json::serialize(source));
    outcome.source = found->second;
  }
  if (outcome.answered && !outcome.source)
    throw EvalError("ai.chat " + query.qid + " answered without a source article");
  return outcome;
}

const std::string* FirstRelated(const Outcome& outcome) {
  return outcome.related.empty() ? nullptr : &outcome.related.front();
}

json::value Share(int count, int total) {
  return total == 0 ? json::value(nullptr) : json::value(static_cast<double>(count) / total);
}

json::object Figures(const std::vector<Query>& queries, const std::vector<Outcome>& outcomes,
                     std::string_view group) {
  int answerable = 0, no_answer = 0, first_relevant = 0, answered = 0, from_grade2 = 0, relevant_source = 0,
      low_confidence = 0;
  for (std::size_t i = 0; i < queries.size(); ++i) {
    const Query& query = queries[i];
    const Outcome& outcome = outcomes[i];
    if (group != "all" && query.lang != group) continue;
    if (!query.answerable()) {
      ++no_answer;
      if (outcome.confidence < kDefaultConfidenceThreshold) ++low_confidence;
      continue;
    }
    ++answerable;
    if (query.Grade(FirstRelated(outcome)) >= 1) ++first_relevant;
    if (!outcome.answered) continue;
    ++answered;
    const std::int64_t source_grade = query.Grade(outcome.source ? &*outcome.source : nullptr);
    if (source_grade >= 1) ++relevant_source;
    if (source_grade == 2) ++from_grade2;
  }
  return json::object{{"n_answerable", answerable},
                      {"n_no_answer", no_answer},
                      {"n_answered", answered},
                      {"first_related_relevant", Share(first_relevant, answerable)},
                      {"answer_from_grade2", Share(from_grade2, answerable)},
                      {"answered_rate", Share(answered, answerable)},
                      {"answer_relevance", Share(relevant_source, answered)},
                      {"no_answer_low_confidence", Share(low_confidence, no_answer)}};
}

void WriteRun(const fs::path& path, const std::vector<Query>& queries, const std::vector<Outcome>& outcomes) {
  std::ofstream out(path);
  for (std::size_t i = 0; i < queries.size(); ++i) {
    const Query& query = queries[i];
    const Outcome& outcome = outcomes[i];
    json::array related;
    for (const auto& id : outcome.related) related.emplace_back(id);
    const auto grade_or_null = [&](const std::string* id) {
      return query.answerable() && id != nullptr ? json::value(query.Grade(id)) : json::value(nullptr);
    };
    out << json::serialize(json::object{
               {"qid", query.qid},
               {"lang", query.lang},
               {"answerable", query.answerable()},
               {"mode", outcome.answered ? "answer" : "search_results"},
               {"confidence", outcome.confidence},
               {"backend", outcome.backend},
               {"fallback_reason", outcome.fallback_reason.empty() ? json::value(nullptr)
                                                                   : json::value(outcome.fallback_reason)},
               {"related", std::move(related)},
               {"source", outcome.source ? json::value(*outcome.source) : json::value(nullptr)},
               {"first_related_grade", grade_or_null(FirstRelated(outcome))},
               {"source_grade", grade_or_null(outcome.source ? &*outcome.source : nullptr)},
               {"answer", outcome.answer}})
        << '\n';
  }
  if (!out) throw EvalError("cannot write " + path.string());
}

std::string Cell(const json::object& figures, std::string_view key) {
  const json::value& value = figures.at(key);
  if (value.is_null()) return "-";
  std::ostringstream out;
  if (value.is_double()) {
    out << std::fixed << std::setprecision(3) << value.get_double();
  } else {
    out << value.to_number<std::int64_t>();
  }
  return out.str();
}

void PrintTable(const json::object& groups) {
  constexpr const char* kColumns[] = {
      "n_answerable", "first_related_relevant",  "answer_from_grade2", "answered_rate", "answer_relevance",
      "n_no_answer",  "no_answer_low_confidence"};
  constexpr const char* kHeads[] = {"n_ans",     "first_rel", "from_g2",   "answered",
                                    "ans_relev", "n_na",      "na_lowconf"};
  std::cout << '\n' << std::left << std::setw(5) << "lang" << std::right;
  for (const char* head : kHeads) std::cout << std::setw(11) << head;
  std::cout << '\n';
  for (const char* group : kGroups) {
    std::cout << std::left << std::setw(5) << group << std::right;
    for (const char* column : kColumns)
      std::cout << std::setw(11) << Cell(groups.at(group).get_object(), column);
    std::cout << '\n';
  }
}

struct Options {
  fs::path corpus;
  fs::path queries;
  fs::path out_dir;
};

constexpr const char* kUsage = "usage: ai_eval --corpus FILE.jsonl --queries FILE.jsonl --out-dir DIR\n";

std::optional<Options> ParseArguments(int argc, char** argv) {
  Options options;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string_view flag = argv[i];
    if (flag == "--corpus") {
      options.corpus = argv[i + 1];
    } else if (flag == "--queries") {
      options.queries = argv[i + 1];
    } else if (flag == "--out-dir") {
      options.out_dir = argv[i + 1];
    } else {
      return std::nullopt;
    }
  }
  if (argc % 2 == 0 || options.corpus.empty() || options.queries.empty() || options.out_dir.empty())
    return std::nullopt;
  return options;
}

int Evaluate(const Options& options) {
  const std::vector<Query> queries = kb_eval::LoadQueries(options.queries);
  fs::create_directories(options.out_dir);
  auto portal = kb_eval::OpenMemoryPortal();
  const json::object imported = kb_eval::ImportCorpus(*portal, options.corpus, "ai-eval-import");
  std::cout << "knowledge.import " << json::serialize(imported) << '\n';
  const std::map<std::int64_t, std::string> corpus_ids = CorpusIds(*portal);

  const auto started = std::chrono::steady_clock::now();
  std::vector<Outcome> outcomes;
  for (const auto& query : queries) outcomes.push_back(Ask(*portal, query, corpus_ids));
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::map<std::string, int> backends;
  for (const auto& outcome : outcomes) ++backends[outcome.backend];
  json::object backend_counts;
  for (const auto& [backend, count] : backends) backend_counts[backend] = count;
  std::cout << queries.size() << " questions asked in " << std::fixed << std::setprecision(2) << seconds
            << " s, backends " << json::serialize(backend_counts) << '\n';

  const fs::path run_file = options.out_dir / "run-ai.jsonl";
  WriteRun(run_file, queries, outcomes);
  json::object groups;
  for (const char* group : kGroups) groups[group] = Figures(queries, outcomes, group);
  PrintTable(groups);

  const json::object summary{{"corpus", fs::absolute(options.corpus).string()},
                             {"queries", fs::absolute(options.queries).string()},
                             {"articles", corpus_ids.size()},
                             {"query_count", queries.size()},
                             {"confidence_threshold", kDefaultConfidenceThreshold},
                             {"backends", std::move(backend_counts)},
                             {"run", run_file.filename().string()},
                             {"groups", std::move(groups)}};
  const fs::path summary_file = options.out_dir / "summary.json";
  std::ofstream out(summary_file);
  out << json::serialize(summary) << '\n';
  if (!out) throw EvalError("cannot write " + summary_file.string());
  std::cout << "\nwrote " << run_file.string() << " and " << summary_file.string() << '\n';
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
    std::cerr << "ai_eval: " << error.what() << '\n';
    return 1;
  }
}
